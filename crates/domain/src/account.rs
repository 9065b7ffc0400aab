//! The rules of staff sign-up (the seed's wizard, step by step) and of Authorize Codes,
//! free of I/O. Every refusal names what is wrong, in Thai and in English.

use std::fmt;

/// Why a field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    Required,
    TooLong,
    HasTitle,
    NameCharacters,
    CitizenIdLength,
    CitizenIdDigits,
    CitizenIdChecksum,
    Mobile,
    Email,
    UsernameShort,
    UsernameCharacters,
    PasswordShort,
    PasswordLetterAndDigit,
    PasswordAscii,
    PasswordMismatch,
    PasswordIsUsername,
    PasswordCommon,
    AuthorizeCode,
    UsernameTaken,
    EmailTaken,
    AuthorizeCodeUnknown,
    PasswordWrong,
    RoleUnknown,
    OwnRole,
    TokenName,
}

impl FieldError {
    pub fn th(self) -> &'static str {
        match self {
            FieldError::Required => "กรุณากรอกข้อมูลนี้",
            FieldError::TooLong => "ข้อมูลยาวเกินไป",
            FieldError::HasTitle => "ไม่ต้องใส่คำนำหน้าชื่อ (นาย นาง นางสาว ฯลฯ) กรุณากรอกเฉพาะชื่อ",
            FieldError::NameCharacters => "ชื่อมีตัวอักษรที่ไม่อนุญาต (ตัวเลขหรือสัญลักษณ์)",
            FieldError::CitizenIdLength => "เลขประจำตัวประชาชนต้องมี 13 หลัก",
            FieldError::CitizenIdDigits => "เลขประจำตัวประชาชนต้องเป็นตัวเลขเท่านั้น",
            FieldError::CitizenIdChecksum => {
                "เลขประจำตัวประชาชนไม่ถูกต้อง (หลักตรวจสอบไม่ตรง) กรุณาตรวจสอบอีกครั้ง"
            }
            FieldError::Mobile => "หมายเลขโทรศัพท์มือถือต้องมี 10 หลัก ขึ้นต้นด้วย 06 08 หรือ 09",
            FieldError::Email => "รูปแบบอีเมลไม่ถูกต้อง",
            FieldError::UsernameShort => "ชื่อผู้ใช้ต้องมีอย่างน้อย 5 ตัวอักษร",
            FieldError::UsernameCharacters => "ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษรภาษาอังกฤษหรือตัวเลข",
            FieldError::PasswordShort => "รหัสผ่านต้องมีอย่างน้อย 8 ตัวอักษร",
            FieldError::PasswordLetterAndDigit => "รหัสผ่านต้องมีทั้งตัวอักษรภาษาอังกฤษและตัวเลข",
            FieldError::PasswordAscii => "รหัสผ่านใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ ตัวเลข และสัญลักษณ์",
            FieldError::PasswordMismatch => "รหัสผ่านทั้งสองช่องไม่ตรงกัน",
            FieldError::PasswordIsUsername => "รหัสผ่านต้องไม่ซ้ำกับชื่อผู้ใช้",
            FieldError::PasswordCommon => "รหัสผ่านนี้ง่ายต่อการคาดเดา กรุณาตั้งรหัสผ่านอื่น",
            FieldError::AuthorizeCode => "รหัส Authorize Code ต้องเป็นตัวอักษร 0-9 และ A-F จำนวน 15 ตัว",
            FieldError::UsernameTaken => "ชื่อผู้ใช้นี้มีผู้ใช้แล้ว กรุณาเลือกชื่ออื่น",
            FieldError::EmailTaken => "อีเมลนี้ใช้สมัครบัญชีอื่นแล้ว",
            FieldError::AuthorizeCodeUnknown => "ไม่พบหน่วยงานของรหัสนี้ กรุณาตรวจสอบกับหน่วยงานต้นสังกัด",
            FieldError::PasswordWrong => "รหัสผ่านปัจจุบันไม่ถูกต้อง",
            FieldError::RoleUnknown => "บทบาทต้องเป็น supervisor, admin, editor หรือ viewer",
            FieldError::OwnRole => "เปลี่ยนบทบาทของตนเองไม่ได้",
            FieldError::TokenName => "กรุณาตั้งชื่อโทเคน (ไม่เกิน 100 ตัวอักษร)",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            FieldError::Required => "This field is required",
            FieldError::TooLong => "This is too long",
            FieldError::HasTitle => {
                "Leave out the title (Mr, Mrs, Ms, นาย, นาง, นางสาว …): enter the name only"
            }
            FieldError::NameCharacters => {
                "The name has characters that are not allowed (digits or symbols)"
            }
            FieldError::CitizenIdLength => "A citizen ID has 13 digits",
            FieldError::CitizenIdDigits => "A citizen ID has digits only",
            FieldError::CitizenIdChecksum => {
                "This citizen ID is not valid (its check digit does not match); please check it"
            }
            FieldError::Mobile => "A mobile number has 10 digits and starts with 06, 08 or 09",
            FieldError::Email => "This is not a valid e-mail address",
            FieldError::UsernameShort => "A username has at least 5 characters",
            FieldError::UsernameCharacters => "A username has English letters or digits only",
            FieldError::PasswordShort => "A password has at least 8 characters",
            FieldError::PasswordLetterAndDigit => "A password has both English letters and digits",
            FieldError::PasswordAscii => "A password has English letters, digits and symbols only",
            FieldError::PasswordMismatch => "The two passwords differ",
            FieldError::PasswordIsUsername => "The password must not be the username",
            FieldError::PasswordCommon => "This password is too easy to guess; choose another",
            FieldError::AuthorizeCode => "An Authorize Code has 15 characters, 0-9 and A-F",
            FieldError::UsernameTaken => "This username is taken; choose another",
            FieldError::EmailTaken => "This e-mail address belongs to another account",
            FieldError::AuthorizeCodeUnknown => {
                "No unit has this code; check it with your supervising office"
            }
            FieldError::PasswordWrong => "The current password is wrong",
            FieldError::RoleUnknown => "The role is supervisor, admin, editor or viewer",
            FieldError::OwnRole => "You cannot change your own role",
            FieldError::TokenName => "Name the token (at most 100 characters)",
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.en())
    }
}

