//! The back office's table of service points and structure (step 8 of the founding
//! letter): the service points in the caller's scope, hidden ones too, with their
//! ministry, department and unit, GECC level, visibility, last edit, and the unit's
//! Authorize Code for those who may hand it out.

use chrono::{DateTime, Utc};
use domain::UnitCode;
use domain::roles::{Right, Role, allows};
use std::collections::HashMap;
use storage::StaffTree;

use crate::{App, AppError, Caller, Result};

/// What the listing is narrowed to; every part optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub ministry: Option<UnitCode>,
    pub department: Option<UnitCode>,
    pub unit: Option<UnitCode>,
    /// Part of a name or a code.
    pub text: Option<String>,
}

/// A unit above a service point, as the listing names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub code: String,
    pub name: String,
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub code: String,
    pub name: String,
    pub ministry: Option<Named>,
    pub department: Option<Named>,
    /// The nearest unit of kind `unit` above the point: the office.
    pub unit: Option<Named>,
    pub gecc_level: String,
    pub visible: bool,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    /// Archived: neither public nor editable until restored.
    pub archived: bool,
    /// The office's active code, only to who may hand it out (an administrator or
    /// supervisor above the office, or a system administrator).
    pub authorize_code: Option<String>,
}

/// The lines in the caller's scope that pass the filter, in code order: the units the
/// caller is a member of (any role) and everything below them; everything for a system
/// administrator.
pub async fn service_points(app: &App, caller: &Caller, filter: &Filter) -> Result<Vec<Line>> {
    let tree = app.db.staff_tree().await?;
    let memberships = if caller.user.is_system_admin {
        Vec::new()
    } else {
        app.db.memberships(caller.user.id).await?
    };
    let mut roles_by_code: HashMap<&str, Vec<Role>> = HashMap::new();
    for m in &memberships {
        let role: Role = m.role.parse().map_err(AppError::internal)?;
        roles_by_code.entry(m.unit.as_str()).or_default().push(role);
    }
    Ok(lines(
        &tree,
        caller.user.is_system_admin,
        &roles_by_code,
        filter,
    ))
}

/// The listing as the spreadsheet of `domain::point_sheet`: the header and, for each
/// line the filter keeps, every column, so that the file imports back unchanged.
pub async fn sheet(
    app: &App,
    caller: &Caller,
    filter: &Filter,
) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    use domain::point_sheet::{COLUMNS, Info, PointLine, write_line};
    let lines = service_points(app, caller, filter).await?;
    let points = app.db.sheet_points().await?;
    let by_code: HashMap<&str, &storage::SheetPoint> =
        points.iter().map(|p| (p.code.as_str(), p)).collect();
    let name = |n: &Option<Named>| n.as_ref().map(|n| n.name.clone()).unwrap_or_default();
    let mut rows = Vec::with_capacity(lines.len());
    for l in &lines {
        let Some(p) = by_code.get(l.code.as_str()) else {
            continue;
        };
        rows.push(write_line(&PointLine {
            code: &p.code,
            unit: &p.unit,
            state: &p.state,
            revision: p.revision,
            pin_confirmed: p.pin_confirmed_district.is_some(),
            info: Info {
                ministry: name(&l.ministry),
                department: name(&l.department),
                unit: name(&l.unit),
                // The date in Asia/Bangkok (UTC+7, no daylight saving), Buddhist era.
                edited: domain::thai_date::short_th(
                    (l.updated_at + chrono::Duration::hours(7)).date_naive(),
                ),
                edited_by: l.updated_by.clone().unwrap_or_default(),
                authorize_code: l.authorize_code.clone().unwrap_or_default(),
            },
        }));
    }
    Ok((COLUMNS.iter().map(|c| c.header()).collect(), rows))
}

