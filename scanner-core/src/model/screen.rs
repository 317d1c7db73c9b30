//! A screen over a scan's [`CandidateSet`]: typed filters (ranges on any numeric field,
//! types, symbols, quality tiers), a sort on any field, limit and offset — one query type
//! shared by Rust, the bindings, the CLI and the HTTP route, which all parse the same
//! `key=value` parameters with [`ScreenQuery::from_params`].

use serde::Serialize;

use super::candidates::{CandidateSet, ScreenField};
use crate::market::quality::QualityTier;
use crate::model::OptionKind;
use crate::{Error, Result};

/// Rows a screen answers with unless told otherwise.
pub const DEFAULT_SCREEN_LIMIT: usize = 50;
/// The most rows one screen returns.
pub const MAX_SCREEN_LIMIT: usize = 1000;

/// An inclusive range on one field; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldRange {
    /// The field.
    pub field: ScreenField,
    /// Lowest value kept.
    pub min: Option<f64>,
    /// Highest value kept.
    pub max: Option<f64>,
}

/// What to keep and in which order. Empty lists mean "any".
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenQuery {
    /// Ranges every kept candidate lies in.
    pub ranges: Vec<FieldRange>,
    /// Calls, puts, or both when empty.
    pub types: Vec<OptionKind>,
    /// A watchlist of underlyings (upper case).
    pub symbols: Vec<String>,
    /// Quality tiers.
    pub tiers: Vec<QualityTier>,
    /// Sort field and direction (`true` = descending); default riskAdjustedScore descending.
    pub sort: (ScreenField, bool),
    /// Rows to return, 1 to [`MAX_SCREEN_LIMIT`].
    pub limit: usize,
    /// Rows to skip first.
    pub offset: usize,
}

impl Default for ScreenQuery {
    fn default() -> Self {
        Self {
            ranges: Vec::new(),
            types: Vec::new(),
            symbols: Vec::new(),
            tiers: Vec::new(),
            sort: (ScreenField::RiskAdjustedScore, true),
            limit: DEFAULT_SCREEN_LIMIT,
            offset: 0,
        }
    }
}

impl ScreenQuery {
    /// Parse `key=value` parameters: `<field>.min` / `<field>.max` (e.g. `delta.min=0.3`,
    /// `daysToExpiration.max=45`), `type=call,put`, `symbols=AAPL,MSFT`, `tiers=high,medium`,
    /// `sort=expectedValueAmount` (`-field` for descending), `limit`, `offset`. Unknown keys
    /// and fields, unparsable numbers and empty ranges are [`crate::ErrorKind::InvalidInput`].
    ///
    /// ```
    /// use scanner_core::model::{ScreenField, ScreenQuery};
    /// let q = ScreenQuery::from_params([("delta.min", "0.3"), ("type", "call"), ("sort", "-volumeOiRatio")])?;
    /// assert_eq!(q.sort, (ScreenField::VolumeOiRatio, true));
    /// assert!(ScreenQuery::from_params([("delta.min", "0.5"), ("delta.max", "0.1")]).is_err());
    /// # Ok::<(), scanner_core::Error>(())
    /// ```
    pub fn from_params<K: AsRef<str>, V: AsRef<str>>(
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self> {
        let mut q = Self::default();
        for (k, v) in params {
            let (k, v) = (k.as_ref().trim(), v.as_ref().trim());
            let list = || v.split(',').map(str::trim).filter(|s| !s.is_empty());
            match k {
                "type" | "types" | "optionType" => {
                    for t in list() {
                        q.types.push(match t.to_ascii_lowercase().as_str() {
                            "call" | "calls" => OptionKind::Call,
                            "put" | "puts" => OptionKind::Put,
                            _ => return Err(bad(format!("type must be call or put, got {t:?}"))),
                        });
                    }
                }
                "symbol" | "symbols" => q.symbols.extend(list().map(str::to_ascii_uppercase)),
                "tier" | "tiers" | "qualityTier" => {
                    for t in list() {
                        q.tiers.push(parse_tier(t)?);
                    }
                }
                "sort" => {
                    let (name, desc) = match v.strip_prefix('-') {
                        Some(n) => (n, true),
                        None => (v.strip_prefix('+').unwrap_or(v), false),
                    };
                    q.sort = (name.parse()?, desc);
                }
                "limit" => q.limit = parse_count(k, v)?,
                "offset" => q.offset = parse_count(k, v)?,
                _ => {
                    let Some((field, end)) = k.rsplit_once('.') else {
                        return Err(bad(format!(
                            "unknown screen parameter {k:?}; use <field>.min, <field>.max, \
                             type, symbols, tiers, sort, limit or offset"
                        )));
                    };
                    let field: ScreenField = field.parse()?;
                    let x: f64 = v
                        .parse()
                        .ok()
                        .filter(|x: &f64| x.is_finite())
                        .ok_or_else(|| bad(format!("{k} must be a finite number, got {v:?}")))?;
                    let i = match q.ranges.iter().position(|r| r.field == field) {
                        Some(i) => i,
                        None => {
                            q.ranges.push(FieldRange {
                                field,
                                min: None,
                                max: None,
                            });
                            q.ranges.len() - 1
                        }
                    };
                    match end {
                        "min" => q.ranges[i].min = Some(x),
                        "max" => q.ranges[i].max = Some(x),
                        _ => {
                            return Err(bad(format!(
                                "{k}: use {field}.min or {field}.max",
                                field = field.as_str()
                            )))
                        }
                    }
                }
            }
        }
        q.validate()?;
        Ok(q)
    }

    /// Check limits and ranges (also for queries built in code).
    pub fn validate(&self) -> Result<()> {
        if self.limit == 0 || self.limit > MAX_SCREEN_LIMIT {
            return Err(bad(format!(
                "limit must be 1 to {MAX_SCREEN_LIMIT}, got {}",
                self.limit
            )));
        }
        for r in &self.ranges {
            for x in [r.min, r.max].into_iter().flatten() {
                if !x.is_finite() {
                    return Err(bad(format!("{} bounds must be finite", r.field.as_str())));
                }
            }
            if let (Some(lo), Some(hi)) = (r.min, r.max) {
                if lo > hi {
                    return Err(bad(format!(
                        "{}: min {lo} is above max {hi}",
                        r.field.as_str()
                    )));
                }
            }
        }
        Ok(())
    }
}

fn bad(msg: String) -> Error {
    Error::invalid_input(msg)
}

fn parse_count(k: &str, v: &str) -> Result<usize> {
    v.parse()
        .map_err(|_| bad(format!("{k} must be a whole number >= 0, got {v:?}")))
}

fn parse_tier(t: &str) -> Result<QualityTier> {
    Ok(match t.to_ascii_lowercase().as_str() {
        "institutional" => QualityTier::Institutional,
        "high" => QualityTier::High,
        "medium" => QualityTier::Medium,
        "low" => QualityTier::Low,
        "rejected" => QualityTier::Rejected,
        _ => {
            return Err(bad(format!(
                "tier must be institutional, high, medium, low or rejected, got {t:?}"
            )))
        }
    })
}

/// Greeks of a screened row, as in the opportunity JSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScreenGreeks {
    /// Delta.
    pub delta: f64,
    /// Gamma.
    pub gamma: f64,
    /// Theta per calendar day.
    pub theta: f64,
    /// Vega per vol point.
    pub vega: f64,
}

