//! The site's calendar: opening hours for individuals and for groups, in periods over
//! weekdays, with closed dates.

use super::support::{Flash, OrPage, done, form_errors};
use crate::auth::{Ctx, PageCtx};
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use guichet_app::offers;
use guichet_domain::calendar::{Audience, CalendarInput, PeriodInput};
use guichet_domain::{FieldErrors, Permission};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activity/calendar", get(show))
        .route("/activity/calendar/{audience}", post(save))
}

pub struct Section {
    audience: &'static str,
    title: &'static str,
    periods: Vec<PeriodInput>,
    closed_dates: String,
    errors: FieldErrors,
}

impl Section {
    fn fields(&self, p: &PeriodInput) -> Vec<(&'static str, String, &'static str)> {
        vec![
            ("from", p.from.clone(), "date"),
            ("to", p.to.clone(), "date"),
            ("weekdays", p.weekdays.clone(), "text"),
            ("open", p.open.clone(), "text"),
            ("close", p.close.clone(), "text"),
        ]
    }

    fn error(&self, tr: &Tr, i: &usize, f: &str) -> Option<String> {
        tr.field_error(&self.errors, &format!("periods.{i}.{f}"))
    }
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    tr: Tr,
    nav: Nav,
    sections: Vec<Section>,
    can_manage: bool,
}

fn section(audience: Audience, mut input: CalendarInput, errors: FieldErrors) -> Section {
    input.periods.push(PeriodInput::default());
    input.periods.push(PeriodInput::default());
    Section {
        audience: audience.as_str(),
        title: match audience {
            Audience::Individuals => "calendar-individuals",
            Audience::Groups => "calendar-groups",
        },
        periods: input.periods,
        closed_dates: input.closed_dates,
        errors,
    }
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    edited: Option<(Audience, CalendarInput, FieldErrors)>,
) -> Result<Response, PageError> {
    let mut sections = Vec::new();
    let mut status = StatusCode::OK;
    for audience in [Audience::Individuals, Audience::Groups] {
        match &edited {
            Some((a, input, errors)) if *a == audience => {
                status = StatusCode::UNPROCESSABLE_ENTITY;
                sections.push(section(audience, input.clone(), errors.clone()));
            }
            _ => {
                let input = offers::calendar_input(state, ctx, audience)
                    .await
                    .or_page(ctx)?;
                sections.push(section(audience, input, FieldErrors::new()));
            }
        }
    }
    Ok(render_status(
        status,
        &CalendarPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/activity/calendar", flash),
            sections,
            can_manage: ctx.can(Permission::ManageCatalogue),
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    page(&state, &ctx, flash.key(), None).await
}

pub async fn save(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let audience = Audience::parse(&raw).ok_or(PageError(AppError::NotFound, ctx.lang))?;
    let mut input = CalendarInput::default();
    for (key, value) in &pairs {
        let parts: Vec<&str> = key.splitn(3, '.').collect();
        match parts.as_slice() {
            ["closed_dates"] => input.closed_dates = value.clone(),
            ["periods", i, field] => {
                let Some(i) = i.parse::<usize>().ok().filter(|i| *i < 100) else {
                    continue;
                };
                while input.periods.len() <= i {
                    input.periods.push(PeriodInput::default());
                }
                let p = &mut input.periods[i];
                match *field {
                    "from" => p.from = value.clone(),
                    "to" => p.to = value.clone(),
                    "weekdays" => p.weekdays = value.clone(),
                    "open" => p.open = value.clone(),
                    "close" => p.close = value.clone(),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    match offers::set_calendar(&state, &ctx, audience, &input).await {
        Ok(_) => Ok(done("/activity/calendar", "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            page(&state, &ctx, None, Some((audience, input, errors))).await
        }
    }
}
