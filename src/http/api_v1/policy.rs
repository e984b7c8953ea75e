//! Tag policies: auto-prune (Quay's `policy` module) and immutability (`immutability_policy`)
//! of organizations (and a user's own namespace through the organization routes), of the
//! signed-in user, and of repositories. One handler serves each operation for every owner
//! kind: the `PolicyTarget` extractor resolves the owner and checks the caller's right.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path, RawPathParams, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::app_token::require_user_admin;
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{Caller, QuayJson, RepositoryPath};
use crate::http::json::Restful;
use crate::logs::Actor;
use crate::pyjson::python_repr;
use crate::repositories::tag_policies::{self, autoprune, immutability, Target};

/// Whose policies a route names.
pub trait Owner: Send + Sync + 'static {
    fn resolve(
        parts: &mut Parts,
        app: &AppState,
        caller: &Caller,
        reading: bool,
    ) -> impl std::future::Future<Output = Result<Target, ApiError>> + Send;
}

/// `/organization/{orgname}/...`: the organization, or a user's own namespace.
pub struct OfOrganization;
/// `/user/...`: the signed-in user's namespace.
pub struct OfUser;
/// `/repository/{repository}/...`.
pub struct OfRepository;

impl Owner for OfOrganization {
    async fn resolve(
        parts: &mut Parts,
        app: &AppState,
        caller: &Caller,
        reading: bool,
    ) -> Result<Target, ApiError> {
        let params = RawPathParams::from_request_parts(parts, app)
            .await
            .map_err(|_| ApiError::not_found())?;
        let name = params
            .iter()
            .find(|(key, _)| *key == "orgname")
            .map(|(_, value)| value.to_owned())
            .ok_or_else(ApiError::not_found)?;
        let principal = caller.principal()?;
        match tag_policies::namespace_target(app, &principal, &name, reading).await {
            Err(tag_policies::Error::Unauthorized) => Err(caller.unauthorized()),
            other => Ok(other?),
        }
    }
}

impl Owner for OfUser {
    async fn resolve(
        _parts: &mut Parts,
        _app: &AppState,
        caller: &Caller,
        _reading: bool,
    ) -> Result<Target, ApiError> {
        Ok(Target::Namespace(
            require_user_admin(caller)?.account.clone(),
        ))
    }
}

impl Owner for OfRepository {
    async fn resolve(
        parts: &mut Parts,
        app: &AppState,
        caller: &Caller,
        reading: bool,
    ) -> Result<Target, ApiError> {
        let path = RepositoryPath::from_request_parts(parts, app).await?;
        let principal = caller.principal()?;
        Ok(tag_policies::repository_target(app, &principal, &path.repo, reading).await?)
    }
}

/// What the route does with the policies.
pub trait Access: Send + Sync + 'static {
    const READING: bool;
}
pub struct Reads;
pub struct Changes;
impl Access for Reads {
    const READING: bool = true;
}
impl Access for Changes {
    const READING: bool = false;
}

/// The policies' owner, resolved for the caller, who holds the right `A` needs.
pub struct PolicyTarget<O, A> {
    target: Target,
    actor: Actor,
    kind: PhantomData<fn() -> (O, A)>,
}

