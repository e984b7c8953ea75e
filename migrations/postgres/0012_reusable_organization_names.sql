-- A deleted organization's name is free at once, so one name may be marked deleted more than
-- once; only deleted users keep their name reserved (checked in queries, not by uniqueness).
ALTER TABLE deleted_namespaces DROP CONSTRAINT deleted_namespaces_original_username_key;
CREATE INDEX deleted_namespaces_original_username ON deleted_namespaces (original_username);
