//! Shared by the peers benchmark and the HTTP load test: the same signed deliveries as the main
//! crate's `benches/verify.rs`, and the paired measurement.

#[path = "../../support/deliveries.rs"]
pub mod deliveries;
#[path = "../../support/paired.rs"]
pub mod paired;
