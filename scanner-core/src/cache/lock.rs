//! Writer leases with liveness: a per-mode lock row with a short expiry, kept alive by a
//! heartbeat while its holder works, so two overlapping writers never both scan and save,
//! and a writer that dies frees the mode within one TTL.
//!
//! A lease row (not a session advisory lock) is used because it holds through a
//! transaction-mode pooler, where a session lock would be released with whichever backend
//! the pooler happened to lend. A holder on this machine that is gone is recognised at once
//! (`holder.rs`); a save under a lease re-checks it inside the save transaction (a fence),
//! so a holder that lost its lease can never overwrite a newer writer's scan.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::backend::StoreBackend;
use super::holder;
use crate::model::FilterMode;
use crate::{Error, ErrorKind, Result};

/// The default lease TTL: a holder that stops renewing frees its mode this long after its
/// last heartbeat (every third of the TTL).
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(30);

/// The longest TTL accepted (a longer one would keep a crashed writer's mode locked for
/// longer than any scan cycle).
pub const MAX_LEASE_TTL: Duration = Duration::from_secs(3600);

/// The lock name for scanning and saving `mode`.
pub(crate) fn scan_lock_name(mode: FilterMode) -> String {
    format!("scan:{}", mode.as_str())
}

/// What a fenced save checks inside its transaction: the lease is still this holder's.
#[derive(Debug, Clone)]
pub(crate) struct Fence {
    pub name: String,
    pub holder: String,
    pub ttl: Duration,
}

impl Fence {
    /// Lease `name` for a new holder of this process.
    pub(crate) fn new(name: String, ttl: Duration) -> Self {
        Self {
            name,
            holder: holder::new_holder(),
            ttl,
        }
    }
}

/// A held writer lease, renewed in the background every third of its TTL until released.
/// Dropping it releases it in the background (when a tokio runtime is running);
/// [`WriterLease::release`] releases it and reports errors. Either way the heartbeat stops
/// at once, and a lease whose release failed is taken back by the next acquire in this
/// process or expires after its TTL.
#[must_use = "the lease is released when dropped"]
pub struct WriterLease {
    backend: Arc<dyn StoreBackend>,
    fence: Fence,
    lost: Arc<AtomicBool>,
    heartbeat: tokio::task::JoinHandle<()>,
    released: bool,
}

impl std::fmt::Debug for WriterLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterLease")
            .field("name", &self.fence.name)
            .field("holder", &self.fence.holder)
            .field("ttl", &self.fence.ttl)
            .field("lost", &self.is_lost())
            .finish()
    }
}

/// Reject TTLs that are zero, sub-second or absurdly long.
pub(crate) fn check_ttl(ttl: Duration) -> Result<()> {
    if ttl < Duration::from_secs(1) || ttl > MAX_LEASE_TTL {
        return Err(Error::invalid_input(format!(
            "lease TTL must be between 1 s and {} s, got {:?}",
            MAX_LEASE_TTL.as_secs(),
            ttl
        )));
    }
    Ok(())
}

impl WriterLease {
    /// Take lease `name`, or fail with [`ErrorKind::Busy`] when a live holder has it.
    pub(crate) async fn acquire(
        backend: Arc<dyn StoreBackend>,
        name: String,
        ttl: Duration,
    ) -> Result<Self> {
        check_ttl(ttl)?;
        let fence = Fence::new(name, ttl);
        let taken = backend
            .try_lease(&fence.name, &fence.holder, fence.ttl)
            .await?;
        Self::settle(backend, fence, taken).await
    }

