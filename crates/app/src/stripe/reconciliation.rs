//! Fees, payouts and their reconciliation (Gestion des ventes › Stripe): kept up to date
//! from Stripe's events and a periodic sync, checked against the fee rule and gross − fees =
//! net, and exported with the accounting lines.

use super::*;

/// Reads a payout and the balance transactions it carries from Stripe, and keeps them.
pub(super) async fn sync_payout(
    state: &App,
    tenant: Tenant,
    c: &Connected,
    id: &str,
) -> Result<(), AppError> {
    let p = c.stripe.payout(id).await.map_err(stripe_error)?;
    let mut lines = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = c
            .stripe
            .payout_transactions(&p.id, after.as_deref())
            .await
            .map_err(stripe_error)?;
        after = page.data.last().map(|b| b.id.clone());
        for b in page.data {
            lines.push(db::PayoutLine {
                balance_transaction: b.id,
                source: b.source,
                kind: b.kind,
                amount_cents: b.amount,
                fee_cents: b.fee,
                net_cents: b.net,
            });
        }
        if !page.has_more || after.is_none() {
            break;
        }
    }
    save_payout(state, tenant, &p, &lines).await
}

pub(super) async fn save_payout(
    state: &App,
    tenant: Tenant,
    p: &api::Payout,
    lines: &[db::PayoutLine],
) -> Result<(), AppError> {
    let arrival = p
        .arrival_date
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string());
    let (p, lines) = (p.clone(), lines.to_vec());
    state
        .store
        .write(|tx| {
            let (p, lines, arrival) = (p.clone(), lines.clone(), arrival.clone());
            Box::pin(async move {
                db::save_payout(
                    tx,
                    tenant,
                    &db::NewPayout {
                        payout: &p.id,
                        created_at: p.created.saturating_mul(1_000_000),
                        arrival_date: arrival.as_deref(),
                        amount_cents: p.amount,
                        status: PayoutStatus::from_stripe(&p.status).as_str(),
                    },
                    Some(&lines),
                )
                .await
            })
        })
        .await?;
    Ok(())
}

/// What a synchronization did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub fees: usize,
    pub carts: usize,
    pub payouts: usize,
}

/// Brings Guichet up to date with Stripe for one organization: fees not known yet, refunds
/// still pending, carts at Stripe whose webhook never came, and the payouts of the last 40
/// days with their transactions.
pub async fn sync(state: &App, tenant: Tenant) -> Result<SyncReport, AppError> {
    let c = connected(state, tenant).await?;
    let mut report = SyncReport::default();
    let missing = state
        .store
        .read(|tx| Box::pin(async move { db::without_fee(tx, tenant, 200).await }))
        .await?;
    for object in missing {
        let Some(pi) = payment_intent_of(state, tenant, &object).await? else {
            continue;
        };
        if !object.starts_with("ch_") {
            continue;
        }
        let intent = c.stripe.payment_intent(&pi).await.map_err(stripe_error)?;
        let Some(bt) = intent
            .latest_charge
            .as_ref()
            .and_then(|ch| ch.object())
            .and_then(|ch| ch.balance_transaction.as_ref())
            .and_then(|b| b.object())
            .cloned()
        else {
            continue;
        };
        let o = object.clone();
        state
            .store
            .write(|tx| {
                let (o, bt) = (o.clone(), bt.clone());
                Box::pin(async move { db::set_fee(tx, tenant, &o, &bt.id, bt.fee, bt.net).await })
            })
            .await?;
        report.fees += 1;
    }
    settle_pending_refunds(state, tenant, &c).await?;
    let before = guichet_store::now_micros().saturating_sub(60_000_000);
    let carts = state
        .store
        .read(|tx| {
            Box::pin(async move { online_carts::paying_at_checkout(tx, tenant, before, 100).await })
        })
        .await?;
    for (_, _, session) in carts {
        settle_checkout(state, tenant, &c, &session).await?;
        report.carts += 1;
    }
    let since = jiff::Timestamp::now().as_second() - 40 * 86_400;
    let mut after: Option<String> = None;
    loop {
        let page = c
            .stripe
            .payouts(since, after.as_deref())
            .await
            .map_err(stripe_error)?;
        after = page.data.last().map(|p| p.id.clone());
        for p in &page.data {
            sync_payout(state, tenant, &c, &p.id).await?;
            report.payouts += 1;
        }
        if !page.has_more || after.is_none() {
            break;
        }
    }
    Ok(report)
}

