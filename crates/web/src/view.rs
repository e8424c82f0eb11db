//! What every page shares: the translator, the navigation, the error page.

use crate::auth::{Ctx, LANGUAGE_COOKIE};
use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use guichet_domain::org::Language;
use guichet_domain::{FieldErrors, Permission};
use guichet_integrations::i18n;

/// The translator handed to templates: `{{ tr.t("nav-dashboard") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Language);

impl Tr {
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.0, key)
    }

    /// One argument: `{{ tr.t1("users-count", "count", n) }}`.
    pub fn t1(&self, key: &str, name: &'static str, value: impl std::fmt::Display) -> String {
        i18n::t_args(self.0, key, &[(name, value.to_string())])
    }

    /// Two arguments.
    pub fn t1_2(&self, key: &str, a: (&'static str, String), b: (&'static str, String)) -> String {
        i18n::t_args(self.0, key, &[a, b])
    }

    /// The message for a field error code (`error-required`, …).
    pub fn error(&self, code: &str) -> String {
        i18n::try_t(self.0, &format!("error-{code}"))
            .unwrap_or_else(|| i18n::t(self.0, "error-invalid"))
    }

    /// The message for the error on `field`, or nothing.
    pub fn field_error(&self, errors: &FieldErrors, field: &str) -> Option<String> {
        errors.get(field).map(|code| self.error(code))
    }

    pub fn lang(&self) -> &'static str {
        self.0.as_str()
    }

    pub fn role(&self, role: &guichet_domain::Role) -> String {
        self.t(&format!("role-{}", role.as_str()))
    }

    /// A payment method's name (`method-cash`, …).
    pub fn method(&self, m: &guichet_domain::order::PaymentMethod) -> String {
        self.t(&format!("method-{}", m.as_str()))
    }

    /// A date and time in the organization's zone, for lists.
    pub fn instant(&self, micros: &i64, tz: &str) -> String {
        let Ok(ts) = jiff::Timestamp::from_microsecond(*micros) else {
            return String::new();
        };
        let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
        ts.to_zoned(zone).strftime("%d/%m/%Y %H:%M").to_string()
    }

    /// A VAT rate (or any percentage) in basis points: `21 %`.
    pub fn rate(&self, bp: &u32) -> String {
        guichet_domain::money::percent_text(*bp)
    }

    /// An amount in euros as people read it: `8,50 €`.
    pub fn money(&self, cents: &i64) -> String {
        format!("{} €", guichet_domain::shop::format_cents(*cents))
    }

    /// A session start (or any instant) as a time of day in the zone: `14:30`.
    pub fn time_of(&self, micros: &Option<i64>, tz: &str) -> String {
        let Some(ts) = micros.and_then(|m| jiff::Timestamp::from_microsecond(m).ok()) else {
            return String::new();
        };
        let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
        ts.to_zoned(zone).strftime("%H:%M").to_string()
    }

    /// A YYYY-MM-DD day as DD/MM/YYYY.
    pub fn day(&self, day: &Option<String>) -> String {
        day.as_deref()
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
            .map(|d| d.strftime("%d/%m/%Y").to_string())
            .unwrap_or_default()
    }

    pub fn maybe_instant(&self, micros: &Option<i64>, tz: &str) -> String {
        micros
            .as_ref()
            .map(|m| self.instant(m, tz))
            .unwrap_or_else(|| "—".to_owned())
    }
}

pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

pub struct NavSection {
    pub title: Option<&'static str>,
    pub items: Vec<NavItem>,
}

pub struct OrgChoice {
    pub id: String,
    pub name: String,
    pub current: bool,
}

/// The back-office frame: who is signed in, where, and the menu of the seeds.
pub struct Nav {
    pub user_name: String,
    pub organization_name: String,
    pub organizations: Vec<OrgChoice>,
    pub sections: Vec<NavSection>,
    pub flash: Option<String>,
}

/// Entries of the menu: (section title, [(label, href, permission needed)]).
type MenuSection = (
    Option<&'static str>,
    &'static [(&'static str, &'static str, Option<Permission>)],
);

