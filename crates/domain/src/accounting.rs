//! A period's figures as balanced double-entry journal lines for the accountant, rendered as
//! the French FEC (Fichier des Écritures Comptables) and as a generic CSV that Belgian
//! accounting packages import.
//!
//! The rules, in one place:
//! - Revenue is what the period **recognised** (a register sale on its sale day, an online
//!   order on its visit date): each VAT rate's net (gross − VAT) is credited to revenue, its
//!   VAT to the VAT account.
//! - Money is what the period **received**, by method (a refund is negative): debited to the
//!   method's account.
//! - Received − recognised goes to customer advances: money taken for a visit still to come
//!   is owed to the customer until the visit (credit); revenue recognised today for money
//!   taken earlier uses that advance up (debit). This is accrual accounting, not a plug: over
//!   the life of an order the advance comes back to zero.
//! - The Z reports' cash difference, Stripe's fees and Stripe's payouts each balance on their
//!   own (cash over/short, fees against the clearing account, bank against the clearing
//!   account).
//! - A period is one entry: its lines share a date, a piece and an entry number, and its
//!   debits equal its credits.
//!
//! Amounts are cents; sums are taken in `i128` so no figure can overflow, and a line larger
//! than `i64::MAX` cents is split rather than clamped, so the journal always balances.

use crate::money::percent_text;
use crate::order::PaymentMethod;
use crate::org::Language;
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap};

/// Why an account number or a journal code is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("an account number is required")]
    Empty,
    #[error("an account number has digits only")]
    NotDigits,
    #[error("an account number has at least {min} digits")]
    TooShort { min: usize },
    #[error("an account number has at most {max} digits")]
    TooLong { max: usize },
    #[error("a VAT rate is between 0 and 100 %")]
    VatRate,
    #[error("a journal code is 1 to 10 letters or digits")]
    JournalCode,
}

/// An account number: digits only, 3 to 20 of them (the FEC's CompteNum; PCMN and PCG
/// numbers alike).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountNumber(String);

impl AccountNumber {
    pub const MIN_DIGITS: usize = 3;
    pub const MAX_DIGITS: usize = 20;

    /// Parses a number as typed, surrounding spaces ignored.
    pub fn parse(input: &str) -> Result<Self, AccountError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(AccountError::Empty);
        }
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(AccountError::NotDigits);
        }
        if s.len() < Self::MIN_DIGITS {
            return Err(AccountError::TooShort {
                min: Self::MIN_DIGITS,
            });
        }
        if s.len() > Self::MAX_DIGITS {
            return Err(AccountError::TooLong {
                max: Self::MAX_DIGITS,
            });
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For the defaults below, which are known to be valid.
    fn known(s: &'static str) -> Self {
        Self(s.to_owned())
    }
}

/// Which account of the plan: what [`AccountPlan::set`] changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountKind {
    Revenue,
    /// Revenue at one VAT rate (basis points), when it has its own account (French
    /// practice: 706100 at 20 %, …); otherwise [`AccountKind::Revenue`].
    RevenueAt(u32),
    /// VAT collected, every rate without its own account.
    Vat,
    /// VAT collected at one rate (basis points).
    VatAt(u32),
    /// The payment provider's fees.
    Fees,
    /// Where online payments wait for Stripe's payout; every online method uses it.
    StripeClearing,
    /// The bank account Stripe pays out to.
    Bank,
    /// Money received for visits not yet made.
    CustomerAdvances,
    CashOver,
    CashShort,
    /// A payment method's account; an online method's is [`AccountKind::StripeClearing`].
    Method(PaymentMethod),
}

impl crate::validation::ErrorCode for AccountError {
    fn code(&self) -> &'static str {
        match self {
            AccountError::Empty => "required",
            AccountError::NotDigits
            | AccountError::TooShort { .. }
            | AccountError::TooLong { .. } => "invalid_account_number",
            AccountError::VatRate => "out_of_range",
            AccountError::JournalCode => "invalid_journal_code",
        }
    }
}

impl AccountKind {
    /// The kinds an organization sets, by their settings key, in the form's order: every
    /// account but the per-rate ones.
    pub const SETTABLE: [(&'static str, AccountKind); 19] = {
        use PaymentMethod as M;
        [
            ("revenue", AccountKind::Revenue),
            ("vat", AccountKind::Vat),
            ("cash", AccountKind::Method(M::Cash)),
            ("card_terminal", AccountKind::Method(M::CardTerminal)),
            ("bancontact", AccountKind::Method(M::Bancontact)),
            ("virtual_terminal", AccountKind::Method(M::VirtualTerminal)),
            ("bank_transfer", AccountKind::Method(M::BankTransfer)),
            ("ancv_paper", AccountKind::Method(M::AncvPaper)),
            ("ancv_electronic", AccountKind::Method(M::AncvElectronic)),
            ("gift_voucher", AccountKind::Method(M::GiftVoucher)),
            ("gift_card", AccountKind::Method(M::GiftCard)),
            ("store_credit", AccountKind::Method(M::StoreCredit)),
            ("other", AccountKind::Method(M::Other)),
            ("stripe_clearing", AccountKind::StripeClearing),
            ("fees", AccountKind::Fees),
            ("bank", AccountKind::Bank),
            ("customer_advances", AccountKind::CustomerAdvances),
            ("cash_over", AccountKind::CashOver),
            ("cash_short", AccountKind::CashShort),
        ]
    };
}

/// Which country's chart of accounts the defaults follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Country {
    /// Belgian PCMN, the generic CSV.
    #[default]
    Be,
    /// French PCG; the FEC.
    Fr,
}

impl Country {
    pub const ALL: [Country; 2] = [Country::Be, Country::Fr];

    pub fn as_str(self) -> &'static str {
        match self {
            Country::Be => "BE",
            Country::Fr => "FR",
        }
    }

    /// `BE` or `FR`, any case.
    pub fn parse(s: &str) -> Option<Country> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The country's default plan.
    pub fn plan(self) -> AccountPlan {
        match self {
            Country::Be => AccountPlan::default(),
            Country::Fr => AccountPlan::french(),
        }
    }
}

/// A SIREN: 9 digits (spaces allowed as typed, dropped).
pub fn parse_siren(input: &str) -> Option<String> {
    let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (s.len() == 9 && s.chars().all(|c| c.is_ascii_digit())).then_some(s)
}

