//! The registry JWT minted by `/v2/auth` (core-api.md §2.5).

use std::collections::HashMap;
use std::sync::Mutex;

use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{Signer, INSTANCE_SERVICE};
use crate::db::Db;

/// Token lifetime, and the longest lifetime a presented token may claim.
pub const TOKEN_LIFETIME_S: i64 = 3600;
const MAX_FRESH_S: i64 = 3660;
/// Seconds a token stays acceptable past its `exp` and before its `nbf`.
const LEEWAY_S: i64 = 30;
/// How many verified tokens are remembered; a few thousand clients' worth.
const VERIFIED_CAPACITY: usize = 4096;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AccessEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegistryClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub access: Vec<AccessEntry>,
    /// What each scope asked for, where `access` says what it was granted. Quay's tokens
    /// have no such claim; Berth needs it to tell a token that never asked for an action (the
    /// client must fetch another) from one that was refused it (core-api.md §2.3). Tokens
    /// minted without it leave it None.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<Vec<AccessEntry>>,
    pub context: serde_json::Value,
}

impl RegistryClaims {
    pub fn new(
        audience: &str,
        subject: &str,
        access: Vec<AccessEntry>,
        requested: Vec<AccessEntry>,
        context: serde_json::Value,
    ) -> Self {
        let now = chrono::Utc::now().timestamp();
        RegistryClaims {
            iss: INSTANCE_SERVICE.into(),
            aud: audience.into(),
            sub: subject.into(),
            iat: now,
            nbf: now,
            exp: now + TOKEN_LIFETIME_S,
            access,
            requested: Some(requested),
            context,
        }
    }

    /// The actions granted on repository `name`.
    pub fn actions_for<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.access
            .iter()
            .filter(move |a| a.kind == "repository" && a.name == name)
            .flat_map(|a| a.actions.iter().map(String::as_str))
    }
}

pub fn sign(signer: &Signer, claims: &RegistryClaims) -> anyhow::Result<String> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(signer.kid.clone());
    header.typ = Some("JWT".into());
    Ok(jsonwebtoken::encode(
        &header,
        claims,
        signer.encoding_key(),
    )?)
}

/// Why a presented token was refused; the text goes into the 401 body.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("Invalid bearer token format")]
    Malformed,
    #[error("Unknown or unapproved signing key")]
    UnknownKey,
    #[error("Invalid token: {0}")]
    Invalid(String),
}

/// Verifies a registry token: a known approved key, RS256, audience `audience`, issuer
/// `quay`, 30 s of leeway, and a lifetime no longer than Quay accepts. A token verified
/// before is answered from `signer`'s memory of verified tokens until it expires.
pub async fn verify(
    signer: &Signer,
    db: &Db,
    audience: &str,
    token: &str,
) -> Result<RegistryClaims, TokenError> {
    let now = chrono::Utc::now().timestamp();
    if let Some((claims, kid)) = signer.verified_tokens().get(token, now) {
        // The key must still be trusted: deleted, unapproved and expired keys stop verifying.
        if !signer.trusts(db, &kid).await {
            return Err(TokenError::UnknownKey);
        }
        return Ok(claims);
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
    let kid = header.kid.ok_or(TokenError::Malformed)?;
    let key = signer
        .decoding_key(db, &kid)
        .await
        .ok_or(TokenError::UnknownKey)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = LEEWAY_S as u64;
    validation.set_audience(&[audience]);
    validation.set_issuer(&[INSTANCE_SERVICE]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "aud", "iss", "sub"]);
    validation.validate_nbf = true;
    let data = jsonwebtoken::decode::<RegistryClaims>(token, &key, &validation)
        .map_err(|e| TokenError::Invalid(e.to_string()))?;
    let claims = data.claims;
    if claims.iat > now + LEEWAY_S || claims.exp - claims.iat > MAX_FRESH_S {
        return Err(TokenError::Invalid("token lifetime out of bounds".into()));
    }
    signer.verified_tokens().insert(token, &kid, &claims, now);
    Ok(claims)
}

/// Tokens whose signature and claims were checked, so that a client's next request with the
/// same token skips the RSA verification (clients send one token for a whole pull). The
/// audience is the node's own, fixed while it runs, and time only moves past `nbf`, so only
/// `exp` needs checking again, and that the signing key (the kid kept with the claims) is still
/// trusted. Bounded: when full, expired entries go, then all of them.
#[derive(Default)]
pub struct VerifiedTokens {
    entries: Mutex<HashMap<String, (RegistryClaims, String)>>,
}

impl VerifiedTokens {
    fn get(&self, token: &str, now: i64) -> Option<(RegistryClaims, String)> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(token)
            .filter(|(claims, _)| now <= claims.exp + LEEWAY_S)
            .cloned()
    }

    /// Forgets every token signed with `kid`.
    pub fn forget_kid(&self, kid: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (_, signed_by)| signed_by != kid);
        }
    }

    fn insert(&self, token: &str, kid: &str, claims: &RegistryClaims, now: i64) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= VERIFIED_CAPACITY {
            entries.retain(|_, (claims, _)| now <= claims.exp + LEEWAY_S);
            if entries.len() >= VERIFIED_CAPACITY {
                entries.clear();
            }
        }
        entries.insert(token.to_owned(), (claims.clone(), kid.to_owned()));
    }
}
