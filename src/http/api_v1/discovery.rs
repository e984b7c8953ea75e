//! `GET /api/v1/discovery` (core-api.md §7.2): a Swagger 2.0 document of every operation,
//! generated from the route table the router is built from and what `endpoints::docs` says of
//! each operation: its query parameters, its request body, the status its success answers.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use crate::accounts::scopes::CATALOGUE;
use crate::accounts::Scopes;
use crate::app::AppState;
use crate::http::endpoints::docs::{self, OperationDoc};
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
        "consumes": ["application/json"],
        "securityDefinitions": {
            "oauth2_implicit": {
                "type": "oauth2",
                "flow": "implicit",
                "authorizationUrl": format!("{scheme}://{host}/oauth/authorize"),
                "scopes": scopes,
            }
        },
        "paths": paths(operations, include_internal),
        "definitions": definitions(),
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

/// The request bodies' schemas, and the error every operation may answer with.
fn definitions() -> Map<String, Value> {
    let mut definitions = docs::definitions();
    // Berth answers errors in Quay's shapes: the problem-details `ApiError`, `{"message": ...}`
    // where Quay's data model refuses, and `{"detail": ...}` where a resource checks by hand.
    // Swagger 2.0 has no `oneOf`, so one schema holds the fields of all three.
    definitions.insert(
        "ApiError".into(),
        json!({
            "type": "object",
            "minProperties": 1,
            "properties": {
                "status": {"type": "integer", "description": "Status code of the response."},
                "type": {"type": "string", "description": "Reference to the type of the error."},
                "detail": {"type": "string", "description": "Details about the specific instance of the error."},
                "title": {"type": "string", "description": "Unique error code to identify the type of error."},
                "error_message": {"type": "string", "description": "Deprecated; alias for detail"},
                "error_type": {"type": "string", "description": "Deprecated; alias for detail"},
                // A text, or for refused query arguments an object of their descriptions.
                "message": {"description": "What was refused: a text, or the refused query arguments with what each must be."},
            },
        }),
    );
    definitions
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let mut parameter = json!({
                "name": name,
                "in": "path",
                "required": true,
                "type": "string",
                "description": name.replace('_', " "),
            });
            // One parameter that holds `/`: generated clients send it percent-encoded (`%2F`),
            // others as is; both reach the same operation.
            if name == "repository" {
                parameter["description"] =
                    json!("The repository, `namespace/name`; its `/` may be sent as %2F");
            }
            parameter
        })
        .collect()
}

/// The query parameters and the body an operation reads.
fn parameters(doc: &OperationDoc) -> Vec<Value> {
    let query = doc.query.iter().map(|param| {
        json!({
            "name": param.name,
            "in": "query",
            "required": param.required,
            "type": param.kind,
            "description": param.description,
        })
    });
    let body = doc.body.map(|name| {
        json!({
            "name": "body",
            "in": "body",
            "required": true,
            "schema": {"$ref": format!("#/definitions/{name}")},
        })
    });
    query.chain(body).collect()
}

fn operation(op: &Operation, include_internal: bool) -> Value {
    let error = json!({"$ref": "#/definitions/ApiError"});
    let doc = docs::find(op.method.as_str(), op.path);
    let success = doc.map_or_else(|| guessed_success(&op.method), |d| d.success);
    let mut answer = json!({"description": success_description(success)});
    if let Some(name) = doc.and_then(|d| d.returns) {
        answer["schema"] = json!({"$ref": format!("#/definitions/{name}")});
    }
    let mut responses = json!({
        success.to_string(): answer,
        "400": {"description": "Bad Request", "schema": error},
        "401": {"description": "Session required", "schema": error},
        "403": {"description": "Unauthorized access", "schema": error},
        "404": {"description": "Not found", "schema": error},
    });
    if doc.is_some_and(|d| d.body.is_some()) {
        responses["413"] = json!({"description": "Body too large", "schema": error});
        responses["415"] = json!({"description": "Body not JSON", "schema": error});
    }
    let mut value = json!({
        "operationId": op.operation_id,
        "tags": [op.tag],
        "parameters": doc.map(parameters).unwrap_or_default(),
        "responses": responses,
    });
    if let Some(scope) = op.scope.and_then(Scopes::name) {
        value["security"] = json!([{"oauth2_implicit": [scope]}]);
    }
    if include_internal && op.internal {
        value["x-internal"] = json!(true);
    }
    value
}

/// Quay's convention, for an operation `docs` does not describe.
fn guessed_success(method: &Method) -> u16 {
    match *method {
        Method::DELETE => 204,
        Method::POST => 201,
        _ => 200,
    }
}

fn success_description(status: u16) -> &'static str {
    match status {
        201 => "Successful creation",
        202 => "Accepted",
        204 => "Deleted",
        _ => "Successful invocation",
    }
}