/// The table from the tree: pure, so that scope and filters are tested on their own.
pub fn lines(
    tree: &StaffTree,
    system_admin: bool,
    roles_by_code: &HashMap<&str, Vec<Role>>,
    filter: &Filter,
) -> Vec<Line> {
    let by_id: HashMap<i64, &storage::TreeUnit> = tree.units.iter().map(|u| (u.id, u)).collect();
    let text = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase);
    let mut out = Vec::new();
    for p in &tree.points {
        let Some(point) = by_id.get(&p.unit_id) else {
            continue;
        };
        // The chain above the point, nearest first (bounded: trees are shallow).
        let mut chain = Vec::new();
        let mut next = point.parent;
        while let Some(id) = next.filter(|_| chain.len() < 16) {
            let Some(u) = by_id.get(&id) else { break };
            chain.push(*u);
            next = u.parent;
        }
        let held: Vec<(usize, Role)> = std::iter::once(*point)
            .chain(chain.iter().copied())
            .enumerate()
            .flat_map(|(d, u)| {
                roles_by_code
                    .get(u.code.as_str())
                    .into_iter()
                    .flatten()
                    .map(move |r| (d, *r))
            })
            .collect();
        if !system_admin && held.is_empty() {
            continue;
        }
        let find = |kind: &str| chain.iter().find(|u| u.kind == kind).copied();
        let (ministry, department, unit) = (find("ministry"), find("department"), find("unit"));
        let named = |u: Option<&storage::TreeUnit>| {
            u.map(|u| Named {
                code: u.code.clone(),
                name: u.name_th.clone(),
            })
        };
        // A filter holds when the chain passes through the unit it names.
        let under = |want: &Option<UnitCode>| {
            want.as_ref()
                .is_none_or(|w| chain.iter().any(|u| u.code == w.as_str()))
        };
        if !under(&filter.ministry) || !under(&filter.department) || !under(&filter.unit) {
            continue;
        }
        if let Some(t) = &text {
            let hay = [point.name_th.as_str(), point.code.as_str()]
                .into_iter()
                .chain(unit.map(|u| u.name_th.as_str()));
            if !hay
                .into_iter()
                .any(|h| h.to_lowercase().contains(t.as_str()))
            {
                continue;
            }
        }
        // The office's code is handed out from above it: the roles held at least one
        // level above the office.
        let authorize_code = unit.and_then(|office| {
            let office_at = 1 + chain.iter().position(|u| u.id == office.id)?;
            let above: Vec<(usize, Role)> = held
                .iter()
                .filter(|(d, _)| *d >= office_at)
                .map(|(d, r)| (d - office_at, *r))
                .collect();
            (system_admin || allows(&above, Right::AdministerFromAbove))
                .then(|| tree.codes.get(&office.id).cloned())
                .flatten()
        });
        out.push(Line {
            code: point.code.clone(),
            name: point.name_th.clone(),
            ministry: named(ministry),
            department: named(department),
            unit: named(unit),
            gecc_level: p.gecc_level.clone(),
            visible: p.is_public,
            updated_at: p.updated_at,
            updated_by: p.updated_by.clone(),
            verified_at: p.verified_at,
            archived: p.archived_at.is_some(),
            authorize_code,
        });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use storage::{PointRow, TreeUnit};

    fn unit(id: i64, code: &str, kind: &str, parent: Option<i64>, name: &str) -> TreeUnit {
        TreeUnit {
            id,
            code: code.into(),
            kind: kind.into(),
            parent,
            name_th: name.into(),
        }
    }

    fn point(id: i64) -> PointRow {
        PointRow {
            unit_id: id,
            gecc_level: "none".into(),
            is_public: id % 2 == 0,
            updated_at: Utc::now(),
            updated_by: None,
            verified_at: None,
            archived_at: None,
        }
    }

    /// Interior → department → province office → two district offices, each with a point.
    fn tree() -> StaffTree {
        StaffTree {
            units: vec![
                unit(1, "0100000000000", "ministry", None, "กระทรวงมหาดไทย"),
                unit(2, "0112140000000", "department", Some(1), "กรมการพัฒนาชุมชน"),
                unit(
                    3,
                    "0112140410100",
                    "unit",
                    Some(2),
                    "สำนักงานพัฒนาชุมชนจังหวัดชลบุรี",
                ),
                unit(
                    4,
                    "0112140410104",
                    "unit",
                    Some(3),
                    "สำนักงานพัฒนาชุมชนอำเภอบางละมุง",
                ),
                unit(
                    5,
                    "0112140410109",
                    "unit",
                    Some(3),
                    "สำนักงานพัฒนาชุมชนอำเภอสัตหีบ",
                ),
                unit(
                    6,
                    "0112140410204",
                    "service_point",
                    Some(4),
                    "จุดบริการบางละมุง",
                ),
                unit(7, "0112140410209", "service_point", Some(5), "จุดบริการสัตหีบ"),
            ],
            points: vec![point(6), point(7)],
            codes: HashMap::from([(4, "AAAAAAAAAAAAAAA".into()), (5, "BBBBBBBBBBBBBBB".into())]),
        }
    }

    fn codes(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.code.as_str()).collect()
    }

    #[test]
    fn scope_is_the_subtree_of_the_memberships() {
        let t = tree();
        let none = HashMap::new();
        assert!(lines(&t, false, &none, &Filter::default()).is_empty());
        let editor = HashMap::from([("0112140410104", vec![Role::Editor])]);
        let l = lines(&t, false, &editor, &Filter::default());
        assert_eq!(codes(&l), ["0112140410204"]);
        assert_eq!(l[0].unit.as_ref().unwrap().code, "0112140410104");
        assert_eq!(l[0].department.as_ref().unwrap().code, "0112140000000");
        assert_eq!(l[0].ministry.as_ref().unwrap().code, "0100000000000");
        // An editor does not hand out their own office's code.
        assert_eq!(l[0].authorize_code, None);
        let all = lines(&t, true, &none, &Filter::default());
        assert_eq!(codes(&all), ["0112140410204", "0112140410209"]);
    }

    #[test]
    fn codes_show_to_those_above_the_office() {
        let t = tree();
        let province_admin = HashMap::from([("0112140410100", vec![Role::Admin])]);
        let l = lines(&t, false, &province_admin, &Filter::default());
        assert_eq!(codes(&l), ["0112140410204", "0112140410209"]);
        assert_eq!(l[0].authorize_code.as_deref(), Some("AAAAAAAAAAAAAAA"));
        assert_eq!(l[1].authorize_code.as_deref(), Some("BBBBBBBBBBBBBBB"));
        // The district office's own administrator: the point, not the code.
        let district_admin = HashMap::from([("0112140410104", vec![Role::Admin])]);
        let l = lines(&t, false, &district_admin, &Filter::default());
        assert_eq!(l[0].authorize_code, None);
    }

    #[test]
    fn filters_narrow_by_unit_and_text() {
        let t = tree();
        let none = HashMap::new();
        let by_unit = Filter {
            unit: Some(UnitCode::parse("0112140410109").unwrap()),
            ..Filter::default()
        };
        assert_eq!(codes(&lines(&t, true, &none, &by_unit)), ["0112140410209"]);
        let by_text = Filter {
            text: Some("บางละมุง".into()),
            ..Filter::default()
        };
        assert_eq!(codes(&lines(&t, true, &none, &by_text)), ["0112140410204"]);
        let by_code = Filter {
            text: Some("0112140410209".into()),
            ..Filter::default()
        };
        assert_eq!(codes(&lines(&t, true, &none, &by_code)), ["0112140410209"]);
        let other_ministry = Filter {
            ministry: Some(UnitCode::parse("0200000000000").unwrap()),
            ..Filter::default()
        };
        assert!(lines(&t, true, &none, &other_ministry).is_empty());
    }
}
