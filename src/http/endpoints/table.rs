//! Every `/api/v1` operation Berth serves, grouped by Quay's module (`x-tag`), with Quay's
//! paths, nicknames, scopes and internal marks.

use axum::http::Method;

use super::Endpoint;
use crate::accounts::Scopes;
use crate::config::Config;
use crate::http::api_v1::{
    app_token, applications, authorization, build, discovery, logs, manifest, messages, mirror,
    notification, organization, permission, policy, prototype, proxy_cache, quota, repository,
    robot, search, tag, team, user,
};
use crate::http::{session, superuser};

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;
const DELETE: Method = Method::DELETE;

const REPO_READ: Scopes = Scopes::REPO_READ;
const REPO_WRITE: Scopes = Scopes::REPO_WRITE;
const REPO_ADMIN: Scopes = Scopes::REPO_ADMIN;
const REPO_CREATE: Scopes = Scopes::REPO_CREATE;
const USER_READ: Scopes = Scopes::USER_READ;
const USER_ADMIN: Scopes = Scopes::USER_ADMIN;
const ORG_ADMIN: Scopes = Scopes::ORG_ADMIN;
const SUPER_USER: Scopes = Scopes::SUPER_USER;

type E = Endpoint;

pub fn table(config: &Config) -> Vec<Endpoint> {
    let features = &config.features;
    let mut endpoints =
        vec![E::new(GET, "/api/v1/discovery", "discovery", discovery::discovery).tag("discovery")];
    endpoints.extend(user_endpoints());
    endpoints.extend(organization_endpoints());
    endpoints.extend(repository_endpoints());
    endpoints.extend(logs_endpoints());
    endpoints.extend(team_endpoints());
    endpoints.extend(robot_endpoints());
    endpoints.extend(permission_endpoints());
    endpoints.extend(build_endpoints());
    endpoints.push(
        E::new(
            GET,
            "/api/v1/entities/{prefix}",
            "getMatchingEntities",
            search::get_matching_entities,
        )
        .tag("search"),
    );
    if features.app_specific_tokens {
        endpoints.extend(app_token_endpoints());
    }
    endpoints.extend(policy_endpoints(config));
    endpoints.extend(message_endpoints(config));
    endpoints.extend(notification_endpoints());
    if features.super_users {
        endpoints.extend(superuser_endpoints());
    }
    if features.super_users && features.quota_views() {
        endpoints.extend(quota_endpoints());
    }
    if features.proxy_cache {
        endpoints.extend(proxy_cache_endpoints());
    }
    if features.repo_mirror {
        endpoints.extend(mirror_endpoints());
    }
    endpoints
}

/// Quay's `mirror` module and the repository state (`FEATURE_REPO_MIRROR`).
fn mirror_endpoints() -> Vec<Endpoint> {
    const MIRROR: &str = "/api/v1/repository/{repository}/mirror";
    let mirror = [
        E::new(GET, MIRROR, "getRepoMirrorConfig", mirror::get_mirror),
        E::new(
            POST,
            MIRROR,
            "createRepoMirrorConfig",
            mirror::create_mirror,
        ),
        E::new(PUT, MIRROR, "changeRepoMirrorConfig", mirror::update_mirror),
        E::new(
            POST,
            "/api/v1/repository/{repository}/mirror/sync-now",
            "syncNow",
            mirror::sync_now,
        ),
        E::new(
            POST,
            "/api/v1/repository/{repository}/mirror/sync-cancel",
            "syncCancel",
            mirror::sync_cancel,
        ),
    ]
    .into_iter()
    .map(|e| e.tag("mirror").scope(REPO_ADMIN));
    let state = E::new(
        PUT,
        "/api/v1/repository/{repository}/changestate",
        "changeRepoState",
        mirror::change_state,
    )
    .tag("repository")
    .scope(REPO_ADMIN);
    mirror.chain(std::iter::once(state)).collect()
}

/// Quay's proxy-cache resources of its `organization` module (`FEATURE_PROXY_CACHE`).
fn proxy_cache_endpoints() -> Vec<Endpoint> {
    const CONFIG: &str = "/api/v1/organization/{orgname}/proxycache";
    vec![
        E::new(
            GET,
            CONFIG,
            "getProxyCacheConfig",
            proxy_cache::get_proxy_cache,
        ),
        E::new(
            POST,
            CONFIG,
            "createProxyCacheConfig",
            proxy_cache::create_proxy_cache,
        ),
        E::new(
            DELETE,
            CONFIG,
            "deleteProxyCacheConfig",
            proxy_cache::delete_proxy_cache,
        ),
        E::new(
            POST,
            "/api/v1/organization/{orgname}/validateproxycache",
            "validateProxyCacheConfig",
            proxy_cache::validate_proxy_cache,
        ),
    ]
    .into_iter()
    .map(|e| e.tag("organization").scope(ORG_ADMIN))
    .collect()
}

