//! Out-of-sample evaluation of the probability models on real histories: fit the real-world
//! law on some tickers before a split date, then score both models on the held-out tickers
//! after it, so no figure reported here was seen by the fit (`optscan calibrate`).
//!
//! ```no_run
//! use scanner_core::calibrate::{run, CalibrateOptions};
//! use scanner_core::market::CsvMarket;
//! let market = CsvMarket::open("data/kaggle-us-stocks-etfs-cc0")?;
//! let histories: Vec<_> = market.symbols().iter()
//!     .filter_map(|s| market.full_history(s).cloned()).collect();
//! let report = run(&histories, &CalibrateOptions::default())?;
//! println!("{}", report.markdown());
//! # Ok::<(), scanner_core::Error>(())
//! ```

mod plot;
mod ranking;
mod replay;
mod table;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::backtest::{Calibration, CalibrationBreakdown};
use crate::market::chain_gen::ChainParams;
use crate::model::PriceHistory;
use crate::probability::{HorizonLaw, OutOfSample, RealWorldModel, Recalibration, VolForecast};
use crate::{Error, Result};

pub use plot::reliability_svg;
pub use ranking::{RankingReport, StrategyResult};
pub use replay::{HORIZONS, MONEYNESS};

/// How the evaluation splits and replays the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalibrateOptions {
    /// The law is fitted on windows that expired on or before this date; predictions are
    /// scored for entries after it (2016-06-30).
    pub split_date: NaiveDate,
    /// Every `holdout_every`-th ticker (in alphabetical order: the 3rd, 6th, …) is held out
    /// of the fit and reported on (3).
    pub holdout_every: usize,
    /// Ignore bars after this date (None: use everything).
    pub as_of: Option<NaiveDate>,
    /// The volatility forecast of the real-world model.
    pub vol: VolForecast,
    /// Quantile levels per law (200).
    pub levels: usize,
    /// Initial cells of the isotonic recalibration (200).
    pub recalibration_cells: usize,
    /// The chain generator whose implied volatilities the risk-neutral PoP uses.
    pub chain_params: ChainParams,
    /// Picks per scan date in the ranking replay (20).
    pub top_n: usize,
    /// Seed of the random picks (7).
    pub seed: u64,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        Self {
            split_date: NaiveDate::from_ymd_opt(2016, 6, 30).expect("valid date"),
            holdout_every: 3,
            as_of: None,
            vol: VolForecast::default(),
            levels: 200,
            recalibration_cells: 200,
            chain_params: ChainParams::default(),
            top_n: 20,
            seed: 7,
        }
    }
}

/// Whether the real-world model met the acceptance targets on the held-out data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Targets {
    /// Real-world expected calibration error (target ≤ 0.02).
    pub ece: f64,
    /// `ece <= 0.02`.
    pub ece_met: bool,
    /// Largest |observed − predicted| over bins with ≥ 500 observations (target ≤ 0.03).
    pub worst_bin_gap: f64,
    /// `worst_bin_gap <= 0.03`.
    pub bins_met: bool,
    /// Brier skill of the real-world model.
    pub skill_real_world: f64,
    /// Brier skill of the risk-neutral model.
    pub skill_risk_neutral: f64,
    /// `skill_real_world >= 2 · skill_risk_neutral`.
    pub skill_met: bool,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalibrationReport {
    /// The options it ran with.
    pub options: CalibrateOptions,
    /// Tickers the law was fitted on.
    pub fit_symbols: Vec<String>,
    /// Tickers reported on.
    pub holdout_symbols: Vec<String>,
    /// Last date of data used.
    pub last_date: Option<NaiveDate>,
    /// The fitted real-world model.
    pub model: RealWorldModel,
    /// Held-out predictions of the risk-neutral lognormal PoP.
    pub risk_neutral: CalibrationBreakdown,
    /// Held-out predictions of the real-world PoP.
    pub real_world: CalibrationBreakdown,
    /// Acceptance targets.
    pub targets: Targets,
    /// The ranking replay.
    pub ranking: RankingReport,
}

/// Fit the real-world law on the fit tickers' windows that expired by `opts.split_date`,
/// then its isotonic recalibration on the law's predictions for those tickers' grid
/// contracts that expired by the same date.
pub fn fit(histories: &[PriceHistory], opts: &CalibrateOptions) -> Result<RealWorldModel> {
    let prepared: Vec<replay::Prepared> = histories
        .par_iter()
        .map(|h| replay::Prepared::new(h, &opts.vol))
        .collect();
    fit_prepared(&prepared.iter().collect::<Vec<_>>(), opts)
}

