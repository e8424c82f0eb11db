//! The orders list (the seeds' columns, date filters), an order's page (lines, VAT per rate,
//! payments as `number_N`, journal entries) with its actions — take a payment, confirm a
//! quote, cancel with a reason and refund — and the payments list.

use super::confirm::{ConfirmPage, Step};
use super::support::{Flash, OrPage, form_errors, parse_id};
use crate::auth::{Ctx, PageCtx};
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use guichet_app::files::Format;
use guichet_app::orders::search::SearchChoices;
use guichet_app::orders::{self as sale, CancelInput, PayInput, PaymentInput};
use guichet_app::orders::{Order, OrderSummary, Payment, PaymentLine};
use guichet_app::orders::{
    OrderListQuery, OrderSearch, PaymentStatus, SearchCriteria, SearchTotals,
};
use guichet_app::registers::Register;
use guichet_domain::order::{OrderState, PaymentMethod};
use guichet_domain::refund::Refundable;
use guichet_domain::{FieldErrors, OrderId, Permission};
use serde::Deserialize;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list))
        .route("/orders/payments", get(payments))
        .route("/orders/payments/export", get(export_payments))
        .route("/orders/export", get(export_orders))
        .route("/orders/{id}", get(show))
        .route("/orders/{id}/pay", post(pay))
        .route("/orders/{id}/confirm", post(confirm))
        .route("/orders/{id}/cancel", post(cancel))
        .route("/orders/{id}/stripe-refund", post(stripe_refund))
        .route("/orders/{id}/confirmation-email", post(resend_confirmation))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    from: String,
    to: String,
    /// `csv` or `xlsx` for the payments export.
    format: String,
    /// `visit` filters on the visit date.
    by: String,
    done: Option<String>,
}

