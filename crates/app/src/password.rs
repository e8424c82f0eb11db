//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane), on the
//! blocking pool so that hashing never stalls the async workers.

use crate::AppError;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

fn argon2() -> Result<Argon2<'static>, AppError> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let argon = argon2()?;
        argon
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// A hash of a random password, verified against when the e-mail is unknown so that the
/// answer takes as long as for a real account (no e-mail enumeration by timing).
fn dummy_hash() -> Result<String, AppError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h.clone());
    }
    let random: [u8; 16] = rand::random();
    let h = argon2()?
        .hash_password(&random)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(DUMMY.get_or_init(|| h).clone())
}

/// True when `password` matches `stored`. With no stored hash (unknown e-mail, or an
/// invitation not yet accepted) the same work is done and the answer is false.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let argon = argon2()?;
        let known = stored.is_some();
        let hash_text = match stored {
            Some(h) => h,
            None => dummy_hash()?,
        };
        let ok = argon
            .verify_password(password.as_bytes(), hash_text.as_str())
            .is_ok();
        Ok(known && ok)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_and_verifies() {
        let h = super::hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            super::verify("correct horse battery".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!super::verify("wrong".into(), Some(h)).await.unwrap());
        assert!(!super::verify("anything".into(), None).await.unwrap());
    }
}
