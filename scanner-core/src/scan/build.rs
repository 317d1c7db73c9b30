//! Turn a [`ContractAnalysis`] into the opportunity JSON of the original schema
//! (original-system.md §10.1), in the documented units.

use serde_json::{json, Map, Value};

use super::contract::{itm_fraction, ContractAnalysis};
use super::directional::SymbolSignals;
use super::iv_rank::IvRank;
use super::score::{catalysts, confidence, patterns, quality_lane, reasoning, risk_level};
use super::sizing::{position_sizing, SizingInputs};
use super::tags::{tags, TagInputs};
use super::validation::{backtest_risk_level, mark_backtest_driven, Validation, MIN_KELLY_TRADES};
use super::ScanConfig;
use crate::market::quality::QualityReport;
use crate::model::{Opportunity, OptionKind, OptionQuote};

/// `x` rounded to `dp` decimals; a value that rounds to zero is `0`, never `-0` (a negative
/// zero would survive into the JSON and differ from its own cached copy).
fn r(x: f64, dp: i32) -> f64 {
    let m = 10f64.powi(dp);
    (x * m).round() / m + 0.0
}

fn ratio(pct: f64) -> Value {
    if pct > 0.0 {
        json!(r(pct / 100.0, 2))
    } else {
        Value::Null
    }
}

/// A sentence describing the first scenario, moving away from today's price in the option's
/// direction, that returns at least 20% (the original took the *largest* move for puts).
pub fn trade_summary(kind: OptionKind, a: &ContractAnalysis) -> String {
    let sigma = a.iv * (a.dte.max(1) as f64 / 365.0).sqrt() * 100.0;
    let mut favourable: Vec<_> = a
        .grid
        .scenarios
        .iter()
        .filter(|s| kind.sign() * s.move_pct > 0.0)
        .collect();
    favourable.sort_by(|x, y| x.move_pct.abs().total_cmp(&y.move_pct.abs()));
    match favourable.into_iter().find(|s| s.roi_pct >= 20.0) {
        Some(s) => {
            let k = s.move_pct.abs() / sigma.max(1e-9);
            let how = if k <= 0.5 {
                "Very achievable"
            } else if k <= 1.0 {
                "Achievable"
            } else if k <= 1.5 {
                "Requires favorable conditions"
            } else {
                "Requires exceptional move"
            };
            format!(
                "{how}: a {} move by expiration returns {:.0}% (${:.0} per contract).",
                s.move_label(),
                s.roi_pct,
                s.net
            )
        }
        None => format!(
            "Breakeven at ${:.2} needs a {:.1}% move by expiration.",
            a.grid.breakeven_price, a.grid.breakeven_move_percent
        ),
    }
}

/// `_dataQuality`; `priceTimestamp` is the quote's time when the source gave one, else `null`.
fn quality_json(q: &QualityReport, quote: &OptionQuote) -> Value {
    json!({"quality": q.tier, "score": r(q.score, 1), "issues": q.issues, "warnings": q.warnings,
        "priceSource": "quote", "priceTimestamp": quote.quote_time,
        "priceAgeSeconds": q.price_age_minutes.map(|m| m * 60.0)})
}

fn messages(items: &[crate::market::quality::QualityItem]) -> Vec<String> {
    items.iter().map(|i| i.message.clone()).collect()
}

/// Symbol-level analyses that shape an opportunity (their JSON is attached to the finalists
/// only, after ranking, so candidates stay small).
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    /// Swing signal and directional biases.
    pub signals: Option<&'a SymbolSignals>,
    /// This contract's backtest validation.
    pub validation: Option<&'a Validation>,
}

/// What an opportunity's `details` are built from, kept for each candidate the ranking could
/// still select: the map itself (dozens of keys, formatted sentences) is built only for
/// the candidates the ranking does select.
#[derive(Debug, Clone)]
pub struct PendingDetails {
    quote: OptionQuote,
    spot: f64,
    analysis: ContractAnalysis,
}

impl PendingDetails {
    /// Keep what [`details`](Self::details) needs.
    pub(crate) fn new(quote: &OptionQuote, spot: f64, analysis: &ContractAnalysis) -> Self {
        Self {
            quote: quote.clone(),
            spot,
            analysis: analysis.clone(),
        }
    }

    /// The `details` map of the original schema.
    pub fn details(
        &self,
        iv_rank: Option<&IvRank>,
        cfg: &ScanConfig,
        extras: &Extras<'_>,
    ) -> Map<String, Value> {
        details(&self.quote, self.spot, &self.analysis, iv_rank, cfg, extras)
    }
}

