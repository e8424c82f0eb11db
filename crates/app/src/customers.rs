//! The customer file in the back office: the list with the seed's columns and filters, the
//! customer's page (details, purchase history, revenue and spending by period), creating and
//! editing. The register's quick-create and search are in `orders`.

pub use guichet_store::customer_fields::CustomerField;
pub use guichet_store::customer_types::CustomerType;
pub use guichet_store::customers::{Customer, Listed};

use crate::Actor;
use crate::App;
use crate::AppError;
use crate::paging::{self, Page};
use guichet_domain::customer::{CustomerInput, CustomerStatus};
use guichet_domain::{CustomerId, Permission};
use guichet_integrations::exports::Cell;
use guichet_store::customers::{self, HistoryOrder};
use serde::Serialize;

/// How many customers a list page shows.
pub const PAGE: i64 = 50;

/// The back office's page of customers, [`PAGE`] from `offset`, newest first: `status` all
/// (empty), `customer` or `prospect`; `query` searched in names, company, e-mail, phone and
/// tags.
pub async fn list(
    state: &App,
    actor: &Actor,
    status: &str,
    query: &str,
    offset: i64,
) -> Result<Vec<Listed>, AppError> {
    actor.require(Permission::Sell)?;
    let status = parse_status(status)?;
    let (tenant, q, offset) = (
        actor.tenant,
        query.chars().take(100).collect::<String>(),
        offset.max(0),
    );
    Ok(state
        .store
        .read(|tx| {
            let q = q.clone();
            Box::pin(async move { customers::list(tx, tenant, status, &q, PAGE, offset).await })
        })
        .await?)
}

/// Which customers, and which page of them (the API's list).
#[derive(Debug, Clone, Default)]
pub struct CustomerListQuery {
    /// `customer` or `prospect`; all when empty.
    pub status: String,
    /// Words to find in names, company, e-mail, phone or tags.
    pub q: String,
    /// The cursor of the page (`next` of the previous one).
    pub after: Option<String>,
    pub limit: Option<u32>,
}

/// A page of the customers, newest first (keyset paging on creation and id): the API's list,
/// and the register's search as the cashier types.
pub async fn search(
    state: &App,
    actor: &Actor,
    query: &CustomerListQuery,
) -> Result<Page<Listed>, AppError> {
    actor.require(Permission::Sell)?;
    let status = parse_status(&query.status)?;
    let limit = paging::limit(query.limit)?;
    let after = query.after.as_deref().map(parse_cursor).transpose()?;
    let (tenant, q) = (actor.tenant, query.q.chars().take(100).collect::<String>());
    let fetch = limit as i64 + 1;
    let rows = state
        .store
        .read(|tx| {
            let q = q.clone();
            Box::pin(async move {
                match after {
                    // The first page as the back office's: the search index serves it.
                    None => customers::list(tx, tenant, status, &q, fetch, 0).await,
                    Some(cursor) => {
                        customers::page_after(tx, tenant, status, &q, Some(cursor), fetch).await
                    }
                }
            })
        })
        .await?;
    Ok(paging::page(rows, limit, |l| {
        format!("{}.{}", l.customer.created_at, l.customer.id.0.simple())
    }))
}

/// `created_at.id`, as [`search`] writes it.
fn parse_cursor(raw: &str) -> Result<customers::Cursor, AppError> {
    let (at, id) = raw.split_once('.').ok_or_else(paging::bad_cursor)?;
    Ok((
        at.parse().map_err(|_| paging::bad_cursor())?,
        id.parse().map_err(|_| paging::bad_cursor())?,
    ))
}

fn parse_status(status: &str) -> Result<Option<CustomerStatus>, AppError> {
    match status.trim() {
        "" | "all" => Ok(None),
        s => {
            Ok(Some(CustomerStatus::parse(s).ok_or_else(|| {
                AppError::field("status", "unknown_value")
            })?))
        }
    }
}

