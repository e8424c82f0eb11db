//! Importing customers from a spreadsheet (seed 003): which file column feeds which field of
//! the customer file, read from common headers in four languages; how a cell becomes a value
//! (dates in European order, yes/no words, country and language names); what is a warning
//! rather than an error. The file reading is in `guichet_integrations::imports`, the dry run
//! and the all-or-nothing write in the web services.

use crate::customer::CustomerInput;
use serde::{Deserialize, Serialize};

/// A field of the customer file a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// Guichet's customer id: the row updates that customer.
    Id,
    FirstName,
    LastName,
    Company,
    Email,
    Phone,
    Street,
    PostalCode,
    City,
    Province,
    Country,
    Language,
    BirthDate,
    Status,
    CustomerType,
    DiscountPercent,
    VatExempt,
    Institutional,
    Iban,
    Bic,
    BalanceLimit,
    Loyalty,
    Tags,
    Notes,
    ConsentEmail,
    ConsentSms,
    ConsentPost,
}

impl Column {
    pub const ALL: [Column; 27] = [
        Self::Id,
        Self::FirstName,
        Self::LastName,
        Self::Company,
        Self::Email,
        Self::Phone,
        Self::Street,
        Self::PostalCode,
        Self::City,
        Self::Province,
        Self::Country,
        Self::Language,
        Self::BirthDate,
        Self::Status,
        Self::CustomerType,
        Self::DiscountPercent,
        Self::VatExempt,
        Self::Institutional,
        Self::Iban,
        Self::Bic,
        Self::BalanceLimit,
        Self::Loyalty,
        Self::Tags,
        Self::Notes,
        Self::ConsentEmail,
        Self::ConsentSms,
        Self::ConsentPost,
    ];

