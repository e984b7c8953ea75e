//! Three `berth serve` nodes on one PostgreSQL database, one S3 bucket (moto) and Redis,
//! behind one load balancer, are one registry: skopeo pushes through node 1 and pulls through
//! nodes 2 and 3; a token of any node works on every node; a chunked upload moves from node to
//! node; a user's live events cross nodes; node 1 killed with SIGKILL in the middle of a push
//! leaves nothing half-visible, the push redone through the others succeeds, and the job node 1
//! held is run by another node within a minute, once.
//!
//! PostgreSQL only: SQLite is the embedded single-node default, one file of one node.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::fixtures::{
    admin, assert_failure, assert_success, create_user, creds, hold_an_export, image_digests,
    listen_events, next_event, sha256_digest, ImageDigests, Registry, Tools,
};
use crate::harness::front::Front;
use crate::harness::{Backend, Berth, Client, Options};

/// A registry token for `scope` from `node`, for the registry's name (the front's address).
async fn token_from(
    node: &Berth,
    front: &Front,
    user: &str,
    password: &str,
    scope: &str,
) -> String {
    let resp = Client::basic(node, user, password)
        .get(&format!("/v2/auth?service={}&scope={scope}", front.addr))
        .send()
        .await;
    resp.expect_status(200);
    resp.json()["token"].as_str().expect("token").to_owned()
}

/// The path of an upload `Location`, absolute (on the front) or not.
fn path_of(location: &str) -> String {
    match location.strip_prefix("http://") {
        Some(rest) => rest[rest.find('/').expect("a path")..].to_owned(),
        None => location.to_owned(),
    }
}

/// An OCI layout `images/<name>` whose `v1` holds one layer of `mib` MiB that gzip cannot
/// shrink, so that its upload takes a while.
async fn big_image(tools: &Tools, name: &str, mib: usize) -> std::path::PathBuf {
    let file = tools.path(&format!("tmp/{name}.bin"));
    let mut bytes = vec![0u8; mib << 20];
    rand::Rng::fill(&mut rand::thread_rng(), &mut bytes[..]);
    std::fs::write(&file, bytes).expect("layer file");
    let layout = tools.path(&format!("images/{name}"));
    tools
        .run_ok("umoci", &["init", "--layout", layout.to_str().unwrap()])
        .await;
    tools
        .umoci_image(&layout, "v1", &file, "/big.bin", &[])
        .await;
    layout
}

/// Pushes `layout:v1` to `repo_tag` through the front as `creds`.
async fn push(
    tools: &Tools,
    front: &Front,
    creds: &str,
    layout: &std::path::Path,
    repo_tag: &str,
) -> std::process::Output {
    let src = format!("oci:{}:v1", layout.display());
    tools
        .skopeo_copy(&src, &format!("docker://{}/{repo_tag}", front.addr), creds)
        .await
}

/// Pulls `repo_tag` through the front into `images/<into>` and compares it with `pushed`.
async fn pull_matches(
    tools: &Tools,
    front: &Front,
    creds: &str,
    repo_tag: &str,
    into: &str,
    pushed: &ImageDigests,
) {
    let dest = format!("oci:{}:v1", tools.path(&format!("images/{into}")).display());
    let out = tools
        .skopeo_copy(&format!("docker://{}/{repo_tag}", front.addr), &dest, creds)
        .await;
    assert_success(&out, &format!("pull {repo_tag} into {into}"));
    assert_eq!(
        &image_digests(&tools.path(&format!("images/{into}"))),
        pushed
    );
}

/// A blob's bytes, following the redirect to the bucket; None when the registry has none.
async fn blob_bytes(registry: &Registry, digest: &str) -> Option<Vec<u8>> {
    let resp = registry.get_blob(digest).await;
    match resp.status {
        404 => None,
        200 => Some(resp.body),
        302 => {
            let url = resp.header("Location").expect("Location");
            let stored = reqwest::get(url).await.expect("the bucket");
            assert_eq!(stored.status(), 200, "{url}");
            Some(stored.bytes().await.expect("blob bytes").to_vec())
        }
        other => panic!("blob {digest}: {other}"),
    }
}