/// The opportunity's top-level fields without `details`: enough to rank it, cheap to build,
/// so the JSON is only built for contracts that can still be selected.
pub fn skeleton(q: &OptionQuote, spot: f64, a: &ContractAnalysis) -> Opportunity {
    let s = &a.inputs;
    let cost = a.premium * 100.0;
    Opportunity {
        symbol: q.underlying.clone(),
        option_type: q.kind,
        contract_symbol: q.contract_symbol.clone(),
        strike: r(q.strike, 2),
        expiration: iso_date(q.expiration),
        premium: r(cost, 2),
        bid: r(q.bid * 100.0, 2),
        ask: r(q.ask * 100.0, 2),
        volume: q.volume,
        open_interest: q.open_interest,
        implied_volatility: r(a.iv, 4),
        stock_price: r(spot, 2),
        score: r(a.score, 1),
        risk_adjusted_score: r(a.risk.risk_adjusted_score, 2),
        probability_of_profit: r(s.pop_pct, 2),
        probability_of_profit_risk_neutral: Some(r(
            a.risk_neutral.probability_of_profit * 100.0,
            2,
        )),
        days_to_expiration: a.dte,
        details: Map::new(),
    }
}

/// `YYYY-MM-DD`, as chrono's `%Y-%m-%d` writes it, into one exact-size allocation (every
/// candidate's skeleton carries its expiration; chrono's formatter allocates on the way).
fn iso_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    use std::fmt::Write;
    if !(0..=9999).contains(&d.year()) {
        return d.format("%Y-%m-%d").to_string();
    }
    let mut s = String::with_capacity(10);
    let _ = write!(s, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
    s
}

/// A contract's screen fields in [`crate::model::ScreenField`] order, in the opportunity
/// JSON's units (per contract, percent, trader greeks).
pub fn screen_values(
    q: &OptionQuote,
    spot: f64,
    a: &ContractAnalysis,
) -> [f64; crate::model::candidates_stored()] {
    let t = a.greeks.trader();
    [
        q.strike,
        a.premium * 100.0,
        q.bid * 100.0,
        q.ask * 100.0,
        spot,
        a.iv,
        t.delta,
        t.gamma,
        t.theta,
        t.vega,
        a.inputs.pop_pct,
        a.probability.expected_value * 100.0,
        a.score,
        a.risk.risk_adjusted_score,
        a.enhanced_quality.score,
        a.dte as f64,
        q.volume as f64,
        q.open_interest as f64,
    ]
}

/// Days from 1970-01-01 to `d`.
pub fn epoch_days(d: chrono::NaiveDate) -> i32 {
    (d - chrono::NaiveDate::default()).num_days() as i32
}

