//! Registry access: the token endpoint's grant decisions (core-api.md §2.4, §2.5), including
//! repository creation on push, and the caller of a `/v2` request as its token describes it.

use serde_json::{json, Map, Value};

use super::names::{NameError, NamingRules, RepoName};
use super::permissions::{can_create_in, effective_role};
use super::{
    find_with_namespace, Repository, STATE_MARKED_FOR_DELETION, STATE_MIRROR, STATE_NORMAL,
};
use crate::accounts::login::{CredentialKind, Login};
use crate::accounts::Role;
use crate::accounts::{Account, Scopes};
use crate::app::App;
use crate::config::Config;
use crate::db;
use crate::logs::{self, OAuthUse};
use crate::namespaces::prototypes;
use crate::service_keys::registry_token::{self, AccessEntry, RegistryClaims};
use crate::user_events;

const ANONYMOUS_SUBJECT: &str = "(anonymous)";

/// Outcomes of `/v2/auth` that fail the request; the texts are Quay's.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("Anonymous access is not allowed")]
    AnonymousNotAllowed,
    #[error("access to the requested resource is not authorized")]
    AnonymousWithoutScope,
    #[error("Unable to decode repository and actions: {0}")]
    InvalidScope(String),
    #[error(transparent)]
    Name(#[from] NameError),
    #[error("Namespace {0} has been disabled. Please contact a system administrator.")]
    NamespaceDisabled(String),
    #[error("Repository {0} is being deleted")]
    MarkedForDeletion(String),
    #[error("Unsupported repository kind for pushes: {0}")]
    UnsupportedKind(String),
    #[error(transparent)]
    Db(#[from] db::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Registry actions a scope may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pull,
    Push,
    /// `*`: everything, granted to admins.
    All,
}

impl Action {
    fn parse(text: &str) -> Option<Action> {
        match text {
            "pull" => Some(Action::Pull),
            "push" => Some(Action::Push),
            "*" => Some(Action::All),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Action::Pull => "pull",
            Action::Push => "push",
            Action::All => "*",
        }
    }
}

/// `repository:<name>:<actions>`, the name as written (host prefix kept) and parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeRequest {
    pub written_name: String,
    pub name: RepoName,
    pub actions: Vec<Action>,
}

/// The name part of a scope or token entry without the optional `<SERVER_HOSTNAME>/` prefix,
/// if it only uses the characters scopes allow.
fn strip_host<'a>(written: &'a str, server_hostname: &str) -> Option<&'a str> {
    let name = written
        .strip_prefix(server_hostname)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(written);
    let segment_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    };
    name.split('/').all(segment_ok).then_some(name)
}

/// Parses one `scope` parameter: the grammar is checked first (400 INVALID_REQUEST), then
/// the name (400 NAME_INVALID).
/// The scope clients ask for to list `/v2/_catalog`.
const CATALOG_SCOPE: &str = "registry:catalog:*";

pub fn parse_scope(
    text: &str,
    server_hostname: &str,
    rules: NamingRules,
) -> Result<ScopeRequest, AuthError> {
    let invalid = || AuthError::InvalidScope(text.to_owned());
    let rest = text.strip_prefix("repository:").ok_or_else(invalid)?;
    // The host may carry a port, so the actions are whatever follows the last colon.
    let (written_name, actions) = rest.rsplit_once(':').ok_or_else(invalid)?;
    let name = strip_host(written_name, server_hostname).ok_or_else(invalid)?;
    let actions = actions
        .split(',')
        .map(Action::parse)
        .collect::<Option<Vec<_>>>()
        .ok_or_else(invalid)?;
    let name = RepoName::parse(name, rules)?;
    Ok(ScopeRequest {
        written_name: written_name.to_owned(),
        name,
        actions,
    })
}

/// A `/v2/auth` request after basic authentication.
pub struct TokenRequest<'a> {
    /// None for anonymous callers.
    pub login: Option<&'a Login>,
    /// The `service` parameter: the token's audience.
    pub service: &'a str,
    pub scopes: &'a [String],
    pub user_agent: Option<&'a str>,
    pub ip: Option<String>,
}