impl ListQuery {
    /// The days asked for: today when nothing is given, one day when only `from` is.
    fn period(&self, today: jiff::civil::Date) -> (String, String) {
        let from = match self.from.trim() {
            "" => today.to_string(),
            f => f.to_owned(),
        };
        let to = match self.to.trim() {
            "" => from.clone(),
            t => t.to_owned(),
        };
        (from, to)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    from: String,
    to: String,
    /// `visit` filters on the visit date.
    by: String,
    /// `lines`: the detailed view, one row per order line.
    view: String,
    after: Option<String>,
    done: Option<String>,
    #[serde(flatten)]
    criteria: SearchCriteria,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct ListPage {
    tr: Tr,
    nav: Nav,
    from: String,
    to: String,
    by_visit: bool,
    detailed: bool,
    c: SearchCriteria,
    choices: SearchChoices,
    orders: Vec<OrderSummary>,
    totals: SearchTotals,
    /// The query of the next page, when there is one.
    next: Option<String>,
    tz: String,
    errors: FieldErrors,
    tabs: Vec<Tab>,
}

/// A tab of the orders list (the seeds' "À confirmer", "Devis", "Caisses", "Arrivées du
/// jour"…): a preset search, marked when the search shown is exactly it.
struct Tab {
    id: &'static str,
    label: &'static str,
    href: String,
    active: bool,
}

/// A preset search: its period, whether of the visit, and its criteria.
struct Preset {
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    by_visit: bool,
    criteria: SearchCriteria,
}

/// The tabs' presets as of `today` (id, label, search): every order made today, the quotes
/// still to confirm and every quote (made in the last year), today's register sales, and the
/// arrivals that count (awaiting payment or confirmed) of today and of this week (Monday to
/// Sunday).
fn presets(today: jiff::civil::Date) -> [(&'static str, &'static str, Preset); 6] {
    let year_ago = today
        .checked_sub(jiff::Span::new().years(1))
        .unwrap_or(today);
    let monday = today
        .checked_sub(jiff::Span::new().days(today.weekday().to_monday_zero_offset()))
        .unwrap_or(today);
    let sunday = monday
        .checked_add(jiff::Span::new().days(6))
        .unwrap_or(monday);
    let preset = |from, to, by_visit, change: fn(&mut SearchCriteria)| {
        let mut criteria = SearchCriteria::default();
        change(&mut criteria);
        Preset {
            from,
            to,
            by_visit,
            criteria,
        }
    };
    [
        (
            "all",
            "orders-tab-orders",
            preset(today, today, false, |_| ()),
        ),
        (
            "to-confirm",
            "orders-tab-to-confirm",
            preset(year_ago, today, false, |c| c.state = "quote".into()),
        ),
        (
            "quotes",
            "orders-tab-quotes",
            preset(year_ago, today, false, |c| c.quoted = "yes".into()),
        ),
        (
            "registers",
            "orders-tab-registers",
            preset(today, today, false, |c| c.channel = "registers".into()),
        ),
        (
            "arrivals-today",
            "orders-tab-arrivals-today",
            preset(today, today, true, |c| c.state = "live".into()),
        ),
        (
            "arrivals-week",
            "orders-tab-arrivals-week",
            preset(monday, sunday, true, |c| c.state = "live".into()),
        ),
    ]
}

/// The tabs, the one whose preset is the search `shown` marked (none when the period shown
/// does not read as days).
fn tabs(today: jiff::civil::Date, shown: Option<&Preset>) -> Vec<Tab> {
    presets(today)
        .into_iter()
        .map(|(id, label, p)| {
            let (from, to) = (p.from.to_string(), p.to.to_string());
            let query = query_of(&criteria_pairs(&from, &to, p.by_visit, &p.criteria));
            Tab {
                id,
                label,
                href: if id == "all" {
                    "/orders".into()
                } else {
                    format!("/orders?{query}")
                },
                active: shown.is_some_and(|s| {
                    (s.from, s.to, s.by_visit) == (p.from, p.to, p.by_visit)
                        && s.criteria == p.criteria
                }),
            }
        })
        .collect()
}

/// A search as the pairs of its query (the period, `by` and every criterion).
fn criteria_pairs<'a>(
    from: &'a str,
    to: &'a str,
    by_visit: bool,
    c: &'a SearchCriteria,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("from", from),
        ("to", to),
        ("by", if by_visit { "visit" } else { "" }),
        ("number", c.number.as_str()),
        ("customer", c.customer.as_str()),
        ("offer", c.offer.as_str()),
        ("item", c.item.as_str()),
        ("channel", c.channel.as_str()),
        ("state", c.state.as_str()),
        ("quoted", c.quoted.as_str()),
        ("payment", c.payment.as_str()),
        ("seller", c.seller.as_str()),
    ]
}

impl ListPage {
    fn state_label(&self, s: &OrderState) -> String {
        self.tr.t(&format!("order-state-{}", s.as_str()))
    }
    /// The seeds' "confirmation" tick: the sale is final (not a quote, not cancelled).
    fn finalized(&self, s: &OrderState) -> bool {
        matches!(s, OrderState::AwaitingPayment | OrderState::Confirmed)
    }
    fn state_label_of(&self, s: &str) -> String {
        self.tr.t(&format!("order-state-{s}"))
    }
    /// The states to choose from, `live` (awaiting payment or confirmed) among them.
    fn states(&self) -> [&'static str; 5] {
        [
            "quote",
            "awaiting_payment",
            "confirmed",
            "live",
            "cancelled",
        ]
    }
    fn payments(&self) -> [PaymentStatus; 6] {
        PaymentStatus::ALL
    }
    fn payment_label(&self, p: &PaymentStatus) -> String {
        self.tr.t(&format!("orders-payment-{}", p.as_str()))
    }
    fn more_filters(&self) -> bool {
        !self.c.is_empty()
    }
    fn count_line(&self) -> String {
        self.tr.t1("orders-found", "count", self.totals.orders)
    }
}

async fn today(state: &AppState, ctx: &Ctx) -> Result<(jiff::civil::Date, String), PageError> {
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let zone = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
    Ok((jiff::Timestamp::now().to_zoned(zone).date(), tz))
}

