//! The truth of each `/api/v1` operation that the route table does not hold, read from the
//! handlers: the status a success answers with, the JSON body it reads, its query parameters
//! and the JSON body its success answers with, with Swagger 2.0 definitions of those bodies
//! (under Quay's schema names where Quay has them) for the discovery document.

use serde_json::{json, Map, Value};

use crate::messages::{MEDIA_TYPES as MESSAGE_MEDIA_TYPES, SEVERITIES};
use crate::repositories::labels::MEDIA_TYPES as LABEL_MEDIA_TYPES;
use crate::repositories::notifications::{EVENTS, METHODS};
use crate::repositories::tag_policies::autoprune::{CREATION_DATE, NUMBER_OF_TAGS};

/// A query parameter an operation reads.
pub struct QueryParam {
    pub name: &'static str,
    /// Swagger 2.0 type: "string", "integer" or "boolean".
    pub kind: &'static str,
    pub required: bool,
    pub description: &'static str,
}

/// What the discovery document says of one operation beyond the route table.
pub struct OperationDoc {
    /// "GET", "POST", "PUT" or "DELETE".
    pub method: &'static str,
    /// Exactly as in the route table, e.g. `/api/v1/repository/{repository}/tag/{tag}`.
    pub path: &'static str,
    /// The status a success answers with, exactly as the handler returns it.
    pub success: u16,
    /// The name of the request body's definition in `definitions()`, if the operation reads a
    /// JSON body.
    pub body: Option<&'static str>,
    pub query: &'static [QueryParam],
    /// The name of the definition in `definitions()` of the JSON body a success answers with;
    /// None when the success has no body, or one that is not JSON.
    pub returns: Option<&'static str>,
}

impl OperationDoc {
    /// The same operation, whose success answers with the JSON body defined as `name`.
    const fn returning(self, name: &'static str) -> OperationDoc {
        OperationDoc {
            returns: Some(name),
            ..self
        }
    }
}

const NO_QUERY: &[QueryParam] = &[];

/// An operation that reads neither a body nor query parameters.
const fn op(method: &'static str, path: &'static str, success: u16) -> OperationDoc {
    OperationDoc {
        method,
        path,
        success,
        body: None,
        query: NO_QUERY,
        returns: None,
    }
}

/// An operation that reads the JSON body `body` and no query parameters.
const fn with_body(
    method: &'static str,
    path: &'static str,
    success: u16,
    body: &'static str,
) -> OperationDoc {
    OperationDoc {
        method,
        path,
        success,
        body: Some(body),
        query: NO_QUERY,
        returns: None,
    }
}

/// An operation that reads query parameters and no body.
const fn with_query(
    method: &'static str,
    path: &'static str,
    success: u16,
    query: &'static [QueryParam],
) -> OperationDoc {
    OperationDoc {
        method,
        path,
        success,
        body: None,
        query,
        returns: None,
    }
}

const fn string(name: &'static str, description: &'static str) -> QueryParam {
    QueryParam {
        name,
        kind: "string",
        required: false,
        description,
    }
}

const fn integer(name: &'static str, description: &'static str) -> QueryParam {
    QueryParam {
        name,
        kind: "integer",
        required: false,
        description,
    }
}

const fn boolean(name: &'static str, description: &'static str) -> QueryParam {
    QueryParam {
        name,
        kind: "boolean",
        required: false,
        description,
    }
}

const NEXT_PAGE: QueryParam = string(
    "next_page",
    "The page token of the previous answer, for the page after it",
);
const LOG_PAGE: QueryParam = integer("page", "Checked to be an integer, otherwise ignored");
const START_TIME: QueryParam = string(
    "starttime",
    "Start of the window (MM/DD/YYYY or ISO-8601, UTC); a day ago by default",
);
const END_TIME: QueryParam = string(
    "endtime",
    "End of the window (MM/DD/YYYY or ISO-8601, UTC; a date includes its day); today by default",
);
const PERFORMER: QueryParam = string("performer", "Only the entries of this user or robot");
const SUPERUSER_LIMIT: QueryParam = integer("limit", "Entries per page, from 1 to 100");

const DISCOVERY_QUERY: &[QueryParam] = &[boolean(
    "internal",
    "Also list the operations meant for Quay's own web interface",
)];
const PAGE_QUERY: &[QueryParam] = &[NEXT_PAGE];
const REPOSITORY_LIST_QUERY: &[QueryParam] = &[
    NEXT_PAGE,
    string("namespace", "Only the repositories of this namespace"),
    boolean(
        "public",
        "Include every public repository; namespace, public or starred is needed",
    ),
    boolean(
        "starred",
        "Only the caller's starred repositories (signed-in callers)",
    ),
    boolean(
        "last_modified",
        "Add each repository's last modification time",
    ),
    boolean(
        "popularity",
        "Add each repository's action count of the past week",
    ),
];
const REPOSITORY_QUERY: &[QueryParam] = &[boolean(
    "includeTags",
    "Include the repository's tags (the default)",
)];
const TAG_LIST_QUERY: &[QueryParam] = &[
    integer("limit", "Tags per page, from 1 to 100; 50 by default"),
    integer("page", "The page to answer, from 1"),
    boolean("onlyActiveTags", "Leave out tags that have ended"),
    string("specificTag", "Only the history of the tag of this name"),
];
const LABEL_LIST_QUERY: &[QueryParam] = &[string(
    "filter",
    "Only the labels whose key starts with this prefix",
)];
const LOG_LIST_QUERY: &[QueryParam] = &[LOG_PAGE, START_TIME, END_TIME, NEXT_PAGE, PERFORMER];
const LOG_AGGREGATE_QUERY: &[QueryParam] = &[LOG_PAGE, START_TIME, END_TIME, PERFORMER];
const LOG_WINDOW_QUERY: &[QueryParam] = &[LOG_PAGE, START_TIME, END_TIME];
const LOG_WINDOW_PAGE_QUERY: &[QueryParam] = &[LOG_PAGE, START_TIME, END_TIME, NEXT_PAGE];
const ROBOT_LIST_QUERY: &[QueryParam] = &[
    boolean("permissions", "Add each robot's teams and repositories"),
    boolean("token", "Include the robots' tokens (the default)"),
    integer("limit", "The most robots to answer"),
];
const BUILD_LIST_QUERY: &[QueryParam] = &[
    integer("limit", "The most builds to answer; 5 by default"),
    integer("since", "Only the builds started since this Unix time"),
];
const BUILD_LOG_QUERY: &[QueryParam] = &[integer(
    "start",
    "Index of the first log entry to answer; 0 by default",
)];
const ENTITY_QUERY: &[QueryParam] = &[
    string(
        "namespace",
        "The namespace whose robots and teams may match, and whose members are marked",
    ),
    boolean("includeTeams", "Also match the namespace's teams"),
    boolean(
        "includeOrgs",
        "Also match the namespace itself, when an organization",
    ),
];
const APP_TOKEN_LIST_QUERY: &[QueryParam] =
    &[boolean("expiring", "Only the tokens that expire soon")];
const SUPERUSER_USER_LIST_QUERY: &[QueryParam] = &[
    SUPERUSER_LIMIT,
    NEXT_PAGE,
    boolean(
        "disabled",
        "Include disabled users (the default); false lists enabled users only",
    ),
];
const SUPERUSER_ORGANIZATION_LIST_QUERY: &[QueryParam] = &[
    SUPERUSER_LIMIT,
    NEXT_PAGE,
    string("name", "Only the organization of exactly this name"),
];

/// An export of usage logs: the `ExportLogs` body and the time window in the query; the answer
/// names the export.
const fn export_logs(path: &'static str) -> OperationDoc {
    OperationDoc {
        method: "POST",
        path,
        success: 200,
        body: Some("ExportLogs"),
        query: LOG_WINDOW_QUERY,
        returns: Some("LogExportView"),
    }
}

