//! Test harness: a fresh database and a real server per test, fixtures with two
//! organizations, and HTTP clients that keep cookies like a browser.

use guichet::{Server, Settings};
use guichet_app::AppConfig;
use guichet_domain::org::{
    Email, Language, OrganizationInput, RegisterDetails, RegisterKind, SiteInput,
};
use guichet_domain::{OrganizationId, Role, UserId};
use guichet_store::{Store, organizations, registers, sites, users};
use reqwest::redirect::Policy;
use std::time::Duration;
use tokio::sync::OnceCell;

pub const PASSWORD: &str = "correct horse battery";

/// `GUICHET_CI=1` turns a skipped test (no PostgreSQL, no Chromium) into a failure.
pub fn skip(reason: &str) {
    if std::env::var("GUICHET_CI").is_ok_and(|v| v == "1") {
        panic!("GUICHET_CI=1 and this test cannot run: {reason}");
    }
    eprintln!("notice: test skipped: {reason}");
}

/// The PostgreSQL server for tests, if configured.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("GUICHET_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let cut = base.rfind('/').unwrap_or(base.len());
    let prefix = &base[..cut];
    // postgres://host without a path: rfind finds the "//"; keep the whole base then.
    if prefix.ends_with('/') || prefix.ends_with(':') {
        format!("{base}/{db}{query}")
    } else {
        format!("{prefix}/{db}{query}")
    }
}

/// Creates an empty PostgreSQL database and returns its URL.
pub async fn fresh_pg_database(admin_url: &str) -> String {
    use sqlx::Connection;
    let name = format!("guichet_t_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to GUICHET_TEST_DATABASE_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    conn.close().await.ok();
    with_database(admin_url, &name)
}

/// Drops a test database made by [`fresh_pg_database`] (its connections are closed first).
pub async fn drop_pg_database(url: &str) {
    use sqlx::Connection;
    let (Some(admin), Some(name)) = (
        pg_admin_url(),
        url.rsplit('/')
            .next()
            .map(|n| n.split('?').next().unwrap_or(n).to_owned()),
    ) else {
        return;
    };
    if !name.starts_with("guichet_t_") {
        return;
    }
    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await;
        let _ = conn.close().await;
    }
}

/// A fresh database URL on the backend under test, with the folder that holds it.
pub async fn fresh_database() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match pg_admin_url() {
        Some(admin) => fresh_pg_database(&admin).await,
        None => format!("sqlite://{}/guichet.db", dir.path().display()),
    };
    (url, dir)
}

pub struct TestApp {
    pub base: String,
    db_url: String,
    pub store: Store,
    server: Option<Server>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The database's URL (`sqlite://…/guichet.db` or `postgres://…`).
    pub fn database_url(&self) -> &str {
        &self.db_url
    }

    /// Stops the server and drops its PostgreSQL test database.
    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
        if self.db_url.starts_with("postgres") {
            drop_pg_database(&self.db_url).await;
        }
    }
}

pub async fn spawn() -> TestApp {
    spawn_with(AppConfig::default()).await
}

/// A server whose use cases run with `config` (short idle sessions, an SMTP server…).
pub async fn spawn_with(config: AppConfig) -> TestApp {
    let (url, dir) = fresh_database().await;
    spawn_on(url, dir, config).await
}

pub async fn spawn_on(db_url: String, dir: tempfile::TempDir, config: AppConfig) -> TestApp {
    let config = guichet::ServerConfig {
        app: config,
        ..Default::default()
    };
    spawn_server_on(db_url, dir, config).await
}

/// A server with the web layer's settings too (trusted proxies…).
pub async fn spawn_server(config: guichet::ServerConfig) -> TestApp {
    let (url, dir) = fresh_database().await;
    spawn_server_on(url, dir, config).await
}

/// A server whose `public_url` is its own address (links that leave Guichet and come back,
/// as a payment provider's return address, must reach it): `make` gets that address.
pub async fn spawn_server_at_its_url(make: impl FnOnce(&str) -> guichet::ServerConfig) -> TestApp {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let bind = format!("127.0.0.1:{port}");
    let config = make(&format!("http://{bind}"));
    let (url, dir) = fresh_database().await;
    spawn_bound(url, dir, config, &bind).await
}

async fn spawn_server_on(
    db_url: String,
    dir: tempfile::TempDir,
    config: guichet::ServerConfig,
) -> TestApp {
    spawn_bound(db_url, dir, config, "127.0.0.1:0").await
}

async fn spawn_bound(
    db_url: String,
    dir: tempfile::TempDir,
    config: guichet::ServerConfig,
    bind: &str,
) -> TestApp {
    let settings = Settings {
        bind: bind.into(),
        database_url: db_url.clone(),
        ..Settings::default()
    };
    let store = guichet::open_store(&settings)
        .await
        .expect("open test database");
    let server = guichet::start(&settings, store.clone(), config, false)
        .await
        .expect("start server");
    TestApp {
        base: format!("http://{}", server.addr),
        db_url,
        store,
        server: Some(server),
        _dir: dir,
    }
}

/// One argon2 hash of [`PASSWORD`], shared by all fixture users (hashing is slow on purpose).
async fn password_hash() -> String {
    static HASH: OnceCell<String> = OnceCell::const_new();
    HASH.get_or_init(|| async {
        guichet_app::password::hash(PASSWORD.to_owned())
            .await
            .expect("hash")
    })
    .await
    .clone()
}

#[derive(Debug, Clone)]
pub struct OrgFixture {
    pub id: OrganizationId,
    pub admin: String,
    pub manager: String,
    pub seller: String,
    pub admin_id: UserId,
    pub seller_id: UserId,
}

