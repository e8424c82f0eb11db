//! What the cashier screen needs from the catalogue.

use super::*;
use guichet_domain::catalogue::ItemKind;

/// What the cashier screen needs from the catalogue, embedded in the page as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct CashierCatalogue {
    pub groups: Vec<CashierGroup>,
    pub offers: Vec<CashierOffer>,
    pub products: Vec<CashierProduct>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CashierGroup {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CashierOffer {
    pub id: String,
    pub name: String,
    pub group_id: Option<String>,
    pub prices: Vec<CashierPrice>,
    /// The register's sales deadline of a session, as `sale::sales_deadline` computes it:
    /// its start less `pos_cutoff_hours`, plus `late_entry_minutes`.
    pub pos_cutoff_hours: i64,
    pub late_entry_minutes: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CashierPrice {
    pub item_id: String,
    pub extra: bool,
    pub name: String,
    pub price_cents: i64,
    pub min_quantity: i64,
    pub max_quantity: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CashierProduct {
    pub id: String,
    pub name: String,
    pub barcode: String,
    pub reference: Option<String>,
    pub group: Option<String>,
    pub price_cents: i64,
    pub stock: Option<i64>,
    /// Accent- and case-folded name, reference and barcode for the search box.
    pub search: String,
}

/// The offers, offer groups and shop products sold at the register.
pub async fn cashier_catalogue(state: &App, actor: &Actor) -> Result<CashierCatalogue, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    let (groups, offers, products) = state
        .store
        .read(|tx| {
            Box::pin(async move {
                let groups = guichet_store::groups::list(
                    tx,
                    tenant,
                    guichet_store::groups::GroupKind::Offer,
                )
                .await?;
                let offers = guichet_store::offers::list(tx, tenant).await?;
                let products = guichet_store::shop::products(
                    tx,
                    tenant,
                    &guichet_store::shop::ProductFilter::default(),
                )
                .await?;
                Ok((groups, offers, products))
            })
        })
        .await?;
    Ok(CashierCatalogue {
        groups: groups
            .into_iter()
            .map(|g| CashierGroup {
                id: g.id.to_string(),
                name: g.name,
            })
            .collect(),
        offers: offers
            .into_iter()
            .filter(|o| !o.archived && o.sale_pos && !o.prices.is_empty())
            .map(|o| CashierOffer {
                id: o.id.to_string(),
                name: o.texts.pick(actor.lang, |t| &t.name),
                group_id: o.group_id.map(|g| g.to_string()),
                pos_cutoff_hours: o.pos_cutoff_hours,
                late_entry_minutes: o.late_entry_minutes,
                prices: o
                    .prices
                    .iter()
                    .map(|p| CashierPrice {
                        item_id: p.item_id.to_string(),
                        extra: p.item_kind == ItemKind::Extra,
                        name: p.item_name.clone(),
                        price_cents: p.price_cents,
                        min_quantity: p.min_quantity,
                        max_quantity: p.max_quantity,
                    })
                    .collect(),
            })
            .collect(),
        products: products
            .into_iter()
            .filter(|p| !p.archived && p.sale_pos)
            .map(|p| CashierProduct {
                search: guichet_domain::text::search_key(&format!(
                    "{} {} {}",
                    p.name,
                    p.reference.clone().unwrap_or_default(),
                    p.barcode
                )),
                id: p.id.to_string(),
                name: p.name,
                barcode: p.barcode,
                reference: p.reference,
                group: p.group_name,
                price_cents: p.price_cents,
                stock: p.stock_managed.then_some(p.stock),
            })
            .collect(),
    })
}
