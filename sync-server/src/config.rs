//! Configuration: an optional TOML file, then the environment on top (the environment
//! wins, so one file can serve several instances).

use serde::Deserialize;
use std::path::Path;

/// Everything `serve` needs.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `host:port`; port 0 picks a free port (the bound address is logged).
    #[serde(default = "default_listen")]
    pub listen: String,
    #[serde(default)]
    pub database_url: String,
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// When set, `/metrics` answers only requests carrying `Authorization: Bearer <token>`.
    /// When unset, it answers only peers on the loopback interface (a scraper on the same
    /// host), so binding `listen` to a public address never publishes the counters.
    #[serde(default)]
    pub metrics_token: Option<String>,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub forecast: ForecastConfig,
}

/// The nightly demand forecast.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForecastConfig {
    /// Whether this instance runs the nightly job (several instances may: a pharmacy's
    /// run takes a lock and runs once a day whichever instance gets there first).
    pub enabled: bool,
    /// The pharmacy's local hour from which the day's run is due (sales of the day before
    /// are all in; devices that were offline may still bring more the next night).
    pub run_hour: u32,
    /// Pharmacies forecast at the same time on this instance.
    pub concurrency: usize,
    /// How often the job looks for pharmacies whose run is due, in seconds.
    pub check_every_secs: u64,
}

impl Default for ForecastConfig {
    fn default() -> Self {
        ForecastConfig { enabled: true, run_hour: 3, concurrency: 1, check_every_secs: 300 }
    }
}

/// The explicit limits of protocol v1.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// Most changes in one push.
    pub max_changes_per_push: usize,
    /// Largest WebSocket message the server accepts from a device.
    pub max_ws_message_bytes: usize,
    /// Pushes one device may make per minute on one instance (429 beyond).
    pub pushes_per_minute_per_device: u32,
    /// Most changes in one pull answer.
    pub max_pull_changes: u32,
    /// How often an open live socket checks that its device is still enrolled, in
    /// seconds: a revoked device loses its socket within this delay.
    pub live_auth_recheck_secs: u64,
    /// Time a client has to send a request's headers, in seconds; it also bounds how long
    /// an idle keep-alive connection waits for its next request. The connection is closed
    /// beyond it.
    pub header_read_timeout_secs: u64,
    /// Time a client has to send a request's body, in seconds (408 beyond).
    pub body_read_timeout_secs: u64,
    /// Open connections this instance holds in all, live sockets included; a connection
    /// over the cap is closed as soon as it is accepted. Keep it under the process's
    /// descriptor limit (`LimitNOFILE`), with room for the database pool.
    pub max_open_connections: usize,
    /// Open connections from one client address; 0 for no per-address cap (behind a
    /// reverse proxy every client has the proxy's address: let the proxy cap them).
    pub max_connections_per_address: usize,
    /// Refused pushes whose bytes are kept per device, for investigation; beyond it (or
    /// beyond the bytes below) a refusal is only counted in `pharma_quarantine_dropped_total`.
    pub quarantine_max_rows_per_device: u32,
    /// Bytes of refused pushes kept per device.
    pub quarantine_max_bytes_per_device: u64,
    /// Enrollment attempts one client address may make per minute (429 beyond).
    pub enroll_attempts_per_minute_per_address: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 8 * 1024 * 1024,
            max_changes_per_push: 5000,
            max_ws_message_bytes: 64 * 1024,
            pushes_per_minute_per_device: 600,
            max_pull_changes: 5000,
            live_auth_recheck_secs: 30,
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 60,
            max_open_connections: 4096,
            max_connections_per_address: 64,
            quarantine_max_rows_per_device: 20,
            quarantine_max_bytes_per_device: 8 * 1024 * 1024,
            enroll_attempts_per_minute_per_address: 10,
        }
    }
}

fn default_listen() -> String {
    "127.0.0.1:8750".into()
}

