//! Settings: defaults → `guichet.toml` (or `--config FILE`) → `GUICHET_*` environment →
//! command-line flags. With nothing set, Guichet keeps an SQLite database under
//! `./guichet-data/` and listens on 127.0.0.1:8080.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Address to listen on.
    pub bind: String,
    /// `sqlite://path` or `postgres://…`; empty means SQLite in `data_dir`.
    pub database_url: String,
    /// Where the embedded SQLite database lives.
    pub data_dir: String,
    /// Mark cookies `Secure`: set when Guichet is reached over HTTPS.
    pub cookie_secure: bool,
    /// Extra origins allowed to post forms (when a proxy rewrites `Host`).
    pub trusted_origins: Vec<String>,
    /// Reverse proxies (addresses or networks) whose `X-Forwarded-For` gives the client's
    /// address; from anyone else the header is ignored.
    pub trusted_proxies: Vec<guichet_web::client_address::ProxyNet>,
    /// The address people reach Guichet at, for links in e-mails (password reset,
    /// invitations); empty: `http://` + `bind`.
    pub public_url: String,
    /// A session unused for this many minutes ends.
    pub session_idle_minutes: u64,
    /// The SMTP server for e-mails to customers: `smtp://user:password@host:587?tls=required`,
    /// `smtps://…:465`; empty: e-mails are only prepared for the user's mail client.
    pub smtp_url: String,
    /// The sender of those e-mails: `Librairie du Pont <contact@librairie.example>`.
    pub mail_from: String,
    /// Uploaded customer files (imports) are removed this many days after their upload.
    pub import_retention_days: u32,
    /// Minutes a visitor's cart holds its places while they book online.
    pub hold_minutes: u64,
    /// How visitors pay the online part of a booking: `off` (only offers paid on site can
    /// be booked online) or `development` (a test page pays on demand: never for real
    /// money; `serve --demo` turns it on).
    pub online_payments: String,
    /// The server's key that seals secrets at rest (organizations' Stripe keys): 64
    /// hexadecimal digits (`openssl rand -hex 32`). Empty: Stripe cannot be set up. Keep it
    /// with the backups: without it the stored Stripe keys cannot be read.
    pub secrets_key: String,
    /// Stripe's API address (change it only to point at a fake Stripe in tests).
    pub stripe_api: String,
    /// Minutes between two synchronizations with Stripe (fees, refunds, payouts).
    pub stripe_sync_minutes: u64,
    /// Requests per minute the public booking pages take from one client address…
    pub public_requests_per_minute: u32,
    /// … and through one booking module, all visitors together.
    pub module_requests_per_minute: u32,
    /// Seconds a client has to send a request's headers, counted from when the server waits
    /// for them; a connection that sends nothing (idle, kept alive) is closed after as long.
    pub header_read_timeout_secs: u64,
    /// Seconds a client has to send a whole request body (uploads included).
    pub body_read_timeout_secs: u64,
    /// Seconds a client may take nothing of its response before the connection is closed.
    pub send_timeout_secs: u64,
    /// Connections served at once; further ones wait until one closes.
    pub max_connections: usize,
    /// Where `guichet backup` writes (empty: `backups` in `data_dir`).
    pub backup_dir: String,
    /// How many backups `guichet backup` keeps, the newest (0: all).
    pub backup_keep: usize,
}

