//! Reservations and special orders (seed 004). A reservation of a product in stock sets it
//! aside (a set-aside movement: the stock others can buy goes down); out of stock, it waits
//! on the order list. The order list also holds products at or under their minimum stock.
//! A supplier order takes lines from it; receiving it restocks and sets the waiting
//! reservations aside, oldest first, and answers whom to tell. Archiving a set-aside
//! reservation releases the item; a sale to the customer consumes their set-aside items
//! (released, then sold like any other).

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::reservation::{ReservationState, consumed, to_reorder};
use guichet_domain::shop::MovementKind;
use guichet_domain::{CustomerId, OrderId, ProductId, UserId};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reservation {
    pub id: Uuid,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub customer_first_name: Option<String>,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    /// The customer agreed to be written to by e-mail, by SMS.
    pub consent_email: bool,
    pub consent_sms: bool,
    pub product_id: ProductId,
    pub product_name: String,
    pub quantity: i64,
    pub state: ReservationState,
    pub note: Option<String>,
    pub created_at: i64,
    pub supplier_order_id: Option<Uuid>,
    pub set_aside_at: Option<i64>,
    /// Set aside on receiving a supplier order.
    pub arrived_at: Option<i64>,
    pub notified_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub order_id: Option<Uuid>,
    /// A deposit paid on it (a special order), 0 when none; paid on its own order, at the
    /// goods' VAT rate then.
    pub deposit_cents: i64,
    pub deposit_vat_rate_bp: u32,
    pub deposit_order_id: Option<Uuid>,
    pub deposit_order_number: Option<String>,
    /// The sale that deducted the deposit.
    pub deposit_used_order_id: Option<Uuid>,
}

impl Reservation {
    /// A deposit paid and not yet deducted from a sale.
    pub fn deposit_open(&self) -> bool {
        self.deposit_cents > 0 && self.deposit_used_order_id.is_none()
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    customer_id: Uuid,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    consent_email_at: Option<i64>,
    consent_sms_at: Option<i64>,
    product_id: Uuid,
    product_name: String,
    quantity: i64,
    state: String,
    note: Option<String>,
    created_at: i64,
    supplier_order_id: Option<Uuid>,
    set_aside_at: Option<i64>,
    arrived_at: Option<i64>,
    notified_at: Option<i64>,
    closed_at: Option<i64>,
    order_id: Option<Uuid>,
    deposit_cents: i64,
    deposit_vat_rate_bp: i32,
    deposit_order_id: Option<Uuid>,
    deposit_order_number: Option<String>,
    deposit_used_order_id: Option<Uuid>,
}

impl From<Row> for Reservation {
    fn from(r: Row) -> Self {
        Reservation {
            id: r.id,
            customer_id: CustomerId(r.customer_id),
            customer_name: crate::customers::display_name(
                r.first_name.as_deref(),
                r.last_name.as_deref(),
            ),
            customer_first_name: r.first_name,
            customer_email: r.email,
            customer_phone: r.phone,
            consent_email: r.consent_email_at.is_some(),
            consent_sms: r.consent_sms_at.is_some(),
            product_id: ProductId(r.product_id),
            product_name: r.product_name,
            quantity: r.quantity,
            state: ReservationState::parse(&r.state).unwrap_or(ReservationState::Archived),
            note: r.note,
            created_at: r.created_at,
            supplier_order_id: r.supplier_order_id,
            set_aside_at: r.set_aside_at,
            arrived_at: r.arrived_at,
            notified_at: r.notified_at,
            closed_at: r.closed_at,
            order_id: r.order_id,
            deposit_cents: r.deposit_cents,
            deposit_vat_rate_bp: u32::try_from(r.deposit_vat_rate_bp).unwrap_or(0),
            deposit_order_id: r.deposit_order_id,
            deposit_order_number: r.deposit_order_number,
            deposit_used_order_id: r.deposit_used_order_id,
        }
    }
}

const SELECT: &str = "SELECT r.id, r.customer_id, c.first_name, c.last_name, c.email, c.phone, c.consent_email_at, c.consent_sms_at, r.product_id,
    p.name AS product_name, r.quantity, r.state, r.note, r.created_at, r.supplier_order_id, r.set_aside_at,
    r.arrived_at, r.notified_at, r.closed_at, r.order_id, r.deposit_cents, r.deposit_vat_rate_bp, r.deposit_order_id,
    d.number AS deposit_order_number, r.deposit_used_order_id
    FROM reservations r JOIN customers c ON c.id = r.customer_id JOIN products p ON p.id = r.product_id
    LEFT JOIN orders d ON d.id = r.deposit_order_id
    WHERE r.organization_id = $1";

async fn fetch(
    tx: &mut Tx,
    tenant: Tenant,
    filter: &str,
    id: Option<Uuid>,
) -> Result<Vec<Reservation>> {
    let sql = format!("{SELECT} {filter} ORDER BY r.created_at, r.id");
    let rows: Vec<Row> = on_tx!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
        match id {
            Some(id) => q.bind(id).fetch_all(c).await?,
            None => q.fetch_all(c).await?,
        }
    });
    Ok(rows.into_iter().map(Reservation::from).collect())
}

