//! Every contract a scan evaluated, kept compactly as typed columns: what a screener filters
//! and sorts, long after the scan kept only its top opportunities.
//!
//! In memory each numeric field is one `Vec<f32>` (a filter scans one contiguous column).
//! Stored, the set is one versioned blob: a symbol dictionary, then each column in turn,
//! little-endian, float columns split into byte planes (the high bytes of similar numbers
//! repeat), all deflated. See README "Screening" for the measured bytes per candidate.

use std::collections::HashMap;
use std::io::{Read, Write};

use crate::market::quality::QualityTier;
use crate::model::OptionKind;
use crate::{Error, Result};

/// Blob format version written first; readers reject others.
const FORMAT: u8 = 1;

macro_rules! fields {
    ($($(#[$doc:meta])* $v:ident = $name:literal),* $(,)?) => {
        /// A numeric field of a candidate, named as in the opportunity schema.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ScreenField { $($(#[$doc])* $v),* }

        impl ScreenField {
            /// Every field, in column order.
            pub const ALL: &'static [ScreenField] = &[$(ScreenField::$v),*];

            /// The camelCase name (as in the opportunity JSON).
            pub fn as_str(self) -> &'static str {
                match self { $(ScreenField::$v => $name),* }
            }
        }
    };
}

fields! {
    /// Strike per share.
    Strike = "strike",
    /// Entry price per contract.
    Premium = "premium",
    /// Bid per contract.
    Bid = "bid",
    /// Ask per contract.
    Ask = "ask",
    /// Underlying price per share.
    StockPrice = "stockPrice",
    /// Implied volatility, annual decimal.
    ImpliedVolatility = "impliedVolatility",
    /// Delta.
    Delta = "delta",
    /// Gamma.
    Gamma = "gamma",
    /// Theta per calendar day.
    Theta = "theta",
    /// Vega per vol point.
    Vega = "vega",
    /// Probability of profit at expiry, percent.
    ProbabilityOfProfit = "probabilityOfProfit",
    /// Expected value per contract, dollars.
    ExpectedValueAmount = "expectedValueAmount",
    /// Legacy 0–100 score.
    Score = "score",
    /// Risk-adjusted 0–100 score.
    RiskAdjustedScore = "riskAdjustedScore",
    /// Data-quality score 0–100.
    QualityScore = "qualityScore",
    /// Calendar days to expiration.
    DaysToExpiration = "daysToExpiration",
    /// Contracts traded.
    Volume = "volume",
    /// Open interest.
    OpenInterest = "openInterest",
    /// Mid per contract, `(bid + ask) / 2` (derived).
    Mid = "mid",
    /// Volume / open interest (derived; 0 without open interest).
    VolumeOiRatio = "volumeOiRatio",
}

/// Fields computed from others on load, never stored.
const DERIVED: usize = 2;

impl std::str::FromStr for ScreenField {
    type Err = Error;

    /// A field by its camelCase name (`expectedValue` is accepted for `expectedValueAmount`).
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        if s == "expectedValue" {
            return Ok(Self::ExpectedValueAmount);
        }
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|f| f.as_str()).collect();
                Error::invalid_input(format!(
                    "unknown screen field {s:?}; fields: {}",
                    names.join(", ")
                ))
            })
    }
}

/// One evaluated contract, as handed to [`CandidateSet::push`].
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateRow<'a> {
    /// Underlying ticker.
    pub symbol: &'a str,
    /// Call or put.
    pub kind: OptionKind,
    /// Expiration, days since 1970-01-01.
    pub expiration_days: i32,
    /// Data-quality tier.
    pub tier: QualityTier,
    /// Values of every stored field, in [`ScreenField::ALL`] order (derived fields excluded).
    pub values: [f64; STORED],
}

/// Number of stored numeric fields.
pub const STORED: usize = ScreenField::ALL.len() - DERIVED;

const TIERS: [QualityTier; 5] = [
    QualityTier::Institutional,
    QualityTier::High,
    QualityTier::Medium,
    QualityTier::Low,
    QualityTier::Rejected,
];

