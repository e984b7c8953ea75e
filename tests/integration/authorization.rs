//! The authorization matrix (issue #4): every `/api/v1` operation the discovery document lists
//! and the `/v2` pull and push paths, called by each kind of caller of core-api.md §1.3 in one
//! world, each answer compared with the status the specs give.
//!
//! The world: the superuser `admin`, the read-only superuser `auditor`, the organization `acme`
//! created by `owner` with teams `leads` (admin role, holding `orgadmin`), `builders` (creator,
//! `creator`), `devs` (member, `member`) and `readers` (member, `reader`), the private
//! repository `acme/app` pushed by `owner` and read by `readers` and the robot `acme+puller`,
//! an `outsider`, and OAuth tokens of `owner` holding one scope each. What rows change or
//! destroy has its own target (`doomed`, `gone`, `idle`, `spare`, `adopted`, ...); a row that
//! works once says how its target is made again, so that every caller allowed is called.
//!
//! The expected statuses come from two tables: `rights` says what each caller holds in the
//! world (its roles after the token's scope cap, §1.3), and each row of `rows` names the check
//! its operation makes (core-api.md §3, superuser-api.md §0; where the specs are silent, Quay's
//! decorators). A new operation needs one row, or the test fails on the discovery document.

use std::collections::BTreeSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::fixtures::{
    admin, create_auditor, create_org, create_team, create_user, implicit_token, registry_token_as,
    try_push, user_session, Registry, ADMIN_PASSWORD,
};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Options, Resp};

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;
const DELETE: Method = Method::DELETE;

/// The kinds of caller. Users are signed in with a browser session; `Token`s are OAuth tokens
/// of `owner` holding one scope each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Anonymous,
    /// Created `acme` (so is in its `owners` team) and pushed `acme/app`.
    Owner,
    /// In team `leads` (role admin).
    OrgAdmin,
    /// In team `builders` (role creator).
    Creator,
    /// In team `devs` (role member).
    Member,
    /// In team `readers` (role member), which reads `acme/app`.
    Reader,
    /// A user with nothing in `acme`.
    Outsider,
    /// `acme+puller`, an organization robot that reads `acme/app`.
    Robot,
    Token(&'static str),
    /// `admin` (SUPER_USERS) with the token `user/initialize` gave it (every scope).
    Superuser,
    /// `auditor` (GLOBAL_READONLY_SUPER_USERS).
    Auditor,
}

const SCOPES: [&str; 8] = [
    "repo:read",
    "repo:write",
    "repo:admin",
    "repo:create",
    "user:read",
    "user:admin",
    "org:admin",
    "super:user",
];

const ROLES: [Role; 18] = [
    Role::Anonymous,
    Role::Owner,
    Role::OrgAdmin,
    Role::Creator,
    Role::Member,
    Role::Reader,
    Role::Outsider,
    Role::Robot,
    Role::Token(SCOPES[0]),
    Role::Token(SCOPES[1]),
    Role::Token(SCOPES[2]),
    Role::Token(SCOPES[3]),
    Role::Token(SCOPES[4]),
    Role::Token(SCOPES[5]),
    Role::Token(SCOPES[6]),
    Role::Token(SCOPES[7]),
    Role::Superuser,
    Role::Auditor,
];

/// Users signed in with a session, by role.
const SESSION_USERS: [(Role, &str); 6] = [
    (Role::Owner, "owner"),
    (Role::OrgAdmin, "orgadmin"),
    (Role::Creator, "creator"),
    (Role::Member, "member"),
    (Role::Reader, "reader"),
    (Role::Outsider, "outsider"),
];

impl Role {
    /// Where this caller sits in `ROLES` and in the world's tables.
    fn index(self) -> usize {
        ROLES
            .iter()
            .position(|r| *r == self)
            .expect("a listed role")
    }