    /// The field's name in forms and the API (`first_name`), which is also the name of the
    /// customer form's field its errors come back on.
    pub fn key(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Company => "company",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Street => "street",
            Self::PostalCode => "postal_code",
            Self::City => "city",
            Self::Province => "province",
            Self::Country => "country",
            Self::Language => "language",
            Self::BirthDate => "birth_date",
            Self::Status => "status",
            Self::CustomerType => "customer_type_id",
            Self::DiscountPercent => "discount_percent",
            Self::VatExempt => "vat_exempt",
            Self::Institutional => "institutional",
            Self::Iban => "iban",
            Self::Bic => "bic",
            Self::BalanceLimit => "balance_limit",
            Self::Loyalty => "loyalty",
            Self::Tags => "tags",
            Self::Notes => "notes",
            Self::ConsentEmail => "consent_email",
            Self::ConsentSms => "consent_sms",
            Self::ConsentPost => "consent_post",
        }
    }

    pub fn from_key(key: &str) -> Option<Column> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    /// Headers people use for it, folded (no accents, case, spaces or punctuation): English,
    /// French, Dutch, German, and the headers of Guichet's own customer export.
    fn headers(self) -> &'static [&'static str] {
        match self {
            Self::Id => &[
                "id",
                "customerid",
                "clientid",
                "identifiant",
                "identifiantcontact",
                "identifiantclient",
                "klantid",
                "klantnummer",
            ],
            Self::FirstName => &[
                "firstname",
                "first",
                "givenname",
                "forename",
                "prenom",
                "voornaam",
                "vorname",
            ],
            Self::LastName => &[
                "lastname",
                "last",
                "surname",
                "familyname",
                "name",
                "nom",
                "nomdefamille",
                "achternaam",
                "naam",
                "familienaam",
                "nachname",
            ],
            Self::Company => &[
                "company",
                "companyname",
                "organisation",
                "organization",
                "societe",
                "entreprise",
                "raisonsociale",
                "bedrijf",
                "firma",
                "unternehmen",
            ],
            Self::Email => &[
                "email",
                "emailaddress",
                "mail",
                "courriel",
                "adresseemail",
                "adressemail",
                "emailduclient",
                "emailadres",
            ],
            Self::Phone => &[
                "phone",
                "phonenumber",
                "telephone",
                "tel",
                "mobile",
                "mobilephone",
                "cellphone",
                "gsm",
                "portable",
                "telefoon",
                "telefoonnummer",
                "mobiel",
                "telefon",
                "handy",
            ],
            Self::Street => &[
                "street",
                "address",
                "address1",
                "streetaddress",
                "physicalstreet1",
                "postaladdress1",
                "adresse",
                "rue",
                "straat",
                "adres",
                "strasse",
            ],
            Self::PostalCode => &[
                "postalcode",
                "postcode",
                "zip",
                "zipcode",
                "physicalpostcode",
                "codepostal",
                "cp",
                "plz",
            ],
            Self::City => &[
                "city",
                "town",
                "physicalcity",
                "ville",
                "localite",
                "commune",
                "stad",
                "plaats",
                "woonplaats",
                "gemeente",
                "ort",
                "stadt",
            ],
            Self::Province => &[
                "province",
                "state",
                "region",
                "departement",
                "provincie",
                "bundesland",
            ],
            Self::Country => &[
                "country",
                "countrycode",
                "physicalcountryid",
                "pays",
                "land",
            ],
            Self::Language => &["language", "langue", "taal", "sprache"],
            Self::BirthDate => &[
                "birthdate",
                "dateofbirth",
                "dob",
                "birthday",
                "datedenaissance",
                "naissance",
                "geboortedatum",
                "geburtsdatum",
            ],
            Self::Status => &["status", "statut"],
            Self::CustomerType => &[
                "customertype",
                "type",
                "customergroup",
                "customergroupname",
                "group",
                "typedeclient",
                "typeclient",
                "groupe",
                "groupedeclients",
                "klanttype",
                "klantgroep",
                "kundengruppe",
            ],
            Self::DiscountPercent => &[
                "discount",
                "discountpercent",
                "personaldiscount",
                "remise",
                "remisepersonnelle",
                "reduction",
                "korting",
                "rabatt",
            ],
            Self::VatExempt => &[
                "vatexempt",
                "taxexempt",
                "exonerationtva",
                "exonere",
                "exoneredetva",
                "btwvrij",
                "vrijgesteld",
            ],
            Self::Institutional => &[
                "institutional",
                "institutionnel",
                "institution",
                "institutioneel",
            ],
            Self::Iban => &["iban", "bankaccount", "comptebancaire", "rekeningnummer"],
            Self::Bic => &["bic", "swift", "bicswift"],
            Self::BalanceLimit => &[
                "balancelimit",
                "creditlimit",
                "limitedesolde",
                "plafond",
                "plafonddesolde",
                "kredietlimiet",
            ],
            Self::Loyalty => &[
                "loyalty",
                "enableloyalty",
                "loyaltyenabled",
                "fidelite",
                "programmedefidelite",
                "getrouwheid",
            ],
            Self::Tags => &["tags", "etiquettes", "labels", "motscles"],
            Self::Notes => &[
                "notes",
                "note",
                "comment",
                "comments",
                "commentaire",
                "commentaires",
                "remarques",
                "opmerkingen",
                "notizen",
            ],
            Self::ConsentEmail => &[
                "consentemail",
                "emailconsent",
                "emailoptin",
                "optinemail",
                "newsletter",
                "consentementemail",
                "toestemmingemail",
            ],
            Self::ConsentSms => &[
                "consentsms",
                "smsconsent",
                "smsoptin",
                "optinsms",
                "consentementsms",
                "toestemmingsms",
            ],
            Self::ConsentPost => &[
                "consentpost",
                "postconsent",
                "postoptin",
                "optinpost",
                "consentementcourrier",
                "consentementpostal",
                "toestemmingpost",
            ],
        }
    }
}