    /// Finish taking `fence`'s lease after an attempt that `taken` reports: a lease whose
    /// holder is a dead process of this machine is taken over, a live holder's is
    /// [`ErrorKind::Busy`]. A taken lease starts its heartbeat.
    pub(crate) async fn settle(
        backend: Arc<dyn StoreBackend>,
        fence: Fence,
        mut taken: bool,
    ) -> Result<Self> {
        if !taken {
            if let Some(current) = backend.lease_holder(&fence.name).await? {
                if holder::is_dead(&current) {
                    taken = backend
                        .steal_lease(&fence.name, &current, &fence.holder, fence.ttl)
                        .await?;
                }
            }
        }
        if !taken {
            return Err(Error::new(
                ErrorKind::Busy,
                format!("another writer holds the lease {:?}", fence.name),
            ));
        }
        holder::set_live(&fence.holder, true);
        let lost = Arc::new(AtomicBool::new(false));
        let heartbeat = tokio::spawn(heartbeat(
            Arc::clone(&backend),
            fence.clone(),
            Arc::clone(&lost),
        ));
        Ok(Self {
            backend,
            fence,
            lost,
            heartbeat,
            released: false,
        })
    }

    /// The lock's name (`scan:strict`, `scan:relaxed`).
    pub fn name(&self) -> &str {
        &self.fence.name
    }

    /// The lease's time to live; the heartbeat renews it every third of that.
    pub fn ttl(&self) -> Duration {
        self.fence.ttl
    }

    /// True once a renewal found the lease taken by another writer (it had expired while
    /// this holder could not reach the database). A save under a lost lease fails.
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// Extend the lease by its TTL from now (the heartbeat does this on its own). Fails with
    /// [`ErrorKind::Busy`] if it expired and someone else took it meanwhile.
    pub async fn renew(&self) -> Result<()> {
        let f = &self.fence;
        if self.backend.try_lease(&f.name, &f.holder, f.ttl).await? {
            Ok(())
        } else {
            self.lost.store(true, Ordering::SeqCst);
            Err(lost_error(&f.name))
        }
    }

    pub(crate) fn fence(&self) -> &Fence {
        &self.fence
    }

    /// Give the lease back now.
    pub async fn release(mut self) -> Result<()> {
        self.released = true;
        self.heartbeat.abort();
        holder::set_live(&self.fence.holder, false);
        self.backend
            .release_lease(&self.fence.name, &self.fence.holder)
            .await
    }
}

/// Give back `leases` and the `taken` fences that never became leases, in one operation.
pub(crate) async fn release_all(
    backend: &dyn StoreBackend,
    leases: Vec<WriterLease>,
    taken: Vec<Fence>,
) -> Result<()> {
    let mut fences = taken;
    for mut l in leases {
        l.released = true;
        l.heartbeat.abort();
        holder::set_live(&l.fence.holder, false);
        fences.push(l.fence.clone());
    }
    if fences.is_empty() {
        return Ok(());
    }
    backend.release_leases(&fences).await
}

pub(crate) fn lost_error(name: &str) -> Error {
    Error::new(
        ErrorKind::Busy,
        format!("lease {name:?} expired and was taken by another writer"),
    )
}

/// Renew every third of the TTL until aborted or until another writer took the lease.
/// A failed renewal (database unreachable) is retried on the next beat: the lease stays
/// ours until it expires, and even then the row keeps our name until someone else takes it.
async fn heartbeat(backend: Arc<dyn StoreBackend>, fence: Fence, lost: Arc<AtomicBool>) {
    let every = (fence.ttl / 3).max(Duration::from_millis(100));
    loop {
        tokio::time::sleep(every).await;
        if let Ok(false) = backend
            .try_lease(&fence.name, &fence.holder, fence.ttl)
            .await
        {
            lost.store(true, Ordering::SeqCst);
            return;
        }
    }
}

impl Drop for WriterLease {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        self.heartbeat.abort();
        holder::set_live(&self.fence.holder, false);
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let backend = Arc::clone(&self.backend);
            let (name, holder) = (self.fence.name.clone(), self.fence.holder.clone());
            // Best effort: if this never runs, the next acquire in this process takes the
            // lease back, and other processes see it expire.
            handle.spawn(async move {
                let _ = backend.release_lease(&name, &holder).await;
            });
        }
    }
}
