-- Requested usage-log exports; the file is produced when it is downloaded.
CREATE TABLE log_exports (
    id TEXT PRIMARY KEY,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    repository_id BIGINT REFERENCES repositories (id) ON DELETE CASCADE,
    start_ms BIGINT NOT NULL,
    end_ms BIGINT NOT NULL,
    created_ms BIGINT NOT NULL
);
