//! What the generated mini programs call (`/mp/{site}`, docs/mp-api.md): so far when a service
//! can be booked ([`availability`]).
pub mod availability;
