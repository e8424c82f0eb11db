//! The attendance export of the orders of a period (issue 18 §2, the seeds' "Fichier csv
//! détaillé / non détaillé"): the seed's 27 columns in its order, one row per order line
//! (detailed) or per order (summary, with the three columns the seed's users computed by
//! hand), a privacy preset without names and contact details, in CSV streamed a page at a time
//! or in XLSX written in constant memory. The column set is fixed and versioned
//! ([`COLUMNS_VERSION`]): the same columns whatever the organization enabled.

use crate::organization::zone;
use crate::{Actor, App, AppError};
use guichet_domain::Permission;
use guichet_integrations::exports::Cell;
use guichet_integrations::i18n::Tr;
use guichet_store::orders::{self, AttendanceKey, AttendanceLine, OrderFilter};

/// The version of the column set; bumped whenever a column is added, removed or moved.
pub const COLUMNS_VERSION: u32 = 1;

/// Orders read per page (whole orders: their lines come with them).
const PAGE: i64 = 2_000;

/// Which orders, and how.
#[derive(Debug, Clone, Default)]
pub struct AttendanceQuery {
    /// The orders: a period and the search's criteria.
    pub search: super::OrderSearch,
    /// One row per order line; otherwise one row per order.
    pub detailed: bool,
    /// Leaves out first name, name, e-mail, phone and contact id (keeps postal code,
    /// province and country).
    pub privacy: bool,
}

/// The seed's 27 columns, as message keys; the privacy preset drops those marked.
const COLUMNS: [(&str, bool); 27] = [
    ("attendance-number", false),
    ("attendance-created", false),
    ("attendance-first-name", true),
    ("attendance-last-name", true),
    ("attendance-email", true),
    ("attendance-phone", true),
    ("attendance-city", false),
    ("attendance-postal-code", false),
    ("attendance-province", false),
    ("attendance-country", false),
    ("attendance-contact-id", true),
    ("attendance-offer", false),
    ("attendance-item", false),
    ("attendance-quantity", false),
    ("attendance-scans", false),
    ("attendance-duration", false),
    ("attendance-arrival", false),
    ("attendance-time", false),
    ("attendance-state", false),
    ("attendance-channel", false),
    ("attendance-seller", false),
    ("attendance-total-excl", false),
    ("attendance-total-incl", false),
    ("attendance-collected", false),
    ("attendance-stripe-fees", false),
    ("attendance-customer-comment", false),
    ("attendance-internal-comment", false),
];

/// What the summary adds.
const SUMMARY_COLUMNS: [&str; 3] = [
    "attendance-days-before",
    "attendance-collected-vs-total",
    "attendance-collected-net",
];

/// The export's shape: its language, time zone and options.
#[derive(Clone)]
struct Shape {
    tr: Tr,
    tz: jiff::tz::TimeZone,
    detailed: bool,
    privacy: bool,
}

fn text(s: &Option<String>) -> Cell {
    Cell::Text(s.clone().unwrap_or_default())
}

impl Shape {
    fn headers(&self) -> Vec<String> {
        let mut h: Vec<String> = COLUMNS
            .iter()
            .filter(|(_, personal)| !(self.privacy && *personal))
            .map(|(k, _)| self.tr.t(k))
            .collect();
        if !self.detailed {
            h.extend(SUMMARY_COLUMNS.iter().map(|k| self.tr.t(k)));
        }
        h
    }

    fn zoned(&self, micros: i64) -> Option<jiff::Zoned> {
        jiff::Timestamp::from_microsecond(micros)
            .ok()
            .map(|t| t.to_zoned(self.tz.clone()))
    }

