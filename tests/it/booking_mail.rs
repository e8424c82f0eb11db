//! The online booking's confirmation e-mail (issue 16 §3): queued in the outbox with its
//! HTML part, the tickets' QR codes and a calendar file, delivered whole through SMTP, and
//! gone with its files when the customer is erased.

use crate::harness::{Api, Catalogue, OrgFixture, TestApp, id_of, org, spawn, spawn_with};
use guichet_domain::OrderId;
use guichet_domain::org::Language;
use guichet_store::Tenant;
use serde_json::{Value, json};

const PAGE: &str = "https://guichet.example/book/grottes-de-neptune/mine/3f9a7c";

/// The organization (named and with an address), the seeds' catalogue, and a booking for
/// Élise at the phone register: 2 adults and 1 child (22,00 €), 10,00 € paid.
async fn booking(app: &TestApp) -> (OrgFixture, Tenant, Value, Value) {
    let a = org(app, "Grottes A", "a").await;
    let admin = Api::new(app, &a, "admin").await;
    let (status, body) = admin
        .put(
            "/api/v1/organization",
            json!({"name": "Grottes de Neptune", "street": "Rue des Grottes 6", "postal_code": "5660",
                   "city": "Couvin", "country": "be", "currency": "EUR", "time_zone": "Europe/Brussels",
                   "default_language": "fr"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let api = Api::new(app, &a, "manager").await;
    let s = Catalogue::belgian(&api).await;
    let elise = api
        .created(
            "/api/v1/customers",
            json!({"first_name": "Élise", "last_name": "Dubois", "email": "elise@example.be"}),
        )
        .await;
    let order = api
        .created(
            "/api/v1/orders",
            json!({"register_id": s.phone, "customer_id": elise["id"], "lines": s.tickets(2, 1),
                   "payments": [{"method": "bank_transfer", "amount": "10,00"}]}),
        )
        .await;
    (a.clone(), Tenant::trusted_operator(a.id), order, elise)
}

async fn confirm(app: &TestApp, tenant: Tenant, order: &Value, lang: Language) {
    let state = guichet_app::App::new(app.store.clone(), Default::default());
    let id = OrderId(id_of(order).parse().unwrap());
    guichet_app::booking_mail::enqueue_confirmation(
        &state,
        tenant,
        id,
        "elise@example.be",
        lang,
        PAGE,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_confirmation_goes_through_smtp_with_tickets_qr_codes_and_a_calendar_file() {
    let (port, got) = crate::reservations::smtp_sink().await;
    let app = spawn_with(guichet_app::AppConfig {
        mail: Some(guichet_integrations::mail::MailConfig {
            url: format!("smtp://127.0.0.1:{port}"),
            from: "Grottes de Neptune <info@grottes.example>".into(),
        }),
        ..Default::default()
    })
    .await;
    let (_, tenant, order, _) = booking(&app).await;
    let number = order["number"].as_str().unwrap().to_owned();
    assert_eq!(order["collected_cents"], 1000, "{order}");
    confirm(&app, tenant, &order, Language::Fr).await;

    let mut message = None;
    for _ in 0..75 {
        if let Some(m) = got.lock().await.first().cloned() {
            message = Some(m);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let raw = message.expect("the e-mail reached the SMTP server");
    let mail = Mime::parse(&raw);

    assert!(raw.contains("To: elise@example.be"), "{raw}");
    assert_eq!(
        mail.subject,
        format!("Votre réservation {number} — Grottes de Neptune"),
        "{raw}"
    );
    let text = mail.part("text/plain");
    for expected in [
        number.as_str(),
        PAGE,
        "2 × Ticket adulte",
        "22,00 €",
        "Déjà payé : 10,00 €",
        "Reste à payer sur place : 12,00 €",
        "Rue des Grottes 6, 5660 Couvin",
        " à 10:00",
        "Billet 1 sur 2",
    ] {
        assert!(text.contains(expected), "{expected} not in:\n{text}");
    }
    let html = mail.part("text/html");
    assert!(html.contains(&format!("href=\"{PAGE}\"")), "{html}");
    assert!(html.contains(&number), "{html}");
    // One ticket per visitor, each with its QR code inline and its code under it.
    let pictures: Vec<&Part> = mail
        .parts
        .iter()
        .filter(|p| p.content_type.starts_with("image/png"))
        .collect();
    assert_eq!(pictures.len(), 3, "{raw}");
    for p in &pictures {
        assert!(p.bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let cid = p.header("content-id").trim_matches(['<', '>']).to_owned();
        assert!(
            html.contains(&format!("src=\"cid:{cid}\"")),
            "{cid}: {html}"
        );
    }
    assert_eq!(text.matches("GT1.").count(), 3, "{text}");
    let ics = mail.part("text/calendar");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "{ics}");
    for expected in [
        "DTSTART:",
        "DTEND:",
        "DTSTAMP:",
        "SUMMARY:Visite guidée des Grottes de Neptune",
        "LOCATION:Rue des Grottes 6\\, 5660 Couvin",
        &format!("URL:{PAGE}"),
    ] {
        assert!(ics.contains(expected), "{expected} not in:\n{ics}");
    }
    assert!(raw.contains("filename=\"visit.ics\""), "{raw}");
    app.stop().await;
}

#[tokio::test]
async fn the_confirmation_is_in_the_visitors_language() {
    let app = spawn().await;
    let (_, tenant, order, _) = booking(&app).await;
    confirm(&app, tenant, &order, Language::Nl).await;
    let number = order["number"].as_str().unwrap().to_owned();
    let (subject, body, html): (String, String, Option<String>) = app
        .store
        .read(|tx| {
            Box::pin(async move {
                Ok(guichet_store::on_tx!(tx, c => sqlx::query_as(
                    "SELECT subject, body, html FROM outbox_emails ORDER BY created_at DESC LIMIT 1")
                    .fetch_one(c).await?))
            })
        })
        .await
        .unwrap();
    assert_eq!(
        subject,
        format!("Uw reservering {number} — Grottes de Neptune")
    );
    for expected in [
        "Nog ter plaatse te betalen: € 12,00",
        " om 10:00",
        "Ticket 1 van 2",
    ] {
        assert!(body.contains(expected), "{expected} not in:\n{body}");
    }
    assert!(
        html.unwrap()
            .starts_with("<!DOCTYPE html><html lang=\"nl\">")
    );
    app.stop().await;
}

#[tokio::test]
async fn erasing_the_customer_removes_the_confirmation_and_its_files() {
    let app = spawn().await;
    let (a, tenant, order, elise) = booking(&app).await;
    confirm(&app, tenant, &order, Language::Fr).await;
    // 3 QR codes, 1 calendar file.
    assert_eq!(count(&app, "outbox_attachments").await, 4);
    let api = Api::new(&app, &a, "manager").await;
    let (status, body) = api
        .post(
            &format!("/api/v1/customers/{}/erase", id_of(&elise)),
            json!({}),
        )
        .await;
    assert!(status < 300, "{status} {body}");
    assert_eq!(count(&app, "outbox_emails").await, 0);
    assert_eq!(count(&app, "outbox_attachments").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_quote_or_a_bad_address_gets_no_confirmation() {
    let app = spawn().await;
    let (_, tenant, order, _) = booking(&app).await;
    let state = guichet_app::App::new(app.store.clone(), Default::default());
    let id = OrderId(id_of(&order).parse().unwrap());
    let bad = guichet_app::booking_mail::enqueue_confirmation(
        &state,
        tenant,
        id,
        "not an address",
        Language::Fr,
        PAGE,
    )
    .await;
    assert!(
        matches!(&bad, Err(guichet_app::AppError::Invalid(_))),
        "{bad:?}"
    );
    let unknown = guichet_app::booking_mail::enqueue_confirmation(
        &state,
        tenant,
        OrderId(uuid::Uuid::now_v7()),
        "elise@example.be",
        Language::Fr,
        PAGE,
    )
    .await;
    assert!(
        matches!(&unknown, Err(guichet_app::AppError::NotFound)),
        "{unknown:?}"
    );
    assert_eq!(count(&app, "outbox_emails").await, 0);
    app.stop().await;
}

/// Rows of a table, all organizations together.
pub(crate) async fn count(app: &TestApp, table: &'static str) -> i64 {
    app.store
        .read(|tx| {
            Box::pin(async move {
                Ok(guichet_store::on_tx!(tx, c => sqlx::query_scalar::<_, i64>(
                    sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(c).await?))
            })
        })
        .await
        .unwrap()
}

/// A received message taken apart as far as the test needs: the decoded subject and every
/// leaf part with its headers and decoded body (base64, quoted-printable or as is).
struct Mime {
    subject: String,
    parts: Vec<Part>,
}

struct Part {
    content_type: String,
    headers: Vec<(String, String)>,
    bytes: Vec<u8>,
}

impl Part {
    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

impl Mime {
    fn parse(raw: &str) -> Mime {
        let (headers, _) = headers_and_body(raw);
        let subject = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("subject"))
            .map(|(_, v)| decode_words(v))
            .unwrap_or_default();
        let mut parts = Vec::new();
        leaves(raw, &mut parts);
        Mime { subject, parts }
    }

    /// The decoded body of the first part of this type, as text.
    fn part(&self, content_type: &str) -> String {
        let p = self
            .parts
            .iter()
            .find(|p| p.content_type.starts_with(content_type))
            .unwrap_or_else(|| panic!("no {content_type} part"));
        String::from_utf8(p.bytes.clone()).unwrap()
    }
}

/// Unfolded headers, then the body.
fn headers_and_body(raw: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = headers.last_mut() {
                v.push_str(line);
            }
        } else if let Some((n, v)) = line.split_once(':') {
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
    }
    (headers, body)
}

fn leaves(raw: &str, out: &mut Vec<Part>) {
    let (headers, body) = headers_and_body(raw);
    let content_type = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "text/plain".into());
    if content_type.starts_with("multipart/") {
        let boundary = content_type
            .split("boundary=")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .trim_matches('"')
            .to_owned();
        let marker = format!("--{boundary}");
        for chunk in body.split(&marker).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            leaves(chunk.trim_start_matches('\n'), out);
        }
        return;
    }
    let encoding = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-transfer-encoding"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = match encoding.as_str() {
        "base64" => base64(body),
        "quoted-printable" => quoted_printable(body),
        _ => body.trim_end_matches('\n').as_bytes().to_vec(),
    };
    out.push(Part {
        content_type,
        headers,
        bytes,
    });
}

/// RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); the space between two of
/// them is not text.
fn decode_words(value: &str) -> String {
    let mut out = Vec::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        if !(after_word && before.trim().is_empty()) {
            out.extend_from_slice(before.as_bytes());
        }
        let word = &rest[start + 2..];
        let mut fields = word.splitn(3, '?');
        let (_charset, kind, tail) = (
            fields.next().unwrap(),
            fields.next().unwrap(),
            fields.next().unwrap(),
        );
        let end = tail.find("?=").unwrap();
        let text = &tail[..end];
        if kind.eq_ignore_ascii_case("b") {
            out.extend(base64(text));
        } else {
            out.extend(quoted_printable(&text.replace('_', " ")));
        }
        rest = &tail[end + 2..];
        after_word = true;
    }
    out.extend_from_slice(rest.as_bytes());
    String::from_utf8(out).unwrap()
}

fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.bytes() {
        let Some(v) = ALPHABET.iter().position(|a| *a == c) else {
            continue; // line breaks and padding
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let text = text.replace("=\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(v) = escaped {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}