/// Every candidate of one scan as typed columns. Cheap to share behind an `Arc`.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateSet {
    pub(crate) symbols: Vec<String>,
    pub(crate) symbol_idx: Vec<u32>,
    pub(crate) kinds: Vec<OptionKind>,
    pub(crate) tiers: Vec<QualityTier>,
    pub(crate) expirations: Vec<i32>,
    /// One column per [`ScreenField`], derived ones last.
    pub(crate) columns: Vec<Vec<f32>>,
    lookup: HashMap<String, u32>,
}

impl Default for CandidateSet {
    fn default() -> Self {
        Self {
            symbols: Vec::new(),
            symbol_idx: Vec::new(),
            kinds: Vec::new(),
            tiers: Vec::new(),
            expirations: Vec::new(),
            columns: vec![Vec::new(); ScreenField::ALL.len()],
            lookup: HashMap::new(),
        }
    }
}

impl CandidateSet {
    /// Number of candidates.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// True when the scan kept no candidates.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Add one candidate.
    pub fn push(&mut self, row: &CandidateRow<'_>) {
        // A symbol's name is copied once, at its first row, not looked up by a fresh copy.
        let idx = match self.lookup.get(row.symbol) {
            Some(&i) => i,
            None => {
                let next = self.symbols.len() as u32;
                self.lookup.insert(row.symbol.to_owned(), next);
                self.symbols.push(row.symbol.to_owned());
                next
            }
        };
        self.symbol_idx.push(idx);
        self.kinds.push(row.kind);
        self.tiers.push(row.tier);
        self.expirations.push(row.expiration_days);
        for (col, v) in self.columns.iter_mut().zip(row.values) {
            col.push(v as f32);
        }
        let f = |i: usize| row.values[i] as f32;
        let (bid, ask, vol, oi) = (f(2), f(3), f(16), f(17));
        self.columns[STORED].push((bid + ask) / 2.0);
        self.columns[STORED + 1].push(if oi > 0.0 { vol / oi } else { 0.0 });
    }