/// Thai digits (๐–๙) to ASCII, spaces and dashes dropped: IDs and phone numbers are
/// copied from documents that use either.
fn digits_only(input: &str) -> Result<String, ()> {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '0'..='9' => out.push(c),
            '๐'..='๙' => out.push(char::from(b'0' + (c as u32 - '๐' as u32) as u8)),
            ' ' | '-' | '\u{a0}' => {}
            _ => return Err(()),
        }
    }
    Ok(out)
}

const TITLES_TH: [&str; 10] = [
    "นางสาว",
    "น.ส.",
    "นาย",
    "นาง",
    "เด็กชาย",
    "เด็กหญิง",
    "ด.ช.",
    "ด.ญ.",
    "ดร.",
    "ว่าที่ร้อยตรี",
];
const TITLES_EN: [&str; 6] = ["mr", "mrs", "ms", "miss", "dr", "mister"];

/// A first name or surname without a title. Thai titles are refused also when typed
/// together with the name ("นายสมชาย"), the most common slip.
pub fn person_name(input: &str) -> Result<String, FieldError> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(FieldError::Required);
    }
    if name.chars().count() > 100 {
        return Err(FieldError::TooLong);
    }
    if TITLES_TH.iter().any(|t| name.starts_with(t)) {
        return Err(FieldError::HasTitle);
    }
    let first = name
        .split([' ', '.'])
        .next()
        .unwrap_or_default()
        .to_lowercase();
    if TITLES_EN.contains(&first.as_str())
        && (name.len() > first.len() || name.eq_ignore_ascii_case(&first))
    {
        return Err(FieldError::HasTitle);
    }
    if name.chars().any(|c| {
        !(c.is_alphabetic()
            || matches!(c, ' ' | '-' | '\'' | '.')
            || ('\u{0e00}'..='\u{0e7f}').contains(&c))
    }) {
        return Err(FieldError::NameCharacters);
    }
    Ok(name)
}

