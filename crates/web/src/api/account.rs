//! `/api/v1/me`, `/api/v1/organizations`, `/api/v1/organization`: who is calling and the
//! organization they act in.

use super::extract::{ApiJson, ApiQuery, ApiResult, PageQuery, page_schema, paged};
use crate::auth::ApiCtx;
use crate::error::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use guichet_app::organization::Organization;
use guichet_app::users::MembershipSummary;
use guichet_domain::org::OrganizationInput;
use guichet_domain::{OrganizationId, Role};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_organizations))
        .routes(routes!(get_organization, update_organization))
}

// ---------------------------------------------------------------- who am I

#[derive(Serialize, ToSchema)]
struct Me {
    /// The signed-in user; absent when an API key calls.
    user: Option<guichet_app::users::User>,
    organization_id: OrganizationId,
    role: Role,
    via_api_key: bool,
}

/// Who is calling, in which organization, with which role.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(ApiCtx(ctx): ApiCtx) -> ApiResult<Me> {
    Ok(Json(Me {
        user: ctx.user.clone(),
        organization_id: ctx.tenant.id(),
        role: ctx.role,
        via_api_key: ctx.api_key.is_some(),
    }))
}

page_schema!(MembershipPage, MembershipSummary);

/// The organizations the caller may act in (one for an API key), in creation order, a page at
/// a time.
#[utoipa::path(get, path = "/api/v1/organizations", tag = "account", params(PageQuery),
    responses((status = 200, body = MembershipPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn list_organizations(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<MembershipPage> {
    let rows = if ctx.api_key.is_some() {
        let name = guichet_app::organization::organization_name(&state, ctx.tenant).await?;
        vec![MembershipSummary {
            organization_id: ctx.tenant.id(),
            organization_name: name,
            role: ctx.role,
        }]
    } else {
        ctx.memberships.clone()
    };
    paged(rows, |m| m.organization_id.0, &page)
}

// ---------------------------------------------------------------- organization and sites

/// The current organization's details.
#[utoipa::path(get, path = "/api/v1/organization", tag = "account", responses((status = 200, body = Organization), (status = 403, body = Problem)))]
async fn get_organization(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Organization> {
    Ok(Json(
        guichet_app::organization::organization(&state, &ctx).await?,
    ))
}

/// Replaces the organization's details (admin).
#[utoipa::path(put, path = "/api/v1/organization", tag = "account", request_body = OrganizationInput,
    responses((status = 200, body = Organization), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn update_organization(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> ApiResult<Organization> {
    Ok(Json(
        guichet_app::organization::update_organization(&state, &ctx, &input).await?,
    ))
}
