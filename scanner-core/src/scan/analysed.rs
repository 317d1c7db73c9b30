//! The contracts of one symbol analysed once for every mode, kept in chain-index order: read
//! by index, built in one exact-size allocation, without sorting or moving the (large)
//! analyses again as a map would.

use std::ops::Index;

use super::contract::{ContractAnalysis, Drop};

/// Each analysed contract's chain index and its analysis, or why it was dropped.
pub(crate) struct Analysed(Vec<(usize, Result<ContractAnalysis, Drop>)>);

impl Analysed {
    /// `indices` (strictly increasing chain indices) analysed by `analyse`.
    pub(crate) fn new(
        indices: &[usize],
        mut analyse: impl FnMut(usize) -> Result<ContractAnalysis, Drop>,
    ) -> Self {
        debug_assert!(indices.windows(2).all(|w| w[0] < w[1]));
        Self(indices.iter().map(|&i| (i, analyse(i))).collect())
    }

    /// The analysis of chain index `i`, if it was analysed.
    pub(crate) fn get(&self, i: usize) -> Option<&Result<ContractAnalysis, Drop>> {
        self.0
            .binary_search_by_key(&i, |e| e.0)
            .ok()
            .map(|k| &self.0[k].1)
    }
}

impl Index<usize> for Analysed {
    type Output = Result<ContractAnalysis, Drop>;

    /// The analysis of chain index `i`, which the caller took from the analysed indices.
    fn index(&self, i: usize) -> &Self::Output {
        self.get(i)
            .expect("only contracts of the analysed set are looked up")
    }
}
