//! Editing a service point: the form with every field of the public detail and the map
//! pin, the save (refused field by field, or because someone saved in between, in
//! which case the form shows what they changed), and archive, restore and "the data
//! is correct".

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use domain::point_edit::{PointPatch, PointState, diff};
use domain::{Problem, UnitCode};
use serde::Deserialize;
use tower_sessions::Session;

use super::form::{Values, form_key, phone_rows, range_columns, state_of, values_of};
use super::*;

/// The form's values and problems, for the template.
pub(crate) struct FormView {
    values: Values,
    errors: HashMap<String, Vec<String>>,
}

impl FormView {
    pub fn v(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    pub fn checked(&self, key: &str) -> bool {
        !self.v(key).is_empty()
    }

    pub fn e(&self, key: &str) -> String {
        self.errors
            .get(key)
            .map(|e| e.join(" · "))
            .unwrap_or_default()
    }

    pub fn has(&self, key: &str) -> bool {
        self.errors.contains_key(key)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/edit.html")]
struct EditPage {
    l: Layout,
    f: Frame,
    code: String,
    fv: FormView,
    /// Every problem, in the order of the form, for the summary at the top.
    summary: Vec<String>,
    notice: Option<String>,
    /// The other person's save: (field, current value).
    stale: Vec<(String, String)>,
    can_edit: bool,
    archived: bool,
    revision: i64,
    verified: String,
    pin_in: String,
    show_confirm: bool,
    /// Keys of each phone row: number, extension, desk.
    phones: Vec<[String; 3]>,
    /// Each weekday's name and its ranges' keys (opens, closes).
    week: Vec<(&'static str, Vec<(String, String)>)>,
    gecc_levels: Vec<(&'static str, String)>,
    tiles: String,
    tile_attribution: String,
    /// (id, thumbnail URL, width, height, alt, alt in English, cover)
    photos: Vec<(i64, String, u32, u32, String, String, bool)>,
}

fn pin_text(lang: Lang, p: domain::LatLon) -> String {
    match app::points::pin_district(p) {
        Some(d) => match lang {
            Lang::Th => format!("อำเภอ{} จังหวัด{}", d.name_th, d.province.name_th),
            Lang::En => format!("{} district, {}", d.name_en, d.province.name_en),
        },
        None => "-".to_owned(),
    }
}

#[allow(clippy::too_many_arguments)]
fn page(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    caller: &Caller,
    point: &storage::EditPoint,
    can_edit: bool,
    typed: Option<(&PointState, Values)>,
    problems: &[Problem],
    period_keys: &[String],
    notice: Option<String>,
    stale: Vec<(String, String)>,
) -> Response {
    let (shown, values) = match typed {
        Some((s, v)) => (s, v),
        None => (&point.state, values_of(&point.state)),
    };
    let mut errors: HashMap<String, Vec<String>> = HashMap::new();
    let mut summary = Vec::new();
    for p in problems {
        let text = match lang {
            Lang::Th => p.th.clone(),
            Lang::En => p.en.clone(),
        };
        let key = if p.field.contains('.') || p.field.contains('[') || p.field == "location" {
            form_key(&p.field, period_keys)
        } else {
            p.field.clone()
        };
        summary.push(text.clone());
        errors.entry(key).or_default().push(text);
    }
    let show_confirm = problems
        .iter()
        .any(|p| p.field == "location" && p.en.contains("confirm the pin"))
        || point.pin_confirmed_district.is_some();
    let status = if problems.is_empty() && stale.is_empty() {
        StatusCode::OK
    } else if stale.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::CONFLICT
    };
    let verified = point
        .verified_at
        .map(|v| {
            format!(
                "{} · {}",
                domain::thai_date::short_th(
                    v.with_timezone(&domain::hours::bangkok()).date_naive()
                ),
                point.verified_by.clone().unwrap_or_default()
            )
        })
        .unwrap_or_else(|| lang.t("bo-verified-never"));
    let title = if can_edit {
        "bo-edit-title"
    } else {
        "bo-view-title"
    };
    let (layout, menu) = frame(lang, lang.text(title), uri, Menu::Points, caller);
    (
        status,
        EditPage {
            l: layout,
            f: menu,
            code: point.code.to_string(),
            fv: FormView { values, errors },
            summary,
            notice,
            stale,
            can_edit,
            archived: point.archived_at.is_some(),
            revision: point.revision,
            verified,
            pin_in: pin_text(lang, shown.location),
            show_confirm,
            phones: (0..phone_rows(shown))
                .map(|i| {
                    [
                        format!("phone{i}_number"),
                        format!("phone{i}_ext"),
                        format!("phone{i}_label"),
                    ]
                })
                .collect(),
            week: (1..=7u8)
                .map(|d| {
                    let name = match lang {
                        Lang::Th => domain::thai_date::weekday_th(d),
                        Lang::En => domain::thai_date::weekday_en(d),
                    };
                    let ranges = (1..=range_columns(&shown.hours))
                        .map(|j| (format!("d{d}_o{j}"), format!("d{d}_c{j}")))
                        .collect();
                    (name, ranges)
                })
                .collect(),
            gecc_levels: ["none", "basic", "medium", "high"]
                .into_iter()
                .map(|g| {
                    (
                        g,
                        crate::views::gecc(lang, domain::GeccLevel::parse(g).unwrap_or_default())
                            .unwrap_or_else(|| "-".to_owned()),
                    )
                })
                .collect(),
            tiles: state.config.tile_url.clone(),
            tile_attribution: state.config.tile_attribution.clone(),
            photos: point
                .photos
                .iter()
                .map(|p| {
                    (
                        p.id,
                        p.thumb_url(),
                        p.thumb_width,
                        p.thumb_height,
                        p.alt_th.clone(),
                        p.alt_en.clone().unwrap_or_default(),
                        p.is_cover,
                    )
                })
                .collect(),
        },
    )
        .into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Done {
    done: String,
}

fn done_text(lang: Lang, done: &str) -> Option<String> {
    Some(lang.t(match done {
        "saved" => "bo-saved",
        "verify" => "bo-verified-done",
        "archive" => "bo-archived-done",
        "restore" => "bo-restored-done",
        "revert" => "bo-reverted-done",
        "photo" => "bo-photo-done",
        _ => return None,
    }))
}

fn parse_code(s: &str) -> Option<UnitCode> {
    UnitCode::parse(s).ok()
}

pub(crate) async fn edit_form(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(code) = parse_code(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    match app::points::point(&state.app, &caller, &code).await {
        Ok(p) => {
            let notice = done_text(lang, &done.done);
            page(
                &state,
                lang,
                &uri,
                &caller,
                &p.point,
                p.can_edit,
                None,
                &[],
                &[],
                notice,
                Vec::new(),
            )
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

fn full_patch(s: PointState) -> PointPatch {
    PointPatch {
        name_th: Some(s.name_th),
        name_en: Some(s.name_en),
        description_th: Some(s.description_th),
        description_en: Some(s.description_en),
        address: Some(s.address),
        location: Some(s.location),
        phones: Some(s.phones),
        email: Some(s.email),
        website: Some(s.website),
        hours: Some(s.hours),
        hours_note_th: Some(s.hours_note_th),
        hours_note_en: Some(s.hours_note_en),
        gecc_level: Some(s.gecc_level),
        is_public: Some(s.is_public),
    }
}

pub(crate) async fn edit_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
    Form(values): Form<Values>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(code) = parse_code(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let current = match app::points::point(&state.app, &caller, &code).await {
        Ok(p) => p,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    if !current.can_edit {
        return failure(lang, &uri, &caller, AppError::Forbidden);
    }
    let (typed, period_keys, problems) = state_of(&values);
    let revision = values
        .get("revision")
        .and_then(|r| r.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    if !problems.is_empty() {
        let shown = typed.clone();
        return page(
            &state,
            lang,
            &uri,
            &caller,
            &current.point,
            true,
            Some((&shown, values)),
            &problems,
            &period_keys,
            None,
            Vec::new(),
        );
    }
    let confirm = values
        .get("confirm_district")
        .is_some_and(|v| !v.is_empty());
    let edit = app::points::Edit {
        patch: full_patch(typed.clone()),
        revision,
        confirm_district: confirm,
    };
    match app::points::save(&state.app, &caller, &code, edit).await {
        Ok(_) => {
            state.publish().await;
            Redirect::to(&format!("/staff/service-points/{code}?done=saved")).into_response()
        }
        Err(AppError::Invalid(problems)) => page(
            &state,
            lang,
            &uri,
            &caller,
            &current.point,
            true,
            Some((&typed, values)),
            &problems,
            &period_keys,
            None,
            Vec::new(),
        ),
        Err(AppError::Stale) => {
            // What the other person saved, against what this person typed: both are
            // on the page, and the next save goes on the current revision.
            let stale = diff(Some(&typed), Some(&current.point.state))
                .into_iter()
                .map(|c| {
                    (
                        lang.t(&format!("bo-field-{}", c.field.replace('.', "-"))),
                        c.after,
                    )
                })
                .collect();
            page(
                &state,
                lang,
                &uri,
                &caller,
                &current.point,
                true,
                Some((&typed, values)),
                &[],
                &period_keys,
                Some(lang.t("bo-stale")),
                stale,
            )
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

/// Archive, restore, or "the data is correct", from the buttons of the form page.
pub(crate) async fn action(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path((code, what)): Path<(String, String)>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(code) = parse_code(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let result = match what.as_str() {
        "archive" => app::points::set_archived(&state.app, &caller, &code, true).await,
        "restore" => app::points::set_archived(&state.app, &caller, &code, false).await,
        "verify" => app::points::verify(&state.app, &caller, &code).await,
        _ => Err(AppError::NotFound("action")),
    };
    match result {
        Ok(_) => {
            state.publish().await;
            Redirect::to(&format!("/staff/service-points/{code}?done={what}")).into_response()
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

/// Adds a photo from the form's upload field.
pub(crate) async fn photo_upload(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
    body: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(code) = parse_code(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let current = match app::points::point(&state.app, &caller, &code).await {
        Ok(p) => p,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    if !current.can_edit {
        return failure(lang, &uri, &caller, AppError::Forbidden);
    }
    let refused = |text: String| {
        page(
            &state,
            lang,
            &uri,
            &caller,
            &current.point,
            true,
            None,
            &[Problem::new("file", text.clone(), text)],
            &[],
            None,
            Vec::new(),
        )
    };
    let upload = match body {
        Ok(m) => crate::api::read_upload(m).await,
        Err(_) => return refused(lang.t("bo-photo-none")),
    };
    let up = match upload {
        Ok(u) => u,
        Err(_) => return refused(lang.t("bo-photo-too-large")),
    };
    let Some(file) = up.file.filter(|f| !f.is_empty()) else {
        return refused(lang.t("bo-photo-none"));
    };
    match app::photos::add(
        &state.app,
        &caller,
        &code,
        file,
        up.alt.as_deref(),
        up.alt_en.as_deref(),
    )
    .await
    {
        Ok(_) => {
            state.publish().await;
            Redirect::to(&format!("/staff/service-points/{code}?done=photo#photos")).into_response()
        }
        Err(AppError::Invalid(problems)) => page(
            &state,
            lang,
            &uri,
            &caller,
            &current.point,
            true,
            None,
            &problems,
            &[],
            None,
            Vec::new(),
        ),
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

/// A photo's alt text and cover, or its deletion, from the buttons by it.
pub(crate) async fn photo_change(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path((code, id, what)): Path<(String, i64, String)>,
    Form(values): Form<Values>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(code) = parse_code(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let get = |k: &str| {
        values
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let result = match what.as_str() {
        "delete" => app::photos::delete(&state.app, &caller, &code, id).await,
        "update" => {
            let edit = app::photos::PhotoEdit {
                alt_th: get("alt"),
                alt_en: Some(get("alt_en")),
                position: get("position").parse().ok(),
                cover: !get("cover").is_empty(),
            };
            app::photos::update(&state.app, &caller, &code, id, edit).await
        }
        _ => Err(AppError::NotFound("action")),
    };
    match result {
        Ok(_) => {
            state.publish().await;
            Redirect::to(&format!("/staff/service-points/{code}?done=photo#photos")).into_response()
        }
        Err(AppError::Invalid(problems)) => {
            match app::points::point(&state.app, &caller, &code).await {
                Ok(p) => page(
                    &state,
                    lang,
                    &uri,
                    &caller,
                    &p.point,
                    p.can_edit,
                    None,
                    &problems,
                    &[],
                    None,
                    Vec::new(),
                ),
                Err(e) => failure(lang, &uri, &caller, e),
            }
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}
