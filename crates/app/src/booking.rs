//! The public online booking (issue 16 §2–3): what a visitor sees through a module and what
//! they do — the calendar, a day's sessions, the cart and its holds, the promo code, their
//! details, the payment and the order, then their own booking page. Visitors are nobody:
//! the module's address names the organization, and each use case acts as an internal
//! visitor [`Actor`] that can sell and nothing else (no price change, no free line: the
//! cart's lines carry neither). Every price comes from the one pricing on the online channel.

use crate::booking_modules::PublicModule;
use crate::documents::{self, Ticket};
use crate::holds::{self, CartHolds};
use crate::orders::{LineInput, OrderInput, OriginInput, PreviewLine};
use crate::{Actor, App, AppError};
use guichet_domain::booking_module::VisitorInput;
use guichet_domain::offer::{
    CollectionMode, DayStatus, cancellable_online, day_status, due_online,
};
use guichet_domain::order::{OrderState, PaymentMethod};
use guichet_domain::org::Language;
use guichet_domain::sale::{self, Channel, LineKind};
use guichet_domain::{ItemId, OfferId, OrderId, Permission, Role};
use guichet_store::offers::{Offer, Photo};
use guichet_store::online_carts::{self, CartState, OnlineCart};
use guichet_store::orders::{NewPayment, Order};
use guichet_store::{StoreError, Tenant};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// How the online part of a booking is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnlinePayments {
    /// No provider: only offers paid on site can be booked.
    #[default]
    Off,
    /// The development provider: a page of this server that pays or refuses when told to,
    /// for tests and demonstrations. Never for real money.
    Development,
}

/// The most days a calendar asks for at once.
pub const MAX_CALENDAR_DAYS: i64 = 400;

/// The visitor acting through a module, in their language.
fn visitor(m: &PublicModule, lang: Language) -> Actor {
    Actor {
        tenant: m.tenant,
        user: None,
        api_key: None,
        role: Role::Seller,
        lang,
    }
}

/// Whether visitors of this organization can pay online: through its Stripe account, else
/// through the server's development provider.
pub async fn payments_online(state: &App, tenant: guichet_store::Tenant) -> Result<bool, AppError> {
    Ok(state.config.online_payments != OnlinePayments::Off || stripe_set_up(state, tenant).await?)
}

/// Whether the organization's Stripe account is set up (and the server can open its keys):
/// its visitors then pay through Stripe ([`crate::stripe`]).
pub async fn stripe_set_up(state: &App, tenant: guichet_store::Tenant) -> Result<bool, AppError> {
    if state.config.sealing_key.is_none() {
        return Ok(false);
    }
    Ok(state
        .store
        .read(|tx| Box::pin(async move { guichet_store::stripe::account(tx, tenant).await }))
        .await?
        .is_some())
}

/// The offers a module shows: its one offer, or every offer sold online, active; those that
/// ask for an online payment only when a payment provider is set up.
async fn shown_offers(state: &App, m: &PublicModule) -> Result<Vec<Offer>, AppError> {
    let tenant = m.tenant;
    let all = state
        .store
        .read(|tx| Box::pin(async move { guichet_store::offers::list(tx, tenant).await }))
        .await?;
    let payments = payments_online(state, tenant).await?;
    Ok(all
        .into_iter()
        .filter(|o| m.offer_id.is_none_or(|id| id == o.id))
        .filter(|o| o.sale_online && !o.archived)
        .filter(|o| payments || o.collection() == CollectionMode::OnSite)
        .collect())
}

/// A price of an offer as a visitor sees it.
#[derive(Debug, Clone)]
pub struct PublicPrice {
    pub item_id: ItemId,
    pub name: String,
    pub price_cents: i64,
    pub min_quantity: i64,
    pub max_quantity: Option<i64>,
    /// An extra (audio guide, meal), not a ticket type.
    pub extra: bool,
}

/// An offer as a visitor sees it, in their language (the French text when a translation is
/// missing).
#[derive(Debug, Clone)]
pub struct PublicOffer {
    pub id: OfferId,
    pub name: String,
    pub description: String,
    pub included: String,
    pub not_included: String,
    pub to_bring: String,
    pub cancellation_policy: String,
    pub duration_minutes: Option<i64>,
    pub location: Option<String>,
    pub prices: Vec<PublicPrice>,
    pub photos: Vec<Photo>,
    pub collection: CollectionMode,
    /// Free cancellation online until this many hours before; `None`: not online.
    pub cancel_free_hours: Option<i64>,
}

fn public_offer(o: &Offer, lang: Language, photos: Vec<Photo>) -> PublicOffer {
    let pick = |f: fn(&guichet_domain::offer::OfferTexts) -> &str| o.texts.pick(lang, f);
    PublicOffer {
        id: o.id,
        name: pick(|x| &x.name),
        description: pick(|x| &x.description),
        included: pick(|x| &x.included),
        not_included: pick(|x| &x.not_included),
        to_bring: pick(|x| &x.to_bring),
        cancellation_policy: pick(|x| &x.cancellation_policy),
        duration_minutes: o.duration_minutes,
        location: o.location.clone(),
        prices: o
            .prices
            .iter()
            .map(|p| PublicPrice {
                item_id: p.item_id,
                name: p.item_name_in(lang).to_owned(),
                price_cents: p.price_cents,
                min_quantity: p.min_quantity,
                max_quantity: p.max_quantity,
                extra: p.item_kind == guichet_domain::catalogue::ItemKind::Extra,
            })
            .collect(),
        photos,
        collection: o.collection(),
        cancel_free_hours: o.cancel_free_hours,
    }
}

