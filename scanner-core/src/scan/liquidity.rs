//! Liquidity gates per symbol (original-system.md §4.2–§4.3): the strict gate and its
//! top-by-volume cap, then — in relaxed mode, only when the strict gate leaves nothing — the
//! relaxed gate and the top-by-volume stage. Every contract dropped is counted with its reason.
//!
//! The cap applies per symbol rather than across the whole batch, so one symbol's result never
//! depends on which other symbols were scanned (that is what makes per-symbol caching and
//! progressive results possible); the relaxed stage is capped too (the original's was not).

use serde::Serialize;

use super::config::LiquidityGate;
use super::ScanConfig;
use crate::model::{OptionQuote, Rejections};

/// Which liquidity stage admitted a symbol's contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LiquidityStage {
    /// The strict gate.
    Strict,
    /// The relaxed gate (relaxed mode only).
    Liquidity,
    /// The top contracts by volume, whatever their liquidity (relaxed mode only).
    TopVolume,
    /// Nothing passed.
    None,
}

/// The contracts of one symbol admitted for analysis, per mode.
#[derive(Debug, Clone)]
pub struct LiquidSets {
    /// Indices (into the chain's quotes) admitted in strict mode.
    pub strict: Vec<usize>,
    /// Indices admitted in relaxed mode (equal to `strict` unless the strict gate was empty).
    pub relaxed: Vec<usize>,
    /// Stage that produced `relaxed`.
    pub relaxed_stage: LiquidityStage,
    /// Contracts the relaxed stages would have offered (reported in strict mode).
    pub relaxed_candidates: usize,
    /// Drops by reason in strict mode (stage `liquidity_strict`).
    pub strict_rejections: Rejections,
    /// Drops by reason in relaxed mode (stages `liquidity_strict`/`liquidity_relaxed`).
    pub relaxed_rejections: Rejections,
}

/// The reason `q` fails `gate`, or `None` when it passes (strict inequalities).
pub fn gate_failure(q: &OptionQuote, gate: &LiquidityGate) -> Option<&'static str> {
    let price = q
        .last
        .filter(|p| *p > 0.0)
        .or_else(|| q.mid())
        .unwrap_or(0.0);
    if q.bid <= 0.0 {
        Some("no_bid")
    } else if q.ask <= 0.0 {
        Some("no_ask")
    } else if q.volume <= gate.min_volume {
        Some("low_volume")
    } else if q.open_interest <= gate.min_open_interest {
        Some("low_open_interest")
    } else if price <= gate.min_price {
        Some("low_price")
    } else {
        None
    }
}

fn gate(
    quotes: &[OptionQuote],
    idx: &[usize],
    g: &LiquidityGate,
    stage: &str,
    rej: &mut Rejections,
) -> Vec<usize> {
    idx.iter()
        .copied()
        .filter(|&i| match gate_failure(&quotes[i], g) {
            Some(reason) => {
                rej.add(stage, reason, 1);
                false
            }
            None => true,
        })
        .collect()
}

fn top_by_volume(
    quotes: &[OptionQuote],
    mut idx: Vec<usize>,
    cap: usize,
    stage: &str,
    rej: &mut Rejections,
) -> Vec<usize> {
    idx.sort_by(|&a, &b| {
        quotes[b]
            .volume
            .cmp(&quotes[a].volume)
            .then_with(|| quotes[a].contract_symbol.cmp(&quotes[b].contract_symbol))
    });
    if idx.len() > cap {
        rej.add(stage, "beyond_top_by_volume", (idx.len() - cap) as u64);
        idx.truncate(cap);
    }
    idx
}

