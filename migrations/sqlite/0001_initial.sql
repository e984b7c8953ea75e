-- Accounts: users, organizations and robots share one table, as in Quay.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    password_hash TEXT,
    verified INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    organization INTEGER NOT NULL DEFAULT 0,
    robot INTEGER NOT NULL DEFAULT 0,
    superuser INTEGER NOT NULL DEFAULT 0,
    tag_expiration_s INTEGER NOT NULL,
    invalid_login_attempts INTEGER NOT NULL DEFAULT 0,
    last_invalid_login_ms INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_email_non_org ON accounts (email) WHERE organization = 0;
CREATE INDEX accounts_kind ON accounts (organization, robot, id);

-- A deleted namespace keeps its original name reserved until its purge has finished.
CREATE TABLE deleted_namespaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    original_username TEXT NOT NULL UNIQUE,
    original_email TEXT NOT NULL,
    marked_ms INTEGER NOT NULL
);

-- Instance-wide generated secrets (SECRET_KEY, PAGE_TOKEN_KEY) when the config gives none.
CREATE TABLE instance_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE oauth_applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL UNIQUE,
    client_secret TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    application_uri TEXT NOT NULL DEFAULT '',
    redirect_uri TEXT NOT NULL DEFAULT '',
    avatar_email TEXT
);

-- Access tokens: a plain lookup prefix and the SHA-256 of the secret remainder.
CREATE TABLE oauth_access_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    application_id INTEGER NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    authorized_user_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    display_name TEXT,
    token_prefix TEXT NOT NULL UNIQUE,
    token_digest TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    last_accessed_ms INTEGER
);
CREATE INDEX oauth_access_tokens_user ON oauth_access_tokens (authorized_user_id);

CREATE TABLE service_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kid TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    jwk TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_ms INTEGER NOT NULL,
    expiration_ms INTEGER,
    rotation_duration_s INTEGER,
    approval_type TEXT,
    approver_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    approved_ms INTEGER,
    approval_notes TEXT
);

CREATE TABLE repositories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    public INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'image',
    state TEXT NOT NULL DEFAULT 'normal',
    created_ms INTEGER NOT NULL,
    UNIQUE (namespace_id, name)
);

CREATE TABLE repository_permissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    UNIQUE (repository_id, account_id)
);
CREATE INDEX repository_permissions_account ON repository_permissions (account_id);

-- Content-addressed blobs, shared across repositories.
CREATE TABLE blobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    digest TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);

-- A blob uploaded to or mounted into a repository, usable by manifests until it expires.
CREATE TABLE uploaded_blobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    blob_id INTEGER NOT NULL REFERENCES blobs (id),
    expires_ms INTEGER NOT NULL,
    UNIQUE (repository_id, blob_id)
);
CREATE INDEX uploaded_blobs_blob ON uploaded_blobs (blob_id);

CREATE TABLE uploads (
    uuid TEXT PRIMARY KEY,
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    byte_count INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);

CREATE TABLE manifests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    media_type TEXT NOT NULL,
    artifact_type TEXT,
    subject_digest TEXT,
    content TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    UNIQUE (repository_id, digest)
);
CREATE INDEX manifests_subject ON manifests (repository_id, subject_digest);

CREATE TABLE manifest_blobs (
    manifest_id INTEGER NOT NULL REFERENCES manifests (id) ON DELETE CASCADE,
    blob_id INTEGER NOT NULL REFERENCES blobs (id),
    PRIMARY KEY (manifest_id, blob_id)
);
CREATE INDEX manifest_blobs_blob ON manifest_blobs (blob_id);

CREATE TABLE manifest_children (
    manifest_id INTEGER NOT NULL REFERENCES manifests (id) ON DELETE CASCADE,
    child_manifest_id INTEGER NOT NULL REFERENCES manifests (id),
    PRIMARY KEY (manifest_id, child_manifest_id)
);
CREATE INDEX manifest_children_child ON manifest_children (child_manifest_id);

-- Tag rows have lifetimes: a retarget ends the old row and starts a new one (time machine).
CREATE TABLE tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    manifest_id INTEGER NOT NULL REFERENCES manifests (id),
    hidden INTEGER NOT NULL DEFAULT 0,
    lifetime_start_ms INTEGER NOT NULL,
    lifetime_end_ms INTEGER
);
CREATE UNIQUE INDEX tags_alive_name ON tags (repository_id, name) WHERE lifetime_end_ms IS NULL;
CREATE INDEX tags_repository_name ON tags (repository_id, name, lifetime_end_ms);
CREATE INDEX tags_manifest ON tags (manifest_id);

CREATE TABLE log_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    performer_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    repository_id INTEGER REFERENCES repositories (id) ON DELETE SET NULL,
    ip TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    datetime_ms INTEGER NOT NULL
);
CREATE INDEX log_entries_time ON log_entries (datetime_ms, id);
CREATE INDEX log_entries_account_time ON log_entries (account_id, datetime_ms, id);
CREATE INDEX log_entries_repository_time ON log_entries (repository_id, datetime_ms, id);
CREATE INDEX log_entries_performer_time ON log_entries (performer_id, datetime_ms, id);

-- Queued background work (namespace purges, size recalculation, builds).
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedup_key TEXT UNIQUE,
    attempts INTEGER NOT NULL DEFAULT 0,
    run_after_ms INTEGER NOT NULL,
    locked_until_ms INTEGER,
    created_ms INTEGER NOT NULL
);
CREATE INDEX jobs_ready ON jobs (run_after_ms);
