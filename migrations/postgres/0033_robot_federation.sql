-- Robot identity federation: the (issuer, subject) pairs whose OIDC tokens a workload may
-- exchange for the robot's credentials, as a JSON array; and the short-lived credentials
-- such an exchange hands out (stored hashed, valid until expires_ms).
ALTER TABLE robots ADD COLUMN federation TEXT NOT NULL DEFAULT '[]';
CREATE TABLE robot_exchanged_tokens (
    token_hash TEXT PRIMARY KEY,
    robot_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX robot_exchanged_tokens_expiry ON robot_exchanged_tokens (expires_ms);