/// Every operation of the route table, in the order `table()` lists them.
pub const OPERATIONS: &[OperationDoc] = &[
    with_query("GET", "/api/v1/discovery", 200, DISCOVERY_QUERY).returning("ApiDiscovery"),
    // user
    op("GET", "/api/v1/user/", 200).returning("UserView"),
    with_body("POST", "/api/v1/signin", 200, "SigninUser").returning("Success"),
    op("POST", "/api/v1/signout", 200).returning("Success"),
    op("GET", "/api/v1/user/authorizations", 200).returning("AuthorizationList"),
    op(
        "GET",
        "/api/v1/user/authorizations/{access_token_uuid}",
        200,
    )
    .returning("AuthorizationView"),
    op(
        "DELETE",
        "/api/v1/user/authorizations/{access_token_uuid}",
        204,
    ),
    op("GET", "/api/v1/user/assignedauthorization", 200).returning("AssignedAuthorizationList"),
    op(
        "DELETE",
        "/api/v1/user/assignedauthorization/{assigned_authorization_uuid}",
        204,
    ),
    with_query("GET", "/api/v1/user/starred", 200, PAGE_QUERY).returning("StarredRepositoryList"),
    with_body("POST", "/api/v1/user/starred", 201, "NewStarredRepository").returning("StarView"),
    op("DELETE", "/api/v1/user/starred/{repository}", 204),
    op("GET", "/api/v1/users/{username}", 200).returning("UserView"),
    // organization
    with_body("POST", "/api/v1/organization/", 201, "NewOrg").returning("StatusText"),
    op("GET", "/api/v1/organization/{orgname}", 200).returning("OrganizationView"),
    with_body("PUT", "/api/v1/organization/{orgname}", 200, "UpdateOrg")
        .returning("OrganizationView"),
    op("DELETE", "/api/v1/organization/{orgname}", 204),
    op("GET", "/api/v1/organization/{orgname}/members", 200).returning("OrganizationMemberList"),
    op(
        "GET",
        "/api/v1/organization/{orgname}/members/{membername}",
        200,
    )
    .returning("OrganizationMemberView"),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/members/{membername}",
        204,
    ),
    op("GET", "/api/v1/organization/{orgname}/collaborators", 200).returning("CollaboratorList"),
    op("GET", "/api/v1/organization/{orgname}/applications", 200).returning("ApplicationList"),
    with_body(
        "POST",
        "/api/v1/organization/{orgname}/applications",
        200,
        "NewApp",
    )
    .returning("ApplicationView"),
    op(
        "GET",
        "/api/v1/organization/{orgname}/applications/{client_id}",
        200,
    )
    .returning("ApplicationView"),
    with_body(
        "PUT",
        "/api/v1/organization/{orgname}/applications/{client_id}",
        200,
        "UpdateApp",
    )
    .returning("ApplicationView"),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/applications/{client_id}",
        204,
    ),
    op(
        "POST",
        "/api/v1/organization/{orgname}/applications/{client_id}/resetclientsecret",
        200,
    )
    .returning("ApplicationView"),
    op("GET", "/api/v1/app/{client_id}", 200).returning("PublicApplicationView"),
    // organization_application_tokens
    with_query(
        "GET",
        "/api/v1/organization/{orgname}/applications/{client_id}/tokens",
        200,
        PAGE_QUERY,
    )
    .returning("ApplicationTokenList"),
    with_body(
        "POST",
        "/api/v1/organization/{orgname}/applications/{client_id}/tokens",
        200,
        "NewOAuthApplicationToken",
    )
    .returning("ApplicationTokenView"),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/applications/{client_id}/tokens/{token_uuid}",
        204,
    ),
    // prototype
    op("GET", "/api/v1/organization/{orgname}/prototypes", 200).returning("PrototypeList"),
    with_body(
        "POST",
        "/api/v1/organization/{orgname}/prototypes",
        200,
        "NewPrototype",
    )
    .returning("PrototypeView"),
    with_body(
        "PUT",
        "/api/v1/organization/{orgname}/prototypes/{prototypeid}",
        200,
        "PrototypeUpdate",
    )
    .returning("PrototypeView"),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/prototypes/{prototypeid}",
        204,
    ),
    // repository
    with_body("POST", "/api/v1/repository", 201, "NewRepo").returning("CreatedRepositoryView"),
    with_query("GET", "/api/v1/repository", 200, REPOSITORY_LIST_QUERY).returning("RepositoryList"),
    with_query(
        "GET",
        "/api/v1/repository/{repository}",
        200,
        REPOSITORY_QUERY,
    )
    .returning("RepositoryView"),
    with_body("PUT", "/api/v1/repository/{repository}", 200, "RepoUpdate").returning("Success"),
    op("DELETE", "/api/v1/repository/{repository}", 204),
    with_body(
        "POST",
        "/api/v1/repository/{repository}/changevisibility",
        200,
        "ChangeVisibility",
    )
    .returning("Success"),
    // tag
    with_query(
        "GET",
        "/api/v1/repository/{repository}/tag/",
        200,
        TAG_LIST_QUERY,
    )
    .returning("TagList"),
    with_body(
        "PUT",
        "/api/v1/repository/{repository}/tag/{tag}",
        201,
        "ChangeTag",
    )
    .returning("StatusText"),
    op("DELETE", "/api/v1/repository/{repository}/tag/{tag}", 204),
    with_body(
        "POST",
        "/api/v1/repository/{repository}/tag/{tag}/restore",
        200,
        "RestoreTag",
    )
    .returning("EmptyObject"),
    // manifest
    op(
        "GET",
        "/api/v1/repository/{repository}/manifest/{manifestref}",
        200,
    )
    .returning("ManifestView"),
    with_query(
        "GET",
        "/api/v1/repository/{repository}/manifest/{manifestref}/labels",
        200,
        LABEL_LIST_QUERY,
    )
    .returning("LabelList"),
    with_body(
        "POST",
        "/api/v1/repository/{repository}/manifest/{manifestref}/labels",
        201,
        "AddLabel",
    )
    .returning("AddedLabelView"),
    op(
        "GET",
        "/api/v1/repository/{repository}/manifest/{manifestref}/labels/{labelid}",
        200,
    )
    .returning("LabelView"),
    op(
        "DELETE",
        "/api/v1/repository/{repository}/manifest/{manifestref}/labels/{labelid}",
        204,
    ),
    // logs
    with_query("GET", "/api/v1/user/logs", 200, LOG_LIST_QUERY).returning("LogList"),
    with_query(
        "GET",
        "/api/v1/user/aggregatelogs",
        200,
        LOG_AGGREGATE_QUERY,
    )
    .returning("AggregatedLogList"),
    export_logs("/api/v1/user/exportlogs"),
    with_query(
        "GET",
        "/api/v1/organization/{orgname}/logs",
        200,
        LOG_LIST_QUERY,
    )
    .returning("LogList"),
    with_query(
        "GET",
        "/api/v1/organization/{orgname}/aggregatelogs",
        200,
        LOG_AGGREGATE_QUERY,
    )
    .returning("AggregatedLogList"),
    export_logs("/api/v1/organization/{orgname}/exportlogs"),
    with_query(
        "GET",
        "/api/v1/repository/{repository}/logs",
        200,
        LOG_WINDOW_PAGE_QUERY,
    )
    .returning("LogList"),
    with_query(
        "GET",
        "/api/v1/repository/{repository}/aggregatelogs",
        200,
        LOG_WINDOW_QUERY,
    )
    .returning("AggregatedLogList"),
    export_logs("/api/v1/repository/{repository}/exportlogs"),
    // team
    with_body(
        "PUT",
        "/api/v1/organization/{orgname}/team/{teamname}",
        200,
        "TeamDescription",
    )
    .returning("TeamView"),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/team/{teamname}",
        204,
    ),
    op(
        "GET",
        "/api/v1/organization/{orgname}/team/{teamname}/members",
        200,
    )
    .returning("TeamMemberList"),
    op(
        "PUT",
        "/api/v1/organization/{orgname}/team/{teamname}/members/{membername}",
        200,
    )
    .returning("TeamMemberView"),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/team/{teamname}/members/{membername}",
        204,
    ),
    op(
        "GET",
        "/api/v1/organization/{orgname}/team/{teamname}/permissions",
        200,
    )
    .returning("RepositoryGrantList"),
    // robot
    with_query("GET", "/api/v1/user/robots", 200, ROBOT_LIST_QUERY).returning("RobotList"),
    op("GET", "/api/v1/user/robots/{robot_shortname}", 200).returning("RobotView"),
    with_body(
        "PUT",
        "/api/v1/user/robots/{robot_shortname}",
        201,
        "CreateRobot",
    )
    .returning("RobotView"),
    op("DELETE", "/api/v1/user/robots/{robot_shortname}", 204),
    op(
        "POST",
        "/api/v1/user/robots/{robot_shortname}/regenerate",
        200,
    )
    .returning("RobotView"),
    op(
        "GET",
        "/api/v1/user/robots/{robot_shortname}/permissions",
        200,
    )
    .returning("RepositoryGrantList"),
    with_query(
        "GET",
        "/api/v1/organization/{orgname}/robots",
        200,
        ROBOT_LIST_QUERY,
    )
    .returning("RobotList"),
    op(
        "GET",
        "/api/v1/organization/{orgname}/robots/{robot_shortname}",
        200,
    )
    .returning("RobotView"),
    with_body(
        "PUT",
        "/api/v1/organization/{orgname}/robots/{robot_shortname}",
        201,
        "CreateRobot",
    )
    .returning("RobotView"),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/robots/{robot_shortname}",
        204,
    ),
    op(
        "POST",
        "/api/v1/organization/{orgname}/robots/{robot_shortname}/regenerate",
        200,
    )
    .returning("RobotView"),
    op(
        "GET",
        "/api/v1/organization/{orgname}/robots/{robot_shortname}/permissions",
        200,
    )
    .returning("RepositoryGrantList"),
    op(
        "GET",
        "/api/v1/user/robots/{robot_shortname}/federation",
        200,
    )
    .returning("RobotFederationView"),
    with_body(
        "POST",
        "/api/v1/user/robots/{robot_shortname}/federation",
        200,
        "CreateRobotFederation",
    )
    .returning("RobotFederationView"),
    op(
        "DELETE",
        "/api/v1/user/robots/{robot_shortname}/federation",
        204,
    ),
    op(
        "GET",
        "/api/v1/organization/{orgname}/robots/{robot_shortname}/federation",
        200,
    )
    .returning("RobotFederationView"),
    with_body(
        "POST",
        "/api/v1/organization/{orgname}/robots/{robot_shortname}/federation",
        200,
        "CreateRobotFederation",
    )
    .returning("RobotFederationView"),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/robots/{robot_shortname}/federation",
        204,
    ),
    // permission
    op(
        "GET",
        "/api/v1/repository/{repository}/permissions/user/",
        200,
    )
    .returning("UserPermissionList"),
    op(
        "GET",
        "/api/v1/repository/{repository}/permissions/user/{username}/transitive",
        200,
    )
    .returning("TransitivePermissionList"),
    op(
        "GET",
        "/api/v1/repository/{repository}/permissions/user/{username}",
        200,
    )
    .returning("UserPermissionView"),
    with_body(
        "PUT",
        "/api/v1/repository/{repository}/permissions/user/{username}",
        200,
        "UserPermission",
    )
    .returning("UserPermissionView"),
    op(
        "DELETE",
        "/api/v1/repository/{repository}/permissions/user/{username}",
        204,
    ),
    op(
        "GET",
        "/api/v1/repository/{repository}/permissions/team/",
        200,
    )
    .returning("TeamPermissionList"),
    op(
        "GET",
        "/api/v1/repository/{repository}/permissions/team/{teamname}",
        200,
    )
    .returning("TeamPermissionView"),
    with_body(
        "PUT",
        "/api/v1/repository/{repository}/permissions/team/{teamname}",
        200,
        "TeamPermission",
    )
    .returning("TeamPermissionView"),
    op(
        "DELETE",
        "/api/v1/repository/{repository}/permissions/team/{teamname}",
        204,
    ),
    // filedrop and build
    with_body("POST", "/api/v1/filedrop/", 200, "FileDropRequest").returning("FileDropView"),
    with_body(
        "POST",
        "/api/v1/repository/{repository}/build/",
        201,
        "RepositoryBuildRequest",
    )
    .returning("BuildView"),
    with_query(
        "GET",
        "/api/v1/repository/{repository}/build/",
        200,
        BUILD_LIST_QUERY,
    )
    .returning("BuildList"),
    op(
        "GET",
        "/api/v1/repository/{repository}/build/{build_uuid}",
        200,
    )
    .returning("BuildView"),
    op(
        "DELETE",
        "/api/v1/repository/{repository}/build/{build_uuid}",
        201,
    )
    .returning("StatusText"),
    op(
        "GET",
        "/api/v1/repository/{repository}/build/{build_uuid}/status",
        200,
    )
    .returning("BuildView"),
    with_query(
        "GET",
        "/api/v1/repository/{repository}/build/{build_uuid}/logs",
        200,
        BUILD_LOG_QUERY,
    )
    .returning("BuildLogList"),
    // search
    with_query("GET", "/api/v1/entities/{prefix}", 200, ENTITY_QUERY).returning("EntityList"),
    // appspecifictokens (FEATURE_APP_SPECIFIC_TOKENS)
    with_query("GET", "/api/v1/user/apptoken", 200, APP_TOKEN_LIST_QUERY).returning("AppTokenList"),
    with_body("POST", "/api/v1/user/apptoken", 200, "NewToken").returning("SingleAppToken"),
    op("GET", "/api/v1/user/apptoken/{token_uuid}", 200).returning("SingleAppToken"),
    op("DELETE", "/api/v1/user/apptoken/{token_uuid}", 204),
    // policy (FEATURE_AUTO_PRUNE): creates answer 201, updates 204, deletes 200
    op(
        "GET",
        "/api/v1/organization/{orgname}/autoprunepolicy/",
        200,
    )
    .returning("AutoPrunePolicyList"),
    with_body(
        "POST",
        "/api/v1/organization/{orgname}/autoprunepolicy/",
        201,
        "AutoPrunePolicyConfig",
    )
    .returning("PolicyUuid"),
    op(
        "GET",
        "/api/v1/organization/{orgname}/autoprunepolicy/{policy_uuid}",
        200,
    )
    .returning("AutoPrunePolicyView"),
    with_body(
        "PUT",
        "/api/v1/organization/{orgname}/autoprunepolicy/{policy_uuid}",
        204,
        "AutoPrunePolicyConfig",
    ),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/autoprunepolicy/{policy_uuid}",
        200,
    )
    .returning("PolicyUuid"),
    op("GET", "/api/v1/user/autoprunepolicy/", 200).returning("AutoPrunePolicyList"),
    with_body(
        "POST",
        "/api/v1/user/autoprunepolicy/",
        201,
        "AutoPrunePolicyConfig",
    )
    .returning("PolicyUuid"),
    op("GET", "/api/v1/user/autoprunepolicy/{policy_uuid}", 200).returning("AutoPrunePolicyView"),
    with_body(
        "PUT",
        "/api/v1/user/autoprunepolicy/{policy_uuid}",
        204,
        "AutoPrunePolicyConfig",
    ),
    op("DELETE", "/api/v1/user/autoprunepolicy/{policy_uuid}", 200).returning("PolicyUuid"),
    op(
        "GET",
        "/api/v1/repository/{repository}/autoprunepolicy/",
        200,
    )
    .returning("AutoPrunePolicyList"),
    with_body(
        "POST",
        "/api/v1/repository/{repository}/autoprunepolicy/",
        201,
        "AutoPrunePolicyConfig",
    )
    .returning("PolicyUuid"),
    op(
        "GET",
        "/api/v1/repository/{repository}/autoprunepolicy/{policy_uuid}",
        200,
    )
    .returning("AutoPrunePolicyView"),
    with_body(
        "PUT",
        "/api/v1/repository/{repository}/autoprunepolicy/{policy_uuid}",
        204,
        "AutoPrunePolicyConfig",
    ),
    op(
        "DELETE",
        "/api/v1/repository/{repository}/autoprunepolicy/{policy_uuid}",
        200,
    )
    .returning("PolicyUuid"),
    // immutability_policy (FEATURE_IMMUTABLE_TAGS): as the auto-prune policies
    op(
        "GET",
        "/api/v1/organization/{orgname}/immutabilitypolicy/",
        200,
    )
    .returning("ImmutabilityPolicyList"),
    with_body(
        "POST",
        "/api/v1/organization/{orgname}/immutabilitypolicy/",
        201,
        "ImmutabilityPolicyConfig",
    )
    .returning("PolicyUuid"),
    op(
        "GET",
        "/api/v1/organization/{orgname}/immutabilitypolicy/{policy_uuid}",
        200,
    )
    .returning("ImmutabilityPolicyView"),
    with_body(
        "PUT",
        "/api/v1/organization/{orgname}/immutabilitypolicy/{policy_uuid}",
        204,
        "ImmutabilityPolicyConfig",
    ),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/immutabilitypolicy/{policy_uuid}",
        200,
    )
    .returning("PolicyUuid"),
    op(
        "GET",
        "/api/v1/repository/{repository}/immutabilitypolicy/",
        200,
    )
    .returning("ImmutabilityPolicyList"),
    with_body(
        "POST",
        "/api/v1/repository/{repository}/immutabilitypolicy/",
        201,
        "ImmutabilityPolicyConfig",
    )
    .returning("PolicyUuid"),
    op(
        "GET",
        "/api/v1/repository/{repository}/immutabilitypolicy/{policy_uuid}",
        200,
    )
    .returning("ImmutabilityPolicyView"),
    with_body(
        "PUT",
        "/api/v1/repository/{repository}/immutabilitypolicy/{policy_uuid}",
        204,
        "ImmutabilityPolicyConfig",
    ),
    op(
        "DELETE",
        "/api/v1/repository/{repository}/immutabilitypolicy/{policy_uuid}",
        200,
    )
    .returning("PolicyUuid"),
    // globalmessages
    op("GET", "/api/v1/messages", 200).returning("MessageList"),
    with_body("POST", "/api/v1/messages", 201, "CreateMessage"),
    op("DELETE", "/api/v1/message/{uuid}", 204),
    // repositorynotification
    with_body(
        "POST",
        "/api/v1/repository/{repository}/notification/",
        201,
        "NotificationCreateRequest",
    )
    .returning("NotificationView"),
    op("GET", "/api/v1/repository/{repository}/notification/", 200).returning("NotificationList"),
    op(
        "GET",
        "/api/v1/repository/{repository}/notification/{uuid}",
        200,
    )
    .returning("NotificationView"),
    op(
        "DELETE",
        "/api/v1/repository/{repository}/notification/{uuid}",
        204,
    ),
    op(
        "POST",
        "/api/v1/repository/{repository}/notification/{uuid}",
        204,
    ),
    op(
        "POST",
        "/api/v1/repository/{repository}/notification/{uuid}/test",
        200,
    )
    .returning("EmptyObject"),
    // superuser (FEATURE_SUPER_USERS)
    with_query(
        "GET",
        "/api/v1/superuser/users/",
        200,
        SUPERUSER_USER_LIST_QUERY,
    )
    .returning("SuperuserUserList"),
    with_body("POST", "/api/v1/superuser/users/", 200, "CreateInstallUser")
        .returning("CreatedUserView"),
    op("GET", "/api/v1/superuser/users/{username}", 200).returning("SuperuserUserView"),
    with_body(
        "PUT",
        "/api/v1/superuser/users/{username}",
        200,
        "UpdateUser",
    )
    .returning("SuperuserUserView"),
    op("DELETE", "/api/v1/superuser/users/{username}", 204),
    with_query(
        "GET",
        "/api/v1/superuser/organizations/",
        200,
        SUPERUSER_ORGANIZATION_LIST_QUERY,
    )
    .returning("SuperuserOrganizationList"),
    with_body(
        "PUT",
        "/api/v1/superuser/organizations/{name}",
        200,
        "UpdateOrgSuperUser",
    )
    .returning("SuperuserOrganizationView"),
    op("DELETE", "/api/v1/superuser/organizations/{name}", 204),
    op("POST", "/api/v1/superuser/takeownership/{namespace}", 200).returning("TakeOwnershipView"),
    with_query("GET", "/api/v1/superuser/logs", 200, LOG_WINDOW_PAGE_QUERY).returning("LogList"),
    with_query(
        "GET",
        "/api/v1/superuser/aggregatelogs",
        200,
        LOG_WINDOW_QUERY,
    )
    .returning("AggregatedLogList"),
    op("GET", "/api/v1/superuser/registrysize/", 200).returning("RegistrySizeView"),
    // 202 instead when a calculation is already queued or running.
    op("POST", "/api/v1/superuser/registrysize/", 201).returning("StatusText"),
    op("GET", "/api/v1/superuser/keys", 200).returning("ServiceKeyList"),
    with_body("POST", "/api/v1/superuser/keys", 200, "CreateServiceKey")
        .returning("CreatedServiceKeyView"),
    op("GET", "/api/v1/superuser/keys/{kid}", 200).returning("ServiceKeyView"),
    with_body("PUT", "/api/v1/superuser/keys/{kid}", 200, "PutServiceKey")
        .returning("ServiceKeyView"),
    op("DELETE", "/api/v1/superuser/keys/{kid}", 204),
    with_body(
        "POST",
        "/api/v1/superuser/approvedkeys/{kid}",
        201,
        "ApproveServiceKey",
    ),
    op("GET", "/api/v1/superuser/{build_uuid}/build", 200).returning("BuildView"),
    op("GET", "/api/v1/superuser/{build_uuid}/status", 200).returning("BuildView"),
    with_query(
        "GET",
        "/api/v1/superuser/{build_uuid}/logs",
        200,
        BUILD_LOG_QUERY,
    )
    .returning("BuildLogList"),
    op("GET", "/api/v1/superuser/config", 200).returning("ConfigDumpView"),
    op("GET", "/api/v1/superuser/registrystatus", 200).returning("RegistryStatusView"),
    // namespacequota and the superuser quota routes (quota views)
    op("GET", "/api/v1/organization/{orgname}/quota", 200).returning("QuotaList"),
    with_body(
        "POST",
        "/api/v1/organization/{orgname}/quota",
        201,
        "NewOrgQuota",
    )
    .returning("StatusText"),
    op(
        "GET",
        "/api/v1/organization/{orgname}/quota/{quota_id}",
        200,
    )
    .returning("QuotaView"),
    with_body(
        "PUT",
        "/api/v1/organization/{orgname}/quota/{quota_id}",
        200,
        "UpdateOrgQuota",
    )
    .returning("QuotaView"),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/quota/{quota_id}",
        204,
    ),
    op(
        "GET",
        "/api/v1/organization/{orgname}/quota/{quota_id}/limit",
        200,
    )
    .returning("QuotaLimitList"),
    with_body(
        "POST",
        "/api/v1/organization/{orgname}/quota/{quota_id}/limit",
        201,
        "NewOrgQuotaLimit",
    )
    .returning("StatusText"),
    op(
        "GET",
        "/api/v1/organization/{orgname}/quota/{quota_id}/limit/{limit_id}",
        200,
    )
    .returning("QuotaLimitView"),
    with_body(
        "PUT",
        "/api/v1/organization/{orgname}/quota/{quota_id}/limit/{limit_id}",
        200,
        "UpdateOrgQuotaLimit",
    )
    .returning("QuotaView"),
    op(
        "DELETE",
        "/api/v1/organization/{orgname}/quota/{quota_id}/limit/{limit_id}",
        204,
    ),
    op("GET", "/api/v1/user/quota", 200).returning("QuotaList"),
    op("GET", "/api/v1/user/quota/{quota_id}", 200).returning("QuotaView"),
    op("GET", "/api/v1/user/quota/{quota_id}/limit", 200).returning("QuotaLimitList"),
    op("GET", "/api/v1/user/quota/{quota_id}/limit/{limit_id}", 200).returning("QuotaView"),
    op("GET", "/api/v1/superuser/users/{namespace}/quota", 200).returning("QuotaList"),
    with_body(
        "POST",
        "/api/v1/superuser/users/{namespace}/quota",
        201,
        "NewNamespaceQuota",
    )
    .returning("StatusText"),
    with_body(
        "PUT",
        "/api/v1/superuser/users/{namespace}/quota/{quota_id}",
        200,
        "UpdateNamespaceQuota",
    )
    .returning("QuotaView"),
    op(
        "DELETE",
        "/api/v1/superuser/users/{namespace}/quota/{quota_id}",
        204,
    ),
    op(
        "GET",
        "/api/v1/superuser/organization/{namespace}/quota",
        200,
    )
    .returning("QuotaList"),
    with_body(
        "POST",
        "/api/v1/superuser/organization/{namespace}/quota",
        201,
        "NewNamespaceQuota",
    )
    .returning("StatusText"),
    with_body(
        "PUT",
        "/api/v1/superuser/organization/{namespace}/quota/{quota_id}",
        200,
        "UpdateNamespaceQuota",
    )
    .returning("QuotaView"),
    op(
        "DELETE",
        "/api/v1/superuser/organization/{namespace}/quota/{quota_id}",
        204,
    ),
    // proxy cache (FEATURE_PROXY_CACHE)
    op("GET", "/api/v1/organization/{orgname}/proxycache", 200).returning("ProxyCacheView"),
    with_body(
        "POST",
        "/api/v1/organization/{orgname}/proxycache",
        201,
        "NewProxyCacheConfig",
    )
    .returning("StatusText"),
    op("DELETE", "/api/v1/organization/{orgname}/proxycache", 201).returning("StatusText"),
    with_body(
        "POST",
        "/api/v1/organization/{orgname}/validateproxycache",
        202,
        "NewProxyCacheConfig",
    )
    .returning("StatusText"),
    // mirror and the repository state (FEATURE_REPO_MIRROR)
    op("GET", "/api/v1/repository/{repository}/mirror", 200).returning("ViewMirrorConfig"),
    with_body(
        "POST",
        "/api/v1/repository/{repository}/mirror",
        201,
        "CreateMirrorConfig",
    )
    .returning("StatusText"),
    with_body(
        "PUT",
        "/api/v1/repository/{repository}/mirror",
        201,
        "UpdateMirrorConfig",
    )
    .returning("StatusText"),
    op(
        "POST",
        "/api/v1/repository/{repository}/mirror/sync-now",
        204,
    ),
    op(
        "POST",
        "/api/v1/repository/{repository}/mirror/sync-cancel",
        204,
    ),
    with_body(
        "PUT",
        "/api/v1/repository/{repository}/changestate",
        200,
        "ChangeRepoState",
    )
    .returning("Success"),
];

