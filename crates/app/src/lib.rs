//! The use cases: everything a cashier, a manager, an accountant, an integration or a
//! background job can do, whatever the channel (pages, API, CLI, demo, jobs). Each checks the
//! [`Actor`]'s permission, parses its input into domain values, applies the domain's rules and
//! runs one store transaction; it knows nothing of HTTP, cookies or templates, so a page and
//! its API endpoint obey the same rules and give the same errors.
//!
//! Layers: `web → app → store → domain`, and `app → integrations`.

pub mod accounting;
pub mod actor;
pub mod api_keys;
pub mod backups;
pub mod booking;
pub mod booking_mail;
pub mod booking_modules;
pub mod catalogue;
pub mod clock;
pub mod closing;
pub mod customer_imports;
pub mod customers;
pub mod documents;
pub mod error;
pub mod files;
pub mod groups;
pub mod holds;
pub mod jobs;
pub mod media;
pub mod offers;
pub mod operator;
pub mod orders;
pub mod organization;
pub mod paging;
pub mod password;
pub mod password_reset;
pub mod pictures;
pub mod planning;
pub mod progress;
pub mod promotions;
pub mod registers;
pub mod reservations;
pub mod sessions;
pub mod shop;
pub mod statistics;
pub mod stripe;
pub mod users;
pub mod vat_rates;

pub use actor::Actor;
pub use clock::Clock;
pub use error::AppError;
pub use guichet_store::{Store, Tenant};

use std::sync::Arc;
use std::time::Duration;

/// Settings the use cases need (the binary builds them from its configuration).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A session unused for this long ends.
    pub session_idle_timeout: Duration,
    /// How sign-in failures slow down the next attempts.
    pub login_limits: guichet_domain::signin::Backoff,
    /// The SMTP server e-mails go through; none: e-mails are written in the user's own mail
    /// client (`mailto:` links) only.
    pub mail: Option<guichet_integrations::mail::MailConfig>,
    /// Uploaded customer files are removed this many days after their upload (the
    /// maintenance sweep); the import's record stays.
    pub import_retention_days: u32,
    /// The address people reach Guichet at, for the links in e-mails (never taken from a
    /// request, whose `Host` a client chooses).
    pub public_url: String,
    /// How long a cart holds its places while the visitor books ([`holds`]).
    pub hold_duration: Duration,
    /// How often expired holds give their places back.
    pub hold_sweep_interval: Duration,
    /// How the online part of a booking is paid ([`booking::OnlinePayments`]).
    pub online_payments: booking::OnlinePayments,
    /// The server's key sealing secrets at rest (organizations' Stripe keys); none: Stripe
    /// cannot be set up.
    pub sealing_key: Option<guichet_integrations::sealed::SealingKey>,
    /// Stripe's API address (a fake Stripe's in tests).
    pub stripe_api: String,
    /// How often fees, refunds, carts at Stripe and payouts are synchronized with Stripe.
    pub stripe_sync_interval: Duration,
    /// What time it is for a sale and a register's opening and closing ([`clock`]): the
    /// system's, but for the demo's history and tests.
    pub clock: Clock,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            session_idle_timeout: Duration::from_secs(8 * 3600),
            login_limits: guichet_domain::signin::Backoff::default(),
            mail: None,
            import_retention_days: 30,
            public_url: "http://localhost:8080".into(),
            hold_duration: Duration::from_secs(15 * 60),
            // Well within the minute the issue allows between expiry and the places' return.
            hold_sweep_interval: Duration::from_secs(15),
            online_payments: booking::OnlinePayments::Off,
            sealing_key: None,
            stripe_api: guichet_integrations::stripe::STRIPE_API.into(),
            stripe_sync_interval: Duration::from_secs(15 * 60),
            clock: Clock::system(),
        }
    }
}

/// The application: the store, its settings, and what lives in memory between two requests.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<AppConfig>,
    pub progress: progress::Progress,
    /// Customer imports checked and waiting for their confirmation.
    pub import_plans: customer_imports::Plans,
}

impl App {
    pub fn new(store: Store, config: AppConfig) -> App {
        App {
            store,
            config: Arc::new(config),
            progress: Default::default(),
            import_plans: Default::default(),
        }
    }

    /// Whether the database answers (the health check).
    pub async fn ping(&self) -> Result<(), AppError> {
        Ok(self.store.ping().await?)
    }
}

/// Brings a database's schema up to date (the binary at start-up, `guichet migrate`, the
/// benchmarks).
pub async fn migrate(store: &Store) -> Result<(), AppError> {
    Ok(guichet_store::migrate::run(store).await?)
}
