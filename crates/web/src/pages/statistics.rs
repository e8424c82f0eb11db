//! The statistics page (issue 18 §3): a breakdown by offer, ticket type, product group,
//! channel or seller per day, week, month or year, drawn as a chart by the server and given
//! as a table; revenue by payment date beside revenue by visit date and what is sold but not
//! visited yet; the days between booking and visit; the shop's best-sellers; the
//! observatory's visitors by origin; each table as CSV or XLSX.

use super::support::{OrPage, form_errors};
use crate::auth::PageCtx;
use crate::error::PageError;
use crate::state::AppState;
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use guichet_app::files::Format;
use guichet_app::statistics::{self as stats, Grain, Statistics, StatsQuery};
use guichet_domain::{FieldErrors, Permission};
use jiff::civil::Date;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/statistics", get(page))
        .route("/statistics/export", get(export))
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct Form {
    from: String,
    to: String,
    /// `visit`: by visit date.
    by: String,
    dimension: String,
    grain: String,
    table: String,
    format: String,
}

impl Form {
    /// The form's query, this year up to today when nothing is given.
    fn query(&self, today: Date) -> StatsQuery {
        let from = match self.from.trim() {
            "" => today.first_of_year().to_string(),
            f => f.to_owned(),
        };
        let to = match self.to.trim() {
            "" => today.to_string(),
            t => t.to_owned(),
        };
        StatsQuery {
            from,
            to,
            by_visit: self.by == "visit",
            dimension: self.dimension.clone(),
            grain: self.grain.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct Page {
    tr: Tr,
    nav: Nav,
    q: StatsQuery,
    dimension: String,
    grain: String,
    s: Option<Statistics>,
    chart: String,
    errors: FieldErrors,
}

impl Page {
    fn dimensions(&self) -> Vec<&'static str> {
        stats::DIMENSIONS.iter().map(|(n, _)| *n).collect()
    }
    fn grains(&self) -> Vec<&'static str> {
        Grain::ALL.iter().map(|g| g.as_str()).collect()
    }
    fn period(&self, d: &Date) -> String {
        period_label(&self.tr, &self.grain, *d)
    }
    fn group_label(&self, label: &Option<String>) -> String {
        label.clone().unwrap_or_else(|| self.tr.t("stats-none"))
    }
    fn share(&self, part: &i64, whole: &i64) -> String {
        if *whole == 0 {
            return "—".into();
        }
        format!("{:.1} %", *part as f64 * 100.0 / *whole as f64).replace('.', self.decimal())
    }
    fn decimal(&self) -> &'static str {
        if self.tr.lang() == "en" { "." } else { "," }
    }
    fn lead_label(&self, from: &i64, to: &Option<i64>) -> String {
        match (*from, *to) {
            (0, Some(0)) => self.tr.t("stats-lead-same-day"),
            (f, Some(t)) if f == t => self.tr.t1("stats-lead-days", "count", f),
            (f, Some(t)) => self.tr.t1_2(
                "stats-lead-range",
                ("from", f.to_string()),
                ("to", t.to_string()),
            ),
            (f, None) => self.tr.t1("stats-lead-more", "count", f),
        }
    }
    fn export_link(&self, table: &str, format: &str) -> String {
        let pairs = [
            ("from", self.q.from.as_str()),
            ("to", self.q.to.as_str()),
            ("by", if self.q.by_visit { "visit" } else { "" }),
            ("dimension", self.dimension.as_str()),
            ("grain", self.grain.as_str()),
            ("table", table),
            ("format", format),
        ];
        let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|p| !p.1.is_empty()).collect();
        format!(
            "/statistics/export?{}",
            serde_urlencoded::to_string(kept).unwrap_or_default()
        )
    }
    /// The message `prefix` + `name` (a dimension's or a grain's).
    fn key(&self, prefix: &str, name: &str) -> String {
        self.tr.t(&format!("{prefix}{name}"))
    }
    fn origins_shown(&self) -> usize {
        ORIGINS_SHOWN
    }
}

