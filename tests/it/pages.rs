//! Back-office pages: forms with errors next to the fields, language, placeholders.

use crate::harness::{client, location, login, org, spawn};

#[tokio::test]
async fn vat_rate_form_shows_errors_and_creates() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = login(&app, &a.admin).await;
    let r = admin
        .post(app.url("/account/taxes"))
        .form(&[("label", ""), ("rate", "vingt")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Ce champ est obligatoire."));
    assert!(page.contains("Saisissez un nombre"));
    assert!(page.contains(r#"value="vingt""#), "what was typed is kept");
    let r = admin
        .post(app.url("/account/taxes"))
        .form(&[("label", "TVA 5,5 %"), ("rate", "5,5")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/account/taxes?done=vat-created");
    let page = admin
        .get(app.url("/account/taxes?done=vat-created"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Taux de TVA ajouté."));
    assert!(page.contains("TVA 5,5 %") && page.contains("5,5 %"));
    // The same percentage twice is refused, next to the field.
    let r = admin
        .post(app.url("/account/taxes"))
        .form(&[("label", "Autre"), ("rate", "5.5")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Existe déjà."));
    // The French preset adds only what is missing (5,5 % exists already).
    let r = admin
        .post(app.url("/account/taxes/preset"))
        .form(&[("country", "FR")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let rates: serde_json::Value = admin
        .get(app.url("/api/v1/vat-rates"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let mut bps: Vec<i64> = rates
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rate_basis_points"].as_i64().unwrap())
        .collect();
    bps.sort();
    assert_eq!(bps, vec![0, 550, 600, 1000, 1200, 2000, 2100]);
    // A manager sees the rates but cannot change them.
    let manager = login(&app, &a.manager).await;
    let page = manager
        .get(app.url("/account/taxes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("TVA 21 %") && !page.contains("vat-form"));
    app.stop().await;
}

#[tokio::test]
async fn organization_details_and_sites_by_page() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = login(&app, &a.admin).await;
    let r = admin
        .post(app.url("/account/details"))
        .form(&[
            ("name", "Grottes de Neptune"),
            ("vat_number", "BE0417497107"),
            ("currency", "EUR"),
            ("time_zone", "Mars/Base"),
            ("default_language", "fr"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Les chiffres de contrôle de ce numéro de TVA sont faux."));
    assert!(page.contains("Valeur inconnue."));
    let r = admin
        .post(app.url("/account/details"))
        .form(&[
            ("name", "Grottes de Neptune"),
            ("legal_name", "Grottes SRL"),
            ("vat_number", "BE0417497106"),
            ("street", "Rue des Grottes 6"),
            ("postal_code", "5580"),
            ("city", "Han-sur-Lesse"),
            ("country", "BE"),
            ("currency", "EUR"),
            ("time_zone", "Europe/Brussels"),
            ("default_language", "fr"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = admin
        .get(app.url("/account/details"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("BE0417497106") && page.contains("Han-sur-Lesse"));

    let r = admin
        .post(app.url("/account/sites/new"))
        .form(&[("name", ""), ("country", "Belgique")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = admin
        .post(app.url("/account/sites/new"))
        .form(&[("name", "Abbaye"), ("city", "Rochefort"), ("country", "BE")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let sites: serde_json::Value = admin
        .get(app.url("/api/v1/sites"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let abbaye = sites
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Abbaye")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = admin
        .post(app.url(&format!("/account/sites/{abbaye}")))
        .form(&[("name", "Abbaye de Rochefort"), ("city", "Rochefort")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = admin
        .post(app.url(&format!("/account/sites/{abbaye}/archive")))
        .form(&[("archived", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = admin
        .get(app.url("/account/details"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Abbaye de Rochefort") && page.contains("Archivé"));
    // A manager reads the details without a form.
    let manager = login(&app, &a.manager).await;
    let page = manager
        .get(app.url("/account/details"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Grottes SRL") && !page.contains("org-form"));
    app.stop().await;
}

#[tokio::test]
async fn registers_by_page() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = login(&app, &a.manager).await;
    let sites: serde_json::Value = manager
        .get(app.url("/api/v1/sites"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let site = sites[0]["id"].as_str().unwrap().to_owned();
    let page = manager
        .get(app.url("/distribution/registers/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&site), "sites offered");
    let r = manager
        .post(app.url("/distribution/registers/new"))
        .form(&[
            ("name", ""),
            ("kind", "counter"),
            ("site_id", site.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = manager
        .post(app.url("/distribution/registers/new"))
        .form(&[
            ("name", "Réservation par téléphone"),
            ("kind", "phone"),
            ("site_id", site.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let regs: serde_json::Value = manager
        .get(app.url("/api/v1/registers"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let phone = regs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "phone")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = manager
        .post(app.url(&format!("/distribution/registers/{phone}")))
        .form(&[
            ("name", "Téléphone"),
            ("kind", "phone"),
            ("site_id", site.as_str()),
            ("city", "Namur"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = manager
        .post(app.url(&format!("/distribution/registers/{phone}/archive")))
        .form(&[("archived", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = manager
        .get(app.url("/distribution/registers"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Téléphone") && page.contains("Archivé"));
    let reg: serde_json::Value = manager
        .get(app.url(&format!("/api/v1/registers/{phone}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reg["name"], "Téléphone");
    assert_eq!(reg["address"]["city"], "Namur");
    assert_eq!(reg["archived"], true);
    app.stop().await;
}

#[tokio::test]
async fn language_is_french_by_default_and_english_by_choice() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let anon = client();
    let page = anon
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Connexion") && page.contains(r#"lang="fr""#));
    let page = anon
        .get(app.url("/login"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign in"));
    let r = anon
        .post(app.url("/language"))
        .form(&[("language", "en"), ("next", "/login")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = anon
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign in"), "language cookie kept");

    let seller = login(&app, &a.seller).await;
    assert!(
        seller
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Tableau de bord")
    );
    let r = seller
        .post(app.url("/me"))
        .form(&[("name", "Sophie"), ("language", "de")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = seller
        .post(app.url("/me"))
        .form(&[("name", "Sophie"), ("language", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = seller
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Dashboard")
            && page.contains("Hello Sophie!")
            && page.contains(r#"lang="en""#)
    );
    // A seller's menu has no setup entries.
    assert!(
        !page.contains("/account/users")
            && !page.contains("/account/taxes")
            && !page.contains("/distribution/registers\"")
    );
    // What is not built yet is not in the menu, and its address is the 404 page, in English.
    assert!(!page.contains("/arrivals"));
    let r = seller.get(app.url("/arrivals")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Page not found"));
    app.stop().await;
}

/// Dutch is offered like French and English, before sign-in and in the profile, and the pages
/// then speak Dutch, with amounts written the Dutch way (`€ 0,00`).
#[tokio::test]
async fn dutch_by_choice() {
    let app = spawn().await;
    let a = org(&app, "Grotten A", "a").await;
    let anon = client();
    let page = anon
        .get(app.url("/login"))
        .header("accept-language", "nl-BE,nl;q=0.9,fr;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Aanmelden") && page.contains(r#"lang="nl""#));
    assert!(page.contains(r#"value="nl""#) && page.contains("Nederlands"));

    let seller = login(&app, &a.seller).await;
    let profile = seller
        .get(app.url("/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(profile.contains(r#"<option value="nl">Nederlands</option>"#));
    let r = seller
        .post(app.url("/me"))
        .form(&[("name", "Sophie"), ("language", "nl")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = seller
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Hallo Sophie!") && page.contains(r#"lang="nl""#));
    assert!(page.contains("Bestellingen") && !page.contains("Commandes"));
    let page = seller
        .get(app.url("/register"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Winkelmandje"), "the cashier screen in Dutch");
    assert!(
        page.contains("€ 0,00") && !page.contains("0,00 €"),
        "Dutch amounts"
    );
    app.stop().await;
}

#[tokio::test]
async fn unknown_pages_and_ids_are_clear_404s() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = login(&app, &a.admin).await;
    for path in [
        "/nowhere",
        "/account/taxes/not-an-id",
        "/account/users/00000000-0000-7000-8000-000000000000",
    ] {
        let r = admin.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert!(r.text().await.unwrap().contains("existe pas"));
    }
    app.stop().await;
}