pub async fn get(tx: &mut Tx, tenant: Tenant, id: Uuid) -> Result<Reservation> {
    fetch(tx, tenant, "AND r.id = $2", Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// Open reservations (waiting or set aside), oldest first: all, or one customer's.
pub async fn open(
    tx: &mut Tx,
    tenant: Tenant,
    customer: Option<CustomerId>,
) -> Result<Vec<Reservation>> {
    let open = "AND r.state IN ('waiting', 'set_aside')";
    match customer {
        Some(c) => {
            fetch(
                tx,
                tenant,
                &format!("{open} AND r.customer_id = $2"),
                Some(c.0),
            )
            .await
        }
        None => fetch(tx, tenant, open, None).await,
    }
}

/// Takes `quantity` out of the stock others can buy, if that many are there.
async fn set_aside(
    tx: &mut Tx,
    tenant: Tenant,
    product: ProductId,
    quantity: i64,
    reason: &str,
    by: Option<UserId>,
) -> Result<bool> {
    let ok = on_tx!(tx, c => sqlx::query(
        "UPDATE products SET stock = stock - $3 WHERE organization_id = $1 AND id = $2 AND stock >= $3")
        .bind(tenant.id().0).bind(product.0).bind(quantity).execute(c).await?.rows_affected());
    if ok != 1 {
        return Ok(false);
    }
    let at = now_micros();
    crate::shop::insert_ledger_row(
        tx,
        tenant,
        product,
        MovementKind::SetAside,
        quantity,
        at,
        by,
        Some(reason),
    )
    .await?;
    Ok(true)
}

async fn release(
    tx: &mut Tx,
    tenant: Tenant,
    product: ProductId,
    quantity: i64,
    reason: &str,
    by: Option<UserId>,
) -> Result<()> {
    crate::shop::insert_movement(
        tx,
        tenant,
        product,
        MovementKind::Released,
        quantity,
        now_micros(),
        by,
        Some(reason),
    )
    .await
}

/// Reserves a stock-managed product for a customer: set aside when enough is in stock,
/// else waiting on the order list.
pub async fn create(
    tx: &mut Tx,
    tenant: Tenant,
    customer: CustomerId,
    product: ProductId,
    quantity: i64,
    note: Option<&str>,
    by: Option<UserId>,
) -> Result<Reservation> {
    let c = crate::customers::get(tx, tenant, customer).await?;
    if c.erased_at.is_some() {
        return Err(StoreError::Refused("customer_erased"));
    }
    let p = crate::shop::product(tx, tenant, product).await?;
    if !p.stock_managed || p.archived {
        return Err(StoreError::Invalid(
            "product_id".into(),
            "stock_not_managed",
        ));
    }
    let id = Uuid::now_v7();
    let held = set_aside(
        tx,
        tenant,
        product,
        quantity,
        &format!("reservation_{id}"),
        by,
    )
    .await?;
    let now = now_micros();
    let state = if held {
        ReservationState::SetAside
    } else {
        ReservationState::Waiting
    };
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO reservations (id, organization_id, customer_id, product_id, quantity, state, note, created_at,
         created_by, set_aside_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(id).bind(tenant.id().0).bind(customer.0).bind(product.0).bind(quantity)
        .bind(state.as_str()).bind(note).bind(now).bind(by.map(|u| u.0)).bind(held.then_some(now))
        .execute(c).await?.rows_affected());
    get(tx, tenant, id).await
}

/// Archives an open reservation; a set-aside item goes back to stock.
pub async fn archive(
    tx: &mut Tx,
    tenant: Tenant,
    id: Uuid,
    by: Option<UserId>,
) -> Result<Reservation> {
    let r = get(tx, tenant, id).await?;
    if !r.state.is_open() {
        return Err(StoreError::Refused("reservation_closed"));
    }
    if r.state == ReservationState::SetAside {
        release(
            tx,
            tenant,
            r.product_id,
            r.quantity,
            &format!("reservation_{id}"),
            by,
        )
        .await?;
    }
    on_tx!(tx, c => sqlx::query(
        "UPDATE reservations SET state = 'archived', closed_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id).bind(now_micros()).execute(c).await?.rows_affected());
    get(tx, tenant, id).await
}

/// Records that the customer was told their set-aside items are ready.
pub async fn mark_notified(tx: &mut Tx, tenant: Tenant, customer: CustomerId) -> Result<u64> {
    Ok(on_tx!(tx, c => sqlx::query(
        "UPDATE reservations SET notified_at = $3 WHERE organization_id = $1 AND customer_id = $2
         AND state = 'set_aside'")
        .bind(tenant.id().0).bind(customer.0).bind(now_micros()).execute(c).await?.rows_affected()))
}

/// A sale of `quantity` of `product` to `customer`: their set-aside reservations of it,
/// oldest first, are consumed (released, for the sale to take) — a larger reservation keeps
/// what the sale did not take. Called in the sale's transaction, before it takes stock.
pub(crate) async fn consume_for_sale(
    tx: &mut Tx,
    tenant: Tenant,
    customer: CustomerId,
    product: ProductId,
    quantity: i64,
    order: OrderId,
    by: Option<UserId>,
) -> Result<()> {
    let held = fetch(
        tx,
        tenant,
        "AND r.state = 'set_aside' AND r.customer_id = $2",
        Some(customer.0),
    )
    .await?;
    let held: Vec<Reservation> = held
        .into_iter()
        .filter(|r| r.product_id == product)
        .collect();
    let quantities: Vec<i64> = held.iter().map(|r| r.quantity).collect();
    for (r, taken) in held.iter().zip(consumed(&quantities, quantity)) {
        if taken == 0 {
            continue;
        }
        release(
            tx,
            tenant,
            product,
            taken,
            &format!("reservation_{}", r.id),
            by,
        )
        .await?;
        let now = now_micros();
        if taken == r.quantity {
            on_tx!(tx, c => sqlx::query(
                "UPDATE reservations SET state = 'sold', closed_at = $3, order_id = $4 WHERE organization_id = $1 AND id = $2")
                .bind(tenant.id().0).bind(r.id).bind(now).bind(order.0).execute(c).await?.rows_affected());
        } else {
            on_tx!(tx, c => sqlx::query(
                "UPDATE reservations SET quantity = quantity - $3 WHERE organization_id = $1 AND id = $2")
                .bind(tenant.id().0).bind(r.id).bind(taken).execute(c).await?.rows_affected());
        }
    }
    Ok(())
}

/// The deposits a sale deducts, as (reservation, deposit): each reservation must have been
/// sold whole by this very sale, with that deposit still unused — else the sale is refused
/// (`reservation_changed`: another sale or an archive came first). Called in the sale's
/// transaction, after its reservations are consumed.
/// `sold_any`: whether this sale may have sold a reservation whole (only a sale to a customer
/// with a product line can); when not, there is nothing to look for.
pub(crate) async fn use_deposits(
    tx: &mut Tx,
    tenant: Tenant,
    order: OrderId,
    deposits: &[(Uuid, i64)],
    sold_any: bool,
) -> Result<()> {
    for (id, cents) in deposits {
        let n = on_tx!(tx, c => sqlx::query(
            "UPDATE reservations SET deposit_used_order_id = $3 WHERE organization_id = $1 AND id = $2
             AND state = 'sold' AND order_id = $3 AND deposit_used_order_id IS NULL AND deposit_cents = $4")
            .bind(tenant.id().0).bind(id).bind(order.0).bind(cents).execute(c).await?.rows_affected());
        if n != 1 {
            return Err(StoreError::Refused("reservation_changed"));
        }
    }
    if !sold_any {
        return Ok(());
    }
    // A reservation this sale took whole with a deposit it did not deduct (a quote confirmed,
    // priced before): the deposit would be lost from sight, so the sale is refused.
    let stranded: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM reservations WHERE organization_id = $1 AND order_id = $2 AND state = 'sold'
         AND deposit_cents > 0 AND deposit_used_order_id IS NULL")
        .bind(tenant.id().0).bind(order.0).fetch_one(c).await?);
    if stranded > 0 {
        return Err(StoreError::Refused("deposit_not_deducted"));
    }
    Ok(())
}

/// Records the deposit paid on an open reservation (its order is written in the same
/// transaction). One deposit per reservation.
pub async fn record_deposit(
    tx: &mut Tx,
    tenant: Tenant,
    id: Uuid,
    order: OrderId,
    cents: i64,
    vat_rate_bp: u32,
) -> Result<Reservation> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE reservations SET deposit_cents = $4, deposit_vat_rate_bp = $5, deposit_order_id = $3
         WHERE organization_id = $1 AND id = $2 AND state IN ('waiting', 'set_aside') AND deposit_order_id IS NULL")
        .bind(tenant.id().0).bind(id).bind(order.0).bind(cents).bind(i64::from(vat_rate_bp))
        .execute(c).await?.rows_affected());
    if n != 1 {
        return Err(StoreError::Refused("deposit_taken"));
    }
    get(tx, tenant, id).await
}

/// An order is being cancelled: the reservations its sale consumed whole are the customer's
/// again (set aside when the stock given back allows, else waiting), their deposit unused;
/// and if it was a deposit's own order, that deposit is gone — refused once a sale has
/// deducted it (`deposit_used`: cancel that sale first). Called after stock is given back.
pub(crate) async fn on_order_cancelled(
    tx: &mut Tx,
    tenant: Tenant,
    order: OrderId,
    by: Option<UserId>,
) -> Result<()> {
    let used: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM reservations WHERE organization_id = $1 AND deposit_order_id = $2
         AND deposit_used_order_id IS NOT NULL")
        .bind(tenant.id().0).bind(order.0).fetch_optional(c).await?);
    if used.is_some() {
        return Err(StoreError::Refused("deposit_used"));
    }
    on_tx!(tx, c => sqlx::query(
        "UPDATE reservations SET deposit_cents = 0, deposit_vat_rate_bp = 0, deposit_order_id = NULL
         WHERE organization_id = $1 AND deposit_order_id = $2")
        .bind(tenant.id().0).bind(order.0).execute(c).await?.rows_affected());
    let sold = fetch(
        tx,
        tenant,
        "AND r.state = 'sold' AND r.order_id = $2",
        Some(order.0),
    )
    .await?;
    for r in sold {
        let held = set_aside(
            tx,
            tenant,
            r.product_id,
            r.quantity,
            &format!("reservation_{}", r.id),
            by,
        )
        .await?;
        let state = if held {
            ReservationState::SetAside
        } else {
            ReservationState::Waiting
        };
        on_tx!(tx, c => sqlx::query(
            "UPDATE reservations SET state = $3, order_id = NULL, closed_at = NULL, deposit_used_order_id = NULL,
             set_aside_at = CASE WHEN $4 THEN set_aside_at ELSE NULL END
             WHERE organization_id = $1 AND id = $2")
            .bind(tenant.id().0).bind(r.id).bind(state.as_str()).bind(held)
            .execute(c).await?.rows_affected());
    }
    Ok(())
}

// ---------------------------------------------------------------- order list and supplier orders

/// A product to order: for waiting reservations not yet on a supplier order, and/or because
/// its stock is at or under its minimum (with nothing on order yet).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ToOrder {
    pub product_id: ProductId,
    pub name: String,
    pub reference: Option<String>,
    pub barcode: String,
    pub stock: i64,
    pub minimum: Option<i64>,
    /// Reserved by customers, waiting, not on a supplier order.
    pub reserved: i64,
    /// What the list suggests ordering.
    pub quantity: i64,
}

/// id, name, reference, barcode, stock, minimum, reserved and waiting, on order.
type ListRow = (
    Uuid,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
    i64,
    i64,
);

pub async fn order_list(tx: &mut Tx, tenant: Tenant) -> Result<Vec<ToOrder>> {
    let rows: Vec<ListRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT p.id, p.name, p.reference, p.barcode, p.stock, p.alert_stock,
           CAST(COALESCE((SELECT SUM(r.quantity) FROM reservations r WHERE r.organization_id = p.organization_id
             AND r.product_id = p.id AND r.state = 'waiting' AND r.supplier_order_id IS NULL), 0) AS BIGINT) AS reserved,
           CAST(COALESCE((SELECT SUM(l.quantity) FROM supplier_order_lines l JOIN supplier_orders o ON o.id = l.supplier_order_id
             WHERE l.organization_id = p.organization_id AND l.product_id = p.id AND o.received_at IS NULL), 0) AS BIGINT) AS on_order
         FROM products p WHERE p.organization_id = $1 AND p.stock_managed AND p.archived_at IS NULL
         ORDER BY p.name, p.id")
        .bind(tenant.id().0).fetch_all(c).await?);
    Ok(rows
        .into_iter()
        .filter_map(
            |(id, name, reference, barcode, stock, minimum, reserved, on_order)| {
                let low = minimum.filter(|m| stock <= *m && on_order == 0);
                let restock = low.map_or(0, |m| to_reorder(stock, m));
                (reserved > 0 || restock > 0).then_some(ToOrder {
                    product_id: ProductId(id),
                    name,
                    reference,
                    barcode,
                    stock,
                    minimum,
                    reserved,
                    quantity: reserved + restock,
                })
            },
        )
        .collect())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct SupplierOrderLine {
    pub id: Uuid,
    pub product_id: Uuid,
    pub product_name: String,
    pub reference: Option<String>,
    pub barcode: String,
    pub quantity: i64,
    pub received_quantity: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SupplierOrder {
    pub id: Uuid,
    /// `CF-000001`.
    pub number: String,
    pub supplier: String,
    pub supplier_email: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub received_at: Option<i64>,
    pub lines: Vec<SupplierOrderLine>,
}

/// Orders `lines` (product, quantity) from a supplier; the waiting reservations of those
/// products not yet on an order go on this one.
pub async fn create_supplier_order(
    tx: &mut Tx,
    tenant: Tenant,
    supplier: &str,
    supplier_email: Option<&str>,
    note: Option<&str>,
    lines: &[(ProductId, i64)],
    by: Option<UserId>,
) -> Result<SupplierOrder> {
    let org = tenant.id();
    let n = crate::counters::next(tx, tenant, crate::counters::Counter::SupplierOrder).await?;
    let id = Uuid::now_v7();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO supplier_orders (id, organization_id, number, supplier, supplier_email, note, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id).bind(org.0).bind(format!("CF-{n:06}")).bind(supplier).bind(supplier_email).bind(note)
        .bind(now_micros()).bind(by.map(|u| u.0)).execute(c).await?.rows_affected());
    for (i, (product, quantity)) in lines.iter().enumerate() {
        let p = match crate::shop::product(tx, tenant, *product).await {
            Ok(p) => p,
            Err(StoreError::NotFound) => {
                return Err(StoreError::Invalid(
                    format!("lines[{i}].product_id"),
                    "unknown_product",
                ));
            }
            Err(e) => return Err(e),
        };
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO supplier_order_lines (id, organization_id, supplier_order_id, product_id, quantity)
             VALUES ($1, $2, $3, $4, $5)")
            .bind(Uuid::now_v7()).bind(org.0).bind(id).bind(p.id.0).bind(quantity).execute(c).await?.rows_affected());
        on_tx!(tx, c => sqlx::query(
            "UPDATE reservations SET supplier_order_id = $3 WHERE organization_id = $1 AND product_id = $2
             AND state = 'waiting' AND supplier_order_id IS NULL")
            .bind(org.0).bind(p.id.0).bind(id).execute(c).await?.rows_affected());
    }
    supplier_order(tx, tenant, id).await
}

pub async fn supplier_order(tx: &mut Tx, tenant: Tenant, id: Uuid) -> Result<SupplierOrder> {
    type Head = (
        Uuid,
        String,
        String,
        Option<String>,
        Option<String>,
        i64,
        Option<i64>,
        Option<i64>,
    );
    let head: Option<Head> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, number, supplier, supplier_email, note, created_at, sent_at, received_at FROM supplier_orders
         WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id).fetch_optional(c).await?);
    let (id, number, supplier, supplier_email, note, created_at, sent_at, received_at) =
        head.ok_or(StoreError::NotFound)?;
    let lines: Vec<SupplierOrderLine> = on_tx!(tx, c => sqlx::query_as(
        "SELECT l.id, l.product_id, p.name AS product_name, p.reference, p.barcode, l.quantity, l.received_quantity
         FROM supplier_order_lines l JOIN products p ON p.id = l.product_id
         WHERE l.organization_id = $1 AND l.supplier_order_id = $2 ORDER BY p.name, l.id")
        .bind(tenant.id().0).bind(id).fetch_all(c).await?);
    Ok(SupplierOrder {
        id,
        number,
        supplier,
        supplier_email,
        note,
        created_at,
        sent_at,
        received_at,
        lines,
    })
}

/// Supplier orders, newest first.
pub async fn supplier_orders(tx: &mut Tx, tenant: Tenant) -> Result<Vec<SupplierOrder>> {
    let ids: Vec<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM supplier_orders WHERE organization_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200")
        .bind(tenant.id().0).fetch_all(c).await?);
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(supplier_order(tx, tenant, id).await?);
    }
    Ok(out)
}

