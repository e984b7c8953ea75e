-- Repositories a user has starred.
CREATE TABLE stars (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    repository_id BIGINT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (account_id, repository_id)
);
CREATE INDEX stars_repository ON stars (repository_id);
CREATE INDEX repositories_public ON repositories (public, id);
