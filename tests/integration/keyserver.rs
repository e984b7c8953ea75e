//! Quay's key server: a service publishes its key signed by itself (it waits for a
//! superuser's approval), rotates it with a key signed by the approved one, and removes it;
//! unsigned, mis-signed or foreign requests are refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

use crate::harness::fixtures::{admin, assert_kinds_logged};
use crate::harness::{backends, Backend, Berth, Client};

/// A service's RSA key: its kid, public JWK and signing key.
struct ServiceKey {
    kid: String,
    jwk: Value,
    signing: jsonwebtoken::EncodingKey,
}

impl ServiceKey {
    fn new(kid: &str) -> ServiceKey {
        let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("an RSA key");
        let public = private.to_public_key();
        let pem = private
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .expect("PEM");
        ServiceKey {
            kid: kid.to_owned(),
            jwk: json!({"kty": "RSA",
                "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
                "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be())}),
            signing: jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).expect("a key"),
        }
    }

    /// A JWT this key signs, issued by `service` for `audience`.
    fn jwt(&self, service: &str, audience: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        let claims = json!({"iss": service, "aud": audience, "iat": now, "exp": now + 300});
        jsonwebtoken::encode(&header, &claims, &self.signing).expect("a JWT")
    }
}

async fn key_server(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let anonymous = Client::anon(&berth);
    let audience = berth.url("");
    let path = |kid: &str| format!("/keys/services/clair/keys/{kid}");
    let first = ServiceKey::new("first-key");

    // Published by the service, signed by itself: waiting for approval.
    let put = anonymous
        .put(&path(&first.kid))
        .header(
            "Authorization",
            &format!("Bearer {}", first.jwt("clair", &audience)),
        )
        .json(&first.jwk)
        .send()
        .await;
    assert_eq!(put.status, 202, "{}", put.text());
    assert_eq!(anonymous.get(&path(&first.kid)).send().await.status, 409);
    assert_eq!(
        anonymous
            .get("/keys/services/clair/keys")
            .send()
            .await
            .json(),
        json!({"keys": []})
    );
    let listed = admin.get("/api/v1/superuser/keys").send().await.json();
    let waiting = listed["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == "first-key")
        .cloned()
        .expect("the submitted key");
    assert_eq!(waiting["approval"], Value::Null);
    admin
        .post("/api/v1/superuser/approvedkeys/first-key")
        .json(&json!({"notes": "checked"}))
        .send()
        .await
        .expect_status(201);
    let got = anonymous.get(&path(&first.kid)).send().await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["n"], first.jwk["n"]);
    let published = anonymous
        .get("/keys/services/clair/keys")
        .send()
        .await
        .json();
    assert_eq!(published["keys"][0]["kid"], "first-key");

    // Refused: no token, a token of another key, another audience, another service.
    let other = ServiceKey::new("first-key");
    for (authorization, status) in [
        (String::new(), 400),
        (format!("Bearer {}", other.jwt("clair", &audience)), 400),
        (
            format!("Bearer {}", first.jwt("clair", "https://elsewhere.example")),
            400,
        ),
        (format!("Bearer {}", first.jwt("notclair", &audience)), 400),
    ] {
        let second = ServiceKey::new("second-key");
        let mut request = anonymous.put(&path(&second.kid)).json(&second.jwk);
        if !authorization.is_empty() {
            request = request.header("Authorization", &authorization);
        }
        // Signed by `first` (approved) but not valid: a bad rotation.
        assert_eq!(request.send().await.status, status, "{authorization}");
    }
    let stranger = ServiceKey::new("stranger");
    let second = ServiceKey::new("second-key");
    let rotation_by_stranger = anonymous
        .put(&path(&second.kid))
        .header(
            "Authorization",
            &format!("Bearer {}", stranger.jwt("clair", &audience)),
        )
        .json(&second.jwk)
        .send()
        .await;
    assert_eq!(rotation_by_stranger.status, 403);

    // Rotated: the new key, signed by the approved one, replaces it, approved.
    let rotated = anonymous
        .put(&path(&second.kid))
        .header(
            "Authorization",
            &format!("Bearer {}", first.jwt("clair", &audience)),
        )
        .json(&second.jwk)
        .send()
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    assert_eq!(anonymous.get(&path(&first.kid)).send().await.status, 404);
    assert_eq!(anonymous.get(&path(&second.kid)).send().await.status, 200);

    // Removed, signed by itself.
    let removed = anonymous
        .delete(&path(&second.kid))
        .header(
            "Authorization",
            &format!("Bearer {}", second.jwt("clair", &audience)),
        )
        .send()
        .await;
    assert_eq!(removed.status, 204);
    assert_eq!(anonymous.get(&path(&second.kid)).send().await.status, 404);

    let logs = admin.get("/api/v1/superuser/logs").send().await.json();
    assert_kinds_logged(
        &logs,
        &[
            "service_key_create",
            "service_key_rotate",
            "service_key_delete",
        ],
    );
}

backends!(key_server);
