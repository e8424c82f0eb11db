//! What cannot be undone asks first (issue 19): closing a register, cancelling an order,
//! merging customers and erasing a customer do nothing from their page until the
//! confirmation posts `confirm=yes` (a double click or a stray submit only shows the question
//! again); the API does it at once. Refunds go back in the methods the order was paid with,
//! split across them, never more than a method brought. The phone register asks no float.

use crate::harness::{Api, Catalogue, TestApp, field_errors, id_of, location, login, org, spawn};
use serde_json::{Value, json};

async fn text(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

async fn post_form(
    c: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(app.url(path)).form(form).send().await.unwrap()
}

/// The register's open session id (through the API).
async fn open_session(api: &Api<'_>, register: &str) -> Option<String> {
    let (status, s) = api
        .get(&format!("/api/v1/registers/{register}/session"))
        .await;
    (status == 200 && s["id"].is_string()).then(|| id_of(&s))
}

/// 2 adults, 1 child and a Panier du Terroir (47,00 €): 20,00 € by card, then 30,00 € handed
/// over in cash (27,00 € kept, 3,00 € change).
async fn card_and_cash_sale(seller: &Api<'_>, s: &Catalogue) -> Value {
    let mut lines = s.tickets(2, 1);
    lines.push(json!({"product_id": s.panier, "quantity": 1}));
    seller
        .sell(
            &s.register,
            lines,
            vec![
                json!({"method": "card_terminal", "amount": "20,00"}),
                json!({"method": "cash", "amount": "30,00"}),
            ],
        )
        .await
}

/// (method, amount, register) of an order's refunds.
fn refunds(order: &Value) -> Vec<(String, i64, String)> {
    order["payments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["amount_cents"].as_i64().unwrap() < 0)
        .map(|p| {
            (
                p["method"].as_str().unwrap().to_owned(),
                p["amount_cents"].as_i64().unwrap(),
                p["register_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn closing_a_register_shows_the_difference_and_closes_only_once_confirmed() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = Api::new(&app, &a, "manager").await;
    let s = Catalogue::belgian(&manager).await;
    let session = open_session(&manager, &s.register).await.unwrap();
    manager
        .sell(
            &s.register,
            s.tickets(2, 0),
            vec![json!({"method": "cash", "amount": "17,00"})],
        )
        .await;
    let seller = login(&app, &a.seller).await;
    let form = [
        ("register_id", s.register.as_str()),
        ("session_id", session.as_str()),
        ("counted_cash", ""),
        ("n1000", "1"),
        ("n500", "1"),
        ("n100", "1"),
    ];
    // The first post (and a second one, a double click) only asks, with the difference.
    for _ in 0..2 {
        let r = post_form(&seller, &app, "/register/drawer/close", &form).await;
        assert_eq!(r.status(), 200);
        let page = text(r).await;
        assert!(page.contains("id=\"confirmed-close\""), "{page}");
        assert!(page.contains("id=\"confirm-differences\""), "{page}");
        assert!(
            page.contains("17,00 €") && page.contains("16,00 €"),
            "{page}"
        );
        assert!(page.contains("-1,00 €"), "the difference: {page}");
        // The count is carried to the confirmation, and nothing else decides.
        assert!(
            page.contains("<input type=\"hidden\" name=\"n1000\" value=\"1\">"),
            "{page}"
        );
        assert_eq!(
            open_session(&manager, &s.register).await.as_deref(),
            Some(session.as_str()),
            "still open"
        );
    }
    // Back: the drawer with the count as typed, still open.
    let mut back = form.to_vec();
    back.push(("confirm", "no"));
    let r = post_form(&seller, &app, "/register/drawer/close", &back).await;
    assert_eq!(r.status(), 200);
    let page = text(r).await;
    assert!(page.contains("id=\"close-form\""), "{page}");
    assert!(page.contains("id=\"c1000\" name=\"n1000\""), "{page}");
    assert!(
        page.contains("id=\"close-total\" for=\"close-denominations\">16,00 €"),
        "{page}"
    );
    assert!(open_session(&manager, &s.register).await.is_some());
    // Confirmed: the Z, 1,00 € short.
    let mut yes = form.to_vec();
    yes.push(("confirm", "yes"));
    let r = post_form(&seller, &app, "/register/drawer/close", &yes).await;
    assert_eq!(r.status(), 303);
    let z = location(&r);
    assert!(
        z.starts_with(&format!("/registers-follow-up/{session}")),
        "{z}"
    );
    assert!(open_session(&manager, &s.register).await.is_none());
    // The confirmation posted twice: the second is told, and no second Z is made.
    let r = post_form(&seller, &app, "/register/drawer/close", &yes).await;
    assert_eq!(r.status(), 422);
    let page = text(r).await;
    assert!(page.contains("déjà clôturée"), "{page}");
    // A count that is not a number is shown on the form, not asked about.
    let opened = manager.open_session(&s.register).await;
    let r = post_form(
        &seller,
        &app,
        "/register/drawer/close",
        &[
            ("register_id", s.register.as_str()),
            ("session_id", opened["id"].as_str().unwrap()),
            ("n1000", "un"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = text(r).await;
    assert!(!page.contains("confirmed-close"), "{page}");
    assert!(page.contains("denomination invalid"), "{page}");
    // The API closes at once: calling it is the confirmation.
    let (status, z) = manager
        .post(
            &format!("/api/v1/register-sessions/{}/close", id_of(&opened)),
            json!({"counted_cash": "0"}),
        )
        .await;
    assert_eq!(status, 200, "{z}");
    app.stop().await;
}

#[tokio::test]
async fn cancelling_an_order_refunds_its_methods_and_waits_for_the_confirmation() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager_api = Api::new(&app, &a, "manager").await;
    let s = Catalogue::belgian(&manager_api).await;
    let o = card_and_cash_sale(&manager_api, &s).await;
    let id = id_of(&o);
    let manager = login(&app, &a.manager).await;
    // The form offers the order's methods, the one paid last first, all they brought.
    let page = text(
        manager
            .get(app.url(&format!("/orders/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let cash = page.find("name=\"refund_cash\" inputmode=\"decimal\" value=\"27,00\"");
    let card = page.find("name=\"refund_card_terminal\" inputmode=\"decimal\" value=\"20,00\"");
    assert!(cash.is_some() && card.is_some(), "{page}");
    assert!(cash < card, "cash was paid last: {page}");
    assert!(!page.contains("name=\"refund_bancontact\""), "{page}");
    let path = format!("/orders/{id}/cancel");
    // More than a method brought: the form says so, next to it.
    let r = post_form(
        &manager,
        &app,
        &path,
        &[
            ("reason", "Client parti"),
            ("refund_cash", "30,00"),
            ("refund_card_terminal", "17,00"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = text(r).await;
    assert!(
        page.contains("Plus que ce que ce moyen de paiement a apporté"),
        "{page}"
    );
    assert!(
        page.contains("value=\"30,00\""),
        "what was typed stays: {page}"
    );
    // Asked twice (a double click): nothing is cancelled, the refunds are listed.
    let form = [
        ("reason", "Client parti"),
        ("refund_cash", "27,00"),
        ("refund_card_terminal", "8,00"),
    ];
    for _ in 0..2 {
        let r = post_form(&manager, &app, &path, &form).await;
        assert_eq!(r.status(), 200);
        let page = text(r).await;
        assert!(page.contains("id=\"confirmed-cancel\""), "{page}");
        assert!(
            page.contains("27,00 €") && page.contains("8,00 €"),
            "{page}"
        );
        assert_eq!(
            manager_api.ok(&format!("/api/v1/orders/{id}")).await["state"],
            "confirmed"
        );
    }
    let mut yes = form.to_vec();
    yes.push(("confirm", "yes"));
    let r = post_form(&manager, &app, &path, &yes).await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    let c = manager_api.ok(&format!("/api/v1/orders/{id}")).await;
    assert_eq!(c["state"], "cancelled");
    assert_eq!(c["collected_cents"], 4_700 - 2_700 - 800);
    let mut got: Vec<(String, i64)> = refunds(&c).into_iter().map(|r| (r.0, r.1)).collect();
    got.sort();
    assert_eq!(
        got,
        vec![("card_terminal".into(), -800), ("cash".into(), -2_700)]
    );
    // The confirmation posted again: told, nothing refunded twice.
    let r = post_form(&manager, &app, &path, &yes).await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("déjà annulée"));
    assert_eq!(
        refunds(&manager_api.ok(&format!("/api/v1/orders/{id}")).await).len(),
        2
    );
    // A seller may not cancel, not even ask.
    let o2 = card_and_cash_sale(&manager_api, &s).await;
    let seller = login(&app, &a.seller).await;
    let r = post_form(
        &seller,
        &app,
        &format!("/orders/{}/cancel", id_of(&o2)),
        &[("reason", "Erreur")],
    )
    .await;
    assert_eq!(r.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn a_refund_goes_back_in_the_methods_paid_never_more_than_each_brought() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = Api::new(&app, &a, "manager").await;
    let s = Catalogue::belgian(&manager).await;
    let o = card_and_cash_sale(&manager, &s).await;
    let path = format!("/api/v1/orders/{}/cancel", id_of(&o));
    let refused = |body: Value| {
        let (manager, path) = (manager.clone(), path.clone());
        async move {
            let (status, p) = manager.post(&path, body).await;
            assert_eq!(status, 422, "{p}");
            field_errors(&p)
        }
    };
    // Cash brought 27,00 € (3,00 € of the 30,00 handed over went back as change).
    assert_eq!(
        refused(json!({"reason": "x", "refunds": [{"method": "cash", "amount": "30,00"}]})).await,
        vec![("refunds[0].amount".into(), "more_than_paid_with".into())]
    );
    // The first shape of the request keeps working, under the same rule.
    assert_eq!(
        refused(json!({"reason": "x", "refund": {"method": "cash", "amount": "47,00"}})).await,
        vec![("refund.amount".into(), "more_than_paid_with".into())]
    );
    assert_eq!(
        refused(json!({"reason": "x", "refunds": [
            {"method": "bank_transfer", "amount": "5,00"},
            {"method": "online_card", "amount": "5,00"},
            {"method": "card_terminal", "amount": "5,00"},
            {"method": "card_terminal", "amount": "5,00"},
            {"method": "chèque", "amount": "5,00"},
            {"method": "cash", "amount": "-5,00"}]}))
        .await,
        vec![
            ("refunds[4].method".into(), "unknown_method".into()),
            ("refunds[5].amount".into(), "negative_price".into()),
            ("refunds[0].method".into(), "not_paid_with".into()),
            ("refunds[1].method".into(), "refunded_online".into()),
            ("refunds[3].method".into(), "duplicate_method".into()),
        ]
    );
    assert_eq!(
        manager.ok(&format!("/api/v1/orders/{}", id_of(&o))).await["state"],
        "confirmed"
    );
    // Split across both, in full: 20,00 € on the card, 27,00 € in cash.
    let (status, c) = manager
        .post(
            &path,
            json!({"reason": "Client parti", "refunds": [
                {"method": "card_terminal", "amount": "20,00"},
                {"method": "cash", "amount": "27,00"},
                {"method": "bancontact", "amount": ""}]}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["collected_cents"], 0);
    assert_eq!(
        refunds(&c),
        vec![
            ("card_terminal".into(), -2_000, s.register.clone()),
            ("cash".into(), -2_700, s.register.clone())
        ]
    );

    // A phone booking paid later in cash at the counter: its cash goes back at the counter,
    // not on the phone register (which never holds cash).
    let booked = manager.sell(&s.phone, s.tickets(1, 0), vec![]).await;
    let (status, paid) = manager
        .post(
            &format!("/api/v1/orders/{}/payments", id_of(&booked)),
            json!({"register_id": s.register, "payments": [{"method": "cash", "amount": "8,50"}]}),
        )
        .await;
    assert_eq!(status, 200, "{paid}");
    let (status, c) = manager
        .post(
            &format!("/api/v1/orders/{}/cancel", id_of(&booked)),
            json!({"reason": "Annulé par téléphone", "refund": {"method": "cash", "amount": "8,50"}}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["register_id"], s.phone.as_str());
    assert_eq!(refunds(&c), vec![("cash".into(), -850, s.register.clone())]);
    app.stop().await;
}

#[tokio::test]
async fn merging_and_erasing_customers_wait_for_the_confirmation() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let kept = api
        .created(
            "/api/v1/customers",
            json!({"first_name": "Vincent", "last_name": "Dupont", "email": "vincent@example.be"}),
        )
        .await;
    let twin = api
        .created(
            "/api/v1/customers",
            json!({"first_name": "Vincent", "last_name": "Dupond", "phone": "0470 12 34 56"}),
        )
        .await;
    let manager = login(&app, &a.manager).await;
    let merge = format!("/marketing/customers/{}/merge", id_of(&kept));
    let twin_id = id_of(&twin);
    for _ in 0..2 {
        let r = post_form(&manager, &app, &merge, &[("absorbed_id", twin_id.as_str())]).await;
        assert_eq!(r.status(), 200);
        let page = text(r).await;
        assert!(page.contains("id=\"confirmed-merge\""), "{page}");
        assert!(
            page.contains("Fusionner Vincent DUPOND dans Vincent DUPONT"),
            "{page}"
        );
        assert!(page.contains("vincent@example.be"), "{page}");
        let (status, _) = api.get(&format!("/api/v1/customers/{twin_id}")).await;
        assert_eq!(status, 200, "not merged yet");
    }
    let r = post_form(
        &manager,
        &app,
        &merge,
        &[("absorbed_id", twin_id.as_str()), ("confirm", "no")],
    )
    .await;
    assert_eq!(location(&r), "/marketing/customers/duplicates");
    // One customer into itself is refused before asking.
    let r = post_form(&manager, &app, &merge, &[("absorbed_id", &id_of(&kept))]).await;
    assert_eq!(r.status(), 422);
    let r = post_form(
        &manager,
        &app,
        &merge,
        &[("absorbed_id", twin_id.as_str()), ("confirm", "yes")],
    )
    .await;
    assert_eq!(
        location(&r),
        "/marketing/customers/duplicates?done=customers-merged"
    );
    let (status, _) = api.get(&format!("/api/v1/customers/{twin_id}")).await;
    assert_eq!(status, 404, "merged away");

    let erase = format!("/marketing/customers/{}/erase", id_of(&kept));
    for _ in 0..2 {
        let r = post_form(&manager, &app, &erase, &[]).await;
        assert_eq!(r.status(), 200);
        let page = text(r).await;
        assert!(page.contains("id=\"confirmed-erase\""), "{page}");
        assert!(page.contains("Vincent DUPONT"), "{page}");
        let c = api.ok(&format!("/api/v1/customers/{}", id_of(&kept))).await;
        assert!(c["customer"]["erased_at"].is_null(), "not erased yet: {c}");
    }
    let r = post_form(&manager, &app, &erase, &[("confirm", "yes")]).await;
    assert_eq!(r.status(), 303);
    let c = api.ok(&format!("/api/v1/customers/{}", id_of(&kept))).await;
    assert!(c["customer"]["erased_at"].is_i64(), "{c}");
    // Asked again once erased: told, nothing to confirm.
    let r = post_form(&manager, &app, &erase, &[]).await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("déjà été effacé"));
    // A seller may not even ask.
    let seller = login(&app, &a.seller).await;
    let r = post_form(&seller, &app, &erase, &[]).await;
    assert_eq!(r.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn the_phone_register_opens_with_no_float_and_closes_with_no_cash_count() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let s = Catalogue::belgian(&api).await;
    let seller = login(&app, &a.seller).await;
    let drawer = format!("/register/drawer?register={}", s.phone);
    let page = text(seller.get(app.url(&drawer)).send().await.unwrap()).await;
    assert!(page.contains("id=\"phone-no-float\""), "{page}");
    assert!(!page.contains("name=\"opening_float\""), "{page}");
    assert!(!page.contains("open-denominations"), "{page}");
    // A float is refused; none (or zero) opens it.
    let (status, p) = api
        .post(
            &format!("/api/v1/registers/{}/open", s.phone),
            json!({"opening_float": "20,00"}),
        )
        .await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(
        field_errors(&p),
        vec![("opening_float".into(), "no_cash_on_phone".into())]
    );
    let r = post_form(
        &seller,
        &app,
        "/register/drawer/open",
        &[("register_id", s.phone.as_str())],
    )
    .await;
    assert_eq!(r.status(), 303);
    let session = open_session(&api, &s.phone).await.expect("open");
    let x = api
        .ok(&format!("/api/v1/register-sessions/{session}/report"))
        .await;
    assert_eq!(x["cash"]["opening_float_cents"], 0);
    api.sell(
        &s.phone,
        s.tickets(2, 0),
        vec![json!({"method": "bank_transfer", "amount": "17,00"})],
    )
    .await;
    // Open: no float, no expected cash, no cash to count, no cash in or out.
    let page = text(seller.get(app.url(&drawer)).send().await.unwrap()).await;
    assert!(page.contains("id=\"phone-no-count\""), "{page}");
    assert!(!page.contains("name=\"counted_cash\""), "{page}");
    assert!(!page.contains("id=\"cash-form\""), "{page}");
    assert!(!page.contains("id=\"x-expected\""), "{page}");
    assert!(!page.contains("name=\"m_card_terminal\""), "{page}");
    assert!(page.contains("name=\"m_bank_transfer\""), "{page}");
    let form = [
        ("register_id", s.phone.as_str()),
        ("session_id", session.as_str()),
        ("m_bank_transfer", "17,00"),
    ];
    let r = post_form(&seller, &app, "/register/drawer/close", &form).await;
    assert_eq!(r.status(), 200);
    let page = text(r).await;
    assert!(page.contains("id=\"confirmed-close\""), "{page}");
    let mut yes = form.to_vec();
    yes.push(("confirm", "yes"));
    let r = post_form(&seller, &app, "/register/drawer/close", &yes).await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    let z = api
        .ok(&format!("/api/v1/register-sessions/{session}/report"))
        .await;
    assert_eq!(z["z_number"], 1);
    assert_eq!(z["cash"]["counted_cents"], 0);
    assert_eq!(z["cash"]["difference_cents"], 0);
    // The API opens it with an empty float too.
    let (status, opened) = api
        .post(&format!("/api/v1/registers/{}/open", s.phone), json!({}))
        .await;
    assert_eq!(status, 201, "{opened}");
    assert_eq!(opened["opening_float_cents"], 0);
    app.stop().await;
}
