//! Package per-symbol outcomes into one [`ScanResult`] per filter mode: final ranking,
//! historical context for the finalists, and the metadata of original-system.md §10.2 plus
//! `dataSource`, `failedSymbols`, `rejections` and `stageTimings`.

use std::time::Instant;

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use super::build::{Extras, PendingDetails};
use super::moves::analyze_moves;
use super::rank::{rank, Candidate};
use super::symbol::SymbolOutcome;
use super::universe::Batch;
use super::validation::validation_json;
use super::ScanConfig;
use crate::model::{
    CandidateRow, CandidateSet, FailedSymbol, FilterMode, Opportunity, OptionKind, Rejections,
    ScanMetadata, ScanResult,
};

/// Interval confidence of the historical move analysis.
pub const MOVE_CONFIDENCE: f64 = 0.95;

/// Scan-wide facts needed to package a result.
pub struct Context<'a> {
    /// The configuration.
    pub config: &'a ScanConfig,
    /// Source label.
    pub data_source: &'a str,
    /// As-of instant.
    pub as_of: DateTime<Utc>,
    /// The batch scanned.
    pub batch: &'a Batch,
    /// Symbols that failed.
    pub failed: &'a [FailedSymbol],
    /// SPY / volatility-proxy context, when the source had SPY.
    pub market: Option<&'a crate::signals::MarketContext>,
    /// Whether a news-sentiment hook was supplied.
    pub news_configured: bool,
    /// When the scan started.
    pub started: Instant,
    /// Seconds spent fetching and analysing.
    pub fetch_and_analysis_secs: f64,
    /// Symbols refused because their history ended long before the as-of.
    pub stale_histories: u64,
    /// What the scan spent at the source's provider, when it makes requests.
    pub requests: Option<crate::market::ProviderRequests>,
}

/// The best `n` candidates of one symbol per mode (the progressive partial result).
pub fn partial(
    o: &SymbolOutcome,
    n: usize,
    cfg: &ScanConfig,
) -> Vec<(FilterMode, Vec<Opportunity>)> {
    o.candidates
        .iter()
        .map(|(m, c)| {
            // Candidates the ranking can never select have nothing to build details from:
            // leave them out.
            let mut v: Vec<&Candidate> = c.iter().filter(|c| c.pending.is_some()).collect();
            v.sort_by(|a, b| {
                let (a, b) = (&a.opportunity, &b.opportunity);
                b.risk_adjusted_score
                    .total_cmp(&a.risk_adjusted_score)
                    .then_with(|| a.contract_symbol.cmp(&b.contract_symbol))
            });
            v.truncate(n);
            let v = v
                .into_iter()
                .map(|c| {
                    let mut opp = c.opportunity.clone();
                    build_details(&mut opp, c.pending.as_deref(), o, cfg);
                    opp
                })
                .collect();
            (*m, v)
        })
        .collect()
}

/// Build a selected opportunity's `details` from what its candidate kept, beside the keys
/// the ranking already put there.
fn build_details(
    o: &mut Opportunity,
    pending: Option<&PendingDetails>,
    sym: &SymbolOutcome,
    cfg: &ScanConfig,
) {
    let Some(p) = pending else {
        return;
    };
    let extras = Extras {
        signals: sym.signals.as_ref(),
        validation: sym.validations.get(&o.contract_symbol),
    };
    let mut d = p.details(sym.iv_rank.as_ref(), cfg, &extras);
    d.append(&mut o.details);
    o.details = d;
}

/// Attach `swingSignal`, `directionalBias`, `enhancedDirectionalBias` and
/// `backtestValidation` to a finalist.
fn attach_signals_and_backtest(
    o: &mut Opportunity,
    outcomes: &[SymbolOutcome],
    cfg: &ScanConfig,
    as_of: DateTime<Utc>,
) {
    let Some(sym) = outcomes.iter().find(|s| s.symbol == o.symbol) else {
        return;
    };
    if let Some(sig) = &sym.signals {
        for (k, v) in sig.json_for(o.option_type, as_of) {
            o.details.insert(k.into(), v);
        }
        if let Err(e) = &sig.swing {
            o.details.insert("swingSignalError".into(), json!(e));
        }
    }
    if let Some(v) = sym.validations.get(&o.contract_symbol) {
        o.details
            .insert("backtestValidation".into(), validation_json(v, cfg));
    }
}

