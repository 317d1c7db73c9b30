//! Once-per-symbol signals for the scan: the swing signal, the legacy and enhanced
//! directional biases, and the directional filter of original-system.md §4.4 that they drive.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::iv_rank::{AtmIv, IvPoint};
use crate::model::{OptionChain, OptionKind, PriceHistory};
use crate::signals::{
    aggregate, legacy_bias, options_skew, profile_signal, regime, smart_money_flow, swing_signal,
    EnhancedBias, FlowInputs, LegacyBias, MarketContext, NewsReading, SkewPoint, SwingSignal,
};

/// |enhanced score| above this lets the directional filter act (20).
pub const FILTER_SCORE: f64 = 20.0;
/// Enhanced confidence above this lets the directional filter act (40).
pub const FILTER_CONFIDENCE: f64 = 40.0;

/// The signals of one symbol.
#[derive(Debug, Clone)]
pub struct SymbolSignals {
    /// The swing signal, or why it could not be computed.
    pub swing: Result<SwingSignal, String>,
    /// The legacy bias (§7.3).
    pub legacy: LegacyBias,
    /// The enhanced bias (§7.4).
    pub enhanced: EnhancedBias,
}

impl SymbolSignals {
    /// The preferred option type: the enhanced direction, else the legacy one.
    pub fn preferred(&self) -> Option<OptionKind> {
        self.enhanced
            .preferred()
            .or(match self.legacy.direction.as_str() {
                "bullish" => Some(OptionKind::Call),
                "bearish" => Some(OptionKind::Put),
                _ => None,
            })
    }

    /// Whether the directional filter drops a contract of `kind`: it is the opposite type of
    /// the preferred one and |enhanced score| > 20 or enhanced confidence > 40.
    pub fn filters_out(&self, kind: OptionKind) -> bool {
        let strong = self.enhanced.score.abs() > FILTER_SCORE
            || self.enhanced.confidence > FILTER_CONFIDENCE;
        strong && self.preferred().is_some_and(|p| p != kind)
    }

    /// The `swingSignal`, `directionalBias` and `enhancedDirectionalBias` JSON for a contract;
    /// both biases carry `timestamp`, the scan's as-of instant they were computed for.
    pub fn json_for(&self, kind: OptionKind, as_of: DateTime<Utc>) -> [(&'static str, Value); 3] {
        let swing = match &self.swing {
            Ok(s) => json!(s),
            Err(_) => Value::Null,
        };
        let mut legacy = json!(self.legacy);
        legacy["alignment"] = json!(self.legacy.alignment(kind));
        legacy["recommendation"] = json!(match self.legacy.alignment(kind) {
            "aligned" => "Contract direction agrees with the bias",
            "opposed" => "Contract direction opposes the bias",
            _ => "No directional edge",
        });
        legacy["timestamp"] = json!(as_of);
        let mut enhanced = json!(self.enhanced);
        enhanced["timestamp"] = json!(as_of);
        [
            ("swingSignal", swing),
            ("directionalBias", legacy),
            ("enhancedDirectionalBias", enhanced),
        ]
    }
}

/// Compute every signal of one symbol. `points` are the solved IVs of contracts near spot and
/// `term` the ATM IV per expiration; `eligible` are the chain indices considered.
pub fn symbol_signals(
    history: &PriceHistory,
    chain: &OptionChain,
    eligible: &[usize],
    points: &[IvPoint],
    term: &[AtmIv],
    market: Option<&MarketContext>,
    news: Option<NewsReading>,
) -> SymbolSignals {
    let swing = swing_signal(history, market, news).map_err(|e| e.message().to_owned());
    let momentum = swing.as_ref().map(|s| s.momentum_z).unwrap_or(f64::NAN);
    let legacy = legacy_bias(
        momentum,
        news.filter(|n| !n.stale).map(|n| n.mean_sentiment),
    );

    let skew_points: Vec<SkewPoint> = points
        .iter()
        .filter_map(|p| {
            let atm = term.iter().find(|t| t.expiration == p.expiration)?;
            Some(SkewPoint {
                kind: p.kind,
                years: p.years,
                moneyness: p.strike / chain.spot - 1.0,
                iv: p.iv,
                atm_iv: atm.iv,
            })
        })
        .collect();
    let quotes: Vec<_> = eligible.iter().map(|&i| &chain.quotes[i]).collect();
    let c = history.close();
    let dir = if c.len() >= 2 {
        (c[c.len() - 1] - c[c.len() - 2]).signum()
    } else {
        0.0
    };
    let mut signals = Vec::new();
    let mut absent: Vec<String> = news
        .is_none()
        .then(|| "news_sentiment".to_owned())
        .into_iter()
        .collect();
    let mut push = |name: &str, s: Option<crate::signals::Signal>| match s {
        Some(s) => signals.push(s),
        None => absent.push(name.to_owned()),
    };
    push("options_skew", options_skew(&skew_points));
    push(
        "smart_money_flow",
        smart_money_flow(&FlowInputs {
            quotes: &quotes,
            share_volume: history.volume(),
            price_direction: dir,
        }),
    );
    push("regime_detection", regime(history));
    push("volume_profile", profile_signal(c, history.volume()));
    let enhanced = aggregate(signals, absent);
    SymbolSignals {
        swing,
        legacy,
        enhanced,
    }
}