/// `key=value&…` of the non-empty pairs, encoded.
fn query_of(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().filter(|p| !p.1.is_empty()).copied().collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    ctx.require(Permission::Sell).or_page(&ctx)?;
    let (today, tz) = today(&state, &ctx).await?;
    let period = ListQuery {
        from: q.from.clone(),
        to: q.to.clone(),
        ..ListQuery::default()
    };
    let (from, to) = period.period(today);
    let by_visit = q.by == "visit";
    let search = OrderSearch {
        from: from.clone(),
        to: to.clone(),
        by_visit,
        criteria: q.criteria.clone(),
    };
    let query = OrderListQuery {
        search: search.clone(),
        after: q.after.clone().filter(|a| !a.is_empty()),
        limit: Some(100),
    };
    let found = async {
        let page = sale::list(&state, &ctx, &query).await?;
        let totals = sale::search::totals(&state, &ctx, &search).await?;
        Ok::<_, AppError>((page, totals))
    };
    let (page, totals, errors) = match found.await {
        Ok((p, t)) => (p, t, FieldErrors::new()),
        Err(e) => (
            guichet_app::paging::Page {
                items: Vec::new(),
                next: None,
            },
            SearchTotals::default(),
            form_errors(e, &ctx)?,
        ),
    };
    let choices = sale::search::choices(&state, &ctx).await.or_page(&ctx)?;
    let base = criteria_pairs(&from, &to, by_visit, &q.criteria);
    let next = page.next.map(|after| {
        let mut pairs = base.clone();
        pairs.push(("view", q.view.as_str()));
        pairs.push(("after", after.as_str()));
        query_of(&pairs)
    });
    let shown = match (from.parse(), to.parse()) {
        (Ok(from), Ok(to)) => Some(Preset {
            from,
            to,
            by_visit,
            criteria: q.criteria.clone(),
        }),
        _ => None,
    };
    let tabs = tabs(today, shown.as_ref());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &ListPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(&ctx, "/orders", q.done.as_deref()),
            from,
            to,
            by_visit,
            detailed: q.view == "lines",
            c: q.criteria,
            choices,
            orders: page.items,
            totals,
            next,
            tz,
            errors,
            tabs,
        },
    ))
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    tr: Tr,
    nav: Nav,
    o: Order,
    tz: String,
    registers: Vec<Register>,
    methods: Vec<PaymentMethod>,
    can_cancel: bool,
    errors: FieldErrors,
    form: ActionForm,
    /// What went through Stripe: `None` when the order was not paid online there.
    stripe: Option<StripeOnOrder>,
    /// What each method the order was paid with at a register may give back.
    refundable: Vec<Refundable>,
}

/// One method's refund field of the cancel form.
struct RefundRow {
    /// The field: `refund_cash`.
    name: String,
    label: String,
    max_cents: i64,
    value: String,
    error: Option<String>,
}

/// An order's payments through Stripe, as its page shows them.
struct StripeOnOrder {
    /// What can still be refunded through Stripe.
    refundable_cents: i64,
    refunds: Vec<guichet_app::stripe::Refund>,
    /// (payment id, Stripe's fee, net).
    fees: Vec<(uuid::Uuid, Option<i64>, Option<i64>)>,
}