/// A customer's page: details, orders, and what they spent.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerFile {
    pub customer: Customer,
    pub orders: Vec<HistoryOrder>,
    pub last_purchase_at: Option<i64>,
    /// Finalized orders, not cancelled, VAT included (by their creation day).
    pub revenue_cents: i64,
    pub this_month_cents: i64,
    pub last_month_cents: i64,
    pub this_year_cents: i64,
    pub last_year_cents: i64,
    /// Reserved shop products not yet sold or archived.
    pub reservations: Vec<guichet_store::reservations::Reservation>,
    /// The offers and product groups they buy most.
    pub favourites: Vec<customers::Favourite>,
    /// What they owe (unpaid orders, within their balance limit) and their store credit.
    pub account: guichet_store::accounts::Account,
    /// With loyalty on: their points (`guichet_domain::customer::loyalty_points`).
    pub loyalty_points: Option<i64>,
}

pub async fn file(state: &App, actor: &Actor, id: CustomerId) -> Result<CustomerFile, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    let (customer, orders, reservations, favourites, account) = state
        .store
        .read(|tx| {
            Box::pin(async move {
                let c = customers::get(tx, tenant, id).await?;
                let h = customers::history(tx, tenant, id).await?;
                let r = guichet_store::reservations::open(tx, tenant, Some(id)).await?;
                let f = customers::favourites(tx, tenant, id).await?;
                let a = guichet_store::accounts::account(tx, tenant, id).await?;
                Ok((c, h, r, f, a))
            })
        })
        .await?;
    let tz = crate::organization::zone(state, actor).await?;
    let today = jiff::Timestamp::now().to_zoned(tz.clone()).date();
    let spent = orders.iter().filter(|o| o.finalized && !o.cancelled);
    let day_of = |o: &HistoryOrder| {
        jiff::Timestamp::from_microsecond(o.created_at)
            .ok()
            .map(|t| t.to_zoned(tz.clone()).date())
    };
    let month = |d: jiff::civil::Date| (d.year(), d.month());
    let last_month = today.first_of_month().yesterday().map(month).ok();
    let sum = |keep: &dyn Fn(jiff::civil::Date) -> bool| -> i64 {
        spent
            .clone()
            .filter(|o| day_of(o).is_some_and(keep))
            .map(|o| o.total_cents)
            .sum()
    };
    let revenue_cents: i64 = spent.clone().map(|o| o.total_cents).sum();
    Ok(CustomerFile {
        loyalty_points: customer
            .loyalty
            .then(|| guichet_domain::customer::loyalty_points(revenue_cents)),
        last_purchase_at: spent.clone().map(|o| o.created_at).max(),
        revenue_cents,
        this_month_cents: sum(&|d| month(d) == month(today)),
        last_month_cents: sum(&|d| Some(month(d)) == last_month),
        this_year_cents: sum(&|d| d.year() == today.year()),
        last_year_cents: sum(&|d| d.year() == today.year() - 1),
        customer,
        orders,
        reservations,
        favourites,
        account,
    })
}

/// Creates a customer with the whole file (the register's quick-create is the same with fewer
/// fields).
pub async fn create(
    state: &App,
    actor: &Actor,
    input: &CustomerInput,
) -> Result<Customer, AppError> {
    actor.require(Permission::Sell)?;
    let d = details_of(state, actor, input).await?;
    let (tenant, by) = (actor.tenant, actor.user_id());
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { guichet_store::customers::create(tx, tenant, &d, by).await })
        })
        .await?)
}

pub async fn update(
    state: &App,
    actor: &Actor,
    id: CustomerId,
    input: &CustomerInput,
) -> Result<Customer, AppError> {
    actor.require(Permission::Sell)?;
    let d = details_of(state, actor, input).await?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { customers::update(tx, tenant, id, &d).await })
        })
        .await?)
}

