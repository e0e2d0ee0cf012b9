//! Caps on open connections, in all and per client address, and a write
//! deadline on every connection.
//!
//! Without caps one client can open connections until the process runs out
//! of file descriptors and every school is refused; without a write
//! deadline a client that stops reading holds its connection (and what is
//! queued for it) for ever. A connection over a cap is closed as soon as it
//! is accepted, before a byte of it is read. Trusted reverse proxies carry
//! many clients on their connections, so they count only towards the total.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Open connections, counted.
pub struct Connections {
    max_total: usize,
    max_per_address: usize,
    uncounted: Vec<IpAddr>,
    // A std mutex: counter updates only, never held across an await.
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One admitted connection; dropping it gives its place back.
pub struct Admitted {
    connections: Arc<Connections>,
    ip: IpAddr,
}

impl Connections {
    pub fn new(max_total: usize, max_per_address: usize, uncounted: Vec<IpAddr>) -> Arc<Self> {
        Arc::new(Connections {
            max_total,
            max_per_address,
            uncounted,
            open: Mutex::new((0, HashMap::new())),
        })
    }

    /// A place for a new connection from `ip`, if there is one.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Admitted> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.0 >= self.max_total {
            return None;
        }
        if !self.uncounted.contains(&ip) {
            let n = open.1.entry(ip).or_insert(0);
            if *n >= self.max_per_address {
                return None;
            }
            *n += 1;
        }
        open.0 += 1;
        Some(Admitted {
            connections: self.clone(),
            ip,
        })
    }

    /// How many are open now.
    #[cfg(test)]
    pub fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).0
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let c = &self.connections;
        let mut open = c.open.lock().unwrap_or_else(|p| p.into_inner());
        open.0 = open.0.saturating_sub(1);
        if let Some(n) = open.1.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.ip);
            }
        }
    }
}

/// The most connections this process can hold open: `wanted`, or fewer if
/// the file descriptor limit (raised as far as the system allows) is lower,
/// keeping some descriptors for files, the database and the workers.
pub fn connection_ceiling(wanted: usize) -> usize {
    const KEPT: u64 = 256;
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let usable = usize::try_from(limit.saturating_sub(KEPT)).unwrap_or(usize::MAX);
    wanted.min(usable.max(16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_capped_per_address_and_in_all_and_places_come_back() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let c = Connections::new(4, 2, vec![proxy]);
        let a: IpAddr = "10.0.0.2".parse().unwrap();
        let b: IpAddr = "10.0.0.3".parse().unwrap();
        let a1 = c.admit(a).unwrap();
        let _a2 = c.admit(a).unwrap();
        assert!(c.admit(a).is_none(), "a third from one address");
        let _b1 = c.admit(b).unwrap();
        let _p1 = c.admit(proxy).unwrap();
        assert!(c.admit(proxy).is_none(), "the total holds for proxies too");
        drop(a1);
        assert_eq!(c.open(), 3);
        assert!(c.admit(a).is_some());
    }
}

/// Open WebSockets per person, so that one account cannot hold thousands.
#[derive(Default)]
pub struct SocketsPerPerson {
    // A std mutex: counter updates only, never held across an await.
    open: Mutex<HashMap<app::UserId, usize>>,
}

/// One person's counted socket; dropping it gives the place back.
pub struct PersonSocket {
    sockets: Arc<SocketsPerPerson>,
    user: app::UserId,
}

impl SocketsPerPerson {
    /// A place for another socket of `user`, if they have fewer than `max`.
    pub fn admit(self: &Arc<Self>, user: &app::UserId, max: usize) -> Option<PersonSocket> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(user.clone()).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(PersonSocket {
            sockets: self.clone(),
            user: user.clone(),
        })
    }
}

impl Drop for PersonSocket {
    fn drop(&mut self) {
        let mut open = self.sockets.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.user);
            }
        }
    }
}
