//! A typed client for the REST API (`Api`: one organization, one key) and the shared
//! catalogue fixture (`Catalogue::belgian`) most selling tests start from.

use super::{OrgFixture, TestApp, api_key, client, today};
use reqwest::Method;
use serde_json::{Value, json};

/// The REST API as one API key of one organization sees it.
#[derive(Clone)]
pub struct Api<'a> {
    pub app: &'a TestApp,
    pub key: String,
}

/// The id of a created object, as a string.
pub fn id_of(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_owned()
}

impl<'a> Api<'a> {
    /// A new key of `role` ("admin", "manager", "seller") in `org`, made by its admin.
    pub async fn new(app: &'a TestApp, org: &OrgFixture, role: &str) -> Api<'a> {
        Api {
            app,
            key: api_key(app, org, role).await,
        }
    }

    /// A request with the key, to send through [`Api::send`].
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        client()
            .request(method, self.app.url(path))
            .bearer_auth(&self.key)
    }

    /// Sends a request and answers its status with its body: JSON when it is JSON, else
    /// the text as a JSON string (an empty body is `null`).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let r = request.send().await.expect("request");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    /// Any verb, with a JSON body when there is one.
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.send(request).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(&body)).await
    }

    #[allow(dead_code)] // the client's vocabulary: not every helper has a user yet
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PUT, path, Some(&body)).await
    }

    #[allow(dead_code)] // the client's vocabulary: not every helper has a user yet
    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// A GET that must answer 200; its body.
    pub async fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// Every row of a paged list (`{items, next}`), following `next` page after page with
    /// `limit` rows a page; checks the paging itself: only a full page has a next one, and
    /// no row comes twice (rows compared whole).
    pub async fn all_pages(&self, path: &str, limit: u32) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut rows: Vec<Value> = Vec::new();
        let mut after = String::new();
        loop {
            let page = self.ok(&format!("{path}{sep}limit={limit}{after}")).await;
            let items = page["items"]
                .as_array()
                .unwrap_or_else(|| panic!("GET {path}: not a page: {page}"));
            assert!(items.len() <= limit as usize, "GET {path}: {page}");
            for item in items {
                assert!(!rows.contains(item), "GET {path}: {item} twice");
                rows.push(item.clone());
            }
            match page["next"].as_str() {
                Some(next) => {
                    assert_eq!(
                        items.len(),
                        limit as usize,
                        "only a full page has a next one"
                    );
                    after = format!("&after={next}");
                }
                None => {
                    assert!(page["next"].is_null(), "GET {path}: {page}");
                    return rows;
                }
            }
        }
    }

    /// A POST that must answer 201; the created object.
    pub async fn created(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.post(path, body.clone()).await;
        assert_eq!(status, 201, "POST {path} {body}: {answer}");
        answer
    }

    /// The id of the organization's VAT rate of `basis_points` (600: 6 %).
    pub async fn vat_rate_id(&self, basis_points: i64) -> String {
        let rates = self.ok("/api/v1/vat-rates").await["items"].clone();
        let rate = rates
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rate_basis_points"] == basis_points)
            .unwrap_or_else(|| panic!("no VAT rate of {basis_points} in {rates}"));
        id_of(rate)
    }

    /// A ticket type sold at the register, at the VAT rate of `vat_basis_points`.
    pub async fn ticket_type(&self, name: &str, vat_basis_points: i64) -> String {
        let vat = self.vat_rate_id(vat_basis_points).await;
        id_of(
            &self
                .created(
                    "/api/v1/ticket-types",
                    json!({"name": name, "vat_rate_id": vat, "sale_pos": true}),
                )
                .await,
        )
    }

    /// An activity sold at the register, every 30 minutes from 10:00 to 16:30 from 2026 to
    /// 2030, with `(ticket type, price)` prices.
    pub async fn offer(&self, name: &str, capacity: i64, prices: &[(&str, &str)]) -> String {
        let prices: Vec<Value> = prices
            .iter()
            .map(|(item, price)| json!({"item_id": item, "price": price}))
            .collect();
        id_of(&self.created("/api/v1/offers", json!({
            "fr": {"name": name}, "kind": "activity", "sale_pos": true,
            "capacity": capacity.to_string(), "prices": prices,
            "rules": [{"from": "2026-01-01", "to": "2030-12-31", "kind": "every", "every_minutes": "30", "first": "10:00", "last": "16:30"}]
        })).await)
    }

    /// A shop product sold at the register; its stock is managed when `stock` is given.
    pub async fn product(
        &self,
        name: &str,
        price: &str,
        vat_basis_points: i64,
        stock: Option<i64>,
    ) -> String {
        let vat = self.vat_rate_id(vat_basis_points).await;
        let mut body = json!({"name": name, "price": price, "vat_rate_id": vat, "sale_pos": true});
        if let Some(stock) = stock {
            body["stock_managed"] = json!(true);
            body["initial_stock"] = json!(stock.to_string());
        }
        id_of(&self.created("/api/v1/products", body).await)
    }

    /// The organization's first site.
    pub async fn site(&self) -> String {
        id_of(&self.ok("/api/v1/sites").await["items"][0])
    }

    /// The organization's first register (the fixture's counter register, open today).
    pub async fn first_register(&self) -> String {
        id_of(&self.ok("/api/v1/registers").await["items"][0])
    }

    /// A new register of `kind` ("counter", "phone"…) on the first site.
    pub async fn register(&self, name: &str, kind: &str) -> String {
        let site = self.site().await;
        id_of(
            &self
                .created(
                    "/api/v1/registers",
                    json!({"name": name, "kind": kind, "site_id": site}),
                )
                .await,
        )
    }

    /// Opens a register for the day with an empty float; the session.
    #[allow(dead_code)] // the client's vocabulary: not every helper has a user yet
    pub async fn open_session(&self, register: &str) -> Value {
        let (status, session) = self
            .post(
                &format!("/api/v1/registers/{register}/open"),
                json!({"opening_float": "0"}),
            )
            .await;
        assert!(
            status == 200 || status == 201,
            "open {register}: {status} {session}"
        );
        session
    }

    /// A sale at `register`; must answer 201, the order.
    pub async fn sell(&self, register: &str, lines: Vec<Value>, payments: Vec<Value>) -> Value {
        self.created(
            "/api/v1/orders",
            json!({"register_id": register, "lines": lines, "payments": payments}),
        )
        .await
    }

    /// The availability of an offer on one day.
    pub async fn availability(&self, offer: &str, day: &str) -> Value {
        self.ok(&format!(
            "/api/v1/offers/{offer}/availability?from={day}&to={day}"
        ))
        .await
    }
}

