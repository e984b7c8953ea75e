//! The truth of each `/api/v1` operation that the route table does not hold, read from the
//! handlers: the status a success answers with, the JSON body it reads, its query parameters
//! and the JSON body its success answers with, with Swagger 2.0 definitions of those bodies
//! (under Quay's schema names where Quay has them) for the discovery document.

mod answers;
mod bodies;

use serde_json::{json, Map, Value};

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
    let mut defs = bodies::definitions();
    defs.extend(answers::definitions());
    defs
}

/// `schema` with the fields of `required` marked required (JSON Schema wants at least one).
fn requiring(mut schema: Value, required: &[&str]) -> Value {
    if let (Some(object), false) = (schema.as_object_mut(), required.is_empty()) {
        object.insert("required".into(), json!(required));
    }
    schema
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
        let bodies = bodies::definitions();
        let answers = answers::definitions();
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
