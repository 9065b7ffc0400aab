//! Personal data that citizens type into a rating's comment — Thai phone numbers,
//! 13-digit citizen IDs, e-mail addresses — found and replaced by a visible placeholder
//! before the comment is stored where staff read it (PDPA: keep the least).
//!
//! A hand-written scanner rather than regular expressions: whether a run of digits is a
//! phone number depends on how its groups are joined (`081-234-5678` is one, the times
//! `08.30-16.30` are not), on the longest grouping that makes a valid number, and on the
//! `+66` prefix; that is a few dozen lines here and an unreadable pattern there, and the
//! domain crate stays free of a regex engine.
//!
//! The rules:
//! - digits are ASCII or Thai (๐–๙);
//! - a number is one or more digit groups joined by the same kind of separator: a space,
//!   a dash (spaces around it allowed), or a dot; `(02) 123-4567` may close a bracket
//!   after its first group;
//! - a phone is a Thai landline (9 digits, 02–07) or mobile (10 digits, 06/08/09) in
//!   national form, or written `+66` with the leading 0 dropped;
//! - a citizen ID is 13 digits in a row, or grouped `1-2345-67890-12-3`; the checksum is
//!   not asked, since a mistyped ID is still someone's ID;
//! - an e-mail address is an ASCII local part, `@`, and a dotted ASCII domain; text
//!   touching it (Thai is often written without spaces) is not part of it.
//!
//! Everything else is kept exactly: `3 ชั่วโมง`, `2567`, `A12`, `1,500 บาท`, hotlines
//! such as `1111`, times and dates.

use std::ops::Range;

use crate::point_edit::thai_phone;

/// What a masked piece of text was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PersonalData {
    Phone,
    CitizenId,
    Email,
}

/// What replaces a phone number. Thai first, then English: the stored comment is read
/// in either language and cannot be translated afterwards.
pub const PHONE_PLACEHOLDER: &str = "[เบอร์โทรถูกซ่อน / phone hidden]";
pub const CITIZEN_ID_PLACEHOLDER: &str = "[เลขประจำตัวถูกซ่อน / ID hidden]";
pub const EMAIL_PLACEHOLDER: &str = "[อีเมลถูกซ่อน / e-mail hidden]";

impl PersonalData {
    pub fn placeholder(self) -> &'static str {
        match self {
            PersonalData::Phone => PHONE_PLACEHOLDER,
            PersonalData::CitizenId => CITIZEN_ID_PLACEHOLDER,
            PersonalData::Email => EMAIL_PLACEHOLDER,
        }
    }
}

/// One piece of personal data: its kind and its byte range in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: PersonalData,
    pub range: Range<usize>,
}

/// The text with every phone number, citizen ID and e-mail address replaced by its
/// placeholder, everything else as it was. Masking a masked text changes nothing.
pub fn mask_personal_data(text: &str) -> String {
    let found = find_personal_data(text);
    if found.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + found.len() * 32);
    let mut at = 0;
    for f in &found {
        out.push_str(&text[at..f.range.start]);
        out.push_str(f.kind.placeholder());
        at = f.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The personal data in the text, in order, never overlapping.
pub fn find_personal_data(text: &str) -> Vec<Found> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |ci: usize| chars.get(ci).map_or(text.len(), |&(b, _)| b);

    let emails = find_emails(&chars);
    let mut taken = vec![false; chars.len()];
    for r in &emails {
        taken[r.clone()].iter_mut().for_each(|t| *t = true);
    }
    let numbers = find_numbers(&chars, &taken);

    let mut found: Vec<Found> = emails
        .into_iter()
        .map(|r| (PersonalData::Email, r))
        .chain(numbers)
        .map(|(kind, r)| Found {
            kind,
            range: byte_at(r.start)..byte_at(r.end),
        })
        .collect();
    found.sort_by_key(|f| f.range.start);
    found
}

fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '๐'..='๙' => Some((c as u32 - '๐' as u32) as u8),
        _ => None,
    }
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// E-mail addresses as char ranges.
fn find_emails(chars: &[(usize, char)]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (at, &(_, c)) in chars.iter().enumerate() {
        if c != '@' || out.last().is_some_and(|r| r.end > at) {
            continue;
        }
        let mut start = at;
        while start > 0 && is_local_char(chars[start - 1].1) {
            start -= 1;
        }
        while start < at && chars[start].1 == '.' {
            start += 1;
        }
        let mut end = at + 1;
        while end < chars.len() && is_domain_char(chars[end].1) {
            end += 1;
        }
        while end > at + 1 && matches!(chars[end - 1].1, '.' | '-') {
            end -= 1;
        }
        let domain: String = chars[at + 1..end].iter().map(|&(_, c)| c).collect();
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty())
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if start < at && domain_ok {
            out.push(start..end);
        }
    }
    out
}

/// A maximal run of digits, as char range and ASCII digits.
struct Group {
    start: usize,
    end: usize,
    digits: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    Space,
    Dash,
    Dot,
    /// `)` after a first group opened with `(`: `(02) 123-4567`.
    CloseBracket,
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{a0}'
}

/// How two digit groups are joined, if they can belong to one number: at most three
/// characters, one dash or dot with spaces around, or spaces alone.
fn separator(between: &[char]) -> Option<Sep> {
    if between.is_empty() || between.len() > 3 {
        return None;
    }
    let core: Vec<char> = between.iter().copied().filter(|&c| !is_space(c)).collect();
    match core.as_slice() {
        [] => Some(Sep::Space),
        ['-' | '–' | '‐'] => Some(Sep::Dash),
        ['.'] => Some(Sep::Dot),
        [')'] | [')', '-' | '–'] if between[0] == ')' => Some(Sep::CloseBracket),
        _ => None,
    }
}

fn find_numbers(chars: &[(usize, char)], taken: &[bool]) -> Vec<(PersonalData, Range<usize>)> {
    let mut groups: Vec<Group> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if taken[i] || digit_value(chars[i].1).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = String::new();
        while i < chars.len()
            && !taken[i]
            && let Some(d) = digit_value(chars[i].1)
        {
            digits.push((b'0' + d) as char);
            i += 1;
        }
        groups.push(Group {
            start,
            end: i,
            digits,
        });
    }

    // seps[g] joins groups g and g+1.
    let seps: Vec<Option<Sep>> = groups
        .windows(2)
        .map(|w| {
            let between: Vec<char> = chars[w[0].end..w[1].start]
                .iter()
                .map(|&(_, c)| c)
                .collect();
            let free = !taken[w[0].end..w[1].start].iter().any(|&t| t);
            separator(&between).filter(|_| free)
        })
        .collect();

    let char_at = |ci: usize| chars.get(ci).map(|&(_, c)| c);
    let mut out = Vec::new();
    let mut g = 0;
    while g < groups.len() {
        let first = &groups[g];
        let plus = first.start > 0 && char_at(first.start - 1) == Some('+');
        let lead = first.start - usize::from(plus);
        // `(02) 123-4567`, `(+66) 81…`: a bracket counts only when it closes right after
        // the first group; `(0812345678)` is a number in brackets of prose.
        let bracket = lead > 0
            && char_at(lead - 1) == Some('(')
            && seps.get(g).copied().flatten() == Some(Sep::CloseBracket);
        let span_start = lead - usize::from(bracket);

        let mut best: Option<(usize, PersonalData)> = None;
        let mut digits = String::new();
        let mut lens = Vec::new();
        let mut class: Option<Sep> = None;
        for k in 0.. {
            let at = g + k;
            if at >= groups.len() {
                break;
            }
            if k > 0 {
                let Some(sep) = seps[at - 1] else { break };
                if sep == Sep::CloseBracket {
                    if !(bracket && k == 1) {
                        break;
                    }
                } else if *class.get_or_insert(sep) != sep {
                    break;
                }
            }
            digits.push_str(&groups[at].digits);
            lens.push(groups[at].digits.len());
            if digits.len() > 15 {
                break;
            }
            if is_phone(&digits, plus) {
                best = Some((k + 1, PersonalData::Phone));
            } else if !plus
                && !bracket
                && digits.len() == 13
                && (lens == [13] || lens == [1, 4, 5, 2, 1])
            {
                best = Some((k + 1, PersonalData::CitizenId));
            }
        }
        match best {
            Some((n, kind)) => {
                out.push((kind, span_start..groups[g + n - 1].end));
                g += n;
            }
            None => g += 1,
        }
    }
    out
}

