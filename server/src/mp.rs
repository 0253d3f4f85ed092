//! What the generated mini programs call (`/mp/{site}`, docs/mp-api.md): so far the rules
//! under it: when a service can be booked ([`availability`]), holding a booking's time under
//! any concurrency ([`hold`]), and what an order costs and takes from stock ([`pricing`]).
pub mod availability;
pub mod hold;
pub mod pricing;
