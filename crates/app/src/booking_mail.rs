//! The online booking's confirmation e-mail (issue 16 §3): in the visitor's language, the
//! order, its tickets with their signed QR codes (inline pictures, readable on a phone and
//! printable), a calendar file per visit, the organization's address and the link to the
//! visitor's booking page. Queued in the outbox like every e-mail, so it leaves even if the
//! SMTP server is down when the booking is made.

use crate::{App, AppError, Tenant, documents};
use guichet_domain::OrderId;
use guichet_domain::mail::{Attachment, Outgoing};
use guichet_domain::org::{Address, Email, Language};
use guichet_domain::validation::ErrorCode;
use guichet_integrations::i18n::{Tr, long_date, t_args};
use guichet_integrations::mail::escape_html;
use guichet_integrations::{ics, qr};
use guichet_store::StoreError;
use guichet_store::offers::{self, Offer};
use guichet_store::orders::{self, LineKind, Order};
use guichet_store::{organizations, outbox, sites};
use std::fmt::Write;

/// A visit lasts this long in the calendar when its offer gives no duration.
const DEFAULT_DURATION_MINUTES: i64 = 60;

/// Queues the confirmation of a finalized order for `to`, in `lang`, with `page_url` as the
/// visitor's booking page. For the order's customer when it has one (their erasure removes
/// it). Counts no print: the tickets in an e-mail are not a DUPLICATA. Sending it again
/// (the visitor lost it) is calling this again.
pub async fn enqueue_confirmation(
    state: &App,
    tenant: Tenant,
    order: OrderId,
    to: &str,
    lang: Language,
    page_url: &str,
) -> Result<(), AppError> {
    let to = Email::parse(to)
        .map_err(|e| AppError::field("email", e.code()))?
        .as_str()
        .to_owned();
    // The ticket key is made on first use: a write transaction, kept short (the pictures are
    // drawn outside it).
    let facts = state
        .store
        .write(|tx| {
            Box::pin(async move {
                let order = orders::get(tx, tenant, order).await?;
                if order.number.is_none() {
                    return Err(StoreError::Refused("quote_not_finalized"));
                }
                if order.cancelled_at.is_some() {
                    return Err(StoreError::Refused("order_cancelled"));
                }
                let org = organizations::get(tx, tenant).await?;
                let mut address = address_line(&org.address);
                if address.is_none() {
                    // An organization without an address of its own: its one open site's.
                    address = sites::list(tx, tenant)
                        .await?
                        .iter()
                        .filter(|s| !s.archived)
                        .find_map(|s| address_line(&s.address));
                }
                let mut offers: Vec<Offer> = Vec::new();
                for id in order.lines.iter().filter_map(|l| l.offer_id) {
                    if !offers.iter().any(|o| o.id == id) {
                        offers.push(offers::get(tx, tenant, id).await?);
                    }
                }
                let tickets = documents::tickets_of(tx, tenant, &order).await?;
                Ok(Facts {
                    order,
                    organization: org.name,
                    time_zone: org.time_zone,
                    address,
                    offers,
                    tickets,
                })
            })
        })
        .await?;
    let message = compose(&facts, lang, page_url).map_err(AppError::Internal)?;
    let customer = facts.order.customer_id;
    state
        .store
        .write(|tx| {
            let (to, message) = (to.clone(), message.clone());
            Box::pin(async move {
                outbox::enqueue_message(tx, tenant, customer, &to, &message).await?;
                Ok(())
            })
        })
        .await?;
    Ok(())
}

/// Same as [`enqueue_confirmation`]: the caller decides when a visitor gets it again.
pub async fn resend(
    state: &App,
    tenant: Tenant,
    order: OrderId,
    to: &str,
    lang: Language,
    page_url: &str,
) -> Result<(), AppError> {
    enqueue_confirmation(state, tenant, order, to, lang, page_url).await
}

/// What the e-mail is made of, read in one transaction.
struct Facts {
    order: Order,
    organization: String,
    time_zone: String,
    address: Option<String>,
    offers: Vec<Offer>,
    tickets: Vec<documents::Ticket>,
}

