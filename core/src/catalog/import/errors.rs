//! What can go wrong with an import: warnings that let it through, errors that stop it.

use crate::catalog::ean13::Ean13Error;
use crate::money::MoneyParseError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Something the pharmacist should know, that did not stop the import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportWarning {
    /// CNOPS code failing the EAN-13 check: imported with `barcode_scannable = false`.
    LegacyBarcode { line: usize, code: String, expected: u8, found: u8 },
    /// CNOPS row without a PPV (hospital-only product): not imported.
    NoPublicPrice { line: usize, code: String, name: String },
    /// A header this import does not know; its values were not read.
    IgnoredColumn { column: usize, name: String },
}

impl ImportWarning {
    /// The file line concerned, if the warning is about a row.
    pub fn line(&self) -> Option<usize> {
        match self {
            ImportWarning::LegacyBarcode { line, .. } | ImportWarning::NoPublicPrice { line, .. } => {
                Some(*line)
            }
            ImportWarning::IgnoredColumn { .. } => None,
        }
    }
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportWarning::LegacyBarcode { line, code, expected, found } => write!(
                f,
                "ligne {line} : code {code} gardé comme référence, non scannable \
                 (clé de contrôle {found} au lieu de {expected})"
            ),
            ImportWarning::NoPublicPrice { line, code, name } => {
                write!(f, "ligne {line} : {name} ({code}) non importé : pas de PPV (produit hospitalier)")
            }
            ImportWarning::IgnoredColumn { column, name } if name.is_empty() => {
                write!(f, "colonne {column} sans nom ignorée")
            }
            ImportWarning::IgnoredColumn { column, name } => {
                write!(f, "colonne {column} « {name} » inconnue, ignorée")
            }
        }
    }
}

/// Why the file as a whole was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("fichier vide : aucun article à importer")]
    Empty,
    #[error("{0}")]
    TooLarge(SizeLimit),
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error("{}", rows_message(.0))]
    Rows(Vec<RowError>),
    /// The CSV reader failed. Not expected on in-memory UTF-8 text; kept for its cause.
    #[error("fichier CSV illisible : {0}")]
    Csv(#[source] csv::Error),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeLimit {
    Bytes(usize),
    Rows,
}

impl fmt::Display for SizeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeLimit::Bytes(n) => {
                write!(f, "fichier trop volumineux : {} Mo (50 Mo au plus)", n.div_ceil(1024 * 1024))
            }
            SizeLimit::Rows => write!(f, "fichier trop long : plus de 200 000 lignes"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error(
        "en-tête non reconnu : « {found} ». Attendu la liste CNOPS \
         (CODE,NOM,DCI1,…,PPV,PH,…) ou le format de la pharmacie \
         (barcode,name,active_substance,dosage,form,presentation,ppv,ph,\
         reimbursement_rate,princeps_generic)"
    )]
    Unrecognised { found: String },
    #[error("colonne(s) obligatoire(s) absente(s) de l'en-tête : {}", .missing.join(", "))]
    MissingColumns { missing: Vec<String> },
    #[error("colonne « {name} » présente deux fois dans l'en-tête")]
    DuplicateColumn { name: String },
}

/// One problem on one row. A row with several problems gives several `RowError`s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ligne {line} : {problem}")]
pub struct RowError {
    /// 1-based; the header is line 1.
    pub line: usize,
    pub problem: RowProblem,
}

/// Column names in messages are spelled as in the file's header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    #[error("{found} colonnes au lieu de {expected} (séparateur ou guillemet en trop ?)")]
    ColumnCount { expected: usize, found: usize },
    #[error("nom manquant")]
    MissingName,
    #[error("code manquant")]
    MissingBarcode,
    #[error("code-barres « {value} » invalide : {source}")]
    BadBarcode {
        value: String,
        #[source]
        source: Ean13Error,
    },
    #[error("code-barres {code} en double (déjà ligne {first_line})")]
    DuplicateBarcode { code: String, first_line: usize },
    #[error("prix {column} manquant")]
    MissingPrice { column: String },
    #[error("prix {column} illisible : {source}")]
    BadPrice {
        column: String,
        #[source]
        source: MoneyParseError,
    },
    #[error("prix {column} négatif : « {value} »")]
    NegativePrice { column: String, value: String },
    #[error("taux de remboursement illisible : « {value} » (entier de 0 à 100, p. ex. 70%)")]
    BadRate { value: String },
    #[error("princeps/générique illisible : « {value} » (P ou G)")]
    BadOrigin { value: String },
    #[error("catégorie inconnue : « {value} » (rx, otc, parapharmacy, preparation, consumable)")]
    BadCategory { value: String },
    #[error("catégorie de TVA inconnue : « {value} » (medicine, standard, reduced)")]
    BadTaxCategory { value: String },
    #[error("tableau inconnu : « {value} » (A, B, C ou vide)")]
    BadSchedule { value: String },
    #[error("conditionnement invalide : « {value} » (nombre entier d'au moins 1)")]
    BadPackSize { value: String },
}

fn rows_message(rows: &[RowError]) -> String {
    let lines: std::collections::BTreeSet<usize> = rows.iter().map(|r| r.line).collect();
    let mut s = match lines.len() {
        1 => "1 ligne en erreur, rien n'a été importé :".to_owned(),
        n => format!("{n} lignes en erreur, rien n'a été importé :"),
    };
    for r in rows {
        s.push_str("\n  ");
        s.push_str(&r.to_string());
    }
    s
}