pub const MENU: &[MenuSection] = &[
    (None, &[("nav-dashboard", "/", None)]),
    (
        Some("nav-sales"),
        &[
            ("nav-register", "/register", Some(Permission::Sell)),
            ("nav-planning", "/planning", None),
            ("nav-arrivals", "/arrivals", None),
            ("nav-orders", "/orders", None),
            ("nav-click-collect", "/click-and-collect", None),
            ("nav-statistics", "/statistics", None),
            (
                "nav-registers-follow-up",
                "/registers-follow-up",
                Some(Permission::ViewClosings),
            ),
        ],
    ),
    (
        Some("nav-my-activity"),
        &[
            ("nav-description", "/activity/description", None),
            ("nav-ticket-types", "/activity/ticket-types", None),
            ("nav-extras", "/activity/extras", None),
            ("nav-offers", "/activity/offers", None),
            (
                "nav-shop",
                "/activity/shop",
                Some(Permission::ManageCatalogue),
            ),
            (
                "nav-order-list",
                "/activity/shop/order-list",
                Some(Permission::ManageCatalogue),
            ),
            ("nav-promotions", "/activity/promotions", None),
            ("nav-promo-codes", "/activity/promo-codes", None),
            ("nav-gift-vouchers", "/activity/gift-vouchers", None),
            ("nav-gift-cards", "/activity/gift-cards", None),
            ("nav-calendar", "/activity/calendar", None),
        ],
    ),
    (
        Some("nav-distribution"),
        &[
            ("nav-booking-widgets", "/distribution/booking-widgets", None),
            (
                "nav-registers",
                "/distribution/registers",
                Some(Permission::ManageRegisters),
            ),
            ("nav-sales-channels", "/distribution/sales-channels", None),
        ],
    ),
    (
        Some("nav-marketing"),
        &[
            ("nav-customers", "/marketing/customers", None),
            ("nav-customer-orders", "/marketing/customer-orders", None),
            ("nav-emails", "/marketing/emails", None),
        ],
    ),
    (
        Some("nav-account"),
        &[
            (
                "nav-details",
                "/account/details",
                Some(Permission::ViewOrganization),
            ),
            ("nav-users", "/account/users", Some(Permission::ManageUsers)),
            (
                "nav-taxes",
                "/account/taxes",
                Some(Permission::ViewVatRates),
            ),
            (
                "nav-api-keys",
                "/account/api-keys",
                Some(Permission::ManageApiKeys),
            ),
        ],
    ),
];

impl Nav {
    /// The frame for `ctx`, with `active` the href of the current menu entry. Entries the
    /// role may not open are not shown (the server refuses them anyway).
    pub fn new(ctx: &Ctx, active: &str, flash: Option<&str>) -> Nav {
        let sections = MENU
            .iter()
            .map(|(title, items)| NavSection {
                title: *title,
                items: items
                    .iter()
                    .filter(|(_, _, p)| p.is_none_or(|p| ctx.can(p)))
                    .map(|(label, href, _)| NavItem {
                        label,
                        href,
                        active: *href == active,
                    })
                    .collect(),
            })
            .filter(|s| !s.items.is_empty())
            .collect();
        Nav {
            user_name: ctx
                .user
                .as_ref()
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            organization_name: ctx.organization_name(),
            organizations: ctx
                .memberships
                .iter()
                .map(|m| OrgChoice {
                    id: m.organization_id.to_string(),
                    name: m.organization_name.clone(),
                    current: m.organization_id == ctx.tenant.id(),
                })
                .collect(),
            sections,
            flash: flash.and_then(|key| i18n::try_t(ctx.lang, &format!("flash-{key}"))),
        }
    }
}

/// Renders a template, turning a template failure into a logged 500.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            let id = uuid::Uuid::now_v7().simple().to_string();
            tracing::error!(error_id = %id, error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("Internal error; reference {id}."),
            )
                .into_response()
        }
    }
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    let mut r = render(t);
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}

/// The language of an anonymous request: the language cookie, else `Accept-Language`.
pub fn language_of(headers: &HeaderMap) -> Language {
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == LANGUAGE_COOKIE)
        .and_then(|(_, v)| Language::parse(v).ok());
    if let Some(l) = from_cookie {
        return l;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match accept.trim().get(..2).map(|s| s.to_ascii_lowercase()) {
        Some(s) if s == "en" => Language::En,
        _ => Language::Fr,
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    tr: Tr,
    status: u16,
    message: String,
    error_id: Option<String>,
}

pub fn error_page(
    lang: Language,
    status: StatusCode,
    code: &str,
    error_id: Option<String>,
) -> Response {
    let tr = Tr(lang);
    let message = i18n::try_t(lang, &format!("problem-{code}"))
        .unwrap_or_else(|| tr.t("problem-internal_error"));
    render_status(
        status,
        &ErrorPage {
            tr,
            status: status.as_u16(),
            message,
            error_id,
        },
    )
}
