//! The five groups of checks behind [`assess`](super::assess), one function each, in
//! the original's order: underlying price, quote, liquidity, implied volatility, terms.

use chrono::{DateTime, Utc};

use super::types::{QualityConfig, QualityItem, Severity};
use crate::calendar::{days_to_expiration, expiry_instant};
use crate::model::OptionQuote;
use Severity::{Critical, Info, Warning};

/// Findings collected so far.
pub(super) struct Findings {
    pub items: Vec<QualityItem>,
}

impl Findings {
    fn critical(
        &mut self,
        code: &'static str,
        points: f64,
        field: &'static str,
        message: impl Into<String>,
    ) {
        self.add(Critical, code, points, field, message.into());
    }

    fn warning(
        &mut self,
        code: &'static str,
        points: f64,
        field: &'static str,
        message: impl Into<String>,
    ) {
        self.add(Warning, code, points, field, message.into());
    }

    fn info(
        &mut self,
        code: &'static str,
        points: f64,
        field: &'static str,
        message: impl Into<String>,
    ) {
        self.add(Info, code, points, field, message.into());
    }

    fn add(
        &mut self,
        severity: Severity,
        code: &'static str,
        points: f64,
        field: &'static str,
        message: String,
    ) {
        self.items.push(QualityItem {
            severity,
            code: code.into(),
            message,
            impact_points: points,
            field: field.into(),
        });
    }
}

/// Quote metrics reported beside the findings.
pub(super) struct QuoteMetrics {
    pub spread_dollars: Option<f64>,
    pub spread_pct: Option<f64>,
    pub mid_price: Option<f64>,
}

/// Check 1: The underlying price and the age of the prices: the older of the underlying's time
/// and the option quote's own time (a fresh spot does not make a stale quote fresh).
/// Returns that age in minutes when known.
pub(super) fn underlying(
    f: &mut Findings,
    spot: f64,
    spot_time: Option<DateTime<Utc>>,
    quote_time: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    open: bool,
    cfg: &QualityConfig,
) -> Option<f64> {
    let spot_ok = spot.is_finite() && spot > 0.0;
    let mut price_age_minutes = None;
    let quote_older = matches!((spot_time, quote_time), (Some(s), Some(q)) if q < s)
        || (spot_time.is_none() && quote_time.is_some());
    let (code, field, what) = if quote_older {
        ("stale_quote", "quoteTime", "option quote")
    } else {
        ("stale_price", "stockPrice", "underlying price")
    };
    let spot_time = if quote_older { quote_time } else { spot_time };
    if !spot_ok {
        f.critical(
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
                let msg = format!("{what} is {age:.0} min old during market hours");
                f.critical(code, 40.0, field, msg);
            } else {
                let msg = format!("{what} is {age:.0} min old during market hours");
                f.warning(code, 15.0, field, msg);
            }
        } else if !open && age > 24.0 * 60.0 {
            let msg = format!("{what} is {:.1} h old", age / 60.0);
            f.warning("old_price", 5.0, field, msg);
        }
    }
    price_age_minutes
}

/// Check 2: The quote: no prices, crossed, locked, zero bid, spread width, stray last trade.
pub(super) fn quote_prices(
    f: &mut Findings,
    quote: &OptionQuote,
    cfg: &QualityConfig,
) -> QuoteMetrics {
    let (bid, ask) = (finite_or_zero(quote.bid), finite_or_zero(quote.ask));
    let last = quote.last.map(finite_or_zero).unwrap_or(0.0);
    let mid = (bid + ask) / 2.0;
    let mid_price = (mid > 0.0).then_some(mid);
    let spread_dollars = (bid > 0.0 && ask > 0.0).then_some(ask - bid);
    let spread_pct = spread_dollars.filter(|_| mid > 0.0).map(|s| s / mid);
    if bid <= 0.0 && ask <= 0.0 && last <= 0.0 {
        f.critical(
            "no_prices",
            50.0,
            "bid",
            "bid, ask and last are all zero or missing",
        );
    } else {
        if bid > 0.0 && ask > 0.0 {
            if bid > ask {
                f.critical(
                    "crossed_market",
                    50.0,
                    "bid",
                    format!("bid {bid} above ask {ask}"),
                );
            } else if bid == ask {
                f.critical(
                    "locked_market",
                    50.0,
                    "bid",
                    format!("bid equals ask ({bid})"),
                );
            } else if let Some(pct) = spread_pct {
                if pct > 0.50 {
                    f.critical(
                        "wide_spread",
                        40.0,
                        "ask",
                        format!("spread {:.0}% of mid", pct * 100.0),
                    );
                } else if pct > cfg.max_spread_pct {
                    f.warning(
                        "wide_spread",
                        15.0,
                        "ask",
                        format!("spread {:.1}% of mid", pct * 100.0),
                    );
                }
            }
            if last > 0.0 && (last < 0.5 * bid || last > 2.0 * ask) {
                f.warning(
                    "last_outside_quote",
                    10.0,
                    "last",
                    format!("last {last} far outside {bid}–{ask}"),
                );
            }
        } else if ask > 0.0 {
            f.critical("zero_bid", 40.0, "bid", format!("no bid (ask {ask})"));
        } else if bid > 0.0 {
            f.critical("no_ask", 50.0, "ask", format!("no ask (bid {bid})"));
        } else {
            f.critical(
                "no_quote",
                50.0,
                "bid",
                format!("no bid or ask (last {last})"),
            );
        }
    }
    QuoteMetrics {
        spread_dollars,
        spread_pct,
        mid_price,
    }
}

