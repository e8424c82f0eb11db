//! An XLS checked before calamine parses it. Calamine reads every sheet of an XLS when it
//! opens it and sizes each sheet's range from its records: the declared dimensions
//! (`DIMENSIONS`, rows as 32 bits) reserve rows × columns cells, and the cells found make a
//! dense range spanning them, so one cell at row 65,535, column 65,535 asks for 4 billion
//! cells. Here the BIFF records of the workbook stream are read first and any declared size
//! or cell position past the import's limits is refused; then calamine is handed a fresh
//! compound file holding only that stream, so that it parses the very bytes checked (two
//! readers of a crafted compound file could otherwise disagree on what the stream holds).

use crate::import_limits::{ImportError, MAX_BYTES, within_limits};
use std::io::{Cursor, Read, Write};

/// Records that start with the row and column of a cell (MS-XLS 2.4): NUMBER, LABEL,
/// RSTRING, BOOLERR, RK, LABELSST, FORMULA, BLANK and MULBLANK.
const CELL_RECORDS: [u16; 9] = [
    0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006, 0x0201, 0x00BE,
];
const DIMENSIONS: u16 = 0x0200;
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const MULRK: u16 = 0x00BD;

fn unreadable(e: impl std::fmt::Display) -> ImportError {
    ImportError::Unreadable(e.to_string())
}

/// The XLS in `bytes` rebuilt around its checked workbook stream, ready for calamine.
pub(crate) fn check(bytes: &[u8]) -> Result<Vec<u8>, ImportError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(unreadable)?;
    // Calamine reads "Workbook" (BIFF8), else "Book" (BIFF5), whatever their case.
    let path = ["Workbook", "Book"]
        .iter()
        .find_map(|want| {
            file.read_root_storage()
                .find(|e| e.is_stream() && e.name().eq_ignore_ascii_case(want))
                .map(|e| e.path().to_owned())
        })
        .ok_or_else(|| ImportError::Unreadable("no workbook stream".into()))?;
    let mut stream = Vec::new();
    file.open_stream(&path)
        .map_err(unreadable)?
        .take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut stream)
        .map_err(unreadable)?;
    if stream.len() > MAX_BYTES {
        return Err(ImportError::TooLarge);
    }
    check_records(&stream)?;
    // Version 3 (512-byte sectors, what Excel 97–2003 writes): calamine refuses a version 4
    // file whose root has no mini stream.
    let mut out = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
        .map_err(unreadable)?;
    out.create_stream("/Workbook")
        .and_then(|mut s| s.write_all(&stream))
        .map_err(unreadable)?;
    out.flush().map_err(unreadable)?;
    Ok(out.into_inner().into_inner())
}

fn u16_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at + 2)?;
    Some(u32::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The most cells calamine may be led to allocate for an XLS, all sheets together: the
/// rectangles its records declare or its cells span (an XLS holds 65,536 rows at most).
const MAX_AREA: u64 = 2_000_000;

/// The rectangle the cells of one substream (a sheet) span.
#[derive(Default)]
struct Span(Option<(u32, u32, u32, u32)>);

impl Span {
    fn add(&mut self, (row, col): (u32, u32)) {
        let (r0, r1, c0, c1) = self.0.unwrap_or((row, row, col, col));
        self.0 = Some((r0.min(row), r1.max(row), c0.min(col), c1.max(col)));
    }

    fn area(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| {
            u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)
        })
    }
}

/// Every record of the stream (type, length, data) whose size or position calamine
/// allocates from, refused past the limits: each position within the import's limits, and
/// the rectangles declared and spanned, added up over the sheets, within `MAX_AREA`.
/// Records of embedded substreams (charts) count too: stricter than calamine, which skips
/// them.
fn check_records(stream: &[u8]) -> Result<(), ImportError> {
    let (mut spans, mut area, mut at) = (vec![Span::default()], 0u64, 0);
    let cell = |spans: &mut Vec<Span>, pos: (u32, u32)| {
        within_limits(pos)?;
        if let Some(s) = spans.last_mut() {
            s.add(pos);
        }
        Ok::<_, ImportError>(())
    };
    while let (Some(typ), Some(len)) = (u16_at(stream, at), u16_at(stream, at + 2)) {
        let start = at + 4;
        let Some(data) = stream.get(start..start + len as usize) else {
            break; // a truncated record: calamine stops there too
        };
        at = start + len as usize;
        match typ as u16 {
            BOF => spans.push(Span::default()),
            EOF => area += spans.pop().map_or(0, |s| s.area()),
            DIMENSIONS => area += declared_area(data)?,
            t if CELL_RECORDS.contains(&t) => {
                if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
                    cell(&mut spans, (row, col))?;
                }
            }
            MULRK => {
                // Row, first column, 6 bytes per cell, last column.
                let last = data.len().checked_sub(2).and_then(|l| u16_at(data, l));
                if let (Some(row), Some(first), Some(last)) =
                    (u16_at(data, 0), u16_at(data, 2), last)
                {
                    cell(&mut spans, (row, first))?;
                    cell(&mut spans, (row, last))?;
                }
            }
            _ => {}
        }
        if area > MAX_AREA {
            return Err(ImportError::TooManyCells);
        }
    }
    area += spans.iter().map(Span::area).sum::<u64>();
    if area > MAX_AREA {
        return Err(ImportError::TooManyCells);
    }
    Ok(())
}

/// DIMENSIONS (MS-XLS 2.4.90): first row, last row + 1, first column, last column + 1;
/// rows on 16 bits in BIFF5, 32 in BIFF8. Answers the cells calamine reserves for it, read
/// as calamine reads it (a first column past 255 or the last is taken as 0); corners in
/// the wrong order, which calamine subtracts, are refused.
fn declared_area(data: &[u8]) -> Result<u64, ImportError> {
    let corners = match data.len() {
        10 => (
            u16_at(data, 0),
            u16_at(data, 2),
            u16_at(data, 4),
            u16_at(data, 6),
        ),
        14 | 16 => (
            u32_at(data, 0),
            u32_at(data, 4),
            u16_at(data, 8),
            u16_at(data, 10),
        ),
        _ => return Ok(0), // calamine refuses any other length
    };
    let (Some(rf), Some(rl), Some(cf), Some(cl)) = corners else {
        return Ok(0);
    };
    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
    if rl == 0 || cl == 0 {
        return Ok(1);
    }
    if rf >= rl || cf >= cl {
        return Err(ImportError::Unreadable("bad sheet dimensions".into()));
    }
    within_limits((rl - 1, cl - 1))?;
    Ok(u64::from(rl - rf) * u64::from(cl - cf))
}
