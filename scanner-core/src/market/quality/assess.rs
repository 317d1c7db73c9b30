//! The checks of one contract, in the original's order: underlying price, quote, liquidity,
//! implied volatility, contract terms. Each finding subtracts its points from 100.

use chrono::{DateTime, Utc};

use super::types::{QualityConfig, QualityItem, QualityReport, QualityTier, Severity};
use crate::calendar::{days_to_expiration, expiry_instant, is_market_open};
use crate::model::OptionQuote;

struct Findings {
    items: Vec<QualityItem>,
}

impl Findings {
    fn add(&mut self, severity: Severity, code: &str, points: f64, field: &str, message: String) {
        self.items.push(QualityItem {
            severity,
            code: code.to_owned(),
            message,
            impact_points: points,
            field: field.to_owned(),
        });
    }
}

/// Assess one contract's data at instant `now`.
///
/// * `spot` — the underlying price per share (≤ 0 or non-finite counts as missing);
/// * `iv` — the implied volatility to judge (the solved IV or the vendor's), if any;
/// * `spot_time` — when `spot` was observed, if known (drives the price-age checks).
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
///     vendor_iv: Some(0.3), quote_time: None,
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
    use Severity::{Critical, Info, Warning};
    let mut f = Findings { items: Vec::new() };
    let open = is_market_open(now);
    let spot_ok = spot.is_finite() && spot > 0.0;

    // 1. Underlying price and its age.
    let mut price_age_minutes = None;
    if !spot_ok {
        f.add(
            Critical,
            "missing_stock_price",
            50.0,
            "stockPrice",
            format!("underlying price {spot} is missing or not positive"),
        );
    } else if let Some(t) = spot_time {
        let age = ((now - t).num_milliseconds() as f64 / 60_000.0).max(0.0);
        price_age_minutes = Some(age);
        if open && age > cfg.max_price_age_minutes {
            if age > 60.0 {
                f.add(
                    Critical,
                    "stale_price",
                    40.0,
                    "stockPrice",
                    format!("underlying price is {age:.0} min old during market hours"),
                );
            } else {
                f.add(
                    Warning,
                    "stale_price",
                    15.0,
                    "stockPrice",
                    format!("underlying price is {age:.0} min old during market hours"),
                );
            }
        } else if !open && age > 24.0 * 60.0 {
            f.add(
                Warning,
                "old_price",
                5.0,
                "stockPrice",
                format!("underlying price is {:.1} h old", age / 60.0),
            );
        }
    }

    // 2. The quote.
    let (bid, ask) = (finite_or_zero(quote.bid), finite_or_zero(quote.ask));
    let last = quote.last.map(finite_or_zero).unwrap_or(0.0);
    let mid = (bid + ask) / 2.0;
    let mid_price = (mid > 0.0).then_some(mid);
    let spread_dollars = (bid > 0.0 && ask > 0.0).then_some(ask - bid);
    let spread_pct = spread_dollars.filter(|_| mid > 0.0).map(|s| s / mid);
    if bid <= 0.0 && ask <= 0.0 && last <= 0.0 {
        f.add(
            Critical,
            "no_prices",
            50.0,
            "bid",
            "bid, ask and last are all zero or missing".into(),
        );
    } else {
        if bid > 0.0 && ask > 0.0 {
            if bid > ask {
                f.add(
                    Critical,
                    "crossed_market",
                    50.0,
                    "bid",
                    format!("bid {bid} above ask {ask}"),
                );
            } else if bid == ask {
                f.add(
                    Critical,
                    "locked_market",
                    50.0,
                    "bid",
                    format!("bid equals ask ({bid})"),
                );
            } else if let Some(pct) = spread_pct {
                if pct > 0.50 {
                    f.add(
                        Critical,
                        "wide_spread",
                        40.0,
                        "ask",
                        format!("spread {:.0}% of mid", pct * 100.0),
                    );
                } else if pct > cfg.max_spread_pct {
                    f.add(
                        Warning,
                        "wide_spread",
                        15.0,
                        "ask",
                        format!("spread {:.1}% of mid", pct * 100.0),
                    );
                }
            }
            if last > 0.0 && (last < 0.5 * bid || last > 2.0 * ask) {
                f.add(
                    Warning,
                    "last_outside_quote",
                    10.0,
                    "last",
                    format!("last {last} far outside {bid}–{ask}"),
                );
            }
        } else if ask > 0.0 {
            f.add(
                Critical,
                "zero_bid",
                40.0,
                "bid",
                format!("no bid (ask {ask})"),
            );
        } else if bid > 0.0 {
            f.add(
                Critical,
                "no_ask",
                50.0,
                "ask",
                format!("no ask (bid {bid})"),
            );
        } else {
            f.add(
                Critical,
                "no_quote",
                50.0,
                "bid",
                format!("no bid or ask (last {last})"),
            );
        }
    }

    // 3. Liquidity: zero volume only matters while the session is open.
    if quote.volume == 0 {
        if open {
            f.add(
                Critical,
                "zero_volume",
                40.0,
                "volume",
                "no contracts traded during market hours".into(),
            );
        } else {
            f.add(
                Info,
                "zero_volume",
                0.0,
                "volume",
                "no volume yet (market closed)".into(),
            );
        }
    } else if quote.volume < cfg.min_volume && open {
        f.add(
            Warning,
            "low_volume",
            20.0,
            "volume",
            format!("volume {} below {}", quote.volume, cfg.min_volume),
        );
    }
    if quote.open_interest == 0 {
        if open {
            f.add(
                Critical,
                "zero_open_interest",
                40.0,
                "openInterest",
                "no open interest".into(),
            );
        } else {
            f.add(
                Warning,
                "zero_open_interest",
                15.0,
                "openInterest",
                "no open interest".into(),
            );
        }
    } else if quote.open_interest < cfg.min_open_interest {
        f.add(
            Warning,
            "low_open_interest",
            10.0,
            "openInterest",
            format!(
                "open interest {} below {}",
                quote.open_interest, cfg.min_open_interest
            ),
        );
    }
    let volume_oi_ratio =
        (quote.open_interest > 0).then(|| quote.volume as f64 / quote.open_interest as f64);

    // 4. Implied volatility.
    match iv {
        Some(v) if !(v.is_finite() && v > 0.0) => f.add(
            Critical,
            "non_positive_iv",
            30.0,
            "impliedVolatility",
            format!("implied volatility {v} is not positive"),
        ),
        Some(v) if v > cfg.max_iv => f.add(
            Warning,
            "absurd_iv",
            20.0,
            "impliedVolatility",
            format!("implied volatility {:.0}% is implausible", v * 100.0),
        ),
        Some(v) if v > 2.0 => f.add(
            Info,
            "high_iv",
            5.0,
            "impliedVolatility",
            format!("implied volatility {:.0}% is very high", v * 100.0),
        ),
        Some(_) => {}
        None => f.add(
            Info,
            "missing_iv",
            0.0,
            "impliedVolatility",
            "no implied volatility to check".into(),
        ),
    }

    // 5. Contract terms.
    if !(quote.strike.is_finite() && quote.strike > 0.0) {
        f.add(
            Critical,
            "bad_strike",
            30.0,
            "strike",
            format!("strike {} is not positive", quote.strike),
        );
    } else {
        if spot_ok && ((quote.strike - spot) / spot).abs() > 0.50 {
            f.add(
                Warning,
                "far_from_money",
                10.0,
                "strike",
                format!("strike {} is more than 50% from {spot}", quote.strike),
            );
        }
        let dte = days_to_expiration(now, quote.expiration);
        if now >= expiry_instant(quote.expiration) {
            f.add(
                Critical,
                "expired",
                100.0,
                "expiration",
                format!("expired at 16:00 New York on {}", quote.expiration),
            );
        } else if dte == 0 {
            f.add(
                Critical,
                "expires_today",
                50.0,
                "expiration",
                "expires today".into(),
            );
        } else if dte == 1 {
            f.add(
                Warning,
                "expires_tomorrow",
                25.0,
                "expiration",
                "expires tomorrow".into(),
            );
        }
    }

    let penalty: f64 = f.items.iter().map(|i| i.impact_points).sum();
    let score = (100.0 - penalty).max(0.0);
    let (issues, warnings) = f.items.into_iter().partition(|i| i.severity == Critical);
    QualityReport {
        tier: QualityTier::from_score(score),
        score,
        issues,
        warnings,
        spread_dollars,
        spread_pct,
        mid_price,
        volume_oi_ratio,
        price_age_minutes,
        validated_at: now,
    }
}

fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}
