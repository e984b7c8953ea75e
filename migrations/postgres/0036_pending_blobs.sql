-- Layers of images a proxy-cache organization has cached but not fetched yet: a cached
-- manifest is stored once its config is, and each of its layers arrives on its first pull,
-- streamed to the client while it is stored; it is then linked to the manifests that name it
-- (and counted in the quota) and its rows here go.
CREATE TABLE pending_blobs (
    manifest_id BIGINT NOT NULL REFERENCES manifests (id) ON DELETE CASCADE,
    repository_id BIGINT NOT NULL,
    digest TEXT NOT NULL,
    size BIGINT NOT NULL,
    PRIMARY KEY (manifest_id, digest)
);
CREATE INDEX pending_blobs_digest ON pending_blobs (repository_id, digest);
