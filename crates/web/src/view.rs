//! What every page shares: the translator, the navigation, the error page.

use crate::auth::Ctx;
use crate::error::{PageError, log_internal, status};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use guichet_domain::Permission;
use guichet_domain::org::Language;
use guichet_integrations::i18n;

pub use guichet_integrations::i18n::Tr;

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

/// Entries of the menu: (section title, [(label, href, permission needed)]). Only pages that
/// exist are listed (what later issues build joins the menu with its page), each with the
/// permission its page asks, so no entry leads to a refusal or a 404
/// (`tests/it/menu.rs` opens every entry as every role).
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
            ("nav-orders", "/orders", None),
            (
                "nav-statistics",
                "/statistics",
                Some(Permission::ViewClosings),
            ),
            (
                "nav-registers-follow-up",
                "/registers-follow-up",
                Some(Permission::ViewClosings),
            ),
            (
                "nav-stripe",
                "/sales/stripe",
                Some(Permission::ViewClosings),
            ),
            (
                "nav-accounting",
                "/sales/accounting",
                Some(Permission::ViewClosings),
            ),
        ],
    ),
    (
        Some("nav-my-activity"),
        &[
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
            ("nav-calendar", "/activity/calendar", None),
        ],
    ),
    (
        Some("nav-distribution"),
        &[
            (
                "nav-modules",
                "/distribution/modules",
                Some(Permission::ManageDistribution),
            ),
            (
                "nav-registers",
                "/distribution/registers",
                Some(Permission::ManageRegisters),
            ),
        ],
    ),
    (
        Some("nav-marketing"),
        &[
            ("nav-customers", "/marketing/customers", None),
            ("nav-customer-orders", "/marketing/customer-orders", None),
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
            (
                "nav-virtual-terminal",
                "/account/virtual-terminal",
                Some(Permission::EditOrganization),
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

/// The back office shows a use case's error as a page in the user's language (the error
/// itself, [`PageError`], knows nothing of pages).
impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let error_id = log_internal(&self.0);
        error_page(self.1, status(&self.0), self.0.code(), error_id)
    }
}

#[cfg(test)]
mod tests {
    use guichet_domain::org::Language;
    use guichet_integrations::i18n::catalogue_keys;

    /// A key a template names that a catalogue lacks shows as "Unknown localization key" on
    /// the page: every literal `tr.t("…")` of every template is in every catalogue.
    #[test]
    fn every_key_a_template_names_is_translated() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split("tr.t(\"").skip(1) {
                let Some((key, _)) = piece.split_once('"') else {
                    continue;
                };
                seen += 1;
                for lang in [Language::Fr, Language::En, Language::Nl] {
                    if !catalogue_keys(lang).iter().any(|k| k == key) {
                        missing.push(format!("{}: {key} ({lang:?})", path.display()));
                    }
                }
            }
        }
        assert!(seen > 500, "the templates were read: {seen} keys");
        assert!(missing.is_empty(), "{missing:#?}");
    }

    /// Every page's browser tab shows Guichet's icon: each template that opens a `<head>`
    /// (a layout, or a page standing alone: print, booking, API docs) links it.
    #[test]
    fn every_layout_links_the_icon() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let link = r#"<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">"#;
        let mut heads = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            if text.contains("<head>") {
                heads += 1;
                assert!(text.contains(link), "{} has no icon", path.display());
            }
        }
        assert!(heads >= 5, "the layouts were read: {heads}");
    }
}
