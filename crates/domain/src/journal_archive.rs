//! A signed archive of a period of an organization's sales journal (the French rules on
//! inalterability ask for a periodic archive): every entry of the period, every Z's signature,
//! the organization's public key, and the organization's Ed25519 signature over the whole.
//! [`verify`] checks an archive with the public key alone, without any database: the
//! archive's signature, each chain's continuity and hashes within the period, the running
//! grand totals, and every Z's signature.

use crate::journal::{
    EntryFields, GENESIS, GrandTotals, canonical, carried_totals, entry_hash, z_signature_valid,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const FORMAT: &str = "guichet-journal-archive-1";

/// Separates an archive's signature from a ticket's or a Z's.
const TAG: &[u8] = b"guichet-journal-archive-v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedEntry {
    pub seq: i64,
    pub kind: String,
    pub order_id: Option<Uuid>,
    pub payment_id: Option<Uuid>,
    pub created_at: i64,
    pub record: String,
    /// Hex.
    pub prev_hash: String,
    /// Hex.
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedChain {
    pub chain: String,
    pub entries: Vec<ArchivedEntry>,
}

/// A Z's signature, as the session row keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedZ {
    pub chain: String,
    pub z_number: i64,
    /// Hex of the Z's journal entry hash.
    pub hash: String,
    /// Base64url.
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Archive {
    pub format: String,
    pub organization_id: Uuid,
    /// The period, as asked (`YYYY-MM-DD`, both included, in the organization's time zone).
    pub from: String,
    pub to: String,
    pub exported_at: i64,
    /// Base64url, as `GET /api/v1/ticket-key` gives it.
    pub public_key: String,
    pub chains: Vec<ArchivedChain>,
    pub zs: Vec<ArchivedZ>,
    /// Base64url; over the canonical JSON of everything else.
    #[serde(default)]
    pub signature: String,
}

impl Archive {
    /// The archive as written to its file (indented JSON).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    pub fn from_json(bytes: &[u8]) -> Result<Archive, ArchiveError> {
        serde_json::from_slice(bytes).map_err(|_| ArchiveError::Unreadable)
    }
}

fn signed_bytes(a: &Archive) -> Result<Vec<u8>, ArchiveError> {
    let mut unsigned = a.clone();
    unsigned.signature = String::new();
    let value = serde_json::to_value(&unsigned).map_err(|_| ArchiveError::Unreadable)?;
    Ok([TAG, canonical(&value).as_bytes()].concat())
}

/// Signs the archive with the organization's secret key.
pub fn sign(mut a: Archive, secret: &[u8; 32]) -> Result<Archive, ArchiveError> {
    let bytes = signed_bytes(&a)?;
    a.signature = URL_SAFE_NO_PAD.encode(SigningKey::from_bytes(secret).sign(&bytes).to_bytes());
    Ok(a)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    #[error("not a Guichet journal archive")]
    Unreadable,
    #[error("the public key is not a valid Ed25519 key")]
    BadKey,
    #[error("the archive was not signed with this public key, or was changed after signing")]
    BadSignature,
}

/// What an archive holds, once its signature checks; `problems` lists every entry or Z that
/// does not (empty: the archive verifies).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveReport {
    pub chains: usize,
    pub entries: usize,
    pub zs: usize,
    pub problems: Vec<String>,
}

/// Checks an archive with the organization's public key (base64url) alone.
pub fn verify(a: &Archive, public_key: &str) -> Result<ArchiveReport, ArchiveError> {
    let key: [u8; 32] = URL_SAFE_NO_PAD
        .decode(public_key.trim())
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or(ArchiveError::BadKey)?;
    let verifying = VerifyingKey::from_bytes(&key).map_err(|_| ArchiveError::BadKey)?;
    if a.format != FORMAT {
        return Err(ArchiveError::Unreadable);
    }
    let sig = URL_SAFE_NO_PAD
        .decode(&a.signature)
        .ok()
        .and_then(|s| Signature::from_slice(&s).ok())
        .ok_or(ArchiveError::BadSignature)?;
    verifying
        .verify(&signed_bytes(a)?, &sig)
        .map_err(|_| ArchiveError::BadSignature)?;
    let mut report = ArchiveReport {
        chains: a.chains.len(),
        zs: a.zs.len(),
        ..ArchiveReport::default()
    };
    for c in &a.chains {
        report.entries += c.entries.len();
        if let Err(why) = check_chain(a.organization_id, c) {
            report.problems.push(format!("chain {}: {why}", c.chain));
        }
    }
    for z in &a.zs {
        let in_archive = a
            .chains
            .iter()
            .filter(|c| c.chain == z.chain)
            .flat_map(|c| &c.entries)
            .any(|e| e.kind == "z" && e.hash == z.hash);
        let signed = hex_decode(&z.hash).is_some_and(|h| {
            URL_SAFE_NO_PAD
                .decode(&z.signature)
                .is_ok_and(|s| z_signature_valid(&key, &h, &s))
        });
        if !in_archive || !signed {
            report.problems.push(format!(
                "Z {} of chain {}: {}",
                z.z_number,
                z.chain,
                if in_archive {
                    "bad signature"
                } else {
                    "its entry is not in the archive"
                }
            ));
        }
    }
    Ok(report)
}

