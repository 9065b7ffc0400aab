//! Bulk import of service points, on both databases: the staff listing's export (CSV
//! and XLSX) imports back unchanged; one changed cell updates exactly that point, on
//! the public API too; a line without a code creates one; a dry run lists every
//! refused line (row, column, why) and changes nothing; a text file named .xlsx is
//! refused by its content; the command line (the real binary) and the upload page with
//! its apply step.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use storage::Db;

use crate::on_both_databases;
use crate::scope::{cookie, person};
use crate::support::{Reply, TestDb, app, get, reply, send_json, with_demo};

const DEPARTMENT: &str = "0112140000000";
const BANG_LAMUNG: &str = "0112140410104";
const POINT: &str = "0112140410304";
const SATTAHIP_POINT: &str = "0112140410309";
const NONG_YAI_POINT: &str = "0112140410303";
const BOUNDARY: &str = "citizeninfo-import-boundary";

/// A multipart body: the file under `file` with its name, and text fields.
fn multipart(file: Option<(&[u8], &str)>, fields: &[(&str, &str)]) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((bytes, name)) = file {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

async fn post_multipart(app: &Router, uri: &str, cookie: Option<&str>, body: Vec<u8>) -> Reply {
    let mut req = Request::post(uri).header(
        "content-type",
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    reply(app, req.body(Body::from(body)).unwrap()).await
}

/// `POST /api/v1/staff/import` with a file.
pub(crate) async fn upload(
    app: &Router,
    cookie: Option<&str>,
    file: &[u8],
    name: &str,
    dry_run: bool,
) -> Reply {
    let dry = if dry_run { "true" } else { "false" };
    post_multipart(
        app,
        "/api/v1/staff/import",
        cookie,
        multipart(Some((file, name)), &[("dry_run", dry)]),
    )
    .await
}

/// A minimal sheet that renames one point: what the scope walk sends for another
/// office's point.
pub(crate) fn rename_sheet(point: &str, unit: &str) -> Vec<u8> {
    format!("รหัสจุดบริการ,ฉบับแก้ไข,รหัสหน่วยงาน,จุดบริการ\n{point},1,{unit},ชื่อใหม่\n").into_bytes()
}

async fn export(app: &Router, c: &str, format: &str) -> Vec<u8> {
    let r = send_json(
        app,
        "GET",
        &format!("/api/v1/staff/service-points?format={format}"),
        None,
        Some(c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.raw
}

/// A CSV as rows of cells (the BOM dropped).
fn cells(csv_bytes: &[u8]) -> Vec<Vec<String>> {
    let text = csv_bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .unwrap_or(csv_bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn to_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn col(rows: &[Vec<String>], header_th: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h.split(" / ").next() == Some(header_th))
        .unwrap_or_else(|| panic!("no column {header_th} in {:?}", rows[0]))
}

fn row_of(rows: &[Vec<String>], code: &str) -> usize {
    rows.iter().position(|r| r[0] == code).unwrap()
}

async fn public_point(app: &Router, code: &str) -> Value {
    let r = get(app, &format!("/api/v1/service-points/{code}")).await;
    assert_eq!(r.status, StatusCode::OK, "{code}: {}", r.body);
    r.json()
}

async fn data_version(db: &Db) -> String {
    db.raw_strings("SELECT CAST(version AS TEXT) FROM data_version")
        .await
        .unwrap()
        .join(",")
}

async fn round_trip(db: Db) {
    // One point stored before the district rule: its pin is in Pattaya (Bang Lamung),
    // its address in Nong Yai. Unchanged, it imports back without a refusal.
    let now = chrono::Utc::now();
    let mut ds = citizeninfo::demo::dataset(now).unwrap();
    ds.service_points
        .iter_mut()
        .find(|p| p.code.as_str() == NONG_YAI_POINT)
        .unwrap()
        .location = domain::LatLon::new(12.93, 100.89).unwrap();
    db.import(&ds, now).await.unwrap();
    let (_, app) = app(&db).await;
    person(&db, "deptadm1", false, Some((DEPARTMENT, "admin"))).await;
    let c = cookie(&app, "deptadm1").await;
    let before = db.sheet_points().await.unwrap();

    // Exported and imported unchanged, as CSV and as XLSX: nothing to do.
    let csv_file = export(&app, &c, "csv").await;
    let rows = cells(&csv_file);
    let n = rows.len() - 1;
    assert!(n >= 12, "{n}");
    assert_eq!(rows[0].len(), domain::point_sheet::COLUMNS.len());
    assert_eq!(rows[0][0], "รหัสจุดบริการ / Service point code");
    for (file, name) in [
        (csv_file.clone(), "service-points.csv"),
        (export(&app, &c, "xlsx").await, "service-points.xlsx"),
    ] {
        let r = upload(&app, Some(&c), &file, name, false).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
        let j = r.json();
        assert_eq!(j["rows"], n, "{}", r.body);
        assert_eq!(j["unchanged"], n, "{}", r.body);
        assert_eq!(j["created"], 0);
        assert_eq!(j["updated"], 0);
        assert_eq!(j["applied"], false, "nothing to write");
    }
    assert_eq!(db.sheet_points().await.unwrap(), before);

    // One changed cell: exactly that point is updated, and the public API shows it.
    let mut changed = rows.clone();
    let (phones, point) = (col(&rows, "โทรศัพท์"), row_of(&rows, POINT));
    changed[point][phones] = "038 999 999 ต่อ 7 (งานทะเบียน)".into();
    let r = upload(&app, Some(&c), &to_csv(&changed), "points.csv", true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["updated"], 1);
    assert_eq!(r.json()["applied"], false, "a dry run");
    assert_eq!(db.sheet_points().await.unwrap(), before);
    let r = upload(&app, Some(&c), &to_csv(&changed), "points.csv", false).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["updated"].as_u64(), r.json()["unchanged"].as_u64()),
        (Some(1), Some(n as u64 - 1))
    );
    assert_eq!(r.json()["applied"], true);
    let after = db.sheet_points().await.unwrap();
    let differ: Vec<&str> = before
        .iter()
        .zip(&after)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.code.as_str())
        .collect();
    assert_eq!(differ, [POINT]);
    let p = public_point(&app, POINT).await;
    assert_eq!(p["phones"][0]["number"], "038999999", "{p}");
    assert_eq!(p["phones"][0]["ext"], "7");
    assert_eq!(p["phones"].as_array().unwrap().len(), 1);
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/service-points/{POINT}/history"),
        None,
        Some(&c),
    )
    .await;
    assert!(r.body.contains("bulk import"), "{}", r.body);

    // The same file again is stale: its revision is the one before the change.
    let r = upload(&app, Some(&c), &to_csv(&changed), "points.csv", true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains(&format!("row {}: ฉบับแก้ไข / Revision", point + 1)),
        "{}",
        r.body
    );

    // A line without a code makes a new point under its unit.
    let mut fresh = cells(&export(&app, &c, "csv").await);
    let mut line = fresh[row_of(&fresh, POINT)].clone();
    line[0].clear();
    line[col(&fresh, "ฉบับแก้ไข")].clear();
    line[col(&fresh, "จุดบริการ")] = "จุดบริการเคลื่อนที่บางละมุง".into();
    fresh.push(line);
    let r = upload(&app, Some(&c), &to_csv(&fresh), "points.csv", false).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["created"], 1, "{}", r.body);
    assert_eq!(r.json()["unchanged"], n);
    let code = r.json()["new_codes"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(code.starts_with("011214041"), "{code}");
    let p = public_point(&app, &code).await;
    assert_eq!(p["name"], "จุดบริการเคลื่อนที่บางละมุง", "{p}");

    // An XLSX edited by another program (openpyxl, as Excel would): one cell.
    let xlsx = export(&app, &c, "xlsx").await;
    let edited = edit_xlsx(&xlsx, POINT, "อีเมล / E-mail", "saraban@example.go.th");
    let r = upload(&app, Some(&c), &edited, "edited.xlsx", false).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["updated"], 1, "{}", r.body);
    assert_eq!(
        public_point(&app, POINT).await["email"],
        "saraban@example.go.th"
    );
}
on_both_databases!(
    the_export_imports_back_and_one_change_is_applied,
    round_trip
);

