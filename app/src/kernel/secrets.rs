//! Random secrets (session tokens, invitation codes, calendar feed and
//! device tokens, generated passwords) and the hash under which a token is
//! stored.

use std::fmt;

use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The SHA-256 of a session token, in hex. Only this is ever stored.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(pub String);

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Even the hash is kept out of logs; the first characters suffice to tell sessions apart.
        write!(f, "TokenHash({}…)", &self.0[..8.min(self.0.len())])
    }
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

/// What device tokens start with.
pub const DEVICE_PREFIX: &str = "lffdev_";

/// A fresh device token: 256 random bits that mark a device on which a
/// person signed in, so that their later sign-ins there are not slowed by
/// someone else's failures ([`crate::accounts::throttle`]). It proves nothing else.
pub fn new_device_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{DEVICE_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A fresh key for signing links: 256 random bits, in hex.
pub fn new_link_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// How many bytes of the HMAC a link code keeps (128 bits).
const LINK_CODE_BYTES: usize = 16;

fn link_mac(key: &[u8], parts: &[&str]) -> hmac::Hmac<Sha256> {
    use hmac::Mac as _;
    // HMAC takes a key of any length.
    let mut mac = <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    for part in parts {
        mac.update(part.as_bytes());
        mac.update(&[0]);
    }
    mac
}

/// The code that signs `parts` under `key`: 128 bits of HMAC-SHA256, URL-safe.
pub fn link_code(key: &[u8], parts: &[&str]) -> String {
    use hmac::Mac as _;
    let full = link_mac(key, parts).finalize().into_bytes();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&full[..LINK_CODE_BYTES])
}

/// Whether `code` signs `parts` under `key`, compared in constant time.
pub fn link_code_matches(key: &[u8], parts: &[&str], code: &str) -> bool {
    use hmac::Mac as _;
    let Ok(given) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(code) else {
        return false;
    };
    given.len() == LINK_CODE_BYTES && link_mac(key, parts).verify_truncated_left(&given).is_ok()
}

/// A person's pseudonym under a key of their own questionnaire: the same
/// in every round of it, so that answers before and after pair, and
/// naming nobody to whoever lacks the key (destroyed when the
/// questionnaire is archived). Hex of the whole HMAC-SHA256.
pub fn pseudonym(key: &[u8], person: &str) -> String {
    use hmac::Mac as _;
    hex::encode(
        link_mac(key, &["pseudonym", person])
            .finalize()
            .into_bytes(),
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

/// Readable passwords for children: 8 characters without look-alikes (about 40 bits;
/// sign-in throttling does the rest).
pub(crate) fn student_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_codes_sign_every_part_and_its_boundaries() {
        let key = hex::decode(new_link_key()).unwrap();
        let code = link_code(&key, &["downloads/ab", "u1", "120"]);
        assert_eq!(code.len(), 22);
        assert!(link_code_matches(
            &key,
            &["downloads/ab", "u1", "120"],
            &code
        ));
        assert!(!link_code_matches(
            &key,
            &["downloads/ab", "u1", "180"],
            &code
        ));
        assert!(!link_code_matches(
            &key,
            &["downloads/a", "bu1", "120"],
            &code
        ));
        assert!(!link_code_matches(
            b"another key",
            &["downloads/ab", "u1", "120"],
            &code
        ));
        assert!(!link_code_matches(
            &key,
            &["downloads/ab", "u1", "120"],
            "not base64!"
        ));
        assert!(!link_code_matches(
            &key,
            &["downloads/ab", "u1", "120"],
            &code[..20]
        ));
    }

    #[test]
    fn pseudonyms_pair_one_persons_rounds_under_one_key_only() {
        let (k1, k2) = (
            hex::decode(new_link_key()).unwrap(),
            hex::decode(new_link_key()).unwrap(),
        );
        assert_eq!(pseudonym(&k1, "u1"), pseudonym(&k1, "u1"));
        assert_ne!(pseudonym(&k1, "u1"), pseudonym(&k1, "u2"));
        assert_ne!(pseudonym(&k1, "u1"), pseudonym(&k2, "u1"));
        assert_eq!(pseudonym(&k1, "u1").len(), 64);
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
