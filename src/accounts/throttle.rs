//! What keeps password logins cheap and guessing slow: a short-lived memory of verified
//! passwords (keyed by a keyed hash, never the password), Quay's per-account back-off after
//! failed logins, and a per-address limit on failures. The memories are per process: each
//! node throttles what it sees, and the account back-off lives in the database for all.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a verified password is taken on trust.
const VERIFIED_FOR_MS: i64 = 60_000;
/// Entries kept at most; past it the memory starts over (costing only a bcrypt each).
const MAX_ENTRIES: usize = 10_000;
/// Failed logins from one address within `FAILURE_WINDOW_MS` before it is refused.
const FAILURES_PER_WINDOW: u32 = 30;
const FAILURE_WINDOW_MS: i64 = 60_000;
/// The account back-off doubles with each failure up to this many.
const MAX_BACKOFF_EXPONENT: i64 = 16;

type Key = [u8; 32];

/// Verified `(username, password)` pairs by keyed hash: the password hash they matched and
/// until when.
static VERIFIED: LazyLock<Mutex<HashMap<Key, (String, i64)>>> = LazyLock::new(Default::default);
/// Failed logins by client address: how many since when.
static FAILURES: LazyLock<Mutex<HashMap<String, (u32, i64)>>> = LazyLock::new(Default::default);

fn key(secret_key: &str, username: &str, password: &str) -> Key {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).expect("any key length");
    mac.update(username.as_bytes());
    mac.update(&[0]);
    mac.update(password.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Whether `password` was verified against `password_hash` (still the account's) lately.
pub fn recently_verified(
    secret_key: &str,
    username: &str,
    password: &str,
    password_hash: &str,
    now_ms: i64,
) -> bool {
    let key = key(secret_key, username, password);
    VERIFIED.lock().is_ok_and(|verified| {
        verified
            .get(&key)
            .is_some_and(|(hash, until)| hash == password_hash && *until > now_ms)
    })
}

pub fn remember_verified(
    secret_key: &str,
    username: &str,
    password: &str,
    password_hash: &str,
    now_ms: i64,
) {
    let key = key(secret_key, username, password);
    if let Ok(mut verified) = VERIFIED.lock() {
        if verified.len() >= MAX_ENTRIES {
            verified.clear();
        }
        verified.insert(key, (password_hash.to_owned(), now_ms + VERIFIED_FOR_MS));
    }
}

/// Quay's back-off after `attempts` failed logins, the last at `last_ms`: the milliseconds
/// still to wait, if any (0.5 s × (2^attempts − 1)).
pub fn account_backoff_ms(attempts: i64, last_ms: i64, now_ms: i64) -> Option<i64> {
    if attempts <= 0 {
        return None;
    }
    let wait = 500 * ((1i64 << attempts.min(MAX_BACKOFF_EXPONENT)) - 1);
    let remaining = last_ms + wait - now_ms;
    (remaining > 0).then_some(remaining)
}

/// The milliseconds `address` must wait after too many failed logins, if any.
pub fn address_backoff_ms(address: &str, now_ms: i64) -> Option<i64> {
    let failures = FAILURES.lock().ok()?;
    let (count, since) = failures.get(address)?;
    let remaining = since + FAILURE_WINDOW_MS - now_ms;
    (*count >= FAILURES_PER_WINDOW && remaining > 0).then_some(remaining)
}

pub fn record_address_failure(address: &str, now_ms: i64) {
    if let Ok(mut failures) = FAILURES.lock() {
        if failures.len() >= MAX_ENTRIES {
            failures.retain(|_, (_, since)| *since + FAILURE_WINDOW_MS > now_ms);
        }
        let entry = failures.entry(address.to_owned()).or_insert((0, now_ms));
        if entry.1 + FAILURE_WINDOW_MS <= now_ms {
            *entry = (0, now_ms);
        }
        entry.0 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles() {
        assert_eq!(account_backoff_ms(0, 0, 0), None);
        assert_eq!(account_backoff_ms(1, 1000, 1000), Some(500));
        assert_eq!(account_backoff_ms(3, 1000, 1000), Some(3500));
        assert_eq!(account_backoff_ms(3, 1000, 4500), None);
        assert!(account_backoff_ms(200, 0, 0).is_some());
    }

    #[test]
    fn verified_passwords_are_remembered_for_their_hash_only() {
        remember_verified("k", "alice", "pw", "hash-1", 0);
        assert!(recently_verified("k", "alice", "pw", "hash-1", 1));
        assert!(!recently_verified("k", "alice", "pw", "hash-2", 1));
        assert!(!recently_verified("k", "alice", "other", "hash-1", 1));
        assert!(!recently_verified(
            "k",
            "alice",
            "pw",
            "hash-1",
            VERIFIED_FOR_MS + 1
        ));
    }

    #[test]
    fn addresses_are_limited_per_window() {
        for _ in 0..FAILURES_PER_WINDOW {
            assert_eq!(address_backoff_ms("192.0.2.9", 10), None);
            record_address_failure("192.0.2.9", 10);
        }
        assert_eq!(address_backoff_ms("192.0.2.9", 10), Some(FAILURE_WINDOW_MS));
        assert_eq!(
            address_backoff_ms("192.0.2.9", 10 + FAILURE_WINDOW_MS),
            None
        );
    }
}
