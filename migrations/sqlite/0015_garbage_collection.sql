-- The garbage collector's scans (core-api.md §6.5): ended tag rows, expired upload links and
-- abandoned upload sessions are found by time.
CREATE INDEX tags_lifetime_end ON tags (lifetime_end_ms) WHERE lifetime_end_ms IS NOT NULL;
CREATE INDEX uploaded_blobs_expires ON uploaded_blobs (expires_ms);
CREATE INDEX uploads_updated ON uploads (updated_ms);