/// The offers the module shows, with their texts and photos in the visitor's language.
pub async fn offers(
    state: &App,
    m: &PublicModule,
    lang: Language,
) -> Result<Vec<PublicOffer>, AppError> {
    let mut out = Vec::new();
    for o in shown_offers(state, m).await? {
        let (tenant, id) = (m.tenant, o.id);
        let photos = state
            .store
            .read(|tx| Box::pin(async move { guichet_store::offers::photos(tx, tenant, id).await }))
            .await?;
        out.push(public_offer(&o, lang, photos));
    }
    Ok(out)
}

/// A session a visitor can book.
#[derive(Debug, Clone)]
pub struct PublicSession {
    pub offer_id: OfferId,
    /// Microseconds since the Unix epoch.
    pub start: i64,
    /// Local time, `HH:MM`.
    pub time: String,
    pub date: Date,
    pub remaining: i64,
    pub capacity: i64,
}

/// Every session of the shown offers (or of `only`) between `from` and `to`, bookable online
/// now: published for that day, before the online cut-off, not closed, not stopped.
async fn bookable_sessions(
    state: &App,
    m: &PublicModule,
    only: Option<OfferId>,
    from: Date,
    to: Date,
) -> Result<Vec<PublicSession>, AppError> {
    let actor = visitor(m, m.default_language);
    let now = jiff::Timestamp::now();
    let tz =
        jiff::tz::TimeZone::get(&m.time_zone).map_err(|e| AppError::Internal(e.to_string()))?;
    let today = now.to_zoned(tz).date();
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let mut out = Vec::new();
    for offer in shown_offers(state, m).await? {
        if only.is_some_and(|id| id != offer.id) {
            continue;
        }
        let a = crate::planning::availability(state, &actor, offer.id, &from_s, &to_s).await?;
        let sale_offer = crate::orders::sale_offer_of(state, &actor, offer.clone()).await?;
        for s in a.sessions {
            let Ok(day) = s.date.parse::<Date>() else {
                continue;
            };
            let Ok(start) = jiff::Timestamp::from_microsecond(s.start) else {
                continue;
            };
            let refused =
                sale::session_refusal(&sale_offer, Channel::Online, start, day, now, today);
            if refused.is_none() && !s.closed && !s.stopped {
                out.push(PublicSession {
                    offer_id: offer.id,
                    start: s.start,
                    time: s.time,
                    date: day,
                    remaining: s.remaining,
                    capacity: s.capacity,
                });
            }
        }
    }
    out.sort_by_key(|s| (s.start, s.offer_id.0));
    Ok(out)
}

/// A day of the public calendar.
#[derive(Debug, Clone)]
pub struct CalendarDay {
    pub date: Date,
    pub status: DayStatus,
}

/// The status of each day from `from`, `days` days long (at most [`MAX_CALENDAR_DAYS`]):
/// closed, sold out, few places, open — over the shown offers, or `only` one of them.
pub async fn calendar(
    state: &App,
    m: &PublicModule,
    only: Option<OfferId>,
    from: Date,
    days: i64,
) -> Result<Vec<CalendarDay>, AppError> {
    if !(1..=MAX_CALENDAR_DAYS).contains(&days) {
        return Err(AppError::field("days", "out_of_range"));
    }
    let to = from
        .checked_add(jiff::Span::new().days(days - 1))
        .map_err(|_| AppError::field("from", "out_of_range"))?;
    let sessions = bookable_sessions(state, m, only, from, to).await?;
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        let of_day: Vec<(i64, i64)> = sessions
            .iter()
            .filter(|s| s.date == d)
            .map(|s| (s.remaining, s.capacity))
            .collect();
        out.push(CalendarDay {
            date: d,
            status: day_status(&of_day),
        });
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    Ok(out)
}

/// The first day from `from` (within a year) with places to book for the shown offers or
/// `only` one: where a button module opens.
pub async fn first_open_day(
    state: &App,
    m: &PublicModule,
    only: Option<OfferId>,
    from: Date,
) -> Result<Option<Date>, AppError> {
    let days = calendar(state, m, only, from, 366).await?;
    Ok(days
        .into_iter()
        .find(|d| d.status.bookable())
        .map(|d| d.date))
}

/// The sessions of `date` bookable online, offer by offer.
pub async fn sessions_on(
    state: &App,
    m: &PublicModule,
    only: Option<OfferId>,
    date: Date,
) -> Result<Vec<PublicSession>, AppError> {
    bookable_sessions(state, m, only, date, date).await
}

/// One line a visitor chose: a ticket type or an extra of an offer's session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChosenLine {
    pub offer_id: OfferId,
    pub session_start: i64,
    pub item_id: ItemId,
    pub quantity: i64,
}

