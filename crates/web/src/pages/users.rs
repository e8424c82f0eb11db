//! Users of the organization: create with a password, invite by link, change role,
//! disable and re-enable.

use super::support::{Flash, OrPage, done, form_errors, parse_id};
use crate::auth::{Ctx, PageCtx};
use crate::error::PageError;
use crate::state::AppState;
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use guichet_app::users::{Invitation, Member};
use guichet_app::users::{InvitationInput, NewMemberInput};
use guichet_domain::{FieldErrors, InvitationId, UserId};
use serde::Deserialize;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/users", get(list).post(create))
        .route("/account/users/{id}", get(edit).post(update))
        .route("/account/users/{id}/disable", post(disable))
        .route("/account/invitations", post(invite))
        .route("/account/invitations/{id}/revoke", post(revoke_invitation))
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    tr: Tr,
    nav: Nav,
    members: Vec<Member>,
    invitations: Vec<Invitation>,
    invitation_link: Option<String>,
    create: NewMemberInput,
    create_errors: FieldErrors,
    invite: InvitationInput,
    invite_errors: FieldErrors,
    time_zone: String,
}

struct Forms {
    create: NewMemberInput,
    create_errors: FieldErrors,
    invite: InvitationInput,
    invite_errors: FieldErrors,
    invitation_link: Option<String>,
}

impl Default for Forms {
    fn default() -> Self {
        Forms {
            create: NewMemberInput {
                role: "seller".into(),
                language: "fr".into(),
                ..Default::default()
            },
            create_errors: FieldErrors::new(),
            invite: InvitationInput {
                role: "seller".into(),
                ..Default::default()
            },
            invite_errors: FieldErrors::new(),
            invitation_link: None,
        }
    }
}

async fn users_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    forms: Forms,
) -> Result<Response, PageError> {
    let (members, invitations) = guichet_app::users::members(state, ctx).await.or_page(ctx)?;
    let time_zone = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let status = if forms.create_errors.is_empty() && forms.invite_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &UsersPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/account/users", flash),
            members,
            invitations,
            invitation_link: forms.invitation_link,
            create: forms.create,
            create_errors: forms.create_errors,
            invite: forms.invite,
            invite_errors: forms.invite_errors,
            time_zone,
        },
    ))
}

pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    users_page(&state, &ctx, flash.key(), Forms::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<NewMemberInput>,
) -> Result<Response, PageError> {
    match guichet_app::users::create_member(&state, &ctx, &form).await {
        Ok(_) => Ok(done("/account/users", "user-created")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let forms = Forms {
                create: NewMemberInput {
                    password: String::new(),
                    ..form
                },
                create_errors: errors,
                ..Default::default()
            };
            users_page(&state, &ctx, None, forms).await
        }
    }
}

/// The link the invited person opens, on the address this server is reached at.
fn invitation_link(headers: &HeaderMap, token: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("http");
    format!("{scheme}://{host}/invitation/{token}")
}

pub async fn invite(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    headers: HeaderMap,
    Form(form): Form<InvitationInput>,
) -> Result<Response, PageError> {
    match guichet_app::users::invite(&state, &ctx, &form).await {
        Ok((_, token)) => {
            let forms = Forms {
                invitation_link: Some(invitation_link(&headers, &token)),
                ..Default::default()
            };
            users_page(&state, &ctx, None, forms).await
        }
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            users_page(
                &state,
                &ctx,
                None,
                Forms {
                    invite: form,
                    invite_errors: errors,
                    ..Default::default()
                },
            )
            .await
        }
    }
}

pub async fn revoke_invitation(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: InvitationId = parse_id(&id, &ctx)?;
    guichet_app::users::revoke_invitation(&state, &ctx, id)
        .await
        .or_page(&ctx)?;
    Ok(done("/account/users", "invitation-revoked"))
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    tr: Tr,
    nav: Nav,
    member: Member,
    errors: FieldErrors,
}

fn member_page(ctx: &Ctx, member: Member, errors: FieldErrors) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &MemberPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/account/users", None),
            member,
            errors,
        },
    )
}

pub async fn edit(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let member = guichet_app::users::member(&state, &ctx, parse_id(&id, &ctx)?)
        .await
        .or_page(&ctx)?;
    Ok(member_page(&ctx, member, FieldErrors::new()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

pub async fn update(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Result<Response, PageError> {
    let id: UserId = parse_id(&id, &ctx)?;
    match guichet_app::users::change_member(&state, &ctx, id, Some(&form.role), None).await {
        Ok(_) => Ok(done("/account/users", "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let member = guichet_app::users::member(&state, &ctx, id)
                .await
                .or_page(&ctx)?;
            Ok(member_page(&ctx, member, errors))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DisableForm {
    disabled: String,
}

pub async fn disable(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<DisableForm>,
) -> Result<Response, PageError> {
    let id: UserId = parse_id(&id, &ctx)?;
    let disabled = form.disabled != "false";
    match guichet_app::users::change_member(&state, &ctx, id, None, Some(disabled)).await {
        Ok(_) => Ok(done(
            "/account/users",
            if disabled {
                "user-disabled"
            } else {
                "user-enabled"
            },
        )),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let member = guichet_app::users::member(&state, &ctx, id)
                .await
                .or_page(&ctx)?;
            Ok(member_page(&ctx, member, errors))
        }
    }
}
