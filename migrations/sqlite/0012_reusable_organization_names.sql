-- A deleted organization's name is free at once, so one name may be marked deleted more than
-- once; only deleted users keep their name reserved (checked in queries, not by uniqueness).
CREATE TABLE deleted_namespaces_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    original_username TEXT NOT NULL,
    original_email TEXT NOT NULL,
    marked_ms INTEGER NOT NULL
);
INSERT INTO deleted_namespaces_new (id, account_id, original_username, original_email, marked_ms)
    SELECT id, account_id, original_username, original_email, marked_ms FROM deleted_namespaces;
DROP TABLE deleted_namespaces;
ALTER TABLE deleted_namespaces_new RENAME TO deleted_namespaces;
CREATE INDEX deleted_namespaces_original_username ON deleted_namespaces (original_username);