pub async fn mark_sent(tx: &mut Tx, tenant: Tenant, id: Uuid) -> Result<SupplierOrder> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE supplier_orders SET sent_at = COALESCE(sent_at, $3) WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id).bind(now_micros()).execute(c).await?.rows_affected());
    supplier_order(tx, tenant, id).await
}

/// Receives a supplier order: each line's received quantity (`received`: line id →
/// quantity; a line not named arrived in full) restocks its product; then the waiting
/// reservations of those products are set aside, oldest first, while stock lasts. Answers
/// the reservations set aside: the customers to tell.
pub async fn receive(
    tx: &mut Tx,
    tenant: Tenant,
    id: Uuid,
    received: &[(Uuid, i64)],
    by: Option<UserId>,
) -> Result<Vec<Reservation>> {
    let order = supplier_order(tx, tenant, id).await?;
    if order.received_at.is_some() {
        return Err(StoreError::Refused("already_received"));
    }
    let now = now_micros();
    let mut products = Vec::new();
    for l in &order.lines {
        let q = received
            .iter()
            .find(|(line, _)| *line == l.id)
            .map_or(l.quantity, |(_, q)| *q);
        on_tx!(tx, c => sqlx::query(
            "UPDATE supplier_order_lines SET received_quantity = $3 WHERE organization_id = $1 AND id = $2")
            .bind(tenant.id().0).bind(l.id).bind(q).execute(c).await?.rows_affected());
        if q > 0 {
            crate::shop::insert_movement(
                tx,
                tenant,
                ProductId(l.product_id),
                MovementKind::Restock,
                q,
                now,
                by,
                Some(&order.number),
            )
            .await?;
        }
        if !products.contains(&l.product_id) {
            products.push(l.product_id);
        }
    }
    on_tx!(tx, c => sqlx::query(
        "UPDATE supplier_orders SET received_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id).bind(now).execute(c).await?.rows_affected());
    // What this order did not bring goes back on the order list.
    on_tx!(tx, c => sqlx::query(
        "UPDATE reservations SET supplier_order_id = NULL WHERE organization_id = $1 AND supplier_order_id = $2")
        .bind(tenant.id().0).bind(id).execute(c).await?.rows_affected());
    let waiting = fetch(tx, tenant, "AND r.state = 'waiting'", None).await?;
    let mut arrived = Vec::new();
    for r in waiting
        .into_iter()
        .filter(|r| products.contains(&r.product_id.0))
    {
        if set_aside(
            tx,
            tenant,
            r.product_id,
            r.quantity,
            &format!("reservation_{}", r.id),
            by,
        )
        .await?
        {
            on_tx!(tx, c => sqlx::query(
                "UPDATE reservations SET state = 'set_aside', set_aside_at = $3, arrived_at = $3, supplier_order_id = NULL
                 WHERE organization_id = $1 AND id = $2")
                .bind(tenant.id().0).bind(r.id).bind(now).execute(c).await?.rows_affected());
            arrived.push(get(tx, tenant, r.id).await?);
        }
    }
    Ok(arrived)
}

// ---------------------------------------------------------------- message template

/// The organization's message for `kind` (`reservation_ready`): subject and body, if edited.
pub async fn template(tx: &mut Tx, tenant: Tenant, kind: &str) -> Result<Option<(String, String)>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT subject, body FROM message_templates WHERE organization_id = $1 AND kind = $2")
        .bind(tenant.id().0).bind(kind).fetch_optional(c).await?))
}

pub async fn set_template(
    tx: &mut Tx,
    tenant: Tenant,
    kind: &str,
    subject: &str,
    body: &str,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO message_templates (organization_id, kind, subject, body, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organization_id, kind) DO UPDATE SET subject = excluded.subject, body = excluded.body,
         updated_at = excluded.updated_at")
        .bind(tenant.id().0).bind(kind).bind(subject).bind(body).bind(now_micros())
        .execute(c).await?.rows_affected());
    Ok(())
}
