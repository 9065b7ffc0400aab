//! A rollout task's files: the dashboard as a table for CSV and XLSX, the letter and
//! a unit's report form as PDFs.

use crate::sheets::Cell;

fn when(at: Option<chrono::DateTime<chrono::Utc>>) -> Cell {
    Cell::Text(
        at.map(|t| {
            t.with_timezone(&domain::hours::bangkok())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default(),
    )
}

/// Text a unit typed, made inert for a spreadsheet: a cell that starts like a formula
/// (`=`, `+`, `-`, `@`) would run as one when the office opens the CSV in Excel.
fn typed(s: &str) -> Cell {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cell::Text(format!("'{s}"))
    } else {
        Cell::Text(s.to_owned())
    }
}

/// The dashboard's rows, one per target unit, with a column per checklist item.
pub(crate) fn dashboard_table(d: &app::tasks::Dashboard) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut headers: Vec<String> = [
        "รหัสหน่วยงาน / Unit code",
        "หน่วยงาน / Unit",
        "สถานะ / State",
        "ดำเนินการแล้ว / Items done",
        "ส่งครั้งแรก / First submitted",
        "ส่งล่าสุด / Last submitted",
        "ผู้รายงาน / Reporter",
    ]
    .map(str::to_owned)
    .to_vec();
    for item in &d.task.fields.checklist {
        headers.push(format!("{} / {}", item.label_th(), item.label_en()));
    }
    let rows = d
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                Cell::Text(r.code.clone()),
                Cell::Text(r.name_th.clone()),
                Cell::Text(format!("{} / {}", r.state.label_th(), r.state.label_en())),
                Cell::Text(format!("{}/{}", r.items_done, r.items.len())),
                when(r.first_submitted_at),
                when(r.submitted_at),
                typed(r.reporter_name.as_deref().unwrap_or_default()),
            ];
            for i in &r.items {
                cells.push(Cell::Text(format!(
                    "{} — {}",
                    if i.done { "✓" } else { "✗" },
                    i.evidence_th
                )));
            }
            cells
        })
        .collect();
    (headers, rows)
}

/// How each state is drawn on the map: a colour, and a shape so that the state does
/// not rest on colour alone.
fn mark(state: domain::task::UnitState) -> (&'static str, &'static str) {
    use domain::task::UnitState::*;
    match state {
        NotStarted => ("#6b7280", "circle"),
        InProgress => ("#b45309", "diamond"),
        Submitted => ("#1d4ed8", "square"),
        Returned => ("#7c3aed", "triangle"),
        Accepted => ("#15803d", "check"),
        Overdue => ("#b91c1c", "cross"),
    }
}

fn shape(kind: &str, x: f64, y: f64, colour: &str) -> String {
    let r = 7.0;
    match kind {
        "diamond" => format!(
            r#"<polygon points="{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}" fill="{colour}"/>"#,
            y - r,
            x + r,
            y + r,
            x - r
        ),
        "square" => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}"/>"#,
            x - r,
            y - r,
            2.0 * r,
            2.0 * r
        ),
        "triangle" => format!(
            r#"<polygon points="{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="{colour}"/>"#,
            y - r,
            x + r,
            y + r,
            x - r,
            y + r
        ),
        "check" => format!(
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{colour}"/><path d="M{:.1},{y:.1} l3,3 l5,-6" stroke="#fff" stroke-width="2" fill="none"/>"##,
            x - 4.0
        ),
        "cross" => format!(
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{colour}"/><path d="M{:.1},{:.1} l8,8 M{:.1},{:.1} l-8,8" stroke="#fff" stroke-width="2"/>"##,
            x - 4.0,
            y - 4.0,
            x + 4.0,
            y - 4.0
        ),
        _ => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{colour}"/>"#),
    }
}

