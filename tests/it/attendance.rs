//! The attendance export of the orders of a period (issue 18 §2): the seed's 27 columns in
//! its order, one row per order or per line, the three computed columns of the summary, the
//! privacy preset, CSV (`;`, BOM, decimal comma) and XLSX. Orders of the seeds' dossiers list
//! of 16/03/2021 (features.md §4.2), built through the API. On SQLite, and on PostgreSQL with
//! `GUICHET_TEST_DATABASE_URL`.

use crate::harness::{Api, NeptuneTour, login, org, spawn, today};
use serde_json::json;

const HEADERS: &str = "Numéro ticket;Créé le;Prénom;Nom;E-mail du client;Téléphone;Ville;\
Code postal;Province;Pays;Identifiant contact;Offre;Formule;Quantité;Scans;Durée;Arrivée;\
Horaire;État;Canal de vente;Vendeur;Total HT;Total TTC;Encaissé;Frais STRIPE;\
Commentaires du client;Commentaires internes";

#[tokio::test]
async fn the_orders_of_a_period_export_with_the_seeds_columns_detailed_summary_and_private() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Neptune", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let NeptuneTour {
        offer,
        adult,
        child,
        senior,
        register,
        start,
        day,
    } = NeptuneTour::new(&api).await;
    let line = |item: &str, n: i64| json!({"offer_id": offer, "session_start": start, "item_id": item, "quantity": n});
    let customer = api
        .created(
            "/api/v1/customers",
            json!({"first_name": "Marie", "last_name": "=Dupont", "email": "marie@example.be",
                   "country": "BE", "postal_code": "5580"}),
        )
        .await;
    // P…0795: Ticket adulte, unpaid, for Marie.
    let (status, p) = api
        .post(
            "/api/v1/orders",
            json!({"register_id": register, "customer_id": customer["id"], "lines": [line(&adult, 1)], "payments": []}),
        )
        .await;
    assert_eq!(status, 201, "{p}");
    // P…0788: Ticket adulte x2, 17,00 paid.
    let (status, p) = api
        .post(
            "/api/v1/orders",
            json!({"register_id": register, "lines": [line(&adult, 2)],
                   "payments": [{"method": "cash", "amount": "17"}]}),
        )
        .await;
    assert_eq!(status, 201, "{p}");
    // P…0685: Ticket adulte x2, Ticket enfant, Ticket senior x2: 37,00, unpaid.
    let (status, p) = api
        .post(
            "/api/v1/orders",
            json!({"register_id": register, "lines": [line(&adult, 2), line(&child, 1), line(&senior, 2)], "payments": []}),
        )
        .await;
    assert_eq!(status, 201, "{p}");

    let manager = login(&app, &a.manager).await;
    let t = today();
    let get = |q: String| {
        let manager = manager.clone();
        let url = app.url(&format!("/orders/export?{q}"));
        async move {
            let r = manager.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
            (kind, r.bytes().await.unwrap().to_vec())
        }
    };

    // Summary: one row per order, the 27 columns then the 3 computed ones.
    let (kind, body) = get(format!("from={t}&to={t}&detail=orders&format=csv")).await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    let csv = String::from_utf8(body).unwrap();
    let csv = csv.strip_prefix('\u{feff}').expect("a BOM");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!("{HEADERS};Jours avant venue;Encaissé vs Total;Montant encaissé net")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(';').collect()).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(rows.iter().all(|r| r.len() == 30), "{csv}");
    let first = &rows[0];
    assert_eq!(
        &first[2..5],
        ["Marie", "'=Dupont", "marie@example.be"],
        "{csv}"
    );
    assert_eq!((first[7], first[9]), ("5580", "BE"));
    assert_eq!(first[11], "Visite guidée des Grottes de Neptune");
    assert_eq!(
        (first[12], first[13], first[14]),
        ("Ticket adulte", "1", "0")
    );
    let arrival = jiff::civil::Date::strptime("%Y-%m-%d", &day)
        .unwrap()
        .strftime("%d/%m/%Y")
        .to_string();
    assert_eq!((first[16], first[17]), (arrival.as_str(), "10:00"));
    assert_eq!(&first[21..25], ["8,50", "8,50", "0,00", "0,00"]);
    assert_eq!(&first[27..30], ["7", "-8,50", "0,00"]);
    let paid = &rows[1];
    assert_eq!((paid[12], paid[13]), ("Ticket adulte x2", "2"));
    assert_eq!(&paid[22..25], ["17,00", "17,00", "0,00"]);
    assert_eq!(&paid[27..30], ["7", "0,00", "17,00"]);
    let family = &rows[2];
    assert_eq!(
        (family[12], family[13]),
        ("Ticket adulte x2, Ticket enfant, Ticket senior x2", "5")
    );
    assert_eq!(&family[22..24], ["37,00", "0,00"]);
    assert_eq!(family[28], "-37,00");
    assert!(first[0].starts_with('P') && first[0].len() == 11, "{csv}");
    assert!(
        first[0] < paid[0] && paid[0] < family[0],
        "in the order they were made"
    );

    // Detailed: one row per line; the order's amounts split by line.
    let (_, body) = get(format!("from={t}&to={t}&detail=lines&format=csv")).await;
    let csv = String::from_utf8(body).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(';').collect())
        .collect();
    assert_eq!(rows.len(), 5, "{csv}");
    assert!(rows.iter().all(|r| r.len() == 27), "{csv}");
    let family: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == rows[4][0]).collect();
    assert_eq!(
        family
            .iter()
            .map(|r| (r[12], r[13], r[22]))
            .collect::<Vec<_>>(),
        [
            ("Ticket adulte", "2", "17,00"),
            ("Ticket enfant", "1", "5,00"),
            ("Ticket senior", "2", "15,00")
        ]
    );

    // The privacy preset: no names, e-mail, phone or contact id; the origin stays.
    let (_, body) = get(format!(
        "from={t}&to={t}&detail=orders&format=csv&privacy=1"
    ))
    .await;
    let csv = String::from_utf8(body).unwrap();
    assert!(!csv.contains("Marie") && !csv.contains("Dupont") && !csv.contains("example.be"));
    let head: Vec<&str> = csv.lines().next().unwrap().split(';').collect();
    assert_eq!(head.len(), 25);
    assert!(!head.contains(&"Prénom") && !head.contains(&"Identifiant contact"));
    assert!(head.contains(&"Code postal") && head.contains(&"Pays"));
    assert!(csv.contains(";5580;"), "{csv}");

    // XLSX, and the period of the visit.
    let (kind, body) = get(format!("from={t}&to={t}&detail=lines&format=xlsx&by=visit")).await;
    assert!(kind.contains("spreadsheetml"), "{kind}");
    assert!(body.starts_with(b"PK"));
    let (_, body) = get(format!("by=visit&from={day}&to={day}&detail=orders")).await;
    assert_eq!(String::from_utf8(body).unwrap().lines().count(), 1 + 3);
    // The same through the API, with its column set's version.
    let key = crate::harness::api_key(&app, &a, "manager").await;
    let r = crate::harness::plain_client()
        .get(app.url(&format!(
            "/api/v1/orders/export?from={t}&to={t}&detail=lines&privacy=1"
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-guichet-columns"], "attendance-1");
    let csv = r.text().await.unwrap();
    assert_eq!(csv.lines().count(), 1 + 5, "{csv}");
    assert!(!csv.contains("Marie"), "{csv}");
    let r = crate::harness::plain_client()
        .get(app.url("/api/v1/orders/export?from=2026-13-01&to=x"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // A seller exports too (the orders list is theirs); nobody signed in does not.
    let seller = login(&app, &a.seller).await;
    let r = seller
        .get(app.url("/orders/export?detail=orders"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = crate::harness::client()
        .get(app.url("/orders/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "to the sign-in page");
    app.stop().await;
}
