//! Rollout tasks: a supervising office sends its units a letter with a checklist and a
//! deadline (the seed's Chonburi letter of 6 August 2563 is one), the checklist is
//! checked against each unit's own data wherever the data can say, and the units
//! report back on the form the letter attaches. Storage, mail and the organisation tree
//! belong to the use cases; the rules are here.
//!
//! A task goes Draft → Issued → Closed. An issued task may be extended (a later
//! deadline, still Issued). A draft is never closed: nobody has seen it, so it is
//! discarded instead and leaves no record; an issued task is closed, never discarded,
//! because the units' reports refer to it. Closed is final and freezes the reports.
//!
//! A unit's report goes NotStarted → InProgress (saved, not sent) → Submitted →
//! Accepted, or back to Returned with the supervisor's comment. It can be sent again
//! as long as it is not accepted. Overdue is never stored: it is what the dashboard
//! shows for a report not sent by the deadline of an open task.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::UnitCode;
use crate::hours::bangkok;
use crate::problem::{Problem, plain_text};
use crate::thai_date::{long_en, long_th, short_th, thai_digits};

pub const TITLE_MAX: usize = 200;
/// Letter numbers are short (`ที่ ขบ ๐๐๑๘/ว๕๗๘๕`); a longer text is a pasted sentence.
pub const LETTER_NUMBER_MAX: usize = 60;
pub const BODY_MAX: usize = 10_000;
pub const ATTACHMENTS_MAX: usize = 10;
pub const CHECKLIST_MAX: usize = 20;
pub const LABEL_MAX: usize = 200;
pub const MANUALS_MAX: usize = 20;
/// Units picked one by one; a larger set is better chosen by subtree or kind.
pub const PICK_MAX: usize = 1000;
pub const COMMENT_MAX: usize = 1000;
pub const REMARK_MAX: usize = 500;

/// The Bangkok date of an instant: deadlines are Thai calendar days.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&bangkok()).date_naive()
}

/// `ภายในวันที่ ๑๓ สิงหาคม ๒๕๖๓`, as the letter words its deadline.
pub fn due_by_th(deadline: NaiveDate) -> String {
    format!("ภายในวันที่ {}", thai_digits(&long_th(deadline)))
}

