//! API token format and storage: `spci_` + 43 url-safe characters (32 random bytes), stored as
//! the lowercase SHA-256 hex of the whole token plus its first 16 characters as a lookup prefix
//! (upstream-compatible), compared in constant time.
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const TOKEN_PREFIX: &str = "spci_";
pub const LOOKUP_PREFIX_LEN: usize = 16;
const SECRET_LEN: usize = 43;

pub struct NewToken {
    pub plaintext: String,
    pub digest: String,
    pub lookup_prefix: String,
}

pub fn generate() -> NewToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let plaintext = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    NewToken {
        digest: digest(&plaintext),
        lookup_prefix: plaintext[..LOOKUP_PREFIX_LEN].to_string(),
        plaintext,
    }
}

pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The lookup prefix of a well-formed token; `None` for anything else, before any database work.
pub fn lookup_prefix(token: &str) -> Option<&str> {
    let secret = token.strip_prefix(TOKEN_PREFIX)?;
    let well_formed = secret.len() == SECRET_LEN
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| &token[..LOOKUP_PREFIX_LEN])
}

pub fn digest_matches(token: &str, stored_digest: &str) -> bool {
    digest(token)
        .as_bytes()
        .ct_eq(stored_digest.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_have_the_documented_shape() {
        let t = generate();
        assert!(t.plaintext.starts_with("spci_"));
        assert_eq!(t.plaintext.len(), 5 + 43);
        assert_eq!(lookup_prefix(&t.plaintext), Some(t.lookup_prefix.as_str()));
        assert_eq!(t.lookup_prefix.len(), 16);
        assert_eq!(t.digest.len(), 64);
        assert!(digest_matches(&t.plaintext, &t.digest));
        assert_ne!(generate().plaintext, t.plaintext);
    }

    #[test]
    fn malformed_tokens_have_no_prefix() {
        let good = generate().plaintext;
        let cases = [
            ("", false),
            ("spci_", false),
            ("Bearer spci_x", false),
            (&good[1..], false),
            (&good[..good.len() - 1], false),
            (&good, true),
        ];
        for (token, ok) in cases {
            assert_eq!(lookup_prefix(token).is_some(), ok, "{token:?}");
        }
        let wrong_char = format!("{}!", &good[..good.len() - 1]);
        assert!(lookup_prefix(&wrong_char).is_none());
    }

    #[test]
    fn digest_is_sha256_hex() {
        assert_eq!(
            digest(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(!digest_matches("spci_a", &digest("spci_b")));
    }
}
