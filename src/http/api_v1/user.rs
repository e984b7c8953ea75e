//! Users (core-api.md §3.1): the caller's own account, other users' public views, the
//! caller's starred repositories, and first-user initialization (§1.6).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::app_token::require_user_admin;
use crate::accounts::{self, passwords, Account, NewUser};
use crate::app::{App, AppState};
use crate::db::repositories::RepositoryListRow;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, Identity, QuayJson, QueryParams};
use crate::http::json::{Jsonify, Restful};
use crate::http::views::{Avatar, AvatarKind};
use crate::namespaces::organizations::{self, UserOrganization};
use crate::paging::IdCursor;
use crate::pyjson::python_truthy;
use crate::repositories::management;

/// Quay's `user_view` of a user as one caller sees it.
#[derive(Debug, Serialize)]
pub struct UserInformationView {
    anonymous: bool,
    username: String,
    avatar: Avatar,
    /// Only for credentials that may administer the user (`user:admin` or a direct login).
    #[serde(flatten)]
    account: Option<AccountView>,
    /// For the user itself, with `user:read`.
    #[serde(skip_serializing_if = "Option::is_none")]
    organizations: Option<Vec<UserOrganizationView>>,
    /// Whenever a superuser asks: whether it asks about itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    super_user: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    global_readonly_super_user: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct AccountView {
    can_create_repo: bool,
    is_me: bool,
    verified: bool,
    email: String,
    logins: Vec<serde_json::Value>,
    invoice_email: bool,
    invoice_email_address: Option<String>,
    preferred_namespace: bool,
    tag_expiration_s: i64,
    prompts: Vec<String>,
    company: Option<String>,
    family_name: Option<String>,
    given_name: Option<String>,
    location: Option<String>,
    is_free_account: bool,
    has_password_set: bool,
}

/// One of the user's organizations; the admin flags only for credentials that may administer
/// the user, as in Quay.
#[derive(Debug, Serialize)]
pub struct UserOrganizationView {
    name: String,
    avatar: Avatar,
    can_create_repo: bool,
    /// Berth has no `PUBLIC_NAMESPACES`.
    public: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_org_admin: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preferred_namespace: Option<bool>,
}

impl AccountView {
    fn new(account: &Account) -> AccountView {
        AccountView {
            can_create_repo: true,
            is_me: true,
            verified: account.verified,
            email: account.email.clone(),
            logins: Vec::new(),
            invoice_email: false,
            invoice_email_address: None,
            preferred_namespace: false,
            tag_expiration_s: account.tag_expiration_s,
            prompts: Vec::new(),
            company: None,
            family_name: None,
            given_name: None,
            location: None,
            is_free_account: true,
            has_password_set: account.password_hash.is_some(),
        }
    }
}

impl UserOrganizationView {
    fn new(org: UserOrganization, user_admin: bool) -> UserOrganizationView {
        UserOrganizationView {
            avatar: Avatar::new(&org.name, Some(&org.email), AvatarKind::Org),
            name: org.name,
            can_create_repo: org.can_create_repo,
            public: false,
            is_org_admin: user_admin.then_some(org.is_org_admin),
            preferred_namespace: user_admin.then_some(false),
        }
    }
}

/// Quay's `user_view` of `user` for `viewer`: the account details for the user itself with
/// `user:admin`, its organizations with `user:read`; the superuser flags whenever the viewer
/// is one, saying whether it views itself.
async fn user_view(
    app: &App,
    user: &Account,
    viewer: Option<&Identity>,
) -> Result<UserInformationView, ApiError> {
    let itself = viewer.filter(|id| id.account.id == user.id);
    let user_admin = itself.is_some_and(|id| id.scopes.contains_user_admin());
    let organizations = match itself.filter(|id| id.scopes.allows_user_read()) {
        Some(id) => Some(
            organizations::list_user_organizations(app, user, id.scopes)
                .await?
                .into_iter()
                .map(|org| UserOrganizationView::new(org, user_admin))
                .collect(),
        ),
        None => None,
    };
    let config = &app.config;
    let superuser =
        viewer.filter(|id| id.account.is_superuser(config) && id.scopes.allows_superuser());
    let readonly = viewer.filter(|id| id.account.is_global_readonly_superuser(config));
    Ok(UserInformationView {
        anonymous: false,
        username: user.username.clone(),
        avatar: Avatar::new(&user.username, Some(&user.email), AvatarKind::User),
        account: user_admin.then(|| AccountView::new(user)),
        organizations,
        super_user: superuser.map(|id| id.account.id == user.id),
        global_readonly_super_user: readonly.map(|id| id.account.id == user.id),
    })
}