/// A 13-digit Thai citizen ID with a valid check digit.
#[derive(Clone, PartialEq, Eq)]
pub struct CitizenId(String);

impl CitizenId {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let d = digits_only(input).map_err(|_| FieldError::CitizenIdDigits)?;
        if d.len() != 13 {
            return Err(FieldError::CitizenIdLength);
        }
        let b = d.as_bytes();
        let sum: u32 = (0..12)
            .map(|i| u32::from(b[i] - b'0') * (13 - i as u32))
            .sum();
        if (11 - sum % 11) % 10 != u32::from(b[12] - b'0') {
            return Err(FieldError::CitizenIdChecksum);
        }
        Ok(Self(d))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The last four digits, all that is ever kept in clear for display.
    pub fn last_digits(&self) -> &str {
        &self.0[9..]
    }
}

/// Never print the number itself, even in a debug log.
impl fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CitizenId(*********{})", self.last_digits())
    }
}

/// A Thai mobile number in national form (`0812345678`); `+66 81 234 5678` is accepted.
pub fn mobile(input: &str) -> Result<String, FieldError> {
    let trimmed = input.trim();
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, trimmed),
    };
    let mut d = digits_only(rest).map_err(|_| FieldError::Mobile)?;
    if plus || (d.starts_with("66") && d.len() == 11) {
        d = match d.strip_prefix("66") {
            Some(national) => format!("0{national}"),
            None => return Err(FieldError::Mobile),
        };
    }
    let ok = d.len() == 10 && (d.starts_with("06") || d.starts_with("08") || d.starts_with("09"));
    if ok { Ok(d) } else { Err(FieldError::Mobile) }
}

/// An e-mail address in a form mail can be sent to; lower-cased domain.
pub fn email(input: &str) -> Result<String, FieldError> {
    let e = input.trim();
    if e.is_empty() {
        return Err(FieldError::Required);
    }
    if e.len() > 254 {
        return Err(FieldError::TooLong);
    }
    let (local, domain) = e.rsplit_once('@').ok_or(FieldError::Email)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && !local.chars().any(|c| c.is_whitespace() || c.is_control());
    if domain_ok && local_ok {
        Ok(format!("{local}@{}", domain.to_lowercase()))
    } else {
        Err(FieldError::Email)
    }
}

/// The form of an e-mail address that must be unique: the whole address lower-cased,
/// since mail systems treat `ALICE@` and `alice@` as one mailbox.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A username: English letters or digits, 5 to 32 of them. Returned as typed; its
/// lower-cased form is what must be unique.
pub fn username(input: &str) -> Result<String, FieldError> {
    let u = input.trim();
    if u.is_empty() {
        return Err(FieldError::Required);
    }
    if !u.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(FieldError::UsernameCharacters);
    }
    if u.len() < 5 {
        return Err(FieldError::UsernameShort);
    }
    if u.len() > 32 {
        return Err(FieldError::TooLong);
    }
    Ok(u.to_owned())
}