/// The form's values for an existing customer.
pub fn input_of(c: &Customer) -> CustomerInput {
    let or = |s: &Option<String>| s.clone().unwrap_or_default();
    CustomerInput {
        first_name: or(&c.first_name),
        last_name: or(&c.last_name),
        email: or(&c.email),
        phone: or(&c.phone),
        country: c.origin.country.clone(),
        postal_code: or(&c.origin.postal_code),
        province: or(&c.origin.province),
        status: c.status.as_str().to_owned(),
        company: or(&c.company),
        street: or(&c.street),
        city: or(&c.city),
        language: or(&c.language),
        birth_date: or(&c.birth_date),
        discount_percent: guichet_domain::VatRate::from_basis_points(i64::from(c.discount_bp))
            .ok()
            .filter(|_| c.discount_bp > 0)
            .map(|r| r.to_string().trim_end_matches('%').trim().to_owned())
            .unwrap_or_default(),
        vat_exempt: c.vat_exempt,
        institutional: c.institutional,
        iban: or(&c.iban),
        bic: or(&c.bic),
        balance_limit: c
            .balance_limit_cents
            .map(guichet_domain::shop::format_cents)
            .unwrap_or_default(),
        loyalty: c.loyalty,
        tags: c.tags.join(", "),
        notes: or(&c.notes),
        consent_email: c.consent_email_at.is_some(),
        consent_sms: c.consent_sms_at.is_some(),
        consent_post: c.consent_post_at.is_some(),
        customer_type_id: c
            .customer_type_id
            .map(|t| t.to_string())
            .unwrap_or_default(),
        custom: c.custom.clone(),
    }
}

// ---------------------------------------------------------------- customer types

use guichet_domain::CustomerTypeId;
use guichet_domain::customer::CustomerTypeInput;
use guichet_store::customer_types;

pub async fn types(state: &App, actor: &Actor) -> Result<Vec<CustomerType>, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { customer_types::list(tx, tenant).await }))
        .await?)
}

/// Creates (`id` none) or changes a customer type (managers and admins).
pub async fn save_type(
    state: &App,
    actor: &Actor,
    id: Option<CustomerTypeId>,
    input: &CustomerTypeInput,
) -> Result<CustomerType, AppError> {
    actor.require(Permission::ChangePrice)?;
    let d = input.parse()?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move {
                match id {
                    Some(id) => customer_types::update(tx, tenant, id, &d).await,
                    None => customer_types::create(tx, tenant, &d).await,
                }
            })
        })
        .await?)
}

// ---------------------------------------------------------------- privacy and export

/// Erases a customer on request (managers and admins): personal data gone, orders and
/// accounting kept. In the same transaction: the comments of their orders, the notes of
/// their reservations, the names merged into them and the e-mails written to them go (see
/// `customers::erase`), and so does every stored import file they are in (see
/// [`crate::customer_imports::files::purge_of`]).
pub async fn erase(state: &App, actor: &Actor, id: CustomerId) -> Result<Customer, AppError> {
    actor.require(Permission::ManageCustomers)?;
    let tenant = actor.tenant;
    let erased = state
        .store
        .write(|tx| {
            Box::pin(async move {
                let before = customers::get(tx, tenant, id).await?;
                let erased = customers::erase(tx, tenant, id).await?;
                crate::customer_imports::files::purge_of(tx, tenant, &before).await?;
                Ok(erased)
            })
        })
        .await?;
    // Dry runs kept for a confirmation hold rows in memory: theirs may be among them.
    state.import_plans.forget(tenant.id().0);
    Ok(erased)
}

/// Checks an erasure without doing it: the customer's file, as its confirmation shows it
/// (`already_erased` once erased).
pub async fn plan_erase(
    state: &App,
    actor: &Actor,
    id: CustomerId,
) -> Result<CustomerFile, AppError> {
    actor.require(Permission::ManageCustomers)?;
    let f = file(state, actor, id).await?;
    if f.customer.erased_at.is_some() {
        return Err(AppError::Conflict("already_erased"));
    }
    Ok(f)
}