/// The entry of the operation `method` `path`, both spelled as in the route table.
pub fn find(method: &str, path: &str) -> Option<&'static OperationDoc> {
    OPERATIONS
        .iter()
        .find(|doc| doc.method == method && doc.path == path)
}

/// Swagger 2.0 definitions, by name, of the request bodies and of the JSON bodies successes
/// answer with; no name is both.
pub fn definitions() -> Map<String, Value> {
    let mut defs = body_definitions();
    defs.extend(answer_definitions());
    defs
}

/// The request bodies, in the order the operations first read them.
fn body_definitions() -> Map<String, Value> {
    let mut defs = Map::new();
    account_definitions(&mut defs);
    organization_definitions(&mut defs);
    repository_definitions(&mut defs);
    team_and_robot_definitions(&mut defs);
    build_definitions(&mut defs);
    policy_definitions(&mut defs);
    notice_definitions(&mut defs);
    superuser_definitions(&mut defs);
    quota_definitions(&mut defs);
    replication_definitions(&mut defs);
    defs
}

/// `schema` with the fields of `required` marked required (JSON Schema wants at least one).
fn requiring(mut schema: Value, required: &[&str]) -> Value {
    if let (Some(object), false) = (schema.as_object_mut(), required.is_empty()) {
        object.insert("required".into(), json!(required));
    }
    schema
}

/// A role on a repository, as permissions and default permissions grant it.
fn repository_role() -> Value {
    json!({
        "type": "string",
        "enum": ["read", "write", "admin"],
        "description": "The role to grant",
    })
}

fn account_definitions(defs: &mut Map<String, Value>) {
    defs.insert(
        "SigninUser".into(),
        json!({
            "type": "object",
            "description": "Credentials to start a session with",
            "required": ["username", "password"],
            "properties": {
                "username": {"type": "string", "description": "Name of the user"},
                "password": {"type": "string", "description": "Password of the user"},
            },
        }),
    );
    defs.insert(
        "NewStarredRepository".into(),
        json!({
            "type": "object",
            "description": "The repository to star",
            "required": ["namespace", "repository"],
            "properties": {
                "namespace": {"type": "string", "description": "Namespace of the repository"},
                "repository": {"type": "string", "description": "Name of the repository"},
            },
        }),
    );
}

/// An OAuth application of an organization; `required` names the fields a request must give.
fn application(required: &[&str]) -> Value {
    let schema = json!({
        "type": "object",
        "description": "An OAuth application",
        "properties": {
            "name": {"type": "string", "description": "Name of the application"},
            "redirect_uri": {
                "type": "string",
                "description": "Where authorizations send the browser back to",
            },
            "application_uri": {"type": "string", "description": "Home page of the application"},
            "description": {"type": "string", "description": "What the application does"},
            "avatar_email": {
                "type": "string",
                "description": "E-mail address whose avatar the application shows",
            },
        },
    });
    requiring(schema, required)
}

