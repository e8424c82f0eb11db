//! API keys for integrations.

pub use guichet_store::api_keys::ApiKey;

use crate::Actor;
use crate::App;
use crate::AppError;
use crate::users::parse_role;
use guichet_domain::validation::FieldErrors;
use guichet_domain::{ApiKeyId, Permission, text};
use guichet_store::api_keys;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ApiKeyInput {
    pub name: String,
    /// The role the key acts with: `admin`, `manager` or `seller`.
    pub role: String,
}

pub async fn api_keys(state: &App, actor: &Actor) -> Result<Vec<ApiKey>, AppError> {
    actor.require(Permission::ManageApiKeys)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { api_keys::list(tx, tenant).await }))
        .await?)
}

pub async fn create_api_key(
    state: &App,
    actor: &Actor,
    input: &ApiKeyInput,
) -> Result<(ApiKey, String), AppError> {
    actor.require(Permission::ManageApiKeys)?;
    let mut e = FieldErrors::new();
    let name = e.check("name", text::required(&input.name, 80));
    let role = parse_role(&mut e, &input.role);
    e.into_result()?;
    let (Some(name), Some(role)) = (name, role) else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let tenant = actor.tenant;
    let by = actor.user_id();
    Ok(state
        .store
        .write(|tx| {
            let name = name.clone();
            Box::pin(async move { api_keys::create(tx, tenant, &name, role, by).await })
        })
        .await?)
}

pub async fn revoke_api_key(state: &App, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, AppError> {
    actor.require(Permission::ManageApiKeys)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { api_keys::revoke(tx, tenant, id).await }))
        .await?)
}