/// Attach `historicalContext` to an opportunity from its symbol's history.
fn attach_history(o: &mut Opportunity, outcomes: &[SymbolOutcome]) {
    let Some(sym) = outcomes.iter().find(|s| s.symbol == o.symbol) else {
        return;
    };
    let be = o
        .details
        .get("breakevenPrice")
        .and_then(|v| v.as_f64())
        .unwrap_or(o.strike);
    let s = o.stock_price.max(1e-9);
    let target = match o.option_type {
        OptionKind::Call => (be / s - 1.0).max(0.0),
        OptionKind::Put => -(1.0 - be / s).max(1e-12),
    };
    let ctx = analyze_moves(
        &sym.history,
        target,
        o.days_to_expiration.max(1),
        MOVE_CONFIDENCE,
    );
    o.details.insert("historicalContext".into(), json!(ctx));
}

/// `calibrationMetrics`: the PoP replays of every candidate of `mode`, over all symbols.
fn calibration_metrics(
    mode: FilterMode,
    outcomes: &[SymbolOutcome],
    cfg: &ScanConfig,
    as_of: DateTime<Utc>,
) -> serde_json::Value {
    if !cfg.backtest {
        return json!({"available": false, "reason": "backtest disabled"});
    }
    let mut all = crate::backtest::Calibration::default();
    for o in outcomes {
        if let Some(c) = o.calibration.get(&mode) {
            all.merge(c);
        }
    }
    let mut v = all.to_json();
    v["available"] = json!(all.observations() > 0);
    let model = crate::probability::RealWorldModel::builtin();
    // The live probabilityOfProfit: the real-world model, with the scores it earned on data
    // its fit never saw; a scan dated before the fit's cut-off is in sample.
    v["liveModel"] = json!({
        "probabilityOfProfit": "real_world_fhs",
        "fittedThrough": model.fitted_through,
        "fitSymbols": model.fit_symbols,
        "volatilityForecast": model.vol,
        "outOfSample": model.out_of_sample,
        "inSample": as_of.date_naive() <= model.fitted_through,
    });
    v["method"] = json!(format!(
        "risk-neutral lognormal PoP replayed in this scan: for every backtested candidate (each one the ranking could select, and each one a strong backtest could rescue), each entry session of the last {} whose expiry has passed: lognormal PoP of a same-moneyness, same-DTE contract priced at the {}-session realized volatility, against the close at expiry",
        cfg.backtest_lookback_sessions, cfg.backtest_vol_window
    ));
    v
}

/// `quoteSource`: whether the opportunity's quote is market data or generated (when its
/// source says where the chain came from).
fn attach_quote_source(o: &mut Opportunity, outcomes: &[SymbolOutcome]) {
    let provenance = outcomes
        .iter()
        .find(|s| s.symbol == o.symbol)
        .and_then(|s| s.provenance.as_ref());
    if let Some(p) = provenance {
        o.details
            .insert("quoteSource".into(), json!(p.quote_source()));
    }
}

