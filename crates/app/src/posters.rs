//! The QR posters of the founding letter's last step: the listing of the caller's
//! scope with download counts and the on/off switch, the downloads (one poster, or the
//! checked ones in one file), and the token rotation that retires old prints.

use chrono::Utc;
use domain::UnitCode;
use domain::roles::Right;
use rand::Rng;
use std::collections::HashMap;
use storage::{Editor, PosterRow};

use crate::backoffice::{self, Filter, Line};
use crate::{Address, App, AppError, Caller, Result};

/// The most posters one download holds: a province's offices, not the nation's.
pub const MAX_POSTERS_PER_DOWNLOAD: usize = 500;

/// One line of the poster listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosterLine {
    pub point: Line,
    /// Taking ratings (a poster not made yet will be, on).
    pub enabled: bool,
    pub downloads: i64,
}

/// A 128-bit random token, in base 32 without padding (26 characters, case-blind, no
/// look-alike symbols to mistype from a print).
pub fn fresh_token() -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..26)
        .map(|_| ALPHABET[rng.random_range(0..32)] as char)
        .collect()
}

/// The posters of the caller's scope that pass the filter, in code order; archived
/// points have none.
pub async fn listing(app: &App, caller: &Caller, filter: &Filter) -> Result<Vec<PosterLine>> {
    let lines = backoffice::service_points(app, caller, filter).await?;
    let posters: HashMap<String, PosterRow> = app
        .db
        .posters()
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    Ok(lines
        .into_iter()
        .filter(|l| !l.archived)
        .map(|l| {
            let p = posters.get(&l.code);
            PosterLine {
                enabled: p.is_none_or(|p| p.enabled),
                downloads: p.map_or(0, |p| p.downloads),
                point: l,
            }
        })
        .collect())
}

/// What a poster prints, for each of `codes` (each checked against the caller's
/// rights on its office), and the downloads counted. Makes the posters not made yet.
pub async fn download(
    app: &App,
    caller: &Caller,
    codes: &[UnitCode],
) -> Result<Vec<poster::Poster>> {
    if codes.is_empty() {
        return Err(AppError::Invalid(vec![domain::Problem::new(
            "codes",
            "กรุณาเลือกจุดบริการอย่างน้อยหนึ่งแห่ง",
            "Choose at least one service point",
        )]));
    }
    if codes.len() > MAX_POSTERS_PER_DOWNLOAD {
        return Err(AppError::Invalid(vec![domain::Problem::new(
            "codes",
            format!("ดาวน์โหลดได้ครั้งละไม่เกิน {MAX_POSTERS_PER_DOWNLOAD} แผ่น"),
            format!("At most {MAX_POSTERS_PER_DOWNLOAD} posters per download"),
        )]));
    }
    let mut ids = Vec::with_capacity(codes.len());
    let mut names = Vec::with_capacity(codes.len());
    for code in codes {
        let chain = point_chain(app, caller, code, Right::View).await?;
        ids.push(chain.point_id);
        names.push(chain);
    }
    let rows = app
        .db
        .ensure_posters(&ids, &mut fresh_token, Utc::now())
        .await?;
    app.db.count_poster_downloads(&ids, Utc::now()).await?;
    Ok(rows
        .iter()
        .zip(names)
        .map(|(row, n)| {
            let url = rating_url(&app.base_url, &row.token);
            poster::Poster {
                department: n.department,
                office: n.office,
                point_name: n.point_name,
                point_code: row.code.clone(),
                short_address: url
                    .split_once("://")
                    .map_or(url.as_str(), |(_, rest)| rest)
                    .to_owned(),
                url,
            }
        })
        .collect())
}

/// The address a poster's QR code holds.
pub fn rating_url(base_url: &str, token: &str) -> String {
    format!("{}/r/{token}", base_url.trim_end_matches('/'))
}

/// Whether the caller may switch or rotate the point's poster: checked before a
/// request's body is read, so that someone without the right learns nothing from it.
pub async fn may_change(app: &App, caller: &Caller, code: &UnitCode) -> Result<()> {
    point_chain(app, caller, code, Right::Edit).await.map(drop)
}

/// Switches the poster of a point on or off (its office's editors and those above).
pub async fn set_enabled(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    enabled: bool,
    address: Address<'_>,
) -> Result<PosterRow> {
    let chain = point_chain(app, caller, code, Right::Edit).await?;
    let now = Utc::now();
    let row = made(app, chain.point_id).await?;
    app.db
        .set_poster_enabled(row.point_id, enabled, &editor(caller, address), now)
        .await?;
    app.ratings.forget_posters();
    made(app, chain.point_id).await
}

/// Gives the poster a new token: prints of the old one answer that they were replaced.
pub async fn rotate(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    address: Address<'_>,
) -> Result<PosterRow> {
    let chain = point_chain(app, caller, code, Right::Edit).await?;
    let now = Utc::now();
    made(app, chain.point_id).await?;
    app.db
        .rotate_poster(
            chain.point_id,
            &fresh_token(),
            &editor(caller, address),
            now,
        )
        .await?;
    app.ratings.forget_posters();
    made(app, chain.point_id).await
}

/// The poster of a point, made when it was not yet.
async fn made(app: &App, point: i64) -> Result<PosterRow> {
    app.db
        .ensure_posters(&[point], &mut fresh_token, Utc::now())
        .await?
        .pop()
        .ok_or_else(|| AppError::internal("a poster just made is missing"))
}

/// Who makes a change, for the record: poster switches, task reports.
pub(crate) fn editor<'a>(caller: &'a Caller, address: Address<'a>) -> Editor<'a> {
    Editor {
        name: &caller.user.username,
        user: (caller.user.id > 0).then_some(caller.user.id),
        address,
    }
}

/// A service point with the names its poster prints.
struct PointNames {
    point_id: i64,
    point_name: String,
    office: String,
    department: String,
}

/// The point `code` names, after the caller's `right` on the point's own unit has
/// been checked; `NotFound` for a code that is not a service point.
async fn point_chain(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    right: Right,
) -> Result<PointNames> {
    let chain = app
        .db
        .unit_chain_named(code)
        .await?
        .ok_or(AppError::NotFound("code"))?;
    let (point_id, _, kind, point_name) = chain.first().ok_or(AppError::NotFound("code"))?;
    if kind != "service_point" {
        return Err(AppError::NotFound("code"));
    }
    let office = chain.get(1).ok_or(AppError::NotFound("code"))?;
    caller.require(app, &office.1, right).await?;
    let named = |k: &str| {
        chain
            .iter()
            .skip(1)
            .find(|(_, _, kind, _)| kind == k)
            .map(|(_, _, _, n)| n.clone())
            .unwrap_or_default()
    };
    Ok(PointNames {
        point_id: *point_id,
        point_name: point_name.clone(),
        office: office.3.clone(),
        department: named("department"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_unambiguous() {
        let a = fresh_token();
        let b = fresh_token();
        assert_eq!(a.len(), 26);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() && !"l1o0".contains(c))
        );
    }

    #[test]
    fn the_address_has_one_slash() {
        assert_eq!(
            rating_url("https://x.example/", "abc"),
            "https://x.example/r/abc"
        );
    }
}