/// The value of an unlabelled sample on `node`'s `/metrics`.
async fn sample(admin: &Client, name: &str) -> f64 {
    let text = admin.get("/metrics").send().await.text();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_are_one_registry() {
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    if crate::harness::redis().await.is_none() {
        return;
    }
    let mut front = Front::bind().await;
    let options = Options {
        s3: true,
        extra_yaml: format!(
            "SERVER_HOSTNAME: {}\n\
             SSRF_ALLOWED_HOSTS: [127.0.0.1]\n\
             BUILDLOGS_REDIS: {{host: 127.0.0.1, port: 6379}}\n\
             USER_EVENTS_REDIS: {{host: 127.0.0.1, port: 6379}}\n",
            front.addr
        ),
        ..Options::default()
    };

    // Node 1 alone takes a job whose callback never answers: it holds the job until it dies.
    let mut node1 = Berth::start_with(backend, options.clone()).await;
    let admin1 = admin(&node1).await;
    let answered = hold_an_export(&admin1).await;

    let node2 = node1.another_node(options.clone()).await;
    let node3 = node1.another_node(options.clone()).await;
    front.serve(&[&node1.addr, &node2.addr, &node3.addr]);
    let dev = create_user(&admin1, "dev").await;
    let dev_creds = creds(&dev);

    // dev listens on node 2; what node 1 publishes reaches it through Redis.
    let session2 = Client::session(&node2, "dev", &dev.password).await;
    let mut heard = listen_events(&node2, &session2, "docker-cli").await;
    assert_eq!(heard.recv().await.expect("the opening message"), json!({}));

    // Push through node 1, pull through nodes 2 and 3.
    let tools = Arc::new(Tools::new());
    let layout = tools.build_image("app", "three nodes\n").await;
    let pushed = image_digests(&layout);
    front.route_to(&[&node1.addr]);
    assert_success(
        &push(&tools, &front, &dev_creds, &layout, "dev/app:1").await,
        "push through node 1",
    );
    let mut actions = Vec::new();
    while !actions.contains(&json!("push_repo")) {
        actions.push(next_event(&mut heard).await["data"]["action"].clone());
    }
    front.route_to(&[&node2.addr]);
    pull_matches(&tools, &front, &dev_creds, "dev/app:1", "from-2", &pushed).await;
    front.route_to(&[&node3.addr]);
    pull_matches(&tools, &front, &dev_creds, "dev/app:1", "from-3", &pushed).await;

    // A token of any node is good on every node: each node's key is in the database.
    let nodes = [&node1, &node2, &node3];
    for issuer in nodes {
        let token = token_from(
            issuer,
            &front,
            "dev",
            &dev.password,
            "repository:dev/app:pull",
        )
        .await;
        for node in nodes {
            Registry::with_token(node, &token, "dev/app")
                .get_manifest("1")
                .await
                .expect_status(200);
        }
    }

    // One chunked upload: started on node 1, a chunk through node 2, another through node 3,
    // finished on node 1; then read through node 2.
    let token = token_from(
        &node1,
        &front,
        "dev",
        &dev.password,
        "repository:dev/chunks:pull,push",
    )
    .await;
    let on = |node: &Berth| Registry::with_token(node, &token, "dev/chunks");
    let blob: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let digest = sha256_digest(&blob);
    let mut location = path_of(&on(&node1).start_upload().await);
    for (node, range) in [(&node2, 0..100_000), (&node3, 100_000..200_000)] {
        let resp = on(node)
            .client()
            .patch(&location)
            .header(
                "Content-Range",
                &format!("{}-{}", range.start, range.end - 1),
            )
            .body(Some("application/octet-stream"), blob[range].to_vec())
            .send()
            .await;
        resp.expect_status(202);
        location = path_of(resp.header("Location").expect("Location"));
    }
    on(&node1)
        .finish_upload(&location, &digest, blob[200_000..].to_vec())
        .await
        .expect_status(201);
    let read = blob_bytes(&on(&node2), &digest).await.expect("the blob");
    assert_eq!(sha256_digest(&read), digest);

    // Node 1 dies in the middle of a big push (and with the export job claimed).
    let big = big_image(&tools, "big", 96).await;
    let big_digests = image_digests(&big);
    front.route_to(&[&node1.addr]);
    let pushing = {
        let (tools, front_addr, creds, big) = (
            tools.clone(),
            front.addr.clone(),
            dev_creds.clone(),
            big.clone(),
        );
        tokio::spawn(async move {
            let src = format!("oci:{}:v1", big.display());
            tools
                .skopeo_copy(&src, &format!("docker://{front_addr}/dev/big:1"), &creds)
                .await
        })
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while sample(&admin1, "berth_blob_received_bytes_total").await < (8 << 20) as f64 {
        assert!(Instant::now() < deadline, "the big push never got going");
        assert!(
            !pushing.is_finished(),
            "the push ended before node 1 was killed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    node1.kill9();
    let killed = Instant::now();
    front.route_to(&[&node2.addr, &node3.addr]);
    assert_failure(&pushing.await.expect("join"), "the push cut by the kill");

    // Nothing partial: no tag, and every blob either absent or whole.
    let token = token_from(
        &node2,
        &front,
        "dev",
        &dev.password,
        "repository:dev/big:pull",
    )
    .await;
    let big_repo = Registry::with_token(&node2, &token, "dev/big");
    big_repo.get_manifest("1").await.expect_status(404);
    for digest in big_digests.layers.iter().chain([&big_digests.config]) {
        if let Some(bytes) = blob_bytes(&big_repo, digest).await {
            assert_eq!(&sha256_digest(&bytes), digest, "a partial blob");
        }
    }

    // The push redone through the surviving nodes works, and reads back whole.
    assert_success(
        &push(&tools, &front, &dev_creds, &big, "dev/big:1").await,
        "the push redone through nodes 2 and 3",
    );
    pull_matches(
        &tools,
        &front,
        &dev_creds,
        "dev/big:1",
        "big-back",
        &big_digests,
    )
    .await;

    // The export node 1 held is delivered by another node within a minute, once.
    while answered.load(Ordering::SeqCst) == 0 {
        assert!(
            killed.elapsed() < Duration::from_secs(90),
            "the job node 1 held was never run again"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        killed.elapsed() < Duration::from_secs(75),
        "{:?}",
        killed.elapsed()
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        answered.load(Ordering::SeqCst),
        1,
        "the job ran on two nodes"
    );
}
