//! QR codes as PNG pictures, for e-mails: mail clients do not show SVG (the back office's
//! printed tickets keep theirs, `labels::qr_svg`).

use std::io::Cursor;

/// A QR code of `code` as a PNG picture, black on white with its quiet zone, at least 240
/// pixels wide (a phone shows it at a size a scanner reads; it prints sharp). Medium error
/// correction, as on printed tickets. An error only if `code` is too long for a QR code.
pub fn png(code: &str) -> Result<Vec<u8>, String> {
    let qr = qrcode::QrCode::with_error_correction_level(code.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| e.to_string())?;
    let picture = qr
        .render::<image::Luma<u8>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    let mut out = Cursor::new(Vec::new());
    picture
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_code_draws_as_a_png_qr_code() {
        let bytes = png("GT1.AAAA.BBBB").unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let picture = image::load_from_memory(&bytes).unwrap();
        assert!(picture.width() >= 240 && picture.width() == picture.height());
    }

    #[test]
    fn a_code_too_long_for_a_qr_code_is_an_error() {
        assert!(png(&"x".repeat(10_000)).is_err());
    }
}