/// Everything kept about one customer, for their access request (JSON).
pub async fn data_of(state: &App, actor: &Actor, id: CustomerId) -> Result<CustomerFile, AppError> {
    actor.require(Permission::ManageCustomers)?;
    file(state, actor, id).await
}

/// How an export reads the customers: the list's filter, or the ids ticked in it.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    pub status: String,
    pub query: String,
    pub selection: Vec<CustomerId>,
    /// Without names, e-mail, phone, street, bank details, birth date, notes or tags
    /// (postal code, province and country kept).
    pub anonymised: bool,
}

/// Customers read per page while exporting.
const EXPORT_PAGE: i64 = 1_000;

/// What an export needs besides the customers: headers, time zone, customer type names.
#[derive(Clone)]
struct ExportShape {
    tr: guichet_integrations::i18n::Tr,
    tz: jiff::tz::TimeZone,
    types: Vec<CustomerType>,
    anonymised: bool,
}

async fn export_shape(
    state: &App,
    actor: &Actor,
    filter: &ExportFilter,
) -> Result<(ExportShape, Option<CustomerStatus>), AppError> {
    actor.require(Permission::ManageCustomers)?;
    let status = match filter.status.trim() {
        "" | "all" => None,
        s => Some(
            CustomerStatus::parse(s).ok_or_else(|| AppError::field("status", "unknown_value"))?,
        ),
    };
    let shape = ExportShape {
        tr: guichet_integrations::i18n::Tr(actor.lang),
        tz: crate::organization::zone(state, actor).await?,
        types: types(state, actor).await?,
        anonymised: filter.anonymised,
    };
    Ok((shape, status))
}

impl ExportShape {
    fn headers(&self) -> Vec<String> {
        let mut headers = vec!["label-status", "customers-created"];
        if !self.anonymised {
            headers.extend([
                "label-first-name",
                "label-last-name",
                "customers-company",
                "label-email",
                "label-phone",
                "label-street",
            ]);
        }
        headers.extend([
            "label-postal-code",
            "label-city",
            "label-province",
            "label-country",
            "label-language",
            "customers-type",
        ]);
        if !self.anonymised {
            headers.extend([
                "customers-birth-date",
                "customers-iban",
                "customers-bic",
                "customers-tags",
                "customers-notes",
                "customers-consent-email",
                "customers-consent-sms",
                "customers-consent-post",
            ]);
        }
        headers.extend(["customers-last-booking", "customers-revenue"]);
        headers.iter().map(|k| self.tr.t(k)).collect()
    }

    fn row(&self, l: &Listed) -> Vec<Cell> {
        let (c, tr, tz) = (&l.customer, &self.tr, &self.tz);
        let text = |s: &Option<String>| Cell::Text(s.clone().unwrap_or_default());
        let flag = |at: Option<i64>| Cell::Int(i64::from(at.is_some()));
        let type_name = c
            .customer_type_id
            .and_then(|t| self.types.iter().find(|x| x.id == t))
            .map(|t| t.name.clone());
        let mut row = vec![
            Cell::Text(tr.t(&format!("customer-status-{}", c.status.as_str()))),
            Cell::instant(Some(c.created_at), tz),
        ];
        if !self.anonymised {
            row.extend([
                text(&c.first_name),
                text(&c.last_name),
                text(&c.company),
                text(&c.email),
                text(&c.phone),
                text(&c.street),
            ]);
        }
        row.extend([
            text(&c.origin.postal_code),
            text(&c.city),
            text(&c.origin.province),
            Cell::Text(c.origin.country.clone()),
            text(&c.language),
            text(&type_name),
        ]);
        if !self.anonymised {
            row.extend([
                Cell::day(c.birth_date.as_deref()),
                text(&c.iban),
                text(&c.bic),
                Cell::Text(c.tags.join(", ")),
                text(&c.notes),
                flag(c.consent_email_at),
                flag(c.consent_sms_at),
                flag(c.consent_post_at),
            ]);
        }
        row.extend([
            Cell::instant(l.last_booking_at, tz),
            Cell::Money(l.revenue_cents),
        ]);
        row
    }
}

