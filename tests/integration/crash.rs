//! SIGKILL in the middle of a push: after a restart on the same data folder and database
//! nothing of the half push is visible, and the whole push then succeeds.

use bytes::Bytes;
use futures::Stream;
use rand::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use crate::harness::fixtures::{admin, assert_code, create_user, oci_manifest, Registry, User};
use crate::harness::{backends, Backend, Berth, Resp};

const CHUNK: usize = 1 << 20;
/// 200 MiB: large enough that the kill lands while bytes are still flowing.
const CHUNKS: usize = 200;
/// The server is killed once this many chunks have been handed to the connection.
const KILL_AFTER: usize = 64;

/// Deterministic content: one random 1 MiB block, each chunk stamped with its index, so the
/// same blob can be sent twice and its digest computed without keeping 200 MiB around.
struct BigBlob {
    block: Vec<u8>,
}

impl BigBlob {
    fn new() -> BigBlob {
        let mut block = vec![0; CHUNK];
        rand::rngs::StdRng::seed_from_u64(0x5eed).fill_bytes(&mut block);
        BigBlob { block }
    }

    fn chunk(&self, index: usize) -> Bytes {
        let mut chunk = self.block.clone();
        chunk[..8].copy_from_slice(&(index as u64).to_le_bytes());
        Bytes::from(chunk)
    }

    fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        for index in 0..CHUNKS {
            hasher.update(self.chunk(index));
        }
        format!("sha256:{}", hex::encode(hasher.finalize()))
    }

    /// The chunks as a request body. With a `Pause`, the body stops after `KILL_AFTER`
    /// chunks, says so, and goes on only when told: the server is killed in between, however
    /// fast it reads.
    fn stream(
        &'static self,
        pause: Option<Pause>,
    ) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
        futures::stream::unfold((0, pause), move |(index, mut pause)| async move {
            if index == CHUNKS {
                return None;
            }
            if index == KILL_AFTER {
                if let Some(Pause { reached, resume }) = pause.take() {
                    let _ = reached.send(());
                    let _ = resume.await;
                }
            }
            Some((Ok(self.chunk(index)), (index + 1, pause)))
        })
    }
}

/// The two signals of a paused upload body.
struct Pause {
    reached: oneshot::Sender<()>,
    resume: oneshot::Receiver<()>,
}

/// PATCHes the whole blob to `location` in one streamed request.
async fn patch_stream(
    registry: &Registry,
    location: &str,
    blob: &'static BigBlob,
    pause: Option<Pause>,
) -> Result<Resp, reqwest::Error> {
    registry
        .client()
        .patch(location)
        .body(
            Some("application/octet-stream"),
            reqwest::Body::wrap_stream(blob.stream(pause)),
        )
        .try_send()
        .await
}

async fn login(berth: &Berth, user: &User) -> Registry {
    Registry::login(berth, &user.username, &user.password, "newuser/big").await
}

async fn kill_mid_upload_then_push_again(backend: Backend) {
    let blob: &'static BigBlob = Box::leak(Box::new(BigBlob::new()));
    let digest = blob.digest();
    let mut berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let user = create_user(&admin, "newuser").await;

    // The half push: one upload session, killed while its PATCH is streaming.
    let registry = login(&berth, &user).await;
    let location = registry.start_upload().await;
    let (reached_tx, reached) = oneshot::channel();
    let (resume, resume_rx) = oneshot::channel();
    let pause = Pause {
        reached: reached_tx,
        resume: resume_rx,
    };
    let upload = {
        let location = location.clone();
        tokio::spawn(async move { patch_stream(&registry, &location, blob, Some(pause)).await })
    };
    reached.await.expect("the upload got going");
    // Let the server take in what was sent, then kill it and send the rest into the void.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    berth.kill9();
    let _ = resume.send(());
    match upload.await.expect("upload task") {
        Err(_) => {}
        Ok(resp) => panic!(
            "the PATCH cannot have completed: {} {}",
            resp.status,
            resp.text()
        ),
    }

    berth.restart().await;
    let registry = login(&berth, &user).await;
    registry.assert_no_blob(&digest).await;
    assert_code(&registry.get_manifest("1").await, 404, "MANIFEST_UNKNOWN");
    // Committing what the dead upload received must not produce the blob either.
    let path = location
        .find("/v2/")
        .map_or(location.as_str(), |at| &location[at..]);
    let commit = registry.finish_upload(path, &digest, Vec::new()).await;
    assert!(
        matches!(commit.status, 400 | 404 | 416),
        "commit of a partial upload: {} {}",
        commit.status,
        commit.text()
    );
    registry.assert_no_blob(&digest).await;

    // The whole push, again from the start.
    let location = registry.start_upload().await;
    let patched = patch_stream(&registry, &location, blob, None)
        .await
        .expect("PATCH");
    patched.expect_status(202);
    let location = patched.header("Location").unwrap_or(&location).to_owned();
    registry
        .finish_upload(&location, &digest, Vec::new())
        .await
        .expect_status(201);
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = registry.upload_blob(config).await;
    let manifest = oci_manifest((&config_digest, config.len()), &[(&digest, CHUNK * CHUNKS)]);
    registry
        .put_manifest("1", &manifest)
        .await
        .expect_status(201);

    let head = registry.head_blob(&digest).await;
    head.expect_status(200);
    assert_eq!(
        head.header("Content-Length"),
        Some((CHUNK * CHUNKS).to_string().as_str())
    );
    let fetched = registry.get_blob(&digest).await;
    fetched.expect_status(200);
    assert_eq!(
        format!("sha256:{}", hex::encode(Sha256::digest(&fetched.body))),
        digest
    );
    let stored = registry.get_manifest("1").await;
    stored.expect_status(200);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&stored.body).expect("manifest"),
        manifest
    );
}

backends!(kill_mid_upload_then_push_again);
