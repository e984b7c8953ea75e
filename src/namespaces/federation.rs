//! Robot identity federation (Quay's robot federation): a robot trusts (issuer, subject)
//! pairs, and a workload holding an OIDC token from such an issuer, for such a subject,
//! exchanges it (`GET /oauth2/federation/robot/token`) for a credential that logs in as the
//! robot for an hour. The token is checked against the issuer's published keys (OpenID
//! discovery, then its JWKS).

use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};

use super::robots::{self, find_owned, Need, Owner};
use crate::accounts::{passwords::secret_digest, Principal};
use crate::app::App;
use crate::db;
use crate::logs::{self, Actor};
use crate::random::random_code;

/// How long an exchanged credential logs in (Quay's one hour).
const EXCHANGED_LIFETIME_MS: i64 = 3600 * 1000;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Clock skew tolerated on the token's times (Quay's 30 s).
const LEEWAY_S: u64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration Quay's rules refuse.
    #[error("{0}")]
    Invalid(&'static str),
    #[error("Could not find robot with specified username")]
    UnknownRobot,
    #[error(transparent)]
    Robots(robots::Error),
    #[error(transparent)]
    Db(#[from] db::Error),
}

impl From<robots::Error> for Error {
    fn from(err: robots::Error) -> Self {
        match err {
            robots::Error::NotFound(_) => Error::UnknownRobot,
            other => Error::Robots(other),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// The robot's trusted (issuer, subject) pairs.
pub async fn get_federation(
    app: &App,
    caller: &Principal<'_>,
    owner: Owner<'_>,
    short: &str,
) -> Result<Value> {
    let (_, robot) = find_owned(app, caller, owner, short, Need::Read).await?;
    let mut conn = app.db.reader().await?;
    let stored = db::robots::find_federation(&mut conn, robot.id).await?;
    Ok(serde_json::from_str(&stored).unwrap_or_else(|_| json!([])))
}

/// Quay's checks of a configuration; returns it as `{issuer, subject}` objects.
fn checked(entries: &[Value]) -> Result<Vec<Value>> {
    let mut normalized: Vec<Value> = Vec::with_capacity(entries.len());
    for entry in entries {
        let text = |key: &str| {
            entry
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let (Some(issuer), Some(subject)) = (text("issuer"), text("subject")) else {
            return Err(Error::Invalid(
                "Missing one or more required fields (issuer, subject)",
            ));
        };
        if !(issuer.starts_with("http://") || issuer.starts_with("https://")) {
            return Err(Error::Invalid("Issuer must be a URL (http:// or https://)"));
        }
        let pair = json!({ "issuer": issuer, "subject": subject });
        if normalized.contains(&pair) {
            return Err(Error::Invalid("Duplicate federation config entry"));
        }
        normalized.push(pair);
    }
    Ok(normalized)
}

/// Replaces the robot's configuration; logged `create_robot_federation`.
pub async fn set_federation(
    app: &App,
    caller: &Principal<'_>,
    owner: Owner<'_>,
    short: &str,
    entries: &[Value],
) -> Result<Value> {
    let config = Value::Array(checked(entries)?);
    let (namespace, robot) = find_owned(app, caller, owner, short, Need::Change).await?;
    let mut tx = app.db.begin().await?;
    db::robots::set_federation(&mut tx, robot.id, &config.to_string()).await?;
    let metadata = json!({ "config": config, "robot": short });
    let scope = logs::Scope::namespace(namespace.id);
    logs::record(
        &mut tx,
        &caller.actor,
        "create_robot_federation",
        scope,
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(config)
}

/// Forgets the robot's configuration; logged `delete_robot_federation`.
pub async fn delete_federation(
    app: &App,
    caller: &Principal<'_>,
    owner: Owner<'_>,
    short: &str,
) -> Result<()> {
    let (namespace, robot) = find_owned(app, caller, owner, short, Need::Change).await?;
    let mut tx = app.db.begin().await?;
    db::robots::set_federation(&mut tx, robot.id, "[]").await?;
    let metadata = json!({ "robot": short });
    let scope = logs::Scope::namespace(namespace.id);
    logs::record(
        &mut tx,
        &caller.actor,
        "delete_robot_federation",
        scope,
        metadata,
    )
    .await?;
    Ok(db::commit(tx).await?)
}

/// Why an exchange was refused; the texts are Quay's where Quay has one.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("Invalid robot")]
    NotARobot,
    #[error("Could not find robot with specified username")]
    UnknownRobot,
    #[error("Token does not contain issuer")]
    NoIssuer,
    #[error("Robot does not have federated login configured")]
    NotConfigured,
    #[error("issuer {0} not configured for this robot")]
    UnknownIssuer(String),
    #[error("Invalid token: {0}")]
    InvalidToken(String),
    #[error("Token does not match robot")]
    WrongSubject,
    #[error(transparent)]
    Db(#[from] db::Error),
}

/// The claims of a JWT read without checking its signature (to learn its issuer first).
fn unverified_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Fetches JSON from an issuer's address, which Berth must be allowed to reach; plain HTTP
/// only for hosts `SSRF_ALLOWED_HOSTS` names (Quay requires HTTPS).
async fn fetch_json(app: &App, url: &str) -> std::result::Result<Value, ExchangeError> {
    let invalid = |why: String| ExchangeError::InvalidToken(why);
    let parsed = url::Url::parse(url).map_err(|e| invalid(format!("{url}: {e}")))?;
    let listed = app
        .config
        .ssrf_allowed_hosts
        .iter()
        .any(|h| Some(h.as_str()) == parsed.host_str());
    if !app.config.may_reach(&parsed) || (parsed.scheme() != "https" && !listed) {
        return Err(invalid(format!(
            "{url} is not an address Berth may fetch keys from"
        )));
    }
    let client = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| invalid(e.to_string()))?;
    let answer = client
        .get(parsed)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| invalid(format!("cannot fetch {url}: {e}")))?;
    answer
        .json()
        .await
        .map_err(|e| invalid(format!("cannot read {url}: {e}")))
}

/// Verifies `token` with the issuer's published keys; answers its claims.
async fn verify(app: &App, issuer: &str, token: &str) -> std::result::Result<Value, ExchangeError> {
    let invalid = |why: String| ExchangeError::InvalidToken(why);
    let header = jsonwebtoken::decode_header(token).map_err(|e| invalid(e.to_string()))?;
    let kid = header
        .kid
        .clone()
        .ok_or_else(|| invalid("Missing `kid` header".into()))?;
    let base = issuer.trim_end_matches('/');
    let discovery = fetch_json(app, &format!("{base}/.well-known/openid-configuration")).await?;
    let published = discovery["issuer"]
        .as_str()
        .unwrap_or(base)
        .trim_end_matches('/');
    if published != base {
        return Err(invalid(format!(
            "Issuer '{issuer}' not in configured issuers: ['{published}']"
        )));
    }
    let jwks_uri = discovery["jwks_uri"]
        .as_str()
        .ok_or_else(|| invalid("the issuer publishes no jwks_uri".into()))?;
    let keys = fetch_json(app, jwks_uri).await?;
    let key = keys["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == kid.as_str()))
        .ok_or_else(|| invalid(format!("no key {kid} at {jwks_uri}")))?;
    let (Some("RSA"), Some(n), Some(e)) =
        (key["kty"].as_str(), key["n"].as_str(), key["e"].as_str())
    else {
        return Err(invalid(format!("key {kid} is not an RSA key")));
    };
    let decoding =
        jsonwebtoken::DecodingKey::from_rsa_components(n, e).map_err(|e| invalid(e.to_string()))?;
    let algorithm = header.alg;
    if !matches!(
        algorithm,
        jsonwebtoken::Algorithm::RS256 | jsonwebtoken::Algorithm::RS384
    ) {
        return Err(invalid(format!("algorithm {algorithm:?} is not allowed")));
    }
    let mut validation = jsonwebtoken::Validation::new(algorithm);
    validation.set_required_spec_claims(&["exp", "iat", "iss"]);
    validation.leeway = LEEWAY_S;
    validation.validate_aud = false;
    validation.set_issuer(&[issuer, base]);
    let data = jsonwebtoken::decode::<Value>(token, &decoding, &validation)
        .map_err(|e| invalid(e.to_string()))?;
    let now = u64::try_from(db::now_ms() / 1000).unwrap_or(0);
    if data.claims["iat"]
        .as_u64()
        .is_some_and(|iat| iat > now + LEEWAY_S)
    {
        return Err(invalid("Token was issued in the future".into()));
    }
    Ok(data.claims)
}

/// Exchanges a workload's OIDC `token` for a credential of `robot_name` (`owner+short`),
/// valid for an hour as the robot's password; logged `federated_robot_token_exchange`.
pub async fn exchange(
    app: &App,
    robot_name: &str,
    token: &str,
    ip: Option<String>,
) -> std::result::Result<String, ExchangeError> {
    let Some((_, short)) = robot_name.split_once('+') else {
        return Err(ExchangeError::NotARobot);
    };
    let robot = {
        let mut conn = app.db.reader().await?;
        db::robots::find_robot(&mut conn, robot_name)
            .await?
            .ok_or(ExchangeError::UnknownRobot)?
    };
    let issuer = unverified_claims(token)
        .and_then(|claims| claims["iss"].as_str().map(str::to_owned))
        .ok_or(ExchangeError::NoIssuer)?;
    let config: Vec<Value> = {
        let mut conn = app.db.reader().await?;
        let stored = db::robots::find_federation(&mut conn, robot.id).await?;
        serde_json::from_str(&stored).unwrap_or_default()
    };
    if config.is_empty() {
        return Err(ExchangeError::NotConfigured);
    }
    let subjects: Vec<&str> = config
        .iter()
        .filter(|entry| entry["issuer"] == issuer.as_str())
        .filter_map(|entry| entry["subject"].as_str())
        .collect();
    if subjects.is_empty() {
        return Err(ExchangeError::UnknownIssuer(issuer));
    }
    let claims = verify(app, &issuer, token).await?;
    let subject = claims["sub"].as_str().unwrap_or_default();
    if !subjects.contains(&subject) {
        return Err(ExchangeError::WrongSubject);
    }
    let credential = random_code(64);
    let now = db::now_ms();
    let mut tx = app.db.begin().await?;
    db::robots::insert_exchanged_token(
        &mut tx,
        robot.id,
        &secret_digest(&credential),
        now + EXCHANGED_LIFETIME_MS,
        now,
    )
    .await?;
    let metadata = json!({ "subject": subject, "issuer": issuer, "robot": short });
    let scope = logs::Scope::namespace(robot.owner_id);
    logs::record(
        &mut tx,
        &Actor::anonymous(ip),
        "federated_robot_token_exchange",
        scope,
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!(robot.name = %robot_name, issuer = %issuer, "federated token exchanged");
    Ok(credential)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_follow_quay() {
        let entry = |issuer: &str, subject: &str| json!({"issuer": issuer, "subject": subject});
        let good = checked(&[
            entry("https://issuer.example", "sys:ci"),
            json!({"issuer": "https://b", "subject": "s", "audiences": ["x"]}),
        ]);
        assert_eq!(good.unwrap()[1], entry("https://b", "s"));
        assert!(
            matches!(checked(&[entry("issuer.example", "s")]), Err(Error::Invalid(m)) if m.starts_with("Issuer must"))
        );
        assert!(
            matches!(checked(&[entry("https://a", "")]), Err(Error::Invalid(m)) if m.starts_with("Missing"))
        );
        let twice = [entry("https://a", "s"), entry("https://a", "s")];
        assert!(matches!(
            checked(&twice),
            Err(Error::Invalid("Duplicate federation config entry"))
        ));
    }
}