/// GET /api/v1/user/ (getLoggedInUser) [user:read]
pub async fn get_current_user(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Restful<UserInformationView>, ApiError> {
    // Quay answers 401 to every caller who may not read the user, signed in or not.
    let identity = match &caller.identity {
        Some(id) if id.account.is_plain_user() && id.scopes.allows_user_read() => id,
        _ => return Err(ApiError::not_signed_in()),
    };
    let view = user_view(&app, &identity.account, Some(identity)).await?;
    Ok(Restful(StatusCode::OK, view))
}

/// GET /api/v1/users/{username} (getUserInformation): for anyone; 404 for robots,
/// organizations and unknown names.
pub async fn get_user_information(
    State(app): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> Result<Restful<UserInformationView>, ApiError> {
    let user = accounts::get_user(&app, &username).await?;
    let view = user_view(&app, &user, caller.identity.as_ref()).await?;
    Ok(Restful(StatusCode::OK, view))
}

/// A starred repository as `listStarredRepos` shows it.
#[derive(Debug, Serialize)]
pub struct StarredRepositoryView {
    namespace: String,
    name: String,
    description: String,
    is_public: bool,
}

impl From<RepositoryListRow> for StarredRepositoryView {
    fn from(row: RepositoryListRow) -> Self {
        StarredRepositoryView {
            namespace: row.namespace,
            name: row.name,
            description: row.description,
            is_public: row.public != 0,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct StarredRepositoryListView {
    repositories: Vec<StarredRepositoryView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page: Option<String>,
}

/// GET /api/v1/user/starred (listStarredRepos) [user:admin]: a hundred a page, by id.
pub async fn list_starred_repositories(
    State(app): State<AppState>,
    caller: Caller,
    query: QueryParams,
) -> Result<Restful<StarredRepositoryListView>, ApiError> {
    let identity = require_user_admin(&caller)?;
    let cursor = IdCursor::from_token(&app.secrets.page_tokens, query.string("next_page"));
    let (rows, next) =
        management::list_starred_repositories(&app, &identity.account, cursor.start_id).await?;
    Ok(Restful(
        StatusCode::OK,
        StarredRepositoryListView {
            repositories: rows.into_iter().map(StarredRepositoryView::from).collect(),
            next_page: cursor.next_token(&app.secrets.page_tokens, next),
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct InitializeBody {
    #[serde(deserialize_with = "username")]
    username: Option<String>,
    #[serde(deserialize_with = "password")]
    password: Option<String>,
    #[serde(default, deserialize_with = "email")]
    email: Option<String>,
    #[serde(default)]
    access_token: Option<serde_json::Value>,
}

fn username<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "username")
}
fn password<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "password")
}
fn email<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "email")
}

/// `jsonify` output, so keys come sorted.
#[derive(Debug, Serialize)]
pub struct InitializedView {
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    email: Option<String>,
    encrypted_password: String,
    username: String,
}

/// POST /api/v1/user/initialize: the first user of an empty installation; with
/// `access_token: true` also an OAuth token carrying every scope.
pub async fn initialize(
    State(app): State<AppState>,
    QuayJson(body): QuayJson<InitializeBody>,
) -> Result<Jsonify<InitializedView>, ApiError> {
    if !app.config.features.user_initialize {
        return Err(ApiError::not_found());
    }
    let password = body.password.unwrap_or_default();
    let with_token = body.access_token.as_ref().is_some_and(python_truthy);
    let new = NewUser {
        username: body.username.unwrap_or_default(),
        email: body.email.clone(),
        password: password.clone(),
        verified: true,
        superuser: app.config.first_user_is_superuser,
    };
    let created = accounts::initialize_first_user(&app, new, with_token).await?;
    Ok(Jsonify(
        StatusCode::OK,
        InitializedView {
            access_token: created.access_token,
            email: body.email,
            encrypted_password: passwords::encrypt_password(&app.secrets.secret_key, &password),
            username: created.account.username,
        },
    ))
}
