//! Browser-style sessions (core-api.md §1.5): a cookie named `_csrf_token`, as Quay names it,
//! holding the user's uuid, the login time and the CSRF token, signed with HMAC-SHA256 under
//! `SECRET_KEY`. Rotating the user's uuid ends every session.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const COOKIE_NAME: &str = "_csrf_token";
/// `SESSION_TIMEOUT`: 31 days.
pub const LIFETIME_S: i64 = 31 * 86_400;
/// `FRESH_LOGIN_TIMEOUT`: 10 minutes.
pub const FRESH_LOGIN_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Session {
    /// The signed-in user's uuid; None before sign-in.
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub user_uuid: Option<String>,
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub login_ms: Option<i64>,
    #[serde(rename = "c")]
    pub csrf_token: String,
    #[serde(rename = "e")]
    pub expires_ms: i64,
}

impl Session {
    pub fn anonymous(now_ms: i64) -> Session {
        Session {
            user_uuid: None,
            login_ms: None,
            csrf_token: new_csrf_token(),
            expires_ms: now_ms + LIFETIME_S * 1000,
        }
    }

    pub fn signed_in(user_uuid: &str, now_ms: i64) -> Session {
        Session {
            user_uuid: Some(user_uuid.to_owned()),
            login_ms: Some(now_ms),
            ..Session::anonymous(now_ms)
        }
    }

    pub fn is_fresh(&self, now_ms: i64) -> bool {
        self.login_ms.is_some_and(|t| now_ms - t <= FRESH_LOGIN_MS)
    }
}

/// 48 random bytes, url-safe base64: 64 characters.
pub fn new_csrf_token() -> String {
    let mut bytes = [0u8; 48];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn mac(secret_key: &str) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).expect("HMAC takes any key length")
}

pub fn encode(secret_key: &str, session: &Session) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(session).expect("plain data"));
    let mut mac = mac(secret_key);
    mac.update(payload.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{payload}.{signature}")
}

/// The session in a cookie value, if its signature holds and it has not expired.
pub fn decode(secret_key: &str, value: &str, now_ms: i64) -> Option<Session> {
    let (payload, signature) = value.split_once('.')?;
    let mut mac = mac(secret_key);
    mac.update(payload.as_bytes());
    mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).ok()?)
        .ok()?;
    let session: Session = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    (session.expires_ms > now_ms).then_some(session)
}

/// The `Set-Cookie` value carrying `session`.
pub fn set_cookie(secret_key: &str, session: &Session) -> String {
    let expires = httpdate::fmt_http_date(
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(session.expires_ms.max(0) as u64),
    );
    format!(
        "{COOKIE_NAME}={}; Expires={expires}; HttpOnly; Path=/; SameSite=Lax",
        encode(secret_key, session)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let session = Session::signed_in("uuid-1", 1_000);
        let value = encode("key", &session);
        assert_eq!(decode("key", &value, 2_000), Some(session.clone()));
        assert_eq!(decode("other", &value, 2_000), None);
        assert_eq!(decode("key", &value, session.expires_ms + 1), None);
        assert_eq!(new_csrf_token().len(), 64);
        assert!(session.is_fresh(1_000 + FRESH_LOGIN_MS));
        assert!(!session.is_fresh(2_000 + FRESH_LOGIN_MS));
    }
}
