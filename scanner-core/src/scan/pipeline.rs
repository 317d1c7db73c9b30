//! The scan itself: pick the batch, fetch every symbol with bounded concurrency and a hard
//! deadline, analyse each symbol on rayon (never on tokio's workers), rank per mode, and
//! package a [`ScanResult`] per mode. A failing symbol never fails the scan.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::FutureExt;

use super::progress::{CancelToken, ProgressFn, ScanEvent};
use super::symbol::{analyze_symbol, SymbolEnv, SymbolOutcome};
use super::universe::next_batch;
use super::{package, ScanConfig};
use crate::market::MarketData;
use crate::model::{FailedSymbol, FilterMode, ScanResult};
use crate::signals::{MarketContext, NewsSentiment};
use crate::{Error, ErrorKind, Result};

/// One scan request; everything optional has a sensible default.
#[derive(Clone, Default)]
pub struct ScanRequest {
    /// Scan exactly these symbols (default: the source's universe, rotated).
    pub symbols: Option<Vec<String>>,
    /// Rotation position to start from (persisted by the caller between runs).
    pub rotation_position: usize,
    /// The as-of instant (default: now). Historical scans never see later data.
    pub as_of: Option<DateTime<Utc>>,
    /// Past 30-day ATM IVs per symbol, for IV rank.
    pub iv_history: HashMap<String, Vec<f64>>,
    /// Progress callback.
    pub progress: Option<ProgressFn>,
    /// Cancellation flag.
    pub cancel: CancelToken,
    /// News-sentiment hook for the swing signal and legacy bias (default: none, reported
    /// as absent).
    pub news: Option<Arc<dyn NewsSentiment>>,
}

/// Symbols tried, in order, as the market's volatility proxy.
pub const VOLATILITY_PROXIES: [&str; 3] = ["VIX", "^VIX", "VXX"];

/// Sessions of SPY and volatility-proxy history fetched for the market context.
const MARKET_SESSIONS: usize = 60;

/// What a scan returns besides the results.
#[derive(Debug, Clone)]
pub struct ScanOutcome {
    /// One result per requested mode, strict first.
    pub results: Vec<ScanResult>,
    /// Rotation position for the next run.
    pub next_rotation_position: usize,
    /// The 30-day ATM IV measured per symbol (for the caller to append to IV history).
    pub atm_ivs: Vec<(String, f64)>,
    /// The as-of instant used.
    pub as_of: DateTime<Utc>,
}

/// Runs scans of one source under one configuration.
#[derive(Clone)]
pub struct Scanner {
    source: Arc<dyn MarketData>,
    config: ScanConfig,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("source", &self.source.name())
            .field("config", &self.config)
            .finish()
    }
}

