//! A service point's photos: upload (checked by content, re-encoded without metadata,
//! stored in two sizes in the object store), alt text, order and cover, and deletion,
//! after which the public pages stop showing the photo at once.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::Utc;
use domain::Problem;
use domain::UnitCode;
use domain::org::Photo;
use domain::roles::Right;
use storage::{EditPoint, NewChange, NewPhoto, PublicChange};
use tokio::sync::Semaphore;

use crate::{App, AppError, Caller, Result};

/// A photo being decoded can take a few hundred MB: one per core at a time, and a
/// short wait for the others before the caller is told to come back.
fn processing() -> &'static Arc<Semaphore> {
    static GATE: OnceLock<Arc<Semaphore>> = OnceLock::new();
    GATE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Arc::new(Semaphore::new(cores))
    })
}
const WAIT_FOR_PROCESSING: Duration = Duration::from_secs(20);

/// An upload checked and re-encoded (metadata dropped) off the request threads, a
/// bounded number at a time: `Busy` when the queue is full for long.
pub(crate) async fn prepare(bytes: Vec<u8>) -> Result<media::Processed> {
    let permit = tokio::time::timeout(WAIT_FOR_PROCESSING, processing().clone().acquire_owned())
        .await
        .map_err(|_| AppError::Busy { retry_after: 10 })?
        .map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        let out = media::process(&bytes);
        drop(permit);
        out
    })
    .await
    .map_err(AppError::internal)?
    .map_err(|e| photo_problem(&e))
}

fn photo_problem(e: &media::PhotoError) -> AppError {
    AppError::Invalid(vec![Problem::new("file", e.th(), e.en())])
}

async fn editable(app: &App, caller: &Caller, code: &UnitCode) -> Result<EditPoint> {
    let point = app
        .db
        .point_for_edit(code)
        .await?
        .ok_or(AppError::NotFound("code"))?;
    caller.require(app, &point.unit, Right::Edit).await?;
    Ok(point)
}

fn alt_problems(alt_th: &str, alt_en: Option<&str>) -> Vec<Problem> {
    let mut out = Vec::new();
    domain::problem::plain_text(&mut out, "alt", alt_th, 200, false);
    domain::problem::plain_text(&mut out, "alt_en", alt_en.unwrap_or(""), 200, false);
    out
}

fn described(p: &Photo) -> String {
    format!("{} ({}×{})", p.alt_th, p.width, p.height)
}

fn change<'a>(
    caller: &'a Caller,
    point: i64,
    action: &'a str,
    before: Option<String>,
    after: Option<String>,
) -> NewChange<'a> {
    NewChange {
        user_id: (caller.user.id != 0).then_some(caller.user.id),
        actor: &caller.user.username,
        subject: "photo",
        unit_id: point,
        manual_key: None,
        action,
        before,
        after,
        note: None,
    }
}

/// Adds a photo to a point. The alt text defaults to the point's name. The file is
/// refused with a clear reason when it is not a JPEG, PNG or WebP by its content, too
/// large, or has too many pixels.
pub async fn add(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    bytes: Vec<u8>,
    alt_th: Option<&str>,
    alt_en: Option<&str>,
) -> Result<(EditPoint, i64)> {
    let point = editable(app, caller, code).await?;
    let name = point.state.name_th.clone();
    let alt_th = alt_th
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .unwrap_or(&name)
        .to_owned();
    let alt_en = alt_en
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned);
    let problems = alt_problems(&alt_th, alt_en.as_deref());
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let processed = prepare(bytes).await?;
    let (display_key, thumb_key) = processed.keys();
    app.media
        .put(&display_key, processed.display, media::CONTENT_TYPE)
        .await
        .map_err(AppError::internal)?;
    app.media
        .put(&thumb_key, processed.thumb, media::CONTENT_TYPE)
        .await
        .map_err(AppError::internal)?;
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let id = tx
        .add_photo(
            point.id,
            &NewPhoto {
                display_key: &display_key,
                thumb_key: &thumb_key,
                width: processed.display_width,
                height: processed.display_height,
                thumb_width: processed.thumb_width,
                thumb_height: processed.thumb_height,
                alt_th: &alt_th,
                alt_en: alt_en.as_deref(),
            },
            &caller.user.username,
            now,
        )
        .await?;
    let after = format!(
        "{alt_th} ({}×{})",
        processed.display_width, processed.display_height
    );
    tx.record_change(
        &change(caller, point.id, "photo.add", None, Some(after)),
        now,
    )
    .await?;
    tx.publish(&[PublicChange::Point(*code)]).await?;
    tx.commit().await?;
    let point = editable(app, caller, code).await?;
    Ok((point, id))
}

/// Deletes a photo; its files go too unless another photo shares them.
pub async fn delete(app: &App, caller: &Caller, code: &UnitCode, id: i64) -> Result<EditPoint> {
    let point = editable(app, caller, code).await?;
    let photo = point
        .photos
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or(AppError::NotFound("photo"))?;
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    if !tx.delete_photo(point.id, id).await? {
        return Err(AppError::NotFound("photo"));
    }
    tx.record_change(
        &change(
            caller,
            point.id,
            "photo.delete",
            Some(described(&photo)),
            None,
        ),
        now,
    )
    .await?;
    tx.publish(&[PublicChange::Point(*code)]).await?;
    tx.commit().await?;
    for key in [&photo.display_key, &photo.thumb_key] {
        // Left in the store on failure: nothing names it, and it is logged.
        match app.db.photo_key_in_use(key).await {
            Ok(false) => {
                if let Err(e) = app.media.delete(key).await {
                    tracing::warn!(error = %e, key, "a deleted photo's file was not removed");
                }
            }
            Ok(true) => {}
            Err(e) => tracing::warn!(error = %e, "photo use not checked"),
        }
    }
    editable(app, caller, code).await
}

/// What can change on a photo: its alt texts, its place and whether it is the cover.
#[derive(Debug, Clone, Default)]
pub struct PhotoEdit {
    pub alt_th: String,
    pub alt_en: Option<String>,
    pub position: Option<i64>,
    pub cover: bool,
}

/// Changes a photo's alt text, its place and whether it is the cover.
pub async fn update(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    id: i64,
    edit: PhotoEdit,
) -> Result<EditPoint> {
    let PhotoEdit {
        alt_th,
        alt_en,
        position,
        cover,
    } = edit;
    let alt_en = alt_en.as_deref();
    let point = editable(app, caller, code).await?;
    let before = point
        .photos
        .iter()
        .find(|p| p.id == id)
        .map(described)
        .ok_or(AppError::NotFound("photo"))?;
    let alt_th = alt_th.trim();
    let alt_en = alt_en.map(str::trim).filter(|a| !a.is_empty());
    let mut problems = alt_problems(alt_th, alt_en);
    if alt_th.is_empty() {
        problems.push(Problem::new("alt", "กรุณาบรรยายภาพ", "Describe the photo"));
    }
    if position.is_some_and(|p| !(0..=1000).contains(&p)) {
        problems.push(Problem::new(
            "position",
            "ลำดับต้องเป็น 0 ถึง 1000",
            "The position is 0 to 1000",
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    tx.update_photo(point.id, id, alt_th, alt_en, position, cover)
        .await?;
    tx.record_change(
        &change(
            caller,
            point.id,
            "photo.update",
            Some(before),
            Some(alt_th.to_owned()),
        ),
        now,
    )
    .await?;
    tx.publish(&[PublicChange::Point(*code)]).await?;
    tx.commit().await?;
    editable(app, caller, code).await
}
