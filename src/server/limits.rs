//! What one client may do, so that nobody can flood the service or tilt the
//! support lead's numbers: requests a minute, sign-in attempts a minute,
//! anonymous sessions a day and votes a day per session. Everything is held
//! in memory, keyed by [`super::client::Client::key`], and pruned: idle
//! limiter keys every minute, the daily tallies when the day changes.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Config;

/// Clients or sessions tracked a day at most; past it a new client's own
/// session ids are not believed (its derived session is used) and a new
/// session's votes are refused. A bound on memory, far above a help center's
/// daily visitors.
const MAX_TRACKED: usize = 200_000;

/// How often idle limiter keys are dropped.
pub const PRUNE_EVERY: Duration = Duration::from_secs(60);

pub struct ClientLimits {
    requests: Option<DefaultKeyedRateLimiter<IpAddr>>,
    sign_in: Option<DefaultKeyedRateLimiter<IpAddr>>,
    sessions_per_client: usize,
    votes_per_session: u32,
    sessions: Mutex<Daily<IpAddr, HashSet<String>>>,
    votes: Mutex<Daily<String, u32>>,
}

/// A tally that starts over every UTC day.
struct Daily<K, V> {
    day: i64,
    counts: HashMap<K, V>,
}

impl<K: std::hash::Hash + Eq, V> Daily<K, V> {
    fn of(&mut self, day: i64) -> &mut HashMap<K, V> {
        if self.day != day {
            self.day = day;
            self.counts = HashMap::new();
        }
        &mut self.counts
    }
}

impl<K, V> Default for Daily<K, V> {
    fn default() -> Self {
        Daily { day: i64::MIN, counts: HashMap::new() }
    }
}

fn keyed(per_minute: u32) -> Option<DefaultKeyedRateLimiter<IpAddr>> {
    NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n)))
}

fn day_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(86_400_000)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl ClientLimits {
    pub fn new(config: &Config) -> ClientLimits {
        ClientLimits {
            requests: keyed(config.rate_limit_per_minute),
            sign_in: keyed(config.sign_in_per_minute),
            sessions_per_client: config.sessions_per_client,
            votes_per_session: config.votes_per_session,
            sessions: Mutex::default(),
            votes: Mutex::default(),
        }
    }

    /// Whether requests are limited at all (`rate_limit_per_minute` > 0).
    pub fn limits_requests(&self) -> bool {
        self.requests.is_some()
    }

    /// `Err(seconds to wait)` when `client` is over its requests a minute.
    pub fn request(&self, client: IpAddr) -> Result<(), u64> {
        check(self.requests.as_ref(), client)
    }

    /// `Err(seconds to wait)` when `client` is over its sign-in attempts a minute.
    pub fn sign_in(&self, client: IpAddr) -> Result<(), u64> {
        check(self.sign_in.as_ref(), client)
    }

    /// Whether the session id `id` a client sent counts as a customer of its
    /// own: a client gets `sessions_per_client` of them a day (0 = no cap);
    /// past that its searches are counted under the session derived from it.
    pub fn session(&self, client: IpAddr, id: &str, at_ms: i64) -> bool {
        if self.sessions_per_client == 0 {
            return true;
        }
        let mut sessions = lock(&self.sessions);
        let clients = sessions.of(day_of(at_ms));
        if !clients.contains_key(&client) && clients.len() >= MAX_TRACKED {
            return false;
        }
        let seen = clients.entry(client).or_default();
        if seen.contains(id) {
            return true;
        }
        if seen.len() >= self.sessions_per_client {
            return false;
        }
        seen.insert(id.to_string());
        true
    }

    /// Whether `session` may vote once more today (`votes_per_session`, 0 = no cap).
    pub fn vote(&self, session: &str, at_ms: i64) -> bool {
        if self.votes_per_session == 0 {
            return true;
        }
        let mut votes = lock(&self.votes);
        let sessions = votes.of(day_of(at_ms));
        if !sessions.contains_key(session) && sessions.len() >= MAX_TRACKED {
            return false;
        }
        let count = sessions.entry(session.to_string()).or_insert(0);
        if *count >= self.votes_per_session {
            return false;
        }
        *count += 1;
        true
    }

    /// Drops the limiter keys of clients idle long enough to have their
    /// whole allowance back, and the daily tallies of past days.
    pub fn prune(&self, now_ms: i64) {
        for limiter in [&self.requests, &self.sign_in].into_iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        lock(&self.sessions).of(day_of(now_ms));
        lock(&self.votes).of(day_of(now_ms));
    }

    /// Clients the request limiter holds state for.
    pub fn tracked_clients(&self) -> usize {
        self.requests.as_ref().map_or(0, |l| l.len())
    }
}

