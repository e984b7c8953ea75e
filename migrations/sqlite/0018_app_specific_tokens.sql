-- Personal "CLI passwords" (`podman login -u '$app'`): a plain lookup prefix and the
-- encrypted secret, so that the owner can see the whole token again.
CREATE TABLE app_specific_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    token_prefix TEXT NOT NULL UNIQUE,
    token_secret TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER,
    last_accessed_ms INTEGER
);
CREATE INDEX app_specific_tokens_account ON app_specific_tokens (account_id, created_ms);