/// The accounts of the non-online payment methods, one each.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MethodAccounts {
    cash: AccountNumber,
    card_terminal: AccountNumber,
    virtual_terminal: AccountNumber,
    bank_transfer: AccountNumber,
    ancv_paper: AccountNumber,
    ancv_electronic: AccountNumber,
    gift_voucher: AccountNumber,
    gift_card: AccountNumber,
    bancontact: AccountNumber,
    other: AccountNumber,
    store_credit: AccountNumber,
}

/// The account numbers the journal uses, each configurable. [`AccountPlan::default`] follows
/// the Belgian PCMN, [`AccountPlan::french`] the French PCG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPlan {
    journal_code: String,
    revenue: AccountNumber,
    revenue_by_rate: BTreeMap<u32, AccountNumber>,
    vat: AccountNumber,
    vat_by_rate: BTreeMap<u32, AccountNumber>,
    fees: AccountNumber,
    stripe_clearing: AccountNumber,
    bank: AccountNumber,
    customer_advances: AccountNumber,
    cash_over: AccountNumber,
    cash_short: AccountNumber,
    methods: MethodAccounts,
}

impl Default for AccountPlan {
    /// Belgian PCMN: revenue 700000 (seed 000), VAT payable 451000, fees 650000 (seed 000),
    /// cash 570000, card slips and Stripe in transit 580000 "virements internes" (seed 000),
    /// bank 550000, vouchers 489000, ANCV 416000, advances 460000 "acomptes reçus", cash
    /// over 743000, cash short 643000.
    fn default() -> Self {
        let k = AccountNumber::known;
        Self {
            journal_code: "VE".into(),
            revenue: k(crate::stripe::DEFAULT_REVENUE_ACCOUNT),
            revenue_by_rate: BTreeMap::new(),
            vat: k("451000"),
            vat_by_rate: BTreeMap::new(),
            fees: k(crate::stripe::DEFAULT_FEES_ACCOUNT),
            stripe_clearing: k(crate::stripe::DEFAULT_BANK_ACCOUNT),
            bank: k("550000"),
            customer_advances: k("460000"),
            cash_over: k("743000"),
            cash_short: k("643000"),
            methods: MethodAccounts {
                cash: k("570000"),
                card_terminal: k("580000"),
                virtual_terminal: k("580000"),
                bank_transfer: k("550000"),
                ancv_paper: k("416000"),
                ancv_electronic: k("416000"),
                gift_voucher: k("489000"),
                gift_card: k("489000"),
                bancontact: k("580000"),
                other: k("580000"),
                store_credit: k("489000"),
            },
        }
    }
}

impl AccountPlan {
    /// French PCG: revenue 706000 (services), VAT collected 445710, cash 530000, bank
    /// 512000, vouchers and advances 419100, ANCV 411000, cash over 758000, cash short
    /// 658000. Fees stay 650000, as the seed's accountants book them (the PCG's own would be
    /// 627800); transfers in transit stay 580000.
    pub fn french() -> Self {
        let k = AccountNumber::known;
        let base = Self::default();
        Self {
            revenue: k("706000"),
            vat: k("445710"),
            bank: k("512000"),
            customer_advances: k("419100"),
            cash_over: k("758000"),
            cash_short: k("658000"),
            methods: MethodAccounts {
                cash: k("530000"),
                bank_transfer: k("512000"),
                ancv_paper: k("411000"),
                ancv_electronic: k("411000"),
                gift_voucher: k("419100"),
                gift_card: k("419100"),
                store_credit: k("419100"),
                ..base.methods.clone()
            },
            ..base
        }
    }

    /// Sets one account; an online method sets the Stripe clearing account they share.
    pub fn set(&mut self, kind: AccountKind, number: &str) -> Result<(), AccountError> {
        let number = AccountNumber::parse(number)?;
        match kind {
            AccountKind::RevenueAt(bp) => {
                self.revenue_by_rate.insert(checked_rate(bp)?, number);
            }
            AccountKind::VatAt(bp) => {
                self.vat_by_rate.insert(checked_rate(bp)?, number);
            }
            other => *self.slot_mut(other) = number,
        }
        Ok(())
    }

    /// The account of `kind`; a rate without its own account gives the common one.
    pub fn account(&self, kind: AccountKind) -> &str {
        match kind {
            AccountKind::RevenueAt(bp) => self.revenue_by_rate.get(&bp).unwrap_or(&self.revenue),
            AccountKind::VatAt(bp) => self.vat_by_rate.get(&bp).unwrap_or(&self.vat),
            other => self.slot(other),
        }
        .as_str()
    }

    /// The account a payment by `method` is debited to.
    pub fn account_for(&self, method: PaymentMethod) -> &str {
        self.account(AccountKind::Method(method))
    }

    /// The journal's code (FEC JournalCode), `VE` unless set.
    pub fn journal_code(&self) -> &str {
        &self.journal_code
    }

    /// 1 to 10 ASCII letters or digits, as accounting packages accept them.
    pub fn set_journal_code(&mut self, code: &str) -> Result<(), AccountError> {
        let code = code.trim();
        let fits =
            (1..=10).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric());
        if !fits {
            return Err(AccountError::JournalCode);
        }
        self.journal_code = code.to_owned();
        Ok(())
    }

    /// The per-rate overrides are handled by the callers: every other kind has one field.
    fn slot(&self, kind: AccountKind) -> &AccountNumber {
        match kind {
            AccountKind::Revenue | AccountKind::RevenueAt(_) => &self.revenue,
            AccountKind::Vat | AccountKind::VatAt(_) => &self.vat,
            AccountKind::Fees => &self.fees,
            AccountKind::StripeClearing => &self.stripe_clearing,
            AccountKind::Bank => &self.bank,
            AccountKind::CustomerAdvances => &self.customer_advances,
            AccountKind::CashOver => &self.cash_over,
            AccountKind::CashShort => &self.cash_short,
            AccountKind::Method(m) => self.methods.slot(m).unwrap_or(&self.stripe_clearing),
        }
    }

    fn slot_mut(&mut self, kind: AccountKind) -> &mut AccountNumber {
        match kind {
            AccountKind::Revenue | AccountKind::RevenueAt(_) => &mut self.revenue,
            AccountKind::Vat | AccountKind::VatAt(_) => &mut self.vat,
            AccountKind::Fees => &mut self.fees,
            AccountKind::StripeClearing => &mut self.stripe_clearing,
            AccountKind::Bank => &mut self.bank,
            AccountKind::CustomerAdvances => &mut self.customer_advances,
            AccountKind::CashOver => &mut self.cash_over,
            AccountKind::CashShort => &mut self.cash_short,
            AccountKind::Method(m) => match self.methods.slot_mut(m) {
                Some(slot) => slot,
                None => &mut self.stripe_clearing,
            },
        }
    }
}

