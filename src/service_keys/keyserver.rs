//! Quay's key server (`/keys/services/{service}/keys/...`): services publish their own
//! signing keys. A key that arrives signed by itself waits for a superuser's approval; one
//! signed by an approved key of the same service replaces that key (rotation) and is approved
//! with it. Approved, unexpired keys are published as JWKs.

use serde_json::{json, Map, Value};

use super::Jwk;
use crate::app::App;
use crate::db::{self, service_keys::NewServiceKey, service_keys::ServiceKeyRow};
use crate::logs::{self, Actor};

/// Why a key-server request is refused: Quay answers these with bare status codes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("bad request")]
    BadRequest,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The key exists but waits for approval.
    #[error("conflict")]
    NotApproved,
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Who sent a key-server request.
pub struct Sender<'a> {
    pub ip: Option<String>,
    pub user_agent: Option<&'a str>,
}

fn published(row: &ServiceKeyRow) -> Value {
    let mut jwk: Map<String, Value> = serde_json::from_str(&row.jwk).unwrap_or_default();
    jwk.insert("kid".into(), json!(row.kid));
    Value::Object(jwk)
}

fn alive(row: &ServiceKeyRow, now_ms: i64) -> bool {
    row.expiration_ms.is_none_or(|exp| exp > now_ms)
}

/// The service's approved, unexpired keys as JWKs.
pub async fn list_keys(app: &App, service: &str) -> Result<Vec<Value>> {
    let now = db::now_ms();
    let mut conn = app.db.reader().await?;
    let rows = db::service_keys::list_service_keys(&mut conn, now).await?;
    Ok(rows
        .iter()
        .filter(|r| r.service == service && r.approval_type.is_some() && alive(r, now))
        .map(published)
        .collect())
}

/// One key's JWK, and for how many seconds a client may cache it (at most a day, never past
/// its expiry). Unknown: 404; unapproved: 409; expired: 403.
pub async fn get_key(app: &App, kid: &str) -> Result<(Value, i64)> {
    let now = db::now_ms();
    let mut conn = app.db.reader().await?;
    let row = db::service_keys::find_service_key(&mut conn, kid)
        .await?
        .ok_or(Error::NotFound)?;
    if row.approval_type.is_none() {
        return Err(Error::NotApproved);
    }
    if !alive(&row, now) {
        return Err(Error::Forbidden);
    }
    let day_s = 86_400;
    let max_age = row
        .expiration_ms
        .map_or(day_s, |exp| ((exp - now) / 1000).clamp(0, day_s));
    let jwk = serde_json::from_str(&row.jwk).unwrap_or_else(|_| json!({}));
    Ok((jwk, max_age))
}

/// Checks that `token` is a JWT signed by `jwk` for this registry (audience: its URL) and
/// issued by the service.
fn verify(app: &App, token: &str, jwk: &Value, service: &str) -> Result<()> {
    let (Some(n), Some(e)) = (jwk["n"].as_str(), jwk["e"].as_str()) else {
        return Err(Error::BadRequest);
    };
    let key =
        jsonwebtoken::DecodingKey::from_rsa_components(n, e).map_err(|_| Error::BadRequest)?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[app.config.app_url()]);
    validation.set_issuer(&[service]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(drop)
        .map_err(|_| Error::BadRequest)
}

/// The `kid` of the key that signed `token`, unverified.
fn signer_kid(token: &str) -> Result<Option<String>> {
    Ok(jsonwebtoken::decode_header(token)
        .map_err(|_| Error::BadRequest)?
        .kid)
}

/// Only RSA keys with their parameters (Quay also takes EC keys; Berth verifies RSA only).
fn check_jwk(jwk: &Value) -> Result<()> {
    let has = |member: &str| jwk[member].as_str().is_some_and(|v| !v.is_empty());
    if jwk["kty"] == "RSA" && has("n") && has("e") {
        Ok(())
    } else {
        Err(Error::BadRequest)
    }
}

