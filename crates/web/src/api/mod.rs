//! REST API `/api/v1`: the same use cases and permissions as the pages, JSON in and out,
//! errors as `application/problem+json` with a stable `code`. Authentication by
//! `Authorization: Bearer <API key>` or by the session cookie. The OpenAPI document is
//! generated from these handlers (`/api/v1/openapi.json`, viewer at `/api/docs`).

mod catalogue;
mod closing;
mod customer_imports;
mod documents;
pub(crate) mod offers;
mod orders;
mod planning;
mod promotions;
mod reservations;
mod shop;

use crate::AppState;
use crate::auth::ApiCtx;
use crate::error::{ApiError, AppError, Problem, problem_response};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Json, Router};
use guichet_app::api_keys::ApiKey;
use guichet_app::api_keys::ApiKeyInput;
use guichet_app::organization::Organization;
use guichet_app::organization::Site;
use guichet_app::registers::Register;
use guichet_app::users::{Invitation, Member, MembershipSummary};
use guichet_app::users::{InvitationInput, NewMemberInput};
use guichet_app::vat_rates::{Removal, StoredVatRate as VatRate};
use guichet_domain::org::{OrganizationInput, RegisterInput, SiteInput};
use guichet_domain::{
    ApiKeyId, InvitationId, OrganizationId, RegisterId, Role, SiteId, UserId, VatRateId,
};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Guichet API", version = "1", description = "Point of sale, ticketing and customer management. Amounts are integer cents, rates are basis points, instants are microseconds since the Unix epoch (UTC)."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(Problem))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key created by an admin (Account › API keys)."))
                    .build(),
            ),
        );
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(list_organizations))
        .routes(routes!(get_organization, update_organization))
        .routes(routes!(list_sites, create_site))
        .routes(routes!(get_site, update_site))
        .routes(routes!(archive_site))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, change_user))
        .routes(routes!(list_invitations, create_invitation))
        .routes(routes!(revoke_invitation))
        .routes(routes!(list_vat_rates, create_vat_rate))
        .routes(routes!(get_vat_rate, update_vat_rate, delete_vat_rate))
        .routes(routes!(archive_vat_rate))
        .routes(routes!(list_registers, create_register))
        .routes(routes!(get_register, update_register))
        .routes(routes!(archive_register))
        .routes(routes!(closing::open))
        .routes(routes!(closing::current))
        .routes(routes!(closing::cash_movement))
        .routes(routes!(closing::list))
        .routes(routes!(closing::open_sessions))
        .routes(routes!(closing::get))
        .routes(routes!(closing::report))
        .routes(routes!(closing::close))
        .routes(routes!(closing::summary))
        .routes(routes!(list_api_keys, create_api_key))
        .routes(routes!(revoke_api_key))
        .routes(routes!(
            catalogue::list_ticket_types,
            catalogue::create_ticket_type
        ))
        .routes(routes!(
            catalogue::get_ticket_type,
            catalogue::update_ticket_type
        ))
        .routes(routes!(catalogue::archive_ticket_type))
        .routes(routes!(catalogue::list_extras, catalogue::create_extra))
        .routes(routes!(catalogue::get_extra, catalogue::update_extra))
        .routes(routes!(catalogue::archive_extra))
        .routes(routes!(
            catalogue::set_ticket_type_picture,
            catalogue::remove_ticket_type_picture
        ))
        .routes(routes!(
            catalogue::set_extra_picture,
            catalogue::remove_extra_picture
        ))
        .routes(routes!(offers::list_groups, offers::create_group))
        .routes(routes!(offers::rename_group, offers::delete_group))
        .routes(routes!(offers::move_group))
        .routes(routes!(offers::list_offers, offers::create_offer))
        .routes(routes!(offers::get_offer, offers::update_offer))
        .routes(routes!(offers::archive_offer))
        .routes(routes!(offers::sessions))
        .routes(routes!(offers::get_calendar, offers::put_calendar))
        .routes(routes!(offers::list_photos, offers::add_photo))
        .routes(routes!(offers::delete_photo))
        .routes(routes!(orders::create, orders::list))
        .routes(routes!(orders::preview))
        .routes(routes!(orders::get))
        .routes(routes!(orders::pay))
        .routes(routes!(orders::confirm))
        .routes(routes!(orders::cancel))
        .routes(routes!(documents::tickets))
        .routes(routes!(documents::print))
        .routes(routes!(documents::ticket_key))
        .routes(routes!(documents::verify))
        .routes(routes!(orders::payments))
        .routes(routes!(orders::search_customers, orders::create_customer))
        .routes(routes!(orders::get_customer, orders::update_customer))
        .routes(routes!(
            orders::list_customer_types,
            orders::create_customer_type
        ))
        .routes(routes!(orders::update_customer_type))
        .routes(routes!(orders::customer_data))
        .routes(routes!(orders::erase_customer))
        .routes(routes!(orders::customer_duplicates))
        .routes(routes!(orders::merge_customer))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(customer_imports::upload))
                .layer(axum::extract::DefaultBodyLimit::max(
                    guichet_integrations::imports::MAX_BYTES + 64 * 1024,
                )),
        )
        .routes(routes!(reservations::create, reservations::list))
        .routes(routes!(reservations::archive))
        .routes(routes!(reservations::deposit))
        .routes(routes!(reservations::notify))
        .routes(routes!(reservations::order_list))
        .routes(routes!(
            reservations::create_supplier_order,
            reservations::supplier_orders
        ))
        .routes(routes!(reservations::supplier_order))
        .routes(routes!(reservations::mark_sent))
        .routes(routes!(reservations::receive))
        .routes(routes!(customer_imports::get))
        .routes(routes!(customer_imports::remap))
        .routes(routes!(customer_imports::commit))
        .routes(routes!(customer_imports::errors_file))
        .routes(routes!(orders::add_customer_note))
        .routes(routes!(
            orders::list_customer_fields,
            orders::create_customer_field
        ))
        .routes(routes!(
            orders::payment_methods,
            orders::set_payment_methods
        ))
        .routes(routes!(
            promotions::list_promotions,
            promotions::create_promotion
        ))
        .routes(routes!(
            promotions::get_promotion,
            promotions::update_promotion
        ))
        .routes(routes!(promotions::archive_promotion))
        .routes(routes!(promotions::list_codes, promotions::create_code))
        .routes(routes!(promotions::lookup_code))
        .routes(routes!(promotions::get_code, promotions::update_code))
        .routes(routes!(promotions::archive_code))
        .routes(routes!(planning::availability))
        .routes(routes!(planning::ticket_type_availability))
        .routes(routes!(planning::change_session))
        .routes(routes!(planning::stop_sales))
        .routes(routes!(planning::reopen_sales))
        .routes(routes!(shop::list_groups, shop::create_group))
        .routes(routes!(shop::rename_group, shop::delete_group))
        .routes(routes!(shop::move_group))
        .routes(routes!(shop::list_products, shop::create_product))
        .routes(routes!(shop::get_product, shop::update_product))
        .routes(routes!(shop::archive_product))
        .routes(routes!(shop::set_photo, shop::remove_photo))
        .routes(routes!(shop::product_by_barcode))
        .routes(routes!(shop::list_movements, shop::add_movement))
        .routes(routes!(shop::apply_count))
        .routes(routes!(shop::stock_report))
}

