-- Labels on manifests: added through the API or taken from the image configuration.
CREATE TABLE manifest_labels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    manifest_id INTEGER NOT NULL REFERENCES manifests (id) ON DELETE CASCADE,
    label_key TEXT NOT NULL,
    label_value TEXT NOT NULL,
    source_type TEXT NOT NULL,
    media_type TEXT NOT NULL
);
CREATE INDEX manifest_labels_manifest ON manifest_labels (manifest_id, label_key);
