//! Mail. Requests never send: they write a message to the outbox (`data::outbox`) in their own
//! transaction, and [`sender::deliver_due`], a background task, delivers it over SMTP and retries
//! with backoff. So a mail server that is down delays a message, and never fails a request or
//! leaves half a change. Without SMTP (development only) each message goes to the log instead.
pub mod messages;
pub mod sender;

use crate::config::Config;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// A message as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub struct Mailer {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    /// Woken after a request queued a message, so it leaves at once rather than at the next pass.
    pub wake: Arc<Notify>,
}

const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

impl Mailer {
    /// From the validated configuration (`Config::validate` checked the URL and the sender).
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let smtp = match &config.smtp_url {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| format!("SPCI_SMTP_URL: {e}"))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => None,
        };
        let from = config
            .mail_from
            .parse()
            .map_err(|e| format!("SPCI_MAIL_FROM: {e}"))?;
        Ok(Self {
            smtp,
            from,
            wake: Arc::default(),
        })
    }

    /// Delivers one message: over SMTP, or to the log when none is configured.
    pub async fn deliver(&self, m: &Outgoing) -> Result<(), String> {
        let Some(smtp) = &self.smtp else {
            tracing::info!(to = %m.to, subject = %m.subject, body = %m.body, "mail (no SMTP configured: logged, kept in spci_mail_outbox)");
            return Ok(());
        };
        let to: Mailbox = m.to.parse().map_err(|e| format!("recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| format!("message: {e}"))?;
        smtp.send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
