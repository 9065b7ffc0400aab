//! The rating page behind the QR poster, `/r/{token}`: Thai first with English on
//! every label, radio buttons that work without JavaScript, a thank-you page after.
//! It sets no cookie and keeps nothing of the citizen but the rating.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use domain::rating::{Dimension, RatingForm, Score};
use domain::rating_guard::Refusal;
use serde::Deserialize;

use super::Layout;
use crate::auth::ClientAddress;
use crate::{Lang, Shared};
use app::ratings::{self, Client, Poster, Refused, Sent};

/// The largest form taken: a comment of 2,000 Thai characters is 18 KB once
/// percent-encoded; anything much larger is no citizen's.
pub(crate) const RATING_BODY_LIMIT: usize = 64 * 1024;

/// The form's fields as the browser sends them; every one optional, so that a missing
/// field gets a message rather than a rejection.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct RateForm {
    overall: String,
    process: String,
    staff: String,
    place: String,
    result: String,
    information: String,
    service: String,
    comment: String,
    contact: String,
    form_token: String,
    /// The trap: hidden from people by the style sheet, filled by robots.
    website: String,
}

impl RateForm {
    fn answer(&self, d: Dimension) -> &str {
        match d {
            Dimension::Overall => &self.overall,
            Dimension::Process => &self.process,
            Dimension::Staff => &self.staff,
            Dimension::Place => &self.place,
            Dimension::Result => &self.result,
            Dimension::Information => &self.information,
        }
    }

    pub(crate) fn sent(&self) -> Sent {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        Sent {
            form: RatingForm {
                overall: some(&self.overall),
                dimensions: Dimension::ASPECTS
                    .iter()
                    .filter(|d| !self.answer(**d).trim().is_empty())
                    .map(|d| (d.key().to_owned(), self.answer(*d).to_owned()))
                    .collect(),
                service: some(&self.service),
                comment: some(&self.comment),
                contact: some(&self.contact),
            },
            form_token: some(&self.form_token),
            trap: some(&self.website),
        }
    }
}

/// One choice of a radio group.
struct Choice {
    value: String,
    th: &'static str,
    en: &'static str,
    /// Drawn with the level's face (not "not applicable").
    face: bool,
    checked: bool,
}

/// The mouth of each level's face, 5 (the widest smile) to 1 (the deepest frown): the
/// faces are drawn, not emoji, so that every phone shows them alike.
const FACES: [(u8, &str); 5] = [
    (5, "M9 19 Q16 28 23 19"),
    (4, "M10 20 Q16 24.5 22 20"),
    (3, "M10 21.5 L22 21.5"),
    (2, "M10 23.5 Q16 19.5 22 23.5"),
    (1, "M9 25 Q16 17 23 25"),
];

/// One question: the overall satisfaction, or an aspect with "not applicable".
struct Question {
    key: &'static str,
    th: &'static str,
    en: &'static str,
    required: bool,
    choices: Vec<Choice>,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "rate.html")]
