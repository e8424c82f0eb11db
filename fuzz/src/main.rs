//! A fuzzer for the parsers of outside input, on the stable toolchain (cargo-fuzz and
//! libFuzzer need nightly): the importers (CSV, XLSX, XLS, and a customer row as the import
//! checks it), money amounts and quantities, VAT rates, ticket codes and barcodes, and the
//! CSV export's neutralisation.
//!
//! Each target starts from a corpus of valid inputs built here (and the crafted files of
//! issue 15) and mutates them at random: bit flips, interesting bytes and integers, cut,
//! repeated and spliced ranges, tokens of the format. For XLSX the mutation goes inside the
//! zip (a part changed, the zip rebuilt) and for XLS inside the workbook stream (the compound
//! file rebuilt), so the spreadsheet parsers are reached, not only the containers'
//! checksums. No coverage feedback: a blind fuzzer, short runs in CI, longer ones by hand.
//!
//! What fails a run: a panic that reaches the caller (the importers catch those of the
//! third-party parsers themselves and answer "unreadable", which is counted and shown), an
//! allocation that would take the process past `--max-memory` (refused by the counting
//! allocator below: the process aborts with the target and the seed printed, so that
//! `--seed` replays it), a property that does not hold.
//!
//!     cargo run --release -p guichet-fuzz -- --seconds 300 [--seed N] [--target xlsx]

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Cursor, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod corpus;

// ------------------------------------------------------------------ bounded memory

/// The system allocator, counting the bytes live and refusing any allocation past the cap.
struct Capped;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static CAP: AtomicUsize = AtomicUsize::new(usize::MAX);
static REFUSED: AtomicBool = AtomicBool::new(false);

unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let size = layout.size();
        let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
        if live > CAP.load(Ordering::Relaxed) {
            LIVE.fetch_sub(size, Ordering::Relaxed);
            // No allocation here: a static message, then the null that makes Rust abort.
            REFUSED.store(true, Ordering::Relaxed);
            let _ = std::io::stderr().write_all(
                b"\nguichet-fuzz: an input asked for memory past --max-memory (see the target and seed above)\n",
            );
            return std::ptr::null_mut();
        }
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: same layout, passed on to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Capped = Capped;

// ------------------------------------------------------------------ targets

/// What one input did: fine, or a property broken (the message).
type Outcome = Result<(), String>;

/// A format-aware mutation: the generator, the input, every seed (to splice from).
type Mutation = fn(&mut StdRng, &[u8], &[Vec<u8>]) -> Vec<u8>;

struct Target {
    name: &'static str,
    seeds: Vec<Vec<u8>>,
    /// Format-aware mutation on top of the byte mutations (inside a zip, a stream).
    mutate: Mutation,
    run: fn(&[u8]) -> Outcome,
}

fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "csv",
            seeds: corpus::csv(),
            mutate: mutate_bytes,
            run: |b| import("clients.csv", b),
        },
        Target {
            name: "xlsx",
            seeds: corpus::xlsx(),
            mutate: mutate_xlsx,
            run: |b| import("clients.xlsx", b),
        },
        Target {
            name: "xls",
            seeds: corpus::xls(),
            mutate: mutate_xls,
            run: |b| import("clients.xls", b),
        },
        Target {
            name: "amounts",
            seeds: corpus::amounts(),
            mutate: mutate_bytes,
            run: amounts,
        },
        Target {
            name: "tickets",
            seeds: corpus::tickets(),
            mutate: mutate_bytes,
            run: tickets,
        },
        Target {
            name: "barcodes",
            seeds: corpus::barcodes(),
            mutate: mutate_bytes,
            run: barcodes,
        },
        Target {
            name: "csv-export",
            seeds: corpus::cells(),
            mutate: mutate_bytes,
            run: csv_export,
        },
    ]
}

