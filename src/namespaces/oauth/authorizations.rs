//! The access tokens a user granted to applications, as the user manages them
//! (`/api/v1/user/authorizations`). Revoking deletes the token, so it stops working at once.

use crate::accounts::Account;
use crate::app::App;
use crate::db::{self, oauth::UserTokenRow};
use crate::namespaces::{Error, Result};

/// Every token the user granted, expired ones included, as Quay lists them.
pub async fn list(app: &App, user: &Account) -> Result<Vec<UserTokenRow>> {
    Ok(db::oauth::list_user_tokens(&mut *app.db.reader().await?, user.id).await?)
}

pub async fn get(app: &App, user: &Account, uuid: &str) -> Result<UserTokenRow> {
    db::oauth::find_user_token(&mut *app.db.reader().await?, user.id, uuid)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn revoke(app: &App, user: &Account, uuid: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let token = db::oauth::find_user_token(&mut tx, user.id, uuid)
        .await?
        .ok_or(Error::NotFound)?;
    db::oauth::delete_access_token(&mut tx, token.id).await?;
    Ok(db::commit(tx).await?)
}