pub(super) async fn payment_intent_of(
    state: &App,
    tenant: Tenant,
    object: &str,
) -> Result<Option<String>, AppError> {
    let o = object.to_owned();
    Ok(state
        .store
        .read(|tx| {
            let o = o.clone();
            Box::pin(async move { db::payment_intent_of(tx, tenant, &o).await })
        })
        .await?)
}

/// "Synchronize now" on the Stripe page.
pub async fn sync_now(state: &App, actor: &Actor) -> Result<SyncReport, AppError> {
    actor.require(Permission::ViewClosings)?;
    sync(state, actor.tenant).await
}

/// The periodic job: every organization with a Stripe account.
pub async fn sync_all(state: &App) -> Result<(), AppError> {
    if state.config.sealing_key.is_none() {
        return Ok(());
    }
    let tenants = state
        .store
        .read(|tx| Box::pin(async move { db::tenants(tx).await }))
        .await?;
    for tenant in tenants {
        if let Err(e) = sync(state, tenant).await {
            tracing::warn!(organization = %tenant.id().0, error = %e, "Stripe sync failed");
        }
    }
    Ok(())
}

/// A payment or refund through Stripe with its fee checked against the rule.
#[derive(Debug, Clone)]
pub struct FeeLine {
    pub row: db::FeeRow,
    pub method: PaymentMethod,
    /// What the rule expects.
    pub expected_fee_cents: i64,
    /// Stripe's fee is known and differs from the rule.
    pub differs: bool,
}

pub(super) fn fee_line(row: db::FeeRow, bp: i64) -> FeeLine {
    let expected = if row.kind == "charge" {
        rules::expected_fee_cents(row.amount_cents, bp)
    } else {
        0
    };
    FeeLine {
        method: PaymentMethod::parse(&row.method).unwrap_or(PaymentMethod::OnlineCard),
        differs: row.kind == "charge" && row.fee_cents.is_some_and(|f| f != expected),
        expected_fee_cents: expected,
        row,
    }
}

/// The day range `[from, to]` in the organization's time zone, as microseconds `[a, b)`.
pub(super) async fn span(
    state: &App,
    tenant: Tenant,
    from: Date,
    to: Date,
) -> Result<(i64, i64, jiff::tz::TimeZone), AppError> {
    let tz = crate::organization::time_zone(state, tenant).await?;
    let tz = jiff::tz::TimeZone::get(&tz).map_err(|e| AppError::Internal(e.to_string()))?;
    let start = from
        .to_zoned(tz.clone())
        .map_err(|e| AppError::Internal(e.to_string()))?
        .timestamp()
        .as_microsecond();
    let end = to
        .saturating_add(jiff::Span::new().days(1))
        .to_zoned(tz.clone())
        .map_err(|e| AppError::Internal(e.to_string()))?
        .timestamp()
        .as_microsecond();
    Ok((start, end, tz))
}

pub(super) async fn fee_rule(state: &App, tenant: Tenant) -> Result<i64, AppError> {
    Ok(stored(state, tenant)
        .await?
        .map_or(DEFAULT_FEE_BASIS_POINTS, |a| a.fee_basis_points))
}

/// Payments and refunds through Stripe taken between two days, a page after `after`.
pub async fn fees(
    state: &App,
    actor: &Actor,
    from: Date,
    to: Date,
    after: Option<(i64, Uuid)>,
    limit: i64,
) -> Result<Vec<FeeLine>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let tenant = actor.tenant;
    let (a, b, _) = span(state, tenant, from, to).await?;
    let bp = fee_rule(state, tenant).await?;
    let rows = state
        .store
        .read(|tx| Box::pin(async move { db::fee_rows(tx, tenant, a, b, after, limit).await }))
        .await?;
    Ok(rows.into_iter().map(|r| fee_line(r, bp)).collect())
}

