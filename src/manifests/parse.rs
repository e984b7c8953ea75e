//! Manifest documents (core-api.md §2.8): the four accepted media types, the references a
//! manifest makes (config and layers, child manifests, subject), and tag/digest references.

use serde::Deserialize;

use crate::blobs::Digest;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// An image manifest names blobs; a list (index) names other manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ManifestKind {
    Image,
    List,
}

/// The kind of a supported manifest media type (parameters ignored).
fn kind_of(media_type: &str) -> Option<ManifestKind> {
    match essence(media_type) {
        OCI_MANIFEST | DOCKER_MANIFEST => Some(ManifestKind::Image),
        OCI_INDEX | DOCKER_MANIFEST_LIST => Some(ManifestKind::List),
        _ => None,
    }
}

/// A media type without its parameters.
pub fn essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or("").trim()
}

/// What a valid manifest references.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedManifest {
    pub media_type: &'static str,
    /// An image's config, with the size the manifest declares for it.
    pub config: Option<(Digest, i64)>,
    /// Layers that must be stored in the repository (foreign layers with `urls` excluded),
    /// with the sizes the manifest declares for them.
    pub layers: Vec<(Digest, i64)>,
    pub children: Vec<Digest>,
    pub subject: Option<Digest>,
    pub artifact_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("manifest schema version not supported")]
    UnsupportedMediaType,
    #[error("failed to parse manifest: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    schema_version: i64,
    media_type: Option<String>,
    artifact_type: Option<String>,
    config: Option<Descriptor>,
    layers: Option<Vec<Descriptor>>,
    manifests: Option<Vec<Descriptor>>,
    subject: Option<Descriptor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    media_type: String,
    digest: String,
    size: i64,
    #[serde(default)]
    urls: Vec<String>,
}

impl Descriptor {
    fn digest(&self) -> Result<Digest, ParseError> {
        // Any `type/subtype(+suffix)` is accepted (artifacts bring their own types).
        if !self
            .media_type
            .split_once('/')
            .is_some_and(|(t, s)| !t.is_empty() && !s.is_empty())
        {
            return Err(ParseError::Invalid(format!(
                "invalid mediaType {:?}",
                self.media_type
            )));
        }
        if self.size < 0 {
            return Err(ParseError::Invalid(format!(
                "negative size for {}",
                self.digest
            )));
        }
        Digest::parse(&self.digest).map_err(|e| ParseError::Invalid(e.to_string()))
    }
}

/// Validates `bytes` as a manifest of `content_type`.
pub fn parse_manifest(content_type: &str, bytes: &[u8]) -> Result<ParsedManifest, ParseError> {
    let media_type = [
        OCI_MANIFEST,
        OCI_INDEX,
        DOCKER_MANIFEST,
        DOCKER_MANIFEST_LIST,
    ]
    .into_iter()
    .find(|t| *t == essence(content_type))
    .ok_or(ParseError::UnsupportedMediaType)?;
    let invalid = |text: &str| ParseError::Invalid(text.to_owned());
    let document: Document =
        serde_json::from_slice(bytes).map_err(|e| ParseError::Invalid(e.to_string()))?;
    if document.schema_version != 2 {
        return Err(invalid("schemaVersion must be 2"));
    }
    match document.media_type.as_deref() {
        Some(declared) if declared != media_type => {
            return Err(invalid(&format!(
                "mediaType {declared} does not match Content-Type {media_type}"
            )))
        }
        // Docker's formats require the field; OCI's make it optional.
        None if matches!(media_type, DOCKER_MANIFEST | DOCKER_MANIFEST_LIST) => {
            return Err(invalid("missing mediaType"))
        }
        _ => {}
    }
    let subject = document
        .subject
        .as_ref()
        .map(Descriptor::digest)
        .transpose()?;
    let (config, layers, children) = match kind_of(media_type) {
        Some(ManifestKind::Image) => {
            let config = document
                .config
                .as_ref()
                .ok_or_else(|| invalid("missing config"))?;
            let layers = document
                .layers
                .as_ref()
                .ok_or_else(|| invalid("missing layers"))?;
            let mut stored = Vec::with_capacity(layers.len());
            for layer in layers {
                let digest = layer.digest()?;
                if layer.urls.is_empty() {
                    stored.push((digest, layer.size));
                }
            }
            (Some((config.digest()?, config.size)), stored, Vec::new())
        }
        _ => {
            let manifests = document
                .manifests
                .as_ref()
                .ok_or_else(|| invalid("missing manifests"))?;
            (
                None,
                Vec::new(),
                manifests
                    .iter()
                    .map(Descriptor::digest)
                    .collect::<Result<Vec<_>, _>>()?,
            )
        }
    };
    Ok(ParsedManifest {
        media_type,
        config,
        layers,
        children,
        subject,
        artifact_type: document.artifact_type,
    })
}