impl<O: Owner, A: Access> FromRequestParts<AppState> for PolicyTarget<O, A> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, app).await?;
        let target = O::resolve(parts, app, &caller, A::READING).await?;
        Ok(PolicyTarget {
            target,
            actor: caller.actor(),
            kind: PhantomData,
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct PolicyPath {
    policy_uuid: String,
}

/// `{"uuid": ...}`, the answer of creates (201) and deletes (200).
fn uuid_answer(status: StatusCode, uuid: String) -> Restful<Value> {
    Restful(status, json!({ "uuid": uuid }))
}

/// A JSON schema type: its name and its test.
type JsonType = (&'static str, fn(&Value) -> bool);

/// A field of a body object, type-checked as Quay's JSON schema does.
fn field<'a>(
    body: &'a Value,
    name: &str,
    required: bool,
    accepts: &[JsonType],
) -> Result<Option<&'a Value>, ApiError> {
    let Some(object) = body.as_object() else {
        return Err(ApiError::invalid_request(format!(
            "{} is not of type 'object'",
            python_repr(body)
        )));
    };
    let Some(value) = object.get(name) else {
        if required {
            return Err(ApiError::invalid_request(format!(
                "'{name}' is a required property"
            )));
        }
        return Ok(None);
    };
    if accepts.iter().any(|(_, ok)| ok(value)) {
        return Ok(Some(value));
    }
    let types: Vec<String> = accepts.iter().map(|(t, _)| format!("'{t}'")).collect();
    Err(ApiError::invalid_request(format!(
        "{} is not of type {}",
        python_repr(value),
        types.join(", ")
    )))
}

const STRING: JsonType = ("string", Value::is_string);
const INTEGER: JsonType = ("integer", |v| v.is_i64() || v.is_u64());
const BOOLEAN: JsonType = ("boolean", Value::is_boolean);

/// `tagPattern` and `tagPatternMatches` (true when absent).
fn pattern_fields(body: &Value, required: bool) -> Result<(Option<String>, bool), ApiError> {
    let pattern = field(body, "tagPattern", required, &[STRING])?
        .and_then(Value::as_str)
        .map(str::to_owned);
    let matches = field(body, "tagPatternMatches", false, &[BOOLEAN])?
        .and_then(Value::as_bool)
        .unwrap_or(true);
    Ok((pattern, matches))
}

/// One kind of policy: its view, how a body becomes a request, and its domain operations.
pub trait PolicyKind: Send + Sync + 'static {
    type Policy: Send;
    type View: Serialize + From<Self::Policy> + Send;
    type Request: Send + Sync;

    fn request(body: &Value) -> Result<Self::Request, ApiError>;
    fn list(
        app: &AppState,
        target: &Target,
    ) -> impl std::future::Future<Output = tag_policies::Result<Vec<Self::Policy>>> + Send;
    fn create(
        app: &AppState,
        actor: &Actor,
        target: &Target,
        request: &Self::Request,
    ) -> impl std::future::Future<Output = tag_policies::Result<String>> + Send;
    fn update(
        app: &AppState,
        actor: &Actor,
        target: &Target,
        uuid: &str,
        request: &Self::Request,
    ) -> impl std::future::Future<Output = tag_policies::Result<()>> + Send;
    fn delete(
        app: &AppState,
        actor: &Actor,
        target: &Target,
        uuid: &str,
    ) -> impl std::future::Future<Output = tag_policies::Result<()>> + Send;
    fn uuid(policy: &Self::Policy) -> &str;
}

/// Auto-prune policies (Quay's `policy` module).
pub struct AutoPrune;
/// Immutability policies (Quay's `immutability_policy` module).
pub struct Immutability;

#[derive(Debug, Serialize)]
pub struct AutoPrunePolicyView {
    uuid: String,
    method: String,
    value: Value,
    #[serde(rename = "tagPattern")]
    tag_pattern: Option<String>,
    #[serde(rename = "tagPatternMatches")]
    tag_pattern_matches: bool,
}

impl From<autoprune::Policy> for AutoPrunePolicyView {
    fn from(policy: autoprune::Policy) -> Self {
        AutoPrunePolicyView {
            uuid: policy.uuid,
            method: policy.method,
            value: policy.value,
            tag_pattern: policy.tag_pattern,
            tag_pattern_matches: policy.tag_pattern_matches,
        }
    }
}

impl PolicyKind for AutoPrune {
    type Policy = autoprune::Policy;
    type View = AutoPrunePolicyView;
    type Request = autoprune::PolicyRequest;

    /// Quay's `AutoPrunePolicyConfig`: `method` and `value` (integer or string) required.
    fn request(body: &Value) -> Result<autoprune::PolicyRequest, ApiError> {
        let method = field(body, "method", true, &[STRING])?
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let value = field(body, "value", true, &[INTEGER, STRING])?
            .cloned()
            .unwrap_or(Value::Null);
        let (tag_pattern, tag_pattern_matches) = pattern_fields(body, false)?;
        Ok(autoprune::PolicyRequest {
            method,
            value,
            tag_pattern,
            tag_pattern_matches,
        })
    }

    async fn list(app: &AppState, target: &Target) -> tag_policies::Result<Vec<Self::Policy>> {
        autoprune::list_policies(app, target).await
    }

    async fn create(
        app: &AppState,
        actor: &Actor,
        target: &Target,
        request: &Self::Request,
    ) -> tag_policies::Result<String> {
        autoprune::create_policy(app, actor, target, request).await
    }

    async fn update(
        app: &AppState,
        actor: &Actor,
        target: &Target,
        uuid: &str,
        request: &Self::Request,
    ) -> tag_policies::Result<()> {
        autoprune::update_policy(app, actor, target, uuid, request).await
    }

    async fn delete(
        app: &AppState,
        actor: &Actor,
        target: &Target,
        uuid: &str,
    ) -> tag_policies::Result<()> {
        autoprune::delete_policy(app, actor, target, uuid).await
    }

    fn uuid(policy: &Self::Policy) -> &str {
        &policy.uuid
    }
}

#[derive(Debug, Serialize)]
pub struct ImmutabilityPolicyView {
    uuid: String,
    #[serde(rename = "tagPattern")]
    tag_pattern: String,
    #[serde(rename = "tagPatternMatches")]
    tag_pattern_matches: bool,
}