/// How many lines of the observatory's table the page shows (the file has all).
const ORIGINS_SHOWN: usize = 100;

/// A period's name: a day with its weekday, a week by its Monday, a month, a year.
fn period_label(tr: &Tr, grain: &str, d: Date) -> String {
    match Grain::parse(grain).unwrap_or_default() {
        Grain::Day => format!("{} {}", tr.weekday_short(d.weekday()), d.strftime("%d/%m")),
        Grain::Week => tr.t1("stats-week-of", "day", d.strftime("%d/%m").to_string()),
        Grain::Month => format!(
            "{} {}",
            guichet_integrations::i18n::month_name(tr.0, d.month()),
            d.year()
        ),
        Grain::Year => d.year().to_string(),
    }
}

/// The revenue of each period as bars, drawn as SVG by the server (no script, no CDN); the
/// labels are dates and amounts, escaped all the same.
fn chart(tr: &Tr, grain: &str, s: &Statistics) -> String {
    let b = &s.breakdown;
    let max = b
        .totals
        .iter()
        .map(|f| f.revenue_cents)
        .max()
        .unwrap_or(0)
        .max(1);
    let n = b.periods.len().max(1);
    let (w, h, top, bottom) = (960.0_f64, 260.0_f64, 20.0_f64, 40.0_f64);
    let slot = w / n as f64;
    let bar = (slot * 0.7).max(1.0);
    let every = n.div_ceil(16);
    let esc = |t: &str| {
        askama::filters::escape(t, askama::filters::Html)
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let mut svg = format!(
        r#"<svg id="stats-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}" class="chart">"#,
        esc(&tr.t("stats-chart"))
    );
    for (i, (p, f)) in b.periods.iter().zip(&b.totals).enumerate() {
        let height = (f.revenue_cents.max(0) as f64 / max as f64) * (h - top - bottom);
        let x = i as f64 * slot + (slot - bar) / 2.0;
        let y = h - bottom - height;
        let label = period_label(tr, grain, *p);
        svg.push_str(&format!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{height:.1}" class="bar"><title>{}: {}</title></rect>"#,
            esc(&label),
            esc(&tr.money(&f.revenue_cents))
        ));
        if i % every == 0 {
            svg.push_str(&format!(
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="axis">{}</text>"#,
                i as f64 * slot + slot / 2.0,
                h - bottom + 16.0,
                esc(&label)
            ));
        }
    }
    svg.push_str(&format!(
        r#"<text x="4" y="14" class="axis">{}</text></svg>"#,
        esc(&tr.money(&max))
    ));
    svg
}

async fn today(state: &AppState, ctx: &crate::auth::Ctx) -> Result<Date, PageError> {
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let zone = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(jiff::Timestamp::now().to_zoned(zone).date())
}

pub async fn page(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(form): Query<Form>,
) -> Result<Response, PageError> {
    ctx.require(Permission::ViewClosings).or_page(&ctx)?;
    let q = form.query(today(&state, &ctx).await?);
    let tr = Tr(ctx.lang);
    let grain = match form.grain.trim() {
        "" => Grain::default().as_str().to_owned(),
        g => g.to_owned(),
    };
    let dimension = match form.dimension.trim() {
        "" => "offer".to_owned(),
        d => d.to_owned(),
    };
    let (s, errors) = match stats::statistics(&state, &ctx, &q).await {
        Ok(s) => (Some(s), FieldErrors::new()),
        Err(e) => (None, form_errors(e, &ctx)?),
    };
    let chart = s
        .as_ref()
        .map(|s| chart(&tr, &grain, s))
        .unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &Page {
            tr,
            nav: Nav::new(&ctx, "/statistics", None),
            q,
            dimension,
            grain,
            s,
            chart,
            errors,
        },
    ))
}

pub async fn export(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(form): Query<Form>,
) -> Result<Response, PageError> {
    let q = form.query(today(&state, &ctx).await?);
    let file = stats::export(&state, &ctx, &q, &form.table, Format::parse(&form.format))
        .await
        .or_page(&ctx)?;
    Ok(crate::download::file(file))
}
