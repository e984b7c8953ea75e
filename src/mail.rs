//! E-mail through the SMTP server of Quay's `MAIL_*` keys.

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailConfig;

/// Sends a plain-text message to `to`.
pub async fn send(
    config: &MailConfig,
    to: &str,
    subject: &str,
    body: String,
) -> anyhow::Result<()> {
    let message = Message::builder()
        .from(config.sender.parse::<Mailbox>()?)
        .to(to.parse::<Mailbox>()?)
        .subject(subject)
        .body(body)?;
    let builder = if config.use_tls {
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.server)?
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.server)
    };
    let mut builder = builder.port(config.port);
    if let Some((username, password)) = &config.credentials {
        builder = builder.credentials(Credentials::new(username.clone(), password.clone()));
    }
    builder.build().send(message).await?;
    Ok(())
}