    /// The 27 cells from the order's facts and the row's own (label, quantity, amounts).
    fn cells(&self, first: &AttendanceLine, own: Own) -> Vec<Cell> {
        let created = Cell::instant(Some(first.created_at), &self.tz);
        let arrival = Cell::day(own.visit_date.as_deref());
        let time = own
            .session_start
            .and_then(|s| self.zoned(s))
            .map(|z| z.strftime("%H:%M").to_string())
            .unwrap_or_default();
        let channel = first
            .register_name
            .clone()
            .or_else(|| first.module_name.clone())
            .unwrap_or_default();
        let all = [
            text(&first.number),
            created,
            text(&first.first_name),
            text(&first.last_name),
            text(&first.email),
            text(&first.phone),
            text(&first.city),
            text(&first.postal_code),
            text(&first.province),
            text(&first.country),
            Cell::Text(first.customer_id.map(|c| c.to_string()).unwrap_or_default()),
            Cell::Text(own.offer),
            Cell::Text(own.item),
            Cell::Int(own.quantity),
            // No scan is recorded yet: check-in at the entrance comes with its own issue.
            Cell::Int(0),
            Cell::int_or_empty(own.duration),
            arrival,
            Cell::Text(time),
            Cell::Text(self.tr.t(&format!("order-state-{}", first.state))),
            Cell::Text(channel),
            text(&first.seller),
            Cell::Money(own.total - own.vat),
            Cell::Money(own.total),
            Cell::Money(own.paid),
            Cell::Money(own.fees),
            text(&first.customer_comment),
            text(&first.internal_comment),
        ];
        all.into_iter()
            .zip(COLUMNS)
            .filter(|(_, (_, personal))| !(self.privacy && *personal))
            .map(|(c, _)| c)
            .collect()
    }

    /// A row per line.
    fn detailed_row(&self, l: &AttendanceLine, first_of_order: bool) -> Vec<Cell> {
        self.cells(
            l,
            Own {
                offer: l.offer_name.clone().unwrap_or_default(),
                item: l.label.clone(),
                quantity: l.quantity,
                duration: l.duration_minutes,
                visit_date: l.visit_date.clone(),
                session_start: l.session_start,
                total: l.line_total_cents,
                vat: l.line_vat_cents,
                paid: l.line_paid_cents,
                // The order's fees once, on its first line, so that the column adds up.
                fees: if first_of_order { l.order_fee_cents } else { 0 },
            },
        )
    }

    /// A row per order, from its lines (in their order).
    fn summary_row(&self, lines: &[&AttendanceLine]) -> Vec<Cell> {
        let Some(first) = lines.first() else {
            return Vec::new();
        };
        let mut offers: Vec<String> = Vec::new();
        for l in lines {
            if let Some(o) = &l.offer_name
                && !offers.contains(o)
            {
                offers.push(o.clone());
            }
        }
        let items = guichet_domain::order::products_text(
            lines.iter().map(|l| (l.label.as_str(), l.quantity)),
        );
        let visit = lines
            .iter()
            .filter(|l| l.visit_date.is_some())
            .min_by_key(|l| (l.visit_date.clone(), l.session_start));
        let mut row = self.cells(
            first,
            Own {
                offer: offers.join(", "),
                item: items,
                quantity: lines.iter().map(|l| l.quantity).sum(),
                duration: lines.iter().find_map(|l| l.duration_minutes),
                visit_date: visit.and_then(|l| l.visit_date.clone()),
                session_start: visit.and_then(|l| l.session_start),
                total: first.order_total_cents,
                vat: first.order_vat_cents,
                paid: first.order_collected_cents,
                fees: first.order_fee_cents,
            },
        );
        let created = self.zoned(first.created_at).map(|z| z.date());
        let days = match (visit.and_then(|l| l.visit_date.as_deref()), created) {
            (Some(v), Some(c)) => v
                .parse::<jiff::civil::Date>()
                .ok()
                .and_then(|v| c.until(v).ok())
                .map(|s| i64::from(s.get_days())),
            _ => None,
        };
        row.extend([
            Cell::int_or_empty(days),
            Cell::Money(first.order_collected_cents - first.order_total_cents),
            Cell::Money(first.order_collected_cents - first.order_fee_cents),
        ]);
        row
    }

    /// The rows of a run of lines, whole orders only.
    fn rows(&self, lines: &[AttendanceLine]) -> Vec<Vec<Cell>> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < lines.len() {
            let id = lines[start].order_id;
            let end = lines[start..]
                .iter()
                .position(|l| l.order_id != id)
                .map_or(lines.len(), |n| start + n);
            let order: Vec<&AttendanceLine> = lines[start..end].iter().collect();
            if self.detailed {
                for (i, l) in order.iter().enumerate() {
                    out.push(self.detailed_row(l, i == 0));
                }
            } else {
                out.push(self.summary_row(&order));
            }
            start = end;
        }
        out
    }
}

