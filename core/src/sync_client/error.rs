//! Errors of the sync client, in French, with the cause kept.

use crate::store::StoreError;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("cet appareil n'est inscrit auprès d'aucun serveur : lancez `pharmactl enroll`")]
    NotEnrolled,
    #[error(
        "l'identifiant de cet appareil est absent du trousseau du système : inscrivez l'appareil à nouveau"
    )]
    NoCredential,
    #[error(
        "trousseau du système inaccessible (Secret Service : la session de bureau et son trousseau sont-ils ouverts ? \
         trousseau du noyau : lancez sous `keyctl session -`) : {0}"
    )]
    Keyring(#[source] keyring::Error),
    #[error("adresse du serveur invalide « {0} » : attendu http://… ou https://…")]
    BadUrl(String),
    #[error("serveur injoignable ({url}) : {source}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("code d'inscription refusé : {message}")]
    EnrollRefused { message: String },
    #[error("appareil non autorisé : le serveur ne le reconnaît pas ({message}) ; inscrivez-le à nouveau")]
    Unauthorized { message: String },
    #[error("appareil révoqué par la pharmacie : il ne peut plus se synchroniser ({message})")]
    Revoked { message: String },
    #[error("mise à jour nécessaire : ce logiciel et le serveur ne parlent pas la même version ({message})")]
    UpdateRequired { message: String },
    #[error("envoi trop volumineux pour le serveur : {message}")]
    TooLarge { message: String },
    #[error("le serveur limite les requêtes de cet appareil : nouvel essai plus tard")]
    RateLimited { retry_after: Option<Duration> },
    #[error("le serveur a refusé la requête ({status}, {code}) : {message}")]
    Refused { status: u16, code: String, message: String },
    #[error("erreur du serveur ({status}) : {message}")]
    Server { status: u16, message: String },
    #[error("réponse illisible du serveur : {0}")]
    BadResponse(#[source] reqwest::Error),
    #[error("canal en direct du serveur : {0}")]
    Live(#[source] Box<tungstenite::Error>),
    #[error("le serveur annonce encore des changements sans avancer : synchronisation interrompue")]
    PullStuck,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// The server refused what was pushed as this device's fault (400: a document it
    /// cannot read, a fact that contradicts the pharmacy's records): the same push would be
    /// refused again, so the documents concerned are held back rather than retried.
    pub fn is_document_refusal(&self) -> bool {
        matches!(self, SyncError::Refused { status: 400, .. })
    }

    /// Errors that no retry will cure until a person acts (update, re-enroll).
    pub fn needs_person(&self) -> bool {
        match self {
            SyncError::NotEnrolled
            | SyncError::NoCredential
            | SyncError::BadUrl(_)
            | SyncError::EnrollRefused { .. }
            | SyncError::Unauthorized { .. }
            | SyncError::Revoked { .. }
            | SyncError::UpdateRequired { .. } => true,
            SyncError::Keyring(_)
            | SyncError::Unreachable { .. }
            | SyncError::TooLarge { .. }
            | SyncError::RateLimited { .. }
            | SyncError::Refused { .. }
            | SyncError::Server { .. }
            | SyncError::BadResponse(_)
            | SyncError::Live(_)
            | SyncError::PullStuck
            | SyncError::Store(_) => false,
        }
    }
}