fn checked_rate(bp: u32) -> Result<u32, AccountError> {
    if bp <= crate::money::VatRate::MAX_BASIS_POINTS {
        Ok(bp)
    } else {
        Err(AccountError::VatRate)
    }
}

impl MethodAccounts {
    /// `None` for the online methods, which share the Stripe clearing account.
    fn slot(&self, m: PaymentMethod) -> Option<&AccountNumber> {
        use PaymentMethod as M;
        Some(match m {
            M::Cash => &self.cash,
            M::CardTerminal => &self.card_terminal,
            M::VirtualTerminal => &self.virtual_terminal,
            M::BankTransfer => &self.bank_transfer,
            M::AncvPaper => &self.ancv_paper,
            M::AncvElectronic => &self.ancv_electronic,
            M::GiftVoucher => &self.gift_voucher,
            M::GiftCard => &self.gift_card,
            M::Bancontact => &self.bancontact,
            M::Other => &self.other,
            M::StoreCredit => &self.store_credit,
            M::OnlineCard | M::BancontactOnline | M::IdealOnline => return None,
        })
    }

    fn slot_mut(&mut self, m: PaymentMethod) -> Option<&mut AccountNumber> {
        use PaymentMethod as M;
        Some(match m {
            M::Cash => &mut self.cash,
            M::CardTerminal => &mut self.card_terminal,
            M::VirtualTerminal => &mut self.virtual_terminal,
            M::BankTransfer => &mut self.bank_transfer,
            M::AncvPaper => &mut self.ancv_paper,
            M::AncvElectronic => &mut self.ancv_electronic,
            M::GiftVoucher => &mut self.gift_voucher,
            M::GiftCard => &mut self.gift_card,
            M::Bancontact => &mut self.bancontact,
            M::Other => &mut self.other,
            M::StoreCredit => &mut self.store_credit,
            M::OnlineCard | M::BancontactOnline | M::IdealOnline => return None,
        })
    }
}

/// The texts of a journal, in the accountant's language: account labels (CompteLib) by what
/// the account holds, line labels (EcritureLib) by what the line records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The journal's name (JournalLib).
    pub journal: String,
    // Account labels.
    pub revenue_account: String,
    pub vat_account: String,
    pub fees_account: String,
    pub cash_account: String,
    /// Card slips, Bancontact and Stripe money in transit to the bank.
    pub transfers_account: String,
    pub bank_account: String,
    /// Gift vouchers, gift cards and store credit: owed to their holders until used.
    pub vouchers_account: String,
    pub ancv_account: String,
    pub advances_account: String,
    pub cash_over_account: String,
    pub cash_short_account: String,
    // Line labels; the VAT rate follows `sales` and `vat`.
    pub sales: String,
    pub vat: String,
    pub receipts: String,
    pub refunds: String,
    pub advances_received: String,
    pub advances_used: String,
    pub cash_over: String,
    pub cash_short: String,
    pub fees: String,
    pub payout: String,
}

impl Labels {
    pub fn for_language(language: Language) -> Self {
        match language {
            Language::Fr => Self::french(),
            Language::Nl => Self::dutch(),
            Language::En => Self::english(),
        }
    }

    pub fn french() -> Self {
        Self::from_texts([
            "Ventes et encaissements",
            "Ventes et prestations de services",
            "TVA collectée",
            "Commissions du prestataire de paiement",
            "Caisse",
            "Virements internes",
            "Banque",
            "Bons et cartes cadeaux en circulation",
            "Chèques-vacances ANCV à encaisser",
            "Acomptes reçus sur commandes",
            "Excédents de caisse",
            "Déficits de caisse",
            "Ventes",
            "TVA",
            "Encaissements",
            "Remboursements",
            "Acomptes reçus (visites à venir)",
            "Acomptes imputés sur les ventes",
            "Excédent de caisse",
            "Manquant de caisse",
            "Frais Stripe",
            "Virement Stripe",
        ])
    }

    pub fn dutch() -> Self {
        Self::from_texts([
            "Verkopen en ontvangsten",
            "Verkopen en dienstprestaties",
            "Verschuldigde btw",
            "Commissies betaalprovider",
            "Kas",
            "Interne overboekingen",
            "Bank",
            "Uitstaande cadeaubonnen en -kaarten",
            "Te innen ANCV-vakantiecheques",
            "Ontvangen vooruitbetalingen op bestellingen",
            "Kasoverschotten",
            "Kastekorten",
            "Verkopen",
            "Btw",
            "Ontvangsten",
            "Terugbetalingen",
            "Ontvangen voorschotten (komende bezoeken)",
            "Verrekende voorschotten",
            "Kasoverschot",
            "Kastekort",
            "Stripe-kosten",
            "Stripe-uitbetaling",
        ])
    }

    pub fn english() -> Self {
        Self::from_texts([
            "Sales and receipts",
            "Sales and services",
            "Output VAT",
            "Payment provider fees",
            "Cash",
            "Transfers in transit",
            "Bank",
            "Gift vouchers and cards outstanding",
            "ANCV holiday vouchers receivable",
            "Customer advances",
            "Cash over",
            "Cash short",
            "Sales",
            "VAT",
            "Receipts",
            "Refunds",
            "Advances received (visits to come)",
            "Advances applied to sales",
            "Cash over",
            "Cash short",
            "Stripe fees",
            "Stripe payout",
        ])
    }

    /// In the order of the fields.
    fn from_texts(t: [&str; 22]) -> Self {
        let [
            journal,
            revenue_account,
            vat_account,
            fees_account,
            cash_account,
            transfers_account,
            bank_account,
            vouchers_account,
            ancv_account,
            advances_account,
            cash_over_account,
            cash_short_account,
            sales,
            vat,
            receipts,
            refunds,
            advances_received,
            advances_used,
            cash_over,
            cash_short,
            fees,
            payout,
        ] = t.map(str::to_owned);
        Self {
            journal,
            revenue_account,
            vat_account,
            fees_account,
            cash_account,
            transfers_account,
            bank_account,
            vouchers_account,
            ancv_account,
            advances_account,
            cash_over_account,
            cash_short_account,
            sales,
            vat,
            receipts,
            refunds,
            advances_received,
            advances_used,
            cash_over,
            cash_short,
            fees,
            payout,
        }
    }

