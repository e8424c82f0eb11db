//! Customers: quick-created at the register, searched as the cashier types.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::customer::{CustomerDetails, Origin};
use guichet_domain::{CustomerId, UserId};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Customer {
    pub id: CustomerId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub origin: Origin,
    /// "Samantha REGA", as lists show it.
    pub display_name: String,
    pub created_at: i64,
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
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    country: String,
    postal_code: Option<String>,
    province: Option<String>,
    created_at: i64,
}

impl From<Row> for Customer {
    fn from(r: Row) -> Self {
        Customer {
            id: CustomerId(r.id),
            display_name: display_name(r.first_name.as_deref(), r.last_name.as_deref()),
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            phone: r.phone,
            origin: Origin {
                country: r.country,
                postal_code: r.postal_code,
                province: r.province,
            },
            created_at: r.created_at,
        }
    }
}

const SELECT: &str =
    "SELECT id, first_name, last_name, email, phone, country, postal_code, province, created_at
    FROM customers WHERE organization_id = $1";

pub async fn create(
    tx: &mut Tx,
    tenant: Tenant,
    d: &CustomerDetails,
    by: Option<UserId>,
) -> Result<Customer> {
    let id = CustomerId(Uuid::now_v7());
    let search = guichet_domain::text::search_key(&format!(
        "{} {} {} {}",
        d.first_name.as_deref().unwrap_or_default(),
        d.last_name.as_deref().unwrap_or_default(),
        d.email.as_deref().unwrap_or_default(),
        d.phone.as_deref().unwrap_or_default()
    ));
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO customers (id, organization_id, first_name, last_name, email, phone, country, postal_code, province,
         search, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(&d.first_name)
        .bind(&d.last_name)
        .bind(&d.email)
        .bind(&d.phone)
        .bind(&d.origin.country)
        .bind(&d.origin.postal_code)
        .bind(&d.origin.province)
        .bind(&search)
        .bind(by.map(|u| u.0))
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
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

/// Customers whose names, e-mail or phone contain every word of `query` (accents and case
/// ignored), by name.
pub async fn search(tx: &mut Tx, tenant: Tenant, query: &str, limit: i64) -> Result<Vec<Customer>> {
    let words: Vec<String> = guichet_domain::text::search_key(query)
        .split_whitespace()
        .map(|w| format!("%{}%", w.replace(['%', '_'], "")))
        .take(5)
        .collect();
    let mut sql = SELECT.to_owned();
    for i in 0..words.len() {
        sql.push_str(&format!(" AND search LIKE ${}", i + 2));
    }
    sql.push_str(&format!(
        " ORDER BY last_name, first_name, id LIMIT ${}",
        words.len() + 2
    ));
    let rows: Vec<Row> = on_tx!(tx, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
        for w in &words {
            q = q.bind(w);
        }
        q.bind(limit).fetch_all(c).await?
    });
    Ok(rows.into_iter().map(Customer::from).collect())
}