struct RatePage {
    l: Layout,
    token: String,
    point_th: String,
    point_en: String,
    office: Option<String>,
    form_token: String,
    questions: Vec<Question>,
    /// (value, Thai, English, selected).
    services: Vec<(String, String, String, bool)>,
    comment: String,
    contact: String,
    errors: Vec<(String, String)>,
    comment_max: usize,
    faces: [(u8, &'static str); 5],
}

#[derive(Template, WebTemplate)]
#[template(path = "rate_notice.html")]
struct RateNotice {
    l: Layout,
    th: String,
    en: String,
}

fn questions(form: &RateForm, problems: &[domain::Problem]) -> Vec<Question> {
    let error = |field: String| {
        problems
            .iter()
            .find(|p| p.field == field)
            .map(|p| format!("{} / {}", p.th, p.en))
    };
    Dimension::ALL
        .iter()
        .map(|d| {
            let given = form.answer(*d).trim();
            let mut choices: Vec<Choice> = Score::ALL
                .iter()
                .map(|s| Choice {
                    value: s.to_string(),
                    th: s.word_th(),
                    en: s.word_en(),
                    face: true,
                    checked: given == s.to_string(),
                })
                .collect();
            if *d != Dimension::Overall {
                choices.push(Choice {
                    value: "na".into(),
                    th: "ไม่เกี่ยวข้อง",
                    en: "Not applicable",
                    face: false,
                    checked: given.is_empty() || given == "na",
                });
            }
            Question {
                key: d.key(),
                th: d.label_th(),
                en: d.label_en(),
                required: *d == Dimension::Overall,
                choices,
                error: error(d.field()),
            }
        })
        .collect()
}

fn page(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    token: &str,
    target: &storage::RatingTarget,
    form: &RateForm,
    problems: &[domain::Problem],
) -> RatePage {
    let services = target
        .manuals
        .iter()
        .map(|(id, th, en)| {
            (
                id.to_string(),
                th.clone(),
                en.clone(),
                form.service == id.to_string(),
            )
        })
        .chain(std::iter::once((
            "other".to_owned(),
            "อื่น ๆ".to_owned(),
            "Other".to_owned(),
            form.service.is_empty() || form.service == "other",
        )))
        .collect();
    RatePage {
        l: Layout::new(lang, "ให้คะแนนความพึงพอใจ / Rate this service", uri),
        token: token.to_owned(),
        point_th: target.name_th.clone(),
        point_en: target.name_en.clone(),
        office: target.office_th.clone(),
        form_token: ratings::form_token(&state.app, token, Utc::now()),
        questions: questions(form, problems),
        services,
        comment: form.comment.clone(),
        contact: form.contact.clone(),
        errors: problems
            .iter()
            .map(|p| {
                let anchor = match p.field.strip_prefix("dimensions.") {
                    Some(k) => k.to_owned(),
                    None => p.field.clone(),
                };
                (anchor, format!("{} / {}", p.th, p.en))
            })
            .collect(),
        comment_max: domain::rating::COMMENT_MAX_CHARS,
        faces: FACES,
    }
}

fn notice(status: StatusCode, lang: Lang, uri: &Uri, th: &str, en: &str) -> Response {
    let mut res = (
        status,
        RateNotice {
            l: Layout::new(lang, format!("{th} / {en}"), uri),
            th: th.to_owned(),
            en: en.to_owned(),
        },
    )
        .into_response();
    // What a retired or unknown poster answers may change; never cache it.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

const RETIRED_TH: &str = "ป้ายนี้ถูกแทนที่ด้วยป้ายใหม่แล้ว กรุณาสแกนคิวอาร์โค้ดบนป้ายล่าสุดที่จุดบริการ";
const RETIRED_EN: &str = "This poster has been replaced by a new one. Please scan the QR code on the current poster at the counter.";
const OFF_TH: &str = "จุดบริการนี้ไม่ได้เปิดรับการประเมินความพึงพอใจในขณะนี้";
const OFF_EN: &str = "This service point is not taking ratings at the moment.";
const UNKNOWN_TH: &str = "ไม่พบป้ายคิวอาร์โค้ดนี้ กรุณาตรวจสอบที่อยู่อีกครั้ง";
const UNKNOWN_EN: &str = "There is no such poster. Please check the address.";

fn refused_poster(lang: Lang, uri: &Uri, p: &Poster) -> Option<Response> {
    match p {
        Poster::Open(_) => None,
        Poster::Off(_) => Some(notice(StatusCode::CONFLICT, lang, uri, OFF_TH, OFF_EN)),
        Poster::Retired => Some(notice(StatusCode::GONE, lang, uri, RETIRED_TH, RETIRED_EN)),
        Poster::Unknown => Some(notice(
            StatusCode::NOT_FOUND,
            lang,
            uri,
            UNKNOWN_TH,
            UNKNOWN_EN,
        )),
    }
}

pub(crate) async fn form(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    Path(token): Path<String>,
) -> Response {
    let poster = match ratings::open(&state.app, &token).await {
        Ok(p) => p,
        Err(e) => return internal(lang, &uri, format!("{e:?}")),
    };
    if let Some(r) = refused_poster(lang, &uri, &poster) {
        return r;
    }
    let Poster::Open(target) = poster else {
        unreachable!("refused_poster answers every other case")
    };
    no_store(super::html(&page(
        &state,
        lang,
        &uri,
        &token,
        &target,
        &RateForm::default(),
        &[],
    )))
}

/// The form is made for one visit (its token carries the time it was served).
fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

fn internal(lang: Lang, uri: &Uri, cause: String) -> Response {
    tracing::error!(error = %cause, "rating page failed");
    notice(
        StatusCode::INTERNAL_SERVER_ERROR,
        lang,
        uri,
        "ขออภัย ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง",
        "Sorry, something went wrong. Please try again.",
    )
}

pub(crate) async fn submit(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: Result<axum::Form<RateForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let form = match form {
        Ok(axum::Form(f)) => f,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return notice(
                StatusCode::PAYLOAD_TOO_LARGE,
                lang,
                &uri,
                "ความคิดเห็นยาวเกินไป กรุณาเขียนไม่เกิน 2,000 ตัวอักษร แล้วส่งอีกครั้ง",
                "The comment is too long: write at most 2,000 characters and send again.",
            );
        }
        Err(_) => {
            return notice(
                StatusCode::BAD_REQUEST,
                lang,
                &uri,
                "แบบฟอร์มที่ส่งมาไม่ถูกต้อง กรุณาสแกนคิวอาร์โค้ดแล้วลองใหม่",
                "The form sent could not be read. Please scan the QR code and try again.",
            );
        }
    };
    let client = Client {
        address: address.as_deref(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    };
    match ratings::submit(&state.app, &token, client, &form.sent()).await {
        Ok(_) => Redirect::to(&format!("/r/{token}/thanks")).into_response(),
        Err(Refused::Off) => notice(StatusCode::CONFLICT, lang, &uri, OFF_TH, OFF_EN),
        Err(Refused::Retired) => notice(StatusCode::GONE, lang, &uri, RETIRED_TH, RETIRED_EN),
        Err(Refused::Unknown) => notice(StatusCode::NOT_FOUND, lang, &uri, UNKNOWN_TH, UNKNOWN_EN),
        Err(Refused::Invalid(problems)) => {
            again(
                &state,
                lang,
                &uri,
                &token,
                &form,
                &problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(Refused::Guarded(why @ (Refusal::TooFast | Refusal::Form))) => {
            // A person who was quick, or whose page was open for a day: the answers
            // are kept, and a fresh form asks them to send again.
            let p = domain::Problem::new(
                "form_token",
                if why == Refusal::TooFast {
                    "ส่งเร็วเกินไป กรุณาตรวจสอบคำตอบแล้วกดส่งอีกครั้ง"
                } else {
                    "แบบฟอร์มนี้หมดอายุแล้ว กรุณาตรวจสอบคำตอบแล้วกดส่งอีกครั้ง"
                },
                if why == Refusal::TooFast {
                    "That was quicker than we expected. Please check your answers and send again."
                } else {
                    "This form has expired. Please check your answers and send again."
                },
            );
            let status = if why == Refusal::TooFast {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::BAD_REQUEST
            };
            again(&state, lang, &uri, &token, &form, &[p], status).await
        }
        Err(Refused::Guarded(Refusal::Trap)) => notice(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            &uri,
            "ไม่สามารถรับแบบประเมินนี้ได้ กรุณาเว้นช่องที่ระบุว่า \"เว้นว่างไว้\"",
            "This rating could not be taken. Leave the field marked \"leave empty\" empty.",
        ),
        Err(Refused::Guarded(Refusal::Repeat | Refusal::Limit)) => notice(
            StatusCode::TOO_MANY_REQUESTS,
            lang,
            &uri,
            "ท่านได้ประเมินจุดบริการนี้ไปแล้ว ขอบคุณสำหรับความคิดเห็น",
            "You have already rated this service point. Thank you for your opinion.",
        ),
        Err(Refused::Busy) => notice(
            StatusCode::SERVICE_UNAVAILABLE,
            lang,
            &uri,
            "ระบบมีผู้ใช้งานจำนวนมาก กรุณากดส่งอีกครั้งในอีกสักครู่",
            "Many people are rating right now. Please send again in a moment.",
        ),
        Err(Refused::Internal(cause)) => internal(lang, &uri, cause),
    }
}

async fn again(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    token: &str,
    form: &RateForm,
    problems: &[domain::Problem],
    status: StatusCode,
) -> Response {
    match ratings::open(&state.app, token).await {
        Ok(Poster::Open(target)) => {
            let mut res = super::html(&page(state, lang, uri, token, &target, form, problems));
            *res.status_mut() = status;
            no_store(res)
        }
        Ok(p) => refused_poster(lang, uri, &p)
            .unwrap_or_else(|| internal(lang, uri, "poster changed".into())),
        Err(e) => internal(lang, uri, format!("{e:?}")),
    }
}

/// The same for every poster: nothing is looked up.
pub(crate) async fn thanks(lang: Lang, uri: Uri) -> Response {
    notice(
        StatusCode::OK,
        lang,
        &uri,
        "ขอบคุณที่ร่วมประเมินความพึงพอใจ ความคิดเห็นของท่านช่วยให้บริการดีขึ้น",
        "Thank you for rating the service. Your opinion helps make it better.",
    )
}