/// The target units on a map drawn as SVG, each at its service points' pins, marked by
/// state, with a legend: no tiles to fetch and no script, so it shows on a slow phone
/// and prints. The units of `rows` alone: the page of the dashboard shown.
pub(crate) async fn state_map(
    state: &crate::Shared,
    task_id: i64,
    rows: &[&app::tasks::UnitRow],
    lang: crate::Lang,
) -> Result<String, app::AppError> {
    let places = state.db.task_unit_places(task_id).await?;
    let states: std::collections::HashMap<&str, (&str, domain::task::UnitState)> = rows
        .iter()
        .map(|r| (r.code.as_str(), (r.name_th.as_str(), r.state)))
        .collect();
    let (w, h, pad) = (640.0, 420.0, 24.0);
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
    let places: Vec<_> = places
        .into_iter()
        .filter(|p| states.contains_key(p.0.as_str()))
        .collect();
    if places.is_empty() {
        return Ok(String::new());
    }
    for (_, lat, lon) in &places {
        lat0 = lat0.min(*lat);
        lat1 = lat1.max(*lat);
        lon0 = lon0.min(*lon);
        lon1 = lon1.max(*lon);
    }
    // At least a few kilometres across, so that one unit sits in the middle.
    let span = ((lat1 - lat0).max(lon1 - lon0)).max(0.05);
    let (clat, clon) = ((lat0 + lat1) / 2.0, (lon0 + lon1) / 2.0);
    // Longitude shrinks with the cosine of the latitude; Thailand lies near 5–20° N.
    let kx = clat.to_radians().cos();
    let scale = ((w - 2.0 * pad) / (span * kx)).min((h - 2.0 * pad) / span);
    let mut svg = format!(
        r##"<svg class="task-map" viewBox="0 0 {w} {h}" role="group" aria-labelledby="map-title" xmlns="http://www.w3.org/2000/svg"><title id="map-title">{}</title><rect width="{w}" height="{h}" fill="#f3f4f6"/>"##,
        html(&lang.t("tk-map-title"))
    );
    for (code, lat, lon) in &places {
        let Some((name, s)) = states.get(code.as_str()) else {
            continue;
        };
        let x = w / 2.0 + (lon - clon) * kx * scale;
        let y = h / 2.0 - (lat - clat) * scale;
        let (colour, kind) = mark(*s);
        let label = match lang {
            crate::Lang::Th => s.label_th(),
            crate::Lang::En => s.label_en(),
        };
        svg.push_str(&format!(
            r#"<a href="/staff/tasks/{}/units/{}"><g><title>{} — {}</title>{}<text x="{:.1}" y="{:.1}" font-size="11">{}</text></g></a>"#,
            task_id,
            html(code),
            html(name),
            html(label),
            shape(kind, x, y, colour),
            x + 10.0,
            y + 4.0,
            html(name)
        ));
    }
    svg.push_str("</svg>");
    Ok(svg)
}

/// The legend's marks, as small SVGs beside each state's name.
pub(crate) fn legend_mark(key: &str) -> String {
    use domain::task::UnitState::*;
    let state = match key {
        "in_progress" => InProgress,
        "submitted" => Submitted,
        "returned" => Returned,
        "accepted" => Accepted,
        "overdue" => Overdue,
        _ => NotStarted,
    };
    let (colour, kind) = mark(state);
    format!(
        r#"<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">{}</svg>"#,
        shape(kind, 9.0, 9.0, colour)
    )
}

/// Text for inside SVG markup built here, escaped as the templates escape theirs.
fn html(s: &str) -> String {
    use askama::filters::Escaper;
    let mut out = String::with_capacity(s.len());
    // Writing into a String cannot fail.
    let _ = crate::escape::Html.write_escaped_str(&mut out, s);
    out
}

use domain::task::ItemKind;
use domain::thai_date::{long_th, thai_digits};