/// The `details` map of the original schema.
fn details(
    q: &OptionQuote,
    spot: f64,
    a: &ContractAnalysis,
    iv_rank: Option<&IvRank>,
    cfg: &ScanConfig,
    extras: &Extras<'_>,
) -> Map<String, Value> {
    let (grid, p, s) = (&a.grid, &a.probability, &a.inputs);
    let (one, two, best) = (
        &grid.scenarios[grid.one_sd],
        &grid.scenarios[grid.two_sd],
        &grid.scenarios[grid.best],
    );
    let t = a.greeks.trader();
    let cost = a.premium * 100.0;
    let sigma_pct = a.iv * (a.dte.max(1) as f64 / 365.0).sqrt() * 100.0;
    let bt = extras.validation.map(|v| &v.report);
    let level = match bt {
        Some(b) => backtest_risk_level(risk_level(s), b.trades, b.win_rate, s.pop_pct),
        None => risk_level(s),
    };
    let mut d = Map::new();
    let mut put = |k: &str, v: Value| {
        d.insert(k.to_owned(), v);
    };
    put("confidence", json!(r(confidence(a.score, s.pop_pct), 1)));
    put("tradeSummary", json!(trade_summary(q.kind, a)));
    put("reasoning", json!(reasoning(s)));
    put("catalysts", json!(catalysts(s)));
    put(
        "patterns",
        json!(patterns(s, extras.signals.map(|x| x.enhanced.score))),
    );
    put("riskLevel", json!(level));
    put("qualityLane", json!(quality_lane(s)));
    put("potentialReturn", json!(r(one.roi_pct, 1)));
    put("potentialReturnAmount", json!(r(one.net, 2)));
    put("maxReturn", json!(r(best.roi_pct, 1)));
    put("maxReturnAmount", json!(r(best.net, 2)));
    put("expectedMoveReturn", json!(r(one.roi_pct, 1)));
    put("expectedMoveAmount", json!(r(one.net, 2)));
    put("optimisticMoveReturn", json!(r(two.roi_pct, 1)));
    put("optimisticMoveAmount", json!(r(two.net, 2)));
    put("expectedMove1SD", json!(r(sigma_pct, 2)));
    put("expectedMove2SD", json!(r(2.0 * sigma_pct, 2)));
    put("maxLoss", json!(r(cost, 2)));
    put("maxLossAmount", json!(r(cost, 2)));
    put("maxLossPercent", json!(100.0));
    put("breakeven", json!(r(grid.breakeven_price, 2)));
    put("breakevenPrice", json!(r(grid.breakeven_price, 2)));
    put(
        "breakevenMovePercent",
        json!(r(grid.breakeven_move_percent, 1)),
    );
    put("ivRank", json!(iv_rank.map(|x| r(x.rank, 1))));
    put("ivPercentile", json!(iv_rank.map(|x| r(x.percentile, 1))));
    put(
        "ivRankSource",
        json!(iv_rank.map(|x| if x.realized_vol_proxy {
            "realized_volatility_proxy"
        } else {
            "iv_history"
        })),
    );
    put("ivSource", json!(a.iv_source));
    put("vendorImpliedVolatility", json!(q.vendor_iv));
    put("volumeRatio", json!(r(s.volume_ratio(), 2)));
    put(
        "profitProbabilityExplanation",
        json!(format!(
            "Needs a {:.1}% move to ${:.2} in {} days; {} gives {:.1}% probability of finishing beyond breakeven ({:.1}% risk-neutral at {:.0}% implied volatility).",
            grid.breakeven_move_percent, grid.breakeven_price, a.dte,
            if a.probability_model == "real_world_fhs" { "the real-world model (the symbol's volatility, historical return shapes)" } else { "the lognormal model" },
            s.pop_pct, a.risk_neutral.probability_of_profit * 100.0, a.iv * 100.0
        )),
    );
    put("riskRewardRatio", ratio(best.roi_pct));
    put("shortTermRiskRewardRatio", ratio(one.roi_pct));
    put(
        "greeks",
        json!({"delta": r(t.delta, 4), "gamma": r(t.gamma, 4), "theta": r(t.theta, 4), "vega": r(t.vega, 4)}),
    );
    put("returnsAnalysis", json!(grid.scenarios.iter().map(|x| json!({"move": x.move_label(), "movePct": r(x.move_pct, 2), "return": r(x.roi_pct, 1)})).collect::<Vec<_>>()));
    put("_dataQuality", quality_json(&a.quality, q));
    let sizing_in = SizingInputs {
        cost,
        pop_pct: s.pop_pct,
        net_1sd: one.net,
        net_2sd: two.net,
        best_net: best.net,
        risk_reward: (best.roi_pct > 0.0).then_some(best.roi_pct / 100.0),
        risk_level: level,
        score: a.score,
        expected_move_1sd_pct: sigma_pct,
        portfolio_size: cfg.portfolio_size,
        daily_contract_budget: cfg.daily_contract_budget,
    };
    let mut sizing = position_sizing(&sizing_in);
    if let Some(b) = bt.filter(|b| b.trades >= MIN_KELLY_TRADES) {
        let redo = position_sizing(&SizingInputs {
            pop_pct: b.win_rate.clamp(0.05, 0.95) * 100.0,
            ..sizing_in
        });
        if let Some(mut x) = redo.filter(|x| x.expected_edge > 0.0) {
            mark_backtest_driven(&mut x, b.trades);
            sizing = Some(x);
        }
    }
    put("positionSizing", json!(sizing));

    put(
        "enhancedProbabilityOfProfit",
        json!(r(p.probability_of_profit * 100.0, 2)),
    );
    put("enhancedExpectedValue", json!(r(p.expected_value, 4)));
    put("expectedValueAmount", json!(r(p.expected_value * 100.0, 2)));
    let eq = &a.enhanced_quality;
    put(
        "enhancedTags",
        json!(tags(&TagInputs {
            pop: p.probability_of_profit,
            delta: a.greeks.delta,
            gamma: a.greeks.gamma,
            theta_per_day: t.theta,
            vega_per_point: t.vega,
            expected_value: p.expected_value * 100.0,
            moneyness: itm_fraction(q.kind, spot, q.strike),
            tier: tier_name(eq),
        })),
    );
    put(
        "enhancedAnalysis",
        json!({
            "dataQuality": {"quality": eq.tier, "score": r(eq.score, 1), "summary": eq.summary(), "issues": messages(&eq.issues), "warnings": messages(&eq.warnings)},
            "probabilityAnalysis": {
                "probabilityOfProfit": p.probability_of_profit, "probabilityITM": p.probability_itm,
                "probabilityTouch": p.probability_touch_breakeven, "probabilityTouchStrike": p.probability_touch_strike,
                "expectedValue": p.expected_value, "confidenceInterval": [a.pop_band.0, a.pop_band.1],
                "confidenceMethod": "quote_implied_band", "breakeven": p.breakeven, "maxLoss": p.max_loss,
                "method": a.probability_model,
                "riskNeutral": {"probabilityOfProfit": a.risk_neutral.probability_of_profit,
                    "probabilityITM": a.risk_neutral.probability_itm, "probabilityTouch": a.risk_neutral.probability_touch_breakeven,
                    "probabilityTouchStrike": a.risk_neutral.probability_touch_strike, "expectedValue": a.risk_neutral.expected_value,
                    "method": "lognormal_black_scholes_merton"}
            },
            "greeks": {"delta": t.delta, "gamma": t.gamma, "theta": t.theta, "vega": t.vega, "rho": t.rho, "lambda": t.lambda,
                       "charm": t.charm, "color": t.color, "speed": t.speed, "zomma": t.zomma, "ultima": t.ultima,
                       "vanna": t.vanna, "vomma": t.vomma},
            "riskMetrics": a.risk,
        }),
    );
    d
}

