//! Receipts and tickets. A receipt or an order's tickets printed again is a DUPLICATA (counted
//! and journaled by the store). Each ticket carries a code signed with the organization's
//! Ed25519 key (`guichet_domain::ticket`), verifiable with the public key alone.

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::org::Language;
use guichet_domain::ticket::{self, TicketClaim};
use guichet_domain::{OfferId, OrderId, Permission};
use guichet_store::documents::{self, Document};
use guichet_store::orders::{self, LineKind, Order};
use guichet_store::organizations::{self, Organization};
use guichet_store::{Tenant, Tx};
use serde::Serialize;

/// A document with its copy number: 0 for the original, n for DUPLICATA n.
pub struct Printed<T> {
    pub doc: T,
    pub copy: i64,
    /// The customer's language when known (their file's, else the one they booked online
    /// in): the document prints in it rather than in the staff's.
    pub language: Option<Language>,
}

/// The language of the order's customer: their file's when it says one Guichet speaks, else
/// the language the order was booked in online; none when unknown.
async fn customer_language(
    tx: &mut Tx,
    tenant: Tenant,
    order: &Order,
) -> guichet_store::Result<Option<Language>> {
    if let Some(id) = order.customer_id {
        match guichet_store::customers::get(tx, tenant, id).await {
            Ok(c) => {
                if let Some(lang) = c.language.as_deref().and_then(|l| Language::parse(l).ok()) {
                    return Ok(Some(lang));
                }
            }
            Err(guichet_store::StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(order
        .online
        .as_ref()
        .and_then(|o| Language::parse(&o.language).ok()))
}

/// The offers' names of the order's lines (and of `tickets`) in `lang`, when the offer has
/// one in it (the stored name otherwise).
async fn offer_names_in(
    tx: &mut Tx,
    tenant: Tenant,
    lang: Language,
    order: &mut Order,
    tickets: &mut [Ticket],
) -> guichet_store::Result<()> {
    let mut names: Vec<(OfferId, String)> = Vec::new();
    for id in order.lines.iter().filter_map(|l| l.offer_id) {
        if !names.iter().any(|(o, _)| *o == id) {
            match guichet_store::offers::get(tx, tenant, id).await {
                Ok(o) => names.push((id, o.texts.pick(lang, |t| &t.name))),
                Err(guichet_store::StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
    let name_of = |id: Option<OfferId>| {
        id.and_then(|id| names.iter().find(|(o, _)| *o == id))
            .map(|(_, n)| n.clone())
            .filter(|n| !n.trim().is_empty())
    };
    for l in &mut order.lines {
        if let Some(n) = name_of(l.offer_id) {
            l.offer_name = Some(n);
        }
    }
    for t in tickets {
        if let Some(n) = name_of(t.offer_id) {
            t.offer_name = n;
        }
    }
    Ok(())
}

/// The receipt of a finalized order, counting this print.
pub async fn receipt(
    state: &App,
    actor: &Actor,
    id: OrderId,
) -> Result<Printed<(Order, Organization)>, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    let (order, org, copy, language) = state
        .store
        .write(|tx| {
            Box::pin(async move {
                let mut order = orders::get(tx, tenant, id).await?;
                if order.number.is_none() {
                    return Err(guichet_store::StoreError::Refused("quote_not_finalized"));
                }
                let copy = documents::record_print(tx, tenant, id, Document::Receipt).await?;
                let org = organizations::get(tx, tenant).await?;
                let language = customer_language(tx, tenant, &order).await?;
                if let Some(lang) = language {
                    offer_names_in(tx, tenant, lang, &mut order, &mut []).await?;
                }
                Ok((order, org, copy, language))
            })
        })
        .await?;
    Ok(Printed {
        doc: (order, org),
        copy,
        language,
    })
}

/// One printed ticket.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ticket {
    /// Which offer (for its name in another language); not part of the API's answer.
    #[serde(skip)]
    pub offer_id: Option<OfferId>,
    pub offer_name: String,
    /// The ticket type, or the whole group's lines (`2 × Adulte, 1 × Enfant, 1 × Audio-guide`).
    pub label: String,
    pub visit_date: Option<String>,
    pub session_start: Option<i64>,
    pub index: u16,
    pub count: u16,
    /// What the QR code carries.
    pub code: String,
}

/// The order's tickets: one per visitor, or one per order and session for offers set so. With
/// `print`, this counts as a print (a DUPLICATA after the first).
pub async fn tickets(
    state: &App,
    actor: &Actor,
    id: OrderId,
    print: bool,
) -> Result<Printed<(Order, Vec<Ticket>)>, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    let (order, list, copy, language) = state
        .store
        .write(|tx| {
            Box::pin(async move {
                let order = orders::get(tx, tenant, id).await?;
                if order.number.is_none() {
                    return Err(guichet_store::StoreError::Refused("quote_not_finalized"));
                }
                if order.cancelled_at.is_some() {
                    return Err(guichet_store::StoreError::Refused("order_cancelled"));
                }
                let mut list = tickets_of(tx, tenant, &order).await?;
                let copy = if print {
                    documents::record_print(tx, tenant, id, Document::Tickets).await?
                } else {
                    0
                };
                let language = customer_language(tx, tenant, &order).await?;
                let mut order = order;
                // Printed for the customer: the offers' names in their language too (the
                // API's answer keeps the names the order stored).
                if let (true, Some(lang)) = (print, language) {
                    offer_names_in(tx, tenant, lang, &mut order, &mut list).await?;
                }
                Ok((order, list, copy, language))
            })
        })
        .await?;
    Ok(Printed {
        doc: (order, list),
        copy,
        language,
    })
}

/// The order's tickets with their signed codes, counting no print: what the printed tickets
/// and the booking's confirmation e-mail both show. In a write transaction because the
/// organization's ticket key is made on first use.
pub(crate) async fn tickets_of(
    tx: &mut Tx,
    tenant: Tenant,
    order: &Order,
) -> guichet_store::Result<Vec<Ticket>> {
    let fresh: [u8; 32] = rand::random();
    let (secret, _) = documents::ticket_key(tx, tenant, fresh).await?;
    let mut per_order: Vec<OfferId> = Vec::new();
    let mut seen: Vec<OfferId> = Vec::new();
    for offer in order.lines.iter().filter_map(|l| l.offer_id) {
        if !seen.contains(&offer) {
            seen.push(offer);
            if guichet_store::offers::get(tx, tenant, offer)
                .await?
                .one_ticket_per_order
            {
                per_order.push(offer);
            }
        }
    }
    Ok(make_tickets(order, &per_order, &secret))
}

fn make_tickets(order: &Order, per_order: &[OfferId], secret: &[u8; 32]) -> Vec<Ticket> {
    let mut out = Vec::new();
    let claim =
        |line: i32, index: u16, count: u16, start: Option<i64>, item: Option<uuid::Uuid>| {
            TicketClaim {
                key_id: String::new(),
                order_id: order.id.0,
                line: u16::try_from(line).unwrap_or(u16::MAX),
                index,
                count,
                session_start: start,
                item_id: item,
            }
        };
    let ticket_lines = order
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::TicketType && l.quantity > 0);
    // Groups: one ticket per offer and session, listing every line of it.
    let mut groups: Vec<(OfferId, Option<i64>)> = Vec::new();
    for l in ticket_lines.clone() {
        let Some(offer) = l.offer_id else { continue };
        if per_order.contains(&offer) {
            if !groups.contains(&(offer, l.session_start)) {
                groups.push((offer, l.session_start));
            }
            continue;
        }
        let count = u16::try_from(l.quantity).unwrap_or(u16::MAX);
        for index in 1..=count {
            out.push(Ticket {
                offer_id: Some(offer),
                offer_name: l.offer_name.clone().unwrap_or_default(),
                label: l.label.clone(),
                visit_date: l.visit_date.clone(),
                session_start: l.session_start,
                index,
                count,
                code: ticket::sign(
                    &claim(
                        l.position,
                        index,
                        count,
                        l.session_start,
                        l.item_id.map(|i| i.0),
                    ),
                    secret,
                ),
            });
        }
    }
    for (offer, start) in groups {
        let lines: Vec<_> = order
            .lines
            .iter()
            .filter(|l| {
                l.offer_id == Some(offer) && l.session_start == start && l.kind != LineKind::Product
            })
            .collect();
        let Some(first) = lines.iter().find(|l| l.kind == LineKind::TicketType) else {
            continue;
        };
        let label = lines
            .iter()
            .map(|l| format!("{} × {}", l.quantity, l.label))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(Ticket {
            offer_id: Some(offer),
            offer_name: first.offer_name.clone().unwrap_or_default(),
            label,
            visit_date: first.visit_date.clone(),
            session_start: start,
            index: 1,
            count: 1,
            code: ticket::sign(&claim(first.position, 1, 1, start, None), secret),
        });
    }
    out
}

/// Counts a print of a document made by an API client (its own printer): the copy number.
pub async fn record_print(
    state: &App,
    actor: &Actor,
    id: OrderId,
    document: &str,
) -> Result<i64, AppError> {
    actor.require(Permission::Sell)?;
    let document = match document.trim() {
        "receipt" => Document::Receipt,
        "tickets" => Document::Tickets,
        _ => return Err(AppError::field("document", "unknown_value")),
    };
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            Box::pin(async move { documents::record_print(tx, tenant, id, document).await })
        })
        .await?)
}

