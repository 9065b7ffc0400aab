//! The bulk import page: upload the staff listing's spreadsheet, see the dry run's
//! report (each refused row, column and why), then apply it.
//!
//! The checked file waits in memory under a random id for a few minutes, bound to the
//! account that uploaded it, so that "apply" needs no second upload and applies exactly
//! the bytes that were checked (checked again as they are written). An id that has gone
//! (expired, or the request reached another instance) asks for the file again.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::*;
use app::import::{Format, Limits, Report};

/// How long a checked file waits for "apply".
const KEEP: Duration = Duration::from_secs(15 * 60);
/// All files waiting at once, in bytes: beyond it the oldest go first.
const KEEP_BYTES: usize = 256 * 1024 * 1024;

struct Staged {
    user: i64,
    bytes: Vec<u8>,
    format: Format,
    at: Instant,
}

fn staging() -> &'static Mutex<HashMap<String, Staged>> {
    static S: OnceLock<Mutex<HashMap<String, Staged>>> = OnceLock::new();
    S.get_or_init(Default::default)
}

fn stage(user: i64, bytes: Vec<u8>, format: Format) -> String {
    let id = hex::encode(rand::random::<[u8; 16]>());
    let mut s = staging().lock().unwrap_or_else(|e| e.into_inner());
    s.retain(|_, v| v.at.elapsed() < KEEP);
    while !s.is_empty()
        && s.values().map(|v| v.bytes.len()).sum::<usize>() + bytes.len() > KEEP_BYTES
    {
        let oldest = s
            .iter()
            .min_by_key(|(_, v)| v.at)
            .map(|(k, _)| k.clone())
            .expect("not empty");
        s.remove(&oldest);
    }
    s.insert(
        id.clone(),
        Staged {
            user,
            bytes,
            format,
            at: Instant::now(),
        },
    );
    id
}

/// The staged file of this id, once, if it is the caller's and has not expired.
fn take(id: &str, user: i64) -> Option<(Vec<u8>, Format)> {
    let mut s = staging().lock().unwrap_or_else(|e| e.into_inner());
    let ok = s
        .get(id)
        .is_some_and(|v| v.user == user && v.at.elapsed() < KEEP);
    if !ok {
        return None;
    }
    s.remove(id).map(|v| (v.bytes, v.format))
}

/// One refused row as the page shows it.
struct RefusalRow {
    row: usize,
    column: String,
    why: String,
}

struct ReportView {
    rows: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
    refused_rows: usize,
    refusals: Vec<RefusalRow>,
    new_codes: Vec<(usize, String)>,
    applied: bool,
}

fn view(lang: Lang, r: Report) -> ReportView {
    ReportView {
        rows: r.rows,
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
        refused_rows: r.refused_rows,
        refusals: r
            .refusals
            .into_iter()
            .map(|f| RefusalRow {
                row: f.row,
                column: f.column,
                why: match lang {
                    Lang::Th => f.th,
                    Lang::En => f.en,
                },
            })
            .collect(),
        new_codes: r
            .new_codes
            .into_iter()
            .map(|(row, c)| (row, c.to_string()))
            .collect(),
        applied: r.applied,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/import.html")]
struct ImportPage {
    l: Layout,
    f: Frame,
    report: Option<ReportView>,
    /// The checked file's id, when it passed and can be applied.
    staged: Option<String>,
    error: Option<String>,
}

fn render(
    lang: Lang,
    uri: &Uri,
    caller: &Caller,
    status: StatusCode,
    report: Option<ReportView>,
    staged: Option<String>,
    error: Option<String>,
) -> Response {
    let (l, f) = frame(lang, lang.text("bo-import"), uri, Menu::Import, caller);
    (
        status,
        ImportPage {
            l,
            f,
            report,
            staged,
            error,
        },
    )
        .into_response()
}

pub(crate) async fn import_form(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !app::import::may_import(&caller) {
        return failure(lang, &uri, &caller, AppError::Forbidden);
    }
    render(lang, &uri, &caller, StatusCode::OK, None, None, None)
}

/// An upload is always checked as a dry run; "apply" names a checked file.
pub(crate) async fn import_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    body: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !app::import::may_import(&caller) {
        return failure(lang, &uri, &caller, AppError::Forbidden);
    }
    let refused = |status: StatusCode, text: String| {
        render(lang, &uri, &caller, status, None, None, Some(text))
    };
    let form = match body {
        Ok(m) => match crate::api::import::read_form(m).await {
            Ok(f) => f,
            Err(_) => {
                return refused(StatusCode::PAYLOAD_TOO_LARGE, lang.t("bo-import-too-large"));
            }
        },
        Err(_) => return refused(StatusCode::BAD_REQUEST, lang.t("bo-import-no-file")),
    };
    let staged_id = form
        .other
        .iter()
        .find(|(k, _)| k == "staged")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    let named = form.named;
    let (bytes, format, dry_run) = match (form.file.filter(|f| !f.is_empty()), staged_id) {
        (Some(bytes), _) => {
            // The name's kind when it has one, so that a mismatch with the content is
            // said plainly; else the content's.
            let format = named.unwrap_or_else(|| Format::sniff(&bytes));
            (bytes, format, true)
        }
        (None, Some(id)) => match take(&id, caller.user.id) {
            Some((bytes, format)) => (bytes, format, false),
            None => return refused(StatusCode::CONFLICT, lang.t("bo-import-expired")),
        },
        (None, None) => {
            return refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                lang.t("bo-import-no-file"),
            );
        }
    };
    let report = match app::import::run(
        &state.app,
        &caller,
        &bytes,
        Some(format),
        dry_run,
        Limits::WEB,
        &mut |_, _| {},
    )
    .await
    {
        Ok(r) => r,
        Err(AppError::Invalid(problems)) => {
            let text = problems
                .iter()
                .map(|p| match lang {
                    Lang::Th => p.th.clone(),
                    Lang::En => p.en.clone(),
                })
                .collect::<Vec<_>>()
                .join(" · ");
            return refused(StatusCode::UNPROCESSABLE_ENTITY, text);
        }
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    if report.applied {
        state.publish().await;
    }
    let refused_any = !report.refusals.is_empty();
    let staged = (dry_run && !refused_any && report.created + report.updated > 0)
        .then(|| stage(caller.user.id, bytes, format));
    let status = if refused_any {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        lang,
        &uri,
        &caller,
        status,
        Some(view(lang, report)),
        staged,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staged_file_is_the_uploaders_and_used_once() {
        let id = stage(7, b"a,b\n".to_vec(), Format::Csv);
        assert!(take(&id, 8).is_none(), "another account's");
        assert_eq!(take(&id, 7).map(|(b, _)| b), Some(b"a,b\n".to_vec()));
        assert!(take(&id, 7).is_none(), "used once");
        assert!(take("not-an-id", 7).is_none());
    }
}
