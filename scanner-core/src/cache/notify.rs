//! Push updates: [`ScanSubscription`] yields every newly saved scan.
//!
//! PostgreSQL uses LISTEN on `optscan_scans` (fed by the insert trigger), which needs a
//! direct or session-mode connection; after a dropped connection it reconnects and catches
//! up from the table, so no saved scan is skipped. SQLite (and PostgreSQL behind a
//! transaction-mode pooler, where LISTEN cannot work) polls the table instead.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;
use uuid::Uuid;

use super::backend::StoreBackend;
use super::types::ScanNotice;
use super::ScanStore;
use crate::Result;
#[cfg(feature = "postgres")]
use crate::{Error, ErrorKind};

/// A stream of [`ScanNotice`]s for scans saved after [`ScanStore::subscribe`] returned.
pub struct ScanSubscription {
    backend: Arc<dyn StoreBackend>,
    cursor: Option<i64>,
    buffer: VecDeque<ScanNotice>,
    seen: HashSet<Uuid>,
    poll_interval: Duration,
    #[cfg(feature = "postgres")]
    listen: Option<Listen>,
}

#[cfg(feature = "postgres")]
struct Listen {
    pg: Arc<super::postgres::PostgresBackend>,
    listener: Option<sqlx::postgres::PgListener>,
}

impl std::fmt::Debug for ScanSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanSubscription")
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl ScanStore {
    /// Subscribe to newly saved scans: polls the table every
    /// [`super::StoreOptions::poll_interval`]. With [`super::PoolerMode::Direct`] it LISTENs
    /// instead (push, no polling), and reads the table as well after four poll intervals
    /// without a notice. LISTEN is never used otherwise: behind a transaction-mode pooler the
    /// listening server connection is handed to other clients, whose queries would then
    /// receive its notifications.
    pub async fn subscribe(&self) -> Result<ScanSubscription> {
        let mut sub = ScanSubscription {
            backend: Arc::clone(&self.inner.backend),
            cursor: None,
            buffer: VecDeque::new(),
            seen: HashSet::new(),
            poll_interval: self.inner.opts.poll_interval,
            #[cfg(feature = "postgres")]
            listen: None,
        };
        #[cfg(feature = "postgres")]
        if let Some(pg) = &self.inner.pg {
            if !pg.transaction_mode {
                let mut listen = Listen {
                    pg: Arc::clone(pg),
                    listener: None,
                };
                listen.connect().await?;
                sub.listen = Some(listen);
            }
        }
        // Start the table cursor after LISTEN is active, so nothing falls in between; what
        // exists now is not news.
        let existing = sub.backend.poll_notices(&mut sub.cursor).await?;
        sub.seen.extend(existing.iter().map(|n| n.scan_id));
        Ok(sub)
    }
}

#[cfg(feature = "postgres")]
impl Listen {
    async fn connect(&mut self) -> Result<()> {
        let err = |e| super::backend::db_error(self.pg.secret(), "listening for new scans", e);
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pg.pool)
            .await
            .map_err(err)?;
        listener
            .listen(super::postgres::CHANNEL)
            .await
            .map_err(err)?;
        self.listener = Some(listener);
        Ok(())
    }
}

#[cfg(feature = "postgres")]
#[derive(serde::Deserialize)]
struct Payload {
    scan_id: Uuid,
    filter_mode: crate::model::FilterMode,
    scan_timestamp: chrono::DateTime<chrono::Utc>,
}

impl ScanSubscription {
    /// The next newly saved scan. Waits as long as it takes; reconnects after a dropped
    /// connection (returning an error only when reconnecting keeps failing).
    pub async fn next(&mut self) -> Result<ScanNotice> {
        loop {
            while let Some(n) = self.buffer.pop_front() {
                if self.seen.insert(n.scan_id) {
                    return Ok(n);
                }
            }
            #[cfg(feature = "postgres")]
            if self.listen.is_some() {
                // An undetected pooler may swallow notifications: read the table as well
                // when none arrives for a while.
                let wait = self.poll_interval.saturating_mul(4);
                if let Ok(received) = tokio::time::timeout(wait, self.next_listen()).await {
                    received?;
                    continue;
                }
            }
            let fresh = self.backend.poll_notices(&mut self.cursor).await?;
            if fresh.is_empty() {
                tokio::time::sleep(self.poll_interval).await;
            }
            self.buffer.extend(fresh);
        }
    }

    /// Turn the subscription into a `Stream` of notices.
    pub fn into_stream(self) -> impl Stream<Item = Result<ScanNotice>> + Send {
        futures_util::stream::unfold(self, |mut sub| async move {
            let item = sub.next().await;
            Some((item, sub))
        })
    }

    /// Receive one notification into the buffer, or reconnect and catch up.
    #[cfg(feature = "postgres")]
    async fn next_listen(&mut self) -> Result<()> {
        let Some(listen) = self.listen.as_mut() else {
            return Ok(());
        };
        if let Some(listener) = listen.listener.as_mut() {
            match listener.try_recv().await {
                Ok(Some(n)) => {
                    let p: Payload = serde_json::from_str(n.payload()).map_err(|e| {
                        Error::new(ErrorKind::Database, format!("malformed scan notice: {e}"))
                    })?;
                    self.buffer.push_back(ScanNotice {
                        scan_id: p.scan_id,
                        filter_mode: p.filter_mode,
                        scan_timestamp: p.scan_timestamp,
                    });
                    return Ok(());
                }
                // The connection dropped (or was terminated): reconnect below.
                Ok(None) | Err(_) => listen.listener = None,
            }
        }
        let mut delay = Duration::from_millis(50);
        let mut attempts = 0;
        loop {
            match listen.connect().await {
                Ok(()) => break,
                Err(e) if attempts >= 8 => return Err(e),
                Err(_) => {
                    attempts += 1;
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
        // Notices sent while we were away are lost; read them from the table instead.
        let missed = self.backend.poll_notices(&mut self.cursor).await?;
        self.buffer.extend(missed);
        Ok(())
    }
}
