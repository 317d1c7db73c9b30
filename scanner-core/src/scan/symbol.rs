//! Everything computed for one symbol, once: eligible contracts, liquidity stages, the IV
//! term structure and rank, and every admitted contract's analysis — shared by both filter
//! modes, so `filter_mode = both` costs one pass.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use super::analysed::Analysed;
use super::build::{epoch_days, screen_values, skeleton, PendingDetails};
use super::contract::{analyze_contract_at, real_world_law, SymbolInputs};
use super::directional::{symbol_signals, SymbolSignals};
use super::iv_rank::{atm_term_structure, constant_maturity_iv, iv_rank, IvPoint, IvRank};
use super::liquidity::{liquid_sets, LiquidityStage};
use super::rank::{contenders, rescuable, Candidate};
use super::validation::{validate, Validation};
use super::volatility::{realized_vol, rolling_close_vol, RealizedVol};
use super::ScanConfig;
use crate::backtest::{is_strong, Calibration, PathSet};
use crate::calendar::{days_to_expiration, years_to_expiry};
use crate::model::{FilterMode, OptionChain, PriceHistory, Rejections};
use crate::pricing::{implied_vol, IvStatus};
use crate::signals::{MarketContext, NewsReading};

/// Scan-wide inputs of the per-symbol signals.
#[derive(Debug, Clone, Default)]
pub struct SymbolEnv {
    /// SPY and a volatility proxy, when the source has them.
    pub market: Option<Arc<MarketContext>>,
    /// The news hook's reading for this symbol, when a hook is configured.
    pub news: Option<NewsReading>,
}

/// Minimum IV observations before the IV rank uses IV history instead of the proxy.
pub const MIN_IV_HISTORY: usize = 20;

/// What one symbol contributes to a scan.
#[derive(Debug, Clone)]
pub struct SymbolOutcome {
    /// The ticker.
    pub symbol: String,
    /// Contracts in the fetched chain.
    pub contracts_fetched: u64,
    /// Candidates (passed every per-contract gate) per mode.
    pub candidates: BTreeMap<FilterMode, Vec<Candidate>>,
    /// Contracts analysed after liquidity filtering, per mode.
    pub evaluated: BTreeMap<FilterMode, u64>,
    /// Drops by stage and reason, per mode.
    pub rejections: BTreeMap<FilterMode, Rejections>,
    /// Liquidity stage that fed relaxed mode.
    pub relaxed_stage: LiquidityStage,
    /// Contracts the relaxed stages offered (0 when the strict gate admitted some).
    pub relaxed_candidates: usize,
    /// Constant-maturity 30-day ATM IV.
    pub atm_iv_30d: Option<f64>,
    /// Rank of the 30-day ATM IV.
    pub iv_rank: Option<IvRank>,
    /// Realized volatility over 20 and 60 sessions.
    pub realized: [RealizedVol; 2],
    /// The history, kept for the analyses attached after ranking.
    pub history: Arc<PriceHistory>,
    /// Swing signal and directional biases (when `cfg.signals`).
    pub signals: Option<SymbolSignals>,
    /// Probability-of-profit calibration over the candidates' replays, per mode.
    pub calibration: BTreeMap<FilterMode, Calibration>,
    /// Backtest validation per contract symbol (attached to finalists after ranking).
    pub validations: HashMap<String, Validation>,
    /// Where the chain and history came from, when the source says.
    pub provenance: Option<crate::market::SymbolProvenance>,
}

