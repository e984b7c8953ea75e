//! The layers of an image manifest as Quay's manifest view lists them (core-api.md §3.5): one
//! entry per `history` entry of the image config, empty layers included, each with the command,
//! author, comment and date that built it. Images without history list their layers, the last
//! one described by the config itself; artifacts list their layers bare.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use serde_json::Value;

use crate::app::App;

/// The digest and size Quay gives the empty layers of a history (`empty_layer: true`).
pub const EMPTY_LAYER_DIGEST: &str =
    "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";
const EMPTY_LAYER_SIZE: i64 = 32;
/// Image configs larger than this are not read for their history.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

const IMAGE_CONFIG_TYPES: &[&str] = &[
    "application/vnd.docker.container.image.v1+json",
    "application/vnd.oci.image.config.v1+json",
];
const FOREIGN_LAYER_TYPES: &[&str] = &[
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
];

/// One listed layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub compressed_size: Option<i64>,
    pub is_remote: bool,
    pub urls: Option<Vec<String>>,
    /// Quay's shape: the JSON value of `created_by` when it is JSON, else `[created_by]`.
    pub command: Option<Value>,
    pub comment: Option<String>,
    pub author: Option<String>,
    pub blob_digest: String,
    pub created: Option<DateTime<Utc>>,
}

/// What the history says of one step.
#[derive(Debug, Default)]
struct Step {
    command: Option<Value>,
    comment: Option<String>,
    author: Option<String>,
    created: Option<DateTime<Utc>>,
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

fn date(value: &Value) -> Option<DateTime<Utc>> {
    let parsed = DateTime::parse_from_rfc3339(value.as_str()?).ok()?;
    Some(parsed.with_timezone(&Utc))
}

/// Quay decodes `created_by` as JSON and, when that fails, wraps the text in a list.
fn command(created_by: &Value) -> Option<Value> {
    match created_by {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => {
            Some(serde_json::from_str(s).unwrap_or_else(|_| Value::Array(vec![created_by.clone()])))
        }
        other => Some(Value::Array(vec![other.clone()])),
    }
}

fn manifest_layer(layer: &Value, step: Step) -> Layer {
    let urls: Option<Vec<String>> = layer["urls"]
        .as_array()
        .map(|u| u.iter().filter_map(text).collect());
    let media_type = layer["mediaType"].as_str().unwrap_or_default();
    Layer {
        compressed_size: layer["size"].as_i64(),
        is_remote: FOREIGN_LAYER_TYPES.contains(&media_type),
        urls,
        command: step.command,
        comment: step.comment,
        author: step.author,
        blob_digest: text(&layer["digest"]).unwrap_or_default(),
        created: step.created,
    }
}

/// Lists the layers of `manifest` (parsed JSON, not a list or index) with their history from
/// `config`. A history that does not fit the layers is ignored, so the layers still show.
pub fn describe(manifest: &Value, config: Option<&Value>) -> Vec<Layer> {
    let layers: &[Value] = manifest["layers"].as_array().map_or(&[], Vec::as_slice);
    let Some(config) = config else {
        return layers
            .iter()
            .map(|l| manifest_layer(l, Step::default()))
            .collect();
    };
    let history: &[Value] = config["history"].as_array().map_or(&[], Vec::as_slice);
    let filled = history
        .iter()
        .filter(|h| h["empty_layer"].as_bool() != Some(true))
        .count();
    if history.is_empty() || filled != layers.len() {
        // Quay's synthesized history: the config describes the last layer.
        let last = layers.len().saturating_sub(1);
        return layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let step = if i == last {
                    Step {
                        // Quay passes the `Cmd` list through its JSON decoding, which wraps it.
                        command: config["config"]["Cmd"]
                            .as_array()
                            .map(|cmd| Value::Array(vec![Value::Array(cmd.clone())])),
                        comment: None,
                        author: text(&config["author"]),
                        created: date(&config["created"]),
                    }
                } else {
                    Step::default()
                };
                manifest_layer(l, step)
            })
            .collect();
    }
    let mut blobs = layers.iter();
    history
        .iter()
        .map(|entry| {
            let step = Step {
                command: command(&entry["created_by"]),
                comment: text(&entry["comment"]),
                author: text(&entry["author"]),
                created: date(&entry["created"]),
            };
            match entry["empty_layer"].as_bool() == Some(true) {
                true => Layer {
                    compressed_size: Some(EMPTY_LAYER_SIZE),
                    is_remote: false,
                    urls: None,
                    command: step.command,
                    comment: step.comment,
                    author: step.author,
                    blob_digest: EMPTY_LAYER_DIGEST.to_owned(),
                    created: step.created,
                },
                // `filled` equals the number of layers, so a blob is there for every step.
                false => manifest_layer(blobs.next().unwrap_or(&Value::Null), step),
            }
        })
        .collect()
}