/// One page of the walk through the customers an export covers, after `cursor`: the
/// customers to write, and where the next page starts (none: this was the last).
async fn export_page(
    state: &App,
    actor: &Actor,
    filter: &ExportFilter,
    status: Option<CustomerStatus>,
    cursor: Option<customers::Cursor>,
) -> Result<(Vec<Listed>, Option<customers::Cursor>), AppError> {
    let (tenant, q) = (
        actor.tenant,
        filter.query.chars().take(100).collect::<String>(),
    );
    let mut page = state
        .store
        .read(|tx| {
            Box::pin(async move {
                customers::page_after(tx, tenant, status, &q, cursor, EXPORT_PAGE).await
            })
        })
        .await?;
    let next = page
        .last()
        .filter(|_| page.len() as i64 >= EXPORT_PAGE)
        .map(|l| (l.customer.created_at, l.customer.id.0));
    if !filter.selection.is_empty() {
        page.retain(|l| filter.selection.contains(&l.customer.id));
    }
    Ok((page, next))
}

/// The customers an export covers as an XLSX file, written a page at a time in constant
/// memory and saved to a temporary file; answered open, its name already removed, for the
/// caller to stream (memory stays flat however many customers there are). More customers
/// than a sheet holds: `too_many_rows_for_xlsx` (the CSV has no limit).
pub async fn export_xlsx(
    state: &App,
    actor: &Actor,
    filter: &ExportFilter,
) -> Result<std::fs::File, AppError> {
    use guichet_integrations::exports::{ExportError, XlsxSheet};
    let failed = |e: ExportError| match e {
        ExportError::TooManyRows => AppError::Conflict("too_many_rows_for_xlsx"),
        other => AppError::Internal(other.to_string()),
    };
    let (shape, status) = export_shape(state, actor, filter).await?;
    let mut sheet = XlsxSheet::new("Clients", &shape.headers(), actor.lang).map_err(failed)?;
    let mut cursor = None;
    loop {
        let (page, next) = export_page(state, actor, filter, status, cursor).await?;
        let rows: Vec<Vec<Cell>> = page.iter().map(|l| shape.row(l)).collect();
        sheet.push(&rows).map_err(failed)?;
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    crate::files::xlsx_file(sheet).await.map_err(failed)
}

/// The customers an export covers as CSV (`;`, UTF-8 with a byte-order mark), streamed a
/// page at a time: memory stays flat however many customers there are.
pub async fn export_csv(
    state: &App,
    actor: &Actor,
    filter: ExportFilter,
) -> Result<impl futures_util::Stream<Item = Result<Vec<u8>, AppError>> + Send + 'static, AppError>
{
    let (shape, status) = export_shape(state, actor, &filter).await?;
    let head = guichet_integrations::exports::csv_lines(&[shape.headers()], true)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let start = (
        Some(None::<customers::Cursor>),
        state.clone(),
        actor.clone(),
    );
    let pages = futures_util::stream::try_unfold(start, move |(next, state, actor)| {
        let (filter, shape) = (filter.clone(), shape.clone());
        async move {
            let Some(cursor) = next else {
                return Ok(None);
            };
            let (page, next) = export_page(&state, &actor, &filter, status, cursor).await?;
            let rows: Vec<Vec<Cell>> = page.iter().map(|l| shape.row(l)).collect();
            let bytes = guichet_integrations::exports::csv_cells(&rows, false)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(Some((bytes, (next.map(Some), state, actor))))
        }
    });
    Ok(futures_util::StreamExt::chain(
        futures_util::stream::iter([Ok(head)]),
        pages,
    ))
}

// ---------------------------------------------------------------- duplicates

/// Two customers that look like one (`guichet_domain::duplicates`), best first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    pub a: Customer,
    pub b: Customer,
    /// 0–100.
    pub score: u32,
    pub reason: guichet_domain::duplicates::Reason,
}