/// `PUT .../keys/{kid}`: a new key signed by itself waits for approval (answers false); one
/// signed by an approved key of the service replaces it, approved (answers true).
#[allow(clippy::too_many_arguments)]
pub async fn put_key(
    app: &App,
    service: &str,
    kid: &str,
    jwk: &Value,
    token: &str,
    expiration_s: Option<f64>,
    sender: &Sender<'_>,
) -> Result<bool> {
    check_jwk(jwk)?;
    let now = db::now_ms();
    #[allow(clippy::cast_possible_truncation)]
    let expiration_ms = expiration_s.map(|s| (s * 1000.0) as i64);
    let stored_jwk = serde_json::to_string(&Jwk {
        e: jwk["e"].as_str().unwrap_or_default().to_owned(),
        kid: kid.to_owned(),
        kty: "RSA".into(),
        n: jwk["n"].as_str().unwrap_or_default().to_owned(),
    })
    .map_err(|_| Error::BadRequest)?;
    let signer = signer_kid(token)?;
    let actor = Actor::anonymous(sender.ip.clone());
    if signer.as_deref().is_none_or(|s| s == kid) {
        verify(app, token, jwk, service)?;
        let metadata = json!({ "ip": sender.ip });
        let mut tx = app.db.begin().await?;
        db::service_keys::insert_service_key(
            &mut tx,
            &NewServiceKey {
                kid,
                service,
                name: "",
                jwk: &stored_jwk,
                metadata: &metadata.to_string(),
                created_ms: now,
                expiration_ms,
                approval_type: None,
                approver_id: None,
                approval_notes: None,
            },
        )
        .await?;
        let entry = json!({
            "kid": kid, "preshared": false, "service": service, "name": "",
            "expiration_date": expiration_ms.map(|ms| ms / 1000),
            "user_agent": sender.user_agent, "ip": sender.ip,
        });
        logs::record(
            &mut tx,
            &actor,
            "service_key_create",
            logs::Scope::default(),
            entry,
        )
        .await?;
        db::commit(tx).await?;
        return Ok(false);
    }
    let signer_kid = signer.unwrap_or_default();
    let mut tx = app.db.begin().await?;
    let signer = db::service_keys::find_service_key(&mut tx, &signer_kid)
        .await?
        .filter(|r| r.service == service && r.approval_type.is_some() && alive(r, now))
        .ok_or(Error::Forbidden)?;
    let signer_jwk: Value = serde_json::from_str(&signer.jwk).unwrap_or_default();
    verify(app, token, &signer_jwk, service)?;
    let metadata = json!({ "ip": sender.ip, "created_by": "Key Rotation" });
    db::service_keys::delete_service_key(&mut tx, signer.id).await?;
    db::service_keys::insert_service_key(
        &mut tx,
        &NewServiceKey {
            kid,
            service,
            name: &signer.name,
            jwk: &stored_jwk,
            metadata: &metadata.to_string(),
            created_ms: now,
            expiration_ms,
            approval_type: signer.approval_type.as_deref(),
            approver_id: signer.approver_id,
            approval_notes: signer.approval_notes.as_deref(),
        },
    )
    .await?;
    let entry = json!({
        "kid": kid, "signer_kid": signer.kid, "service": service, "name": signer.name,
        "expiration_date": expiration_ms.map(|ms| ms / 1000),
        "user_agent": sender.user_agent, "ip": sender.ip,
    });
    logs::record(
        &mut tx,
        &actor,
        "service_key_rotate",
        logs::Scope::default(),
        entry,
    )
    .await?;
    db::commit(tx).await?;
    app.signer.forget(&signer.kid);
    Ok(true)
}

/// `DELETE .../keys/{kid}`, signed by the key itself or by an approved key of the service.
pub async fn delete_key(
    app: &App,
    service: &str,
    kid: &str,
    token: &str,
    sender: &Sender<'_>,
) -> Result<()> {
    let signer_kid = signer_kid(token)?.ok_or(Error::BadRequest)?;
    let mut tx = app.db.begin().await?;
    let signer = db::service_keys::find_service_key(&mut tx, &signer_kid)
        .await?
        .filter(|r| r.service == service)
        .ok_or(Error::Forbidden)?;
    if signer.kid != kid && signer.approval_type.is_none() {
        return Err(Error::Forbidden);
    }
    let signer_jwk: Value = serde_json::from_str(&signer.jwk).unwrap_or_default();
    verify(app, token, &signer_jwk, service)?;
    let target = db::service_keys::find_service_key(&mut tx, kid)
        .await?
        .ok_or(Error::NotFound)?;
    db::service_keys::delete_service_key(&mut tx, target.id).await?;
    let entry = json!({
        "kid": kid, "signer_kid": signer.kid, "service": service, "name": signer.name,
        "user_agent": sender.user_agent, "ip": sender.ip,
    });
    let actor = Actor::anonymous(sender.ip.clone());
    logs::record(
        &mut tx,
        &actor,
        "service_key_delete",
        logs::Scope::default(),
        entry,
    )
    .await?;
    db::commit(tx).await?;
    app.signer.forget(kid);
    Ok(())
}
