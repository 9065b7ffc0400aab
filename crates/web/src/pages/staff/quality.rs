//! Data quality: the findings of the caller's scope, counted per check (and per
//! province), each linking to the form where it is fixed.

use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use domain::quality::Check;
use serde::Deserialize;
use tower_sessions::Session;

use super::*;

const SHOWN: usize = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct QualityForm {
    check: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/quality.html")]
struct QualityPage {
    l: Layout,
    f: Frame,
    /// (slug, label, count)
    counts: Vec<(&'static str, &'static str, usize)>,
    /// (province, counts in the order of `counts`)
    provinces: Vec<(String, Vec<usize>)>,
    chosen: Option<&'static str>,
    /// (code, name, detail, other code)
    items: Vec<(String, String, String, Option<String>)>,
    more: usize,
}

pub(crate) async fn quality(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Query(form): Query<QualityForm>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let report = match app::quality::report(
        &state.app,
        &caller,
        &app::backoffice::Filter::default(),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let label = |c: Check| match lang {
        Lang::Th => c.th(),
        Lang::En => c.en(),
    };
    let chosen = Check::parse(form.check.trim());
    let list: Vec<_> = report
        .findings
        .iter()
        .filter(|f| chosen.is_none_or(|c| f.kind.check() == c))
        .collect();
    let items = list
        .iter()
        .take(SHOWN)
        .map(|f| {
            let other = match &f.kind {
                domain::quality::FindingKind::LikelyDuplicate { other, .. } => {
                    Some(other.to_string())
                }
                _ => None,
            };
            let detail = match lang {
                Lang::Th => f.kind.detail_th(),
                Lang::En => f.kind.detail_en(),
            };
            let detail = if detail.is_empty() {
                match lang {
                    Lang::Th => f.kind.th().to_owned(),
                    Lang::En => f.kind.en().to_owned(),
                }
            } else {
                detail
            };
            (
                f.code.to_string(),
                report
                    .points
                    .get(&f.code)
                    .map(|p| p.0.clone())
                    .unwrap_or_default(),
                detail,
                other,
            )
        })
        .collect();
    let (layout, menu) = frame(lang, lang.text("bo-quality"), &uri, Menu::Quality, &caller);
    QualityPage {
        l: layout,
        f: menu,
        counts: report
            .counts
            .iter()
            .map(|(c, n)| (c.slug(), label(*c), *n))
            .collect(),
        provinces: if report.by_province.len() > 1 {
            report
                .by_province
                .iter()
                .map(|(p, list)| (p.clone(), list.iter().map(|(_, n)| *n).collect()))
                .collect()
        } else {
            Vec::new()
        },
        chosen: chosen.map(|c| c.slug()),
        more: list.len().saturating_sub(SHOWN),
        items,
    }
    .into_response()
}
