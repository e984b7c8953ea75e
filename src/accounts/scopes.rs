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

    /// Each grantable scope's name and title (core-api.md §1.9), as clients are shown them.
    pub const CATALOGUE: [(&'static str, &'static str); 8] = [
        ("repo:read", "View all visible repositories"),
        ("repo:write", "Read/Write to any accessible repositories"),
        ("repo:admin", "Administer Repositories"),
        ("repo:create", "Create Repositories"),
        ("user:read", "Read User Information"),
        ("user:admin", "Administer User"),
        ("org:admin", "Administer Organization"),
        ("super:user", "Super User Access"),
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

    /// `org:admin` (or a direct login): team roles count up to admin.
    pub fn allows_org_admin(self) -> bool {
        self.any(&[Scopes::ORG_ADMIN])
    }

    /// `repo:create` caps team roles at creator (§1.3): they count, up to creating
    /// repositories.
    pub fn allows_org_creator(self) -> bool {
        self.any(&[Scopes::REPO_CREATE, Scopes::ORG_ADMIN])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        let s = Scopes::parse("repo:read,user:read");
        assert!(s.allows_repo_read() && s.allows_user_read() && !s.allows_repo_write());
        assert_eq!(Scopes::parse("repo:read bogus"), Scopes::default());
        let all = Scopes::parse(Scopes::ALL_SCOPE_STRING);
        assert!(all.allows_superuser() && all.allows_repo_admin() && all.allows_org_creator());
        assert!(Scopes::parse("repo:admin").allows_repo_read());
        assert!(Scopes::DIRECT_LOGIN.allows_superuser());
        assert!(Scopes::ORG_ADMIN.allows_org_creator() && !Scopes::REPO_CREATE.allows_org_admin());
    }
}
