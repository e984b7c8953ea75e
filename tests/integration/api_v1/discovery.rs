//! `GET /api/v1/discovery` (core-api.md §7.2): the Swagger document generated from the route
//! table, with Quay's operation ids, and the routes it describes answering.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::harness::fixtures::admin;
use crate::harness::{backends, Backend, Berth, Client};

fn operation<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    &doc["paths"][path][method]
}

async fn discovery_describes_the_routes(backend: Backend) {
    let berth = Berth::start(backend).await;
    let anon = Client::anon(&berth);

    let resp = anon.get("/api/v1/discovery").send().await;
    resp.expect_status(200);
    let public = resp.json();
    assert_eq!(public["swagger"], "2.0");
    assert_eq!(public["basePath"], "/");
    assert_eq!(
        public["securityDefinitions"]["oauth2_implicit"]["scopes"]["repo:read"],
        "This application will be able to view and pull all repositories visible to the \
         granting user"
    );

    let change_tag = operation(&public, "/api/v1/repository/{repository}/tag/{tag}", "put");
    assert_eq!(change_tag["operationId"], "changeTag");
    assert_eq!(
        change_tag["security"],
        json!([{"oauth2_implicit": ["repo:write"]}])
    );
    assert_eq!(
        public["paths"]["/api/v1/repository/{repository}/tag/{tag}"]["parameters"]
            .as_array()
            .map(|p| p.iter().map(|p| p["name"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("repository"), json!("tag")])
    );
    assert_eq!(
        operation(&public, "/api/v1/superuser/users/", "get")["operationId"],
        "listAllUsers"
    );
    assert_eq!(
        operation(&public, "/api/v1/repository/{repository}", "delete")["responses"]["204"]
            ["description"],
        "Deleted"
    );
    // Each operation tells the status its success answers with, its body and its query.
    let create_token = operation(&public, "/api/v1/user/apptoken", "post");
    assert!(
        create_token["responses"]["200"].is_object(),
        "{create_token}"
    );
    assert!(create_token["responses"]["201"].is_null(), "{create_token}");
    let create_repo = operation(&public, "/api/v1/repository", "post");
    assert_eq!(
        create_repo["parameters"],
        json!([{"name": "body", "in": "body", "required": true,
                "schema": {"$ref": "#/definitions/NewRepo"}}])
    );
    let new_repo = &public["definitions"]["NewRepo"];
    assert_eq!(new_repo["type"], "object");
    assert!(
        new_repo["properties"]["visibility"]["enum"].is_array(),
        "{new_repo}"
    );
    let list_users = operation(&public, "/api/v1/superuser/users/", "get");
    let query: Vec<&str> = list_users["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(
        query.contains(&"limit") && query.contains(&"next_page"),
        "{query:?}"
    );
    assert!(public["definitions"]["ApiError"]["properties"]["message"].is_object());

    // Internal operations appear only when asked for.
    assert!(public["paths"]["/api/v1/superuser/organizations/"].is_null());
    let internal = anon
        .get("/api/v1/discovery?internal=true")
        .send()
        .await
        .json();
    let list_orgs = operation(&internal, "/api/v1/superuser/organizations/", "get");
    assert_eq!(list_orgs["operationId"], "listAllOrganizations");
    assert_eq!(list_orgs["x-internal"], true);

    // Operation ids are unique, as generated clients need.
    let mut ids = HashSet::new();
    for (path, entry) in internal["paths"].as_object().unwrap() {
        for (method, op) in entry.as_object().unwrap() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                assert!(ids.insert(id.to_owned()), "{id} twice ({method} {path})");
            }
        }
    }
    assert!(ids.len() > 60, "{} operations", ids.len());

    // Every described method is routed on its path.
    let admin = admin(&berth).await;
    for (path, entry) in internal["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{repository}", "nobody/nothing")
            .replace(['{', '}'], "");
        for method in entry.as_object().unwrap().keys() {
            if method.starts_with("x-") || method == "parameters" {
                continue;
            }
            let request = admin.request(method.to_uppercase().parse().unwrap(), &concrete);
            let resp = request.json(&json!({})).send().await;
            assert_ne!(resp.status, 405, "{method} {path}");
            assert!(resp.status < 500, "{method} {path}: {}", resp.status);
        }
    }
}

async fn nested_repository_names_reach_their_resources(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    admin
        .post("/api/v1/repository")
        .json(&json!({"namespace": "admin", "repository": "team/app/web",
                      "visibility": "private", "description": ""}))
        .send()
        .await
        .expect_status(201);
    let repo = admin
        .get("/api/v1/repository/admin/team/app/web")
        .send()
        .await;
    repo.expect_status(200);
    assert_eq!(repo.json()["name"], "team/app/web");
    let tags = admin
        .get("/api/v1/repository/admin/team/app/web/tag/")
        .send()
        .await;
    tags.expect_status(200);
    assert_eq!(tags.json()["tags"], json!([]));
    admin
        .get("/api/v1/repository/admin/team/app/web/logs")
        .send()
        .await
        .expect_status(200);
}

backends!(
    discovery_describes_the_routes,
    nested_repository_names_reach_their_resources
);
