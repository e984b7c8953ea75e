-- Namespace quotas (superuser-api.md §4.4, §9, §10): at most one per namespace, with its
-- Warning and Reject limits.
CREATE TABLE quotas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace_id INTEGER NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    limit_bytes INTEGER NOT NULL
);
CREATE TABLE quota_limits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    quota_id INTEGER NOT NULL REFERENCES quotas (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    percent INTEGER NOT NULL,
    UNIQUE (quota_id, kind, percent)
);
-- Each blob the manifests of a repository name, once per repository, with how many of its
-- manifests name it. Repository and namespace sizes are kept from these rows, in the same
-- transaction as the manifests that change them.
CREATE TABLE counted_blobs (
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    blob_id INTEGER NOT NULL,
    namespace_id INTEGER NOT NULL,
    manifests INTEGER NOT NULL,
    PRIMARY KEY (repository_id, blob_id)
);
CREATE INDEX counted_blobs_namespace ON counted_blobs (namespace_id, blob_id);
-- A namespace's size: its distinct counted blobs. `warned` is set once a push took it over a
-- Warning threshold (logged once), cleared when a push finds it under again.
CREATE TABLE namespace_sizes (
    namespace_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    size_bytes INTEGER NOT NULL,
    warned INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE repositories ADD COLUMN size_bytes INTEGER NOT NULL DEFAULT 0;

INSERT INTO counted_blobs (repository_id, blob_id, namespace_id, manifests)
SELECT m.repository_id, mb.blob_id, r.namespace_id, COUNT(*)
FROM manifest_blobs mb
JOIN manifests m ON m.id = mb.manifest_id
JOIN repositories r ON r.id = m.repository_id
GROUP BY m.repository_id, mb.blob_id, r.namespace_id;
UPDATE repositories SET size_bytes = COALESCE((SELECT SUM(b.size) FROM counted_blobs c
    JOIN blobs b ON b.id = c.blob_id WHERE c.repository_id = repositories.id), 0);
INSERT INTO namespace_sizes (namespace_id, size_bytes)
SELECT c.namespace_id, SUM(b.size)
FROM (SELECT DISTINCT namespace_id, blob_id FROM counted_blobs) c
JOIN blobs b ON b.id = c.blob_id
GROUP BY c.namespace_id;
