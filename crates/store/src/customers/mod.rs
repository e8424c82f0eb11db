//! Customers: the customer file, quick-created at the register or kept in the back office,
//! searched as the cashier types, listed with their last booking and revenue.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::customer::{CustomerDetails, CustomerStatus, Origin};
use guichet_domain::{CustomerId, CustomerTypeId, UserId};
use serde::Serialize;
use uuid::Uuid;

mod history;
mod merge;
mod search;

pub use history::*;
pub use merge::*;
pub use search::*;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Customer {
    pub id: CustomerId,
    pub status: CustomerStatus,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub origin: Origin,
    pub language: Option<String>,
    pub birth_date: Option<String>,
    pub discount_bp: u32,
    pub vat_exempt: bool,
    pub institutional: bool,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub balance_limit_cents: Option<i64>,
    pub loyalty: bool,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    /// When each consent was given; none: not given.
    pub consent_email_at: Option<i64>,
    pub consent_sms_at: Option<i64>,
    pub consent_post_at: Option<i64>,
    pub customer_type_id: Option<CustomerTypeId>,
    /// Erased on request (the personal fields are empty).
    pub erased_at: Option<i64>,
    /// The organization's own fields: field id → value.
    pub custom: std::collections::BTreeMap<String, String>,
    /// "Samantha REGA", as lists show it.
    pub display_name: String,
    pub created_at: i64,
    pub updated_at: Option<i64>,
}

