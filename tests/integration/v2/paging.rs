//! Paging of `/v2/_catalog` and `/v2/<name>/tags/list` (core-api.md §2.6, §2.7): `n` sets the
//! page size, the `Link` header leads to the next page (`last` for tags, a page token for the
//! catalog), and following it visits everything once, in order.

use crate::harness::fixtures::{admin, oci_manifest, registry_token, Registry, ADMIN_PASSWORD};
use crate::harness::{backends, Backend, Berth, Client};

/// Follows `Link: <url>; rel="next"` from `first` and returns the pages' `key` arrays.
async fn follow(client: &Client, first: &str, key: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(path) = next.take() {
        let page = client.get(&path).send().await;
        page.expect_status(200);
        let names = page.json()[key]
            .as_array()
            .expect("a list")
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        pages.push(names);
        next = page.header("Link").map(|link| {
            assert!(link.ends_with(r#">; rel="next""#), "{link}");
            let url = &link[1..link.find('>').unwrap()];
            url[url.find("/v2/").unwrap()..].to_owned()
        });
        assert!(pages.len() < 20, "paging does not end");
    }
    pages
}

async fn catalog_and_tags_page_with_links(backend: Backend) {
    let berth = Berth::start(backend).await;
    admin(&berth).await;
    for name in ["a1", "a2", "a3", "a4", "a5"] {
        let registry =
            Registry::login(&berth, "admin", ADMIN_PASSWORD, &format!("admin/{name}")).await;
        assert_eq!(registry.try_push().await, 201);
    }
    let registry = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/a1").await;
    let config = registry.upload_blob(b"{}").await;
    let manifest = oci_manifest((&config, 2), &[]);
    for tag in ["t1", "t2", "t3", "t4"] {
        registry
            .put_manifest(tag, &manifest)
            .await
            .expect_status(201);
    }

    let tags = follow(registry.client(), "/v2/admin/a1/tags/list?n=2", "tags").await;
    assert_eq!(
        tags,
        [vec!["t1", "t2"], vec!["t3", "t4"], vec!["v1"]],
        "tags by name, two a page"
    );
    let after = registry
        .client()
        .get("/v2/admin/a1/tags/list?n=10&last=t3")
        .send()
        .await;
    assert_eq!(after.json()["tags"], serde_json::json!(["t4", "v1"]));
    assert!(after.header("Link").is_none());

    // As crane asks for it.
    let token = registry_token(&berth, "admin", ADMIN_PASSWORD, Some("registry:catalog:*")).await;
    let catalog = Client::with_token(&berth, token.json()["token"].as_str().unwrap());
    let pages = follow(&catalog, "/v2/_catalog?n=2", "repositories").await;
    assert_eq!(
        pages,
        [
            vec!["admin/a1", "admin/a2"],
            vec!["admin/a3", "admin/a4"],
            vec!["admin/a5"]
        ]
    );
}

backends!(catalog_and_tags_page_with_links);