impl OrderPage {
    /// Stripe's fee of a payment, for its first line.
    fn stripe_fee(&self, p: &Payment) -> String {
        self.stripe
            .as_ref()
            .and_then(|s| s.fees.iter().find(|f| f.0 == p.id.0))
            .and_then(|f| f.1)
            .map(|f| self.tr.money(&f))
            .unwrap_or_default()
    }
    fn refundable_text(&self) -> String {
        guichet_domain::shop::format_cents(self.stripe.as_ref().map_or(0, |s| s.refundable_cents))
    }
    fn refundable_online(&self) -> bool {
        self.stripe.as_ref().is_some_and(|s| s.refundable_cents > 0)
    }
    fn refund_status(&self, status: &str) -> String {
        self.tr.t(&format!("stripe-refund-{status}"))
    }
    fn state_label(&self, s: &OrderState) -> String {
        self.tr.t(&format!("order-state-{}", s.as_str()))
    }
    fn rate(&self, bp: &u32) -> String {
        guichet_domain::VatRate::from_basis_points(i64::from(*bp))
            .map(|r| r.to_string())
            .unwrap_or_default()
    }
    /// The `i`-th payment line of `p` as the payments list numbers it (`P2103160760_N`).
    fn reference(&self, p: &Payment, i: &usize) -> String {
        let n = p.numbers.get(*i).copied().unwrap_or_default();
        format!("{}_{n}", self.o.number.clone().unwrap_or_default())
    }
    fn due(&self) -> i64 {
        self.o.total_cents - self.o.collected_cents
    }
    fn is_quote(&self) -> bool {
        self.o.state == OrderState::Quote
    }
    fn payable(&self) -> bool {
        self.o.state == OrderState::AwaitingPayment && self.due() > 0
    }
    fn cancellable(&self) -> bool {
        self.can_cancel && self.o.state != OrderState::Cancelled
    }
    fn is_register(&self, id: &guichet_domain::RegisterId) -> bool {
        self.form.register_id == id.to_string()
    }
    fn is_method(&self, m: &PaymentMethod) -> bool {
        self.form.method == m.as_str()
    }
    /// What is left to pay, as typed in the amount field.
    fn due_text(&self) -> String {
        guichet_domain::shop::format_cents(self.due())
    }
    /// The cancel form's refund fields, one per method the order was paid with (the method
    /// paid last first): all it brought by default, or what was typed. A customer's order may
    /// also be refunded in store credit (empty by default).
    fn refund_rows(&self) -> Vec<RefundRow> {
        let all: i64 = self.refundable.iter().map(|r| r.cents).sum();
        let mut offered: Vec<(PaymentMethod, i64, bool)> = self
            .refundable
            .iter()
            .map(|r| (r.method, r.cents, true))
            .collect();
        let credit = PaymentMethod::StoreCredit;
        if all > 0 && self.o.customer_id.is_some() && !offered.iter().any(|o| o.0 == credit) {
            offered.push((credit, all, false));
        }
        offered
            .into_iter()
            .map(|(m, max_cents, filled)| self.refund_row(m, max_cents, filled))
            .collect()
    }
    fn refund_row(&self, m: PaymentMethod, max_cents: i64, filled: bool) -> RefundRow {
        let method = m.as_str();
        let posted = self.form.refunds.iter().position(|(p, _)| p == method);
        let value = match posted {
            Some(i) => self.form.refunds[i].1.clone(),
            None if self.form.posted || !filled => String::new(),
            None => guichet_domain::shop::format_cents(max_cents),
        };
        let error = posted.and_then(|i| {
            let field = format!("refunds[{i}]");
            self.tr
                .field_error(&self.errors, &format!("{field}.amount"))
                .or_else(|| {
                    self.tr
                        .field_error(&self.errors, &format!("{field}.method"))
                })
        });
        RefundRow {
            name: format!("refund_{method}"),
            label: self.tr.method(&m),
            max_cents,
            value,
            error,
        }
    }
    /// Errors of refunds posted in a method the form no longer offers (refunded meanwhile).
    fn other_refund_errors(&self) -> Vec<String> {
        self.form
            .refunds
            .iter()
            .enumerate()
            .filter(|(_, (m, _))| {
                !self
                    .refund_rows()
                    .iter()
                    .any(|r| r.name == format!("refund_{m}"))
            })
            .filter_map(|(i, (m, _))| {
                let error = self
                    .tr
                    .field_error(&self.errors, &format!("refunds[{i}].method"))
                    .or_else(|| {
                        self.tr
                            .field_error(&self.errors, &format!("refunds[{i}].amount"))
                    })?;
                let method =
                    PaymentMethod::parse(m).map_or_else(|| m.clone(), |m| self.tr.method(&m));
                Some(format!("{method}{} {error}", self.tr.colon()))
            })
            .collect()
    }
}