/// A cart's token: what the flow's addresses carry (see [`crate::holds`]).
pub fn new_cart_token() -> String {
    use base64::Engine;
    let bytes: [u8; 24] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn order_input(lines: &[ChosenLine], promo: Option<&str>, cart: &str) -> OrderInput {
    OrderInput {
        lines: lines
            .iter()
            .filter(|l| l.quantity > 0)
            .map(|l| LineInput {
                offer_id: Some(l.offer_id.0.to_string()),
                session_start: Some(l.session_start),
                item_id: Some(l.item_id.0.to_string()),
                quantity: l.quantity,
                ..Default::default()
            })
            .collect(),
        promo_code: promo.map(str::to_owned),
        cart: Some(cart.to_owned()),
        ..Default::default()
    }
}

async fn read_cart(state: &App, m: &PublicModule, cart: &str) -> Result<OnlineCart, AppError> {
    let (tenant, module, cart) = (m.tenant, m.module_id, cart.to_owned());
    Ok(state
        .store
        .read(|tx| {
            let cart = cart.clone();
            Box::pin(async move { online_carts::get(tx, tenant, module, &cart).await })
        })
        .await?)
}

fn lines_of(c: &OnlineCart) -> Vec<ChosenLine> {
    serde_json::from_str(&c.lines_json).unwrap_or_default()
}

/// Chooses the quantities of one session (replacing what the cart had for it; all zero
/// takes the session out) and holds the cart's places. Refused as the booking would be:
/// a session not bookable online, quantities out of bounds, places taken first
/// (`sold_out`); then the cart keeps what it had.
pub async fn choose(
    state: &App,
    m: &PublicModule,
    lang: Language,
    cart: &str,
    offer: OfferId,
    session_start: i64,
    quantities: &[(ItemId, i64)],
) -> Result<CartHolds, AppError> {
    if quantities.iter().any(|(_, q)| *q < 0) {
        return Err(AppError::field("quantity", "out_of_range"));
    }
    if !shown_offers(state, m).await?.iter().any(|o| o.id == offer) {
        return Err(AppError::field("offer_id", "unknown_offer"));
    }
    let mut lines = match read_cart(state, m, cart).await {
        Ok(c) if c.state != CartState::Open => return Err(AppError::Conflict("cart_closed")),
        Ok(c) => lines_of(&c),
        Err(AppError::NotFound) => Vec::new(),
        Err(e) => return Err(e),
    };
    lines.retain(|l| !(l.offer_id == offer && l.session_start == session_start));
    lines.extend(
        quantities
            .iter()
            .filter(|(_, q)| *q > 0)
            .map(|(item, q)| ChosenLine {
                offer_id: offer,
                session_start,
                item_id: *item,
                quantity: *q,
            }),
    );
    let actor = visitor(m, lang);
    let held = if lines.is_empty() {
        holds::release(state, &actor, cart).await?;
        holds::of_cart(state, &actor, cart).await?
    } else {
        holds::hold(state, &actor, cart, &order_input(&lines, None, cart)).await?
    };
    let json = serde_json::to_string(&lines).map_err(|e| AppError::Internal(e.to_string()))?;
    let (tenant, module, cart_s, lang_s) = (m.tenant, m.module_id, cart.to_owned(), lang.as_str());
    state
        .store
        .write(|tx| {
            let (cart_s, json) = (cart_s.clone(), json.clone());
            Box::pin(async move {
                online_carts::save_lines(tx, tenant, module, &cart_s, lang_s, &json).await
            })
        })
        .await?;
    Ok(held)
}

/// A cart as the visitor sees it before booking: priced lines, what is paid now and on site,
/// the countdown, the offers' cancellation policies.
#[derive(Debug, Clone)]
pub struct CartView {
    pub cart: String,
    pub booked: Option<OrderId>,
    pub paying: bool,
    pub lines: Vec<PreviewLine>,
    pub chosen: Vec<ChosenLine>,
    pub total_cents: i64,
    pub discount_cents: i64,
    /// Paid online now (a deposit or the whole), and left to pay on site.
    pub due_now_cents: i64,
    pub due_later_cents: i64,
    pub promo_code: Option<String>,
    /// When the held places go back (microseconds); `None` when nothing is held.
    pub expires_at: Option<i64>,
    /// The offers in the cart, for their texts and cancellation policies.
    pub offers: Vec<PublicOffer>,
    /// Why the cart cannot be booked as it is (a place gone, a session closed since), as
    /// error codes; empty when it can.
    pub problems: Vec<String>,
}

/// What the cart's offers ask online now: each offer's collection mode on its own lines'
/// total (discounts included), summed.
fn due_now(lines: &[guichet_domain::sale::PricedLine], offers: &[Offer]) -> i64 {
    offers
        .iter()
        .map(|o| {
            let total: i64 = lines
                .iter()
                .filter(|l| l.offer_id == Some(o.id))
                .map(|l| l.total_cents)
                .sum();
            due_online(o.collection(), total)
        })
        .sum()
}

async fn cart_offers(
    state: &App,
    m: &PublicModule,
    lines: &[ChosenLine],
) -> Result<Vec<Offer>, AppError> {
    Ok(shown_offers(state, m)
        .await?
        .into_iter()
        .filter(|o| lines.iter().any(|l| l.offer_id == o.id))
        .collect())
}

/// The cart, priced now.
pub async fn cart(
    state: &App,
    m: &PublicModule,
    lang: Language,
    cart: &str,
) -> Result<CartView, AppError> {
    let c = read_cart(state, m, cart).await?;
    let lines = lines_of(&c);
    let actor = visitor(m, lang);
    let held = holds::of_cart(state, &actor, cart).await?;
    let offers = cart_offers(state, m, &lines).await?;
    let mut view = CartView {
        cart: cart.to_owned(),
        booked: c.order_id,
        paying: c.state == CartState::Paying,
        lines: Vec::new(),
        chosen: lines.clone(),
        total_cents: 0,
        discount_cents: 0,
        due_now_cents: 0,
        due_later_cents: 0,
        promo_code: c.promo_code.clone(),
        expires_at: held.expires_at,
        offers: offers
            .iter()
            .map(|o| public_offer(o, lang, Vec::new()))
            .collect(),
        problems: Vec::new(),
    };
    if lines.is_empty() {
        return Ok(view);
    }
    match crate::orders::pricing::price_online(
        state,
        &actor,
        &order_input(&lines, c.promo_code.as_deref(), cart),
    )
    .await
    {
        Ok(priced) => {
            view.due_now_cents = due_now(&priced.lines, &offers);
            view.total_cents = priced.totals.gross_cents;
            view.due_later_cents = view.total_cents - view.due_now_cents;
            view.discount_cents = priced.lines.iter().map(|l| l.discount_cents).sum();
            view.lines = priced.lines.iter().map(PreviewLine::of).collect();
        }
        Err(AppError::Invalid(e)) => {
            view.problems = e.0.iter().map(|fe| fe.code.clone()).collect();
        }
        Err(e) => return Err(e),
    }
    if held
        .expires_at
        .is_none_or(|t| t <= guichet_store::now_micros())
        && c.order_id.is_none()
    {
        view.problems.push("hold_expired".into());
    }
    Ok(view)
}

/// Applies a promo code to the cart (empty removes it); an unknown, expired or used-up code
/// is the field error `promo_code` and the cart keeps the one it had.
pub async fn set_promo_code(
    state: &App,
    m: &PublicModule,
    lang: Language,
    cart: &str,
    code: &str,
) -> Result<(), AppError> {
    let c = read_cart(state, m, cart).await?;
    let code = code.trim();
    let code = (!code.is_empty()).then_some(code);
    if let Some(code) = code {
        if code.len() > 64 {
            return Err(AppError::field("promo_code", "unknown_promo_code"));
        }
        let input = order_input(&lines_of(&c), Some(code), cart);
        match crate::orders::pricing::price_online(state, &visitor(m, lang), &input).await {
            Ok(_) => {}
            Err(AppError::Invalid(e)) if e.get("promo_code").is_some() => {
                return Err(AppError::Invalid(e));
            }
            // Anything else (a place gone) is the cart's problem, shown with it.
            Err(_) => {}
        }
    }
    let (tenant, module, cart_s, code) = (
        m.tenant,
        m.module_id,
        cart.to_owned(),
        code.map(str::to_owned),
    );
    state
        .store
        .write(|tx| {
            let (cart_s, code) = (cart_s.clone(), code.clone());
            Box::pin(async move {
                online_carts::set_promo_code(tx, tenant, module, &cart_s, code.as_deref()).await
            })
        })
        .await?;
    Ok(())
}

/// What booking a cart led to.
#[derive(Debug, Clone)]
pub enum Booking {
    /// The order is made (nothing to pay online, or paid): confirmation and e-mail follow.
    Booked(Box<Order>),
    /// The visitor pays `due_cents` online first, at the payment provider.
    Pay { due_cents: i64 },
}

/// The visitor's details checked against the module's required fields and the customer
/// file's formats (e-mail, phone, postal code).
fn check_visitor(
    m: &PublicModule,
    lang: Language,
    v: &VisitorInput,
    today: Date,
) -> Result<guichet_domain::customer::CustomerDetails, AppError> {
    let mut e = guichet_domain::FieldErrors::new();
    v.check(&m.required_fields, &mut e);
    let input = customer_input(v, lang);
    match crate::customers::check_details(&input, &[], today) {
        Ok(d) => {
            e.into_result()?;
            Ok(d)
        }
        Err(more) => {
            for fe in &more.0 {
                if e.get(&fe.field).is_none() {
                    e.add(&fe.field, &fe.code);
                }
            }
            Err(AppError::Invalid(e))
        }
    }
}

fn customer_input(v: &VisitorInput, lang: Language) -> guichet_domain::customer::CustomerInput {
    guichet_domain::customer::CustomerInput {
        first_name: v.first_name.trim().to_owned(),
        last_name: v.last_name.trim().to_owned(),
        email: v.email.trim().to_owned(),
        phone: v.phone.trim().to_owned(),
        country: v.country.trim().to_owned(),
        postal_code: v.postal_code.trim().to_owned(),
        city: v.city.trim().to_owned(),
        language: lang.as_str().to_owned(),
        consent_email: v.consent_email,
        ..Default::default()
    }
}

fn today_in(m: &PublicModule) -> Result<Date, AppError> {
    let tz =
        jiff::tz::TimeZone::get(&m.time_zone).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(jiff::Timestamp::now().to_zoned(tz).date())
}

/// Books the cart with the visitor's details: the order is made now when nothing is due
/// online; otherwise the cart goes to the payment provider for what is due, and the order
/// is made when the provider confirms ([`paid`]). Without a provider, only what is paid on
/// site can be booked (`online_payment_unavailable`).
pub async fn book(
    state: &App,
    m: &PublicModule,
    lang: Language,
    cart: &str,
    v: &VisitorInput,
) -> Result<Booking, AppError> {
    let c = read_cart(state, m, cart).await?;
    if let Some(order) = c.order_id {
        return Ok(Booking::Booked(Box::new(order_of(state, m, order).await?)));
    }
    if c.state != CartState::Open {
        return Err(AppError::Conflict("cart_closed"));
    }
    check_visitor(m, lang, v, today_in(m)?)?;
    let view = self::cart(state, m, lang, cart).await?;
    if view.chosen.is_empty() {
        return Err(AppError::Conflict("cart_empty"));
    }
    if let Some(p) = view.problems.first() {
        return Err(AppError::Conflict(problem_code(p)));
    }
    if view.due_now_cents == 0 {
        return Ok(Booking::Booked(Box::new(
            make_order(state, m, lang, &c, v, None, true).await?,
        )));
    }
    if !payments_online(state, m.tenant).await? {
        return Err(AppError::Conflict("online_payment_unavailable"));
    }
    let json = serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))?;
    let (tenant, module, cart_s, due) =
        (m.tenant, m.module_id, cart.to_owned(), view.due_now_cents);
    let email = v.email.clone();
    state
        .store
        .write(|tx| {
            let (cart_s, json, email) = (cart_s.clone(), json.clone(), email.clone());
            Box::pin(async move {
                online_carts::start_payment(tx, tenant, module, &cart_s, &json, &email, due).await
            })
        })
        .await?;
    Ok(Booking::Pay { due_cents: due })
}

