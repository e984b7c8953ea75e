//! `GET /api/v1/discovery` (core-api.md §7.2): a Swagger 2.0 document of every operation,
//! generated from the route table the router is built from.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use crate::accounts::scopes::CATALOGUE;
use crate::accounts::Scopes;
use crate::app::AppState;
use crate::http::endpoints::{self, Operation};
use crate::http::error::ApiError;
use crate::http::extract::QueryParams;
use crate::http::json::Restful;

/// GET /api/v1/discovery (discovery): anonymous; `internal=true` adds internal operations.
pub async fn discovery(
    State(app): State<AppState>,
    query: QueryParams,
) -> Result<Restful<Value>, ApiError> {
    let include_internal = query.truthy("internal", false);
    let operations: Vec<Operation> = endpoints::operations(&app.config)
        .into_iter()
        .filter(|op| include_internal || !op.internal)
        .collect();
    Ok(Restful(
        StatusCode::OK,
        document(&app, &operations, include_internal),
    ))
}

fn document(app: &AppState, operations: &[Operation], include_internal: bool) -> Value {
    let config = &app.config;
    let scheme = &config.preferred_url_scheme;
    let host = &config.server_hostname;
    let scopes: Map<String, Value> = CATALOGUE
        .iter()
        .filter(|info| info.scope != "super:user" || config.features.super_users)
        .map(|info| (info.scope.to_owned(), json!(info.description)))
        .collect();
    let mut tags: Vec<&str> = operations.iter().map(|op| op.tag).collect();
    tags.sort_unstable();
    tags.dedup();
    json!({
        "swagger": "2.0",
        "host": host,
        "basePath": "/",
        "schemes": [scheme],
        "info": {
            "version": "v1",
            "title": "Quay Frontend",
            "description": "This API allows you to perform many of the operations required to \
                work with Quay repositories, users, and organizations.",
            "termsOfService": format!("{scheme}://{host}/tos"),
            "contact": {"email": format!("support@{host}")},
        },
        "securityDefinitions": {
            "oauth2_implicit": {
                "type": "oauth2",
                "flow": "implicit",
                "authorizationUrl": format!("{scheme}://{host}/oauth/authorize"),
                "scopes": scopes,
            }
        },
        "paths": paths(operations, include_internal),
        "definitions": {
            "ApiError": {
                "type": "object",
                "required": ["status", "type", "detail", "title"],
                "properties": {
                    "status": {"type": "integer", "description": "Status code of the response."},
                    "type": {"type": "string", "description": "Reference to the type of the error."},
                    "detail": {"type": "string", "description": "Details about the specific instance of the error."},
                    "title": {"type": "string", "description": "Unique error code to identify the type of error."},
                    "error_message": {"type": "string", "description": "Deprecated; alias for detail"},
                    "error_type": {"type": "string", "description": "Deprecated; alias for detail"},
                },
            }
        },
        "tags": tags.iter().map(|t| json!({"name": t})).collect::<Vec<_>>(),
    })
}

/// One entry per path template; paths ordered by tag, then path.
fn paths(operations: &[Operation], include_internal: bool) -> Map<String, Value> {
    let mut by_path: BTreeMap<(&str, &str), Vec<&Operation>> = BTreeMap::new();
    for op in operations {
        by_path.entry((op.tag, op.path)).or_default().push(op);
    }
    by_path
        .into_iter()
        .map(|((tag, path), ops)| {
            let mut entry = Map::new();
            entry.insert("x-path".into(), json!(path));
            entry.insert("x-tag".into(), json!(tag));
            entry.insert("parameters".into(), Value::Array(path_parameters(path)));
            for op in ops {
                entry.insert(
                    op.method.as_str().to_lowercase(),
                    operation(op, include_internal),
                );
            }
            (path.to_owned(), Value::Object(entry))
        })
        .collect()
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            json!({
                "name": name,
                "in": "path",
                "required": true,
                "type": "string",
                "description": name.replace('_', " "),
            })
        })
        .collect()
}

fn operation(op: &Operation, include_internal: bool) -> Value {
    let error = json!({"$ref": "#/definitions/ApiError"});
    let success = match op.method {
        Method::DELETE => ("204", "Deleted"),
        Method::POST => ("201", "Successful creation"),
        _ => ("200", "Successful invocation"),
    };
    let mut value = json!({
        "operationId": op.operation_id,
        "tags": [op.tag],
        "parameters": [],
        "responses": {
            success.0: {"description": success.1},
            "400": {"description": "Bad Request", "schema": error},
            "401": {"description": "Session required", "schema": error},
            "403": {"description": "Unauthorized access", "schema": error},
            "404": {"description": "Not found", "schema": error},
        },
    });
    if let Some(scope) = op.scope.and_then(Scopes::name) {
        value["security"] = json!([{"oauth2_implicit": [scope]}]);
    }
    if include_internal && op.internal {
        value["x-internal"] = json!(true);
    }
    value
}
