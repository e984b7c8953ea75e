//! Service keys as superusers manage them (superuser-api.md §4.5, §12): list, read, create a
//! pre-shared key (its private half handed out once, never stored), change, approve, delete.
//! A change that can withdraw trust from a key makes this node forget what it remembers of it.

use std::sync::LazyLock;

use regex::Regex;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::RsaPrivateKey;
use serde_json::{json, Map, Value};

use super::Jwk;
use crate::accounts::Account;
use crate::app::App;
use crate::db::{self, service_keys::NewServiceKey, service_keys::ServiceKeyRow, DbConn};
use crate::logs::{self, Actor};

pub const APPROVAL_SUPERUSER: &str = "ServiceKeyApprovalType.SUPERUSER";
/// `EXPIRED_SERVICE_KEY_TTL_SEC`: how long an expired key is still listed before it goes.
const EXPIRED_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// `UNAPPROVED_SERVICE_KEY_TTL_SEC`: how long an unapproved key is kept.
const UNAPPROVED_TTL_MS: i64 = 24 * 3600 * 1000;
/// The last second Quay's timestamps reach (31 Dec 9999 23:59:59 UTC) and the first.
const MAX_EXPIRATION_S: f64 = 253_402_300_799.0;
const MIN_EXPIRATION_S: f64 = -62_135_596_800.0;