/// Apply the gates to the contracts `eligible` (indices into `quotes`) of one symbol.
pub fn liquid_sets(quotes: &[OptionQuote], eligible: &[usize], cfg: &ScanConfig) -> LiquidSets {
    let mut strict_rej = Rejections::default();
    let strict = gate(
        quotes,
        eligible,
        &cfg.strict_liquidity,
        "liquidity_strict",
        &mut strict_rej,
    );
    let strict = top_by_volume(
        quotes,
        strict,
        cfg.top_by_volume,
        "liquidity_strict",
        &mut strict_rej,
    );
    if !strict.is_empty() {
        return LiquidSets {
            relaxed: strict.clone(),
            strict,
            relaxed_stage: LiquidityStage::Strict,
            relaxed_candidates: 0,
            relaxed_rejections: strict_rej.clone(),
            strict_rejections: strict_rej,
        };
    }
    let mut relaxed_rej = Rejections::default();
    let relaxed = gate(
        quotes,
        eligible,
        &cfg.relaxed_liquidity,
        "liquidity_relaxed",
        &mut relaxed_rej,
    );
    let (relaxed, stage) = if relaxed.is_empty() {
        let all = top_by_volume(
            quotes,
            eligible.to_vec(),
            cfg.top_by_volume,
            "liquidity_top_volume",
            &mut relaxed_rej,
        );
        let stage = if all.is_empty() {
            LiquidityStage::None
        } else {
            LiquidityStage::TopVolume
        };
        // The gate's per-reason drops are superseded by the top-volume stage admitting them.
        relaxed_rej.0.remove("liquidity_relaxed");
        (all, stage)
    } else {
        (
            top_by_volume(
                quotes,
                relaxed,
                cfg.top_by_volume,
                "liquidity_relaxed",
                &mut relaxed_rej,
            ),
            LiquidityStage::Liquidity,
        )
    };
    let strict_rejections = strict_rej;
    LiquidSets {
        strict,
        relaxed_candidates: relaxed.len(),
        relaxed,
        relaxed_stage: stage,
        strict_rejections,
        relaxed_rejections: relaxed_rej,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OptionKind;
    use chrono::NaiveDate;

    fn q(i: usize, volume: u64, oi: u64, bid: f64) -> OptionQuote {
        OptionQuote {
            contract_symbol: format!("C{i:03}"),
            underlying: "SYNA".into(),
            kind: OptionKind::Call,
            strike: 100.0,
            expiration: NaiveDate::from_ymd_opt(2024, 2, 16).unwrap(),
            bid,
            ask: bid + 0.1,
            last: Some(bid + 0.05),
            volume,
            open_interest: oi,
            vendor_iv: None,
            quote_time: None,
            last_trade_time: None,
        }
    }

    #[test]
    fn strict_gate_uses_strict_inequalities_and_caps_by_volume() {
        let quotes: Vec<_> = (0..200)
            .map(|i| q(i, 101 + i as u64, 101, 1.0))
            .chain([q(900, 100, 500, 1.0), q(901, 500, 500, 0.0)])
            .collect();
        let idx: Vec<usize> = (0..quotes.len()).collect();
        let s = liquid_sets(&quotes, &idx, &ScanConfig::default());
        assert_eq!(s.strict.len(), 150);
        assert_eq!(quotes[s.strict[0]].volume, 300, "highest volume first");
        assert_eq!(
            s.strict_rejections.count("liquidity_strict", "low_volume"),
            1
        );
        assert_eq!(s.strict_rejections.count("liquidity_strict", "no_bid"), 1);
        assert_eq!(
            s.strict_rejections
                .count("liquidity_strict", "beyond_top_by_volume"),
            50
        );
        assert_eq!(s.strict_rejections.total(), (quotes.len() - 150) as u64);
    }

    #[test]
    fn relaxed_stages_apply_only_when_strict_leaves_nothing() {
        let quotes = vec![q(0, 60, 60, 1.0), q(1, 10, 10, 1.0)];
        let s = liquid_sets(&quotes, &[0, 1], &ScanConfig::default());
        assert!(s.strict.is_empty());
        assert_eq!(s.relaxed, vec![0]);
        assert_eq!(s.relaxed_stage, LiquidityStage::Liquidity);
        let thin = vec![q(0, 5, 5, 1.0), q(1, 9, 1, 1.0)];
        let t = liquid_sets(&thin, &[0, 1], &ScanConfig::default());
        assert_eq!(
            (t.relaxed_stage, t.relaxed.clone()),
            (LiquidityStage::TopVolume, vec![1, 0])
        );
    }
}
