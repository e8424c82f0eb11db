//! What the tenancy and role tests need to cover the whole API from its OpenAPI document:
//! the operations it lists, one organization's objects of every kind (so that every path
//! parameter can be filled with a real id), a body each operation accepts, and a snapshot of
//! everything the organization can read (to prove a refused call changed nothing).

use crate::harness::{Api, Catalogue, OrgFixture, id_of, login, png};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One operation of the document: verb, path template, and whether it takes a multipart body.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: Method,
    pub template: String,
    pub multipart: bool,
    /// The names of its required query parameters.
    pub query: Vec<String>,
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.template)
    }
}

/// Every operation of `/api/v1/openapi.json`, in the document's order.
pub async fn operations(api: &Api<'_>) -> Vec<Operation> {
    let doc = api.ok("/api/v1/openapi.json").await;
    let mut out = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for (verb, op) in item.as_object().expect("path item") {
            let method = match verb.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue, // "parameters", "summary"… shared by the path's operations
            };
            let multipart = op["requestBody"]["content"]["multipart/form-data"].is_object();
            let query = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query" && p["required"] == true)
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect();
            out.push(Operation {
                method,
                template: template.clone(),
                multipart,
                query,
            });
        }
    }
    assert!(out.len() > 100, "the document lists the API: {}", out.len());
    out
}

/// The `(segment before it, parameter)` pairs of a template: `/offers/{id}/photos/{photo}`
/// gives `("offers", "id")` and `("photos", "photo")`.
pub fn parameters(template: &str) -> Vec<(String, String)> {
    let segments: Vec<&str> = template.split('/').collect();
    segments
        .iter()
        .enumerate()
        .filter(|(_, s)| s.starts_with('{') && s.ends_with('}'))
        .map(|(i, s)| {
            (
                segments[i - 1].to_owned(),
                s.trim_matches(|c| c == '{' || c == '}').to_owned(),
            )
        })
        .collect()
}

/// One organization's objects, by the path segment that names them (`"offers"` → an offer's
/// id, `"photos"` → one of that offer's photos, `"sessions"` → a session start…).
pub struct Objects {
    pub by_segment: BTreeMap<&'static str, String>,
    /// The catalogue they were built on.
    pub catalogue: Catalogue,
    /// A second customer, for merges.
    pub other_customer: String,
}