/// Decides what each requested scope grants and signs the registry token (core-api.md §2.4).
pub async fn issue_registry_token(
    app: &App,
    request: TokenRequest<'_>,
) -> Result<String, AuthError> {
    let config = &app.config;
    if request.login.is_none() {
        if !config.features.anonymous_access {
            return Err(AuthError::AnonymousNotAllowed);
        }
        if request.scopes.is_empty() {
            return Err(AuthError::AnonymousWithoutScope);
        }
    }
    let rules = NamingRules::from_config(config);
    // `registry:catalog:*` (crane, regclient) is granted as asked: the catalog lists only what
    // the token's subject may see, whatever the token says (core-api.md §2.6).
    let (catalog, repository_scopes): (Vec<&String>, Vec<&String>) = request
        .scopes
        .iter()
        .partition(|text| text.as_str() == CATALOG_SCOPE);
    let scopes = repository_scopes
        .into_iter()
        .map(|text| parse_scope(text, &config.server_hostname, rules))
        .collect::<Result<Vec<_>, _>>()?;
    let catalog_entry = || AccessEntry {
        kind: "registry".into(),
        name: "catalog".into(),
        actions: vec!["*".into()],
    };
    let mut access: Vec<AccessEntry> = catalog.iter().map(|_| catalog_entry()).collect();
    let mut requested = access.clone();
    let mut first_grant = None;
    for scope in &scopes {
        let granted = grant_scope(app, request.login, scope).await?;
        access.push(access_entry(scope, &granted));
        requested.push(access_entry(scope, &dedup(&scope.actions)));
        first_grant.get_or_insert((&scope.name, granted));
    }
    if let Some(login) = request.login {
        publish_token_event(app, login, first_grant);
    }
    if let (Some(login), true) = (request.login, request.scopes.is_empty()) {
        record_login(app, login, &request).await?;
    }
    let subject = request
        .login
        .map_or(ANONYMOUS_SUBJECT, |l| l.account.username.as_str());
    let names: Vec<&str> = scopes.iter().map(|s| s.written_name.as_str()).collect();
    let claims = RegistryClaims::new(
        request.service,
        subject,
        access,
        requested,
        token_context(request.login, &names),
    );
    Ok(registry_token::sign(&app.signer, &claims)?)
}

/// The user's live `docker-cli` event for a token: `push_start` or `pull_start` on the first
/// scope's repository by what it was granted, else `login` (Quay's rule).
fn publish_token_event(app: &App, login: &Login, first_grant: Option<(&RepoName, Vec<Action>)>) {
    if !app.config.features.user_events || login.account.robot {
        return;
    }
    let data = match first_grant {
        Some((name, granted)) => {
            let action = if granted
                .iter()
                .any(|a| matches!(a, Action::Push | Action::All))
            {
                "push_start"
            } else if granted.contains(&Action::Pull) {
                "pull_start"
            } else {
                "login"
            };
            json!({ "action": action, "namespace": name.namespace, "repository": name.name })
        }
        None => json!({ "action": "login" }),
    };
    app.user_events
        .publish(&login.account.username, user_events::DOCKER_CLI, &data);
}

/// A token's entry for `scope`'s repository, as written in the scope, with `actions`.
fn access_entry(scope: &ScopeRequest, actions: &[Action]) -> AccessEntry {
    AccessEntry {
        kind: "repository".into(),
        name: scope.written_name.clone(),
        actions: actions.iter().map(|a| a.as_str().to_owned()).collect(),
    }
}