/// One screened candidate, in the opportunity schema's camelCase names so a UI renders it
/// like an opportunity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScreenRow {
    /// Underlying ticker.
    pub symbol: String,
    /// Call or put.
    pub option_type: OptionKind,
    /// Strike per share.
    pub strike: f64,
    /// Expiration date, `YYYY-MM-DD`.
    pub expiration: String,
    /// Calendar days to expiration at scan time.
    pub days_to_expiration: i64,
    /// Entry price per contract.
    pub premium: f64,
    /// Bid per contract.
    pub bid: f64,
    /// Ask per contract.
    pub ask: f64,
    /// Mid per contract.
    pub mid: f64,
    /// Contracts traded.
    pub volume: u64,
    /// Open interest.
    pub open_interest: u64,
    /// Volume / open interest.
    pub volume_oi_ratio: f64,
    /// Implied volatility.
    pub implied_volatility: f64,
    /// Underlying price per share.
    pub stock_price: f64,
    /// Trader greeks.
    pub greeks: ScreenGreeks,
    /// Probability of profit, percent.
    pub probability_of_profit: f64,
    /// Expected value per contract, dollars.
    pub expected_value_amount: f64,
    /// Legacy score.
    pub score: f64,
    /// Risk-adjusted score.
    pub risk_adjusted_score: f64,
    /// Data-quality score.
    pub quality_score: f64,
    /// Data-quality tier.
    pub quality_tier: QualityTier,
}

/// A page of screened rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScreenPage {
    /// The scan screened.
    pub scan_id: uuid::Uuid,
    /// Candidates the scan kept.
    pub candidate_count: usize,
    /// Candidates that matched the filters.
    pub matched: usize,
    /// This page, in sort order.
    pub rows: Vec<ScreenRow>,
}