fn organization_definitions(defs: &mut Map<String, Value>) {
    defs.insert(
        "NewOrg".into(),
        json!({
            "type": "object",
            "description": "An organization to create",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "description": "Name of the organization"},
                "email": {
                    "type": "string",
                    "description": "Contact e-mail address of the organization",
                },
            },
        }),
    );
    defs.insert(
        "UpdateOrg".into(),
        json!({
            "type": "object",
            "description": "Settings to change; those left out stay as they are",
            "properties": {
                "email": {
                    "type": "string",
                    "description": "Contact e-mail address of the organization",
                },
                "invoice_email": {
                    "type": "boolean",
                    "description": "Whether invoices are sent by e-mail",
                },
                "invoice_email_address": {
                    "type": "string",
                    "x-nullable": true,
                    "description": "Where invoices are sent; null or empty removes it",
                },
                "tag_expiration_s": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Time machine window in seconds, one of the configured \
                        choices; ignored without FEATURE_CHANGE_TAG_EXPIRATION",
                },
            },
        }),
    );
    defs.insert("NewApp".into(), application(&["name"]));
    defs.insert(
        "UpdateApp".into(),
        application(&["name", "redirect_uri", "application_uri"]),
    );
    defs.insert(
        "NewOAuthApplicationToken".into(),
        json!({
            "type": "object",
            "description": "A token for the caller, minted through the application",
            "required": ["name", "scope"],
            "properties": {
                "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 255,
                    "description": "Name of the token; surrounding whitespace is trimmed",
                },
                "scope": {
                    "type": "string",
                    "description": "Scopes separated by spaces or commas, each one the caller \
                        holds",
                },
                "expiration": {
                    "type": "integer",
                    "description": "Lifetime in seconds, brought within 1 and the longest \
                        lifetime allowed (the default)",
                },
            },
        }),
    );
    defs.insert(
        "NewPrototype".into(),
        json!({
            "type": "object",
            "description": "A default permission: the role the delegate gets on new repositories",
            "required": ["role", "delegate"],
            "properties": {
                "role": repository_role(),
                "delegate": {
                    "type": "object",
                    "description": "Who gets the role",
                    "required": ["name", "kind"],
                    "properties": {
                        "name": {
                            "type": "string",
                            "description": "Name of the user, robot or team",
                        },
                        "kind": {"type": "string", "enum": ["user", "team"]},
                    },
                },
                "activating_user": {
                    "type": "object",
                    "description": "Only for the repositories this user creates",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "description": "Name of the user"},
                    },
                },
            },
        }),
    );
    defs.insert(
        "PrototypeUpdate".into(),
        json!({
            "type": "object",
            "description": "The new role of a default permission",
            "required": ["role"],
            "properties": {"role": repository_role()},
        }),
    );
}

fn repository_definitions(defs: &mut Map<String, Value>) {
    let visibility = json!({"type": "string", "enum": ["public", "private"]});
    defs.insert(
        "NewRepo".into(),
        json!({
            "type": "object",
            "description": "A repository to create",
            "required": ["repository", "visibility"],
            "properties": {
                "repository": {"type": "string", "description": "Name of the repository"},
                "visibility": visibility,
                "description": {"type": "string", "description": "Markdown description"},
                "namespace": {
                    "type": "string",
                    "description": "Namespace to create it in; the caller's own by default",
                },
            },
        }),
    );
    defs.insert(
        "RepoUpdate".into(),
        json!({
            "type": "object",
            "description": "The repository's new description",
            "required": ["description"],
            "properties": {
                "description": {"type": "string", "description": "Markdown description"},
            },
        }),
    );
    defs.insert(
        "ChangeVisibility".into(),
        json!({
            "type": "object",
            "description": "The repository's new visibility",
            "required": ["visibility"],
            "properties": {"visibility": visibility},
        }),
    );
    defs.insert(
        "ChangeTag".into(),
        json!({
            "type": "object",
            "description": "Changes to a tag, applied in this order: expiration, immutability, \
                then the move to another manifest",
            "properties": {
                "manifest_digest": {
                    "type": "string",
                    "description": "Digest of the manifest the tag moves to (or is created on)",
                },
                "expiration": {
                    "type": "number",
                    "x-nullable": true,
                    "description": "When the tag ends, in Unix seconds; null removes the end",
                },
                "immutable": {
                    "type": "boolean",
                    "description": "Whether the tag may no longer be moved or deleted",
                },
            },
        }),
    );
    defs.insert(
        "RestoreTag".into(),
        json!({
            "type": "object",
            "description": "The manifest a tag points to again",
            "required": ["manifest_digest"],
            "properties": {
                "manifest_digest": {"type": "string", "description": "Digest of the manifest"},
            },
        }),
    );
    defs.insert(
        "AddLabel".into(),
        json!({
            "type": "object",
            "description": "A label to add to the manifest",
            "required": ["key", "value"],
            "properties": {
                "key": {
                    "type": "string",
                    "maxLength": 255,
                    "pattern": "^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$",
                    "description": "Key of the label, without two separators in a row; keys \
                        with reserved prefixes (com.docker., io.quay, ...) are refused",
                },
                "value": {"type": "string", "description": "Value of the label"},
                "media_type": {
                    "type": "string",
                    "enum": LABEL_MEDIA_TYPES,
                    "x-nullable": true,
                    "description": "Media type of the value; text/plain by default",
                },
            },
        }),
    );
    defs.insert(
        "ExportLogs".into(),
        json!({
            "type": "object",
            "description": "Whom to tell when the export is ready",
            "properties": {
                "callback_url": {
                    "type": "string",
                    "description": "URL the export's details are posted to",
                },
                "callback_email": {
                    "type": "string",
                    "description": "E-mail address the export's link is sent to",
                },
            },
        }),
    );
}

fn team_and_robot_definitions(defs: &mut Map<String, Value>) {
    defs.insert(
        "TeamDescription".into(),
        json!({
            "type": "object",
            "description": "A team to create or change",
            "required": ["role"],
            "properties": {
                "role": {
                    "type": "string",
                    "enum": ["member", "creator", "admin"],
                    "description": "What the team's members may do in the organization",
                },
                "description": {"type": "string", "description": "Markdown description"},
            },
        }),
    );
    defs.insert(
        "CreateRobot".into(),
        json!({
            "type": "object",
            "description": "Details of a new robot; the body may be left out",
            "properties": {
                "description": {
                    "type": "string",
                    "maxLength": 255,
                    "description": "What the robot is for",
                },
                "unstructured_metadata": {
                    "type": "object",
                    "description": "Free-form data kept with the robot",
                },
            },
        }),
    );
    defs.insert(
        "CreateRobotFederation".into(),
        json!({
            "type": "array",
            "description": "The (issuer, subject) pairs the robot trusts, replacing the \
                current ones",
            "uniqueItems": true,
            "items": {
                "type": "object",
                "required": ["issuer", "subject"],
                "properties": {
                    "issuer": {
                        "type": "string",
                        "minLength": 1,
                        "description": "OIDC issuer URL, http:// or https://",
                    },
                    "subject": {
                        "type": "string",
                        "minLength": 1,
                        "description": "Subject of the issuer's tokens",
                    },
                },
            },
        }),
    );
    for name in ["UserPermission", "TeamPermission"] {
        defs.insert(
            name.into(),
            json!({
                "type": "object",
                "description": "The role to grant on the repository",
                "required": ["role"],
                "properties": {"role": repository_role()},
            }),
        );
    }
}

/// A string field that also takes null (as if left out).
fn nullable_string(description: &str) -> Value {
    json!({"type": "string", "x-nullable": true, "description": description})
}

fn build_definitions(defs: &mut Map<String, Value>) {
    defs.insert(
        "FileDropRequest".into(),
        json!({
            "type": "object",
            "description": "A file to upload, such as a build context",
            "required": ["mimeType"],
            "properties": {
                "mimeType": {"type": "string", "description": "Media type of the file"},
            },
        }),
    );
    defs.insert(
        "RepositoryBuildRequest".into(),
        json!({
            "type": "object",
            "description": "A build to start; file_id or archive_url is needed",
            "properties": {
                "file_id": nullable_string("Uploaded build context (filedrop)"),
                "archive_url": nullable_string("http(s) URL of the build context archive"),
                "subdirectory": nullable_string("Directory of the Dockerfile in the context"),
                "dockerfile_path": nullable_string("Path of the Dockerfile in the context"),
                "context": nullable_string("Directory used as the build context"),
                "docker_tags": {
                    "type": "array",
                    "x-nullable": true,
                    "minItems": 1,
                    "uniqueItems": true,
                    "items": {"type": "string"},
                    "description": "Tags to push the image to; latest by default",
                },
                "pull_robot": nullable_string("Robot whose credentials pull the base images"),
            },
        }),
    );
    defs.insert(
        "NewToken".into(),
        json!({
            "type": "object",
            "description": "An app-specific token to create",
            "required": ["title"],
            "properties": {
                "title": {"type": "string", "description": "Name of the token"},
            },
        }),
    );
}

fn policy_definitions(defs: &mut Map<String, Value>) {
    defs.insert(
        "AutoPrunePolicyConfig".into(),
        json!({
            "type": "object",
            "description": "An auto-prune policy",
            "required": ["method", "value"],
            "properties": {
                "method": {"type": "string", "enum": [NUMBER_OF_TAGS, CREATION_DATE]},
                "value": {
                    "description": "A positive integer (tags to keep) for number_of_tags; a \
                        positive age with a unit of s, m, h, d, w or y (e.g. 2w) for \
                        creation_date",
                },
                "tagPattern": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Regular expression that limits the policy to some tags",
                },
                "tagPatternMatches": {
                    "type": "boolean",
                    "description": "Whether the policy takes the tags matching the pattern \
                        (the default) or the others",
                },
            },
        }),
    );
    defs.insert(
        "ImmutabilityPolicyConfig".into(),
        json!({
            "type": "object",
            "description": "An immutability policy",
            "required": ["tagPattern"],
            "properties": {
                "tagPattern": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 256,
                    "description": "Regular expression matched against whole tag names",
                },
                "tagPatternMatches": {
                    "type": "boolean",
                    "description": "Whether the matching tags become immutable (the default) \
                        or the others",
                },
            },
        }),
    );
}

fn notice_definitions(defs: &mut Map<String, Value>) {
    defs.insert(
        "CreateMessage".into(),
        json!({
            "type": "object",
            "description": "A message shown to every user",
            "required": ["message"],
            "properties": {
                "message": {
                    "type": "object",
                    "required": ["content", "media_type", "severity"],
                    "properties": {
                        "content": {"type": "string", "description": "Text of the message"},
                        "media_type": {"type": "string", "enum": MESSAGE_MEDIA_TYPES},
                        "severity": {"type": "string", "enum": SEVERITIES},
                    },
                },
            },
        }),
    );
    defs.insert(
        "NotificationCreateRequest".into(),
        json!({
            "type": "object",
            "description": "A notification to send on a repository event",
            "required": ["event", "method", "config", "eventConfig"],
            "properties": {
                "event": {"type": "string", "enum": EVENTS},
                "method": {"type": "string", "enum": METHODS},
                "config": {
                    "type": "object",
                    "description": "Settings of the method",
                    "required": ["url"],
                    "properties": {
                        "url": {
                            "type": "string",
                            "description": "Webhook or Slack URL the notification is posted to",
                        },
                    },
                },
                "eventConfig": {"type": "object", "description": "Settings of the event"},
                "title": {"type": "string", "description": "Name of the notification"},
            },
        }),
    );
}

fn superuser_definitions(defs: &mut Map<String, Value>) {
    defs.insert(
        "CreateInstallUser".into(),
        json!({
            "type": "object",
            "description": "A user to create, with a generated password",
            "required": ["username"],
            "properties": {
                "username": {"type": "string", "description": "Name of the user"},
                "email": {"type": "string", "description": "E-mail address of the user"},
            },
        }),
    );
    defs.insert(
        "UpdateUser".into(),
        json!({
            "type": "object",
            "description": "Changes to a user; a superuser accepts only {\"superuser\": false}",
            "properties": {
                "password": {"type": "string", "description": "New password"},
                "email": {"type": "string", "description": "New e-mail address"},
                "enabled": {"type": "boolean", "description": "Whether the user may sign in"},
                "superuser": {
                    "type": "boolean",
                    "description": "true makes the user a superuser; false demotes a superuser",
                },
            },
        }),
    );
    defs.insert(
        "UpdateOrgSuperUser".into(),
        json!({
            "type": "object",
            "description": "Settings to change; those left out stay as they are",
            "properties": {
                "name": {"type": "string", "description": "New name of the organization"},
                "email": {
                    "type": "string",
                    "description": "Contact e-mail address of the organization",
                },
                "invoice_email": {
                    "type": "boolean",
                    "description": "Whether invoices are sent by e-mail",
                },
                "invoice_email_address": {
                    "type": "string",
                    "description": "Where invoices are sent; empty removes it",
                },
                "tag_expiration_s": {
                    "type": "integer",
                    "description": "Time machine window in seconds, one of the configured \
                        choices; ignored without FEATURE_CHANGE_TAG_EXPIRATION",
                },
            },
        }),
    );
    let key_name = json!({
        "type": "string",
        "pattern": r"^[\s a-zA-Z0-9\-_:/]*$",
        "description": "Friendly name of the key",
    });
    let key_metadata = json!({"type": "object", "description": "Free-form data kept with the key"});
    defs.insert(
        "CreateServiceKey".into(),
        json!({
            "type": "object",
            "description": "A service key to create, approved at once",
            "required": ["service", "expiration"],
            "properties": {
                "service": {
                    "type": "string",
                    "pattern": "^[a-z0-9_]+$",
                    "description": "Service the key signs for",
                },
                "expiration": {
                    "type": "number",
                    "x-nullable": true,
                    "description": "When the key expires, in Unix seconds and in the future; \
                        null for never",
                },
                "name": key_name,
                "metadata": key_metadata,
                "notes": {"type": "string", "description": "Notes kept with the approval"},
            },
        }),
    );
    defs.insert(
        "PutServiceKey".into(),
        json!({
            "type": "object",
            "description": "Changes to a service key",
            "properties": {
                "name": key_name,
                "metadata": key_metadata,
                "expiration": {
                    "type": "number",
                    "x-nullable": true,
                    "description": "New expiry in Unix seconds, in the future; null for never",
                },
            },
        }),
    );
    defs.insert(
        "ApproveServiceKey".into(),
        json!({
            "type": "object",
            "description": "The approval of a service key",
            "properties": {
                "notes": {"type": "string", "description": "Notes kept with the approval"},
            },
        }),
    );
}

