//! Pin manuals (the seed's step 9): the points of the caller's scope with how many
//! manuals each carries, a point's own pins to tick, and pinning one manual to every
//! point under a unit.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use domain::UnitCode;
use serde::Deserialize;
use tower_sessions::Session;

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PinsForm {
    unit: String,
    done: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/pins.html")]
struct PinsPage {
    l: Layout,
    f: Frame,
    notice: Option<String>,
    units: Vec<(String, String)>,
    unit: String,
    /// (code, name, office, pinned count)
    rows: Vec<(String, String, String, usize)>,
    /// (id, title) of the published manuals
    manuals: Vec<(i64, String)>,
}

pub(crate) async fn pins(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Query(form): Query<PinsForm>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let all = match app::backoffice::service_points(&state.app, &caller, &Default::default()).await
    {
        Ok(l) => l,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let unit = UnitCode::parse(form.unit.trim()).ok();
    let lines = match app::backoffice::service_points(
        &state.app,
        &caller,
        &app::backoffice::Filter {
            unit,
            ..Default::default()
        },
    )
    .await
    {
        Ok(l) => l,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let pins = match state.db.pins_by_point().await {
        Ok(p) => p,
        Err(e) => return failure(lang, &uri, &caller, e.into()),
    };
    let mut units: Vec<(String, String)> = all
        .iter()
        .filter_map(|l| l.unit.as_ref().map(|u| (u.code.clone(), u.name.clone())))
        .collect();
    units.sort();
    units.dedup();
    let dir = state.directory();
    let manuals = dir
        .manuals
        .iter()
        .map(|m| (m.id, m.title_th.clone()))
        .collect();
    let rows = lines
        .into_iter()
        .filter(|l| !l.archived)
        .map(|l| {
            let n = pins.get(&l.code).map_or(0, Vec::len);
            (
                l.code,
                l.name,
                l.unit.map(|u| u.name).unwrap_or_default(),
                n,
            )
        })
        .collect();
    let notice =
        (!form.done.is_empty()).then(|| lang.t_with("bo-pinned-all", &[("n", form.done.clone())]));
    let (layout, menu) = frame(lang, lang.text("bo-pin-manuals"), &uri, Menu::Pins, &caller);
    PinsPage {
        l: layout,
        f: menu,
        notice,
        units,
        unit: form.unit,
        rows,
        manuals,
    }
    .into_response()
}

/// Pins one manual to every point under a unit.
pub(crate) async fn pin_all(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let unit = values
        .get("unit")
        .and_then(|u| UnitCode::parse(u.trim()).ok());
    let manual = values
        .get("manual")
        .and_then(|m| m.trim().parse::<i64>().ok());
    let (Some(unit), Some(manual)) = (unit, manual) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    match app::manuals::pin_under(&state.app, &caller, &unit, manual).await {
        Ok((pinned, _)) => {
            state.publish().await;
            Redirect::to(&format!("/staff/pins?unit={unit}&done={pinned}")).into_response()
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/point_pins.html")]
struct PointPinsPage {
    l: Layout,
    f: Frame,
    code: String,
    name: String,
    can_edit: bool,
    /// (id, title, pinned)
    manuals: Vec<(i64, String, bool)>,
}

/// A point's manuals to tick.
pub(crate) async fn point_pins(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(code) = UnitCode::parse(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let p = match app::points::point(&state.app, &caller, &code).await {
        Ok(p) => p,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let dir = state.directory();
    let manuals = dir
        .manuals
        .iter()
        .map(|m| (m.id, m.title_th.clone(), p.point.manuals.contains(&m.id)))
        .collect();
    let (layout, menu) = frame(lang, lang.text("bo-pin-manuals"), &uri, Menu::Pins, &caller);
    PointPinsPage {
        l: layout,
        f: menu,
        code: code.to_string(),
        name: p.point.state.name_th,
        can_edit: p.can_edit,
        manuals,
    }
    .into_response()
}

/// Pins or unpins one manual of a point, from its button.
pub(crate) async fn point_pin(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path((code, id, what)): Path<(String, i64, String)>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(code) = UnitCode::parse(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let r = match what.as_str() {
        "pin" => app::manuals::pin(&state.app, &caller, &code, id).await,
        "unpin" => app::manuals::unpin(&state.app, &caller, &code, id).await,
        _ => Err(AppError::NotFound("action")),
    };
    match r {
        Ok(_) => {
            state.publish().await;
            Redirect::to(&format!("/staff/service-points/{code}/manuals")).into_response()
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}