/// `by 13 August 2563 BE (2020)`.
pub fn due_by_en(deadline: NaiveDate) -> String {
    format!("by {}", long_en(deadline))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A letter number with its whitespace normalised: runs of spaces, tabs, line breaks
/// and no-break spaces become one space, and none is left around the slash, so that a
/// number copied from a PDF (which breaks and pads it) equals the one typed. Digits
/// stay as typed, Thai or Arabic: the number is quoted back as the letter prints it.
pub fn letter_number(input: &str) -> Result<String, Problem> {
    const FIELD: &str = "letter_number";
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.chars() {
        // Zero-width spaces mark word breaks in Thai text exported from word processors.
        if c == '\u{200b}' || c == '\u{feff}' {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if c.is_control() {
            return Err(Problem::new(
                FIELD,
                "มีอักขระควบคุมที่ไม่อนุญาต",
                "Contains control characters",
            ));
        }
        if pending_space && c != '/' && !out.ends_with('/') {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    if out.is_empty() {
        return Err(Problem::new(
            FIELD,
            "กรุณากรอกเลขที่หนังสือ",
            "Enter the letter's number",
        ));
    }
    if out.chars().count() > LETTER_NUMBER_MAX {
        return Err(Problem::new(
            FIELD,
            format!("เลขที่หนังสือยาวได้ไม่เกิน {LETTER_NUMBER_MAX} ตัวอักษร"),
            format!("A letter number has at most {LETTER_NUMBER_MAX} characters"),
        ));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------
// Targets

/// The units a task is sent to. The issuing office itself is never one of them: it
/// collects the reports, it does not write one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Targets {
    /// `root` and every unit below it.
    Subtree {
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        root: UnitCode,
    },
    /// The units of one kind (as the organisation tree names kinds) in the issuer's
    /// subtree: "every district community development office".
    Kind { kind: String },
    Pick {
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
        units: Vec<UnitCode>,
    },
}

impl Targets {
    /// Whether `unit`, of `unit_kind`, is a target. `is_within(root)` says whether
    /// `unit` is `root` or below it.
    pub fn covers(
        &self,
        issuer: &UnitCode,
        unit: &UnitCode,
        unit_kind: &str,
        is_within: impl Fn(&UnitCode) -> bool,
    ) -> bool {
        if unit == issuer {
            return false;
        }
        match self {
            Targets::Subtree { root } => is_within(root),
            Targets::Kind { kind } => unit_kind == kind && is_within(issuer),
            Targets::Pick { units } => units.contains(unit),
        }
    }
}

/// The targets tidied (kind trimmed, picks sorted without repeats), or why not: a
/// target outside the issuer's subtree, a pick of the issuer itself, an empty choice.
/// `in_subtree(code)` says whether `code` is the issuer or below it.
pub fn check_targets(
    targets: &Targets,
    issuer: &UnitCode,
    in_subtree: impl Fn(&UnitCode) -> bool,
) -> Result<Targets, Vec<Problem>> {
    const FIELD: &str = "targets";
    let outside = |codes: &[UnitCode]| {
        let list = codes
            .iter()
            .map(UnitCode::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        Problem::new(
            FIELD,
            format!("หน่วยงานต่อไปนี้ไม่อยู่ในสังกัดของหน่วยงานที่สั่งงาน: {list}"),
            format!("Outside the issuing office's subtree: {list}"),
        )
    };
    match targets {
        Targets::Subtree { root } => {
            if in_subtree(root) {
                Ok(targets.clone())
            } else {
                Err(vec![outside(&[*root])])
            }
        }
        Targets::Kind { kind } => {
            let kind = kind.trim();
            if kind.is_empty() {
                Err(vec![Problem::new(
                    FIELD,
                    "กรุณาระบุประเภทหน่วยงาน",
                    "Name the kind of unit",
                )])
            } else {
                Ok(Targets::Kind {
                    kind: kind.to_owned(),
                })
            }
        }
        Targets::Pick { units } => {
            let picked: BTreeSet<UnitCode> = units.iter().copied().collect();
            let mut out = Vec::new();
            if picked.is_empty() {
                out.push(Problem::new(
                    FIELD,
                    "กรุณาเลือกหน่วยงานอย่างน้อย 1 หน่วยงาน",
                    "Pick at least one unit",
                ));
            }
            if picked.len() > PICK_MAX {
                out.push(Problem::new(
                    FIELD,
                    format!("เลือกได้ไม่เกิน {PICK_MAX} หน่วยงาน ให้เลือกตามสังกัดหรือประเภทแทน"),
                    format!("At most {PICK_MAX} units: choose by subtree or kind instead"),
                ));
            }
            if picked.contains(issuer) {
                out.push(Problem::new(
                    FIELD,
                    "หน่วยงานที่สั่งงานเป็นผู้รับรายงาน ไม่ต้องเลือกตนเอง",
                    "The issuing office receives the reports: it is not its own target",
                ));
            }
            let foreign: Vec<UnitCode> =
                picked.iter().filter(|c| !in_subtree(c)).copied().collect();
            if !foreign.is_empty() {
                out.push(outside(&foreign));
            }
            if out.is_empty() {
                Ok(Targets::Pick {
                    units: picked.into_iter().collect(),
                })
            } else {
                Err(out)
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Checklist items

/// The data of a service point that item 2 of the seed's form lists for checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DataField {
    Name,
    Address,
    Phone,
    Hours,
    Other,
}

impl DataField {
    pub const ALL: [DataField; 5] = [
        DataField::Name,
        DataField::Address,
        DataField::Phone,
        DataField::Hours,
        DataField::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DataField::Name => "name",
            DataField::Address => "address",
            DataField::Phone => "phone",
            DataField::Hours => "hours",
            DataField::Other => "other",
        }
    }

    /// The form's wording.
    pub fn label_th(self) -> &'static str {
        match self {
            DataField::Name => "ชื่อหน่วยงาน",
            DataField::Address => "ที่อยู่หน่วยงาน",
            DataField::Phone => "หมายเลขโทรศัพท์หน่วยงาน",
            DataField::Hours => "วัน-เวลาทำการ",
            DataField::Other => "อื่นๆ",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DataField::Name => "Name",
            DataField::Address => "Address",
            DataField::Phone => "Phone",
            DataField::Hours => "Days and hours",
            DataField::Other => "Other",
        }
    }
}

/// One line of a task's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemKind {
    /// A person has signed up and is bound to the unit.
    SignedUp,
    /// Every service point of the unit was edited or confirmed after the task was issued.
    DataChecked,
    /// Every service point has an office photo.
    Photo,
    /// Every service point has these manuals pinned.
    Manuals { manual_ids: Vec<i64> },
    /// The QR poster of every service point downloaded after the issue (the data shows
    /// it), printed and hung (only the unit can say).
    Poster,
    /// Anything else the supervisor asks, which only the unit can say it did. `id`
    /// tells two such items apart and is chosen by the task's author.
    Declared {
        id: u16,
        label_th: String,
        #[serde(default)]
        label_en: String,
    },
}

impl ItemKind {
    pub fn key(&self) -> ItemKey {
        match self {
            ItemKind::SignedUp => ItemKey::SignedUp,
            ItemKind::DataChecked => ItemKey::DataChecked,
            ItemKind::Photo => ItemKey::Photo,
            ItemKind::Manuals { .. } => ItemKey::Manuals,
            ItemKind::Poster => ItemKey::Poster,
            ItemKind::Declared { id, .. } => ItemKey::Declared(*id),
        }
    }

    /// The wording of the seed's report form. Digits are Arabic, as on every page; a
    /// printed form passes the text through [`thai_digits`] as the letter does.
    pub fn label_th(&self) -> String {
        match self {
            ItemKind::SignedUp => "สมัครใช้งานระบบ".into(),
            ItemKind::DataChecked => "ตรวจสอบ/เพิ่มเติม/แก้ไข ข้อมูล “จุดบริการหน่วยงานและโครงสร้าง”".into(),
            ItemKind::Photo => "อัปโหลดรูปภาพสำนักงาน".into(),
            ItemKind::Manuals { manual_ids } => {
                format!("ตรวจสอบคู่มือสำหรับประชาชน จำนวน {} ฉบับ", manual_ids.len())
            }
            ItemKind::Poster => {
                "ดาวน์โหลดและพิมพ์โปสเตอร์ QR Code จากระบบ และนำไปติดตั้ง ณ จุดให้บริการ".into()
            }
            ItemKind::Declared { label_th, .. } => label_th.clone(),
        }
    }

    /// A declared item without an English label shows its Thai one.
    pub fn label_en(&self) -> String {
        match self {
            ItemKind::SignedUp => "Signed up and bound to the unit".into(),
            ItemKind::DataChecked => "Service point data checked, completed or corrected".into(),
            ItemKind::Photo => "Office photo uploaded".into(),
            ItemKind::Manuals { manual_ids } => {
                let n = manual_ids.len();
                format!(
                    "{n} citizen manual{} checked",
                    if n == 1 { "" } else { "s" }
                )
            }
            ItemKind::Poster => {
                "QR poster downloaded, printed and hung at the service point".into()
            }
            ItemKind::Declared {
                label_th, label_en, ..
            } => {
                if label_en.is_empty() {
                    label_th.clone()
                } else {
                    label_en.clone()
                }
            }
        }
    }

    /// What the unit is to look at under the item.
    pub fn sub_items(&self) -> &'static [DataField] {
        match self {
            ItemKind::DataChecked => &DataField::ALL,
            _ => &[],
        }
    }

    /// Whether the item rests, wholly or in part, on the unit's word: nothing in the
    /// data shows that a poster hangs on a wall.
    pub fn needs_declaration(&self) -> bool {
        matches!(self, ItemKind::Poster | ItemKind::Declared { .. })
    }
}

/// The seed's report form, with the manuals the task names for item 4 (the
/// department's; the Community Development Department's letter names three).
pub fn template(manual_ids: Vec<i64>) -> Vec<ItemKind> {
    vec![
        ItemKind::SignedUp,
        ItemKind::DataChecked,
        ItemKind::Photo,
        ItemKind::Manuals { manual_ids },
        ItemKind::Poster,
    ]
}

/// The stable name of a checklist item in storage and in the API: `signed_up`,
/// `data_checked`, `photo`, `manuals`, `poster`, `declared_3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ItemKey {
    SignedUp,
    DataChecked,
    Photo,
    Manuals,
    Poster,
    Declared(u16),
}

const DECLARED_PREFIX: &str = "declared_";

impl fmt::Display for ItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ItemKey::SignedUp => f.write_str("signed_up"),
            ItemKey::DataChecked => f.write_str("data_checked"),
            ItemKey::Photo => f.write_str("photo"),
            ItemKey::Manuals => f.write_str("manuals"),
            ItemKey::Poster => f.write_str("poster"),
            ItemKey::Declared(id) => write!(f, "{DECLARED_PREFIX}{id}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no checklist item is called {0:?}")]
pub struct UnknownItem(pub String);

impl FromStr for ItemKey {
    type Err = UnknownItem;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownItem(s.to_owned());
        Ok(match s {
            "signed_up" => ItemKey::SignedUp,
            "data_checked" => ItemKey::DataChecked,
            "photo" => ItemKey::Photo,
            "manuals" => ItemKey::Manuals,
            "poster" => ItemKey::Poster,
            _ => {
                let digits = s.strip_prefix(DECLARED_PREFIX).ok_or_else(unknown)?;
                // One spelling per key: `declared_03` would be a second name of 3.
                if digits.is_empty()
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                    || (digits.len() > 1 && digits.starts_with('0'))
                {
                    return Err(unknown());
                }
                ItemKey::Declared(digits.parse().map_err(|_| unknown())?)
            }
        })
    }
}

impl TryFrom<String> for ItemKey {
    type Error = UnknownItem;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<ItemKey> for String {
    fn from(value: ItemKey) -> Self {
        value.to_string()
    }
}

// ---------------------------------------------------------------------------------
// The task

/// A file sent with the letter, as the media store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub title: String,
    pub file_key: String,
}

/// The largest file a task may carry as an attachment.
pub const ATTACHMENT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// What an attachment's bytes are, by their content: the extension its stored name
/// takes and its content type. PDF, Word and Excel (the Office Open XML formats, a ZIP
/// whose entries name the part that makes it one), JPEG and PNG. Anything else (an
/// executable renamed `.pdf`, an old `.doc`) is `None`.
pub fn attachment_kind(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if bytes.starts_with(b"%PDF-") {
        Some(("pdf", "application/pdf"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("jpg", "image/jpeg"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("png", "image/png"))
    } else if bytes.starts_with(b"PK\x03\x04")
        && holds(b"[Content_Types].xml")
        // A document with macros (.docm, .xlsm) carries its code in this part.
        && !holds(b"vbaProject.bin")
    {
        if holds(b"word/document.xml") {
            Some((
                "docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ))
        } else if holds(b"xl/workbook.xml") {
            Some((
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ))
        } else {
            None
        }
    } else {
        None
    }
}

/// What the supervising office writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskFields {
    pub title: String,
    pub letter_number: String,
    pub letter_date: NaiveDate,
    pub body: String,
    /// The last day to report, included.
    pub deadline: NaiveDate,
    pub targets: Targets,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    pub checklist: Vec<ItemKind>,
}

/// The fields tidied (one-line title and labels, normalised letter number, picks
/// sorted, manual ids without repeats), or every problem, named by field. Whether the
/// deadline is still ahead is judged when the task is issued, not here: a draft may sit.
pub fn check(
    fields: TaskFields,
    issuer: &UnitCode,
    in_subtree: impl Fn(&UnitCode) -> bool,
) -> Result<TaskFields, Vec<Problem>> {
    let mut out = Vec::new();
    let mut f = fields;

    f.title = one_line(&f.title);
    plain_text(&mut out, "title", &f.title, TITLE_MAX, true);
    match letter_number(&f.letter_number) {
        Ok(n) => f.letter_number = n,
        Err(p) => out.push(p),
    }
    f.body = f.body.trim().to_owned();
    plain_text(&mut out, "body", &f.body, BODY_MAX, true);
    if f.deadline < f.letter_date {
        out.push(Problem::new(
            "deadline",
            "กำหนดส่งต้องไม่อยู่ก่อนวันที่ของหนังสือ",
            "The deadline is before the letter's date",
        ));
    }

    if f.attachments.len() > ATTACHMENTS_MAX {
        out.push(Problem::new(
            "attachments",
            format!("แนบไฟล์ได้ไม่เกิน {ATTACHMENTS_MAX} ไฟล์"),
            format!("At most {ATTACHMENTS_MAX} attachments"),
        ));
    }
    for (i, a) in f.attachments.iter_mut().enumerate() {
        a.title = one_line(&a.title);
        plain_text(
            &mut out,
            &format!("attachments[{i}].title"),
            &a.title,
            TITLE_MAX,
            true,
        );
        if a.file_key.trim().is_empty() {
            out.push(Problem::new(
                format!("attachments[{i}].file_key"),
                "กรุณาอัปโหลดไฟล์แนบ",
                "Upload the attachment's file",
            ));
        }
    }

    check_checklist(&mut out, &mut f.checklist);

    match check_targets(&f.targets, issuer, in_subtree) {
        Ok(t) => f.targets = t,
        Err(problems) => out.extend(problems),
    }

    if out.is_empty() { Ok(f) } else { Err(out) }
}

fn check_checklist(out: &mut Vec<Problem>, items: &mut [ItemKind]) {
    if items.is_empty() {
        out.push(Problem::new(
            "checklist",
            "กรุณาระบุรายการที่ต้องดำเนินการอย่างน้อย 1 รายการ",
            "A task has at least one checklist item",
        ));
    }
    if items.len() > CHECKLIST_MAX {
        out.push(Problem::new(
            "checklist",
            format!("รายการที่ต้องดำเนินการมีได้ไม่เกิน {CHECKLIST_MAX} รายการ"),
            format!("At most {CHECKLIST_MAX} checklist items"),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, item) in items.iter_mut().enumerate() {
        if !seen.insert(item.key()) {
            out.push(Problem::new(
                format!("checklist[{i}]"),
                "รายการนี้ซ้ำกับรายการก่อนหน้า",
                "This item repeats an earlier one",
            ));
        }
        match item {
            ItemKind::Manuals { manual_ids } => {
                let mut kept = BTreeSet::new();
                manual_ids.retain(|id| kept.insert(*id));
                let field = format!("checklist[{i}].manual_ids");
                if manual_ids.is_empty() {
                    out.push(Problem::new(
                        field,
                        "กรุณาเลือกคู่มือที่ต้องตรวจสอบ",
                        "Name the manuals to check",
                    ));
                } else if manual_ids.len() > MANUALS_MAX {
                    out.push(Problem::new(
                        field,
                        format!("เลือกคู่มือได้ไม่เกิน {MANUALS_MAX} ฉบับ"),
                        format!("At most {MANUALS_MAX} manuals"),
                    ));
                }
            }
            ItemKind::Declared {
                label_th, label_en, ..
            } => {
                *label_th = one_line(label_th);
                *label_en = one_line(label_en);
                plain_text(
                    out,
                    &format!("checklist[{i}].label_th"),
                    label_th,
                    LABEL_MAX,
                    true,
                );
                plain_text(
                    out,
                    &format!("checklist[{i}].label_en"),
                    label_en,
                    LABEL_MAX,
                    false,
                );
            }
            _ => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Draft,
    Issued,
    Closed,
}

impl TaskState {
    pub const ALL: [TaskState; 3] = [TaskState::Draft, TaskState::Issued, TaskState::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Draft => "draft",
            TaskState::Issued => "issued",
            TaskState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label_th(self) -> &'static str {
        match self {
            TaskState::Draft => "ร่าง",
            TaskState::Issued => "แจ้งแล้ว",
            TaskState::Closed => "ปิดแล้ว",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TaskState::Draft => "Draft",
            TaskState::Issued => "Issued",
            TaskState::Closed => "Closed",
        }
    }
}

/// What a move of the task depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskStatus {
    pub state: TaskState,
    pub deadline: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskAction {
    /// Save changed fields, with the deadline they give.
    Edit {
        deadline: NaiveDate,
    },
    Issue,
    /// A later deadline for an issued task; the caller keeps the one it replaces.
    Extend {
        to: NaiveDate,
    },
    Close,
}

/// Why a task cannot move so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskError {
    /// Issuing, or extending, to a day already over.
    DeadlineInPast {
        deadline: NaiveDate,
        today: NaiveDate,
    },
    /// An extension to a day not after the deadline in force.
    NotLater {
        current: NaiveDate,
        requested: NaiveDate,
    },
    /// An edit of an issued task that changes its deadline: the units were told a date,
    /// so a new one goes through an extension, which keeps the old one on record.
    DeadlineByExtension,
    Closed,
    AlreadyIssued,
    /// Extending a draft, which has no deadline in force yet.
    NotIssued,
    CloseDraft,
    DiscardIssued,
}

impl TaskError {
    /// The field the problem concerns.
    pub fn field(self) -> &'static str {
        match self {
            TaskError::DeadlineInPast { .. }
            | TaskError::NotLater { .. }
            | TaskError::DeadlineByExtension => "deadline",
            _ => "state",
        }
    }

    pub fn th(self) -> String {
        match self {
            TaskError::DeadlineInPast { deadline, today } => format!(
                "กำหนดส่ง {} ผ่านมาแล้ว (วันนี้ {}) กรุณากำหนดวันที่ยังไม่ผ่าน",
                long_th(deadline),
                long_th(today)
            ),
            TaskError::NotLater { current, .. } => {
                format!("กำหนดส่งใหม่ต้องอยู่หลังกำหนดเดิม ({})", long_th(current))
            }
            TaskError::DeadlineByExtension => "งานที่แจ้งแล้วเปลี่ยนกำหนดส่งได้ด้วยการขยายเวลาเท่านั้น".into(),
            TaskError::Closed => "งานนี้ปิดแล้ว แก้ไข แจ้ง หรือขยายเวลาไม่ได้".into(),
            TaskError::AlreadyIssued => "งานนี้แจ้งหน่วยงานแล้ว".into(),
            TaskError::NotIssued => "งานนี้ยังเป็นร่าง เปลี่ยนกำหนดส่งได้โดยแก้ไขร่าง".into(),
            TaskError::CloseDraft => "ร่างที่ยังไม่ได้แจ้งปิดไม่ได้ ให้ลบร่างแทน".into(),
            TaskError::DiscardIssued => "ลบได้เฉพาะร่างที่ยังไม่ได้แจ้ง งานที่แจ้งแล้วให้ปิดงานแทน".into(),
        }
    }

    pub fn en(self) -> String {
        match self {
            TaskError::DeadlineInPast { deadline, today } => format!(
                "The deadline, {}, is in the past (today is {}); choose a day still ahead",
                long_en(deadline),
                long_en(today)
            ),
            TaskError::NotLater { current, .. } => format!(
                "A new deadline must be after the current one, {}",
                long_en(current)
            ),
            TaskError::DeadlineByExtension => {
                "The deadline of an issued task changes only by extending it".into()
            }
            TaskError::Closed => {
                "This task is closed: it can no longer be edited, issued or extended".into()
            }
            TaskError::AlreadyIssued => "This task has already been issued".into(),
            TaskError::NotIssued => {
                "This task is a draft: change its deadline by editing it".into()
            }
            TaskError::CloseDraft => "A draft cannot be closed: discard it instead".into(),
            TaskError::DiscardIssued => {
                "Only a draft can be discarded; close an issued task instead".into()
            }
        }
    }

    pub fn problem(self) -> Problem {
        Problem::new(self.field(), self.th(), self.en())
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en())
    }
}

impl std::error::Error for TaskError {}

/// The task after `action` on `today` (a Bangkok date), or why it cannot move so. A
/// deadline of today is still ahead: the units have the whole day.
pub fn transition(
    current: TaskStatus,
    action: TaskAction,
    today: NaiveDate,
) -> Result<TaskStatus, TaskError> {
    use TaskState::*;
    match (current.state, action) {
        (Closed, _) => Err(TaskError::Closed),
        (Draft, TaskAction::Edit { deadline }) => Ok(TaskStatus {
            state: Draft,
            deadline,
        }),
        (Issued, TaskAction::Edit { deadline }) => {
            if deadline == current.deadline {
                Ok(current)
            } else {
                Err(TaskError::DeadlineByExtension)
            }
        }
        (Draft, TaskAction::Issue) => {
            if current.deadline < today {
                Err(TaskError::DeadlineInPast {
                    deadline: current.deadline,
                    today,
                })
            } else {
                Ok(TaskStatus {
                    state: Issued,
                    deadline: current.deadline,
                })
            }
        }
        (Issued, TaskAction::Issue) => Err(TaskError::AlreadyIssued),
        (Draft, TaskAction::Extend { .. }) => Err(TaskError::NotIssued),
        (Issued, TaskAction::Extend { to }) => {
            if to <= current.deadline {
                Err(TaskError::NotLater {
                    current: current.deadline,
                    requested: to,
                })
            } else if to < today {
                Err(TaskError::DeadlineInPast {
                    deadline: to,
                    today,
                })
            } else {
                Ok(TaskStatus {
                    state: Issued,
                    deadline: to,
                })
            }
        }
        (Draft, TaskAction::Close) => Err(TaskError::CloseDraft),
        (Issued, TaskAction::Close) => Ok(TaskStatus {
            state: Closed,
            deadline: current.deadline,
        }),
    }
}

/// Whether a task may be deleted: only a draft, which no unit has seen.
pub fn discard(state: TaskState) -> Result<(), TaskError> {
    match state {
        TaskState::Draft => Ok(()),
        TaskState::Issued | TaskState::Closed => Err(TaskError::DiscardIssued),
    }
}

// ---------------------------------------------------------------------------------
// The self-check

/// What the checks need of one service point of the unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PointFacts {
    pub name_th: String,
    /// The last saved edit of its data.
    pub edited_at: Option<DateTime<Utc>>,
    /// The last time staff confirmed its data unchanged.
    pub confirmed_at: Option<DateTime<Utc>>,
    pub photos: usize,
    pub pinned_manuals: BTreeSet<i64>,
    pub poster_downloaded_at: Option<DateTime<Utc>>,
    /// A poster switched off takes no ratings, hung or not.
    pub poster_on: bool,
}

/// What the checks need of a unit, gathered by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitFacts {
    /// Usernames of the accounts bound to the unit. Only usernames: the seed's paper
    /// form asked for the password too, which no report may carry.
    pub members: Vec<String>,
    pub points: Vec<PointFacts>,
    /// Items the unit declares done. For an item the data decides, a declaration
    /// changes nothing.
    pub declared: BTreeSet<ItemKey>,
    /// The form's remarks column, for any item.
    pub remarks: BTreeMap<ItemKey, String>,
    /// Items the unit's declaration shows with a photo (the poster on the wall).
    pub photos: BTreeSet<ItemKey>,
}

/// A remark tidied (`None` when blank), or why not.
pub fn remark(field: &str, input: &str) -> Result<Option<String>, Problem> {
    let text = input.trim();
    let mut out = Vec::new();
    if !plain_text(&mut out, field, text, REMARK_MAX, false) {
        return Err(out.remove(0));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// One line of the unit's checklist as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemState {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub key: ItemKey,
    pub done: bool,
    /// The item takes the unit's declaration: show it a box to tick.
    pub needs_declaration: bool,
    /// The unit ticked it (only ever true where a declaration is taken).
    pub declared: bool,
    /// What the data shows, in words: the usernames, "แก้ไขเมื่อ 2 ธ.ค. 2563".
    pub evidence_th: String,
    pub evidence_en: String,
    pub remark: Option<String>,
    /// The unit's declaration comes with a photo.
    pub photo: bool,
}

struct Verdict {
    ok: bool,
    th: String,
    en: String,
}

impl Verdict {
    fn new(ok: bool, th: impl Into<String>, en: impl Into<String>) -> Verdict {
        Verdict {
            ok,
            th: th.into(),
            en: en.into(),
        }
    }
}

/// An item that every service point must meet: met when all do; the words name the
/// points that do not.
fn over_points(points: &[PointFacts], judge: impl Fn(&PointFacts) -> Verdict) -> Verdict {
    match points {
        [] => Verdict::new(
            false,
            "หน่วยงานยังไม่มีจุดบริการ",
            "The unit has no service point",
        ),
        [p] => judge(p),
        _ => {
            let n = points.len();
            let missing: Vec<(&PointFacts, Verdict)> = points
                .iter()
                .map(|p| (p, judge(p)))
                .filter(|(_, v)| !v.ok)
                .collect();
            if missing.is_empty() {
                return Verdict::new(
                    true,
                    format!("ครบทั้ง {n} จุดบริการ"),
                    format!("All {n} service points"),
                );
            }
            let m = missing.len();
            let th = missing
                .iter()
                .map(|(p, v)| format!("{}: {}", p.name_th, v.th))
                .collect::<Vec<_>>()
                .join("; ");
            let en = missing
                .iter()
                .map(|(p, v)| format!("{}: {}", p.name_th, v.en))
                .collect::<Vec<_>>()
                .join("; ");
            Verdict::new(
                false,
                format!("ยังไม่ครบ {m} จาก {n} จุดบริการ — {th}"),
                format!("{m} of {n} service points not done — {en}"),
            )
        }
    }
}

fn data_verdict(p: &PointFacts, issued_at: DateTime<Utc>) -> Verdict {
    let edited = p.edited_at.filter(|t| *t >= issued_at);
    let confirmed = p.confirmed_at.filter(|t| *t >= issued_at);
    match (edited, confirmed) {
        (Some(e), c) if c.is_none_or(|c| e >= c) => Verdict::new(
            true,
            format!("แก้ไขเมื่อ {}", short_th(local_date(e))),
            format!("Edited {}", long_en(local_date(e))),
        ),
        (_, Some(c)) => Verdict::new(
            true,
            format!("ยืนยันว่าถูกต้องเมื่อ {}", short_th(local_date(c))),
            format!("Confirmed {}", long_en(local_date(c))),
        ),
        _ => Verdict::new(
            false,
            "ยังไม่ได้ตรวจสอบหลังได้รับงาน",
            "Not checked since the task was issued",
        ),
    }
}

fn photo_verdict(p: &PointFacts) -> Verdict {
    match p.photos {
        0 => Verdict::new(false, "ยังไม่มีรูปภาพสำนักงาน", "No office photo yet"),
        n => Verdict::new(
            true,
            format!("มีรูปภาพสำนักงาน {n} รูป"),
            format!("{n} office photo{}", if n == 1 { "" } else { "s" }),
        ),
    }
}

fn manuals_verdict(p: &PointFacts, named: &[i64]) -> Verdict {
    let n = named.len();
    let missing = named
        .iter()
        .filter(|id| !p.pinned_manuals.contains(id))
        .count();
    if missing == 0 {
        Verdict::new(
            true,
            format!("ปักหมุดคู่มือครบ {n} ฉบับ"),
            format!("All {n} manuals pinned"),
        )
    } else {
        Verdict::new(
            false,
            format!("ยังไม่ได้ปักหมุดคู่มือ {missing} จาก {n} ฉบับ"),
            format!("{missing} of {n} manuals not pinned"),
        )
    }
}

fn poster_verdict(p: &PointFacts, issued_at: DateTime<Utc>) -> Verdict {
    match p.poster_downloaded_at {
        // A poster from before the task may not be the one that hangs now.
        Some(at) if at >= issued_at => {
            let day = local_date(at);
            if p.poster_on {
                Verdict::new(
                    true,
                    format!("ดาวน์โหลดโปสเตอร์เมื่อ {}", short_th(day)),
                    format!("Poster downloaded {}", long_en(day)),
                )
            } else {
                Verdict::new(
                    false,
                    format!("ดาวน์โหลดโปสเตอร์เมื่อ {} แต่โปสเตอร์ถูกปิดการใช้งาน", short_th(day)),
                    format!("Poster downloaded {}, but it is switched off", long_en(day)),
                )
            }
        }
        Some(_) => Verdict::new(
            false,
            "ดาวน์โหลดโปสเตอร์ครั้งล่าสุดก่อนได้รับงาน",
            "Poster last downloaded before the task was issued",
        ),
        None => Verdict::new(false, "ยังไม่ได้ดาวน์โหลดโปสเตอร์", "Poster not downloaded yet"),
    }
}

/// Each item of `checklist` as it stands for the unit: the data decides what it can
/// (an edit or confirmation counts from `issued_at` on, so does a poster download), the
/// unit's declaration the rest.
pub fn self_check(
    checklist: &[ItemKind],
    facts: &UnitFacts,
    issued_at: DateTime<Utc>,
) -> Vec<ItemState> {
    checklist
        .iter()
        .map(|item| {
            let key = item.key();
            let declared = item.needs_declaration() && facts.declared.contains(&key);
            let verdict = match item {
                ItemKind::SignedUp => {
                    let names: BTreeSet<&str> = facts
                        .members
                        .iter()
                        .map(|m| m.trim())
                        .filter(|m| !m.is_empty())
                        .collect();
                    if names.is_empty() {
                        Verdict::new(
                            false,
                            "ยังไม่มีผู้ใช้งานผูกกับหน่วยงาน",
                            "No user is bound to the unit yet",
                        )
                    } else {
                        let list = names.into_iter().collect::<Vec<_>>().join(", ");
                        Verdict::new(true, format!("ชื่อผู้ใช้งาน: {list}"), format!("Users: {list}"))
                    }
                }
                ItemKind::DataChecked => over_points(&facts.points, |p| data_verdict(p, issued_at)),
                ItemKind::Photo => over_points(&facts.points, photo_verdict),
                ItemKind::Manuals { manual_ids } => {
                    over_points(&facts.points, |p| manuals_verdict(p, manual_ids))
                }
                ItemKind::Poster => {
                    let data = over_points(&facts.points, |p| poster_verdict(p, issued_at));
                    let (th, en) = if declared {
                        ("แจ้งว่าติดตั้งแล้ว", "Declared hung")
                    } else {
                        ("ยังไม่ได้แจ้งว่าติดตั้งแล้ว", "Not yet declared hung")
                    };
                    Verdict::new(
                        data.ok && declared,
                        format!("{}; {th}", data.th),
                        format!("{}; {en}", data.en),
                    )
                }
                ItemKind::Declared { .. } => {
                    if declared {
                        Verdict::new(true, "แจ้งว่าดำเนินการแล้ว", "Declared done")
                    } else {
                        Verdict::new(false, "ยังไม่ได้แจ้ง", "Not declared yet")
                    }
                }
            };
            ItemState {
                key,
                done: verdict.ok,
                needs_declaration: item.needs_declaration(),
                declared,
                evidence_th: verdict.th,
                evidence_en: verdict.en,
                remark: facts.remarks.get(&key).cloned(),
                photo: item.needs_declaration() && facts.photos.contains(&key),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// The unit's report

/// A unit's report as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    NotStarted,
    /// Saved (declarations, remarks) and not yet sent.
    InProgress,
    Submitted,
    Returned,
    Accepted,
}

impl ReportState {
    pub const ALL: [ReportState; 5] = [
        ReportState::NotStarted,
        ReportState::InProgress,
        ReportState::Submitted,
        ReportState::Returned,
        ReportState::Accepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::NotStarted => "not_started",
            ReportState::InProgress => "in_progress",
            ReportState::Submitted => "submitted",
            ReportState::Returned => "returned",
            ReportState::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Sent at least once: nothing leads back to the states before a submission.
    pub fn ever_submitted(self) -> bool {
        matches!(
            self,
            ReportState::Submitted | ReportState::Returned | ReportState::Accepted
        )
    }

    /// Nothing more is asked of the unit for now.
    fn is_in(self) -> bool {
        matches!(self, ReportState::Submitted | ReportState::Accepted)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportAction {
    /// The unit saves its declarations and remarks without sending.
    Save,
    /// The unit sends the report as it stands; again, while not accepted.
    Submit,
    Accept,
    /// Back to the unit to complete, saying why.
    Return {
        comment: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportError {
    TaskDraft,
    TaskClosed,
    AlreadyAccepted,
    NotSubmitted,
    /// A sent report awaits the issuer's review: changed only by sending it again.
    UnderReview,
    CommentRequired,
    CommentTooLong,
    /// Control characters, which no form can type.
    CommentInvalid,
}

impl ReportError {
    pub fn field(self) -> &'static str {
        match self {
            ReportError::CommentRequired
            | ReportError::CommentTooLong
            | ReportError::CommentInvalid => "comment",
            _ => "state",
        }
    }

    pub fn th(self) -> String {
        match self {
            ReportError::TaskDraft => "งานนี้ยังไม่ได้แจ้ง ยังรายงานไม่ได้".into(),
            ReportError::TaskClosed => "งานนี้ปิดแล้ว ส่งหรือตรวจรายงานไม่ได้อีก".into(),
            ReportError::AlreadyAccepted => "รายงานนี้ได้รับการตรวจรับแล้ว แก้ไขหรือส่งใหม่ไม่ได้".into(),
            ReportError::NotSubmitted => "ตรวจรับหรือส่งคืนได้เฉพาะรายงานที่ส่งแล้วและรอตรวจ".into(),
            ReportError::UnderReview => {
                "รายงานนี้ส่งแล้วและรอตรวจ หากต้องการแก้ไขให้ส่งรายงานใหม่อีกครั้ง".into()
            }
            ReportError::CommentInvalid => "เหตุผลที่ส่งคืนมีอักขระที่ใช้ไม่ได้".into(),
            ReportError::CommentRequired => "กรุณาระบุเหตุผลที่ส่งคืนรายงาน".into(),
            ReportError::CommentTooLong => {
                format!("เหตุผลที่ส่งคืนยาวได้ไม่เกิน {COMMENT_MAX} ตัวอักษร")
            }
        }
    }

    pub fn en(self) -> String {
        match self {
            ReportError::TaskDraft => {
                "This task has not been issued: there is nothing to report on yet".into()
            }
            ReportError::TaskClosed => {
                "This task is closed: reports can no longer be sent or reviewed".into()
            }
            ReportError::AlreadyAccepted => {
                "This report has been accepted: it can no longer be changed or sent again".into()
            }
            ReportError::NotSubmitted => {
                "Only a submitted report awaiting review can be accepted or returned".into()
            }
            ReportError::UnderReview => {
                "This report was sent and awaits review: to change it, submit it again".into()
            }
            ReportError::CommentInvalid => {
                "The comment holds characters that cannot be kept".into()
            }
            ReportError::CommentRequired => "Say why the report is returned".into(),
            ReportError::CommentTooLong => {
                format!("A comment has at most {COMMENT_MAX} characters")
            }
        }
    }

    pub fn problem(self) -> Problem {
        Problem::new(self.field(), self.th(), self.en())
    }
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en())
    }
}

impl std::error::Error for ReportError {}

/// A return comment tidied, or why not.
pub fn return_comment(input: &str) -> Result<String, ReportError> {
    let text = input.trim();
    if text.is_empty() {
        Err(ReportError::CommentRequired)
    } else if text.chars().count() > COMMENT_MAX {
        Err(ReportError::CommentTooLong)
    } else if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        Err(ReportError::CommentInvalid)
    } else {
        Ok(text.to_owned())
    }
}

/// The report after `action`, or why not. Submitting does not need every item done:
/// the form has a "not done" column, and a unit says why in the remarks. A returned
/// report is saved as returned until it is sent again; a submitted one is not saved at
/// all: what the issuer is reviewing does not change under it, a new submission
/// replaces it (and the issuer's decision names the submission it saw).
pub fn report_transition(
    task: TaskState,
    current: ReportState,
    action: &ReportAction,
) -> Result<ReportState, ReportError> {
    use ReportState::*;
    match task {
        TaskState::Draft => return Err(ReportError::TaskDraft),
        TaskState::Closed => return Err(ReportError::TaskClosed),
        TaskState::Issued => {}
    }
    match (current, action) {
        (Accepted, ReportAction::Save | ReportAction::Submit) => Err(ReportError::AlreadyAccepted),
        (NotStarted | InProgress, ReportAction::Save) => Ok(InProgress),
        (Returned, ReportAction::Save) => Ok(Returned),
        (Submitted, ReportAction::Save) => Err(ReportError::UnderReview),
        (_, ReportAction::Submit) => Ok(Submitted),
        (Submitted, ReportAction::Accept) => Ok(Accepted),
        (Submitted, ReportAction::Return { comment }) => {
            return_comment(comment)?;
            Ok(Returned)
        }
        (_, ReportAction::Accept | ReportAction::Return { .. }) => Err(ReportError::NotSubmitted),
    }
}

/// The longest reporter's name or position.
pub const REPORTER_MAX: usize = 200;

/// What a unit writes on its report form, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportForm {
    /// The items the unit ticks as done; only those that take its word count.
    pub declared: BTreeSet<ItemKey>,
    pub remarks: BTreeMap<ItemKey, String>,
    pub reporter_name: String,
    pub reporter_position: String,
}

/// The form tidied against the task's checklist, or every problem, named by field
/// (`remarks.poster`, `reporter_name`). A tick on an item the data decides is dropped,
/// not refused: the form shows those items as the data has them. A name and position
/// are needed to submit, not to save.
pub fn report_form(
    checklist: &[ItemKind],
    form: ReportForm,
    submit: bool,
) -> Result<ReportForm, Vec<Problem>> {
    let mut problems = Vec::new();
    let keys: BTreeMap<ItemKey, &ItemKind> = checklist.iter().map(|i| (i.key(), i)).collect();
    for key in form.declared.iter().chain(form.remarks.keys()) {
        if !keys.contains_key(key) {
            problems.push(Problem::new(
                format!("items.{key}"),
                "ไม่มีรายการนี้ในงาน",
                "The task has no such item",
            ));
        }
    }
    let declared = form
        .declared
        .into_iter()
        .filter(|k| keys.get(k).is_some_and(|i| i.needs_declaration()))
        .collect();
    let mut remarks = BTreeMap::new();
    for (key, text) in form.remarks {
        match remark(&format!("remarks.{key}"), &text) {
            Ok(Some(t)) => {
                remarks.insert(key, t);
            }
            Ok(None) => {}
            Err(p) => problems.push(p),
        }
    }
    let name = form.reporter_name.trim().to_owned();
    let position = form.reporter_position.trim().to_owned();
    for (field, value) in [("reporter_name", &name), ("reporter_position", &position)] {
        if plain_text(&mut problems, field, value, REPORTER_MAX, submit)
            && value.contains(['\n', '\r'])
        {
            problems.push(Problem::new(field, "กรอกได้บรรทัดเดียว", "One line only"));
        }
    }
    if problems.is_empty() {
        Ok(ReportForm {
            declared,
            remarks,
            reporter_name: name,
            reporter_position: position,
        })
    } else {
        Err(problems)
    }
}

/// A unit's line on the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitState {
    NotStarted,
    InProgress,
    Submitted,
    Returned,
    Accepted,
    Overdue,
}

impl UnitState {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitState::NotStarted => "not_started",
            UnitState::InProgress => "in_progress",
            UnitState::Submitted => "submitted",
            UnitState::Returned => "returned",
            UnitState::Accepted => "accepted",
            UnitState::Overdue => "overdue",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            UnitState::NotStarted => "ยังไม่เริ่ม",
            UnitState::InProgress => "กำลังดำเนินการ",
            UnitState::Submitted => "ส่งรายงานแล้ว รอตรวจ",
            UnitState::Returned => "ส่งคืนให้แก้ไข",
            UnitState::Accepted => "ตรวจรับแล้ว",
            UnitState::Overdue => "เลยกำหนดส่ง",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            UnitState::NotStarted => "Not started",
            UnitState::InProgress => "In progress",
            UnitState::Submitted => "Submitted, awaiting review",
            UnitState::Returned => "Returned for completion",
            UnitState::Accepted => "Accepted",
            UnitState::Overdue => "Overdue",
        }
    }
}

/// The dashboard's state of a unit. Overdue (from the day after the deadline, while the
/// task is issued) outranks Returned and InProgress: what the supervisor must chase
/// first is a report still missing. A closed task shows the states as they were left.
pub fn unit_state(
    report: ReportState,
    items_done: usize,
    deadline: NaiveDate,
    today: NaiveDate,
    task: TaskState,
) -> UnitState {
    match report {
        ReportState::Accepted => return UnitState::Accepted,
        ReportState::Submitted => return UnitState::Submitted,
        _ => {}
    }
    match task {
        TaskState::Draft => return UnitState::NotStarted,
        TaskState::Issued if today > deadline => return UnitState::Overdue,
        _ => {}
    }
    match report {
        ReportState::Returned => UnitState::Returned,
        ReportState::InProgress => UnitState::InProgress,
        _ if items_done > 0 => UnitState::InProgress,
        _ => UnitState::NotStarted,
    }
}

// ---------------------------------------------------------------------------------
// Dashboard totals

/// What the totals need of one target unit's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitReport {
    pub state: ReportState,
    pub first_submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    /// Target units.
    pub expected: usize,
    /// Reports sent at least once, returned ones included.
    pub submitted: usize,
    pub accepted: usize,
    /// First sent on or before the deadline in force (the extended one, if any), as a
    /// Bangkok date.
    pub on_time: usize,
    /// `submitted / expected`; `None` with no target.
    pub reporting_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
}

/// The totals over the target units' reports; a target without a report yet is simply
/// absent from `reports`.
pub fn totals(expected: usize, deadline: NaiveDate, reports: &[UnitReport]) -> Totals {
    let submitted = reports.iter().filter(|r| r.state.ever_submitted()).count();
    let accepted = reports
        .iter()
        .filter(|r| r.state == ReportState::Accepted)
        .count();
    let on_time = reports
        .iter()
        .filter(|r| {
            r.state.ever_submitted()
                && r.first_submitted_at
                    .is_some_and(|at| local_date(at) <= deadline)
        })
        .count();
    let share = |n: usize| (expected > 0).then(|| n as f64 / expected as f64);
    Totals {
        expected,
        submitted,
        accepted,
        on_time,
        reporting_rate: share(submitted),
        on_time_rate: share(on_time),
    }
}

// ---------------------------------------------------------------------------------
// Reminders

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReminderKind {
    /// The deadline is near; 0 on the day itself.
    Before {
        days_left: u32,
    },
    Overdue {
        days_late: u32,
    },
}

impl ReminderKind {
    pub fn key(self) -> &'static str {
        match self {
            ReminderKind::Before { .. } => "before",
            ReminderKind::Overdue { .. } => "overdue",
        }
    }
}

/// Whether a unit is to be reminded today: from `days_before` days before the deadline
/// to the deadline (Before), and every day after it (Overdue), unless its report is
/// in (submitted or accepted) or it was reminded today already. For issued tasks: the
/// caller does not look at the others.
pub fn reminder_due(
    deadline: NaiveDate,
    today: NaiveDate,
    days_before: u32,
    last_sent: Option<NaiveDate>,
    state: ReportState,
) -> Option<ReminderKind> {
    if state.is_in() || last_sent.is_some_and(|d| d >= today) {
        return None;
    }
    let left = (deadline - today).num_days();
    if left < 0 {
        Some(ReminderKind::Overdue {
            days_late: u32::try_from(-left).unwrap_or(u32::MAX),
        })
    } else if left <= i64::from(days_before) {
        Some(ReminderKind::Before {
            days_left: u32::try_from(left).unwrap_or(u32::MAX),
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A Bangkok wall-clock time as the instant it is.
    fn bkk(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        bangkok()
            .with_ymd_and_hms(y, m, day, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn code(s: &str) -> UnitCode {
        UnitCode::parse(s).unwrap()
    }

    // The province office and its districts; the codes are made up, the shape real.
    const PROVINCE: &str = "0112140410000";
    const MUEANG: &str = "0112140410001";
    const SI_RACHA: &str = "0112140410007";
    const KO_CHAN: &str = "0112140410011";
    const RAYONG: &str = "0112140420001";

    fn in_chonburi(c: &UnitCode) -> bool {
        c.as_str().starts_with("01121404100")
    }

    #[test]
    fn a_report_form_keeps_the_words_the_checklist_takes() {
        let list = template(vec![1, 2, 3]);
        let form = ReportForm {
            declared: [ItemKey::Poster, ItemKey::Photo].into_iter().collect(),
            remarks: [
                (ItemKey::Photo, "  รูปใหม่  ".to_owned()),
                (ItemKey::SignedUp, "   ".to_owned()),
            ]
            .into_iter()
            .collect(),
            reporter_name: " นายสมชาย ใจดี ".into(),
            reporter_position: "ปลัดอำเภอ".into(),
        };
        let out = report_form(&list, form, true).unwrap();
        // A tick on the photo (the data decides it) is dropped, the poster's kept.
        assert_eq!(out.declared, [ItemKey::Poster].into_iter().collect());
        assert_eq!(out.remarks.len(), 1, "a blank remark is no remark");
        assert_eq!(out.remarks[&ItemKey::Photo], "รูปใหม่");
        assert_eq!(out.reporter_name, "นายสมชาย ใจดี");
    }

    #[test]
    fn a_report_form_names_each_wrong_field() {
        let list = template(vec![1]);
        let form = ReportForm {
            declared: [ItemKey::Declared(4)].into_iter().collect(),
            remarks: [(ItemKey::Poster, "ก".repeat(REMARK_MAX + 1))]
                .into_iter()
                .collect(),
            reporter_name: String::new(),
            reporter_position: "a\nb".into(),
        };
        let fields: Vec<String> = report_form(&list, form.clone(), true)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "items.declared_4",
                "remarks.poster",
                "reporter_name",
                "reporter_position"
            ]
        );
        // Saving needs no name yet.
        let fields: Vec<String> = report_form(&list, form, false)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert!(!fields.contains(&"reporter_name".to_owned()), "{fields:?}");
    }

    #[test]
    fn an_attachment_is_known_by_its_content() {
        assert_eq!(attachment_kind(b"%PDF-1.7 ...").unwrap().0, "pdf");
        assert_eq!(attachment_kind(b"\x89PNG\r\n\x1a\n....").unwrap().0, "png");
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert_eq!(attachment_kind(docx).unwrap().0, "docx");
        let xlsx = b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml";
        assert_eq!(attachment_kind(xlsx).unwrap().0, "xlsx");
        // A ZIP that is no Office document, an executable, a text.
        assert_eq!(attachment_kind(b"PK\x03\x04....[Content_Types].xml"), None);
        let docm = b"PK\x03\x04..[Content_Types].xml..word/document.xml..word/vbaProject.bin";
        assert_eq!(attachment_kind(docm), None, "macros are refused");
        assert_eq!(attachment_kind(b"MZ\x90\x00"), None);
        assert_eq!(attachment_kind(b"plain text"), None);
    }

    // Lines of the seed letter, as printed; its table breaks "นำไป ติดตั้ง" at a wrap.
    const SEED_DEADLINE_LINE: &str = "ทั้งนี้ เมื่อดำเนินการเสร็จเรียบร้อยแล้วขอให้แจ้งจังหวัดชลบุรีทราบ ภายในวันที่ ๑๓ สิงหาคม ๒๕๖๓ รายละเอียดแบบรายงานตามสิ่งที่ส่งมาด้วย ๓";
    const SEED_FORM: [&str; 5] = [
        "๑.\tสมัครใช้งานระบบ",
        "๒.\tตรวจสอบ/เพิ่มเติม/แก้ไข ข้อมูล “จุดบริการหน่วยงานและโครงสร้าง” - ชื่อหน่วยงาน - ที่อยู่หน่วยงาน - หมายเลขโทรศัพท์หน่วยงาน - วัน-เวลาทำการ - อื่นๆ",
        "๓.\tอัปโหลดรูปภาพสำนักงาน",
        "๔.\tตรวจสอบคู่มือสำหรับประชาชน จำนวน ๓ ฉบับ",
        "๕.\tดาวน์โหลดและพิมพ์โปสเตอร์ QR Code จากระบบ และนำไป ติดตั้ง ณ จุดให้บริการ",
    ];

    fn seed_fields() -> TaskFields {
        TaskFields {
            title: "การเชื่อมโยงคู่มือสำหรับประชาชนไปยังหน่วยปฏิบัติผ่านระบบ CITIZENinfo".into(),
            letter_number: "ที่ ขบ ๐๐๑๘/ว๕๗๘๕".into(),
            letter_date: d(2020, 8, 6),
            body: "ขอให้อำเภอมอบหมายสำนักงานพัฒนาชุมชนอำเภอดำเนินการ ดังนี้ ...".into(),
            deadline: d(2020, 8, 13),
            targets: Targets::Kind {
                kind: "district_cd_office".into(),
            },
            attachments: vec![
                Attachment {
                    title: "คู่มือการใช้งานระบบ CITIZENinfo".into(),
                    file_key: "tasks/1/guide.pdf".into(),
                },
                Attachment {
                    title: "รหัส Authorize Code".into(),
                    file_key: "tasks/1/codes.pdf".into(),
                },
                Attachment {
                    title: "แบบรายงานการสมัครใช้งานระบบ CITIZENinfo".into(),
                    file_key: "tasks/1/form.pdf".into(),
                },
            ],
            checklist: template(vec![101, 102, 103]),
        }
    }

    fn fields_of(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.field.as_str()).collect()
    }

    // --- the seed -------------------------------------------------------------------

    #[test]
    fn the_chonburi_task_is_valid_and_due_on_13_august_2563() {
        let f = check(seed_fields(), &code(PROVINCE), in_chonburi).unwrap();
        assert_eq!(f.letter_number, "ที่ ขบ ๐๐๑๘/ว๕๗๘๕");
        assert_eq!(due_by_th(f.deadline), "ภายในวันที่ ๑๓ สิงหาคม ๒๕๖๓");
        assert_eq!(due_by_en(f.deadline), "by 13 August 2563 BE (2020)");
        assert!(SEED_DEADLINE_LINE.contains(&due_by_th(f.deadline)));
        assert_eq!(thai_digits(&long_th(f.letter_date)), "๖ สิงหาคม ๒๕๖๓");
    }

    #[test]
    fn the_chonburi_task_runs_from_issue_to_close() {
        let f = check(seed_fields(), &code(PROVINCE), in_chonburi).unwrap();
        let draft = TaskStatus {
            state: TaskState::Draft,
            deadline: f.deadline,
        };
        let issued = transition(draft, TaskAction::Issue, d(2020, 8, 6)).unwrap();
        assert_eq!(issued.state, TaskState::Issued);
        // Issued a week late, the same task would ask for a day already over.
        let late = transition(draft, TaskAction::Issue, d(2020, 8, 14)).unwrap_err();
        assert_eq!(
            late,
            TaskError::DeadlineInPast {
                deadline: d(2020, 8, 13),
                today: d(2020, 8, 14)
            }
        );
        assert!(late.th().contains("13 สิงหาคม 2563"));
        assert!(late.en().contains("in the past"));
        let extended = transition(
            issued,
            TaskAction::Extend { to: d(2020, 8, 20) },
            d(2020, 8, 12),
        )
        .unwrap();
        assert_eq!(
            extended,
            TaskStatus {
                state: TaskState::Issued,
                deadline: d(2020, 8, 20)
            }
        );
        let closed = transition(extended, TaskAction::Close, d(2020, 8, 21)).unwrap();
        assert_eq!(closed.state, TaskState::Closed);
    }

    #[test]
    fn the_seed_form_labels_print_as_the_letter_does() {
        let items = template(vec![101, 102, 103]);
        assert_eq!(
            thai_digits(&items[3].label_th()),
            "ตรวจสอบคู่มือสำหรับประชาชน จำนวน ๓ ฉบับ"
        );
        for (item, line) in items.iter().zip(SEED_FORM) {
            let line = line.replace("นำไป ติดตั้ง", "นำไปติดตั้ง");
            assert!(line.contains(&thai_digits(&item.label_th())), "{item:?}");
        }
        for field in DataField::ALL {
            assert!(SEED_FORM[1].contains(field.label_th()), "{field:?}");
        }
    }

    // --- letter numbers -------------------------------------------------------------

    #[test]
    fn letter_numbers_keep_their_digits_and_lose_stray_whitespace() {
        assert_eq!(letter_number("ที่ ขบ ๐๐๑๘/ว๕๗๘๕").unwrap(), "ที่ ขบ ๐๐๑๘/ว๕๗๘๕");
        assert_eq!(letter_number("ที่ ชบ 0018/ว5785").unwrap(), "ที่ ชบ 0018/ว5785");
        assert_eq!(
            letter_number("  ที่\u{a0}\u{a0}ขบ\t๐๐๑๘ /\n ว๕๗๘๕ ").unwrap(),
            "ที่ ขบ ๐๐๑๘/ว๕๗๘๕"
        );
        assert_eq!(
            letter_number("ที่\u{200b} ขบ ๐๐๑๘/\u{200b}ว๕๗๘๕").unwrap(),
            "ที่ ขบ ๐๐๑๘/ว๕๗๘๕"
        );
    }

    #[test]
    fn letter_numbers_are_required_short_and_plain() {
        for blank in ["", "   ", "\u{200b}\n"] {
            let p = letter_number(blank).unwrap_err();
            assert_eq!(p.field, "letter_number");
            assert_eq!(p.en, "Enter the letter's number");
        }
        // Counted in characters: 60 Thai letters are 180 bytes.
        assert!(letter_number(&"ก".repeat(60)).is_ok());
        assert!(letter_number(&"ก".repeat(61)).is_err());
        assert!(letter_number("ขบ ๐๐๑๘\u{0}/ว๕๗๘๕").is_err());
    }

    // --- task fields ----------------------------------------------------------------

    #[test]
    fn check_tidies_what_it_accepts() {
        let mut f = seed_fields();
        f.title = "  การเชื่อมโยงคู่มือ\n  ผ่านระบบ  CITIZENinfo ".into();
        f.letter_number = "ที่ ขบ ๐๐๑๘ / ว๕๗๘๕".into();
        f.checklist = template(vec![103, 101, 103, 102, 101]);
        f.checklist.push(ItemKind::Declared {
            id: 1,
            label_th: "  ประชาสัมพันธ์\tให้ประชาชนทราบ ".into(),
            label_en: String::new(),
        });
        let f = check(f, &code(PROVINCE), in_chonburi).unwrap();
        assert_eq!(f.title, "การเชื่อมโยงคู่มือ ผ่านระบบ CITIZENinfo");
        assert_eq!(f.letter_number, "ที่ ขบ ๐๐๑๘/ว๕๗๘๕");
        assert_eq!(
            f.checklist[3],
            ItemKind::Manuals {
                manual_ids: vec![103, 101, 102]
            }
        );
        assert_eq!(f.checklist[5].label_th(), "ประชาสัมพันธ์ ให้ประชาชนทราบ");
        assert_eq!(f.checklist[5].label_en(), "ประชาสัมพันธ์ ให้ประชาชนทราบ");
    }

    #[test]
    fn check_names_every_field_it_refuses() {
        let mut f = seed_fields();
        f.title = " ".into();
        f.letter_number = String::new();
        f.body = "\n".into();
        f.deadline = d(2020, 8, 5);
        f.attachments[1].title = String::new();
        f.attachments[2].file_key = " ".into();
        f.checklist = vec![
            ItemKind::SignedUp,
            ItemKind::Manuals { manual_ids: vec![] },
            ItemKind::SignedUp,
            ItemKind::Declared {
                id: 2,
                label_th: String::new(),
                label_en: "Publicise".into(),
            },
        ];
        f.targets = Targets::Subtree { root: code(RAYONG) };
        let problems = check(f, &code(PROVINCE), in_chonburi).unwrap_err();
        assert_eq!(
            fields_of(&problems),
            [
                "title",
                "letter_number",
                "body",
                "deadline",
                "attachments[1].title",
                "attachments[2].file_key",
                "checklist[1].manual_ids",
                "checklist[2]",
                "checklist[3].label_th",
                "targets",
            ]
        );
        assert!(
            problems
                .iter()
                .all(|p| !p.th.is_empty() && !p.en.is_empty())
        );
    }

    #[test]
    fn check_limits_the_lists() {
        let mut f = seed_fields();
        f.attachments = vec![f.attachments[0].clone(); ATTACHMENTS_MAX + 1];
        f.checklist = (0..=CHECKLIST_MAX as u16)
            .map(|id| ItemKind::Declared {
                id,
                label_th: format!("รายการ {id}"),
                label_en: String::new(),
            })
            .collect();
        let problems = check(f, &code(PROVINCE), in_chonburi).unwrap_err();
        assert_eq!(fields_of(&problems), ["attachments", "checklist"]);

        let mut f = seed_fields();
        f.checklist = vec![];
        let problems = check(f, &code(PROVINCE), in_chonburi).unwrap_err();
        assert_eq!(fields_of(&problems), ["checklist"]);

        let mut f = seed_fields();
        f.checklist = vec![ItemKind::Manuals {
            manual_ids: (0..=MANUALS_MAX as i64).collect(),
        }];
        let problems = check(f, &code(PROVINCE), in_chonburi).unwrap_err();
        assert_eq!(fields_of(&problems), ["checklist[0].manual_ids"]);
    }

    #[test]
    fn a_deadline_on_the_letters_own_day_is_allowed() {
        let mut f = seed_fields();
        f.deadline = f.letter_date;
        assert!(check(f, &code(PROVINCE), in_chonburi).is_ok());
    }

    // --- targets --------------------------------------------------------------------

    #[test]
    fn targets_stay_inside_the_issuers_subtree() {
        let province = code(PROVINCE);
        let inside = Targets::Subtree {
            root: code(SI_RACHA),
        };
        assert_eq!(check_targets(&inside, &province, in_chonburi), Ok(inside));
        let whole = Targets::Subtree { root: province };
        assert!(check_targets(&whole, &province, in_chonburi).is_ok());
        let outside = Targets::Subtree { root: code(RAYONG) };
        let p = check_targets(&outside, &province, in_chonburi).unwrap_err();
        assert!(p[0].en.contains(RAYONG));
        assert!(p[0].th.contains(RAYONG));
    }

    #[test]
    fn picks_are_checked_one_by_one_and_tidied() {
        let province = code(PROVINCE);
        let pick = Targets::Pick {
            units: vec![code(KO_CHAN), code(MUEANG), code(KO_CHAN)],
        };
        assert_eq!(
            check_targets(&pick, &province, in_chonburi),
            Ok(Targets::Pick {
                units: vec![code(MUEANG), code(KO_CHAN)]
            })
        );
        let mixed = Targets::Pick {
            units: vec![code(MUEANG), code(RAYONG), province],
        };
        let p = check_targets(&mixed, &province, in_chonburi).unwrap_err();
        assert_eq!(p.len(), 2);
        assert!(p[0].en.contains("not its own target"));
        assert!(p[1].en.contains(RAYONG) && !p[1].en.contains(MUEANG));
        let none = Targets::Pick { units: vec![] };
        assert!(check_targets(&none, &province, in_chonburi).is_err());
        let many = Targets::Pick {
            units: (0..=PICK_MAX)
                .map(|i| code(&format!("01121404{i:05}")))
                .collect(),
        };
        assert!(check_targets(&many, &province, |_| true).is_err());
    }

    #[test]
    fn a_kind_is_named() {
        let province = code(PROVINCE);
        let blank = Targets::Kind { kind: "  ".into() };
        assert!(check_targets(&blank, &province, in_chonburi).is_err());
        let padded = Targets::Kind {
            kind: " district_cd_office ".into(),
        };
        assert_eq!(
            check_targets(&padded, &province, in_chonburi),
            Ok(Targets::Kind {
                kind: "district_cd_office".into()
            })
        );
    }

    #[test]
    fn targets_cover_the_right_units_and_never_the_issuer() {
        let province = code(PROVINCE);
        let si_racha = code(SI_RACHA);
        // Each unit of the test tree is within itself and within the province if in
        // Chonburi.
        let within = |unit: UnitCode| {
            move |root: &UnitCode| *root == unit || (*root == code(PROVINCE) && in_chonburi(&unit))
        };
        let all = Targets::Subtree { root: province };
        assert!(all.covers(&province, &si_racha, "district_cd_office", within(si_racha)));
        assert!(!all.covers(&province, &province, "province_cd_office", within(province)));
        let rayong = code(RAYONG);
        assert!(!all.covers(&province, &rayong, "district_cd_office", within(rayong)));

        let kind = Targets::Kind {
            kind: "district_cd_office".into(),
        };
        assert!(kind.covers(&province, &si_racha, "district_cd_office", within(si_racha)));
        assert!(!kind.covers(&province, &si_racha, "service_point", within(si_racha)));
        assert!(!kind.covers(&province, &rayong, "district_cd_office", within(rayong)));

        let pick = Targets::Pick {
            units: vec![si_racha],
        };
        assert!(pick.covers(&province, &si_racha, "", within(si_racha)));
        let mueang = code(MUEANG);
        assert!(!pick.covers(&province, &mueang, "", within(mueang)));
    }

    #[test]
    fn targets_have_a_tagged_json_form() {
        let pick = Targets::Pick {
            units: vec![code(MUEANG)],
        };
        let json = serde_json::to_string(&pick).unwrap();
        assert_eq!(json, format!(r#"{{"by":"pick","units":["{MUEANG}"]}}"#));
        assert_eq!(serde_json::from_str::<Targets>(&json).unwrap(), pick);
        let sub: Targets =
            serde_json::from_str(&format!(r#"{{"by":"subtree","root":"{SI_RACHA}"}}"#)).unwrap();
        assert_eq!(
            sub,
            Targets::Subtree {
                root: code(SI_RACHA)
            }
        );
    }

    // --- task transitions -----------------------------------------------------------

    fn status(state: TaskState, deadline: NaiveDate) -> TaskStatus {
        TaskStatus { state, deadline }
    }

    #[test]
    fn a_draft_is_issued_on_or_before_its_deadline() {
        let draft = status(TaskState::Draft, d(2020, 8, 13));
        assert_eq!(
            transition(draft, TaskAction::Issue, d(2020, 8, 13)),
            Ok(status(TaskState::Issued, d(2020, 8, 13)))
        );
        assert!(matches!(
            transition(draft, TaskAction::Issue, d(2020, 8, 14)),
            Err(TaskError::DeadlineInPast { .. })
        ));
    }

    #[test]
    fn a_task_is_issued_once() {
        let issued = status(TaskState::Issued, d(2020, 8, 13));
        assert_eq!(
            transition(issued, TaskAction::Issue, d(2020, 8, 6)),
            Err(TaskError::AlreadyIssued)
        );
    }

    #[test]
    fn an_extension_moves_the_deadline_later_and_ahead() {
        let issued = status(TaskState::Issued, d(2020, 8, 13));
        let at = |to| TaskAction::Extend { to };
        assert_eq!(
            transition(issued, at(d(2020, 8, 14)), d(2020, 8, 10)),
            Ok(status(TaskState::Issued, d(2020, 8, 14)))
        );
        for to in [d(2020, 8, 13), d(2020, 8, 12)] {
            let e = transition(issued, at(to), d(2020, 8, 10)).unwrap_err();
            assert_eq!(
                e,
                TaskError::NotLater {
                    current: d(2020, 8, 13),
                    requested: to
                }
            );
            assert!(e.th().contains("13 สิงหาคม 2563"));
            assert!(e.en().contains("13 August 2563 BE (2020)"));
            assert_eq!(e.field(), "deadline");
        }
        // Later than the old deadline, but already over: every unit would be late.
        assert_eq!(
            transition(issued, at(d(2020, 8, 15)), d(2020, 8, 20)),
            Err(TaskError::DeadlineInPast {
                deadline: d(2020, 8, 15),
                today: d(2020, 8, 20)
            })
        );
        let draft = status(TaskState::Draft, d(2020, 8, 13));
        assert_eq!(
            transition(draft, at(d(2020, 8, 20)), d(2020, 8, 10)),
            Err(TaskError::NotIssued)
        );
    }

    #[test]
    fn edits_change_a_drafts_deadline_but_not_an_issued_tasks() {
        let draft = status(TaskState::Draft, d(2020, 8, 13));
        let edit = |deadline| TaskAction::Edit { deadline };
        // A draft's deadline may even be moved into the past: issuing will refuse it.
        assert_eq!(
            transition(draft, edit(d(2020, 8, 1)), d(2020, 8, 6)),
            Ok(status(TaskState::Draft, d(2020, 8, 1)))
        );
        let issued = status(TaskState::Issued, d(2020, 8, 13));
        assert_eq!(
            transition(issued, edit(d(2020, 8, 13)), d(2020, 8, 20)),
            Ok(issued)
        );
        assert_eq!(
            transition(issued, edit(d(2020, 8, 20)), d(2020, 8, 6)),
            Err(TaskError::DeadlineByExtension)
        );
    }

    #[test]
    fn a_closed_task_is_frozen() {
        let closed = status(TaskState::Closed, d(2020, 8, 13));
        for action in [
            TaskAction::Edit {
                deadline: d(2020, 8, 13),
            },
            TaskAction::Issue,
            TaskAction::Extend { to: d(2020, 9, 1) },
            TaskAction::Close,
        ] {
            assert_eq!(
                transition(closed, action, d(2020, 8, 6)),
                Err(TaskError::Closed)
            );
        }
        assert_eq!(discard(TaskState::Closed), Err(TaskError::DiscardIssued));
    }

    #[test]
    fn a_draft_is_discarded_not_closed() {
        let draft = status(TaskState::Draft, d(2020, 8, 13));
        let e = transition(draft, TaskAction::Close, d(2020, 8, 6)).unwrap_err();
        assert_eq!(e, TaskError::CloseDraft);
        assert!(e.en().contains("discard"));
        assert!(e.th().contains("ลบร่าง"));
        assert_eq!(discard(TaskState::Draft), Ok(()));
        assert_eq!(discard(TaskState::Issued), Err(TaskError::DiscardIssued));
        let issued = status(TaskState::Issued, d(2020, 8, 13));
        assert_eq!(
            transition(issued, TaskAction::Close, d(2020, 8, 6)),
            Ok(status(TaskState::Closed, d(2020, 8, 13)))
        );
    }

    #[test]
    fn task_errors_become_problems_on_their_field() {
        let p = TaskError::Closed.problem();
        assert_eq!(p.field, "state");
        assert_eq!(p.en, TaskError::Closed.to_string());
        assert_eq!(TaskError::DeadlineByExtension.problem().field, "deadline");
    }

    #[test]
    fn task_states_round_trip() {
        for s in TaskState::ALL {
            assert_eq!(TaskState::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(TaskState::parse("Issued"), None);
    }

    // --- items ----------------------------------------------------------------------

    #[test]
    fn the_template_is_the_seeds_five_items() {
        let items = template(vec![101, 102, 103]);
        let keys: Vec<String> = items.iter().map(|i| i.key().to_string()).collect();
        assert_eq!(
            keys,
            ["signed_up", "data_checked", "photo", "manuals", "poster"]
        );
        let declared: Vec<bool> = items.iter().map(ItemKind::needs_declaration).collect();
        assert_eq!(declared, [false, false, false, false, true]);
        assert_eq!(items[1].sub_items(), DataField::ALL);
        for f in DataField::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.key());
        }
        assert!(items[0].sub_items().is_empty());
        assert_eq!(items[3].label_en(), "3 citizen manuals checked");
    }

    #[test]
    fn item_keys_round_trip_with_one_spelling_each() {
        let keys = [
            ItemKey::SignedUp,
            ItemKey::DataChecked,
            ItemKey::Photo,
            ItemKey::Manuals,
            ItemKey::Poster,
            ItemKey::Declared(0),
            ItemKey::Declared(3),
            ItemKey::Declared(u16::MAX),
        ];
        for k in keys {
            assert_eq!(k.to_string().parse::<ItemKey>(), Ok(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(serde_json::from_str::<ItemKey>(&json).unwrap(), k);
        }
        assert_eq!(ItemKey::Declared(3).to_string(), "declared_3");
        for bad in [
            "",
            "Photo",
            "photo ",
            "declared_",
            "declared_03",
            "declared_+3",
            "declared_-1",
            "declared_65536",
            "declared_x",
        ] {
            assert!(bad.parse::<ItemKey>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn item_kinds_are_tagged_by_their_key() {
        for item in template(vec![7]) {
            let json = serde_json::to_value(&item).unwrap();
            assert_eq!(json["kind"], item.key().to_string());
            assert_eq!(serde_json::from_value::<ItemKind>(json).unwrap(), item);
        }
        let free: ItemKind =
            serde_json::from_str(r#"{"kind":"declared","id":4,"label_th":"ประชุมชี้แจง"}"#).unwrap();
        assert_eq!(free.key(), ItemKey::Declared(4));
        assert_eq!(free.label_en(), "ประชุมชี้แจง");
        assert!(free.needs_declaration());
    }

    // --- the self-check -------------------------------------------------------------

    fn issued_at() -> DateTime<Utc> {
        bkk(2020, 8, 6, 10, 0)
    }

    fn point(name: &str) -> PointFacts {
        PointFacts {
            name_th: name.into(),
            poster_on: true,
            ..PointFacts::default()
        }
    }

    fn done_point(name: &str) -> PointFacts {
        PointFacts {
            edited_at: Some(bkk(2020, 8, 7, 9, 0)),
            photos: 1,
            pinned_manuals: [101, 102, 103].into(),
            poster_downloaded_at: Some(bkk(2020, 8, 7, 9, 30)),
            ..point(name)
        }
    }

    fn state_of(items: &[ItemKind], facts: &UnitFacts, key: ItemKey) -> ItemState {
        self_check(items, facts, issued_at())
            .into_iter()
            .find(|s| s.key == key)
            .unwrap()
    }

    #[test]
    fn a_unit_that_did_everything_is_done_on_every_item() {
        let items = template(vec![101, 102, 103]);
        let facts = UnitFacts {
            members: vec!["sriracha01".into()],
            points: vec![done_point("สำนักงานพัฒนาชุมชนอำเภอศรีราชา")],
            declared: [ItemKey::Poster].into(),
            remarks: BTreeMap::new(),
            photos: [ItemKey::Poster].into(),
        };
        let states = self_check(&items, &facts, issued_at());
        assert_eq!(states.len(), 5);
        assert!(states.iter().all(|s| s.done), "{states:#?}");
        assert_eq!(states[0].evidence_th, "ชื่อผู้ใช้งาน: sriracha01");
        assert_eq!(states[1].evidence_th, "แก้ไขเมื่อ 7 ส.ค. 2563");
        assert_eq!(states[1].evidence_en, "Edited 7 August 2563 BE (2020)");
        assert_eq!(states[2].evidence_en, "1 office photo");
        assert_eq!(states[3].evidence_en, "All 3 manuals pinned");
        assert_eq!(
            states[4].evidence_th,
            "ดาวน์โหลดโปสเตอร์เมื่อ 7 ส.ค. 2563; แจ้งว่าติดตั้งแล้ว"
        );
        // The photo shows where the unit's word is taken, nowhere else.
        assert!(states[4].photo);
        assert!(states[..4].iter().all(|s| !s.photo));
    }

    #[test]
    fn a_unit_with_nothing_is_done_on_nothing() {
        let items = template(vec![101]);
        let states = self_check(&items, &UnitFacts::default(), issued_at());
        assert!(states.iter().all(|s| !s.done));
        assert_eq!(states[0].evidence_en, "No user is bound to the unit yet");
        for s in &states[1..] {
            assert!(
                s.evidence_en.starts_with("The unit has no service point"),
                "{s:?}"
            );
        }
    }

    #[test]
    fn signed_up_lists_the_usernames_once_each() {
        let facts = UnitFacts {
            members: vec![
                "ploy_cd".into(),
                "somchai01".into(),
                "ploy_cd".into(),
                " ".into(),
            ],
            ..UnitFacts::default()
        };
        let s = state_of(&[ItemKind::SignedUp], &facts, ItemKey::SignedUp);
        assert!(s.done);
        assert_eq!(s.evidence_en, "Users: ploy_cd, somchai01");
        let blank = UnitFacts {
            members: vec!["  ".into()],
            ..UnitFacts::default()
        };
        assert!(!state_of(&[ItemKind::SignedUp], &blank, ItemKey::SignedUp).done);
    }

    #[test]
    fn data_counts_as_checked_only_from_the_issue_on() {
        let items = [ItemKind::DataChecked];
        let with = |p: PointFacts| UnitFacts {
            points: vec![p],
            ..UnitFacts::default()
        };
        let before = PointFacts {
            edited_at: Some(bkk(2020, 8, 6, 9, 59)),
            confirmed_at: Some(bkk(2020, 7, 1, 9, 0)),
            ..point("ศรีราชา")
        };
        let s = state_of(&items, &with(before.clone()), ItemKey::DataChecked);
        assert!(!s.done);
        assert_eq!(s.evidence_en, "Not checked since the task was issued");

        // Confirmed unchanged after the issue: a Bangkok date, not the UTC one.
        let confirmed = PointFacts {
            confirmed_at: Some(bkk(2020, 8, 8, 0, 30)),
            ..before.clone()
        };
        let s = state_of(&items, &with(confirmed), ItemKey::DataChecked);
        assert!(s.done);
        assert_eq!(s.evidence_th, "ยืนยันว่าถูกต้องเมื่อ 8 ส.ค. 2563");

        // Of an edit and a confirmation, both after the issue, the later is shown.
        let both = PointFacts {
            edited_at: Some(bkk(2020, 8, 10, 8, 0)),
            confirmed_at: Some(bkk(2020, 8, 9, 8, 0)),
            ..before
        };
        let s = state_of(&items, &with(both), ItemKey::DataChecked);
        assert_eq!(s.evidence_en, "Edited 10 August 2563 BE (2020)");

        let at_issue = PointFacts {
            confirmed_at: Some(issued_at()),
            ..point("ศรีราชา")
        };
        assert!(state_of(&items, &with(at_issue), ItemKey::DataChecked).done);
    }

    #[test]
    fn every_named_manual_must_be_pinned() {
        let items = [ItemKind::Manuals {
            manual_ids: vec![101, 102, 103],
        }];
        let mut p = done_point("ศรีราชา");
        p.pinned_manuals = [101, 103, 999].into();
        let facts = UnitFacts {
            points: vec![p.clone()],
            ..UnitFacts::default()
        };
        let s = state_of(&items, &facts, ItemKey::Manuals);
        assert!(!s.done);
        assert_eq!(s.evidence_en, "1 of 3 manuals not pinned");
        p.pinned_manuals.insert(102);
        let facts = UnitFacts {
            points: vec![p],
            ..UnitFacts::default()
        };
        assert!(state_of(&items, &facts, ItemKey::Manuals).done);
    }

    #[test]
    fn a_photo_is_needed_at_every_point() {
        let items = [ItemKind::Photo];
        let facts = UnitFacts {
            points: vec![
                done_point("สำนักงานพัฒนาชุมชนอำเภอศรีราชา"),
                point("จุดบริการเกาะสีชัง"),
            ],
            ..UnitFacts::default()
        };
        let s = state_of(&items, &facts, ItemKey::Photo);
        assert!(!s.done);
        assert_eq!(
            s.evidence_en,
            "1 of 2 service points not done — จุดบริการเกาะสีชัง: No office photo yet"
        );
        assert!(s.evidence_th.starts_with("ยังไม่ครบ 1 จาก 2 จุดบริการ"));
        let facts = UnitFacts {
            points: vec![done_point("ก"), done_point("ข")],
            ..UnitFacts::default()
        };
        let s = state_of(&items, &facts, ItemKey::Photo);
        assert!(s.done);
        assert_eq!(s.evidence_en, "All 2 service points");
    }

    #[test]
    fn a_poster_needs_a_download_after_the_issue_and_the_units_word() {
        let items = [ItemKind::Poster];
        let case = |p: PointFacts, declared: bool| {
            let facts = UnitFacts {
                points: vec![p],
                declared: if declared {
                    [ItemKey::Poster].into()
                } else {
                    BTreeSet::new()
                },
                ..UnitFacts::default()
            };
            state_of(&items, &facts, ItemKey::Poster)
        };
        let downloaded = done_point("ศรีราชา");

        let s = case(downloaded.clone(), false);
        assert!(!s.done && s.needs_declaration && !s.declared);
        assert!(s.evidence_en.ends_with("Not yet declared hung"));

        let s = case(point("ศรีราชา"), true);
        assert!(!s.done && s.declared);
        assert_eq!(s.evidence_en, "Poster not downloaded yet; Declared hung");

        let old = PointFacts {
            poster_downloaded_at: Some(bkk(2020, 7, 1, 9, 0)),
            ..downloaded.clone()
        };
        let s = case(old, true);
        assert!(!s.done);
        assert!(s.evidence_en.starts_with("Poster last downloaded before"));

        let off = PointFacts {
            poster_on: false,
            ..downloaded.clone()
        };
        let s = case(off, true);
        assert!(!s.done);
        assert!(s.evidence_en.contains("switched off"));

        assert!(case(downloaded, true).done);
    }

    #[test]
    fn declarations_decide_only_what_the_data_cannot() {
        let items = [
            ItemKind::Photo,
            ItemKind::Declared {
                id: 1,
                label_th: "ประชุมชี้แจงเจ้าหน้าที่".into(),
                label_en: "Staff briefed".into(),
            },
        ];
        let facts = UnitFacts {
            points: vec![point("ศรีราชา")],
            declared: [ItemKey::Photo, ItemKey::Declared(1)].into(),
            remarks: [(ItemKey::Photo, "กล้องเสีย จะถ่ายภายในสัปดาห์หน้า".to_owned())].into(),
            ..UnitFacts::default()
        };
        let states = self_check(&items, &facts, issued_at());
        assert!(!states[0].done);
        assert!(!states[0].declared && !states[0].needs_declaration);
        assert_eq!(
            states[0].remark.as_deref(),
            Some("กล้องเสีย จะถ่ายภายในสัปดาห์หน้า")
        );
        assert!(states[1].done && states[1].declared);
        assert_eq!(states[1].evidence_en, "Declared done");
        assert_eq!(states[1].remark, None);

        let undeclared = UnitFacts {
            declared: BTreeSet::new(),
            ..facts
        };
        let s = state_of(&items, &undeclared, ItemKey::Declared(1));
        assert!(!s.done && s.needs_declaration);
    }

    #[test]
    fn remarks_are_tidied_and_bounded() {
        assert_eq!(remark("remark", "  ok  "), Ok(Some("ok".into())));
        assert_eq!(remark("remark", " \n "), Ok(None));
        let p = remark("remarks.photo", &"ก".repeat(REMARK_MAX + 1)).unwrap_err();
        assert_eq!(p.field, "remarks.photo");
        assert!(remark("remark", &"ก".repeat(REMARK_MAX)).is_ok());
    }

    // --- reports --------------------------------------------------------------------

    fn back(comment: &str) -> ReportAction {
        ReportAction::Return {
            comment: comment.into(),
        }
    }

    #[test]
    fn a_report_is_submitted_until_it_is_accepted() {
        use ReportState::*;
        let issued = TaskState::Issued;
        for from in [NotStarted, InProgress, Returned, Submitted] {
            assert_eq!(
                report_transition(issued, from, &ReportAction::Submit),
                Ok(Submitted),
                "{from:?}"
            );
        }
        assert_eq!(
            report_transition(issued, Accepted, &ReportAction::Submit),
            Err(ReportError::AlreadyAccepted)
        );
        assert_eq!(
            report_transition(issued, Accepted, &ReportAction::Save),
            Err(ReportError::AlreadyAccepted)
        );
    }

    #[test]
    fn saving_starts_a_report_and_leaves_one_under_review_alone() {
        use ReportState::*;
        let issued = TaskState::Issued;
        let save = |from| report_transition(issued, from, &ReportAction::Save);
        assert_eq!(save(NotStarted), Ok(InProgress));
        assert_eq!(save(InProgress), Ok(InProgress));
        assert_eq!(save(Submitted), Err(ReportError::UnderReview));
        assert_eq!(save(Returned), Ok(Returned));
    }

    #[test]
    fn only_a_submitted_report_is_accepted_or_returned() {
        use ReportState::*;
        let issued = TaskState::Issued;
        assert_eq!(
            report_transition(issued, Submitted, &ReportAction::Accept),
            Ok(Accepted)
        );
        assert_eq!(
            report_transition(issued, Submitted, &back("ยังไม่ได้อัปโหลดรูปภาพ")),
            Ok(Returned)
        );
        for from in [NotStarted, InProgress, Returned, Accepted] {
            assert_eq!(
                report_transition(issued, from, &ReportAction::Accept),
                Err(ReportError::NotSubmitted)
            );
            assert_eq!(
                report_transition(issued, from, &back("แก้ไข")),
                Err(ReportError::NotSubmitted)
            );
        }
    }

    #[test]
    fn a_return_says_why() {
        let issued = TaskState::Issued;
        let e = report_transition(issued, ReportState::Submitted, &back(" \n ")).unwrap_err();
        assert_eq!(e, ReportError::CommentRequired);
        assert_eq!(e.problem().field, "comment");
        assert!(!e.th().is_empty());
        assert_eq!(
            report_transition(
                issued,
                ReportState::Submitted,
                &back(&"ก".repeat(COMMENT_MAX + 1))
            ),
            Err(ReportError::CommentTooLong)
        );
        assert_eq!(return_comment("  ขาดรูปภาพ "), Ok("ขาดรูปภาพ".into()));
        assert_eq!(return_comment("ก\u{0}ข"), Err(ReportError::CommentInvalid));
        assert_eq!(
            return_comment("บรรทัด ๑\nบรรทัด ๒"),
            Ok("บรรทัด ๑\nบรรทัด ๒".into())
        );
    }

    #[test]
    fn no_report_on_a_draft_or_a_closed_task() {
        for action in [
            ReportAction::Save,
            ReportAction::Submit,
            ReportAction::Accept,
            back("x"),
        ] {
            assert_eq!(
                report_transition(TaskState::Draft, ReportState::NotStarted, &action),
                Err(ReportError::TaskDraft)
            );
            assert_eq!(
                report_transition(TaskState::Closed, ReportState::Submitted, &action),
                Err(ReportError::TaskClosed)
            );
        }
    }

    #[test]
    fn report_states_round_trip() {
        for s in ReportState::ALL {
            assert_eq!(ReportState::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    // --- the dashboard --------------------------------------------------------------

    #[test]
    fn the_dashboard_state_of_a_unit() {
        use ReportState as R;
        use UnitState as U;
        let deadline = d(2020, 8, 13);
        let open = TaskState::Issued;
        let on = |report, done, today| unit_state(report, done, deadline, d(2020, 8, today), open);

        assert_eq!(on(R::NotStarted, 0, 10), U::NotStarted);
        assert_eq!(on(R::NotStarted, 2, 10), U::InProgress);
        assert_eq!(on(R::InProgress, 0, 10), U::InProgress);
        assert_eq!(on(R::Returned, 3, 13), U::Returned);
        assert_eq!(on(R::Submitted, 5, 10), U::Submitted);
        // The deadline day is still on time; the next is not.
        assert_eq!(on(R::NotStarted, 0, 13), U::NotStarted);
        assert_eq!(on(R::NotStarted, 0, 14), U::Overdue);
        assert_eq!(on(R::InProgress, 4, 14), U::Overdue);
        assert_eq!(on(R::Returned, 4, 14), U::Overdue);
        // A report sent, even late, is not chased.
        assert_eq!(on(R::Submitted, 5, 20), U::Submitted);
        assert_eq!(on(R::Accepted, 5, 20), U::Accepted);

        let closed =
            |report, done| unit_state(report, done, deadline, d(2020, 9, 1), TaskState::Closed);
        assert_eq!(closed(R::NotStarted, 0), U::NotStarted);
        assert_eq!(closed(R::NotStarted, 1), U::InProgress);
        assert_eq!(closed(R::Returned, 1), U::Returned);
        assert_eq!(
            unit_state(R::NotStarted, 3, deadline, d(2020, 9, 1), TaskState::Draft),
            U::NotStarted
        );
    }

    #[test]
    fn unit_states_have_keys_and_labels() {
        let all = [
            UnitState::NotStarted,
            UnitState::InProgress,
            UnitState::Submitted,
            UnitState::Returned,
            UnitState::Accepted,
            UnitState::Overdue,
        ];
        let keys: BTreeSet<&str> = all.iter().map(|s| s.as_str()).collect();
        assert_eq!(keys.len(), all.len());
        for s in all {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert!(!s.label_th().is_empty() && !s.label_en().is_empty());
        }
    }

    #[test]
    fn totals_of_the_eleven_chonburi_districts() {
        let deadline = d(2020, 8, 13);
        let sent = |state, at| UnitReport {
            state,
            first_submitted_at: Some(at),
        };
        let reports = [
            sent(ReportState::Accepted, bkk(2020, 8, 10, 9, 0)),
            sent(ReportState::Accepted, bkk(2020, 8, 13, 23, 59)),
            sent(ReportState::Submitted, bkk(2020, 8, 12, 14, 0)),
            // Returned and not sent again: it reported, on time.
            sent(ReportState::Returned, bkk(2020, 8, 11, 14, 0)),
            // Half past midnight in Bangkok is the 13th in UTC, and late.
            sent(ReportState::Submitted, bkk(2020, 8, 14, 0, 30)),
            sent(ReportState::Accepted, bkk(2020, 8, 20, 9, 0)),
            UnitReport {
                state: ReportState::InProgress,
                first_submitted_at: None,
            },
            UnitReport {
                state: ReportState::NotStarted,
                first_submitted_at: None,
            },
        ];
        let t = totals(11, deadline, &reports);
        assert_eq!(
            (t.expected, t.submitted, t.accepted, t.on_time),
            (11, 6, 3, 4)
        );
        assert_eq!(t.reporting_rate, Some(6.0 / 11.0));
        assert_eq!(t.on_time_rate, Some(4.0 / 11.0));
    }

    #[test]
    fn totals_without_targets_have_no_rates() {
        let t = totals(0, d(2020, 8, 13), &[]);
        assert_eq!((t.submitted, t.on_time), (0, 0));
        assert_eq!(t.reporting_rate, None);
        assert_eq!(t.on_time_rate, None);
        let all = totals(
            1,
            d(2020, 8, 13),
            &[UnitReport {
                state: ReportState::Submitted,
                first_submitted_at: Some(bkk(2020, 8, 13, 8, 0)),
            }],
        );
        assert_eq!(all.reporting_rate, Some(1.0));
        assert_eq!(all.on_time_rate, Some(1.0));
    }

    // --- reminders ------------------------------------------------------------------

    #[test]
    fn reminders_come_in_the_days_before_and_every_day_after() {
        let deadline = d(2020, 8, 13);
        let due = |today, last| {
            reminder_due(
                deadline,
                d(2020, 8, today),
                3,
                last,
                ReportState::InProgress,
            )
        };
        assert_eq!(due(9, None), None);
        assert_eq!(due(10, None), Some(ReminderKind::Before { days_left: 3 }));
        assert_eq!(due(13, None), Some(ReminderKind::Before { days_left: 0 }));
        assert_eq!(due(14, None), Some(ReminderKind::Overdue { days_late: 1 }));
        assert_eq!(
            due(20, Some(d(2020, 8, 19))),
            Some(ReminderKind::Overdue { days_late: 7 })
        );
        // Once a day.
        assert_eq!(due(11, Some(d(2020, 8, 11))), None);
        assert_eq!(
            due(12, Some(d(2020, 8, 11))),
            Some(ReminderKind::Before { days_left: 1 })
        );
        // With no warning asked, only the deadline day itself.
        assert_eq!(
            reminder_due(deadline, d(2020, 8, 12), 0, None, ReportState::NotStarted),
            None
        );
        assert_eq!(
            reminder_due(deadline, d(2020, 8, 13), 0, None, ReportState::NotStarted),
            Some(ReminderKind::Before { days_left: 0 })
        );
    }

    #[test]
    fn reminders_spare_the_units_that_reported() {
        let deadline = d(2020, 8, 13);
        for state in [ReportState::Submitted, ReportState::Accepted] {
            assert_eq!(reminder_due(deadline, d(2020, 8, 12), 3, None, state), None);
            assert_eq!(reminder_due(deadline, d(2020, 8, 20), 3, None, state), None);
        }
        // Returned is not in: it is reminded like one not sent.
        assert_eq!(
            reminder_due(deadline, d(2020, 8, 14), 3, None, ReportState::Returned),
            Some(ReminderKind::Overdue { days_late: 1 })
        );
        assert_eq!(ReminderKind::Before { days_left: 0 }.key(), "before");
        assert_eq!(ReminderKind::Overdue { days_late: 2 }.key(), "overdue");
    }
}
