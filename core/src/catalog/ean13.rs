//! EAN-13 barcodes: the check digit, validation with a reason a person can act on, and
//! making a code from its first twelve digits.
//!
//! A mistyped or misread barcode must not silently become another product, so a manual
//! entry or a pharmacy's own file is checked strictly. (Legacy codes in the CNOPS list
//! that fail the check are a separate, tolerated case: see [`super::import`].) Moroccan
//! products carry the GS1 prefix 611.
//!
//! ```
//! use pharma_core::catalog::ean13;
//!
//! assert_eq!(ean13::check_digit("611800012015"), Some(5));
//! assert!(ean13::is_valid("6118000120155"));
//! assert_eq!(ean13::make("611800012015"), "6118000120155");
//! assert!(ean13::validate("6118000120156").is_err());
//! ```

/// Why a code is not a valid EAN-13. Messages are shown as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Ean13Error {
    #[error("un code EAN-13 compte 13 chiffres, celui-ci en a {len}")]
    WrongLength { len: usize },
    #[error("il faut 12 chiffres pour calculer la clé d'un EAN-13, pas {len}")]
    WrongBodyLength { len: usize },
    /// `position` counts from 1, as a person reads the code.
    #[error("caractère « {found} » en position {position} : un code EAN-13 ne contient que des chiffres")]
    NonDigit { position: usize, found: char },
    #[error("clé de contrôle incorrecte : le dernier chiffre devrait être {expected}, pas {found}")]
    BadCheckDigit { expected: u8, found: u8 },
}

/// The check digit of the first twelve digits; `None` unless given exactly 12 ASCII digits.
pub fn check_digit(first12: &str) -> Option<u8> {
    let bytes = first12.as_bytes();
    if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(check_of_digits(bytes))
}

/// GS1 weighting: from the left, digits at odd positions weigh 1 and at even positions 3.
fn check_of_digits(digits: &[u8]) -> u8 {
    let sum: u32 =
        digits.iter().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    // sum % 10 < 10, so the result fits a u8.
    ((10 - sum % 10) % 10) as u8
}

/// Checks shape and check digit. The code is taken as given: trimming is the caller's job.
pub fn validate(code: &str) -> Result<(), Ean13Error> {
    digits_of(code, 13, |len| Ean13Error::WrongLength { len })?;
    let bytes = code.as_bytes();
    let expected = check_of_digits(&bytes[..12]);
    let found = bytes[12] - b'0';
    if expected == found { Ok(()) } else { Err(Ean13Error::BadCheckDigit { expected, found }) }
}

pub fn is_valid(code: &str) -> bool {
    validate(code).is_ok()
}

/// Appends the check digit to twelve digits (a GS1 prefix such as 611 plus the body).
///
/// # Panics
///
/// If `first12` is not exactly 12 ASCII digits: this is for codes the program builds
/// itself (demo data). For text that comes from a person or a file, use [`try_make`].
pub fn make(first12: &str) -> String {
    match try_make(first12) {
        Ok(code) => code,
        Err(e) => panic!("ean13::make({first12:?}) : {e}"),
    }
}

/// Like [`make`], but reports malformed input instead of panicking.
pub fn try_make(first12: &str) -> Result<String, Ean13Error> {
    digits_of(first12, 12, |len| Ean13Error::WrongBodyLength { len })?;
    let check = check_of_digits(first12.as_bytes());
    let mut code = String::with_capacity(13);
    code.push_str(first12);
    code.push(char::from(b'0' + check));
    Ok(code)
}

/// Checks that `s` is `len` ASCII digits. Non-digits are reported first when the length
/// is also wrong: "a letter at position 4" helps more than "12 characters".
fn digits_of(s: &str, len: usize, wrong_len: impl FnOnce(usize) -> Ean13Error) -> Result<(), Ean13Error> {
    if let Some((i, found)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(Ean13Error::NonDigit { position: i + 1, found });
    }
    // All ASCII now, so bytes and chars agree.
    if s.len() != len {
        return Err(wrong_len(s.len()));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_of_known_codes() {
        // Codes from the CNOPS reference list and a textbook example.
        for code in ["6118000120155", "6118001230068", "6118010116230", "4006381333931"] {
            assert_eq!(check_digit(&code[..12]), code[12..].parse().ok(), "{code}");
            assert!(is_valid(code), "{code}");
        }
        assert_eq!(check_digit("000000000000"), Some(0));
        assert_eq!(check_digit("61180001201"), None);
        assert_eq!(check_digit("61180001201x"), None);
        assert_eq!(check_digit("６11800012015"), None);
    }

    #[test]
    fn every_wrong_last_digit_is_caught() {
        for d in 0..10u8 {
            let code = format!("611800012015{d}");
            assert_eq!(is_valid(&code), d == 5, "{code}");
        }
        // A legacy CNOPS code that fails the check.
        assert_eq!(validate("6118000140213"), Err(Ean13Error::BadCheckDigit { expected: 4, found: 3 }));
    }

    #[test]
    fn distinct_errors_with_french_messages() {
        assert_eq!(validate("611800012015"), Err(Ean13Error::WrongLength { len: 12 }));
        assert_eq!(validate(""), Err(Ean13Error::WrongLength { len: 0 }));
        assert_eq!(validate("611800O120155"), Err(Ean13Error::NonDigit { position: 7, found: 'O' }));
        assert_eq!(validate(" 6118000120155"), Err(Ean13Error::NonDigit { position: 1, found: ' ' }));
        assert_eq!(
            validate("6118000120156").unwrap_err().to_string(),
            "clé de contrôle incorrecte : le dernier chiffre devrait être 5, pas 6"
        );
        assert_eq!(
            validate("12345").unwrap_err().to_string(),
            "un code EAN-13 compte 13 chiffres, celui-ci en a 5"
        );
        assert_eq!(
            validate("12a").unwrap_err().to_string(),
            "caractère « a » en position 3 : un code EAN-13 ne contient que des chiffres"
        );
    }

    #[test]
    fn make_appends_the_check_digit() {
        assert_eq!(make("611800012015"), "6118000120155");
        for n in 0..500u32 {
            let code = make(&format!("611{n:09}"));
            assert!(is_valid(&code), "{code}");
        }
        assert_eq!(try_make("6118"), Err(Ean13Error::WrongBodyLength { len: 4 }));
        assert!(try_make("61180001201é").is_err());
    }

    #[test]
    #[should_panic(expected = "ean13::make")]
    fn make_panics_on_a_programming_error() {
        let _ = make("611");
    }
}
