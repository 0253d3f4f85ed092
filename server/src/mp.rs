//! What the generated mini programs call (`/mp/{site}`, docs/mp-api.md): so far the pure rules
//! under it: when a service can be booked ([`availability`]) and what an order costs and takes
//! from stock ([`pricing`]).
pub mod availability;
pub mod pricing;
