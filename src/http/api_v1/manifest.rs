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
use crate::manifests::{DOCKER_MANIFEST_LIST, OCI_INDEX};
use crate::repositories::labels;

#[derive(Debug, Serialize)]
pub struct LayerView {
    index: usize,
    compressed_size: Option<i64>,
    is_remote: bool,
    urls: Option<Vec<String>>,
    command: Option<String>,
    comment: Option<String>,
    author: Option<String>,
    blob_digest: Option<String>,
    created_datetime: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ManifestView {
    digest: String,
    is_manifest_list: bool,
    manifest_data: String,
    config_media_type: Option<String>,
    layers_compressed_size: Option<i64>,
    layers: Option<Vec<LayerView>>,
}

impl ManifestView {
    fn new(manifest: ManifestRow) -> ManifestView {
        let is_list = [OCI_INDEX, DOCKER_MANIFEST_LIST].contains(&manifest.media_type.as_str());
        let parsed: Value = serde_json::from_str(&manifest.content).unwrap_or(Value::Null);
        let layers = (!is_list).then(|| {
            parsed["layers"]
                .as_array()
                .map(|layers| {
                    layers
                        .iter()
                        .enumerate()
                        .map(|(index, layer)| {
                            let urls: Option<Vec<String>> = layer["urls"].as_array().map(|u| {
                                u.iter()
                                    .filter_map(|x| x.as_str().map(str::to_owned))
                                    .collect()
                            });
                            LayerView {
                                index,
                                compressed_size: layer["size"].as_i64(),
                                is_remote: urls.is_some(),
                                urls,
                                command: None,
                                comment: None,
                                author: None,
                                blob_digest: layer["digest"].as_str().map(str::to_owned),
                                created_datetime: None,
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        });
        ManifestView {
            digest: manifest.digest,
            is_manifest_list: is_list,
            config_media_type: parsed["config"]["mediaType"].as_str().map(str::to_owned),
            layers_compressed_size: layers
                .as_ref()
                .map(|l| l.iter().filter_map(|x| x.compressed_size).sum()),
            layers,
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
    Ok(Restful(StatusCode::OK, ManifestView::new(manifest)))
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