/// What the action forms post (one struct: each form sends its part).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    register_id: String,
    method: String,
    amount: String,
    reason: String,
    /// The amount to refund through Stripe when cancelling an order paid online.
    online_refund: Option<String>,
    /// The cancel form's refunds as typed: (method, amount), in the order posted.
    #[serde(skip)]
    refunds: Vec<(String, String)>,
    /// Posted (the refund fields then show what was typed, not their defaults).
    #[serde(skip)]
    posted: bool,
}

async fn order_page(
    state: &AppState,
    ctx: &Ctx,
    id: OrderId,
    flash: Option<&str>,
    form: ActionForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let o = sale::get(state, ctx, id).await.or_page(ctx)?;
    let (_, tz) = today(state, ctx).await?;
    let registers = sale::selling_registers(state, ctx).await.or_page(ctx)?;
    let methods = sale::enabled_methods(state, ctx).await.or_page(ctx)?;
    let stripe = stripe_on_order(state, ctx, id).await?;
    let refundable = sale::refundable(&o);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &OrderPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/orders", flash),
            o,
            tz,
            registers,
            methods,
            can_cancel: ctx.can(Permission::CancelOrder),
            errors,
            form,
            stripe,
            refundable,
        },
    ))
}

async fn stripe_on_order(
    state: &AppState,
    ctx: &Ctx,
    id: OrderId,
) -> Result<Option<StripeOnOrder>, PageError> {
    let fees = guichet_app::stripe::fees_of_order(state, ctx, id)
        .await
        .or_page(ctx)?;
    let refunds = guichet_app::stripe::refunds_of_order(state, ctx, id)
        .await
        .or_page(ctx)?;
    if fees.is_empty() && refunds.is_empty() {
        return Ok(None);
    }
    let refundable_cents = guichet_app::stripe::refundable(state, ctx, id)
        .await
        .or_page(ctx)?;
    Ok(Some(StripeOnOrder {
        refundable_cents,
        refunds,
        fees,
    }))
}

/// Refunds part (or all) of what an order was paid online, through Stripe.
pub async fn stripe_refund(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    let id: OrderId = parse_id(&id, &ctx)?;
    ctx.require(Permission::CancelOrder).or_page(&ctx)?;
    let amount = guichet_domain::shop::parse_price_cents(&form.amount)
        .map_err(|_| AppError::field("amount", "invalid_amount"));
    let r = match amount {
        Ok(a) => guichet_app::stripe::refund(&state, &ctx, id, a).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => {
            Ok(Redirect::to(&format!("/orders/{id}?done=stripe-refund-asked")).into_response())
        }
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            order_page(&state, &ctx, id, None, form, errors).await
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let id: OrderId = parse_id(&id, &ctx)?;
    order_page(
        &state,
        &ctx,
        id,
        flash.key(),
        ActionForm::default(),
        FieldErrors::new(),
    )
    .await
}

/// Runs an action, then back to the order with a message, or the page with the form's errors.
async fn act(
    state: &AppState,
    ctx: &Ctx,
    id: OrderId,
    form: ActionForm,
    result: Result<Order, AppError>,
    flash: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orders/{id}?done={flash}")).into_response()),
        Err(e) => {
            let errors = form_errors(e, ctx)?;
            order_page(state, ctx, id, None, form, errors).await
        }
    }
}

fn payment_of(form: &ActionForm) -> Vec<PaymentInput> {
    vec![PaymentInput {
        method: form.method.clone(),
        amount: form.amount.clone(),
    }]
}

pub async fn pay(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    let id: OrderId = parse_id(&id, &ctx)?;
    let input = PayInput {
        register_id: form.register_id.clone(),
        payments: payment_of(&form),
    };
    let r = sale::pay(&state, &ctx, id, &input).await;
    act(&state, &ctx, id, form, r, "payment-taken").await
}

