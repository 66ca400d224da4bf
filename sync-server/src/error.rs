//! Every error a route can answer, mapped once to an HTTP status and an [`ErrorBody`]
//! (a stable code for programs, a French message for people).

use crate::ingest::Invalid;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
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
    #[error("device id {0} reserved")]
    DeviceIdReserved(uuid::Uuid),
    #[error("too many enrollment attempts from one address")]
    EnrollThrottled { retry_after_secs: u64 },
    #[error("metrics refused to a peer off loopback without the token")]
    MetricsForbidden,
    #[error("request body not received within {secs} s")]
    BodyTimeout { secs: u64 },
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
    RateLimited { retry_after_secs: u64 },
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
            ApiError::Revoked
            | ApiError::EnrollCode
            | ApiError::MetricsForbidden
            | ApiError::RejoinOtherDevice => StatusCode::FORBIDDEN,
            // Reserved ids are taken, by the server itself: the device draws another one,
            // as for an id already enrolled.
            ApiError::DeviceExists(_) | ApiError::DeviceIdReserved(_) => StatusCode::CONFLICT,
            ApiError::DeviceName | ApiError::BadJson(_) | ApiError::Invalid(_) | ApiError::BadCursor => {
                StatusCode::BAD_REQUEST
            }
            ApiError::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::BodyTooLarge { .. } | ApiError::TooManyChanges { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited { .. } | ApiError::EnrollThrottled { .. } => StatusCode::TOO_MANY_REQUESTS,
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
            ApiError::DeviceName => (
                "device_name",
                "Nom de poste invalide (1 à 200 caractères, sans caractère de contrôle).".to_string(),
            ),
            ApiError::DeviceIdReserved(id) => (
                "device_id_reserved",
                format!("L'identifiant de poste {id} est réservé : l'application doit en tirer un autre."),
            ),
            ApiError::EnrollThrottled { retry_after_secs } => (
                "enroll_throttled",
                format!(
                    "Trop de tentatives d'enrôlement depuis cette adresse : réessayez dans {retry_after_secs} s."
                ),
            ),
            ApiError::MetricsForbidden => (
                "metrics_forbidden",
                "Métriques réservées à la machine du serveur (ou à qui détient le jeton).".to_string(),
            ),
            ApiError::BodyTimeout { secs } => {
                ("body_timeout", format!("Requête reçue trop lentement (au plus {secs} s)."))
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
            ApiError::RateLimited { retry_after_secs } => (
                "rate_limited",
                format!("Trop d'envois depuis ce poste : réessayez dans {retry_after_secs} s."),
            ),
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
        let mut response = (status, Json(self.body())).into_response();
        let headers = response.headers_mut();
        match &self {
            ApiError::RateLimited { retry_after_secs } | ApiError::EnrollThrottled { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            // The rest of the body may still be on its way: the connection cannot be reused.
            ApiError::BodyTimeout { .. } => {
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            // RFC 7235: a 401 names the scheme it wants.
            ApiError::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::ProtocolVersion { .. }
            | ApiError::Revoked
            | ApiError::EnrollCode
            | ApiError::RejoinOtherDevice
            | ApiError::DeviceExists(_)
            | ApiError::DeviceName
            | ApiError::DeviceIdReserved(_)
            | ApiError::MetricsForbidden
            | ApiError::BadJson(_)
            | ApiError::BodyTooLarge { .. }
            | ApiError::TooManyChanges { .. }
            | ApiError::Invalid(_)
            | ApiError::BadCursor
            | ApiError::Db(_)
            | ApiError::Store(_)
            | ApiError::Worker(_) => {}
        }
        response
    }
}