/// An import as the server does it: the file read, then every row filled and checked as
/// the customer import does. Bad files must answer a clear error, and the limits hold.
fn import(name: &str, bytes: &[u8]) -> Outcome {
    use guichet_domain::customer_import as ci;
    use guichet_integrations::imports;
    let sheet = match imports::read(name, bytes) {
        Ok(s) => s,
        Err(e) => {
            // Every refusal has its stable code.
            return (!e.code().is_empty())
                .then_some(())
                .ok_or_else(|| format!("{e:?} without a code"));
        }
    };
    let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
    if sheet.rows.len() > imports::MAX_ROWS
        || width.max(sheet.headers.len()) > imports::MAX_COLUMNS
        || sheet.lines.len() != sheet.rows.len()
        || sheet.lines.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(format!(
            "limits: {} rows, {width} wide, {} line numbers",
            sheet.rows.len(),
            sheet.lines.len()
        ));
    }
    let mapping = ci::auto_mapping(&sheet.headers, &[], &[]);
    let today = jiff::civil::date(2026, 12, 6);
    for row in sheet.rows.iter().take(200) {
        let mut input = Default::default();
        let _ = ci::fill_row(&mut input, row, &mapping, &[], today.year());
        let _ = input.parse_on(today);
    }
    let notes = vec!["x".to_owned(); sheet.rows.len()];
    imports::with_column(&sheet, "errors", &notes)
        .map(|_| ())
        .map_err(|e| format!("errors file: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Prices, quantities and VAT rates: what parses prints back to the same amount.
fn amounts(bytes: &[u8]) -> Outcome {
    use guichet_domain::shop::{format_cents, parse_price_cents, parse_quantity};
    let s = text(bytes);
    if let Ok(cents) = parse_price_cents(&s) {
        let again = parse_price_cents(&format_cents(cents));
        if again != Ok(cents) {
            return Err(format!("{s:?} → {cents} → {again:?}"));
        }
    }
    let _ = parse_quantity(&s, true);
    let _ = parse_quantity(&s, false);
    if let Ok(rate) = guichet_domain::money::VatRate::parse_percent(&s) {
        let _ = guichet_domain::money::vat_included(i64::MAX / 4, rate);
    }
    Ok(())
}

/// Ticket codes: only the genuine code verifies; anything else is a clean refusal.
fn tickets(bytes: &[u8]) -> Outcome {
    let s = text(bytes);
    let (genuine, public) = corpus::ticket_key();
    match guichet_domain::ticket::verify(&s, public) {
        Ok(_) if s.trim() != genuine => Err(format!("{s:?} verified")),
        _ => Ok(()),
    }
}

fn barcodes(bytes: &[u8]) -> Outcome {
    let s = text(bytes);
    if let Ok(code) = guichet_domain::barcode::Barcode::parse(&s) {
        let again = guichet_domain::barcode::Barcode::parse(code.as_str());
        if again.as_ref().map(|b| b.as_str()) != Ok(code.as_str()) {
            return Err(format!("{s:?} does not parse back: {again:?}"));
        }
    }
    Ok(())
}

/// Any text through the CSV export: the cell a spreadsheet reads never starts a formula
/// (unless it is a plain number), and the import reads back what was written.
fn csv_export(bytes: &[u8]) -> Outcome {
    let cell = text(bytes);
    let out = guichet_integrations::exports::csv_lines(&[vec![cell.clone(), "x".into()]], false)
        .map_err(|e| e.to_string())?;
    let content = out.strip_prefix(b"\"").unwrap_or(&out);
    let first = String::from_utf8_lossy(content).chars().next();
    let plain = {
        let u = cell.strip_prefix(['-', '+']).unwrap_or(&cell);
        u.starts_with(|c: char| c.is_ascii_digit())
            && u.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | ',' | '\u{a0}' | '\u{202f}'))
    };
    if first.is_some_and(|c| ['=', '+', '-', '@', '\t', '\r'].contains(&c)) && !plain {
        return Err(format!("{cell:?} written as {:?}", text(&out)));
    }
    let mut file = b"a;b\n".to_vec();
    file.extend_from_slice(&out);
    let back = guichet_integrations::imports::read("x.csv", &file)
        .map_err(|e| format!("{cell:?} does not read back: {e:?}"))?;
    let read = back.rows.first().and_then(|r| r.first()).cloned();
    // A cell typed with a leading `'` before a formula sign is the one ambiguity.
    if !cell.starts_with('\'') && read.as_deref().unwrap_or("") != cell {
        return Err(format!("{cell:?} reads back as {read:?}"));
    }
    Ok(())
}

// ------------------------------------------------------------------ mutations

