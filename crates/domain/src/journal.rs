//! The sales journal's hashing and signing. Each entry's hash covers a domain tag and every
//! stored column of the entry (organization, chain, sequence number, kind, order, payment,
//! creation time, the previous entry's hash and the canonical JSON of its record), so changing,
//! removing or reordering anything breaks every later hash. Records carry amounts, VAT per
//! rate and perpetual grand totals, never personal data (a customer can be erased and the chain
//! still verifies).
//!
//! An unkeyed chain could be rewritten end to end with recomputed hashes; each Z's entry hash
//! is therefore signed with the organization's Ed25519 key (the one that signs tickets), and
//! the Z print shows its fingerprint: a rewrite shows at the first signed Z after it.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Separates Guichet journal hashes from any other SHA-256 use; `v2` hashes every column.
const DOMAIN_TAG: &[u8] = b"guichet-journal-v2";

/// Separates a Z's signature from a ticket's or an archive's.
const Z_SIGNATURE_TAG: &[u8] = b"guichet-z-v1";

/// The hash before the first entry of a chain.
pub const GENESIS: [u8; 32] = [0; 32];

/// Every stored column of a journal entry but its own hash.
#[derive(Debug, Clone, Copy)]
pub struct EntryFields<'a> {
    pub organization_id: Uuid,
    pub chain: &'a str,
    pub seq: i64,
    pub kind: &'a str,
    pub order_id: Option<Uuid>,
    pub payment_id: Option<Uuid>,
    /// Microseconds since the epoch.
    pub created_at: i64,
    pub prev_hash: &'a [u8],
    /// Canonical JSON (see [`canonical`]).
    pub record: &'a str,
}

/// `SHA-256(tag ‖ every column)`, each part length-prefixed so no two entries share an
/// encoding (an absent order id is the empty part, never 16 zero bytes).
pub fn entry_hash(e: &EntryFields<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DOMAIN_TAG);
    let order = e.order_id.map(|u| *u.as_bytes());
    let payment = e.payment_id.map(|u| *u.as_bytes());
    for part in [
        e.organization_id.as_bytes().as_slice(),
        e.chain.as_bytes(),
        &e.seq.to_be_bytes(),
        e.kind.as_bytes(),
        order.as_ref().map_or(&[][..], |b| b.as_slice()),
        payment.as_ref().map_or(&[][..], |b| b.as_slice()),
        &e.created_at.to_be_bytes(),
        e.prev_hash,
        e.record.as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().into()
}

/// Signs a Z's journal entry hash (which pins the whole chain up to and including the Z).
pub fn sign_z(secret: &[u8; 32], z_entry_hash: &[u8]) -> [u8; 64] {
    SigningKey::from_bytes(secret)
        .sign(&z_message(z_entry_hash))
        .to_bytes()
}

/// Whether `signature` is the organization's signature of this Z entry hash.
pub fn z_signature_valid(public: &[u8; 32], z_entry_hash: &[u8], signature: &[u8]) -> bool {
    let (Ok(key), Ok(sig)) = (
        VerifyingKey::from_bytes(public),
        Signature::from_slice(signature),
    ) else {
        return false;
    };
    key.verify(&z_message(z_entry_hash), &sig).is_ok()
}

fn z_message(hash: &[u8]) -> Vec<u8> {
    [Z_SIGNATURE_TAG, hash].concat()
}

/// The short fingerprint printed on a Z: the first 6 bytes of its entry hash, as
/// `1A2B-3C4D-5E6F`. An auditor compares it with what `guichet journal verify` prints.
pub fn fingerprint(hash: &[u8]) -> String {
    hash.iter()
        .take(6)
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .chunks(2)
        .map(|pair| pair.concat())
        .collect::<Vec<_>>()
        .join("-")
}

/// Canonical JSON: object keys sorted, no whitespace, so the same record always gives the same
/// bytes. Keys are sorted here rather than trusting `serde_json`'s map order, which a
/// dependency's `preserve_order` feature would change.
pub fn canonical(record: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(record, &mut out);
    out
}

