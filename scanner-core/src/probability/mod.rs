//! Probabilities of a long option position under one lognormal convention: profit and
//! in-the-money at expiry, touching a level before expiry, the analytic expected value,
//! the original's scenario grid, and the Jeffreys interval the scan uses for hit rates; and
//! the real-world model ([`RealWorldModel`]) the scan reports next to them.
//!
//! Convention: the price follows geometric Brownian motion with price drift `μ` (`r − q`
//! risk-neutral by default, see [`Drift`]) and log-price drift `μ − σ²/2`.

mod beta;
mod expiry_law;
mod interval;
mod profit;
mod real_world;
mod recalibration;
mod scenario;
mod touch;

pub use beta::{beta_quantile, regularized_incomplete_beta};
pub use expiry_law::ExpiryLaw;
pub use interval::jeffreys_interval;
pub use profit::{analyze, Drift, PositionInput, ProbabilityAnalysis};
pub use real_world::{
    HorizonLaw, OutOfSample, RealWorldModel, RealWorldProbabilities, VolForecast, Window,
};
pub use recalibration::Recalibration;
pub use scenario::{scenario_grid, Scenario, ScenarioGrid};
pub use touch::touch_probability;
