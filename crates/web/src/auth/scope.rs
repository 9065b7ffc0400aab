//! Who is asking (a session or a personal API token) and what they may do where. Roles
//! hold on the unit of the membership; a supervisor's hold on its whole subtree, and
//! an administrator's on the units below too (a province office for its districts).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use chrono::Utc;
use domain::UnitCode;
use storage::UserRow;
use tower_sessions::Session;

use crate::Shared;
use crate::api::ApiError;

/// A signed-in member of staff.
pub(crate) struct Staff {
    pub user: UserRow,
    /// Signed in with a personal API token rather than a session.
    pub via_token: bool,
}

pub(crate) fn unauthenticated() -> ApiError {
    ApiError::status(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "กรุณาเข้าสู่ระบบ / Please sign in",
    )
}

pub(crate) fn forbidden() -> ApiError {
    ApiError::status(
        StatusCode::FORBIDDEN,
        "forbidden",
        "ท่านไม่มีสิทธิ์ในหน่วยงานนี้ / You have no rights on this unit",
    )
}

impl FromRequestParts<Shared> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let id = if let Some(h) = parts.headers.get(header::AUTHORIZATION) {
            // The scheme name is case-insensitive (RFC 9110 §11.1).
            let token = h
                .to_str()
                .ok()
                .and_then(|v| v.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim())
                .ok_or_else(unauthenticated)?;
            let owner = state
                .db
                .token_owner(&super::link_hash(token), Utc::now())
                .await
                .map_err(ApiError::internal)?
                .ok_or_else(unauthenticated)?;
            (owner, true)
        } else {
            let session = Session::from_request_parts(parts, state)
                .await
                .map_err(|_| unauthenticated())?;
            (
                super::signed_in(&session)
                    .await
                    .ok_or_else(unauthenticated)?,
                false,
            )
        };
        let user = state
            .db
            .user_by_id(id.0)
            .await
            .map_err(ApiError::internal)?
            .ok_or_else(unauthenticated)?;
        Ok(Staff {
            user,
            via_token: id.1,
        })
    }
}

/// What a staff route needs on its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Right {
    /// See the unit's staff data (members): any role on it, or an administrator above.
    View,
    /// Manage members and read the audit: its administrator, or a supervisor or
    /// administrator above.
    Administer,
    /// Issue, rotate or revoke its Authorize Code: an administrator or supervisor of a
    /// unit above it.
    AdministerFromAbove,
}

/// Whether `roles`, held at these distances above the unit (0 = the unit itself), give
/// `right`. Pure, so that the rule is tested on its own.
pub(crate) fn allows(roles: &[(usize, &str)], right: Right) -> bool {
    roles.iter().any(|&(d, role)| match (right, role) {
        (_, "supervisor") => true,
        (Right::View, "admin") | (Right::Administer, "admin") => true,
        (Right::AdministerFromAbove, "admin") => d >= 1,
        (Right::View, "editor" | "viewer") => d == 0,
        _ => false,
    })
}

/// What a member of staff holds on a unit, once checked.
pub(crate) struct Held {
    system_admin: bool,
    /// Roles on the unit or above it, by distance (0 = the unit itself).
    roles: Vec<(usize, String)>,
}

impl Held {
    /// A supervisor here (or a system administrator): who may make other supervisors.
    pub(crate) fn supervises(&self) -> bool {
        self.system_admin || self.roles.iter().any(|(_, r)| r == "supervisor")
    }
}

/// Checks `right` on `unit` for `staff`: 404 for an unknown unit, 403 without the right.
pub(crate) async fn require(
    state: &Shared,
    staff: &Staff,
    unit: &UnitCode,
    right: Right,
) -> Result<Held, ApiError> {
    let chain = state
        .db
        .unit_chain(unit)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("code", "ไม่พบหน่วยงานรหัสนี้ / No unit has this code"))?;
    if staff.user.is_system_admin {
        return Ok(Held {
            system_admin: true,
            roles: Vec::new(),
        });
    }
    let ids: Vec<i64> = chain.iter().map(|c| c.0).collect();
    let held = state
        .db
        .roles_on(staff.user.id, &ids)
        .await
        .map_err(ApiError::internal)?;
    let roles: Vec<(usize, String)> = held
        .into_iter()
        .filter_map(|(unit_id, role)| ids.iter().position(|i| *i == unit_id).map(|d| (d, role)))
        .collect();
    let by_name: Vec<(usize, &str)> = roles.iter().map(|(d, r)| (*d, r.as_str())).collect();
    if allows(&by_name, right) {
        Ok(Held {
            system_admin: false,
            roles,
        })
    } else {
        Err(forbidden())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_hold_where_they_should() {
        use Right::*;
        // Nothing held: nothing allowed.
        assert!(!allows(&[], View));
        // An editor sees their unit, and no more.
        assert!(allows(&[(0, "editor")], View));
        assert!(!allows(&[(0, "editor")], Administer));
        assert!(!allows(&[(1, "editor")], View));
        // A unit administrator manages it, but not its own code.
        assert!(allows(&[(0, "admin")], Administer));
        assert!(!allows(&[(0, "admin")], AdministerFromAbove));
        // The province office's administrator handles its districts' codes.
        assert!(allows(&[(1, "admin")], AdministerFromAbove));
        assert!(allows(&[(2, "admin")], View));
        // A supervisor holds the whole subtree.
        assert!(allows(&[(3, "supervisor")], AdministerFromAbove));
        assert!(allows(&[(0, "supervisor")], Administer));
        // A viewer only views.
        assert!(allows(&[(0, "viewer")], View));
        assert!(!allows(&[(0, "viewer"), (1, "editor")], Administer));
    }
}
