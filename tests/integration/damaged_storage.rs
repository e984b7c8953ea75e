//! Blobs damaged behind Berth's back (a file cut short, bytes changed): a read of a cut blob
//! fails with a clear error and the server stays up; `berth storage check` lists what storage
//! does not hold as recorded, and with `--verify` what does not hash to its digest.

use crate::harness::fixtures::{admin, create_user, oci_manifest, Registry};
use crate::harness::storage::{storages, Storage};
use crate::harness::{Backend, Berth, Options};

async fn damaged_blobs_are_reported(backend: Backend, storage: Storage) {
    let options = Options {
        s3: storage == Storage::S3,
        // Reads pass through Berth rather than redirecting to S3.
        proxy_storage: true,
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    let registry = Registry::login(&berth, "dev", &dev.password, "dev/app").await;
    let config = registry.upload_blob(b"{}").await;
    let cut_bytes = vec![7u8; 3 << 20];
    let cut = registry.upload_blob(&cut_bytes).await;
    let changed_bytes = b"bytes that will change".to_vec();
    let changed = registry.upload_blob(&changed_bytes).await;
    let manifest = oci_manifest(
        (&config, 2),
        &[(&cut, cut_bytes.len()), (&changed, changed_bytes.len())],
    );
    registry
        .put_manifest("v1", &manifest)
        .await
        .expect_status(201);

    let clean = berth.command(&["storage", "check"]).await;
    assert!(clean.status.success(), "{clean:?}");
    assert!(String::from_utf8_lossy(&clean.stdout).contains("3 blobs checked, 0 damaged"));

    berth.put_stored_blob(&cut, &cut_bytes[..1000]).await;
    berth
        .put_stored_blob(&changed, b"bytes that did change!")
        .await;
    if storage == Storage::Local {
        let read = registry.get_blob(&cut).await;
        read.expect_status(500);
        assert!(
            read.text().contains(
                "is missing or damaged in storage; `berth storage check` lists such blobs"
            ),
            "{}",
            read.text()
        );
        // The server is still there.
        registry.get_blob(&config).await.expect_status(200);
    }

    let check = berth.command(&["storage", "check"]).await;
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        out.contains(&format!("{cut}: 3145728 bytes recorded, 1000 bytes stored")),
        "{out}"
    );
    assert!(!out.contains(&changed), "{out}");
    assert!(out.contains("3 blobs checked, 1 damaged"), "{out}");

    let verified = berth.command(&["storage", "check", "--verify"]).await;
    assert_eq!(verified.status.code(), Some(1));
    let out = String::from_utf8_lossy(&verified.stdout);
    assert!(
        out.contains(&format!(
            "{changed}: 22 bytes recorded, bytes do not match the digest"
        )),
        "{out}"
    );
    assert!(out.contains("3 blobs checked, 2 damaged"), "{out}");
}

storages!(damaged_blobs_are_reported);
