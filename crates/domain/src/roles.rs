//! Roles on units and what they allow. A role holds on the unit of the membership; a
//! supervisor's on its whole subtree, and an administrator's on the units below too (a
//! province office hands out its districts' Authorize Codes).

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Supervisor,
    Admin,
    Editor,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Supervisor, Role::Admin, Role::Editor, Role::Viewer];

    /// The name stored and sent in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no role is called {0:?}: supervisor, admin, editor or viewer")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// What an action needs on its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// See the unit's staff data (members): any role on it, or an administrator above.
    View,
    /// Manage members and read the audit: its administrator, or a supervisor or
    /// administrator above.
    Administer,
    /// Issue, rotate or revoke its Authorize Code: an administrator or supervisor of a
    /// unit above it.
    AdministerFromAbove,
    /// Change the unit's service points, their photos and pinned manuals, and create new
    /// ones: its editors, and administrators or supervisors on it or above.
    Edit,
    /// Write the manuals a department owns: its administrators, and administrators or
    /// supervisors above it.
    Catalogue,
    /// Read the satisfaction reports and the citizens' comments of the unit and
    /// everything below it: any role on it or above it, as the listings' scope.
    Report,
    /// Set the units below a unit rollout tasks and collect their reports: its
    /// administrators and supervisors, and those above it.
    ManageTasks,
}

/// Whether `roles`, held at these distances above the unit (0 = the unit itself), give
/// `right`.
pub fn allows(roles: &[(usize, Role)], right: Right) -> bool {
    roles.iter().any(|&(d, role)| match (right, role) {
        (_, Role::Supervisor) => true,
        (Right::Report, _) => true,
        (
            Right::View | Right::Administer | Right::Edit | Right::Catalogue | Right::ManageTasks,
            Role::Admin,
        ) => true,
        (Right::AdministerFromAbove, Role::Admin) => d >= 1,
        (Right::View, Role::Editor | Role::Viewer) => d == 0,
        (Right::Edit, Role::Editor) => d == 0,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::Right::*;
    use super::*;
    use Role::*;

    #[test]
    fn roles_hold_where_they_should() {
        // Nothing held: nothing allowed.
        assert!(!allows(&[], View));
        // An editor sees their unit, and no more.
        assert!(allows(&[(0, Editor)], View));
        assert!(!allows(&[(0, Editor)], Administer));
        assert!(!allows(&[(1, Editor)], View));
        // A unit administrator manages it, but not its own code.
        assert!(allows(&[(0, Admin)], Administer));
        assert!(!allows(&[(0, Admin)], AdministerFromAbove));
        // The province office's administrator handles its districts' codes.
        assert!(allows(&[(1, Admin)], AdministerFromAbove));
        assert!(allows(&[(2, Admin)], View));
        // A supervisor holds the whole subtree.
        assert!(allows(&[(3, Supervisor)], AdministerFromAbove));
        assert!(allows(&[(0, Supervisor)], Administer));
        // A viewer only views.
        assert!(allows(&[(0, Viewer)], View));
        assert!(!allows(&[(0, Viewer), (1, Editor)], Administer));
        assert!(!allows(&[(0, Viewer)], Edit));
        // An editor edits its own unit's points, not a neighbour's below a parent.
        assert!(allows(&[(0, Editor)], Edit));
        assert!(!allows(&[(1, Editor)], Edit));
        assert!(!allows(&[(0, Editor)], Catalogue));
        // Administrators and supervisors edit below them, and write manuals.
        assert!(allows(&[(2, Admin)], Edit));
        assert!(allows(&[(0, Admin)], Catalogue));
        assert!(allows(&[(4, Supervisor)], Catalogue));
        // Any member reads the reports of everything below their unit.
        assert!(allows(&[(3, Viewer)], Report));
        assert!(allows(&[(1, Editor)], Report));
        assert!(!allows(&[], Report));
        // Tasks are set by a unit's administrators and supervisors, not its editors.
        assert!(allows(&[(0, Admin)], ManageTasks));
        assert!(allows(&[(1, Supervisor)], ManageTasks));
        assert!(!allows(&[(0, Editor)], ManageTasks));
        assert!(!allows(&[(0, Viewer)], ManageTasks));
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("Editor".parse::<Role>().is_err());
        assert!("owner".parse::<Role>().is_err());
    }
}