fn check(limiter: Option<&DefaultKeyedRateLimiter<IpAddr>>, client: IpAddr) -> Result<(), u64> {
    let Some(limiter) = limiter else { return Ok(()) };
    limiter.check_key(&client).map_err(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
        wait.as_secs().max(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(edit: impl FnOnce(&mut Config)) -> ClientLimits {
        let mut config = Config::default();
        edit(&mut config);
        ClientLimits::new(&config)
    }

    #[test]
    fn idle_clients_are_pruned_from_the_limiter() {
        // 60 000 a minute: one request is paid back in a millisecond.
        let limits = limits(|c| c.rate_limit_per_minute = 60_000);
        for n in 0..5_000u32 {
            assert!(limits.request(IpAddr::from(n.to_be_bytes())).is_ok());
        }
        assert_eq!(limits.tracked_clients(), 5_000);
        std::thread::sleep(Duration::from_millis(20));
        limits.prune(0);
        assert_eq!(limits.tracked_clients(), 0, "every client has its allowance back");
    }

    #[test]
    fn sign_in_has_its_own_stricter_limit() {
        let limits = limits(|c| {
            c.rate_limit_per_minute = 600;
            c.sign_in_per_minute = 10;
        });
        let client: IpAddr = "198.51.100.4".parse().unwrap();
        for _ in 0..10 {
            assert!(limits.sign_in(client).is_ok());
        }
        let wait = limits.sign_in(client).unwrap_err();
        assert!((1..=6).contains(&wait), "the 11th attempt waits for the next of 10 a minute: {wait} s");
        assert!(limits.request(client).is_ok(), "other requests are not held back");
        assert!(limits.sign_in("198.51.100.5".parse().unwrap()).is_ok(), "another client is not");
    }

    #[test]
    fn a_client_gets_a_bounded_number_of_sessions_a_day() {
        let limits = limits(|c| c.sessions_per_client = 3);
        let (client, other): (IpAddr, IpAddr) = ("203.0.113.1".parse().unwrap(), "203.0.113.2".parse().unwrap());
        let day = 20_000 * 86_400_000;
        for id in ["s-aaaaaaaa", "s-bbbbbbbb", "s-cccccccc"] {
            assert!(limits.session(client, id, day));
        }
        assert!(!limits.session(client, "s-dddddddd", day), "a fourth session is not believed");
        assert!(limits.session(client, "s-aaaaaaaa", day + 1), "a known one still is");
        assert!(limits.session(other, "s-dddddddd", day), "another client has its own budget");
        assert!(limits.session(client, "s-dddddddd", day + 86_400_000), "and the budget starts over the next day");
    }

    #[test]
    fn a_session_gets_a_bounded_number_of_votes_a_day() {
        let limits = limits(|c| c.votes_per_session = 2);
        let day = 20_000 * 86_400_000;
        assert!(limits.vote("s-aaaaaaaa", day) && limits.vote("s-aaaaaaaa", day));
        assert!(!limits.vote("s-aaaaaaaa", day));
        assert!(limits.vote("s-bbbbbbbb", day));
        assert!(limits.vote("s-aaaaaaaa", day + 86_400_000));
    }
}
