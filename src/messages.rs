//! Global messages (Quay's `globalmessages`): notices a superuser posts for every user of the
//! registry to read, with a severity and a media type (plain text or Markdown).

use crate::app::App;
use crate::db::{self, messages::MessageRow};

pub const SEVERITIES: [&str; 3] = ["info", "warning", "error"];
pub const MEDIA_TYPES: [&str; 2] = ["text/plain", "text/markdown"];

pub type Message = MessageRow;

pub async fn list_messages(app: &App) -> db::Result<Vec<Message>> {
    let mut conn = app.db.reader().await?;
    db::messages::list_messages(&mut conn).await
}

/// Posts a message (its severity and media type already among the allowed ones); returns
/// its uuid.
pub async fn create_message(
    app: &App,
    content: &str,
    severity: &str,
    media_type: &str,
) -> db::Result<String> {
    let row = MessageRow {
        uuid: uuid::Uuid::new_v4().to_string(),
        content: content.to_owned(),
        severity: severity.to_owned(),
        media_type: media_type.to_owned(),
    };
    let mut tx = app.db.begin().await?;
    db::messages::insert_message(&mut tx, &row, db::now_ms()).await?;
    db::commit(tx).await?;
    Ok(row.uuid)
}

/// Removes a message; an unknown uuid removes nothing, as in Quay.
pub async fn delete_message(app: &App, uuid: &str) -> db::Result<()> {
    let mut tx = app.db.begin().await?;
    db::messages::delete_message(&mut tx, uuid).await?;
    db::commit(tx).await
}
