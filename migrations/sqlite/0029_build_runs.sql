-- Builds are their own queue. A worker claims a build with a fresh secret: its SHA-256 is both
-- the registry credential of that run (`$token`) and the fence on every change the run makes;
-- the worker renews its lease while the build runs, and a build whose lease lapses is taken
-- again while attempts remain.
ALTER TABLE builds ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE builds ADD COLUMN lease_until_ms INTEGER;
ALTER TABLE builds ADD COLUMN token_hash TEXT;
CREATE INDEX builds_phase_started ON builds (phase, started_ms);
CREATE UNIQUE INDEX builds_token_hash ON builds (token_hash);
-- A file names the repository of the first build that used it: another repository's build may
-- use it only if its requester may write there too.
CREATE INDEX builds_resource_key ON builds (resource_key);
-- A build view's `error` is Quay's: why the build's log store could not be read, never stored.
ALTER TABLE builds DROP COLUMN error;