/// The organization's public ticket key: scanners verify codes with it, offline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketKey {
    pub key_id: String,
    /// Ed25519 public key, base64url without padding.
    pub public_key: String,
}

pub async fn ticket_key(state: &App, actor: &Actor) -> Result<TicketKey, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    let fresh: [u8; 32] = rand::random();
    let (_, public) = state
        .store
        .write(|tx| Box::pin(async move { documents::ticket_key(tx, tenant, fresh).await }))
        .await?;
    Ok(key_of(&public))
}

fn key_of(public: &[u8; 32]) -> TicketKey {
    use base64::Engine;
    TicketKey {
        key_id: ticket::key_id(public)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        public_key: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(public),
    }
}

/// Checks a scanned code against the organization's key (what a scanner does offline).
pub async fn verify_ticket(
    state: &App,
    actor: &Actor,
    code: &str,
) -> Result<TicketClaim, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    let key = state
        .store
        .read(|tx| Box::pin(async move { documents::existing_ticket_key(tx, tenant).await }))
        .await?;
    let Some((_, public)) = key else {
        return Err(AppError::field("code", "ticket_unknown_key"));
    };
    ticket::verify(code, &public).map_err(|e| AppError::field("code", e.code()))
}

/// Parses a base64url public key as `ticket_key` gives it (the offline command line).
pub fn parse_public_key(raw: &str) -> Option<[u8; 32]> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw.trim())
        .ok()?
        .try_into()
        .ok()
}
