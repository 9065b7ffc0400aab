use chrono::Utc;
use domain::UnitCode;
use domain::account::AuthorizeCode;
use std::collections::HashSet;
use storage::{Actor, Db};

use crate::on_both_databases;
use crate::support::with_demo;

const CDD: &str = "0112140000000";
const BANG_LAMUNG: &str = "0112140410104";

fn code(s: &str) -> UnitCode {
    UnitCode::parse(s).unwrap()
}

const ADMIN: Actor<'static> = Actor {
    name: "จังหวัดชลบุรี",
    address: Some("127.0.0.1"),
};

async fn codes_for_a_subtree(db: Db) {
    with_demo(&db).await;
    let first = citizeninfo::cli::issue_codes(&db, &code(CDD))
        .await
        .unwrap();
    assert_eq!(
        first.len(),
        12,
        "the provincial office and the 11 district offices"
    );
    assert!(
        first.windows(2).all(|w| w[0].unit < w[1].unit),
        "in code order"
    );
    let distinct: HashSet<_> = first.iter().map(|r| r.code.clone()).collect();
    assert_eq!(distinct.len(), 12);
    for r in &first {
        assert_eq!(
            AuthorizeCode::parse(&r.code).unwrap().as_str(),
            r.code,
            "15 upper-case hex: {}",
            r.code
        );
    }
    // Issuing again keeps the codes already handed out.
    let again = citizeninfo::cli::issue_codes(&db, &code(CDD))
        .await
        .unwrap();
    assert_eq!(first, again);
    // Only units: a ministry's service points get none.
    let health = citizeninfo::cli::issue_codes(&db, &code("2100000000000"))
        .await
        .unwrap();
    assert_eq!(health.len(), 4);
    assert!(
        db.issue_codes_under(&code("9999999999999"), ADMIN, Utc::now(), || {
            AuthorizeCode::from_random([1; 8])
        })
        .await
        .is_err()
    );
}
on_both_databases!(issue_codes_under_a_department, codes_for_a_subtree);

async fn rotate_revoke_and_use(db: Db) {
    with_demo(&db).await;
    let rows = citizeninfo::cli::issue_codes(&db, &code(CDD))
        .await
        .unwrap();
    let old = rows
        .iter()
        .find(|r| r.unit.as_str() == BANG_LAMUNG)
        .unwrap()
        .code
        .clone();
    let typed = AuthorizeCode::parse(&old.to_lowercase()).unwrap();
    assert_eq!(
        db.unit_for_code(&typed).await.unwrap(),
        Some(code(BANG_LAMUNG))
    );

    let new = db
        .rotate_code(
            &code(BANG_LAMUNG),
            ADMIN,
            Utc::now(),
            AuthorizeCode::from_random([7; 8]),
        )
        .await
        .unwrap();
    assert_eq!(
        db.unit_for_code(&typed).await.unwrap(),
        None,
        "the old code stops working"
    );
    assert_eq!(
        db.unit_for_code(&new).await.unwrap(),
        Some(code(BANG_LAMUNG))
    );

    assert!(
        db.revoke_code(&code(BANG_LAMUNG), ADMIN, Utc::now())
            .await
            .unwrap()
    );
    assert!(
        !db.revoke_code(&code(BANG_LAMUNG), ADMIN, Utc::now())
            .await
            .unwrap(),
        "nothing left to revoke"
    );
    assert_eq!(db.unit_for_code(&new).await.unwrap(), None);

    let audit = db.audit_for_unit(&code(BANG_LAMUNG)).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "authorize_code.issue",
            "authorize_code.rotate",
            "authorize_code.revoke"
        ]
    );
    assert_eq!(audit[1].1.as_deref(), Some("จังหวัดชลบุรี"));
    // A service point is not a unit that can hold a code.
    assert!(
        db.rotate_code(
            &code("0112140410304"),
            ADMIN,
            Utc::now(),
            AuthorizeCode::from_random([3; 8])
        )
        .await
        .is_err()
    );
}
on_both_databases!(rotate_and_revoke_codes, rotate_revoke_and_use);