/// "First LAST", or whichever part exists.
pub fn display_name(first: Option<&str>, last: Option<&str>) -> String {
    match (first, last) {
        (Some(f), Some(l)) => format!("{f} {}", l.to_uppercase()),
        (Some(f), None) => f.to_owned(),
        (None, Some(l)) => l.to_uppercase(),
        (None, None) => String::new(),
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    status: String,
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    street: Option<String>,
    city: Option<String>,
    country: String,
    postal_code: Option<String>,
    province: Option<String>,
    language: Option<String>,
    birth_date: Option<String>,
    discount_bp: i32,
    vat_exempt: bool,
    institutional: bool,
    iban: Option<String>,
    bic: Option<String>,
    balance_limit_cents: Option<i64>,
    loyalty: bool,
    tags: String,
    notes: Option<String>,
    consent_email_at: Option<i64>,
    consent_sms_at: Option<i64>,
    consent_post_at: Option<i64>,
    customer_type_id: Option<Uuid>,
    erased_at: Option<i64>,
    custom_values: String,
    created_at: i64,
    updated_at: Option<i64>,
}

impl From<Row> for Customer {
    fn from(r: Row) -> Self {
        Customer {
            id: CustomerId(r.id),
            status: CustomerStatus::parse(&r.status).unwrap_or_default(),
            display_name: display_name(r.first_name.as_deref(), r.last_name.as_deref()),
            first_name: r.first_name,
            last_name: r.last_name,
            company: r.company,
            email: r.email,
            phone: r.phone,
            street: r.street,
            city: r.city,
            origin: Origin {
                country: r.country,
                postal_code: r.postal_code,
                province: r.province,
            },
            language: r.language,
            birth_date: r.birth_date,
            discount_bp: u32::try_from(r.discount_bp).unwrap_or(0),
            vat_exempt: r.vat_exempt,
            institutional: r.institutional,
            iban: r.iban,
            bic: r.bic,
            balance_limit_cents: r.balance_limit_cents,
            loyalty: r.loyalty,
            tags: guichet_domain::customer::parse_tags(&r.tags),
            notes: r.notes,
            consent_email_at: r.consent_email_at,
            consent_sms_at: r.consent_sms_at,
            consent_post_at: r.consent_post_at,
            customer_type_id: r.customer_type_id.map(CustomerTypeId),
            erased_at: r.erased_at,
            custom: serde_json::from_str(&r.custom_values).unwrap_or_default(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

const COLUMNS: &str =
    "id, status, first_name, last_name, company, email, phone, street, city, country,
    postal_code, province, language, birth_date, discount_bp, vat_exempt, institutional, iban, bic,
    balance_limit_cents, loyalty, tags, notes, consent_email_at, consent_sms_at, consent_post_at,
    customer_type_id, erased_at, custom_values, created_at, updated_at";

const SELECT: &str =
    "SELECT id, status, first_name, last_name, company, email, phone, street, city, country,
    postal_code, province, language, birth_date, discount_bp, vat_exempt, institutional, iban, bic,
    balance_limit_cents, loyalty, tags, notes, consent_email_at, consent_sms_at, consent_post_at,
    customer_type_id, erased_at, custom_values, created_at, updated_at FROM customers WHERE organization_id = $1";

/// What the search box matches: names, company, e-mail, phone, tags and custom fields, folded
/// (control characters dropped: char(1) marks rows waiting for the index, see `index_marked`).
fn search_key(d: &CustomerDetails) -> String {
    let key = guichet_domain::text::search_key(&format!(
        "{} {} {} {} {} {} {}",
        d.first_name.as_deref().unwrap_or_default(),
        d.last_name.as_deref().unwrap_or_default(),
        d.company.as_deref().unwrap_or_default(),
        d.email.as_deref().unwrap_or_default(),
        d.phone
            .as_deref()
            .map(guichet_domain::customer::phone_search_forms)
            .unwrap_or_default(),
        d.tags.join(" "),
        d.custom.values().cloned().collect::<Vec<_>>().join(" ")
    ));
    key.chars().filter(|c| !c.is_control()).collect()
}

/// The customer type must be the organization's.
async fn check_type(tx: &mut Tx, tenant: Tenant, d: &CustomerDetails) -> Result<()> {
    match d.customer_type_id {
        Some(t) => match crate::customer_types::get(tx, tenant, t).await {
            Ok(_) => Ok(()),
            Err(StoreError::NotFound) => Err(StoreError::Invalid(
                "customer_type_id".into(),
                "unknown_customer_type",
            )),
            Err(e) => Err(e),
        },
        None => Ok(()),
    }
}

pub async fn create(
    tx: &mut Tx,
    tenant: Tenant,
    d: &CustomerDetails,
    by: Option<UserId>,
) -> Result<Customer> {
    check_type(tx, tenant, d).await?;
    let id = insert(tx, tenant, d, by).await?;
    get(tx, tenant, id).await
}

/// Writes a new customer whose customer type is known to be the organization's (the import
/// resolves types by name), without reading it back.
pub async fn insert(
    tx: &mut Tx,
    tenant: Tenant,
    d: &CustomerDetails,
    by: Option<UserId>,
) -> Result<CustomerId> {
    let ids = write_rows(tx, tenant, &[d], by, "").await?;
    ids.into_iter().next().ok_or(StoreError::NotFound)
}

/// Rows one [`insert_many`] statement writes. Few: sqlx's SQLite driver looks each bound
/// value's name up among all the statement's parameters, so a statement's binding costs the
/// square of its parameters (100 rows × 32 values spent 63 % of an import there).
const INSERT_ROWS: usize = 8;

/// Writes many new customers (an import) in multi-row statements, marked on SQLite for
/// [`index_marked`]. Creation instants follow
/// the order given, a microsecond apart, so the list shows them in the file's order.
pub async fn insert_many(
    tx: &mut Tx,
    tenant: Tenant,
    rows: &[&CustomerDetails],
    by: Option<UserId>,
) -> Result<()> {
    // SQLite: marked for [`index_marked`], which indexes them all at once.
    let mark = if tx.backend() == crate::Backend::Sqlite {
        "\u{1}"
    } else {
        ""
    };
    write_rows(tx, tenant, rows, by, mark).await?;
    Ok(())
}

/// The one INSERT of customers, [`INSERT_ROWS`] to a statement, each search text prefixed by
/// `mark`; answers the new ids.
async fn write_rows(
    tx: &mut Tx,
    tenant: Tenant,
    rows: &[&CustomerDetails],
    by: Option<UserId>,
    mark: &str,
) -> Result<Vec<CustomerId>> {
    let mut ids = Vec::with_capacity(rows.len());
    let mut now = now_micros();
    for chunk in rows.chunks(INSERT_ROWS) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| {
                let marks: Vec<String> = (1..=32).map(|k| format!("${}", r * 32 + k)).collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO customers (id, organization_id, first_name, last_name, email, phone, country, postal_code,
             province, search, created_by, created_at, status, company, street, city, language, birth_date,
             discount_bp, vat_exempt, institutional, iban, bic, balance_limit_cents, loyalty, tags, notes,
             consent_email_at, consent_sms_at, consent_post_at, customer_type_id, custom_values) VALUES {}",
            values.join(", ")
        );
        let mut prepared = Vec::with_capacity(chunk.len());
        for d in chunk {
            prepared.push((
                Uuid::now_v7(),
                now,
                format!("{mark}{}", search_key(d)),
                serde_json::to_string(&d.custom)?,
            ));
            now += 1;
        }
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for (d, (id, at, search, custom)) in chunk.iter().zip(&prepared) {
                let consent = |given: bool| given.then_some(*at);
                q = q
                    .bind(*id)
                    .bind(tenant.id().0)
                    .bind(&d.first_name)
                    .bind(&d.last_name)
                    .bind(&d.email)
                    .bind(&d.phone)
                    .bind(&d.origin.country)
                    .bind(&d.origin.postal_code)
                    .bind(&d.origin.province)
                    .bind(search)
                    .bind(by.map(|u| u.0))
                    .bind(*at)
                    .bind(d.status.as_str())
                    .bind(&d.company)
                    .bind(&d.street)
                    .bind(&d.city)
                    .bind(&d.language)
                    .bind(d.birth_date.map(|b| b.to_string()))
                    .bind(i32::try_from(d.discount_bp).unwrap_or(0))
                    .bind(d.vat_exempt)
                    .bind(d.institutional)
                    .bind(&d.iban)
                    .bind(&d.bic)
                    .bind(d.balance_limit_cents)
                    .bind(d.loyalty)
                    .bind(d.tags.join(", "))
                    .bind(&d.notes)
                    .bind(consent(d.consent_email))
                    .bind(consent(d.consent_sms))
                    .bind(consent(d.consent_post))
                    .bind(d.customer_type_id.map(|t| t.0))
                    .bind(custom);
            }
            q.execute(c).await?.rows_affected()
        });
        ids.extend(prepared.iter().map(|(id, ..)| CustomerId(*id)));
    }
    Ok(ids)
}

/// After a large write (an import): PostgreSQL's planner statistics of the customers are
/// refreshed in the same transaction, else until autovacuum comes by it plans searches and
/// e-mail lookups as if the new rows were not there (a sequential scan per 500 addresses
/// made a dry run at a million customers take 40 s). SQLite plans from its indexes alone.
pub async fn refresh_statistics(tx: &mut Tx) -> Result<()> {
    if let Tx::Pg(c) = tx {
        sqlx::query("ANALYZE customers").execute(&mut **c).await?;
    }
    Ok(())
}

/// After [`insert_many`]: SQLite's search index takes the marked customers in one statement,
/// in creation order, and the mark is cleared (the triggers skip marked rows). Call it in the
/// same transaction, once all are written. Nothing to do on PostgreSQL.
pub async fn index_marked(tx: &mut Tx, tenant: Tenant) -> Result<()> {
    let Tx::Sqlite(c) = tx else {
        return Ok(());
    };
    c.settle().await?;
    let org = tenant.id().0;
    let marked = "organization_id = $1 AND search >= char(1) AND search < char(2)";
    let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(rowid), 0) FROM customers_fts")
        .fetch_one(&mut **c)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO customers_fts (search, organization_id, customer_id)
         SELECT substr(search, 2), organization_id, id FROM customers WHERE {marked} ORDER BY created_at, id"
    )))
    .bind(org)
    .execute(&mut **c)
    .await?;
    sqlx::query(
        "INSERT INTO customers_fts_keys (customer_id, fts_rowid)
         SELECT customer_id, rowid FROM customers_fts WHERE rowid > $1",
    )
    .bind(before)
    .execute(&mut **c)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE customers SET search = substr(search, 2) WHERE {marked}"
    )))
    .bind(org)
    .execute(&mut **c)
    .await?;
    Ok(())
}