/// Passwords that meet the letter-and-digit rule yet top every list of leaked ones.
const COMMON_PASSWORDS: &[&str] = &[
    "password1",
    "password12",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "abc12345",
    "abcd1234",
    "a1234567",
    "1234567a",
    "12345678a",
    "123456789a",
    "1234abcd",
    "qwerty12",
    "qwerty123",
    "qwerty1234",
    "1qaz2wsx",
    "zaq12wsx",
    "admin123",
    "admin1234",
    "iloveyou1",
    "welcome1",
    "welcome123",
    "letmein1",
    "monkey123",
    "dragon123",
    "sunshine1",
    "football1",
    "baseball1",
    "trustno1",
    "asdf1234",
    "asdfgh12",
    "test1234",
    "user1234",
    "login123",
    "changeme1",
    "master123",
    "aa123456",
    "a123456789",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "q1w2e3r4",
    "thailand1",
    "bangkok1",
    "bangkok123",
];

/// Checks a new password against the rules of the seed's wizard and the usual sense.
pub fn password(pw: &str, confirmation: &str, username: &str) -> Result<(), FieldError> {
    if pw.is_empty() {
        return Err(FieldError::Required);
    }
    if !pw.chars().all(|c| c.is_ascii_graphic()) {
        return Err(FieldError::PasswordAscii);
    }
    if pw.len() < 8 {
        return Err(FieldError::PasswordShort);
    }
    if pw.len() > 128 {
        return Err(FieldError::TooLong);
    }
    if !(pw.chars().any(|c| c.is_ascii_alphabetic()) && pw.chars().any(|c| c.is_ascii_digit())) {
        return Err(FieldError::PasswordLetterAndDigit);
    }
    if !username.is_empty() && pw.eq_ignore_ascii_case(username) {
        return Err(FieldError::PasswordIsUsername);
    }
    if COMMON_PASSWORDS.iter().any(|c| pw.eq_ignore_ascii_case(c)) {
        return Err(FieldError::PasswordCommon);
    }
    if pw != confirmation {
        return Err(FieldError::PasswordMismatch);
    }
    Ok(())
}

/// The summary page's view of a password, as in the seed: `12****ab`.
pub fn mask_password(pw: &str) -> String {
    let chars: Vec<char> = pw.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 4))
}

/// An office's Authorize Code: 15 upper-case hexadecimal characters (60 bits).
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizeCode(String);

impl AuthorizeCode {
    /// From 8 bytes of a secure random source; the top 60 bits are used.
    pub fn from_random(bytes: [u8; 8]) -> Self {
        let n = u64::from_be_bytes(bytes) >> 4;
        Self(format!("{n:015X}"))
    }

    /// As typed: case and surrounding spaces do not matter.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let c = input.trim().to_ascii_uppercase();
        if c.len() == 15 && c.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(c))
        } else {
            Err(FieldError::AuthorizeCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Comparison whose time does not depend on where the codes differ, so that timing
    /// cannot reveal a code character by character.
    pub fn matches(&self, other: &AuthorizeCode) -> bool {
        constant_time_eq(self.0.as_bytes(), other.0.as_bytes())
    }
}

/// Compares two secrets in a time that depends on their length only, so that timing
/// tells nothing of how much of a guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Codes are secrets: never in logs.
impl fmt::Debug for AuthorizeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorizeCode(***************)")
    }
}

/// What the sign-up wizard collects, as typed.
#[derive(Clone, Default)]
pub struct SignupForm {
    pub first_name: String,
    pub last_name: String,
    pub citizen_id: String,
    pub mobile: String,
    pub email: String,
    pub username: String,
    pub password: String,
    pub password_confirmation: String,
}

/// Without the password and the citizen ID, should a form ever reach a log.
impl fmt::Debug for SignupForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignupForm")
            .field("first_name", &self.first_name)
            .field("last_name", &self.last_name)
            .field(
                "citizen_id",
                &format_args!("({} characters)", self.citizen_id.chars().count()),
            )
            .field("email", &self.email)
            .field("username", &self.username)
            .field(
                "password",
                &format_args!("({} characters)", self.password.chars().count()),
            )
            .finish_non_exhaustive()
    }
}

/// A sign-up that passed every rule.
#[derive(Clone)]
pub struct Signup {
    pub first_name: String,
    pub last_name: String,
    pub citizen_id: Option<CitizenId>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub username: String,
    pub password: String,
}

