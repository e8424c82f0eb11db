//! The background jobs: the e-mail sender and the maintenance sweep. The binary starts them
//! beside the server; they share the store with the use cases and keep their state in it
//! (the outbox, sessions, sign-in failures), so several servers may run them.

use crate::App;
use std::time::Duration;

/// Starts every background job of this server.
pub fn spawn_all(app: &App) {
    spawn_mailer(app.clone());
    spawn_maintenance(app.clone());
    spawn_hold_sweep(app.clone());
    spawn_stripe_sync(app.clone());
    spawn_accounting_mail(app.clone());
}

/// Mails last week's accounting exports to the accountants who asked for them, checked every
/// hour (each week is mailed once, whichever server claims it first).
fn spawn_accounting_mail(state: App) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = crate::accounting::send_weekly(&state).await {
                tracing::warn!(error = %e, "weekly accounting mail failed");
            }
        }
    });
}

/// Keeps fees, refunds, carts at Stripe and payouts up to date with Stripe, in case a
/// webhook was lost (issue 17).
fn spawn_stripe_sync(state: App) {
    if state.config.sealing_key.is_none() {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.config.stripe_sync_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = crate::stripe::sync_all(&state).await {
                tracing::warn!(error = %e, "Stripe sync failed");
            }
        }
    });
}

/// Gives back the places of expired holds (carts left alone), every
/// `hold_sweep_interval`: no request needs to come in for them to be free again.
fn spawn_hold_sweep(state: App) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.config.hold_sweep_interval);
        loop {
            tick.tick().await;
            match crate::holds::sweep(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(holds = n, "expired holds gave their places back"),
                Err(e) => tracing::warn!(error = %e, "hold sweep failed"),
            }
            // Carts left unbooked for a day go, with the visitor's details they kept.
            let day_ago = guichet_store::now_micros().saturating_sub(86_400_000_000);
            let swept = state
                .store
                .write(|tx| {
                    Box::pin(async move { guichet_store::online_carts::sweep(tx, day_ago).await })
                })
                .await;
            if let Err(e) = swept {
                tracing::warn!(error = %e, "online cart sweep failed");
            }
        }
    });
}

/// Sends the queued e-mails through the configured SMTP server, every few seconds; a failure
/// is retried later (the outbox keeps it).
fn spawn_mailer(state: App) {
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
                    guichet_integrations::mail::send_message(&mail, &m.to_address, &m.message)
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

/// Forgets expired sessions and old sign-in failures, and removes import files past their
/// retention, every ten minutes.
fn spawn_maintenance(state: App) {
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
                        let f = guichet_store::throttle::sweep(tx, limits.window_micros).await?
                            + guichet_store::signin::sweep(tx).await?;
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
            let days = state.config.import_retention_days;
            match crate::customer_imports::purge_expired(&state, days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    import_files = n,
                    "import files past their retention removed"
                ),
                Err(e) => tracing::warn!(error = %e, "import files not swept"),
            }
        }
    });
}