fn check_chain(org: Uuid, c: &ArchivedChain) -> Result<(), String> {
    let mut prev: Option<(i64, Vec<u8>, GrandTotals)> = None;
    for e in &c.entries {
        let at = |why: &str| format!("entry #{}: {why}", e.seq);
        let prev_hash = hex_decode(&e.prev_hash).ok_or_else(|| at("unreadable"))?;
        let hash = hex_decode(&e.hash).ok_or_else(|| at("unreadable"))?;
        match &prev {
            None if e.seq == 1 && prev_hash != GENESIS => return Err(at("previous_hash_mismatch")),
            Some((seq, _, _)) if e.seq != seq + 1 => return Err(at("sequence_gap")),
            Some((_, h, _)) if *h != prev_hash => return Err(at("previous_hash_mismatch")),
            _ => {}
        }
        let fields = EntryFields {
            organization_id: org,
            chain: &c.chain,
            seq: e.seq,
            kind: &e.kind,
            order_id: e.order_id,
            payment_id: e.payment_id,
            created_at: e.created_at,
            prev_hash: &prev_hash,
            record: &e.record,
        };
        if entry_hash(&fields).as_slice() != hash.as_slice() {
            return Err(at("hash_mismatch"));
        }
        let record: serde_json::Value =
            serde_json::from_str(&e.record).map_err(|_| at("record_unreadable"))?;
        let stated = carried_totals(&record, prev.as_ref().map(|p| p.2)).map_err(at)?;
        prev = Some((e.seq, hash, stated));
    }
    Ok(())
}

pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    hex::decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::sign_z;

    fn entry(
        org: Uuid,
        chain: &str,
        seq: i64,
        kind: &str,
        prev: &[u8],
        totals: i64,
    ) -> (ArchivedEntry, Vec<u8>) {
        let record = format!(
            r#"{{"grand_totals":{{"payments_cents":0,"sales_cents":{totals}}},"payments_delta_cents":0,"sales_delta_cents":100}}"#
        );
        let hash = entry_hash(&EntryFields {
            organization_id: org,
            chain,
            seq,
            kind,
            order_id: None,
            payment_id: None,
            created_at: seq,
            prev_hash: prev,
            record: &record,
        });
        let e = ArchivedEntry {
            seq,
            kind: kind.into(),
            order_id: None,
            payment_id: None,
            created_at: seq,
            record,
            prev_hash: hex(prev),
            hash: hex(&hash),
        };
        (e, hash.to_vec())
    }

    fn archive(secret: &[u8; 32]) -> Archive {
        let org = Uuid::from_u128(5);
        let (a, h1) = entry(org, "r", 1, "order", &GENESIS, 100);
        let (b, h2) = entry(org, "r", 2, "z", &h1, 200);
        let z = ArchivedZ {
            chain: "r".into(),
            z_number: 1,
            hash: hex(&h2),
            signature: URL_SAFE_NO_PAD.encode(sign_z(secret, &h2)),
        };
        let unsigned = Archive {
            format: FORMAT.into(),
            organization_id: org,
            from: "2026-01-01".into(),
            to: "2026-12-31".into(),
            exported_at: 1,
            public_key: URL_SAFE_NO_PAD.encode(crate::ticket::public_key(secret)),
            chains: vec![ArchivedChain {
                chain: "r".into(),
                entries: vec![a, b],
            }],
            zs: vec![z],
            signature: String::new(),
        };
        sign(unsigned, secret).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_signed_archive_verifies_with_the_public_key_alone() {
        let secret = [9; 32];
        let a = archive(&secret);
        let report = verify(&a, &a.public_key).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((report.chains, report.entries, report.zs), (1, 2, 1));
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }

    #[test]
    fn any_change_or_another_key_is_refused() {
        let secret = [9; 32];
        let a = archive(&secret);
        let other = URL_SAFE_NO_PAD.encode(crate::ticket::public_key(&[1; 32]));
        assert_eq!(verify(&a, &other), Err(ArchiveError::BadSignature));
        let mut changed = a.clone();
        changed.chains[0].entries[0].created_at += 1;
        assert_eq!(
            verify(&changed, &a.public_key),
            Err(ArchiveError::BadSignature)
        );
        assert_eq!(verify(&a, "not a key"), Err(ArchiveError::BadKey));
    }

    #[test]
    fn an_archive_re_signed_after_a_change_shows_the_broken_entry() {
        // Someone holding the secret key could re-sign a changed archive: the chain and the
        // Z's signature still show it.
        let secret = [9; 32];
        let mut a = archive(&secret);
        a.chains[0].entries[0].created_at += 1;
        let a = sign(a, &secret).unwrap_or_else(|e| panic!("{e}"));
        let report = verify(&a, &a.public_key).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            report.problems,
            vec!["chain r: entry #1: hash_mismatch".to_owned()]
        );
    }
}