/// A payout batch with its reconciliation.
#[derive(Debug, Clone)]
pub struct PayoutView {
    pub payout: String,
    pub created_at: i64,
    pub date: Date,
    pub expected_arrival: Date,
    pub status: PayoutStatus,
    pub payments: i64,
    pub check: PayoutCheck,
}

pub(super) fn payout_view(p: &db::Payout, tz: &jiff::tz::TimeZone) -> PayoutView {
    let date = jiff::Timestamp::from_microsecond(p.created_at)
        .unwrap_or_default()
        .to_zoned(tz.clone())
        .date();
    let stripe_says = p
        .arrival_date
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok());
    PayoutView {
        payout: p.payout.clone(),
        created_at: p.created_at,
        date,
        expected_arrival: rules::expected_arrival(date, stripe_says),
        status: PayoutStatus::parse(&p.status),
        payments: p.lines,
        check: PayoutCheck {
            gross_cents: p.gross_cents,
            fee_cents: p.fee_cents,
            net_cents: p.amount_cents,
            difference_cents: p.amount_cents - (p.gross_cents - p.fee_cents),
        },
    }
}

/// Payout batches created between two days, newest first.
pub async fn payouts(
    state: &App,
    actor: &Actor,
    from: Date,
    to: Date,
) -> Result<Vec<PayoutView>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let tenant = actor.tenant;
    let (a, b, tz) = span(state, tenant, from, to).await?;
    let rows = state
        .store
        .read(|tx| Box::pin(async move { db::payouts(tx, tenant, a, b).await }))
        .await?;
    Ok(rows.iter().map(|p| payout_view(p, &tz)).collect())
}

/// One payout batch and the payments it carries.
pub async fn payout(
    state: &App,
    actor: &Actor,
    id: &str,
) -> Result<(PayoutView, Vec<db::PayoutPayment>), AppError> {
    actor.require(Permission::ViewClosings)?;
    let tenant = actor.tenant;
    let tz = crate::organization::time_zone(state, tenant).await?;
    let tz = jiff::tz::TimeZone::get(&tz).map_err(|e| AppError::Internal(e.to_string()))?;
    let id_s = id.to_owned();
    let (all, lines) = state
        .store
        .read(|tx| {
            let id_s = id_s.clone();
            Box::pin(async move {
                let all = db::payouts(tx, tenant, i64::MIN, i64::MAX).await?;
                let lines = db::payout_lines(tx, tenant, &id_s).await?;
                Ok((all, lines))
            })
        })
        .await?;
    let p = all
        .iter()
        .find(|p| p.payout == id)
        .ok_or(AppError::NotFound)?;
    Ok((payout_view(p, &tz), lines))
}

/// Charges that no payout carried after 10 business days.
pub async fn not_paid_out(state: &App, actor: &Actor) -> Result<Vec<FeeLine>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let tenant = actor.tenant;
    let tz = crate::organization::time_zone(state, tenant).await?;
    let tz = jiff::tz::TimeZone::get(&tz).map_err(|e| AppError::Internal(e.to_string()))?;
    let today = jiff::Timestamp::now().to_zoned(tz.clone()).date();
    // The latest day a payment may have been taken and still be waiting: 10 business
    // days before today.
    let mut day = today;
    while rules::business_days_after(day, rules::PAYOUT_WAIT_BUSINESS_DAYS) > today {
        day = day.saturating_sub(jiff::Span::new().days(1));
    }
    let before = day
        .to_zoned(tz)
        .map_err(|e| AppError::Internal(e.to_string()))?
        .timestamp()
        .as_microsecond();
    let bp = fee_rule(state, tenant).await?;
    let rows = state
        .store
        .read(|tx| Box::pin(async move { db::not_paid_out(tx, tenant, before, 500).await }))
        .await?;
    Ok(rows.into_iter().map(|r| fee_line(r, bp)).collect())
}

/// Stripe's fee and net of each payment of an order: (payment id, fee, net).
pub async fn fees_of_order(
    state: &App,
    actor: &Actor,
    order: OrderId,
) -> Result<Vec<(Uuid, Option<i64>, Option<i64>)>, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { db::fees_of_order(tx, tenant, order).await }))
        .await?)
}