impl fmt::Debug for Signup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signup")
            .field("username", &self.username)
            .field("citizen_id", &self.citizen_id)
            .finish_non_exhaustive()
    }
}

/// Refusals by field name (the names of the form and of the API).
pub type FieldErrors = Vec<(&'static str, FieldError)>;

/// Checks a whole sign-up. The e-mail address is required for an account with a
/// password, since its verification link goes there.
pub fn signup(form: &SignupForm) -> Result<Signup, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut check = |field: &'static str, r: Result<(), FieldError>| {
        if let Err(e) = r {
            errors.push((field, e));
        }
    };
    let first_name = person_name(&form.first_name);
    check("first_name", first_name.as_ref().map(drop).map_err(|e| *e));
    let last_name = person_name(&form.last_name);
    check("last_name", last_name.as_ref().map(drop).map_err(|e| *e));
    let citizen_id = optional(&form.citizen_id, CitizenId::parse);
    check("citizen_id", citizen_id.as_ref().map(drop).map_err(|e| *e));
    let mobile = optional(&form.mobile, mobile);
    check("mobile", mobile.as_ref().map(drop).map_err(|e| *e));
    let email = email(&form.email);
    check("email", email.as_ref().map(drop).map_err(|e| *e));
    let username = username(&form.username);
    check("username", username.as_ref().map(drop).map_err(|e| *e));
    check(
        "password",
        password(
            &form.password,
            &form.password_confirmation,
            username.as_deref().unwrap_or(form.username.trim()),
        ),
    );
    match (first_name, last_name, citizen_id, mobile, email, username) {
        (Ok(first_name), Ok(last_name), Ok(citizen_id), Ok(mobile), Ok(email), Ok(username))
            if errors.is_empty() =>
        {
            Ok(Signup {
                first_name,
                last_name,
                citizen_id,
                mobile,
                email: Some(email),
                username,
                password: form.password.clone(),
            })
        }
        _ => Err(errors),
    }
}