const TOKENS: &[&[u8]] = &[
    b"=",
    b"+",
    b"-",
    b"@",
    b"\t",
    b"\r",
    b"\n",
    b"\r\n",
    b"\"",
    b"\"\"",
    b";",
    b",",
    b".",
    b"'",
    b"0",
    b"9",
    b"99999999999999999999",
    b"-9223372036854775808",
    b"1e308",
    b"NaN",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xC3\xA9",
    b"\xE2\x82\xAC",
    b"GT1.",
    b"AAAA",
    b"XFD1048576",
    b"A1",
    b"<c r=\"XFD1048576\"><v>1</v></c>",
    b"<row r=\"4294967295\">",
    b"t=\"s\"",
    b"<v>4294967295</v>",
    b"&amp;",
    b"&#0;",
    b"]]>",
    b"\x00",
    b"\xFF\xFF\xFF\xFF",
];

/// One to eight byte-level changes of `input` (spliced with another seed sometimes).
fn mutate_bytes(rng: &mut StdRng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=8) {
        let len = out.len();
        let at = if len == 0 {
            0
        } else {
            rng.random_range(0..len)
        };
        match rng.random_range(0..9) {
            0 if len > 0 => out[at] ^= 1 << rng.random_range(0..8),
            1 if len > 0 => out[at] = [0, 0xFF, 0x7F, 0x80, b'0', b'9'][rng.random_range(0..6)],
            2 if len >= 4 => {
                // An integer field set to an extreme, little-endian as in XLS records.
                let at = rng.random_range(0..len - 3);
                let v: [u8; 4] = [
                    [0xFF; 4],
                    [0xFF, 0xFF, 0, 0],
                    [0, 0, 0, 0x80],
                    [0xFE, 0xFF, 0xFF, 0xFF],
                ][rng.random_range(0..4)];
                out[at..at + 4].copy_from_slice(&v);
            }
            3 => {
                let t = TOKENS[rng.random_range(0..TOKENS.len())];
                out.splice(at..at, t.iter().copied());
            }
            4 if len > 0 => {
                let end = rng.random_range(at..=len.min(at + 64));
                out.drain(at..end);
            }
            5 if len > 0 => {
                // A range repeated: wide rows, long cells, many records.
                let end = rng.random_range(at..=len.min(at + 64));
                let piece = out[at..end].to_vec();
                for _ in 0..rng.random_range(1..64) {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            6 => {
                let other = &seeds[rng.random_range(0..seeds.len())];
                if !other.is_empty() {
                    let from = rng.random_range(0..other.len());
                    let end = rng.random_range(from..=other.len());
                    out.splice(at..at, other[from..end].iter().copied());
                }
            }
            7 => out.truncate(at),
            _ => {
                let mut extra = vec![0u8; rng.random_range(1..16)];
                rng.fill_bytes(&mut extra);
                out.splice(at..at, extra);
            }
        }
    }
    out
}

/// Mostly a part of the zip mutated and the zip rebuilt; sometimes the zip's bytes.
fn mutate_xlsx(rng: &mut StdRng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    if rng.random_range(0..4) == 0 {
        return mutate_bytes(rng, input, seeds);
    }
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(input)) else {
        return mutate_bytes(rng, input, seeds);
    };
    let victim = rng.random_range(0..zip.len().max(1));
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        let name = part
            .name()
            .map_or_else(|_| "part".to_owned(), |n| n.into_owned());
        let mut content = Vec::new();
        if part.read_to_end(&mut content).is_err() {
            continue;
        }
        if i == victim {
            content = mutate_bytes(rng, &content, std::slice::from_ref(&content));
        }
        if out.start_file(name, options).is_err() || out.write_all(&content).is_err() {
            return mutate_bytes(rng, input, seeds);
        }
    }
    out.finish()
        .map(|c| c.into_inner())
        .unwrap_or_else(|_| input.to_vec())
}

/// Mostly the workbook stream mutated and the compound file rebuilt around it.
fn mutate_xls(rng: &mut StdRng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    if rng.random_range(0..4) == 0 {
        return mutate_bytes(rng, input, seeds);
    }
    let stream = cfb::CompoundFile::open(Cursor::new(input))
        .ok()
        .and_then(|mut f| {
            let mut s = Vec::new();
            f.open_stream("/Workbook").ok()?.read_to_end(&mut s).ok()?;
            Some(s)
        });
    let Some(stream) = stream else {
        return mutate_bytes(rng, input, seeds);
    };
    let stream = mutate_bytes(rng, &stream, std::slice::from_ref(&stream));
    let mut out =
        match cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new())) {
            Ok(f) => f,
            Err(_) => return input.to_vec(),
        };
    let written = out
        .create_stream("/Workbook")
        .and_then(|mut s| s.write_all(&stream))
        .and_then(|_| out.flush());
    match written {
        Ok(()) => out.into_inner().into_inner(),
        Err(_) => input.to_vec(),
    }
}