/// The sizes `limit` takes: digits, then an optional space and a decimal or binary unit.
const QUOTA_LIMIT_PATTERN: &str = "^[0-9]+ ?([KMGTPEZY]B?|[KMGTPE]iB?)?$";

/// A quota's size as a request gives it: `limit_bytes` or `limit`, never both, and no other
/// field; `minimum` is the least `limit_bytes` taken.
fn quota_size(description: &str, minimum: i64) -> Value {
    json!({
        "type": "object",
        "description": description,
        "additionalProperties": false,
        "properties": {
            "limit_bytes": {
                "type": "integer",
                "minimum": minimum,
                "description": "Size of the quota in bytes",
            },
            "limit": {
                "type": "string",
                "pattern": QUOTA_LIMIT_PATTERN,
                "description": "Size of the quota with an optional unit, e.g. 10 GiB or 500MB",
            },
        },
    })
}

/// A quota limit; `required` names the fields a request must give.
fn quota_limit(required: &[&str]) -> Value {
    let schema = json!({
        "type": "object",
        "description": "What happens when the namespace fills the quota up to a threshold",
        "properties": {
            "type": {"type": "string", "description": "Warning or Reject, in any case"},
            "threshold_percent": {
                "type": "integer",
                "minimum": 1,
                "maximum": 100,
                "description": "The threshold, in percent of the quota",
            },
        },
    });
    requiring(schema, required)
}

fn quota_definitions(defs: &mut Map<String, Value>) {
    const NEW: &str = "Size of the quota: exactly one of limit_bytes and limit";
    const UPDATE: &str = "New size of the quota: at most one of limit_bytes and limit; \
        none, or 0, changes nothing";
    defs.insert("NewOrgQuota".into(), quota_size(NEW, 1));
    defs.insert("UpdateOrgQuota".into(), quota_size(UPDATE, 0));
    defs.insert(
        "NewOrgQuotaLimit".into(),
        quota_limit(&["type", "threshold_percent"]),
    );
    defs.insert("UpdateOrgQuotaLimit".into(), quota_limit(&[]));
    defs.insert("NewNamespaceQuota".into(), quota_size(NEW, 1));
    defs.insert("UpdateNamespaceQuota".into(), quota_size(UPDATE, 0));
}

/// A repository mirror's settings; `required` names the fields a request must give.
fn mirror_config(description: &str, required: &[&str]) -> Value {
    let schema = json!({
        "type": "object",
        "description": description,
        "properties": {
            "is_enabled": {"type": "boolean", "description": "Whether scheduled syncs run"},
            "external_reference": {
                "type": "string",
                "description": "The repository copied from: registry host, namespace and name",
            },
            "external_registry_username": {
                "type": "string",
                "x-nullable": true,
                "description": "User name at the upstream registry; null or empty removes the \
                    credentials",
            },
            "external_registry_password": {
                "type": "string",
                "x-nullable": true,
                "description": "Password at the upstream registry; only with a username",
            },
            "external_registry_config": {
                "type": "object",
                "description": "Connection settings, merged into the current ones",
                "properties": {
                    "verify_tls": {
                        "type": "boolean",
                        "description": "Whether the upstream's certificate is verified \
                            (the default)",
                    },
                },
            },
            "sync_interval": {
                "type": "integer",
                "minimum": 1,
                "description": "Seconds between syncs",
            },
            "sync_start_date": {
                "type": "string",
                "description": "First sync, as YYYY-MM-DDTHH:MM:SSZ",
            },
            "robot_username": {
                "type": "string",
                "description": "Robot of the namespace the copies are pushed as",
            },
            "root_rule": {
                "type": "object",
                "description": "Which tags are copied",
                "required": ["rule_kind", "rule_value"],
                "properties": {
                    "rule_kind": {"type": "string", "enum": ["tag_glob_csv"]},
                    "rule_value": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string"},
                        "description": "Glob patterns of the tag names",
                    },
                },
            },
            "skopeo_timeout_interval": {
                "type": "integer",
                "minimum": 300,
                "description": "Seconds a sync may run",
            },
            "architecture_filter": {
                "type": "array",
                "x-nullable": true,
                "items": {"type": "string", "enum": ["amd64", "arm64", "ppc64le", "s390x"]},
                "description": "Architectures copied from multi-architecture images, empty or \
                    null for all; a filter needs FEATURE_SPARSE_INDEX",
            },
        },
    });
    requiring(schema, required)
}

fn replication_definitions(defs: &mut Map<String, Value>) {
    defs.insert(
        "NewProxyCacheConfig".into(),
        json!({
            "type": "object",
            "description": "The upstream registry the organization caches",
            "required": ["upstream_registry"],
            "properties": {
                "upstream_registry": {
                    "type": "string",
                    "description": "Registry host, optionally followed by a namespace",
                },
                "upstream_registry_username": {
                    "type": "string",
                    "x-nullable": true,
                    "description": "User name at the upstream; anonymous when left out",
                },
                "upstream_registry_password": {
                    "type": "string",
                    "x-nullable": true,
                    "description": "Password at the upstream",
                },
                "expiration_s": {
                    "type": "integer",
                    "minimum": 0,
                    "x-nullable": true,
                    "description": "Seconds cached tags live; a day by default, 0 or null for \
                        ever",
                },
                "insecure": {
                    "type": "boolean",
                    "description": "Whether the upstream is reached over plain HTTP",
                },
            },
        }),
    );
    defs.insert(
        "CreateMirrorConfig".into(),
        mirror_config(
            "A mirror to set up; the repository becomes a mirror",
            &[
                "external_reference",
                "sync_interval",
                "sync_start_date",
                "root_rule",
                "robot_username",
            ],
        ),
    );
    defs.insert(
        "UpdateMirrorConfig".into(),
        mirror_config("Mirror settings to change", &[]),
    );
    defs.insert(
        "ChangeRepoState".into(),
        json!({
            "type": "object",
            "description": "The repository's new state",
            "required": ["state"],
            "properties": {
                "state": {"type": "string", "enum": ["NORMAL", "READ_ONLY", "MIRROR"]},
            },
        }),
    );
}

/// Swagger 2.0 definitions of the JSON bodies successes answer with, exactly as the handlers
/// serialize them: a field left out for some callers or some data is not required, one that
/// may be null is `x-nullable`, and one that holds values of several JSON types has no `type`.
fn answer_definitions() -> Map<String, Value> {
    let mut defs = Map::new();
    shared_answers(&mut defs);
    account_answers(&mut defs);
    organization_answers(&mut defs);
    repository_answers(&mut defs);
    log_answers(&mut defs);
    team_and_robot_answers(&mut defs);
    build_answers(&mut defs);
    policy_and_notice_answers(&mut defs);
    superuser_answers(&mut defs);
    quota_answers(&mut defs);
    replication_answers(&mut defs);
    defs
}

/// A reference to the definition `name`.
fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/definitions/{name}")})
}

/// The definition `name`, or null (Swagger 2.0 ignores the siblings of a `$ref`).
fn nullable_reference(name: &str) -> Value {
    json!({"x-nullable": true, "allOf": [reference(name)]})
}