/// Whether any of the organization's customers was created, changed or erased at `at` or
/// later (a checked import is still good when none was).
pub async fn changed_since(tx: &mut Tx, tenant: Tenant, at: i64) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM customers WHERE organization_id = $1
         AND (created_at >= $2 OR updated_at >= $2 OR erased_at >= $2)")
        .bind(tenant.id().0)
        .bind(at)
        .fetch_one(c)
        .await?);
    Ok(n > 0)
}

/// The customers (not erased) with these e-mail addresses, as stored (lower case): e-mail →
/// the oldest such customer.
pub async fn ids_by_email(
    tx: &mut Tx,
    tenant: Tenant,
    emails: &[String],
) -> Result<std::collections::HashMap<String, CustomerId>> {
    let mut oldest: std::collections::HashMap<String, (i64, CustomerId)> = Default::default();
    for chunk in emails.chunks(500) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        // No ORDER BY: SQLite would walk the creation index over every customer for it.
        let sql = format!(
            "SELECT email, id, created_at FROM customers WHERE organization_id = $1 AND erased_at IS NULL
             AND email IN ({})",
            marks.join(", ")
        );
        let rows: Vec<(String, Uuid, i64)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
            for e in chunk {
                q = q.bind(e);
            }
            q.fetch_all(c).await?
        });
        for (email, id, at) in rows {
            match oldest.get(&email) {
                Some((seen, _)) if *seen <= at => {}
                _ => {
                    oldest.insert(email, (at, CustomerId(id)));
                }
            }
        }
    }
    Ok(oldest.into_iter().map(|(e, (_, id))| (e, id)).collect())
}

