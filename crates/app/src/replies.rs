//! Answering citizens: the staff of a service point reply to its comments; a citizen
//! who left an e-mail address gets the reply by mail; a replied comment may be shown
//! with its reply on the point's public page.

use chrono::Utc;
use domain::UnitCode;
use domain::mask::mask_personal_data;
use domain::problem::plain_text;
use domain::roles::Right;
use storage::CommentRow;

use crate::{App, AppError, Caller, Result};

/// The longest reply, in characters.
pub const REPLY_MAX_CHARS: usize = 2_000;

/// What became of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replied {
    /// The citizen asked for a reply by mail and it was sent.
    pub mailed: bool,
    /// The citizen asked for one, and the mail could not be sent (it is logged; the
    /// reply is saved and can be sent again by saving it again).
    pub mail_failed: bool,
}

/// The comment, once the caller may answer for its service point (the editors of the
/// point's office, and administrators and supervisors above).
async fn answerable(app: &App, caller: &Caller, rating: i64) -> Result<CommentRow> {
    let c = app
        .db
        .comment(rating)
        .await?
        .ok_or(AppError::NotFound("rating"))?;
    let code = UnitCode::parse(&c.point_code).map_err(AppError::internal)?;
    let chain = app
        .db
        .unit_chain(&code)
        .await?
        .ok_or(AppError::NotFound("rating"))?;
    let office = chain.get(1).ok_or(AppError::NotFound("rating"))?;
    // Someone who may not read the point's reports does not learn that it exists.
    caller
        .require(app, &code, Right::Report)
        .await
        .map_err(|e| match e {
            AppError::Forbidden => AppError::NotFound("rating"),
            e => e,
        })?;
    caller.require(app, &office.1, Right::Edit).await?;
    Ok(c)
}

/// Whether the caller may answer the comment: checked before a request's body is
/// read.
pub async fn may_answer(app: &App, caller: &Caller, rating: i64) -> Result<()> {
    answerable(app, caller, rating).await.map(drop)
}

/// One comment, for its reply form: readable by whoever reads the point's reports.
pub async fn comment(app: &App, caller: &Caller, rating: i64) -> Result<CommentRow> {
    let c = app
        .db
        .comment(rating)
        .await?
        .ok_or(AppError::NotFound("rating"))?;
    let code = UnitCode::parse(&c.point_code).map_err(AppError::internal)?;
    caller
        .require(app, &code, Right::Report)
        .await
        .map_err(|e| match e {
            AppError::Forbidden => AppError::NotFound("rating"),
            e => e,
        })?;
    Ok(c)
}

/// Saves the reply (personal data masked, as it may be published) and mails it to the
/// citizen who left an address for it.
pub async fn reply(app: &App, caller: &Caller, rating: i64, body: &str) -> Result<Replied> {
    let mut problems = Vec::new();
    plain_text(&mut problems, "reply", body, REPLY_MAX_CHARS, true);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let c = answerable(app, caller, rating).await?;
    let body = mask_personal_data(body.trim());
    let now = Utc::now();
    let email = app
        .db
        .save_reply(rating, &body, &caller.user.username, now)
        .await?;
    let Some(email) = email else {
        return Ok(Replied {
            mailed: false,
            mail_failed: false,
        });
    };
    let subject = format!("คำตอบจาก {} / A reply from {}", c.point_name, c.point_name);
    let text = format!(
        "เรียน ผู้รับบริการ\n\nขอบคุณสำหรับความคิดเห็นของท่านต่อ {point} ซึ่งท่านเขียนว่า\n\n\"{comment}\"\n\nคำตอบของเจ้าหน้าที่:\n\n{body}\n\n\
         ท่านได้รับอีเมลนี้เพราะได้ให้ที่อยู่อีเมลไว้เพื่อรับคำตอบ ที่อยู่นี้จะถูกลบภายใน 90 วัน\n\n\
         ---\n\nThank you for your comment on {point}:\n\n\"{comment}\"\n\nThe office's reply:\n\n{body}\n\n\
         You receive this because you left this address for a reply; it is deleted within 90 days.\n",
        point = c.point_name,
        comment = c.comment,
    );
    match app.mailer.send(&email, &subject, &text).await {
        Ok(()) => {
            app.db.mark_reply_mailed(rating, Utc::now()).await?;
            Ok(Replied {
                mailed: true,
                mail_failed: false,
            })
        }
        Err(e) => {
            tracing::error!(error = %e, rating, "reply not mailed");
            Ok(Replied {
                mailed: false,
                mail_failed: true,
            })
        }
    }
}

/// Shows a replied comment on the point's public page, or takes it off.
pub async fn publish(app: &App, caller: &Caller, rating: i64, published: bool) -> Result<()> {
    answerable(app, caller, rating).await?;
    if app
        .db
        .set_comment_published(rating, published, &caller.user.username, Utc::now())
        .await?
    {
        Ok(())
    } else {
        Err(AppError::Invalid(vec![domain::Problem::new(
            "published",
            "ต้องตอบความคิดเห็นก่อนจึงจะเผยแพร่ได้",
            "Reply to the comment before publishing it",
        )]))
    }
}