impl OrgFixture {
    pub fn email(&self, role: Role) -> &str {
        match role {
            Role::Admin => &self.admin,
            Role::Manager => &self.manager,
            Role::Seller => &self.seller,
        }
    }
}

/// An organization with one site, a counter register, Belgian VAT rates and one user per role.
pub async fn org(app: &TestApp, name: &str, prefix: &str) -> OrgFixture {
    let hash = password_hash().await;
    let details = OrganizationInput {
        name: name.into(),
        currency: "EUR".into(),
        time_zone: "Europe/Brussels".into(),
        default_language: "fr".into(),
        ..Default::default()
    }
    .parse()
    .expect("valid org");
    let site = SiteInput {
        name: format!("{name} site"),
        ..Default::default()
    }
    .parse()
    .expect("valid site");
    let emails: Vec<String> = ["admin", "manager", "seller"]
        .iter()
        .map(|r| format!("{r}@{prefix}.test"))
        .collect();
    let (name2, emails2) = (name.to_owned(), emails.clone());
    let (id, admin_id, seller_id) = app
        .store
        .write(|tx| {
            let (details, site, hash, emails, name) = (
                details.clone(),
                site.clone(),
                hash.clone(),
                emails2.clone(),
                name2.clone(),
            );
            Box::pin(async move {
                let tenant = organizations::create(tx, &details).await?;
                let site = sites::create(tx, tenant, &site).await?;
                let preset = guichet_domain::org::vat_preset("BE").expect("BE preset");
                guichet_app::vat_rates::add_preset(tx, tenant, preset).await?;
                let register = registers::create(
                    tx,
                    tenant,
                    site.id,
                    &RegisterDetails {
                        name: format!("{name} Accueil"),
                        kind: RegisterKind::Counter,
                        address: Default::default(),
                    },
                )
                .await?;
                // Open, as at the start of a day at the front desk (a counter register sells
                // only while open).
                let opening = guichet_store::register_sessions::Opening {
                    day: today(),
                    float_cents: 0,
                    counts: None,
                    at: guichet_store::now_micros(),
                };
                guichet_store::register_sessions::open(tx, tenant, register.id, &opening, None)
                    .await?;
                let mut ids = Vec::new();
                for (email, role) in emails
                    .iter()
                    .zip([Role::Admin, Role::Manager, Role::Seller])
                {
                    let email = Email::parse(email).expect("email");
                    let user = users::create_user(
                        tx,
                        &email,
                        &format!("{role} of {name}"),
                        Language::Fr,
                        Some(&hash),
                    )
                    .await?;
                    users::add_member(tx, tenant, user.id, role).await?;
                    ids.push(user.id);
                }
                Ok((tenant.id(), ids[0], ids[2]))
            })
        })
        .await
        .expect("fixture");
    OrgFixture {
        id,
        admin: emails[0].clone(),
        manager: emails[1].clone(),
        seller: emails[2].clone(),
        admin_id,
        seller_id,
    }
}

/// A client with reqwest's defaults (TLS set up first: see `install_default_tls`).
pub fn plain_client() -> reqwest::Client {
    client_builder().build().expect("client")
}

/// A client builder, TLS set up first.
pub fn client_builder() -> reqwest::ClientBuilder {
    guichet_integrations::stripe::install_default_tls();
    reqwest::Client::builder()
}

/// A client that keeps cookies and does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    client_builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Signs in through the login form; returns the signed-in client.
pub async fn login(app: &TestApp, email: &str) -> reqwest::Client {
    let c = client();
    let r = c
        .post(app.url("/login"))
        .form(&[("email", email), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .expect("login request");
    assert_eq!(r.status(), 303, "login of {email} should redirect");
    c
}

/// The `Location` header of a redirect.
pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// An API key of the given role in an organization, created by its admin through the API.
pub async fn api_key(app: &TestApp, org: &OrgFixture, role: &str) -> String {
    let admin = login(app, &org.admin).await;
    let r = admin
        .post(app.url("/api/v1/api-keys"))
        .json(&serde_json::json!({"name": format!("{role} key"), "role": role}))
        .send()
        .await
        .expect("create key");
    assert_eq!(r.status(), 201);
    let body: serde_json::Value = r.json().await.expect("json");
    body["secret"].as_str().expect("secret").to_owned()
}

/// A GET on the API with a bearer key, as JSON, after checking it answered 200.
pub async fn api_get(app: &TestApp, key: &str, path: &str) -> serde_json::Value {
    let r = client()
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.json().await.unwrap()
}

/// A POST on the API with a bearer key; expects `status` and answers the body.
pub async fn api_post(
    app: &TestApp,
    key: &str,
    path: &str,
    body: serde_json::Value,
    status: u16,
) -> serde_json::Value {
    let r = client()
        .post(app.url(path))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), status, "POST {path} {body}");
    r.json().await.unwrap()
}

/// The id of the organization's VAT rate of `basis_points` (600: 6 %).
pub async fn vat_rate_id(app: &TestApp, key: &str, basis_points: i64) -> serde_json::Value {
    api_get(app, key, "/api/v1/vat-rates").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate_basis_points"] == basis_points)
        .unwrap()["id"]
        .clone()
}

/// Checks that a response is a problem document with `status`, and returns it.
pub async fn problem(r: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(r.status(), status);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    r.json().await.expect("problem body")
}

/// The `(field, code)` pairs of a validation problem.
pub fn field_errors(p: &serde_json::Value) -> Vec<(String, String)> {
    p["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_owned(),
                        e["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A plain PNG picture of `w` × `h` pixels.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 120, 40]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// Today in Brussels, the fixtures' time zone.
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").expect("zone"))
        .date()
}

mod api;
pub use api::{Api, Catalogue, NeptuneTour, id_of};
