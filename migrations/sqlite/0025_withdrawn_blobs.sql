-- Blobs that DELETE /v2/<name>/blobs/<digest> withdrew from a repository while one of its
-- manifests still names them: the repository no longer serves them until they are uploaded
-- or mounted again (OCI distribution spec; superuser-api.md decision 13).
CREATE TABLE withdrawn_blobs (
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    blob_id INTEGER NOT NULL REFERENCES blobs (id) ON DELETE CASCADE,
    PRIMARY KEY (repository_id, blob_id)
);