/// The stable codes a cart's problem is answered with.
fn problem_code(p: &str) -> &'static str {
    match p {
        "hold_expired" => "hold_expired",
        "sold_out" => "sold_out",
        "sales_closed" => "sales_closed",
        "not_published" => "not_published",
        "session_closed" => "session_closed",
        "sales_stopped" => "sales_stopped",
        _ => "cart_invalid",
    }
}

/// What the cart in payment asks, for the provider's page.
pub async fn payment_due(state: &App, m: &PublicModule, cart: &str) -> Result<i64, AppError> {
    let c = read_cart(state, m, cart).await?;
    match c.state {
        CartState::Paying => Ok(c.due_now_cents),
        _ => Err(AppError::Conflict("cart_not_paying")),
    }
}

/// A payment the provider confirmed.
#[derive(Debug, Clone)]
pub struct ProviderPayment<'a> {
    /// The provider's reference of the payment (Stripe's payment intent).
    pub reference: &'a str,
    pub method: PaymentMethod,
    pub amount_cents: i64,
}

/// The provider says the visitor paid: the order is made with that payment.
/// Idempotent: the same confirmation again answers the order made the first time.
pub async fn paid(
    state: &App,
    m: &PublicModule,
    cart: &str,
    payment: &ProviderPayment<'_>,
) -> Result<Order, AppError> {
    let provider_ref = payment.reference;
    let c = read_cart(state, m, cart).await?;
    if let Some(order) = c.order_id {
        return order_of(state, m, order).await;
    }
    if c.state != CartState::Paying {
        return Err(AppError::Conflict("cart_not_paying"));
    }
    let v: VisitorInput = c
        .visitor_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let lang = Language::parse(&c.language).unwrap_or(m.default_language);
    let payment = NewPayment {
        at: None,
        method: payment.method,
        amount_cents: payment.amount_cents,
        tendered_cents: payment.amount_cents,
        change_cents: 0,
    };
    let first = make_order(
        state,
        m,
        lang,
        &c,
        &v,
        Some((payment.clone(), provider_ref)),
        true,
    )
    .await;
    let made = match first {
        // Paid after the hold ran out: the booking stands if its places are still free (the
        // cart's expired holds go first, so they are not counted twice); otherwise it is
        // refused and the payment is the provider's to refund.
        Err(AppError::Conflict("hold_expired")) => {
            holds::release(state, &visitor(m, lang), cart).await?;
            make_order(state, m, lang, &c, &v, Some((payment, provider_ref)), false).await
        }
        other => other,
    };
    match made {
        Ok(o) => Ok(o),
        Err(e) => match read_cart(state, m, cart).await?.order_id {
            // Another confirmation of the same payment made it first.
            Some(order) => order_of(state, m, order).await,
            None => Err(e),
        },
    }
}

