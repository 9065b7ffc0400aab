//! `citizeninfo export`: the public directory as CSV (UTF-8 with a byte-order mark, so
//! that Excel on a Thai Windows PC shows Thai rather than mojibake) or GeoJSON.

use anyhow::Result;
use chrono::{DateTime, Utc};
use directory::Directory;
use web::api::ServicePointItem;

fn items(dir: &Directory, now: DateTime<Utc>) -> Vec<ServicePointItem> {
    dir.points
        .iter()
        .map(|p| ServicePointItem::of(dir, p, None, now))
        .collect()
}

pub fn geojson(dir: &Directory, now: DateTime<Utc>) -> String {
    web::export::feature_collection(&items(dir, now)).to_string()
}

pub fn csv(dir: &Directory, now: DateTime<Utc>) -> Result<Vec<u8>> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record([
            "code",
            "name",
            "name_en",
            "unit_code",
            "unit",
            "department",
            "ministry",
            "address",
            "subdistrict",
            "district",
            "province",
            "postcode",
            "lat",
            "lon",
            "phones",
            "gecc_level",
            "manuals_count",
        ])?;
        for it in items(dir, now) {
            let name = |u: &Option<web::api::UnitRef>| {
                u.as_ref().map(|u| u.name.clone()).unwrap_or_default()
            };
            let phones: Vec<String> = it
                .phones
                .iter()
                .map(|p| match &p.ext {
                    Some(e) => format!("{} ต่อ {e}", p.display),
                    None => p.display.clone(),
                })
                .collect();
            w.write_record([
                it.code.clone(),
                it.name.clone(),
                it.name_en.clone(),
                it.unit.as_ref().map(|u| u.code.clone()).unwrap_or_default(),
                name(&it.unit),
                name(&it.department),
                name(&it.ministry),
                it.address.text.clone(),
                it.address.subdistrict.clone(),
                it.address.district.clone(),
                it.address.province.clone(),
                it.address.postcode.clone(),
                format!("{:.6}", it.location.lat),
                format!("{:.6}", it.location.lon),
                phones.join("; "),
                it.gecc_level.clone(),
                it.manuals_count.to_string(),
            ])?;
        }
        w.flush()?;
    }
    Ok(out)
}