/// `Rue des Grottes 1, 5660 Couvin`, or nothing when the address is empty.
fn address_line(a: &Address) -> Option<String> {
    let town = [a.postal_code.as_deref(), a.city.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let parts: Vec<&str> = [a.street.as_deref().map(str::trim), Some(town.as_str())]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// One calendar event: an offer's session.
struct Visit {
    offer: Option<guichet_domain::OfferId>,
    name: String,
    start: i64,
    end: i64,
}

fn compose(f: &Facts, lang: Language, page_url: &str) -> Result<Outgoing, String> {
    let tr = Tr(lang);
    let colon = tr.colon();
    let order = &f.order;
    let number = order.number.clone().unwrap_or_default();
    let org = f.organization.as_str();
    let offer_of = |id: Option<guichet_domain::OfferId>| {
        id.and_then(|id| f.offers.iter().find(|o| o.id == id))
    };
    let name_of = |id: Option<guichet_domain::OfferId>, stored: &Option<String>| {
        offer_of(id)
            .map(|o| o.texts.pick(lang, |t| &t.name))
            .or_else(|| stored.clone())
            .unwrap_or_default()
    };
    let when = |start: Option<i64>, day: &Option<String>| when(lang, &f.time_zone, start, day);

    let subject = t_args(
        lang,
        "booking-mail-subject",
        &[("number", number.clone()), ("organization", org.to_owned())],
    );
    let intro = t_args(
        lang,
        "booking-mail-intro",
        &[("organization", org.to_owned())],
    );
    let order_title = tr.t1("booking-mail-order", "number", &number);

    // The visits: one per offer and session, in the order's order.
    let mut visits: Vec<Visit> = Vec::new();
    for l in order.lines.iter().filter(|l| l.kind != LineKind::Product) {
        let Some(start) = l.session_start else {
            continue;
        };
        if visits
            .iter()
            .any(|v| v.offer == l.offer_id && v.start == start)
        {
            continue;
        }
        let minutes = offer_of(l.offer_id)
            .and_then(|o| o.duration_minutes)
            .filter(|m| *m > 0)
            .unwrap_or(DEFAULT_DURATION_MINUTES);
        visits.push(Visit {
            offer: l.offer_id,
            name: name_of(l.offer_id, &l.offer_name),
            start,
            end: start.saturating_add(minutes.saturating_mul(60_000_000)),
        });
    }

    // The order's lines: what, when, how much.
    struct Row {
        what: String,
        when: Option<String>,
        total: String,
    }
    let rows: Vec<Row> = order
        .lines
        .iter()
        .map(|l| {
            let offer = name_of(l.offer_id, &l.offer_name);
            let label = if offer.is_empty() || l.kind == LineKind::Product {
                l.label.clone()
            } else {
                format!("{} — {offer}", l.label)
            };
            Row {
                what: format!("{} × {label}", l.quantity),
                when: when(l.session_start, &l.visit_date),
                total: tr.money(&l.total_cents),
            }
        })
        .collect();
    let left = order
        .total_cents
        .saturating_sub(order.collected_cents)
        .max(0);
    let mut amounts = vec![
        (tr.t("booking-mail-total"), tr.money(&order.total_cents)),
        (tr.t("booking-mail-paid"), tr.money(&order.collected_cents)),
    ];
    if left > 0 {
        amounts.push((tr.t("booking-mail-left-to-pay"), tr.money(&left)));
    }

    // The tickets, each with its code as an inline picture.
    struct TicketView {
        title: String,
        label: String,
        when: Option<String>,
        of: String,
        code: String,
        cid: String,
    }
    let mut attachments = Vec::new();
    let mut tickets: Vec<TicketView> = Vec::new();
    for (n, t) in f.tickets.iter().enumerate() {
        let n = n + 1;
        let cid = format!("ticket-{n}.{}", order.id.0.simple());
        attachments.push(Attachment {
            filename: format!("ticket-{n}.png"),
            content_type: "image/png".into(),
            bytes: qr::png(&t.code)?,
            inline_id: Some(cid.clone()),
        });
        tickets.push(TicketView {
            title: name_of(t.offer_id, &Some(t.offer_name.clone())),
            label: t.label.clone(),
            when: when(t.session_start, &t.visit_date),
            of: t_args(
                lang,
                "booking-mail-ticket",
                &[
                    ("index", t.index.to_string()),
                    ("count", t.count.to_string()),
                ],
            ),
            code: t.code.clone(),
            cid,
        });
    }
    // One calendar file per visit.
    let ics_description = t_args(
        lang,
        "booking-mail-ics-description",
        &[("number", number.clone()), ("url", page_url.to_owned())],
    );
    for (i, v) in visits.iter().enumerate() {
        let location = [
            offer_of(v.offer).and_then(|o| o.location.clone()),
            f.address.clone(),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ");
        let calendar = ics::visit(
            &format!("{}-{}@guichet", order.id.0, v.start),
            v.start,
            v.end,
            &format!("{} — {org}", v.name),
            &location,
            &ics_description,
            page_url,
        );
        attachments.push(Attachment {
            filename: if visits.len() == 1 {
                "visit.ics".into()
            } else {
                format!("visit-{}.ics", i + 1)
            },
            content_type: "text/calendar; charset=utf-8".into(),
            bytes: calendar.into_bytes(),
            inline_id: None,
        });
    }

    // The text part.
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{}\n\n{intro}\n\n{order_title}",
        tr.t("booking-mail-greeting")
    );
    for v in &visits {
        let _ = writeln!(
            text,
            "{}{colon} {} — {}",
            tr.t("booking-mail-visit"),
            v.name,
            when(Some(v.start), &None).unwrap_or_default()
        );
    }
    text.push('\n');
    for r in &rows {
        match &r.when {
            Some(w) => {
                let _ = writeln!(text, "{}, {w}{colon} {}", r.what, r.total);
            }
            None => {
                let _ = writeln!(text, "{}{colon} {}", r.what, r.total);
            }
        }
    }
    for (label, amount) in &amounts {
        let _ = writeln!(text, "{label}{colon} {amount}");
    }
    let _ = writeln!(
        text,
        "\n{}\n{}",
        tr.t("booking-mail-tickets"),
        tr.t("booking-mail-tickets-help")
    );
    for t in &tickets {
        let _ = writeln!(text, "\n{} — {} — {}", t.of, t.title, t.label);
        if let Some(w) = &t.when {
            let _ = writeln!(text, "{w}");
        }
        let _ = writeln!(text, "{}", t.code);
    }
    let _ = writeln!(text, "\n{}{colon} {page_url}", tr.t("booking-mail-page"));
    if let Some(a) = &f.address {
        let _ = writeln!(text, "{}{colon} {org}, {a}", tr.t("booking-mail-address"));
    }
    if !visits.is_empty() {
        let _ = writeln!(text, "\n{}", tr.t("booking-mail-calendar"));
    }
    let _ = writeln!(text, "\n{}\n{org}", tr.t("booking-mail-signature"));

    // The HTML part: a table layout with inline styles, what mail clients render; every text
    // that is not ours escaped.
    let e = escape_html;
    let td = "padding:4px 8px;border-bottom:1px solid #ddd;";
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"margin:0;padding:0;background:#f4f4f4;\">\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f4f4f4;\"><tr><td align=\"center\">\
         <table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:600px;width:100%;background:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:15px;color:#222;\">\
         <tr><td style=\"padding:16px 24px;background:#1f3b57;color:#ffffff;font-size:20px;font-weight:bold;\">{}</td></tr>\
         <tr><td style=\"padding:16px 24px;\"><p>{}</p><p>{}</p><h2 style=\"font-size:18px;margin:16px 0 8px;\">{}</h2>",
        tr.lang(),
        e(&subject),
        e(org),
        e(&tr.t("booking-mail-greeting")),
        e(&intro),
        e(&order_title),
    );
    for v in &visits {
        let _ = write!(
            html,
            "<p style=\"margin:4px 0;\"><strong>{}{colon}</strong> {} — {}</p>",
            e(&tr.t("booking-mail-visit")),
            e(&v.name),
            e(&when(Some(v.start), &None).unwrap_or_default()),
        );
    }
    html.push_str(
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"margin:12px 0;border-collapse:collapse;\">",
    );
    for r in &rows {
        let _ = write!(
            html,
            "<tr><td style=\"{td}\">{}{}</td><td align=\"right\" style=\"{td}white-space:nowrap;\">{}</td></tr>",
            e(&r.what),
            r.when
                .as_ref()
                .map(|w| format!(
                    "<br><span style=\"color:#555;font-size:13px;\">{}</span>",
                    e(w)
                ))
                .unwrap_or_default(),
            e(&r.total),
        );
    }
    for (label, amount) in &amounts {
        let _ = write!(
            html,
            "<tr><td style=\"padding:4px 8px;font-weight:bold;\">{}</td><td align=\"right\" style=\"padding:4px 8px;font-weight:bold;white-space:nowrap;\">{}</td></tr>",
            e(label),
            e(amount),
        );
    }
    let _ = write!(
        html,
        "</table><h2 style=\"font-size:18px;margin:16px 0 8px;\">{}</h2><p>{}</p>",
        e(&tr.t("booking-mail-tickets")),
        e(&tr.t("booking-mail-tickets-help")),
    );
    for t in &tickets {
        let _ = write!(
            html,
            "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"margin:0 0 16px;border:1px solid #ccc;\">\
             <tr><td align=\"center\" style=\"padding:12px;\">\
             <div style=\"font-weight:bold;\">{}</div><div>{}</div>{}<div style=\"color:#555;font-size:13px;\">{}</div>\
             <img src=\"cid:{}\" width=\"240\" height=\"240\" alt=\"QR\" style=\"display:block;margin:8px auto;width:240px;height:240px;\">\
             <div style=\"font-family:Consolas,Menlo,monospace;font-size:11px;word-break:break-all;color:#333;\">{}</div>\
             </td></tr></table>",
            e(&t.title),
            e(&t.label),
            t.when
                .as_ref()
                .map(|w| format!("<div>{}</div>", e(w)))
                .unwrap_or_default(),
            e(&t.of),
            e(&t.cid),
            e(&t.code),
        );
    }
    let _ = write!(
        html,
        "<p><strong>{}{colon}</strong> <a href=\"{}\" style=\"color:#1f5f9f;\">{}</a></p>",
        e(&tr.t("booking-mail-page")),
        e(page_url),
        e(&tr.t("booking-mail-page-link")),
    );
    if let Some(a) = &f.address {
        let _ = write!(
            html,
            "<p><strong>{}{colon}</strong> {}, {}</p>",
            e(&tr.t("booking-mail-address")),
            e(org),
            e(a),
        );
    }
    if !visits.is_empty() {
        let _ = write!(html, "<p>{}</p>", e(&tr.t("booking-mail-calendar")));
    }
    let _ = write!(
        html,
        "<p>{}<br>{}</p></td></tr></table></td></tr></table></body></html>",
        e(&tr.t("booking-mail-signature")),
        e(org),
    );

    Ok(Outgoing {
        subject,
        text,
        html: Some(html),
        attachments,
    })
}

/// When a visit is, in the visitor's language: `17 décembre 2026 à 10:00` for a session (in
/// the organization's zone), `17 décembre 2026` for a day.
fn when(lang: Language, tz: &str, start: Option<i64>, day: &Option<String>) -> Option<String> {
    if let Some(ts) = start.and_then(|m| jiff::Timestamp::from_microsecond(m).ok()) {
        let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
        let at = ts.to_zoned(zone);
        return Some(t_args(
            lang,
            "booking-mail-date-time",
            &[
                ("date", long_date(lang, at.date())),
                ("time", at.strftime("%H:%M").to_string()),
            ],
        ));
    }
    day.as_deref().map(|d| Tr(lang).long_day(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_reads_on_one_line_and_an_empty_one_is_none() {
        let a = Address {
            street: Some("Rue des Grottes 1".into()),
            postal_code: Some("5660".into()),
            city: Some("Couvin".into()),
            country: Some("BE".into()),
        };
        assert_eq!(
            address_line(&a).as_deref(),
            Some("Rue des Grottes 1, 5660 Couvin")
        );
        let empty = Address {
            street: Some(" ".into()),
            postal_code: None,
            city: None,
            country: Some("BE".into()),
        };
        assert_eq!(address_line(&empty), None);
    }

    #[test]
    fn a_session_is_written_in_the_visitors_language_and_the_organizations_zone() {
        // 2026-12-17 09:00 UTC is 10:00 in Brussels.
        let start = Some(1_797_498_000_000_000);
        let tz = "Europe/Brussels";
        assert_eq!(
            when(Language::Fr, tz, start, &None).as_deref(),
            Some("17 décembre 2026 à 10:00")
        );
        assert_eq!(
            when(Language::Nl, tz, start, &None).as_deref(),
            Some("17 december 2026 om 10:00")
        );
        assert_eq!(
            when(Language::En, tz, None, &Some("2026-12-01".into())).as_deref(),
            Some("1 December 2026")
        );
        assert_eq!(when(Language::En, tz, None, &None), None);
    }
}