/// The five operations on one owner's policies of one kind: `[list, create, get, update,
/// delete]` nicknames, under `base` (which ends with `/`) and `base{policy_uuid}`.
fn policy_operations<K: policy::PolicyKind + 'static, O: policy::Owner + 'static>(
    base: &'static str,
    item: &'static str,
    scope: Scopes,
    tag: &'static str,
    [list, create, get, update, delete]: [&'static str; 5],
) -> Vec<Endpoint> {
    vec![
        E::new(GET, base, list, policy::list::<K, O>),
        E::new(POST, base, create, policy::create::<K, O>),
        E::new(GET, item, get, policy::get::<K, O>),
        E::new(PUT, item, update, policy::update::<K, O>),
        E::new(DELETE, item, delete, policy::delete::<K, O>),
    ]
    .into_iter()
    .map(|e| e.tag(tag).scope(scope))
    .collect()
}

/// Quay's `policy` (auto-prune, `FEATURE_AUTO_PRUNE`) and `immutability_policy`
/// (`FEATURE_IMMUTABLE_TAGS`) modules.
fn policy_endpoints(config: &Config) -> Vec<Endpoint> {
    use policy::{AutoPrune, Immutability, OfOrganization, OfRepository, OfUser};
    let mut endpoints = Vec::new();
    if config.features.auto_prune {
        endpoints.extend(policy_operations::<AutoPrune, OfOrganization>(
            "/api/v1/organization/{orgname}/autoprunepolicy/",
            "/api/v1/organization/{orgname}/autoprunepolicy/{policy_uuid}",
            ORG_ADMIN,
            "policy",
            [
                "listOrganizationAutoPrunePolicies",
                "createOrganizationAutoPrunePolicy",
                "getOrganizationAutoPrunePolicy",
                "updateOrganizationAutoPrunePolicy",
                "deleteOrganizationAutoPrunePolicy",
            ],
        ));
        endpoints.extend(policy_operations::<AutoPrune, OfUser>(
            "/api/v1/user/autoprunepolicy/",
            "/api/v1/user/autoprunepolicy/{policy_uuid}",
            USER_ADMIN,
            "policy",
            [
                "listUserAutoPrunePolicies",
                "createUserAutoPrunePolicy",
                "getUserAutoPrunePolicy",
                "updateUserAutoPrunePolicy",
                "deleteUserAutoPrunePolicy",
            ],
        ));
        endpoints.extend(policy_operations::<AutoPrune, OfRepository>(
            "/api/v1/repository/{repository}/autoprunepolicy/",
            "/api/v1/repository/{repository}/autoprunepolicy/{policy_uuid}",
            REPO_ADMIN,
            "policy",
            [
                "listRepositoryAutoPrunePolicies",
                "createRepositoryAutoPrunePolicy",
                "getRepositoryAutoPrunePolicy",
                "updateRepositoryAutoPrunePolicy",
                "deleteRepositoryAutoPrunePolicy",
            ],
        ));
    }
    if config.features.immutable_tags {
        endpoints.extend(policy_operations::<Immutability, OfOrganization>(
            "/api/v1/organization/{orgname}/immutabilitypolicy/",
            "/api/v1/organization/{orgname}/immutabilitypolicy/{policy_uuid}",
            ORG_ADMIN,
            "immutability_policy",
            [
                "listOrgImmutabilityPolicies",
                "createOrgImmutabilityPolicy",
                "getOrgImmutabilityPolicy",
                "updateOrgImmutabilityPolicy",
                "deleteOrgImmutabilityPolicy",
            ],
        ));
        endpoints.extend(policy_operations::<Immutability, OfRepository>(
            "/api/v1/repository/{repository}/immutabilitypolicy/",
            "/api/v1/repository/{repository}/immutabilitypolicy/{policy_uuid}",
            REPO_ADMIN,
            "immutability_policy",
            [
                "listRepositoryImmutabilityPolicies",
                "createRepositoryImmutabilityPolicy",
                "getRepositoryImmutabilityPolicy",
                "updateRepositoryImmutabilityPolicy",
                "deleteRepositoryImmutabilityPolicy",
            ],
        ));
    }
    endpoints
}

/// Quay's `build` module and the file drop its contexts arrive through.
fn build_endpoints() -> Vec<Endpoint> {
    const BUILDS: &str = "/api/v1/repository/{repository}/build/";
    const BUILD: &str = "/api/v1/repository/{repository}/build/{build_uuid}";
    vec![
        E::new(
            POST,
            "/api/v1/filedrop/",
            "getFiledropUrl",
            build::request_file_drop,
        )
        .tag("filedrop")
        .internal(),
        E::new(POST, BUILDS, "requestRepoBuild", build::request_repo_build)
            .tag("build")
            .scope(REPO_WRITE),
        E::new(GET, BUILDS, "getRepoBuilds", build::list_repo_builds)
            .tag("build")
            .scope(REPO_READ),
        E::new(GET, BUILD, "getRepoBuild", build::get_repo_build)
            .tag("build")
            .scope(REPO_READ),
        E::new(DELETE, BUILD, "cancelRepoBuild", build::cancel_repo_build)
            .tag("build")
            .scope(REPO_ADMIN),
        E::new(
            GET,
            "/api/v1/repository/{repository}/build/{build_uuid}/status",
            "getRepoBuildStatus",
            build::get_repo_build_status,
        )
        .tag("build")
        .scope(REPO_READ),
        E::new(
            GET,
            "/api/v1/repository/{repository}/build/{build_uuid}/logs",
            "getRepoBuildLogs",
            build::get_repo_build_logs,
        )
        .tag("build")
        .scope(REPO_READ),
    ]
}

/// Quay's `namespacequota` module and the superuser quota routes (superuser-api.md §9, §10),
/// served with `FEATURE_QUOTA_MANAGEMENT` and `FEATURE_EDIT_QUOTA`. Each superuser route is
/// served under `users/` and `organization/` alike.
fn quota_endpoints() -> Vec<Endpoint> {
    use superuser::quotas as su;
    const ORG_QUOTA: &str = "/api/v1/organization/{orgname}/quota";
    const ORG_QUOTA_ID: &str = "/api/v1/organization/{orgname}/quota/{quota_id}";
    const ORG_LIMITS: &str = "/api/v1/organization/{orgname}/quota/{quota_id}/limit";
    const ORG_LIMIT: &str = "/api/v1/organization/{orgname}/quota/{quota_id}/limit/{limit_id}";
    const USER_QUOTA_ID: &str = "/api/v1/user/quota/{quota_id}";
    const USER_LIMITS: &str = "/api/v1/user/quota/{quota_id}/limit";
    const USER_LIMIT: &str = "/api/v1/user/quota/{quota_id}/limit/{limit_id}";
    const SU_USER_QUOTA: &str = "/api/v1/superuser/users/{namespace}/quota";
    const SU_USER_QUOTA_ID: &str = "/api/v1/superuser/users/{namespace}/quota/{quota_id}";
    const SU_ORG_QUOTA: &str = "/api/v1/superuser/organization/{namespace}/quota";
    const SU_ORG_QUOTA_ID: &str = "/api/v1/superuser/organization/{namespace}/quota/{quota_id}";
    let namespace_quota = vec![
        E::new(
            GET,
            ORG_QUOTA,
            "listOrganizationQuota",
            quota::list_organization_quota,
        ),
        E::new(
            POST,
            ORG_QUOTA,
            "createOrganizationQuota",
            quota::create_organization_quota,
        )
        .scope(SUPER_USER),
        E::new(
            GET,
            ORG_QUOTA_ID,
            "getOrganizationQuota",
            quota::get_organization_quota,
        ),
        E::new(
            PUT,
            ORG_QUOTA_ID,
            "changeOrganizationQuota",
            quota::change_organization_quota,
        )
        .scope(SUPER_USER),
        E::new(
            DELETE,
            ORG_QUOTA_ID,
            "deleteOrganizationQuota",
            quota::delete_organization_quota,
        )
        .scope(SUPER_USER),
        E::new(
            GET,
            ORG_LIMITS,
            "listOrganizationQuotaLimit",
            quota::list_organization_quota_limits,
        ),
        E::new(
            POST,
            ORG_LIMITS,
            "createOrganizationQuotaLimit",
            quota::create_organization_quota_limit,
        )
        .scope(SUPER_USER),
        E::new(
            GET,
            ORG_LIMIT,
            "getOrganizationQuotaLimit",
            quota::get_organization_quota_limit,
        ),
        E::new(
            PUT,
            ORG_LIMIT,
            "changeOrganizationQuotaLimit",
            quota::change_organization_quota_limit,
        )
        .scope(SUPER_USER),
        E::new(
            DELETE,
            ORG_LIMIT,
            "deleteOrganizationQuotaLimit",
            quota::delete_organization_quota_limit,
        )
        .scope(SUPER_USER),
        E::new(
            GET,
            "/api/v1/user/quota",
            "listUserQuota",
            quota::list_user_quota,
        )
        .scope(USER_ADMIN),
        E::new(GET, USER_QUOTA_ID, "getUserQuota", quota::get_user_quota).scope(USER_ADMIN),
        E::new(
            GET,
            USER_LIMITS,
            "listUserQuotaLimit",
            quota::list_user_quota_limits,
        )
        .scope(USER_ADMIN),
        E::new(
            GET,
            USER_LIMIT,
            "getUserQuotaLimit",
            quota::get_user_quota_limit,
        )
        .scope(USER_ADMIN),
    ];
    let superuser_quota = vec![
        E::new(GET, SU_USER_QUOTA, "listUserQuotaSuperUser", su::list_quota),
        E::new(
            POST,
            SU_USER_QUOTA,
            "createUserQuotaSuperUser",
            su::create_quota,
        ),
        E::new(
            PUT,
            SU_USER_QUOTA_ID,
            "changeUserQuotaSuperUser",
            su::change_quota,
        ),
        E::new(
            DELETE,
            SU_USER_QUOTA_ID,
            "deleteUserQuotaSuperUser",
            su::delete_quota,
        ),
        E::new(
            GET,
            SU_ORG_QUOTA,
            "listOrganizationQuotaSuperUser",
            su::list_quota,
        ),
        E::new(
            POST,
            SU_ORG_QUOTA,
            "createOrganizationQuotaSuperUser",
            su::create_quota,
        ),
        E::new(
            PUT,
            SU_ORG_QUOTA_ID,
            "changeOrganizationQuotaSuperUser",
            su::change_quota,
        ),
        E::new(
            DELETE,
            SU_ORG_QUOTA_ID,
            "deleteOrganizationQuotaSuperUser",
            su::delete_quota,
        ),
    ];
    namespace_quota
        .into_iter()
        .map(|e| e.tag("namespacequota"))
        .chain(
            superuser_quota
                .into_iter()
                .map(|e| e.tag("superuser").scope(SUPER_USER)),
        )
        .collect()
}

fn user_endpoints() -> Vec<Endpoint> {
    vec![
        E::new(
            GET,
            "/api/v1/user/",
            "getLoggedInUser",
            user::get_current_user,
        )
        .scope(USER_READ),
        E::new(POST, "/api/v1/signin", "signinUser", session::signin).internal(),
        E::new(POST, "/api/v1/signout", "logout", session::signout).internal(),
        E::new(
            GET,
            "/api/v1/user/authorizations",
            "listUserAuthorizations",
            authorization::list_authorizations,
        )
        .scope(USER_ADMIN)
        .internal(),
        E::new(
            GET,
            "/api/v1/user/authorizations/{access_token_uuid}",
            "getUserAuthorization",
            authorization::get_authorization,
        )
        .scope(USER_ADMIN)
        .internal(),
        E::new(
            DELETE,
            "/api/v1/user/authorizations/{access_token_uuid}",
            "deleteUserAuthorization",
            authorization::delete_authorization,
        )
        .scope(USER_ADMIN)
        .internal(),
        E::new(
            GET,
            "/api/v1/user/assignedauthorization",
            "listAssignedAuthorizations",
            authorization::list_assigned_authorizations,
        )
        .scope(USER_ADMIN)
        .internal(),
        E::new(
            DELETE,
            "/api/v1/user/assignedauthorization/{assigned_authorization_uuid}",
            "deleteAssignedAuthorization",
            authorization::delete_assigned_authorization,
        )
        .scope(USER_ADMIN)
        .internal(),
        E::new(
            GET,
            "/api/v1/user/starred",
            "listStarredRepos",
            user::list_starred_repositories,
        )
        .scope(USER_ADMIN),
        E::new(
            POST,
            "/api/v1/user/starred",
            "createStar",
            repository::star_repository,
        )
        .scope(REPO_READ),
        E::new(
            DELETE,
            "/api/v1/user/starred/{repository}",
            "deleteStar",
            repository::unstar_repository,
        )
        .scope(USER_ADMIN),
        E::new(
            GET,
            "/api/v1/users/{username}",
            "getUserInformation",
            user::get_user_information,
        ),
    ]
    .into_iter()
    .map(|e| e.tag("user"))
    .collect()
}

fn organization_endpoints() -> Vec<Endpoint> {
    const ORGANIZATION: &str = "/api/v1/organization/{orgname}";
    const MEMBER: &str = "/api/v1/organization/{orgname}/members/{membername}";
    const APPLICATIONS: &str = "/api/v1/organization/{orgname}/applications";
    const APPLICATION: &str = "/api/v1/organization/{orgname}/applications/{client_id}";
    let organization = [
        E::new(
            POST,
            "/api/v1/organization/",
            "createOrganization",
            organization::create_organization,
        )
        .scope(USER_ADMIN),
        E::new(
            GET,
            ORGANIZATION,
            "getOrganization",
            organization::get_organization,
        ),
        E::new(
            PUT,
            ORGANIZATION,
            "changeOrganizationDetails",
            organization::update_organization,
        )
        .scope(ORG_ADMIN),
        E::new(
            DELETE,
            ORGANIZATION,
            "deleteAdminedOrganization",
            organization::delete_organization,
        )
        .scope(ORG_ADMIN),
        E::new(
            GET,
            "/api/v1/organization/{orgname}/members",
            "getOrganizationMembers",
            organization::list_members,
        )
        .scope(ORG_ADMIN),
        E::new(
            GET,
            MEMBER,
            "getOrganizationMember",
            organization::get_member,
        )
        .scope(ORG_ADMIN),
        E::new(
            DELETE,
            MEMBER,
            "removeOrganizationMember",
            organization::remove_member,
        )
        .scope(ORG_ADMIN),
        E::new(
            GET,
            "/api/v1/organization/{orgname}/collaborators",
            "getOrganizationCollaborators",
            organization::list_collaborators,
        )
        .scope(ORG_ADMIN),
        E::new(
            GET,
            APPLICATIONS,
            "getOrganizationApplications",
            applications::list_applications,
        )
        .scope(ORG_ADMIN),
        E::new(
            POST,
            APPLICATIONS,
            "createOrganizationApplication",
            applications::create_application,
        )
        .scope(ORG_ADMIN),
        E::new(
            GET,
            APPLICATION,
            "getOrganizationApplication",
            applications::get_application,
        )
        .scope(ORG_ADMIN),
        E::new(
            PUT,
            APPLICATION,
            "updateOrganizationApplication",
            applications::update_application,
        )
        .scope(ORG_ADMIN),
        E::new(
            DELETE,
            APPLICATION,
            "deleteOrganizationApplication",
            applications::delete_application,
        )
        .scope(ORG_ADMIN),
        E::new(
            POST,
            "/api/v1/organization/{orgname}/applications/{client_id}/resetclientsecret",
            "resetOrganizationApplicationClientSecret",
            applications::reset_client_secret,
        )
        .internal(),
        E::new(
            GET,
            "/api/v1/app/{client_id}",
            "getApplicationInformation",
            applications::get_public_application,
        ),
    ]
    .into_iter()
    .map(|e| e.tag("organization"));
    const TOKENS: &str = "/api/v1/organization/{orgname}/applications/{client_id}/tokens";
    let tokens = [
        E::new(
            GET,
            TOKENS,
            "listOrganizationApplicationTokens",
            applications::list_tokens,
        ),
        E::new(
            POST,
            TOKENS,
            "createOrganizationApplicationToken",
            applications::create_token,
        ),
        E::new(
            DELETE,
            "/api/v1/organization/{orgname}/applications/{client_id}/tokens/{token_uuid}",
            "deleteOrganizationApplicationToken",
            applications::revoke_token,
        ),
    ]
    .into_iter()
    .map(|e| e.scope(ORG_ADMIN))
    .map(|e| e.tag("organization_application_tokens"));
    let prototypes = [
        E::new(
            GET,
            "/api/v1/organization/{orgname}/prototypes",
            "getOrganizationPrototypePermissions",
            prototype::list_prototypes,
        ),
        E::new(
            POST,
            "/api/v1/organization/{orgname}/prototypes",
            "createOrganizationPrototypePermission",
            prototype::create_prototype,
        ),
        E::new(
            PUT,
            "/api/v1/organization/{orgname}/prototypes/{prototypeid}",
            "updateOrganizationPrototypePermission",
            prototype::update_prototype,
        ),
        E::new(
            DELETE,
            "/api/v1/organization/{orgname}/prototypes/{prototypeid}",
            "deleteOrganizationPrototypePermission",
            prototype::delete_prototype,
        ),
    ]
    .into_iter()
    .map(|e| e.tag("prototype").scope(ORG_ADMIN));
    organization.chain(tokens).chain(prototypes).collect()
}

fn repository_endpoints() -> Vec<Endpoint> {
    let repositories = [
        E::new(
            POST,
            "/api/v1/repository",
            "createRepo",
            repository::create_repository,
        )
        .scope(REPO_CREATE),
        E::new(
            GET,
            "/api/v1/repository",
            "listRepos",
            repository::list_repositories,
        )
        .scope(REPO_READ),
        E::new(
            GET,
            "/api/v1/repository/{repository}",
            "getRepo",
            repository::get_repository,
        )
        .scope(REPO_READ),
        E::new(
            PUT,
            "/api/v1/repository/{repository}",
            "updateRepo",
            repository::update_repository,
        )
        .scope(REPO_WRITE),
        E::new(
            DELETE,
            "/api/v1/repository/{repository}",
            "deleteRepository",
            repository::delete_repository,
        )
        .scope(REPO_ADMIN),
        E::new(
            POST,
            "/api/v1/repository/{repository}/changevisibility",
            "changeRepoVisibility",
            repository::change_visibility,
        )
        .scope(REPO_ADMIN),
    ]
    .into_iter()
    .map(|e| e.tag("repository"));
    let tags = [
        E::new(
            GET,
            "/api/v1/repository/{repository}/tag/",
            "listRepoTags",
            tag::list_tags,
        )
        .scope(REPO_READ),
        E::new(
            PUT,
            "/api/v1/repository/{repository}/tag/{tag}",
            "changeTag",
            tag::change_tag,
        )
        .scope(REPO_WRITE),
        E::new(
            DELETE,
            "/api/v1/repository/{repository}/tag/{tag}",
            "deleteFullTag",
            tag::delete_tag,
        )
        .scope(REPO_WRITE),
        E::new(
            POST,
            "/api/v1/repository/{repository}/tag/{tag}/restore",
            "restoreTag",
            tag::restore_tag,
        )
        .scope(REPO_WRITE),
    ]
    .into_iter()
    .map(|e| e.tag("tag"));
    let manifests = [
        E::new(
            GET,
            "/api/v1/repository/{repository}/manifest/{manifestref}",
            "getRepoManifest",
            manifest::get_manifest,
        )
        .scope(REPO_READ),
        E::new(
            GET,
            "/api/v1/repository/{repository}/manifest/{manifestref}/labels",
            "listManifestLabels",
            manifest::list_labels,
        )
        .scope(REPO_READ),
        E::new(
            POST,
            "/api/v1/repository/{repository}/manifest/{manifestref}/labels",
            "addManifestLabel",
            manifest::add_label,
        )
        .scope(REPO_WRITE),
        E::new(
            GET,
            "/api/v1/repository/{repository}/manifest/{manifestref}/labels/{labelid}",
            "getManifestLabel",
            manifest::get_label,
        )
        .scope(REPO_READ),
        E::new(
            DELETE,
            "/api/v1/repository/{repository}/manifest/{manifestref}/labels/{labelid}",
            "deleteManifestLabel",
            manifest::delete_label,
        )
        .scope(REPO_WRITE),
    ]
    .into_iter()
    .map(|e| e.tag("manifest"));
    repositories.chain(tags).chain(manifests).collect()
}

fn logs_endpoints() -> Vec<Endpoint> {
    vec![
        E::new(
            GET,
            "/api/v1/user/logs",
            "listUserLogs",
            logs::list_user_logs,
        )
        .scope(USER_ADMIN),
        E::new(
            GET,
            "/api/v1/user/aggregatelogs",
            "getAggregateUserLogs",
            logs::aggregate_user_logs,
        )
        .scope(USER_ADMIN),
        E::new(
            POST,
            "/api/v1/user/exportlogs",
            "exportUserLogs",
            logs::export_user_logs,
        )
        .scope(USER_ADMIN),
        E::new(
            GET,
            "/api/v1/organization/{orgname}/logs",
            "listOrgLogs",
            logs::list_organization_logs,
        )
        .scope(ORG_ADMIN),
        E::new(
            GET,
            "/api/v1/organization/{orgname}/aggregatelogs",
            "getAggregateOrgLogs",
            logs::aggregate_organization_logs,
        )
        .scope(ORG_ADMIN),
        E::new(
            POST,
            "/api/v1/organization/{orgname}/exportlogs",
            "exportOrgLogs",
            logs::export_organization_logs,
        )
        .scope(ORG_ADMIN),
        E::new(
            GET,
            "/api/v1/repository/{repository}/logs",
            "listRepoLogs",
            logs::list_repository_logs,
        )
        .scope(REPO_ADMIN),
        E::new(
            GET,
            "/api/v1/repository/{repository}/aggregatelogs",
            "getAggregateRepoLogs",
            logs::aggregate_repository_logs,
        )
        .scope(REPO_ADMIN),
        E::new(
            POST,
            "/api/v1/repository/{repository}/exportlogs",
            "exportRepoLogs",
            logs::export_repository_logs,
        )
        .scope(REPO_ADMIN),
    ]
    .into_iter()
    .map(|e| e.tag("logs"))
    .collect()
}

fn team_endpoints() -> Vec<Endpoint> {
    vec![
        E::new(
            PUT,
            "/api/v1/organization/{orgname}/team/{teamname}",
            "updateOrganizationTeam",
            team::update_team,
        )
        .scope(ORG_ADMIN),
        E::new(
            DELETE,
            "/api/v1/organization/{orgname}/team/{teamname}",
            "deleteOrganizationTeam",
            team::delete_team,
        )
        .scope(ORG_ADMIN),
        E::new(
            GET,
            "/api/v1/organization/{orgname}/team/{teamname}/members",
            "getOrganizationTeamMembers",
            team::list_team_members,
        ),
        E::new(
            PUT,
            "/api/v1/organization/{orgname}/team/{teamname}/members/{membername}",
            "updateOrganizationTeamMember",
            team::add_team_member,
        )
        .scope(ORG_ADMIN),
        E::new(
            DELETE,
            "/api/v1/organization/{orgname}/team/{teamname}/members/{membername}",
            "deleteOrganizationTeamMember",
            team::remove_team_member,
        )
        .scope(ORG_ADMIN),
        E::new(
            GET,
            "/api/v1/organization/{orgname}/team/{teamname}/permissions",
            "getOrganizationTeamPermissions",
            team::list_team_permissions,
        ),
    ]
    .into_iter()
    .map(|e| e.tag("team"))
    .collect()
}

fn robot_endpoints() -> Vec<Endpoint> {
    const USER_ROBOT: &str = "/api/v1/user/robots/{robot_shortname}";
    const ORG_ROBOT: &str = "/api/v1/organization/{orgname}/robots/{robot_shortname}";
    vec![
        E::new(
            GET,
            "/api/v1/user/robots",
            "getUserRobots",
            robot::list_robots,
        )
        .scope(USER_ADMIN),
        E::new(GET, USER_ROBOT, "getUserRobot", robot::get_robot).scope(USER_ADMIN),
        E::new(PUT, USER_ROBOT, "createUserRobot", robot::create_robot).scope(USER_ADMIN),
        E::new(DELETE, USER_ROBOT, "deleteUserRobot", robot::delete_robot).scope(USER_ADMIN),
        E::new(
            POST,
            "/api/v1/user/robots/{robot_shortname}/regenerate",
            "regenerateUserRobotToken",
            robot::regenerate_robot,
        )
        .scope(USER_ADMIN),
        E::new(
            GET,
            "/api/v1/user/robots/{robot_shortname}/permissions",
            "getUserRobotPermissions",
            robot::get_robot_permissions,
        )
        .scope(USER_ADMIN),
        E::new(
            GET,
            "/api/v1/organization/{orgname}/robots",
            "getOrgRobots",
            robot::list_robots,
        )
        .scope(ORG_ADMIN),
        E::new(GET, ORG_ROBOT, "getOrgRobot", robot::get_robot).scope(ORG_ADMIN),
        E::new(PUT, ORG_ROBOT, "createOrgRobot", robot::create_robot).scope(ORG_ADMIN),
        E::new(DELETE, ORG_ROBOT, "deleteOrgRobot", robot::delete_robot).scope(ORG_ADMIN),
        E::new(
            POST,
            "/api/v1/organization/{orgname}/robots/{robot_shortname}/regenerate",
            "regenerateOrgRobotToken",
            robot::regenerate_robot,
        )
        .scope(ORG_ADMIN),
        E::new(
            GET,
            "/api/v1/organization/{orgname}/robots/{robot_shortname}/permissions",
            "getOrgRobotPermissions",
            robot::get_robot_permissions,
        )
        .scope(USER_ADMIN),
    ]
    .into_iter()
    .chain(federation_endpoints())
    .map(|e| e.tag("robot"))
    .collect()
}

/// The robot federation routes, for users' robots and organizations' robots alike.
fn federation_endpoints() -> Vec<Endpoint> {
    const USER: &str = "/api/v1/user/robots/{robot_shortname}/federation";
    const ORG: &str = "/api/v1/organization/{orgname}/robots/{robot_shortname}/federation";
    let family = |path, scope, [get, create, delete]: [&'static str; 3]| {
        [
            E::new(GET, path, get, robot::get_federation).scope(scope),
            E::new(POST, path, create, robot::set_federation).scope(scope),
            E::new(DELETE, path, delete, robot::delete_federation).scope(scope),
        ]
    };
    let user = family(
        USER,
        USER_ADMIN,
        [
            "getUserRobotFederation",
            "createUserRobotFederation",
            "deleteUserRobotFederation",
        ],
    );
    let org = family(
        ORG,
        ORG_ADMIN,
        [
            "getOrgRobotFederation",
            "createOrgRobotFederation",
            "deleteOrgRobotFederation",
        ],
    );
    user.into_iter().chain(org).collect()
}

fn permission_endpoints() -> Vec<Endpoint> {
    const USER: &str = "/api/v1/repository/{repository}/permissions/user/{username}";
    const TEAM: &str = "/api/v1/repository/{repository}/permissions/team/{teamname}";
    vec![
        E::new(
            GET,
            "/api/v1/repository/{repository}/permissions/user/",
            "listRepoUserPermissions",
            permission::list_user_permissions,
        ),
        E::new(
            GET,
            "/api/v1/repository/{repository}/permissions/user/{username}/transitive",
            "getUserTransitivePermission",
            permission::get_transitive_permissions,
        ),
        E::new(GET, USER, "getUserPermissions", permission::get_permission),
        E::new(
            PUT,
            USER,
            "changeUserPermissions",
            permission::set_permission,
        ),
        E::new(
            DELETE,
            USER,
            "deleteUserPermissions",
            permission::delete_permission,
        ),
        E::new(
            GET,
            "/api/v1/repository/{repository}/permissions/team/",
            "listRepoTeamPermissions",
            permission::list_team_permissions,
        ),
        E::new(GET, TEAM, "getTeamPermissions", permission::get_permission),
        E::new(
            PUT,
            TEAM,
            "changeTeamPermissions",
            permission::set_permission,
        ),
        E::new(
            DELETE,
            TEAM,
            "deleteTeamPermissions",
            permission::delete_permission,
        ),
    ]
    .into_iter()
    .map(|e| e.tag("permission").scope(REPO_ADMIN))
    .collect()
}

fn app_token_endpoints() -> Vec<Endpoint> {
    vec![
        E::new(
            GET,
            "/api/v1/user/apptoken",
            "listAppTokens",
            app_token::list_app_tokens,
        ),
        E::new(
            POST,
            "/api/v1/user/apptoken",
            "createAppToken",
            app_token::create_app_token,
        ),
        E::new(
            GET,
            "/api/v1/user/apptoken/{token_uuid}",
            "getAppToken",
            app_token::get_app_token,
        ),
        E::new(
            DELETE,
            "/api/v1/user/apptoken/{token_uuid}",
            "revokeAppToken",
            app_token::revoke_app_token,
        ),
    ]
    .into_iter()
    .map(|e| e.tag("appspecifictokens").scope(USER_ADMIN))
    .collect()
}

fn superuser_endpoints() -> Vec<Endpoint> {
    use superuser::{builds, config, keys, logs, organizations, registry_size, users};
    vec![
        E::new(
            GET,
            "/api/v1/superuser/users/",
            "listAllUsers",
            users::list_users,
        ),
        E::new(
            POST,
            "/api/v1/superuser/users/",
            "createInstallUser",
            users::create_user,
        ),
        E::new(
            GET,
            "/api/v1/superuser/users/{username}",
            "getInstallUser",
            users::get_user,
        ),
        E::new(
            PUT,
            "/api/v1/superuser/users/{username}",
            "changeInstallUser",
            users::update_user,
        ),
        E::new(
            DELETE,
            "/api/v1/superuser/users/{username}",
            "deleteInstallUser",
            users::delete_user,
        ),
        E::new(
            GET,
            "/api/v1/superuser/organizations/",
            "listAllOrganizations",
            organizations::list_organizations,
        )
        .internal(),
        E::new(
            PUT,
            "/api/v1/superuser/organizations/{name}",
            "changeOrganization",
            organizations::update_organization,
        ),
        E::new(
            DELETE,
            "/api/v1/superuser/organizations/{name}",
            "deleteOrganization",
            organizations::delete_organization,
        ),
        E::new(
            POST,
            "/api/v1/superuser/takeownership/{namespace}",
            "takeOwnership",
            organizations::take_ownership,
        )
        .internal(),
        E::new(
            GET,
            "/api/v1/superuser/logs",
            "listAllLogs",
            logs::list_all_logs,
        ),
        E::new(
            GET,
            "/api/v1/superuser/aggregatelogs",
            "listAllAggregateLogs",
            logs::aggregate_all_logs,
        )
        .internal(),
        E::new(
            GET,
            "/api/v1/superuser/registrysize/",
            "getRegistrySize",
            registry_size::get_registry_size,
        )
        .internal(),
        E::new(
            POST,
            "/api/v1/superuser/registrysize/",
            "queueRegistrySizeCalculation",
            registry_size::queue_registry_size_calculation,
        )
        .internal(),
        E::new(
            GET,
            "/api/v1/superuser/keys",
            "listServiceKeys",
            keys::list_keys,
        ),
        E::new(
            POST,
            "/api/v1/superuser/keys",
            "createServiceKey",
            keys::create_key,
        ),
        E::new(
            GET,
            "/api/v1/superuser/keys/{kid}",
            "getServiceKey",
            keys::get_key,
        ),
        E::new(
            PUT,
            "/api/v1/superuser/keys/{kid}",
            "updateServiceKey",
            keys::update_key,
        ),
        E::new(
            DELETE,
            "/api/v1/superuser/keys/{kid}",
            "deleteServiceKey",
            keys::delete_key,
        ),
        E::new(
            POST,
            "/api/v1/superuser/approvedkeys/{kid}",
            "approveServiceKey",
            keys::approve_key,
        ),
        E::new(
            GET,
            "/api/v1/superuser/{build_uuid}/build",
            "getRepoBuildSuperUser",
            builds::get_build,
        ),
        E::new(
            GET,
            "/api/v1/superuser/{build_uuid}/status",
            "getRepoBuildStatusSuperUser",
            builds::get_build_status,
        ),
        E::new(
            GET,
            "/api/v1/superuser/{build_uuid}/logs",
            "getRepoBuildLogsSuperUser",
            builds::get_build_logs,
        ),
        // Quay gives this one no nickname (so no discovery entry); Berth names it.
        E::new(
            GET,
            "/api/v1/superuser/config",
            "getSuperUserConfigDump",
            config::dump_config,
        )
        .internal(),
    ]
    .into_iter()
    .map(|e| e.tag("superuser").scope(SUPER_USER))
    .chain([E::new(
        GET,
        "/api/v1/superuser/registrystatus",
        "scRegistryStatus",
        config::registry_status,
    )
    .tag("suconfig")
    .internal()])
    .collect()
}

/// Quay's `repositorynotification` module.
fn notification_endpoints() -> Vec<Endpoint> {
    const LIST: &str = "/api/v1/repository/{repository}/notification/";
    const ONE: &str = "/api/v1/repository/{repository}/notification/{uuid}";
    vec![
        E::new(
            POST,
            LIST,
            "createRepoNotification",
            notification::create_notification,
        ),
        E::new(
            GET,
            LIST,
            "listRepoNotifications",
            notification::list_notifications,
        ),
        E::new(
            GET,
            ONE,
            "getRepoNotification",
            notification::get_notification,
        ),
        E::new(
            DELETE,
            ONE,
            "deleteRepoNotification",
            notification::delete_notification,
        ),
        E::new(
            POST,
            ONE,
            "resetRepositoryNotificationFailures",
            notification::reset_notification,
        ),
        E::new(
            POST,
            "/api/v1/repository/{repository}/notification/{uuid}/test",
            "testRepoNotification",
            notification::test_notification,
        ),
    ]
    .into_iter()
    .map(|e| e.tag("repositorynotification").scope(REPO_ADMIN))
    .collect()
}

/// Quay's `globalmessages` module: everyone reads, superusers write.
fn message_endpoints(config: &Config) -> Vec<Endpoint> {
    let mut endpoints = vec![E::new(
        GET,
        "/api/v1/messages",
        "getGlobalMessages",
        messages::get_messages,
    )];
    if config.features.super_users {
        endpoints.push(
            E::new(
                POST,
                "/api/v1/messages",
                "createGlobalMessage",
                messages::create_message,
            )
            .scope(SUPER_USER),
        );
        endpoints.push(
            E::new(
                DELETE,
                "/api/v1/message/{uuid}",
                "deleteGlobalMessage",
                messages::delete_message,
            )
            .scope(SUPER_USER),
        );
    }
    endpoints
        .into_iter()
        .map(|e| e.tag("globalmessages"))
        .collect()
}
