//! Outgoing mail: over SMTP when `CITIZENINFO_SMTP_URL` is set, else written as files to
//! a folder (one `.eml` per message) so that a demo or a developer can still follow the
//! links. Each message is Thai first, English below.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Folder {
        dir: PathBuf,
        from: Mailbox,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail settings: {0}")]
    Config(String),
    #[error("mail could not be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("mail folder: {0}")]
    Io(#[from] std::io::Error),
}

impl Mailer {
    /// `smtp://[user:password@]host[:port]`, without TLS: for the mail relay of the host
    /// or its network, which carries mail onwards.
    pub fn smtp(url: &str, from: &str) -> Result<Self, MailError> {
        let bad = |why: &str| MailError::Config(format!("CITIZENINFO_SMTP_URL: {why}"));
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| bad("must start with smtp://"))?
            .trim_end_matches('/');
        let (credentials, host_port) = match rest.rsplit_once('@') {
            Some((c, h)) => (Some(c), h),
            None => (None, rest),
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| bad("the port is not a number"))?,
            ),
            None => (host_port, 25),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port);
        if let Some(c) = credentials {
            let (user, password) = c.split_once(':').unwrap_or((c, ""));
            builder =
                builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                    user.to_owned(),
                    password.to_owned(),
                ));
        }
        let transport = builder.build();
        Ok(Mailer::Smtp {
            transport,
            from: parse_from(from)?,
        })
    }

    pub fn folder(dir: PathBuf, from: &str) -> Result<Self, MailError> {
        // Absolute, so that the start-up log says exactly where mail goes.
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        Ok(Mailer::Folder {
            dir,
            from: parse_from(from)?,
        })
    }

    /// Where mail goes, for the start-up log (never with a password).
    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp { .. } => "SMTP".into(),
            Mailer::Folder { dir, .. } => format!("files in {}", dir.display()),
        }
    }

    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), MailError> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| MailError::Config(format!("recipient: {e}")))?;
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Folder { from, .. } => from.clone(),
        };
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await?;
            }
            Mailer::Folder { dir, .. } => {
                tokio::fs::create_dir_all(dir).await?;
                let name = format!(
                    "{}-{:016x}.eml",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
                    rand::random::<u64>()
                );
                tokio::fs::write(dir.join(name), message.formatted()).await?;
            }
        }
        Ok(())
    }
}

fn parse_from(from: &str) -> Result<Mailbox, MailError> {
    from.parse()
        .map_err(|e| MailError::Config(format!("CITIZENINFO_MAIL_FROM {from:?}: {e}")))
}