fn write_canonical(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(inner) = map.get(*k) {
                    write_canonical(inner, out);
                }
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Perpetual grand totals of a chain, carried in every entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GrandTotals {
    /// Sum of finalized orders, VAT included, minus cancelled ones.
    pub sales_cents: i64,
    /// Sum of payments taken, minus refunds.
    pub payments_cents: i64,
}

/// The running totals an entry states (its record's `grand_totals`), checked against the totals
/// before it plus its deltas when those are known (`before`: none at the start of an archived
/// period, whose earlier entries are not at hand).
pub fn carried_totals(
    record: &serde_json::Value,
    before: Option<GrandTotals>,
) -> Result<GrandTotals, &'static str> {
    let num = |k: &str| record.get(k).and_then(serde_json::Value::as_i64);
    let (sales, payments) = (
        num("sales_delta_cents").ok_or("record_unreadable")?,
        num("payments_delta_cents").ok_or("record_unreadable")?,
    );
    let stated: GrandTotals = record
        .get("grand_totals")
        .and_then(|g| serde_json::from_value(g.clone()).ok())
        .ok_or("record_unreadable")?;
    match before {
        Some(b)
            if stated
                != (GrandTotals {
                    sales_cents: b.sales_cents + sales,
                    payments_cents: b.payments_cents + payments,
                }) =>
        {
            Err("grand_totals_mismatch")
        }
        _ => Ok(stated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(record: &str) -> EntryFields<'_> {
        EntryFields {
            organization_id: Uuid::from_u128(1),
            chain: "reg",
            seq: 1,
            kind: "order",
            order_id: Some(Uuid::from_u128(2)),
            payment_id: None,
            created_at: 10,
            prev_hash: &GENESIS,
            record,
        }
    }

    #[test]
    fn every_column_changes_the_hash() {
        let base = entry_hash(&fields(r#"{"a":1}"#));
        assert_eq!(base, entry_hash(&fields(r#"{"a":1}"#)));
        let prev = [1; 32];
        let changed = [
            EntryFields {
                organization_id: Uuid::from_u128(9),
                ..fields(r#"{"a":1}"#)
            },
            EntryFields {
                chain: "reh",
                ..fields(r#"{"a":1}"#)
            },
            EntryFields {
                seq: 2,
                ..fields(r#"{"a":1}"#)
            },
            EntryFields {
                kind: "payment",
                ..fields(r#"{"a":1}"#)
            },
            EntryFields {
                order_id: None,
                ..fields(r#"{"a":1}"#)
            },
            EntryFields {
                order_id: Some(Uuid::from_u128(3)),
                ..fields(r#"{"a":1}"#)
            },
            EntryFields {
                payment_id: Some(Uuid::from_u128(2)),
                ..fields(r#"{"a":1}"#)
            },
            EntryFields {
                created_at: 11,
                ..fields(r#"{"a":1}"#)
            },
            EntryFields {
                prev_hash: &prev,
                ..fields(r#"{"a":1}"#)
            },
            fields(r#"{"a":2}"#),
        ];
        for c in changed {
            assert_ne!(base, entry_hash(&c), "{c:?}");
        }
    }

    #[test]
    fn an_order_id_moved_to_the_payment_column_changes_the_hash() {
        let a = entry_hash(&fields("{}"));
        let b = entry_hash(&EntryFields {
            order_id: None,
            payment_id: Some(Uuid::from_u128(2)),
            ..fields("{}")
        });
        assert_ne!(a, b);
    }

    #[test]
    fn a_z_signature_checks_with_the_public_key_only() {
        let secret = [7; 32];
        let public = crate::ticket::public_key(&secret);
        let hash = [3; 32];
        let sig = sign_z(&secret, &hash);
        assert!(z_signature_valid(&public, &hash, &sig));
        assert!(!z_signature_valid(&public, &[4; 32], &sig));
        assert!(!z_signature_valid(
            &crate::ticket::public_key(&[8; 32]),
            &hash,
            &sig
        ));
        assert!(!z_signature_valid(&public, &hash, &sig[..10]));
        assert_eq!(
            fingerprint(&[0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70]),
            "1A2B-3C4D-5E6F"
        );
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let v: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":{"d":2,"c":3}}"#).unwrap();
        assert_eq!(canonical(&v), r#"{"a":{"c":3,"d":2},"b":1}"#);
    }
}
