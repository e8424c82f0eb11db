//! Reservations and special orders (seed 004): reserving in stock sets aside, out of stock
//! goes on the order list with the products under their minimum; a supplier order received
//! sets the waiting reservations aside and says whom to tell (by e-mail or SMS only with
//! consent); archiving puts the item back; a sale to the customer consumes the reservation.

use crate::harness::{TestApp, api_key, client, login, org, problem, spawn, vat_rate_id};
use serde_json::{Value, json};

async fn call(
    app: &TestApp,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = client().request(method, app.url(path)).bearer_auth(key);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

async fn ok(
    app: &TestApp,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let r = call(app, key, method, path, body).await;
    let status = r.status();
    if !status.is_success() {
        panic!("{path}: {status} {}", r.text().await.unwrap());
    }
    r.json().await.unwrap()
}

async fn product(
    app: &TestApp,
    key: &str,
    name: &str,
    stock: &str,
    minimum: &str,
    managed: bool,
) -> Value {
    let rate = vat_rate_id(app, key, 600).await;
    ok(app, key, reqwest::Method::POST, "/api/v1/products", Some(json!({"name": name, "price": "15,00",
        "vat_rate_id": rate, "sale_pos": true, "stock_managed": managed, "initial_stock": stock, "alert_stock": minimum}))).await
}

async fn stock(app: &TestApp, key: &str, id: &Value) -> i64 {
    ok(
        app,
        key,
        reqwest::Method::GET,
        &format!("/api/v1/products/{}", id.as_str().unwrap()),
        None,
    )
    .await["stock"]
        .as_i64()
        .unwrap()
}

/// The bookshop of the reservation tests: the Petit Prince (1 in stock, minimum 1), Tintin
/// au Congo (none in stock), a postcard without managed stock, Élise (who agreed to e-mails
/// and SMS) and Jan (an e-mail address, no consent), by a manager and a seller of A.
struct Shop<'a> {
    app: &'a TestApp,
    a: crate::harness::OrgFixture,
    key: String,
    seller: String,
    prince: Value,
    tintin: Value,
    elise: Value,
    jan: Value,
}

async fn shop(app: &TestApp) -> Shop<'_> {
    let a = org(app, "Librairie A", "a").await;
    let key = api_key(app, &a, "manager").await;
    let seller = api_key(app, &a, "seller").await;
    let post = reqwest::Method::POST;
    let prince = product(app, &key, "Le Petit Prince", "1", "1", true).await;
    let tintin = product(app, &key, "Tintin au Congo", "0", "", true).await;
    product(app, &key, "Carte postale", "", "", false).await;
    let elise = ok(app, &seller, post.clone(), "/api/v1/customers", Some(json!({"first_name": "Élise", "last_name": "Dubois",
        "email": "elise@example.be", "phone": "0475 12 34 56", "consent_email": true, "consent_sms": true}))).await;
    let jan = ok(
        app,
        &seller,
        post,
        "/api/v1/customers",
        Some(json!({"first_name": "Jan", "last_name": "Peeters",
        "email": "jan@example.be"})),
    )
    .await;
    Shop {
        app,
        a,
        key,
        seller,
        prince,
        tintin,
        elise,
        jan,
    }
}

/// The reservations of [`Shop::reserved`], then the supplier order of [`Shop::ordered`].
struct Reserved {
    /// Élise's Petit Prince (set aside).
    elise_prince: Value,
    /// Jan's Petit Prince (waiting).
    jan_prince: Value,
    /// Jan's 2 Tintin (waiting).
    jan_tintin: Value,
}

