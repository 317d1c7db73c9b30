//! The swing signal of original-system.md §7.2, once per symbol: how likely a large move is
//! soon, from volatility expansion, momentum, volume, news (when a hook supplies it) and the
//! market regime (when the source has SPY).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{mean, scale, std_dev, tail, MarketContext, NewsReading};
use crate::model::PriceHistory;
use crate::{Error, Result};

/// Rows of history the swing signal needs.
pub const MIN_SWING_ROWS: usize = 40;

/// One factor of the swing signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SwingFactor {
    /// Factor name.
    pub name: String,
    /// Score 0–100 (50 when absent).
    pub score: f64,
    /// Weight in the composite.
    pub weight: f64,
    /// False when the input does not exist here (news without a hook, market without SPY).
    pub available: bool,
    /// One sentence.
    pub rationale: String,
    /// Raw readings.
    pub details: Value,
}

/// The swing signal of one symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SwingSignal {
    /// Ticker.
    pub symbol: String,
    /// Weighted factor score, 0–100.
    pub composite_score: f64,
    /// `elevated_swing_risk` (≥ 70), `watchlist` (≥ 55) or `calm`.
    pub classification: String,
    /// The five factors.
    pub factors: Vec<SwingFactor>,
    /// `(close − SMA20)/std20` (also feeds the legacy bias).
    pub momentum_z: f64,
    /// Mean news sentiment when a hook supplied one.
    pub news_sentiment: Option<f64>,
    /// Summary and factor breakdown.
    pub metadata: Value,
}

