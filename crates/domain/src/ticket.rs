//! Ticket codes: what a ticket's QR code carries, signed with the organization's Ed25519 key so
//! that a scanner holding only the public key can tell a genuine ticket from a forged or
//! altered one, without the database.
//!
//! A code is `GT1.<payload>.<signature>`, both parts base64url without padding. The payload is
//! binary, in this order: the key id (the first 4 bytes of SHA-256 of the public key, so a
//! scanner picks the right key), the order id (16 bytes), the order line's position (u16), the
//! ticket's index within that line and the line's count (u16 each: ticket 2 of 3), a flags byte
//! (1: a session start follows; 2: an item id follows), then the session start (i64
//! microseconds) and the ticket type's id (16 bytes) when present. The signature covers the
//! prefix and the payload bytes. No personal data goes into a code.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const PREFIX: &str = "GT1";

/// What a ticket code says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct TicketClaim {
    #[schema(value_type = String)]
    pub key_id: String,
    pub order_id: Uuid,
    /// The order line (1-based); a ticket for the whole order names its first ticket line.
    pub line: u16,
    /// This ticket is `index` of `count` (1-based).
    pub index: u16,
    pub count: u16,
    pub session_start: Option<i64>,
    pub item_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("not a Guichet ticket code")]
    Malformed,
    #[error("signed with another key")]
    UnknownKey,
    #[error("the signature does not match: forged or altered")]
    BadSignature,
}

impl TicketError {
    pub fn code(self) -> &'static str {
        match self {
            Self::Malformed => "ticket_malformed",
            Self::UnknownKey => "ticket_unknown_key",
            Self::BadSignature => "ticket_bad_signature",
        }
    }
}

/// A new signing key from 32 random bytes (the caller draws them).
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(secret).verifying_key().to_bytes()
}

/// The 4-byte id of a public key, as hex.
pub fn key_id(public: &[u8; 32]) -> [u8; 4] {
    let h = Sha256::digest(public);
    [h[0], h[1], h[2], h[3]]
}

fn payload(c: &TicketClaim, key: [u8; 4]) -> Vec<u8> {
    let mut p = Vec::with_capacity(64);
    p.extend_from_slice(&key);
    p.extend_from_slice(c.order_id.as_bytes());
    p.extend_from_slice(&c.line.to_be_bytes());
    p.extend_from_slice(&c.index.to_be_bytes());
    p.extend_from_slice(&c.count.to_be_bytes());
    let flags = u8::from(c.session_start.is_some()) | (u8::from(c.item_id.is_some()) << 1);
    p.push(flags);
    if let Some(s) = c.session_start {
        p.extend_from_slice(&s.to_be_bytes());
    }
    if let Some(i) = c.item_id {
        p.extend_from_slice(i.as_bytes());
    }
    p
}

fn signed_bytes(payload: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(PREFIX.len() + payload.len());
    m.extend_from_slice(PREFIX.as_bytes());
    m.extend_from_slice(payload);
    m
}

/// The code of one ticket, signed with `secret`. The claim's `key_id` is ignored: the code
/// carries the id of the key that signed it.
pub fn sign(claim: &TicketClaim, secret: &[u8; 32]) -> String {
    let key = SigningKey::from_bytes(secret);
    let p = payload(claim, key_id(&key.verifying_key().to_bytes()));
    let sig = key.sign(&signed_bytes(&p));
    format!(
        "{PREFIX}.{}.{}",
        URL_SAFE_NO_PAD.encode(&p),
        URL_SAFE_NO_PAD.encode(sig.to_bytes())
    )
}

/// Checks a scanned code against a public key and says what it is for.
pub fn verify(code: &str, public: &[u8; 32]) -> Result<TicketClaim, TicketError> {
    let mut parts = code.trim().split('.');
    let (Some(PREFIX), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TicketError::Malformed);
    };
    let p = URL_SAFE_NO_PAD
        .decode(p)
        .map_err(|_| TicketError::Malformed)?;
    let s = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| TicketError::Malformed)?;
    let claim = parse(&p)?;
    if claim.key_id != hex4(key_id(public)) {
        return Err(TicketError::UnknownKey);
    }
    let key = VerifyingKey::from_bytes(public).map_err(|_| TicketError::UnknownKey)?;
    let sig = Signature::from_slice(&s).map_err(|_| TicketError::Malformed)?;
    key.verify(&signed_bytes(&p), &sig)
        .map_err(|_| TicketError::BadSignature)?;
    Ok(claim)
}