    /// The label of the account a payment by `method` goes to.
    fn method_account(&self, method: PaymentMethod) -> &str {
        use PaymentMethod as M;
        match method {
            M::Cash => &self.cash_account,
            M::BankTransfer => &self.bank_account,
            M::AncvPaper | M::AncvElectronic => &self.ancv_account,
            M::GiftVoucher | M::GiftCard | M::StoreCredit => &self.vouchers_account,
            M::CardTerminal
            | M::VirtualTerminal
            | M::Bancontact
            | M::Other
            | M::OnlineCard
            | M::BancontactOnline
            | M::IdealOnline => &self.transfers_account,
        }
    }
}

/// Revenue recognised at one VAT rate; net = gross − VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateRevenue {
    pub vat_rate_bp: u32,
    pub gross_cents: i64,
    pub vat_cents: i64,
}

/// One organization's figures for one day or one month, as the store reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodFigures {
    /// The entry's date: the day, or the month's last day.
    pub date: Date,
    /// Revenue recognised in the period: register sales on their sale day, online orders on
    /// their visit date.
    pub revenue: Vec<RateRevenue>,
    /// Money received in the period by method; a refund is negative.
    pub payments: Vec<(PaymentMethod, i64)>,
    /// The Z reports' counted − expected cash: positive when the drawer held more.
    pub cash_difference_cents: i64,
    /// Stripe's fees on the period's payments.
    pub provider_fees_cents: i64,
    /// Stripe's payouts that reached the bank in the period.
    pub payouts_cents: i64,
}

/// One journal line. Exactly one of debit and credit is nonzero, and neither is negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub journal_code: String,
    pub journal_label: String,
    /// Lines of one entry share it; [`number_entries`] makes it sequential per journal.
    pub entry_number: String,
    pub date: Date,
    pub account: String,
    pub account_label: String,
    pub piece: String,
    pub label: String,
    pub debit_cents: i64,
    pub credit_cents: i64,
}

/// A line before sides: positive is a debit, negative a credit.
struct Signed {
    account: String,
    account_label: String,
    label: String,
    amount: i128,
}

/// The period's entry: see the module's rules. Its lines are numbered `1`; number a file's
/// entries with [`number_entries`] (the FEC does it itself). Lines with the same account,
/// side and label are merged (payments of two methods on one account become one line; the
/// per-rate revenue and VAT lines, labelled with their rate, stay apart for the VAT return),
/// and empty lines are left out.
pub fn journal(
    figures: &PeriodFigures,
    plan: &AccountPlan,
    piece: &str,
    labels: &Labels,
) -> Vec<Entry> {
    let mut lines = revenue_lines(figures, plan, labels);
    lines.extend(payment_lines(figures, plan, labels));
    lines.extend(advance_line(figures, plan, labels));
    lines.extend(cash_difference_lines(figures, plan, labels));
    lines.extend(stripe_lines(figures, plan, labels));
    let lines = one_label_per_account(lines);
    merged(lines)
        .into_iter()
        .flat_map(|(account, account_label, label, debit, credit)| {
            sided(debit, credit).map(move |(d, c)| Entry {
                journal_code: plan.journal_code.clone(),
                journal_label: labels.journal.clone(),
                entry_number: "1".into(),
                date: figures.date,
                account: account.clone(),
                account_label: account_label.clone(),
                piece: piece.to_owned(),
                label: label.clone(),
                debit_cents: d,
                credit_cents: c,
            })
        })
        .collect()
}

fn line(account: &str, account_label: &str, label: String, amount: i128) -> Signed {
    Signed {
        account: account.to_owned(),
        account_label: account_label.to_owned(),
        label,
        amount,
    }
}

fn with_rate(text: &str, bp: u32) -> String {
    format!("{text} {}", percent_text(bp)).trim_end().to_owned()
}

/// Each rate's net to revenue, its VAT to VAT: both credits.
fn revenue_lines(f: &PeriodFigures, plan: &AccountPlan, l: &Labels) -> Vec<Signed> {
    f.revenue
        .iter()
        .flat_map(|r| {
            let (gross, vat) = (i128::from(r.gross_cents), i128::from(r.vat_cents));
            let bp = r.vat_rate_bp;
            [
                line(
                    plan.account(AccountKind::RevenueAt(bp)),
                    &l.revenue_account,
                    with_rate(&l.sales, bp),
                    -(gross - vat),
                ),
                line(
                    plan.account(AccountKind::VatAt(bp)),
                    &l.vat_account,
                    with_rate(&l.vat, bp),
                    -vat,
                ),
            ]
        })
        .collect()
}

/// What each method received, debited to its account; a refund is a credit.
fn payment_lines<'a>(
    f: &'a PeriodFigures,
    plan: &'a AccountPlan,
    l: &'a Labels,
) -> impl Iterator<Item = Signed> + 'a {
    f.payments.iter().map(|&(method, cents)| {
        let label = if cents < 0 { &l.refunds } else { &l.receipts };
        line(
            plan.account_for(method),
            l.method_account(method),
            label.clone(),
            i128::from(cents),
        )
    })
}

/// Received − recognised: an advance taken (credit) or used up (debit).
fn advance_line(f: &PeriodFigures, plan: &AccountPlan, l: &Labels) -> Option<Signed> {
    let received: i128 = f.payments.iter().map(|&(_, c)| i128::from(c)).sum();
    let recognised: i128 = f.revenue.iter().map(|r| i128::from(r.gross_cents)).sum();
    let advance = received - recognised;
    let label = if advance > 0 {
        &l.advances_received
    } else {
        &l.advances_used
    };
    let account = plan.account(AccountKind::CustomerAdvances);
    (advance != 0).then(|| line(account, &l.advances_account, label.clone(), -advance))
}

/// Over: more cash in the drawer (debit cash) against a gain. Short: a loss against cash.
fn cash_difference_lines(f: &PeriodFigures, plan: &AccountPlan, l: &Labels) -> Vec<Signed> {
    let diff = i128::from(f.cash_difference_cents);
    let cash = plan.account_for(PaymentMethod::Cash);
    let (other, other_label, label) = if diff >= 0 {
        (AccountKind::CashOver, &l.cash_over_account, &l.cash_over)
    } else {
        (AccountKind::CashShort, &l.cash_short_account, &l.cash_short)
    };
    vec![
        line(cash, &l.cash_account, label.clone(), diff),
        line(plan.account(other), other_label, label.clone(), -diff),
    ]
}

