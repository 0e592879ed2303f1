//! Accepting connections so that no client can take them all: a deadline for
//! a request's headers (which also closes a kept-alive connection left idle),
//! a cap on connections per client address and one below the process's file
//! descriptor limit, and a deadline after which a shutdown drops whatever is
//! still open.
//!
//! axum's own `serve` has none of these knobs, so connections are accepted
//! here and each is served by hyper with axum's router as the service.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::client::{TrustedProxies, key_of};
use crate::config::Config;

/// File descriptors kept back from connections: the index's files, the query
/// log, the content watcher, the model.
const RESERVED_DESCRIPTORS: usize = 128;

/// How connections are bounded (see the settings of the same names).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub per_client: usize,
    pub total: usize,
    pub shutdown_timeout: Duration,
}

impl Limits {
    pub fn of(config: &Config) -> Limits {
        let total = match config.max_connections {
            0 => descriptor_limit().map_or(1024, |n| n.saturating_sub(RESERVED_DESCRIPTORS).max(16)),
            n => n,
        };
        Limits {
            header_read_timeout: Duration::from_millis(config.header_read_timeout_ms),
            per_client: if config.max_connections_per_client == 0 { usize::MAX } else { config.max_connections_per_client },
            total,
            shutdown_timeout: Duration::from_millis(config.shutdown_timeout_ms),
        }
    }
}

/// The soft limit on open files of this process, from /proc/self/limits.
fn descriptor_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Connections open per client address (an IPv6 client's /64).
#[derive(Default)]
struct Clients(Mutex<HashMap<IpAddr, usize>>);

/// One connection of a client, counted until it is dropped.
struct ClientSlot {
    clients: Arc<Clients>,
    ip: IpAddr,
}

impl Clients {
    fn take(self: &Arc<Clients>, ip: IpAddr, cap: usize) -> Option<ClientSlot> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(ClientSlot { clients: self.clone(), ip })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self.clients.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes;
/// then requests in flight finish, for at most `limits.shutdown_timeout`.
/// A trusted proxy's connections carry many customers: they are not capped
/// per client (the proxy's own limits apply), only in all.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, proxies: Arc<TrustedProxies>, shutdown: impl Future<Output = ()>) {
    let total = Arc::new(Semaphore::new(limits.total));
    let clients = Arc::new(Clients::default());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or memory: wait for some to close
                    // rather than spin on the error.
                    tracing::warn!(error = %e, "cannot accept a connection; retrying shortly");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = total.clone().try_acquire_owned() else {
            tracing::warn!(%peer, limit = limits.total, "too many connections; refused");
            continue;
        };
        let cap = if proxies.contains(peer.ip()) { usize::MAX } else { limits.per_client };
        let Some(slot) = clients.take(key_of(peer.ip()), cap) else {
            tracing::warn!(%peer, limit = limits.per_client, "too many connections from one client; refused");
            continue;
        };
        // The client's address, as axum's `ConnectInfo` extractor reads it.
        let service = TowerToHyperService::new(tower::ServiceExt::map_request(app.clone(), move |mut request: axum::extract::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            request
        }));
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop((permit, slot));
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_timeout) => {
            tracing::warn!(after_ms = limits.shutdown_timeout.as_millis() as u64, "connections still open at the shutdown deadline are dropped");
        }
    }
}
