//! The `guichet` program: configuration, the server, demo data and the operator's
//! command-line tools, wired from the `web` and `store` crates.

pub mod cli;
pub mod config;
pub mod demo;

use anyhow::Context;
use guichet_store::Store;
use guichet_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub use config::Settings;

/// Opens the configured database and brings its schema up to date.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = settings.database_url();
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("cannot open the database {}", guichet_store::redact(&url)))?;
    guichet_store::migrate::run(&store)
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

pub fn web_config(settings: &Settings) -> WebConfig {
    WebConfig {
        session_idle_timeout: Duration::from_secs(settings.session_idle_minutes.max(1) * 60),
        cookie_secure: settings.cookie_secure,
        trusted_origins: settings.trusted_origins.clone(),
        login_limits: guichet_store::throttle::Limits::default(),
        mail: (!settings.smtp_url.trim().is_empty()).then(|| {
            guichet_integrations::mail::MailConfig {
                url: settings.smtp_url.trim().to_owned(),
                from: settings.mail_from.trim().to_owned(),
            }
        }),
    }
}

/// Starts serving on `settings.bind` (port 0 picks a free port) with an open store.
pub async fn start(
    settings: &Settings,
    store: Store,
    web: WebConfig,
    stop_on_signal: bool,
) -> anyhow::Result<Server> {
    if let Some(mail) = &web.mail {
        guichet_integrations::mail::check(mail)
            .map_err(|e| anyhow::anyhow!("smtp_url / mail_from: {e}"))?;
    }
    let state = AppState {
        store: store.clone(),
        config: Arc::new(web),
        progress: Default::default(),
        import_plans: Default::default(),
    };
    let app = guichet_web::app(state.clone()).map_err(anyhow::Error::msg)?;
    let listener = TcpListener::bind(&settings.bind)
        .await
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    spawn_mailer(state.clone());
    spawn_maintenance(state);
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
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(e) = axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %e, "server stopped with an error");
        }
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

/// Forgets expired sessions and old sign-in failures every ten minutes.
/// Sends the queued e-mails through the configured SMTP server, every few seconds; a failure
/// is retried later (the outbox keeps it).
fn spawn_mailer(state: AppState) {
    let Some(mail) = state.config.mail.clone() else {
        return;
    };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            let due = state
                .store
                .read(|tx| Box::pin(async move { guichet_store::outbox::due(tx, 20).await }))
                .await;
            let due = match due {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox unreadable");
                    continue;
                }
            };
            for m in due {
                let sent =
                    guichet_integrations::mail::send(&mail, &m.to_address, &m.subject, &m.body)
                        .await;
                let (id, attempts) = (m.id, m.attempts);
                let error = sent.as_ref().err().map(|e| e.to_string());
                if let Some(e) = &error {
                    tracing::warn!(error = %e, "e-mail not sent, will retry");
                }
                let recorded = state
                    .store
                    .write(|tx| {
                        let error = error.clone();
                        Box::pin(async move {
                            match error {
                                None => guichet_store::outbox::mark_sent(tx, id).await,
                                Some(e) => {
                                    guichet_store::outbox::mark_failed(tx, id, attempts, &e).await
                                }
                            }
                        })
                    })
                    .await;
                if let Err(e) = recorded {
                    tracing::warn!(error = %e, "outbox not updated");
                }
            }
        }
    });
}

fn spawn_maintenance(state: AppState) {
    tokio::spawn(async move {
        let idle = i64::try_from(state.config.session_idle_timeout.as_micros()).unwrap_or(i64::MAX);
        let limits = state.config.login_limits;
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let swept = state
                .store
                .write(|tx| {
                    Box::pin(async move {
                        let s = guichet_store::sessions::sweep(tx, idle).await?;
                        let f = guichet_store::throttle::sweep(tx, limits).await?;
                        Ok((s, f))
                    })
                })
                .await;
            match swept {
                Ok((s, f)) if s + f > 0 => {
                    tracing::info!(sessions = s, login_failures = f, "maintenance sweep")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "maintenance sweep failed"),
            }
        }
    });
}
