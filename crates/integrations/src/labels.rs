//! Barcode pictures (SVG) for printable label sheets.

use barcoders::generators::svg::SVG;
use barcoders::sym::code128::Code128;
use barcoders::sym::ean8::EAN8;
use barcoders::sym::ean13::EAN13;
use guichet_domain::barcode::Symbology;

/// The bars of a code as an SVG element, `height` pixels high.
pub fn barcode_svg(code: &str, symbology: Symbology, height: u32) -> Result<String, String> {
    let bars = match symbology {
        Symbology::Ean13 => EAN13::new(code).map(|b| b.encode()),
        // UPC-A is an EAN-13 whose first digit is 0.
        Symbology::UpcA => EAN13::new(format!("0{code}")).map(|b| b.encode()),
        Symbology::Ean8 => EAN8::new(code).map(|b| b.encode()),
        // Character set B covers every printable ASCII character.
        Symbology::Code128 => Code128::new(format!("\u{0181}{code}")).map(|b| b.encode()),
    }
    .map_err(|e| format!("{code}: {e}"))?;
    SVG::new(height)
        .xmlns("http://www.w3.org/2000/svg".to_owned())
        .xdim(2)
        .generate(&bars)
        .map_err(|e| format!("{code}: {e}"))
}

/// A QR code of `text` as an SVG element (medium error correction, survives a creased ticket).
pub fn qr_svg(text: &str) -> Result<String, String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| e.to_string())?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(180, 180)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_code_draws_as_a_qr_code() {
        let svg = qr_svg("GT1.AAAA.BBBB").unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
    }

    #[test]
    fn every_symbology_draws() {
        for (code, s) in [
            ("5410188031072", Symbology::Ean13),
            ("036000291452", Symbology::UpcA),
            ("96385074", Symbology::Ean8),
            ("PEL-LOUP-01", Symbology::Code128),
        ] {
            let svg = barcode_svg(code, s, 60).unwrap();
            assert!(svg.starts_with("<svg") && svg.contains("<rect"), "{code}");
        }
    }
}