/// The image config a manifest names, read from storage; None for artifacts, configs too large
/// to be metadata, and configs that are missing or not JSON.
pub async fn read_config(app: &App, manifest: &Value) -> Option<Value> {
    let config = &manifest["config"];
    let media_type = config["mediaType"].as_str()?;
    let size = config["size"].as_u64()?;
    if !IMAGE_CONFIG_TYPES.contains(&media_type) || size > MAX_CONFIG_BYTES {
        return None;
    }
    let digest = config["digest"].as_str()?;
    let chunks = app.storage.read_blob(digest, 0, size).await.ok()?;
    let bytes: Vec<u8> = chunks
        .try_fold(Vec::new(), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest() -> Value {
        json!({"layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:aa", "size": 10},
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:bb", "size": 20},
        ]})
    }

    #[test]
    fn history_with_empty_layers() {
        let config = json!({"history": [
            {"created": "2018-04-03T18:37:09.284840891Z", "created_by": "/bin/sh -c #(nop) ADD file:x in /"},
            {"created": "2018-04-03T20:37:09+02:00", "created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": true},
            {"created_by": "[\"a\"]", "author": "me", "comment": "buildkit"},
        ]});
        let layers = describe(&manifest(), Some(&config));
        assert_eq!(layers.len(), 3);
        assert_eq!(
            layers[0].command,
            Some(json!(["/bin/sh -c #(nop) ADD file:x in /"]))
        );
        assert_eq!(layers[0].blob_digest, "sha256:aa");
        assert_eq!(
            layers[0].created.map(|d| d.to_rfc3339()),
            Some("2018-04-03T18:37:09.284840891+00:00".into())
        );
        assert_eq!(layers[1].blob_digest, EMPTY_LAYER_DIGEST);
        assert_eq!(layers[1].compressed_size, Some(32));
        assert_eq!(
            layers[1].created.map(|d| d.to_rfc3339()),
            Some("2018-04-03T18:37:09+00:00".into())
        );
        assert_eq!(layers[2].command, Some(json!(["a"])));
        assert_eq!(layers[2].author.as_deref(), Some("me"));
        assert_eq!(layers[2].comment.as_deref(), Some("buildkit"));
        assert_eq!(layers[2].blob_digest, "sha256:bb");
    }

    #[test]
    fn without_history_the_config_describes_the_last_layer() {
        let config =
            json!({"created": "2020-01-01T00:00:00Z", "author": "a", "config": {"Cmd": ["sh"]}});
        let layers = describe(&manifest(), Some(&config));
        assert_eq!(layers.len(), 2);
        assert_eq!(layers[0].command, None);
        assert_eq!(layers[1].command, Some(json!([["sh"]])));
        assert_eq!(layers[1].author.as_deref(), Some("a"));
        let bare = describe(&manifest(), None);
        assert!(bare
            .iter()
            .all(|l| l.command.is_none() && l.created.is_none()));
    }
}