/// Average true range over `period` sessions (simple mean of the true range), one value per
/// session from index `period − 1`; the first true range is the first high − low.
///
/// ```
/// use scanner_core::signals::atr;
/// let (h, l, c) = ([11.0, 12.0, 13.0], [9.0, 10.0, 11.0], [10.0, 11.0, 12.0]);
/// // true ranges 2, 2, 2
/// assert_eq!(atr(&h, &l, &c, 2), vec![2.0, 2.0]);
/// ```
pub fn atr(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Vec<f64> {
    let n = high.len().min(low.len()).min(close.len());
    if period == 0 || n < period {
        return Vec::new();
    }
    let tr: Vec<f64> = (0..n)
        .map(|i| {
            let hl = high[i] - low[i];
            if i == 0 {
                hl
            } else {
                hl.max((high[i] - close[i - 1]).abs())
                    .max((low[i] - close[i - 1]).abs())
            }
        })
        .collect();
    tr.windows(period)
        .map(|w| w.iter().sum::<f64>() / period as f64)
        .collect()
}

fn factor(
    name: &str,
    score: f64,
    weight: f64,
    available: bool,
    why: String,
    d: Value,
) -> SwingFactor {
    SwingFactor {
        name: name.to_owned(),
        score,
        weight,
        available,
        rationale: why,
        details: d,
    }
}

/// `market_context` in the original's shape: `vix_ratio` (volatility proxy over its 20-session
/// mean, a ratio) and `spy_return_5d` (a fraction), both `null` without SPY history.
fn market_context_json(market: Option<&MarketContext>) -> Value {
    match market.and_then(|m| m.regime_score()) {
        Some((_, d)) => json!({
            "available": true,
            "vix_ratio": d["volatilityRatio"],
            "spy_return_5d": d["spyReturn5d"],
            "volatility_source": d["volatilitySource"],
        }),
        None => json!({"available": false, "vix_ratio": null, "spy_return_5d": null}),
    }
}

/// The swing signal of `h`.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) with fewer than
/// [`MIN_SWING_ROWS`] rows.
pub fn swing_signal(
    h: &PriceHistory,
    market: Option<&MarketContext>,
    news: Option<NewsReading>,
) -> Result<SwingSignal> {
    if h.len() < MIN_SWING_ROWS {
        return Err(Error::invalid_input(format!(
            "{}: swing signal needs {MIN_SWING_ROWS} sessions, got {}",
            h.symbol(),
            h.len()
        )));
    }
    let (c, v) = (h.close(), h.volume());
    let a = atr(h.high(), h.low(), c, 14);
    let atr_ratio = a[a.len() - 1] / mean(tail(&a, 30));
    let last = c[c.len() - 1];
    let w20 = tail(c, 20);
    let momentum_z = (last - mean(w20)) / std_dev(w20);
    let prior = &v[v.len().saturating_sub(31)..v.len() - 1];
    let volume_z = (v[v.len() - 1] - mean(prior)) / std_dev(prior);
    let mut factors = vec![
        factor(
            "Volatility Expansion",
            scale(atr_ratio, 0.8, 2.2),
            0.30,
            true,
            format!("ATR14 is {atr_ratio:.2}× its 30-session mean"),
            json!({"atrRatio": atr_ratio}),
        ),
        factor(
            "Momentum Breakout",
            scale(momentum_z, -1.5, 2.5),
            0.20,
            true,
            format!("close is {momentum_z:.2} standard deviations from its 20-session mean"),
            json!({"momentumZ": momentum_z}),
        ),
        factor(
            "Volume Imbalance",
            scale(volume_z, -1.0, 3.0),
            0.20,
            true,
            format!("volume z-score {volume_z:.2} against the prior 30 sessions"),
            json!({"volumeZ": volume_z}),
        ),
    ];
    factors.push(match news {
        Some(r) if !r.stale => factor(
            "News & Catalysts",
            scale(r.mean_sentiment, -0.5, 0.6),
            0.15,
            true,
            format!(
                "mean headline sentiment {:.2} over {} headlines",
                r.mean_sentiment, r.headlines
            ),
            json!({"meanSentiment": r.mean_sentiment, "headlines": r.headlines}),
        ),
        Some(r) => factor(
            "News & Catalysts",
            45.0,
            0.15,
            true,
            "only headlines older than 7 days".into(),
            json!({"headlines": r.headlines, "stale": true}),
        ),
        None => factor(
            "News & Catalysts",
            50.0,
            0.15,
            false,
            "no news source configured: factor absent".into(),
            json!({"absent": true}),
        ),
    });
    factors.push(match market.and_then(|m| m.regime_score()) {
        Some((s, d)) => factor(
            "Market Regime",
            s,
            0.15,
            true,
            "volatility proxy against its 20-session mean and SPY's 5-session return".into(),
            d,
        ),
        None => factor(
            "Market Regime",
            50.0,
            0.15,
            false,
            "no SPY history in this source: factor absent".into(),
            json!({"absent": true}),
        ),
    });
    let composite: f64 = factors.iter().map(|f| f.weight * f.score).sum();
    let classification = if composite >= 70.0 {
        "elevated_swing_risk"
    } else if composite >= 55.0 {
        "watchlist"
    } else {
        "calm"
    };
    let breakdown: Vec<Value> = factors
        .iter()
        .map(|f| json!({"name": f.name, "score": f.score, "weight": f.weight, "available": f.available}))
        .collect();
    Ok(SwingSignal {
        symbol: h.symbol().to_owned(),
        composite_score: composite,
        classification: classification.to_owned(),
        momentum_z,
        news_sentiment: news.filter(|r| !r.stale).map(|r| r.mean_sentiment),
        metadata: json!({
            "summary": format!("{} swing score {composite:.1} ({classification})", h.symbol()),
            "factorBreakdown": breakdown,
            "sessions": h.len(),
            // The factor readings again, under the original's snake_case names.
            "atr_ratio": atr_ratio,
            "momentum_zscore": momentum_z,
            "volume_zscore": volume_z,
            "market_context": market_context_json(market),
            // Headlines are not kept by the news hook (it reports a mean sentiment).
            "news_sample": [],
        }),
        factors,
    })
}
