//! Math test suite: textbook values, finite-difference and parity properties, IV round
//! trips, Monte Carlo checks of the touch probability, batch equivalence, and regressions
//! against the original system's formula bugs. One binary to keep link time down.

mod batch;
mod batch_into;
mod fd;
mod iv_roundtrip;
mod iv_tiny;
mod original_bugs;
mod probability_props;
mod properties;
mod rng;
mod textbook;
mod touch_mc;
mod via_batch;
