//! `/api/v1/users`, `/api/v1/invitations`: the organization's members and invitations.

use super::extract::{ApiJson, ApiQuery, ApiResult, PageQuery, id, page_schema, paged};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::users::{Invitation, InvitationInput, Member, MemberAdded, NewMemberInput};
use guichet_domain::{InvitationId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, change_user))
        .routes(routes!(list_invitations, create_invitation))
        .routes(routes!(revoke_invitation))
}

page_schema!(MemberPage, Member);
page_schema!(InvitationPage, Invitation);

/// The organization's members, in the order their accounts were created, a page at a time.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery),
    responses((status = 200, body = MemberPage), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_users(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<MemberPage> {
    let rows = guichet_app::users::members(&state, &ctx).await?.0;
    paged(rows, |m| m.id.0, &page)
}

/// Adds a user: a new e-mail gets an account with this name and password at once; an e-mail
/// that already has a Guichet account is sent an invitation its owner accepts. The answer is
/// the same in both cases (`GET /api/v1/users` lists the member once they are one).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewMemberInput,
    responses((status = 202, body = MemberAdded), (status = 422, body = Problem)))]
async fn create_user(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<NewMemberInput>,
) -> Result<(StatusCode, Json<MemberAdded>), ApiError> {
    Ok((
        StatusCode::ACCEPTED,
        Json(guichet_app::users::create_member(&state, &ctx, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = Member), (status = 404, body = Problem)))]
async fn get_user(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Member> {
    Ok(Json(
        guichet_app::users::member(&state, &ctx, id::<UserId>(&raw)?).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct MemberChange {
    /// New role: `admin`, `manager` or `seller`.
    role: Option<String>,
    /// `true` disables the user in this organization and ends their sessions here.
    disabled: Option<bool>,
}

/// Changes a user's role or disables/enables them. The last active admin cannot be demoted or disabled.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)), request_body = MemberChange,
    responses((status = 200, body = Member), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn change_user(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<MemberChange>,
) -> ApiResult<Member> {
    Ok(Json(
        guichet_app::users::change_member(
            &state,
            &ctx,
            id::<UserId>(&raw)?,
            input.role.as_deref(),
            input.disabled,
        )
        .await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct CreatedInvitation {
    invitation: Invitation,
    /// The secret token; the invited person opens `/invitation/{token}`. Shown once.
    token: String,
}

/// Invites someone by e-mail with a role; the link is valid seven days.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "users", request_body = InvitationInput,
    responses((status = 201, body = CreatedInvitation), (status = 422, body = Problem)))]
async fn create_invitation(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<InvitationInput>,
) -> Result<(StatusCode, Json<CreatedInvitation>), ApiError> {
    let (invitation, token) = guichet_app::users::invite(&state, &ctx, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedInvitation { invitation, token }),
    ))
}

/// Pending invitations (not yet accepted, revoked or expired), in creation order, a page at
/// a time.
#[utoipa::path(get, path = "/api/v1/invitations", tag = "users", params(PageQuery),
    responses((status = 200, body = InvitationPage), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_invitations(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<InvitationPage> {
    let rows = guichet_app::users::members(&state, &ctx).await?.1;
    paged(rows, |i| i.id.0, &page)
}

/// Cancels a pending invitation: its link stops working.
#[utoipa::path(delete, path = "/api/v1/invitations/{id}", tag = "users", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn revoke_invitation(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    guichet_app::users::revoke_invitation(&state, &ctx, id::<InvitationId>(&raw)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
