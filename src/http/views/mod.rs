//! Quay's wire shapes, as serde structs whose field order is the wire order.

mod avatar;
mod build;
mod log;
mod organization;
mod quota;
mod registry_size;
mod service_key;
mod user;

pub use avatar::{Avatar, AvatarKind};
pub use build::BuildView;
pub use log::{rfc2822, AggregatedLogsView, LogEntryView, LogListView};
pub use organization::{OrganizationView, SuperuserOrganizationView};
pub use quota::{quota_list, QuotaLimitView, QuotaView};
pub use registry_size::RegistrySizeView;
pub use service_key::{ApprovalView, ServiceKeyView};
pub use user::{CreatedUserView, UserView};
