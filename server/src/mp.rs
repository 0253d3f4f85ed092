//! What the generated mini programs call (`/mp/{site}`, docs/mp-api.md): so far the rules
//! under it: when a service can be booked ([`availability`]), holding a booking's time under
//! any concurrency ([`hold`]), what an order costs ([`pricing`]) and taking its stock under any
//! concurrency ([`stock`]).
pub mod availability;
pub mod hold;
pub mod pricing;
pub mod stock;