/// A Thai landline or mobile, from the digits of its groups; `+66` numbers drop the
/// national 0 (some write it anyway).
fn is_phone(digits: &str, plus: bool) -> bool {
    let national = if plus {
        let Some(rest) = digits.strip_prefix("66") else {
            return false;
        };
        if rest.starts_with('0') {
            rest.to_owned()
        } else {
            format!("0{rest}")
        }
    } else {
        digits.to_owned()
    };
    matches!(national.len(), 9 | 10) && thai_phone(&national)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = PHONE_PLACEHOLDER;
    const ID: &str = CITIZEN_ID_PLACEHOLDER;
    const E: &str = EMAIL_PLACEHOLDER;

    fn m(s: &str) -> String {
        mask_personal_data(s)
    }

    #[test]
    fn mobiles_in_the_usual_forms() {
        for phone in [
            "0812345678",
            "081-234-5678",
            "081 234 5678",
            "081.234.5678",
            "08-1234-5678",
            "081-2345678",
            "081 - 234 - 5678",
            "+66 81 234 5678",
            "+66-81-234-5678",
            "+66812345678",
            "+66 081 234 5678",
            "0612345678",
            "0991234567",
            "๐๘๑-๒๓๔-๕๖๗๘",
            "๐๘๑๒๓๔๕๖๗๘",
            "081\u{a0}234\u{a0}5678",
        ] {
            assert_eq!(
                m(&format!("โทร {phone} ครับ")),
                format!("โทร {P} ครับ"),
                "{phone}"
            );
        }
    }

    #[test]
    fn landlines_in_the_usual_forms() {
        for phone in [
            "021234567",
            "02-123-4567",
            "02 123 4567",
            "0-2123-4567",
            "038-123-456",
            "038123456",
            "(02) 123-4567",
            "(038)123456",
            "(+66) 2 123 4567",
            "+66 2 123 4567",
            "+66-38-123-456",
            "๐๒-๑๒๓-๔๕๖๗",
        ] {
            assert_eq!(m(&format!("ติดต่อ {phone}")), format!("ติดต่อ {P}"), "{phone}");
        }
    }

    #[test]
    fn numbers_touching_thai_text() {
        assert_eq!(m("โทร0812345678ครับ"), format!("โทร{P}ครับ"));
        assert_eq!(m("เบอร์:081-234-5678,ขอบคุณ"), format!("เบอร์:{P},ขอบคุณ"));
        assert_eq!(m("(0812345678)"), format!("({P})"));
        assert_eq!(m("Tel.0812345678."), format!("Tel.{P}."));
    }

    #[test]
    fn two_phones_side_by_side() {
        assert_eq!(m("0812345678 0898765432"), format!("{P} {P}"));
        assert_eq!(m("02 123 4567 081 234 5678"), format!("{P} {P}"));
        assert_eq!(m("081-234-5678/02-123-4567"), format!("{P}/{P}"));
    }

    #[test]
    fn citizen_ids() {
        assert_eq!(m("เลขบัตร 1234567890123"), format!("เลขบัตร {ID}"));
        assert_eq!(m("เลขบัตร 1-2345-67890-12-3 ค่ะ"), format!("เลขบัตร {ID} ค่ะ"));
        assert_eq!(m("1 2345 67890 12 3"), ID);
        assert_eq!(m("๑-๒๓๔๕-๖๗๘๙๐-๑๒-๓"), ID);
        assert_eq!(m("๑๒๓๔๕๖๗๘๙๐๑๒๓"), ID);
        // A valid checksum is not needed, nor is a first digit of 1–8.
        assert_eq!(m("เลข 3101700012345"), format!("เลข {ID}"));
        assert_eq!(m("0000000000000"), ID);
        assert_eq!(m("บัตร1100701234567ครับ"), format!("บัตร{ID}ครับ"));
    }

    #[test]
    fn e_mail_addresses() {
        assert_eq!(m("ส่งมาที่ somchai.j@gmail.com ครับ"), format!("ส่งมาที่ {E} ครับ"));
        assert_eq!(m("อีเมลsomchai+rate@mail.go.thครับ"), format!("อีเมล{E}ครับ"));
        assert_eq!(m("a@b.co."), format!("{E}."));
        assert_eq!(m("<user_1@example.org>"), format!("<{E}>"));
        assert_eq!(m("x 0812345678@sms.example.com"), format!("x {E}"));
        // Not addresses: an @ alone, a handle, a domain without a dot.
        for s in ["@", "@somchai", "ราคา 5@10 บาท", "me@localhost", "a@b.c1"] {
            assert_eq!(m(s), s);
        }
    }

    #[test]
    fn everything_else_is_kept_exactly() {
        for s in [
            "รอคิว 3 ชั่วโมง เจ้าหน้าที่ไม่อยู่",
            "ปี 2567 และปีงบประมาณ 2568",
            "บัตรคิว A12 เรียกช้ามาก",
            "ค่าธรรมเนียม 1,500 บาท",
            "ค่าธรรมเนียม 1,500.50 บาท",
            "เปิด 08.30-16.30 น.",
            "เปิด 08:30 - 16:30 น. วันที่ 01-10-2568",
            "วันที่ 12/05/2567 เวลา 09.00 - 12.00",
            "โทร 1111 สายด่วน 1548",
            "เลขที่หนังสือ 0123456789",
            "หมายเลข 12345678901234",
            "ขั้นตอนที่ 1. 2. 3. ใช้เวลา 15 นาที",
            "คะแนน 5 5 5 4 5",
            "ยอด 100 200 300 400 500",
            "ห้อง 302 ชั้น 3 อาคาร 2",
            "🙂 ดีมากครับ!!!",
            "",
        ] {
            assert_eq!(m(s), s, "{s}");
            assert!(find_personal_data(s).is_empty(), "{s}");
        }
    }

    #[test]
    fn times_before_a_phone_do_not_swallow_it() {
        assert_eq!(
            m("เปิด 08.30-16.30 02-123-4567"),
            format!("เปิด 08.30-16.30 {P}")
        );
        assert_eq!(
            m("เวลา 08.30 โทร 081 234 5678"),
            format!("เวลา 08.30 โทร {P}")
        );
        assert_eq!(m("คิว 5 0812345678"), format!("คิว 5 {P}"));
    }

    #[test]
    fn a_phone_followed_by_another_number() {
        assert_eq!(m("0812345678 123"), format!("{P} 123"));
        assert_eq!(m("02 123 4567 8 คน"), format!("{P} 8 คน"));
    }

    #[test]
    fn mixed_text() {
        let text = "ชื่อสมชาย โทร 081-234-5678 บัตร 1-2345-67890-12-3 อีเมล s@x.co.th รอ 2 ชั่วโมง";
        assert_eq!(
            m(text),
            format!("ชื่อสมชาย โทร {P} บัตร {ID} อีเมล {E} รอ 2 ชั่วโมง")
        );
        let found = find_personal_data(text);
        let kinds: Vec<PersonalData> = found.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                PersonalData::Phone,
                PersonalData::CitizenId,
                PersonalData::Email
            ]
        );
        assert_eq!(&text[found[0].range.clone()], "081-234-5678");
        assert_eq!(&text[found[2].range.clone()], "s@x.co.th");
    }

    #[test]
    fn an_id_beside_a_phone() {
        assert_eq!(m("1234567890123 0812345678"), format!("{ID} {P}"));
        assert_eq!(m("0812345678 1-2345-67890-12-3"), format!("{P} {ID}"));
    }

    #[test]
    fn masking_twice_changes_nothing() {
        let once = m("โทร 0812345678 อีเมล a@b.com บัตร 1234567890123");
        assert_eq!(m(&once), once);
        for p in [P, ID, E] {
            assert_eq!(m(p), p);
        }
    }

    #[test]
    fn brackets_that_are_prose() {
        assert_eq!(m("(ครั้งที่ 2) 123 คน"), "(ครั้งที่ 2) 123 คน");
        assert_eq!(m("(02 ครั้ง)"), "(02 ครั้ง)");
    }
}
