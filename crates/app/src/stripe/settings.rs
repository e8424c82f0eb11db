//! The organization's Stripe account (Compte › TPE virtuel): its keys sealed at rest and
//! shown only by their ends, the statement descriptor, the fee rule, the accounts, and the
//! connection test.

use super::*;

/// The account's settings as the admin sees them: never the keys, only their ends.
#[derive(Debug, Clone)]
pub struct StripeSettings {
    pub configured: bool,
    /// The server has a key to seal the Stripe keys with.
    pub sealing_available: bool,
    pub secret_key_hint: String,
    pub webhook_secret_hint: String,
    pub statement_descriptor: String,
    pub fee_basis_points: i64,
    pub ideal_enabled: bool,
    pub revenue_account: String,
    pub fees_account: String,
    pub bank_account: String,
    pub account_name: Option<String>,
    pub tested_at: Option<i64>,
    /// The address to give Stripe for the webhook.
    pub webhook_url: String,
}

/// What the admin types; a key left blank keeps the stored one.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SettingsInput {
    pub secret_key: String,
    pub webhook_secret: String,
    pub statement_descriptor: String,
    /// "3", "2,9", "1.4".
    pub fee_percent: String,
    pub ideal_enabled: bool,
    pub revenue_account: String,
    pub fees_account: String,
    pub bank_account: String,
}

/// The last four characters, the rest masked: enough to recognize a key.
pub(super) fn hint(secret: &str) -> String {
    let n = secret.chars().count();
    let tail: String = secret.chars().skip(n.saturating_sub(4)).collect();
    let head: String = secret.chars().take_while(|c| *c != '_').collect();
    format!("{head}_…{tail}")
}

pub(super) fn webhook_url(state: &App, slug: &str) -> String {
    format!(
        "{}/webhooks/stripe/{slug}",
        state.config.public_url.trim_end_matches('/')
    )
}

/// The account's settings (Compte › TPE virtuel).
pub async fn settings(state: &App, actor: &Actor) -> Result<StripeSettings, AppError> {
    actor.require(Permission::EditOrganization)?;
    let o = org(state, actor.tenant).await?;
    let a = stored(state, actor.tenant).await?;
    Ok(StripeSettings {
        configured: a.is_some(),
        sealing_available: state.config.sealing_key.is_some(),
        secret_key_hint: a
            .as_ref()
            .map(|a| a.secret_key_hint.clone())
            .unwrap_or_default(),
        webhook_secret_hint: a
            .as_ref()
            .map(|a| a.webhook_secret_hint.clone())
            .unwrap_or_default(),
        statement_descriptor: a
            .as_ref()
            .map(|a| a.statement_descriptor.clone())
            .unwrap_or_else(|| rules::default_descriptor(&o.name)),
        fee_basis_points: a
            .as_ref()
            .map_or(DEFAULT_FEE_BASIS_POINTS, |a| a.fee_basis_points),
        ideal_enabled: a.as_ref().is_some_and(|a| a.ideal_enabled),
        revenue_account: a.as_ref().map_or_else(
            || rules::DEFAULT_REVENUE_ACCOUNT.into(),
            |a| a.revenue_account.clone(),
        ),
        fees_account: a.as_ref().map_or_else(
            || rules::DEFAULT_FEES_ACCOUNT.into(),
            |a| a.fees_account.clone(),
        ),
        bank_account: a.as_ref().map_or_else(
            || rules::DEFAULT_BANK_ACCOUNT.into(),
            |a| a.bank_account.clone(),
        ),
        account_name: a.as_ref().and_then(|a| a.stripe_account_name.clone()),
        tested_at: a.as_ref().and_then(|a| a.tested_at),
        webhook_url: webhook_url(state, &o.slug),
    })
}

/// A percentage as people type it ("3", "2,9 %") in basis points, 0 to 100 %.
pub(super) fn percent_bp(s: &str) -> Option<i64> {
    guichet_domain::VatRate::parse_percent(s)
        .ok()
        .map(|r| i64::from(r.basis_points()))
        .filter(|bp| *bp <= 10_000)
}

pub(super) fn account_number(e: &mut FieldErrors, field: &str, s: &str) -> String {
    let s = s.trim();
    if s.is_empty() || s.len() > 20 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        e.add(field, "invalid_account");
    }
    s.to_owned()
}