/// `login_success` for `docker login` / `podman login` (a token request without scope).
async fn record_login(
    app: &App,
    login: &Login,
    request: &TokenRequest<'_>,
) -> Result<(), AuthError> {
    let actor = logs::Actor {
        performer_id: Some(login.account.id),
        performer_name: Some(login.account.username.clone()),
        ip: request.ip.clone(),
        oauth: login.oauth.clone(),
    };
    let mut metadata = json!({ "type": "v2auth", "kind": "user", "useragent": request.user_agent });
    let mut namespace_id = login.account.id;
    if let CredentialKind::Robot { owner_id } = login.kind {
        // A robot's login is the owner namespace's event.
        namespace_id = owner_id;
        metadata["kind"] = json!("robot");
        metadata["robot"] = json!(login.account.username);
    }
    if let Some((_, title)) = &login.app_token {
        metadata["kind"] = json!("app_specific_token");
        metadata["app_specific_token_title"] = json!(title);
    }
    let mut tx = app.db.begin().await?;
    logs::record(
        &mut tx,
        &actor,
        "login_success",
        logs::Scope::namespace(namespace_id),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(())
}

/// The auth context carried in the token (core-api.md §2.5).
fn token_context(login: Option<&Login>, names: &[&str]) -> Value {
    let (entity_kind, kind, reference, user) = match login {
        None => ("anonymous", "anonymous", Value::Null, Value::Null),
        Some(l) if l.kind == CredentialKind::OAuthToken => (
            "oauthtoken",
            "oauth",
            Value::Null,
            json!(l.account.username),
        ),
        // Robots are referred to by name, and keep Quay's legacy `kind: user`.
        Some(l) if matches!(l.kind, CredentialKind::Robot { .. }) => (
            "robot",
            "user",
            json!(l.account.username),
            json!(l.account.username),
        ),
        Some(l) => (
            "user",
            "user",
            json!(l.account.uuid),
            json!(l.account.username),
        ),
    };
    let mut context = Map::new();
    if let Some(oauth) = login.and_then(|l| l.oauth.as_ref()) {
        // Registry usage logs name the token and application, as API entries do.
        context.insert("oauth_token_id".into(), json!(oauth.token_id));
        context.insert("oauth_token_application_id".into(), json!(oauth.client_id));
        context.insert(
            "oauth_token_application".into(),
            json!(oauth.application_name),
        );
    }
    let roots: Map<String, Value> = names
        .iter()
        .map(|n| ((*n).to_owned(), json!("$disabled")))
        .collect();
    context.extend([
        ("version".to_owned(), json!(2)),
        ("entity_kind".to_owned(), json!(entity_kind)),
        ("entity_reference".to_owned(), reference),
        ("kind".to_owned(), json!(kind)),
        ("user".to_owned(), user),
        ("com.apostille.roots".to_owned(), Value::Object(roots)),
        ("com.apostille.root".to_owned(), json!("$disabled")),
    ]);
    Value::Object(context)
}

/// The OAuth token a registry token was issued for, from its context.
fn oauth_from_context(context: &Value) -> Option<OAuthUse> {
    Some(OAuthUse {
        token_id: context.get("oauth_token_id")?.as_i64()?,
        client_id: context
            .get("oauth_token_application_id")?
            .as_str()?
            .to_owned(),
        application_name: context.get("oauth_token_application")?.as_str()?.to_owned(),
    })
}

/// The actions granted for one scope; a refusal grants less, it does not fail the request.
async fn grant_scope(
    app: &App,
    login: Option<&Login>,
    scope: &ScopeRequest,
) -> Result<Vec<Action>, AuthError> {
    let config = &app.config;
    let mut conn = app.db.reader().await?;
    let (namespace, mut repo) = find_with_namespace(&mut conn, &scope.name).await?;
    drop(conn);
    let Some(namespace) = namespace else {
        return Ok(Vec::new());
    };
    if !namespace.enabled {
        return Err(AuthError::NamespaceDisabled(namespace.username));
    }
    if repo
        .as_ref()
        .is_some_and(|r| r.state == STATE_MARKED_FOR_DELETION)
    {
        return Err(AuthError::MarkedForDeletion(scope.name.to_string()));
    }
    let (account, scopes) = match login {
        Some(l) => (Some(&l.account), l.scopes),
        None => (None, Scopes::default()),
    };
    let may_create = match account {
        Some(account) => {
            can_create_in(&mut *app.db.reader().await?, account, &namespace, scopes).await?
        }
        None => false,
    };
    // A proxy-cache organization is a read-only copy of its upstream: nobody pushes there, and
    // its members pull what the upstream has, cached or not (Quay's rule).
    let proxy = proxy_cache_membership(app, &namespace, account, scopes).await?;
    let (proxied, proxy_member) = (proxy.is_some(), proxy == Some(true));
    // Whoever creates the repository on push may push to it, whatever the token's repository
    // scopes (a `repo:create` token holds none): core-api.md §2.4.
    let created = !proxied && repo.is_none() && may_create && scope.actions.contains(&Action::Push);
    if created {
        repo = Some(create_repository_on_push(app, &namespace, scope, account).await?);
    }
    let Some(repo) = repo else {
        // Pull on a missing repository of the caller's own namespace: granted, so the caller
        // learns NAME_UNKNOWN rather than 401; nothing leaks to anyone else. In a proxy cache
        // the pull fetches the repository from the upstream.
        return Ok(if may_create || proxy_member {
            vec![Action::Pull]
        } else {
            Vec::new()
        }
        .into_iter()
        .filter(|a| scope.actions.contains(a))
        .collect());
    };
    let mut conn = app.db.reader().await?;
    let mut role = effective_role(&mut conn, config, account, scopes, &repo).await?;
    if let Some(CredentialKind::BuildRun { repository_id }) = login.map(|l| l.kind) {
        // A build run pushes what it built to its own repository, and nowhere else.
        if repository_id == repo.id {
            role = role.max(Some(Role::Write));
        }
    }
    // A mirror takes pushes from its robot only.
    let writable = match repo.state.as_str() {
        STATE_NORMAL => true,
        STATE_MIRROR => match account {
            Some(account) => {
                let mirror = db::mirrors::find_mirror(&mut conn, repo.id).await?;
                mirror.and_then(|m| m.robot_id) == Some(account.id)
            }
            None => false,
        },
        _ => false,
    };
    let mut granted = Vec::new();
    for action in dedup(&scope.actions) {
        let allowed = match action {
            Action::Pull => role >= Some(Role::Read) || proxy_member,
            Action::Push | Action::All if proxied => false,
            Action::Push if account.is_none() => false,
            Action::Push => {
                if repo.kind != "image" {
                    return Err(AuthError::UnsupportedKind(repo.kind.clone()));
                }
                writable && (created || role >= Some(Role::Write))
            }
            Action::All => repo.state == STATE_NORMAL && role >= Some(Role::Admin),
        };
        if allowed {
            granted.push(action);
        }
    }
    Ok(granted)
}

/// None when `namespace` is no proxy-cache organization; else whether the caller pulls from
/// it as a member of one of its teams, with a credential that may read repositories.
async fn proxy_cache_membership(
    app: &App,
    namespace: &Account,
    account: Option<&Account>,
    scopes: Scopes,
) -> Result<Option<bool>, AuthError> {
    if !app.config.features.proxy_cache || !namespace.organization {
        return Ok(None);
    }
    let mut conn = app.db.reader().await?;
    if db::proxy_cache::find_config(&mut conn, namespace.id)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let Some(account) = account.filter(|_| Role::cap(scopes).is_some()) else {
        return Ok(Some(false));
    };
    let teams = db::namespaces::list_teams_of_member(&mut conn, namespace.id, account.id).await?;
    Ok(Some(!teams.is_empty()))
}

fn dedup(actions: &[Action]) -> Vec<Action> {
    let mut unique = Vec::with_capacity(actions.len());
    for action in actions {
        if !unique.contains(action) {
            unique.push(*action);
        }
    }
    unique
}

/// Creates the repository a push names (private unless `CREATE_PRIVATE_REPO_ON_PUSH` is false),
/// makes its creator admin and applies the organization's default permissions. Quay writes no
/// `create_repo` log for these.
async fn create_repository_on_push(
    app: &App,
    namespace: &Account,
    scope: &ScopeRequest,
    creator: Option<&Account>,
) -> Result<Repository, AuthError> {
    let public = !app.config.create_private_repo_on_push;
    let mut tx = app.db.begin().await?;
    let row = match db::registry::insert_repository(
        &mut tx,
        namespace.id,
        &scope.name.name,
        public,
        db::now_ms(),
    )
    .await?
    {
        Some(row) => {
            if let Some(creator) = creator {
                db::registry::upsert_repository_permission(
                    &mut tx,
                    row.id,
                    creator.id,
                    Role::Admin.as_str(),
                )
                .await?;
                prototypes::apply(&mut tx, namespace, creator, row.id).await?;
            }
            row
        }
        None => existing_repository(&mut tx, namespace.id, &scope.name.name).await?,
    };
    db::commit(tx).await?;
    tracing::info!(repo.name = %scope.name, "repository created on push");
    Ok(Repository::from_row(row, &namespace.username))
}

/// The repository another request created a moment ago.
async fn existing_repository(
    tx: &mut db::DbConn,
    namespace_id: i64,
    name: &str,
) -> Result<db::registry::RepositoryRow, AuthError> {
    Ok(db::registry::find_repository(tx, namespace_id, name)
        .await?
        .ok_or_else(|| anyhow::anyhow!("repository vanished while being created"))?)
}

/// The repository `name` of the proxy-cache organization `namespace`, created by its first
/// pull: private unless `CREATE_PRIVATE_REPO_ON_PUSH` is false, with no creator (members
/// pull through the organization's proxy-cache rule).
pub async fn cached_repository(
    app: &App,
    namespace: &Account,
    name: &str,
) -> Result<Repository, AuthError> {
    let mut tx = app.db.begin().await?;
    let public = !app.config.create_private_repo_on_push;
    let row = match db::registry::insert_repository(
        &mut tx,
        namespace.id,
        name,
        public,
        db::now_ms(),
    )
    .await?
    {
        Some(row) => {
            tracing::info!(repo.name = %format!("{}/{name}", namespace.username), "repository created by a proxy-cache pull");
            row
        }
        None => existing_repository(&mut tx, namespace.id, name).await?,
    };
    db::commit(tx).await?;
    Ok(Repository::from_row(row, &namespace.username))
}

/// The caller of a `/v2` request, as its registry token describes it.
#[derive(Debug, Clone, Default)]
pub struct RegistryCaller {
    /// A valid registry token was presented (possibly an anonymous one).
    pub has_token: bool,
    /// The authenticated user; None when anonymous.
    pub username: Option<String>,
    /// The OAuth token behind a `$oauthtoken` login.
    pub oauth: Option<OAuthUse>,
    pub access: Vec<AccessEntry>,
    /// What the token's scopes asked for; None for tokens that do not record it.
    pub requested: Option<Vec<AccessEntry>>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// What a token allows on one repository.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Grants {
    pub pull: bool,
    pub push: bool,
}

impl Grants {
    /// What `entries` name on `repo`.
    fn of_entries(entries: &[AccessEntry], repo: &RepoName, config: &Config) -> Grants {
        let rules = NamingRules::from_config(config);
        let mut grants = Grants::default();
        let entries = entries.iter().filter(|entry| {
            entry.kind == "repository"
                && strip_host(&entry.name, &config.server_hostname)
                    .and_then(|name| RepoName::parse(name, rules).ok())
                    .is_some_and(|name| &name == repo)
        });
        for action in entries.flat_map(|e| e.actions.iter()) {
            match Action::parse(action) {
                Some(Action::Pull) => grants.pull = true,
                Some(Action::Push) | Some(Action::All) => {
                    grants.pull = true;
                    grants.push = true;
                }
                None => {}
            }
        }
        grants
    }
}

impl RegistryCaller {
    pub fn from_claims(
        claims: RegistryClaims,
        ip: Option<String>,
        user_agent: Option<String>,
    ) -> RegistryCaller {
        let username = claims
            .context
            .get("user")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| (claims.sub != ANONYMOUS_SUBJECT).then(|| claims.sub.clone()));
        RegistryCaller {
            has_token: true,
            username,
            oauth: oauth_from_context(&claims.context),
            access: claims.access,
            requested: claims.requested,
            ip,
            user_agent,
        }
    }

    /// The grants of the token's entries naming `repo` (host prefix and `library/` expansion
    /// resolved): `push` means write, which includes read; `*` means admin.
    pub fn grants(&self, repo: &RepoName, config: &Config) -> Grants {
        Grants::of_entries(&self.access, repo, config)
    }

    /// What the token asked for on `repo`, read like `grants`; None when the token does not
    /// record it.
    pub fn requested(&self, repo: &RepoName, config: &Config) -> Option<Grants> {
        self.requested
            .as_deref()
            .map(|entries| Grants::of_entries(entries, repo, config))
    }

    /// Whether the caller may read `repo` (cross-repository mounts): by the token, or by the
    /// caller's own role on it.
    pub async fn can_read(&self, app: &App, repo: &Repository) -> db::Result<bool> {
        let name = RepoName {
            namespace: repo.namespace.clone(),
            name: repo.name.clone(),
        };
        if self.grants(&name, &app.config).pull {
            return Ok(true);
        }
        let mut conn = app.db.reader().await?;
        let account = match &self.username {
            Some(user) => db::accounts::find_account_by_name(&mut conn, user)
                .await?
                .map(Account::from),
            None => None,
        };
        let account = account.filter(|a| a.enabled);
        let role = effective_role(
            &mut conn,
            &app.config,
            account.as_ref(),
            Scopes::DIRECT_LOGIN,
            repo,
        )
        .await?;
        Ok(role.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: NamingRules = NamingRules {
        extended_names: true,
        library_support: true,
    };

    #[test]
    fn scopes() {
        let scope = parse_scope("repository:alice/app:pull,push", "reg:5000", RULES).unwrap();
        assert_eq!(scope.written_name, "alice/app");
        assert_eq!(scope.actions, vec![Action::Pull, Action::Push]);
        let scope = parse_scope("repository:reg:5000/alice/a/b:*", "reg:5000", RULES).unwrap();
        assert_eq!(scope.written_name, "reg:5000/alice/a/b");
        assert_eq!(scope.name.to_string(), "alice/a/b");
        assert_eq!(
            parse_scope("repository:ubuntu:pull", "h", RULES)
                .unwrap()
                .name
                .to_string(),
            "library/ubuntu"
        );
        for bad in [
            "registry:catalog:pull",
            "repository:alice/app",
            "repository:alice/app:delete",
            "repository::pull",
            "repository:other:1/alice/app:pull",
            "repository:alice/app:pull,",
        ] {
            assert!(
                matches!(
                    parse_scope(bad, "reg:5000", RULES),
                    Err(AuthError::InvalidScope(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_scope("repository:Alice/app:pull", "h", RULES),
            Err(AuthError::Name(_))
        ));
    }

    #[test]
    fn grants_match_names_with_and_without_host() {
        let mut config = Config::embedded(std::path::Path::new("/tmp/unused"));
        config.server_hostname = "reg:5000".into();
        let entry = |name: &str, actions: &[&str]| AccessEntry {
            kind: "repository".into(),
            name: name.into(),
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
        };
        let caller = RegistryCaller {
            access: vec![
                entry("reg:5000/alice/app", &["push"]),
                entry("ubuntu", &["pull"]),
            ],
            ..RegistryCaller::default()
        };
        let app = RepoName::parse("alice/app", RULES).unwrap();
        assert_eq!(
            caller.grants(&app, &config),
            Grants {
                pull: true,
                push: true
            }
        );
        let ubuntu = RepoName::parse("library/ubuntu", RULES).unwrap();
        assert_eq!(
            caller.grants(&ubuntu, &config),
            Grants {
                pull: true,
                push: false
            }
        );
        let other = RepoName::parse("alice/other", RULES).unwrap();
        assert_eq!(caller.grants(&other, &config), Grants::default());
    }

    #[test]
    fn requested_scopes_read_like_grants() {
        let mut config = Config::embedded(std::path::Path::new("/tmp/unused"));
        config.server_hostname = "reg:5000".into();
        let entries = |actions: &[&str]| {
            vec![AccessEntry {
                kind: "repository".into(),
                name: "reg:5000/alice/app".into(),
                actions: actions.iter().map(|a| (*a).to_owned()).collect(),
            }]
        };
        let caller = RegistryCaller {
            access: entries(&["pull"]),
            requested: Some(entries(&["pull", "push"])),
            ..RegistryCaller::default()
        };
        let app = RepoName::parse("alice/app", RULES).unwrap();
        let other = RepoName::parse("alice/other", RULES).unwrap();
        let both = Grants {
            pull: true,
            push: true,
        };
        assert_eq!(caller.requested(&app, &config), Some(both));
        assert_eq!(caller.requested(&other, &config), Some(Grants::default()));

        // Tokens minted before the claim existed say nothing about what they asked for.
        let claims = json!({
            "iss": "quay", "aud": "reg:5000", "sub": "alice", "iat": 1, "nbf": 1, "exp": 2,
            "access": entries(&["pull"]), "context": {},
        });
        let claims: RegistryClaims = serde_json::from_value(claims).unwrap();
        let caller = RegistryCaller::from_claims(claims, None, None);
        assert_eq!(caller.requested(&app, &config), None);
    }
}