/// Sets one cell of a workbook with openpyxl (which `scripts/test` installs).
fn edit_xlsx(bytes: &[u8], code: &str, header: &str, value: &str) -> Vec<u8> {
    let path =
        std::env::temp_dir().join(format!("citizeninfo-import-{}.xlsx", rand::random::<u64>()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import sys, openpyxl\n\
             p, code, header, value = sys.argv[1:5]\n\
             wb = openpyxl.load_workbook(p); ws = wb.worksheets[0]\n\
             col = [c.value for c in ws[1]].index(header) + 1\n\
             for row in ws.iter_rows(min_row=2):\n\
             \x20   if row[0].value == code: ws.cell(row=row[0].row, column=col, value=value)\n\
             wb.save(p)",
        )
        .arg(&path)
        .args([code, header, value])
        .output()
        .expect("python3 with openpyxl (./scripts/test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let edited = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    edited
}

/// The refused lines of a dry run as `row N: column` keys.
fn refused_keys(r: &Reply) -> Vec<String> {
    r.json()["error"]["fields"]
        .as_object()
        .unwrap_or_else(|| panic!("{}", r.body))
        .keys()
        .cloned()
        .collect()
}

async fn dry_run(db: Db) {
    with_demo(&db).await;
    let (state, app) = app(&db).await;
    person(&db, "sysadmin", true, None).await;
    let editor_id = person(&db, "editora", false, Some((BANG_LAMUNG, "editor"))).await;
    let root = cookie(&app, "sysadmin").await;
    let rows = cells(&export(&app, &root, "csv").await);
    let (phones, lat, lon) = (
        col(&rows, "โทรศัพท์"),
        col(&rows, "ละติจูด"),
        col(&rows, "ลองจิจูด"),
    );
    let bl = rows[row_of(&rows, POINT)].clone();

    // Someone saves the Bang Lamung point after the export.
    let editor = app::Caller::signed_in(&state.app, editor_id, app::Via::Session)
        .await
        .unwrap();
    let current = app::points::point(&state.app, &editor, &crate::scope::unit(POINT))
        .await
        .unwrap();
    app::points::save(
        &state.app,
        &editor,
        &crate::scope::unit(POINT),
        app::points::Edit {
            patch: domain::point_edit::PointPatch {
                name_en: Some("Bang Lamung CDD office".into()),
                ..Default::default()
            },
            revision: current.point.revision,
            confirm_district: false,
        },
    )
    .await
    .unwrap();

    let mut header = rows[0].clone();
    header.push("หมายเหตุส่วนตัว".into());
    let mut sheet = vec![header];
    // Row 2: the point saved since the export.
    sheet.push(bl.clone());
    // Row 3: a new point with a number that is not Thai.
    let mut new_bad_phone = bl.clone();
    new_bad_phone[0].clear();
    new_bad_phone[phones] = "038 222 016; 12345".into();
    sheet.push(new_bad_phone);
    // Row 4: a new point pinned in the Gulf of Thailand.
    let mut at_sea = bl.clone();
    at_sea[0].clear();
    at_sea[lat] = "12.9".into();
    at_sea[lon] = "100.6".into();
    sheet.push(at_sea);
    // Row 5: the Sattahip office's point, not the editor's.
    sheet.push(rows[row_of(&rows, SATTAHIP_POINT)].clone());
    for r in &mut sheet[1..] {
        r.push(String::new());
    }
    let before = db.sheet_points().await.unwrap();
    let version = data_version(&db).await;

    let c = cookie(&app, "editora").await;
    for dry in [true, false] {
        let r = upload(&app, Some(&c), &to_csv(&sheet), "points.csv", dry).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let keys = refused_keys(&r);
        for want in [
            "row 1: หมายเหตุส่วนตัว",
            "row 2: ฉบับแก้ไข / Revision",
            "row 3: โทรศัพท์ / Phones",
            "row 4: ละติจูด / Latitude",
            "row 5: รหัสจุดบริการ / Service point code",
        ] {
            assert!(keys.contains(&want.to_owned()), "{want} in {keys:?}");
        }
        assert_eq!(keys.len(), 5, "{keys:?}");
        let fields = &r.json()["error"]["fields"];
        assert!(
            fields["row 3: โทรศัพท์ / Phones"][1]
                .as_str()
                .unwrap()
                .starts_with("Number 2:"),
            "{fields}"
        );
        assert!(
            fields["row 4: ละติจูด / Latitude"][1]
                .as_str()
                .unwrap()
                .contains("no district"),
            "{fields}"
        );
        assert!(
            fields["row 5: รหัสจุดบริการ / Service point code"][1]
                .as_str()
                .unwrap()
                .contains("not in your scope"),
            "{fields}"
        );
        // Nothing changed, not even the public data version.
        assert_eq!(db.sheet_points().await.unwrap(), before);
        assert_eq!(data_version(&db).await, version);
    }

    // The report itself, from the use case, with the rows as the spreadsheet has them.
    let report = app::import::run(
        &state.app,
        &editor,
        &to_csv(&sheet),
        None,
        true,
        app::import::Limits::WEB,
        &mut |_, _| {},
    )
    .await
    .unwrap();
    let rows_refused: Vec<usize> = report.refusals.iter().map(|f| f.row).collect();
    assert_eq!(rows_refused, [1, 2, 3, 4, 5]);
    assert_eq!(report.refused_rows, 5, "the header and four lines");
    assert!(!report.applied);

    // A missing required column: nothing else is read.
    let r = upload(
        &app,
        Some(&c),
        "จุดบริการ\nชื่อ\n".as_bytes(),
        "points.csv",
        true,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused_keys(&r).contains(&"row 1: ฉบับแก้ไข / Revision".to_owned()),
        "{}",
        r.body
    );
}
on_both_databases!(
    a_dry_run_lists_each_refused_line_and_changes_nothing,
    dry_run
);

async fn file_kinds(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "deptadm1", false, Some((DEPARTMENT, "admin"))).await;
    person(&db, "viewera", false, Some((BANG_LAMUNG, "viewer"))).await;
    let c = cookie(&app, "deptadm1").await;
    let csv_file = export(&app, &c, "csv").await;
    // Text named .xlsx: refused by its content.
    let r = upload(&app, Some(&c), &csv_file, "points.xlsx", true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["fields"]["file"].is_array(), "{}", r.body);
    assert!(r.body.contains("XLSX"), "{}", r.body);
    // A workbook sent as CSV, and bytes that are not UTF-8.
    let xlsx = export(&app, &c, "xlsx").await;
    let r = post_multipart(
        &app,
        "/api/v1/staff/import",
        Some(&c),
        multipart(Some((&xlsx, "points")), &[("format", "csv")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["fields"]["file"].is_array());
    let r = upload(&app, Some(&c), &[0xA1, 0xB2, 0xC3, b','], "x.csv", true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("UTF-8"), "{}", r.body);
    // No file; a wrong format; not multipart.
    let r = post_multipart(&app, "/api/v1/staff/import", Some(&c), multipart(None, &[])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post_multipart(
        &app,
        "/api/v1/staff/import",
        Some(&c),
        multipart(Some((&csv_file, "p.csv")), &[("format", "ods")]),
    )
    .await;
    assert!(
        r.json()["error"]["fields"]["format"].is_array(),
        "{}",
        r.body
    );
    let r = send_json(&app, "POST", "/api/v1/staff/import", None, Some(&c)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Over 20 MB: 413 before anything is read.
    let big = vec![b'a'; 21 * 1024 * 1024];
    let r = upload(&app, Some(&c), &big, "big.csv", true).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    // A viewer edits nothing: 403, whatever the file.
    let v = cookie(&app, "viewera").await;
    let r = upload(&app, Some(&v), &csv_file, "p.csv", true).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = upload(&app, None, &csv_file, "p.csv", true).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
on_both_databases!(files_are_judged_by_their_content_and_size, file_kinds);

/// The real binary, on each database.
async fn command_line(t: &TestDb) {
    let db = t.db.clone();
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "sysadmin", true, None).await;
    let c = cookie(&app, "sysadmin").await;
    let mut rows = cells(&export(&app, &c, "csv").await);
    let email = col(&rows, "อีเมล");
    let point = row_of(&rows, POINT);
    rows[point][email] = "cli@example.go.th".into();
    let dir = std::env::temp_dir().join(format!("citizeninfo-cli-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("points.csv");
    std::fs::write(&file, to_csv(&rows)).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_citizeninfo"))
            .args(["--database-url", &t.url, "import"])
            .args(args)
            .env("CITIZENINFO_LOG", "warn")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let path = file.to_str().unwrap();
    let (ok, out, err) = run(&["--format", "csv", path, "--dry-run"]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("dry run") && out.contains("updated 1"),
        "{out}"
    );
    assert_eq!(public_point(&app, POINT).await["email"], Value::Null);
    let (ok, out, err) = run(&["--format", "csv", path]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("updated 1"), "{out}");
    let stored = db
        .point_for_edit(&crate::scope::unit(POINT))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state.email.as_deref(), Some("cli@example.go.th"));
    assert_eq!(stored.updated_by.as_deref(), Some("console"));
    // The same file again: stale; the table names the row; the exit status says so.
    let (ok, out, _) = run(&["--format", "csv", path]);
    assert!(!ok);
    assert!(
        out.contains(&format!("{} │ ฉบับแก้ไข / Revision", point + 1)),
        "{out}"
    );
    // A text file named .xlsx, declared xlsx.
    let fake = dir.join("points.xlsx");
    std::fs::write(&fake, to_csv(&rows)).unwrap();
    let (ok, _, err) = run(&["--format", "xlsx", fake.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("XLSX"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

mod the_command_line_imports_a_file {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let t = crate::support::TestDb::sqlite().await;
        super::command_line(&t).await;
        t.finish().await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let t = crate::support::TestDb::postgres().await;
        super::command_line(&t).await;
        t.finish().await;
    }
}

fn staged_id(body: &str) -> Option<String> {
    let at = body.find("name=\"staged\" value=\"")? + "name=\"staged\" value=\"".len();
    Some(body[at..at + 32].to_owned())
}

async fn page(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "deptadm1", false, Some((DEPARTMENT, "admin"))).await;
    person(&db, "viewera", false, Some((BANG_LAMUNG, "viewer"))).await;
    let c = cookie(&app, "deptadm1").await;
    let get_page = |uri: &'static str, c: String| {
        let app = app.clone();
        async move { crate::support::get_with(&app, uri, &[("cookie", c.as_str())]).await }
    };
    // The menu and the listing lead to it; the form works without script.
    let home = get_page("/staff", c.clone()).await;
    assert!(
        home.body.contains("href=\"/staff/import\""),
        "{}",
        home.body
    );
    let listing = get_page("/staff/service-points", c.clone()).await;
    assert!(listing.body.contains("href=\"/staff/import\""));
    let form = get_page("/staff/import", c.clone()).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    assert!(form.body.contains("name=\"file\""));
    // A viewer is not offered it, and is refused it.
    let v = cookie(&app, "viewera").await;
    let home = get_page("/staff", v.clone()).await;
    assert!(!home.body.contains("href=\"/staff/import\""));
    assert_eq!(
        get_page("/staff/import", v.clone()).await.status,
        StatusCode::FORBIDDEN
    );

    // Upload: always checked first; nothing written until "apply".
    let mut rows = cells(&export(&app, &c, "csv").await);
    let (note, point) = (col(&rows, "หมายเหตุเวลาทำการ"), row_of(&rows, POINT));
    rows[point][note] = "ปิดพักเที่ยง 12.00–13.00 น. และวันพุธบ่าย".into();
    let body = multipart(Some((&to_csv(&rows), "points.csv")), &[]);
    let r = post_multipart(&app, "/staff/import", Some(&c), body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("ผลการตรวจสอบ"), "{}", r.body);
    let id = staged_id(&r.body).expect("an apply button");
    assert_ne!(
        public_point(&app, POINT).await["hours_note"],
        "ปิดพักเที่ยง 12.00–13.00 น. และวันพุธบ่าย"
    );
    // Another account cannot apply it.
    let other = post_multipart(
        &app,
        "/staff/import",
        Some(&v),
        multipart(None, &[("staged", &id)]),
    )
    .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let r = post_multipart(
        &app,
        "/staff/import",
        Some(&c),
        multipart(None, &[("staged", &id)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("นำเข้าเรียบร้อยแล้ว"), "{}", r.body);
    let stored = db
        .point_for_edit(&crate::scope::unit(POINT))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.state.hours_note_th.as_deref(),
        Some("ปิดพักเที่ยง 12.00–13.00 น. และวันพุธบ่าย")
    );
    // Used once.
    let r = post_multipart(
        &app,
        "/staff/import",
        Some(&c),
        multipart(None, &[("staged", &id)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // A refused file: the table of rows, columns and reasons, and no apply button.
    let body = multipart(Some((&to_csv(&rows), "points.csv")), &[]);
    let r = post_multipart(&app, "/staff/import?lang=en", Some(&c), body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("<td>ฉบับแก้ไข / Revision</td>"), "{}", r.body);
    assert!(r.body.contains(&format!("<td>{}</td>", point + 1)));
    assert!(r.body.contains("export again"), "{}", r.body);
    assert!(staged_id(&r.body).is_none());
    // A text file named .xlsx.
    let body = multipart(Some((&to_csv(&rows), "points.xlsx")), &[]);
    let r = post_multipart(&app, "/staff/import", Some(&c), body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("XLSX"), "{}", r.body);
}
on_both_databases!(the_upload_page_checks_then_applies, page);
