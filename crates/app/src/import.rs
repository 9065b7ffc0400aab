//! Bulk import of service points from the back office's spreadsheet (CSV or XLSX):
//! each line creates a point (no code, a unit code given) or updates one (its code and
//! the revision it was exported on), under exactly the rules of the form. Every line is
//! checked first; a dry run stops there, a real run writes only when no line is refused,
//! all lines in one transaction, with a history record per changed point and one
//! publication of the changed points.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use chrono::Utc;
use domain::point_edit::{self, PointState};
use domain::point_sheet::{self, Col, Column, LineIn};
use domain::roles::{Right, Role, allows};
use domain::{Address, GeccLevel, LatLon, Problem, UnitCode, WeeklyHours};
use storage::{PublicChange, SheetPoint};

use crate::points::{change, validate};
use crate::{App, AppError, Caller, Result};

/// The two kinds of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The kind a file's content is: XLSX is a ZIP archive, anything else is taken
    /// for CSV (and then must be UTF-8 text).
    pub fn sniff(bytes: &[u8]) -> Format {
        if bytes.starts_with(ZIP) {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

const ZIP: &[u8] = b"PK\x03\x04";

/// How much one import may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_rows: usize,
}

impl Limits {
    /// An upload through the back office or the API.
    pub const WEB: Limits = Limits {
        max_bytes: 20 * 1024 * 1024,
        max_rows: 50_000,
    };
    /// The operator at the console, who may load a whole department or the country.
    pub const CONSOLE: Limits = Limits {
        max_bytes: 512 * 1024 * 1024,
        max_rows: 500_000,
    };
}

/// The text an XLSX may unpack to, per byte of the file: spreadsheets compress about
/// tenfold; far beyond that is a ZIP bomb.
const MAX_UNPACK_RATIO: u64 = 40;

/// One refused line (or the header, row 1): the row as the spreadsheet numbers it, the
/// column's header, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub row: usize,
    pub column: String,
    pub th: String,
    pub en: String,
}

/// What an import did, or would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Lines read (not counting the header and empty lines).
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Lines with at least one refusal.
    pub refused_rows: usize,
    pub refusals: Vec<Refusal>,
    /// The codes new points got (or would get), with their rows.
    pub new_codes: Vec<(usize, UnitCode)>,
    pub dry_run: bool,
    /// Written: a real run with no refusal.
    pub applied: bool,
}

fn file_problem(th: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::Invalid(vec![Problem::new("file", th, en)])
}

/// The cells of a file: its header and its lines, each with its row number.
struct Table {
    header: Vec<String>,
    /// One buffer per line rather than a string per cell: a national file is 80,000
    /// lines of 34 cells.
    rows: Vec<(usize, csv::StringRecord)>,
}

fn read_csv(bytes: &[u8], limits: Limits) -> Result<Table> {
    if bytes.starts_with(ZIP) {
        return Err(file_problem(
            "ไฟล์นี้เป็นไฟล์ Excel (XLSX) ไม่ใช่ CSV กรุณาเลือกรูปแบบ XLSX",
            "This file is an Excel workbook (XLSX), not CSV; choose the XLSX format",
        ));
    }
    let text = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if std::str::from_utf8(text).is_err() || text.contains(&0) {
        return Err(file_problem(
            "ไฟล์ไม่ใช่ข้อความ CSV แบบ UTF-8 (ใน Excel ให้บันทึกเป็น \"CSV UTF-8\")",
            "The file is not UTF-8 CSV text (in Excel, save as \"CSV UTF-8\")",
        ));
    }
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut table = Table {
        header: Vec::new(),
        rows: Vec::new(),
    };
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| {
            file_problem(
                format!("อ่านไฟล์ CSV ไม่ได้ที่แถว {}: {e}", i + 1),
                format!("Cannot read the CSV at row {}: {e}", i + 1),
            )
        })?;
        if i == 0 {
            table.header = rec.iter().map(str::to_owned).collect();
        } else {
            push_row(&mut table, i + 1, rec, limits)?;
        }
    }
    Ok(table)
}

