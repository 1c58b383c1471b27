//! Money: integer amounts in a currency's minor unit, never floats.
//!
//! A [`Currency`] knows its exponent (USD 2 → cents, JPY 0, BHD 3, Telegram Stars `XTR` 0),
//! so decimal text such as `19.99` converts to minor units exactly, and back.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency code, or `XTR` for Telegram Stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

/// Currencies whose minor unit is not the hundredth.
const EXPONENTS: &[(&str, u32)] = &[
    // No minor unit (Telegram's list of zero-decimal currencies, plus Stars).
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("ISK", 0),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("PYG", 0),
    ("RWF", 0),
    ("UGX", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
    ("XTR", 0),
    // Thousandths.
    ("BHD", 3),
    ("IQD", 3),
    ("JOD", 3),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("TND", 3),
];

impl Currency {
    /// Telegram Stars.
    pub const STARS: Currency = Currency(*b"XTR");

    /// The code, e.g. `USD`.
    pub fn code(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Digits after the decimal point: 2 for most currencies.
    pub fn exponent(&self) -> u32 {
        EXPONENTS
            .iter()
            .find(|(code, _)| *code == self.code())
            .map_or(2, |(_, e)| *e)
    }

    /// Parses a non-negative decimal amount (`19.99`, `20`, `1,299.50` is refused) into minor
    /// units. More decimals than the currency has are refused rather than rounded.
    pub fn parse_amount(&self, text: &str) -> Result<i64, AmountError> {
        let text = text.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (text.contains('.') && !digits(fraction)) {
            return Err(AmountError::NotANumber(text.to_owned()));
        }
        let exponent = self.exponent() as usize;
        let significant = fraction.trim_end_matches('0');
        if significant.len() > exponent {
            return Err(AmountError::TooPrecise {
                text: text.to_owned(),
                currency: *self,
            });
        }
        let scale = 10i64.pow(exponent as u32);
        let whole: i64 = whole
            .parse()
            .map_err(|_| AmountError::TooLarge(text.to_owned()))?;
        let mut minor_fraction = 0i64;
        for (i, b) in significant.bytes().enumerate() {
            minor_fraction += i64::from(b - b'0') * 10i64.pow((exponent - 1 - i) as u32);
        }
        whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(minor_fraction))
            .ok_or_else(|| AmountError::TooLarge(text.to_owned()))
    }

    /// Formats minor units as decimal text with exactly the currency's digits (`1999` USD →
    /// `19.99`).
    pub fn format_amount(&self, minor: i64) -> String {
        let exponent = self.exponent();
        if exponent == 0 {
            return minor.to_string();
        }
        let scale = 10i64.pow(exponent);
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / scale as u64,
            abs % scale as u64,
            width = exponent as usize
        )
    }
}

impl FromStr for Currency {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, AmountError> {
        let code = s.trim().to_ascii_uppercase();
        match <[u8; 3]>::try_from(code.as_bytes()) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_uppercase) => Ok(Currency(bytes)),
            _ => Err(AmountError::UnknownCurrency(s.to_owned())),
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = AmountError;
    fn try_from(s: String) -> Result<Self, AmountError> {
        s.parse()
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why an amount or currency was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("`{0}` is not an amount like 19.99")]
    NotANumber(String),
    #[error("`{text}` has more decimals than {currency} allows")]
    TooPrecise { text: String, currency: Currency },
    #[error("`{0}` is too large")]
    TooLarge(String),
    #[error("`{0}` is not a three-letter currency code")]
    UnknownCurrency(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Currency {
        code.parse().unwrap()
    }

    #[test]
    fn exponents() {
        assert_eq!(c("USD").exponent(), 2);
        assert_eq!(c("jpy").exponent(), 0);
        assert_eq!(c("KWD").exponent(), 3);
        assert_eq!(Currency::STARS.exponent(), 0);
    }

    #[test]
    fn parses_exactly_without_floats() {
        assert_eq!(c("USD").parse_amount("19.99"), Ok(1999));
        assert_eq!(c("USD").parse_amount("0.1"), Ok(10));
        assert_eq!(c("USD").parse_amount("20"), Ok(2000));
        assert_eq!(c("USD").parse_amount("20.50"), Ok(2050));
        assert_eq!(c("USD").parse_amount("1.000"), Ok(100));
        assert_eq!(c("JPY").parse_amount("1500"), Ok(1500));
        assert_eq!(c("KWD").parse_amount("1.005"), Ok(1005));
        // 0.1 + 0.2 is exact here.
        assert_eq!(c("USD").parse_amount("0.30"), Ok(30));
    }

    #[test]
    fn refuses_what_it_cannot_represent() {
        assert!(matches!(
            c("USD").parse_amount("19.999"),
            Err(AmountError::TooPrecise { .. })
        ));
        assert!(matches!(
            c("JPY").parse_amount("15.5"),
            Err(AmountError::TooPrecise { .. })
        ));
        for bad in ["", "-1", "1,299.50", "abc", "1.", ".5", "1e3", "１２"] {
            assert!(
                matches!(c("USD").parse_amount(bad), Err(AmountError::NotANumber(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            c("USD").parse_amount("99999999999999999999"),
            Err(AmountError::TooLarge(_))
        ));
        assert!("US".parse::<Currency>().is_err());
        assert!("U$D".parse::<Currency>().is_err());
    }

    #[test]
    fn formats_and_round_trips() {
        assert_eq!(c("USD").format_amount(1999), "19.99");
        assert_eq!(c("USD").format_amount(5), "0.05");
        assert_eq!(c("USD").format_amount(-250), "-2.50");
        assert_eq!(c("JPY").format_amount(1500), "1500");
        assert_eq!(c("KWD").format_amount(1005), "1.005");
        for minor in [0, 1, 99, 100, 123_456_789] {
            for cur in ["USD", "JPY", "KWD"] {
                let cur = c(cur);
                assert_eq!(cur.parse_amount(&cur.format_amount(minor)), Ok(minor));
            }
        }
    }

    #[test]
    fn serializes_as_its_code() {
        assert_eq!(serde_json::to_string(&c("eur")).unwrap(), "\"EUR\"");
        assert!(serde_json::from_str::<Currency>("\"EURO\"").is_err());
    }
}
