//! Service keys: the instance's own RS256 key that signs registry tokens, registered in the
//! service-key table so that every node trusts every other node's tokens.

pub mod admin;
pub mod keyserver;
pub mod registry_token;

use std::collections::HashMap;
use std::path::Path;
use std::sync::RwLock;

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};

use crate::db::{self, service_keys::NewServiceKey, Db};

/// `INSTANCE_SERVICE_KEY_SERVICE`: the service of registry-token keys and the tokens' `iss`.
pub const INSTANCE_SERVICE: &str = "quay";
pub const APPROVAL_AUTOMATIC: &str = "ServiceKeyApprovalType.AUTOMATIC";

/// A public RSA key as a JWK.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Jwk {
    pub e: String,
    pub kid: String,
    pub kty: String,
    pub n: String,
}

impl Jwk {
    pub fn from_public(key: &rsa::RsaPublicKey) -> Jwk {
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        let kid = thumbprint(&e, &n);
        Jwk {
            e,
            kid,
            kty: "RSA".into(),
            n,
        }
    }
}

/// RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order.
pub fn thumbprint(e: &str, n: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// How long a node trusts a verification key it read without reading its row again, so that
/// a key deleted, expired or changed on another node stops verifying within this time there
/// (the node that made the change forgets it at once).
const KEY_RECHECK_MS: i64 = 30_000;

/// A verification key as read from its row.
struct TrustedKey {
    key: DecodingKey,
    expiration_ms: Option<i64>,
    read_ms: i64,
}

impl TrustedKey {
    fn usable_at(&self, now_ms: i64) -> bool {
        now_ms - self.read_ms < KEY_RECHECK_MS && self.expiration_ms.is_none_or(|exp| exp > now_ms)
    }
}

/// Signs registry tokens with this node's key and verifies tokens of any approved key.
pub struct Signer {
    pub kid: String,
    encoding: EncodingKey,
    verifying: RwLock<HashMap<String, TrustedKey>>,
    verified_tokens: registry_token::VerifiedTokens,
}

impl Signer {
    /// Loads the node's key from `key_path`, generating it on first start, and registers its
    /// public half as an automatically approved service key.
    pub async fn load_or_create(db: &Db, key_path: &Path, name: &str) -> anyhow::Result<Signer> {
        let private = match std::fs::read_to_string(key_path) {
            Ok(pem) => RsaPrivateKey::from_pkcs1_pem(&pem)
                .with_context(|| format!("reading the instance key {}", key_path.display()))?,
            Err(_) => {
                let key = tokio::task::spawn_blocking(|| {
                    RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
                })
                .await??;
                write_private_key(key_path, &key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)?)?;
                key
            }
        };
        let jwk = Jwk::from_public(&private.to_public_key());
        let pem = private.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)?;
        let mut tx = db.begin().await?;
        db::service_keys::insert_service_key(
            &mut tx,
            &NewServiceKey {
                kid: &jwk.kid,
                service: INSTANCE_SERVICE,
                name,
                jwk: &serde_json::to_string(&jwk)?,
                metadata: r#"{"created_by":"berth serve"}"#,
                created_ms: db::now_ms(),
                expiration_ms: None,
                approval_type: Some(APPROVAL_AUTOMATIC),
                approver_id: None,
                approval_notes: Some(""),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Signer {
            kid: jwk.kid.clone(),
            encoding: EncodingKey::from_rsa_pem(pem.as_bytes())?,
            verifying: RwLock::new(HashMap::from([(
                jwk.kid.clone(),
                TrustedKey {
                    key: DecodingKey::from_rsa_components(&jwk.n, &jwk.e)?,
                    expiration_ms: None,
                    read_ms: db::now_ms(),
                },
            )])),
            verified_tokens: registry_token::VerifiedTokens::default(),
        })
    }

    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    pub fn verified_tokens(&self) -> &registry_token::VerifiedTokens {
        &self.verified_tokens
    }

    /// The verification key for `kid`: an approved, unexpired key of the instance service.
    /// Read again from the database every `KEY_RECHECK_MS`.
    pub async fn decoding_key(&self, db: &Db, kid: &str) -> Option<DecodingKey> {
        let now = db::now_ms();
        if let Some(trusted) = self.verifying.read().ok()?.get(kid) {
            if trusted.usable_at(now) {
                return Some(trusted.key.clone());
            }
        }
        let mut conn = db.reader().await.ok()?;
        let row = db::service_keys::find_service_key(&mut conn, kid)
            .await
            .ok()
            .flatten();
        let usable = row.filter(|row| {
            row.service == INSTANCE_SERVICE
                && row.approval_type.is_some()
                && row.expiration_ms.is_none_or(|exp| exp > now)
        });
        let Some(row) = usable else {
            self.forget(kid);
            return None;
        };
        let jwk: Jwk = serde_json::from_str(&row.jwk).ok()?;
        let key = DecodingKey::from_rsa_components(&jwk.n, &jwk.e).ok()?;
        self.verifying.write().ok()?.insert(
            kid.to_owned(),
            TrustedKey {
                key: key.clone(),
                expiration_ms: row.expiration_ms,
                read_ms: now,
            },
        );
        Some(key)
    }

    /// Whether `kid` still verifies tokens; without copying the key while it is remembered.
    pub async fn trusts(&self, db: &Db, kid: &str) -> bool {
        let remembered = self
            .verifying
            .read()
            .is_ok_and(|keys| keys.get(kid).is_some_and(|k| k.usable_at(db::now_ms())));
        remembered || self.decoding_key(db, kid).await.is_some()
    }

    /// Drops what this node remembers of `kid`: its verification key and the tokens it
    /// verified, so that a deleted, unapproved or changed key is read again before the next
    /// token signed with it is accepted.
    pub fn forget(&self, kid: &str) {
        if let Ok(mut keys) = self.verifying.write() {
            keys.remove(kid);
        }
        self.verified_tokens.forget_kid(kid);
    }
}

fn write_private_key(path: &Path, pem: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(pem.as_bytes())?;
    file.sync_all()?;
    Ok(())
}
