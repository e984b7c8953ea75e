//! Quay's wire shapes, as serde structs whose field order is the wire order.

mod avatar;
mod user;

pub use avatar::{Avatar, AvatarKind};
pub use user::{CreatedUserView, UserView};
