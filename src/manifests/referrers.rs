//! The referrers of a manifest (core-api.md §2.10): manifests whose `subject` names it. As the
//! OCI spec asks (and unlike Quay), an unknown subject has an empty list, and a referrer's
//! artifact type falls back to its config's media type.

use serde_json::Value;

use super::Result;
use crate::app::App;
use crate::blobs::Digest;
use crate::db::{self, registry::ReferrerRow};
use crate::repositories::Repository;

/// One descriptor of the referrers index.
#[derive(Debug, Clone, PartialEq)]
pub struct Referrer {
    pub media_type: String,
    pub digest: String,
    pub size: i64,
    pub artifact_type: Option<String>,
    pub annotations: Option<Value>,
}

impl From<ReferrerRow> for Referrer {
    fn from(row: ReferrerRow) -> Self {
        let document: Value = serde_json::from_str(&row.content).unwrap_or(Value::Null);
        let config_type = document
            .pointer("/config/mediaType")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Referrer {
            media_type: row.media_type,
            digest: row.digest,
            size: row.size,
            artifact_type: row.artifact_type.or(config_type),
            annotations: document
                .get("annotations")
                .filter(|a| a.is_object())
                .cloned(),
        }
    }
}

/// The referrers of `subject` in `repo`, only those of `artifact_type` when given.
pub async fn list_referrers(
    app: &App,
    repo: &Repository,
    subject: &Digest,
    artifact_type: Option<&str>,
) -> Result<Vec<Referrer>> {
    let mut conn = app.db.reader().await?;
    let rows = db::registry::list_referrers(&mut conn, repo.id, &subject.to_string(), db::now_ms())
        .await?;
    Ok(rows
        .into_iter()
        .map(Referrer::from)
        .filter(|r| artifact_type.is_none_or(|wanted| r.artifact_type.as_deref() == Some(wanted)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_type_falls_back_to_the_config() {
        let row = |artifact_type: Option<&str>| ReferrerRow {
            digest: "sha256:ab".into(),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            artifact_type: artifact_type.map(str::to_owned),
            size: 10,
            content: r#"{"config":{"mediaType":"application/x-sbom"},"annotations":{"a":"b"}}"#
                .into(),
        };
        let referrer = Referrer::from(row(None));
        assert_eq!(
            referrer.artifact_type.as_deref(),
            Some("application/x-sbom")
        );
        assert_eq!(referrer.annotations, Some(serde_json::json!({"a": "b"})));
        assert_eq!(
            Referrer::from(row(Some("application/x-sig")))
                .artifact_type
                .as_deref(),
            Some("application/x-sig")
        );
    }
}
