//! Who each synthetic symbol is: price level, volatility, dividend yield and liquidity,
//! drawn once per `(seed, index)` so the universe has a realistic spread of names
//! (cheap and expensive, calm and wild, index-like, and illiquid ones that liquidity
//! gates must reject).

use crate::market::rng::Rng;

/// Purpose key of the profile stream.
const PROFILE_STREAM: u64 = 0x5052_4f46; // "PROF"

/// What kind of name a synthetic symbol imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Broad index fund: low vol, very liquid, a steady dividend.
    IndexLike,
    /// An ordinary stock.
    Stock,
    /// A thinly traded stock (options mostly without volume).
    Illiquid,
}

/// The fixed traits of one synthetic symbol.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    pub ticker: String,
    pub style: Style,
    /// Long-run price level the path reverts to ($3–$900).
    pub level: f64,
    /// Calm-regime annual volatility.
    pub vol: f64,
    /// Continuous dividend yield.
    pub dividend_yield: f64,
    /// Average daily dollar volume.
    pub dollar_volume: f64,
}

/// The ticker of synthetic symbol `index`: `SYN` and at least four digits, which no
/// exchange lists.
pub(crate) fn ticker(index: usize) -> String {
    format!("SYN{index:04}")
}

/// Parse a synthetic ticker back to its index.
pub(crate) fn index_of(ticker: &str) -> Option<usize> {
    let digits = ticker.strip_prefix("SYN")?;
    if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let i: usize = digits.parse().ok()?;
    (self::ticker(i) == ticker).then_some(i)
}

/// Draw the profile of symbol `index` for `seed`.
pub(crate) fn profile(seed: u64, index: usize) -> Profile {
    let mut r = Rng::stream(seed ^ PROFILE_STREAM, index as u64);
    let u = r.uniform();
    let style = if u < 0.04 {
        Style::IndexLike
    } else if u < 0.22 {
        Style::Illiquid
    } else {
        Style::Stock
    };
    let (level, vol, dollar_volume, dividend_yield) = match style {
        Style::IndexLike => (
            r.log_range(40.0, 500.0),
            r.range(0.11, 0.20),
            r.log_range(5e8, 2e10),
            r.range(0.012, 0.022),
        ),
        Style::Stock => {
            let level = r.log_range(3.0, 900.0);
            // Cheaper names are wilder: 25–45% for large caps up to 50–110% under $10.
            let cheap = (libm::log(900.0 / level) / libm::log(300.0)).clamp(0.0, 1.0);
            let vol = r.range(0.20, 0.45) + cheap * r.range(0.0, 0.65);
            let dy = if r.chance(0.45) {
                r.range(0.004, 0.045)
            } else {
                0.0
            };
            (level, vol, r.log_range(2e7, 1e10), dy)
        }
        Style::Illiquid => {
            let level = r.log_range(3.0, 120.0);
            let dy = if r.chance(0.3) {
                r.range(0.01, 0.06)
            } else {
                0.0
            };
            (level, r.range(0.30, 0.90), r.log_range(2e5, 2e7), dy)
        }
    };
    Profile {
        ticker: ticker(index),
        style,
        level,
        vol,
        dividend_yield,
        dollar_volume,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickers_round_trip_and_reject_lookalikes() {
        assert_eq!(ticker(7), "SYN0007");
        assert_eq!(ticker(12345), "SYN12345");
        assert_eq!(index_of("SYN0007"), Some(7));
        assert_eq!(index_of("SYN12345"), Some(12345));
        for bad in ["SYN7", "SYN00007", "AAPL", "SYN00a7", "SYN"] {
            assert_eq!(index_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn universe_has_a_realistic_spread() {
        let ps: Vec<Profile> = (0..2000).map(|i| profile(7, i)).collect();
        assert!(ps.iter().all(|p| (3.0..=900.0).contains(&p.level)));
        let count = |s: Style| ps.iter().filter(|p| p.style == s).count();
        assert!(
            count(Style::IndexLike) >= 40,
            "index-like {}",
            count(Style::IndexLike)
        );
        assert!(
            count(Style::Illiquid) >= 250,
            "illiquid {}",
            count(Style::Illiquid)
        );
        assert!(ps.iter().any(|p| p.level < 10.0) && ps.iter().any(|p| p.level > 500.0));
        assert!(ps.iter().filter(|p| p.dividend_yield == 0.0).count() > 500);
        assert!(ps.iter().all(|p| p.vol > 0.1 && p.vol < 1.2));
    }
}
