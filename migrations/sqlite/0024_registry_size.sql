-- The last completed registry size calculation (superuser-api.md §8): at most one row, written
-- by the registry_size job. Whether a calculation is queued or running is the job queue's state.
CREATE TABLE registry_size (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    size_bytes INTEGER NOT NULL,
    completed_ms INTEGER NOT NULL
);