/// An array of `items`.
fn array_of(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

/// An object with the fields `properties`, of which those of `required` are always there.
fn object(description: &str, required: &[&str], properties: Value) -> Value {
    let schema = json!({
        "type": "object",
        "description": description,
        "properties": properties,
    });
    requiring(schema, required)
}

/// `schema`, or null.
fn or_null(mut schema: Value) -> Value {
    if let Some(fields) = schema.as_object_mut() {
        fields.insert("x-nullable".into(), Value::Bool(true));
    }
    schema
}

/// The token of the next page, left out on the last page.
fn next_page() -> Value {
    json!({"type": "string", "description": "Token of the next page; absent on the last page"})
}

fn shared_answers(defs: &mut Map<String, Value>) {
    defs.insert(
        "ApiDiscovery".into(),
        object(
            "This Swagger 2.0 document",
            &[
                "swagger",
                "host",
                "basePath",
                "schemes",
                "info",
                "consumes",
                "securityDefinitions",
                "paths",
                "definitions",
                "tags",
            ],
            json!({
                "swagger": {"type": "string"},
                "host": {"type": "string"},
                "basePath": {"type": "string"},
                "schemes": array_of(json!({"type": "string"})),
                "info": {"type": "object"},
                "consumes": array_of(json!({"type": "string"})),
                "securityDefinitions": {"type": "object"},
                "paths": {"type": "object", "description": "The operations, by path template"},
                "definitions": {"type": "object", "description": "The schemas, by name"},
                "tags": array_of(json!({"type": "object"})),
            }),
        ),
    );
    defs.insert(
        "Avatar".into(),
        object(
            "How an account, team or application is drawn",
            &["name", "hash", "color", "kind"],
            json!({
                "name": {"type": "string"},
                "hash": {
                    "type": "string",
                    "description": "SHA-256 of the e-mail address, else of the name",
                },
                "color": {"type": "string", "description": "Background colour, #rrggbb"},
                "kind": {"type": "string", "enum": ["user", "robot", "org", "team", "app"]},
            }),
        ),
    );
    defs.insert(
        "Success".into(),
        object(
            "The change is made",
            &["success"],
            json!({"success": {"type": "boolean"}}),
        ),
    );
    defs.insert(
        "StatusText".into(),
        json!({
            "type": "string",
            "description": "A bare JSON string saying what was done (\"Created\", \"Deleted\", \
                \"Updated\", \"Okay\", \"Valid\", \"Anonymous\"), or empty",
        }),
    );
    defs.insert(
        "EmptyObject".into(),
        json!({"type": "object", "description": "An empty object"}),
    );
}

fn account_answers(defs: &mut Map<String, Value>) {
    let nullable_text = json!({"type": "string", "x-nullable": true});
    defs.insert(
        "UserView".into(),
        object(
            "A user as the caller sees it: the account's details only for the user itself \
                with user:admin, its organizations only with user:read, the superuser flags \
                only for a superuser caller",
            &["anonymous", "username", "avatar"],
            json!({
                "anonymous": {"type": "boolean"},
                "username": {"type": "string"},
                "avatar": reference("Avatar"),
                "can_create_repo": {"type": "boolean"},
                "is_me": {"type": "boolean"},
                "verified": {"type": "boolean"},
                "email": {"type": "string"},
                "logins": array_of(json!({})),
                "invoice_email": {"type": "boolean"},
                "invoice_email_address": nullable_text,
                "preferred_namespace": {"type": "boolean"},
                "tag_expiration_s": {"type": "integer"},
                "prompts": array_of(json!({"type": "string"})),
                "company": nullable_text,
                "family_name": nullable_text,
                "given_name": nullable_text,
                "location": nullable_text,
                "is_free_account": {"type": "boolean"},
                "has_password_set": {"type": "boolean"},
                "organizations": array_of(object(
                    "An organization the user is in; the admin flags only with user:admin",
                    &["name", "avatar", "can_create_repo", "public"],
                    json!({
                        "name": {"type": "string"},
                        "avatar": reference("Avatar"),
                        "can_create_repo": {"type": "boolean"},
                        "public": {"type": "boolean"},
                        "is_org_admin": {"type": "boolean"},
                        "preferred_namespace": {"type": "boolean"},
                    }),
                )),
                "super_user": {
                    "type": "boolean",
                    "description": "Whether the superuser caller is this user",
                },
                "global_readonly_super_user": {
                    "type": "boolean",
                    "description": "Whether the global read-only superuser caller is this user",
                },
            }),
        ),
    );
    defs.insert(
        "Scope".into(),
        object(
            "An OAuth scope",
            &["title", "scope", "description", "icon", "dangerous"],
            json!({
                "title": {"type": "string"},
                "scope": {"type": "string"},
                "description": {"type": "string"},
                "icon": {"type": "string"},
                "dangerous": {"type": "boolean"},
            }),
        ),
    );
    defs.insert(
        "AuthorizedApplication".into(),
        object(
            "The OAuth application a token was granted to",
            &["name", "description", "url", "avatar", "organization"],
            json!({
                "name": {"type": "string"},
                "clientId": {"type": "string", "description": "Only for assigned tokens"},
                "description": {"type": "string"},
                "url": {"type": "string"},
                "avatar": reference("Avatar"),
                "organization": object(
                    "The organization owning the application",
                    &["name", "avatar"],
                    json!({"name": {"type": "string"}, "avatar": reference("Avatar")}),
                ),
            }),
        ),
    );
    defs.insert(
        "AuthorizationView".into(),
        object(
            "A token the user granted to an application",
            &["application", "scopes", "uuid"],
            json!({
                "application": reference("AuthorizedApplication"),
                "scopes": array_of(reference("Scope")),
                "uuid": {"type": "string"},
            }),
        ),
    );
    defs.insert(
        "AuthorizationList".into(),
        object(
            "The tokens the user granted",
            &["authorizations"],
            json!({"authorizations": array_of(reference("AuthorizationView"))}),
        ),
    );
    defs.insert(
        "AssignedAuthorizationList".into(),
        object(
            "The tokens admins assigned to the user",
            &["authorizations"],
            json!({"authorizations": array_of(object(
                "A token an admin assigned to the user",
                &["application", "uuid", "redirectUri", "scopes", "responseType"],
                json!({
                    "application": reference("AuthorizedApplication"),
                    "uuid": {"type": "string"},
                    "redirectUri": {"type": "string"},
                    "scopes": array_of(reference("Scope")),
                    "responseType": {"type": "string"},
                }),
            ))}),
        ),
    );
    defs.insert(
        "StarredRepositoryList".into(),
        object(
            "A page of the user's starred repositories",
            &["repositories"],
            json!({
                "repositories": array_of(object(
                    "A starred repository",
                    &["namespace", "name", "description", "is_public"],
                    json!({
                        "namespace": {"type": "string"},
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "is_public": {"type": "boolean"},
                    }),
                )),
                "next_page": next_page(),
            }),
        ),
    );
    defs.insert(
        "StarView".into(),
        object(
            "The repository starred",
            &["namespace", "repository"],
            json!({"namespace": {"type": "string"}, "repository": {"type": "string"}}),
        ),
    );
    defs.insert(
        "AppTokenView".into(),
        object(
            "An app-specific token; its code only when one token is asked for",
            &["uuid", "title", "last_accessed", "created", "expiration"],
            json!({
                "uuid": {"type": "string"},
                "title": {"type": "string"},
                "last_accessed": nullable_text,
                "created": {"type": "string"},
                "expiration": nullable_text,
                "token_code": {"type": "string"},
            }),
        ),
    );
    defs.insert(
        "AppTokenList".into(),
        object(
            "The user's app-specific tokens",
            &["tokens", "only_expiring"],
            json!({
                "tokens": array_of(reference("AppTokenView")),
                "only_expiring": {
                    "type": "boolean",
                    "x-nullable": true,
                    "description": "The expiring filter; null when not asked for",
                },
            }),
        ),
    );
    defs.insert(
        "SingleAppToken".into(),
        object(
            "One app-specific token, with its code",
            &["token"],
            json!({"token": reference("AppTokenView")}),
        ),
    );
    defs.insert(
        "EntityList".into(),
        object(
            "The users, robots, teams and organization whose names match",
            &["results"],
            json!({"results": array_of(object(
                "A match",
                &["name", "kind", "avatar"],
                json!({
                    "name": {"type": "string"},
                    "kind": {"type": "string", "enum": ["team", "user", "org"]},
                    "is_robot": {"type": "boolean", "description": "For users and robots"},
                    "is_org_member": {"type": "boolean"},
                    "avatar": reference("Avatar"),
                }),
            ))}),
        ),
    );
}

fn organization_answers(defs: &mut Map<String, Value>) {
    let nullable_text = json!({"type": "string", "x-nullable": true});
    defs.insert(
        "TeamSummary".into(),
        object(
            "A team of an organization",
            &[
                "name",
                "description",
                "role",
                "avatar",
                "can_view",
                "repo_count",
                "member_count",
                "is_synced",
            ],
            json!({
                "name": {"type": "string"},
                "description": {"type": "string"},
                "role": {"type": "string", "description": "member, creator or admin"},
                "avatar": reference("Avatar"),
                "can_view": {"type": "boolean"},
                "repo_count": {"type": "integer"},
                "member_count": {"type": "integer"},
                "is_synced": {"type": "boolean"},
            }),
        ),
    );
    defs.insert(
        "OrganizationView".into(),
        object(
            "An organization as the caller sees it: the teams only for callers who may see \
                them, the settings only for admins, the quota fields only for members while \
                quota views are on",
            &["name", "email", "avatar", "is_admin", "is_member"],
            json!({
                "name": {"type": "string"},
                "email": {"type": "string", "description": "Empty for who may not see it"},
                "avatar": reference("Avatar"),
                "is_admin": {"type": "boolean"},
                "is_member": {"type": "boolean"},
                "teams": {
                    "type": "object",
                    "description": "The teams, by name",
                    "additionalProperties": reference("TeamSummary"),
                },
                "ordered_teams": array_of(json!({"type": "string"})),
                "invoice_email": {"type": "boolean"},
                "invoice_email_address": nullable_text,
                "tag_expiration_s": {"type": "integer"},
                "is_free_account": {"type": "boolean"},
                "quotas": array_of(reference("QuotaCompact")),
                "quota_report": reference("QuotaReport"),
            }),
        ),
    );
    defs.insert(
        "OrganizationMemberView".into(),
        object(
            "A member of an organization: a user or robot in one of its teams",
            &["name", "kind", "avatar", "teams", "repositories"],
            json!({
                "name": {"type": "string"},
                "kind": {"type": "string", "enum": ["user", "robot"]},
                "avatar": reference("Avatar"),
                "teams": array_of(object(
                    "A team the member is in",
                    &["name", "avatar"],
                    json!({"name": {"type": "string"}, "avatar": reference("Avatar")}),
                )),
                "repositories": array_of(json!({"type": "string"})),
            }),
        ),
    );
    defs.insert(
        "OrganizationMemberList".into(),
        object(
            "The members of an organization",
            &["members"],
            json!({"members": array_of(reference("OrganizationMemberView"))}),
        ),
    );
    defs.insert(
        "CollaboratorList".into(),
        object(
            "The users with repository permissions in an organization who are in none of its \
                teams",
            &["collaborators"],
            json!({"collaborators": array_of(object(
                "An outside collaborator",
                &["kind", "name", "avatar", "repositories"],
                json!({
                    "kind": {"type": "string"},
                    "name": {"type": "string"},
                    "avatar": reference("Avatar"),
                    "repositories": array_of(json!({"type": "string"})),
                }),
            ))}),
        ),
    );
    defs.insert(
        "ApplicationView".into(),
        object(
            "An OAuth application; the secret, redirect URI and avatar e-mail are null for \
                callers who do not administer the organization",
            &[
                "name",
                "description",
                "application_uri",
                "client_id",
                "client_secret",
                "redirect_uri",
                "avatar_email",
            ],
            json!({
                "name": {"type": "string"},
                "description": {"type": "string"},
                "application_uri": {"type": "string"},
                "client_id": {"type": "string"},
                "client_secret": nullable_text,
                "redirect_uri": nullable_text,
                "avatar_email": nullable_text,
            }),
        ),
    );
    defs.insert(
        "ApplicationList".into(),
        object(
            "The OAuth applications of an organization",
            &["applications"],
            json!({"applications": array_of(reference("ApplicationView"))}),
        ),
    );
    defs.insert(
        "PublicApplicationView".into(),
        object(
            "What anyone may see of an OAuth application",
            &["name", "description", "uri", "avatar", "organization"],
            json!({
                "name": {"type": "string"},
                "description": {"type": "string"},
                "uri": {"type": "string"},
                "avatar": reference("Avatar"),
                "organization": reference("OrganizationView"),
            }),
        ),
    );
    defs.insert(
        "ApplicationTokenView".into(),
        object(
            "A token minted through an OAuth application; the token itself only in the answer \
                that mints it",
            &[
                "uuid",
                "name",
                "scope",
                "expires_at",
                "created",
                "created_by",
                "last_accessed",
            ],
            json!({
                "uuid": {"type": "string"},
                "name": nullable_text,
                "scope": {"type": "string"},
                "expires_at": {"type": "string"},
                "created": {"type": "string"},
                "created_by": nullable_text,
                "last_accessed": nullable_text,
                "token": {"type": "string"},
            }),
        ),
    );
    defs.insert(
        "ApplicationTokenList".into(),
        object(
            "A page of the unexpired tokens of an OAuth application, newest first",
            &["tokens"],
            json!({
                "tokens": array_of(reference("ApplicationTokenView")),
                "next_page": next_page(),
            }),
        ),
    );
    let prototype_user = object(
        "A user or robot",
        &["name", "is_robot", "kind", "is_org_member", "avatar"],
        json!({
            "name": {"type": "string"},
            "is_robot": {"type": "boolean"},
            "kind": {"type": "string", "enum": ["user"]},
            "is_org_member": {"type": "boolean"},
            "avatar": reference("Avatar"),
        }),
    );
    let delegate = object(
        "The user, robot or team that gets the role",
        &["name", "kind", "avatar"],
        json!({
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["user", "team"]},
            "is_robot": {"type": "boolean", "description": "For users and robots"},
            "is_org_member": {"type": "boolean", "description": "For users and robots"},
            "avatar": reference("Avatar"),
        }),
    );
    defs.insert(
        "PrototypeView".into(),
        object(
            "A default permission of an organization",
            &["activating_user", "delegate", "role", "id"],
            json!({
                "activating_user": or_null(prototype_user),
                "delegate": or_null(delegate),
                "role": {"type": "string"},
                "id": {"type": "string"},
            }),
        ),
    );
    defs.insert(
        "PrototypeList".into(),
        object(
            "The default permissions of an organization",
            &["prototypes"],
            json!({"prototypes": array_of(reference("PrototypeView"))}),
        ),
    );
}

