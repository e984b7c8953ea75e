-- Files dropped for builds (`POST /api/v1/filedrop/`, then `PUT /userfiles/<id>`): once
-- stored, the bytes are a blob, kept while the file names it.
CREATE TABLE user_files (
    id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    blob_id BIGINT REFERENCES blobs (id),
    created_ms BIGINT NOT NULL
);
CREATE INDEX user_files_blob ON user_files (blob_id);
-- Repository builds (core-api.md §5, superuser-api.md §11).
CREATE TABLE builds (
    uuid TEXT PRIMARY KEY,
    repository_id BIGINT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    phase TEXT NOT NULL,
    started_ms BIGINT NOT NULL,
    display_name TEXT NOT NULL,
    resource_key TEXT,
    job_config TEXT NOT NULL,
    pull_robot TEXT,
    error TEXT
);
CREATE INDEX builds_repository_started ON builds (repository_id, started_ms);
-- Each build's log, in order.
CREATE TABLE build_log_entries (
    build_uuid TEXT NOT NULL REFERENCES builds (uuid) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (build_uuid, seq)
);