/// The generated OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

pub fn router() -> Router<AppState> {
    let (router, spec) = api_router().split_for_parts();
    let spec_json = spec.to_pretty_json().unwrap_or_else(|_| "{}".to_owned());
    router
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let body = spec_json.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        body,
                    )
                }
            }),
        )
        .fallback(|| async { problem_response(StatusCode::NOT_FOUND, "not_found", None, vec![]) })
}

/// A JSON body whose rejection is a problem document too.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(problem_response(
                rejection.status(),
                "invalid_body",
                Some(format!(
                    "The request body is not the expected JSON: {}",
                    rejection.body_text()
                )),
                vec![],
            )),
        }
    }
}

fn id<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError(AppError::NotFound))
}

type ApiResult<T> = Result<Json<T>, ApiError>;

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

/// The organizations the caller may act in (one for an API key).
#[utoipa::path(get, path = "/api/v1/organizations", tag = "account", responses((status = 200, body = [MembershipSummary])))]
async fn list_organizations(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Vec<MembershipSummary>> {
    if ctx.api_key.is_some() {
        let name = guichet_app::organization::organization_name(&state, ctx.tenant).await?;
        return Ok(Json(vec![MembershipSummary {
            organization_id: ctx.tenant.id(),
            organization_name: name,
            role: ctx.role,
        }]));
    }
    Ok(Json(ctx.memberships.clone()))
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

#[utoipa::path(get, path = "/api/v1/sites", tag = "sites", responses((status = 200, body = [Site])))]
async fn list_sites(State(state): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Vec<Site>> {
    Ok(Json(guichet_app::organization::sites(&state, &ctx).await?))
}

#[utoipa::path(post, path = "/api/v1/sites", tag = "sites", request_body = SiteInput,
    responses((status = 201, body = Site), (status = 422, body = Problem)))]
async fn create_site(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<SiteInput>,
) -> Result<(StatusCode, Json<Site>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(guichet_app::organization::create_site(&state, &ctx, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = String, Path)),
    responses((status = 200, body = Site), (status = 404, body = Problem)))]
