//! Every error a route can answer, mapped once to an HTTP status and an [`ErrorBody`]
//! (a stable code for programs, a French message for people).

use crate::ingest::Invalid;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pharma_core::protocol::{ErrorBody, MIN_SUPPORTED_VERSION, PROTOCOL_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("protocol version {got:?} unsupported")]
    ProtocolVersion { got: Option<String> },
    #[error("no credential or unknown credential")]
    Unauthorized,
    #[error("device revoked")]
    Revoked,
    #[error("enrollment code unknown, expired or used")]
    EnrollCode,
    #[error("device {0} already enrolled")]
    DeviceExists(uuid::Uuid),
    #[error("re-join code bound to another device")]
    RejoinOtherDevice,
    #[error("device name invalid")]
    DeviceName,
    #[error("malformed JSON body: {0}")]
    BadJson(#[source] serde_json::Error),
    #[error("body over {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("{count} changes in one push, limit {limit}")]
    TooManyChanges { count: usize, limit: usize },
    #[error("invalid change: {0}")]
    Invalid(#[from] Invalid),
    #[error("cursor invalid")]
    BadCursor,
    #[error("rate limit reached")]
    RateLimited,
    #[error("database: {0}")]
    Db(#[from] sqlx_core::Error),
    #[error("storing a push failed: {0}")]
    Store(#[from] crate::ingest::StoreError),
    #[error("validation task failed: {0}")]
    Worker(#[from] tokio::task::JoinError),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::ProtocolVersion { .. } => StatusCode::UPGRADE_REQUIRED,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Revoked | ApiError::EnrollCode | ApiError::RejoinOtherDevice => StatusCode::FORBIDDEN,
            ApiError::DeviceExists(_) => StatusCode::CONFLICT,
            ApiError::DeviceName | ApiError::BadJson(_) | ApiError::Invalid(_) | ApiError::BadCursor => {
                StatusCode::BAD_REQUEST
            }
            ApiError::BodyTooLarge { .. } | ApiError::TooManyChanges { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Db(_) | ApiError::Store(_) | ApiError::Worker(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (code, message) = match self {
            ApiError::ProtocolVersion { got } => (
                "protocol_version",
                format!(
                    "Version du protocole {} non prise en charge : ce serveur accepte les versions \
                     {MIN_SUPPORTED_VERSION} à {PROTOCOL_VERSION} (en-tête {}). Mettez l'application à jour.",
                    got.as_deref().map_or_else(|| "absente".to_string(), |g| format!("« {g} »")),
                    pharma_core::protocol::PROTOCOL_HEADER,
                ),
            ),
            ApiError::Unauthorized => {
                ("unauthorized", "Poste non reconnu : identifiant d'accès absent ou inconnu.".to_string())
            }
            ApiError::Revoked => {
                ("device_revoked", "Ce poste a été révoqué : il ne peut plus synchroniser.".to_string())
            }
            ApiError::EnrollCode => {
                ("enroll_code", "Code d'enrôlement inconnu, expiré ou déjà utilisé.".to_string())
            }
            ApiError::DeviceExists(id) => (
                "device_exists",
                format!(
                    "Le poste {id} est déjà enrôlé. S'il a perdu son identifiant, demandez au gérant un code \
                     de réinscription lié à ce poste (`pharma-sync-server device enroll-code --tenant … \
                     --device {id}`)."
                ),
            ),
            ApiError::RejoinOtherDevice => (
                "rejoin_other_device",
                "Ce code de réinscription est lié à un autre poste : il ne peut servir qu'à celui-là."
                    .to_string(),
            ),
            ApiError::DeviceName => {
                ("device_name", "Nom de poste invalide (1 à 200 caractères).".to_string())
            }
            ApiError::BadJson(e) => ("bad_json", format!("Requête illisible : {e}")),
            ApiError::BodyTooLarge { limit } => {
                ("body_too_large", format!("Requête trop volumineuse (au plus {limit} octets)."))
            }
            ApiError::TooManyChanges { count, limit } => (
                "too_many_changes",
                format!(
                    "{count} changements dans un envoi : au plus {limit}. Envoyez-les en plusieurs fois."
                ),
            ),
            ApiError::Invalid(i) => (i.code(), i.message_fr()),
            ApiError::BadCursor => ("bad_cursor", "Curseur de synchronisation invalide.".to_string()),
            ApiError::RateLimited => {
                ("rate_limited", "Trop d'envois depuis ce poste : réessayez dans un instant.".to_string())
            }
            ApiError::Db(_) | ApiError::Store(_) | ApiError::Worker(_) => {
                ("internal", "Erreur interne du serveur : réessayez plus tard.".to_string())
            }
        };
        ErrorBody { code: code.to_string(), message }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(error = %self, %status, "request refused");
        }
        (status, Json(self.body())).into_response()
    }
}
