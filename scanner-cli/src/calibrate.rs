//! `optscan calibrate`: every option checked first, then the out-of-sample report of
//! `scanner_core::calibrate` written as JSON, Markdown and an SVG reliability diagram.

use std::path::PathBuf;

use chrono::NaiveDate;
use scanner_core::calibrate::{reliability_svg, CalibrateOptions};
use scanner_core::market::CsvMarket;
use scanner_core::{Error, Result};

use crate::args::CalibrateArgs;
use crate::output;

/// A validated `calibrate` invocation.
struct Plan {
    folder: String,
    options: CalibrateOptions,
    out: PathBuf,
}

fn date(flag: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| Error::invalid_input(format!("{flag} {s:?} is not YYYY-MM-DD")))
}

impl Plan {
    fn new(a: &CalibrateArgs) -> Result<Self> {
        let Some(folder) = a.source.strip_prefix("csv:") else {
            return Err(Error::invalid_input(format!(
                "--source {:?}: calibrate replays daily histories, use csv:PATH",
                a.source
            )));
        };
        if a.holdout_every < 2 {
            return Err(Error::invalid_input("--holdout-every must be at least 2"));
        }
        let split = date("--split-date", &a.split_date)?;
        let as_of = a.as_of.as_deref().map(|s| date("--as-of", s)).transpose()?;
        if as_of.is_some_and(|d| d <= split) {
            return Err(Error::invalid_input(
                "--as-of must be after --split-date (nothing would be reported)",
            ));
        }
        Ok(Self {
            folder: folder.to_owned(),
            options: CalibrateOptions {
                split_date: split,
                holdout_every: a.holdout_every,
                as_of,
                ..CalibrateOptions::default()
            },
            out: a.out.clone(),
        })
    }
}

fn write(path: &std::path::Path, text: &str) -> Result<()> {
    std::fs::write(path, text)
        .map_err(|e| Error::invalid_input(format!("cannot write {}: {e}", path.display())))
}

/// Run `optscan calibrate`.
pub fn run(a: &CalibrateArgs) -> Result<()> {
    let plan = Plan::new(a)?;
    let market = CsvMarket::open(&plan.folder)?;
    let histories: Vec<_> = market
        .symbols()
        .iter()
        .filter_map(|s| market.full_history(s).cloned())
        .collect();
    let report = scanner_core::calibrate::run(&histories, &plan.options)?;
    std::fs::create_dir_all(&plan.out)
        .map_err(|e| Error::invalid_input(format!("cannot create {}: {e}", plan.out.display())))?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| Error::internal(e.to_string()))?;
    let md = report.markdown();
    let svg = reliability_svg(
        "Probability of profit, held-out tickers after the split",
        &[
            ("risk-neutral", "#d62728", &report.risk_neutral.overall),
            ("real-world (FHS)", "#1f77b4", &report.real_world.overall),
        ],
    );
    write(&plan.out.join("report.json"), &json)?;
    write(&plan.out.join("report.md"), &md)?;
    write(&plan.out.join("reliability.svg"), &svg)?;
    if let Some(path) = &a.write_model {
        let m = serde_json::to_string(&report.model).map_err(|e| Error::internal(e.to_string()))?;
        write(path, &(m + "\n"))?;
    }
    if a.json {
        output::out(&json);
    } else {
        output::out(md.trim_end());
        output::out(&format!(
            "Wrote {}/report.json, report.md and reliability.svg",
            plan.out.display()
        ));
    }
    Ok(())
}