impl Default for Settings {
    fn default() -> Self {
        let http = crate::HttpLimits::default();
        Settings {
            bind: "127.0.0.1:8080".into(),
            database_url: String::new(),
            data_dir: "./guichet-data".into(),
            cookie_secure: false,
            trusted_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            public_url: String::new(),
            session_idle_minutes: 8 * 60,
            smtp_url: String::new(),
            mail_from: String::new(),
            import_retention_days: 30,
            hold_minutes: 15,
            online_payments: "off".into(),
            secrets_key: String::new(),
            stripe_api: guichet_integrations::stripe::STRIPE_API.into(),
            stripe_sync_minutes: 15,
            public_requests_per_minute: guichet_web::public_limits::PublicRates::default()
                .per_address,
            module_requests_per_minute: guichet_web::public_limits::PublicRates::default()
                .per_module,
            header_read_timeout_secs: http.header_read_timeout.as_secs(),
            body_read_timeout_secs: http.body_read_timeout.as_secs(),
            send_timeout_secs: http.send_timeout.as_secs(),
            max_connections: http.max_connections,
            backup_dir: String::new(),
            backup_keep: 14,
        }
    }
}

impl Settings {
    /// Loads defaults, then the TOML file (the given one must exist; the default
    /// `guichet.toml` is optional), then `GUICHET_*` variables.
    pub fn load(config_file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match config_file {
            Some(path) => {
                if !path.exists() {
                    anyhow::bail!("configuration file {} not found", path.display());
                }
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file("guichet.toml")),
        }
        figment = figment.merge(Env::prefixed("GUICHET_").ignore(&["log"]));
        let settings: Settings = figment.extract()?;
        if !settings.secrets_key.trim().is_empty() {
            guichet_integrations::sealed::SealingKey::from_hex(&settings.secrets_key)
                .map_err(|e| anyhow::anyhow!("secrets_key: {e}"))?;
        }
        Ok(settings)
    }

    /// Where `guichet backup` writes by default.
    pub fn backup_dir(&self) -> std::path::PathBuf {
        if self.backup_dir.trim().is_empty() {
            Path::new(&self.data_dir).join("backups")
        } else {
            std::path::PathBuf::from(self.backup_dir.trim())
        }
    }

    pub fn database_url(&self) -> String {
        if self.database_url.trim().is_empty() {
            format!(
                "sqlite://{}/guichet.db",
                self.data_dir.trim_end_matches('/')
            )
        } else {
            self.database_url.clone()
        }
    }
}

#[cfg(test)]
// figment::Jail's closures must return figment::Error, whatever its size.
#[allow(clippy::result_large_err)]
mod tests {
    use super::Settings;
    use std::path::Path;

    #[test]
    fn defaults_then_file_then_environment() {
        figment::Jail::expect_with(|jail| {
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.bind, "127.0.0.1:8080");
            assert_eq!(s.database_url(), "sqlite://./guichet-data/guichet.db");

            jail.create_file(
                "guichet.toml",
                "bind = \"0.0.0.0:9000\"\ndata_dir = \"/srv/guichet\"\nsession_idle_minutes = 30\n",
            )?;
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.bind, "0.0.0.0:9000");
            assert_eq!(s.database_url(), "sqlite:///srv/guichet/guichet.db");
            assert_eq!(s.session_idle_minutes, 30);

            jail.set_env("GUICHET_BIND", "127.0.0.1:7000");
            jail.set_env("GUICHET_DATABASE_URL", "postgres://guichet@db/guichet");
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.bind, "127.0.0.1:7000", "environment beats the file");
            assert_eq!(s.database_url(), "postgres://guichet@db/guichet");
            assert_eq!(
                s.session_idle_minutes, 30,
                "the file still counts for the rest"
            );

            assert!(Settings::load(Some(Path::new("missing.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "guichet.toml",
                "trusted_proxies = [\"10.0.0.0/8\", \"127.0.0.1\"]\n",
            )?;
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.trusted_proxies.len(), 2);
            jail.create_file("guichet.toml", "trusted_proxies = [\"proxy.local\"]\n")?;
            let e = Settings::load(None).expect_err("refused");
            assert!(e.to_string().contains("trusted_proxies"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn a_bad_value_is_a_clear_error() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("guichet.toml", "session_idle_minutes = \"soon\"\n")?;
            let e = Settings::load(None).expect_err("refused");
            assert!(e.to_string().contains("session_idle_minutes"), "{e}");
            Ok(())
        });
    }
}
