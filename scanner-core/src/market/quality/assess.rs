//! The entry point of data quality: run every check on one contract and turn the
//! findings into a score, a tier and a report. Each finding subtracts its points from 100.

use chrono::{DateTime, Utc};

use super::checks::{self, Findings};
use super::types::{QualityConfig, QualityReport, QualityTier, Severity};
use crate::calendar::is_market_open;
use crate::model::OptionQuote;

/// Assess one contract's data at instant `now`.
///
/// * `spot` — the underlying price per share (≤ 0 or non-finite counts as missing);
/// * `iv` — the implied volatility to judge (the solved IV or the vendor's), if any;
/// * `spot_time` — when `spot` was observed, if known. The price-age checks use the older
///   of it and the quote's own `quote_time` (code `stale_price` or `stale_quote`).
///
/// Never panics; any input gives a report.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use scanner_core::market::quality::{assess, QualityConfig, QualityTier};
/// use scanner_core::model::{OptionKind, OptionQuote};
/// let q = OptionQuote {
///     contract_symbol: "SYN0001240719C00100000".into(), underlying: "SYN0001".into(),
///     kind: OptionKind::Call, strike: 100.0,
///     expiration: NaiveDate::from_ymd_opt(2024, 7, 19).unwrap(),
///     bid: 2.00, ask: 2.10, last: Some(2.05), volume: 500, open_interest: 1200,
///     vendor_iv: Some(0.3), quote_time: None, last_trade_time: None,
/// };
/// // Wednesday 2024-07-10 11:00 New York (15:00 UTC, daylight saving time).
/// let now = Utc.with_ymd_and_hms(2024, 7, 10, 15, 0, 0).unwrap();
/// let r = assess(&q, 101.0, Some(0.3), now, Some(now), &QualityConfig::legacy());
/// assert_eq!(r.tier, QualityTier::Institutional);
/// assert_eq!(r.score, 100.0);
/// assert!(r.is_tradeable());
/// ```
pub fn assess(
    quote: &OptionQuote,
    spot: f64,
    iv: Option<f64>,
    now: DateTime<Utc>,
    spot_time: Option<DateTime<Utc>>,
    cfg: &QualityConfig,
) -> QualityReport {
    let mut f = Findings { items: Vec::new() };
    let open = is_market_open(now);

    let price_age_minutes =
        checks::underlying(&mut f, spot, spot_time, quote.quote_time, now, open, cfg);
    let metrics = checks::quote_prices(&mut f, quote, cfg);
    let volume_oi_ratio = checks::liquidity(&mut f, quote, open, cfg);
    checks::implied_vol(&mut f, iv, cfg);
    checks::terms(&mut f, quote, spot, now);

    let penalty: f64 = f.items.iter().map(|i| i.impact_points).sum();
    let score = (100.0 - penalty).max(0.0);
    let (issues, warnings) = f
        .items
        .into_iter()
        .partition(|i| i.severity == Severity::Critical);
    QualityReport {
        tier: QualityTier::from_score(score),
        score,
        issues,
        warnings,
        spread_dollars: metrics.spread_dollars,
        spread_pct: metrics.spread_pct,
        mid_price: metrics.mid_price,
        volume_oi_ratio,
        price_age_minutes,
        validated_at: now,
    }
}
