//! Robot identity federation: a robot trusts an (issuer, subject) pair; a workload's OIDC
//! token from a local issuer (discovery and JWKS on loopback) is exchanged for a credential
//! that pulls as the robot; wrong subjects, issuers and expired tokens are refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

use crate::harness::fixtures::{admin, create_org, create_user, Registry};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Options};

/// An OIDC issuer on loopback signing with its own RSA key.
struct Issuer {
    url: String,
    key: jsonwebtoken::EncodingKey,
}

impl Issuer {
    async fn start() -> Issuer {
        let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("an RSA key");
        let public = private.to_public_key();
        let jwk = json!({"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be())});
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let discovery = json!({"issuer": url, "jwks_uri": format!("{url}/jwks")});
        let app = axum::Router::new()
            .route(
                "/.well-known/openid-configuration",
                axum::routing::get(move || async move { axum::Json(discovery) }),
            )
            .route(
                "/jwks",
                axum::routing::get(move || async move { axum::Json(json!({ "keys": [jwk] })) }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let pem = private
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .expect("PEM");
        Issuer {
            url,
            key: jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).expect("a signing key"),
        }
    }

    /// A token for `subject` that expires `lifetime_s` from now (negative: already expired).
    fn token(&self, subject: &str, lifetime_s: i64) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = json!({"iss": self.url, "sub": subject, "aud": "registry",
                            "iat": now - 120, "exp": now + lifetime_s});
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(&header, &claims, &self.key).expect("a signed token")
    }
}

const EXCHANGE: &str = "/oauth2/federation/robot/token";

async fn robot_federation(backend: Backend) {
    let options = Options {
        extra_yaml: "SSRF_ALLOWED_HOSTS: [127.0.0.1]\n".into(),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let dev_user = create_user(&admin, "dev").await;
    let dev = Client::session(&berth, &dev_user.username, &dev_user.password).await;
    let registry = Registry::login(&berth, "dev", &dev_user.password, "dev/app").await;
    assert_eq!(registry.try_push().await, 201);
    dev.put("/api/v1/user/robots/ci")
        .json(&json!({}))
        .send()
        .await
        .expect_status(201);
    dev.put("/api/v1/repository/dev/app/permissions/user/dev+ci")
        .json(&json!({"role": "read"}))
        .send()
        .await
        .expect_status(200);
    let issuer = Issuer::start().await;
    let federation = "/api/v1/user/robots/ci/federation";
    dev.get(federation).send().await.expect(200, "[]\n");
    let trusted = json!([{"issuer": issuer.url, "subject": "system:ci"}]);
    let set = dev.post(federation).json(&trusted).send().await;
    set.expect_status(200);
    assert_eq!(set.json(), trusted);
    assert_eq!(dev.get(federation).send().await.json(), trusted);

    // The exchange, and the credential it gives pulling as the robot.
    let exchange = |token: String| Client::basic(&berth, "dev+ci", &token).get(EXCHANGE).send();
    let answer = exchange(issuer.token("system:ci", 300)).await;
    answer.expect_status(200);
    let credential = answer.json()["token"].as_str().expect("token").to_owned();
    let as_robot = Registry::login(&berth, "dev+ci", &credential, "dev/app").await;
    assert_eq!(as_robot.get_manifest("v1").await.status, 200);

    // Refusals, in Quay's words.
    let message = |text: &str| format!("{}\n", json!({ "message": text }));
    exchange(issuer.token("system:other", 300))
        .await
        .expect(400, &message("Token does not match robot"));
    let expired = exchange(issuer.token("system:ci", -600)).await;
    expired.expect_status(400);
    assert!(expired.json()["message"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Invalid token: "));
    let stranger = Issuer::start().await;
    exchange(stranger.token("system:ci", 300)).await.expect(
        400,
        &message(&format!(
            "issuer {} not configured for this robot",
            stranger.url
        )),
    );
    exchange("not-a-token".into())
        .await
        .expect(400, &message("Token does not contain issuer"));
    let error = |text: &str| (401, format!("{}\n", json!({ "error": text })));
    let (status, body) = error("No auth header");
    Client::anon(&berth)
        .get(EXCHANGE)
        .send()
        .await
        .expect(status, &body);
    let (status, body) = error("Invalid robot");
    Client::basic(&berth, "dev", &issuer.token("system:ci", 300))
        .get(EXCHANGE)
        .send()
        .await
        .expect(status, &body);
    Client::basic(&berth, "dev+nosuch", &issuer.token("system:ci", 300))
        .get(EXCHANGE)
        .send()
        .await
        .expect(
            400,
            &message("Could not find robot with specified username"),
        );

    // Bad configurations.
    let problem = |detail: &str| wire::problem(&berth.addr, 400, "invalid_request", detail);
    for (body, detail) in [
        (
            json!({"issuer": "x"}),
            "{'issuer': 'x'} is not of type 'array'",
        ),
        (
            json!([{"issuer": "issuer.example", "subject": "s"}]),
            "Issuer must be a URL (http:// or https://)",
        ),
        (
            json!([{"issuer": issuer.url}]),
            "Missing one or more required fields (issuer, subject)",
        ),
        (
            json!([{"issuer": issuer.url, "subject": "s"}, {"issuer": issuer.url, "subject": "s"}]),
            "Duplicate federation config entry",
        ),
    ] {
        dev.post(federation)
            .json(&body)
            .send()
            .await
            .expect(400, &problem(detail));
    }
    dev.get("/api/v1/user/robots/nosuch/federation")
        .send()
        .await
        .expect(
            400,
            &message("Could not find robot with specified username"),
        );

    // Logged; then forgotten, after which exchanges stop.
    let logs = dev.get("/api/v1/user/logs").send().await.json();
    let entries = logs["logs"].as_array().expect("logs");
    let exchanged = entries
        .iter()
        .find(|e| e["kind"] == "federated_robot_token_exchange")
        .expect("the exchange's entry");
    assert_eq!(
        exchanged["metadata"],
        json!({"subject": "system:ci", "issuer": issuer.url, "robot": "ci"})
    );
    assert!(entries
        .iter()
        .any(|e| e["kind"] == "create_robot_federation"
            && e["metadata"] == json!({"config": trusted, "robot": "ci"})));
    dev.delete(federation).send().await.expect(204, "");
    exchange(issuer.token("system:ci", 300)).await.expect(
        400,
        &message("Robot does not have federated login configured"),
    );

    // Organization robots, for the organization's admins.
    create_org(&dev, "acme").await;
    dev.put("/api/v1/organization/acme/robots/builder")
        .json(&json!({}))
        .send()
        .await
        .expect_status(201);
    let org_federation = "/api/v1/organization/acme/robots/builder/federation";
    dev.post(org_federation)
        .json(&trusted)
        .send()
        .await
        .expect_status(200);
    let outsider = create_user(&admin, "outsider").await;
    Client::session(&berth, &outsider.username, &outsider.password)
        .await
        .get(org_federation)
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    let answer = Client::basic(&berth, "acme+builder", &issuer.token("system:ci", 300))
        .get(EXCHANGE)
        .send()
        .await;
    answer.expect_status(200);
    let _: Value = answer.json();
}

backends!(robot_federation);
