//! Short machine-readable tags on each opportunity (original-system.md §5.4), with the
//! expectancy thresholds applied to a per-contract expected value that can actually reach
//! them, and deep in-the-money contracts no longer tagged `deep_otm`.

/// What the tags look at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TagInputs {
    /// Probability of profit, 0–1.
    pub pop: f64,
    /// Raw delta.
    pub delta: f64,
    /// Raw gamma.
    pub gamma: f64,
    /// Theta per day per share.
    pub theta_per_day: f64,
    /// Vega per vol point per share.
    pub vega_per_point: f64,
    /// Expected profit at expiry per contract.
    pub expected_value: f64,
    /// (S − K)/S for calls, (K − S)/S for puts: positive in the money.
    pub moneyness: f64,
    /// Data-quality tier name (`institutional`, `high`, …).
    pub tier: &'static str,
}

/// The tags of one opportunity, in a stable order.
///
/// ```
/// use scanner_core::scan::{tags, TagInputs};
/// let t = tags(&TagInputs { pop: 0.75, delta: 0.8, gamma: 0.01, theta_per_day: -0.01,
///     vega_per_point: 0.05, expected_value: 80.0, moneyness: 0.15, tier: "institutional" });
/// assert_eq!(t, ["high_probability", "high_delta", "premium_data", "positive_expectancy", "deep_itm"]);
/// ```
pub fn tags(x: &TagInputs) -> Vec<String> {
    let mut t: Vec<&str> = Vec::new();
    if x.pop > 0.7 {
        t.push("high_probability");
    } else if x.pop < 0.4 {
        t.push("low_probability");
    }
    if x.delta.abs() > 0.7 {
        t.push("high_delta");
    }
    if x.gamma > 0.02 {
        t.push("high_gamma");
    }
    if x.theta_per_day.abs() > 0.05 {
        t.push("high_time_decay");
    }
    if x.vega_per_point > 0.15 {
        t.push("vol_sensitive");
    }
    match x.tier {
        "institutional" => t.push("premium_data"),
        "low" | "rejected" => t.push("data_concerns"),
        _ => {}
    }
    if x.expected_value > 50.0 {
        t.push("positive_expectancy");
    } else if x.expected_value < -20.0 {
        t.push("negative_expectancy");
    }
    if x.moneyness.abs() < 0.02 {
        t.push("near_atm");
    } else if x.moneyness < -0.10 {
        t.push("deep_otm");
    } else if x.moneyness > 0.10 {
        t.push("deep_itm");
    }
    t.into_iter().map(String::from).collect()
}
