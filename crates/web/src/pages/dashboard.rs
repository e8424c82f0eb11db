//! The dashboard (the tiles of the organization and the register sessions left open) and the
//! API documentation viewer.

use super::support::{Flash, OrPage};
use crate::auth::PageCtx;
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::view::{Nav, Tr, render};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use guichet_domain::Permission;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/api/docs", get(api_docs))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    tr: Tr,
    nav: Nav,
    role: guichet_domain::Role,
    sites: Option<usize>,
    registers: Option<usize>,
    members: Option<usize>,
    vat_rates: Option<usize>,
    /// Register sessions opened on an earlier day and not closed yet.
    stale: Vec<guichet_app::closing::OpenSession>,
    /// Refunds Stripe refused (issue 17): someone must look at them.
    failed_refunds: usize,
    /// Sales against last year, arrivals, orders to look at (for those who sell).
    sales: Option<guichet_app::statistics::Dashboard>,
}

impl Dashboard {
    fn grain_label(&self, g: &guichet_app::statistics::Grain) -> String {
        self.tr.t(&format!("dashboard-sales-{}", g.as_str()))
    }
    /// The change against last year, as "+12 %" (none when last year had nothing).
    fn change(&self, now: &i64, before: &i64) -> String {
        if *before <= 0 {
            return "—".into();
        }
        let pct = (*now - *before) as f64 * 100.0 / *before as f64;
        format!("{pct:+.0} %")
    }
    fn online_share(&self, s: &guichet_app::statistics::Sales) -> String {
        if s.revenue_cents <= 0 {
            return "—".into();
        }
        format!(
            "{:.0} %",
            s.online_revenue_cents as f64 * 100.0 / s.revenue_cents as f64
        )
    }
    fn arrival_day(&self, i: &usize, d: &jiff::civil::Date) -> String {
        match i {
            0 => self.tr.t("dashboard-today"),
            1 => self.tr.t("dashboard-tomorrow"),
            _ => self.tr.full_day(&d.to_string()),
        }
    }
    fn arrivals_line(&self, orders: &i64, visitors: &i64) -> String {
        if *orders == 0 {
            return self.tr.t("dashboard-no-arrival");
        }
        self.tr.t1_2(
            "dashboard-arrivals-line",
            ("count", orders.to_string()),
            ("visitors", visitors.to_string()),
        )
    }
    /// The orders of a day's arrivals: those the tile counts (awaiting payment or
    /// confirmed), as the orders list's "today's arrivals" tab shows them.
    fn day_query(&self, d: &jiff::civil::Date) -> String {
        format!("/orders?from={d}&to={d}&by=visit&state=live")
    }
    fn past_unpaid_query(&self, today: &jiff::civil::Date) -> String {
        let back = |n: i64| {
            today
                .checked_sub(jiff::Span::new().days(n))
                .unwrap_or(*today)
        };
        format!(
            "/orders?by=visit&from={}&to={}&payment=unpaid",
            back(30),
            back(1)
        )
    }
    fn over_query(&self, today: &jiff::civil::Date) -> String {
        let from = today
            .checked_sub(jiff::Span::new().years(1))
            .unwrap_or(*today);
        format!("/orders?from={from}&to={today}&payment=over_collected")
    }
    fn stale_line(&self, s: &guichet_app::closing::OpenSession) -> String {
        self.tr.t1_2(
            "dashboard-stale-session",
            ("register", s.session.register_name.clone()),
            ("day", self.tr.long_day(&s.session.day)),
        )
    }
}

async fn dashboard(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let sites = figure(
        ctx.can(Permission::ViewOrganization),
        guichet_app::organization::sites(&state, &ctx),
        |s| !s.archived,
    );
    let registers = figure(
        ctx.can(Permission::ManageRegisters),
        guichet_app::registers::registers(&state, &ctx),
        |r| !r.archived,
    );
    let members = figure(
        ctx.can(Permission::ManageUsers),
        async {
            guichet_app::users::members(&state, &ctx)
                .await
                .map(|(m, _)| m)
        },
        |m| !m.disabled,
    );
    let vat_rates = figure(
        ctx.can(Permission::ViewVatRates),
        guichet_app::vat_rates::vat_rates(&state, &ctx),
        |r| !r.archived,
    );
    let (sites, registers, members, vat_rates) = (
        sites.await.or_page(&ctx)?,
        registers.await.or_page(&ctx)?,
        members.await.or_page(&ctx)?,
        vat_rates.await.or_page(&ctx)?,
    );
    let stale = if ctx.can(Permission::Sell) {
        guichet_app::closing::open_sessions(&state, &ctx)
            .await
            .or_page(&ctx)?
            .into_iter()
            .filter(|s| s.days_open > 0)
            .collect()
    } else {
        Vec::new()
    };
    let failed_refunds = if ctx.can(Permission::ViewClosings) {
        guichet_app::stripe::failed_refund_count(&state, &ctx)
            .await
            .or_page(&ctx)?
    } else {
        0
    };
    let sales = if ctx.can(Permission::Sell) {
        Some(
            guichet_app::statistics::dashboard(&state, &ctx)
                .await
                .or_page(&ctx)?,
        )
    } else {
        None
    };
    Ok(render(&Dashboard {
        tr: Tr(ctx.lang),
        nav: Nav::new(&ctx, "/", flash.key()),
        role: ctx.role,
        sites,
        registers,
        members,
        vat_rates,
        stale,
        failed_refunds,
        sales,
    }))
}

/// How many active items a list has, for a dashboard tile; `None` (no tile) for roles
/// that may not open the page behind it, without loading the list.
async fn figure<T>(
    allowed: bool,
    list: impl Future<Output = Result<Vec<T>, AppError>>,
    active: fn(&T) -> bool,
) -> Result<Option<usize>, AppError> {
    if !allowed {
        return Ok(None);
    }
    Ok(Some(list.await?.iter().filter(|x| active(x)).count()))
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocs;

async fn api_docs() -> Response {
    render(&ApiDocs)
}
