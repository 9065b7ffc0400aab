//! The organisation tree (ministry → department → unit → service point) and the data a
//! service point shows the public.

use crate::{LatLon, UnitCode, WeeklyHours};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Ministry,
    Department,
    Unit,
    ServicePoint,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Ministry => "ministry",
            UnitKind::Department => "department",
            UnitKind::Unit => "unit",
            UnitKind::ServicePoint => "service_point",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ministry" => UnitKind::Ministry,
            "department" => UnitKind::Department,
            "unit" => UnitKind::Unit,
            "service_point" => UnitKind::ServicePoint,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub code: UnitCode,
    pub kind: UnitKind,
    pub parent: Option<UnitCode>,
    pub name_th: String,
    pub name_en: String,
}

/// Government Easy Contact Center certification (ศูนย์ราชการสะดวก).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum GeccLevel {
    #[default]
    None,
    Basic,
    Medium,
    High,
}

impl GeccLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            GeccLevel::None => "none",
            GeccLevel::Basic => "basic",
            GeccLevel::Medium => "medium",
            GeccLevel::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "none" => GeccLevel::None,
            "basic" => GeccLevel::Basic,
            "medium" => GeccLevel::Medium,
            "high" => GeccLevel::High,
            _ => return None,
        })
    }
}

/// A structured Thai address (ที่อยู่): the parts are kept apart so that a letter, a
/// map label and a search index can each use what they need.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub house_no: Option<String>,
    pub moo: Option<String>,
    pub building: Option<String>,
    pub road: Option<String>,
    pub subdistrict: String,
    pub district: String,
    pub province: String,
    pub postcode: String,
}

impl Address {
    /// The address as Thai people write it, with the usual abbreviations.
    pub fn line_th(&self) -> String {
        let mut parts = Vec::new();
        if let Some(b) = &self.building {
            parts.push(b.clone());
        }
        if let Some(h) = &self.house_no {
            parts.push(format!("เลขที่ {h}"));
        }
        if let Some(m) = &self.moo {
            parts.push(format!("หมู่ {m}"));
        }
        if let Some(r) = &self.road {
            parts.push(format!("ถ.{r}"));
        }
        let bangkok = self.province == "กรุงเทพมหานคร";
        parts.push(format!(
            "{}{}",
            if bangkok { "แขวง" } else { "ต." },
            self.subdistrict
        ));
        parts.push(format!(
            "{}{}",
            if bangkok { "เขต" } else { "อ." },
            self.district
        ));
        parts.push(if bangkok {
            self.province.clone()
        } else {
            format!("จ.{}", self.province)
        });
        parts.push(self.postcode.clone());
        parts.join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// Digits only, national format (`038222016`).
    pub number: String,
    pub ext: Option<String>,
    pub label_th: Option<String>,
    pub label_en: Option<String>,
}

impl Phone {
    /// RFC 3966 with the extension as a pause, which phones dial after the call connects.
    pub fn tel_uri(&self) -> String {
        let national = self.number.trim_start_matches('0');
        let base = if self.number.len() <= 5 {
            format!("tel:{}", self.number)
        } else {
            format!("tel:+66{national}")
        };
        match &self.ext {
            Some(ext) => format!("{base},{ext}"),
            None => base,
        }
    }

    /// Grouped as printed in Thailand: `0 3828 4349`, `08 1234 5678`, `0 2123 4567`.
    pub fn display(&self) -> String {
        let n = &self.number;
        match n.len() {
            9 => format!("0 {} {}", &n[1..5], &n[5..]),
            10 => format!("{} {} {}", &n[..3], &n[3..6], &n[6..]),
            _ => n.clone(),
        }
    }
}

/// A photo of a service point, stored re-encoded in two sizes in the object store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    pub id: i64,
    /// Object-store keys; the key names the content, so a URL never changes meaning.
    pub display_key: String,
    pub thumb_key: String,
    pub width: u32,
    pub height: u32,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub alt_th: String,
    pub alt_en: Option<String>,
    pub is_cover: bool,
}

impl Photo {
    pub fn url(&self) -> String {
        format!("/media/{}", self.display_key)
    }

    pub fn thumb_url(&self) -> String {
        format!("/media/{}", self.thumb_key)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicePoint {
    pub code: UnitCode,
    /// The unit that runs this service point.
    pub unit: UnitCode,
    pub name_th: String,
    pub name_en: String,
    pub description_th: String,
    pub description_en: String,
    pub location: LatLon,
    pub address: Address,
    pub phones: Vec<Phone>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub hours: WeeklyHours,
    pub hours_note_th: Option<String>,
    pub hours_note_en: Option<String>,
    pub gecc_level: GeccLevel,
    pub is_public: bool,
    pub photos: Vec<Photo>,
    /// Ids of the manuals pinned here.
    pub manuals: Vec<i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
    /// When staff last confirmed that the data is correct.
    pub verified_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(n: &str, ext: Option<&str>) -> Phone {
        Phone {
            number: n.into(),
            ext: ext.map(Into::into),
            label_th: None,
            label_en: None,
        }
    }

    #[test]
    fn phones_dial_and_print_the_thai_way() {
        let p = phone("038284349", Some("103"));
        assert_eq!(p.tel_uri(), "tel:+6638284349,103");
        assert_eq!(p.display(), "0 3828 4349");
        assert_eq!(phone("0812345678", None).display(), "081 234 5678");
        assert_eq!(phone("1111", None).tel_uri(), "tel:1111");
    }

    #[test]
    fn address_reads_like_a_thai_address() {
        let a = Address {
            house_no: Some("1".into()),
            moo: None,
            building: Some("ที่ว่าการอำเภอบางละมุง".into()),
            road: Some("สุขุมวิท".into()),
            subdistrict: "บางละมุง".into(),
            district: "บางละมุง".into(),
            province: "ชลบุรี".into(),
            postcode: "20150".into(),
        };
        assert_eq!(
            a.line_th(),
            "ที่ว่าการอำเภอบางละมุง เลขที่ 1 ถ.สุขุมวิท ต.บางละมุง อ.บางละมุง จ.ชลบุรี 20150"
        );
    }

    #[test]
    fn kinds_and_levels_round_trip() {
        for k in [
            UnitKind::Ministry,
            UnitKind::Department,
            UnitKind::Unit,
            UnitKind::ServicePoint,
        ] {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
        }
        for g in [
            GeccLevel::None,
            GeccLevel::Basic,
            GeccLevel::Medium,
            GeccLevel::High,
        ] {
            assert_eq!(GeccLevel::parse(g.as_str()), Some(g));
        }
        assert_eq!(GeccLevel::parse("gold"), None);
    }
}