static SERVICE_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9_]+$").expect("service name pattern"));
static FRIENDLY_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\s a-zA-Z0-9\-_:/]*$").expect("key name pattern"));

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Not Found")]
    NotFound,
    /// Quay's `ServiceNameInvalid`, whose message is empty; Berth states the rule.
    #[error(
        "Invalid service name '{0}': a service name may contain only lower-case letters, \
         digits and underscores (^[a-z0-9_]+$)"
    )]
    InvalidService(String),
    #[error("Invalid service key friendly name: {0}")]
    InvalidName(String),
    #[error("Invalid expiration date: {0}")]
    InvalidExpiration(String),
    #[error("Expiration date cannot be in the past")]
    CreatedExpired,
    #[error("Cannot have an expiration date in the past")]
    ExtendedExpired,
    #[error(transparent)]
    Db(#[from] db::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// A stored key with the account that approved it, if it still exists.
#[derive(Debug, Clone)]
pub struct ServiceKey {
    pub row: ServiceKeyRow,
    pub approver: Option<Account>,
}

/// What `POST /superuser/keys` asks for.
#[derive(Debug, Default)]
pub struct NewKey {
    pub service: String,
    pub name: String,
    /// Unix seconds; None never expires.
    pub expiration_s: Option<f64>,
    pub metadata: Map<String, Value>,
    pub notes: String,
}

/// A created key with its private half, which exists only in this answer.
#[derive(Debug)]
pub struct CreatedKey {
    pub kid: String,
    pub name: String,
    pub service: String,
    pub private_key_pem: String,
    pub public_key_pem: String,
}

/// What `PUT /superuser/keys/{kid}` changes; absent fields stay.
#[derive(Debug, Default)]
pub struct KeyChanges {
    pub name: Option<String>,
    pub metadata: Option<Map<String, Value>>,
    /// `Some(None)` removes the expiry.
    pub expiration_s: Option<Option<f64>>,
}

/// Every key, approved or not, except those expired for longer than `EXPIRED_TTL_MS`.
pub async fn list_keys(app: &App) -> Result<Vec<ServiceKey>> {
    let mut conn = app.db.reader().await?;
    let rows =
        db::service_keys::list_service_keys(&mut conn, db::now_ms() - EXPIRED_TTL_MS).await?;
    let mut keys = Vec::with_capacity(rows.len());
    for row in rows {
        keys.push(with_approver(&mut conn, row).await?);
    }
    Ok(keys)
}

/// One key, unless unknown or expired for longer than `EXPIRED_TTL_MS`.
pub async fn get_key(app: &App, kid: &str) -> Result<ServiceKey> {
    let mut conn = app.db.reader().await?;
    let row = find_row(&mut conn, kid)
        .await?
        .filter(|row| {
            row.expiration_ms
                .is_none_or(|exp| exp > db::now_ms() - EXPIRED_TTL_MS)
        })
        .ok_or(Error::NotFound)?;
    with_approver(&mut conn, row).await
}

/// Creates a pre-shared key for `new.service`, approved at once by `approver`, after removing
/// the service's stale keys. Logs `service_key_create` and `service_key_approve`.
pub async fn create_key(
    app: &App,
    actor: &Actor,
    approver: &Account,
    new: NewKey,
) -> Result<CreatedKey> {
    let now = db::now_ms();
    let expiration_ms = match new.expiration_s {
        Some(seconds) => Some(future_ms(seconds, now, Error::CreatedExpired)?),
        None => None,
    };
    check_friendly_name(&new.name)?;
    if !SERVICE_NAME.is_match(&new.service) {
        return Err(Error::InvalidService(new.service));
    }
    let private = tokio::task::spawn_blocking(|| RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(anyhow::Error::from)?;
    let public = private.to_public_key();
    let jwk = Jwk::from_public(&public);
    let private_key_pem = private
        .to_pkcs1_pem(LineEnding::LF)
        .map_err(anyhow::Error::from)?
        .to_string();
    let public_key_pem = public
        .to_public_key_pem(LineEnding::LF)
        .map_err(anyhow::Error::from)?;

    let mut metadata = new.metadata;
    metadata.insert("created_by".into(), json!("Quay Superuser Panel"));
    metadata.insert("creator".into(), json!(approver.username));
    metadata.insert("ip".into(), json!(actor.ip));

    let mut tx = app.db.begin().await?;
    collect_stale_keys(app, &mut tx, &new.service, now).await?;
    db::service_keys::insert_service_key(
        &mut tx,
        &NewServiceKey {
            kid: &jwk.kid,
            service: &new.service,
            name: &new.name,
            jwk: &serde_json::to_string(&jwk).map_err(anyhow::Error::from)?,
            metadata: &Value::Object(metadata).to_string(),
            created_ms: now,
            expiration_ms,
            approval_type: Some(APPROVAL_SUPERUSER),
            approver_id: Some(approver.id),
            approval_notes: Some(&new.notes),
        },
    )
    .await?;
    let entry = json!({
        "kid": jwk.kid, "preshared": true, "service": new.service, "name": new.name,
        "expiration_date": expiration_ms.map(|ms| ms.div_euclid(1000)), "auto_approved": true,
    });
    let scope = logs::Scope::namespace(approver.id);
    logs::record(&mut tx, actor, "service_key_create", scope, entry.clone()).await?;
    logs::record(&mut tx, actor, "service_key_approve", scope, entry).await?;
    db::commit(tx).await?;
    Ok(CreatedKey {
        kid: jwk.kid,
        name: new.name,
        service: new.service,
        private_key_pem,
        public_key_pem,
    })
}

/// Changes a key's expiry (logs `service_key_extend`) and its name or metadata, merged into
/// the stored metadata (logs `service_key_modify`). Answers the key as changed.
pub async fn update_key(
    app: &App,
    actor: &Actor,
    performer: &Account,
    kid: &str,
    changes: KeyChanges,
) -> Result<ServiceKey> {
    let now = db::now_ms();
    let mut tx = app.db.begin().await?;
    let row = find_row(&mut tx, kid).await?.ok_or(Error::NotFound)?;
    let new_expiration = match changes.expiration_s {
        Some(Some(seconds)) => Some(Some(future_ms(seconds, now, Error::ExtendedExpired)?)),
        Some(None) => Some(None),
        None => None,
    };
    if let Some(name) = &changes.name {
        check_friendly_name(name)?;
    }
    let name = changes.name.clone().unwrap_or_else(|| row.name.clone());
    let mut entry = json!({
        "kid": row.kid, "service": row.service, "name": name,
        "expiration_date": epoch_s(row.expiration_ms),
    });
    let scope = logs::Scope::namespace(performer.id);
    if let Some(expiration_ms) = new_expiration {
        entry["old_expiration_date"] = json!(epoch_s(row.expiration_ms));
        entry["expiration_date"] = json!(epoch_s(expiration_ms));
        logs::record(&mut tx, actor, "service_key_extend", scope, entry.clone()).await?;
    }
    let mut metadata = match serde_json::from_str::<Value>(&row.metadata) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let modified = changes.name.is_some() || changes.metadata.is_some();
    if let Some(more) = changes.metadata {
        metadata.extend(more);
    }
    if modified {
        logs::record(&mut tx, actor, "service_key_modify", scope, entry).await?;
    }
    db::service_keys::update_service_key(
        &mut tx,
        row.id,
        &name,
        &Value::Object(metadata).to_string(),
        new_expiration.unwrap_or(row.expiration_ms),
    )
    .await?;
    let updated = find_row(&mut tx, kid).await?.ok_or(Error::NotFound)?;
    let key = with_approver(&mut tx, updated).await?;
    db::commit(tx).await?;
    app.signer.forget(kid);
    Ok(key)
}

/// Approves a key for `approver` (logs `service_key_approve`); a key approved already is left
/// as it is, without an error.
pub async fn approve_key(
    app: &App,
    actor: &Actor,
    approver: &Account,
    kid: &str,
    notes: &str,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let row = find_row(&mut tx, kid).await?.ok_or(Error::NotFound)?;
    let approved = db::service_keys::approve_service_key(
        &mut tx,
        row.id,
        APPROVAL_SUPERUSER,
        approver.id,
        notes,
        db::now_ms(),
    )
    .await?;
    if approved {
        let entry = json!({
            "kid": row.kid, "service": row.service, "name": row.name,
            "expiration_date": epoch_s(row.expiration_ms),
        });
        let scope = logs::Scope::namespace(approver.id);
        logs::record(&mut tx, actor, "service_key_approve", scope, entry).await?;
    }
    db::commit(tx).await?;
    app.signer.forget(kid);
    Ok(())
}

/// Deletes a key (logs `service_key_delete`) and its service's stale keys; tokens it signed
/// stop verifying on this node at once.
pub async fn delete_key(app: &App, actor: &Actor, performer: &Account, kid: &str) -> Result<()> {
    let now = db::now_ms();
    let mut tx = app.db.begin().await?;
    let row = find_row(&mut tx, kid).await?.ok_or(Error::NotFound)?;
    let entry = json!({
        "kid": row.kid, "service": row.service, "name": row.name,
        "created_date": row.created_ms.div_euclid(1000),
        "expiration_date": epoch_s(row.expiration_ms),
    });
    let scope = logs::Scope::namespace(performer.id);
    logs::record(&mut tx, actor, "service_key_delete", scope, entry).await?;
    db::service_keys::delete_service_key(&mut tx, row.id).await?;
    collect_stale_keys(app, &mut tx, &row.service, now).await?;
    db::commit(tx).await?;
    app.signer.forget(kid);
    Ok(())
}

async fn find_row(conn: &mut DbConn, kid: &str) -> Result<Option<ServiceKeyRow>> {
    Ok(db::service_keys::find_service_key(conn, kid).await?)
}

async fn with_approver(conn: &mut DbConn, row: ServiceKeyRow) -> Result<ServiceKey> {
    let approver = match row.approver_id {
        Some(id) => db::accounts::find_account_by_id(conn, id)
            .await?
            .map(Account::from),
        None => None,
    };
    Ok(ServiceKey { row, approver })
}

/// Quay's garbage collection of a service's keys on create and delete.
async fn collect_stale_keys(app: &App, conn: &mut DbConn, service: &str, now: i64) -> Result<()> {
    let gone = db::service_keys::delete_stale_service_keys(
        conn,
        service,
        now - EXPIRED_TTL_MS,
        now - UNAPPROVED_TTL_MS,
    )
    .await?;
    for kid in gone {
        app.signer.forget(&kid);
    }
    Ok(())
}

fn check_friendly_name(name: &str) -> Result<()> {
    if FRIENDLY_NAME.is_match(name) {
        Ok(())
    } else {
        Err(Error::InvalidName(name.to_owned()))
    }
}

/// Unix seconds as milliseconds, refused when out of range or not after `now_ms`.
fn future_ms(seconds: f64, now_ms: i64, past: Error) -> Result<i64> {
    if !seconds.is_finite() || !(MIN_EXPIRATION_S..=MAX_EXPIRATION_S).contains(&seconds) {
        return Err(Error::InvalidExpiration("year is out of range".into()));
    }
    let ms = (seconds * 1000.0).floor() as i64;
    if ms <= now_ms {
        return Err(past);
    }
    Ok(ms)
}

/// A stored time as the integer epoch seconds log metadata carries.
fn epoch_s(ms: Option<i64>) -> Option<i64> {
    ms.map(|ms| ms.div_euclid(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn friendly_names_follow_quay() {
        assert!(check_friendly_name("build key: ci/cd_1-2").is_ok());
        assert!(check_friendly_name("").is_ok());
        assert!(check_friendly_name("http://quay.example.com:80").is_err());
    }

    #[test]
    fn expirations() {
        let now = 1_700_000_000_000;
        assert_eq!(
            future_ms(1_700_000_001.5, now, Error::CreatedExpired).unwrap(),
            1_700_000_001_500
        );
        assert!(matches!(
            future_ms(1000.0, now, Error::CreatedExpired),
            Err(Error::CreatedExpired)
        ));
        assert!(matches!(
            future_ms(1e20, now, Error::CreatedExpired),
            Err(Error::InvalidExpiration(_))
        ));
    }
}