impl Objects {
    /// Builds one object of every kind through the API, as the organization's admin.
    pub async fn build(admin: &Api<'_>, org: &OrgFixture, tag: &str) -> Objects {
        let s = Catalogue::belgian(admin).await;
        let mut m: BTreeMap<&'static str, String> = BTreeMap::new();
        let created = |v: Value| id_of(&v);
        m.insert(
            "vat-rates",
            created(
                admin
                    .created(
                        "/api/v1/vat-rates",
                        json!({"label": "Taux réduit", "rate_basis_points": 300}),
                    )
                    .await,
            ),
        );
        m.insert(
            "sites",
            created(
                admin
                    .created("/api/v1/sites", json!({"name": format!("Dépôt {tag}")}))
                    .await,
            ),
        );
        m.insert("registers", s.register.clone());
        m.insert(
            "booking-modules",
            created(
                admin
                    .created(
                        "/api/v1/booking-modules",
                        json!({"name": format!("Site {tag}"), "kind": "engine", "language": "browser"}),
                    )
                    .await,
            ),
        );
        let session = admin
            .ok(&format!("/api/v1/registers/{}/session", s.register))
            .await;
        m.insert("register-sessions", created(session));
        m.insert("users", org.seller_id.to_string());
        // An invitation is sent by a person: the admin signed in, not a key.
        let r = login(admin.app, &org.admin)
            .await
            .post(admin.app.url("/api/v1/invitations"))
            .json(&json!({"email": format!("invited@{tag}.test"), "role": "seller"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let invitation: Value = r.json().await.unwrap();
        m.insert("invitations", id_of(&invitation["invitation"]));
        let key = admin
            .created(
                "/api/v1/api-keys",
                json!({"name": "Site web", "role": "seller"}),
            )
            .await;
        m.insert("api-keys", id_of(&key["key"]));
        m.insert("ticket-types", s.adult.clone());
        let vat0 = admin.vat_rate_id(0).await;
        m.insert(
            "extras",
            created(
                admin
                    .created(
                        "/api/v1/extras",
                        json!({"name": "Audioguide", "vat_rate_id": vat0, "sale_pos": true}),
                    )
                    .await,
            ),
        );
        m.insert("offers", s.offer.clone());
        m.insert("sessions", s.start.to_string());
        let (status, photo) = admin
            .send(
                admin
                    .request(Method::POST, &format!("/api/v1/offers/{}/photos", s.offer))
                    .multipart(picture_form()),
            )
            .await;
        assert_eq!(status, 201, "photo: {photo}");
        m.insert("photos", id_of(&photo));
        m.insert(
            "offer-groups",
            created(
                admin
                    .created("/api/v1/offer-groups", json!({"name": "Visites"}))
                    .await,
            ),
        );
        m.insert(
            "product-groups",
            created(
                admin
                    .created("/api/v1/product-groups", json!({"name": "Peluche"}))
                    .await,
            ),
        );
        m.insert("products", s.panier.clone());
        let vat21 = admin.vat_rate_id(2100).await;
        // Each organization its own barcode: B must not find its own product by A's.
        let barcode = if tag == "a" {
            "5410188031072"
        } else {
            "5410188031089"
        };
        let scanned = admin
            .created(
                "/api/v1/products",
                json!({"name": "Peluche loup", "barcode": barcode, "price": "12,80", "vat_rate_id": vat21, "sale_pos": true}),
            )
            .await;
        m.insert(
            "by-barcode",
            scanned["barcode"].as_str().unwrap().to_owned(),
        );
        m.insert(
            "promotions",
            created(
                admin
                    .created(
                        "/api/v1/promotions",
                        json!({"name": "Last minute", "discount_kind": "percent", "discount": "50",
                            "model": "last_minute", "model_days": "2"}),
                    )
                    .await,
            ),
        );
        m.insert(
            "promo-codes",
            created(
                admin
                    .created(
                        "/api/v1/promo-codes",
                        json!({"name": "MuseumPass", "code": "MUSEUMPASS", "discount_kind": "percent",
                            "discount": "100", "max_uses": "1"}),
                    )
                    .await,
            ),
        );
        let customer = created(
            admin
                .created(
                    "/api/v1/customers",
                    json!({"first_name": "Samantha", "last_name": "Régà", "phone": "0475 12 34 56", "postal_code": "5580"}),
                )
                .await,
        );
        m.insert("customers", customer.clone());
        let other_customer = created(
            admin
                .created(
                    "/api/v1/customers",
                    json!({"first_name": "Jan", "last_name": "Peeters", "email": format!("jan@{tag}.test")}),
                )
                .await,
        );
        m.insert(
            "customer-types",
            created(
                admin
                    .created(
                        "/api/v1/customer-types",
                        json!({"name": "Écoles", "discount_percent": "10"}),
                    )
                    .await,
            ),
        );
        m.insert(
            "customer-fields",
            created(
                admin
                    .created(
                        "/api/v1/customer-fields",
                        json!({"name": "Numéro de membre", "kind": "text"}),
                    )
                    .await,
            ),
        );
        let order = admin
            .sell(
                &s.register,
                s.tickets(1, 0),
                vec![json!({"method": "cash", "amount": "8,50"})],
            )
            .await;
        m.insert("orders", id_of(&order));
        m.insert(
            "reservations",
            created(
                admin
                    .created(
                        "/api/v1/reservations",
                        json!({"customer_id": customer, "product": "Panier du Terroir", "quantity": "1"}),
                    )
                    .await,
            ),
        );
        m.insert(
            "supplier-orders",
            created(
                admin
                    .created(
                        "/api/v1/supplier-orders",
                        json!({"supplier": "Dilicom", "lines": [{"product_id": s.panier, "quantity": "1"}]}),
                    )
                    .await,
            ),
        );
        let (status, import) = admin
            .send(
                admin
                    .request(Method::POST, "/api/v1/customer-imports")
                    .multipart(import_form()),
            )
            .await;
        assert_eq!(status, 201, "import: {import}");
        m.insert("customer-imports", id_of(&import));
        Objects {
            by_segment: m,
            catalogue: s,
            other_customer,
        }
    }

    /// The operation's path on these objects, with its required query parameters; `Err` as
    /// [`Objects::fill`].
    pub fn path_of(&self, op: &Operation) -> Result<String, Vec<(String, String)>> {
        let path = self.fill(&op.template)?;
        // The document does not mark these `from`/`to` as required; the server answers 400
        // without them.
        let undocumented = op.method == Method::GET
            && (op.template.ends_with("/availability") || op.template.ends_with("/sessions"));
        let mut names = op.query.clone();
        if undocumented && names.is_empty() {
            names = vec!["from".into(), "to".into()];
        }
        let query: Vec<String> = names
            .iter()
            .map(|name| match name.as_str() {
                "from" | "to" => format!("{name}={}", self.catalogue.day),
                "period" => "period=daily".to_owned(),
                "code" => "code=NO-SUCH-CODE".to_owned(),
                "date" => format!("date={}", self.catalogue.day),
                other => panic!("{op}: no value for its query parameter {other}"),
            })
            .collect();
        Ok(if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.join("&"))
        })
    }

    /// The template with its parameters filled with these objects' ids; `Err` names the
    /// `(segment, parameter)` pairs there is no object for.
    pub fn fill(&self, template: &str) -> Result<String, Vec<(String, String)>> {
        let mut path = template.to_owned();
        let mut missing = Vec::new();
        for (segment, param) in parameters(template) {
            match self.by_segment.get(segment.as_str()) {
                Some(id) => path = path.replacen(&format!("{{{param}}}"), id, 1),
                None => missing.push((segment, param)),
            }
        }
        if missing.is_empty() {
            Ok(path)
        } else {
            Err(missing)
        }
    }
}

/// A PNG picture with a caption, for the photo and picture uploads.
pub fn picture_form() -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("caption", "La salle du Dôme")
        .part(
            "file",
            reqwest::multipart::Part::bytes(png(64, 48))
                .file_name("photo.png")
                .mime_str("image/png")
                .unwrap(),
        )
}

