//! Sparse manifests (`FEATURE_SPARSE_INDEX`, off by default as in Quay): an index naming a
//! manifest the repository does not hold and an image naming a layer never uploaded are
//! refused with MANIFEST_BLOB_UNKNOWN, or stored as pushed when the switch is on; a missing
//! config is refused either way.

use serde_json::{json, Value};

use crate::harness::fixtures::{
    admin, assert_code, create_user, oci_manifest, sha256_digest, Registry, OCI_INDEX, OCI_MANIFEST,
};
use crate::harness::{backends, Backend, Berth, Client, Options};

/// An index over `children` (digest and size of image manifests).
fn index(children: &[(&str, usize)]) -> Value {
    let manifests: Vec<Value> = children
        .iter()
        .map(|(digest, size)| json!({"mediaType": OCI_MANIFEST, "digest": digest, "size": size}))
        .collect();
    json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests})
}

async fn sparse_manifests(backend: Backend) {
    for sparse in [false, true] {
        let options = Options {
            extra_yaml: format!("FEATURE_SPARSE_INDEX: {sparse}\n"),
            ..Options::default()
        };
        let berth = Berth::start_with(backend.another().await, options).await;
        let admin = admin(&berth).await;
        let user = create_user(&admin, "dev").await;
        let registry = Registry::login(&berth, "dev", &user.password, "dev/app").await;

        let ping = Client::anon(&berth).get("/v2/").send().await;
        let advertised = if sparse { "true" } else { "false" };
        assert_eq!(ping.header("X-Sparse-Manifest-Support"), Some(advertised));

        let config = registry.upload_blob(b"{}").await;
        let layer = registry.upload_blob(b"a layer").await;
        let never_uploaded = sha256_digest(b"never uploaded");
        let image = oci_manifest((&config, 2), &[(&layer, 7), (&never_uploaded, 14)]);
        let image_bytes = serde_json::to_vec(&image).unwrap();
        let pushed = registry.put_manifest("image", &image).await;
        let whole = oci_manifest((&config, 2), &[(&layer, 7)]);
        let whole_bytes = serde_json::to_vec(&whole).unwrap();
        let whole_digest = sha256_digest(&whole_bytes);
        registry
            .put_manifest("whole", &whole)
            .await
            .expect_status(201);
        let missing_child = sha256_digest(b"a manifest never pushed");
        let list = serde_json::to_vec(&index(&[
            (&whole_digest, whole_bytes.len()),
            (&missing_child, 512),
        ]))
        .unwrap();
        let list_pushed = registry
            .put_manifest_as("list", OCI_INDEX, list.clone())
            .await;
        if sparse {
            pushed.expect_status(201);
            list_pushed.expect_status(201);
            let pulled = registry.get_manifest("image").await;
            pulled.expect_status(200);
            assert_eq!(pulled.body, image_bytes);
            let pulled = registry.get_manifest_as("list", OCI_INDEX).await;
            pulled.expect_status(200);
            assert_eq!(pulled.body, list);
        } else {
            assert_code(&pushed, 400, "MANIFEST_BLOB_UNKNOWN");
            assert_code(&list_pushed, 400, "MANIFEST_BLOB_UNKNOWN");
            assert_code(
                &registry.get_manifest("image").await,
                404,
                "MANIFEST_UNKNOWN",
            );
            assert_code(
                &registry.get_manifest_as("list", OCI_INDEX).await,
                404,
                "MANIFEST_UNKNOWN",
            );
        }

        // The config is the image: never optional.
        let no_config = oci_manifest((&never_uploaded, 14), &[(&layer, 7)]);
        let refused = registry.put_manifest("no-config", &no_config).await;
        assert_code(&refused, 400, "MANIFEST_BLOB_UNKNOWN");
    }
}

backends!(sparse_manifests);
