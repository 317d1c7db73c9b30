//! `metadata.relaxedScan`: what the relaxed liquidity stages (original-system.md §4.3) offer
//! beyond the strict gate, in the shape the original page reads to offer "widen filters" —
//! `available`, `candidateCount`, `appliedStage` and one `{candidates, reason}` object per
//! stage — with optscan's per-stage symbol counts kept beside them.

use serde::Serialize;

use super::liquidity::LiquidityStage;
use super::symbol::SymbolOutcome;
use crate::model::{FilterMode, Opportunity};

/// One relaxed stage: the contracts it admitted and why it applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StageSummary {
    /// Contracts the stage admitted (over every symbol it applied to).
    pub candidates: u64,
    /// Symbols it applied to.
    pub symbols: u64,
    /// Why it applied, in words.
    pub reason: String,
}

/// The two relaxed stages, keyed as the original names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelaxedStages {
    /// The relaxed liquidity gate.
    pub liquidity: StageSummary,
    /// The most-traded contracts whatever their liquidity.
    pub top_volume: StageSummary,
}

/// Symbols per relaxed stage (optscan's original `stages` numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StageSymbols {
    /// Symbols admitted by the relaxed liquidity gate.
    pub liquidity: u64,
    /// Symbols admitted by the top-volume stage.
    pub top_volume: u64,
}

/// `metadata.relaxedScan` of one result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelaxedScan {
    /// Whether this is the strict result.
    pub strict_mode: bool,
    /// The result's mode.
    pub mode: FilterMode,
    /// Whether relaxed mode offers contracts the strict gate left out.
    pub available: bool,
    /// How many contracts the relaxed stages offer.
    pub candidate_count: u64,
    /// Whether this result used them (relaxed mode with relaxed candidates).
    pub applied: bool,
    /// The widest stage used when applied (`topVolume` over `liquidity`), else `null`.
    pub applied_stage: Option<&'static str>,
    /// Per stage: contracts, symbols, reason.
    pub stages: RelaxedStages,
    /// Symbols per stage.
    pub stage_symbols: StageSymbols,
    /// Symbols fed by either relaxed stage.
    pub symbols_using_relaxed_stages: u64,
    /// Opportunities of this result that came from relaxed-stage symbols.
    pub selected_count: u64,
}

/// Summarise the relaxed stages of `outcomes` for the result of `mode`.
pub fn relaxed_scan(
    mode: FilterMode,
    outcomes: &[SymbolOutcome],
    opportunities: &[Opportunity],
) -> RelaxedScan {
    let stage = |s: LiquidityStage| {
        let hit: Vec<&SymbolOutcome> = outcomes.iter().filter(|o| o.relaxed_stage == s).collect();
        (
            hit.len() as u64,
            hit.iter().map(|o| o.relaxed_candidates as u64).sum::<u64>(),
        )
    };
    let (liq_symbols, liq_contracts) = stage(LiquidityStage::Liquidity);
    let (top_symbols, top_contracts) = stage(LiquidityStage::TopVolume);
    let candidate_count = liq_contracts + top_contracts;
    let applied = mode == FilterMode::Relaxed && candidate_count > 0;
    let relaxed_symbol = |sym: &str| {
        outcomes.iter().any(|o| {
            o.symbol == sym
                && matches!(
                    o.relaxed_stage,
                    LiquidityStage::Liquidity | LiquidityStage::TopVolume
                )
        })
    };
    let selected_count = if mode == FilterMode::Relaxed {
        opportunities
            .iter()
            .filter(|o| relaxed_symbol(&o.symbol))
            .count() as u64
    } else {
        0
    };
    RelaxedScan {
        strict_mode: mode == FilterMode::Strict,
        mode,
        available: candidate_count > 0,
        candidate_count,
        applied,
        applied_stage: match (applied, top_symbols > 0) {
            (false, _) => None,
            (true, true) => Some("topVolume"),
            (true, false) => Some("liquidity"),
        },
        stages: RelaxedStages {
            liquidity: StageSummary {
                candidates: liq_contracts,
                symbols: liq_symbols,
                reason: format!(
                    "{liq_symbols} symbols had no contract past the strict liquidity gate but some past the relaxed one"
                ),
            },
            top_volume: StageSummary {
                candidates: top_contracts,
                symbols: top_symbols,
                reason: format!(
                    "{top_symbols} symbols had no contract past either liquidity gate; their most-traded contracts are offered"
                ),
            },
        },
        stage_symbols: StageSymbols {
            liquidity: liq_symbols,
            top_volume: top_symbols,
        },
        symbols_using_relaxed_stages: liq_symbols + top_symbols,
        selected_count,
    }
}