impl Scanner {
    /// A scanner over `source`, after validating `config`.
    pub fn new(source: Arc<dyn MarketData>, config: ScanConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self { source, config })
    }

    /// The configuration.
    pub fn config(&self) -> &ScanConfig {
        &self.config
    }

    /// The market-data source.
    pub fn source(&self) -> &Arc<dyn MarketData> {
        &self.source
    }

    /// Scan with default request options and return the results (one per mode).
    pub async fn scan(&self) -> Result<Vec<ScanResult>> {
        Ok(self.run(ScanRequest::default()).await?.results)
    }

    /// Run one scan.
    ///
    /// A panic anywhere in the scan (a source, the analysis) never aborts the caller: in a
    /// symbol's fetch or analysis it fails that symbol with [`ErrorKind::Internal`]; anywhere
    /// else it fails the scan with that kind.
    pub async fn run(&self, req: ScanRequest) -> Result<ScanOutcome> {
        crate::catch_panic(self.run_unguarded(req)).await
    }

    async fn run_unguarded(&self, req: ScanRequest) -> Result<ScanOutcome> {
        let started = Instant::now();
        let requests_before = self.source.requests();
        let as_of = req.as_of.unwrap_or_else(Utc::now);
        let emit = |e: ScanEvent| {
            if let Some(p) = &req.progress {
                p(&e)
            }
        };
        emit(ScanEvent::Stage {
            stage: "fetch".into(),
        });
        let source_universe = match &req.symbols {
            Some(_) if !self.config.signals => None,
            Some(_) => self.source.universe().await.ok(),
            None => Some(self.source.universe().await?),
        };
        let universe = match &req.symbols {
            Some(s) => s.clone(),
            None => source_universe.clone().unwrap_or_default(),
        };
        let market = match &source_universe {
            Some(u) if self.config.signals => self.market_context(u, as_of).await,
            _ => None,
        };
        let max = if req.symbols.is_some() {
            None
        } else {
            self.config.max_symbols
        };
        let batch = next_batch(&universe, max, req.rotation_position);
        let modes = self.config.filter_mode.modes();
        let stale = Arc::new(AtomicU64::new(0));
        let sessions = self.config.lookback_sessions;
        self.source.prepare(&batch.symbols, sessions, as_of).await;
        let outcomes = self
            .fetch_and_analyse(&batch.symbols, as_of, &req, market.clone(), &stale)
            .await;
        self.source.finish().await;
        if req.cancel.is_cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, "scan cancelled"));
        }
        let analysis_secs = started.elapsed().as_secs_f64();
        emit(ScanEvent::Stage {
            stage: "ranking".into(),
        });
        let (mut ok, mut failed) = (Vec::<SymbolOutcome>::new(), Vec::new());
        for (symbol, o) in batch.symbols.iter().zip(outcomes) {
            match o {
                Ok(o) => ok.push(o),
                Err(e) => failed.push(FailedSymbol {
                    symbol: symbol.clone(),
                    kind: e.kind().as_str().into(),
                    reason: e.message().into(),
                }),
            }
        }
        let ctx = package::Context {
            config: &self.config,
            data_source: self.source.name(),
            as_of,
            batch: &batch,
            failed: &failed,
            market: market.as_deref(),
            news_configured: req.news.is_some(),
            started,
            fetch_and_analysis_secs: analysis_secs,
            stale_histories: stale.load(Ordering::SeqCst),
            requests: self
                .source
                .requests()
                .map(|now| now.since(&requests_before.unwrap_or_default())),
        };
        let results: Vec<ScanResult> = modes
            .iter()
            .map(|&m| package::result_for_mode(m, &mut ok, &ctx))
            .collect();
        emit(ScanEvent::Finished {
            opportunities: results
                .iter()
                .map(|r| (r.filter_mode, r.opportunities.len()))
                .collect(),
        });
        let atm_ivs = ok
            .iter()
            .filter_map(|o| o.atm_iv_30d.map(|v| (o.symbol.clone(), v)))
            .collect();
        Ok(ScanOutcome {
            results,
            next_rotation_position: batch.next_position,
            atm_ivs,
            as_of,
        })
    }

    /// SPY and a volatility proxy as of `as_of`, when `universe` has SPY; `None` otherwise
    /// or when fetching fails (the market-regime factor is then reported absent).
    async fn market_context(
        &self,
        universe: &[String],
        as_of: DateTime<Utc>,
    ) -> Option<Arc<MarketContext>> {
        let has = |s: &str| universe.iter().any(|u| u == s);
        if !has("SPY") {
            return None;
        }
        let deadline = Duration::from_secs_f64(self.config.symbol_deadline_secs);
        let fetch = |sym: &'static str| {
            tokio::time::timeout(
                deadline,
                self.source.price_history(sym, MARKET_SESSIONS, as_of),
            )
        };
        let spy = fetch("SPY").await.ok()?.ok()?;
        let mut vol = None;
        for proxy in VOLATILITY_PROXIES.iter().filter(|p| has(p)) {
            if let Ok(Ok(h)) = fetch(proxy).await {
                vol = Some(h);
                break;
            }
        }
        Some(Arc::new(MarketContext::new(&spy, vol.as_ref())))
    }

    /// Fetch and analyse every symbol; results in `symbols` order.
    async fn fetch_and_analyse(
        &self,
        symbols: &[String],
        as_of: DateTime<Utc>,
        req: &ScanRequest,
        market: Option<Arc<MarketContext>>,
        stale: &Arc<AtomicU64>,
    ) -> Vec<Result<SymbolOutcome>> {
        let permits = Arc::new(tokio::sync::Semaphore::new(self.config.fetch_concurrency));
        let deadline = Duration::from_secs_f64(self.config.symbol_deadline_secs);
        let (done, evaluated) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicU64::new(0)));
        let stale = stale.clone();
        let total = symbols.len();
        let mut tasks = tokio::task::JoinSet::new();
        let config = Arc::new(self.config.clone());
        for (pos, symbol) in symbols.iter().cloned().enumerate() {
            let (source, cfg, permits, cancel) = (
                self.source.clone(),
                config.clone(),
                permits.clone(),
                req.cancel.clone(),
            );
            let (progress, done, evaluated, stale) = (
                req.progress.clone(),
                done.clone(),
                evaluated.clone(),
                stale.clone(),
            );
            let iv_history = req.iv_history.get(&symbol).cloned().unwrap_or_default();
            let cfg_for_progress = cfg.clone();
            let (market, news) = (market.clone(), req.news.clone());
            tasks.spawn(async move {
                let out = async {
                    if cancel.is_cancelled() {
                        return Err(Error::new(ErrorKind::Cancelled, "scan cancelled"));
                    }
                    let fetched = {
                        let _permit = permits
                            .acquire()
                            .await
                            .map_err(|_| Error::internal("fetch semaphore closed"))?;
                        let fetch = async {
                            let history = source
                                .price_history(&symbol, cfg.lookback_sessions, as_of)
                                .await?;
                            if let Err(e) = super::freshness::check(&history, as_of) {
                                stale.fetch_add(1, Ordering::SeqCst);
                                return Err(e);
                            }
                            let chain = source.option_chain(&symbol, as_of).await?;
                            Ok::<_, Error>((history, chain))
                        };
                        // A source that panics fails this symbol, not the scan or the host.
                        let fetch = std::panic::AssertUnwindSafe(fetch).catch_unwind().map(|r| {
                            r.unwrap_or_else(|p| {
                                Err(Error::internal(format!(
                                    "{symbol}: the market data source panicked: {}",
                                    crate::error::panic_message(&*p)
                                )))
                            })
                        });
                        tokio::time::timeout(deadline, fetch).await.map_err(|_| {
                            Error::new(
                                ErrorKind::Timeout,
                                format!("{symbol}: no data within {:.0} s", deadline.as_secs_f64()),
                            )
                        })??
                    };
                    let (tx, rx) = tokio::sync::oneshot::channel();
                    let symbol_for_news = symbol.clone();
                    rayon::spawn(move || {
                        // rayon aborts the process on an unhandled panic: catch it here so
                        // it becomes this symbol's Internal error.
                        let o = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            let (history, chain) = fetched;
                            let env = SymbolEnv {
                                market,
                                news: news.and_then(|n| n.sentiment(&symbol_for_news, as_of)),
                            };
                            analyze_symbol(
                                Arc::new(history),
                                &chain,
                                &iv_history,
                                cfg.filter_mode.modes(),
                                &cfg,
                                &env,
                            )
                        }))
                        .map_err(|p| {
                            Error::internal(format!(
                                "{symbol_for_news}: analysis panicked: {}",
                                crate::error::panic_message(&*p)
                            ))
                        });
                        let _ = tx.send(o);
                    });
                    let mut o = rx.await.map_err(|_| {
                        Error::internal("symbol analysis stopped without a result")
                    })??;
                    // What the source dropped for this symbol counts in every mode.
                    let dropped = source.source_rejections(&symbol);
                    o.rejections.values_mut().for_each(|r| r.merge(&dropped));
                    o.provenance = source.provenance(&symbol);
                    Ok(o)
                }
                .await;
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                if let Some(p) = &progress {
                    let (error, partial, ev) = match &out {
                        Ok(o) => (
                            None,
                            package::partial(o, 5, &cfg_for_progress),
                            o.evaluated.values().copied().max().unwrap_or(0),
                        ),
                        Err(e) => (Some(e.to_string()), Vec::new(), 0),
                    };
                    let contracts_evaluated = evaluated.fetch_add(ev, Ordering::SeqCst) + ev;
                    p(&ScanEvent::Symbol {
                        symbol: symbol.clone(),
                        done: n,
                        total,
                        contracts_evaluated,
                        error,
                        partial,
                    });
                }
                (pos, out)
            });
        }
        let mut slots: Vec<Option<Result<SymbolOutcome>>> = (0..total).map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            // A panicking task is a bug; its empty slot is reported as an Internal failure.
            if let Ok((pos, out)) = joined {
                slots[pos] = Some(out);
            }
        }
        slots
            .into_iter()
            .map(|s| s.unwrap_or_else(|| Err(Error::internal("symbol task failed"))))
            .collect()
    }
}

/// The cache serves live scans through this seam (`ScanStore::serve`).
#[cfg(any(feature = "postgres", feature = "sqlite"))]
#[async_trait::async_trait]
impl crate::cache::LiveScan for Scanner {
    async fn run_scan(&self, mode: FilterMode) -> Result<ScanResult> {
        let mut cfg = self.config.clone();
        cfg.filter_mode = match mode {
            FilterMode::Strict => super::ModeSelection::Strict,
            FilterMode::Relaxed => super::ModeSelection::Relaxed,
        };
        let s = Scanner::new(self.source.clone(), cfg)?;
        let mut out = s.run(ScanRequest::default()).await?;
        out.results
            .pop()
            .ok_or_else(|| Error::internal("scan produced no result"))
    }
}