fn repository_answers(defs: &mut Map<String, Value>) {
    let nullable_text = json!({"type": "string", "x-nullable": true});
    defs.insert(
        "CreatedRepositoryView".into(),
        object(
            "The repository created",
            &["namespace", "name", "kind"],
            json!({
                "namespace": {"type": "string"},
                "name": {"type": "string"},
                "kind": {"type": "string"},
            }),
        ),
    );
    defs.insert(
        "RepositoryView".into(),
        object(
            "A repository as the caller sees it; its tags unless includeTags is false",
            &[
                "namespace",
                "name",
                "kind",
                "description",
                "is_public",
                "is_organization",
                "is_starred",
                "status_token",
                "trust_enabled",
                "tag_expiration_s",
                "is_free_account",
                "state",
                "can_write",
                "can_admin",
            ],
            json!({
                "namespace": {"type": "string"},
                "name": {"type": "string"},
                "kind": {"type": "string"},
                "description": {"type": "string"},
                "is_public": {"type": "boolean"},
                "is_organization": {"type": "boolean"},
                "is_starred": {"type": "boolean"},
                "status_token": {
                    "type": "string",
                    "description": "Badge token of a private repository; empty when public",
                },
                "trust_enabled": {"type": "boolean"},
                "tag_expiration_s": {"type": "integer"},
                "is_free_account": {"type": "boolean"},
                "state": {"type": "string"},
                "tags": {
                    "type": "object",
                    "description": "The active tags, by name",
                    "additionalProperties": object(
                        "An active tag",
                        &["name", "size", "last_modified", "manifest_digest"],
                        json!({
                            "name": {"type": "string"},
                            "size": {"type": "integer"},
                            "last_modified": {"type": "string"},
                            "expiration": {
                                "type": "string",
                                "description": "When the tag ends; absent when it does not",
                            },
                            "manifest_digest": {"type": "string"},
                        }),
                    ),
                },
                "can_write": {"type": "boolean"},
                "can_admin": {"type": "boolean"},
            }),
        ),
    );
    defs.insert(
        "RepositoryList".into(),
        object(
            "A page of repositories",
            &["repositories"],
            json!({
                "repositories": array_of(object(
                    "A listed repository; the optional fields as the query asks for them",
                    &["namespace", "name", "description", "is_public", "kind", "state"],
                    json!({
                        "namespace": {"type": "string"},
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "is_public": {"type": "boolean"},
                        "kind": {"type": "string"},
                        "state": {"type": "string"},
                        "is_starred": {
                            "type": "boolean",
                            "description": "For signed-in callers",
                        },
                        "last_modified": {
                            "type": "integer",
                            "x-nullable": true,
                            "description": "Unix seconds of the last change, with \
                                last_modified=true",
                        },
                        "popularity": {
                            "type": "number",
                            "description": "Actions of the past week, with popularity=true",
                        },
                        "quota_report": object(
                            "With quota views on",
                            &["quota_bytes", "configured_quota"],
                            json!({
                                "quota_bytes": {"type": "integer"},
                                "configured_quota": {"type": "integer", "x-nullable": true},
                            }),
                        ),
                    }),
                )),
                "next_page": next_page(),
            }),
        ),
    );
    defs.insert(
        "TagList".into(),
        object(
            "A page of a repository's tag history",
            &["tags", "page", "has_additional"],
            json!({
                "tags": array_of(object(
                    "A tag over one span of its life",
                    &[
                        "name",
                        "reversion",
                        "start_ts",
                        "manifest_digest",
                        "is_manifest_list",
                        "size",
                        "last_modified",
                    ],
                    json!({
                        "name": {"type": "string"},
                        "reversion": {"type": "boolean"},
                        "immutable": {
                            "type": "boolean",
                            "description": "With FEATURE_IMMUTABLE_TAGS",
                        },
                        "start_ts": {"type": "integer"},
                        "end_ts": {"type": "integer", "description": "Absent while active"},
                        "manifest_digest": {"type": "string"},
                        "is_manifest_list": {"type": "boolean"},
                        "size": {"type": "integer"},
                        "last_modified": {"type": "string"},
                        "expiration": {"type": "string", "description": "Absent while active"},
                    }),
                )),
                "page": {"type": "integer"},
                "has_additional": {"type": "boolean"},
            }),
        ),
    );
    defs.insert(
        "ManifestView".into(),
        object(
            "A manifest of a repository",
            &[
                "digest",
                "is_manifest_list",
                "manifest_data",
                "config_media_type",
                "layers_compressed_size",
                "layers",
            ],
            json!({
                "digest": {"type": "string"},
                "is_manifest_list": {"type": "boolean"},
                "manifest_data": {"type": "string", "description": "The manifest's text"},
                "config_media_type": nullable_text,
                "layers_compressed_size": {"type": "integer"},
                "layers": or_null(array_of(object(
                    "A layer, or an empty step of the image history",
                    &[
                        "index",
                        "compressed_size",
                        "is_remote",
                        "urls",
                        "command",
                        "comment",
                        "author",
                        "blob_digest",
                        "created_datetime",
                    ],
                    json!({
                        "index": {"type": "integer"},
                        "compressed_size": {"type": "integer", "x-nullable": true},
                        "is_remote": {"type": "boolean"},
                        "urls": or_null(array_of(json!({"type": "string"}))),
                        "command": {
                            "description": "The step's command: a JSON value, or null",
                        },
                        "comment": nullable_text,
                        "author": nullable_text,
                        "blob_digest": {"type": "string"},
                        "created_datetime": nullable_text,
                    }),
                ))),
            }),
        ),
    );
    defs.insert(
        "LabelView".into(),
        object(
            "A label of a manifest",
            &["id", "key", "value", "source_type", "media_type"],
            json!({
                "id": {"type": "string"},
                "key": {"type": "string"},
                "value": {"type": "string"},
                "source_type": {"type": "string"},
                "media_type": {"type": "string"},
            }),
        ),
    );
    defs.insert(
        "LabelList".into(),
        object(
            "The labels of a manifest",
            &["labels"],
            json!({"labels": array_of(reference("LabelView"))}),
        ),
    );
    defs.insert(
        "AddedLabelView".into(),
        object(
            "The label added",
            &["label"],
            json!({"label": reference("LabelView")}),
        ),
    );
}

fn log_answers(defs: &mut Map<String, Value>) {
    defs.insert(
        "LogList".into(),
        object(
            "A page of usage-log entries",
            &["start_time", "end_time", "logs"],
            json!({
                "start_time": {"type": "string"},
                "end_time": {"type": "string"},
                "logs": array_of(object(
                    "A usage-log entry; the namespace only on the instance-wide listing",
                    &["kind", "metadata", "ip", "datetime"],
                    json!({
                        "kind": {"type": "string"},
                        "metadata": {"description": "Details of the action, a JSON value"},
                        "ip": {"type": "string", "x-nullable": true},
                        "datetime": {"type": "string"},
                        "performer": object(
                            "Who acted; absent when anonymous",
                            &["kind", "name", "is_robot", "avatar"],
                            json!({
                                "kind": {"type": "string"},
                                "name": {"type": "string"},
                                "is_robot": {"type": "boolean"},
                                "avatar": reference("Avatar"),
                            }),
                        ),
                        "namespace": object(
                            "Where it happened",
                            &["kind", "name", "avatar"],
                            json!({
                                "kind": {"type": "string", "enum": ["user", "org"]},
                                "name": {"type": "string"},
                                "avatar": reference("Avatar"),
                            }),
                        ),
                    }),
                )),
                "next_page": next_page(),
            }),
        ),
    );
    defs.insert(
        "AggregatedLogList".into(),
        object(
            "Usage-log entries counted by kind and day",
            &["aggregated"],
            json!({"aggregated": array_of(object(
                "The entries of one kind on one day",
                &["kind", "count", "datetime"],
                json!({
                    "kind": {"type": "string"},
                    "count": {"type": "integer"},
                    "datetime": {"type": "string"},
                }),
            ))}),
        ),
    );
    defs.insert(
        "LogExportView".into(),
        object(
            "A requested export of usage logs",
            &["export_id", "exported_data_url"],
            json!({
                "export_id": {"type": "string"},
                "exported_data_url": {
                    "type": "string",
                    "description": "Where the exported file is downloaded once ready",
                },
            }),
        ),
    );
}

fn team_and_robot_answers(defs: &mut Map<String, Value>) {
    defs.insert(
        "TeamView".into(),
        object(
            "A team created or changed",
            &[
                "name",
                "description",
                "can_view",
                "role",
                "avatar",
                "new_team",
            ],
            json!({
                "name": {"type": "string"},
                "description": {"type": "string"},
                "can_view": {"type": "boolean"},
                "role": {"type": "string", "description": "member, creator or admin"},
                "avatar": reference("Avatar"),
                "new_team": {"type": "boolean", "description": "Whether the call created it"},
            }),
        ),
    );
    defs.insert(
        "TeamMemberView".into(),
        object(
            "A user or robot in a team",
            &["name", "kind", "is_robot", "avatar", "invited"],
            json!({
                "name": {"type": "string"},
                "kind": {"type": "string"},
                "is_robot": {"type": "boolean"},
                "avatar": reference("Avatar"),
                "invited": {"type": "boolean"},
            }),
        ),
    );
    defs.insert(
        "TeamMemberList".into(),
        object(
            "The members of a team",
            &["name", "members", "can_edit"],
            json!({
                "name": {"type": "string"},
                "members": array_of(reference("TeamMemberView")),
                "can_edit": {"type": "boolean"},
            }),
        ),
    );
    defs.insert(
        "RepositoryGrantList".into(),
        object(
            "The repositories a team or robot holds a role on",
            &["permissions"],
            json!({"permissions": array_of(object(
                "A role on a repository",
                &["repository", "role"],
                json!({
                    "repository": object(
                        "The repository",
                        &["name", "is_public"],
                        json!({"name": {"type": "string"}, "is_public": {"type": "boolean"}}),
                    ),
                    "role": {"type": "string"},
                }),
            ))}),
        ),
    );
    defs.insert(
        "RobotView".into(),
        object(
            "A robot account; its token unless left out, its teams and repositories in lists \
                that ask for them, its metadata when one robot is asked for",
            &["name", "created", "last_accessed", "description"],
            json!({
                "name": {"type": "string"},
                "created": {"type": "string"},
                "last_accessed": {
                    "type": "string",
                    "x-nullable": true,
                    "description": "The last sign-in; null before it",
                },
                "teams": array_of(object(
                    "A team the robot is in",
                    &["name", "avatar"],
                    json!({"name": {"type": "string"}, "avatar": reference("Avatar")}),
                )),
                "repositories": array_of(json!({"type": "string"})),
                "description": {"type": "string"},
                "token": {"type": "string"},
                "unstructured_metadata": {"type": "object"},
            }),
        ),
    );
    defs.insert(
        "RobotList".into(),
        object(
            "The robots of a user or organization",
            &["robots"],
            json!({"robots": array_of(reference("RobotView"))}),
        ),
    );
    defs.insert(
        "RobotFederationView".into(),
        json!({
            "type": "array",
            "description": "The (issuer, subject) pairs a robot trusts",
            "items": object(
                "A trusted pair",
                &["issuer", "subject"],
                json!({"issuer": {"type": "string"}, "subject": {"type": "string"}}),
            ),
        }),
    );
    defs.insert(
        "UserPermissionView".into(),
        object(
            "The role of a user or robot on a repository",
            &["role", "name", "is_robot", "avatar"],
            json!({
                "role": {"type": "string"},
                "name": {"type": "string"},
                "is_robot": {"type": "boolean"},
                "avatar": reference("Avatar"),
                "is_org_member": {
                    "type": "boolean",
                    "description": "In an organization's repositories",
                },
            }),
        ),
    );
    defs.insert(
        "TeamPermissionView".into(),
        object(
            "The role of a team on a repository",
            &["role", "name", "avatar"],
            json!({
                "role": {"type": "string"},
                "name": {"type": "string"},
                "avatar": reference("Avatar"),
            }),
        ),
    );
    defs.insert(
        "UserPermissionList".into(),
        object(
            "The users and robots with a role on a repository",
            &["permissions"],
            json!({"permissions": {
                "type": "object",
                "description": "By name",
                "additionalProperties": reference("UserPermissionView"),
            }}),
        ),
    );
    defs.insert(
        "TeamPermissionList".into(),
        object(
            "The teams with a role on a repository",
            &["permissions"],
            json!({"permissions": {
                "type": "object",
                "description": "By name",
                "additionalProperties": reference("TeamPermissionView"),
            }}),
        ),
    );
    defs.insert(
        "TransitivePermissionList".into(),
        object(
            "The roles a user holds on a repository, its own and through teams",
            &["permissions"],
            json!({"permissions": array_of(object(
                "A role",
                &["role"],
                json!({"role": {"type": "string"}}),
            ))}),
        ),
    );
}

fn build_answers(defs: &mut Map<String, Value>) {
    let nullable_text = json!({"type": "string", "x-nullable": true});
    defs.insert(
        "FileDropView".into(),
        object(
            "Where to upload a file",
            &["url", "file_id"],
            json!({
                "url": {"type": "string", "description": "The URL to PUT the file to"},
                "file_id": {"type": "string"},
            }),
        ),
    );
    defs.insert(
        "BuildView".into(),
        object(
            "A build; the archive URL only for who may see it",
            &[
                "id",
                "phase",
                "started",
                "display_name",
                "status",
                "subdirectory",
                "dockerfile_path",
                "context",
                "tags",
                "manual_user",
                "is_writer",
                "trigger",
                "trigger_metadata",
                "resource_key",
                "pull_robot",
                "repository",
                "error",
            ],
            json!({
                "id": {"type": "string"},
                "phase": {"type": "string"},
                "started": {"type": "string"},
                "display_name": {"type": "string"},
                "status": {"type": "object"},
                "subdirectory": {"type": "string"},
                "dockerfile_path": {"type": "string"},
                "context": {"type": "string"},
                "tags": array_of(json!({})),
                "manual_user": nullable_text,
                "is_writer": {"type": "boolean"},
                "trigger": {"description": "Always null: Berth has no build triggers"},
                "trigger_metadata": {"description": "A JSON value, or null"},
                "resource_key": nullable_text,
                "pull_robot": or_null(object(
                    "The robot that pulls the base images",
                    &["name", "kind", "is_robot"],
                    json!({
                        "name": {"type": "string"},
                        "kind": {"type": "string"},
                        "is_robot": {"type": "boolean"},
                    }),
                )),
                "repository": object(
                    "The repository built for",
                    &["namespace", "name"],
                    json!({"namespace": {"type": "string"}, "name": {"type": "string"}}),
                ),
                "error": nullable_text,
                "archive_url": {"type": "string"},
            }),
        ),
    );
    defs.insert(
        "BuildList".into(),
        object(
            "Builds of a repository, newest first",
            &["builds"],
            json!({"builds": array_of(reference("BuildView"))}),
        ),
    );
    defs.insert(
        "BuildLogList".into(),
        object(
            "A build's log entries from start on",
            &["start", "total", "logs"],
            json!({
                "start": {"type": "integer"},
                "total": {"type": "integer"},
                "logs": array_of(json!({})),
            }),
        ),
    );
}

