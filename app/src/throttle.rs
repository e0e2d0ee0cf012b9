//! Sign-in throttling: per account (persisted failure counts, growing delay,
//! hard lock) and per client address (an in-memory fixed window).
//!
//! Schools sit behind one address, so the per-address budget is generous and
//! the per-account rule does the real protecting.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Failures allowed before delays start.
pub const FREE_FAILURES: u32 = 5;
/// Failures after which the account is locked until its password is reset.
pub const HARD_LOCK_FAILURES: u32 = 50;
const MAX_DELAY_SECS: i64 = 15 * 60;

/// What the failure history of one account allows now.
#[derive(Debug, PartialEq, Eq)]
pub enum Lock {
    Open,
    Until(DateTime<Utc>),
    Hard,
}

/// After 5 failures every further attempt waits 1 s, 2 s, 4 s … (at most
/// 15 minutes) after the last failure; after 50 the account is locked.
pub fn account_lock(
    failures: u32,
    last_failure: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Lock {
    if failures >= HARD_LOCK_FAILURES {
        return Lock::Hard;
    }
    let (true, Some(last)) = (failures >= FREE_FAILURES, last_failure) else {
        return Lock::Open;
    };
    let exp = (failures - FREE_FAILURES).min(20);
    let delay = (1i64 << exp).min(MAX_DELAY_SECS);
    let until = last + chrono::Duration::seconds(delay);
    if until > now {
        Lock::Until(until)
    } else {
        Lock::Open
    }
}

/// Failure history of sign-in names that match no account, so that answers
/// for unknown names look like answers for known ones.
#[derive(Default)]
pub struct UnknownLogins {
    // A std mutex: lookups are short and never cross an await.
    map: Mutex<HashMap<String, (u32, DateTime<Utc>)>>,
}

const UNKNOWN_LOGINS_CAP: usize = 100_000;

impl UnknownLogins {
    pub fn lock(&self, login: &str, now: DateTime<Utc>) -> Lock {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(login) {
            Some(&(n, last)) => account_lock(n, Some(last), now),
            None => Lock::Open,
        }
    }

    pub fn fail(&self, login: &str, now: DateTime<Utc>) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= UNKNOWN_LOGINS_CAP && !map.contains_key(login) {
            // Bounded memory: forget the whole table rather than grow without limit.
            map.clear();
        }
        let e = map.entry(login.to_owned()).or_insert((0, now));
        e.0 += 1;
        e.1 = now;
    }
}

/// A fixed one-minute window of attempts per client address.
pub struct AddressBudget {
    per_minute: u32,
    // A std mutex: a counter update, never held across an await.
    windows: Mutex<(i64, HashMap<IpAddr, u32>)>,
}

impl AddressBudget {
    pub fn new(per_minute: u32) -> Self {
        AddressBudget {
            per_minute,
            windows: Mutex::new((0, HashMap::new())),
        }
    }

    /// Counts one attempt; `Err(retry_after)` when the budget is spent.
    pub fn take(&self, ip: IpAddr, now: DateTime<Utc>) -> Result<(), Duration> {
        let minute = now.timestamp().div_euclid(60);
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.0 != minute {
            *w = (minute, HashMap::new());
        }
        let n = w.1.entry(ip).or_insert(0);
        if *n >= self.per_minute {
            let left = 60 - now.timestamp().rem_euclid(60);
            return Err(Duration::from_secs(left as u64));
        }
        *n += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn five_failures_are_free_then_delays_grow_then_a_hard_lock() {
        assert_eq!(account_lock(4, Some(t(0)), t(0)), Lock::Open);
        assert_eq!(account_lock(5, Some(t(0)), t(0)), Lock::Until(t(1)));
        assert_eq!(account_lock(5, Some(t(0)), t(1)), Lock::Open);
        assert_eq!(account_lock(8, Some(t(0)), t(7)), Lock::Until(t(8)));
        assert_eq!(account_lock(40, Some(t(0)), t(10)), Lock::Until(t(900)));
        assert_eq!(account_lock(50, Some(t(0)), t(100_000)), Lock::Hard);
    }

    #[test]
    fn the_address_budget_refuses_past_its_limit_until_the_next_minute() {
        let b = AddressBudget::new(3);
        let ip: IpAddr = "10.1.2.3".parse().unwrap();
        for _ in 0..3 {
            assert!(b.take(ip, t(0)).is_ok());
        }
        assert!(b.take(ip, t(1)).is_err());
        assert!(b.take("10.1.2.4".parse().unwrap(), t(1)).is_ok());
        assert!(b.take(ip, t(60)).is_ok());
    }
}
