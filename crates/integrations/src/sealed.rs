//! Secrets at rest (an organization's Stripe keys): sealed with the server's 32-byte key by
//! XChaCha20-Poly1305, so that a copy of the database alone does not give them away, and any
//! change to a sealed value is detected when it is opened.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// The server's key, from its settings (64 hex digits).
#[derive(Clone)]
pub struct SealingKey([u8; 32]);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(…)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the key must be 64 hexadecimal digits")]
    Key,
    #[error("the sealed value is damaged or was sealed with another key")]
    Open,
}

impl SealingKey {
    pub fn from_hex(s: &str) -> Result<SealingKey, SealError> {
        let bytes = hex::decode(s.trim()).map_err(|_| SealError::Key)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SealError::Key)?;
        Ok(SealingKey(key))
    }

    pub fn from_bytes(key: [u8; 32]) -> SealingKey {
        SealingKey(key)
    }

    /// Seals `plain` with a fresh 24-byte `nonce` (random, from the caller): base64 of the
    /// nonce followed by the ciphertext and its tag.
    pub fn seal(&self, plain: &str, nonce: [u8; 24]) -> String {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let sealed = cipher
            .encrypt(&XNonce::from(nonce), plain.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|_| SealError::Open)?;
        if bytes.len() < 24 {
            return Err(SealError::Open);
        }
        let (nonce, body) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| SealError::Open)?;
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let plain = cipher
            .decrypt(&XNonce::from(nonce), body)
            .map_err(|_| SealError::Open)?;
        String::from_utf8(plain).map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_key_only() {
        let key = SealingKey::from_hex(&"ab".repeat(32)).unwrap();
        let sealed = key.seal("sk_test_123", [7; 24]);
        assert!(!sealed.contains("sk_test"));
        assert_eq!(key.open(&sealed).unwrap(), "sk_test_123");
        let other = SealingKey::from_bytes([1; 32]);
        assert_eq!(other.open(&sealed), Err(SealError::Open));
        let mut damaged = sealed.clone().into_bytes();
        damaged[40] = if damaged[40] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            key.open(&String::from_utf8(damaged).unwrap()),
            Err(SealError::Open)
        );
        assert_eq!(SealingKey::from_hex("abc").err(), Some(SealError::Key));
    }
}
