//! A refusal of one field of a form or a request body, worded in Thai and in English,
//! so that every rule can name the field it concerns whatever delivers it.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The field as the API names it: `name`, `address.postcode`, `phones[1].number`.
    pub field: String,
    pub th: String,
    pub en: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, th: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            th: th.into(),
            en: en.into(),
        }
    }
}

/// Text without control characters (which no form can type, and PostgreSQL cannot hold
/// a NUL of), within `max` characters.
pub fn plain_text(
    out: &mut Vec<Problem>,
    field: &str,
    value: &str,
    max: usize,
    required: bool,
) -> bool {
    if required && value.trim().is_empty() {
        out.push(Problem::new(
            field,
            "กรุณากรอกข้อมูลนี้",
            "This field is required",
        ));
        return false;
    }
    if value.chars().count() > max {
        out.push(Problem::new(
            field,
            format!("ข้อมูลยาวเกิน {max} ตัวอักษร"),
            format!("At most {max} characters"),
        ));
        return false;
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        out.push(Problem::new(
            field,
            "มีอักขระควบคุมที่ไม่อนุญาต",
            "Contains control characters",
        ));
        return false;
    }
    true
}
