-- Repository mirrors (Quay's repomirrorconfig and its tag rule): where the repository copies
-- from (`host[:port]/path`), with which credentials (encrypted with the stored-secret key),
-- which tags (glob patterns, a JSON array), as which robot, and the schedule: the next start
-- (`sync_start_ms`, on the grid start + k * interval), the running sync's lease
-- (`sync_expiration_ms`), retries left and Quay's status names.
CREATE TABLE repository_mirrors (
    repository_id BIGINT PRIMARY KEY REFERENCES repositories (id) ON DELETE CASCADE,
    is_enabled BIGINT NOT NULL DEFAULT 1,
    external_reference TEXT NOT NULL,
    username_encrypted TEXT,
    password_encrypted TEXT,
    external_registry_config TEXT NOT NULL DEFAULT '{}',
    verify_tls BIGINT NOT NULL DEFAULT 1,
    sync_interval_s BIGINT NOT NULL,
    sync_start_ms BIGINT,
    sync_expiration_ms BIGINT,
    sync_retries_remaining BIGINT NOT NULL DEFAULT 3,
    sync_status TEXT NOT NULL DEFAULT 'NEVER_RUN',
    tag_patterns TEXT NOT NULL,
    robot_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    skopeo_timeout_s BIGINT NOT NULL DEFAULT 300,
    created_ms BIGINT NOT NULL
);
CREATE INDEX repository_mirrors_due ON repository_mirrors (sync_start_ms);
