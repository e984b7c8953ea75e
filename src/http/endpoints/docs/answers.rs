//! Swagger 2.0 definitions of the JSON bodies successes answer with.

use serde_json::{json, Map, Value};

use super::requiring;

/// Swagger 2.0 definitions of the JSON bodies successes answer with, exactly as the handlers
/// serialize them: a field left out for some callers or some data is not required, one that
/// may be null is `x-nullable`, and one that holds values of several JSON types has no `type`.
pub(super) fn definitions() -> Map<String, Value> {
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