/// A one-customer CSV, for the customer import upload.
pub fn import_form() -> reqwest::multipart::Form {
    let csv = "first_name,last_name,email\nElise,Dubois,elise@example.be\n";
    reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("clients.csv"),
        )
        .text("update_existing", "false")
}

/// A body the operation accepts (it deserializes; it may still be refused on its content),
/// built on `own`: the caller's own objects (its register, its customer…).
pub fn body_for(op: &Operation, own: &Objects) -> Option<Value> {
    let reg = &own.catalogue.register;
    let s = &own.catalogue;
    let m = &op.method;
    let t = op.template.trim_start_matches("/api/v1");
    let body = match (m.as_str(), t) {
        ("GET" | "DELETE", _) => return None,
        (_, p) if p.ends_with("/archive") => json!({"archived": true}),
        (_, p) if p.ends_with("/move") => json!({"delta": -1}),
        ("POST", "/vat-rates") | ("PUT", "/vat-rates/{id}") => {
            json!({"label": "Modifié", "rate_basis_points": 400})
        }
        ("POST", "/sites") | ("PUT", "/sites/{id}") => json!({"name": "Modifié"}),
        ("PUT", "/organization") => {
            json!({"name": "Modifié", "currency": "EUR", "time_zone": "Europe/Brussels", "default_language": "fr"})
        }
        ("POST", "/registers") | ("PUT", "/registers/{id}") => {
            json!({"name": "Modifié", "kind": "counter", "site_id": own.by_segment["sites"]})
        }
        ("POST", "/booking-modules") | ("PUT", "/booking-modules/{id}") => {
            json!({"name": "Modifié", "kind": "engine", "language": "fr"})
        }
        ("POST", "/registers/{id}/open") => json!({"opening_float": "10"}),
        ("POST", "/registers/{id}/cash-movements") => {
            json!({"kind": "in", "amount": "20,00", "reason": "Monnaie"})
        }
        ("POST", "/register-sessions/{id}/close") => json!({"counted_cash": "0"}),
        ("POST", "/users") => {
            json!({"email": "new@example.test", "name": "New", "role": "seller", "password": "long enough password"})
        }
        ("PATCH", "/users/{id}") => json!({"disabled": true}),
        ("POST", "/invitations") => json!({"email": "y@example.test", "role": "seller"}),
        ("POST", "/api-keys") => json!({"name": "k", "role": "seller"}),
        ("PUT", "/carts/{cart}/holds") => json!({"lines": [
            {"offer_id": s.offer, "session_start": s.start, "item_id": s.adult, "quantity": 1}]}),
        ("POST", "/ticket-types" | "/extras") | ("PUT", "/ticket-types/{id}" | "/extras/{id}") => {
            json!({"name": "Modifié", "vat_rate_id": own.by_segment["vat-rates"], "sale_pos": true})
        }
        ("POST", "/offers") | ("PUT", "/offers/{id}") => json!({
            "fr": {"name": "Modifié"}, "kind": "activity", "sale_pos": true, "capacity": "10",
            "prices": [{"item_id": s.adult, "price": "5"}]}),
        ("PUT", "/offers/{id}/sessions/{start}") => json!({"capacity": "25", "closed": true}),
        ("POST", "/offer-groups" | "/product-groups")
        | ("PUT", "/offer-groups/{id}" | "/product-groups/{id}") => json!({"name": "Modifié"}),
        ("POST", "/products") | ("PUT", "/products/{id}") => {
            json!({"name": "Modifié", "price": "1,00", "vat_rate_id": own.by_segment["vat-rates"], "sale_pos": true})
        }
        ("POST", "/products/{id}/movements") => {
            json!({"kind": "withdrawal", "quantity": "1", "comment": "Cassé"})
        }
        ("POST", "/stock-counts") => json!({"lines": [{"product_id": s.panier, "counted": 2}]}),
        ("POST", "/stop-sales" | "/reopen-sales") => {
            json!({"offer_ids": [s.offer], "from": s.day, "to": s.day})
        }
        ("PUT", "/calendars/{audience}") => json!({}),
        ("PUT", "/payment-methods") => json!({"enabled": ["cash", "bancontact"]}),
        ("POST", "/promotions") | ("PUT", "/promotions/{id}") => {
            json!({"name": "Modifié", "discount_kind": "percent", "discount": "10", "model": "last_minute", "model_days": "2"})
        }
        ("POST", "/promo-codes") | ("PUT", "/promo-codes/{id}") => {
            json!({"name": "Modifié", "code": "MODIFIE", "discount_kind": "percent", "discount": "10"})
        }
        ("POST", "/customers") | ("PUT", "/customers/{id}") => {
            json!({"first_name": "Modifié", "last_name": "Modifié"})
        }
        ("POST", "/customers/{id}/merge") => json!({"absorbed_id": own.other_customer}),
        ("POST", "/customers/{id}/notes") => json!({"note": "Modifié"}),
        ("POST", "/customer-types") | ("PUT", "/customer-types/{id}") => {
            json!({"name": "Modifié", "discount_percent": "5"})
        }
        ("POST", "/customer-fields") => json!({"name": "Modifié", "kind": "text"}),
        ("PUT", "/customer-imports/{id}/mapping") => {
            json!({"columns": ["first_name", "last_name", "email"], "update_existing": false})
        }
        ("POST", "/customer-imports/{id}/commit") => json!({"accept_warnings": true}),
        ("POST", "/orders" | "/orders/preview") => json!({"register_id": reg,
            "lines": s.tickets(1, 0), "payments": [{"method": "cash", "amount": "8,50"}]}),
        ("POST", "/orders/{id}/payments" | "/orders/{id}/confirm") => {
            json!({"register_id": reg, "payments": [{"method": "cash", "amount": "1,00"}]})
        }
        ("POST", "/orders/{id}/cancel") => json!({"reason": "Erreur"}),
        ("POST", "/orders/{id}/prints") => json!({"document": "tickets"}),
        ("POST", "/reservations") => {
            json!({"customer_id": own.by_segment["customers"], "product": "Panier du Terroir", "quantity": "1"})
        }
        ("POST", "/reservations/{id}/deposit") => {
            json!({"register_id": reg, "amount": "5,00", "method": "cash"})
        }
        ("POST", "/supplier-orders") => {
            json!({"supplier": "Dilicom", "lines": [{"product_id": s.panier, "quantity": "1"}]})
        }
        ("POST", "/supplier-orders/{id}/receive") => json!({"received": {}}),
        _ => json!({}),
    };
    Some(body)
}

