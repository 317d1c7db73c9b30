//! The zero-variance limit (`years == 0` or `vol == 0`), kept apart because the closed forms
//! divide by `σ√T` and would return NaN exactly where expiring contracts need an answer.
//!
//! With no variance the terminal forward is certain, so the option is worth the discounted
//! forward intrinsic `max(w·(S e^{−qT} − K e^{−rT}), 0)`. Its first-order greeks are those of
//! that linear payoff on the in-the-money side and 0 on the other; at the kink they take the
//! midpoint of the two one-sided limits. Second- and higher-order greeks are 0 off the kink
//! and distributions (infinite) on it; they are reported as 0.

use super::greeks::Greeks;

/// Greeks of the deterministic limit; `w` is +1 for calls and −1 for puts.
#[allow(clippy::too_many_arguments)]
#[cold]
pub(crate) fn deterministic_limit(
    w: f64,
    spot: f64,
    strike: f64,
    years: f64,
    rate: f64,
    dividend_yield: f64,
    df_r: f64,
    df_q: f64,
) -> Greeks {
    let spot_q = spot * df_q;
    let strike_r = strike * df_r;
    let moneyness = w * (spot_q - strike_r);
    // Weight of the linear payoff: 1 in the money, ½ on the kink, 0 out of the money.
    let weight = if moneyness > 0.0 {
        1.0
    } else if moneyness == 0.0 {
        0.5
    } else {
        0.0
    };
    let price = moneyness.max(0.0);
    let delta = weight * w * df_q;
    Greeks {
        price,
        delta,
        theta: weight * w * (dividend_yield * spot_q - rate * strike_r),
        rho: weight * w * strike_r * years,
        epsilon: -weight * w * spot_q * years,
        lambda: if price > 0.0 {
            delta * spot / price
        } else {
            0.0
        },
        prob_itm: weight,
        ..Greeks::default()
    }
}

#[cfg(test)]
mod tests {
    use crate::model::OptionKind;
    use crate::pricing::bsm;

    /// The deterministic limit must be the limit of the closed form as σ → 0.
    #[test]
    fn zero_vol_is_the_limit_of_small_vol() {
        for (kind, spot) in [
            (OptionKind::Call, 110.0),
            (OptionKind::Call, 90.0),
            (OptionKind::Put, 90.0),
            (OptionKind::Put, 110.0),
        ] {
            let at0 = bsm(kind, spot, 100.0, 0.5, 0.05, 0.02, 0.0).unwrap();
            let near = bsm(kind, spot, 100.0, 0.5, 0.05, 0.02, 1e-4).unwrap();
            for (a, b) in [
                (at0.price, near.price),
                (at0.delta, near.delta),
                (at0.theta, near.theta),
                (at0.rho, near.rho),
                (at0.epsilon, near.epsilon),
                (at0.prob_itm, near.prob_itm),
                (at0.gamma, near.gamma),
            ] {
                assert!((a - b).abs() < 1e-9, "{kind:?} S={spot}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn expiry_gives_intrinsic_and_finite_greeks() {
        let c = bsm(OptionKind::Call, 105.0, 100.0, 0.0, 0.05, 0.02, 0.3).unwrap();
        assert_eq!(c.price, 5.0);
        assert_eq!(c.delta, 1.0);
        assert_eq!(c.prob_itm, 1.0);
        let p = bsm(OptionKind::Put, 100.0, 100.0, 0.0, 0.05, 0.02, 0.3).unwrap();
        assert_eq!(p.price, 0.0);
        assert_eq!(p.delta, -0.5);
        assert_eq!(p.prob_itm, 0.5);
        assert!([p.gamma, p.vega, p.theta, p.ultima, p.lambda]
            .iter()
            .all(|x| x.is_finite()));
    }
}
