//! The database steps of a scheduled cycle as three batched operations — take every mode's
//! lease (and read the rotation), write everything the cycle produced, give the leases back —
//! so that a worker 50 ms from its database pays a handful of round trips per cycle, not one
//! per mode and table.
//!
//! Each step has a sequential default made of the single-row operations (SQLite, where a
//! round trip is free, and the fallbacks); PostgreSQL sends each as one statement.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::backend::{AuxRows, ScanRows};
use super::lock::Fence;
use super::types::RotationState;
use crate::model::{FilterMode, ScanResult};
use crate::{ErrorKind, Result};

/// What [`CycleRows::begin_cycle`] found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CycleStart {
    /// Per fence, in order: whether its lease was taken (free, expired or already ours).
    pub taken: Vec<bool>,
    /// The rotation state of the mode asked for, if it has one.
    pub rotation: Option<RotationState>,
}

/// One scan to save under its lease.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FencedSave<'a> {
    pub result: &'a ScanResult,
    pub degraded: bool,
    pub fence: &'a Fence,
}

/// Everything a cycle writes at its end. The rotation and the IVs are written only when
/// every save's lease still held.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CycleEnd<'a> {
    pub saves: &'a [FencedSave<'a>],
    /// The new rotation state of each of these modes.
    pub rotation: Option<(&'a [FilterMode], &'a RotationState)>,
    /// The day's ATM IVs to record (replacing that day's).
    pub ivs: Option<(NaiveDate, &'a [(String, f64)])>,
}

/// The batched cycle steps. Every method is idempotent, so a failed call can be retried whole.
#[async_trait]
pub(crate) trait CycleRows: ScanRows + AuxRows {
    /// Try to take every fence's lease, and read `rotation`'s state, in one operation.
    async fn begin_cycle(
        &self,
        fences: &[Fence],
        rotation: Option<FilterMode>,
    ) -> Result<CycleStart> {
        begin_one_by_one(self, fences, rotation).await
    }

    /// Save every scan under its fence, then (if every fence held) the rotation and the IVs.
    /// Returns, per save, whether its lease still held (a save whose lease was taken by
    /// another writer writes nothing).
    async fn finish_cycle(&self, end: CycleEnd<'_>) -> Result<Vec<bool>> {
        finish_one_by_one(self, end).await
    }

    /// Give back every lease still held by its fence's holder.
    async fn release_leases(&self, fences: &[Fence]) -> Result<()> {
        for f in fences {
            self.release_lease(&f.name, &f.holder).await?;
        }
        Ok(())
    }
}

/// [`CycleRows::begin_cycle`] as single-row operations.
pub(crate) async fn begin_one_by_one<B: CycleRows + ?Sized>(
    b: &B,
    fences: &[Fence],
    rotation: Option<FilterMode>,
) -> Result<CycleStart> {
    let mut taken = Vec::with_capacity(fences.len());
    for f in fences {
        taken.push(b.try_lease(&f.name, &f.holder, f.ttl).await?);
    }
    let rotation = match rotation {
        Some(mode) => b.rotation(mode).await?,
        None => None,
    };
    Ok(CycleStart { taken, rotation })
}

/// [`CycleRows::finish_cycle`] as single-row operations.
pub(crate) async fn finish_one_by_one<B: CycleRows + ?Sized>(
    b: &B,
    end: CycleEnd<'_>,
) -> Result<Vec<bool>> {
    let mut held = Vec::with_capacity(end.saves.len());
    for s in end.saves {
        match b.save(s.result, s.degraded, Some(s.fence)).await {
            Ok(()) => held.push(true),
            Err(e) if e.kind() == ErrorKind::Busy => held.push(false),
            Err(e) => return Err(e),
        }
    }
    if held.iter().all(|&h| h) {
        if let Some((modes, state)) = end.rotation {
            for &m in modes {
                b.set_rotation(m, state).await?;
            }
        }
        if let Some((date, ivs)) = end.ivs {
            b.record_ivs(date, ivs).await?;
        }
    }
    Ok(held)
}