fn hex4(b: [u8; 4]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn parse(p: &[u8]) -> Result<TicketClaim, TicketError> {
    let take = |at: &mut usize, n: usize| -> Result<&[u8], TicketError> {
        let s = p.get(*at..*at + n).ok_or(TicketError::Malformed)?;
        *at += n;
        Ok(s)
    };
    let mut at = 0;
    let key: [u8; 4] = take(&mut at, 4)?
        .try_into()
        .map_err(|_| TicketError::Malformed)?;
    let order = Uuid::from_slice(take(&mut at, 16)?).map_err(|_| TicketError::Malformed)?;
    let u16_at = |at: &mut usize| -> Result<u16, TicketError> {
        let b: [u8; 2] = take(at, 2)?
            .try_into()
            .map_err(|_| TicketError::Malformed)?;
        Ok(u16::from_be_bytes(b))
    };
    let line = u16_at(&mut at)?;
    let index = u16_at(&mut at)?;
    let count = u16_at(&mut at)?;
    let flags = *take(&mut at, 1)?.first().ok_or(TicketError::Malformed)?;
    let session_start = if flags & 1 != 0 {
        let b: [u8; 8] = take(&mut at, 8)?
            .try_into()
            .map_err(|_| TicketError::Malformed)?;
        Some(i64::from_be_bytes(b))
    } else {
        None
    };
    let item_id = if flags & 2 != 0 {
        Some(Uuid::from_slice(take(&mut at, 16)?).map_err(|_| TicketError::Malformed)?)
    } else {
        None
    };
    if at != p.len() || flags > 3 {
        return Err(TicketError::Malformed);
    }
    Ok(TicketClaim {
        key_id: hex4(key),
        order_id: order,
        line,
        index,
        count,
        session_start,
        item_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn claim() -> TicketClaim {
        TicketClaim {
            key_id: String::new(),
            order_id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
            line: 1,
            index: 2,
            count: 3,
            session_start: Some(1_773_662_400_000_000),
            item_id: Some(Uuid::from_u128(42)),
        }
    }

    #[test]
    fn a_signed_code_verifies_and_says_what_it_is_for() {
        let secret = [7u8; 32];
        let public = public_key(&secret);
        let code = sign(&claim(), &secret);
        assert!(code.starts_with("GT1."));
        let got = verify(&code, &public).unwrap();
        assert_eq!(got.order_id, claim().order_id);
        assert_eq!((got.line, got.index, got.count), (1, 2, 3));
        assert_eq!(got.session_start, claim().session_start);
        assert_eq!(got.item_id, claim().item_id);
        assert_eq!(got.key_id, hex4(key_id(&public)));
    }

    #[test]
    fn another_key_or_a_changed_byte_is_refused() {
        let secret = [7u8; 32];
        let code = sign(&claim(), &secret);
        assert_eq!(
            verify(&code, &public_key(&[8u8; 32])),
            Err(TicketError::UnknownKey)
        );
        // Ticket 2 of 3 turned into ticket 3 of 3: the payload no longer matches its signature.
        let parts: Vec<&str> = code.split('.').collect();
        let mut p = URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
        p[23] = 3;
        let forged = format!("GT1.{}.{}", URL_SAFE_NO_PAD.encode(&p), parts[2]);
        assert_eq!(
            verify(&forged, &public_key(&secret)),
            Err(TicketError::BadSignature)
        );
        assert_eq!(
            verify("hello", &public_key(&secret)),
            Err(TicketError::Malformed)
        );
        assert_eq!(
            verify("GT1.AAAA.AAAA", &public_key(&secret)),
            Err(TicketError::Malformed)
        );
    }

    proptest! {
        #[test]
        fn any_claim_round_trips(line in 1u16.., index in 1u16.., count in 1u16.., start in proptest::option::of(any::<i64>()), item in proptest::option::of(any::<u128>()), secret in any::<[u8; 32]>()) {
            let c = TicketClaim { key_id: String::new(), order_id: Uuid::from_u128(9), line, index, count, session_start: start, item_id: item.map(Uuid::from_u128) };
            let got = verify(&sign(&c, &secret), &public_key(&secret)).unwrap();
            prop_assert_eq!((got.line, got.index, got.count, got.session_start, got.item_id), (line, index, count, start, c.item_id));
        }

        #[test]
        fn garbage_never_panics(s in ".{0,200}") {
            let _ = verify(&s, &public_key(&[1; 32]));
        }
    }
}

/// The secret part of a visitor's booking page address: an HMAC-SHA256 of the order's id under
/// the organization's ticket key, 128 bits in base64url. Nothing is stored for it; whoever
/// lacks the key cannot make one for another order, and the same order always has the same
/// address (the e-mail sent again links to the same page).
pub fn booking_page_token(secret: &[u8; 32], order: Uuid) -> String {
    use hmac::{KeyInit, Mac};
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret) else {
        // An HMAC takes a key of any length: unreachable, and no page rather than a panic.
        return String::new();
    };
    mac.update(b"guichet-booking-page:");
    mac.update(order.as_bytes());
    let tag = mac.finalize().into_bytes();
    URL_SAFE_NO_PAD.encode(&tag[..16])
}

/// Whether `token` is the booking page token of `order`, compared in constant time.
pub fn booking_page_token_matches(secret: &[u8; 32], order: Uuid, token: &str) -> bool {
    use subtle::ConstantTimeEq;
    let expected = booking_page_token(secret, order);
    !expected.is_empty()
        && expected.len() == token.len()
        && bool::from(expected.as_bytes().ct_eq(token.as_bytes()))
}

#[cfg(test)]
mod booking_page_tests {
    use super::*;

    #[test]
    fn a_token_opens_its_own_order_only() {
        let (k1, k2) = ([7u8; 32], [8u8; 32]);
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let t = booking_page_token(&k1, a);
        assert_eq!(t.len(), 22);
        assert!(booking_page_token_matches(&k1, a, &t));
        assert!(!booking_page_token_matches(&k1, b, &t));
        assert!(!booking_page_token_matches(&k2, a, &t));
        assert!(!booking_page_token_matches(&k1, a, &t[..21]));
        assert!(!booking_page_token_matches(&k1, a, ""));
    }
}
