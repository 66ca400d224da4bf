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
