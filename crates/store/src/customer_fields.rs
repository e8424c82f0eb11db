//! The fields an organization adds to its customer file (text, number, date, yes/no).

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::customer::FieldKind;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerField {
    pub id: Uuid,
    pub name: String,
    pub kind: FieldKind,
}

pub async fn list(tx: &mut Tx, tenant: Tenant) -> Result<Vec<CustomerField>> {
    let rows: Vec<(Uuid, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name, kind FROM customer_fields WHERE organization_id = $1 ORDER BY created_at, id")
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(id, name, kind)| CustomerField {
            id,
            name,
            kind: FieldKind::parse(&kind).unwrap_or(FieldKind::Text),
        })
        .collect())
}

pub async fn create(
    tx: &mut Tx,
    tenant: Tenant,
    name: &str,
    kind: FieldKind,
) -> Result<CustomerField> {
    if list(tx, tenant)
        .await?
        .iter()
        .any(|f| guichet_domain::text::same_text(&f.name, name))
    {
        return Err(StoreError::Duplicate("name"));
    }
    let id = Uuid::now_v7();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO customer_fields (id, organization_id, name, kind, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(tenant.id().0)
        .bind(name)
        .bind(kind.as_str())
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    Ok(CustomerField {
        id,
        name: name.to_owned(),
        kind,
    })
}