/// At most this many pairs are proposed at once.
const DUPLICATES: usize = 200;

pub async fn duplicates(state: &App, actor: &Actor) -> Result<Vec<Duplicate>, AppError> {
    Ok(duplicates_page(state, actor, None, Some(DUPLICATES as u32))
        .await?
        .items)
}

/// A page of the likely duplicates (the API's list), best first.
pub async fn duplicates_page(
    state: &App,
    actor: &Actor,
    after: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<Duplicate>, AppError> {
    actor.require(Permission::ManageCustomers)?;
    let tenant = actor.tenant;
    let people = state
        .store
        .read(|tx| Box::pin(async move { customers::candidates(tx, tenant).await }))
        .await?;
    let pairs = paging::by_key(
        guichet_domain::duplicates::find(&people),
        DuplicateKey::of,
        after,
        limit,
    )?;
    let next = pairs.next;
    let items = state
        .store
        .read(|tx| {
            let pairs = pairs.items.clone();
            Box::pin(async move {
                let mut out = Vec::with_capacity(pairs.len());
                for p in pairs {
                    out.push(Duplicate {
                        a: customers::get(tx, tenant, p.a).await?,
                        b: customers::get(tx, tenant, p.b).await?,
                        score: p.score,
                        reason: p.reason,
                    });
                }
                Ok(out)
            })
        })
        .await?;
    Ok(Page { items, next })
}

/// The place of a likely duplicate in the list: best score first, then by the two ids.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct DuplicateKey {
    score: std::cmp::Reverse<u32>,
    a: uuid::Uuid,
    b: uuid::Uuid,
}

impl DuplicateKey {
    fn of(p: &guichet_domain::duplicates::Pair<CustomerId>) -> Self {
        DuplicateKey {
            score: std::cmp::Reverse(p.score),
            a: p.a.0,
            b: p.b.0,
        }
    }
}

impl std::fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{}.{}",
            self.score.0,
            self.a.simple(),
            self.b.simple()
        )
    }
}

impl std::str::FromStr for DuplicateKey {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let mut parts = s.split('.');
        let (Some(score), Some(a), Some(b), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(());
        };
        Ok(DuplicateKey {
            score: std::cmp::Reverse(score.parse().map_err(|_| ())?),
            a: a.parse().map_err(|_| ())?,
            b: b.parse().map_err(|_| ())?,
        })
    }
}

fn absorbed_id(raw: &str) -> Result<CustomerId, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::field("absorbed_id", "unknown_customer"))
}

/// Checks a merge without doing it: both files (kept, absorbed), as its confirmation shows
/// them (`same_customer`, `customer_erased`, an absorbed customer that is not there:
/// `unknown_customer` on `absorbed_id`).
pub async fn plan_merge(
    state: &App,
    actor: &Actor,
    kept: CustomerId,
    absorbed: &str,
) -> Result<(CustomerFile, CustomerFile), AppError> {
    actor.require(Permission::ManageCustomers)?;
    let absorbed = absorbed_id(absorbed)?;
    if kept == absorbed {
        return Err(AppError::Conflict("same_customer"));
    }
    let k = file(state, actor, kept).await?;
    let a = match file(state, actor, absorbed).await {
        Err(AppError::NotFound) => return Err(AppError::field("absorbed_id", "unknown_customer")),
        other => other?,
    };
    if k.customer.erased_at.is_some() || a.customer.erased_at.is_some() {
        return Err(AppError::Conflict("customer_erased"));
    }
    Ok((k, a))
}

