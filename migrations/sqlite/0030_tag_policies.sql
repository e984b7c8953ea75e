-- An immutable tag cannot be moved, overwritten, deleted or expired (Quay's tag.immutable):
-- set by hand, by an immutability policy, or by the manifest label quay.immutable.
ALTER TABLE tags ADD COLUMN immutable INTEGER NOT NULL DEFAULT 0;
-- Immutability policies of a namespace (repository_id NULL) or of one repository: tags whose
-- names fully match tag_pattern (or do not, with tag_pattern_matches 0) become immutable.
CREATE TABLE immutability_policies (
    uuid TEXT PRIMARY KEY,
    namespace_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    repository_id INTEGER REFERENCES repositories (id) ON DELETE CASCADE,
    tag_pattern TEXT NOT NULL,
    tag_pattern_matches INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX immutability_policies_scope ON immutability_policies (namespace_id, repository_id);
-- Auto-prune policies of a namespace or of one repository: keep the newest value tags
-- (number_of_tags) or end tags older than value (creation_date, e.g. "2w"); value is JSON.
CREATE TABLE autoprune_policies (
    uuid TEXT PRIMARY KEY,
    namespace_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    repository_id INTEGER REFERENCES repositories (id) ON DELETE CASCADE,
    method TEXT NOT NULL,
    value TEXT NOT NULL,
    tag_pattern TEXT,
    tag_pattern_matches INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX autoprune_policies_scope ON autoprune_policies (namespace_id, repository_id);