async fn get_site(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Site> {
    Ok(Json(
        guichet_app::organization::site(&state, &ctx, id::<SiteId>(&raw)?).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = String, Path)), request_body = SiteInput,
    responses((status = 200, body = Site), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_site(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<SiteInput>,
) -> ApiResult<Site> {
    Ok(Json(
        guichet_app::organization::update_site(&state, &ctx, id::<SiteId>(&raw)?, &input).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ArchiveInput {
    /// `true` to archive, `false` to restore.
    pub archived: bool,
}

#[utoipa::path(post, path = "/api/v1/sites/{id}/archive", tag = "sites", params(("id" = String, Path)), request_body = ArchiveInput,
    responses((status = 200, body = Site), (status = 409, body = Problem)))]
async fn archive_site(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ArchiveInput>,
) -> ApiResult<Site> {
    Ok(Json(
        guichet_app::organization::archive_site(&state, &ctx, id::<SiteId>(&raw)?, input.archived)
            .await?,
    ))
}

// ---------------------------------------------------------------- users

#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = [Member]), (status = 403, body = Problem)))]
async fn list_users(State(state): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Vec<Member>> {
    Ok(Json(guichet_app::users::members(&state, &ctx).await?.0))
}

/// Creates a user with a password, or adds an existing account (by e-mail) to the organization.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewMemberInput,
    responses((status = 201, body = Member), (status = 422, body = Problem)))]
async fn create_user(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<NewMemberInput>,
) -> Result<(StatusCode, Json<Member>), ApiError> {
    Ok((
        StatusCode::CREATED,
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

/// Pending invitations (not yet accepted, revoked or expired).
#[utoipa::path(get, path = "/api/v1/invitations", tag = "users", responses((status = 200, body = [Invitation]), (status = 403, body = Problem)))]
async fn list_invitations(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Vec<Invitation>> {
    Ok(Json(guichet_app::users::members(&state, &ctx).await?.1))
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

// ---------------------------------------------------------------- VAT rates

#[derive(Deserialize, ToSchema)]
struct VatRateInput {
    label: String,
    /// 2100 for 21 %, 550 for 5.5 %.
    rate_basis_points: i64,
}

#[utoipa::path(get, path = "/api/v1/vat-rates", tag = "vat rates", responses((status = 200, body = [VatRate]), (status = 403, body = Problem)))]
async fn list_vat_rates(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Vec<VatRate>> {
    Ok(Json(guichet_app::vat_rates::vat_rates(&state, &ctx).await?))
}

#[utoipa::path(post, path = "/api/v1/vat-rates", tag = "vat rates", request_body = VatRateInput,
    responses((status = 201, body = VatRate), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn create_vat_rate(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<VatRateInput>,
) -> Result<(StatusCode, Json<VatRate>), ApiError> {
    ctx.require(guichet_domain::Permission::ManageVatRates)?;
    let parsed =
        guichet_app::vat_rates::parse_vat_basis_points(&input.label, input.rate_basis_points)?;
    Ok((
        StatusCode::CREATED,
        Json(guichet_app::vat_rates::create_vat_rate(&state, &ctx, parsed).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/vat-rates/{id}", tag = "vat rates", params(("id" = String, Path)),
    responses((status = 200, body = VatRate), (status = 404, body = Problem)))]
async fn get_vat_rate(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<VatRate> {
    Ok(Json(
        guichet_app::vat_rates::vat_rate(&state, &ctx, id::<VatRateId>(&raw)?).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/vat-rates/{id}", tag = "vat rates", params(("id" = String, Path)), request_body = VatRateInput,
    responses((status = 200, body = VatRate), (status = 422, body = Problem)))]
async fn update_vat_rate(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<VatRateInput>,
) -> ApiResult<VatRate> {
    ctx.require(guichet_domain::Permission::ManageVatRates)?;
    let parsed =
        guichet_app::vat_rates::parse_vat_basis_points(&input.label, input.rate_basis_points)?;
    Ok(Json(
        guichet_app::vat_rates::update_vat_rate(&state, &ctx, id::<VatRateId>(&raw)?, parsed)
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct RemovalResult {
    /// `deleted`, or `archived` when something refers to the rate.
    result: Removal,
}

/// Deletes a rate nothing refers to; a rate in use is archived instead.
#[utoipa::path(delete, path = "/api/v1/vat-rates/{id}", tag = "vat rates", params(("id" = String, Path)),
    responses((status = 200, body = RemovalResult), (status = 404, body = Problem)))]
async fn delete_vat_rate(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<RemovalResult> {
    Ok(Json(RemovalResult {
        result: guichet_app::vat_rates::remove_vat_rate(&state, &ctx, id::<VatRateId>(&raw)?)
            .await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/vat-rates/{id}/archive", tag = "vat rates", params(("id" = String, Path)), request_body = ArchiveInput,
    responses((status = 200, body = VatRate), (status = 422, body = Problem)))]
async fn archive_vat_rate(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ArchiveInput>,
) -> ApiResult<VatRate> {
    Ok(Json(
        guichet_app::vat_rates::archive_vat_rate(
            &state,
            &ctx,
            id::<VatRateId>(&raw)?,
            input.archived,
        )
        .await?,
    ))
}

// ---------------------------------------------------------------- registers

#[utoipa::path(get, path = "/api/v1/registers", tag = "registers", responses((status = 200, body = [Register]), (status = 403, body = Problem)))]
async fn list_registers(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Vec<Register>> {
    Ok(Json(guichet_app::registers::registers(&state, &ctx).await?))
}

#[utoipa::path(post, path = "/api/v1/registers", tag = "registers", request_body = RegisterInput,
    responses((status = 201, body = Register), (status = 422, body = Problem)))]
async fn create_register(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<RegisterInput>,
) -> Result<(StatusCode, Json<Register>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(guichet_app::registers::create_register(&state, &ctx, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/registers/{id}", tag = "registers", params(("id" = String, Path)),
    responses((status = 200, body = Register), (status = 404, body = Problem)))]
async fn get_register(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Register> {
    Ok(Json(
        guichet_app::registers::register(&state, &ctx, id::<RegisterId>(&raw)?).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/registers/{id}", tag = "registers", params(("id" = String, Path)), request_body = RegisterInput,
    responses((status = 200, body = Register), (status = 422, body = Problem)))]
async fn update_register(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<Register> {
    Ok(Json(
        guichet_app::registers::update_register(&state, &ctx, id::<RegisterId>(&raw)?, &input)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/registers/{id}/archive", tag = "registers", params(("id" = String, Path)), request_body = ArchiveInput,
    responses((status = 200, body = Register), (status = 422, body = Problem)))]
async fn archive_register(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ArchiveInput>,
) -> ApiResult<Register> {
    Ok(Json(
        guichet_app::registers::archive_register(
            &state,
            &ctx,
            id::<RegisterId>(&raw)?,
            input.archived,
        )
        .await?,
    ))
}

// ---------------------------------------------------------------- API keys

#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api keys", responses((status = 200, body = [ApiKey]), (status = 403, body = Problem)))]
async fn list_api_keys(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Vec<ApiKey>> {
    Ok(Json(guichet_app::api_keys::api_keys(&state, &ctx).await?))
}

#[derive(Serialize, ToSchema)]
struct CreatedApiKey {
    key: ApiKey,
    /// The secret to send as `Authorization: Bearer …`. Shown once, never again.
    secret: String,
}

#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api keys", request_body = ApiKeyInput,
    responses((status = 201, body = CreatedApiKey), (status = 422, body = Problem)))]
async fn create_api_key(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<ApiKeyInput>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    let (key, secret) = guichet_app::api_keys::create_api_key(&state, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedApiKey { key, secret })))
}

/// Revokes a key: it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api keys", params(("id" = String, Path)),
    responses((status = 200, body = ApiKey), (status = 404, body = Problem)))]
async fn revoke_api_key(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<ApiKey> {
    Ok(Json(
        guichet_app::api_keys::revoke_api_key(&state, &ctx, id::<ApiKeyId>(&raw)?).await?,
    ))
}