/// Folds `absorbed` into `kept` (orders, missing details, tags, consents), logged.
pub async fn merge(
    state: &App,
    actor: &Actor,
    kept: CustomerId,
    absorbed: &str,
) -> Result<Customer, AppError> {
    actor.require(Permission::ManageCustomers)?;
    let absorbed = absorbed_id(absorbed)?;
    let (tenant, by) = (actor.tenant, actor.user_id());
    Ok(state
        .store
        .write(|tx| Box::pin(async move { customers::merge(tx, tenant, kept, absorbed, by).await }))
        .await?)
}

/// A comment added to the customer's profile (at the register, during a sale).
pub async fn add_note(
    state: &App,
    actor: &Actor,
    id: CustomerId,
    note: &str,
) -> Result<Customer, AppError> {
    actor.require(Permission::Sell)?;
    let note = note.trim().to_owned();
    if note.is_empty() {
        return Err(AppError::field("note", "required"));
    }
    if note.chars().count() > 1_000 {
        return Err(AppError::field("note", "too_long"));
    }
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let note = note.clone();
            Box::pin(async move { customers::add_note(tx, tenant, id, &note).await })
        })
        .await?)
}

// ---------------------------------------------------------------- custom fields

use guichet_domain::customer::{CustomerDetails, FieldKind};
use guichet_store::customer_fields;

/// A customer's details as typed, every field checked — the organization's own fields
/// against their kinds (errors on `custom.<field id>`).
pub(crate) async fn details_of(
    state: &App,
    actor: &Actor,
    input: &CustomerInput,
) -> Result<CustomerDetails, AppError> {
    let fields = if input.custom.is_empty() {
        Vec::new()
    } else {
        fields(state, actor).await?
    };
    let today = jiff::Timestamp::now()
        .to_zoned(crate::organization::zone(state, actor).await?)
        .date();
    Ok(check_details(input, &fields, today)?)
}

/// The same, knowing the organization's fields (the import checks many rows against them).
pub(crate) fn check_details(
    input: &CustomerInput,
    fields: &[CustomerField],
    today: jiff::civil::Date,
) -> Result<CustomerDetails, guichet_domain::FieldErrors> {
    let parsed = input.parse_on(today);
    let mut e = match &parsed {
        Ok(_) => guichet_domain::FieldErrors::new(),
        Err(e) => e.clone(),
    };
    let mut custom = std::collections::BTreeMap::new();
    for (id, raw) in &input.custom {
        let name = format!("custom.{id}");
        match fields.iter().find(|f| f.id.to_string() == *id) {
            None => e.add(&name, "unknown_value"),
            Some(f) => match f.kind.value(raw) {
                Ok(Some(v)) => {
                    custom.insert(id.clone(), v);
                }
                Ok(None) => {}
                Err(code) => e.add(&name, code),
            },
        }
    }
    e.into_result()?;
    let mut d = parsed?;
    d.custom = custom;
    Ok(d)
}

pub async fn fields(state: &App, actor: &Actor) -> Result<Vec<CustomerField>, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { customer_fields::list(tx, tenant).await }))
        .await?)
}

/// Adds a field to the organization's customer file (managers and admins).
pub async fn add_field(
    state: &App,
    actor: &Actor,
    name: &str,
    kind: &str,
) -> Result<CustomerField, AppError> {
    actor.require(Permission::ManageCustomers)?;
    let mut e = guichet_domain::FieldErrors::new();
    let name = e.check("name", guichet_domain::text::required(name, 60));
    let kind = FieldKind::parse(kind);
    if kind.is_none() {
        e.add("kind", "unknown_value");
    }
    e.into_result()?;
    let (Some(name), Some(kind)) = (name, kind) else {
        return Err(AppError::field("name", "required"));
    };
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let name = name.clone();
            Box::pin(async move { customer_fields::create(tx, tenant, &name, kind).await })
        })
        .await?)
}
