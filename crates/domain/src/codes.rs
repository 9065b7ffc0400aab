//! Unit and service point codes (รหัสหน่วยงาน / รหัสจุดบริการ).
//!
//! They are 13 digits like citizen IDs but carry no check digit: real codes such as
//! `0112140410350` fail the citizen-ID checksum, so only the shape is checked.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Kept inline as 13 ASCII digits: a national directory holds hundreds of thousands of
/// codes, and a heap string each would cost three times the memory.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode([u8; 13]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("a code has exactly 13 digits")]
    Length,
    #[error("a code has digits only")]
    NotDigits,
}

impl UnitCode {
    /// Accepts Thai digits (๐–๙) as well as ASCII ones, and ignores spaces and dashes,
    /// because codes are copied from official letters that use both.
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        let mut out = [0u8; 13];
        let mut n = 0;
        for c in input.chars() {
            let digit = match c {
                '0'..='9' => c as u8,
                '๐'..='๙' => b'0' + (c as u32 - '๐' as u32) as u8,
                ' ' | '-' => continue,
                _ => return Err(CodeError::NotDigits),
            };
            if n == 13 {
                return Err(CodeError::Length);
            }
            out[n] = digit;
            n += 1;
        }
        if n != 13 {
            return Err(CodeError::Length);
        }
        Ok(Self(out))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl TryFrom<String> for UnitCode {
    type Error = CodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<UnitCode> for String {
    fn from(value: UnitCode) -> Self {
        value.as_str().to_owned()
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UnitCode({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_codes_that_fail_the_citizen_id_checksum() {
        assert_eq!(
            UnitCode::parse("0112140410350").unwrap().as_str(),
            "0112140410350"
        );
    }

    #[test]
    fn accepts_thai_digits_and_separators() {
        assert_eq!(
            UnitCode::parse("๐๑๑๒-๑๔๐๔ ๑๐๓๕๐").unwrap().as_str(),
            "0112140410350"
        );
    }

    #[test]
    fn refuses_bad_shapes() {
        assert_eq!(UnitCode::parse("011214041035"), Err(CodeError::Length));
        assert_eq!(UnitCode::parse("01121404103501"), Err(CodeError::Length));
        assert_eq!(UnitCode::parse("011214041035x"), Err(CodeError::NotDigits));
    }
}