fn push_row(table: &mut Table, row: usize, cells: csv::StringRecord, limits: Limits) -> Result<()> {
    if cells.iter().all(|c| c.trim().is_empty()) {
        return Ok(());
    }
    if table.rows.len() >= limits.max_rows {
        return Err(file_problem(
            format!("ไฟล์มีเกิน {} แถว กรุณาแบ่งเป็นหลายไฟล์", limits.max_rows),
            format!(
                "The file has more than {} rows; split it into several files",
                limits.max_rows
            ),
        ));
    }
    table.rows.push((row, cells));
    Ok(())
}

fn read_xlsx(bytes: &[u8], limits: Limits) -> Result<Table> {
    use calamine::{Data, Reader, Xlsx};
    let not_xlsx = || {
        file_problem(
            "ไฟล์ไม่ใช่ไฟล์ Excel (XLSX) ที่อ่านได้ (ตรวจจากเนื้อไฟล์ ไม่ใช่จากชื่อไฟล์)",
            "The file is not a readable Excel workbook (XLSX), judged by its content, not its name",
        )
    };
    if !bytes.starts_with(ZIP) {
        return Err(not_xlsx());
    }
    // The sizes the archive declares, checked before anything is unpacked.
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    let mut unpacked: u64 = 0;
    for i in 0..archive.len() {
        let f = archive.by_index_raw(i).map_err(|_| not_xlsx())?;
        unpacked = unpacked.saturating_add(f.size());
    }
    if unpacked > (bytes.len() as u64).max(1 << 20) * MAX_UNPACK_RATIO {
        return Err(file_problem(
            "ไฟล์ขยายออกมาใหญ่ผิดปกติ จึงไม่อ่าน",
            "The file unpacks to an abnormal size, so it is not read",
        ));
    }
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(not_xlsx)?
        .map_err(|_| not_xlsx())?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let pad = left as usize;
    let mut table = Table {
        header: Vec::new(),
        rows: Vec::new(),
    };
    for (i, r) in range.rows().enumerate() {
        let row = top as usize + i + 1;
        let mut cells = vec![String::new(); pad];
        for c in r {
            cells.push(match c {
                Data::Empty => String::new(),
                // Excel's error values (#N/A, #REF!) are not data.
                Data::Error(e) => format!("\u{0}{e}"),
                d => d.to_string(),
            });
        }
        if i == 0 && row == 1 {
            table.header = cells;
        } else if table.header.is_empty() {
            return Err(file_problem(
                "แถวแรกของแผ่นงานต้องเป็นหัวตาราง",
                "The first row of the sheet must be the header",
            ));
        } else {
            push_row(&mut table, row, csv::StringRecord::from(cells), limits)?;
        }
    }
    Ok(table)
}

/// Who may edit where, from the tree and the caller's memberships, so that a file of
/// thousands of lines asks the database once.
struct Scope {
    system_admin: bool,
    /// code → (id, kind, parent id)
    units: HashMap<String, (i64, String, Option<i64>)>,
    by_id: HashMap<i64, String>,
    roles: HashMap<String, Vec<Role>>,
    cache: HashMap<String, bool>,
}

impl Scope {
    fn may_edit(&mut self, unit: &str) -> bool {
        if self.system_admin {
            return true;
        }
        if let Some(b) = self.cache.get(unit) {
            return *b;
        }
        let mut held = Vec::new();
        let mut next = Some(unit.to_owned());
        let mut d = 0;
        while let Some(code) = next.filter(|_| d < 16) {
            for r in self.roles.get(&code).into_iter().flatten() {
                held.push((d, *r));
            }
            next = self
                .units
                .get(&code)
                .and_then(|u| u.2)
                .and_then(|p| self.by_id.get(&p).cloned());
            d += 1;
        }
        let ok = allows(&held, Right::Edit);
        self.cache.insert(unit.to_owned(), ok);
        ok
    }
}

