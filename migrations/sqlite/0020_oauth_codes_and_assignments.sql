-- Authorization codes of the code grant: a plain lookup prefix and the SHA-256 of the rest.
-- A code is exchanged once, for the scope and redirect it was issued with, before it expires.
CREATE TABLE oauth_authorization_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    authorized_user_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_prefix TEXT NOT NULL UNIQUE,
    code_digest TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);
CREATE INDEX oauth_authorization_codes_expiry ON oauth_authorization_codes (expires_ms);

-- Tokens an organization admin assigned to a user, waiting for the user to authorize them.
CREATE TABLE oauth_assigned_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    application_id INTEGER NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    assigned_user_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    response_type TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX oauth_assigned_tokens_user ON oauth_assigned_tokens (assigned_user_id);

-- An application's tokens are listed newest first.
CREATE INDEX oauth_access_tokens_application ON oauth_access_tokens (application_id, id);
-- The sweep looks for app-specific tokens long expired.
CREATE INDEX app_specific_tokens_expiry ON app_specific_tokens (expires_ms);