/// Check 3: Liquidity (zero volume only matters while the session is open); returns volume / OI.
pub(super) fn liquidity(
    f: &mut Findings,
    quote: &OptionQuote,
    open: bool,
    cfg: &QualityConfig,
) -> Option<f64> {
    if quote.volume == 0 {
        if open {
            f.critical(
                "zero_volume",
                40.0,
                "volume",
                "no contracts traded during market hours",
            );
        } else {
            f.info(
                "zero_volume",
                0.0,
                "volume",
                "no volume yet (market closed)",
            );
        }
    } else if quote.volume < cfg.min_volume && open {
        f.warning(
            "low_volume",
            20.0,
            "volume",
            format!("volume {} below {}", quote.volume, cfg.min_volume),
        );
    }
    if quote.open_interest == 0 {
        if open {
            f.critical(
                "zero_open_interest",
                40.0,
                "openInterest",
                "no open interest",
            );
        } else {
            f.warning(
                "zero_open_interest",
                15.0,
                "openInterest",
                "no open interest",
            );
        }
    } else if quote.open_interest < cfg.min_open_interest {
        f.warning(
            "low_open_interest",
            10.0,
            "openInterest",
            format!(
                "open interest {} below {}",
                quote.open_interest, cfg.min_open_interest
            ),
        );
    }
    (quote.open_interest > 0).then(|| quote.volume as f64 / quote.open_interest as f64)
}

/// Check 4: Implied volatility: non-positive, absurd, very high, missing.
pub(super) fn implied_vol(f: &mut Findings, iv: Option<f64>, cfg: &QualityConfig) {
    let field = "impliedVolatility";
    match iv {
        Some(v) if !(v.is_finite() && v > 0.0) => f.critical(
            "non_positive_iv",
            30.0,
            field,
            format!("implied volatility {v} is not positive"),
        ),
        Some(v) if v > cfg.max_iv => f.warning(
            "absurd_iv",
            20.0,
            field,
            format!("implied volatility {:.0}% is implausible", v * 100.0),
        ),
        Some(v) if v > 2.0 => f.info(
            "high_iv",
            5.0,
            field,
            format!("implied volatility {:.0}% is very high", v * 100.0),
        ),
        Some(_) => {}
        None => f.info("missing_iv", 0.0, field, "no implied volatility to check"),
    }
}

/// Check 5: Contract terms: strike, distance from the money, expiry at 16:00 New York.
pub(super) fn terms(f: &mut Findings, quote: &OptionQuote, spot: f64, now: DateTime<Utc>) {
    let spot_ok = spot.is_finite() && spot > 0.0;
    if !(quote.strike.is_finite() && quote.strike > 0.0) {
        f.critical(
            "bad_strike",
            30.0,
            "strike",
            format!("strike {} is not positive", quote.strike),
        );
    } else {
        if spot_ok && ((quote.strike - spot) / spot).abs() > 0.50 {
            f.warning(
                "far_from_money",
                10.0,
                "strike",
                format!("strike {} is more than 50% from {spot}", quote.strike),
            );
        }
        let dte = days_to_expiration(now, quote.expiration);
        if now >= expiry_instant(quote.expiration) {
            f.critical(
                "expired",
                100.0,
                "expiration",
                format!("expired at 16:00 New York on {}", quote.expiration),
            );
        } else if dte == 0 {
            f.critical("expires_today", 50.0, "expiration", "expires today");
        } else if dte == 1 {
            f.warning("expires_tomorrow", 25.0, "expiration", "expires tomorrow");
        }
    }
}

fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}
