//! The `guichet` program: configuration, the server, demo data and the operator's
//! command-line tools, wired from the `web` and `store` crates.

pub mod cli;
pub mod config;
pub mod demo;
pub mod serve;

use anyhow::Context;
use guichet_app::Store;
use guichet_app::{App, AppConfig};
use guichet_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub use config::Settings;
pub use serve::HttpLimits;

/// Opens the configured database and brings its schema up to date.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = settings.database_url();
    let store = Store::connect(&url).await.with_context(|| {
        format!(
            "cannot open the database {}",
            guichet_app::operator::redact(&url)
        )
    })?;
    guichet_app::migrate(&store)
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

/// A running server (used by `serve` and by the integration tests).
pub struct Server {
    pub addr: SocketAddr,
    pub store: Store,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Stops accepting connections and waits for running requests.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
        self.store.close().await;
    }

    /// Waits until the server stops (Ctrl-C or SIGTERM in `serve`).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// What the server runs with besides its database: the use cases' settings and the web
/// layer's.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    pub app: AppConfig,
    pub web: WebConfig,
    pub http: HttpLimits,
}

pub fn server_config(settings: &Settings) -> ServerConfig {
    ServerConfig {
        app: AppConfig {
            session_idle_timeout: Duration::from_secs(settings.session_idle_minutes.max(1) * 60),
            mail: (!settings.smtp_url.trim().is_empty()).then(|| {
                guichet_integrations::mail::MailConfig {
                    url: settings.smtp_url.trim().to_owned(),
                    from: settings.mail_from.trim().to_owned(),
                }
            }),
            import_retention_days: settings.import_retention_days,
            public_url: public_url(settings),
            hold_duration: Duration::from_secs(settings.hold_minutes.clamp(1, 24 * 60) * 60),
            online_payments: match settings.online_payments.trim() {
                "development" => guichet_app::booking::OnlinePayments::Development,
                _ => guichet_app::booking::OnlinePayments::Off,
            },
            sealing_key: guichet_integrations::sealed::SealingKey::from_hex(&settings.secrets_key)
                .ok(),
            stripe_api: settings.stripe_api.trim().to_owned(),
            stripe_sync_interval: Duration::from_secs(settings.stripe_sync_minutes.max(1) * 60),
            ..AppConfig::default()
        },
        web: WebConfig {
            cookie_secure: settings.cookie_secure,
            trusted_origins: settings.trusted_origins.clone(),
            trusted_proxies: settings.trusted_proxies.clone(),
            public_url: Some(settings.public_url.trim().trim_end_matches('/'))
                .filter(|u| !u.is_empty())
                .map(str::to_owned),
            public_rates: guichet_web::public_limits::PublicRates {
                per_address: settings.public_requests_per_minute.max(1),
                per_module: settings.module_requests_per_minute.max(1),
            },
        },
        http: HttpLimits {
            header_read_timeout: Duration::from_secs(settings.header_read_timeout_secs.max(1)),
            body_read_timeout: Duration::from_secs(settings.body_read_timeout_secs.max(1)),
            send_timeout: Duration::from_secs(settings.send_timeout_secs.max(1)),
            max_connections: settings.max_connections.max(1),
        },
    }
}

/// The base of links in e-mails: the configured public address, else the bind address.
fn public_url(settings: &Settings) -> String {
    let configured = settings.public_url.trim().trim_end_matches('/');
    if configured.is_empty() {
        format!("http://{}", settings.bind)
    } else {
        configured.to_owned()
    }
}

/// Starts serving on `settings.bind` (port 0 picks a free port) with an open store, and the
/// background jobs beside it.
pub async fn start(
    settings: &Settings,
    store: Store,
    config: ServerConfig,
    stop_on_signal: bool,
) -> anyhow::Result<Server> {
    if let Some(mail) = &config.app.mail {
        guichet_integrations::mail::check(mail)
            .map_err(|e| anyhow::anyhow!("smtp_url / mail_from: {e}"))?;
    }
    let app = App::new(store.clone(), config.app);
    let state = AppState {
        app: app.clone(),
        limits: guichet_web::public_limits::PublicLimits::new(config.web.public_rates),
        web: Arc::new(config.web),
    };
    let router = guichet_web::app(state).map_err(anyhow::Error::msg)?;
    let listener = TcpListener::bind(&settings.bind)
        .await
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    guichet_app::jobs::spawn_all(&app);
    let task = tokio::spawn(async move {
        let shutdown = async move {
            if stop_on_signal {
                tokio::select! {
                    _ = rx => {}
                    _ = shutdown_signal() => {}
                }
            } else {
                let _ = rx.await;
            }
        };
        serve::serve(listener, router, config.http, shutdown).await;
    });
    Ok(Server {
        addr,
        store,
        shutdown: Some(tx),
        task,
    })
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
