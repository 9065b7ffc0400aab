//! The demo data's office photos. They are drawings (made by
//! `data/demo/photos/draw.py`) built into the binary and answered by [`Store::get`]
//! under `demo/…` keys when the store holds no such object, so a demo database shows
//! photos on any store, local or S3, without a file to copy. They go through
//! [`process`] like an upload, once, on first use.
//!
//! [`Store::get`]: crate::Store::get

use std::sync::OnceLock;

use crate::photo::{CONTENT_TYPE, DISPLAY_MAX_SIDE, Processed, THUMB_MAX_SIDE, process};
use crate::store::Object;

const SOURCES: [&[u8]; 4] = [
    include_bytes!("../../../data/demo/photos/office-1.png"),
    include_bytes!("../../../data/demo/photos/office-2.png"),
    include_bytes!("../../../data/demo/photos/office-3.png"),
    include_bytes!("../../../data/demo/photos/office-4.png"),
];

/// How many different demo photos there are; photo `n` is `n % COUNT`.
pub const COUNT: usize = SOURCES.len();

fn made() -> &'static [Processed] {
    static MADE: OnceLock<Vec<Processed>> = OnceLock::new();
    MADE.get_or_init(|| {
        SOURCES
            .iter()
            .map(|png| process(png).expect("the demo photos are valid PNG files"))
            .collect()
    })
}

/// Demo photo `n`: its sizes, and its keys (display, thumbnail).
pub fn photo(n: usize) -> (&'static Processed, (String, String)) {
    let i = n % COUNT;
    (
        &made()[i],
        (
            format!("demo/office-{}-{DISPLAY_MAX_SIDE}.jpg", i + 1),
            format!("demo/office-{}-{THUMB_MAX_SIDE}.jpg", i + 1),
        ),
    )
}

/// The object a demo key names, if it names one.
pub(crate) fn object(key: &str) -> Option<Object> {
    let rest = key.strip_prefix("demo/office-")?.strip_suffix(".jpg")?;
    let (n, size) = rest.split_once('-')?;
    let i = n.parse::<usize>().ok()?.checked_sub(1)?;
    let p = made().get(i)?;
    let bytes = match size.parse::<u32>().ok()? {
        DISPLAY_MAX_SIDE => p.display.clone(),
        THUMB_MAX_SIDE => p.thumb.clone(),
        _ => return None,
    };
    Some(Object {
        bytes,
        content_type: CONTENT_TYPE.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_demo_key_answers_its_size() {
        for n in 0..COUNT {
            let (p, (display, thumb)) = photo(n);
            assert_eq!(object(&display).unwrap().bytes, p.display);
            assert_eq!(object(&thumb).unwrap().bytes, p.thumb);
            assert!(p.thumb_width < p.display_width);
        }
        assert_eq!(photo(COUNT).1, photo(0).1);
        for key in [
            "demo/office-0-400.jpg",
            "demo/office-5-400.jpg",
            "demo/office-1-401.jpg",
            "demo/office-1-400.png",
            "photos/ab/office-1-400.jpg",
        ] {
            assert!(object(key).is_none(), "{key}");
        }
    }
}
