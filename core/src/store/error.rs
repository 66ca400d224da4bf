//! Errors of the device store, with the cause kept. Every variant reads as a French
//! sentence a pharmacist can act on; the CLI and the app show `to_string()`.

use crate::cash::lifecycle::SessionError;
use crate::cash::reconcile::ReconcileError;
use crate::cash::refund::RefundError;
use crate::cash::sale::SaleError;
use crate::cash::zclose::ZCloseError;
use crate::catalog::ean13::Ean13Error;
use crate::catalog::import::ImportError;
use crate::orders::OrderError;
use crate::people::{CredentialError, Forbidden};
use crate::stock::adjust::StockError;
use crate::tenant::SettingsError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("base de données : {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Another window or program (the sync, `pharmactl`) kept the database locked for
    /// longer than [`super::BUSY_TIMEOUT`].
    #[error(
        "la base est occupée par un autre programme (autre fenêtre, synchronisation ou pharmactl) depuis plusieurs secondes : rien n'a été enregistré, réessayez"
    )]
    Busy(#[source] rusqlite::Error),
    #[error(transparent)]
    Doc(#[from] super::doc::DocError),
    #[error("donnée enregistrée illisible ({what}) : {source}")]
    Decode {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("migration {name} : {source}")]
    Migration {
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cette base a été créée par une version plus récente du logiciel (migration {0} inconnue)")]
    UnknownMigration(String),
    #[error("la pharmacie n'est pas encore créée : lancez `pharmactl init`")]
    NotInitialized,
    #[error("la pharmacie est déjà créée dans cette base")]
    AlreadyInitialized,
    #[error("{what} introuvable : {id}")]
    NotFound { what: &'static str, id: String },
    #[error("code-barres inconnu : {0}")]
    UnknownBarcode(String),
    #[error("le code-barres {0} est déjà utilisé par un autre produit")]
    DuplicateBarcode(String),
    #[error("l'identifiant « {0} » est déjà utilisé")]
    DuplicateLogin(String),
    #[error("identifiant invalide : « {0} » (lettres, chiffres, point, tiret)")]
    InvalidLogin(String),
    #[error("le code de caisse « {0} » existe déjà")]
    DuplicateRegister(String),
    #[error("utilisateur ou code incorrect")]
    BadCredentials,
    #[error("ce compte est suspendu")]
    Suspended,
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(transparent)]
    Credential(#[from] CredentialError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Sale(#[from] SaleError),
    #[error(transparent)]
    Refund(#[from] RefundError),
    #[error(transparent)]
    Reconcile(#[from] ReconcileError),
    #[error(transparent)]
    ZClose(#[from] ZCloseError),
    #[error(transparent)]
    Stock(#[from] StockError),
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("code-barres invalide : {0}")]
    Barcode(#[from] Ean13Error),
    #[error("prix invalide : {0}")]
    Price(String),
    #[error(transparent)]
    Projection(#[from] crate::projection::ProjectionError),
    #[error("changement refusé : {0}")]
    BadChange(String),
    #[error("panne simulée au point {0}")]
    InjectedFault(&'static str),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
