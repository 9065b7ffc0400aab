//! Who asks, and the one check of what they may do where. Pages, the API and the
//! command line build a [`Caller`] their own way (a session, a personal API token, the
//! operator at the console) and every use case asks [`Caller::require`].

use chrono::Utc;
use domain::UnitCode;
use domain::roles::{Right, Role, allows};
use storage::UserRow;

use crate::passwords::link_hash;
use crate::{App, AppError, Result};

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A signed-in browser session.
    Session,
    /// A personal API token: it carries its owner's rights on units, but not over the
    /// account's own credentials (tokens, password, deletion).
    Token,
    /// The operator of the command line, on the server itself.
    Cli,
}

/// A signed-in member of staff.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRow,
    pub via: Via,
    /// Holds a role that edits somewhere (editor, administrator or supervisor): whom
    /// edit-only pages such as the import are offered to. Each use case still checks
    /// the right on its own unit.
    pub may_edit: bool,
    /// Administers or supervises a department or a ministry: whom the manual catalogue
    /// is offered to. Each use case still checks the right on the manual's department.
    pub may_write_catalogue: bool,
}

/// What a caller holds on a unit, once checked.
#[derive(Debug, Clone)]
pub struct Held {
    system_admin: bool,
    /// Roles on the unit or above it, by distance (0 = the unit itself).
    roles: Vec<(usize, Role)>,
}

impl Held {
    /// A supervisor here (or a system administrator): who may make other supervisors.
    pub fn supervises(&self) -> bool {
        self.system_admin || self.roles.iter().any(|(_, r)| *r == Role::Supervisor)
    }

    /// Holds the unit's subtree (an administrator or supervisor, or a system
    /// administrator), not only the unit itself as an editor does.
    pub fn holds_subtree(&self) -> bool {
        self.system_admin
            || self
                .roles
                .iter()
                .any(|(_, r)| matches!(r, Role::Supervisor | Role::Admin))
    }
}

impl Caller {
    /// The owner of a personal API token.
    pub async fn from_token(app: &App, token: &str) -> Result<Caller> {
        let owner = app
            .db
            .token_owner(&link_hash(token), Utc::now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Self::signed_in(app, owner, Via::Token).await
    }

    /// The operator at the console of the server, who holds every right (as a system
    /// administrator) and is recorded as `console`.
    pub fn console() -> Caller {
        Caller {
            user: UserRow {
                id: 0,
                username: "console".into(),
                first_name: String::new(),
                last_name: String::new(),
                email: None,
                email_verified_at: None,
                mobile: None,
                citizen_id_last: None,
                password_hash: None,
                is_system_admin: true,
                created_at: Utc::now(),
                password_changed_at: None,
            },
            via: Via::Cli,
            may_edit: true,
            may_write_catalogue: true,
        }
    }

    /// The account a session names.
    pub async fn signed_in(app: &App, user: i64, via: Via) -> Result<Caller> {
        let user = app
            .db
            .user_by_id(user)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let (may_edit, may_write_catalogue) = if user.is_system_admin {
            (true, true)
        } else {
            app.db.menu_roles(user.id).await?
        };
        Ok(Caller {
            user,
            via,
            may_edit,
            may_write_catalogue,
        })
    }

    /// Refuses what only a signed-in session may do (tokens, password, deletion).
    pub fn require_session(&self) -> Result<()> {
        match self.via {
            Via::Token => Err(AppError::Forbidden),
            Via::Session | Via::Cli => Ok(()),
        }
    }

    /// Checks `right` on `unit`: `NotFound` for an unknown unit, `Forbidden` without the
    /// right. A system administrator holds every right everywhere.
    pub async fn require(&self, app: &App, unit: &UnitCode, right: Right) -> Result<Held> {
        let chain = app
            .db
            .unit_chain(unit)
            .await?
            .ok_or(AppError::NotFound("code"))?;
        if self.user.is_system_admin {
            return Ok(Held {
                system_admin: true,
                roles: Vec::new(),
            });
        }
        let ids: Vec<i64> = chain.iter().map(|c| c.0).collect();
        let mut roles = Vec::new();
        for (unit_id, role) in app.db.roles_on(self.user.id, &ids).await? {
            let role: Role = role.parse().map_err(AppError::internal)?;
            if let Some(d) = ids.iter().position(|i| *i == unit_id) {
                roles.push((d, role));
            }
        }
        if allows(&roles, right) {
            Ok(Held {
                system_admin: false,
                roles,
            })
        } else {
            Err(AppError::Forbidden)
        }
    }
}
