//! Per-contract analysis: own IV from the mid, greeks, probabilities, scenarios, data quality,
//! the legacy gates and scores — everything one contract needs, computed once, from symbol-level
//! inputs that were themselves computed once per symbol.

use chrono::{DateTime, Utc};

use super::composite::{risk_metrics, CompositeInputs, RiskMetrics};
use super::score::{legacy_score, ScoreInputs};
use super::ScanConfig;
use crate::calendar::{days_to_expiration, years_to_expiry};
use crate::market::quality::{assess, QualityConfig, QualityReport};
use crate::model::{OptionKind, OptionQuote};
use crate::pricing::{bsm, implied_vol, Greeks, IvStatus};
use crate::probability::{
    analyze, scenario_grid, Drift, ExpiryLaw, PositionInput, ProbabilityAnalysis, RealWorldModel,
    ScenarioGrid,
};

/// Symbol-level inputs shared by all its contracts.
#[derive(Debug, Clone, Copy)]
pub struct SymbolInputs {
    /// Underlying price.
    pub spot: f64,
    /// When the chain was observed (the scan's as-of instant).
    pub as_of: DateTime<Utc>,
    /// Continuous dividend yield.
    pub dividend_yield: f64,
    /// Risk-free rate.
    pub rate: f64,
    /// The real-world model's volatility forecast from the symbol's history up to the as-of
    /// session (None: too little history, probabilities stay risk-neutral).
    pub rw_vol: Option<f64>,
}

/// Everything computed for one contract.
#[derive(Debug, Clone)]
pub struct ContractAnalysis {
    /// Whole New York calendar days to expiry.
    pub dte: i64,
    /// Year fraction to expiry.
    pub years: f64,
    /// Entry price per share (mid, or last trade when there is no two-sided quote).
    pub premium: f64,
    /// IV used for the analysis.
    pub iv: f64,
    /// `"mid"` when solved from the quote, `"vendor"` when the vendor's IV stood in.
    pub iv_source: &'static str,
    /// Raw greeks at `iv`.
    pub greeks: Greeks,
    /// The probabilities the scan reports and ranks by: real-world where available
    /// (`probability_model`), else risk-neutral.
    pub probability: ProbabilityAnalysis,
    /// Probabilities under the risk-neutral drift at the implied volatility.
    pub risk_neutral: ProbabilityAnalysis,
    /// `"real_world_fhs"` or `"risk_neutral"` (too little history for the real-world model).
    pub probability_model: &'static str,
    /// PoP at the IVs implied by the bid and the ask: the quote-consistent PoP band (0–1).
    pub pop_band: (f64, f64),
    /// Scenario grid (`returnsAnalysis`).
    pub grid: ScenarioGrid,
    /// Legacy validator report (max spread 20%).
    pub quality: QualityReport,
    /// Enhanced validator report (max spread 15%).
    pub enhanced_quality: QualityReport,
    /// Legacy score inputs.
    pub inputs: ScoreInputs,
    /// Legacy score 0–100.
    pub score: f64,
    /// Composite and risk-adjusted scores.
    pub risk: RiskMetrics,
}

/// Why a contract did not become a candidate.
pub type Drop = &'static str;

/// Analyse one contract. `Err(reason)` means it was dropped (the caller counts the reason).
pub fn analyze_contract(
    q: &OptionQuote,
    sym: &SymbolInputs,
    cfg: &ScanConfig,
) -> Result<ContractAnalysis, Drop> {
    let years = years_to_expiry(sym.as_of, q.expiration);
    let dte = days_to_expiration(sym.as_of, q.expiration);
    let law = real_world_law(sym, dte);
    analyze_contract_at(q, sym, cfg, years, dte, law.as_ref())
}

/// The real-world law every contract `dte` days from expiry shares at the symbol's forecast
/// (None without one: those contracts keep the risk-neutral probabilities).
pub(crate) fn real_world_law(sym: &SymbolInputs, dte: i64) -> Option<ExpiryLaw<'static>> {
    sym.rw_vol
        .and_then(|v| RealWorldModel::builtin().at_expiry(dte, v))
}