    /// The column of `field`.
    pub(crate) fn column(&self, field: ScreenField) -> &[f32] {
        self.columns
            .get(field as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The symbol of candidate `i`.
    pub(crate) fn symbol(&self, i: usize) -> &str {
        &self.symbols[self.symbol_idx[i] as usize]
    }

    /// The stored blob (see the module docs).
    pub fn encode(&self) -> Result<Vec<u8>> {
        let n = self.len();
        let mut raw = Vec::with_capacity(n * 48 + 64);
        raw.extend_from_slice(&(n as u32).to_le_bytes());
        raw.extend_from_slice(&(self.symbols.len() as u32).to_le_bytes());
        for s in &self.symbols {
            let b = &s.as_bytes()[..s.len().min(255)];
            raw.push(b.len() as u8);
            raw.extend_from_slice(b);
        }
        for i in &self.symbol_idx {
            raw.extend_from_slice(&i.to_le_bytes());
        }
        raw.extend(self.kinds.iter().map(|k| u8::from(*k == OptionKind::Put)));
        raw.extend(
            self.tiers
                .iter()
                .map(|t| TIERS.iter().position(|x| x == t).unwrap_or(4) as u8),
        );
        for e in &self.expirations {
            raw.extend_from_slice(&e.to_le_bytes());
        }
        for col in self.columns.iter().take(STORED) {
            for plane in 0..4 {
                raw.extend(col.iter().map(|v| v.to_le_bytes()[plane]));
            }
        }
        let mut out = vec![FORMAT];
        let mut z = flate2::write::DeflateEncoder::new(&mut out, flate2::Compression::new(6));
        z.write_all(&raw)
            .and_then(|_| z.finish().map(drop))
            .map_err(|e| Error::internal(format!("encoding candidates: {e}")))?;
        Ok(out)
    }

    /// Read a blob written by [`Self::encode`]; a damaged or unknown one is an error.
    pub fn decode(blob: &[u8]) -> Result<Self> {
        let bad = |what: &str| {
            Error::new(
                crate::ErrorKind::Database,
                format!("stored candidate set is unreadable: {what}"),
            )
        };
        match blob.first() {
            Some(&FORMAT) => {}
            Some(v) => return Err(bad(&format!("format {v} (this version reads {FORMAT})"))),
            None => return Err(bad("empty")),
        }
        let mut raw = Vec::new();
        flate2::read::DeflateDecoder::new(&blob[1..])
            .read_to_end(&mut raw)
            .map_err(|e| bad(&e.to_string()))?;
        let mut r = Reader { buf: &raw, pos: 0 };
        let n = r.u32()? as usize;
        let nsym = r.u32()? as usize;
        let mut set = CandidateSet::default();
        for _ in 0..nsym {
            let len = r.take(1)?[0] as usize;
            let s = std::str::from_utf8(r.take(len)?).map_err(|e| bad(&e.to_string()))?;
            set.lookup.insert(s.to_owned(), set.symbols.len() as u32);
            set.symbols.push(s.to_owned());
        }
        set.symbol_idx = (0..n).map(|_| r.u32()).collect::<Result<_>>()?;
        if set.symbol_idx.iter().any(|&i| i as usize >= nsym) {
            return Err(bad("symbol index out of range"));
        }
        set.kinds = r
            .take(n)?
            .iter()
            .map(|&b| {
                if b == 1 {
                    OptionKind::Put
                } else {
                    OptionKind::Call
                }
            })
            .collect();
        set.tiers = r
            .take(n)?
            .iter()
            .map(|&b| TIERS[(b as usize).min(4)])
            .collect();
        set.expirations = (0..n)
            .map(|_| r.u32().map(|v| v as i32))
            .collect::<Result<_>>()?;
        set.columns = Vec::with_capacity(ScreenField::ALL.len());
        for _ in 0..STORED {
            let planes = r.take(n * 4)?;
            set.columns.push(
                (0..n)
                    .map(|i| {
                        f32::from_le_bytes([
                            planes[i],
                            planes[n + i],
                            planes[2 * n + i],
                            planes[3 * n + i],
                        ])
                    })
                    .collect(),
            );
        }
        let (bid, ask) = (&set.columns[2], &set.columns[3]);
        let mid = bid.iter().zip(ask).map(|(b, a)| (b + a) / 2.0).collect();
        let (vol, oi) = (&set.columns[16], &set.columns[17]);
        let ratio = vol
            .iter()
            .zip(oi)
            .map(|(v, o)| if *o > 0.0 { v / o } else { 0.0 })
            .collect();
        set.columns.push(mid);
        set.columns.push(ratio);
        if r.pos != raw.len() {
            return Err(bad("trailing bytes"));
        }
        Ok(set)
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or_else(|| {
            Error::new(
                crate::ErrorKind::Database,
                "stored candidate set is unreadable: truncated",
            )
        })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(n: usize) -> CandidateSet {
        let mut set = CandidateSet::default();
        for i in 0..n {
            let mut values = [0.0; STORED];
            for (j, v) in values.iter_mut().enumerate() {
                *v = ((i * 7 + j * 13) % 97) as f64 / 3.0;
            }
            set.push(&CandidateRow {
                symbol: ["AAPL", "MSFT", "SPY"][i % 3],
                kind: if i % 2 == 0 {
                    OptionKind::Call
                } else {
                    OptionKind::Put
                },
                expiration_days: 20_000 + (i % 40) as i32,
                tier: TIERS[i % 5],
                values,
            });
        }
        set
    }

    #[test]
    fn blobs_round_trip_and_damage_is_an_error() {
        let set = sample(1000);
        let blob = set.encode().unwrap();
        assert!(CandidateSet::decode(&blob).unwrap() == set, "round trip");
        assert_eq!(
            CandidateSet::decode(&CandidateSet::default().encode().unwrap()).unwrap(),
            CandidateSet::default()
        );
        assert!(CandidateSet::decode(&blob[..blob.len() / 2]).is_err());
        assert!(CandidateSet::decode(&[9, 1, 2]).is_err());
        assert!(CandidateSet::decode(&[]).is_err());
        assert_eq!(set.symbol(1), "MSFT");
        assert_eq!(
            set.column(ScreenField::Mid)[0],
            (set.column(ScreenField::Bid)[0] + set.column(ScreenField::Ask)[0]) / 2.0
        );
    }

    #[test]
    fn fields_parse_by_schema_name() {
        assert_eq!("delta".parse::<ScreenField>().unwrap(), ScreenField::Delta);
        assert_eq!(
            "expectedValue".parse::<ScreenField>().unwrap(),
            ScreenField::ExpectedValueAmount
        );
        let e = "deltaa".parse::<ScreenField>().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert!(e.message().contains("volumeOiRatio"));
    }
}
