-- A tag row made by a time-machine restore.
ALTER TABLE tags ADD COLUMN reversion INTEGER NOT NULL DEFAULT 0;