/// The visitor came back from the provider without paying: the cart is theirs to change
/// again while its places are held.
pub async fn payment_cancelled(state: &App, m: &PublicModule, cart: &str) -> Result<(), AppError> {
    let (tenant, module, cart) = (m.tenant, m.module_id, cart.to_owned());
    state
        .store
        .write(|tx| {
            let cart = cart.clone();
            Box::pin(async move { online_carts::abandon_payment(tx, tenant, module, &cart).await })
        })
        .await?;
    Ok(())
}

/// Makes the cart's order in one transaction (taking the cart's held places when `held`): the buyer matched by e-mail or created, the
/// order (its held places taken, its number, its journal entries in the online chain), the
/// cart marked booked. Then the confirmation e-mail is queued.
async fn make_order(
    state: &App,
    m: &PublicModule,
    lang: Language,
    c: &OnlineCart,
    v: &VisitorInput,
    paid: Option<(NewPayment, &str)>,
    held: bool,
) -> Result<Order, AppError> {
    let (payment, provider_ref) = match paid {
        Some((p, r)) => (Some(p), Some(r)),
        None => (None, None),
    };
    let actor = visitor(m, lang);
    let mut input = order_input(&lines_of(c), c.promo_code.as_deref(), &c.cart);
    if !held {
        // The order takes free places itself, as a sale at a register would.
        input.cart = None;
    }
    input.origin = Some(OriginInput {
        country: v.country.trim().to_owned(),
        postal_code: v.postal_code.trim().to_owned(),
        province: String::new(),
    });
    let priced = crate::orders::pricing::price_online(state, &actor, &input).await?;
    if let Some(p) = &payment {
        let offers = cart_offers(state, m, &lines_of(c)).await?;
        if due_now(&priced.lines, &offers) != p.amount_cents {
            // The price changed while the visitor paid: nothing is booked for a sum that is
            // not the order's (the provider's refund is the Stripe issue's).
            return Err(AppError::Conflict("price_changed"));
        }
    }
    let details = check_visitor(m, lang, v, today_in(m)?)?;
    let mut new = crate::orders::new_order(priced, &input, &actor, None, None, None);
    new.online = Some((m.module_id, lang.as_str().to_owned()));
    new.payments = payment.into_iter().collect();
    let new = std::sync::Arc::new(new);
    let details = std::sync::Arc::new(details);
    let (tenant, module, cart) = (m.tenant, m.module_id, c.cart.clone());
    let provider_ref = provider_ref.map(str::to_owned);
    let id = state
        .store
        .write(|tx| {
            let (new, details, cart, provider_ref) = (
                new.clone(),
                details.clone(),
                cart.clone(),
                provider_ref.clone(),
            );
            Box::pin(async move {
                let mut new = (*new).clone();
                if let Some((id, name)) = buyer(tx, tenant, &details).await? {
                    new.customer_id = Some(id);
                    new.names.customer = Some(name);
                }
                let order = guichet_store::orders::create(tx, tenant, &new).await?;
                online_carts::mark_booked(
                    tx,
                    tenant,
                    module,
                    &cart,
                    order.id,
                    provider_ref.as_deref(),
                )
                .await?;
                Ok(order.id)
            })
        })
        .await?;
    let order = order_of(state, m, id).await?;
    if !v.email.trim().is_empty() {
        // The order stands whatever happens to its e-mail: staff can send it again.
        if let Err(e) = send_confirmation(state, m.tenant, &order, v.email.trim(), lang).await {
            tracing::warn!(error = %e, order = %order.id.0, "confirmation e-mail not queued");
        }
    }
    Ok(order)
}

