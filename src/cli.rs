//! The command line: `guichet serve | migrate | db copy | org … | user …`.

use crate::{Settings, demo, open_store, server_config, start};
use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use guichet_app::operator::{self, CopyError, NewAccount};
use guichet_app::{App, AppConfig, AppError, Store};
use guichet_domain::Role;
use guichet_domain::org::{
    Email, Language, NewPassword, OrganizationInput, SiteInput, parse_person_name, vat_preset,
};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "guichet",
    version,
    about = "Point of sale, online ticketing and customer management"
)]
pub struct Cli {
    /// Settings file (default: ./guichet.toml when present).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Default, Clone)]
pub struct DbArgs {
    /// Database URL: sqlite://path or postgres://user@host/db (default: SQLite in ./guichet-data).
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (back office, API).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
        #[command(flatten)]
        db: DbArgs,
        /// On an empty database, create the demo organization and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Bring the database schema up to date.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Database tools.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Organizations (tenants).
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The sales journal.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Copy the live SQLite database into a folder (while the server runs), verify the copy's
    /// journal, then keep only the newest copies. PostgreSQL: use pg_dump (see the README).
    Backup {
        /// Folder of the backups (default: the `backup_dir` setting, or `backups` in the data
        /// folder).
        #[arg(long)]
        to: Option<PathBuf>,
        /// How many backups of the folder to keep, the newest (default: the `backup_keep`
        /// setting; 0 keeps them all).
        #[arg(long)]
        keep: Option<usize>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Ticket codes.
    Ticket {
        #[command(subcommand)]
        command: TicketCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum TicketCommand {
    /// Check a scanned ticket code with the organization's public key alone (no database):
    /// says what the ticket is for, or exits with an error for a forged or altered code.
    Verify {
        /// The public key as `GET /api/v1/ticket-key` gives it (base64url, which may begin
        /// with `-`).
        #[arg(long, allow_hyphen_values = true)]
        public_key: String,
        /// The code read from the QR code (GT1.…).
        #[arg(allow_hyphen_values = true)]
        code: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum JournalCommand {
    /// Verify the sales journal: recompute every chain, compare every journaled sale, payment,
    /// cancellation and Z with the business tables, check every Z's signature; names each
    /// difference and exits with an error when anything does not verify. With `--archive`,
    /// check an exported archive with the organization's public key alone (no database).
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// An archive written by `guichet journal export`.
        #[arg(long, requires = "public_key")]
        archive: Option<std::path::PathBuf>,
        /// The organization's public key as `GET /api/v1/ticket-key` gives it (base64url).
        #[arg(long, allow_hyphen_values = true, requires = "archive")]
        public_key: Option<String>,
    },
    /// Write a signed archive of an organization's journal over a period (days in its time
    /// zone, both included), for the inalterability and archiving rules.
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// The organization (id or name, as `guichet org list` shows).
        #[arg(long)]
        org: String,
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        from: jiff::civil::Date,
        /// Last day (YYYY-MM-DD).
        #[arg(long)]
        to: jiff::civil::Date,
        /// Where to write the archive (JSON).
        #[arg(long)]
        output: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// Copy a whole installation into an empty database (e.g. SQLite to PostgreSQL).
    Copy {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

// Parsed once per run: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// Create an organization with one site (and, optionally, a country's VAT rates).
    Create {
        #[arg(long)]
        name: String,
        /// The organization's part of public booking addresses (`/book/{slug}/…`); derived
        /// from the name when empty.
        #[arg(long, default_value = "")]
        slug: String,
        #[arg(long, default_value = "")]
        legal_name: String,
        #[arg(long, default_value = "")]
        vat_number: String,
        #[arg(long, default_value = "Europe/Brussels")]
        time_zone: String,
        #[arg(long, default_value = "EUR")]
        currency: String,
        #[arg(long, default_value = "fr")]
        language: String,
        #[arg(long, default_value = "")]
        street: String,
        #[arg(long, default_value = "")]
        postal_code: String,
        #[arg(long, default_value = "")]
        city: String,
        #[arg(long, default_value = "BE")]
        country: String,
        /// Load the standard VAT rates of this country (BE or FR).
        #[arg(long)]
        vat_preset: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List organizations.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user (or add an existing one) in an organization. The password is read
    /// from standard input, or prompted for twice on a terminal; never from a flag.
    Create {
        /// Organization name or id.
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        /// admin, manager or seller.
        #[arg(long)]
        role: String,
        /// Display name (default: the part of the e-mail before @).
        #[arg(long)]
        name: Option<String>,
        /// fr, nl or en.
        #[arg(long, default_value = "fr")]
        language: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn settings_with(cli: &Cli, db: &DbArgs) -> anyhow::Result<Settings> {
    let mut s = Settings::load(cli.config.as_deref())?;
    if let Some(url) = &db.database_url {
        s.database_url = url.clone();
    }
    Ok(s)
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Serve {
            bind,
            db,
            demo: with_demo,
        } => {
            let mut settings = settings_with(&cli, db)?;
            if let Some(b) = bind {
                settings.bind = b.clone();
            }
            let store = open_store(&settings).await?;
            if *with_demo {
                demo::seed_if_empty(&store).await?;
                // The demo shows the whole booking flow, deposits and full payments
                // included, with the development payment page when nothing else is set.
                if settings.online_payments.trim() == "off" {
                    settings.online_payments = "development".into();
                }
            }
            let server = start(&settings, store, server_config(&settings), true).await?;
            println!("Guichet listening on http://{}", server.addr);
            server.wait().await;
            Ok(())
        }
        Command::Migrate { db } => {
            let settings = settings_with(&cli, db)?;
            let store = open_store(&settings).await?;
            println!(
                "Database {} is up to date.",
                operator::redact(&settings.database_url())
            );
            store.close().await;
            Ok(())
        }
        Command::Db {
            command: DbCommand::Copy { from, to },
        } => db_copy(from, to).await,
        Command::Org { command } => org(&cli, command).await,
        Command::User { command } => user(&cli, command).await,
        Command::Journal {
            command: JournalCommand::Verify {
                db, archive: None, ..
            },
        } => journal_verify(&cli, db).await,
        Command::Journal {
            command:
                JournalCommand::Verify {
                    archive: Some(archive),
                    public_key,
                    ..
                },
        } => journal_verify_archive(archive, public_key.as_deref().unwrap_or_default()),
        Command::Journal {
            command:
                JournalCommand::Export {
                    db,
                    org,
                    from,
                    to,
                    output,
                },
        } => journal_export(&cli, db, org, (*from, *to), output).await,
        Command::Backup { to, keep, db } => backup(&cli, to.as_deref(), *keep, db).await,
        Command::Ticket {
            command: TicketCommand::Verify { public_key, code },
        } => ticket_verify(public_key, code),
    }
}

/// `guichet backup`: copy, verify, then rename (a copy that failed never carries a backup's
/// name), then retention.
async fn backup(
    cli: &Cli,
    to: Option<&std::path::Path>,
    keep: Option<usize>,
    db: &DbArgs,
) -> anyhow::Result<()> {
    let settings = settings_with(cli, db)?;
    let url = settings.database_url();
    if !url.starts_with("sqlite:") {
        bail!(
            "`guichet backup` copies SQLite databases; for PostgreSQL use its own tools, e.g. \
             `pg_dump --format=custom --file=guichet.dump {}` (see the README's Backups section)",
            operator::redact(&url)
        );
    }
    let dir = to
        .map(PathBuf::from)
        .unwrap_or_else(|| settings.backup_dir());
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot open {}", dir.display()))?;
    let name = guichet_app::backups::file_name(jiff::Timestamp::now());
    let target = dir.join(&name);
    let partial = dir.join(format!("{name}.partial"));
    if target.exists() {
        bail!("{} already exists; try again in a second", target.display());
    }
    // Leftover of an interrupted run at the same second: never a backup.
    let _ = std::fs::remove_file(&partial);

    // No migration of the live database: the server running it owns its schema.
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("cannot open the database {}", operator::redact(&url)))?;
    let app = operator_app(store);
    let copied = guichet_app::backups::copy(&app, &partial).await;
    app.store.close().await;
    copied.with_context(|| format!("cannot copy the database into {}", partial.display()))?;

    let copy = DbArgs {
        database_url: Some(format!("sqlite://{}", partial.display())),
    };
    if let Err(e) = journal_verify(cli, &copy).await {
        let _ = std::fs::remove_file(&partial);
        return Err(e.context("the copy's journal does not verify; no backup kept"));
    }
    std::fs::rename(&partial, &target)
        .with_context(|| format!("cannot rename the copy to {}", target.display()))?;
    println!("Backup written: {}", target.display());
    let removed = guichet_app::backups::prune(&dir, keep.unwrap_or(settings.backup_keep))
        .with_context(|| format!("retention in {}", dir.display()))?;
    for path in &removed {
        println!("Older backup removed: {}", path.display());
    }
    Ok(())
}

fn ticket_verify(public_key: &str, code: &str) -> anyhow::Result<()> {
    let Some(key) = guichet_app::documents::parse_public_key(public_key) else {
        anyhow::bail!("--public-key is not a base64url Ed25519 public key");
    };
    let claim = guichet_domain::ticket::verify(code, &key)
        .map_err(|e| anyhow::anyhow!("ticket refused ({}): {e}", e.code()))?;
    let start = claim
        .session_start
        .and_then(|s| jiff::Timestamp::from_microsecond(s).ok())
        .map(|t| t.to_string())
        .unwrap_or_else(|| "-".into());
    println!(
        "Valid ticket {}/{} of order {} (line {}), session {start}, key {}.",
        claim.index, claim.count, claim.order_id, claim.line, claim.key_id
    );
    Ok(())
}

async fn journal_verify(cli: &Cli, db: &DbArgs) -> anyhow::Result<()> {
    let app = operator_app(open_store(&settings_with(cli, db)?).await?);
    let v = operator::verify_journal(&app).await;
    app.store.close().await;
    let v = v?;
    for r in &v.chains {
        match r.first_broken {
            None => println!(
                "ok      org {} chain {}: {} entries",
                r.organization_id, r.chain, r.entries
            ),
            Some((seq, why)) => println!(
                "BROKEN  org {} chain {}: first broken entry #{seq} ({why})",
                r.organization_id, r.chain
            ),
        }
    }
    for z in &v.zs {
        println!(
            "{}  org {} register {} Z {}: fingerprint {}",
            if z.signature_valid {
                "signed "
            } else {
                "BAD SIG"
            },
            z.organization_id,
            z.chain,
            z.z_number,
            z.fingerprint
        );
    }
    for f in &v.findings {
        println!(
            "DIFFERS org {} {} [{}]: {}",
            f.organization_id, f.subject, f.code, f.detail
        );
    }
    if !v.ok() {
        anyhow::bail!(
            "the journal does not verify: {} difference(s) found ({} chains, {} Zs, {} orders checked)",
            v.findings.len(),
            v.chains.len(),
            v.zs.len(),
            v.orders
        );
    }
    println!(
        "{} journal chains verified; {} Zs signed; {} orders match their journal.",
        v.chains.len(),
        v.zs.len(),
        v.orders
    );
    Ok(())
}

fn journal_verify_archive(path: &std::path::Path, public_key: &str) -> anyhow::Result<()> {
    let text =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let archive = operator::Archive::from_json(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let report = operator::verify_archive(&archive, public_key)?;
    for p in &report.problems {
        println!("BROKEN  {p}");
    }
    if !report.problems.is_empty() {
        anyhow::bail!(
            "the archive does not verify: {} problem(s)",
            report.problems.len()
        );
    }
    println!(
        "Archive of {} to {} verified: signed by this key; {} chains, {} entries, {} Zs signed.",
        archive.from, archive.to, report.chains, report.entries, report.zs
    );
    Ok(())
}

async fn journal_export(
    cli: &Cli,
    db: &DbArgs,
    org: &str,
    (from, to): (jiff::civil::Date, jiff::civil::Date),
    output: &std::path::Path,
) -> anyhow::Result<()> {
    let app = operator_app(open_store(&settings_with(cli, db)?).await?);
    let archive = async {
        let organization = operator::find_organization(&app, org).await?;
        operator::export_journal(&app, &organization, from, to).await
    }
    .await;
    app.store.close().await;
    let archive = archive.map_err(|e| anyhow::anyhow!("cannot export the journal: {e}"))?;
    std::fs::write(output, archive.to_json())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", output.display()))?;
    let entries: usize = archive.chains.iter().map(|c| c.entries.len()).sum();
    println!(
        "Wrote {}: {entries} entries in {} chains, {} Zs, signed with public key {}.",
        output.display(),
        archive.chains.len(),
        archive.zs.len(),
        archive.public_key
    );
    Ok(())
}

async fn db_copy(from: &str, to: &str) -> anyhow::Result<()> {
    let counts = operator::copy_database(from, to)
        .await
        .map_err(|e| match e {
            CopyError::Open { which, error } => {
                let url = if which == "from" { from } else { to };
                anyhow::Error::new(error).context(format!("cannot open {}", operator::redact(url)))
            }
            CopyError::Copy(AppError::Conflict("target_not_empty")) => {
                anyhow::anyhow!("the target database is not empty; copy refused")
            }
            CopyError::Copy(AppError::Conflict(
                "source_schema_version_differs" | "source_not_migrated",
            )) => anyhow::anyhow!(
                "the source database is not at this version's schema; run `guichet migrate` on it first"
            ),
            CopyError::Copy(other) => anyhow::Error::new(other),
        })?;
    let total: i64 = counts.iter().map(|c| c.target_rows).sum();
    for c in &counts {
        println!("{:<24} {:>8} rows", c.table, c.target_rows);
    }
    println!("Copied {total} rows; row counts verified on every table.");
    Ok(())
}

/// The use cases over an open store, for the operator's commands.
fn operator_app(store: Store) -> App {
    App::new(store, AppConfig::default())
}

async fn org(cli: &Cli, command: &OrgCommand) -> anyhow::Result<()> {
    match command {
        OrgCommand::Create {
            name,
            slug,
            legal_name,
            vat_number,
            time_zone,
            currency,
            language,
            street,
            postal_code,
            city,
            country,
            vat_preset: preset,
            db,
        } => {
            let input = OrganizationInput {
                name: name.clone(),
                slug: slug.clone(),
                legal_name: legal_name.clone(),
                vat_number: vat_number.clone(),
                address: guichet_domain::org::AddressInput {
                    street: street.clone(),
                    postal_code: postal_code.clone(),
                    city: city.clone(),
                    country: country.clone(),
                },
                currency: currency.clone(),
                time_zone: time_zone.clone(),
                default_language: language.clone(),
            };
            let details = input
                .parse()
                .map_err(|e| anyhow::anyhow!("invalid organization: {}", describe(&e)))?;
            let site = SiteInput {
                name: name.clone(),
                address: input.address.clone(),
            }
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid address: {}", describe(&e)))?;
            let preset = match preset {
                Some(c) => Some(
                    vat_preset(c).with_context(|| format!("no VAT preset for {c} (BE or FR)"))?,
                ),
                None => None,
            };
            let app = operator_app(open_store(&settings_with(cli, db)?).await?);
            let tenant =
                guichet_app::organization::create_organization(&app, &details, Some(&site), preset)
                    .await;
            app.store.close().await;
            println!("Created organization {} ({})", details.name, tenant?.id());
            Ok(())
        }
        OrgCommand::List { db } => {
            let app = operator_app(open_store(&settings_with(cli, db)?).await?);
            let orgs = operator::organizations(&app).await;
            app.store.close().await;
            for o in orgs? {
                println!("{}  {}", o.id, o.name);
            }
            Ok(())
        }
    }
}

fn describe(e: &guichet_domain::FieldErrors) -> String {
    e.0.iter()
        .map(|f| format!("{}: {}", f.field, f.code))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the password: twice at a terminal prompt, or one line from a pipe.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Password again: ")?;
        if first != second {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

async fn user(cli: &Cli, command: &UserCommand) -> anyhow::Result<()> {
    let UserCommand::Create {
        org,
        email,
        role,
        name,
        language,
        db,
    } = command;
    let email =
        Email::parse(email).map_err(|_| anyhow::anyhow!("invalid e-mail address: {email}"))?;
    let role = Role::parse(role)
        .with_context(|| format!("unknown role {role} (admin, manager or seller)"))?;
    let language = match Language::parse(language) {
        Ok(l) => l,
        Err(_) => bail!("unknown language {language} (fr, nl or en)"),
    };
    let name = name.clone().unwrap_or_else(|| {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned()
    });
    let name = parse_person_name(&name).map_err(|_| anyhow::anyhow!("invalid name"))?;
    let app = operator_app(open_store(&settings_with(cli, db)?).await?);
    let added = add_user(&app, org, email, name, language, role).await;
    app.store.close().await;
    added
}

async fn add_user(
    app: &App,
    org: &str,
    email: Email,
    name: String,
    language: Language,
    role: Role,
) -> anyhow::Result<()> {
    let organization = operator::find_organization(app, org)
        .await
        .map_err(|_| anyhow::anyhow!("no single organization named or with id {org}"))?;
    let tenant = guichet_app::Tenant::trusted_operator(organization.id);
    let password = if operator::account(app, &email).await?.is_none() {
        Some(NewPassword::parse(&read_password()?).map_err(|_| {
            anyhow::anyhow!(
                "the password needs {} to {} characters",
                NewPassword::MIN_CHARS,
                NewPassword::MAX_CHARS
            )
        })?)
    } else {
        println!(
            "{} already has an account; adding it to {}.",
            email.as_str(),
            organization.name
        );
        None
    };
    let account = NewAccount {
        email: email.clone(),
        name,
        language,
        password,
    };
    operator::add_member(app, tenant, &account, role)
        .await
        .map_err(|e| match &e {
            AppError::Invalid(f) if f.0.iter().any(|f| f.code == "already_member") => {
                anyhow::anyhow!(
                    "{} is already a member of {}",
                    email.as_str(),
                    organization.name
                )
            }
            _ => anyhow::Error::new(e),
        })?;
    println!(
        "{} is now {} of {}.",
        email.as_str(),
        role,
        organization.name
    );
    Ok(())
}
