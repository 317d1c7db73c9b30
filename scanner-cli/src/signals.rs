//! SIGTERM and SIGINT as a future, and as a cancellation of a running scan, so every
//! command stops cleanly and gives back its leases.

use scanner_core::scan::CancelToken;

/// Resolves on the first SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = tokio::signal::ctrl_c() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Cancels `token` on the first signal, until dropped.
pub struct CancelOnSignal(tokio::task::JoinHandle<()>);

impl CancelOnSignal {
    /// Start watching for a signal.
    pub fn new(token: CancelToken) -> Self {
        Self(tokio::spawn(async move {
            shutdown().await;
            eprintln!("signal received: cancelling the scan and releasing its leases");
            token.cancel();
        }))
    }
}

impl Drop for CancelOnSignal {
    fn drop(&mut self) {
        self.0.abort();
    }
}
