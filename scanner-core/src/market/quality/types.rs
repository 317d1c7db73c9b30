//! The vocabulary of data quality: tiers, severities, findings, configuration and the
//! report, with the serde shapes the opportunity JSON carries (`_dataQuality`).

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};

use crate::model::Rejections;

/// The rejection stage under which [`QualityReport::count_rejection`] counts drops.
pub const QUALITY_STAGE: &str = "data_quality";

/// Quality tier of a contract's data. Ordered from worst to best, so
/// `tier >= QualityTier::Medium` reads "medium or better".
///
/// ```
/// use scanner_core::market::quality::QualityTier;
/// assert!(QualityTier::Institutional > QualityTier::High);
/// assert!(QualityTier::Low > QualityTier::Rejected);
/// assert_eq!(QualityTier::from_score(80.0), QualityTier::High);
/// assert_eq!(QualityTier::from_score(39.9), QualityTier::Rejected);
/// assert_eq!(serde_json::to_string(&QualityTier::Medium).unwrap(), "\"medium\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QualityTier {
    /// Score ≥ 95.
    Institutional,
    /// Score ≥ 80.
    High,
    /// Score ≥ 60.
    Medium,
    /// Score ≥ 40.
    Low,
    /// Score < 40.
    Rejected,
}

impl QualityTier {
    /// The tier of a 0–100 score (thresholds 95 / 80 / 60 / 40).
    pub fn from_score(score: f64) -> Self {
        match score {
            s if s >= 95.0 => Self::Institutional,
            s if s >= 80.0 => Self::High,
            s if s >= 60.0 => Self::Medium,
            s if s >= 40.0 => Self::Low,
            _ => Self::Rejected,
        }
    }

    /// `"institutional"`, `"high"`, `"medium"`, `"low"` or `"rejected"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Institutional => "institutional",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
            Self::Rejected => "rejected",
        }
    }

    fn rank(self) -> u8 {
        match self {
            Self::Rejected => 0,
            Self::Low => 1,
            Self::Medium => 2,
            Self::High => 3,
            Self::Institutional => 4,
        }
    }
}

impl PartialOrd for QualityTier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for QualityTier {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The data is likely wrong or untradeable.
    Critical,
    /// The data is usable with care.
    Warning,
    /// Context only (may cost no points).
    Info,
}

/// One finding about a contract's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QualityItem {
    /// Critical, warning or info.
    pub severity: Severity,
    /// Stable reason code (`"zero_volume"`, `"crossed_market"`, …): the key under which
    /// drops are counted. Borrowed from the checks' own constants (assessing a contract
    /// copies no text but its message); owned when read back from JSON.
    pub code: Cow<'static, str>,
    /// Human-readable explanation.
    pub message: String,
    /// Points subtracted from 100.
    pub impact_points: f64,
    /// The quote field concerned (`"bid"`, `"volume"`, `"stockPrice"`, …).
    pub field: Cow<'static, str>,
}

/// Thresholds of the checks. `legacy()` is the original legacy validator, `enhanced()`
/// the institutional layer's (tighter spread limit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QualityConfig {
    /// Spread / mid above which a warning (−15) is raised (0.20 legacy, 0.15 enhanced).
    pub max_spread_pct: f64,
    /// Volume below which a warning (−20) is raised while the market is open (5).
    pub min_volume: u64,
    /// Open interest below which a warning (−10) is raised (10).
    pub min_open_interest: u64,
    /// Underlying price age in minutes beyond which, with the market open, the price is
    /// stale (15).
    pub max_price_age_minutes: f64,
    /// IV above which a warning (−20) is raised (3.0).
    pub max_iv: f64,
}

impl QualityConfig {
    /// The legacy validator's defaults: spread 0.20, volume 5, OI 10, age 15 min, IV 3.0.
    pub fn legacy() -> Self {
        Self {
            max_spread_pct: 0.20,
            min_volume: 5,
            min_open_interest: 10,
            max_price_age_minutes: 15.0,
            max_iv: 3.0,
        }
    }

    /// The enhanced layer's configuration: as [`legacy`](Self::legacy) with spread 0.15.
    pub fn enhanced() -> Self {
        Self {
            max_spread_pct: 0.15,
            ..Self::legacy()
        }
    }
}

impl Default for QualityConfig {
    fn default() -> Self {
        Self::legacy()
    }
}

/// The verdict on one contract's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QualityReport {
    /// Tier of `score`.
    pub tier: QualityTier,
    /// 100 minus the penalties, floored at 0.
    pub score: f64,
    /// Critical findings.
    pub issues: Vec<QualityItem>,
    /// Warning and info findings.
    pub warnings: Vec<QualityItem>,
    /// Ask − bid per share (`None` without a two-sided quote).
    pub spread_dollars: Option<f64>,
    /// Spread / mid (`None` without a positive mid).
    pub spread_pct: Option<f64>,
    /// (bid + ask) / 2 (`None` when bid and ask are both 0).
    pub mid_price: Option<f64>,
    /// Volume / open interest (`None` when open interest is 0).
    pub volume_oi_ratio: Option<f64>,
    /// Age of the underlying price in minutes, when its time is known.
    pub price_age_minutes: Option<f64>,
    /// When the assessment was made.
    pub validated_at: DateTime<Utc>,
}

impl QualityReport {
    /// Tradeable means medium or better (the original: not low and not rejected).
    pub fn is_tradeable(&self) -> bool {
        self.tier >= QualityTier::Medium
    }

    /// A one-line, tier-specific summary, e.g. `"High quality (85/100): good data, 1
    /// warning"`.
    pub fn summary(&self) -> String {
        let head = match self.tier {
            QualityTier::Institutional => "Institutional grade",
            QualityTier::High => "High quality",
            QualityTier::Medium => "Medium quality",
            QualityTier::Low => "Low quality",
            QualityTier::Rejected => "Rejected",
        };
        let verdict = match self.tier {
            QualityTier::Institutional => "excellent data",
            QualityTier::High => "good data",
            QualityTier::Medium => "usable with care",
            QualityTier::Low => "not tradeable",
            QualityTier::Rejected => "data not trustworthy",
        };
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        format!(
            "{head} ({:.0}/100): {verdict}, {}, {}",
            self.score,
            plural(self.issues.len(), "issue"),
            plural(self.warnings.len(), "warning")
        )
    }

    /// The reason code a drop of this contract is counted under: the code of the
    /// costliest critical issue, else of the costliest warning, else `"low_score"`.
    pub fn rejection_reason(&self) -> &str {
        fn worst(items: &[QualityItem]) -> Option<&str> {
            items
                .iter()
                .filter(|i| i.impact_points > 0.0)
                .max_by(|a, b| a.impact_points.total_cmp(&b.impact_points))
                .map(|i| i.code.as_ref())
        }
        worst(&self.issues)
            .or_else(|| worst(&self.warnings))
            .unwrap_or("low_score")
    }

    /// Count this contract as dropped in `rejections` (stage [`QUALITY_STAGE`], reason
    /// [`rejection_reason`](Self::rejection_reason)).
    pub fn count_rejection(&self, rejections: &mut Rejections) {
        rejections.add(QUALITY_STAGE, self.rejection_reason(), 1);
    }
}