/// The task as a Thai official letter (หนังสือภายนอก): its text, its checklist as the
/// numbered things to do, the deadline, and the enclosures the system makes (the
/// Authorize Codes of the targets as attachment 2, the report form as attachment 3).
pub(crate) fn letter(f: &app::tasks::LetterFacts) -> poster::Letter {
    let t = &f.task;
    let mut office_lines = vec![f.issuer_name.clone()];
    let mut contact_lines = vec![f.issuer_name.clone()];
    if let Some((address, phones, email)) = &f.issuer_contact {
        office_lines.push(thai_digits(address));
        if !phones.is_empty() {
            contact_lines.push(thai_digits(&format!("โทร. {}", phones.join(", "))));
        }
        if let Some(e) = email {
            contact_lines.push(format!("ไปรษณีย์อิเล็กทรอนิกส์ {e}"));
        }
    }
    let addressee = match f.targets.as_slice() {
        [(_, name)] => name.clone(),
        _ => format!(
            "หัวหน้าหน่วยงานในสังกัด ทุกแห่ง (ตามบัญชีรายชื่อ จำนวน {} หน่วยงาน)",
            f.targets.len()
        ),
    };
    let mut attachments: Vec<String> = t
        .fields
        .attachments
        .iter()
        .map(|a| format!("{} จำนวน 1 ชุด", a.title))
        .collect();
    attachments.push("บัญชีรายชื่อหน่วยงานและ Authorize Code จำนวน 1 ชุด".into());
    attachments.push("แบบรายงานผลการดำเนินการ จำนวน 1 ชุด".into());
    let codes_no = attachments.len() - 1;
    let form_no = attachments.len();
    let mut body: Vec<String> = t
        .fields
        .body
        .split('\n')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    body.push(format!(
        "ในการนี้ ขอให้หน่วยงานดำเนินการ โดยใช้ Authorize Code ของหน่วยงานตามสิ่งที่ส่งมาด้วย {codes_no} ดังนี้"
    ));
    for (i, item) in t.fields.checklist.iter().enumerate() {
        let mut line = format!("{}. {}", i + 1, item.label_th());
        let subs: Vec<&str> = item.sub_items().iter().map(|d| d.label_th()).collect();
        if !subs.is_empty() {
            line.push_str(&format!(" ได้แก่ {}", subs.join(" ")));
        }
        if let ItemKind::Manuals { manual_ids } = item
            && !manual_ids.is_empty()
        {
            line.push_str(&format!(
                " (คู่มือหมายเลข {})",
                manual_ids
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        body.push(line);
    }
    body.push(format!(
        "ทั้งนี้ เมื่อดำเนินการเสร็จเรียบร้อยแล้วขอให้แจ้ง{}ทราบ {} รายละเอียดแบบรายงานตามสิ่งที่ส่งมาด้วย {form_no} หรือรายงานผ่านระบบ CITIZENinfo",
        f.issuer_name,
        domain::task::due_by_th(t.fields.deadline)
    ));
    let date_th = thai_digits(&long_th(t.fields.letter_date));
    poster::Letter {
        number: thai_digits(&t.fields.letter_number),
        office_lines,
        date_th,
        subject: t.fields.title.clone(),
        addressee,
        references: vec![],
        attachments: attachments.iter().map(|a| thai_digits(a)).collect(),
        body: body.iter().map(|p| thai_digits(p)).collect(),
        closing: "จึงเรียนมาเพื่อโปรดทราบและดำเนินการต่อไป".into(),
        salutation: "ขอแสดงความนับถือ".into(),
        signer_name: None,
        signer_position: vec![],
        contact_lines,
    }
}

/// A unit's report as the seed's attachment 3, filled in from its checks and its word.
pub(crate) fn report_form(v: &app::tasks::ReportView) -> poster::TaskReportForm {
    use domain::task::ReportState;
    let items = v
        .task
        .fields
        .checklist
        .iter()
        .zip(&v.row.items)
        .map(|(kind, s)| {
            let mut remarks = Vec::new();
            remarks.push(thai_digits(&s.evidence_th));
            if let Some(r) = &s.remark {
                remarks.push(thai_digits(r));
            }
            poster::TaskReportItem {
                text: thai_digits(&kind.label_th()),
                sub_items: kind
                    .sub_items()
                    .iter()
                    .map(|d| d.label_th().to_owned())
                    .collect(),
                status: if s.done {
                    poster::TaskItemStatus::Done
                } else {
                    poster::TaskItemStatus::NotDone
                },
                remarks,
            }
        })
        .collect();
    let mut status_lines = Vec::new();
    match v.row.report {
        ReportState::Returned => status_lines.push(format!(
            "ส่งคืนให้แก้ไข: {}",
            v.row.return_comment.clone().unwrap_or_default()
        )),
        ReportState::Accepted => {
            if let Some(at) = v.row.decided_at {
                status_lines.push(thai_digits(&format!(
                    "ตรวจรับแล้ว เมื่อ {}",
                    long_th(domain::task::local_date(at))
                )));
            }
        }
        _ => {}
    }
    poster::TaskReportForm {
        title: format!("แบบรายงานผลการดำเนินการ เรื่อง {}", v.task.fields.title),
        unit_line: v.row.name_th.clone(),
        items,
        reporter_name: v.row.reporter_name.clone(),
        reporter_position: v.row.reporter_position.clone(),
        report_date: v
            .row
            .submitted_at
            .map(|at| thai_digits(&long_th(domain::task::local_date(at)))),
        status_lines,
    }
}

/// The Authorize Codes of the targets as a table, the letter's attachment 2.
pub(crate) fn codes_document(
    title: &str,
    rows: &[(String, String, String)],
) -> poster::ReportDocument {
    poster::ReportDocument {
        title: "สิ่งที่ส่งมาด้วย 2 บัญชีรายชื่อหน่วยงานและ Authorize Code".replace('2', "๒"),
        subtitle: vec![format!("เรื่อง {title}")],
        sections: vec![poster::ReportSection {
            heading: String::new(),
            note: Some(
                "Authorize Code ใช้ผูกบัญชีผู้ใช้งานกับหน่วยงาน เก็บเป็นความลับ ส่งให้เฉพาะหน่วยงานนั้น".into(),
            ),
            table: poster::ReportTable {
                headers: vec![
                    "ลำดับ".into(),
                    "รหัสหน่วยงาน".into(),
                    "หน่วยงาน".into(),
                    "Authorize Code".into(),
                ],
                rows: rows
                    .iter()
                    .enumerate()
                    .map(|(i, (code, name, auth))| {
                        vec![
                            thai_digits(&(i + 1).to_string()),
                            code.clone(),
                            name.clone(),
                            auth.clone(),
                        ]
                    })
                    .collect(),
                numeric: vec![true, false, false, false],
            },
        }],
        footer: "CITIZENinfo".into(),
    }
}

/// A PDF made off the request threads: laying out Thai text takes tens of
/// milliseconds a page.
pub(crate) async fn pdf<T: Send + 'static>(
    what: T,
    render: fn(&T) -> Result<Vec<u8>, poster::PosterError>,
) -> Result<Vec<u8>, app::AppError> {
    tokio::task::spawn_blocking(move || render(&what))
        .await
        .map_err(app::AppError::internal)?
        .map_err(app::AppError::internal)
}