/// The customer an online buyer is: the oldest one with their e-mail, or a new one with
/// what they typed (none when they gave neither an e-mail nor a name). An existing file is
/// not rewritten (whoever types an address does not get to change its owner's file), except
/// that a ticked consent box records the consent.
async fn buyer(
    tx: &mut guichet_store::Tx,
    tenant: Tenant,
    d: &guichet_domain::customer::CustomerDetails,
) -> Result<Option<(guichet_domain::CustomerId, String)>, StoreError> {
    let name =
        guichet_store::customers::display_name(d.first_name.as_deref(), d.last_name.as_deref());
    if let Some(email) = d.email.as_deref() {
        let found = guichet_store::customers::ids_by_email(tx, tenant, &[email.to_owned()]).await?;
        if let Some(id) = found.get(email) {
            if d.consent_email {
                // Ticking the box is the one change a booking makes to an existing file.
                guichet_store::customers::grant_email_consent(tx, tenant, *id).await?;
            }
            let c = guichet_store::customers::get(tx, tenant, *id).await?;
            let name = guichet_store::customers::display_name(
                c.first_name.as_deref(),
                c.last_name.as_deref(),
            );
            return Ok(Some((*id, name)));
        }
    } else if d.first_name.is_none() && d.last_name.is_none() {
        return Ok(None);
    }
    let c = guichet_store::customers::create(tx, tenant, d, None).await?;
    Ok(Some((c.id, name)))
}

async fn order_of(state: &App, m: &PublicModule, id: OrderId) -> Result<Order, AppError> {
    let tenant = m.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { guichet_store::orders::get(tx, tenant, id).await }))
        .await?)
}

/// The secret part of the visitor's booking page address for `order`.
pub async fn page_token(state: &App, tenant: Tenant, order: OrderId) -> Result<String, AppError> {
    // The key exists once any ticket was made: read it (the confirmation page asks for the
    // token at every view); only the very first time is it written.
    let existing = state
        .store
        .read(|tx| {
            Box::pin(async move { guichet_store::documents::existing_ticket_key(tx, tenant).await })
        })
        .await?;
    let secret = match existing {
        Some((secret, _)) => secret,
        None => {
            let fresh: [u8; 32] = rand::random();
            state
                .store
                .write(|tx| {
                    Box::pin(async move {
                        guichet_store::documents::ticket_key(tx, tenant, fresh).await
                    })
                })
                .await?
                .0
        }
    };
    Ok(guichet_domain::ticket::booking_page_token(&secret, order.0))
}

