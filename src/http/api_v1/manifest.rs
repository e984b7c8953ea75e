//! A repository's manifests and their labels (core-api.md §3.5), reached through the
//! repository dispatcher: `manifest/{digest}[/labels[/{id}]]`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::AppState;
use crate::db::{labels::LabelRow, registry::ManifestRow};
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson, QueryParams, Read, RepositoryAccess, Write};
use crate::http::json::Restful;
use crate::http::views::rfc2822;
use crate::manifests::{self, Layer, ManifestDetails};
use crate::repositories::labels;

#[derive(Debug, Serialize)]
pub struct LayerView {
    index: usize,
    compressed_size: Option<i64>,
    is_remote: bool,
    urls: Option<Vec<String>>,
    command: Option<Value>,
    comment: Option<String>,
    author: Option<String>,
    blob_digest: String,
    created_datetime: Option<String>,
}

impl LayerView {
    fn new(index: usize, layer: Layer) -> LayerView {
        LayerView {
            index,
            compressed_size: layer.compressed_size,
            is_remote: layer.is_remote,
            urls: layer.urls,
            command: layer.command,
            comment: layer.comment,
            author: layer.author,
            blob_digest: layer.blob_digest,
            created_datetime: layer.created.map(|d| rfc2822(d.timestamp_millis())),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ManifestView {
    digest: String,
    is_manifest_list: bool,
    manifest_data: String,
    config_media_type: Option<String>,
    layers_compressed_size: i64,
    layers: Option<Vec<LayerView>>,
}

impl ManifestView {
    fn new(manifest: ManifestRow, details: ManifestDetails) -> ManifestView {
        ManifestView {
            digest: manifest.digest,
            is_manifest_list: details.layers.is_none(),
            config_media_type: details.config_media_type,
            layers_compressed_size: details.layers_compressed_size,
            layers: details.layers.map(|layers| {
                layers
                    .into_iter()
                    .enumerate()
                    .map(|(index, layer)| LayerView::new(index, layer))
                    .collect()
            }),
            manifest_data: manifest.content,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct LabelView {
    id: String,
    key: String,
    value: String,
    source_type: String,
    media_type: String,
}

impl From<LabelRow> for LabelView {
    fn from(row: LabelRow) -> Self {
        LabelView {
            id: row.uuid,
            key: row.label_key,
            value: row.label_value,
            source_type: row.source_type,
            media_type: row.media_type,
        }
    }
}

/// The `{manifestref}` of a manifest path.
#[derive(Debug, Deserialize)]
pub struct ManifestPath {
    manifestref: String,
}

/// The `{manifestref}` and `{labelid}` of a label path.
#[derive(Debug, Deserialize)]
pub struct LabelPath {
    manifestref: String,
    labelid: String,
}

/// GET /api/v1/repository/{repository}/manifest/{manifestref} (getRepoManifest) [repo:read]
pub async fn get_manifest(
    State(app): State<AppState>,
    RepositoryAccess { repo, .. }: RepositoryAccess<Read>,
    Path(ManifestPath { manifestref }): Path<ManifestPath>,
) -> Result<Restful<ManifestView>, ApiError> {
    let manifest = labels::find_manifest(&app, &repo, &manifestref).await?;
    let details = manifests::describe_manifest(&app, &manifest).await;
    Ok(Restful(
        StatusCode::OK,
        ManifestView::new(manifest, details),
    ))
}

#[derive(Debug, Serialize)]
pub struct LabelListView {
    labels: Vec<LabelView>,
}

/// GET .../manifest/{manifestref}/labels (listManifestLabels) [repo:read]
pub async fn list_labels(
    State(app): State<AppState>,
    RepositoryAccess { repo, .. }: RepositoryAccess<Read>,
    Path(ManifestPath { manifestref }): Path<ManifestPath>,
    query: QueryParams,
) -> Result<Restful<LabelListView>, ApiError> {
    let manifest = labels::find_manifest(&app, &repo, &manifestref).await?;
    let rows = labels::list_labels(&app, &manifest, query.string("filter").unwrap_or("")).await?;
    Ok(Restful(
        StatusCode::OK,
        LabelListView {
            labels: rows.into_iter().map(Into::into).collect(),
        },
    ))
}

/// GET .../manifest/{manifestref}/labels/{labelid} (getManifestLabel) [repo:read]
pub async fn get_label(
    State(app): State<AppState>,
    RepositoryAccess { repo, .. }: RepositoryAccess<Read>,
    Path(LabelPath {
        manifestref,
        labelid,
    }): Path<LabelPath>,
) -> Result<Restful<LabelView>, ApiError> {
    let manifest = labels::find_manifest(&app, &repo, &manifestref).await?;
    Ok(Restful(
        StatusCode::OK,
        labels::get_label(&app, &manifest, &labelid).await?.into(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct AddLabelBody {
    #[serde(deserialize_with = "key")]
    key: Option<String>,
    #[serde(deserialize_with = "value")]
    value: Option<String>,
    #[serde(default)]
    media_type: Option<String>,
}

fn key<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "key")
}
fn value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "value")
}

#[derive(Debug, Serialize)]
pub struct AddedLabelView {
    label: LabelView,
}

/// POST .../manifest/{manifestref}/labels (addManifestLabel) [repo:write]: 201 with `Location`.
pub async fn add_label(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Write>,
    Path(ManifestPath { manifestref }): Path<ManifestPath>,
    QuayJson(body): QuayJson<AddLabelBody>,
) -> Result<Response, ApiError> {
    let manifest = labels::find_manifest(&app, &repo, &manifestref).await?;
    let key = body.key.unwrap_or_default();
    let value = body.value.unwrap_or_default();
    let label = labels::add_label(
        &app,
        &caller.actor(),
        &repo,
        &manifest,
        &key,
        &value,
        body.media_type.as_deref(),
    )
    .await?;
    let location = format!(
        "{}/api/v1/repository/{}/manifest/{}/labels/{}",
        app.config.app_url(),
        repo.full_name(),
        manifest.digest,
        label.uuid
    );
    let mut response = Restful(
        StatusCode::CREATED,
        AddedLabelView {
            label: label.into(),
        },
    )
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// DELETE .../manifest/{manifestref}/labels/{labelid} (deleteManifestLabel) [repo:write]
pub async fn delete_label(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Write>,
    Path(LabelPath {
        manifestref,
        labelid,
    }): Path<LabelPath>,
) -> Result<StatusCode, ApiError> {
    let manifest = labels::find_manifest(&app, &repo, &manifestref).await?;
    labels::delete_label(&app, &caller.actor(), &repo, &manifest, &labelid).await?;
    Ok(StatusCode::NO_CONTENT)
}
