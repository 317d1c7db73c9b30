//! The trader's view of the greeks (per calendar day, per vol/rate point), because the
//! existing UI reads opportunity JSON in those units while the math API stays raw.

use serde::{Deserialize, Serialize};

use super::greeks::Greeks;

/// Calendar days per year used to turn per-year greeks into per-day ones (API.md §1).
pub const DAYS_PER_YEAR: f64 = 365.0;

/// Greeks in the units of the opportunity JSON: `theta`, `charm` and `color` per calendar
/// day (raw / 365); `vega` and `rho` per 1 point of vol or rate (raw / 100); the rest raw.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraderGreeks {
    /// `∂V/∂S`.
    pub delta: f64,
    /// `∂²V/∂S²`.
    pub gamma: f64,
    /// Value lost per calendar day.
    pub theta: f64,
    /// Value change per 1 vol point (0.01 of σ).
    pub vega: f64,
    /// Value change per 1 rate point (0.01 of r).
    pub rho: f64,
    /// Delta lost per calendar day (`−∂Δ/∂T / 365`).
    pub charm: f64,
    /// Gamma lost per calendar day (`−∂Γ/∂T / 365`).
    pub color: f64,
    /// `∂²V/∂S∂σ`, raw.
    pub vanna: f64,
    /// `∂²V/∂σ²`, raw.
    pub vomma: f64,
    /// `∂³V/∂S³`, raw.
    pub speed: f64,
    /// `∂Γ/∂σ`, raw.
    pub zomma: f64,
    /// `∂³V/∂σ³`, raw.
    pub ultima: f64,
    /// Elasticity `Δ·S/V`.
    pub lambda: f64,
}

impl Greeks {
    /// The per-day / per-point view used in opportunity JSON.
    ///
    /// ```
    /// use scanner_core::{model::OptionKind, pricing::bsm};
    /// let g = bsm(OptionKind::Call, 100.0, 100.0, 0.5, 0.05, 0.02, 0.25)?;
    /// let t = g.trader();
    /// assert!((t.theta - g.theta / 365.0).abs() < 1e-15);
    /// assert!((t.vega - g.vega / 100.0).abs() < 1e-15);
    /// # Ok::<(), scanner_core::Error>(())
    /// ```
    pub fn trader(&self) -> TraderGreeks {
        TraderGreeks {
            delta: self.delta,
            gamma: self.gamma,
            theta: self.theta / DAYS_PER_YEAR,
            vega: self.vega / 100.0,
            rho: self.rho / 100.0,
            charm: self.charm / DAYS_PER_YEAR,
            color: self.color / DAYS_PER_YEAR,
            vanna: self.vanna,
            vomma: self.vomma,
            speed: self.speed,
            zomma: self.zomma,
            ultima: self.ultima,
            lambda: self.lambda,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::OptionKind;
    use crate::pricing::bsm;

    /// Hull Ex. 17.2 / 17.6 / 17.7 quote theta per year, vega and rho per 1 %; the trader
    /// view must reproduce the per-point numbers and serialize in camelCase.
    #[test]
    fn hull_per_point_values_and_json_keys() {
        let g = bsm(OptionKind::Call, 49.0, 50.0, 0.3846, 0.05, 0.0, 0.20).unwrap();
        let t = g.trader();
        assert!((t.vega - 0.121).abs() < 6e-3);
        assert!((t.rho - 0.0891).abs() < 6e-3);
        assert!((t.theta * 365.0 - -4.31).abs() < 6e-3);
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.contains("\"lambda\"") && json.contains("\"charm\""));
        let raw = serde_json::to_string(&g).unwrap();
        assert!(raw.contains("\"probItm\""));
    }
}
