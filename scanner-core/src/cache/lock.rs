//! Writer leases: a per-mode lock row with an expiry, so two overlapping worker runs never
//! both scan and save.
//!
//! A lease row (not a session advisory lock) is used because it holds through a
//! transaction-mode pooler, where a session lock would be released with whichever backend
//! the pooler happened to lend. A crashed holder's lease simply expires.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use super::backend::StoreBackend;
use crate::model::FilterMode;
use crate::{Error, ErrorKind, Result};

/// The lock name for scanning and saving `mode`.
pub(crate) fn scan_lock_name(mode: FilterMode) -> String {
    format!("scan:{}", mode.as_str())
}

/// A held writer lease. Dropping it releases the lease in the background (when a tokio
/// runtime is running); [`WriterLease::release`] releases it and reports errors.
#[must_use = "the lease is released when dropped"]
pub struct WriterLease {
    backend: Arc<dyn StoreBackend>,
    name: String,
    holder: String,
    lease: Duration,
    released: bool,
}

impl std::fmt::Debug for WriterLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterLease")
            .field("name", &self.name)
            .field("holder", &self.holder)
            .field("lease", &self.lease)
            .finish()
    }
}

impl WriterLease {
    /// Take lease `name`, or fail with [`ErrorKind::Busy`] when another holder has it.
    pub(crate) async fn acquire(
        backend: Arc<dyn StoreBackend>,
        name: String,
        lease: Duration,
    ) -> Result<Self> {
        if lease.is_zero() {
            return Err(Error::invalid_input(
                "writer lease must be longer than zero",
            ));
        }
        let holder = format!("{}:{}", std::process::id(), Uuid::new_v4());
        if backend.try_lease(&name, &holder, lease).await? {
            Ok(Self {
                backend,
                name,
                holder,
                lease,
                released: false,
            })
        } else {
            Err(Error::new(
                ErrorKind::Busy,
                format!("another writer holds the lease {name:?}"),
            ))
        }
    }

    /// The lock's name (`scan:strict`, `scan:relaxed`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Extend the lease by its original length from now. Fails with [`ErrorKind::Busy`] if
    /// it expired and someone else took it meanwhile.
    pub async fn renew(&self) -> Result<()> {
        if self
            .backend
            .try_lease(&self.name, &self.holder, self.lease)
            .await?
        {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Busy,
                format!(
                    "lease {:?} expired and was taken by another writer",
                    self.name
                ),
            ))
        }
    }

    /// Give the lease back now.
    pub async fn release(mut self) -> Result<()> {
        self.released = true;
        self.backend.release_lease(&self.name, &self.holder).await
    }
}

impl Drop for WriterLease {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let backend = Arc::clone(&self.backend);
            let (name, holder) = (self.name.clone(), self.holder.clone());
            // Best effort: if this fails the lease still expires on its own.
            handle.spawn(async move {
                let _ = backend.release_lease(&name, &holder).await;
            });
        }
    }
}