fn policy_and_notice_answers(defs: &mut Map<String, Value>) {
    defs.insert(
        "AutoPrunePolicyView".into(),
        object(
            "An auto-prune policy",
            &["uuid", "method", "value", "tagPattern", "tagPatternMatches"],
            json!({
                "uuid": {"type": "string"},
                "method": {"type": "string"},
                "value": {"description": "Tags to keep (an integer) or an age (a string)"},
                "tagPattern": {"type": "string", "x-nullable": true},
                "tagPatternMatches": {"type": "boolean"},
            }),
        ),
    );
    defs.insert(
        "AutoPrunePolicyList".into(),
        object(
            "Auto-prune policies",
            &["policies"],
            json!({"policies": array_of(reference("AutoPrunePolicyView"))}),
        ),
    );
    defs.insert(
        "ImmutabilityPolicyView".into(),
        object(
            "An immutability policy",
            &["uuid", "tagPattern", "tagPatternMatches"],
            json!({
                "uuid": {"type": "string"},
                "tagPattern": {"type": "string"},
                "tagPatternMatches": {"type": "boolean"},
            }),
        ),
    );
    defs.insert(
        "ImmutabilityPolicyList".into(),
        object(
            "Immutability policies",
            &["policies"],
            json!({"policies": array_of(reference("ImmutabilityPolicyView"))}),
        ),
    );
    defs.insert(
        "PolicyUuid".into(),
        object(
            "The policy created or deleted",
            &["uuid"],
            json!({"uuid": {"type": "string"}}),
        ),
    );
    defs.insert(
        "MessageList".into(),
        object(
            "The messages shown to every user",
            &["messages"],
            json!({"messages": array_of(object(
                "A message",
                &["uuid", "content", "severity", "media_type"],
                json!({
                    "uuid": {"type": "string"},
                    "content": {"type": "string"},
                    "severity": {"type": "string"},
                    "media_type": {"type": "string"},
                }),
            ))}),
        ),
    );
    defs.insert(
        "NotificationView".into(),
        object(
            "A notification of a repository",
            &[
                "uuid",
                "title",
                "event",
                "method",
                "config",
                "event_config",
                "number_of_failures",
            ],
            json!({
                "uuid": {"type": "string"},
                "title": {"type": "string", "x-nullable": true},
                "event": {"type": "string"},
                "method": {"type": "string"},
                "config": {"type": "object"},
                "event_config": {"type": "object"},
                "number_of_failures": {"type": "integer"},
            }),
        ),
    );
    defs.insert(
        "NotificationList".into(),
        object(
            "The notifications of a repository",
            &["notifications"],
            json!({"notifications": array_of(reference("NotificationView"))}),
        ),
    );
}

fn superuser_answers(defs: &mut Map<String, Value>) {
    let nullable_text = json!({"type": "string", "x-nullable": true});
    defs.insert(
        "SuperuserUserView".into(),
        object(
            "A user as superusers see it; the quota fields while quota views are on",
            &[
                "kind",
                "name",
                "username",
                "email",
                "verified",
                "avatar",
                "super_user",
                "global_readonly_super_user",
                "enabled",
            ],
            json!({
                "kind": {"type": "string"},
                "name": {"type": "string"},
                "username": {"type": "string"},
                "email": {"type": "string"},
                "verified": {"type": "boolean"},
                "avatar": reference("Avatar"),
                "super_user": {"type": "boolean"},
                "global_readonly_super_user": {"type": "boolean"},
                "enabled": {"type": "boolean"},
                "quotas": array_of(reference("QuotaCompact")),
                "quota_report": reference("QuotaReport"),
                "encrypted_password": {
                    "type": "string",
                    "description": "After a change of password: the new one, encrypted",
                },
            }),
        ),
    );
    defs.insert(
        "SuperuserUserList".into(),
        object(
            "A page of the users",
            &["users"],
            json!({
                "users": array_of(reference("SuperuserUserView")),
                "next_page": next_page(),
            }),
        ),
    );
    defs.insert(
        "CreatedUserView".into(),
        object(
            "The user created, with its generated password",
            &["username", "email", "password", "encrypted_password"],
            json!({
                "username": {"type": "string"},
                "email": nullable_text,
                "password": {"type": "string"},
                "encrypted_password": {"type": "string"},
            }),
        ),
    );
    defs.insert(
        "SuperuserOrganizationView".into(),
        object(
            "An organization as superusers see it; the quota fields while quota views are on",
            &["name", "email", "avatar"],
            json!({
                "name": {"type": "string"},
                "email": {"type": "string"},
                "avatar": reference("Avatar"),
                "quotas": array_of(reference("QuotaCompact")),
                "quota_report": reference("QuotaReport"),
            }),
        ),
    );
    defs.insert(
        "SuperuserOrganizationList".into(),
        object(
            "A page of the organizations",
            &["organizations"],
            json!({
                "organizations": array_of(reference("SuperuserOrganizationView")),
                "next_page": next_page(),
            }),
        ),
    );
    defs.insert(
        "TakeOwnershipView".into(),
        object(
            "The namespace taken over",
            &["namespace"],
            json!({"namespace": {"type": "string"}}),
        ),
    );
    defs.insert(
        "RegistrySizeView".into(),
        object(
            "The size of the registry's storage, as last calculated",
            &["size_bytes", "last_ran", "running", "queued"],
            json!({
                "size_bytes": {"type": "integer"},
                "last_ran": {
                    "type": "integer",
                    "x-nullable": true,
                    "description": "When the last calculation ended; null before the first",
                },
                "running": {"type": "boolean"},
                "queued": {"type": "boolean"},
            }),
        ),
    );
    defs.insert(
        "ServiceKeyView".into(),
        object(
            "A service key",
            &[
                "approval",
                "created_date",
                "expiration_date",
                "jwk",
                "kid",
                "metadata",
                "name",
                "rotation_duration",
                "service",
            ],
            json!({
                "approval": or_null(object(
                    "The key's approval; null while it waits for one",
                    &["approval_type", "approved_date", "approver", "notes"],
                    json!({
                        "approval_type": {"type": "string"},
                        "approved_date": {"type": "string"},
                        "approver": nullable_reference("SuperuserUserView"),
                        "notes": {"type": "string"},
                    }),
                )),
                "created_date": {"type": "string"},
                "expiration_date": nullable_text,
                "jwk": {"description": "The public key as a JWK, or null"},
                "kid": {"type": "string"},
                "metadata": {"type": "object"},
                "name": {"type": "string"},
                "rotation_duration": {"type": "integer", "x-nullable": true},
                "service": {"type": "string"},
            }),
        ),
    );
    defs.insert(
        "ServiceKeyList".into(),
        object(
            "The service keys",
            &["keys"],
            json!({"keys": array_of(reference("ServiceKeyView"))}),
        ),
    );
    defs.insert(
        "CreatedServiceKeyView".into(),
        object(
            "The service key created; its private key is shown only here",
            &["kid", "name", "private_key", "public_key", "service"],
            json!({
                "kid": {"type": "string"},
                "name": {"type": "string"},
                "private_key": {"type": "string", "description": "PEM"},
                "public_key": {"type": "string", "description": "PEM"},
                "service": {"type": "string"},
            }),
        ),
    );
    defs.insert(
        "ConfigDumpView".into(),
        object(
            "The configuration in effect, secrets masked",
            &["config", "warning", "env", "schema"],
            json!({
                "config": {"type": "object"},
                "warning": {"type": "object", "description": "The keys Berth ignores"},
                "env": {"type": "object", "description": "Always empty"},
                "schema": {"type": "object"},
            }),
        ),
    );
    defs.insert(
        "RegistryStatusView".into(),
        object(
            "Whether the registry is set up",
            &["provider_id", "status"],
            json!({
                "provider_id": {"type": "string"},
                "status": {"type": "string"},
            }),
        ),
    );
}

fn quota_answers(defs: &mut Map<String, Value>) {
    defs.insert(
        "QuotaLimitView".into(),
        object(
            "A limit of a quota",
            &["id", "type", "limit_percent"],
            json!({
                "id": {"type": "integer"},
                "type": {"type": "string", "enum": ["Warning", "Reject"]},
                "limit_percent": {"type": "integer"},
            }),
        ),
    );
    defs.insert(
        "QuotaLimitList".into(),
        array_of(reference("QuotaLimitView")),
    );
    defs.insert(
        "QuotaView".into(),
        object(
            "A namespace's quota, or (id null) the system default standing in for one",
            &[
                "id",
                "limit_bytes",
                "limit",
                "default_config",
                "limits",
                "default_config_exists",
            ],
            json!({
                "id": {"type": "integer", "x-nullable": true},
                "limit_bytes": {"type": "integer"},
                "limit": {"type": "string", "description": "The size for humans, e.g. 10.0 GiB"},
                "default_config": {"type": "boolean"},
                "limits": array_of(reference("QuotaLimitView")),
                "default_config_exists": {"type": "boolean"},
            }),
        ),
    );
    defs.insert("QuotaList".into(), array_of(reference("QuotaView")));
    defs.insert(
        "QuotaCompact".into(),
        object(
            "A quota inside user and organization views",
            &["id", "limit_bytes", "limits"],
            json!({
                "id": {"type": "integer"},
                "limit_bytes": {"type": "integer"},
                "limits": array_of(reference("QuotaLimitView")),
            }),
        ),
    );
    defs.insert(
        "QuotaReport".into(),
        object(
            "A namespace's size and quota",
            &[
                "quota_bytes",
                "configured_quota",
                "running_backfill",
                "backfill_status",
            ],
            json!({
                "quota_bytes": {"type": "integer"},
                "configured_quota": {"type": "integer", "x-nullable": true},
                "running_backfill": {"type": "string"},
                "backfill_status": {"type": "string"},
            }),
        ),
    );
}

fn replication_answers(defs: &mut Map<String, Value>) {
    defs.insert(
        "ProxyCacheView".into(),
        object(
            "An organization's proxy-cache configuration without its credentials; each field \
                an empty string when there is none",
            &["upstream_registry", "expiration_s", "insecure"],
            json!({
                "upstream_registry": {"type": "string"},
                "expiration_s": {"description": "Seconds cached tags live (0: for ever), or \"\""},
                "insecure": {"description": "A boolean, or \"\""},
            }),
        ),
    );
    let nullable_text = json!({"type": "string", "x-nullable": true});
    defs.insert(
        "ViewMirrorConfig".into(),
        object(
            "A repository's mirror settings and state; never the password",
            &[
                "is_enabled",
                "mirror_type",
                "external_reference",
                "external_registry_username",
                "external_registry_config",
                "sync_interval",
                "sync_start_date",
                "sync_expiration_date",
                "sync_retries_remaining",
                "sync_status",
                "root_rule",
                "robot_username",
                "skopeo_timeout_interval",
                "architecture_filter",
            ],
            json!({
                "is_enabled": {"type": "boolean"},
                "mirror_type": {"type": "string"},
                "external_reference": {"type": "string"},
                "external_registry_username": nullable_text,
                "external_registry_config": {"type": "object"},
                "sync_interval": {"type": "integer"},
                "sync_start_date": nullable_text,
                "sync_expiration_date": nullable_text,
                "sync_retries_remaining": {"type": "integer"},
                "sync_status": {"type": "string"},
                "root_rule": object(
                    "The tags copied",
                    &["rule_kind", "rule_value"],
                    json!({
                        "rule_kind": {"type": "string"},
                        "rule_value": array_of(json!({"type": "string"})),
                    }),
                ),
                "robot_username": nullable_text,
                "skopeo_timeout_interval": {"type": "integer"},
                "architecture_filter": array_of(json!({"type": "string"})),
            }),
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The targets of every `$ref` under `value`.
    fn references<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(fields) => {
                if let Some(Value::String(target)) = fields.get("$ref") {
                    found.push(target.as_str());
                }
                for field in fields.values() {
                    references(field, found);
                }
            }
            Value::Array(items) => {
                for item in items {
                    references(item, found);
                }
            }
            _ => {}
        }
    }

    /// Every answer named is defined, apart from the request bodies, and every reference
    /// resolves.
    #[test]
    fn answers_are_defined() {
        let bodies = body_definitions();
        let answers = answer_definitions();
        for name in answers.keys() {
            assert!(
                !bodies.contains_key(name) && name.as_str() != "ApiError",
                "{name} names both a request body and an answer"
            );
        }
        for doc in OPERATIONS {
            if let Some(name) = doc.returns {
                assert!(
                    answers.contains_key(name),
                    "{} {}: {name} is not defined",
                    doc.method,
                    doc.path
                );
                assert_ne!(
                    doc.success, 204,
                    "{} {} answers no body",
                    doc.method, doc.path
                );
            }
        }
        let all = definitions();
        let mut found = Vec::new();
        for schema in all.values() {
            references(schema, &mut found);
        }
        for target in found {
            let name = target
                .strip_prefix("#/definitions/")
                .unwrap_or_else(|| panic!("{target} is not a definition"));
            assert!(all.contains_key(name), "{target} is not defined");
        }
    }
}