/// The visitor's booking page address, absolute (for e-mails).
pub async fn page_url(
    state: &App,
    tenant: Tenant,
    org_slug: &str,
    order: OrderId,
) -> Result<String, AppError> {
    let token = page_token(state, tenant, order).await?;
    Ok(format!(
        "{}/booking/{}/{}/{}",
        state.config.public_url.trim_end_matches('/'),
        org_slug,
        order.0.simple(),
        token
    ))
}

/// Queues the confirmation e-mail of an order booked online.
async fn send_confirmation(
    state: &App,
    tenant: Tenant,
    order: &Order,
    to: &str,
    lang: Language,
) -> Result<(), AppError> {
    let slug = state
        .store
        .read(|tx| Box::pin(async move { guichet_store::organizations::get(tx, tenant).await }))
        .await?
        .slug;
    let url = page_url(state, tenant, &slug, order.id).await?;
    crate::booking_mail::enqueue_confirmation(state, tenant, order.id, to, lang, &url).await
}

/// Staff send an online booking's confirmation again, to the buyer's address as it is now
/// in the customer file, in the visitor's language.
pub async fn resend_confirmation(state: &App, actor: &Actor, id: OrderId) -> Result<(), AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    let order = crate::orders::get(state, actor, id).await?;
    let Some(online) = &order.online else {
        return Err(AppError::Conflict("not_booked_online"));
    };
    let email = match order.customer_id {
        Some(c) => state
            .store
            .read(|tx| Box::pin(async move { guichet_store::customers::get(tx, tenant, c).await }))
            .await?
            .email
            .unwrap_or_default(),
        None => String::new(),
    };
    if email.trim().is_empty() {
        return Err(AppError::Conflict("no_email"));
    }
    let lang = Language::parse(&online.language).unwrap_or(actor.lang);
    send_confirmation(state, tenant, &order, &email, lang).await
}

/// What the visitor's booking page shows.
#[derive(Debug, Clone)]
pub struct VisitorBooking {
    pub organization: guichet_store::organizations::Organization,
    pub order: Order,
    pub tickets: Vec<Ticket>,
    /// The order's offers in the visitor's language (texts, cancellation policies).
    pub offers: Vec<PublicOffer>,
    pub language: Language,
    /// Whether the visitor may cancel now, and until when (microseconds) they may.
    pub cancellable: bool,
    pub cancellable_until: Option<i64>,
    pub token: String,
}

/// The order behind a booking page address; `NotFound` for a wrong token, an unknown
/// order or one not booked online alike, so the address tells nothing.
async fn opened(
    state: &App,
    org_slug: &str,
    order: &str,
    token: &str,
) -> Result<(Tenant, Order), AppError> {
    let id: OrderId = order.parse().map_err(|_| AppError::NotFound)?;
    let slug = org_slug.to_owned();
    let (tenant, secret) = state
        .store
        .read(|tx| {
            let slug = slug.clone();
            Box::pin(async move {
                let tenant = guichet_store::organizations::tenant_by_slug(tx, &slug).await?;
                let key = guichet_store::documents::existing_ticket_key(tx, tenant).await?;
                Ok((tenant, key.map(|(s, _)| s)))
            })
        })
        .await?;
    let Some(secret) = secret else {
        return Err(AppError::NotFound);
    };
    if !guichet_domain::ticket::booking_page_token_matches(&secret, id.0, token) {
        return Err(AppError::NotFound);
    }
    let order = state
        .store
        .read(|tx| Box::pin(async move { guichet_store::orders::get(tx, tenant, id).await }))
        .await?;
    if order.online.is_none() {
        return Err(AppError::NotFound);
    }
    Ok((tenant, order))
}

/// Until when the visitor may cancel the order online (microseconds): the earliest limit of
/// its sessions under their offers' policies; `None` when an offer does not allow it.
fn cancel_limit(order: &Order, offers: &[Offer]) -> Option<i64> {
    let mut limit: Option<i64> = None;
    for l in order
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::TicketType)
    {
        let (Some(offer), Some(start)) = (l.offer_id, l.session_start) else {
            continue;
        };
        let hours = offers.iter().find(|o| o.id == offer)?.cancel_free_hours?;
        let until = start.saturating_sub(hours.max(0).saturating_mul(3_600_000_000));
        limit = Some(limit.map_or(until, |x| x.min(until)));
    }
    limit
}

fn may_cancel(order: &Order, offers: &[Offer], now: jiff::Timestamp) -> bool {
    if order.state == OrderState::Cancelled {
        return false;
    }
    let mut any = false;
    for l in order
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::TicketType)
    {
        let (Some(offer), Some(start)) = (l.offer_id, l.session_start) else {
            continue;
        };
        let Some(o) = offers.iter().find(|o| o.id == offer) else {
            return false;
        };
        let Ok(start) = jiff::Timestamp::from_microsecond(start) else {
            return false;
        };
        if !cancellable_online(o.cancel_free_hours, start, now) {
            return false;
        }
        any = true;
    }
    any
}

async fn offers_of(state: &App, tenant: Tenant, order: &Order) -> Result<Vec<Offer>, AppError> {
    let mut ids: Vec<OfferId> = order.lines.iter().filter_map(|l| l.offer_id).collect();
    ids.sort_by_key(|i| i.0);
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        out.push(
            state
                .store
                .read(|tx| {
                    Box::pin(async move { guichet_store::offers::get(tx, tenant, id).await })
                })
                .await?,
        );
    }
    Ok(out)
}

