-- Proxy-cache organizations (Quay's proxycacheconfig): the upstream registry an
-- organization caches, as `host[:port][/namespace]`, its credentials (encrypted with the
-- stored-secret key), how long a cached tag lives unless pulled again (NULL: for ever), and
-- whether the upstream speaks plain HTTP. One per organization.
CREATE TABLE proxy_cache_configs (
    namespace_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    upstream_registry TEXT NOT NULL,
    username_encrypted TEXT,
    password_encrypted TEXT,
    expiration_s BIGINT,
    insecure BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL
);
