//! Thai first, English second: the language comes from `?lang=`, then the `lang`
//! cookie, else Thai. Messages live in Fluent files under `locales/`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "../../locales",
        fallback_language: "th",
        // Bidi isolation marks would end up inside tel: numbers and copied text; Thai
        // and English are both left-to-right.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static TH: LanguageIdentifier = langid!("th");
static EN: LanguageIdentifier = langid!("en");

enum Piece {
    Text(String),
    Arg(usize),
}

/// Splits a message formatted with markers (U+E000 index U+E001) into text and argument
/// slots.
fn pieces_of(formatted: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = formatted;
    while let Some(start) = rest.find('\u{E000}') {
        let after = &rest[start + '\u{E000}'.len_utf8()..];
        let Some(end) = after.find('\u{E001}') else {
            break;
        };
        if let Ok(i) = after[..end].parse() {
            out.push(Piece::Text(rest[..start].to_owned()));
            out.push(Piece::Arg(i));
        }
        rest = &after[end + '\u{E001}'.len_utf8()..];
    }
    out.push(Piece::Text(rest.to_owned()));
    out
}

/// Every file of the Thai catalogue: the loader reads each `.ftl` of a language's
/// folder, and the cache of texts is filled from the names these hold.
const TH_FTL: &[&str] = &[
    include_str!("../../../locales/th/main.ftl"),
    include_str!("../../../locales/th/ratings.ftl"),
    include_str!("../../../locales/th/tasks.ftl"),
];

/// The message names of the catalogue (both languages have the same, a test checks).
fn message_keys() -> impl Iterator<Item = &'static str> {
    TH_FTL
        .iter()
        .flat_map(|f| f.lines())
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
        .filter(|k| !k.is_empty() && !k.starts_with('#'))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Th,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Th => "th",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "th" => Some(Lang::Th),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Th => &TH,
            Lang::En => &EN,
        }
    }

    pub fn t(self, key: &str) -> String {
        self.text(key).to_owned()
    }

    /// A message without arguments, formatted once per process: pages use dozens of
    /// them, and formatting each through Fluent on every request was a sixth of the
    /// cost of a service point page.
    pub fn text(self, key: &str) -> &'static str {
        // Fx hashing: the keys are the templates' own message names.
        static CACHE: OnceLock<[FxHashMap<&'static str, &'static str>; 2]> = OnceLock::new();
        let cache = CACHE.get_or_init(|| {
            [Lang::Th, Lang::En].map(|lang| {
                message_keys()
                    .map(|k| {
                        (
                            k,
                            &*Box::leak(LOCALES.lookup(lang.id(), k).into_boxed_str()),
                        )
                    })
                    .collect()
            })
        });
        let table = &cache[self as usize];
        table.get(key).copied().unwrap_or_else(|| {
            tracing::warn!(key, "message missing from the catalogue");
            ""
        })
    }

    /// A message with arguments. Each (language, message, argument names) is formatted
    /// by Fluent once, with markers in place of the values, and then filled in per call:
    /// the catalogue has no selectors (Thai has a single plural form), so the text
    /// around the arguments never depends on their values.
    pub fn t_with(self, key: &'static str, args: &[(&'static str, String)]) -> String {
        // Per thread, so that pages never wait on a lock for their texts; keyed by the
        // message alone, without allocating, and checked against the argument names.
        type Cache = FxHashMap<(Lang, &'static str), (Vec<&'static str>, Rc<Vec<Piece>>)>;
        thread_local! {
            static CACHE: RefCell<Cache> = RefCell::new(FxHashMap::default());
        }
        let same_names = |names: &[&str]| names.iter().copied().eq(args.iter().map(|(k, _)| *k));
        let pieces = CACHE.with_borrow_mut(|cache| {
            if let Some((names, pieces)) = cache.get(&(self, key))
                && same_names(names)
            {
                return pieces.clone();
            }
            let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
                .iter()
                .enumerate()
                .map(|(i, (k, _))| {
                    (
                        Cow::Borrowed(*k),
                        FluentValue::from(format!("\u{E000}{i}\u{E001}")),
                    )
                })
                .collect();
            let pieces = Rc::new(pieces_of(&LOCALES.lookup_with_args(self.id(), key, &map)));
            let names = args.iter().map(|(k, _)| *k).collect();
            cache.insert((self, key), (names, pieces.clone()));
            pieces
        });
        let mut out = String::new();
        for piece in pieces.iter() {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Arg(i) => {
                    out.push_str(args.get(*i).map(|(_, v)| v.as_str()).unwrap_or_default())
                }
            }
        }
        out
    }

    /// Picks the Thai or English of a pair, falling back to Thai when English is empty.
    pub fn pick<'a>(self, th: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::En if !en.trim().is_empty() => en,
            _ => th,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let from_query = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("lang="))
                .and_then(Lang::parse)
        });
        let from_cookie = || {
            parts
                .headers
                .get_all(axum::http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(|c| {
                    c.split(';')
                        .map(str::trim)
                        .find_map(|kv| kv.strip_prefix("lang="))
                        .and_then(Lang::parse)
                })
        };
        Ok(from_query.or_else(from_cookie).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_exists_in_both_languages() {
        for (th, en) in [
            (
                include_str!("../../../locales/th/main.ftl"),
                include_str!("../../../locales/en/main.ftl"),
            ),
            (
                include_str!("../../../locales/th/ratings.ftl"),
                include_str!("../../../locales/en/ratings.ftl"),
            ),
            (
                include_str!("../../../locales/th/tasks.ftl"),
                include_str!("../../../locales/en/tasks.ftl"),
            ),
        ] {
            keys_match(th, en);
        }
    }

    fn keys_match(th: &str, en: &str) {
        let keys = |s: &str| -> Vec<String> {
            let mut k: Vec<String> = s
                .lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
                .collect();
            k.sort();
            k
        };
        assert_eq!(keys(th), keys(en));
    }

    #[test]
    fn messages_with_arguments() {
        assert_eq!(
            Lang::Th.t_with("results-count", &[("count", "3".into())]),
            "พบ 3 จุดบริการ"
        );
        assert_eq!(
            Lang::En.t_with("distance", &[("km", "1.2".into())]),
            "1.2 km away"
        );
        assert_eq!(Lang::En.t("search-button"), "Search");
        // Filled from the cache the second time, identically.
        assert_eq!(
            Lang::Th.t_with("results-count", &[("count", "12".into())]),
            "พบ 12 จุดบริการ"
        );
        assert_eq!(
            Lang::En.t_with(
                "opens-next",
                &[("day", " tomorrow".into()), ("time", "08:30".into())]
            ),
            "opens  tomorrow at 08:30"
        );
        assert_eq!(
            Lang::En.t_with("page-of", &[("page", "2".into()), ("pages", "9".into())]),
            "Page 2 of 9"
        );
        assert_eq!(Lang::Th.text("search-button"), "ค้นหา");
        assert_eq!(Lang::Th.text("no-such-message"), "");
    }
}
