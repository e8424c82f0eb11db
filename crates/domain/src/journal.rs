//! The sales journal's hashing: each entry's hash covers a domain tag, its chain, its
//! sequence number, the previous entry's hash and the canonical JSON of its record, so changing,
//! removing or reordering any entry breaks every later hash. Records carry amounts, VAT per rate
//! and perpetual grand totals, never personal data (a customer can be erased and the chain still
//! verifies).

use sha2::{Digest, Sha256};

/// Separates Guichet journal hashes from any other SHA-256 use.
const DOMAIN_TAG: &[u8] = b"guichet-journal-v1";

/// The hash before the first entry of a chain.
pub const GENESIS: [u8; 32] = [0; 32];

/// `SHA-256(tag ‖ chain ‖ seq ‖ prev_hash ‖ record)`, each variable part length-prefixed so
/// no two inputs share an encoding.
pub fn entry_hash(chain: &str, seq: i64, prev_hash: &[u8], record: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DOMAIN_TAG);
    for part in [
        chain.as_bytes(),
        &seq.to_be_bytes(),
        prev_hash,
        record.as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().into()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_change_changes_the_hash() {
        let base = entry_hash("reg", 1, &GENESIS, r#"{"a":1}"#);
        assert_ne!(base, entry_hash("reg", 2, &GENESIS, r#"{"a":1}"#));
        assert_ne!(base, entry_hash("reh", 1, &GENESIS, r#"{"a":1}"#));
        assert_ne!(base, entry_hash("reg", 1, &[1; 32], r#"{"a":1}"#));
        assert_ne!(base, entry_hash("reg", 1, &GENESIS, r#"{"a":2}"#));
        assert_eq!(base, entry_hash("reg", 1, &GENESIS, r#"{"a":1}"#));
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let v: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":{"d":2,"c":3}}"#).unwrap();
        assert_eq!(canonical(&v), r#"{"a":{"c":3,"d":2},"b":1}"#);
    }
}