pub async fn confirm(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    let id: OrderId = parse_id(&id, &ctx)?;
    let payments = if form.amount.trim().is_empty() {
        Vec::new()
    } else {
        payment_of(&form)
    };
    let input = PayInput {
        register_id: form.register_id.clone(),
        payments,
    };
    let r = sale::confirm_quote(&state, &ctx, id, &input).await;
    act(&state, &ctx, id, form, r, "quote-confirmed").await
}

/// The cancel form as posted: its reason, the Stripe refund and a `refund_{method}` field per
/// method the order was paid with.
fn cancel_form(pairs: &[(String, String)]) -> (ActionForm, CancelInput) {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let refunds: Vec<(String, String)> = pairs
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("refund_")?.to_owned(), v.clone())))
        .collect();
    let form = ActionForm {
        reason: field("reason").unwrap_or_default(),
        online_refund: field("online_refund"),
        refunds: refunds.clone(),
        posted: true,
        ..ActionForm::default()
    };
    let input = CancelInput {
        reason: form.reason.clone(),
        refund: None,
        refunds: refunds
            .into_iter()
            .map(|(method, amount)| PaymentInput { method, amount })
            .collect(),
        online_refund: form.online_refund.clone(),
    };
    (form, input)
}

/// Cancelling an order cannot be undone: the form first shows what will happen (the refunds
/// per method, what goes back through Stripe) and cancels only once that is confirmed.
pub async fn cancel(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: OrderId = parse_id(&id, &ctx)?;
    let (form, input) = cancel_form(&pairs);
    let confirm = pairs
        .iter()
        .find(|(k, _)| k == "confirm")
        .map_or("", |(_, v)| v.as_str());
    match Step::of(confirm) {
        Step::Back => order_page(&state, &ctx, id, None, form, FieldErrors::new()).await,
        Step::Ask => match guichet_app::stripe::plan_cancel(&state, &ctx, id, &input).await {
            Ok((plan, online)) => Ok(cancel_confirmation(&ctx, &pairs, &plan, online).render()),
            Err(e) => {
                let errors = form_errors(e, &ctx)?;
                order_page(&state, &ctx, id, None, form, errors).await
            }
        },
        Step::Confirmed => {
            let r = guichet_app::stripe::cancel(&state, &ctx, id, &input).await;
            act(&state, &ctx, id, form, r, "order-cancelled").await
        }
    }
}

/// The confirmation of a cancellation: the order, the reason, each refund and what goes back
/// through Stripe.
fn cancel_confirmation(
    ctx: &Ctx,
    pairs: &[(String, String)],
    plan: &sale::CancelPlan,
    online_refund_cents: i64,
) -> ConfirmPage {
    let tr = Tr(ctx.lang);
    let o = &plan.order;
    let number = o
        .number
        .clone()
        .or_else(|| o.quote_number.clone())
        .unwrap_or_default();
    let mut facts = vec![(tr.t("order-number"), number.clone())];
    if let Some(c) = &o.customer_name {
        facts.push((tr.t("order-customer"), c.clone()));
    }
    facts.push((tr.t("order-total"), tr.money(&o.total_cents)));
    facts.push((tr.t("order-collected"), tr.money(&o.collected_cents)));
    facts.push((tr.t("order-cancel-reason"), plan.reason.clone()));
    for r in &plan.refunds {
        facts.push((
            tr.t1("order-confirm-refund-in", "method", tr.method(&r.method)),
            tr.money(&r.cents),
        ));
    }
    if online_refund_cents > 0 {
        facts.push((tr.t("stripe-refund-amount"), tr.money(&online_refund_cents)));
    }
    if plan.refunds.is_empty() && online_refund_cents == 0 && o.collected_cents > 0 {
        facts.push((tr.t("order-confirm-no-refund"), tr.money(&0)));
    }
    ConfirmPage {
        title: tr.t1("order-confirm-cancel", "number", number),
        lead: tr.t("order-confirm-cancel-lead"),
        facts,
        differences: Vec::new(),
        action: format!("/orders/{}/cancel", o.id),
        hidden: ConfirmPage::carry(pairs),
        confirm_label: tr.t("order-confirm-cancel-button"),
        button_id: "confirmed-cancel",
        nav: Nav::new(ctx, "/orders", None),
        tr,
    }
}