fn default_max_connections() -> u32 {
    10
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: default_listen(),
            database_url: String::new(),
            max_connections: default_max_connections(),
            metrics_token: None,
            limits: Limits::default(),
            forecast: ForecastConfig::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("lecture de la configuration {path} impossible : {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("configuration {path} invalide : {source}")]
    Parse {
        path: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("variable {name} invalide : « {value} »")]
    Env { name: &'static str, value: String },
    #[error("aucune base de données : donnez database_url ou PHARMA_SYNC_DATABASE_URL")]
    NoDatabase,
}

impl Config {
    /// The file (when given), then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = match file {
            Some(path) => Self::from_file(path)?,
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        if config.database_url.is_empty() {
            return Err(ConfigError::NoDatabase);
        }
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse { path: shown, source })
    }

    /// Overrides from `PHARMA_SYNC_*` variables, read through `get`.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(v) = get("PHARMA_SYNC_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("PHARMA_SYNC_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = get("PHARMA_SYNC_METRICS_TOKEN") {
            self.metrics_token = Some(v).filter(|t| !t.trim().is_empty());
        }
        let l = &mut self.limits;
        number(&get, "PHARMA_SYNC_MAX_BODY_BYTES", &mut l.max_body_bytes)?;
        number(&get, "PHARMA_SYNC_MAX_CHANGES_PER_PUSH", &mut l.max_changes_per_push)?;
        number(&get, "PHARMA_SYNC_MAX_WS_MESSAGE_BYTES", &mut l.max_ws_message_bytes)?;
        number(&get, "PHARMA_SYNC_PUSHES_PER_MINUTE_PER_DEVICE", &mut l.pushes_per_minute_per_device)?;
        number(&get, "PHARMA_SYNC_MAX_PULL_CHANGES", &mut l.max_pull_changes)?;
        number(&get, "PHARMA_SYNC_LIVE_AUTH_RECHECK_SECS", &mut l.live_auth_recheck_secs)?;
        number(&get, "PHARMA_SYNC_HEADER_READ_TIMEOUT_SECS", &mut l.header_read_timeout_secs)?;
        number(&get, "PHARMA_SYNC_BODY_READ_TIMEOUT_SECS", &mut l.body_read_timeout_secs)?;
        number(&get, "PHARMA_SYNC_MAX_OPEN_CONNECTIONS", &mut l.max_open_connections)?;
        number(&get, "PHARMA_SYNC_MAX_CONNECTIONS_PER_ADDRESS", &mut l.max_connections_per_address)?;
        number(&get, "PHARMA_SYNC_QUARANTINE_MAX_ROWS_PER_DEVICE", &mut l.quarantine_max_rows_per_device)?;
        number(&get, "PHARMA_SYNC_QUARANTINE_MAX_BYTES_PER_DEVICE", &mut l.quarantine_max_bytes_per_device)?;
        number(
            &get,
            "PHARMA_SYNC_ENROLL_ATTEMPTS_PER_MINUTE_PER_ADDRESS",
            &mut l.enroll_attempts_per_minute_per_address,
        )?;
        number(&get, "PHARMA_SYNC_MAX_CONNECTIONS", &mut self.max_connections)?;
        let f = &mut self.forecast;
        number(&get, "PHARMA_SYNC_FORECAST_ENABLED", &mut f.enabled)?;
        number(&get, "PHARMA_SYNC_FORECAST_RUN_HOUR", &mut f.run_hour)?;
        number(&get, "PHARMA_SYNC_FORECAST_CONCURRENCY", &mut f.concurrency)?;
        number(&get, "PHARMA_SYNC_FORECAST_CHECK_EVERY_SECS", &mut f.check_every_secs)?;
        Ok(())
    }
}

fn number<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    slot: &mut T,
) -> Result<(), ConfigError> {
    if let Some(v) = get(name) {
        *slot = v.trim().parse().map_err(|_| ConfigError::Env { name, value: v })?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn example_file_parses_and_environment_wins() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/sync-server.example.toml");
        let mut c = Config::from_file(&path).unwrap();
        assert_eq!(c.limits.max_changes_per_push, 5000);
        c.apply_env(|n| match n {
            "PHARMA_SYNC_LISTEN" => Some("0.0.0.0:9000".into()),
            "PHARMA_SYNC_MAX_BODY_BYTES" => Some("1024".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.limits.max_body_bytes, 1024);
        let e = c.apply_env(|n| (n == "PHARMA_SYNC_MAX_BODY_BYTES").then(|| "beaucoup".into())).unwrap_err();
        assert!(e.to_string().contains("PHARMA_SYNC_MAX_BODY_BYTES"), "{e}");
    }

    /// The example documents every setting: its values are the defaults, and every
    /// environment variable read here is named there with its key.
    #[test]
    fn example_file_lists_every_setting_with_its_default() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/sync-server.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let c = Config::from_file(&path).unwrap();
        assert_eq!(c.limits, Limits::default());
        assert_eq!(c.forecast, ForecastConfig::default());
        assert_eq!(Config { database_url: String::new(), ..c }, Config::default());
        let source = include_str!("config.rs");
        let names: Vec<&str> = source
            .split('"')
            .filter(|s| s.starts_with("PHARMA_SYNC_") && s.len() > "PHARMA_SYNC_".len())
            .collect();
        assert!(names.len() >= 20, "{names:?}");
        for name in names {
            assert!(text.contains(name), "{name} missing from the example");
            let key = name.trim_start_matches("PHARMA_SYNC_").to_lowercase();
            let key = key.strip_prefix("forecast_").unwrap_or(&key);
            let listed = text.lines().any(|l| {
                let l = l.trim_start_matches("# ");
                l.starts_with(&format!("{key} = "))
            });
            assert!(listed, "setting {key} missing from the example");
        }
    }
}
