-- The architectures a mirror copies from multi-architecture images (Quay's
-- `architecture_filter`, a JSON array; empty: all of them).
ALTER TABLE repository_mirrors ADD COLUMN architecture_filter TEXT NOT NULL DEFAULT '[]';
