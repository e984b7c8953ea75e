-- When an account (a robot) last signed in, kept to the minute.
ALTER TABLE accounts ADD COLUMN last_accessed_ms INTEGER;
