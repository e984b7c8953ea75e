//! Roles and how a credential's scopes cap them (core-api.md §1.3): repository roles, the
//! organization-wide team roles, and the superuser override.

use super::{Account, Scopes};
use crate::config::Config;

/// Repository roles, ordered: each includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Read,
    Write,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "write",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "read" => Some(Role::Read),
            "write" => Some(Role::Write),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The highest role a credential with `scopes` may exercise (OAuth scope capping).
    pub fn cap(scopes: Scopes) -> Option<Role> {
        if scopes.allows_repo_admin() {
            Some(Role::Admin)
        } else if scopes.allows_repo_write() {
            Some(Role::Write)
        } else if scopes.allows_repo_read() {
            Some(Role::Read)
        } else {
            None
        }
    }
}

/// Quay's `allow_if_superuser`: with `FEATURE_SUPERUSERS_FULL_ACCESS`, a superuser whose
/// credential allows `super:user` passes every namespace and repository check.
pub fn superuser_override(config: &Config, account: &Account, scopes: Scopes) -> bool {
    config.features.superusers_full_access
        && account.is_superuser(config)
        && scopes.allows_superuser()
}

/// Organization-wide team roles, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TeamRole {
    Member,
    Creator,
    Admin,
}

impl TeamRole {
    pub fn parse(text: &str) -> Option<TeamRole> {
        match text {
            "member" => Some(TeamRole::Member),
            "creator" => Some(TeamRole::Creator),
            "admin" => Some(TeamRole::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::Member => "member",
            TeamRole::Creator => "creator",
            TeamRole::Admin => "admin",
        }
    }

    /// The strongest team role a credential with `scopes` may exercise (OAuth scope capping,
    /// core-api.md §1.3): `org:admin` and direct logins everything, `repo:create` up to creator.
    pub fn cap(scopes: Scopes) -> Option<TeamRole> {
        if scopes.contains(Scopes::ORG_ADMIN) || scopes.contains(Scopes::DIRECT_LOGIN) {
            Some(TeamRole::Admin)
        } else if scopes.contains(Scopes::REPO_CREATE) {
            Some(TeamRole::Creator)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_capped() {
        assert!(Role::Admin > Role::Write && Role::Write > Role::Read);
        assert_eq!(Role::cap(Scopes::DIRECT_LOGIN), Some(Role::Admin));
        assert_eq!(Role::cap(Scopes::REPO_READ), Some(Role::Read));
        assert_eq!(Role::cap(Scopes::parse("user:read")), None);
        assert_eq!(
            Some(Role::Admin).min(Role::cap(Scopes::REPO_WRITE)),
            Some(Role::Write)
        );
    }

    #[test]
    fn scopes_cap_team_roles() {
        assert_eq!(TeamRole::cap(Scopes::DIRECT_LOGIN), Some(TeamRole::Admin));
        assert_eq!(
            TeamRole::cap(Scopes::parse("repo:create org:admin")),
            Some(TeamRole::Admin)
        );
        assert_eq!(
            TeamRole::cap(Scopes::parse("repo:create")),
            Some(TeamRole::Creator)
        );
        assert_eq!(TeamRole::cap(Scopes::parse("repo:admin user:admin")), None);
        // A capped role is the weaker of the held role and the cap.
        assert_eq!(
            Some(TeamRole::Admin).min(TeamRole::cap(Scopes::REPO_CREATE)),
            Some(TeamRole::Creator)
        );
    }
}
