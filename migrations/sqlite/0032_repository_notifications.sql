-- Repository notifications (Quay's `repositorynotification`): an event of the repository
-- (repo_push, build_*, ...) delivered by a method (webhook, slack) with its configuration.
-- Deliveries run as jobs; number_of_failures counts failed ones since the last success.
CREATE TABLE repository_notifications (
    uuid TEXT PRIMARY KEY,
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    title TEXT,
    event TEXT NOT NULL,
    method TEXT NOT NULL,
    config TEXT NOT NULL,
    event_config TEXT NOT NULL,
    number_of_failures INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);
CREATE INDEX repository_notifications_event ON repository_notifications (repository_id, event);
