//! The organization view (core-api.md §3.2) and its superuser flavour (superuser-api.md §4.3).

use serde::Serialize;

use super::avatar::{Avatar, AvatarKind};
use super::quota::{quota_fields, QuotaCompactView, QuotaReport};
use crate::accounts::Account;
use crate::config::Config;
use crate::namespaces::organizations::OrganizationDetails;
use crate::quotas::Usage;

#[derive(Debug, Serialize)]
pub struct SuperuserOrganizationView {
    pub name: String,
    pub email: String,
    pub avatar: Avatar,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotas: Option<Vec<QuotaCompactView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota_report: Option<QuotaReport>,
}

impl SuperuserOrganizationView {
    pub fn new(org: &Account, config: &Config, usage: Option<&Usage>) -> SuperuserOrganizationView {
        let (quotas, quota_report) = quota_fields(config, true, usage);
        SuperuserOrganizationView {
            name: org.username.clone(),
            email: org.email.clone(),
            avatar: Avatar::new(&org.username, Some(&org.email), AvatarKind::Org),
            quotas,
            quota_report,
        }
    }
}

/// The organization view of `GET /api/v1/organization/{name}` (core-api.md §3.2). Quay draws
/// its avatar as a user's.
#[derive(Debug, Serialize)]
pub struct OrganizationView {
    pub name: String,
    pub email: String,
    pub avatar: Avatar,
    pub is_admin: bool,
    pub is_member: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<TeamMap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordered_teams: Option<Vec<String>>,
    #[serde(flatten)]
    pub settings: Option<OrganizationSettingsView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotas: Option<Vec<QuotaCompactView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota_report: Option<QuotaReport>,
}

/// What only admins see.
#[derive(Debug, Serialize)]
pub struct OrganizationSettingsView {
    pub invoice_email: bool,
    pub invoice_email_address: Option<String>,
    pub tag_expiration_s: i64,
    pub is_free_account: bool,
}

#[derive(Debug, Serialize)]
pub struct TeamSummaryView {
    pub name: String,
    pub description: String,
    pub role: &'static str,
    pub avatar: Avatar,
    pub can_view: bool,
    pub repo_count: i64,
    pub member_count: i64,
    /// Berth syncs no team with an external group.
    pub is_synced: bool,
}

/// Teams keyed by name, in creation order.
#[derive(Debug)]
pub struct TeamMap(Vec<TeamSummaryView>);

impl Serialize for TeamMap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|team| (&team.name, team)))
    }
}

impl OrganizationView {
    /// Members see the quota fields (when quota views are on), filled from `usage`.
    pub fn new(
        details: OrganizationDetails,
        config: &Config,
        usage: Option<&Usage>,
    ) -> OrganizationView {
        let org = details.organization;
        let (quotas, quota_report) = quota_fields(config, details.is_member, usage);
        let teams: Option<Vec<TeamSummaryView>> = details.teams.map(|teams| {
            teams
                .into_iter()
                .map(|team| TeamSummaryView {
                    avatar: Avatar::new(&team.name, None, AvatarKind::Team),
                    name: team.name,
                    description: team.description,
                    role: team.role.as_str(),
                    can_view: team.can_view,
                    repo_count: team.repo_count,
                    member_count: team.member_count,
                    is_synced: false,
                })
                .collect()
        });
        OrganizationView {
            avatar: Avatar::new(&org.username, Some(&org.email), AvatarKind::User),
            email: if details.shows_email {
                org.email
            } else {
                String::new()
            },
            is_admin: details.is_admin,
            is_member: details.is_member,
            ordered_teams: teams
                .as_ref()
                .map(|teams| teams.iter().map(|t| t.name.clone()).collect()),
            teams: teams.map(TeamMap),
            settings: details.invoicing.map(|invoicing| OrganizationSettingsView {
                invoice_email: invoicing.invoice_email,
                invoice_email_address: invoicing.invoice_email_address,
                tag_expiration_s: org.tag_expiration_s,
                is_free_account: true,
            }),
            name: org.username,
            quotas,
            quota_report,
        }
    }
}