/// Fees come out of the money Stripe holds; a payout moves it to the bank.
fn stripe_lines(f: &PeriodFigures, plan: &AccountPlan, l: &Labels) -> Vec<Signed> {
    let clearing = plan.account(AccountKind::StripeClearing);
    let (fees, payouts) = (
        i128::from(f.provider_fees_cents),
        i128::from(f.payouts_cents),
    );
    vec![
        line(
            plan.account(AccountKind::Fees),
            &l.fees_account,
            l.fees.clone(),
            fees,
        ),
        line(clearing, &l.transfers_account, l.fees.clone(), -fees),
        line(
            plan.account(AccountKind::Bank),
            &l.bank_account,
            l.payout.clone(),
            payouts,
        ),
        line(clearing, &l.transfers_account, l.payout.clone(), -payouts),
    ]
}

/// An account number keeps one label (the first line's) when several kinds share it, as
/// the FEC expects one CompteLib per CompteNum.
fn one_label_per_account(mut lines: Vec<Signed>) -> Vec<Signed> {
    let mut first: HashMap<String, String> = HashMap::new();
    for l in &lines {
        first
            .entry(l.account.clone())
            .or_insert_with(|| l.account_label.clone());
    }
    for l in &mut lines {
        if let Some(label) = first.get(&l.account) {
            l.account_label.clone_from(label);
        }
    }
    lines
}

/// Sums the debits and the credits of each (account, label), in order of first appearance:
/// `(account, account label, label, debit, credit)`, zeros left out.
fn merged(lines: Vec<Signed>) -> Vec<(String, String, String, i128, i128)> {
    let mut out: Vec<(String, String, String, i128, i128)> = Vec::new();
    for l in lines.into_iter().filter(|l| l.amount != 0) {
        let is_debit = l.amount > 0;
        let same = out.iter_mut().find(|(a, _, lab, d, c)| {
            *a == l.account && *lab == l.label && (if is_debit { *d > 0 } else { *c > 0 })
        });
        let (d, c) = if is_debit {
            (l.amount, 0)
        } else {
            (0, -l.amount)
        };
        match same {
            Some(m) => {
                m.3 += d;
                m.4 += c;
            }
            None => out.push((l.account, l.account_label, l.label, d, c)),
        }
    }
    out
}

/// One side's amount as `(debit, credit)` lines of at most `i64::MAX` cents each (more is
/// only reachable with absurd input, but splitting keeps the entry balanced).
fn sided(debit: i128, credit: i128) -> impl Iterator<Item = (i64, i64)> {
    let max = i128::from(i64::MAX);
    let is_debit = debit > 0;
    let mut rest = debit.max(credit);
    std::iter::from_fn(move || {
        if rest <= 0 {
            return None;
        }
        let part = rest.min(max);
        rest -= part;
        let part = i64::try_from(part).unwrap_or(i64::MAX);
        Some(if is_debit { (part, 0) } else { (0, part) })
    })
}

/// Debits equal credits.
pub fn balanced(entries: &[Entry]) -> bool {
    let debit: i128 = entries.iter().map(|e| i128::from(e.debit_cents)).sum();
    let credit: i128 = entries.iter().map(|e| i128::from(e.credit_cents)).sum();
    debit == credit
}

/// The entry numbers a file needs: 1, 2, 3… per journal, a new number each time a journal's
/// line starts a different entry (another entry number, date or piece than its previous line).
fn sequential_numbers(entries: &[Entry]) -> Vec<u64> {
    let mut last: HashMap<&str, (u64, (&str, Date, &str))> = HashMap::new();
    entries
        .iter()
        .map(|e| {
            let key = (e.entry_number.as_str(), e.date, e.piece.as_str());
            let slot = last.entry(e.journal_code.as_str()).or_insert((0, key));
            if slot.0 == 0 || slot.1 != key {
                *slot = (slot.0 + 1, key);
            }
            slot.0
        })
        .collect()
}

/// Numbers a file's entries sequentially per journal (see [`sequential_numbers`]); the
/// periods' journals are concatenated first, in date order.
pub fn number_entries(entries: &mut [Entry]) {
    let numbers = sequential_numbers(entries);
    for (e, n) in entries.iter_mut().zip(numbers) {
        e.entry_number = n.to_string();
    }
}

/// The FEC's columns in their legal order (article A47 A-1 of the Livre des procédures
/// fiscales).
pub const FEC_COLUMNS: [&str; 18] = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
];