    /// A name part for what this caller creates, e.g. `token-repo-read`.
    fn slug(self) -> String {
        match self {
            Role::Token(scope) => format!("token-{}", scope.replace(':', "-")),
            other => format!("{other:?}").to_lowercase(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum RepoRole {
    Read,
    Write,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TeamRole {
    Member,
    Creator,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum UserRole {
    Read,
    Admin,
}

/// What a caller holds in the world (core-api.md §1.3), after its token's scope cap.
#[derive(Debug, Default, Clone, Copy)]
struct Rights {
    /// Authenticated on `/api/v1`.
    api: bool,
    /// Over its own account.
    user: Option<UserRole>,
    /// In `acme`.
    org: Option<TeamRole>,
    /// On `acme/app`.
    repo: Option<RepoRole>,
    /// In team `devs`.
    devs: bool,
    /// The caller is `owner` (its session or one of its tokens).
    owner: bool,
    /// A superuser whose credential carries `super:user` or is a direct login.
    superuser: bool,
    /// A global read-only superuser.
    auditor: bool,
    /// Signed in with a browser session (not a token or basic auth).
    session: bool,
}

fn rights(role: Role) -> Rights {
    let user = Rights {
        api: true,
        user: Some(UserRole::Admin),
        session: true,
        ..Rights::default()
    };
    let org_admin = Rights {
        org: Some(TeamRole::Admin),
        repo: Some(RepoRole::Admin),
        ..user
    };
    match role {
        Role::Anonymous => Rights::default(),
        Role::Owner => Rights {
            owner: true,
            ..org_admin
        },
        Role::OrgAdmin => org_admin,
        Role::Creator => Rights {
            org: Some(TeamRole::Creator),
            ..user
        },
        Role::Member => Rights {
            org: Some(TeamRole::Member),
            devs: true,
            ..user
        },
        Role::Reader => Rights {
            org: Some(TeamRole::Member),
            repo: Some(RepoRole::Read),
            ..user
        },
        Role::Outsider => user,
        // Robots log in on `/v2/auth` only: on `/api/v1` basic auth is ignored (§1.2).
        Role::Robot => Rights {
            repo: Some(RepoRole::Read),
            ..Rights::default()
        },
        // The owner's roles, each capped by the one scope (§1.3 "OAuth scope capping").
        Role::Token(scope) => {
            let token = Rights {
                api: true,
                owner: true,
                ..Rights::default()
            };
            match scope {
                "repo:read" => Rights {
                    repo: Some(RepoRole::Read),
                    ..token
                },
                "repo:write" => Rights {
                    repo: Some(RepoRole::Write),
                    ..token
                },
                "repo:admin" => Rights {
                    repo: Some(RepoRole::Admin),
                    ..token
                },
                "repo:create" => Rights {
                    org: Some(TeamRole::Creator),
                    ..token
                },
                "user:read" => Rights {
                    user: Some(UserRole::Read),
                    ..token
                },
                "user:admin" => Rights {
                    user: Some(UserRole::Admin),
                    ..token
                },
                "org:admin" => Rights {
                    org: Some(TeamRole::Admin),
                    ..token
                },
                // The owner is no superuser: the scope alone grants nothing.
                _ => token,
            }
        }
        // Without FEATURE_SUPERUSERS_FULL_ACCESS a superuser has no rights in `acme`.
        Role::Superuser => Rights {
            superuser: true,
            ..user
        },
        Role::Auditor => Rights {
            auditor: true,
            ..user
        },
    }
}

/// The check an operation makes before doing anything.
#[derive(Debug, Clone, Copy)]
enum Need {
    Anyone,
    /// Passes no caller (a sign-in with wrong credentials).
    Nobody,
    LoggedIn,
    UserRead,
    UserAdmin,
    /// Read on `acme/app`; global read-only superusers read every repository.
    RepoRead,
    RepoWrite,
    RepoAdmin,
    /// Repository admin, and for reads the global read-only superuser.
    RepoAdminOrAuditor,
    /// Create repositories in `acme`.
    CreateRepo,
    /// Any team of `acme`, or the read-only superuser.
    OrgMemberOrAuditor,
    /// Member of team `devs`, or the organization's admins, or the read-only superuser.
    TeamViewOrAuditor,
    OrgAdmin,
    OrgAdminOrAuditor,
    /// superuser-api.md "SU".
    Superuser,
    /// superuser-api.md "Any-SU".
    AnySuperuser,
    /// A user signed in with a browser session (Quay's `require_session_login`).
    SessionUser,
}

impl Need {
    fn allows(self, r: &Rights) -> bool {
        let org_admin = r.org == Some(TeamRole::Admin);
        let repo_admin = r.repo == Some(RepoRole::Admin);
        match self {
            Need::Anyone => true,
            Need::Nobody => false,
            Need::LoggedIn => r.api,
            Need::UserRead => r.user.is_some(),
            Need::UserAdmin => r.user == Some(UserRole::Admin),
            Need::RepoRead => r.repo.is_some() || r.auditor,
            Need::RepoWrite => r.repo >= Some(RepoRole::Write),
            Need::RepoAdmin => repo_admin,
            Need::RepoAdminOrAuditor => repo_admin || r.auditor,
            Need::CreateRepo => r.org >= Some(TeamRole::Creator),
            Need::OrgMemberOrAuditor => r.org.is_some() || r.auditor,
            Need::TeamViewOrAuditor => r.devs || org_admin || r.auditor,
            Need::OrgAdmin => org_admin,
            Need::OrgAdminOrAuditor => org_admin || r.auditor,
            Need::Superuser => r.superuser,
            Need::AnySuperuser => r.superuser || r.auditor,
            Need::SessionUser => r.session,
        }
    }
}

/// One operation called with one concrete request. Paths and bodies may name world values in
/// braces (`{digest}`); `{who}` becomes the caller's slug, so each caller creates its own.
struct Row {
    op: &'static str,
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    need: Need,
    /// The status of a caller who passes.
    ok: u16,
    /// Every caller denied answers this instead of Quay's usual denial, body unchecked.
    denial: Option<u16>,
    /// Callers who pass but are not `owner` reach nothing of their own: this status.
    owners_only: Option<u16>,
    /// The call works once (it destroys or adds its target): its witness must change with
    /// each allowed call, and `rearm` makes the target again before the next caller allowed.
    once: bool,
    rearm: Option<Rearm>,
    /// A read that denied calls must not change (and allowed `once` calls must).
    witness: Option<(Viewer, &'static str)>,
}

/// Who reads a row's witness.
#[derive(Debug, Clone, Copy)]
enum Viewer {
    As(Role),
    /// The account behind the caller allowed (`owner` for its tokens; `owner` when checking
    /// the denied callers).
    Holder,
}

/// How a `once` row's target is made again for the next caller allowed.
enum Rearm {
    /// Sign every ended session in again.
    Resume,
    /// Push the repository again as `owner`.
    Push(&'static str),
    Call(Remake),
}

/// One call that makes a target again: by `owner`, or by the next caller's account holder.
/// `keeps` stores the string at a JSON pointer of the answer as the world value `{name}`.
struct Remake {
    by_holder: bool,
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    keeps: Option<(&'static str, &'static str)>,
}

/// `method path` by `owner`.
fn remake(method: Method, path: &'static str) -> Remake {
    Remake {
        by_holder: false,
        method,
        path,
        body: None,
        keeps: None,
    }
}

impl Remake {
    fn body(mut self, json: &'static str) -> Remake {
        self.body = Some(json);
        self
    }

    fn by_holder(mut self) -> Remake {
        self.by_holder = true;
        self
    }

    fn keeps(mut self, name: &'static str, pointer: &'static str) -> Remake {
        self.keeps = Some((name, pointer));
        self
    }
}

impl From<Remake> for Rearm {
    fn from(remake: Remake) -> Rearm {
        Rearm::Call(remake)
    }
}

/// The account a caller acts for: tokens are `owner`'s.
fn holder(role: Role) -> Role {
    match role {
        Role::Token(_) => Role::Owner,
        other => other,
    }
}

fn row(op: &'static str, method: Method, path: &'static str, need: Need, ok: u16) -> Row {
    Row {
        op,
        method,
        path,
        body: None,
        need,
        ok,
        denial: None,
        owners_only: None,
        once: false,
        rearm: None,
        witness: None,
    }
}

impl Row {
    fn body(mut self, json: &'static str) -> Row {
        self.body = Some(json);
        self
    }

    fn denied(mut self, status: u16) -> Row {
        self.denial = Some(status);
        self
    }

    fn owners_only(mut self, status: u16) -> Row {
        self.owners_only = Some(status);
        self
    }

    fn once(mut self) -> Row {
        self.once = true;
        self
    }

    fn rearm(mut self, rearm: impl Into<Rearm>) -> Row {
        self.rearm = Some(rearm.into());
        self
    }

    fn witness(mut self, viewer: Role, path: &'static str) -> Row {
        self.witness = Some((Viewer::As(viewer), path));
        self
    }

    fn holders_witness(mut self, path: &'static str) -> Row {
        self.witness = Some((Viewer::Holder, path));
        self
    }

    /// The status `role` must get, and the exact body for Quay's usual denials.
    fn expected(&self, role: Role) -> (u16, Option<String>) {
        let rights = match rights(role) {
            rights if rights.api => rights,
            _ => Rights::default(),
        };
        // Callers without a token or session fail the CSRF check of every write first
        // (superuser-api.md §3.1).
        if !rights.api && self.method != GET {
            return (403, Some(wire::abort(wire::CSRF_INVALID)));
        }
        if self.need.allows(&rights) {
            return match self.owners_only {
                Some(status) if !rights.owner => (status, None),
                _ => (self.ok, None),
            };
        }
        match self.denial {
            Some(status) => (status, None),
            None if !rights.api => (401, Some(wire::requires_auth(HOST))),
            None => (403, Some(wire::insufficient_scope(HOST))),
        }
    }
}

/// Stands for the server's address in expected bodies until it is known.
const HOST: &str = "{host}";

/// Every `/api/v1` operation, by discovery tag.
fn rows() -> Vec<Row> {
    use Need::*;
    vec![
        row("discovery", GET, "/api/v1/discovery", Anyone, 200),
        // search: users for everyone; robots and teams of acme for its members.
        row(
            "getMatchingEntities",
            GET,
            "/api/v1/entities/o?namespace=acme&includeTeams=true",
            Anyone,
            200,
        ),
        // user
        // Quay answers 401 invalid_token to every caller without user read, signed in or not.
        row("getLoggedInUser", GET, "/api/v1/user/", UserRead, 200).denied(401),
        row("signinUser", POST, "/api/v1/signin", Nobody, 200)
            .body(r#"{"username": "nobody", "password": "wrong-password"}"#)
            .denied(403),
        // Quay's signout ends every session of whoever calls it.
        row("logout", POST, "/api/v1/signout", LoggedIn, 200)
            .once()
            .rearm(Rearm::Resume)
            .holders_witness("/api/v1/user/"),
        row("createStar", POST, "/api/v1/user/starred", UserAdmin, 201)
            .body(r#"{"namespace": "acme", "repository": "app"}"#),
        row("deleteStar", DELETE, "/api/v1/user/starred/acme/app", UserAdmin, 204),
        row("listStarredRepos", GET, "/api/v1/user/starred", UserAdmin, 200),
        row("getUserInformation", GET, "/api/v1/users/owner", Anyone, 200),
        row(
            "listUserAuthorizations",
            GET,
            "/api/v1/user/authorizations",
            UserAdmin,
            200,
        ),
        // Only the owner granted authorizations; everyone else finds none of that id.
        row(
            "getUserAuthorization",
            GET,
            "/api/v1/user/authorizations/{revoked_authorization}",
            UserAdmin,
            200,
        )
        .owners_only(404),
        row(
            "deleteUserAuthorization",
            DELETE,
            "/api/v1/user/authorizations/{revoked_authorization}",
            UserAdmin,
            204,
        )
        .owners_only(404)
        .once()
        .rearm(
            remake(POST, "/api/v1/organization/acme/applications/{client_id}/tokens")
                .body(r#"{"name": "revoked", "scope": "repo:read"}"#)
                .keeps("revoked_authorization", "/uuid"),
        )
        .witness(
            Role::Owner,
            "/api/v1/user/authorizations/{revoked_authorization}",
        ),
        row(
            "listAssignedAuthorizations",
            GET,
            "/api/v1/user/assignedauthorization",
            UserAdmin,
            200,
        ),
        // No assignment has this id: who may ask learns so (404), the rest are refused.
        row(
            "deleteAssignedAuthorization",
            DELETE,
            "/api/v1/user/assignedauthorization/no-such-assignment",
            UserAdmin,
            404,
        ),
        // organization
        row("createOrganization", POST, "/api/v1/organization/", UserAdmin, 201)
            .body(r#"{"name": "o-{who}", "email": "o-{who}@example.com"}"#),
        row("getOrganization", GET, "/api/v1/organization/acme", Anyone, 200),
        row(
            "changeOrganizationDetails",
            PUT,
            "/api/v1/organization/acme",
            OrgAdmin,
            200,
        )
        .body(r#"{"invoice_email": true}"#),
        // `leftorg` is the owner's alone: acme's other admins pass the scope check and then
        // find they administer nothing there.
        row(
            "deleteAdminedOrganization",
            DELETE,
            "/api/v1/organization/leftorg",
            OrgAdmin,
            204,
        )
        .owners_only(403)
        .once()
        .rearm(
            remake(POST, "/api/v1/organization/")
                .body(r#"{"name": "leftorg", "email": "leftorg@example.com"}"#),
        )
        .witness(Role::Owner, "/api/v1/organization/leftorg/members"),
        row(
            "getOrganizationMembers",
            GET,
            "/api/v1/organization/acme/members",
            OrgAdminOrAuditor,
            200,
        ),
        row(
            "getOrganizationMember",
            GET,
            "/api/v1/organization/acme/members/member",
            OrgAdminOrAuditor,
            200,
        ),
        row(
            "removeOrganizationMember",
            DELETE,
            "/api/v1/organization/acme/members/leaver",
            OrgAdmin,
            204,
        )
        .once()
        .rearm(remake(
            PUT,
            "/api/v1/organization/acme/team/idle/members/leaver",
        ))
        .witness(Role::Owner, "/api/v1/organization/acme/members/leaver"),
        row(
            "getOrganizationCollaborators",
            GET,
            "/api/v1/organization/acme/collaborators",
            OrgAdminOrAuditor,
            200,
        ),
        row(
            "createOrganizationApplication",
            POST,
            "/api/v1/organization/acme/applications",
            OrgAdmin,
            200,
        )
        .body(r#"{"name": "app-{who}"}"#),
        row(
            "getOrganizationApplications",
            GET,
            "/api/v1/organization/acme/applications",
            OrgAdminOrAuditor,
            200,
        ),
        row(
            "getOrganizationApplication",
            GET,
            "/api/v1/organization/acme/applications/{client_id}",
            OrgAdminOrAuditor,
            200,
        ),
        row(
            "updateOrganizationApplication",
            PUT,
            "/api/v1/organization/acme/applications/{doomed_client_id}",
            OrgAdmin,
            200,
        )
        .body(r#"{"name": "doomed", "redirect_uri": "", "application_uri": ""}"#),
        row(
            "resetOrganizationApplicationClientSecret",
            POST,
            "/api/v1/organization/acme/applications/{doomed_client_id}/resetclientsecret",
            OrgAdmin,
            200,
        ),
        row(
            "deleteOrganizationApplication",
            DELETE,
            "/api/v1/organization/acme/applications/{doomed_client_id}",
            OrgAdmin,
            204,
        )
        .once()
        .rearm(
            remake(POST, "/api/v1/organization/acme/applications")
                .body(r#"{"name": "doomed"}"#)
                .keeps("doomed_client_id", "/client_id"),
        )
        .witness(
            Role::Owner,
            "/api/v1/organization/acme/applications/{doomed_client_id}",
        ),
        row("getApplicationInformation", GET, "/api/v1/app/{client_id}", Anyone, 200),
        // organization_application_tokens
        row(
            "createOrganizationApplicationToken",
            POST,
            "/api/v1/organization/acme/applications/{client_id}/tokens",
            OrgAdmin,
            200,
        )
        .body(r#"{"name": "t-{who}", "scope": "org:admin"}"#),
        row(
            "listOrganizationApplicationTokens",
            GET,
            "/api/v1/organization/acme/applications/{client_id}/tokens",
            OrgAdminOrAuditor,
            200,
        ),
        row(
            "deleteOrganizationApplicationToken",
            DELETE,
            "/api/v1/organization/acme/applications/{client_id}/tokens/{doomed_oauth_token}",
            OrgAdmin,
            204,
        )
        .once()
        .rearm(
            remake(POST, "/api/v1/organization/acme/applications/{client_id}/tokens")
                .body(r#"{"name": "doomed", "scope": "repo:read"}"#)
                .keeps("doomed_oauth_token", "/uuid"),
        )
        .witness(
            Role::Owner,
            "/api/v1/user/authorizations/{doomed_oauth_token}",
        ),
        // prototype
        row(
            "getOrganizationPrototypePermissions",
            GET,
            "/api/v1/organization/acme/prototypes",
            OrgAdminOrAuditor,
            200,
        ),
        row(
            "createOrganizationPrototypePermission",
            POST,
            "/api/v1/organization/acme/prototypes",
            OrgAdmin,
            200,
        )
        .body(r#"{"role": "read", "delegate": {"name": "readers", "kind": "team"}}"#),
        row(
            "updateOrganizationPrototypePermission",
            PUT,
            "/api/v1/organization/acme/prototypes/{prototype}",
            OrgAdmin,
            200,
        )
        .body(r#"{"role": "read"}"#),
        row(
            "deleteOrganizationPrototypePermission",
            DELETE,
            "/api/v1/organization/acme/prototypes/{doomed_prototype}",
            OrgAdmin,
            204,
        )
        .once()
        .rearm(
            remake(POST, "/api/v1/organization/acme/prototypes")
                .body(r#"{"role": "write", "delegate": {"name": "readers", "kind": "team"}}"#)
                .keeps("doomed_prototype", "/id"),
        )
        .witness(Role::Owner, "/api/v1/organization/acme/prototypes"),
        // proxy cache: Berth itself is the upstream validated, answering anonymous callers.
        row(
            "getProxyCacheConfig",
            GET,
            "/api/v1/organization/acme/proxycache",
            OrgMemberOrAuditor,
            200,
        ),
        row(
            "validateProxyCacheConfig",
            POST,
            "/api/v1/organization/acme/validateproxycache",
            OrgAdmin,
            202,
        )
        .body(r#"{"upstream_registry": "{addr}", "insecure": true}"#),
        row(
            "createProxyCacheConfig",
            POST,
            "/api/v1/organization/acme/proxycache",
            OrgAdmin,
            201,
        )
        .body(r#"{"upstream_registry": "{addr}", "insecure": true}"#)
        .once()
        .rearm(remake(DELETE, "/api/v1/organization/acme/proxycache"))
        .witness(Role::Owner, "/api/v1/organization/acme/proxycache"),
        row(
            "deleteProxyCacheConfig",
            DELETE,
            "/api/v1/organization/acme/proxycache",
            OrgAdmin,
            201,
        )
        .once()
        .rearm(
            remake(POST, "/api/v1/organization/acme/proxycache")
                .body(r#"{"upstream_registry": "{addr}", "insecure": true}"#),
        )
        .witness(Role::Owner, "/api/v1/organization/acme/proxycache"),
        // mirror: `acme/app` stays a normal repository, so the callers who pass meet its
        // missing mirror (404) or a body refused (400).
        row(
            "getRepoMirrorConfig",
            GET,
            "/api/v1/repository/acme/app/mirror",
            RepoAdminOrAuditor,
            404,
        ),
        row("createRepoMirrorConfig", POST, "/api/v1/repository/acme/app/mirror", RepoAdmin, 400)
            .body(r#"{"sync_interval": 60}"#),
        row("changeRepoMirrorConfig", PUT, "/api/v1/repository/acme/app/mirror", RepoAdmin, 404)
            .body(r#"{"sync_interval": 60}"#),
        row("syncNow", POST, "/api/v1/repository/acme/app/mirror/sync-now", RepoAdmin, 404),
        row("syncCancel", POST, "/api/v1/repository/acme/app/mirror/sync-cancel", RepoAdmin, 404),
        row("changeRepoState", PUT, "/api/v1/repository/acme/app/changestate", RepoAdmin, 200)
            .body(r#"{"state": "NORMAL"}"#),
        // repository
        row("createRepo", POST, "/api/v1/repository", CreateRepo, 201).body(
            r#"{"namespace": "acme", "repository": "new-{who}", "visibility": "private", "description": ""}"#,
        ),
        row("listRepos", GET, "/api/v1/repository?namespace=acme", Anyone, 200),
        row("getRepo", GET, "/api/v1/repository/acme/app", RepoRead, 200),
        row("updateRepo", PUT, "/api/v1/repository/acme/app", RepoWrite, 200)
            .body(r#"{"description": "The app"}"#),
        // `acme/doomed` was pushed by the owner: its admins are `acme/app`'s.
        row("deleteRepository", DELETE, "/api/v1/repository/acme/doomed", RepoAdmin, 204)
            .once()
            .rearm(Rearm::Push("acme/doomed"))
            .witness(Role::Owner, "/api/v1/repository/acme/doomed"),
        row(
            "changeRepoVisibility",
            POST,
            "/api/v1/repository/acme/app/changevisibility",
            RepoAdmin,
            200,
        )
        .body(r#"{"visibility": "private"}"#),
        // tag
        row("listRepoTags", GET, "/api/v1/repository/acme/app/tag/", RepoRead, 200),
        row("changeTag", PUT, "/api/v1/repository/acme/app/tag/latest", RepoWrite, 201)
            .body(r#"{"manifest_digest": "{digest}"}"#),
        row("deleteFullTag", DELETE, "/api/v1/repository/acme/app/tag/doomed", RepoWrite, 204)
            .once()
            .rearm(
                remake(PUT, "/api/v1/repository/acme/app/tag/doomed")
                    .body(r#"{"manifest_digest": "{digest}"}"#),
            )
            .witness(
                Role::Owner,
                "/api/v1/repository/acme/app/tag/?specificTag=doomed",
            ),
        row(
            "restoreTag",
            POST,
            "/api/v1/repository/acme/app/tag/v1/restore",
            RepoWrite,
            200,
        )
        .body(r#"{"manifest_digest": "{digest}"}"#),
        // manifest
        row(
            "getRepoManifest",
            GET,
            "/api/v1/repository/acme/app/manifest/{digest}",
            RepoRead,
            200,
        ),
        row(
            "listManifestLabels",
            GET,
            "/api/v1/repository/acme/app/manifest/{digest}/labels",
            RepoRead,
            200,
        ),
        row(
            "addManifestLabel",
            POST,
            "/api/v1/repository/acme/app/manifest/{digest}/labels",
            RepoWrite,
            201,
        )
        .body(r#"{"key": "added", "value": "{who}", "media_type": "text/plain"}"#),
        row(
            "getManifestLabel",
            GET,
            "/api/v1/repository/acme/app/manifest/{digest}/labels/{label}",
            RepoRead,
            200,
        ),
        row(
            "deleteManifestLabel",
            DELETE,
            "/api/v1/repository/acme/app/manifest/{digest}/labels/{doomed_label}",
            RepoWrite,
            204,
        )
        .once()
        .rearm(
            remake(POST, "/api/v1/repository/acme/app/manifest/{digest}/labels")
                .body(r#"{"key": "doomed", "value": "1", "media_type": "text/plain"}"#)
                .keeps("doomed_label", "/label/id"),
        )
        .witness(
            Role::Owner,
            "/api/v1/repository/acme/app/manifest/{digest}/labels/{doomed_label}",
        ),
        // logs
        row("listUserLogs", GET, "/api/v1/user/logs", UserAdmin, 200),
        row("getAggregateUserLogs", GET, "/api/v1/user/aggregatelogs", UserAdmin, 200),
        row("exportUserLogs", POST, "/api/v1/user/exportlogs", UserAdmin, 200)
            .body(r#"{}"#),
        row(
            "listOrgLogs",
            GET,
            "/api/v1/organization/acme/logs",
            OrgAdminOrAuditor,
            200,
        ),
        row(
            "getAggregateOrgLogs",
            GET,
            "/api/v1/organization/acme/aggregatelogs",
            OrgAdminOrAuditor,
            200,
        ),
        // Quay lets the read-only superuser export an organization's logs, not a repository's.
        row(
            "exportOrgLogs",
            POST,
            "/api/v1/organization/acme/exportlogs",
            OrgAdminOrAuditor,
            200,
        )
        .body(r#"{}"#),
        row(
            "listRepoLogs",
            GET,
            "/api/v1/repository/acme/app/logs",
            RepoAdminOrAuditor,
            200,
        ),
        row(
            "getAggregateRepoLogs",
            GET,
            "/api/v1/repository/acme/app/aggregatelogs",
            RepoAdminOrAuditor,
            200,
        ),
        row(
            "exportRepoLogs",
            POST,
            "/api/v1/repository/acme/app/exportlogs",
            RepoAdmin,
            200,
        )
        .body(r#"{}"#),
        // team
        row(
            "updateOrganizationTeam",
            PUT,
            "/api/v1/organization/acme/team/devs",
            OrgAdmin,
            200,
        )
        .body(r#"{"role": "member"}"#),
        row(
            "deleteOrganizationTeam",
            DELETE,
            "/api/v1/organization/acme/team/gone",
            OrgAdmin,
            204,
        )
        .once()
        .rearm(remake(PUT, "/api/v1/organization/acme/team/gone").body(r#"{"role": "member"}"#))
        .witness(Role::Owner, "/api/v1/organization/acme/team/gone/members"),
        row(
            "getOrganizationTeamMembers",
            GET,
            "/api/v1/organization/acme/team/devs/members",
            TeamViewOrAuditor,
            200,
        ),
        // Adding a member twice is refused (400), as in Quay.
        row(
            "updateOrganizationTeamMember",
            PUT,
            "/api/v1/organization/acme/team/idle/members/acme+spare",
            OrgAdmin,
            200,
        )
        .once()
        .rearm(remake(
            DELETE,
            "/api/v1/organization/acme/team/idle/members/acme+spare",
        ))
        .witness(Role::Owner, "/api/v1/organization/acme/team/idle/members"),
        row(
            "deleteOrganizationTeamMember",
            DELETE,
            "/api/v1/organization/acme/team/devs/members/acme+spare",
            OrgAdmin,
            204,
        )
        .once()
        .rearm(remake(
            PUT,
            "/api/v1/organization/acme/team/devs/members/acme+spare",
        ))
        .witness(Role::Owner, "/api/v1/organization/acme/team/devs/members"),
        row(
            "getOrganizationTeamPermissions",
            GET,
            "/api/v1/organization/acme/team/readers/permissions",
            OrgAdminOrAuditor,
            200,
        ),
        // robot: every user account has a robot `bot`; the owner has `doomed`, which each
        // caller's account holder makes again for its turn.
        row("getUserRobots", GET, "/api/v1/user/robots", UserAdmin, 200),
        row("getUserRobot", GET, "/api/v1/user/robots/bot", UserAdmin, 200),
        row("createUserRobot", PUT, "/api/v1/user/robots/new-{who}", UserAdmin, 201),
        row("deleteUserRobot", DELETE, "/api/v1/user/robots/doomed", UserAdmin, 204)
            .once()
            .rearm(remake(PUT, "/api/v1/user/robots/doomed").by_holder())
            .holders_witness("/api/v1/user/robots/doomed"),
        row(
            "regenerateUserRobotToken",
            POST,
            "/api/v1/user/robots/bot/regenerate",
            UserAdmin,
            200,
        ),
        row(
            "getUserRobotPermissions",
            GET,
            "/api/v1/user/robots/bot/permissions",
            UserAdmin,
            200,
        ),
        row(
            "getOrgRobots",
            GET,
            "/api/v1/organization/acme/robots",
            OrgMemberOrAuditor,
            200,
        ),
        row(
            "getOrgRobot",
            GET,
            "/api/v1/organization/acme/robots/puller",
            OrgAdminOrAuditor,
            200,
        ),
        row(
            "createOrgRobot",
            PUT,
            "/api/v1/organization/acme/robots/new-{who}",
            OrgAdmin,
            201,
        ),
        row(
            "deleteOrgRobot",
            DELETE,
            "/api/v1/organization/acme/robots/doomed",
            OrgAdmin,
            204,
        )
        .once()
        .rearm(remake(PUT, "/api/v1/organization/acme/robots/doomed"))
        .witness(Role::Owner, "/api/v1/organization/acme/robots/doomed"),
        row(
            "regenerateOrgRobotToken",
            POST,
            "/api/v1/organization/acme/robots/spare/regenerate",
            OrgAdmin,
            200,
        ),
        // core-api.md §1.11: org variants need org admin / `org:admin` (Quay's code also wants
        // user admin here, refusing an `org:admin` token).
        row(
            "getOrgRobotPermissions",
            GET,
            "/api/v1/organization/acme/robots/puller/permissions",
            OrgAdminOrAuditor,
            200,
        ),
        // permission
        row(
            "listRepoUserPermissions",
            GET,
            "/api/v1/repository/acme/app/permissions/user/",
            RepoAdminOrAuditor,
            200,
        ),
        row(
            "getUserTransitivePermission",
            GET,
            "/api/v1/repository/acme/app/permissions/user/reader/transitive",
            RepoAdminOrAuditor,
            200,
        ),
        row(
            "getUserPermissions",
            GET,
            "/api/v1/repository/acme/app/permissions/user/acme+puller",
            RepoAdminOrAuditor,
            200,
        ),
        row(
            "changeUserPermissions",
            PUT,
            "/api/v1/repository/acme/app/permissions/user/acme+puller",
            RepoAdmin,
            200,
        )
        .body(r#"{"role": "read"}"#),
        row(
            "deleteUserPermissions",
            DELETE,
            "/api/v1/repository/acme/app/permissions/user/acme+spare",
            RepoAdmin,
            204,
        )
        .once()
        .rearm(
            remake(
                PUT,
                "/api/v1/repository/acme/app/permissions/user/acme+spare",
            )
            .body(r#"{"role": "read"}"#),
        )
        .witness(
            Role::Owner,
            "/api/v1/repository/acme/app/permissions/user/acme+spare",
        ),
        row(
            "listRepoTeamPermissions",
            GET,
            "/api/v1/repository/acme/app/permissions/team/",
            RepoAdminOrAuditor,
            200,
        ),
        row(
            "getTeamPermissions",
            GET,
            "/api/v1/repository/acme/app/permissions/team/readers",
            RepoAdminOrAuditor,
            200,
        ),
        row(
            "changeTeamPermissions",
            PUT,
            "/api/v1/repository/acme/app/permissions/team/readers",
            RepoAdmin,
            200,
        )
        .body(r#"{"role": "read"}"#),
        row(
            "deleteTeamPermissions",
            DELETE,
            "/api/v1/repository/acme/app/permissions/team/idle",
            RepoAdmin,
            204,
        )
        .once()
        .rearm(
            remake(PUT, "/api/v1/repository/acme/app/permissions/team/idle")
                .body(r#"{"role": "read"}"#),
        )
        .witness(
            Role::Owner,
            "/api/v1/repository/acme/app/permissions/team/idle",
        ),
        // appspecifictokens: the tokens named are the owner's.
        row("listAppTokens", GET, "/api/v1/user/apptoken", UserAdmin, 200),
        row("createAppToken", POST, "/api/v1/user/apptoken", UserAdmin, 200)
            .body(r#"{"title": "t-{who}"}"#),
        row("getAppToken", GET, "/api/v1/user/apptoken/{apptoken}", UserAdmin, 200)
            .owners_only(404),
        row(
            "revokeAppToken",
            DELETE,
            "/api/v1/user/apptoken/{doomed_apptoken}",
            UserAdmin,
            204,
        )
        .owners_only(404)
        .once()
        .rearm(
            remake(POST, "/api/v1/user/apptoken")
                .body(r#"{"title": "doomed"}"#)
                .keeps("doomed_apptoken", "/token/uuid"),
        )
        .witness(Role::Owner, "/api/v1/user/apptoken/{doomed_apptoken}"),
        // superuser
        row("listAllUsers", GET, "/api/v1/superuser/users/", AnySuperuser, 200),
        // Routes of their own, authenticated as /api/v1 is.
        row("metrics", GET, "/metrics", AnySuperuser, 200),
        // `/realtime/user/subscribe` makes the same check but streams until closed; its
        // refusals are in user_events.rs.
        row("realtimeTest", GET, "/realtime/user/test", SessionUser, 200).denied(401),
        row("createInstallUser", POST, "/api/v1/superuser/users/", Superuser, 200)
            .body(r#"{"username": "u-{who}", "email": "u-{who}@example.com"}"#),
        row(
            "getInstallUser",
            GET,
            "/api/v1/superuser/users/outsider",
            AnySuperuser,
            200,
        ),
        row(
            "changeInstallUser",
            PUT,
            "/api/v1/superuser/users/outsider",
            Superuser,
            200,
        )
        .body("{}"),
        row(
            "deleteInstallUser",
            DELETE,
            "/api/v1/superuser/users/doomed",
            Superuser,
            204,
        )
        .once()
        .witness(Role::Superuser, "/api/v1/superuser/users/doomed"),
        row(
            "listAllOrganizations",
            GET,
            "/api/v1/superuser/organizations/",
            AnySuperuser,
            200,
        ),
        row(
            "changeOrganization",
            PUT,
            "/api/v1/superuser/organizations/adopted",
            Superuser,
            200,
        )
        .body(r#"{"email": "adopted@example.com"}"#),
        row(
            "deleteOrganization",
            DELETE,
            "/api/v1/superuser/organizations/doomedorg",
            Superuser,
            204,
        )
        .once()
        .witness(
            Role::Superuser,
            "/api/v1/superuser/organizations/?name=doomedorg",
        ),
        row(
            "takeOwnership",
            POST,
            "/api/v1/superuser/takeownership/adopted",
            Superuser,
            200,
        ),
        row("listAllLogs", GET, "/api/v1/superuser/logs", AnySuperuser, 200),
        row(
            "listAllAggregateLogs",
            GET,
            "/api/v1/superuser/aggregatelogs",
            AnySuperuser,
            200,
        ),
        row(
            "getRegistrySize",
            GET,
            "/api/v1/superuser/registrysize/",
            AnySuperuser,
            200,
        ),
        row(
            "queueRegistrySizeCalculation",
            POST,
            "/api/v1/superuser/registrysize/",
            Superuser,
            201,
        )
        .once()
        .witness(Role::Superuser, "/api/v1/superuser/registrysize/"),
        row("listServiceKeys", GET, "/api/v1/superuser/keys", AnySuperuser, 200),
        row("createServiceKey", POST, "/api/v1/superuser/keys", Superuser, 200)
            .body(r#"{"service": "matrix", "expiration": null}"#),
        row(
            "getServiceKey",
            GET,
            "/api/v1/superuser/keys/{service_key}",
            AnySuperuser,
            200,
        ),
        row(
            "updateServiceKey",
            PUT,
            "/api/v1/superuser/keys/{service_key}",
            Superuser,
            200,
        )
        .body(r#"{"name": "renamed by {who}"}"#)
        .witness(Role::Superuser, "/api/v1/superuser/keys/{service_key}"),
        row(
            "deleteServiceKey",
            DELETE,
            "/api/v1/superuser/keys/{doomed_service_key}",
            Superuser,
            204,
        )
        .once()
        .witness(Role::Superuser, "/api/v1/superuser/keys/{doomed_service_key}"),
        row(
            "approveServiceKey",
            POST,
            "/api/v1/superuser/approvedkeys/{service_key}",
            Superuser,
            201,
        )
        .body("{}"),
        // build: `{build}` and `{doomed_build}` were requested by the owner.
        row("getFiledropUrl", POST, "/api/v1/filedrop/", Anyone, 200)
            .body(r#"{"mimeType": "application/gzip"}"#),
        row(
            "requestRepoBuild",
            POST,
            "/api/v1/repository/acme/app/build/",
            RepoWrite,
            201,
        )
        .body(r#"{"archive_url": "https://example.com/{who}.tar.gz"}"#),
        row(
            "getRepoBuilds",
            GET,
            "/api/v1/repository/acme/app/build/",
            RepoRead,
            200,
        ),
        row(
            "getRepoBuild",
            GET,
            "/api/v1/repository/acme/app/build/{build}",
            RepoRead,
            200,
        ),
        row(
            "getRepoBuildStatus",
            GET,
            "/api/v1/repository/acme/app/build/{build}/status",
            RepoRead,
            200,
        ),
        // Logs need write, or the read-only superuser's reading rights.
        row(
            "getRepoBuildLogs",
            GET,
            "/api/v1/repository/acme/app/build/{build}/logs",
            RepoWrite,
            200,
        ),
        row(
            "cancelRepoBuild",
            DELETE,
            "/api/v1/repository/acme/app/build/{doomed_build}",
            RepoAdmin,
            201,
        )
        .once()
        .rearm(
            remake(POST, "/api/v1/repository/acme/app/build/")
                .body(r#"{"archive_url": "https://example.com/doomed.tar.gz"}"#)
                .keeps("doomed_build", "/id"),
        )
        .witness(
            Role::Owner,
            "/api/v1/repository/acme/app/build/{doomed_build}/status",
        ),
        row(
            "getRepoBuildSuperUser",
            GET,
            "/api/v1/superuser/{build}/build",
            AnySuperuser,
            200,
        ),
        row(
            "getRepoBuildStatusSuperUser",
            GET,
            "/api/v1/superuser/{build}/status",
            AnySuperuser,
            200,
        ),
        row(
            "getRepoBuildLogsSuperUser",
            GET,
            "/api/v1/superuser/{build}/logs",
            AnySuperuser,
            200,
        ),
        // globalmessages: everyone reads; superusers post and remove (Quay's abort(403)).
        row("getGlobalMessages", GET, "/api/v1/messages", Anyone, 200),
        row("createGlobalMessage", POST, "/api/v1/messages", Superuser, 201)
            .body(r#"{"message": {"content": "from {who}", "media_type": "text/plain", "severity": "info"}}"#)
            .denied(403),
        row(
            "deleteGlobalMessage",
            DELETE,
            "/api/v1/message/no-such-message",
            Superuser,
            204,
        )
        .denied(403),
        // superuser configuration view and registry status
        row(
            "getSuperUserConfigDump",
            GET,
            "/api/v1/superuser/config",
            AnySuperuser,
            200,
        ),
        row(
            "scRegistryStatus",
            GET,
            "/api/v1/superuser/registrystatus",
            Anyone,
            200,
        ),
        // robot federation: of each caller's own robot `bot`, and of `acme+puller`.
        row(
            "getUserRobotFederation",
            GET,
            "/api/v1/user/robots/bot/federation",
            UserAdmin,
            200,
        ),
        row(
            "createUserRobotFederation",
            POST,
            "/api/v1/user/robots/bot/federation",
            UserAdmin,
            200,
        )
        .body(r#"[{"issuer": "https://issuer.example", "subject": "{who}"}]"#),
        row(
            "deleteUserRobotFederation",
            DELETE,
            "/api/v1/user/robots/bot/federation",
            UserAdmin,
            204,
        ),
        row(
            "getOrgRobotFederation",
            GET,
            "/api/v1/organization/acme/robots/puller/federation",
            OrgAdminOrAuditor,
            200,
        ),
        row(
            "createOrgRobotFederation",
            POST,
            "/api/v1/organization/acme/robots/puller/federation",
            OrgAdmin,
            200,
        )
        .body(r#"[{"issuer": "https://issuer.example", "subject": "{who}"}]"#),
        row(
            "deleteOrgRobotFederation",
            DELETE,
            "/api/v1/organization/acme/robots/puller/federation",
            OrgAdmin,
            204,
        ),
        // repositorynotification: the repository's admins (reads also the auditor).
        row(
            "createRepoNotification",
            POST,
            "/api/v1/repository/acme/app/notification/",
            RepoAdmin,
            201,
        )
        .body(r#"{"event": "build_success", "method": "webhook", "config": {"url": "http://127.0.0.1:9/{who}"}, "eventConfig": {}}"#),
        row(
            "listRepoNotifications",
            GET,
            "/api/v1/repository/acme/app/notification/",
            RepoAdminOrAuditor,
            200,
        ),
        row(
            "getRepoNotification",
            GET,
            "/api/v1/repository/acme/app/notification/{notification}",
            RepoAdminOrAuditor,
            200,
        ),
        row(
            "resetRepositoryNotificationFailures",
            POST,
            "/api/v1/repository/acme/app/notification/{notification}",
            RepoAdmin,
            204,
        ),
        row(
            "testRepoNotification",
            POST,
            "/api/v1/repository/acme/app/notification/{notification}/test",
            RepoAdmin,
            200,
        ),
        row(
            "deleteRepoNotification",
            DELETE,
            "/api/v1/repository/acme/app/notification/{doomed_notification}",
            RepoAdmin,
            204,
        )
        .once()
        .rearm(
            remake(POST, "/api/v1/repository/acme/app/notification/")
                .body(r#"{"event": "build_success", "method": "webhook", "config": {"url": "http://127.0.0.1:9/doomed"}, "eventConfig": {}}"#)
                .keeps("doomed_notification", "/uuid"),
        )
        .witness(
            Role::Owner,
            "/api/v1/repository/acme/app/notification/{doomed_notification}",
        ),
        // policy (auto-prune) and immutability_policy: of `acme`, of `owner`, of `acme/app`;
        // patterns that take no tag of the world, one per caller where callers create.
        row("listOrganizationAutoPrunePolicies", GET, "/api/v1/organization/acme/autoprunepolicy/", OrgAdminOrAuditor, 200),
        row("createOrganizationAutoPrunePolicy", POST, "/api/v1/organization/acme/autoprunepolicy/", OrgAdmin, 201)
            .body(r#"{"method": "number_of_tags", "value": 1000, "tagPattern": "never-{who}"}"#),
        row("getOrganizationAutoPrunePolicy", GET, "/api/v1/organization/acme/autoprunepolicy/{org_prune}", OrgAdminOrAuditor, 200),
        row("updateOrganizationAutoPrunePolicy", PUT, "/api/v1/organization/acme/autoprunepolicy/{org_prune}", OrgAdmin, 204)
            .body(r#"{"method": "number_of_tags", "value": 1000, "tagPattern": "never-kept"}"#),
        row("deleteOrganizationAutoPrunePolicy", DELETE, "/api/v1/organization/acme/autoprunepolicy/{doomed_org_prune}", OrgAdmin, 200)
            .once()
            .rearm(remake(POST, "/api/v1/organization/acme/autoprunepolicy/").body(r#"{"method": "number_of_tags", "value": 1000, "tagPattern": "never-doomed"}"#).keeps("doomed_org_prune", "/uuid"))
            .witness(Role::Owner, "/api/v1/organization/acme/autoprunepolicy/{doomed_org_prune}"),
        row("listUserAutoPrunePolicies", GET, "/api/v1/user/autoprunepolicy/", UserAdmin, 200),
        row("createUserAutoPrunePolicy", POST, "/api/v1/user/autoprunepolicy/", UserAdmin, 201)
            .body(r#"{"method": "number_of_tags", "value": 1000, "tagPattern": "never-{who}"}"#),
        row("getUserAutoPrunePolicy", GET, "/api/v1/user/autoprunepolicy/{user_prune}", UserAdmin, 200)
        .owners_only(404),
        row("updateUserAutoPrunePolicy", PUT, "/api/v1/user/autoprunepolicy/{user_prune}", UserAdmin, 204)
        .owners_only(404)
            .body(r#"{"method": "number_of_tags", "value": 1000, "tagPattern": "never-kept"}"#),
        row("deleteUserAutoPrunePolicy", DELETE, "/api/v1/user/autoprunepolicy/{doomed_user_prune}", UserAdmin, 200)
        .owners_only(404)
            .once()
            .rearm(remake(POST, "/api/v1/user/autoprunepolicy/").body(r#"{"method": "number_of_tags", "value": 1000, "tagPattern": "never-doomed"}"#).keeps("doomed_user_prune", "/uuid"))
            .witness(Role::Owner, "/api/v1/user/autoprunepolicy/{doomed_user_prune}"),
        row("listRepositoryAutoPrunePolicies", GET, "/api/v1/repository/acme/app/autoprunepolicy/", RepoAdminOrAuditor, 200),
        row("createRepositoryAutoPrunePolicy", POST, "/api/v1/repository/acme/app/autoprunepolicy/", RepoAdmin, 201)
            .body(r#"{"method": "number_of_tags", "value": 1000, "tagPattern": "never-{who}"}"#),
        row("getRepositoryAutoPrunePolicy", GET, "/api/v1/repository/acme/app/autoprunepolicy/{repo_prune}", RepoAdminOrAuditor, 200),
        row("updateRepositoryAutoPrunePolicy", PUT, "/api/v1/repository/acme/app/autoprunepolicy/{repo_prune}", RepoAdmin, 204)
            .body(r#"{"method": "number_of_tags", "value": 1000, "tagPattern": "never-kept"}"#),
        row("deleteRepositoryAutoPrunePolicy", DELETE, "/api/v1/repository/acme/app/autoprunepolicy/{doomed_repo_prune}", RepoAdmin, 200)
            .once()
            .rearm(remake(POST, "/api/v1/repository/acme/app/autoprunepolicy/").body(r#"{"method": "number_of_tags", "value": 1000, "tagPattern": "never-doomed"}"#).keeps("doomed_repo_prune", "/uuid"))
            .witness(Role::Owner, "/api/v1/repository/acme/app/autoprunepolicy/{doomed_repo_prune}"),
        row("listOrgImmutabilityPolicies", GET, "/api/v1/organization/acme/immutabilitypolicy/", OrgAdminOrAuditor, 200),
        row("createOrgImmutabilityPolicy", POST, "/api/v1/organization/acme/immutabilitypolicy/", OrgAdmin, 201)
            .body(r#"{"tagPattern": "never-{who}"}"#),
        row("getOrgImmutabilityPolicy", GET, "/api/v1/organization/acme/immutabilitypolicy/{org_immutability}", OrgAdminOrAuditor, 200),
        row("updateOrgImmutabilityPolicy", PUT, "/api/v1/organization/acme/immutabilitypolicy/{org_immutability}", OrgAdmin, 204)
            .body(r#"{"tagPattern": "never-kept"}"#),
        row("deleteOrgImmutabilityPolicy", DELETE, "/api/v1/organization/acme/immutabilitypolicy/{doomed_org_immutability}", OrgAdmin, 200)
            .once()
            .rearm(remake(POST, "/api/v1/organization/acme/immutabilitypolicy/").body(r#"{"tagPattern": "never-doomed"}"#).keeps("doomed_org_immutability", "/uuid"))
            .witness(Role::Owner, "/api/v1/organization/acme/immutabilitypolicy/{doomed_org_immutability}"),
        row("listRepositoryImmutabilityPolicies", GET, "/api/v1/repository/acme/app/immutabilitypolicy/", RepoAdminOrAuditor, 200),
        row("createRepositoryImmutabilityPolicy", POST, "/api/v1/repository/acme/app/immutabilitypolicy/", RepoAdmin, 201)
            .body(r#"{"tagPattern": "never-{who}"}"#),
        row("getRepositoryImmutabilityPolicy", GET, "/api/v1/repository/acme/app/immutabilitypolicy/{repo_immutability}", RepoAdminOrAuditor, 200),
        row("updateRepositoryImmutabilityPolicy", PUT, "/api/v1/repository/acme/app/immutabilitypolicy/{repo_immutability}", RepoAdmin, 204)
            .body(r#"{"tagPattern": "never-kept"}"#),
        row("deleteRepositoryImmutabilityPolicy", DELETE, "/api/v1/repository/acme/app/immutabilitypolicy/{doomed_repo_immutability}", RepoAdmin, 200)
            .once()
            .rearm(remake(POST, "/api/v1/repository/acme/app/immutabilitypolicy/").body(r#"{"tagPattern": "never-doomed"}"#).keeps("doomed_repo_immutability", "/uuid"))
            .witness(Role::Owner, "/api/v1/repository/acme/app/immutabilitypolicy/{doomed_repo_immutability}"),
        // namespacequota: `acme` and `owner` have quotas; limits need a full-access
        // superuser, whom this world lacks, so every change there is refused.
        row(
            "listOrganizationQuota",
            GET,
            "/api/v1/organization/acme/quota",
            OrgMemberOrAuditor,
            200,
        ),
        row(
            "createOrganizationQuota",
            POST,
            "/api/v1/organization/acme/quota",
            Nobody,
            201,
        )
        .body(r#"{"limit_bytes": 1000}"#),
        row(
            "getOrganizationQuota",
            GET,
            "/api/v1/organization/acme/quota/{quota}",
            OrgMemberOrAuditor,
            200,
        ),
        row(
            "changeOrganizationQuota",
            PUT,
            "/api/v1/organization/acme/quota/{quota}",
            Nobody,
            200,
        )
        .body("{}"),
        row(
            "deleteOrganizationQuota",
            DELETE,
            "/api/v1/organization/acme/quota/{quota}",
            Nobody,
            204,
        ),
        row(
            "listOrganizationQuotaLimit",
            GET,
            "/api/v1/organization/acme/quota/{quota}/limit",
            OrgMemberOrAuditor,
            200,
        ),
        row(
            "createOrganizationQuotaLimit",
            POST,
            "/api/v1/organization/acme/quota/{quota}/limit",
            Nobody,
            201,
        )
        .body(r#"{"type": "Warning", "threshold_percent": 10}"#),
        // No limit has this id: who may ask learns so.
        row(
            "getOrganizationQuotaLimit",
            GET,
            "/api/v1/organization/acme/quota/{quota}/limit/999999",
            OrgMemberOrAuditor,
            404,
        ),
        row(
            "changeOrganizationQuotaLimit",
            PUT,
            "/api/v1/organization/acme/quota/{quota}/limit/999999",
            Nobody,
            200,
        )
        .body("{}"),
        row(
            "deleteOrganizationQuotaLimit",
            DELETE,
            "/api/v1/organization/acme/quota/{quota}/limit/999999",
            Nobody,
            204,
        ),
        row("listUserQuota", GET, "/api/v1/user/quota", UserAdmin, 200),
        row(
            "getUserQuota",
            GET,
            "/api/v1/user/quota/{user_quota}",
            UserAdmin,
            200,
        )
        .owners_only(404),
        row(
            "listUserQuotaLimit",
            GET,
            "/api/v1/user/quota/{user_quota}/limit",
            UserAdmin,
            200,
        )
        .owners_only(404),
        row(
            "getUserQuotaLimit",
            GET,
            "/api/v1/user/quota/{user_quota}/limit/999999",
            UserAdmin,
            404,
        ),
        // superuser quotas
        row(
            "listUserQuotaSuperUser",
            GET,
            "/api/v1/superuser/users/owner/quota",
            AnySuperuser,
            200,
        ),
        row(
            "createUserQuotaSuperUser",
            POST,
            "/api/v1/superuser/users/outsider/quota",
            Superuser,
            201,
        )
        .body(r#"{"limit_bytes": 1000}"#)
        .once()
        .witness(Role::Superuser, "/api/v1/superuser/users/outsider/quota"),
        row(
            "changeUserQuotaSuperUser",
            PUT,
            "/api/v1/superuser/users/owner/quota/{user_quota}",
            Superuser,
            200,
        )
        .body(r#"{"limit_bytes": 2000000}"#),
        row(
            "deleteUserQuotaSuperUser",
            DELETE,
            "/api/v1/superuser/users/leaver/quota/{leaver_quota}",
            Superuser,
            204,
        )
        .once()
        .witness(Role::Superuser, "/api/v1/superuser/users/leaver/quota"),
        row(
            "listOrganizationQuotaSuperUser",
            GET,
            "/api/v1/superuser/organization/acme/quota",
            AnySuperuser,
            200,
        ),
        row(
            "createOrganizationQuotaSuperUser",
            POST,
            "/api/v1/superuser/organization/quotaless/quota",
            Superuser,
            201,
        )
        .body(r#"{"limit": "5 GiB"}"#)
        .once()
        .witness(
            Role::Superuser,
            "/api/v1/superuser/organization/quotaless/quota",
        ),
        row(
            "changeOrganizationQuotaSuperUser",
            PUT,
            "/api/v1/superuser/organization/acme/quota/{quota}",
            Superuser,
            200,
        )
        .body(r#"{"limit": "2 GiB"}"#),
        row(
            "deleteOrganizationQuotaSuperUser",
            DELETE,
            "/api/v1/superuser/organization/adopted/quota/{adopted_quota}",
            Superuser,
            204,
        )
        .once()
        .witness(
            Role::Superuser,
            "/api/v1/superuser/organization/adopted/quota",
        ),
    ]
}

/// The server, a caller per role and the values the rows name.
struct World {
    berth: Berth,
    /// The `/api/v1` client of each role, in `ROLES` order. The robot sends basic auth, which
    /// `/api/v1` ignores.
    api: Vec<Client>,
    /// The `/v2/auth` client of each role, in `ROLES` order: basic auth or anonymous.
    registry: Vec<Client>,
    /// The username and password behind each session role, to sign it in again after a
    /// signout.
    logins: Vec<(Role, String, String)>,
    /// `owner`'s password, to push again.
    owner_password: String,
    /// What `{name}` stands for in rows.
    values: Vec<(&'static str, String)>,
}

const APP: &str = "/api/v1/repository/acme/app";

/// `method path` as `client`, with `body` as JSON if any; panics unless it succeeds. The
/// answer's JSON, null when it has none.
async fn succeed(client: &Client, method: Method, path: &str, body: Option<Value>) -> Value {
    let request = client.request(method.clone(), path);
    let request = match &body {
        Some(body) => request.json(body),
        None => request,
    };
    let resp = request.send().await;
    assert!(
        (200..300).contains(&resp.status),
        "{method} {path}: {} {}",
        resp.status,
        resp.text()
    );
    serde_json::from_slice(&resp.body).unwrap_or(Value::Null)
}

/// The string at `pointer` in `value`.
fn text_at(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {value}"))
        .to_owned()
}

impl World {
    /// The world of the module comment, built through the API.
    async fn build(backend: Backend) -> World {
        // Notifications post to a closed port on loopback: deliveries fail at once.
        let options = Options {
            quota_management: true,
            extra_yaml:
                "SSRF_ALLOWED_HOSTS: [127.0.0.1]\nFEATURE_PROXY_CACHE: true\nFEATURE_REPO_MIRROR: true\n"
                    .into(),
            ..Options::default()
        };
        let berth = Berth::start_with(backend, options).await;
        let admin = admin(&berth).await;
        let mut users = Vec::new();
        let mut sessions = Vec::new();
        for (role, name) in SESSION_USERS {
            let (user, session) = user_session(&berth, &admin, name).await;
            users.push((role, user));
            sessions.push(session);
        }
        let auditor = create_auditor(&admin).await;
        let auditor_session = Client::session(&berth, &auditor.username, &auditor.password).await;
        let admin_session = Client::session(&berth, "admin", ADMIN_PASSWORD).await;
        create_user(&admin, "doomed").await;
        create_user(&admin, "leaver").await;

        let (owner_user, owner) = (&users[0].1, &sessions[0]);
        create_org(owner, "acme").await;
        for (team, role, members) in [
            ("leads", "admin", &["orgadmin"][..]),
            ("builders", "creator", &["creator"]),
            ("devs", "member", &["member"]),
            ("readers", "member", &["reader"]),
            ("idle", "member", &["leaver"]),
            ("gone", "member", &[]),
        ] {
            create_team(owner, "acme", team, role, members).await;
        }
        for org in ["adopted", "doomedorg", "leftorg", "quotaless"] {
            create_org(owner, org).await;
        }
        for repo in ["acme/app", "acme/doomed"] {
            let pushed = try_push(&berth, "owner", &owner_user.password, repo).await;
            assert_eq!(pushed, 201, "pushing {repo}");
        }

        let robots = "/api/v1/organization/acme/robots";
        let mut robot_tokens = Vec::new();
        for short in ["puller", "spare", "doomed"] {
            let robot = succeed(owner, PUT, &format!("{robots}/{short}"), None).await;
            robot_tokens.push(text_at(&robot, "/token"));
        }
        let spare = "/api/v1/organization/acme/team/devs/members/acme+spare";
        succeed(owner, PUT, spare, None).await;
        for grantee in [
            "team/readers",
            "team/idle",
            "user/acme+puller",
            "user/acme+spare",
        ] {
            let path = format!("{APP}/permissions/{grantee}");
            succeed(owner, PUT, &path, Some(json!({"role": "read"}))).await;
        }

        let digest = text_at(
            &succeed(owner, GET, APP, None).await,
            "/tags/v1/manifest_digest",
        );
        let tag = json!({ "manifest_digest": digest });
        succeed(owner, PUT, &format!("{APP}/tag/doomed"), Some(tag)).await;
        let labels = format!("{APP}/manifest/{digest}/labels");
        let mut label_ids = Vec::new();
        for key in ["kept", "doomed"] {
            let body = json!({"key": key, "value": "1", "media_type": "text/plain"});
            let label = succeed(owner, POST, &labels, Some(body)).await;
            label_ids.push(text_at(&label, "/label/id"));
        }
        let prototypes = "/api/v1/organization/acme/prototypes";
        let mut prototype_ids = Vec::new();
        for role in ["read", "write"] {
            let body = json!({"role": role, "delegate": {"name": "readers", "kind": "team"}});
            let prototype = succeed(owner, POST, prototypes, Some(body)).await;
            prototype_ids.push(text_at(&prototype, "/id"));
        }
        let app = json!({"name": "cli", "redirect_uri": berth.url("/oauth/localapp")});
        let applications = "/api/v1/organization/acme/applications";
        let client_id = text_at(
            &succeed(owner, POST, applications, Some(app)).await,
            "/client_id",
        );
        let doomed_app = json!({"name": "doomed"});
        let doomed_client_id = text_at(
            &succeed(owner, POST, applications, Some(doomed_app)).await,
            "/client_id",
        );
        // Tokens minted for the owner through the REST endpoint: one to revoke there, one to
        // revoke among the owner's authorizations.
        let minted = format!("{applications}/{client_id}/tokens");
        let mut minted_uuids = Vec::new();
        for name in ["doomed", "revoked"] {
            let body = json!({"name": name, "scope": "repo:read"});
            let token = succeed(owner, POST, &minted, Some(body)).await;
            minted_uuids.push(text_at(&token, "/uuid"));
        }
        let mut tokens = Vec::new();
        for scope in SCOPES {
            tokens.push(implicit_token(&berth, owner, &client_id, scope).await);
        }
        let mut app_tokens = Vec::new();
        for title in ["kept", "doomed"] {
            let body = json!({ "title": title });
            let token = succeed(owner, POST, "/api/v1/user/apptoken", Some(body)).await;
            app_tokens.push(text_at(&token, "/token/uuid"));
        }
        // Every account that may call the user robot endpoints has a robot `bot`.
        for client in sessions.iter().chain([&auditor_session, &admin]) {
            succeed(client, PUT, "/api/v1/user/robots/bot", None).await;
        }
        succeed(owner, PUT, "/api/v1/user/robots/doomed", None).await;
        let mut quota_ids = Vec::new();
        for (kind, namespace) in [
            ("organization", "acme"),
            ("users", "owner"),
            ("users", "leaver"),
            ("organization", "adopted"),
        ] {
            let quota = format!("/api/v1/superuser/{kind}/{namespace}/quota");
            let body = json!({"limit_bytes": 1_000_000});
            succeed(&admin, POST, &quota, Some(body)).await;
            let listed = succeed(&admin, GET, &quota, None).await;
            quota_ids.push(listed[0]["id"].as_i64().expect("a quota id").to_string());
        }
        let mut build_ids = Vec::new();
        for name in ["kept", "doomed"] {
            let body = json!({ "archive_url": format!("https://example.com/{name}.tar.gz") });
            let build = succeed(owner, POST, &format!("{APP}/build/"), Some(body)).await;
            build_ids.push(text_at(&build, "/id"));
        }
        let mut service_keys = Vec::new();
        for name in ["kept", "doomed"] {
            let body = json!({"service": "matrix", "name": name, "expiration": null});
            let key = succeed(&admin, POST, "/api/v1/superuser/keys", Some(body)).await;
            service_keys.push(text_at(&key, "/kid"));
        }

        let mut policies = Vec::new();
        for base in [
            "/api/v1/organization/acme/autoprunepolicy/",
            "/api/v1/user/autoprunepolicy/",
            "/api/v1/repository/acme/app/autoprunepolicy/",
            "/api/v1/organization/acme/immutabilitypolicy/",
            "/api/v1/repository/acme/app/immutabilitypolicy/",
        ] {
            for name in ["kept", "doomed"] {
                let pattern = format!("never-{name}");
                let body = if base.contains("autoprune") {
                    json!({"method": "number_of_tags", "value": 1000, "tagPattern": pattern})
                } else {
                    json!({ "tagPattern": pattern })
                };
                let created = succeed(owner, POST, base, Some(body)).await;
                policies.push(text_at(&created, "/uuid"));
            }
        }

        let mut notifications = Vec::new();
        for name in ["kept", "doomed"] {
            let body = json!({"event": "build_success", "method": "webhook",
                "config": {"url": format!("http://127.0.0.1:9/{name}")}, "eventConfig": {}});
            let path = "/api/v1/repository/acme/app/notification/";
            let created = succeed(owner, POST, path, Some(body)).await;
            notifications.push(text_at(&created, "/uuid"));
        }

        let mut api = Vec::new();
        let mut registry = Vec::new();
        for role in ROLES {
            let (api_client, registry_client) = match role {
                Role::Anonymous => (Client::anon(&berth), Client::anon(&berth)),
                Role::Robot => {
                    let robot = Client::basic(&berth, "acme+puller", &robot_tokens[0]);
                    (robot.clone(), robot)
                }
                Role::Token(scope) => {
                    let token = &tokens[SCOPES.iter().position(|s| *s == scope).expect("scope")];
                    (
                        Client::with_token(&berth, token),
                        Client::basic(&berth, "$oauthtoken", token),
                    )
                }
                Role::Superuser => (
                    admin_session.clone(),
                    Client::basic(&berth, "admin", ADMIN_PASSWORD),
                ),
                Role::Auditor => (
                    auditor_session.clone(),
                    Client::basic(&berth, "auditor", &auditor.password),
                ),
                session_role => {
                    let i = SESSION_USERS
                        .iter()
                        .position(|(r, _)| *r == session_role)
                        .expect("a session role");
                    let user = &users[i].1;
                    (
                        sessions[i].clone(),
                        Client::basic(&berth, &user.username, &user.password),
                    )
                }
            };
            api.push(api_client);
            registry.push(registry_client);
        }
        let values = vec![
            ("addr", berth.addr.clone()),
            ("digest", digest),
            ("label", label_ids[0].clone()),
            ("doomed_label", label_ids[1].clone()),
            ("prototype", prototype_ids[0].clone()),
            ("doomed_prototype", prototype_ids[1].clone()),
            ("client_id", client_id),
            ("doomed_client_id", doomed_client_id),
            ("doomed_oauth_token", minted_uuids[0].clone()),
            ("revoked_authorization", minted_uuids[1].clone()),
            ("apptoken", app_tokens[0].clone()),
            ("doomed_apptoken", app_tokens[1].clone()),
            ("service_key", service_keys[0].clone()),
            ("doomed_service_key", service_keys[1].clone()),
            ("build", build_ids[0].clone()),
            ("doomed_build", build_ids[1].clone()),
            ("quota", quota_ids[0].clone()),
            ("user_quota", quota_ids[1].clone()),
            ("leaver_quota", quota_ids[2].clone()),
            ("adopted_quota", quota_ids[3].clone()),
            ("org_prune", policies[0].clone()),
            ("doomed_org_prune", policies[1].clone()),
            ("user_prune", policies[2].clone()),
            ("doomed_user_prune", policies[3].clone()),
            ("repo_prune", policies[4].clone()),
            ("doomed_repo_prune", policies[5].clone()),
            ("org_immutability", policies[6].clone()),
            ("doomed_org_immutability", policies[7].clone()),
            ("repo_immutability", policies[8].clone()),
            ("doomed_repo_immutability", policies[9].clone()),
            ("notification", notifications[0].clone()),
            ("doomed_notification", notifications[1].clone()),
        ];
        let owner_password = users[0].1.password.clone();
        let mut logins: Vec<(Role, String, String)> = users
            .into_iter()
            .map(|(role, user)| (role, user.username, user.password))
            .collect();
        logins.push((
            Role::Superuser,
            "admin".to_owned(),
            ADMIN_PASSWORD.to_owned(),
        ));
        logins.push((Role::Auditor, auditor.username, auditor.password));
        World {
            berth,
            api,
            registry,
            logins,
            owner_password,
            values,
        }
    }

    /// `text` with `{who}` and the world's values filled in.
    fn fill(&self, text: &str, role: Role) -> String {
        let mut text = text.replace("{who}", &role.slug());
        for (name, value) in &self.values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    async fn call(&self, row: &Row, role: Role) -> Resp {
        let request =
            self.api[role.index()].request(row.method.clone(), &self.fill(row.path, role));
        let request = match row.body {
            Some(body) => {
                let body: Value =
                    serde_json::from_str(&self.fill(body, role)).expect("a JSON body");
                request.json(&body)
            }
            None => request,
        };
        request.send().await
    }

    /// What the row's witness reads now, for the turn of `caller` (`None`: the denied ones).
    async fn witness(&self, row: &Row, caller: Option<Role>) -> Option<(u16, String)> {
        let (viewer, path) = row.witness?;
        let viewer = match viewer {
            Viewer::As(role) => role,
            Viewer::Holder => caller.map_or(Role::Owner, holder),
        };
        let resp = self.api[viewer.index()]
            .get(&self.fill(path, viewer))
            .send()
            .await;
        Some((resp.status, resp.text()))
    }

    /// Calls `row` as `role` and records how the answer differs from the expected one.
    async fn check(&self, row: &Row, role: Role, failures: &mut Vec<String>) {
        let (status, body) = row.expected(role);
        let resp = self.call(row, role).await;
        let body = body.map(|b| b.replace(HOST, &self.berth.addr));
        if resp.status != status || body.as_ref().is_some_and(|b| *b != resp.text()) {
            failures.push(format!(
                "{} {} as {role:?}: expected {status}{}, got {}: {}",
                row.op,
                row.method,
                body.map(|b| format!(" {}", b.trim_end()))
                    .unwrap_or_default(),
                resp.status,
                resp.text().trim_end()
            ));
        }
    }

    /// The denied callers first, checking that they changed nothing, then every caller
    /// allowed; a `once` row's target is made again before each caller after the first, and
    /// each allowed call must change its witness.
    async fn run(&mut self, row: &Row, failures: &mut Vec<String>) {
        let (allowed, denied): (Vec<Role>, Vec<Role>) = ROLES
            .into_iter()
            .partition(|role| row.expected(*role).0 == row.ok);
        let before = self.witness(row, None).await;
        for role in denied {
            self.check(row, role, failures).await;
        }
        if self.witness(row, None).await != before {
            failures.push(format!(
                "{}: a denied call changed {:?}",
                row.op, row.witness
            ));
        }
        for (turn, role) in allowed.into_iter().enumerate() {
            if row.once && turn > 0 {
                let rearm = row.rearm.as_ref().unwrap_or_else(|| {
                    panic!(
                        "{} works once and has a second caller: it needs a rearm",
                        row.op
                    )
                });
                self.rearm(rearm, role).await;
            }
            let before = self.witness(row, Some(role)).await;
            self.check(row, role, failures).await;
            if row.once && before.is_some() && self.witness(row, Some(role)).await == before {
                failures.push(format!(
                    "{} as {role:?}: the allowed call changed nothing",
                    row.op
                ));
            }
        }
        if row.once {
            self.resume().await;
        }
    }

    /// Makes a `once` row's target again for `next`'s turn.
    async fn rearm(&mut self, rearm: &Rearm, next: Role) {
        match rearm {
            Rearm::Resume => self.resume().await,
            Rearm::Push(repo) => {
                let pushed = try_push(&self.berth, "owner", &self.owner_password, repo).await;
                assert_eq!(pushed, 201, "pushing {repo} again");
            }
            Rearm::Call(remake) => {
                let by = if remake.by_holder {
                    holder(next)
                } else {
                    Role::Owner
                };
                let body = remake
                    .body
                    .map(|body| serde_json::from_str(&self.fill(body, by)).expect("a JSON body"));
                let path = self.fill(remake.path, by);
                let answer =
                    succeed(&self.api[by.index()], remake.method.clone(), &path, body).await;
                if let Some((name, pointer)) = remake.keeps {
                    let value = text_at(&answer, pointer);
                    let slot = self.values.iter_mut().find(|(n, _)| *n == name);
                    slot.expect("a world value").1 = value;
                }
            }
        }
    }

    /// Signs in again every session role whose session ended (signout ends them all).
    async fn resume(&mut self) {
        for (role, username, password) in &self.logins {
            let client = &self.api[role.index()];
            if client.get("/api/v1/user/").send().await.status != 200 {
                self.api[role.index()] = Client::session(&self.berth, username, password).await;
            }
        }
    }
}

/// Whether a concrete path (query aside) fits a discovery path template, where
/// `{repository}` stands for `namespace/name`.
fn fits(template: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let mut concrete = path.split('/');
    for part in template.split('/') {
        let segments = if part == "{repository}" { 2 } else { 1 };
        for _ in 0..segments {
            match concrete.next() {
                Some(segment) if part.starts_with('{') && !segment.is_empty() => {}
                Some(segment) if segment == part => {}
                _ => return false,
            }
        }
    }
    concrete.next().is_none()
}

/// Every operation of `GET /api/v1/discovery?internal=true` has exactly one row, calling it
/// with its method on its path, and every row names one of them.
async fn check_discovery(world: &World, rows: &[Row], failures: &mut Vec<String>) {
    let doc = Client::anon(&world.berth)
        .get("/api/v1/discovery?internal=true")
        .send()
        .await
        .json();
    let mut listed = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
                listed.push((id.to_owned(), method.to_uppercase(), template.clone()));
            }
        }
    }
    for (id, method, template) in &listed {
        let named: Vec<&Row> = rows.iter().filter(|r| r.op == id).collect();
        match named[..] {
            [] => failures.push(format!("no row for {id} ({method} {template})")),
            [row] => {
                if row.method.as_str() != method || !fits(template, row.path) {
                    failures.push(format!(
                        "row {id} calls {} {}, not {method} {template}",
                        row.method, row.path
                    ));
                }
            }
            _ => failures.push(format!("{} rows for {id}", named.len())),
        }
    }
    // Routes outside `/api/v1` (`/metrics`, `/realtime/...`) are in no discovery document.
    for row in rows.iter().filter(|r| r.path.starts_with("/api/v1/")) {
        if !listed.iter().any(|(id, _, _)| id == row.op) {
            failures.push(format!(
                "row {} names no operation of the discovery document",
                row.op
            ));
        }
    }
}

/// The `actions` a registry token grants, one set per requested scope.
fn granted(token: &str) -> Vec<BTreeSet<String>> {
    let payload = token.split('.').nth(1).expect("a JWT");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url claims"))
            .expect("JSON claims");
    let entries = claims["access"].as_array().expect("access");
    entries
        .iter()
        .map(|entry| {
            let actions = entry["actions"].as_array().expect("actions");
            actions
                .iter()
                .map(|a| a.as_str().expect("an action").to_owned())
                .collect()
        })
        .collect()
}

/// The names whose flag is set.
fn actions(names: &[(&str, bool)]) -> BTreeSet<String> {
    names
        .iter()
        .filter(|(_, granted)| *granted)
        .map(|(name, _)| (*name).to_owned())
        .collect()
}

/// `/v2/auth` for each role (core-api.md §2.4): what it grants on `acme/app` and on a new
/// repository of `acme`, a real pull and push with that token, and the catalog (§2.6).
async fn check_registry(world: &World, failures: &mut Vec<String>) {
    let berth = &world.berth;
    for role in ROLES {
        let rights = rights(role);
        let login = &world.registry[role.index()];
        let pull = rights.repo.is_some() || rights.auditor;
        let push = rights.repo >= Some(RepoRole::Write);
        // A push to a missing repository creates it for those who may create there.
        let create = rights.org >= Some(TeamRole::Creator);
        let scopes = format!(
            "repository:acme/app:pull,push,*&scope=repository:acme/fresh-{}:push",
            role.slug()
        );
        let resp = registry_token_as(berth, login, Some(&scopes)).await;
        resp.expect_status(200);
        let token = resp.json()["token"].as_str().expect("token").to_owned();
        let expected = vec![
            actions(&[
                ("pull", pull),
                ("push", push),
                ("*", rights.repo == Some(RepoRole::Admin)),
            ]),
            actions(&[("push", create)]),
        ];
        let got = granted(&token);
        if got != expected {
            failures.push(format!(
                "/v2/auth as {role:?} on acme/app and a new repository: expected {expected:?}, got {got:?}"
            ));
        }
        let registry = Registry::with_token(berth, &token, "acme/app");
        let pulled = registry.get_manifest("v1").await.status;
        let pushed = registry.try_push().await;
        let expected = (if pull { 200 } else { 401 }, if push { 201 } else { 401 });
        if (pulled, pushed) != expected {
            failures.push(format!(
                "/v2 pull and push of acme/app as {role:?}: expected {expected:?}, got {:?}",
                (pulled, pushed)
            ));
        }

        // The catalog scope clients ask for (crane's `registry:catalog:*`) is granted to every
        // caller; the catalog then shows what the caller may see.
        let catalog_scope = registry_token_as(berth, login, Some("registry:catalog:*")).await;
        if catalog_scope.status != 200 {
            failures.push(format!(
                "/v2/auth registry:catalog:* as {role:?}: expected 200, got {}",
                catalog_scope.status
            ));
        }
        let catalog_token = catalog_scope.json()["token"]
            .as_str()
            .expect("token")
            .to_owned();
        let catalog = Client::with_token(berth, &catalog_token)
            .get("/v2/_catalog")
            .send()
            .await;
        let listed = catalog.json()["repositories"]
            .as_array()
            .is_some_and(|repos| repos.iter().any(|r| r == "acme/app"));
        // The catalog shows what the user sees, whatever the token's scopes.
        let visible = rights.owner || rights.repo.is_some() || rights.auditor;
        if catalog.status != 200 || listed != visible {
            failures.push(format!(
                "/v2/_catalog as {role:?}: acme/app expected {visible}, got {}: {}",
                catalog.status,
                catalog.text()
            ));
        }
    }
}

async fn authorization_matrix(backend: Backend) {
    let mut world = World::build(backend).await;
    let rows = rows();
    let mut failures = Vec::new();
    check_discovery(&world, &rows, &mut failures).await;
    check_registry(&world, &mut failures).await;
    for row in &rows {
        world.run(row, &mut failures).await;
    }
    assert!(
        failures.is_empty(),
        "{} answers differ from the specs:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

backends!(authorization_matrix);
