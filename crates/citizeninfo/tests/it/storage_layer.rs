use chrono::Utc;
use domain::UnitCode;
use storage::{Dataset, Db};

use crate::on_both_databases;
use crate::support::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_dialects_describe_the_same_schema() {
    let (lite, pg) = (TestDb::sqlite().await, TestDb::postgres().await);
    let a = lite.db.schema_outline().await.unwrap();
    let b = pg.db.schema_outline().await.unwrap();
    assert!(a.len() > 100, "{} columns", a.len());
    let only_a: Vec<_> = a.iter().filter(|c| !b.contains(c)).collect();
    let only_b: Vec<_> = b.iter().filter(|c| !a.contains(c)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "SQLite only: {only_a:?}\nPostgreSQL only: {only_b:?}"
    );
    lite.finish().await;
    pg.finish().await;
}

async fn demo_round_trips(db: Db) {
    let now = Utc::now();
    let mut ds = citizeninfo::demo::dataset(now).unwrap();
    // What the demo lacks: a photo and dated exceptions (a closed day, a special day).
    let first = &mut ds.service_points[0];
    first.photos.push(domain::org::Photo {
        id: 0,
        display_key: "photos/ab/abcdef-1600.jpg".into(),
        thumb_key: "photos/ab/abcdef-400.jpg".into(),
        width: 1600,
        height: 1200,
        thumb_width: 400,
        thumb_height: 300,
        alt_th: "หน้าสำนักงาน".into(),
        alt_en: None,
        is_cover: true,
    });
    first.hours.exceptions.push(domain::HoursException {
        date: chrono::NaiveDate::from_ymd_opt(2026, 12, 30).unwrap(),
        periods: vec![],
        note: Some("ปิดทำความสะอาด".into()),
    });
    first.hours.exceptions.push(domain::HoursException {
        date: chrono::NaiveDate::from_ymd_opt(2027, 1, 9).unwrap(),
        periods: vec![(540, 720), (780, 900)],
        note: None,
    });
    assert!(db.is_empty().await.unwrap());
    db.import(&ds, now).await.unwrap();
    assert!(!db.is_empty().await.unwrap());
    let snap = db.snapshot().await.unwrap();
    assert_eq!(snap.units.len(), ds.units.len());
    assert_eq!(snap.service_points.len(), ds.service_points.len());
    assert_eq!(snap.holidays.len(), ds.holidays.len());
    for expected in &ds.service_points {
        let got = snap
            .service_points
            .iter()
            .find(|s| s.code == expected.code)
            .expect("stored");
        assert_eq!(got.address, expected.address);
        assert_eq!(got.phones, expected.phones);
        let (mut a, mut b) = (got.hours.periods.clone(), expected.hours.periods.clone());
        a.sort_by_key(|p| (p.weekday, p.opens));
        b.sort_by_key(|p| (p.weekday, p.opens));
        assert_eq!(a, b);
        assert_eq!(got.gecc_level, expected.gecc_level);
        // Stored photos get their id from the database.
        let mut photos = expected.photos.clone();
        for (p, g) in photos.iter_mut().zip(&got.photos) {
            p.id = g.id;
        }
        assert_eq!(got.photos, photos);
        assert_eq!(got.hours.exceptions, expected.hours.exceptions);
        assert_eq!(got.hours.open_on_holidays, expected.hours.open_on_holidays);
        assert!((got.location.lat - expected.location.lat).abs() < 1e-9);
        let pins = ds.pins.iter().filter(|(c, _)| *c == expected.code).count();
        assert_eq!(got.manuals.len(), pins, "{}", expected.code);
    }
    for expected in &ds.manuals {
        let got = snap
            .manuals
            .iter()
            .find(|m| m.key == expected.key)
            .expect("stored");
        let mut e = expected.clone();
        e.id = got.id;
        e.version = 1;
        assert_eq!(
            *got, e,
            "manual {} differs after a round trip",
            expected.key
        );
    }
}
on_both_databases!(demo_data_round_trips, demo_round_trips);

fn code(s: &str) -> UnitCode {
    UnitCode::parse(s).unwrap()
}

async fn hidden_points_are_never_read(db: Db) {
    let ds =
        crate::support::with_demo_and_hidden_point(&db, "0112140499999", "จุดบริการที่ซ่อนไว้").await;
    let snap = db.snapshot().await.unwrap();
    assert_eq!(snap.service_points.len(), ds.service_points.len() - 1);
    assert!(
        snap.service_points
            .iter()
            .all(|s| s.code.as_str() != "0112140499999")
    );
    let dir = directory::Directory::build(snap);
    assert!(dir.point("0112140499999").is_none());
    assert!(
        dir.unit("0112140499999").is_none(),
        "a hidden point must not appear in the tree either"
    );
}
on_both_databases!(
    hidden_service_points_stay_hidden,
    hidden_points_are_never_read
);

async fn version_moves_and_the_read_model_follows(db: Db) {
    crate::support::with_demo(&db).await;
    let (state, _) = crate::support::app(&db).await;
    let before = state.directory().points.len();
    assert!(!state.refresh().await.unwrap(), "nothing changed yet");
    let v = db.data_version().await.unwrap();
    let ds = citizeninfo::national::dataset(300, Utc::now()).unwrap();
    db.import(&ds, Utc::now()).await.unwrap();
    assert_eq!(db.data_version().await.unwrap(), v + 1);
    assert!(state.refresh().await.unwrap());
    assert_eq!(state.directory().points.len(), before + 300);
}
on_both_databases!(
    read_model_reloads_when_data_changes,
    version_moves_and_the_read_model_follows
);

async fn bad_datasets_are_refused_whole(db: Db) {
    let now = Utc::now();
    let mut ds = citizeninfo::demo::dataset(now).unwrap();
    ds.pins
        .push((code("0112140410300"), "no-such-manual".into()));
    let err = db.import(&ds, now).await.unwrap_err().to_string();
    assert!(err.contains("no-such-manual"), "{err}");
    assert!(
        db.is_empty().await.unwrap(),
        "a failed import leaves nothing behind"
    );
}
on_both_databases!(failed_imports_roll_back, bad_datasets_are_refused_whole);

#[tokio::test]
async fn unknown_database_urls_get_a_clear_error() {
    let err = Db::connect("mysql://x").await.unwrap_err().to_string();
    assert!(
        err.contains("sqlite://") && err.contains("postgres://"),
        "{err}"
    );
}

#[tokio::test]
async fn empty_dataset_imports_nothing() {
    let t = TestDb::sqlite().await;
    t.db.import(&Dataset::default(), Utc::now()).await.unwrap();
    assert!(t.db.is_empty().await.unwrap());
    t.finish().await;
}
