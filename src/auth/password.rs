//! Passwords: argon2id with OWASP parameters (m=19 MiB, t=2, p=1). Legacy passlib sha-crypt
//! hashes (`$6$`, `$5$`) still verify and are re-hashed on success; any other stored format
//! (e.g. the plaintext upstream's "deactivate" left behind) is "no match", never an error.
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// Legacy hashes above this cost are refused rather than computed: a stored
/// `rounds=999999999` must not become a CPU denial of service.
const MAX_LEGACY_ROUNDS: u32 = 2_000_000;

fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid params"),
    )
}

pub fn hash(password: &str) -> String {
    argon2()
        .hash_password(password.as_bytes())
        .expect("argon2 hashing cannot fail with valid params")
        .to_string()
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Match,
    /// Matched a legacy hash: store `hash(password)` instead.
    MatchNeedsRehash,
    NoMatch,
}

pub fn verify(password: &str, stored: &str) -> Verdict {
    if stored.starts_with("$argon2") {
        return match argon2().verify_password(password.as_bytes(), stored) {
            Ok(()) => Verdict::Match,
            Err(_) => Verdict::NoMatch,
        };
    }
    if stored.starts_with("$6$") || stored.starts_with("$5$") {
        if legacy_rounds(stored).is_none_or(|r| r > MAX_LEGACY_ROUNDS) {
            return Verdict::NoMatch;
        }
        let verifier = sha_crypt::ShaCrypt::from(sha_crypt::Algorithm::Sha512Crypt);
        return match verifier.verify_password(password.as_bytes(), stored) {
            Ok(()) => Verdict::MatchNeedsRehash,
            Err(_) => Verdict::NoMatch,
        };
    }
    Verdict::NoMatch
}

/// `rounds=` of a sha-crypt string; 5000 when omitted (the crypt default).
fn legacy_rounds(stored: &str) -> Option<u32> {
    let field = stored.split('$').nth(2)?;
    match field.strip_prefix("rounds=") {
        Some(n) => n.parse().ok(),
        None => Some(5000),
    }
}

/// Verifies against a fixed hash so an unknown email costs the same as a wrong password.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("spci-dummy-password-for-timing"));
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip_with_owasp_params() {
        let h = hash("correct horse battery staple");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert_eq!(verify("correct horse battery staple", &h), Verdict::Match);
        assert_eq!(verify("wrong", &h), Verdict::NoMatch);
    }

    #[test]
    fn legacy_and_unknown_formats() {
        // glibc crypt() output, which passlib's sha512_crypt / sha256_crypt produce too.
        let sha512 = "$6$rounds=10000$saltsalt$ZqOTO2O04D/DgwZlm.rZTgWxvBaIf4LQsZKtXFEu9UHJ4CvgmdLAGxKUzJ0mPO98OevETdY6oK/Oac6j2Axxq/";
        let sha512_default_rounds = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
        let sha256 = "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5";
        let cases: &[(&str, &str, Verdict)] = &[
            ("password", sha512, Verdict::MatchNeedsRehash),
            ("Password", sha512, Verdict::NoMatch),
            (
                "Hello world!",
                sha512_default_rounds,
                Verdict::MatchNeedsRehash,
            ),
            ("Hello world!", sha256, Verdict::MatchNeedsRehash),
            ("hello world!", sha256, Verdict::NoMatch),
            // plaintext left by upstream's legacy deactivate: never a match, never an error
            ("abcdefghijklmnop", "abcdefghijklmnop", Verdict::NoMatch),
            ("x", "", Verdict::NoMatch),
            ("x", "$6$", Verdict::NoMatch),
            ("x", "$6$rounds=999999999$salt$abc", Verdict::NoMatch),
            ("x", "$argon2id$garbage", Verdict::NoMatch),
            ("mock", "mock_hash_mock", Verdict::NoMatch),
        ];
        for (pw, stored, want) in cases {
            assert_eq!(&verify(pw, stored), want, "{pw:?} vs {stored:?}");
        }
    }
}