/// Rank, enrich and package the result of one mode.
pub fn result_for_mode(
    mode: FilterMode,
    outcomes: &mut [SymbolOutcome],
    ctx: &Context<'_>,
) -> ScanResult {
    let rank_start = Instant::now();
    let mut rejections = Rejections::default();
    // Sized once: the candidates are large, and growing the list would copy them again.
    let total = outcomes
        .iter()
        .map(|o| o.candidates.get(&mode).map_or(0, Vec::len))
        .sum();
    let mut candidates: Vec<Candidate> = Vec::with_capacity(total);
    let (mut evaluated, mut fetched) = (0u64, 0u64);
    for o in outcomes.iter_mut() {
        if let Some(r) = o.rejections.get(&mode) {
            rejections.merge(r);
        }
        // Each mode's candidates are read once: move them instead of cloning.
        candidates.extend(o.candidates.remove(&mode).unwrap_or_default());
        evaluated += o.evaluated.get(&mode).copied().unwrap_or(0);
        fetched += o.contracts_fetched;
    }
    for f in ctx.failed {
        rejections.add("symbols", &f.kind, 1);
    }
    let (stage, reason) = super::freshness::STALE_HISTORY;
    rejections.add(stage, reason, ctx.stale_histories);
    let candidate_set = candidate_set(&candidates);
    let ranked = rank(candidates, ctx.config);
    rejections.merge(&ranked.rejections);
    let mut opportunities = ranked.opportunities;
    for (o, p) in opportunities.iter_mut().zip(&ranked.pending) {
        if let Some(sym) = outcomes.iter().find(|s| s.symbol == o.symbol) {
            build_details(o, p.as_deref(), sym, ctx.config);
        }
        attach_quote_source(o, outcomes);
        attach_history(o, outcomes);
        attach_signals_and_backtest(o, outcomes, ctx.config, ctx.as_of);
    }
    let symbols: Vec<String> = outcomes.iter().map(|o| o.symbol.clone()).collect();
    let mut meta = ScanMetadata {
        fetched_at: Some(ctx.as_of),
        data_source: ctx.data_source.to_owned(),
        filter_mode: mode,
        requested_symbols: ctx.batch.symbols.clone(),
        symbols: symbols.clone(),
        symbol_count: symbols.len() as u64,
        total_options: fetched,
        total_evaluated: evaluated,
        opportunity_count: opportunities.len() as u64,
        failed_symbols: ctx.failed.to_vec(),
        rejections,
        provenance: outcomes
            .iter()
            .filter_map(|o| Some((o.symbol.clone(), o.provenance.clone()?)))
            .collect(),
        requests: ctx
            .requests
            .iter()
            .map(|r| (ctx.data_source.to_owned(), r.clone()))
            .collect(),
        ..ScanMetadata::default()
    };
    meta.stage_timings
        .insert("fetchAndAnalysis".into(), ctx.fetch_and_analysis_secs);
    meta.stage_timings
        .insert("ranking".into(), rank_start.elapsed().as_secs_f64());
    meta.stage_timings
        .insert("total".into(), ctx.started.elapsed().as_secs_f64());
    meta.calibration_metrics = calibration_metrics(mode, outcomes, ctx.config, ctx.as_of);
    let relaxed = super::relaxed::relaxed_scan(mode, outcomes, &opportunities);
    for (k, v) in [
        ("enhancedScanner", json!(true)),
        ("institutionalGrade", json!(true)),
        ("asOf", json!(ctx.as_of)),
        ("symbolLimit", json!(ctx.config.max_symbols)),
        (
            "rotationState",
            json!({"mode": "round_robin", "nextPosition": ctx.batch.next_position, "universeSize": ctx.batch.universe_size}),
        ),
        ("relaxedScan", json!(relaxed)),
        // The original's `fallback` means "the live scan failed and nothing real is shown";
        // a scan that ran never sets it. The ranking's best-available fallback (some
        // opportunities below the institutional bars, each marked `_fallback`) is reported as
        // `bestAvailableFallback`.
        ("fallback", json!(false)),
        ("bestAvailableFallback", json!(ranked.fallback_used)),
        (
            "marketContext",
            json!({"available": ctx.market.is_some(),
                   "volatilityProxy": ctx.market.and_then(|m| m.vol_proxy.as_ref().map(|v| v.0.clone()))}),
        ),
        (
            "newsSentiment",
            if ctx.news_configured {
                json!({"available": true})
            } else {
                json!({"available": false, "reason": "no news source configured"})
            },
        ),
        (
            "ivRank",
            json!(outcomes
                .iter()
                .filter_map(|o| o.iv_rank.map(|r| (o.symbol.clone(), r)))
                .collect::<std::collections::BTreeMap<_, _>>()),
        ),
    ] {
        meta.extra.insert(k.into(), v);
    }
    ScanResult {
        scan_id: Uuid::new_v4(),
        // Microseconds: what the cache stores, so a saved result round-trips exactly.
        scan_timestamp: Utc::now().trunc_subsecs(6),
        filter_mode: mode,
        opportunities,
        total_evaluated: evaluated,
        symbols_scanned: symbols,
        scan_duration_seconds: ctx.started.elapsed().as_secs_f64(),
        metadata: meta,
        candidates: std::sync::Arc::new(candidate_set),
    }
}

/// Every candidate of the mode as the scan's compact [`CandidateSet`] (for screening).
fn candidate_set(candidates: &[Candidate]) -> CandidateSet {
    let mut set = CandidateSet::default();
    for c in candidates {
        set.push(&CandidateRow {
            symbol: &c.opportunity.symbol,
            kind: c.opportunity.option_type,
            expiration_days: c.expiration_days,
            tier: c.tier,
            values: c.screen,
        });
    }
    set
}