fn tier_name(q: &QualityReport) -> &'static str {
    use crate::market::quality::QualityTier::*;
    match q.tier {
        Institutional => "institutional",
        High => "high",
        Medium => "medium",
        Low => "low",
        Rejected => "rejected",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OptionQuote;
    use crate::scan::contract::{analyze_contract, SymbolInputs};
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn iso_date_writes_what_chrono_writes() {
        for (y, m, d) in [
            (2024, 7, 19),
            (1, 1, 1),
            (0, 12, 31),
            (9999, 12, 31),
            (10000, 1, 2),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(iso_date(date), date.format("%Y-%m-%d").to_string());
        }
        let before = NaiveDate::from_ymd_opt(-5, 3, 4).unwrap();
        assert_eq!(iso_date(before), before.format("%Y-%m-%d").to_string());
    }

    #[test]
    fn rounding_to_zero_gives_a_positive_zero() {
        for x in [-0.004, -0.0, -1e-300] {
            assert!(r(x, 2) == 0.0 && r(x, 2).is_sign_positive(), "{x}");
        }
        assert_eq!((r(-0.7049, 1), r(2.345, 2), r(-2.0, 2)), (-0.7, 2.35, -2.0));
    }

    #[test]
    fn put_summary_quotes_the_smallest_winning_down_move() {
        // The original walked scenarios in ascending move order, so for puts it always quoted
        // the largest down move. A near-the-money put wins 20% on a small drop already.
        let as_of = Utc.with_ymd_and_hms(2024, 6, 12, 18, 0, 0).unwrap();
        let q = OptionQuote {
            contract_symbol: "SYNA240719P00100000".into(),
            underlying: "SYNA".into(),
            kind: OptionKind::Put,
            strike: 100.0,
            expiration: NaiveDate::from_ymd_opt(2024, 7, 19).unwrap(),
            bid: 2.9,
            ask: 3.0,
            last: Some(2.95),
            volume: 500,
            open_interest: 900,
            vendor_iv: None,
            quote_time: None,
            last_trade_time: None,
        };
        let sym = SymbolInputs {
            spot: 100.0,
            as_of,
            dividend_yield: 0.0,
            rate: 0.045,
            rw_vol: None,
        };
        let mut cfg = ScanConfig::default();
        cfg.gates.min_score = 0.0;
        let a = analyze_contract(&q, &sym, &cfg).expect("analysable");
        let summary = trade_summary(OptionKind::Put, &a);
        let smallest = a
            .grid
            .scenarios
            .iter()
            .filter(|s| s.move_pct < 0.0 && s.roi_pct >= 20.0)
            .map(|s| s.move_pct)
            .fold(f64::NEG_INFINITY, f64::max);
        let largest = a
            .grid
            .scenarios
            .iter()
            .map(|s| s.move_pct)
            .fold(f64::INFINITY, f64::min);
        assert!(smallest > largest, "the grid must offer a choice");
        assert!(
            summary.contains(&format!("{:.1}%", smallest)),
            "{summary} should quote {smallest:.1}%"
        );
    }
}