fn fit_prepared(prepared: &[&replay::Prepared], opts: &CalibrateOptions) -> Result<RealWorldModel> {
    let horizons = HORIZONS
        .par_iter()
        .map(|&days| {
            let w: Vec<_> = prepared
                .iter()
                .flat_map(|p| p.windows_through(days, opts.split_date))
                .collect();
            HorizonLaw::fit(days, w, opts.levels)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut model = RealWorldModel {
        vol: opts.vol,
        fitted_through: opts.split_date,
        fit_symbols: prepared.len(),
        horizons,
        recalibration: None,
        out_of_sample: None,
    };
    // The law's own predictions on the fit tickers' grid contracts that expired by the
    // split, against what happened: the recalibration sees nothing later either.
    let past: Vec<(f64, bool, f64)> = prepared
        .par_iter()
        .enumerate()
        .flat_map_iter(|(k, p)| {
            let mut obs = Vec::new();
            for s in 0..p.len() {
                if p.date(s) >= opts.split_date {
                    break;
                }
                replay::observe(p, k, s, &model, &opts.chain_params, &mut obs);
            }
            obs.into_iter()
                .filter(|o| o.date + chrono::Duration::days(o.dte) <= opts.split_date)
                .map(|o| (o.p_rw, o.profit, 1.0))
        })
        .collect();
    model.recalibration = Some(Recalibration::fit(&past, opts.recalibration_cells)?);
    Ok(model)
}

/// Split, fit, replay and score. `histories` may come in any order.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for `holdout_every < 2`,
/// `levels < 2`, `recalibration_cells < 2`, `top_n == 0`, or when the fit tickers hold fewer
/// than 100 windows per horizon (or 100 grid contracts) before the split date.
pub fn run(histories: &[PriceHistory], opts: &CalibrateOptions) -> Result<CalibrationReport> {
    if opts.holdout_every < 2 || opts.top_n == 0 {
        return Err(Error::invalid_input(
            "holdout_every must be at least 2 and top_n at least 1",
        ));
    }
    let mut hs: Vec<PriceHistory> = histories
        .iter()
        .map(|h| match opts.as_of {
            Some(d) => h.truncated(d, usize::MAX),
            None => h.clone(),
        })
        .filter(|h| !h.is_empty())
        .collect();
    hs.sort_by(|a, b| a.symbol().cmp(b.symbol()));
    let held = |i: usize| i % opts.holdout_every == opts.holdout_every - 1;
    let prepared: Vec<replay::Prepared> = hs
        .par_iter()
        .map(|h| replay::Prepared::new(h, &opts.vol))
        .collect();
    let (fit_set, report_set): (Vec<_>, Vec<_>) =
        prepared.iter().enumerate().partition(|(i, _)| !held(*i));
    let fit_owned: Vec<&replay::Prepared> = fit_set.iter().map(|(_, p)| *p).collect();
    let mut model = fit_prepared(&fit_owned, opts)?;
    let observations: Vec<replay::Observation> = report_set
        .par_iter()
        .enumerate()
        .map(|(k, (_, p))| {
            let mut out = Vec::new();
            for s in 0..p.len() {
                if p.date(s) > opts.split_date {
                    replay::observe(p, k, s, &model, &opts.chain_params, &mut out);
                }
            }
            out
        })
        .flatten()
        .collect();
    let (mut rn, mut rw) = (Calibration::default(), Calibration::default());
    for o in &observations {
        rn.add_contract(o.p_rn, o.profit, o.dte, Some(o.itm), o.weight);
        rw.add_contract(o.p_rw, o.profit, o.dte, Some(o.itm), o.weight);
    }
    let (rn, rw) = (rn.breakdown(), rw.breakdown());
    let worst_bin_gap = rw
        .overall
        .bins
        .iter()
        .filter(|b| b.count >= 500)
        .map(|b| (b.observed_frequency - b.mean_predicted).abs())
        .fold(0.0, f64::max);
    let targets = Targets {
        ece: rw.overall.ece,
        ece_met: rw.overall.ece <= 0.02,
        worst_bin_gap,
        bins_met: worst_bin_gap <= 0.03,
        skill_real_world: rw.overall.brier_skill,
        skill_risk_neutral: rn.overall.brier_skill,
        skill_met: rw.overall.brier_skill >= 2.0 * rn.overall.brier_skill,
    };
    model.out_of_sample = Some(OutOfSample {
        split_date: opts.split_date,
        holdout_symbols: report_set.len(),
        observations: rw.overall.observations,
        effective_observations: rw.overall.effective_observations,
        brier_score: rw.overall.brier_score,
        brier_skill: rw.overall.brier_skill,
        ece: rw.overall.ece,
        log_loss: rw.overall.log_loss,
        risk_neutral_brier_score: rn.overall.brier_score,
        risk_neutral_brier_skill: rn.overall.brier_skill,
        risk_neutral_ece: rn.overall.ece,
    });
    let ranking = ranking::replay(&observations, &prepared_dates(&report_set), opts);
    Ok(CalibrationReport {
        options: opts.clone(),
        fit_symbols: fit_owned.iter().map(|p| p.symbol.clone()).collect(),
        holdout_symbols: report_set.iter().map(|(_, p)| p.symbol.clone()).collect(),
        last_date: hs.iter().filter_map(|h| h.last_date()).max(),
        model,
        risk_neutral: rn,
        real_world: rw,
        targets,
        ranking,
    })
}

/// The session calendar of the reported tickers (their union of dates, sorted).
fn prepared_dates(set: &[(usize, &replay::Prepared)]) -> Vec<NaiveDate> {
    let mut d: Vec<NaiveDate> = set
        .iter()
        .flat_map(|(_, p)| (0..p.len()).map(|i| p.date(i)))
        .collect();
    d.sort_unstable();
    d.dedup();
    d
}