// ------------------------------------------------------------------ driver

struct Options {
    seconds: u64,
    seed: u64,
    only: Option<String>,
    max_memory: usize,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        seconds: 60,
        seed: rand::rng().random(),
        only: None,
        max_memory: 512 * 1024 * 1024,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--seconds" => o.seconds = value()?.parse().map_err(|e| format!("{e}"))?,
            "--seed" => o.seed = value()?.parse().map_err(|e| format!("{e}"))?,
            "--target" => o.only = Some(value()?),
            "--max-memory-mb" => {
                o.max_memory = value()?.parse::<usize>().map_err(|e| format!("{e}"))? << 20
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

/// Peak resident memory of the process (Linux), in MB.
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

static CAUGHT: AtomicUsize = AtomicUsize::new(0);

fn main() -> std::process::ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("guichet-fuzz: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    // Panics inside the importers are caught there (and answered "unreadable"): count
    // them rather than print a backtrace for each.
    std::panic::set_hook(Box::new(|_| {
        CAUGHT.fetch_add(1, Ordering::Relaxed);
    }));
    let all: Vec<Target> = targets()
        .into_iter()
        .filter(|t| o.only.as_deref().is_none_or(|n| n == t.name))
        .collect();
    if all.is_empty() {
        eprintln!("guichet-fuzz: no such target");
        return std::process::ExitCode::from(2);
    }
    CAP.store(o.max_memory, Ordering::Relaxed);
    let per_target = Duration::from_secs(o.seconds) / all.len() as u32;
    println!(
        "guichet-fuzz: seed {}, {} s per target, memory capped at {} MB",
        o.seed,
        per_target.as_secs_f32(),
        o.max_memory >> 20
    );
    let mut failures = 0;
    for (n, t) in all.iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(o.seed.wrapping_add(n as u64));
        let (start, mut runs, mut peak) = (Instant::now(), 0u64, 0usize);
        let caught_before = CAUGHT.load(Ordering::Relaxed);
        print!("  {:<11}", t.name);
        let _ = std::io::stdout().flush();
        // The seeds as they are first, then mutations until the time is up.
        let mut next = t.seeds.iter().cloned();
        while start.elapsed() < per_target {
            let input = next.next().unwrap_or_else(|| {
                let base = &t.seeds[rng.random_range(0..t.seeds.len())];
                (t.mutate)(&mut rng, base, &t.seeds)
            });
            let before = LIVE.load(Ordering::Relaxed);
            PEAK.store(before, Ordering::Relaxed);
            let outcome = std::panic::catch_unwind(|| (t.run)(&input));
            peak = peak.max(PEAK.load(Ordering::Relaxed).saturating_sub(before));
            runs += 1;
            let problem = match outcome {
                Ok(Ok(())) => continue,
                Ok(Err(p)) => p,
                Err(_) => "panic".to_owned(),
            };
            failures += 1;
            if failures > 5 {
                continue; // the first few are enough to replay
            }
            let path = format!("fuzz-failure-{}-{}.bin", t.name, runs);
            let _ = std::fs::write(&path, &input);
            println!("\n    FAILED after {runs} inputs: {problem} (input saved to {path})");
        }
        println!(
            "{runs:>8} inputs, peak {:>5} MB above the baseline, {} parser panics caught",
            peak >> 20,
            CAUGHT.load(Ordering::Relaxed) - caught_before
        );
    }
    if REFUSED.load(Ordering::Relaxed) {
        failures += 1;
    }
    println!(
        "guichet-fuzz: peak resident memory {} MB",
        peak_rss_mb().map_or("?".into(), |m| m.to_string())
    );
    if failures > 0 {
        println!("guichet-fuzz: {failures} failures (seed {})", o.seed);
        return std::process::ExitCode::FAILURE;
    }
    println!("guichet-fuzz: no panic, no abort, memory within the cap");
    std::process::ExitCode::SUCCESS
}