impl Shop<'_> {
    fn reserve(&self, customer: &Value, product: &str, quantity: &str) -> Value {
        json!({"customer_id": customer["id"], "product": product, "quantity": quantity})
    }

    /// A reservation by the seller: the reservation.
    async fn reservation(&self, body: Value) -> Value {
        ok(
            self.app,
            &self.seller,
            reqwest::Method::POST,
            "/api/v1/reservations",
            Some(body),
        )
        .await
    }

    /// Élise reserves the Petit Prince in stock, Jan one by its barcode and 2 Tintin.
    async fn reserved(&self) -> Reserved {
        let elise_prince = self
            .reservation(self.reserve(&self.elise, "Le Petit Prince", "1"))
            .await;
        let jan_prince = self
            .reservation(self.reserve(&self.jan, self.prince["barcode"].as_str().unwrap(), ""))
            .await;
        let jan_tintin = self
            .reservation(self.reserve(&self.jan, "tintin au congo", "2"))
            .await;
        Reserved {
            elise_prince,
            jan_prince,
            jan_tintin,
        }
    }

    /// The supplier order of 2 Petit Prince and 2 Tintin from Dilicom, by the manager.
    async fn ordered(&self) -> Value {
        ok(self.app, &self.key, reqwest::Method::POST, "/api/v1/supplier-orders", Some(json!({"supplier": "Dilicom",
            "supplier_email": "commandes@dilicom.example", "lines": [
                {"product_id": self.prince["id"], "quantity": "2"}, {"product_id": self.tintin["id"], "quantity": "2"}]}))).await
    }

    /// The path of an action on a supplier order.
    fn order_path(order: &Value, action: &str) -> String {
        format!(
            "/api/v1/supplier-orders/{}/{action}",
            order["id"].as_str().unwrap()
        )
    }

    /// The order received in part: 2 Petit Prince, 1 Tintin of 2; the ready reservations.
    async fn receive(&self, order: &Value) -> Value {
        let lines = order["lines"].as_array().unwrap();
        let tintin = lines
            .iter()
            .find(|l| l["product_name"] == "Tintin au Congo")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        ok(
            self.app,
            &self.key,
            reqwest::Method::POST,
            &Self::order_path(order, "receive"),
            Some(json!({"received": {tintin: "1"}})),
        )
        .await
    }

    /// Reserved, ordered and received: Jan's Petit Prince set aside, his Tintin still
    /// waiting; the reservations and the supplier order.
    async fn received(&self) -> (Reserved, Value) {
        let reserved = self.reserved().await;
        let order = self.ordered().await;
        self.receive(&order).await;
        (reserved, order)
    }

    fn archive_path(reservation: &Value) -> String {
        format!(
            "/api/v1/reservations/{}/archive",
            reservation["id"].as_str().unwrap()
        )
    }

    /// Archives a reservation, by the seller.
    async fn archive(&self, reservation: &Value) -> reqwest::Response {
        call(
            self.app,
            &self.seller,
            reqwest::Method::POST,
            &Self::archive_path(reservation),
            None,
        )
        .await
    }

    async fn prince_stock(&self) -> i64 {
        stock(self.app, &self.key, &self.prince["id"]).await
    }

    async fn tintin_stock(&self) -> i64 {
        stock(self.app, &self.key, &self.tintin["id"]).await
    }

    /// The order list, as the manager sees it.
    async fn order_list(&self) -> Value {
        ok(
            self.app,
            &self.key,
            reqwest::Method::GET,
            "/api/v1/order-list",
            None,
        )
        .await["items"]
            .clone()
    }

    /// A page as the manager sees it, as text.
    async fn page(&self, m: &reqwest::Client, path: &str) -> String {
        m.get(self.app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn reserving_in_stock_sets_aside_and_out_of_stock_waits() {
    let app = spawn().await;
    let s = shop(&app).await;
    // In stock: set aside, out of the stock others can buy. Out of stock: waiting.
    let r = s.reserved().await;
    assert_eq!(r.elise_prince["state"], "set_aside");
    assert_eq!(s.prince_stock().await, 0);
    assert_eq!(r.jan_prince["state"], "waiting");
    assert_eq!(r.jan_tintin["state"], "waiting");
    app.stop().await;
}

#[tokio::test]
async fn bad_reservations_are_refused_on_their_field() {
    let app = spawn().await;
    let s = shop(&app).await;
    let jan = &s.jan;
    for (body, field, code) in [
        (s.reserve(jan, "Astérix", "1"), "product", "unknown_product"),
        (
            s.reserve(jan, "Carte postale", "1"),
            "product_id",
            "stock_not_managed",
        ),
        (
            s.reserve(jan, "Tintin au Congo", "deux"),
            "quantity",
            "not_a_whole_number",
        ),
        (
            json!({"customer_id": "nobody", "product": "Tintin au Congo"}),
            "customer_id",
            "unknown_customer",
        ),
    ] {
        let p = problem(
            call(
                &app,
                &s.seller,
                reqwest::Method::POST,
                "/api/v1/reservations",
                Some(body),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(
            (
                p["errors"][0]["field"].as_str().unwrap(),
                p["errors"][0]["code"].as_str().unwrap()
            ),
            (field, code),
            "{p}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_order_list_shows_the_reserved_products_and_those_under_their_minimum_to_managers() {
    let app = spawn().await;
    let s = shop(&app).await;
    s.reserved().await;
    // The order list: the reserved products, the Petit Prince also under its minimum.
    let list = s.order_list().await;
    let lines: Vec<(String, i64, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap().to_owned(),
                l["reserved"].as_i64().unwrap(),
                l["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("Le Petit Prince".into(), 1, 2),
            ("Tintin au Congo".into(), 2, 2)
        ]
    );
    let p = problem(
        call(
            &app,
            &s.seller,
            reqwest::Method::GET,
            "/api/v1/order-list",
            None,
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p["code"], "forbidden");
    app.stop().await;
}

#[tokio::test]
async fn a_supplier_order_from_the_list_leaves_nothing_to_order_and_is_marked_sent() {
    let app = spawn().await;
    let s = shop(&app).await;
    s.reserved().await;
    // A supplier order from the list; nothing is left to order.
    let order = s.ordered().await;
    assert_eq!(order["number"], "CF-000001");
    assert!(s.order_list().await.as_array().unwrap().is_empty());
    let sent = ok(
        &app,
        &s.key,
        reqwest::Method::POST,
        &Shop::order_path(&order, "sent"),
        None,
    )
    .await;
    assert!(sent["sent_at"].is_i64());
    app.stop().await;
}

#[tokio::test]
async fn a_ready_item_makes_one_message_by_every_channel_the_customer_agreed_to() {
    let app = spawn().await;
    let s = shop(&app).await;
    s.reserved().await;
    s.ordered().await;
    // Élise's item is ready: one message, by e-mail and SMS since she agreed to both.
    let groups = ok(
        &app,
        &s.seller,
        reqwest::Method::GET,
        "/api/v1/reservations",
        None,
    )
    .await;
    let g = groups["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["customer_id"] == s.elise["id"])
        .unwrap();
    assert!(groups["next"].is_null(), "{groups}");
    // Paged by customer: one a page, each customer once, the same as the whole list.
    let customers = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["customer_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let whole = customers(&groups);
    assert!(whole.len() >= 2, "{groups}");
    let mut found = Vec::new();
    let mut after = String::new();
    loop {
        let page = ok(
            &app,
            &s.seller,
            reqwest::Method::GET,
            &format!("/api/v1/reservations?limit=1{after}"),
            None,
        )
        .await;
        found.extend(customers(&page));
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    assert_eq!(found, whole);
    for (query, field, code) in [
        ("limit=0", "limit", "out_of_range"),
        ("limit=1001", "limit", "out_of_range"),
        ("after=not-a-cursor", "after", "invalid_cursor"),
    ] {
        let (status, p) = crate::harness::Api {
            app: &app,
            key: s.seller.clone(),
        }
        .get(&format!("/api/v1/reservations?{query}"))
        .await;
        assert_eq!(status, 422, "{query}: {p}");
        assert_eq!(
            crate::harness::field_errors(&p),
            vec![(field.to_owned(), code.to_owned())],
            "{query}"
        );
    }
    assert!(
        g["message"]
            .as_str()
            .unwrap()
            .contains("- 1 × Le Petit Prince"),
        "{g}"
    );
    assert!(
        g["mailto"]
            .as_str()
            .unwrap()
            .starts_with("mailto:elise@example.be?subject=")
    );
    assert!(
        g["sms"]
            .as_str()
            .unwrap()
            .starts_with("sms:+32475123456?body=")
    );
    app.stop().await;
}

#[tokio::test]
async fn receiving_sets_the_waiting_reservations_aside_and_says_whom_to_tell() {
    let app = spawn().await;
    let s = shop(&app).await;
    s.reserved().await;
    let order = s.ordered().await;
    // Received: 2 Petit Prince (Jan's set aside), 1 Tintin of 2 (Jan's still waits).
    let received = s.receive(&order).await;
    let arrived = received.as_array().unwrap();
    assert_eq!(arrived.len(), 1);
    assert_eq!(arrived[0]["customer_id"], s.jan["id"]);
    assert_eq!(
        arrived[0]["message"]
            .as_str()
            .unwrap()
            .matches(" × ")
            .count(),
        1,
        "only the ready item"
    );
    assert_eq!(
        arrived[0]["mailto"],
        Value::Null,
        "Jan did not agree to e-mails"
    );
    assert_eq!(s.prince_stock().await, 1, "2 received, 1 set aside for Jan");
    assert_eq!(
        s.tintin_stock().await,
        1,
        "1 received, not enough for Jan's 2"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_supplier_order_is_received_once() {
    let app = spawn().await;
    let s = shop(&app).await;
    let (_, order) = s.received().await;
    let p = problem(
        call(
            &app,
            &s.key,
            reqwest::Method::POST,
            &Shop::order_path(&order, "receive"),
            Some(json!({})),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["code"], "already_received");
    app.stop().await;
}

#[tokio::test]
async fn archiving_a_reservation_puts_its_item_back_once() {
    let app = spawn().await;
    let s = shop(&app).await;
    let (r, _) = s.received().await;
    // Archiving Élise's reservation puts her copy back (1 left after the receipt).
    let archived = s.archive(&r.elise_prince).await;
    assert_eq!(archived.status(), 200);
    let archived: Value = archived.json().await.unwrap();
    assert_eq!(archived["state"], "archived");
    assert_eq!(s.prince_stock().await, 2);
    let p = problem(s.archive(&r.elise_prince).await, 409).await;
    assert_eq!(p["code"], "reservation_closed");
    app.stop().await;
}

#[tokio::test]
async fn another_organization_cannot_archive_a_reservation() {
    let app = spawn().await;
    let s = shop(&app).await;
    let r = s.reserved().await;
    let b = org(&app, "Librairie B", "b").await;
    let other = api_key(&app, &b, "manager").await;
    assert_eq!(
        call(
            &app,
            &other,
            reqwest::Method::POST,
            &Shop::archive_path(&r.jan_prince),
            None
        )
        .await
        .status(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn a_sale_to_the_customer_consumes_his_reservation_and_becomes_a_favourite() {
    let app = spawn().await;
    let s = shop(&app).await;
    let (r, _) = s.received().await;
    // Élise's copy back in stock: 2 others can buy, Jan's set aside.
    assert_eq!(s.archive(&r.elise_prince).await.status(), 200);
    let (get, post) = (reqwest::Method::GET, reqwest::Method::POST);
    // Jan buys his Petit Prince: the reservation is consumed, the stock counts one sale.
    let register =
        ok(&app, &s.key, get.clone(), "/api/v1/registers", None).await["items"][0]["id"].clone();
    let sale = call(&app, &s.seller, post, "/api/v1/orders", Some(json!({"register_id": register, "customer_id": s.jan["id"],
        "lines": [{"product_id": s.prince["id"], "quantity": 1}], "payments": [{"method": "cash", "amount": "15,00"}]}))).await;
    assert_eq!(sale.status(), 201);
    assert_eq!(
        s.prince_stock().await,
        2,
        "released, then sold: the others' stock is unchanged"
    );
    let jan = s.jan["id"].as_str().unwrap();
    let theirs = ok(
        &app,
        &s.seller,
        get.clone(),
        &format!("/api/v1/reservations?customer_id={jan}"),
        None,
    )
    .await;
    let open: Vec<&str> = theirs["items"][0]["reservations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["product_name"].as_str().unwrap())
        .collect();
    assert_eq!(open, vec!["Tintin au Congo"]);
    let file = ok(
        &app,
        &s.seller,
        get,
        &format!("/api/v1/customers/{jan}"),
        None,
    )
    .await;
    assert_eq!(file["reservations"].as_array().unwrap().len(), 1);
    let favourites = file["favourites"].as_array().unwrap();
    assert_eq!(favourites.len(), 1, "{favourites:?}");
    assert_eq!(
        (
            favourites[0]["kind"].as_str(),
            favourites[0]["quantity"].as_i64(),
            favourites[0]["total_cents"].as_i64()
        ),
        (Some("product_group"), Some(1), Some(1500))
    );
    app.stop().await;
}

#[tokio::test]
async fn the_customer_orders_and_order_list_pages_show_what_waits_and_what_was_ordered() {
    let app = spawn().await;
    let s = shop(&app).await;
    s.received().await;
    let m = login(&app, &s.a.manager).await;
    let page = s.page(&m, "/marketing/customer-orders").await;
    assert!(
        page.contains("PEETERS")
            && page.contains("Tintin au Congo")
            && page.contains("À commander"),
        "{page}"
    );
    let page = s.page(&m, "/activity/shop/order-list").await;
    assert!(
        page.contains("CF-000001") && page.contains("Tintin au Congo"),
        "{page}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_supplier_order_page_links_the_supplier_and_its_csv_lists_the_lines() {
    let app = spawn().await;
    let s = shop(&app).await;
    s.reserved().await;
    let oid = s.ordered().await["id"].as_str().unwrap().to_owned();
    let m = login(&app, &s.a.manager).await;
    let page = s
        .page(&m, &format!("/activity/shop/supplier-orders/{oid}"))
        .await;
    assert!(
        page.contains("Dilicom") && page.contains("mailto:commandes@dilicom.example"),
        "{page}"
    );
    let csv = s
        .page(&m, &format!("/activity/shop/supplier-orders/{oid}/csv"))
        .await;
    assert!(csv.contains("Le Petit Prince;2"), "{csv}");
    app.stop().await;
}

#[tokio::test]
async fn reserving_from_the_customer_page_sets_aside_or_shows_the_error_by_its_field() {
    let app = spawn().await;
    let s = shop(&app).await;
    // One Tintin in stock, after the receipt, for Élise to take.
    s.received().await;
    let m = login(&app, &s.a.manager).await;
    let form = app.url(&format!(
        "/marketing/customers/{}/reservations",
        s.elise["id"].as_str().unwrap()
    ));
    let r = m
        .post(&form)
        .form(&[("product", "Tintin au Congo"), ("quantity", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(crate::harness::location(&r).ends_with("done=reservation-set-aside"));
    let r = m
        .post(&form)
        .form(&[("product", "Astérix"), ("quantity", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text().await.unwrap().contains("Produit inconnu"),
        "the error next to the field"
    );
    app.stop().await;
}

/// A tiny SMTP server that accepts every message and keeps what it received.
pub(crate) async fn smtp_sink() -> (u16, std::sync::Arc<tokio::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = std::sync::Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let kept = got.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let (mut data, mut message) = (false, String::new());
                while let Ok(Some(line)) = lines.next_line().await {
                    if data {
                        if line == "." {
                            data = false;
                            kept.lock().await.push(std::mem::take(&mut message));
                            let _ = write.write_all(b"250 queued\r\n").await;
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            data = true;
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, got)
}

#[tokio::test]
async fn the_ready_email_goes_through_smtp_with_consent_only() {
    let (port, got) = smtp_sink().await;
    let app = crate::harness::spawn_with(guichet_app::AppConfig {
        mail: Some(guichet_integrations::mail::MailConfig {
            url: format!("smtp://127.0.0.1:{port}"),
            from: "Librairie A <contact@librairie.example>".into(),
        }),
        ..Default::default()
    })
    .await;
    let a = org(&app, "Librairie A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let post = reqwest::Method::POST;
    let prince = product(&app, &key, "Le Petit Prince", "2", "", true).await;
    let elise = ok(
        &app,
        &key,
        post.clone(),
        "/api/v1/customers",
        Some(json!({"first_name": "Élise", "last_name": "Dubois",
        "email": "elise@example.be", "consent_email": true})),
    )
    .await;
    let jan = ok(
        &app,
        &key,
        post.clone(),
        "/api/v1/customers",
        Some(json!({"first_name": "Jan", "last_name": "Peeters",
        "email": "jan@example.be"})),
    )
    .await;
    for c in [&elise, &jan] {
        ok(
            &app,
            &key,
            post.clone(),
            "/api/v1/reservations",
            Some(json!({"customer_id": c["id"], "product": "Le Petit Prince"})),
        )
        .await;
    }
    let _ = prince;
    // Jan did not agree to e-mails: refused, nothing queued.
    let p = problem(
        call(
            &app,
            &key,
            post.clone(),
            "/api/v1/reservations/notify",
            Some(json!({"customer_id": jan["id"]})),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["code"], "no_email_consent");
    let r = call(
        &app,
        &key,
        post.clone(),
        "/api/v1/reservations/notify",
        Some(json!({"customer_id": elise["id"]})),
    )
    .await;
    assert_eq!(r.status(), 204);
    // The background sender delivers it within seconds.
    let mut message = None;
    for _ in 0..50 {
        if let Some(m) = got.lock().await.first().cloned() {
            message = Some(m);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let message = message.expect("the e-mail reached the SMTP server");
    assert!(message.contains("To: elise@example.be"), "{message}");
    assert!(message.contains("Le Petit Prince"), "{message}");
    let groups = ok(
        &app,
        &key,
        reqwest::Method::GET,
        &format!(
            "/api/v1/reservations?customer_id={}",
            elise["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert!(groups["items"][0]["reservations"][0]["notified_at"].is_i64());
    // Without an SMTP server, the page has no send button and the API says why.
    app.stop().await;
    let plain = spawn().await;
    let b = org(&plain, "Librairie B", "b").await;
    let key = api_key(&plain, &b, "manager").await;
    let c = ok(
        &plain,
        &key,
        post.clone(),
        "/api/v1/customers",
        Some(json!({"last_name": "X", "email": "x@example.be", "consent_email": true})),
    )
    .await;
    let p = problem(
        call(
            &plain,
            &key,
            post,
            "/api/v1/reservations/notify",
            Some(json!({"customer_id": c["id"]})),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["code"], "mail_not_configured");
    plain.stop().await;
}

/// A special order (issue 6 §11): the Atlas des grottes (30,00 at 6 %, `in_stock` in stock,
/// managed), Élise, and her reservation of the atlas, by the seller.
struct Special<'a> {
    app: &'a TestApp,
    a: crate::harness::OrgFixture,
    key: String,
    seller: String,
    atlas: Value,
    elise: Value,
    cid: String,
    register: Value,
    rid: String,
}

async fn special_order<'a>(app: &'a TestApp, in_stock: &str) -> Special<'a> {
    let a = org(app, "Librairie A", "a").await;
    let key = api_key(app, &a, "manager").await;
    let seller = api_key(app, &a, "seller").await;
    let post = reqwest::Method::POST;
    let rate = vat_rate_id(app, &key, 600).await;
    let atlas = ok(
        app,
        &key,
        post.clone(),
        "/api/v1/products",
        Some(json!({"name": "Atlas des grottes", "price": "30,00",
        "vat_rate_id": rate, "sale_pos": true, "stock_managed": true, "initial_stock": in_stock})),
    )
    .await;
    let elise = ok(
        app,
        &seller,
        post.clone(),
        "/api/v1/customers",
        Some(json!({"first_name": "Élise", "last_name": "Dubois"})),
    )
    .await;
    let cid = elise["id"].as_str().unwrap().to_owned();
    let register = ok(app, &key, reqwest::Method::GET, "/api/v1/registers", None).await["items"][0]
        ["id"]
        .clone();
    let r = ok(
        app,
        &seller,
        post,
        "/api/v1/reservations",
        Some(json!({"customer_id": cid, "product": "Atlas des grottes"})),
    )
    .await;
    // Out of stock it waits for the supplier; in stock it is set aside at once.
    let expected = if in_stock == "0" {
        "waiting"
    } else {
        "set_aside"
    };
    assert_eq!(r["state"], expected);
    let rid = r["id"].as_str().unwrap().to_owned();
    Special {
        app,
        a,
        key,
        seller,
        atlas,
        elise,
        cid,
        register,
        rid,
    }
}

impl Special<'_> {
    fn deposit_path(&self) -> String {
        format!("/api/v1/reservations/{}/deposit", self.rid)
    }

    fn deposit(&self, amount: &str, method: &str) -> Value {
        json!({"register_id": self.register, "amount": amount, "method": method})
    }

    /// 10,00 in cash, 20,00 handed over, by the seller: the reservation.
    async fn take_deposit(&self) -> reqwest::Response {
        call(self.app, &self.seller, reqwest::Method::POST, &self.deposit_path(),
            Some(json!({"register_id": self.register, "amount": "10,00", "method": "cash", "tendered": "20,00"}))).await
    }

    /// The deposit taken; the id of its order.
    async fn deposit_taken(&self) -> String {
        let r = self.take_deposit().await;
        assert_eq!(r.status(), 201);
        let r: Value = r.json().await.unwrap();
        r["deposit_order_id"].as_str().unwrap().to_owned()
    }

    /// The supplier delivers the atlas, which is set aside for Élise.
    async fn book_arrives(&self) {
        let post = reqwest::Method::POST;
        let so = ok(
            self.app,
            &self.key,
            post.clone(),
            "/api/v1/supplier-orders",
            Some(json!({"supplier": "Dilicom",
            "lines": [{"product_id": self.atlas["id"], "quantity": "1"}]})),
        )
        .await;
        ok(
            self.app,
            &self.key,
            post,
            &format!(
                "/api/v1/supplier-orders/{}/receive",
                so["id"].as_str().unwrap()
            ),
            Some(json!({"received": {}})),
        )
        .await;
    }

    /// The sale of the atlas to Élise.
    fn sale(&self, payments: Value) -> Value {
        json!({"register_id": self.register, "customer_id": self.cid,
        "lines": [{"product_id": self.atlas["id"], "quantity": 1}], "payments": payments})
    }

    /// The atlas sold to Élise for the 20,00 left, by the seller: the order.
    async fn book_sold(&self) -> Value {
        let r = call(
            self.app,
            &self.seller,
            reqwest::Method::POST,
            "/api/v1/orders",
            Some(self.sale(json!([{"method": "cash", "amount": "20,00"}]))),
        )
        .await;
        assert_eq!(r.status(), 201);
        r.json().await.unwrap()
    }

    /// Élise's open reservations, as the seller sees them.
    async fn open(&self) -> Value {
        ok(
            self.app,
            &self.seller,
            reqwest::Method::GET,
            &format!("/api/v1/reservations?customer_id={}", self.cid),
            None,
        )
        .await["items"]
            .clone()
    }

    async fn stock(&self) -> i64 {
        stock(self.app, &self.key, &self.atlas["id"]).await
    }

    async fn credit_cents(&self) -> Value {
        let file = ok(
            self.app,
            &self.key,
            reqwest::Method::GET,
            &format!("/api/v1/customers/{}", self.cid),
            None,
        )
        .await;
        file["account"]["credit_cents"].clone()
    }
}

#[tokio::test]
async fn bad_deposits_are_refused_on_their_field() {
    let app = spawn().await;
    let s = special_order(&app, "0").await;
    let register = &s.register;
    for (body, field, code) in [
        (s.deposit("0", "cash"), "amount", "amount_not_positive"),
        (
            s.deposit("30,01", "cash"),
            "amount",
            "deposit_more_than_price",
        ),
        (s.deposit("dix", "cash"), "amount", "not_a_number"),
        (s.deposit("10,00", "bitcoin"), "method", "unknown_method"),
        (
            json!({"register_id": "nope", "amount": "10,00", "method": "cash"}),
            "register_id",
            "unknown_register",
        ),
        (
            json!({"register_id": register, "amount": "10,00", "method": "cash", "tendered": "5,00"}),
            "tendered",
            "less_than_due",
        ),
    ] {
        let p = problem(
            call(
                &app,
                &s.seller,
                reqwest::Method::POST,
                &s.deposit_path(),
                Some(body),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(
            (
                p["errors"][0]["field"].as_str(),
                p["errors"][0]["code"].as_str()
            ),
            (Some(field), Some(code)),
            "{p}"
        );
    }
    // Nothing is written: the first good deposit is still the first.
    assert_eq!(s.take_deposit().await.status(), 201);
    app.stop().await;
}

#[tokio::test]
async fn a_deposit_is_an_order_of_its_own_that_takes_no_stock_and_is_taken_once() {
    let app = spawn().await;
    let s = special_order(&app, "0").await;
    // 10,00 in cash, 20,00 handed over: an order of its own, VAT 0,57 at 6 %, 10,00 change.
    let r = s.take_deposit().await;
    assert_eq!(r.status(), 201);
    let r: Value = r.json().await.unwrap();
    assert_eq!(r["deposit_cents"], 1000);
    assert_eq!(r["deposit_vat_rate_bp"], 600);
    let deposit_order = r["deposit_order_id"].as_str().unwrap().to_owned();
    assert!(r["deposit_order_number"].as_str().unwrap().starts_with('P'));
    let o = ok(
        &app,
        &s.key,
        reqwest::Method::GET,
        &format!("/api/v1/orders/{deposit_order}"),
        None,
    )
    .await;
    assert_eq!(
        (o["total_cents"].as_i64(), o["vat_cents"].as_i64()),
        (Some(1000), Some(57))
    );
    assert_eq!(o["state"], "confirmed");
    assert_eq!(o["customer_id"], s.elise["id"]);
    assert_eq!(o["lines"][0]["kind"], "deposit");
    assert_eq!(o["payments"][0]["change_cents"], 1000);
    assert_eq!(s.stock().await, 0, "a deposit takes no stock");
    let p = problem(
        call(
            &app,
            &s.seller,
            reqwest::Method::POST,
            &s.deposit_path(),
            Some(s.deposit("5,00", "cash")),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["code"], "deposit_taken");
    app.stop().await;
}

#[tokio::test]
async fn the_sale_of_the_reserved_goods_deducts_the_deposit_once() {
    let app = spawn().await;
    let s = special_order(&app, "0").await;
    let deposit_order = s.deposit_taken().await;
    // The book arrives and is set aside for Élise.
    s.book_arrives().await;
    assert_eq!(s.open().await[0]["reservations"][0]["state"], "set_aside");

    // The sale of the book to her deducts the deposit: 30,00 − 10,00, VAT 1,70 − 0,57.
    let preview = ok(
        &app,
        &s.seller,
        reqwest::Method::POST,
        "/api/v1/orders/preview",
        Some(s.sale(json!([]))),
    )
    .await;
    assert_eq!(preview["lines"].as_array().unwrap().len(), 2, "{preview}");
    assert_eq!(preview["lines"][1]["total_cents"], -1000);
    assert!(
        preview["lines"][1]["label"]
            .as_str()
            .unwrap()
            .contains("Atlas des grottes")
    );
    assert_eq!(
        (
            preview["totals"]["gross_cents"].as_i64(),
            preview["totals"]["vat_cents"].as_i64()
        ),
        (Some(2000), Some(113))
    );
    assert_eq!(57 + 113, 170, "the VAT of 30,00 at 6 %");
    // Priced under the deposit, the sale is refused rather than giving money back unseen.
    let p = problem(call(&app, &s.key, reqwest::Method::POST, "/api/v1/orders/preview", Some(json!({"register_id": s.register, "customer_id": s.cid,
        "lines": [{"product_id": s.atlas["id"], "quantity": 1, "unit_price": "5,00", "price_reason": "abîmé"}]}))).await, 422).await;
    assert_eq!(p["errors"][0]["code"], "deposit_exceeds_sale", "{p}");
    let sold = s.book_sold().await;
    assert_eq!(
        (sold["total_cents"].as_i64(), sold["vat_cents"].as_i64()),
        (Some(2000), Some(113))
    );
    assert_eq!(sold["state"], "confirmed");
    assert_eq!(
        (
            sold["lines"][0]["paid_cents"].as_i64(),
            sold["lines"][1]["paid_cents"].as_i64()
        ),
        (Some(2000), Some(0))
    );
    assert_eq!(s.stock().await, 0);
    let open = s.open().await;
    assert!(open.as_array().unwrap().is_empty(), "{open}");
    // The deposit is used: its order cannot be cancelled while the sale stands.
    let p = problem(
        call(
            &app,
            &s.key,
            reqwest::Method::POST,
            &format!("/api/v1/orders/{deposit_order}/cancel"),
            Some(json!({"reason": "test"})),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["code"], "deposit_used");
    app.stop().await;
}

#[tokio::test]
async fn a_cancelled_sale_gives_the_reservation_and_its_deposit_back() {
    let app = spawn().await;
    let s = special_order(&app, "0").await;
    s.deposit_taken().await;
    s.book_arrives().await;
    let sold = s.book_sold().await;
    // The sale cancelled: the book is hers again, set aside, with her deposit unused.
    let sid = sold["id"].as_str().unwrap();
    ok(
        &app,
        &s.key,
        reqwest::Method::POST,
        &format!("/api/v1/orders/{sid}/cancel"),
        Some(
            json!({"reason": "Erreur de caisse", "refund": {"method": "cash", "amount": "20,00"}}),
        ),
    )
    .await;
    let open = s.open().await;
    let again = &open[0]["reservations"][0];
    assert_eq!(again["state"], "set_aside", "{open}");
    assert_eq!(again["deposit_cents"], 1000);
    assert!(again["deposit_used_order_id"].is_null());
    assert_eq!(s.stock().await, 0, "set aside again");
    app.stop().await;
}

#[tokio::test]
async fn a_quote_deducts_no_deposit_so_confirming_one_that_takes_the_goods_is_refused() {
    let app = spawn().await;
    let s = special_order(&app, "0").await;
    s.deposit_taken().await;
    s.book_arrives().await;
    let quote = ok(
        &app,
        &s.seller,
        reqwest::Method::POST,
        "/api/v1/orders",
        Some(json!({"register_id": s.register, "customer_id": s.cid,
        "quote": true, "lines": [{"product_id": s.atlas["id"], "quantity": 1}]})),
    )
    .await;
    assert_eq!(quote["lines"].as_array().unwrap().len(), 1, "{quote}");
    let p = problem(
        call(
            &app,
            &s.seller,
            reqwest::Method::POST,
            &format!("/api/v1/orders/{}/confirm", quote["id"].as_str().unwrap()),
            Some(json!({"register_id": s.register, "payments": []})),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["code"], "deposit_not_deducted");
    assert_eq!(s.stock().await, 0, "nothing taken");
    app.stop().await;
}

#[tokio::test]
async fn archiving_gives_the_deposit_back_as_store_credit_and_the_goods_to_stock() {
    let app = spawn().await;
    let s = special_order(&app, "0").await;
    let deposit_order = s.deposit_taken().await;
    s.book_arrives().await;
    // Archived: the deposit comes back as store credit (a manager's decision), the book to stock.
    let post = reqwest::Method::POST;
    let archive = format!("/api/v1/reservations/{}/archive", s.rid);
    let p = problem(
        call(&app, &s.seller, post.clone(), &archive, None).await,
        403,
    )
    .await;
    assert_eq!(p["code"], "forbidden");
    let p = problem(call(&app, &s.key, post.clone(), &archive, None).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "refund_method");
    // Paid in cash: money goes back the way it came, not on the card terminal.
    let by_card = format!("{archive}?refund_method=card_terminal");
    let p = problem(call(&app, &s.key, post.clone(), &by_card, None).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "refund_method");
    assert_eq!(p["errors"][0]["code"], "not_paid_with");
    let r = ok(
        &app,
        &s.key,
        post,
        &format!("{archive}?refund_method=store_credit"),
        None,
    )
    .await;
    assert_eq!(r["state"], "archived");
    assert_eq!(s.stock().await, 1);
    let o = ok(
        &app,
        &s.key,
        reqwest::Method::GET,
        &format!("/api/v1/orders/{deposit_order}"),
        None,
    )
    .await;
    assert_eq!(o["state"], "cancelled");
    assert_eq!(s.credit_cents().await, 1000);
    app.stop().await;
}

/// Through the pages: a deposit from the customer's page, with its error on the reservation's
/// row; a seller cannot give a deposit back, a manager archives and refunds.
#[tokio::test]
async fn deposits_by_page_a_seller_cannot_refund_a_manager_archives_and_refunds() {
    let app = spawn().await;
    // The atlas in stock: the reservation sets it aside at once.
    let s = special_order(&app, "1").await;
    let (cid, rid) = (&s.cid, &s.rid);
    let credit_before = s.credit_cents().await;
    let (sp, m) = (
        login(&app, &s.a.seller).await,
        login(&app, &s.a.manager).await,
    );
    let to = format!("/marketing/customers/{cid}/reservations/{rid}/deposit");
    let reg = s.register.as_str().unwrap();
    let r = sp
        .post(app.url(&to))
        .form(&[("amount", "0"), ("method", "cash"), ("register_id", reg)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Le montant doit être supérieur à zéro")
    );
    let r = sp
        .post(app.url(&to))
        .form(&[("amount", "5,00"), ("method", "cash"), ("register_id", reg)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(crate::harness::location(&r).ends_with("done=reservation-deposit"));
    let page = sp
        .get(app.url(&format!("/marketing/customers/{cid}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("5,00"), "the deposit on the row");
    let page = sp
        .get(app.url("/marketing/customer-orders"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("un responsable") && !page.contains("name=\"refund_method\""),
        "{page}"
    );
    let page = m
        .get(app.url("/marketing/customer-orders"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"refund_method\""));
    // Paid in cash: given back as credit or in cash, the only ways offered.
    let select = &page[page.find("name=\"refund_method\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    assert!(
        select.contains("value=\"store_credit\"")
            && select.contains("value=\"cash\"")
            && !select.contains("value=\"card_terminal\""),
        "{select}"
    );
    let r = m
        .post(app.url(&format!(
            "/marketing/customer-orders/reservations/{rid}/archive"
        )))
        .form(&[("refund_method", "cash")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let open = s.open().await;
    assert!(open.as_array().unwrap().is_empty(), "{open}");
    assert_eq!(
        s.credit_cents().await,
        credit_before,
        "refunded in cash, not as credit"
    );
    app.stop().await;
}
