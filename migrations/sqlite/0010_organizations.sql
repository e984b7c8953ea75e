-- Organization teams; every organization has an "owners" team with the admin role.
CREATE TABLE teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (organization_id, name)
);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, account_id)
);
CREATE INDEX team_members_account ON team_members (account_id);

ALTER TABLE accounts ADD COLUMN invoice_email INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN invoice_email_address TEXT;

