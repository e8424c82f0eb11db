//! VAT rates per organization. Prices are entered VAT-included; the rate is kept in basis
//! points. A rate that something refers to is archived, never deleted.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::{VatRate as Rate, VatRateId};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VatRate {
    pub id: VatRateId,
    pub label: String,
    /// Basis points: 2100 = 21 %.
    pub rate_basis_points: u32,
    pub archived: bool,
}

impl VatRate {
    /// The rate as a domain value; rows are only written from a parsed `Rate`.
    pub fn rate(&self) -> Result<Rate> {
        Rate::from_basis_points(i64::from(self.rate_basis_points))
            .map_err(|_| StoreError::Other(format!("VAT rate {} out of range", self.id)))
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    label: String,
    rate_bp: i32,
    archived_at: Option<i64>,
}

impl From<Row> for VatRate {
    fn from(r: Row) -> Self {
        VatRate {
            id: VatRateId(r.id),
            label: r.label,
            rate_basis_points: u32::try_from(r.rate_bp).unwrap_or(0),
            archived: r.archived_at.is_some(),
        }
    }
}

pub async fn create(tx: &mut Tx, tenant: Tenant, label: &str, rate: Rate) -> Result<VatRate> {
    let id = VatRateId::new();
    ensure_unique(tx, tenant, label, rate, None).await?;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO vat_rates (id, organization_id, label, rate_bp, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(label)
        .bind(i32::try_from(rate.basis_points()).unwrap_or(i32::MAX))
        .bind(now_micros())
        .execute(c)
        .await?.rows_affected());
    get(tx, tenant, id).await
}

/// Two active rates with the same label or the same percentage would confuse the cashier.
async fn ensure_unique(
    tx: &mut Tx,
    tenant: Tenant,
    label: &str,
    rate: Rate,
    except: Option<VatRateId>,
) -> Result<()> {
    let existing = list(tx, tenant).await?;
    let clash = existing
        .iter()
        .filter(|r| !r.archived && Some(r.id) != except)
        .find(|r| {
            guichet_domain::text::same_text(&r.label, label)
                || r.rate_basis_points == rate.basis_points()
        });
    match clash {
        Some(r) if guichet_domain::text::same_text(&r.label, label) => {
            Err(StoreError::Duplicate("label"))
        }
        Some(_) => Err(StoreError::Duplicate("rate")),
        None => Ok(()),
    }
}

pub async fn list(tx: &mut Tx, tenant: Tenant) -> Result<Vec<VatRate>> {
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, label, rate_bp, archived_at FROM vat_rates WHERE organization_id = $1
         ORDER BY archived_at IS NOT NULL, rate_bp, label")
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(VatRate::from).collect())
}

pub async fn get(tx: &mut Tx, tenant: Tenant, id: VatRateId) -> Result<VatRate> {
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, label, rate_bp, archived_at FROM vat_rates WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    row.map(VatRate::from).ok_or(StoreError::NotFound)
}

pub async fn update(
    tx: &mut Tx,
    tenant: Tenant,
    id: VatRateId,
    label: &str,
    rate: Rate,
) -> Result<VatRate> {
    let current = get(tx, tenant, id).await?;
    if !current.archived {
        ensure_unique(tx, tenant, label, rate, Some(id)).await?;
    }
    on_tx!(tx, c => sqlx::query(
        "UPDATE vat_rates SET label = $3, rate_bp = $4 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(label)
        .bind(i32::try_from(rate.basis_points()).unwrap_or(i32::MAX))
        .execute(c)
        .await?.rows_affected());
    get(tx, tenant, id).await
}

pub async fn set_archived(
    tx: &mut Tx,
    tenant: Tenant,
    id: VatRateId,
    archived: bool,
) -> Result<VatRate> {
    let current = get(tx, tenant, id).await?;
    if !archived {
        ensure_unique(tx, tenant, &current.label, current.rate()?, Some(id)).await?;
    }
    on_tx!(tx, c => sqlx::query("UPDATE vat_rates SET archived_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(archived.then(now_micros))
        .execute(c)
        .await?.rows_affected());
    get(tx, tenant, id).await
}

/// What [`remove`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Removal {
    Deleted,
    Archived,
}

/// Deletes a rate nothing refers to; archives one that is in use. "In use" is decided by
/// the database's foreign keys, so every table that will refer to a VAT rate (ticket types,
/// products, order lines) protects it without this function having to know them.
pub async fn remove(tx: &mut Tx, tenant: Tenant, id: VatRateId) -> Result<Removal> {
    get(tx, tenant, id).await?;
    let deleted = match tx {
        // Backend-specific: a failed statement aborts a PostgreSQL transaction, so the
        // attempt runs inside a savepoint that is rolled back on a foreign-key violation.
        Tx::Pg(t) => {
            sqlx::query("SAVEPOINT vat_rate_delete")
                .execute(&mut **t)
                .await?;
            match sqlx::query("DELETE FROM vat_rates WHERE organization_id = $1 AND id = $2")
                .bind(tenant.id().0)
                .bind(id.0)
                .execute(&mut **t)
                .await
            {
                Ok(_) => {
                    sqlx::query("RELEASE SAVEPOINT vat_rate_delete")
                        .execute(&mut **t)
                        .await?;
                    true
                }
                Err(e) => match StoreError::on_constraint(e, "vat_rate") {
                    StoreError::InUse => {
                        sqlx::query("ROLLBACK TO SAVEPOINT vat_rate_delete")
                            .execute(&mut **t)
                            .await?;
                        false
                    }
                    other => return Err(other),
                },
            }
        }
        Tx::Sqlite(t) => {
            t.settle().await?;
            match sqlx::query("DELETE FROM vat_rates WHERE organization_id = $1 AND id = $2")
                .bind(tenant.id().0)
                .bind(id.0)
                .execute(&mut **t)
                .await
            {
                Ok(_) => true,
                Err(e) => match StoreError::on_constraint(e, "vat_rate") {
                    StoreError::InUse => false,
                    other => return Err(other),
                },
            }
        }
    };
    if deleted {
        Ok(Removal::Deleted)
    } else {
        set_archived(tx, tenant, id, true).await?;
        Ok(Removal::Archived)
    }
}
