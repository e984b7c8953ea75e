//! Swagger 2.0 definitions of the request bodies, under Quay's schema names.

use serde_json::{json, Map, Value};

use super::requiring;
use crate::messages::{MEDIA_TYPES as MESSAGE_MEDIA_TYPES, SEVERITIES};
use crate::repositories::labels::MEDIA_TYPES as LABEL_MEDIA_TYPES;
use crate::repositories::notifications::{EVENTS, METHODS};
use crate::repositories::tag_policies::autoprune::{CREATION_DATE, NUMBER_OF_TAGS};

/// The request bodies, in the order the operations first read them.
pub(super) fn definitions() -> Map<String, Value> {
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
