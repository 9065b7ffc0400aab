//! What staff do about a unit's people and codes: its members and their roles, its
//! audit, the Authorize Codes of the units below it, and personal API tokens. Each use
//! case checks the caller's right on the unit first.

use chrono::Utc;
use domain::UnitCode;
use domain::account::{AuthorizeCode, FieldError};
use domain::roles::{Right, Role};
use storage::{Actor, AuditRow, Member, TokenRow, UnitCodeRow};

use crate::passwords::link_hash;
use crate::{Address, App, AppError, Caller, Result};

fn actor<'a>(caller: &'a Caller, address: Address<'a>) -> Actor<'a> {
    Actor {
        name: &caller.user.username,
        address,
    }
}

/// A fresh Authorize Code from the thread's generator, a CSPRNG seeded by the system.
fn fresh_code() -> AuthorizeCode {
    AuthorizeCode::from_random(rand::random())
}

/// The members of a unit and their roles: any role on it, or an administrator above.
pub async fn members(app: &App, caller: &Caller, unit: &UnitCode) -> Result<Vec<Member>> {
    caller.require(app, unit, Right::View).await?;
    Ok(app.db.members(unit).await?)
}

/// Gives a member another role. Nobody changes their own, and only a supervisor (or a
/// system administrator) makes supervisors.
pub async fn set_role(
    app: &App,
    caller: &Caller,
    unit: &UnitCode,
    user: i64,
    role: &str,
    address: Address<'_>,
) -> Result<Member> {
    let held = caller.require(app, unit, Right::Administer).await?;
    let role: Role = role
        .parse()
        .map_err(|_| AppError::Fields(vec![("role", FieldError::RoleUnknown)]))?;
    if user == caller.user.id {
        return Err(AppError::Fields(vec![("role", FieldError::OwnRole)]));
    }
    if role == Role::Supervisor && !held.supervises() {
        return Err(AppError::Forbidden);
    }
    if !app
        .db
        .set_role(
            user,
            unit,
            role.as_str(),
            actor(caller, address),
            Utc::now(),
        )
        .await?
    {
        return Err(AppError::NotFound("user"));
    }
    app.db
        .members(unit)
        .await?
        .into_iter()
        .find(|m| m.user == user)
        .ok_or_else(|| AppError::internal("member missing after update"))
}

/// Ends a membership.
pub async fn remove_member(
    app: &App,
    caller: &Caller,
    unit: &UnitCode,
    user: i64,
    address: Address<'_>,
) -> Result<()> {
    caller.require(app, unit, Right::Administer).await?;
    if app
        .db
        .remove_member(user, unit, actor(caller, address), Utc::now())
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound("user"))
    }
}

/// The audit of a unit and everything below it, newest first (at most `limit`). The
/// network addresses are for system administrators, who look into abuse.
pub async fn audit(
    app: &App,
    caller: &Caller,
    unit: &UnitCode,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    caller.require(app, unit, Right::Administer).await?;
    let mut rows = app.db.audit_of_subtree(unit, limit).await?;
    if !caller.user.is_system_admin {
        for r in &mut rows {
            r.address = None;
        }
    }
    Ok(rows)
}

/// The Authorize Codes of every unit below this one, in code order; units without one
/// get one. The unit's own code is handed out from above, not by itself.
pub async fn codes_below(
    app: &App,
    caller: &Caller,
    unit: &UnitCode,
    address: Address<'_>,
) -> Result<Vec<UnitCodeRow>> {
    caller.require(app, unit, Right::Administer).await?;
    let rows = app
        .db
        .issue_codes_under(unit, actor(caller, address), Utc::now(), fresh_code)
        .await?;
    Ok(rows.into_iter().filter(|r| r.unit != *unit).collect())
}

/// Replaces a unit's code; the old one stops working at once.
pub async fn rotate_code(
    app: &App,
    caller: &Caller,
    unit: &UnitCode,
    address: Address<'_>,
) -> Result<AuthorizeCode> {
    caller
        .require(app, unit, Right::AdministerFromAbove)
        .await?;
    Ok(app
        .db
        .rotate_code(unit, actor(caller, address), Utc::now(), fresh_code())
        .await?)
}

/// Revokes a unit's code: `NotFound` when it has none.
pub async fn revoke_code(
    app: &App,
    caller: &Caller,
    unit: &UnitCode,
    address: Address<'_>,
) -> Result<()> {
    caller
        .require(app, unit, Right::AdministerFromAbove)
        .await?;
    if app
        .db
        .revoke_code(unit, actor(caller, address), Utc::now())
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound("code"))
    }
}

/// A new personal API token with its owner's rights, shown once: (id, token). Only
/// from a session: a token cannot make more tokens.
pub async fn create_token(app: &App, caller: &Caller, name: &str) -> Result<(i64, String)> {
    caller.require_session()?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::Fields(vec![("name", FieldError::TokenName)]));
    }
    let token = format!("cit_{}", hex::encode(rand::random::<[u8; 24]>()));
    let id = app
        .db
        .add_token(caller.user.id, name, &link_hash(&token), Utc::now())
        .await?;
    Ok((id, token))
}

/// The caller's active tokens (never the tokens themselves).
pub async fn tokens(app: &App, caller: &Caller) -> Result<Vec<TokenRow>> {
    Ok(app.db.tokens(caller.user.id).await?)
}

/// Revokes one of the caller's tokens. Only from a session, so that a token in a
/// script cannot end the owner's other tokens, nor itself.
pub async fn revoke_token(app: &App, caller: &Caller, id: i64) -> Result<()> {
    caller.require_session()?;
    if app.db.revoke_token(caller.user.id, id, Utc::now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("id"))
    }
}