/// Analyse one symbol's chain for `modes`. `iv_history` holds past 30-day ATM IVs (may be
/// empty: the rank then uses rolling realized volatility, flagged as a proxy).
pub fn analyze_symbol(
    history: Arc<PriceHistory>,
    chain: &OptionChain,
    iv_history: &[f64],
    modes: &[FilterMode],
    cfg: &ScanConfig,
    env: &SymbolEnv,
) -> SymbolOutcome {
    let as_of = chain.as_of;
    let quotes = &chain.quotes;
    let mut common = Rejections::default();
    let expiries = Expiries::new(chain, as_of);
    let eligible = eligible_contracts(chain, &expiries, cfg.max_expirations, &mut common);
    let sets = liquid_sets(quotes, &eligible, cfg);
    let sym = SymbolInputs {
        spot: chain.spot,
        as_of,
        dividend_yield: chain.dividend_yield,
        rate: cfg.risk_free_rate,
        rw_vol: crate::probability::RealWorldModel::builtin()
            .vol
            .forecast(history.close()),
    };

    let mut wanted: Vec<usize> = Vec::new();
    for m in modes {
        wanted.extend(if *m == FilterMode::Strict {
            &sets.strict
        } else {
            &sets.relaxed
        });
    }
    wanted.sort_unstable();
    wanted.dedup();
    // The real-world law of each expiration (at the symbol's forecast), scaled once for all
    // of its contracts.
    let laws: Vec<_> = expiries
        .0
        .iter()
        .map(|e| real_world_law(&sym, e.2))
        .collect();
    let analysed = Analysed::new(&wanted, |i| {
        let e = expiries.index(quotes[i].expiration);
        let (years, dte) = e.map_or((0.0, 0), |e| (expiries.0[e].1, expiries.0[e].2));
        let law = e.and_then(|e| laws[e].as_ref());
        analyze_contract_at(&quotes[i], &sym, cfg, years, dte, law)
    });

    let points = iv_points(chain, &eligible, &sym, &expiries, &analysed);
    let term = atm_term_structure(&points, sym.spot);
    let atm_iv_30d = constant_maturity_iv(&term, 30.0 / 365.0);
    let signals = cfg.signals.then(|| {
        symbol_signals(
            &history,
            chain,
            &eligible,
            &points,
            &term,
            env.market.as_deref(),
            env.news,
        )
    });
    let blocked = |i: usize| {
        signals
            .as_ref()
            .is_some_and(|s| s.filters_out(quotes[i].kind))
    };
    let paths = cfg
        .backtest
        .then(|| PathSet::new(&history, cfg.backtest_vol_window));
    let mut validations: BTreeMap<usize, Validation> = BTreeMap::new();
    let realized = [realized_vol(&history, 20), realized_vol(&history, 60)];
    let rank = atm_iv_30d.and_then(|iv| {
        if iv_history.len() >= MIN_IV_HISTORY {
            iv_rank(iv, iv_history, false)
        } else {
            iv_rank(iv, &rolling_close_vol(&history, 20), true)
        }
    });

    let (mut candidates, mut evaluated, mut rejections, mut calibration) = (
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
    );
    for &m in modes {
        let (set, liq) = if m == FilterMode::Strict {
            (&sets.strict, &sets.strict_rejections)
        } else {
            (&sets.relaxed, &sets.relaxed_rejections)
        };
        let mut rej = common.clone();
        rej.merge(liq);
        // At most one candidate per contract of the set: sized once, not grown (a candidate
        // is large).
        let (mut cands, mut idx) = (Vec::with_capacity(set.len()), Vec::with_capacity(set.len()));
        for i in set {
            match &analysed[*i] {
                Ok(_) if blocked(*i) => rej.add("contract_gates", "directional_filter", 1),
                Ok(a) => {
                    idx.push(*i);
                    cands.push(Candidate {
                        opportunity: skeleton(&quotes[*i], chain.spot, a),
                        pop: a.probability.probability_of_profit,
                        delta: a.greeks.delta,
                        quality_score: a.enhanced_quality.score,
                        tier: a.enhanced_quality.tier,
                        strong_backtest: false,
                        screen: screen_values(&quotes[*i], chain.spot, a),
                        expiration_days: epoch_days(quotes[*i].expiration),
                        pending: None,
                    })
                }
                Err(reason) => rej.add("contract_gates", reason, 1),
            }
        }
        if let Some(paths) = &paths {
            // Backtest every candidate the ranking could select, and every one a strong
            // backtest could rescue (§4.6); with those flags known, the contenders below are
            // a subset of what was backtested.
            let first = contenders(&cands, cfg);
            let need: Vec<usize> = idx
                .iter()
                .zip(&cands)
                .zip(&first)
                .filter(|((i, c), k)| (**k || rescuable(c, cfg)) && !validations.contains_key(i))
                .map(|((i, _), _)| *i)
                .collect();
            validations.extend(validate(paths, quotes, &analysed, &need, &sym, cfg));
            for (i, c) in idx.iter().zip(cands.iter_mut()) {
                c.strong_backtest = validations
                    .get(i)
                    .is_some_and(|v| is_strong(v.report.trades, v.report.win_rate));
            }
        }
        // Only contracts the final ranking could select keep what their details are built
        // from (after the ranking, for the selected ones only).
        let keep = contenders(&cands, cfg);
        let mut cal = Calibration::default();
        for ((c, keep), i) in cands.iter_mut().zip(keep).zip(&idx) {
            if let Some(v) = validations.get(i) {
                cal.merge(&v.calibration);
            }
            if let (true, Ok(a)) = (keep, &analysed[*i]) {
                c.pending = Some(Box::new(PendingDetails::new(&quotes[*i], chain.spot, a)));
            }
        }
        evaluated.insert(m, set.len() as u64);
        cands.shrink_to_fit(); // kept until ranking: give back what the gates dropped
        candidates.insert(m, cands);
        rejections.insert(m, rej);
        calibration.insert(m, cal);
    }
    SymbolOutcome {
        symbol: chain.underlying.clone(),
        contracts_fetched: quotes.len() as u64,
        candidates,
        evaluated,
        rejections,
        relaxed_stage: sets.relaxed_stage,
        relaxed_candidates: sets.relaxed_candidates,
        atm_iv_30d,
        iv_rank: rank,
        realized,
        history,
        signals,
        calibration,
        validations: validations
            .into_iter()
            .map(|(i, v)| (quotes[i].contract_symbol.clone(), v))
            .collect(),
        provenance: None,
    }
}

