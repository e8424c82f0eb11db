//! Customer types: a name, a discount and a tax treatment that sales apply to the customers of
//! that type (the rule is `guichet_domain::customer::effective_terms`).

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::CustomerTypeId;
use guichet_domain::customer::{CustomerTypeDetails, TaxTreatment};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerType {
    pub id: CustomerTypeId,
    pub name: String,
    pub discount_bp: u32,
    pub tax: TaxTreatment,
}

type Row = (Uuid, String, i32, String, Option<i32>);

fn from_row((id, name, discount_bp, tax, rate): Row) -> CustomerType {
    let tax = match (tax.as_str(), rate) {
        ("exempt", _) => TaxTreatment::Exempt,
        ("rate", Some(r)) => TaxTreatment::Rate(u32::try_from(r).unwrap_or(0)),
        _ => TaxTreatment::Standard,
    };
    CustomerType {
        id: CustomerTypeId(id),
        name,
        discount_bp: u32::try_from(discount_bp).unwrap_or(0),
        tax,
    }
}

fn rate_of(tax: TaxTreatment) -> Option<i32> {
    tax.rate_bp().and_then(|r| i32::try_from(r).ok())
}

async fn ensure_unique_name(
    tx: &mut Tx,
    tenant: Tenant,
    name: &str,
    except: Option<CustomerTypeId>,
) -> Result<()> {
    let clash = list(tx, tenant)
        .await?
        .into_iter()
        .any(|t| Some(t.id) != except && guichet_domain::text::same_text(&t.name, name));
    if clash {
        Err(StoreError::Duplicate("name"))
    } else {
        Ok(())
    }
}

pub async fn list(tx: &mut Tx, tenant: Tenant) -> Result<Vec<CustomerType>> {
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name, discount_bp, tax, tax_rate_bp FROM customer_types WHERE organization_id = $1 ORDER BY name, id")
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(from_row).collect())
}

pub async fn get(tx: &mut Tx, tenant: Tenant, id: CustomerTypeId) -> Result<CustomerType> {
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name, discount_bp, tax, tax_rate_bp FROM customer_types WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    row.map(from_row).ok_or(StoreError::NotFound)
}

pub async fn create(tx: &mut Tx, tenant: Tenant, d: &CustomerTypeDetails) -> Result<CustomerType> {
    ensure_unique_name(tx, tenant, &d.name, None).await?;
    let id = CustomerTypeId(Uuid::now_v7());
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO customer_types (id, organization_id, name, discount_bp, tax, tax_rate_bp, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(&d.name)
        .bind(i32::try_from(d.discount_bp).unwrap_or(0))
        .bind(d.tax.kind())
        .bind(rate_of(d.tax))
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    get(tx, tenant, id).await
}

pub async fn update(
    tx: &mut Tx,
    tenant: Tenant,
    id: CustomerTypeId,
    d: &CustomerTypeDetails,
) -> Result<CustomerType> {
    get(tx, tenant, id).await?;
    ensure_unique_name(tx, tenant, &d.name, Some(id)).await?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE customer_types SET name = $3, discount_bp = $4, tax = $5, tax_rate_bp = $6
         WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(&d.name)
        .bind(i32::try_from(d.discount_bp).unwrap_or(0))
        .bind(d.tax.kind())
        .bind(rate_of(d.tax))
        .execute(c)
        .await?
        .rows_affected());
    get(tx, tenant, id).await
}
