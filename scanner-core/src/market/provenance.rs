//! Where a symbol's data came from. A chain of real vendor or file quotes and a chain the
//! generator built on a real history look alike once parsed, so every source says which
//! it served and the scan reports it (`metadata.provenance`, each opportunity's
//! `quoteSource`).

use serde::{Deserialize, Serialize};

/// The origin of one symbol's history or chain.
///
/// ```
/// use scanner_core::market::Origin;
/// let o = Origin::File("Stocks/aapl.us.txt".into());
/// assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"kind":"file","source":"Stocks/aapl.us.txt"}"#);
/// assert!(o.is_real() && !Origin::Generated.is_real());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "source", rename_all = "lowercase")]
pub enum Origin {
    /// Fetched from a market-data vendor (its name).
    Vendor(String),
    /// Read from files (their paths, relative to the folder the source was opened on).
    File(String),
    /// Handed over by the host application (Python or JS tables).
    Host,
    /// Made up by optscan (the synthetic market or the chain generator): not market data.
    Generated,
}

impl Origin {
    /// Whether this is market data (a vendor, files or the host) rather than generated.
    pub fn is_real(&self) -> bool {
        !matches!(self, Origin::Generated)
    }
}

/// A symbol's chain and history origins, as listed in `metadata.provenance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SymbolProvenance {
    /// Where the option chain (the quotes) came from.
    pub chain: Origin,
    /// Where the daily history came from.
    pub history: Origin,
}

impl SymbolProvenance {
    /// Both from one vendor.
    pub fn vendor(name: &str) -> Self {
        Self {
            chain: Origin::Vendor(name.to_owned()),
            history: Origin::Vendor(name.to_owned()),
        }
    }

    /// What each opportunity of this symbol reports as `quoteSource`.
    pub fn quote_source(&self) -> QuoteSource {
        if self.chain.is_real() {
            QuoteSource::Real
        } else {
            QuoteSource::Generated
        }
    }
}

/// Whether an opportunity's quote is market data or generated (`quoteSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteSource {
    /// A quote from a vendor, a snapshot file or the host.
    Real,
    /// A quote the chain generator or the synthetic market made up.
    Generated,
}
