-- Requested usage-log exports; the file is produced when it is downloaded.
CREATE TABLE log_exports (
    id TEXT PRIMARY KEY,
    account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    repository_id INTEGER REFERENCES repositories (id) ON DELETE CASCADE,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
