//! Which symbols one run scans. With `max_symbols` below the universe size, runs rotate
//! round-robin; the position is supplied and returned by the caller so the cache store can
//! persist it (the original kept it in a local file, so every ephemeral cron run scanned
//! the same 15 names).

use serde::{Deserialize, Serialize};

/// The symbols of one run and where the next run starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    /// Symbols to scan now, in universe order starting at the rotation position.
    pub symbols: Vec<String>,
    /// The rotation position the next run should pass in.
    pub next_position: usize,
    /// Size of the universe the batch was drawn from.
    pub universe_size: usize,
}

/// Take the next round-robin batch of at most `max_symbols` from `universe` (de-duplicated,
/// order kept), starting at `position` (taken modulo the universe size) and wrapping around.
///
/// ```
/// use scanner_core::scan::next_batch;
/// let u: Vec<String> = ["A", "B", "C", "D", "E"].iter().map(|s| s.to_string()).collect();
/// let b = next_batch(&u, Some(2), 4);
/// assert_eq!(b.symbols, ["E", "A"]);
/// assert_eq!(b.next_position, 1);
/// let all = next_batch(&u, None, 3);
/// assert_eq!(all.symbols.len(), 5);
/// ```
pub fn next_batch(universe: &[String], max_symbols: Option<usize>, position: usize) -> Batch {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<&String> = universe
        .iter()
        .filter(|s| seen.insert(s.as_str()))
        .collect();
    let n = unique.len();
    let take = max_symbols.unwrap_or(n).min(n);
    if n == 0 || take == n {
        return Batch {
            symbols: unique.into_iter().cloned().collect(),
            next_position: 0,
            universe_size: n,
        };
    }
    let start = position % n;
    let symbols = (0..take).map(|i| unique[(start + i) % n].clone()).collect();
    Batch {
        symbols,
        next_position: (start + take) % n,
        universe_size: n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successive_runs_cover_the_whole_universe() {
        let u: Vec<String> = (0..155).map(|i| format!("S{i:03}")).collect();
        let mut pos = 0;
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..11 {
            let b = next_batch(&u, Some(15), pos);
            assert_eq!(b.symbols.len(), 15);
            seen.extend(b.symbols);
            pos = b.next_position;
        }
        assert_eq!(seen.len(), 155, "11 runs of 15 must visit all 155 symbols");
    }

    #[test]
    fn duplicates_and_out_of_range_positions_are_harmless() {
        let u: Vec<String> = ["A", "B", "A", "C"].iter().map(|s| s.to_string()).collect();
        let b = next_batch(&u, Some(2), 7);
        assert_eq!(b.universe_size, 3);
        assert_eq!(b.symbols, ["B", "C"]);
    }
}