/// What the Stripe page exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// Payments and refunds with Stripe's fee and net ("Frais Stripe").
    Fees,
    /// Payout batches with their reconciliation ("Transferts de fonds").
    Payouts,
    /// Accounting lines: revenue by visit date, fees, payouts.
    Accounting,
}

impl Export {
    pub fn parse(s: &str) -> Option<Export> {
        match s {
            "fees" => Some(Export::Fees),
            "payouts" => Some(Export::Payouts),
            "accounting" => Some(Export::Accounting),
            _ => None,
        }
    }
}

/// Every page of fees between two days (the export has no row limit).
pub(super) async fn all_fees(
    state: &App,
    actor: &Actor,
    from: Date,
    to: Date,
) -> Result<Vec<FeeLine>, AppError> {
    const PAGE: i64 = 1_000;
    let mut out: Vec<FeeLine> = Vec::new();
    loop {
        let after = out.last().map(|l| (l.row.taken_at, l.row.payment_id));
        let page = fees(state, actor, from, to, after, PAGE).await?;
        let n = page.len();
        out.extend(page);
        if i64::try_from(n).unwrap_or(0) < PAGE {
            return Ok(out);
        }
    }
}

/// The Stripe page's exports, in CSV (`;`, BOM) or XLSX, for the days `[from, to]`.
pub async fn export(
    state: &App,
    actor: &Actor,
    what: Export,
    from: Date,
    to: Date,
    format: crate::files::Format,
) -> Result<crate::files::File, AppError> {
    use guichet_integrations::exports::{Cell, Table};
    actor.require(Permission::ViewClosings)?;
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    let zone = crate::organization::zone(state, actor).await?;
    let money = Cell::Money;
    let day = Cell::Date;
    let headers = |keys: &[&str]| keys.iter().map(|k| tr.t(k)).collect::<Vec<_>>();
    let (table, name) = match what {
        Export::Fees => {
            let rows = all_fees(state, actor, from, to).await?;
            (
                Table {
                    headers: headers(&[
                        "order-number",
                        "label-date",
                        "payment-method",
                        "stripe-amount",
                        "stripe-fee",
                        "stripe-net",
                        "stripe-expected-fee",
                        "stripe-difference",
                        "stripe-payout",
                        "stripe-object",
                    ]),
                    rows: rows
                        .iter()
                        .map(|l| {
                            vec![
                                Cell::Text(l.row.order_number.clone().unwrap_or_default()),
                                Cell::instant(Some(l.row.taken_at), &zone),
                                Cell::Text(tr.method(&l.method)),
                                money(l.row.amount_cents),
                                Cell::money_or_empty(l.row.fee_cents),
                                Cell::money_or_empty(l.row.net_cents),
                                money(l.expected_fee_cents),
                                Cell::money_or_empty(
                                    l.row
                                        .fee_cents
                                        .filter(|_| l.differs)
                                        .map(|f| f - l.expected_fee_cents),
                                ),
                                Cell::Text(l.row.payout.clone().unwrap_or_default()),
                                Cell::Text(l.row.stripe_object.clone()),
                            ]
                        })
                        .collect(),
                },
                "frais-stripe",
            )
        }
        Export::Payouts => {
            let rows = payouts(state, actor, from, to).await?;
            (
                Table {
                    headers: headers(&[
                        "label-date",
                        "stripe-payout",
                        "label-status",
                        "stripe-gross",
                        "stripe-fee",
                        "stripe-net",
                        "stripe-payments",
                        "stripe-expected-arrival",
                        "stripe-difference",
                    ]),
                    rows: rows
                        .iter()
                        .map(|p| {
                            vec![
                                day(p.date),
                                Cell::Text(p.payout.clone()),
                                Cell::Text(tr.t(&format!("payout-{}", p.status.as_str()))),
                                money(p.check.gross_cents),
                                money(p.check.fee_cents),
                                money(p.check.net_cents),
                                Cell::Int(p.payments),
                                day(p.expected_arrival),
                                money(p.check.difference_cents),
                            ]
                        })
                        .collect(),
                },
                "transferts-stripe",
            )
        }
        Export::Accounting => {
            let lines = accounting_lines(state, actor, from, to).await?;
            (
                Table {
                    headers: headers(&[
                        "label-date",
                        "accounting-account",
                        "accounting-label",
                        "accounting-reference",
                        "accounting-debit",
                        "accounting-credit",
                    ]),
                    rows: lines
                        .into_iter()
                        .map(|l| {
                            vec![
                                day(l.date),
                                Cell::Text(l.account),
                                Cell::Text(l.label),
                                Cell::Text(l.reference),
                                Cell::money_or_empty(l.debit_cents),
                                Cell::money_or_empty(l.credit_cents),
                            ]
                        })
                        .collect(),
                },
                "ecritures-stripe",
            )
        }
    };
    crate::files::table_file(
        &table,
        format,
        actor.lang,
        "Stripe",
        &format!("{name}-{from}-{to}"),
    )
}

