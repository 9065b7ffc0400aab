use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use directory::{Directory, UnitEntry};
use domain::UnitKind;

use super::{Layout, error_page};
use crate::{Lang, Shared};

#[derive(Template, WebTemplate)]
#[template(path = "units.html")]
pub(crate) struct UnitsPage {
    l: Layout,
    crumbs: Vec<(String, String)>,
    /// (url, name, count)
    children: Vec<(String, String, String)>,
    point_url: Option<String>,
}

fn line(lang: Lang, dir: &Directory, u: &UnitEntry) -> (String, String, String) {
    let (th, en) = dir.names(u);
    let url = if u.unit.kind == UnitKind::ServicePoint {
        format!("/sp/{}", u.unit.code)
    } else {
        format!("/units/{}", u.unit.code)
    };
    let count = if u.unit.kind == UnitKind::ServicePoint {
        String::new()
    } else {
        lang.t_with(
            "service-points-count",
            &[("count", u.service_points.to_string())],
        )
    };
    (url, lang.pick(th, en).to_owned(), count)
}

pub(crate) async fn roots(State(state): State<Shared>, lang: Lang, uri: Uri) -> UnitsPage {
    let dir = state.directory();
    let children = dir
        .roots()
        .into_iter()
        .map(|u| line(lang, &dir, u))
        .collect();
    UnitsPage {
        l: Layout::new(lang, lang.t("browse-title"), &uri),
        crumbs: Vec::new(),
        children,
        point_url: None,
    }
}

pub(crate) async fn unit(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    let dir = state.directory();
    let Some(u) = dir.unit(code.trim()) else {
        return error_page(StatusCode::NOT_FOUND, lang, &uri, lang.t("err-code"));
    };
    let crumbs: Vec<(String, String)> = dir
        .breadcrumbs(u.unit.code.as_str())
        .iter()
        .map(|c| {
            let (th, en) = dir.names(c);
            (c.unit.code.to_string(), lang.pick(th, en).to_owned())
        })
        .collect();
    let crumbs = crumbs[..crumbs.len().saturating_sub(1)].to_vec();
    let children = dir
        .children(u)
        .into_iter()
        .map(|c| line(lang, &dir, c))
        .collect();
    let point_url = (u.unit.kind == UnitKind::ServicePoint).then(|| format!("/sp/{}", u.unit.code));
    UnitsPage {
        l: Layout::new(
            lang,
            lang.pick(dir.names(u).0, dir.names(u).1).to_owned(),
            &uri,
        ),
        crumbs,
        children,
        point_url,
    }
    .into_response()
}
