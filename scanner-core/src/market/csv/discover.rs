//! Which files a folder holds (CC0 layout, generic CSVs, chain snapshots) and how one file
//! is loaded, kept apart from the market so the discovery rules are in one place.

use std::path::{Path, PathBuf};

use super::{parse_chain_csv, parse_chain_json, parse_history, FileError};
use crate::market::LoadReport;
use crate::model::{OptionChain, PriceHistory};
use crate::{Error, Result};

pub(super) enum Kind {
    History(String),
    Chain,
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn lower_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Ticker from a file name: `brk-b.us.txt` → `BRK-B`, `aapl.csv.gz` → `AAPL`.
pub(super) fn ticker_of(p: &Path) -> String {
    let name = lower_name(p);
    let stem = [".us.txt", ".csv.gz", ".txt.gz", ".csv", ".txt"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(&name);
    stem.to_ascii_uppercase()
}

fn is_data_file(p: &Path, exts: &[&str]) -> bool {
    let name = lower_name(p);
    p.is_file() && exts.iter().any(|e| name.ends_with(e))
}

fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        Error::not_found(format!("cannot read folder {}: {e}", dir.display())).with_source(e)
    })?;
    let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    v.sort();
    Ok(v)
}

/// The files to load under `root` (a folder or one file) and the folder their names are
/// reported relative to. Errors with `NotFound` when there is no history file.
pub(super) fn discover(
    root: &Path,
    chain_dir: Option<PathBuf>,
) -> Result<(PathBuf, Vec<(PathBuf, Kind)>)> {
    let hist_exts = [".us.txt", ".csv", ".csv.gz", ".txt", ".txt.gz"];
    let mut jobs: Vec<(PathBuf, Kind)> = Vec::new();
    let base = if root.is_file() {
        jobs.push((root.to_path_buf(), Kind::History(ticker_of(root))));
        root.parent().unwrap_or(root).to_path_buf()
    } else {
        for sub in ["Stocks", "ETFs"] {
            let d = root.join(sub);
            if d.is_dir() {
                for p in list(&d)?
                    .into_iter()
                    .filter(|p| is_data_file(p, &[".us.txt"]))
                {
                    let t = ticker_of(&p);
                    jobs.push((p, Kind::History(t)));
                }
            }
        }
        // Beside the CC0 layout, top-level files are manifests (tickers.csv), not bars.
        let cc0 = !jobs.is_empty();
        for p in list(root)?
            .into_iter()
            .filter(|p| !cc0 && is_data_file(p, &hist_exts))
        {
            let t = ticker_of(&p);
            jobs.push((p, Kind::History(t)));
        }
        root.to_path_buf()
    };
    let chain_dir = chain_dir.or_else(|| {
        let d = base.join("chains");
        (root.is_dir() && d.is_dir()).then_some(d)
    });
    if let Some(d) = &chain_dir {
        let exts = [".csv", ".csv.gz", ".json", ".json.gz"];
        jobs.extend(
            list(d)?
                .into_iter()
                .filter(|p| is_data_file(p, &exts))
                .map(|p| (p, Kind::Chain)),
        );
    }
    if !jobs.iter().any(|(_, k)| matches!(k, Kind::History(_))) {
        return Err(Error::not_found(format!(
            "no price-history files under {}",
            root.display()
        )));
    }
    Ok((base, jobs))
}

pub(super) enum Loaded {
    Histories(Vec<PriceHistory>, LoadReport),
    Chains(Vec<OptionChain>, LoadReport),
    Failed(FileError),
}

pub(super) fn load_one(base: &Path, p: &Path, kind: &Kind, adjust: bool) -> Loaded {
    let file = rel(base, p);
    let fail = |message: String| {
        Loaded::Failed(FileError {
            file: file.clone(),
            message,
        })
    };
    match std::fs::metadata(p) {
        Ok(m) if m.len() > super::fields::MAX_FILE_BYTES => {
            return fail(format!(
                "{} bytes exceeds the limit of {} bytes; refused",
                m.len(),
                super::fields::MAX_FILE_BYTES
            ))
        }
        Ok(_) => {}
        Err(e) => return fail(e.to_string()),
    }
    let bytes = match std::fs::read(p) {
        Ok(b) => b,
        Err(e) => return fail(e.to_string()),
    };
    match kind {
        Kind::History(ticker) => match parse_history(&bytes, &file, ticker, adjust) {
            Ok(parsed) => Loaded::Histories(parsed.histories, parsed.report),
            Err(e) => fail(e.message().to_owned()),
        },
        Kind::Chain => {
            let parsed = if lower_name(p).contains(".json") {
                parse_chain_json(&bytes, &file)
            } else {
                parse_chain_csv(&bytes, &file)
            };
            match parsed {
                Ok(parsed) => Loaded::Chains(parsed.chains, parsed.report),
                Err(e) => fail(e.message().to_owned()),
            }
        }
    }
}
