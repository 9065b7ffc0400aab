//! The service point form: a state as the form's fields, the fields back as a state,
//! and where each problem of a save is shown. The field names are flat (`phone1_ext`,
//! `d3_o2`) so that the form is plain HTML with no script.

use std::collections::HashMap;

use domain::hours::{Period, WeeklyHours, format_minutes, parse_hhmm};
use domain::point_edit::PointState;
use domain::point_sheet::{parse_special_days, special_days_text};
use domain::{Address, GeccLevel, LatLon, Phone, Problem};

pub(crate) type Values = HashMap<String, String>;

/// Phone rows shown: the point's and two empty ones.
pub(crate) fn phone_rows(s: &PointState) -> usize {
    s.phones.len() + 2
}

/// Ranges a day shows: two (a lunch break), or more when a day has more.
pub(crate) fn range_columns(h: &WeeklyHours) -> usize {
    h.by_weekday()
        .iter()
        .map(|(_, r)| r.len())
        .max()
        .unwrap_or(0)
        .max(2)
}

pub(crate) fn values_of(s: &PointState) -> Values {
    let mut v = Values::new();
    let mut put = |k: &str, x: &str| {
        v.insert(k.to_owned(), x.to_owned());
    };
    put("name", &s.name_th);
    put("name_en", &s.name_en);
    put("description", &s.description_th);
    put("description_en", &s.description_en);
    let a = &s.address;
    put("house_no", a.house_no.as_deref().unwrap_or(""));
    put("moo", a.moo.as_deref().unwrap_or(""));
    put("building", a.building.as_deref().unwrap_or(""));
    put("road", a.road.as_deref().unwrap_or(""));
    put("subdistrict", &a.subdistrict);
    put("district", &a.district);
    put("province", &a.province);
    put("postcode", &a.postcode);
    put("lat", &format!("{:.6}", s.location.lat));
    put("lon", &format!("{:.6}", s.location.lon));
    for (i, p) in s.phones.iter().enumerate() {
        put(&format!("phone{i}_number"), &p.number);
        put(&format!("phone{i}_ext"), p.ext.as_deref().unwrap_or(""));
        put(
            &format!("phone{i}_label"),
            p.label_th.as_deref().unwrap_or(""),
        );
    }
    put("email", s.email.as_deref().unwrap_or(""));
    put("website", s.website.as_deref().unwrap_or(""));
    for (day, ranges) in s.hours.by_weekday() {
        for (j, (o, c)) in ranges.iter().enumerate() {
            put(&format!("d{day}_o{}", j + 1), &format_minutes(*o));
            put(&format!("d{day}_c{}", j + 1), &format_minutes(*c));
        }
    }
    if s.hours.open_on_holidays {
        put("open_on_holidays", "on");
    }
    put("exceptions", &special_days_text(&s.hours.exceptions));
    put("hours_note", s.hours_note_th.as_deref().unwrap_or(""));
    put("hours_note_en", s.hours_note_en.as_deref().unwrap_or(""));
    put("gecc_level", s.gecc_level.as_str());
    if s.is_public {
        put("visible", "on");
    }
    v
}

fn get<'a>(v: &'a Values, k: &str) -> &'a str {
    v.get(k).map(String::as_str).unwrap_or("").trim()
}

fn opt(v: &Values, k: &str) -> Option<String> {
    Some(get(v, k).to_owned()).filter(|s| !s.is_empty())
}

/// Where the form shows each problem: the form field for an API field name. Weekly
/// periods were numbered in the order `state_of` built them, kept in `periods`.
pub(crate) fn form_key(field: &str, periods: &[String]) -> String {
    if let Some(rest) = field.strip_prefix("address.") {
        return rest.to_owned();
    }
    if let Some(rest) = field.strip_prefix("phones[")
        && let Some((i, part)) = rest.split_once("].")
    {
        return format!("phone{i}_{part}");
    }
    if let Some(rest) = field.strip_prefix("hours.weekly[")
        && let Some(i) = rest.strip_suffix(']').and_then(|i| i.parse::<usize>().ok())
    {
        return periods.get(i).cloned().unwrap_or_else(|| "hours".into());
    }
    match field {
        "location" => "lat".into(),
        "description" | "description_en" | "name" | "name_en" | "email" | "website"
        | "gecc_level" => field.into(),
        "hours.note" => "hours_note".into(),
        "hours.note_en" => "hours_note_en".into(),
        f if f.starts_with("hours.exceptions") => "exceptions".into(),
        _ => "form".into(),
    }
}