/// The `<reference>` of a manifest URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Tag(String),
    Digest(Digest),
}

/// As written in a URL.
impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reference::Tag(tag) => f.write_str(tag),
            Reference::Digest(digest) => write!(f, "{digest}"),
        }
    }
}

/// A tag (`[\w][\w.-]{0,127}`) or a digest; None for anything else.
pub fn parse_reference(text: &str) -> Option<Reference> {
    if text.contains(':') {
        return Digest::parse(text).ok().map(Reference::Digest);
    }
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = text.chars();
    let valid = chars.next().is_some_and(word)
        && text.len() <= 128
        && chars.all(|c| word(c) || c == '.' || c == '-');
    valid.then(|| Reference::Tag(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    fn image(extra: &str) -> String {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"a/b","digest":"{D1}","size":2}},
            "layers":[{{"mediaType":"a/c","digest":"{D2}","size":3}},{{"mediaType":"a/c","digest":"{D1}","size":3,"urls":["http://x"]}}]{extra}}}"#
        )
    }

    #[test]
    fn image_manifest() {
        let parsed = parse_manifest(OCI_MANIFEST, image("").as_bytes()).unwrap();
        assert_eq!(parsed.config, Some((Digest::parse(D1).unwrap(), 2)));
        assert_eq!(parsed.layers, vec![(Digest::parse(D2).unwrap(), 3)]);
        assert!(parsed.children.is_empty() && parsed.subject.is_none());
        let with_subject = image(&format!(
            r#","subject":{{"mediaType":"x/y","digest":"{D2}","size":1}}"#
        ));
        assert_eq!(
            parse_manifest(OCI_MANIFEST, with_subject.as_bytes())
                .unwrap()
                .subject,
            Digest::parse(D2).ok()
        );
    }

    #[test]
    fn index_and_errors() {
        let index = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{D1}","size":5}}]}}"#
        );
        let parsed =
            parse_manifest(&format!("{OCI_INDEX}; charset=utf-8"), index.as_bytes()).unwrap();
        assert_eq!(parsed.children, vec![Digest::parse(D1).unwrap()]);
        assert_eq!(
            parse_manifest("application/json", b"{}"),
            Err(ParseError::UnsupportedMediaType)
        );
        assert!(matches!(
            parse_manifest(OCI_MANIFEST, b"not json"),
            Err(ParseError::Invalid(_))
        ));
        assert!(matches!(
            parse_manifest(OCI_INDEX, image("").as_bytes()),
            Err(ParseError::Invalid(_))
        ));
        assert!(matches!(
            parse_manifest(DOCKER_MANIFEST_LIST, index.as_bytes()),
            Err(ParseError::Invalid(_))
        ));
        let bad_digest = image("").replace(D2, "sha256:zz");
        assert!(matches!(
            parse_manifest(OCI_MANIFEST, bad_digest.as_bytes()),
            Err(ParseError::Invalid(_))
        ));
    }

    #[test]
    fn references() {
        assert_eq!(
            parse_reference("latest"),
            Some(Reference::Tag("latest".into()))
        );
        assert_eq!(
            parse_reference("v1.0-rc_2"),
            Some(Reference::Tag("v1.0-rc_2".into()))
        );
        assert_eq!(
            parse_reference(D1),
            Some(Reference::Digest(Digest::parse(D1).unwrap()))
        );
        assert_eq!(parse_reference(".hidden"), None);
        assert_eq!(parse_reference(&"a".repeat(129)), None);
        assert_eq!(parse_reference("sha256:nothex"), None);
        assert_eq!(parse_reference(""), None);
    }
}