/// Calls an operation on `path` with the body it takes.
pub async fn call(api: &Api<'_>, op: &Operation, path: &str, own: &Objects) -> (u16, Value) {
    let mut request = api.request(op.method.clone(), path);
    if op.multipart {
        request = if op.template.contains("customer-imports") {
            request.multipart(import_form())
        } else {
            request.multipart(picture_form())
        };
    } else if let Some(body) = body_for(op, own) {
        request = request.json(&body);
    }
    api.send(request).await
}

/// Fields that change by merely reading (when a key was last used, when a report was made…).
const VOLATILE: &[&str] = &["last_used_at", "last_seen_at", "as_of"];

pub fn without_volatile(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| !VOLATILE.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), without_volatile(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_volatile).collect()),
        other => other.clone(),
    }
}

/// Everything `api` can read with a GET of the document, on `objects`: path → answer.
pub async fn snapshot(
    api: &Api<'_>,
    ops: &[Operation],
    objects: &Objects,
) -> BTreeMap<String, (u16, Value)> {
    let mut out = BTreeMap::new();
    for op in ops.iter().filter(|o| o.method == Method::GET) {
        if op.template.ends_with("openapi.json") {
            continue;
        }
        let Ok(path) = objects.path_of(op) else {
            continue;
        };
        let (status, body) = api.get(&path).await;
        out.insert(path, (status, without_volatile(&body)));
    }
    out
}

/// The paths whose answer differs between two snapshots.
pub fn changes(
    before: &BTreeMap<String, (u16, Value)>,
    after: &BTreeMap<String, (u16, Value)>,
) -> Vec<String> {
    before
        .iter()
        .filter(|(path, answer)| after.get(path.as_str()) != Some(*answer))
        .map(|(path, (status, body))| {
            format!("{path}: was {status} {body}, now {:?}", after.get(path))
        })
        .collect()
}
