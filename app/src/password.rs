//! Password hashing (Argon2id with the parameters of the reliability policy)
//! and session tokens. Hashing runs on the blocking pool: it takes tens of
//! milliseconds of CPU on purpose.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::TokenHash;

fn hasher() -> Argon2<'static> {
    // m = 19456 KiB, t = 2, p = 1: the OWASP baseline for Argon2id.
    let params = Params::new(19_456, 2, 1, None).expect("static Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Runs password hashing on the blocking pool, a few at a time.
///
/// Each Argon2 hash holds 19 MiB while it runs. Unbounded, a class list of
/// 200 students or a burst of sign-ins ran hundreds at once: the memory
/// of each stayed with the allocator's per-thread arenas (17 GiB of RSS
/// after creating and signing in 500 students), and the work starved
/// everything else. One hash per core at a time caps both.
pub(crate) struct Hashing {
    permits: tokio::sync::Semaphore,
}

impl Hashing {
    pub(crate) fn new() -> Hashing {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Hashing {
            permits: tokio::sync::Semaphore::new(cores.max(1)),
        }
    }

    pub(crate) async fn hash(&self, password: String) -> Result<String> {
        let _turn = self.permits.acquire().await.map_err(Error::internal)?;
        hash(password).await
    }

    pub(crate) async fn verify(&self, password: String, stored: String) -> Result<bool> {
        let _turn = self.permits.acquire().await.map_err(Error::internal)?;
        verify(password, stored).await
    }
}

async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(Error::internal)
    })
    .await
    .map_err(Error::internal)?
}

/// True when `password` matches `stored`. A malformed stored hash is an internal error.
async fn verify(password: String, stored: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored).map_err(Error::internal)?;
        Ok(hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(Error::internal)?
}

/// A fresh opaque session token: 256 random bits, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "lff_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A fresh invitation code: 256 random bits, URL-safe, told apart from
/// session tokens by its prefix.
pub fn new_invitation_code() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "lffinv_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A fresh calendar feed secret: 256 random bits, URL-safe, told apart
/// from session tokens by its prefix (it only ever reads a calendar).
pub fn new_feed_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "lffcal_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

pub fn token_hash(token: &str) -> TokenHash {
    TokenHash(hex::encode(Sha256::digest(token.as_bytes())))
}

/// A readable random password (for the first administrator): 20 characters
/// from an alphabet without look-alikes, about 115 bits.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify("correct horse battery".into(), h.clone())
                .await
                .unwrap()
        );
        assert!(!verify("correct horse batterz".into(), h).await.unwrap());
    }

    #[test]
    fn tokens_are_unique_and_hashes_are_sha256_hex() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 43);
        assert_eq!(token_hash(&a).0.len(), 64);
        assert_eq!(token_hash(&a), token_hash(&a));
    }
}