/// Staff send an online booking's confirmation e-mail again.
pub async fn resend_confirmation(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: OrderId = parse_id(&id, &ctx)?;
    match guichet_app::booking::resend_confirmation(&state, &ctx, id).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/orders/{id}?done=order-confirmation-sent")).into_response())
        }
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            order_page(&state, &ctx, id, None, ActionForm::default(), errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "payments.html")]
struct PaymentsPage {
    tr: Tr,
    nav: Nav,
    from: String,
    to: String,
    rows: Vec<PaymentLine>,
    tz: String,
    errors: FieldErrors,
    total_cents: i64,
    /// The orders list's tabs (none of them shown here).
    tabs: Vec<Tab>,
}

impl PaymentsPage {}

pub async fn payments(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    ctx.require(Permission::Sell).or_page(&ctx)?;
    let (today, tz) = today(&state, &ctx).await?;
    let (from, to) = q.period(today);
    let (rows, errors) = match sale::payment_lines(&state, &ctx, &from, &to).await {
        Ok(r) => (r, FieldErrors::new()),
        Err(e) => (Vec::new(), form_errors(e, &ctx)?),
    };
    let total_cents = rows.iter().map(|r| r.amount_cents).sum();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &PaymentsPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(&ctx, "/orders", None),
            from,
            to,
            rows,
            tz,
            errors,
            total_cents,
            tabs: tabs(today, None),
        },
    ))
}

/// The payments of a period as a spreadsheet for the accountant's reconciliation (the seeds'
/// "Fichier csv pour une réconciliation comptable"): CSV with `;` and a BOM, or XLSX.
pub async fn export_payments(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let (today, _) = today(&state, &ctx).await?;
    let (from, to) = q.period(today);
    let file = sale::export_payments(&state, &ctx, &from, &to, Format::parse(&q.format))
        .await
        .or_page(&ctx)?;
    Ok(crate::download::file(file))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    from: String,
    to: String,
    by: String,
    /// `lines`: one row per order line; otherwise one per order.
    detail: String,
    format: String,
    privacy: Option<String>,
    #[serde(flatten)]
    criteria: SearchCriteria,
}

/// The attendance export of the period shown (the seeds' detailed and summary CSV), streamed.
pub async fn export_orders(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<ExportQuery>,
) -> Result<Response, PageError> {
    use guichet_app::orders::attendance::{self, AttendanceQuery};
    let (today, _) = today(&state, &ctx).await?;
    let list = ListQuery {
        from: q.from.clone(),
        to: q.to.clone(),
        ..ListQuery::default()
    };
    let (from, to) = list.period(today);
    let query = AttendanceQuery {
        search: OrderSearch {
            from: from.clone(),
            to: to.clone(),
            by_visit: q.by == "visit",
            criteria: q.criteria.clone(),
        },
        detailed: q.detail == "lines",
        privacy: q.privacy.is_some(),
    };
    let name = format!(
        "{}-{from}-{to}",
        if query.detailed {
            "commandes-detail"
        } else {
            "commandes"
        }
    );
    if Format::parse(&q.format) == Format::Xlsx {
        let file = attendance::export_xlsx(&state, &ctx, &query)
            .await
            .or_page(&ctx)?;
        return Ok(crate::download::file_attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{name}.xlsx"),
            file,
        ));
    }
    let stream = attendance::export_csv(&state, &ctx, &query)
        .await
        .or_page(&ctx)?;
    Ok(crate::download::stream_attachment(
        "text/csv; charset=utf-8",
        &format!("{name}.csv"),
        stream,
    ))
}
