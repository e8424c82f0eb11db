//! What every handler is given: the application and the web layer's settings.

use guichet_app::App;
use std::sync::Arc;

/// Settings of the web layer itself (the binary builds them from configuration).
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when Guichet is served over HTTPS).
    pub cookie_secure: bool,
    /// Origins allowed to post forms besides the server's own (behind a proxy that
    /// rewrites `Host`), e.g. `https://guichet.example.be`.
    pub trusted_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (sign-in throttling per client).
    pub trusted_proxies: Vec<crate::client_address::ProxyNet>,
    /// The address the public reaches Guichet at, when configured (`public_url`), for the
    /// booking modules' snippets and links; unset, the request's own origin is shown.
    pub public_url: Option<String>,
    /// Requests per minute the public booking pages allow per client and per module.
    pub public_rates: crate::public_limits::PublicRates,
}

/// What every handler gets: the application (its use cases take `&App`, which `&AppState`
/// derefs to) and the web layer's settings.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebConfig>,
    /// The public booking pages' rate limits (this server's memory).
    pub limits: crate::public_limits::PublicLimits,
}

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}