/// `20210312`.
fn fec_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// `1234,50`: a decimal comma, no thousands separator.
pub fn decimal_comma(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

/// The FEC has no quoting: a tab, a pipe or a line break in a text would break its columns.
fn fec_field(s: &str) -> String {
    s.chars()
        .map(|c| {
            if matches!(c, '\t' | '|' | '\r' | '\n') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The FEC's rows, without the header ([`FEC_COLUMNS`]). EcritureNum is numbered here,
/// sequentially per journal, whatever the lines carry; the piece date and the validation date
/// are the entry's date; no lettering, no currency.
pub fn fec_rows(entries: &[Entry]) -> Vec<[String; 18]> {
    entries
        .iter()
        .zip(sequential_numbers(entries))
        .map(|(e, n)| {
            let date = fec_date(e.date);
            [
                fec_field(&e.journal_code),
                fec_field(&e.journal_label),
                n.to_string(),
                date.clone(),
                fec_field(&e.account),
                fec_field(&e.account_label),
                String::new(),
                String::new(),
                fec_field(&e.piece),
                date.clone(),
                fec_field(&e.label),
                decimal_comma(e.debit_cents),
                decimal_comma(e.credit_cents),
                String::new(),
                String::new(),
                date,
                String::new(),
                String::new(),
            ]
        })
        .collect()
}

/// The whole FEC: the header and the rows, tab-separated, CRLF line ends. Text is UTF-8;
/// a caller needing ISO-8859-15 converts it.
pub fn fec_text_file(entries: &[Entry]) -> String {
    let mut out = FEC_COLUMNS.join("\t");
    out.push_str("\r\n");
    for row in fec_rows(entries) {
        out.push_str(&row.join("\t"));
        out.push_str("\r\n");
    }
    out
}

/// `{SIREN}FEC{YYYYMMDD}.txt`, the closing date of the financial year (spaces in the SIREN
/// dropped).
pub fn fec_file_name(siren: &str, closing: Date) -> String {
    let siren: String = siren.chars().filter(|c| !c.is_whitespace()).collect();
    format!("{siren}FEC{}.txt", fec_date(closing))
}

/// The generic CSV's columns, as keys; [`generic_headers`] gives them in a language.
pub const GENERIC_COLUMNS: [&str; 7] = [
    "date", "journal", "piece", "account", "label", "debit", "credit",
];

/// The generic CSV's header in the accountant's language.
pub fn generic_headers(language: Language) -> [&'static str; 7] {
    match language {
        Language::Fr => [
            "Date", "Journal", "Pièce", "Compte", "Libellé", "Débit", "Crédit",
        ],
        Language::Nl => [
            "Datum",
            "Dagboek",
            "Stuk",
            "Rekening",
            "Omschrijving",
            "Debet",
            "Credit",
        ],
        Language::En => [
            "Date", "Journal", "Piece", "Account", "Label", "Debit", "Credit",
        ],
    }
}

/// Rows for Belgian packages, in [`GENERIC_COLUMNS`]' order: dates `12/03/2021`, amounts
/// with a decimal comma (`0,00` on the empty side).
pub fn generic_rows(entries: &[Entry]) -> Vec<Vec<String>> {
    entries
        .iter()
        .map(|e| {
            vec![
                format!(
                    "{:02}/{:02}/{:04}",
                    e.date.day(),
                    e.date.month(),
                    e.date.year()
                ),
                e.journal_code.clone(),
                e.piece.clone(),
                e.account.clone(),
                e.label.clone(),
                decimal_comma(e.debit_cents),
                decimal_comma(e.credit_cents),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentMethod as M;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn rate(vat_rate_bp: u32, gross_cents: i64, vat_cents: i64) -> RateRevenue {
        RateRevenue {
            vat_rate_bp,
            gross_cents,
            vat_cents,
        }
    }

    fn figures(date: Date) -> PeriodFigures {
        PeriodFigures {
            date,
            revenue: vec![],
            payments: vec![],
            cash_difference_cents: 0,
            provider_fees_cents: 0,
            payouts_cents: 0,
        }
    }

    /// (account, label, debit, credit)
    fn lines(entries: &[Entry]) -> Vec<(&str, &str, i64, i64)> {
        entries
            .iter()
            .map(|e| {
                (
                    e.account.as_str(),
                    e.label.as_str(),
                    e.debit_cents,
                    e.credit_cents,
                )
            })
            .collect()
    }

    /// Seed 000: a 50,00 € online ticket at 6 % bought on 01/03/2021 for a visit on
    /// 12/03/2021 (Stripe fee 1,50 €, payout 49,50 €), and the register's day of 12/03/2021:
    /// 120,00 € cash and 80,00 € card for 121,00 € at 21 % and 79,00 € at 6 %.
    fn seed_days() -> (PeriodFigures, PeriodFigures) {
        let booking = PeriodFigures {
            payments: vec![(M::OnlineCard, 5000)],
            provider_fees_cents: 150,
            ..figures(date(2021, 3, 1))
        };
        let online_vat =
            crate::money::vat_included(5000, crate::VatRate::parse_percent("6").unwrap());
        let register_vat =
            crate::money::vat_included(7900, crate::VatRate::parse_percent("6").unwrap());
        assert_eq!((online_vat, register_vat), (283, 447));
        let visit = PeriodFigures {
            revenue: vec![rate(2100, 12100, 2100), rate(600, 12900, 283 + 447)],
            payments: vec![(M::Cash, 12000), (M::CardTerminal, 8000)],
            payouts_cents: 4950,
            ..figures(date(2021, 3, 12))
        };
        (booking, visit)
    }

    #[test]
    fn the_seed_days_in_belgian_accounts() {
        let (booking, visit) = seed_days();
        let plan = AccountPlan::default();
        let labels = Labels::french();
        let day1 = journal(&booking, &plan, "Z-20210301", &labels);
        assert_eq!(
            lines(&day1),
            vec![
                ("580000", "Encaissements", 5000, 0),
                ("460000", "Acomptes reçus (visites à venir)", 0, 5000),
                ("650000", "Frais Stripe", 150, 0),
                ("580000", "Frais Stripe", 0, 150),
            ]
        );
        let day2 = journal(&visit, &plan, "Z-20210312", &labels);
        assert_eq!(
            lines(&day2),
            vec![
                ("700000", "Ventes 21 %", 0, 10000),
                ("451000", "TVA 21 %", 0, 2100),
                ("700000", "Ventes 6 %", 0, 12170),
                ("451000", "TVA 6 %", 0, 730),
                ("570000", "Encaissements", 12000, 0),
                ("580000", "Encaissements", 8000, 0),
                ("460000", "Acomptes imputés sur les ventes", 5000, 0),
                ("550000", "Virement Stripe", 4950, 0),
                ("580000", "Virement Stripe", 0, 4950),
            ]
        );
        assert!(balanced(&day1) && balanced(&day2));
        // One label per account number, the first one's.
        assert!(
            day2.iter()
                .filter(|e| e.account == "580000")
                .all(|e| e.account_label == "Virements internes")
        );
        assert!(
            day2.iter()
                .all(|e| e.journal_code == "VE" && e.piece == "Z-20210312" && e.date == visit.date)
        );
        // Over both days the advance comes back to zero. The clearing account (less the card
        // slips) ends at −1,00 €: the brief's payout, 49,50 €, is 1,00 € more than this
        // payment's 50,00 − 1,50, so it carried other payments too; the journal shows it.
        let both: Vec<Entry> = day1.into_iter().chain(day2).collect();
        let net = |account: &str| -> i64 {
            both.iter()
                .filter(|e| e.account == account)
                .map(|e| e.debit_cents - e.credit_cents)
                .sum()
        };
        assert_eq!((net("460000"), net("580000") - 8000), (0, -100));
    }

    #[test]
    fn the_seed_days_in_french_accounts() {
        let (booking, visit) = seed_days();
        let plan = AccountPlan::french();
        let day2 = journal(&visit, &plan, "Z", &Labels::french());
        let accounts: Vec<&str> = day2.iter().map(|e| e.account.as_str()).collect();
        assert_eq!(
            accounts,
            [
                "706000", "445710", "706000", "445710", "530000", "580000", "419100", "512000",
                "580000"
            ]
        );
        let day1 = journal(&booking, &plan, "Z", &Labels::french());
        assert_eq!(day1[1].account, "419100");
        assert_eq!(day1[2].account, "650000");
    }

    #[test]
    fn payments_on_one_account_merge_and_refunds_stay_apart() {
        let f = PeriodFigures {
            payments: vec![
                (M::CardTerminal, 3000),
                (M::Bancontact, 2000),
                (M::Other, 0),
                (M::Cash, 1000),
                (M::Cash, -400),
                (M::GiftVoucher, 500),
                (M::GiftCard, 700),
            ],
            revenue: vec![rate(2100, 6800, 1180)],
            ..figures(date(2021, 3, 12))
        };
        let entries = journal(&f, &AccountPlan::default(), "P", &Labels::english());
        assert_eq!(
            lines(&entries),
            vec![
                ("700000", "Sales 21 %", 0, 5620),
                ("451000", "VAT 21 %", 0, 1180),
                ("580000", "Receipts", 5000, 0),
                ("570000", "Receipts", 1000, 0),
                ("570000", "Refunds", 0, 400),
                ("489000", "Receipts", 1200, 0),
            ]
        );
        assert!(balanced(&entries));
    }

    #[test]
    fn cash_over_and_short() {
        let plan = AccountPlan::default();
        let labels = Labels::dutch();
        let over = PeriodFigures {
            cash_difference_cents: 20,
            ..figures(date(2021, 3, 12))
        };
        assert_eq!(
            lines(&journal(&over, &plan, "Z", &labels)),
            vec![
                ("570000", "Kasoverschot", 20, 0),
                ("743000", "Kasoverschot", 0, 20)
            ]
        );
        let short = PeriodFigures {
            cash_difference_cents: -150,
            ..over
        };
        assert_eq!(
            lines(&journal(&short, &plan, "Z", &labels)),
            vec![
                ("570000", "Kastekort", 0, 150),
                ("643000", "Kastekort", 150, 0)
            ]
        );
    }

    #[test]
    fn an_empty_period_has_no_lines() {
        let f = PeriodFigures {
            revenue: vec![rate(2100, 0, 0)],
            payments: vec![(M::Cash, 0)],
            ..figures(date(2021, 3, 12))
        };
        assert!(journal(&f, &AccountPlan::default(), "Z", &Labels::french()).is_empty());
    }

    #[test]
    fn rate_overrides_and_configured_accounts() {
        let mut plan = AccountPlan::french();
        plan.set(AccountKind::RevenueAt(2000), "706120").unwrap();
        plan.set(AccountKind::VatAt(2000), "445712").unwrap();
        plan.set(AccountKind::Method(M::IdealOnline), "511500")
            .unwrap();
        assert_eq!(plan.account(AccountKind::RevenueAt(2000)), "706120");
        assert_eq!(plan.account(AccountKind::RevenueAt(550)), "706000");
        assert_eq!(plan.account(AccountKind::VatAt(550)), "445710");
        // The online methods share the clearing account.
        assert_eq!(plan.account_for(M::OnlineCard), "511500");
        assert_eq!(plan.account(AccountKind::StripeClearing), "511500");
        assert_eq!(plan.account_for(M::CardTerminal), "580000");
        plan.set(AccountKind::Method(M::Cash), " 531000 ").unwrap();
        assert_eq!(plan.account_for(M::Cash), "531000");
        plan.set_journal_code("CA").unwrap();
        assert_eq!(plan.journal_code(), "CA");
    }

    #[test]
    fn refuses_bad_account_numbers() {
        let mut plan = AccountPlan::default();
        let set = |plan: &mut AccountPlan, n: &str| plan.set(AccountKind::Revenue, n);
        assert_eq!(set(&mut plan, " "), Err(AccountError::Empty));
        assert_eq!(set(&mut plan, "70a000"), Err(AccountError::NotDigits));
        assert_eq!(set(&mut plan, "700 000"), Err(AccountError::NotDigits));
        assert_eq!(set(&mut plan, "-70000"), Err(AccountError::NotDigits));
        assert_eq!(set(&mut plan, "70"), Err(AccountError::TooShort { min: 3 }));
        assert_eq!(
            set(&mut plan, &"7".repeat(21)),
            Err(AccountError::TooLong { max: 20 })
        );
        assert_eq!(
            plan.set(AccountKind::VatAt(10_001), "451000"),
            Err(AccountError::VatRate)
        );
        assert_eq!(plan.account(AccountKind::Revenue), "700000");
        assert!(set(&mut plan, "706").is_ok());
        assert!(set(&mut plan, &"7".repeat(20)).is_ok());
        assert_eq!(plan.set_journal_code(""), Err(AccountError::JournalCode));
        assert_eq!(plan.set_journal_code("V E"), Err(AccountError::JournalCode));
        assert_eq!(
            plan.set_journal_code("ABCDEFGHIJK"),
            Err(AccountError::JournalCode)
        );
        assert_eq!(plan.journal_code(), "VE");
    }

    fn parse_amount(s: &str) -> i128 {
        let (units, cents) = s.split_once(',').unwrap();
        assert_eq!(cents.len(), 2, "{s}");
        assert!(!units.contains(['.', ' ']), "{s}");
        units.parse::<i128>().unwrap() * 100 + cents.parse::<i128>().unwrap()
    }

    /// Sum of Debit = sum of Credit, over the file and within each EcritureNum.
    fn fec_balances(rows: &[[String; 18]]) -> bool {
        let mut by_entry: BTreeMap<(String, String), i128> = BTreeMap::new();
        for r in rows {
            *by_entry.entry((r[0].clone(), r[2].clone())).or_default() +=
                parse_amount(&r[11]) - parse_amount(&r[12]);
        }
        by_entry.values().all(|v| *v == 0)
    }

    #[test]
    fn settable_kinds_have_unique_keys_and_countries_parse() {
        let keys: std::collections::HashSet<&str> =
            AccountKind::SETTABLE.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys.len(), AccountKind::SETTABLE.len());
        assert_eq!(Country::parse(" fr"), Some(Country::Fr));
        assert_eq!(Country::parse("DE"), None);
        assert_eq!(Country::Fr.plan(), AccountPlan::french());
        assert_eq!(parse_siren("123 456 789").as_deref(), Some("123456789"));
        assert_eq!(parse_siren("12345678"), None);
        assert_eq!(parse_siren("12345678a"), None);
    }

    #[test]
    fn fec_columns_are_in_the_legal_order() {
        let legal = "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|\
                     CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|\
                     EcritureLet|DateLet|ValidDate|Montantdevise|Idevise";
        assert_eq!(FEC_COLUMNS.join("|"), legal);
        let file = fec_text_file(&[]);
        assert_eq!(file, format!("{}\r\n", FEC_COLUMNS.join("\t")));
    }

    #[test]
    fn fec_amounts_and_dates() {
        assert_eq!(decimal_comma(123_450), "1234,50");
        assert_eq!(decimal_comma(0), "0,00");
        assert_eq!(decimal_comma(5), "0,05");
        assert_eq!(decimal_comma(100_000_000), "1000000,00");
        assert_eq!(decimal_comma(-150), "-1,50");
        assert_eq!(
            fec_file_name("123 456 789", date(2021, 12, 31)),
            "123456789FEC20211231.txt"
        );
    }

    #[test]
    fn the_seed_days_as_a_fec() {
        let (booking, visit) = seed_days();
        let plan = AccountPlan::french();
        let labels = Labels::french();
        let mut entries = journal(&booking, &plan, "Z-20210301", &labels);
        entries.extend(journal(&visit, &plan, "Z-20210312", &labels));
        let rows = fec_rows(&entries);
        assert_eq!(rows.len(), 13);
        assert_eq!(
            rows[4],
            [
                "VE",
                "Ventes et encaissements",
                "2",
                "20210312",
                "706000",
                "Ventes et prestations de services",
                "",
                "",
                "Z-20210312",
                "20210312",
                "Ventes 21 %",
                "0,00",
                "100,00",
                "",
                "",
                "20210312",
                "",
                ""
            ]
            .map(String::from)
        );
        let numbers: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
        assert_eq!(numbers, [&["1"; 4][..], &["2"; 9][..]].concat());
        assert!(fec_balances(&rows));
        // Numbering is the FEC's own, and number_entries gives the same.
        number_entries(&mut entries);
        assert_eq!(fec_rows(&entries), rows);
        assert_eq!(entries[12].entry_number, "2");
    }

    #[test]
    fn fec_numbers_each_journal_on_its_own_and_cleans_texts() {
        let mut other = AccountPlan::default();
        other.set_journal_code("OD").unwrap();
        let day = |d| PeriodFigures {
            cash_difference_cents: 10,
            ..figures(date(2021, 3, d))
        };
        let mut labels = Labels::french();
        labels.cash_over = "Écart\tde|caisse\r\n".into();
        let plan = AccountPlan::default();
        let mut entries = journal(&day(1), &plan, "A", &labels);
        entries.extend(journal(&day(1), &other, "A", &labels));
        entries.extend(journal(&day(2), &plan, "B", &labels));
        let rows = fec_rows(&entries);
        let numbers: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r[0].as_str(), r[2].as_str()))
            .collect();
        assert_eq!(
            numbers,
            [
                ("VE", "1"),
                ("VE", "1"),
                ("OD", "1"),
                ("OD", "1"),
                ("VE", "2"),
                ("VE", "2")
            ]
        );
        assert_eq!(rows[0][10], "Écart de caisse  ");
        assert!(
            fec_text_file(&entries)
                .lines()
                .all(|l| l.split('\t').count() == 18)
        );
    }

    #[test]
    fn generic_rows_for_belgian_packages() {
        let (_, visit) = seed_days();
        let entries = journal(
            &visit,
            &AccountPlan::default(),
            "Z-20210312",
            &Labels::dutch(),
        );
        let rows = generic_rows(&entries);
        assert_eq!(
            rows[0],
            [
                "12/03/2021",
                "VE",
                "Z-20210312",
                "700000",
                "Verkopen 21 %",
                "0,00",
                "100,00"
            ]
        );
        assert_eq!(rows[4][5], "120,00");
        assert!(rows.iter().all(|r| r.len() == GENERIC_COLUMNS.len()));
        assert_eq!(
            generic_headers(Language::Fr).join(";"),
            "Date;Journal;Pièce;Compte;Libellé;Débit;Crédit"
        );
        assert_eq!(generic_headers(Language::Nl)[1], "Dagboek");
    }

    #[test]
    fn absurd_amounts_still_balance() {
        let f = PeriodFigures {
            revenue: vec![
                rate(2100, i64::MIN, i64::MAX),
                rate(2100, i64::MIN, i64::MAX),
            ],
            payments: vec![
                (M::Cash, i64::MAX),
                (M::Cash, i64::MAX),
                (M::Bancontact, i64::MIN),
            ],
            cash_difference_cents: i64::MIN,
            provider_fees_cents: i64::MAX,
            payouts_cents: i64::MIN,
            ..figures(date(2021, 3, 12))
        };
        let entries = journal(&f, &AccountPlan::default(), "Z", &Labels::english());
        assert!(balanced(&entries));
        assert!(entries.iter().all(|e| e.debit_cents >= 0
            && e.credit_cents >= 0
            && (e.debit_cents == 0) != (e.credit_cents == 0)));
        assert!(fec_balances(&fec_rows(&entries)));
    }

    fn any_method() -> impl Strategy<Value = PaymentMethod> {
        prop::sample::select(
            PaymentMethod::ALL
                .into_iter()
                .chain(PaymentMethod::ONLINE)
                .collect::<Vec<_>>(),
        )
    }

    fn any_plan() -> impl Strategy<Value = AccountPlan> {
        prop_oneof![
            Just(AccountPlan::default()),
            Just(AccountPlan::french()),
            Just({
                let mut p = AccountPlan::french();
                let _ = p.set(AccountKind::VatAt(550), "445711");
                let _ = p.set(AccountKind::RevenueAt(2000), "706120");
                let _ = p.set(AccountKind::StripeClearing, "511000");
                p
            }),
        ]
    }

    const AMOUNT: std::ops::Range<i64> = -100_000_000_000..100_000_000_000;

    fn any_figures() -> impl Strategy<Value = PeriodFigures> {
        let rates = prop::sample::select(vec![0u32, 550, 600, 1000, 1200, 2000, 2100]);
        (
            prop::collection::vec((rates, AMOUNT, AMOUNT), 0..6),
            prop::collection::vec((any_method(), AMOUNT), 0..10),
            AMOUNT,
            AMOUNT,
            AMOUNT,
        )
            .prop_map(|(revenue, payments, cash, fees, payouts)| PeriodFigures {
                date: date(2021, 3, 31),
                revenue: revenue.into_iter().map(|(r, g, v)| rate(r, g, v)).collect(),
                payments,
                cash_difference_cents: cash,
                provider_fees_cents: fees,
                payouts_cents: payouts,
            })
    }

    proptest! {
        #[test]
        fn every_journal_balances(f in any_figures(), plan in any_plan()) {
            let entries = journal(&f, &plan, "Z", &Labels::french());
            prop_assert!(balanced(&entries));
            for e in &entries {
                prop_assert!(e.debit_cents >= 0 && e.credit_cents >= 0, "{e:?}");
                prop_assert!((e.debit_cents == 0) != (e.credit_cents == 0), "{e:?}");
            }
            prop_assert!(fec_balances(&fec_rows(&entries)));
            // One line per account, side and label.
            let mut seen = std::collections::HashSet::new();
            for e in &entries {
                prop_assert!(seen.insert((&e.account, e.debit_cents > 0, &e.label)), "{e:?}");
            }
        }
    }
}
