//! OAuth scopes (core-api.md §1.9): parsing and implications.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u16);

impl Scopes {
    pub const REPO_READ: Scopes = Scopes(1);
    pub const REPO_WRITE: Scopes = Scopes(1 << 1);
    pub const REPO_ADMIN: Scopes = Scopes(1 << 2);
    pub const REPO_CREATE: Scopes = Scopes(1 << 3);
    pub const USER_READ: Scopes = Scopes(1 << 4);
    pub const USER_ADMIN: Scopes = Scopes(1 << 5);
    pub const ORG_ADMIN: Scopes = Scopes(1 << 6);
    pub const SUPER_USER: Scopes = Scopes(1 << 7);
    /// Session, password and app-token logins: full access, never grantable.
    pub const DIRECT_LOGIN: Scopes = Scopes(1 << 8);

    const NAMES: [(&'static str, Scopes); 8] = [
        ("repo:read", Scopes::REPO_READ),
        ("repo:write", Scopes::REPO_WRITE),
        ("repo:admin", Scopes::REPO_ADMIN),
        ("repo:create", Scopes::REPO_CREATE),
        ("user:read", Scopes::USER_READ),
        ("user:admin", Scopes::USER_ADMIN),
        ("org:admin", Scopes::ORG_ADMIN),
        ("super:user", Scopes::SUPER_USER),
    ];

    /// The name of a single grantable scope.
    pub fn name(self) -> Option<&'static str> {
        Self::NAMES
            .iter()
            .find(|(_, scope)| *scope == self)
            .map(|(name, _)| *name)
    }

    /// Every grantable scope, as `user/initialize` issues them.
    pub const ALL_SCOPE_STRING: &'static str =
        "org:admin repo:admin repo:create repo:read repo:write super:user user:admin user:read";

    /// Split on spaces or commas; a single unknown name empties the whole set (Quay).
    pub fn parse(text: &str) -> Scopes {
        let mut scopes = Scopes::default();
        for name in text.split([' ', ',']).filter(|n| !n.is_empty()) {
            match Self::NAMES.iter().find(|(n, _)| *n == name) {
                Some((_, scope)) => scopes.0 |= scope.0,
                None => return Scopes::default(),
            }
        }
        scopes
    }

    pub fn contains(self, other: Scopes) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn union(self, other: Scopes) -> Scopes {
        Scopes(self.0 | other.0)
    }

    /// With what each scope implies: `repo:admin` gives `repo:write`, which gives `repo:read`.
    pub fn implied(self) -> Scopes {
        let mut scopes = self;
        if scopes.contains(Scopes::REPO_ADMIN) {
            scopes = scopes.union(Scopes::REPO_WRITE);
        }
        if scopes.contains(Scopes::REPO_WRITE) {
            scopes = scopes.union(Scopes::REPO_READ);
        }
        scopes
    }

    /// Quay's `is_subset_string`: `self`, with its implications, covers all of `requested`.
    pub fn covers(self, requested: Scopes) -> bool {
        self != Scopes::default() && self.implied().contains(requested)
    }

    fn any(self, wanted: &[Scopes]) -> bool {
        self.contains(Scopes::DIRECT_LOGIN) || wanted.iter().any(|s| self.contains(*s))
    }

    /// `repo:admin` implies write, and write implies read.
    pub fn allows_repo_read(self) -> bool {
        self.any(&[Scopes::REPO_READ, Scopes::REPO_WRITE, Scopes::REPO_ADMIN])
    }

    pub fn allows_repo_write(self) -> bool {
        self.any(&[Scopes::REPO_WRITE, Scopes::REPO_ADMIN])
    }

    pub fn allows_repo_admin(self) -> bool {
        self.any(&[Scopes::REPO_ADMIN])
    }

    pub fn allows_user_read(self) -> bool {
        self.any(&[Scopes::USER_READ, Scopes::USER_ADMIN])
    }

    pub fn contains_user_admin(self) -> bool {
        self.any(&[Scopes::USER_ADMIN])
    }

    pub fn allows_superuser(self) -> bool {
        self.any(&[Scopes::SUPER_USER])
    }
}