impl From<immutability::Policy> for ImmutabilityPolicyView {
    fn from(policy: immutability::Policy) -> Self {
        ImmutabilityPolicyView {
            uuid: policy.uuid,
            tag_pattern: policy.tag_pattern,
            tag_pattern_matches: policy.tag_pattern_matches,
        }
    }
}

impl PolicyKind for Immutability {
    type Policy = immutability::Policy;
    type View = ImmutabilityPolicyView;
    /// The pattern and whether it takes the names that match it.
    type Request = (String, bool);

    /// Quay's `ImmutabilityPolicyConfig`: `tagPattern` required.
    fn request(body: &Value) -> Result<(String, bool), ApiError> {
        let (pattern, matches) = pattern_fields(body, true)?;
        Ok((pattern.unwrap_or_default(), matches))
    }

    async fn list(app: &AppState, target: &Target) -> tag_policies::Result<Vec<Self::Policy>> {
        immutability::list_policies(app, target).await
    }

    async fn create(
        app: &AppState,
        actor: &Actor,
        target: &Target,
        (pattern, matches): &Self::Request,
    ) -> tag_policies::Result<String> {
        immutability::create_policy(app, actor, target, pattern, *matches).await
    }

    async fn update(
        app: &AppState,
        actor: &Actor,
        target: &Target,
        uuid: &str,
        (pattern, matches): &Self::Request,
    ) -> tag_policies::Result<()> {
        immutability::update_policy(app, actor, target, uuid, pattern, *matches).await
    }

    async fn delete(
        app: &AppState,
        actor: &Actor,
        target: &Target,
        uuid: &str,
    ) -> tag_policies::Result<()> {
        immutability::delete_policy(app, actor, target, uuid).await
    }

    fn uuid(policy: &Self::Policy) -> &str {
        &policy.uuid
    }
}

#[derive(Debug, Serialize)]
pub struct PolicyList<V> {
    policies: Vec<V>,
}

/// GET .../autoprunepolicy/ and .../immutabilitypolicy/ (list*Policies)
pub async fn list<K: PolicyKind, O: Owner>(
    State(app): State<AppState>,
    owner: PolicyTarget<O, Reads>,
) -> Result<Restful<PolicyList<K::View>>, ApiError> {
    let policies = K::list(&app, &owner.target).await?;
    Ok(Restful(
        StatusCode::OK,
        PolicyList {
            policies: policies.into_iter().map(Into::into).collect(),
        },
    ))
}

/// POST .../ (create*Policy): 201 `{"uuid"}`. An immutability policy applies to existing
/// tags at once; an auto-prune policy queues a pruning run.
pub async fn create<K: PolicyKind, O: Owner>(
    State(app): State<AppState>,
    owner: PolicyTarget<O, Changes>,
    QuayJson(body): QuayJson<Value>,
) -> Result<Restful<Value>, ApiError> {
    let request = K::request(&body)?;
    let uuid = K::create(&app, &owner.actor, &owner.target, &request).await?;
    Ok(uuid_answer(StatusCode::CREATED, uuid))
}

/// GET .../{policy_uuid} (get*Policy)
pub async fn get<K: PolicyKind, O: Owner>(
    State(app): State<AppState>,
    owner: PolicyTarget<O, Reads>,
    Path(PolicyPath { policy_uuid }): Path<PolicyPath>,
) -> Result<Restful<K::View>, ApiError> {
    let policy = K::list(&app, &owner.target)
        .await?
        .into_iter()
        .find(|p| K::uuid(p) == policy_uuid)
        .ok_or_else(ApiError::not_found)?;
    Ok(Restful(StatusCode::OK, policy.into()))
}

/// PUT .../{policy_uuid} (update*Policy): 204.
pub async fn update<K: PolicyKind, O: Owner>(
    State(app): State<AppState>,
    owner: PolicyTarget<O, Changes>,
    Path(PolicyPath { policy_uuid }): Path<PolicyPath>,
    QuayJson(body): QuayJson<Value>,
) -> Result<Response, ApiError> {
    let request = K::request(&body)?;
    K::update(&app, &owner.actor, &owner.target, &policy_uuid, &request).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// DELETE .../{policy_uuid} (delete*Policy): 200 `{"uuid"}`. Tags an immutability policy
/// marked stay immutable.
pub async fn delete<K: PolicyKind, O: Owner>(
    State(app): State<AppState>,
    owner: PolicyTarget<O, Changes>,
    Path(PolicyPath { policy_uuid }): Path<PolicyPath>,
) -> Result<Restful<Value>, ApiError> {
    K::delete(&app, &owner.actor, &owner.target, &policy_uuid).await?;
    Ok(uuid_answer(StatusCode::OK, policy_uuid))
}