/// What a row shows of its own: a line's, or an order's sums.
struct Own {
    offer: String,
    item: String,
    quantity: i64,
    duration: Option<i64>,
    visit_date: Option<String>,
    session_start: Option<i64>,
    total: i64,
    vat: i64,
    paid: i64,
    fees: i64,
}

async fn shape_and_filter(
    state: &App,
    actor: &Actor,
    q: &AttendanceQuery,
) -> Result<(Shape, OrderFilter), AppError> {
    actor.require(Permission::Sell)?;
    let filter = super::search::filter(state, actor, &q.search).await?;
    let tz = zone(state, actor).await?;
    Ok((
        Shape {
            tr: Tr(actor.lang),
            tz,
            detailed: q.detailed,
            privacy: q.privacy,
        },
        filter,
    ))
}

/// The lines of one page of whole orders after `after`, and where the next page starts
/// (none: this was the last).
async fn page(
    state: &App,
    actor: &Actor,
    filter: &OrderFilter,
    after: Option<AttendanceKey>,
) -> Result<(Vec<AttendanceLine>, Option<AttendanceKey>), AppError> {
    let tenant = actor.tenant;
    let lines = state
        .store
        .read(|tx| {
            let filter = filter.clone();
            Box::pin(
                async move { orders::attendance_lines(tx, tenant, &filter, after, PAGE).await },
            )
        })
        .await?;
    let mut orders = lines.iter().map(|l| l.order_id).collect::<Vec<_>>();
    orders.dedup();
    let next = lines
        .last()
        .filter(|_| orders.len() as i64 >= PAGE)
        .map(AttendanceKey::of);
    Ok((lines, next))
}

/// The export as CSV (`;`, UTF-8 with a byte-order mark, decimal comma, dates as
/// DD/MM/YYYY), streamed a page at a time: memory stays flat however many lines there are.
pub async fn export_csv(
    state: &App,
    actor: &Actor,
    q: &AttendanceQuery,
) -> Result<impl futures_util::Stream<Item = Result<Vec<u8>, AppError>> + Send + 'static, AppError>
{
    let (shape, filter) = shape_and_filter(state, actor, q).await?;
    let head = guichet_integrations::exports::csv_lines(&[shape.headers()], true)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let start = (Some(None), state.clone(), actor.clone());
    let pages = futures_util::stream::try_unfold(start, move |(next, state, actor)| {
        let shape = shape.clone();
        let filter = filter.clone();
        async move {
            let Some(after) = next else {
                return Ok(None);
            };
            let (lines, next) = page(&state, &actor, &filter, after).await?;
            let bytes = guichet_integrations::exports::csv_cells(&shape.rows(&lines), false)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(Some((bytes, (next.map(Some), state, actor))))
        }
    });
    Ok(futures_util::StreamExt::chain(
        futures_util::stream::iter([Ok(head)]),
        pages,
    ))
}

/// The export as an XLSX file written a page at a time in constant memory, answered open
/// for the caller to stream. More rows than a sheet holds: `too_many_rows_for_xlsx` (the
/// CSV has no limit).
pub async fn export_xlsx(
    state: &App,
    actor: &Actor,
    q: &AttendanceQuery,
) -> Result<std::fs::File, AppError> {
    use guichet_integrations::exports::{ExportError, XlsxSheet};
    let failed = |e: ExportError| match e {
        ExportError::TooManyRows => AppError::Conflict("too_many_rows_for_xlsx"),
        other => AppError::Internal(other.to_string()),
    };
    let (shape, filter) = shape_and_filter(state, actor, q).await?;
    let mut sheet = XlsxSheet::new("Commandes", &shape.headers(), actor.lang).map_err(failed)?;
    let mut after = None;
    loop {
        let (lines, next) = page(state, actor, &filter, after).await?;
        sheet.push(&shape.rows(&lines)).map_err(failed)?;
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    crate::files::xlsx_file(sheet).await.map_err(failed)
}