/// What the consent page and the authorization views say about a scope.
#[derive(Debug, PartialEq, Eq)]
pub struct ScopeInfo {
    pub scope: &'static str,
    pub icon: &'static str,
    pub dangerous: bool,
    pub title: &'static str,
    pub description: &'static str,
}

pub const CATALOGUE: [ScopeInfo; 8] = [
    ScopeInfo {
        scope: "repo:read",
        icon: "fa-hdd-o",
        dangerous: false,
        title: "View all visible repositories",
        description: "This application will be able to view and pull all repositories visible \
                      to the granting user",
    },
    ScopeInfo {
        scope: "repo:write",
        icon: "fa-hdd-o",
        dangerous: false,
        title: "Read/Write to any accessible repositories",
        description: "This application will be able to view, push and pull to all \
                      repositories to which the granting user has write access",
    },
    ScopeInfo {
        scope: "repo:admin",
        icon: "fa-hdd-o",
        dangerous: false,
        title: "Administer Repositories",
        description: "This application will have administrator access to all repositories \
                      to which the granting user has access",
    },
    ScopeInfo {
        scope: "repo:create",
        icon: "fa-plus",
        dangerous: false,
        title: "Create Repositories",
        description: "This application will be able to create repositories in all namespaces \
                      that the granting user is allowed to create repositories",
    },
    ScopeInfo {
        scope: "user:read",
        icon: "fa-user",
        dangerous: false,
        title: "Read User Information",
        description: "This application will be able to read user information such as \
                      username and email address.",
    },
    ScopeInfo {
        scope: "org:admin",
        icon: "fa-gear",
        dangerous: true,
        title: "Administer Organization",
        description: "This application will be able to administer your organizations \
                      including creating robots, creating teams, adjusting team membership, and \
                      changing billing settings. You should have absolute trust in the \
                      requesting application before granting this permission.",
    },
    ScopeInfo {
        scope: "super:user",
        icon: "fa-street-view",
        dangerous: true,
        title: "Super User Access",
        description: "This application will be able to administer your installation \
                      including managing users, managing organizations and other features \
                      found in the superuser panel. You should have absolute trust in the \
                      requesting application before granting this permission.",
    },
    ScopeInfo {
        scope: "user:admin",
        icon: "fa-gear",
        dangerous: true,
        title: "Administer User",
        description: "This application will be able to administer your account including \
                      creating robots and granting them permissions to your repositories. You \
                      should have absolute trust in the requesting application before granting \
                      this permission.",
    },
];

/// The catalogue entries a scope string names, each once, in the string's order; empty when
/// any name is unknown (as `Scopes::parse` refuses it).
pub fn describe(text: &str) -> Vec<&'static ScopeInfo> {
    let mut described: Vec<&'static ScopeInfo> = Vec::new();
    for name in text.split([' ', ',']).filter(|n| !n.is_empty()) {
        match CATALOGUE.iter().find(|info| info.scope == name) {
            Some(info) if described.contains(&info) => {}
            Some(info) => described.push(info),
            None => return Vec::new(),
        }
    }
    described
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        let s = Scopes::parse("repo:read,user:read");
        assert!(s.allows_repo_read() && s.allows_user_read() && !s.allows_repo_write());
        assert_eq!(Scopes::parse("repo:read bogus"), Scopes::default());
        let all = Scopes::parse(Scopes::ALL_SCOPE_STRING);
        assert!(
            all.allows_superuser() && all.allows_repo_admin() && all.contains(Scopes::REPO_CREATE)
        );
        assert!(Scopes::parse("repo:admin").allows_repo_read());
        assert!(Scopes::DIRECT_LOGIN.allows_superuser());
    }

    #[test]
    fn implications_and_descriptions() {
        let admin = Scopes::parse("repo:admin");
        assert!(admin.covers(Scopes::parse("repo:read repo:write")));
        assert!(!admin.covers(Scopes::parse("repo:create")));
        assert!(!Scopes::default().covers(Scopes::default()));
        let described = describe("user:read,repo:read user:read");
        let names: Vec<&str> = described.iter().map(|i| i.scope).collect();
        assert_eq!(names, ["user:read", "repo:read"]);
        assert!(describe("repo:read nope").is_empty());
        assert!(describe("org:admin")[0].dangerous);
    }
}