/// Replaces the customer's details. A consent still given keeps the date it was first given;
/// a consent withdrawn loses it.
pub async fn update(
    tx: &mut Tx,
    tenant: Tenant,
    id: CustomerId,
    d: &CustomerDetails,
) -> Result<Customer> {
    check_type(tx, tenant, d).await?;
    if get(tx, tenant, id).await?.erased_at.is_some() {
        return Err(StoreError::Refused("customer_erased"));
    }
    let now = now_micros();
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE customers SET first_name = $3, last_name = $4, email = $5, phone = $6, country = $7, postal_code = $8,
         province = $9, search = $10, status = $11, company = $12, street = $13, city = $14, language = $15,
         birth_date = $16, discount_bp = $17, vat_exempt = $18, institutional = $19, iban = $20, bic = $21,
         balance_limit_cents = $22, loyalty = $23, tags = $24, notes = $25,
         consent_email_at = CASE WHEN $26 THEN COALESCE(consent_email_at, $29) ELSE NULL END,
         consent_sms_at = CASE WHEN $27 THEN COALESCE(consent_sms_at, $29) ELSE NULL END,
         consent_post_at = CASE WHEN $28 THEN COALESCE(consent_post_at, $29) ELSE NULL END,
         updated_at = $29, customer_type_id = $30, custom_values = $31
         WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(&d.first_name)
        .bind(&d.last_name)
        .bind(&d.email)
        .bind(&d.phone)
        .bind(&d.origin.country)
        .bind(&d.origin.postal_code)
        .bind(&d.origin.province)
        .bind(search_key(d))
        .bind(d.status.as_str())
        .bind(&d.company)
        .bind(&d.street)
        .bind(&d.city)
        .bind(&d.language)
        .bind(d.birth_date.map(|b| b.to_string()))
        .bind(i32::try_from(d.discount_bp).unwrap_or(0))
        .bind(d.vat_exempt)
        .bind(d.institutional)
        .bind(&d.iban)
        .bind(&d.bic)
        .bind(d.balance_limit_cents)
        .bind(d.loyalty)
        .bind(d.tags.join(", "))
        .bind(&d.notes)
        .bind(d.consent_email)
        .bind(d.consent_sms)
        .bind(d.consent_post)
        .bind(now)
        .bind(d.customer_type_id.map(|t| t.0))
        .bind(serde_json::to_string(&d.custom)?)
        .execute(c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    get(tx, tenant, id).await
}

pub async fn get(tx: &mut Tx, tenant: Tenant, id: CustomerId) -> Result<Customer> {
    let sql = format!("{SELECT} AND id = $2");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    row.map(Customer::from).ok_or(StoreError::NotFound)
}

/// The customer agreed to e-mails (an online booking's box ticked): recorded now unless they
/// already had; an erased customer is left alone.
pub async fn grant_email_consent(tx: &mut Tx, tenant: Tenant, id: CustomerId) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE customers SET consent_email_at = COALESCE(consent_email_at, $3)
         WHERE organization_id = $1 AND id = $2 AND erased_at IS NULL")
        .bind(tenant.id().0).bind(id.0).bind(crate::now_micros())
        .execute(c).await?.rows_affected());
    Ok(())
}
