//! The pharmacy (tenant): legal identity, time zone, cash rules, retention, registers.

use crate::ids::{RegisterId, TenantId};
use crate::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    pub financial_years: u32,
    pub audit_years: u32,
    /// Patient names in the ordonnancier are reduced to initials after this many days.
    pub anonymization_days: u32,
}

impl Default for RetentionPolicy {
    /// Ten years for accounting records and the audit trail (Moroccan commercial law).
    fn default() -> Self {
        RetentionPolicy { financial_years: 10, audit_years: 10, anonymization_days: 365 }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pharmacy {
    pub id: TenantId,
    pub legal_name: String,
    /// Identifiant Commun de l'Entreprise: 15 digits.
    pub ice: String,
    pub address: String,
    /// IANA name, e.g. `Africa/Casablanca`.
    pub time_zone: String,
    pub variance_threshold: Money,
    pub retention: RetentionPolicy,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("la raison sociale est obligatoire")]
    NoName,
    #[error("l'ICE doit compter 15 chiffres (reçu « {0} »)")]
    Ice(String),
    #[error("fuseau horaire inconnu : « {0} » (exemple : Africa/Casablanca)")]
    TimeZone(String),
    #[error("le seuil d'écart doit être positif ou nul")]
    Threshold,
    #[error("le code de caisse doit faire 1 à 8 lettres ou chiffres (reçu « {0} »)")]
    RegisterCode(String),
}

impl Pharmacy {
    pub const DEFAULT_THRESHOLD: Money = Money::from_dirhams(50);

    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.legal_name.trim().is_empty() {
            return Err(SettingsError::NoName);
        }
        if self.ice.len() != 15 || !self.ice.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SettingsError::Ice(self.ice.clone()));
        }
        self.tz()?;
        if self.variance_threshold.is_negative() {
            return Err(SettingsError::Threshold);
        }
        Ok(())
    }

    pub fn tz(&self) -> Result<Tz, SettingsError> {
        self.time_zone.parse::<Tz>().map_err(|_| SettingsError::TimeZone(self.time_zone.clone()))
    }

    /// The pharmacy's calendar date at an instant (the default business date: a session
    /// opened after midnight on a duty night may be given the previous day explicitly).
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        match self.tz() {
            Ok(tz) => at.with_timezone(&tz).date_naive(),
            Err(_) => at.date_naive(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Register {
    pub id: RegisterId,
    /// Short code printed on tickets and used in numbering, e.g. `C1`.
    pub code: String,
    pub name: String,
}

pub fn validate_register_code(code: &str) -> Result<(), SettingsError> {
    if code.is_empty() || code.len() > 8 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(SettingsError::RegisterCode(code.to_string()));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ids::SeededIds;

    fn pharmacy() -> Pharmacy {
        Pharmacy {
            id: TenantId::new(&mut SeededIds::new(121)),
            legal_name: "Pharmacie Al Amal".into(),
            ice: "001234567000089".into(),
            address: "12 bd Zerktouni, Casablanca".into(),
            time_zone: "Africa/Casablanca".into(),
            variance_threshold: Pharmacy::DEFAULT_THRESHOLD,
            retention: RetentionPolicy::default(),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_complete_pharmacy_is_valid() {
        assert_eq!(pharmacy().validate(), Ok(()));
        assert_eq!(Pharmacy::DEFAULT_THRESHOLD, Money(5_000));
        let p = Pharmacy { variance_threshold: Money::ZERO, ..pharmacy() };
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn legal_name_is_required() {
        for name in ["", "   "] {
            let p = Pharmacy { legal_name: name.into(), ..pharmacy() };
            assert_eq!(p.validate(), Err(SettingsError::NoName));
        }
    }

    #[test]
    fn ice_has_exactly_fifteen_digits() {
        for ice in [
            "00123456700008",
            "0012345670000890",
            "00123456700008A",
            "",
            "001 234 567 000 089",
            "٠٠١٢٣٤٥٦٧٠٠٠٠٨٩",
        ] {
            let p = Pharmacy { ice: ice.into(), ..pharmacy() };
            assert_eq!(p.validate(), Err(SettingsError::Ice(ice.into())), "{ice}");
        }
        let e = Pharmacy { ice: "12".into(), ..pharmacy() }.validate().unwrap_err();
        assert_eq!(e.to_string(), "l'ICE doit compter 15 chiffres (reçu « 12 »)");
    }

    #[test]
    fn time_zone_must_be_a_known_iana_name() {
        for tz in ["Casablanca", "", "UTC+1", "Africa/Rabat"] {
            let p = Pharmacy { time_zone: tz.into(), ..pharmacy() };
            assert_eq!(p.validate(), Err(SettingsError::TimeZone(tz.into())), "{tz}");
        }
        assert!(Pharmacy { time_zone: "UTC".into(), ..pharmacy() }.validate().is_ok());
    }

    #[test]
    fn variance_threshold_cannot_be_negative() {
        let p = Pharmacy { variance_threshold: Money(-1), ..pharmacy() };
        assert_eq!(p.validate(), Err(SettingsError::Threshold));
    }

    #[test]
    fn local_date_crosses_midnight_in_casablanca() {
        let p = pharmacy();
        // Morocco is UTC+1 outside Ramadan: 23:30 UTC is already the next day.
        assert_eq!(p.local_date(utc("2026-06-15T23:30:00Z")), day("2026-06-16"));
        assert_eq!(p.local_date(utc("2026-06-15T22:59:59Z")), day("2026-06-15"));
        // During Ramadan 2026 (15 February – 22 March) the clocks go back to UTC+0.
        assert_eq!(p.local_date(utc("2026-03-01T23:30:00Z")), day("2026-03-01"));
    }

    #[test]
    fn local_date_falls_back_to_utc_for_an_unknown_zone() {
        let p = Pharmacy { time_zone: "Mars/Olympus".into(), ..pharmacy() };
        assert_eq!(p.local_date(utc("2026-06-15T23:30:00Z")), day("2026-06-15"));
    }

    #[test]
    fn records_are_kept_ten_years_by_default() {
        let r = RetentionPolicy::default();
        assert_eq!((r.financial_years, r.audit_years), (10, 10));
    }

    #[test]
    fn register_codes_are_short_and_alphanumeric() {
        for ok in ["C1", "A", "CAISSE01"] {
            assert_eq!(validate_register_code(ok), Ok(()), "{ok}");
        }
        for bad in ["", "CAISSE001", "C-1", "C 1", "É1"] {
            assert_eq!(validate_register_code(bad), Err(SettingsError::RegisterCode(bad.into())), "{bad}");
        }
    }
}