/// [`analyze_contract`] with the year fraction, whole days to expiry and real-world law
/// already known (a symbol's contracts share a few expirations: the time-zone arithmetic
/// and the law's scaling run once per date).
pub(crate) fn analyze_contract_at(
    q: &OptionQuote,
    sym: &SymbolInputs,
    cfg: &ScanConfig,
    years: f64,
    dte: i64,
    law: Option<&ExpiryLaw<'_>>,
) -> Result<ContractAnalysis, Drop> {
    if years <= 0.0 {
        return Err("expired");
    }
    let premium = q.mid().or(q.last.filter(|p| *p > 0.0)).ok_or("no_price")?;
    let (s, k, r, d) = (sym.spot, q.strike, sym.rate, sym.dividend_yield);
    let solve = |price: f64| {
        implied_vol(price, q.kind, s, k, years, r, d)
            .ok()
            .filter(|x| x.status == IvStatus::Ok)
            .map(|x| x.vol)
    };
    let (iv, iv_source) = match solve(premium) {
        Some(v) => (v, "mid"),
        None => match q.vendor_iv.filter(|v| *v > 0.0 && *v < 10.0) {
            Some(v) => (v, "vendor"),
            None => return Err("no_implied_volatility"),
        },
    };
    let greeks = bsm(q.kind, s, k, years, r, d, iv).map_err(|_| "invalid_greeks")?;
    let pos = |vol: f64| PositionInput {
        kind: q.kind,
        spot: s,
        strike: k,
        premium,
        years,
        rate: r,
        dividend_yield: d,
        vol,
        drift: Drift::RiskNeutral,
    };
    let risk_neutral = analyze(&pos(iv)).map_err(|_| "invalid_probability")?;
    let real_world = |premium: f64| law.and_then(|l| l.analyze(q.kind, s, k, premium));
    let (probability, probability_model) = match real_world(premium) {
        Some(rw) => (
            ProbabilityAnalysis {
                probability_of_profit: rw.probability_of_profit,
                probability_itm: rw.probability_itm,
                probability_touch_breakeven: rw.probability_touch_breakeven,
                probability_touch_strike: rw.probability_touch_strike,
                expected_value: rw.expected_value,
                ..risk_neutral
            },
            "real_world_fhs",
        ),
        None => (risk_neutral, "risk_neutral"),
    };
    // The PoP had the contract been bought at the bid or at the ask.
    let pop_at = |price: f64| match probability_model {
        "real_world_fhs" => law.and_then(|l| l.probability_of_profit(q.kind, s, k, price)),
        _ => solve(price)
            .and_then(|v| analyze(&pos(v)).ok())
            .map(|p| p.probability_of_profit),
    };
    let band_lo = if q.bid > 0.0 { pop_at(q.bid) } else { None };
    let band_hi = if q.ask > 0.0 { pop_at(q.ask) } else { None };
    let pop = probability.probability_of_profit;
    let (a, b) = (band_lo.unwrap_or(pop), band_hi.unwrap_or(pop));
    let pop_band = (a.min(b).min(pop), a.max(b).max(pop));
    let grid = scenario_grid(q.kind, s, k, premium, dte, iv).map_err(|_| "invalid_scenarios")?;
    let quality = assess(
        q,
        s,
        Some(iv),
        sym.as_of,
        Some(sym.as_of),
        &QualityConfig::legacy(),
    );
    let enhanced_quality = assess(
        q,
        s,
        Some(iv),
        sym.as_of,
        Some(sym.as_of),
        &QualityConfig::enhanced(),
    );
    let one = &grid.scenarios[grid.one_sd];
    let two = &grid.scenarios[grid.two_sd];
    let best = &grid.scenarios[grid.best];
    let inputs = ScoreInputs {
        volume: q.volume as f64,
        open_interest: q.open_interest as f64,
        bid: q.bid,
        ask: q.ask,
        premium,
        one_sd_roi_pct: one.roi_pct,
        one_sd_net: one.net,
        best_roi_pct: best.roi_pct,
        pop_pct: pop * 100.0,
        breakeven_move_pct: grid.breakeven_move_percent,
        iv,
        dte,
    };
    let score = legacy_score(&inputs);
    let trader = greeks.trader();
    let risk = risk_metrics(&CompositeInputs {
        legacy_score: score,
        pop,
        pop_band,
        expected_value: probability.expected_value * 100.0,
        delta: greeks.delta,
        gamma: greeks.gamma,
        theta_per_day: trader.theta,
        cost: premium * 100.0,
        reference_gain: two.net,
        tier: enhanced_quality.tier,
        quality_score: enhanced_quality.score,
    });
    let analysis = ContractAnalysis {
        dte,
        years,
        premium,
        iv,
        iv_source,
        greeks,
        probability,
        risk_neutral,
        probability_model,
        pop_band,
        grid,
        quality,
        enhanced_quality,
        inputs,
        score,
        risk,
    };
    gate(q, sym.spot, &analysis, cfg)?;
    Ok(analysis)
}

/// The per-contract gates of original-system.md §4.4 (scores, strike sanity, moneyness, quality).
fn gate(q: &OptionQuote, spot: f64, a: &ContractAnalysis, cfg: &ScanConfig) -> Result<(), Drop> {
    let g = &cfg.gates;
    if a.score < g.min_score {
        return Err("score_below_minimum");
    }
    if a.inputs.pop_pct < g.min_probability_pct {
        return Err("probability_below_minimum");
    }
    if a.inputs.one_sd_roi_pct < g.min_one_sd_roi_pct {
        return Err("one_sd_return_below_minimum");
    }
    if q.strike < g.min_strike_ratio * spot || q.strike > g.max_strike_ratio * spot {
        return Err("strike_out_of_range");
    }
    if itm_fraction(q.kind, spot, q.strike) > g.max_itm_fraction {
        return Err("too_deep_in_the_money");
    }
    if a.quality.score < g.min_quality_score {
        return Err("data_quality");
    }
    Ok(())
}

/// How far in the money, as a fraction of spot (negative out of the money).
pub fn itm_fraction(kind: OptionKind, spot: f64, strike: f64) -> f64 {
    kind.sign() * (spot - strike) / spot
}
