//! Entry points for the fuzz targets under `fuzz/` (`cargo fuzz`): each feeds arbitrary bytes
//! to a parser of untrusted input and must return, whatever the bytes, without a panic. Seed
//! inputs, and every input that once crashed a target, are kept under `fuzz/inputs/<target>/`;
//! `scripts/fuzz` starts from them and the normal tests replay them (`tests` below).

use std::path::Path;

use axum::http::{HeaderMap, HeaderValue};
use serde_json::Value;

use crate::blobs::Digest;
use crate::config::Config;
use crate::http::api_v1::{
    app_token, applications, logs, manifest, messages, mirror, notification, organization,
    permission, prototype, proxy_cache, repository, tag, team, user,
};
use crate::http::extract::parse_body;
use crate::http::{session, superuser, v2};
use crate::manifests;
use crate::paging::{self, PageToken};
use crate::repositories::{NamingRules, RepoName};

/// A fuzz target: takes any bytes, must not panic.
pub type Target = fn(&[u8]);

/// Every target, by the name of its file under `fuzz/fuzz_targets/`.
pub const TARGETS: [(&str, Target); 7] = [
    ("manifest", manifest),
    ("image_config", image_config),
    ("reference", reference),
    ("ranges", ranges),
    ("quay_config", quay_config),
    ("page_token", page_token),
    ("json_body", json_body),
];

/// The media types a manifest may be pushed as, and one Berth refuses.
const MEDIA_TYPES: [&str; 6] = [
    manifests::OCI_INDEX,
    manifests::DOCKER_MANIFEST_LIST,
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "text/plain",
];

/// A manifest or index as pushed: the first byte picks the `Content-Type`.
pub fn manifest(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let media_type = MEDIA_TYPES[usize::from(pick) % MEDIA_TYPES.len()];
    if let Ok(parsed) = manifests::parse_manifest(media_type, bytes) {
        let _ = Digest::of_bytes(bytes);
        let _ = parsed.children.len() + parsed.layers.len();
    }
    let _ = manifests::essence(&String::from_utf8_lossy(bytes));
}

/// An image manifest and its config (split at the first NUL), read for the layer history
/// Quay's manifest view shows.
pub fn image_config(data: &[u8]) {
    let (manifest, config) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(manifest) = serde_json::from_slice::<Value>(manifest) else {
        return;
    };
    let config = serde_json::from_slice::<Value>(config).ok();
    let _ = manifests::describe_layers(&manifest, config.as_ref());
}

/// Digests, manifest references and repository names as they arrive in paths.
pub fn reference(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = Digest::parse(&text);
    let _ = manifests::parse_reference(&text);
    for (extended_names, library_support) in [(true, true), (false, false)] {
        let rules = NamingRules {
            extended_names,
            library_support,
        };
        let _ = RepoName::parse(&text, rules);
    }
}

/// A blob GET's `Range` and an upload chunk's `Content-Range`; the first eight bytes are the
/// blob's size.
pub fn ranges(data: &[u8]) {
    let (size, text) = match data.split_first_chunk::<8>() {
        Some((size, rest)) => (u64::from_le_bytes(*size), rest),
        None => (0, data),
    };
    let text = String::from_utf8_lossy(text);
    let _ = v2::blobs::parse_range(&text, size);
    if let Ok(value) = HeaderValue::from_bytes(text.as_bytes()) {
        let mut headers = HeaderMap::new();
        headers.insert(axum::http::header::CONTENT_RANGE, value);
        let _ = v2::uploads::content_range(&headers);
    }
}

/// Quay's `config.yaml`, validated as `berth serve` reads it.
pub fn quay_config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(config) = Config::from_yaml(&text, Path::new("/nonexistent/berth")) {
        let _ = config.describe();
    }
}

/// A `next_page` token: garbage, and the JSON inside a token that decrypts.
pub fn page_token(data: &[u8]) {
    let key = fernet::Fernet::new(&fernet::Fernet::generate_key()).expect("a generated key");
    let _ = paging::decode(&key, &String::from_utf8_lossy(data));
    if let Ok(token) = serde_json::from_slice::<PageToken>(data) {
        let _ = (token.start_id(), token.log_entry());
        let _ = paging::decode(&key, &paging::encode(&key, &token));
    }
}

/// A JSON body as every typed body extractor of the API reads it.
pub fn json_body(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    macro_rules! parse_as {
        ($($body:ty),* $(,)?) => {
            $( let _ = parse_body::<$body>(value.clone()); )*
        };
    }
    parse_as!(
        app_token::CreateAppTokenBody,
        applications::CreateApplicationBody,
        applications::CreateTokenBody,
        applications::UpdateApplicationBody,
        logs::ExportLogsBody,
        manifest::AddLabelBody,
        messages::CreateMessageBody,
        mirror::MirrorBody,
        mirror::StateBody,
        notification::CreateNotificationBody,
        organization::CreateOrganizationBody,
        organization::UpdateOrganizationBody,
        permission::PermissionBody,
        prototype::NewPrototypeBody,
        prototype::PrototypeUpdateBody,
        proxy_cache::ProxyCacheBody,
        repository::CreateRepositoryBody,
        repository::StarBody,
        repository::UpdateRepositoryBody,
        repository::VisibilityBody,
        tag::ChangeTagBody,
        tag::RestoreTagBody,
        team::TeamBody,
        user::InitializeBody,
        session::SigninBody,
        superuser::keys::ApproveKeyBody,
        superuser::keys::CreateKeyBody,
        superuser::keys::UpdateKeyBody,
        superuser::organizations::UpdateOrganizationBody,
        superuser::users::CreateUserBody,
        superuser::users::UpdateUserBody,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replays every kept input through its target.
    #[test]
    fn kept_inputs_run_clean() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/inputs");
        let mut replayed = 0;
        for (name, target) in TARGETS {
            let Ok(entries) = std::fs::read_dir(root.join(name)) else {
                continue;
            };
            for entry in entries {
                let path = entry.expect("a directory entry").path();
                target(&std::fs::read(&path).expect("an input"));
                replayed += 1;
            }
        }
        assert!(replayed > 0, "no inputs under {}", root.display());
    }

    #[test]
    fn targets_take_anything() {
        for (_, target) in TARGETS {
            for input in [&b""[..], b"\0", b"{}", b"[]", b"null", &[0xff; 16]] {
                target(input);
            }
        }
    }
}