/// An optional field: empty is fine, anything typed must pass.
fn optional<T>(
    input: &str,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse(input).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid ID built from its first 12 digits.
    fn with_check(first12: &str) -> String {
        let b = first12.as_bytes();
        let sum: u32 = (0..12)
            .map(|i| u32::from(b[i] - b'0') * (13 - i as u32))
            .sum();
        format!("{first12}{}", (11 - sum % 11) % 10)
    }

    #[test]
    fn names_without_titles() {
        assert_eq!(person_name("  สมชาย  "), Ok("สมชาย".into()));
        assert_eq!(person_name("ณัฐวุฒิ"), Ok("ณัฐวุฒิ".into()));
        assert_eq!(
            person_name("Mary-Jane O'Neil"),
            Ok("Mary-Jane O'Neil".into())
        );
        assert_eq!(
            person_name("Msafiri"),
            Ok("Msafiri".into()),
            "a name that begins like a title"
        );
        for bad in [
            "นายสมชาย",
            "นาย สมชาย",
            "นางสาวสมศรี",
            "น.ส.สมศรี",
            "นางสมศรี",
            "Mr. Smith",
            "Mr Smith",
            "MRS Smith",
            "ms jones",
            "Dr. Somchai",
            "Mr",
        ] {
            assert_eq!(person_name(bad), Err(FieldError::HasTitle), "{bad}");
        }
        assert_eq!(person_name(""), Err(FieldError::Required));
        assert_eq!(person_name("   "), Err(FieldError::Required));
        assert_eq!(person_name("สมชาย123"), Err(FieldError::NameCharacters));
        assert_eq!(person_name("<script>"), Err(FieldError::NameCharacters));
        assert_eq!(person_name(&"ก".repeat(101)), Err(FieldError::TooLong));
    }

    #[test]
    fn citizen_ids_need_their_check_digit() {
        let valid = with_check("110170020345");
        assert_eq!(CitizenId::parse(&valid).unwrap().digits(), valid);
        let spaced = format!(
            "{}-{}-{} {}",
            &valid[..1],
            &valid[1..5],
            &valid[5..10],
            &valid[10..]
        );
        assert_eq!(CitizenId::parse(&spaced).unwrap().digits(), valid);
        let thai: String = valid
            .chars()
            .map(|c| char::from_u32('๐' as u32 + c.to_digit(10).unwrap()).unwrap())
            .collect();
        assert_eq!(CitizenId::parse(&thai).unwrap().digits(), valid);
        let wrong_check = format!("{}{}", &valid[..12], (valid.as_bytes()[12] - b'0' + 1) % 10);
        assert_eq!(
            CitizenId::parse(&wrong_check),
            Err(FieldError::CitizenIdChecksum)
        );
        // Unit codes are not citizen IDs: the seed's real code fails the checksum.
        assert_eq!(
            CitizenId::parse("0112140410350"),
            Err(FieldError::CitizenIdChecksum)
        );
        assert_eq!(
            CitizenId::parse("123456789012"),
            Err(FieldError::CitizenIdLength)
        );
        assert_eq!(
            CitizenId::parse("12345678901234"),
            Err(FieldError::CitizenIdLength)
        );
        assert_eq!(
            CitizenId::parse("1234567890abc"),
            Err(FieldError::CitizenIdDigits)
        );
        for first12 in [
            "100000000000",
            "310090012345",
            "899999999999",
            "512345678901",
        ] {
            assert!(CitizenId::parse(&with_check(first12)).is_ok(), "{first12}");
        }
    }

    #[test]
    fn citizen_ids_never_print_in_full() {
        let id = CitizenId::parse(&with_check("110170020345")).unwrap();
        let shown = format!("{id:?}");
        assert!(!shown.contains(&id.digits()[..9]), "{shown}");
        assert_eq!(id.last_digits().len(), 4);
    }

    #[test]
    fn thai_mobile_numbers() {
        assert_eq!(mobile("081-234-5678"), Ok("0812345678".into()));
        assert_eq!(mobile("๐๘๑ ๒๓๔ ๕๖๗๘"), Ok("0812345678".into()));
        assert_eq!(mobile("+66 81 234 5678"), Ok("0812345678".into()));
        assert_eq!(mobile("66812345678"), Ok("0812345678".into()));
        assert_eq!(mobile("0612345678"), Ok("0612345678".into()));
        assert_eq!(mobile("0912345678"), Ok("0912345678".into()));
        for bad in [
            "038284349",
            "0212345678",
            "081234567",
            "08123456789",
            "abc",
            "+1 415 555 0100",
            "",
        ] {
            assert_eq!(mobile(bad), Err(FieldError::Mobile), "{bad}");
        }
    }

    #[test]
    fn email_addresses() {
        assert_eq!(
            email(" Somchai.K@CDD.go.th "),
            Ok("Somchai.K@cdd.go.th".into())
        );
        assert_eq!(
            email("cdd.clpk.srb@gmail.com"),
            Ok("cdd.clpk.srb@gmail.com".into())
        );
        assert_eq!(email(""), Err(FieldError::Required));
        for bad in [
            "somchai",
            "somchai@",
            "@cdd.go.th",
            "som chai@cdd.go.th",
            "somchai@cdd",
            "a@b..th",
            "a@.b.th",
        ] {
            assert_eq!(email(bad), Err(FieldError::Email), "{bad}");
        }
    }

    #[test]
    fn usernames() {
        assert_eq!(username("cddbanglamung"), Ok("cddbanglamung".into()));
        assert_eq!(username("Srb01"), Ok("Srb01".into()));
        assert_eq!(username("abcd"), Err(FieldError::UsernameShort));
        assert_eq!(username("สมชาย123"), Err(FieldError::UsernameCharacters));
        assert_eq!(username("som_chai"), Err(FieldError::UsernameCharacters));
        assert_eq!(username("som chai"), Err(FieldError::UsernameCharacters));
        assert_eq!(username(""), Err(FieldError::Required));
        assert_eq!(username(&"a".repeat(33)), Err(FieldError::TooLong));
    }

    #[test]
    fn passwords() {
        assert_eq!(password("Chonburi2563", "Chonburi2563", "cddsrb01"), Ok(()));
        assert_eq!(password("x9!kT7#q", "x9!kT7#q", "cddsrb01"), Ok(()));
        assert_eq!(password("", "", "cddsrb01"), Err(FieldError::Required));
        assert_eq!(
            password("abc123", "abc123", "cddsrb01"),
            Err(FieldError::PasswordShort)
        );
        assert_eq!(
            password("abcdefgh", "abcdefgh", "cddsrb01"),
            Err(FieldError::PasswordLetterAndDigit)
        );
        assert_eq!(
            password("12345678", "12345678", "cddsrb01"),
            Err(FieldError::PasswordLetterAndDigit)
        );
        assert_eq!(
            password("รหัสผ่าน12345", "รหัสผ่าน12345", "cddsrb01"),
            Err(FieldError::PasswordAscii)
        );
        assert_eq!(
            password("pass word1", "pass word1", "cddsrb01"),
            Err(FieldError::PasswordAscii)
        );
        assert_eq!(
            password("CDDsrb0123", "CDDsrb0123", "cddsrb0123"),
            Err(FieldError::PasswordIsUsername)
        );
        assert_eq!(
            password("Password123", "Password123", "cddsrb01"),
            Err(FieldError::PasswordCommon)
        );
        assert_eq!(
            password("1q2w3e4r", "1q2w3e4r", "cddsrb01"),
            Err(FieldError::PasswordCommon)
        );
        assert_eq!(
            password("Chonburi2563", "Chonburi2564", "cddsrb01"),
            Err(FieldError::PasswordMismatch)
        );
        assert_eq!(
            password(&format!("a1{}", "x".repeat(127)), "", "u"),
            Err(FieldError::TooLong)
        );
    }

    #[test]
    fn passwords_are_masked_as_in_the_seed() {
        assert_eq!(mask_password("12345dab"), "12****ab");
        assert_eq!(mask_password("Chonburi2563"), "Ch********63");
        assert_eq!(mask_password("abc"), "***");
    }

    #[test]
    fn authorize_codes() {
        let seed = AuthorizeCode::parse("CA352578E657BBF").unwrap();
        assert_eq!(seed.as_str(), "CA352578E657BBF");
        let typed = AuthorizeCode::parse(" ca352578e657bbf ").unwrap();
        assert!(seed.matches(&typed));
        assert!(!seed.matches(&AuthorizeCode::parse("B93CED6DDF5DB73").unwrap()));
        for bad in ["CA352578E657BB", "CA352578E657BBFF", "CA352578E657BBG", ""] {
            assert_eq!(
                AuthorizeCode::parse(bad),
                Err(FieldError::AuthorizeCode),
                "{bad}"
            );
        }
        let a = AuthorizeCode::from_random([0xff; 8]);
        assert_eq!(a.as_str(), "FFFFFFFFFFFFFFF");
        let b = AuthorizeCode::from_random([0; 8]);
        assert_eq!(b.as_str(), "000000000000000");
        let c = AuthorizeCode::from_random([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
        assert_eq!(c.as_str(), "123456789ABCDEF");
        assert!(!format!("{c:?}").contains("1234"), "codes never print");
    }

    fn form() -> SignupForm {
        SignupForm {
            first_name: "สมศรี".into(),
            last_name: "ใจดี".into(),
            citizen_id: "".into(),
            mobile: "".into(),
            email: "somsri@example.go.th".into(),
            username: "somsri01".into(),
            password: "Chonburi2569".into(),
            password_confirmation: "Chonburi2569".into(),
        }
    }

    #[test]
    fn a_whole_signup_is_checked_field_by_field() {
        let ok = signup(&form()).unwrap();
        assert_eq!(ok.citizen_id, None, "the citizen ID may be skipped");
        assert_eq!(ok.mobile, None, "the mobile number may be skipped");
        assert_eq!(ok.email.as_deref(), Some("somsri@example.go.th"));
        let with_all = SignupForm {
            citizen_id: "๑-๑๐๑๗-๐๐๒๐๗-๓๖-๖".into(),
            mobile: "+66 81 234 5678".into(),
            ..form()
        };
        let ok = signup(&with_all).unwrap();
        assert_eq!(ok.citizen_id.unwrap().last_digits(), "7366");
        assert_eq!(ok.mobile.as_deref(), Some("0812345678"));

        // Each refusal names its field; several come back together.
        let cases: Vec<(SignupForm, Vec<&str>)> = vec![
            (
                SignupForm {
                    first_name: "นายสมชาย".into(),
                    ..form()
                },
                vec!["first_name"],
            ),
            (
                SignupForm {
                    last_name: "".into(),
                    ..form()
                },
                vec!["last_name"],
            ),
            (
                SignupForm {
                    citizen_id: "1101700207367".into(),
                    ..form()
                },
                vec!["citizen_id"],
            ),
            (
                SignupForm {
                    mobile: "021234567".into(),
                    ..form()
                },
                vec!["mobile"],
            ),
            (
                SignupForm {
                    email: "".into(),
                    ..form()
                },
                vec!["email"],
            ),
            (
                SignupForm {
                    username: "som".into(),
                    ..form()
                },
                vec!["username"],
            ),
            (
                SignupForm {
                    username: "สมศรี01".into(),
                    ..form()
                },
                vec!["username"],
            ),
            (
                SignupForm {
                    password: "Chonburi2569".into(),
                    password_confirmation: "Chonburi2560".into(),
                    ..form()
                },
                vec!["password"],
            ),
            (
                SignupForm {
                    username: "Chonburi2569".into(),
                    ..form()
                },
                vec!["password"],
            ),
            (
                SignupForm {
                    password: "abc12345".into(),
                    password_confirmation: "abc12345".into(),
                    ..form()
                },
                vec!["password"],
            ),
            (
                SignupForm {
                    first_name: "Mr John".into(),
                    email: "no-at-sign".into(),
                    mobile: "12".into(),
                    ..form()
                },
                vec!["first_name", "mobile", "email"],
            ),
        ];
        for (f, fields) in cases {
            let got: Vec<&str> = signup(&f).unwrap_err().iter().map(|(n, _)| *n).collect();
            assert_eq!(got, fields, "{f:?}");
        }
    }

    #[test]
    fn every_refusal_speaks_thai_and_english() {
        use FieldError::*;
        for e in [
            Required,
            TooLong,
            HasTitle,
            NameCharacters,
            CitizenIdLength,
            CitizenIdDigits,
            CitizenIdChecksum,
            Mobile,
            Email,
            UsernameShort,
            UsernameCharacters,
            PasswordShort,
            PasswordLetterAndDigit,
            PasswordAscii,
            PasswordMismatch,
            PasswordIsUsername,
            PasswordCommon,
            AuthorizeCode,
            UsernameTaken,
            EmailTaken,
            AuthorizeCodeUnknown,
            PasswordWrong,
            RoleUnknown,
            OwnRole,
            TokenName,
        ] {
            assert!(
                e.th()
                    .chars()
                    .any(|c| ('\u{0e00}'..='\u{0e7f}').contains(&c)),
                "{e:?}"
            );
            assert!(
                e.en().starts_with(|c: char| c.is_ascii_uppercase()),
                "{e:?}"
            );
        }
    }
}