/// The visitor's booking page: the order, its tickets, whether it can still be cancelled.
pub async fn visitor_booking(
    state: &App,
    org_slug: &str,
    order: &str,
    token: &str,
) -> Result<VisitorBooking, AppError> {
    let (tenant, order) = opened(state, org_slug, order, token).await?;
    let language = order
        .online
        .as_ref()
        .and_then(|o| Language::parse(&o.language).ok())
        .unwrap_or_default();
    let actor = Actor {
        tenant,
        user: None,
        api_key: None,
        role: Role::Seller,
        lang: language,
    };
    let tickets = if order.state == OrderState::Cancelled {
        Vec::new()
    } else {
        documents::tickets(state, &actor, order.id, false)
            .await?
            .doc
            .1
    };
    let offers = offers_of(state, tenant, &order).await?;
    let organization = state
        .store
        .read(|tx| Box::pin(async move { guichet_store::organizations::get(tx, tenant).await }))
        .await?;
    Ok(VisitorBooking {
        cancellable: may_cancel(&order, &offers, jiff::Timestamp::now()),
        cancellable_until: cancel_limit(&order, &offers),
        offers: offers
            .iter()
            .map(|o| public_offer(o, language, Vec::new()))
            .collect(),
        organization,
        tickets,
        order,
        language,
        token: token.to_owned(),
    })
}

/// The visitor cancels their booking from its page, when the offers' policies still allow
/// it: the places come back, and what was paid online is recorded as a refund to make
/// through the payment provider ([`crate::stripe::cancel_by_visitor`] makes it). Returns the
/// order's organization with it.
pub async fn cancel_by_visitor(
    state: &App,
    org_slug: &str,
    order: &str,
    token: &str,
) -> Result<(Tenant, Order), AppError> {
    let (tenant, order) = opened(state, org_slug, order, token).await?;
    let offers = offers_of(state, tenant, &order).await?;
    if order.state == OrderState::Cancelled {
        return Err(AppError::Conflict("already_cancelled"));
    }
    if !may_cancel(&order, &offers, jiff::Timestamp::now()) {
        return Err(AppError::Conflict("cancellation_closed"));
    }
    let org_lang = state
        .store
        .read(|tx| Box::pin(async move { guichet_store::organizations::get(tx, tenant).await }))
        .await?
        .default_language;
    let reason = guichet_integrations::i18n::t(org_lang, "booking-cancelled-by-visitor");
    let (id, refund) = (order.id, order.collected_cents.max(0));
    let cancelled = state
        .store
        .write(|tx| {
            let reason = reason.clone();
            Box::pin(async move {
                guichet_store::orders::cancel(tx, tenant, id, &reason, &[], None).await?;
                if refund > 0 {
                    guichet_store::orders::set_refund_due(tx, tenant, id, refund).await?;
                }
                guichet_store::orders::get(tx, tenant, id).await
            })
        })
        .await?;
    Ok((tenant, cancelled))
}

/// The order just booked through this module (the confirmation page).
pub async fn booked_order(state: &App, m: &PublicModule, id: OrderId) -> Result<Order, AppError> {
    let order = order_of(state, m, id).await?;
    match &order.online {
        Some(o) if o.module_id == m.module_id => Ok(order),
        _ => Err(AppError::NotFound),
    }
}

/// The address the confirmation went to: the buyer's, as in the customer file.
pub async fn buyer_email(
    state: &App,
    m: &PublicModule,
    order: &Order,
) -> Result<Option<String>, AppError> {
    let Some(c) = order.customer_id else {
        return Ok(None);
    };
    let tenant = m.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { guichet_store::customers::get(tx, tenant, c).await }))
        .await?
        .email
        .filter(|e| !e.trim().is_empty()))
}

/// The calendar file of a booking's visit, from its page's address: the first session,
/// for the offer's duration (an hour when it has none).
pub async fn visit_calendar(
    state: &App,
    org_slug: &str,
    order: &str,
    token: &str,
) -> Result<String, AppError> {
    let b = visitor_booking(state, org_slug, order, token).await?;
    let o = &b.order;
    let first = o
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::TicketType && l.session_start.is_some())
        .min_by_key(|l| l.session_start)
        .ok_or(AppError::NotFound)?;
    let start = first.session_start.unwrap_or_default();
    let offer = b.offers.iter().find(|x| Some(x.id) == first.offer_id);
    let minutes = offer.and_then(|x| x.duration_minutes).unwrap_or(60).max(1);
    let location = b.organization.address.one_line();
    let url = format!(
        "{}/booking/{}/{}/{}",
        state.config.public_url.trim_end_matches('/'),
        org_slug,
        o.id.0.simple(),
        token
    );
    Ok(guichet_integrations::ics::visit(
        &format!("{}@guichet", o.id.0.simple()),
        start,
        start.saturating_add(minutes.saturating_mul(60_000_000)),
        &format!(
            "{} — {}",
            offer.map(|x| x.name.as_str()).unwrap_or_default(),
            b.organization.name
        ),
        &location,
        &o.number.clone().unwrap_or_default(),
        &url,
    ))
}