/// Saves the account's settings; the keys are sealed with the server's key and a blank key
/// keeps the stored one. The first save needs both keys.
pub async fn save_settings(
    state: &App,
    actor: &Actor,
    input: &SettingsInput,
) -> Result<(), AppError> {
    actor.require(Permission::EditOrganization)?;
    let Some(key) = state.config.sealing_key.clone() else {
        return Err(AppError::Conflict("sealing_key_missing"));
    };
    let tenant = actor.tenant;
    let old = stored(state, tenant).await?;
    let o = org(state, tenant).await?;
    let mut e = FieldErrors::new();
    let secret = input.secret_key.trim();
    let webhook = input.webhook_secret.trim();
    let sealed = |plain: &str| key.seal(plain, rand::random());
    let (secret_sealed, secret_hint) = match (secret, &old) {
        ("", Some(a)) => (a.secret_key_sealed.clone(), a.secret_key_hint.clone()),
        ("", None) => {
            e.add("secret_key", "required");
            (String::new(), String::new())
        }
        (s, _) if !(s.starts_with("sk_") || s.starts_with("rk_")) || s.len() > 255 => {
            e.add("secret_key", "invalid_stripe_key");
            (String::new(), String::new())
        }
        (s, _) => (sealed(s), hint(s)),
    };
    let (webhook_sealed, webhook_hint) = match (webhook, &old) {
        ("", Some(a)) => (
            a.webhook_secret_sealed.clone(),
            a.webhook_secret_hint.clone(),
        ),
        ("", None) => {
            e.add("webhook_secret", "required");
            (String::new(), String::new())
        }
        (s, _) if !s.starts_with("whsec_") || s.len() > 255 => {
            e.add("webhook_secret", "invalid_webhook_secret");
            (String::new(), String::new())
        }
        (s, _) => (sealed(s), hint(s)),
    };
    let descriptor = if input.statement_descriptor.trim().is_empty() {
        rules::default_descriptor(&o.name)
    } else {
        match rules::check_descriptor(&input.statement_descriptor) {
            Ok(d) => d,
            Err(err) => {
                e.add("statement_descriptor", err.code());
                String::new()
            }
        }
    };
    let fee = if input.fee_percent.trim().is_empty() {
        DEFAULT_FEE_BASIS_POINTS
    } else {
        percent_bp(&input.fee_percent).unwrap_or_else(|| {
            e.add("fee_percent", "invalid_percent");
            0
        })
    };
    let revenue = account_number(&mut e, "revenue_account", &input.revenue_account);
    let fees = account_number(&mut e, "fees_account", &input.fees_account);
    let bank = account_number(&mut e, "bank_account", &input.bank_account);
    e.into_result()?;
    let keys_changed = !secret.is_empty();
    let account = db::Account {
        secret_key_sealed: secret_sealed,
        secret_key_hint: secret_hint,
        webhook_secret_sealed: webhook_sealed,
        webhook_secret_hint: webhook_hint,
        statement_descriptor: descriptor,
        fee_basis_points: fee,
        ideal_enabled: input.ideal_enabled,
        revenue_account: revenue,
        fees_account: fees,
        bank_account: bank,
        // A new key is another account until it is tested.
        stripe_account_name: old
            .as_ref()
            .filter(|_| !keys_changed)
            .and_then(|a| a.stripe_account_name.clone()),
        tested_at: old
            .as_ref()
            .filter(|_| !keys_changed)
            .and_then(|a| a.tested_at),
        updated_at: 0,
    };
    let by = actor.user_id();
    state
        .store
        .write(|tx| {
            let account = account.clone();
            Box::pin(async move { db::save_account(tx, tenant, &account, by).await })
        })
        .await?;
    tracing::info!(organization = %tenant.id().0, "Stripe settings saved");
    Ok(())
}

/// "Test the connection": the keys open and Stripe knows the secret key. Returns the
/// account's name as Stripe shows it.
pub async fn test_connection(state: &App, actor: &Actor) -> Result<String, AppError> {
    actor.require(Permission::EditOrganization)?;
    let tenant = actor.tenant;
    let c = connected(state, tenant).await?;
    let account = c.stripe.account().await.map_err(stripe_error)?;
    let name = account.name();
    let n = name.clone();
    state
        .store
        .write(|tx| {
            let n = n.clone();
            Box::pin(async move { db::set_tested(tx, tenant, Some(&n)).await })
        })
        .await?;
    Ok(name)
}