/// One accounting line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountingLine {
    pub date: Date,
    pub account: String,
    pub label: String,
    pub reference: String,
    pub debit_cents: Option<i64>,
    pub credit_cents: Option<i64>,
}

/// The accounting lines of online payments between two days: revenue on the day of the
/// visit (a refund takes it back), Stripe's fees on the day of their payout, and each payout
/// to the bank.
pub async fn accounting_lines(
    state: &App,
    actor: &Actor,
    from: Date,
    to: Date,
) -> Result<Vec<AccountingLine>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let tenant = actor.tenant;
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    let s = settings_or_default(state, tenant).await?;
    let (a, b, tz) = span(state, tenant, from, to).await?;
    let revenue = state
        .store
        .read(|tx| Box::pin(async move { db::revenue_rows(tx, tenant, a, b).await }))
        .await?;
    let date_of = |micros: i64| {
        jiff::Timestamp::from_microsecond(micros)
            .unwrap_or_default()
            .to_zoned(tz.clone())
            .date()
    };
    let mut out = Vec::new();
    for r in revenue {
        let number = r.order_number.unwrap_or_default();
        let (debit, credit) = if r.amount_cents >= 0 {
            (None, Some(r.amount_cents))
        } else {
            (Some(-r.amount_cents), None)
        };
        out.push(AccountingLine {
            date: date_of(r.visit_at.unwrap_or(r.taken_at)),
            account: s.revenue_account.clone(),
            label: tr.t1("accounting-revenue", "number", &number),
            reference: number,
            debit_cents: debit,
            credit_cents: credit,
        });
    }
    for p in payouts(state, actor, from, to).await? {
        if p.check.fee_cents != 0 {
            out.push(AccountingLine {
                date: p.date,
                account: s.fees_account.clone(),
                label: tr.t1("accounting-fees", "payout", &p.payout),
                reference: p.payout.clone(),
                debit_cents: Some(p.check.fee_cents),
                credit_cents: None,
            });
        }
        out.push(AccountingLine {
            date: p.date,
            account: s.bank_account.clone(),
            label: tr.t1("accounting-payout", "payout", &p.payout),
            reference: p.payout.clone(),
            debit_cents: Some(p.check.net_cents),
            credit_cents: None,
        });
    }
    out.sort_by_key(|l| l.date);
    Ok(out)
}

/// The account numbers, the defaults when Stripe is not set up.
pub(super) struct Accounts {
    revenue_account: String,
    fees_account: String,
    bank_account: String,
}

pub(super) async fn settings_or_default(state: &App, tenant: Tenant) -> Result<Accounts, AppError> {
    let a = stored(state, tenant).await?;
    Ok(Accounts {
        revenue_account: a.as_ref().map_or_else(
            || rules::DEFAULT_REVENUE_ACCOUNT.into(),
            |a| a.revenue_account.clone(),
        ),
        fees_account: a.as_ref().map_or_else(
            || rules::DEFAULT_FEES_ACCOUNT.into(),
            |a| a.fees_account.clone(),
        ),
        bank_account: a.as_ref().map_or_else(
            || rules::DEFAULT_BANK_ACCOUNT.into(),
            |a| a.bank_account.clone(),
        ),
    })
}