impl CandidateSet {
    /// Candidate `i` as a row.
    pub(crate) fn row(&self, i: usize) -> ScreenRow {
        use ScreenField as F;
        let v = |f: F| f64::from(self.column(f)[i]);
        let round = |x: f64, d: i32| (x * 10f64.powi(d)).round() / 10f64.powi(d);
        let exp = chrono::DateTime::from_timestamp(i64::from(self.expirations[i]) * 86_400, 0)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        ScreenRow {
            symbol: self.symbol(i).to_owned(),
            option_type: self.kinds[i],
            strike: round(v(F::Strike), 2),
            expiration: exp,
            days_to_expiration: v(F::DaysToExpiration) as i64,
            premium: round(v(F::Premium), 2),
            bid: round(v(F::Bid), 2),
            ask: round(v(F::Ask), 2),
            mid: round(v(F::Mid), 2),
            volume: v(F::Volume) as u64,
            open_interest: v(F::OpenInterest) as u64,
            volume_oi_ratio: round(v(F::VolumeOiRatio), 4),
            implied_volatility: round(v(F::ImpliedVolatility), 4),
            stock_price: round(v(F::StockPrice), 2),
            greeks: ScreenGreeks {
                delta: round(v(F::Delta), 4),
                gamma: round(v(F::Gamma), 4),
                theta: round(v(F::Theta), 4),
                vega: round(v(F::Vega), 4),
            },
            probability_of_profit: round(v(F::ProbabilityOfProfit), 2),
            expected_value_amount: round(v(F::ExpectedValueAmount), 2),
            score: round(v(F::Score), 1),
            risk_adjusted_score: round(v(F::RiskAdjustedScore), 2),
            quality_score: round(v(F::QualityScore), 1),
            quality_tier: self.tiers[i],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::candidates::{CandidateRow, STORED};

    fn set() -> CandidateSet {
        let mut s = CandidateSet::default();
        for i in 0..300 {
            let mut values = [1.0; STORED];
            values[ScreenField::Delta as usize] = (i % 100) as f64 / 100.0;
            values[ScreenField::DaysToExpiration as usize] = (i % 60) as f64;
            values[ScreenField::ExpectedValueAmount as usize] = i as f64;
            values[ScreenField::OpenInterest as usize] = 10.0;
            values[ScreenField::Volume as usize] = (i % 30) as f64;
            s.push(&CandidateRow {
                symbol: ["AAPL", "MSFT", "SPY"][i % 3],
                kind: if i % 2 == 0 {
                    OptionKind::Call
                } else {
                    OptionKind::Put
                },
                expiration_days: 20_000,
                tier: if i % 4 == 0 {
                    QualityTier::High
                } else {
                    QualityTier::Low
                },
                values,
            });
        }
        s
    }

    /// The same answer by brute force over rows.
    fn brute(s: &CandidateSet, keep: impl Fn(&ScreenRow) -> bool) -> Vec<ScreenRow> {
        let mut rows: Vec<ScreenRow> = (0..s.len()).map(|i| s.row(i)).filter(|r| keep(r)).collect();
        rows.sort_by(|a, b| b.expected_value_amount.total_cmp(&a.expected_value_amount));
        rows
    }

    #[test]
    fn filters_sort_and_pages_match_a_brute_force_answer() {
        let s = set();
        let q = ScreenQuery::from_params([
            ("delta.min", "0.3"),
            ("daysToExpiration.max", "45"),
            ("type", "call"),
            ("symbols", "aapl,SPY"),
            ("tiers", "high"),
            ("sort", "-expectedValue"),
            ("limit", "5"),
            ("offset", "2"),
        ])
        .unwrap();
        let (idx, total) = q.run(&s).unwrap();
        let want = brute(&s, |r| {
            r.greeks.delta >= 0.3
                && r.days_to_expiration <= 45
                && r.option_type == OptionKind::Call
                && (r.symbol == "AAPL" || r.symbol == "SPY")
                && r.quality_tier == QualityTier::High
        });
        assert!(want.len() > 7, "the test needs more than one page");
        assert_eq!(total, want.len());
        let got: Vec<ScreenRow> = idx.iter().map(|&i| s.row(i)).collect();
        assert_eq!(got, want[2..7].to_vec());
        let past = ScreenQuery {
            offset: 10_000,
            ..q.clone()
        };
        assert_eq!(past.run(&s).unwrap(), (Vec::new(), total));
        let ratio = ScreenQuery::from_params([("volumeOiRatio.min", "2.5")]).unwrap();
        let (idx, _) = ratio.run(&s).unwrap();
        assert!(idx.iter().all(|&i| s.row(i).volume >= 25));
    }

    #[test]
    fn bad_parameters_are_invalid_input() {
        for params in [
            vec![("nope", "1")],
            vec![("deltaa.min", "1")],
            vec![("delta.mid", "1")],
            vec![("delta.min", "abc")],
            vec![("delta.min", "NaN")],
            vec![("delta.min", "0.9"), ("delta.max", "0.1")],
            vec![("type", "straddle")],
            vec![("tiers", "gold")],
            vec![("limit", "0")],
            vec![("limit", "5000")],
            vec![("offset", "-1")],
            vec![("sort", "-bogus")],
        ] {
            let e = ScreenQuery::from_params(params.clone()).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{params:?}");
        }
    }
}