/// Whether the caller holds a role that edits somewhere: who is offered the import.
pub fn may_import(caller: &Caller) -> bool {
    caller.user.is_system_admin || caller.may_edit
}

enum Plan {
    Update {
        row: usize,
        point: usize,
        after: PointState,
        pin: Option<String>,
    },
    Create {
        row: usize,
        parent: i64,
        code: UnitCode,
        state: PointState,
        pin: Option<String>,
    },
}

fn blank_state() -> PointState {
    PointState {
        name_th: String::new(),
        name_en: String::new(),
        description_th: String::new(),
        description_en: String::new(),
        address: Address::default(),
        location: LatLon::new(0.0, 0.0).expect("valid"),
        phones: Vec::new(),
        email: None,
        website: None,
        hours: WeeklyHours::default(),
        hours_note_th: None,
        hours_note_en: None,
        gecc_level: GeccLevel::None,
        is_public: true,
    }
}

/// Checks every line and, unless `dry_run` or a line is refused, applies them all in
/// one transaction. `progress` is told every 1,000 lines how many were checked
/// (`"checked"`), then how many were written (`"written"`).
pub async fn run(
    app: &App,
    caller: &Caller,
    bytes: &[u8],
    format: Option<Format>,
    dry_run: bool,
    limits: Limits,
    progress: &mut (dyn FnMut(&'static str, usize) + Send),
) -> Result<Report> {
    if bytes.len() > limits.max_bytes {
        let mb = limits.max_bytes / (1024 * 1024);
        return Err(file_problem(
            format!("ไฟล์ใหญ่เกิน {mb} MB กรุณาแบ่งเป็นหลายไฟล์"),
            format!("The file is larger than {mb} MB; split it into several files"),
        ));
    }
    if bytes.is_empty() {
        return Err(file_problem("ไฟล์ว่างเปล่า", "The file is empty"));
    }
    let table = match format.unwrap_or_else(|| Format::sniff(bytes)) {
        Format::Csv => read_csv(bytes, limits)?,
        Format::Xlsx => read_xlsx(bytes, limits)?,
    };
    let mut report = Report {
        dry_run,
        ..Report::default()
    };

    // The header: every cell a known column, once; the required columns present.
    let mut cols: Vec<Option<&'static Column>> = Vec::with_capacity(table.header.len());
    let mut seen = HashSet::new();
    for h in &table.header {
        let text = h.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            cols.push(None);
            continue;
        }
        match point_sheet::column_by_header(text) {
            Some(c) if seen.insert(c.col) => cols.push(Some(c)),
            Some(_) => {
                report.refusals.push(Refusal {
                    row: 1,
                    column: text.to_owned(),
                    th: "คอลัมน์นี้ซ้ำกับคอลัมน์ก่อนหน้า".into(),
                    en: "This column appears twice".into(),
                });
                cols.push(None);
            }
            None => {
                report.refusals.push(Refusal {
                    row: 1,
                    column: text.to_owned(),
                    th: "ไม่รู้จักคอลัมน์นี้ ใช้หัวตารางตามไฟล์ที่ส่งออกจากระบบ".into(),
                    en: "Unknown column; use the headers of the file the system exports".into(),
                });
                cols.push(None);
            }
        }
    }
    let missing: Vec<Col> = point_sheet::REQUIRED
        .into_iter()
        .filter(|c| !seen.contains(c))
        .collect();
    for c in &missing {
        report.refusals.push(Refusal {
            row: 1,
            column: point_sheet::column(*c).header(),
            th: "ไม่มีคอลัมน์นี้ ซึ่งจำเป็นต้องมี".into(),
            en: "This column is missing, and is needed".into(),
        });
    }
    let file_cols: Vec<Col> = cols.iter().flatten().map(|c| c.col).collect();
    if !report.refusals.is_empty() {
        report.refused_rows = 1;
    }
    if !missing.is_empty() {
        return Ok(report);
    }

    // Only the points the file names.
    let named: Vec<UnitCode> = {
        let code_at = cols
            .iter()
            .position(|c| c.is_some_and(|c| c.col == Col::Code));
        let mut v: Vec<UnitCode> = code_at
            .map(|i| {
                table
                    .rows
                    .iter()
                    .filter_map(|(_, r)| UnitCode::parse(r.get(i)?.trim()).ok())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v.dedup();
        v
    };
    let points = app.db.sheet_points_of(&named).await?;
    let index: HashMap<UnitCode, usize> = points
        .iter()
        .enumerate()
        .map(|(i, p)| (p.code, i))
        .collect();
    let tree = app.db.staff_tree().await?;
    let mut scope = Scope {
        system_admin: caller.user.is_system_admin,
        units: tree
            .units
            .iter()
            .map(|u| (u.code.clone(), (u.id, u.kind.clone(), u.parent)))
            .collect(),
        by_id: tree.units.iter().map(|u| (u.id, u.code.clone())).collect(),
        roles: HashMap::new(),
        cache: HashMap::new(),
    };
    if !caller.user.is_system_admin {
        for m in app.db.memberships(caller.user.id).await? {
            let role: Role = m.role.parse().map_err(AppError::internal)?;
            scope
                .roles
                .entry(m.unit.to_string())
                .or_default()
                .push(role);
        }
    }
    let mut taken: HashSet<String> = tree.units.iter().map(|u| u.code.clone()).collect();
    drop(tree);
    let mut in_file: HashMap<UnitCode, usize> = HashMap::new();
    let mut plans: Vec<Plan> = Vec::new();

    for (n, (row, cells)) in table.rows.iter().enumerate() {
        if n > 0 && n % 1000 == 0 {
            progress("checked", n);
        }
        report.rows += 1;
        let row = *row;
        let mut refusals: Vec<Refusal> = Vec::new();
        macro_rules! refuse {
            ($col:expr, $th:expr, $en:expr $(,)?) => {
                refusals.push(refusal(row, $col, $th, $en))
            };
        }
        let mut pairs: Vec<(Col, &str)> = Vec::with_capacity(cols.len());
        for (i, c) in cols.iter().enumerate() {
            let Some(c) = c else { continue };
            let text = cells.get(i).unwrap_or("");
            if text.starts_with('\u{0}') {
                refuse!(
                    c.col,
                    "ช่องนี้มีค่าผิดพลาดของ Excel (เช่น #N/A)",
                    "The cell holds an Excel error value (e.g. #N/A)",
                );
                continue;
            }
            pairs.push((c.col, text));
        }
        if !refusals.is_empty() {
            report.refused_rows += 1;
            report.refusals.extend(refusals);
            continue;
        }
        let line: LineIn = match point_sheet::read_line(&pairs) {
            Ok(l) => l,
            Err(problems) => {
                for p in problems {
                    refuse!(p.col, p.th, p.en);
                }
                report.refused_rows += 1;
                report.refusals.extend(refusals);
                continue;
            }
        };
        match line.code {
            Some(code) => {
                if let Some(first) = in_file.insert(code, row) {
                    refuse!(
                        Col::Code,
                        format!("รหัสนี้อยู่ในแถวที่ {first} แล้ว"),
                        format!("This code is on row {first} already"),
                    );
                } else if let Some(&i) = index.get(&code) {
                    let p: &SheetPoint = &points[i];
                    if !scope.may_edit(p.unit.as_str()) {
                        refuse!(
                            Col::Code,
                            "จุดบริการนี้ไม่อยู่ในขอบเขตที่ท่านแก้ไขได้",
                            "This service point is not in your scope",
                        );
                    } else if p.archived {
                        refuse!(
                            Col::Code,
                            "จุดบริการนี้ถูกเก็บเข้าคลังแล้ว กู้คืนก่อนแก้ไข",
                            "This service point is archived; restore it first",
                        );
                    } else if line.unit.is_some_and(|u| u != p.unit) {
                        refuse!(
                            Col::ParentUnit,
                            format!("การนำเข้าไม่ย้ายจุดบริการไปหน่วยงานอื่น (หน่วยงานปัจจุบัน {})", p.unit),
                            format!(
                                "An import does not move a point to another unit (its unit is {})",
                                p.unit
                            ),
                        );
                    } else if line.revision.is_none() {
                        refuse!(
                            Col::Revision,
                            "กรุณาใส่ฉบับแก้ไขตามไฟล์ที่ส่งออก",
                            "Give the revision of the exported file",
                        );
                    } else if line.revision != Some(p.revision) {
                        refuse!(
                            Col::Revision,
                            format!(
                                "มีผู้แก้ไขจุดบริการนี้หลังการส่งออก (ฉบับปัจจุบัน {}) กรุณาส่งออกใหม่แล้วแก้ไขอีกครั้ง",
                                p.revision
                            ),
                            format!(
                                "Someone changed this point after the export (it is now revision {}); export again and make the change there",
                                p.revision
                            ),
                        );
                    } else {
                        match after_of(&line, &p.state, &file_cols) {
                            Err(e) => refuse!(e.col, e.th, e.en),
                            // Nothing to write, so nothing to check: a point stored
                            // before a rule existed still exports and imports back.
                            Ok(after) if after == p.state => report.unchanged += 1,
                            Ok(after) => {
                                let moved = after.location != p.state.location
                                    || after.address.district != p.state.address.district
                                    || after.address.province != p.state.address.province;
                                let confirmed = line.confirm_district == Some(true)
                                    || (!moved && p.pin_confirmed_district.is_some());
                                match validate(&after, confirmed) {
                                    Err(e) => problems_to(&mut refusals, row, e)?,
                                    Ok(pin) => plans.push(Plan::Update {
                                        row,
                                        point: i,
                                        after,
                                        pin,
                                    }),
                                }
                            }
                        }
                    }
                } else {
                    refuse!(
                        Col::Code,
                        "ไม่พบจุดบริการรหัสนี้ (แถวที่ไม่มีรหัสจะสร้างจุดบริการใหม่)",
                        "No service point has this code (a line without a code makes a new point)",
                    );
                }
            }
            None => {
                let Some(unit) = line.unit else {
                    refuse!(
                        Col::ParentUnit,
                        "จุดบริการใหม่ต้องระบุรหัสหน่วยงานที่ดูแล",
                        "A new point needs the code of the unit that runs it",
                    );
                    report.refused_rows += 1;
                    report.refusals.extend(refusals);
                    continue;
                };
                match scope.units.get(unit.as_str()).cloned() {
                    None => refuse!(Col::ParentUnit, "ไม่พบหน่วยงานรหัสนี้", "No unit has this code",),
                    Some(_) if !scope.may_edit(unit.as_str()) => refuse!(
                        Col::ParentUnit,
                        "หน่วยงานนี้ไม่อยู่ในขอบเขตที่ท่านแก้ไขได้",
                        "This unit is not in your scope",
                    ),
                    Some((_, kind, _)) if kind == "service_point" => refuse!(
                        Col::ParentUnit,
                        "จุดบริการต้องอยู่ภายใต้หน่วยงาน ไม่ใช่ภายใต้จุดบริการอื่น",
                        "A service point belongs to a unit, not to another service point",
                    ),
                    Some((parent, _, _)) => match after_of(&line, &blank_state(), &file_cols) {
                        Err(e) => refuse!(e.col, e.th, e.en),
                        Ok(_) if line.lat.flatten().is_none() || line.lon.flatten().is_none() => {
                            refuse!(
                                Col::Lat,
                                "จุดบริการใหม่ต้องมีพิกัด",
                                "A new point needs its coordinates",
                            )
                        }
                        Ok(state) => match validate(&state, line.confirm_district == Some(true)) {
                            Err(e) => problems_to(&mut refusals, row, e)?,
                            Ok(pin) => {
                                let code = point_edit::next_point_code(&unit, |c| {
                                    taken.contains(c.as_str())
                                });
                                match code {
                                    None => refuse!(
                                        Col::ParentUnit,
                                        "หน่วยงานนี้มีจุดบริการครบจำนวนรหัสแล้ว",
                                        "This unit has used up its service point codes",
                                    ),
                                    Some(code) => {
                                        taken.insert(code.to_string());
                                        report.new_codes.push((row, code));
                                        plans.push(Plan::Create {
                                            row,
                                            parent,
                                            code,
                                            state,
                                            pin,
                                        });
                                    }
                                }
                            }
                        },
                    },
                }
            }
        }
        if !refusals.is_empty() {
            report.refused_rows += 1;
            report.refusals.extend(refusals);
        }
    }
    for p in &plans {
        match p {
            Plan::Update { .. } => report.updated += 1,
            Plan::Create { .. } => report.created += 1,
        }
    }
    if dry_run || !report.refusals.is_empty() || plans.is_empty() {
        return Ok(report);
    }

    // All lines passed: write them in one transaction.
    let now = Utc::now();
    let note = "นำเข้าจากไฟล์ / bulk import";
    let mut tx = app.db.begin().await?;
    let mut changed = Vec::with_capacity(plans.len());
    for (n, plan) in plans.iter().enumerate() {
        if n > 0 && n % 1000 == 0 {
            progress("written", n);
        }
        match plan {
            Plan::Update {
                row,
                point,
                after,
                pin,
            } => {
                let p = &points[*point];
                let saved = tx
                    .save_point(
                        p.id,
                        p.revision,
                        after,
                        pin.as_deref(),
                        &caller.user.username,
                        now,
                    )
                    .await?;
                if saved.is_none() {
                    drop(tx);
                    return Ok(stale(report, *row));
                }
                tx.record_change(
                    &change(
                        caller,
                        p.id,
                        "update",
                        Some(&p.state),
                        Some(after),
                        Some(note),
                    )?,
                    now,
                )
                .await?;
                changed.push(p.code);
            }
            Plan::Create {
                row,
                parent,
                code,
                state,
                pin,
            } => {
                let Some(id) = tx
                    .create_point(
                        *parent,
                        code,
                        state,
                        pin.as_deref(),
                        &caller.user.username,
                        now,
                    )
                    .await?
                else {
                    drop(tx);
                    return Ok(stale(report, *row));
                };
                tx.record_change(
                    &change(caller, id, "create", None, Some(state), Some(note))?,
                    now,
                )
                .await?;
                changed.push(*code);
            }
        }
    }
    // Beyond what an instance applies point by point, it rebuilds anyway.
    let publish: Vec<PublicChange> = if changed.len() > 5000 {
        vec![PublicChange::All]
    } else {
        changed.into_iter().map(PublicChange::Point).collect()
    };
    tx.publish(&publish).await?;
    tx.commit().await?;
    report.applied = true;
    Ok(report)
}

fn refusal(row: usize, col: Col, th: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal {
        row,
        column: point_sheet::column(col).header(),
        th: th.into(),
        en: en.into(),
    }
}

/// Someone wrote in between the check and the write: nothing is written.
fn stale(mut report: Report, row: usize) -> Report {
    report.refused_rows += 1;
    report.refusals.push(Refusal {
        row,
        column: point_sheet::column(Col::Revision).header(),
        th: "มีผู้แก้ไขข้อมูลระหว่างการนำเข้า จึงไม่ได้บันทึกแถวใดเลย กรุณาส่งออกใหม่แล้วนำเข้าอีกครั้ง"
            .into(),
        en: "Someone changed the data during the import, so no line was written; export again and import again"
            .into(),
    });
    report
}

/// The problems of the form's checks, each under its column.
fn problems_to(refusals: &mut Vec<Refusal>, row: usize, e: AppError) -> Result<()> {
    match e {
        AppError::Invalid(problems) => {
            for p in problems {
                let col = point_sheet::column_of_field(&p.field);
                // Which phone, when there are several in the cell.
                let (th, en) = match p
                    .field
                    .strip_prefix("phones[")
                    .and_then(|r| r.split_once(']'))
                {
                    Some((i, _)) => {
                        let n = i.parse::<usize>().unwrap_or(0) + 1;
                        (
                            format!("หมายเลขที่ {n}: {}", p.th),
                            format!("Number {n}: {}", p.en),
                        )
                    }
                    None => (p.th, p.en),
                };
                refusals.push(refusal(row, col, th, en));
            }
            Ok(())
        }
        e => Err(e),
    }
}

/// The state a line asks for, on top of `current`: the file's columns replace the
/// point's fields, the others stay.
fn after_of(
    line: &LineIn,
    current: &PointState,
    file_cols: &[Col],
) -> std::result::Result<PointState, point_sheet::CellProblem> {
    let mut patch = line.patch.clone();
    patch.address = patch
        .address
        .map(|a| point_sheet::merge_address(&a, &current.address, file_cols));
    if let Some(h) = &mut patch.hours {
        // A file with some of the hours' columns keeps the point's others.
        if !file_cols.contains(&Col::Hours) {
            h.periods = current.hours.periods.clone();
        }
        if !file_cols.contains(&Col::OpenOnHolidays) {
            h.open_on_holidays = current.hours.open_on_holidays;
        }
        if !file_cols.contains(&Col::SpecialDays) {
            h.exceptions = current.hours.exceptions.clone();
        }
    }
    patch.location = line.location(Some(current.location))?;
    Ok(patch.apply(current))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::point_sheet::COLUMNS;

    #[test]
    fn the_kind_is_read_from_the_content() {
        assert_eq!(Format::sniff(b"PK\x03\x04rest"), Format::Xlsx);
        assert_eq!(Format::sniff("รหัส,ชื่อ".as_bytes()), Format::Csv);
        assert_eq!(Format::parse(" XLSX "), Some(Format::Xlsx));
        assert_eq!(Format::parse("xls"), None);
        let limits = Limits::WEB;
        assert!(read_xlsx(b"just text named .xlsx", limits).is_err());
        assert!(read_csv(b"PK\x03\x04....", limits).is_err());
        assert!(read_csv(&[0xEF, 0xBB, 0xBF, 0xA1, 0xB2, b','], limits).is_err());
        let t = read_csv("\u{feff}a,b\n1,\"two\nlines\"\n,\n3,4\n".as_bytes(), limits).unwrap();
        assert_eq!(t.header, ["a", "b"]);
        // Row numbers are the spreadsheet's: the header is row 1; empty lines skipped.
        let rows: Vec<usize> = t.rows.iter().map(|r| r.0).collect();
        assert_eq!(rows, [2, 4]);
        assert_eq!(
            read_csv(
                b"a\n1\n2\n3\n",
                Limits {
                    max_bytes: 100,
                    max_rows: 2
                }
            )
            .err()
            .map(|_| ()),
            Some(())
        );
    }

    #[test]
    fn the_columns_cover_every_editable_field() {
        // A point written and read back through every editable column is unchanged:
        // tested in the domain; here, that the export's order starts with the seed's.
        let first: Vec<&str> = COLUMNS.iter().take(10).map(|c| c.th).collect();
        assert_eq!(
            first,
            [
                "รหัสจุดบริการ",
                "กระทรวง",
                "กรม",
                "หน่วยงาน",
                "จุดบริการ",
                "ระดับศูนย์ราชการสะดวก",
                "แสดงต่อสาธารณะ",
                "แก้ไขล่าสุด",
                "แก้ไขโดย",
                "Authorize Code"
            ]
        );
    }
}
