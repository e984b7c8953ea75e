-- Robot accounts are `accounts` rows (robot = 1, named `<owner>+<short>`); this holds what only
-- robots have. The token is stored encrypted so that admins can display it again.
CREATE TABLE robots (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    owner_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    unstructured_metadata TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX robots_owner ON robots (owner_id);

-- Repository roles granted to a team; user and robot grants live in repository_permissions.
CREATE TABLE repository_team_permissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    UNIQUE (repository_id, team_id)
);
CREATE INDEX repository_team_permissions_team ON repository_team_permissions (team_id);

-- Default permissions: when `activating_user_id` (anyone when NULL) creates a repository in the
-- organization, the delegate (a user/robot or a team) gets `role` on it.
CREATE TABLE permission_prototypes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    activating_user_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    delegate_user_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    delegate_team_id INTEGER REFERENCES teams (id) ON DELETE CASCADE,
    role TEXT NOT NULL
);
CREATE INDEX permission_prototypes_organization ON permission_prototypes (organization_id, id);