/// Headers of values Guichet computes from sales (seed 003: "YTD Balance" and "Loyalty
/// Points" cannot be imported), or sets itself; such a column is never imported.
const COMPUTED: [&str; 24] = [
    "revenue",
    "totalrevenue",
    "ytdbalance",
    "balance",
    "yearlyspend",
    "totalspent",
    "loyaltypoints",
    "loyaltybalance",
    "points",
    "pointsdefidelite",
    "chiffredaffaires",
    "solde",
    "soldecumule",
    "omzet",
    "saldo",
    "getrouwheidspunten",
    "lastbooking",
    "lastpurchase",
    "dernierereservation",
    "dernierachat",
    "laatsteboeking",
    "created",
    "creele",
    "aangemaakt",
];

/// Headers of the column Guichet adds to a file it sends back with its errors: dropped when
/// the corrected file comes back, so nobody has to delete it first.
const ERRORS: [&str; 5] = ["errors", "erreurs", "fouten", "fehler", "errorsandwarnings"];

/// A header folded for comparison: `Prénom` → `prenom`, `E-mail du client` →
/// `emailduclient`.
pub fn fold_header(header: &str) -> String {
    crate::text::search_key(header)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Where a file column goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "target")]
pub enum Target {
    Field(Column),
    /// One of the organization's own fields, by id.
    Custom(String),
    /// Not imported.
    Ignored,
    /// Computed by Guichet (revenue, balance, loyalty points…): refused.
    Computed,
}

/// The column a header maps to: one of the organization's own fields (`custom`: id and
/// name) by its name, else a header Guichet writes itself (`labels`: its exports' headers in
/// every language, so an export comes back in), else a common header of the customer file's
/// fields, else computed or not imported.
pub fn auto_target(
    header: &str,
    custom: &[(String, String)],
    labels: &[(String, Target)],
) -> Target {
    let folded = fold_header(header);
    if folded.is_empty() || ERRORS.contains(&folded.as_str()) {
        return Target::Ignored;
    }
    if let Some((id, _)) = custom.iter().find(|(_, name)| fold_header(name) == folded) {
        return Target::Custom(id.clone());
    }
    if let Some((_, t)) = labels.iter().find(|(l, _)| fold_header(l) == folded) {
        return t.clone();
    }
    if let Some(c) = Column::ALL
        .into_iter()
        .find(|c| c.headers().contains(&folded.as_str()))
    {
        return Target::Field(c);
    }
    if COMPUTED.contains(&folded.as_str()) {
        return Target::Computed;
    }
    Target::Ignored
}

/// The targets for a header row: each field filled by one column at most (the first one
/// that maps to it).
pub fn auto_mapping(
    headers: &[String],
    custom: &[(String, String)],
    labels: &[(String, Target)],
) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::with_capacity(headers.len());
    for h in headers {
        let t = auto_target(h, custom, labels);
        let taken = matches!(t, Target::Field(_) | Target::Custom(_)) && out.contains(&t);
        out.push(if taken { Target::Ignored } else { t });
    }
    out
}

/// Something to say about one cell: an error stops the import, a warning does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CellNote {
    /// The file column (0-based), or none for the row as a whole.
    pub column: Option<usize>,
    /// A stable code: `invalid_email`, `doubtful_date`…
    pub code: String,
    /// What Guichet read, when that helps (`1985-04-03` for a doubtful date).
    pub detail: Option<String>,
}

