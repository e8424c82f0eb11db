//! The attached customer's terms and the visitors' origin.

use super::*;

/// Why a customer's terms change a line: "Remise client 10 % + TVA 6 % + Écoles". `None`
/// when the terms change nothing.
pub fn terms_reason(
    labels: &Labels,
    discount_bp: u32,
    tax: TaxTreatment,
    type_name: Option<&str>,
) -> Option<String> {
    if discount_bp == 0 && tax == TaxTreatment::Standard {
        return None;
    }
    let mut why = Vec::new();
    if discount_bp > 0 {
        why.push(format!(
            "{} {}",
            labels.customer_discount,
            percent_text(discount_bp)
        ));
    }
    match tax {
        TaxTreatment::Exempt => why.push(labels.vat_exempt.clone()),
        TaxTreatment::Rate(r) => why.push(format!("{} {}", labels.vat, percent_text(r))),
        TaxTreatment::Standard => {}
    }
    if let Some(t) = type_name {
        why.push(t.to_owned());
    }
    Some(why.join(" + "))
}

/// The customer's discount and tax treatment (theirs, else their type's: the rules are
/// [`effective_terms`] and [`apply_terms`], the exemption per rate over the whole cart) on
/// every line; the line says why.
pub(super) fn customer_terms(c: &SaleCustomer, labels: &Labels, lines: &mut [PricedLine]) {
    let kind = c.customer_type.as_ref();
    let (bp, tax) = effective_terms(
        c.discount_bp,
        c.vat_exempt,
        kind.map(|t| (t.discount_bp, t.tax)),
    );
    let Some(why) = terms_reason(labels, bp, tax, kind.map(|t| t.name.as_str())) else {
        return;
    };
    // A gift card keeps its price: the tax treatment applies, the discount does not.
    let terms: Vec<(u32, i64, u32)> = lines
        .iter()
        .map(|l| {
            (
                if l.discountable { bp } else { 0 },
                l.total_cents,
                l.vat_rate_bp,
            )
        })
        .collect();
    for (l, (discount, vat_off, after, rate)) in lines.iter_mut().zip(apply_terms(tax, &terms)) {
        if discount + vat_off == 0 && rate == l.vat_rate_bp {
            continue;
        }
        l.discount_cents += discount + vat_off;
        l.total_cents = after;
        l.vat_rate_bp = rate;
        l.discount_reason = Some(match l.discount_reason.take() {
            Some(r) => format!("{r} + {why}"),
            None => why.clone(),
        });
    }
}

/// The visitors' origin: asked for visits only; the attached customer's by default.
pub(super) fn origin(
    cart: &Cart,
    customer: Option<&SaleCustomer>,
    lines: &[PricedLine],
    e: &mut FieldErrors,
) -> Option<Origin> {
    if !lines.iter().any(|l| l.offer_id.is_some()) {
        return None;
    }
    match (&cart.origin, customer) {
        (Some(o), _) if !o.is_blank() => {
            match Origin::parse(&o.country, &o.postal_code, &o.province) {
                Ok(o) => Some(o),
                Err((field, err)) => {
                    e.add(&format!("origin.{field}"), err.code());
                    None
                }
            }
        }
        (_, Some(c)) => Some(c.origin.clone()),
        _ => None,
    }
}
