//! Customer accounts (seeds 002 and 003): what a customer owes — the unpaid part of their
//! finalized orders (a sale on account, a layaway with its deposit) — within their balance
//! limit, and their store credit — the store-credit payments on their orders, a refund in
//! credit giving it (a negative payment), a payment in credit using it. Both are read from
//! the orders and payments themselves, so the Z and the account never disagree.

use crate::{Result, StoreError, Tenant, Tx, on_tx};
use guichet_domain::CustomerId;
use serde::Serialize;
use uuid::Uuid;

/// An order not fully paid: a line of the customer's statement.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct OpenOrder {
    pub id: Uuid,
    pub number: Option<String>,
    pub created_at: i64,
    pub total_cents: i64,
    pub collected_cents: i64,
    pub due_cents: i64,
}

/// A movement of store credit: positive given (a refund in credit), negative used.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct CreditEntry {
    pub order_id: Uuid,
    pub number: Option<String>,
    pub taken_at: i64,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Account {
    /// What the customer owes on their unpaid orders.
    pub owed_cents: i64,
    /// The most they may owe; none: no limit.
    pub balance_limit_cents: Option<i64>,
    /// Store credit they can spend.
    pub credit_cents: i64,
    pub open_orders: Vec<OpenOrder>,
    pub credit_entries: Vec<CreditEntry>,
}

pub async fn owed(tx: &mut Tx, tenant: Tenant, customer: CustomerId) -> Result<i64> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(total_cents - collected_cents), 0) AS BIGINT) FROM orders
         WHERE organization_id = $1 AND customer_id = $2 AND state = 'awaiting_payment'")
        .bind(tenant.id().0).bind(customer.0).fetch_one(c).await?))
}

pub async fn credit(tx: &mut Tx, tenant: Tenant, customer: CustomerId) -> Result<i64> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "SELECT CAST(COALESCE(-SUM(p.amount_cents), 0) AS BIGINT) FROM payments p JOIN orders o ON o.id = p.order_id
         WHERE o.organization_id = $1 AND o.customer_id = $2 AND p.method = 'store_credit'")
        .bind(tenant.id().0).bind(customer.0).fetch_one(c).await?))
}

/// The customer's account: what they owe, order by order, and their credit's movements.
pub async fn account(tx: &mut Tx, tenant: Tenant, customer: CustomerId) -> Result<Account> {
    let limit = crate::customers::get(tx, tenant, customer)
        .await?
        .balance_limit_cents;
    let open_orders: Vec<OpenOrder> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, number, created_at, total_cents, collected_cents, total_cents - collected_cents AS due_cents
         FROM orders WHERE organization_id = $1 AND customer_id = $2 AND state = 'awaiting_payment'
         ORDER BY created_at, id")
        .bind(tenant.id().0).bind(customer.0).fetch_all(c).await?);
    let credit_entries: Vec<CreditEntry> = on_tx!(tx, c => sqlx::query_as(
        "SELECT o.id AS order_id, o.number, p.taken_at, -p.amount_cents AS amount_cents FROM payments p
         JOIN orders o ON o.id = p.order_id
         WHERE o.organization_id = $1 AND o.customer_id = $2 AND p.method = 'store_credit'
         ORDER BY p.taken_at, p.id")
        .bind(tenant.id().0).bind(customer.0).fetch_all(c).await?);
    Ok(Account {
        owed_cents: open_orders.iter().map(|o| o.due_cents).sum(),
        balance_limit_cents: limit,
        credit_cents: credit_entries.iter().map(|e| e.amount_cents).sum(),
        open_orders,
        credit_entries,
    })
}

/// After store-credit payments on `order`: it must have a customer, and their credit may
/// not go below zero (checked after the write, in its transaction, so two sales cannot both
/// spend the same credit).
pub(crate) async fn check_credit(tx: &mut Tx, tenant: Tenant, order: Uuid) -> Result<()> {
    let customer: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT customer_id FROM orders WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(order).fetch_one(c).await?);
    let Some(customer) = customer else {
        return Err(StoreError::Invalid(
            "payments".into(),
            "store_credit_needs_customer",
        ));
    };
    if credit(tx, tenant, CustomerId(customer)).await? < 0 {
        return Err(StoreError::Invalid("payments".into(), "not_enough_credit"));
    }
    Ok(())
}

/// After a sale left unpaid (on account, or a layaway's deposit): what the customer owes
/// may not pass their balance limit.
pub(crate) async fn check_limit(tx: &mut Tx, tenant: Tenant, customer: CustomerId) -> Result<()> {
    let Some(limit) = crate::customers::get(tx, tenant, customer)
        .await?
        .balance_limit_cents
    else {
        return Ok(());
    };
    if owed(tx, tenant, customer).await? > limit {
        return Err(StoreError::Invalid(
            "payments".into(),
            "balance_limit_exceeded",
        ));
    }
    Ok(())
}