/// A date as people type it in a spreadsheet, day first as in Belgium and France —
/// `12/04/1980`, `12-4-1980`, `12.04.1980` are the 12th of April — or in ISO order
/// (`1980-04-12`). Answers the ISO date and whether it is doubtful (a two-digit year: the
/// century is guessed, a birth date being in the past), or why it cannot be read: not a
/// date (`unreadable_date`), no such day (`impossible_date`), or only readable month first,
/// as an American file writes dates (`month_first_date`: the file's other dates may then be
/// read wrong, so it is refused rather than guessed).
pub fn read_date(raw: &str, this_year: i16) -> Result<(String, bool), &'static str> {
    let raw = raw.trim();
    if let Ok(d) = raw.parse::<jiff::civil::Date>() {
        return Ok((d.to_string(), false));
    }
    let parts: Vec<&str> = raw.split(['/', '-', '.']).map(str::trim).collect();
    let [a, b, y] = parts.as_slice() else {
        return Err("unreadable_date");
    };
    let num = |s: &str| -> Option<i16> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (Some(a), Some(b), Some(y)) = (num(a), num(b), num(y)) else {
        return Err("unreadable_date");
    };
    if parts[0].len() == 4 {
        // 1980/04/12: the year first, then month and day, as ISO.
        let day = i8::try_from(y).ok().zip(i8::try_from(b).ok());
        return day
            .and_then(|(d, m)| jiff::civil::Date::new(a, m, d).ok())
            .map(|d| (d.to_string(), false))
            .ok_or("impossible_date");
    }
    let (year, short) = match (y, parts[2].len()) {
        (0..=99, 2) => {
            let century = if y > this_year % 100 { 1900 } else { 2000 };
            (century + y, true)
        }
        (1000..=9999, 4) => (y, false),
        _ => return Err("unreadable_date"),
    };
    let date = |day: i16, month: i16| {
        i8::try_from(month)
            .ok()
            .zip(i8::try_from(day).ok())
            .and_then(|(m, d)| jiff::civil::Date::new(year, m, d).ok())
    };
    match (date(a, b), date(b, a)) {
        (Some(d), _) => Ok((d.to_string(), short)),
        // 04/23/1985 only reads month first.
        (None, Some(_)) if b > 12 => Err("month_first_date"),
        _ => Err("impossible_date"),
    }
}

/// A yes/no cell: `yes`, `oui`, `ja`, `x`, `1`, `true`… Empty is no.
pub fn read_flag(raw: &str) -> Option<bool> {
    match crate::text::search_key(raw).as_str() {
        "" | "no" | "non" | "nee" | "nein" | "n" | "0" | "false" | "faux" | "onwaar" => Some(false),
        "yes" | "oui" | "ja" | "y" | "o" | "j" | "x" | "1" | "true" | "vrai" | "waar" => Some(true),
        _ => None,
    }
}

/// A country as typed: a two-letter code, or its name in the four languages for the
/// countries visitors mostly come from.
pub fn read_country(raw: &str) -> String {
    let folded = fold_header(raw);
    let code = match folded.as_str() {
        "belgique" | "belgium" | "belgie" | "belgien" => "BE",
        "france" | "frankrijk" | "frankreich" => "FR",
        "paysbas" | "netherlands" | "thenetherlands" | "nederland" | "holland" | "niederlande" => {
            "NL"
        }
        "allemagne" | "germany" | "duitsland" | "deutschland" => "DE",
        "luxembourg" | "luxemburg" => "LU",
        "royaumeuni" | "unitedkingdom" | "uk" | "verenigdkoninkrijk" | "grossbritannien" => "GB",
        "suisse" | "switzerland" | "zwitserland" | "schweiz" => "CH",
        "espagne" | "spain" | "spanje" | "spanien" => "ES",
        "italie" | "italy" | "italien" => "IT",
        _ => return raw.trim().to_owned(),
    };
    code.to_owned()
}

/// A language as typed: a code, or its name.
pub fn read_language(raw: &str) -> String {
    let code = match fold_header(raw).as_str() {
        "francais" | "french" | "frans" | "franzosisch" => "fr",
        "nederlands" | "dutch" | "neerlandais" | "niederlandisch" | "vlaams" => "nl",
        "english" | "anglais" | "engels" | "englisch" => "en",
        "deutsch" | "german" | "allemand" | "duits" => "de",
        _ => return raw.trim().to_owned(),
    };
    code.to_owned()
}

/// A status as typed, in the four languages.
fn read_status(raw: &str) -> String {
    match fold_header(raw).as_str() {
        "client" | "klant" | "kunde" | "customer" => "customer".into(),
        "prospect" | "interessent" | "lead" => "prospect".into(),
        _ => raw.trim().to_owned(),
    }
}