/// Year fraction and whole calendar days to expiry of each expiration date of one chain,
/// computed once per date instead of once per contract.
struct Expiries(Vec<(NaiveDate, f64, i64)>);

impl Expiries {
    fn new(chain: &OptionChain, as_of: DateTime<Utc>) -> Self {
        Self(
            chain
                .expirations()
                .into_iter()
                .map(|e| (e, years_to_expiry(as_of, e), days_to_expiration(as_of, e)))
                .collect(),
        )
    }

    /// `(years, days)` to `expiration`, one of the chain's dates.
    fn get(&self, expiration: NaiveDate) -> (f64, i64) {
        match self.index(expiration) {
            Some(i) => (self.0[i].1, self.0[i].2),
            None => (0.0, 0), // not one of the chain's dates: cannot happen
        }
    }

    /// Position of `expiration` among the chain's dates.
    fn index(&self, expiration: NaiveDate) -> Option<usize> {
        self.0.binary_search_by_key(&expiration, |e| e.0).ok()
    }
}

/// Indices of unexpired contracts in the nearest `max_expirations` expirations.
fn eligible_contracts(
    chain: &OptionChain,
    expiries: &Expiries,
    max_expirations: usize,
    rej: &mut Rejections,
) -> Vec<usize> {
    let live: Vec<_> = expiries
        .0
        .iter()
        .filter(|e| e.1 > 0.0)
        .take(max_expirations)
        .map(|e| e.0)
        .collect();
    let mut out = Vec::new();
    for (i, q) in chain.quotes.iter().enumerate() {
        if expiries.get(q.expiration).0 <= 0.0 {
            rej.add("expiry", "expired", 1);
        } else if !live.contains(&q.expiration) {
            rej.add("expiry", "beyond_max_expirations", 1);
        } else {
            out.push(i);
        }
    }
    out
}

/// Solved IVs of contracts within 15% of spot whose mid gives a solvable IV (the input of
/// the ATM term structure and of the skew signal). A contract already analysed from its mid
/// reuses that solve (the same inputs: the same volatility, bit for bit).
fn iv_points(
    chain: &OptionChain,
    eligible: &[usize],
    sym: &SymbolInputs,
    expiries: &Expiries,
    analysed: &Analysed,
) -> Vec<IvPoint> {
    eligible
        .iter()
        .map(|&i| (i, &chain.quotes[i]))
        .filter(|(_, q)| (q.strike / sym.spot - 1.0).abs() < 0.15)
        .filter_map(|(i, q)| {
            let mid = q.mid()?;
            let years = expiries.get(q.expiration).0;
            let iv = match analysed.get(i) {
                // Analysed from the mid: its IV is this solve; from the vendor's IV: the
                // mid did not solve.
                Some(Ok(a)) => (a.iv_source == "mid").then_some(a.iv)?,
                _ => {
                    let sol = implied_vol(
                        mid,
                        q.kind,
                        sym.spot,
                        q.strike,
                        years,
                        sym.rate,
                        sym.dividend_yield,
                    )
                    .ok()?;
                    (sol.status == IvStatus::Ok).then_some(sol.vol)?
                }
            };
            Some(IvPoint {
                expiration: q.expiration,
                years,
                kind: q.kind,
                strike: q.strike,
                iv,
            })
        })
        .collect()
}