/// The seeds' dossiers list of 16/03/2021 in small (features.md §4.2): the guided tour of the
/// Grottes de Neptune, adult 8,50, child 5,00 and senior 7,50 (0 %), its first session a week
/// from now, and the fixture's counter register.
pub struct NeptuneTour {
    pub offer: String,
    pub adult: String,
    pub child: String,
    pub senior: String,
    pub register: String,
    pub start: i64,
    pub day: String,
}

impl NeptuneTour {
    pub async fn new(api: &Api<'_>) -> NeptuneTour {
        let adult = api.ticket_type("Ticket adulte", 0).await;
        let child = api.ticket_type("Ticket enfant", 0).await;
        let senior = api.ticket_type("Ticket senior", 0).await;
        let offer = api
            .offer(
                "Visite guidée des Grottes de Neptune",
                40,
                &[(&adult, "8,50"), (&child, "5,00"), (&senior, "7,50")],
            )
            .await;
        let register = api.first_register().await;
        let day = today()
            .checked_add(jiff::Span::new().days(7))
            .unwrap()
            .to_string();
        let start = api.availability(&offer, &day).await["sessions"][0]["start"]
            .as_i64()
            .expect("a session a week from now");
        NeptuneTour {
            offer,
            adult,
            child,
            senior,
            register,
            start,
            day,
        }
    }
}

/// The seeds' catalogue in small: the guided tour (adult 8,50, child 5,00 at 0 %) every 30
/// minutes, the Panier du Terroir at 25,00 € and 21 % with 3 in stock, the fixture's counter
/// register (open) and a phone register.
pub struct Catalogue {
    pub offer: String,
    pub adult: String,
    pub child: String,
    pub panier: String,
    pub register: String,
    pub phone: String,
    /// The first session ten days from now.
    pub start: i64,
    /// That session's day.
    pub day: String,
}

impl Catalogue {
    /// The catalogue with a capacity of 40 per session.
    pub async fn belgian(api: &Api<'_>) -> Catalogue {
        Catalogue::belgian_with_capacity(api, 40).await
    }

    pub async fn belgian_with_capacity(api: &Api<'_>, capacity: i64) -> Catalogue {
        let adult = api.ticket_type("Ticket adulte", 0).await;
        let child = api.ticket_type("Ticket enfant", 0).await;
        let offer = api
            .offer(
                "Visite guidée des Grottes de Neptune",
                capacity,
                &[(&adult, "8,50"), (&child, "5,00")],
            )
            .await;
        let panier = api
            .product("Panier du Terroir", "25,00", 2100, Some(3))
            .await;
        let register = api.first_register().await;
        let phone = api.register("Réservation par téléphone", "phone").await;
        let day = today()
            .checked_add(jiff::Span::new().days(10))
            .unwrap()
            .to_string();
        let start = api.availability(&offer, &day).await["sessions"][0]["start"]
            .as_i64()
            .expect("a session ten days from now");
        Catalogue {
            offer,
            adult,
            child,
            panier,
            register,
            phone,
            start,
            day,
        }
    }

    /// Ticket lines for the first session: `adults` adults and `children` children.
    pub fn tickets(&self, adults: i64, children: i64) -> Vec<Value> {
        let mut v = vec![
            json!({"offer_id": self.offer, "session_start": self.start, "item_id": self.adult, "quantity": adults}),
        ];
        if children > 0 {
            v.push(json!({"offer_id": self.offer, "session_start": self.start, "item_id": self.child, "quantity": children}));
        }
        v
    }
}