/// Fills `input` from one row. `customer_types` are (id, name); `mapping` has one target per
/// file column. What cannot be read is an error on its column; what was read with a doubt is
/// a warning. The customer file's own rules (`CustomerInput::parse`) run afterwards.
pub fn fill_row(
    input: &mut CustomerInput,
    row: &[String],
    mapping: &[Target],
    customer_types: &[(String, String)],
    this_year: i16,
) -> (Vec<CellNote>, Vec<CellNote>) {
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    let note = |column: usize, code: &str, detail: Option<String>| CellNote {
        column: Some(column),
        code: code.to_owned(),
        detail,
    };
    for (i, target) in mapping.iter().enumerate() {
        let raw = row.get(i).map_or("", |s| s.trim());
        let column = match target {
            Target::Field(c) => *c,
            Target::Custom(id) => {
                input.custom.insert(id.clone(), raw.to_owned());
                continue;
            }
            Target::Ignored | Target::Computed => continue,
        };
        let flag = |errors: &mut Vec<CellNote>| match read_flag(raw) {
            Some(b) => b,
            None => {
                errors.push(note(i, "unknown_value", None));
                false
            }
        };
        let text = raw.to_owned();
        match column {
            Column::Id => {}
            Column::FirstName => input.first_name = text,
            Column::LastName => input.last_name = text,
            Column::Company => input.company = text,
            Column::Email => input.email = text,
            Column::Phone => input.phone = text,
            Column::Street => input.street = text,
            Column::PostalCode => input.postal_code = text,
            Column::City => input.city = text,
            Column::Province => input.province = text,
            Column::Country => input.country = read_country(raw),
            Column::Language => input.language = read_language(raw),
            Column::Status => input.status = read_status(raw),
            Column::BirthDate => match read_date(raw, this_year) {
                _ if raw.is_empty() => input.birth_date = String::new(),
                Ok((iso, doubtful)) => {
                    if doubtful {
                        // What was read, written as the file writes it (day first).
                        let read = iso
                            .parse::<jiff::civil::Date>()
                            .map(|d| d.strftime("%d/%m/%Y").to_string())
                            .unwrap_or_else(|_| iso.clone());
                        warnings.push(note(i, "doubtful_date", Some(read)));
                    }
                    input.birth_date = iso;
                }
                Err(code) => errors.push(note(i, code, None)),
            },
            Column::CustomerType => {
                input.customer_type_id = match raw {
                    "" => String::new(),
                    name => match customer_types
                        .iter()
                        .find(|(id, n)| id == name || fold_header(n) == fold_header(name))
                    {
                        Some((id, _)) => id.clone(),
                        None => {
                            errors.push(note(i, "unknown_customer_type", None));
                            String::new()
                        }
                    },
                }
            }
            Column::DiscountPercent => input.discount_percent = text,
            Column::VatExempt => input.vat_exempt = flag(&mut errors),
            Column::Institutional => input.institutional = flag(&mut errors),
            Column::Iban => input.iban = text,
            Column::Bic => input.bic = text,
            Column::BalanceLimit => input.balance_limit = text,
            Column::Loyalty => input.loyalty = flag(&mut errors),
            Column::Tags => input.tags = text,
            Column::Notes => input.notes = text,
            Column::ConsentEmail => input.consent_email = flag(&mut errors),
            Column::ConsentSms => input.consent_sms = flag(&mut errors),
            Column::ConsentPost => input.consent_post = flag(&mut errors),
        }
    }
    // Seed 003: a missing first or last name is worth a look but does not stop the import.
    let has = |c: Column| mapping.contains(&Target::Field(c));
    if has(Column::FirstName) && has(Column::LastName) {
        let (first, last) = (input.first_name.trim(), input.last_name.trim());
        let column_of = |c: Column| mapping.iter().position(|t| *t == Target::Field(c));
        if first.is_empty() != last.is_empty() {
            let missing = if first.is_empty() {
                Column::FirstName
            } else {
                Column::LastName
            };
            warnings.push(CellNote {
                column: column_of(missing),
                code: "missing_name".into(),
                detail: None,
            });
        }
    }
    (errors, warnings)
}

#[cfg(test)]
mod tests;