fn time_problem(key: &str, text: &str) -> Problem {
    Problem::new(
        key,
        format!("เวลา \"{text}\" ไม่ถูกต้อง ใช้รูปแบบ ชช:นน เช่น 08:30"),
        format!("\"{text}\" is not a time; write HH:MM, e.g. 08:30"),
    )
}

/// The state the form describes, and for each weekly period the form field it came
/// from; problems of form (a time, a number) are keyed by form field.
pub(crate) fn state_of(v: &Values) -> (PointState, Vec<String>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut periods = Vec::new();
    let mut period_keys = Vec::new();
    for day in 1..=7u8 {
        for j in 1..=6 {
            let (ko, kc) = (format!("d{day}_o{j}"), format!("d{day}_c{j}"));
            let (o, c) = (get(v, &ko), get(v, &kc));
            if o.is_empty() && c.is_empty() {
                continue;
            }
            match (parse_hhmm(o), parse_hhmm(c)) {
                (Some(opens), Some(closes)) => {
                    periods.push(Period {
                        weekday: day,
                        opens,
                        closes,
                    });
                    period_keys.push(ko);
                }
                (None, _) => problems.push(time_problem(&ko, o)),
                (_, None) => problems.push(time_problem(&kc, c)),
            }
        }
    }
    let mut exceptions = Vec::new();
    for (n, line) in get(v, "exceptions").lines().enumerate() {
        match parse_special_days(line) {
            Ok(mut days) => exceptions.append(&mut days),
            Err((th, en)) => problems.push(Problem::new(
                "exceptions",
                format!("บรรทัดที่ {}: {th}", n + 1),
                format!("Line {}: {en}", n + 1),
            )),
        }
    }
    let number = |k: &str| get(v, k).replace(',', ".").parse::<f64>().ok();
    let location = match (number("lat"), number("lon")) {
        (Some(lat), Some(lon)) => LatLon::new(lat, lon),
        _ => None,
    };
    if location.is_none() {
        problems.push(Problem::new(
            "lat",
            "กรุณากรอกละติจูดและลองจิจูดเป็นตัวเลข เช่น 12.9226 และ 100.9850",
            "Give the latitude and longitude as numbers, e.g. 12.9226 and 100.9850",
        ));
    }
    let mut phones = Vec::new();
    for i in 0..20 {
        let number = get(v, &format!("phone{i}_number"));
        if number.is_empty() {
            continue;
        }
        phones.push(Phone {
            number: number.to_owned(),
            ext: opt(v, &format!("phone{i}_ext")),
            label_th: opt(v, &format!("phone{i}_label")),
            label_en: None,
        });
    }
    let gecc = GeccLevel::parse(get(v, "gecc_level")).unwrap_or_else(|| {
        problems.push(Problem::new(
            "gecc_level",
            "กรุณาเลือกระดับ GECC",
            "Choose a GECC level",
        ));
        GeccLevel::None
    });
    let state = PointState {
        name_th: get(v, "name").to_owned(),
        name_en: get(v, "name_en").to_owned(),
        description_th: get(v, "description").to_owned(),
        description_en: get(v, "description_en").to_owned(),
        address: Address {
            house_no: opt(v, "house_no"),
            moo: opt(v, "moo"),
            building: opt(v, "building"),
            road: opt(v, "road"),
            subdistrict: get(v, "subdistrict").to_owned(),
            district: get(v, "district").to_owned(),
            province: get(v, "province").to_owned(),
            postcode: get(v, "postcode").to_owned(),
        },
        location: location.unwrap_or(LatLon { lat: 0.0, lon: 0.0 }),
        phones,
        email: opt(v, "email"),
        website: opt(v, "website"),
        hours: WeeklyHours {
            periods,
            open_on_holidays: !get(v, "open_on_holidays").is_empty(),
            exceptions,
        },
        hours_note_th: opt(v, "hours_note"),
        hours_note_en: opt(v, "hours_note_en"),
        gecc_level: gecc,
        is_public: !get(v, "visible").is_empty(),
    };
    (state, period_keys, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_land_on_their_fields() {
        let keys = vec!["d1_o1".to_owned(), "d1_o2".to_owned()];
        assert_eq!(form_key("hours.weekly[1]", &keys), "d1_o2");
        assert_eq!(form_key("phones[2].number", &keys), "phone2_number");
        assert_eq!(form_key("address.postcode", &keys), "postcode");
        assert_eq!(form_key("location", &keys), "lat");
    }
}
