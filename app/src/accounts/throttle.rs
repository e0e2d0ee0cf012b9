//! Sign-in throttling: per sign-in name and source (in memory, counted
//! before the password is checked), per account (persisted), and per client
//! address (an in-memory fixed window).
//!
//! A source is the device a person signed in from before — it holds a
//! device token from that success — or else the client's address. Failures
//! count against their own source only, so an attacker who knows a username
//! slows down their own guesses, not its owner's sign-ins from the owner's
//! devices. An account that failed [`ACCOUNT_FAILURES`] times from all
//! sources together (many addresses guessing at once) pauses sign-ins from
//! unknown devices for [`ACCOUNT_PAUSE_SECS`] after each further failure;
//! known devices are never paused by others. Nothing locks for good, so an
//! administrator can always get back in (and `lff admin reset-password`
//! recovers one who forgot the password).
//!
//! Counting before checking matters: an attempt is counted (reserved) in
//! the same critical section that checks the delay, so a burst of parallel
//! attempts cannot all pass the check before the first failure is known.
//!
//! Schools sit behind one address, so the per-address budget is generous and
//! the per-source rule does the real protecting.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Failures allowed per source before delays start.
pub const FREE_FAILURES: u32 = 5;
/// Failures of one account from all sources after which unknown devices pause.
pub const ACCOUNT_FAILURES: u32 = 50;
/// How long unknown devices wait after each failure past [`ACCOUNT_FAILURES`].
pub const ACCOUNT_PAUSE_SECS: i64 = 15 * 60;
const MAX_DELAY_SECS: i64 = 15 * 60;
/// A source's failures are forgotten after this long without one.
const FORGET_AFTER_SECS: i64 = 24 * 3600;

/// When a source (or account) may try again, if not now.
pub fn delay(
    failures: u32,
    last_failure: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let (true, Some(last)) = (failures >= FREE_FAILURES, last_failure) else {
        return None;
    };
    // After 5 failures each further attempt waits 1 s, 2 s, 4 s … (at most
    // 15 minutes) after the last failure.
    let exp = (failures - FREE_FAILURES).min(20);
    let until = last + chrono::Duration::seconds((1i64 << exp).min(MAX_DELAY_SECS));
    (until > now).then_some(until)
}

/// The account-wide pause for unknown devices, if one applies now.
pub fn account_pause(
    failures: u32,
    last_failure: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let (true, Some(last)) = (failures >= ACCOUNT_FAILURES, last_failure) else {
        return None;
    };
    let until = last + chrono::Duration::seconds(ACCOUNT_PAUSE_SECS);
    (until > now).then_some(until)
}

/// Where a sign-in attempt comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// A device that signed in to this account before (its token's hash).
    Device(String),
    /// Anything else, by client address.
    Address(Option<IpAddr>),
}

/// A sign-in name and where its attempts come from.
type AttemptKey = (String, Source);
/// Failures counted, and the last one's time.
type Count = (u32, DateTime<Utc>);

/// Failed (and running) sign-in attempts per sign-in name and source.
#[derive(Default)]
pub struct Attempts {
    // A std mutex: a check and a counter update, never held across an await.
    map: Mutex<HashMap<AttemptKey, Count>>,
}

const ATTEMPTS_CAP: usize = 100_000;

impl Attempts {
    /// Counts an attempt of `login` from `source` as failed until it is
    /// known to have succeeded ([`Attempts::succeeded`]) or not to have been
    /// made ([`Attempts::cancel`]). `Err(until)` when the source must wait:
    /// nothing is counted then.
    pub fn reserve(
        &self,
        login: &str,
        source: &Source,
        now: DateTime<Utc>,
    ) -> Result<(), DateTime<Utc>> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let key = (login.to_owned(), source.clone());
        if let Some(&(n, last)) = map.get(&key) {
            if now - last > chrono::Duration::seconds(FORGET_AFTER_SECS) {
                map.remove(&key);
            } else if let Some(until) = delay(n, Some(last), now) {
                return Err(until);
            }
        }
        if map.len() >= ATTEMPTS_CAP && !map.contains_key(&key) {
            // Bounded memory: drop what is old, or failing that everything.
            let cutoff = now - chrono::Duration::seconds(MAX_DELAY_SECS);
            map.retain(|_, (_, last)| *last > cutoff);
            if map.len() >= ATTEMPTS_CAP {
                map.clear();
            }
        }
        let e = map.entry(key).or_insert((0, now));
        e.0 += 1;
        e.1 = now;
        Ok(())
    }

    /// The attempt succeeded: the source starts afresh.
    pub fn succeeded(&self, login: &str, source: &Source) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&(login.to_owned(), source.clone()));
    }

    /// The attempt was not made after all (the server was too busy to check
    /// the password): it does not count.
    pub fn cancel(&self, login: &str, source: &Source) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let key = (login.to_owned(), source.clone());
        if let Some(e) = map.get_mut(&key) {
            e.0 = e.0.saturating_sub(1);
            if e.0 == 0 {
                map.remove(&key);
            }
        }
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
    fn five_failures_are_free_then_delays_grow_and_never_lock_for_good() {
        assert_eq!(delay(4, Some(t(0)), t(0)), None);
        assert_eq!(delay(5, Some(t(0)), t(0)), Some(t(1)));
        assert_eq!(delay(5, Some(t(0)), t(1)), None);
        assert_eq!(delay(8, Some(t(0)), t(7)), Some(t(8)));
        assert_eq!(delay(40, Some(t(0)), t(10)), Some(t(900)));
        assert_eq!(delay(5000, Some(t(0)), t(900)), None);
        assert_eq!(account_pause(49, Some(t(0)), t(0)), None);
        assert_eq!(account_pause(50, Some(t(0)), t(0)), Some(t(900)));
        assert_eq!(account_pause(500, Some(t(0)), t(900)), None);
    }

    #[test]
    fn a_burst_is_counted_before_it_is_checked() {
        let a = Attempts::default();
        let attacker = Source::Address(Some("10.0.0.9".parse().unwrap()));
        let owner = Source::Device("owner's device".into());
        // All at the same instant, as a parallel burst arrives: five pass.
        let passed = (0..60)
            .filter(|_| a.reserve("admin", &attacker, t(0)).is_ok())
            .count();
        assert_eq!(passed, FREE_FAILURES as usize);
        // The owner's device is not the attacker's source.
        assert!(a.reserve("admin", &owner, t(0)).is_ok());
        a.succeeded("admin", &owner);
        // The attacker waits, then gets one more try.
        assert_eq!(a.reserve("admin", &attacker, t(0)), Err(t(1)));
        assert!(a.reserve("admin", &attacker, t(1)).is_ok());
        assert_eq!(a.reserve("admin", &attacker, t(1)), Err(t(3)));
        // A cancelled attempt does not count; a day later all is forgotten.
        a.cancel("admin", &attacker);
        assert!(a.reserve("admin", &attacker, t(3)).is_ok());
        assert!(
            a.reserve("admin", &attacker, t(3 + FORGET_AFTER_SECS + 1))
                .is_ok()
        );
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
