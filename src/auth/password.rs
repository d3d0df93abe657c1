//! Passwords in two formats (`SPCI_PASSWORD_FORMAT`). Either verifies both argon2id and the
//! passlib sha-crypt hashes upstream stores (`$6$`, `$5$`); any other stored value (e.g. the
//! plaintext upstream's legacy "deactivate" left behind) is "no match", never an error.
//! - `sha512_crypt` (default): every password spci sets is written as upstream writes it
//!   (`$6$rounds=1024000$<16-char salt>$<86-char digest>`), and no stored hash is ever
//!   rewritten, so upstream keeps verifying every user.
//! - `argon2id`: OWASP parameters (m=19 MiB, t=2, p=1); a legacy hash that matches is
//!   upgraded at login.
use crate::config::PasswordFormat;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash};
use rand::RngCore;
use std::sync::OnceLock;
use subtle::ConstantTimeEq;

/// An argon2 working memory, kept between checks (see `hash_pool`).
pub type Memory = Vec<Block>;

/// Stored argon2 hashes asking for more memory than this are refused rather than computed: a
/// stored `m=4194304` must not become a memory denial of service.
const MAX_ARGON2_KIB: u32 = 64 * 1024;

/// Upstream's rounds: passlib's `custom_app_context`, "admin" category, which it always uses.
pub const UPSTREAM_ROUNDS: u32 = 1_024_000;

/// Legacy hashes above this cost are refused rather than computed: a stored
/// `rounds=999999999` must not become a CPU denial of service.
const MAX_LEGACY_ROUNDS: u32 = 2_000_000;

fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        argon2::Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid params"),
    )
}

pub fn hash(password: &str, format: PasswordFormat) -> String {
    match format {
        PasswordFormat::Argon2id => argon2()
            .hash_password(password.as_bytes())
            .expect("argon2 hashing cannot fail with valid params")
            .to_string(),
        PasswordFormat::Sha512Crypt => {
            // 12 bytes are passlib's 16 salt characters of the crypt alphabet.
            let mut salt = [0u8; 12];
            rand::rng().fill_bytes(&mut salt);
            sha512_crypt(password, &salt, UPSTREAM_ROUNDS)
        }
    }
}

fn sha512_crypt(password: &str, salt: &[u8], rounds: u32) -> String {
    let params = sha_crypt::Params::new(rounds).expect("rounds within sha-crypt's bounds");
    sha_crypt::ShaCrypt::new(sha_crypt::Algorithm::Sha512Crypt, params)
        .hash_password_with_salt(password.as_bytes(), salt)
        .expect("sha512_crypt cannot fail with valid params")
        .to_string()
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Match,
    /// Matched a hash of another format than the configured one: store `hash(password)`.
    MatchNeedsRehash,
    NoMatch,
}

/// [`verify_in`] with a memory of its own (tests, tools).
pub fn verify(password: &str, stored: &str, format: PasswordFormat) -> Verdict {
    verify_in(password, stored, format, &mut Memory::new())
}

/// `password` against `stored`; argon2id works in `memory`, grown to the size the stored
/// parameters need and left allocated for the next check.
pub fn verify_in(
    password: &str,
    stored: &str,
    format: PasswordFormat,
    memory: &mut Memory,
) -> Verdict {
    let matched = if stored.starts_with("$argon2") {
        argon2_matches(password, stored, memory)
    } else if stored.starts_with("$6$") || stored.starts_with("$5$") {
        legacy_rounds(stored).is_some_and(|r| r <= MAX_LEGACY_ROUNDS)
            && sha_crypt::ShaCrypt::from(sha_crypt::Algorithm::Sha512Crypt)
                .verify_password(password.as_bytes(), stored)
                .is_ok()
    } else {
        false
    };
    match (matched, format) {
        (false, _) => Verdict::NoMatch,
        // Beside upstream a stored hash is never rewritten, whatever its format.
        (true, PasswordFormat::Sha512Crypt) => Verdict::Match,
        (true, PasswordFormat::Argon2id) if stored.starts_with("$argon2") => Verdict::Match,
        (true, PasswordFormat::Argon2id) => Verdict::MatchNeedsRehash,
    }
}

/// What argon2's own verifier does (the stored algorithm, version and parameters, the output
/// compared in constant time), but in a memory the caller keeps.
fn argon2_matches(password: &str, stored: &str, memory: &mut Memory) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let version = match hash.version.map(argon2::Version::try_from) {
        None => argon2::Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    if params.m_cost() > MAX_ARGON2_KIB {
        return false;
    }
    memory.resize(params.block_count(), Block::new());
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..])
        .is_ok()
        && bool::from(out.ct_eq(expected.as_bytes()))
}

/// `rounds=` of a sha-crypt string; 5000 when omitted (the crypt default).
fn legacy_rounds(stored: &str) -> Option<u32> {
    let field = stored.split('$').nth(2)?;
    match field.strip_prefix("rounds=") {
        Some(n) => n.parse().ok(),
        None => Some(5000),
    }
}

/// Verifies against a fixed hash of the configured format, so an unknown email costs what a
/// wrong password of a real account costs (argon2id, or 1,024,000 rounds of SHA-512).
pub fn verify_dummy(password: &str, format: PasswordFormat, memory: &mut Memory) {
    let _ = verify_in(password, dummy(format), format, memory);
}

fn dummy(format: PasswordFormat) -> &'static str {
    static ARGON2: OnceLock<String> = OnceLock::new();
    static SHA512: OnceLock<String> = OnceLock::new();
    let cell = match format {
        PasswordFormat::Argon2id => &ARGON2,
        PasswordFormat::Sha512Crypt => &SHA512,
    };
    cell.get_or_init(|| hash("spci-dummy-password-for-timing", format))
}

#[cfg(test)]
mod tests {
    use super::*;
    use PasswordFormat::{Argon2id, Sha512Crypt};

    #[test]
    fn argon2id_round_trip_with_owasp_params() {
        let h = hash("correct horse battery staple", Argon2id);
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        for format in [Argon2id, Sha512Crypt] {
            assert_eq!(
                verify("correct horse battery staple", &h, format),
                Verdict::Match
            );
            assert_eq!(verify("wrong", &h, format), Verdict::NoMatch);
        }
    }

    /// passlib 1.7.4: `sha512_crypt.using(rounds=1024000, salt="abcdefghijklmnop")
    /// .hash("password123")`. The same salt gives the same string, so upstream reads ours.
    const PASSLIB: &str = "$6$rounds=1024000$abcdefghijklmnop$lcIhbFEdGLJyvns19FUn8YdRbyZyas/B1b6Ku.YPyMnXGovyXajRBpZcRFRP4ClsagT3x/S2VEaVXDEV7JZzk.";

    #[test]
    fn sha512_crypt_is_written_exactly_as_passlib_writes_it() {
        // The 16 salt characters are the crypt-alphabet encoding of these 12 bytes.
        let salt = sha_crypt_salt_bytes("abcdefghijklmnop");
        assert_eq!(sha512_crypt("password123", &salt, UPSTREAM_ROUNDS), PASSLIB);
        let h = hash("password123", Sha512Crypt);
        let fields: Vec<&str> = h.split('$').collect();
        assert_eq!(fields[..3], ["", "6", "rounds=1024000"], "{h}");
        assert_eq!((fields[3].len(), fields[4].len()), (16, 86), "{h}");
        assert_eq!(verify("password123", &h, Sha512Crypt), Verdict::Match);
        assert_ne!(
            hash("password123", Sha512Crypt),
            h,
            "a fresh salt each time"
        );
    }

    /// Inverse of the crypt alphabet's base64, for the test vector's salt.
    fn sha_crypt_salt_bytes(salt: &str) -> Vec<u8> {
        use base64ct::{Base64ShaCrypt, Encoding};
        Base64ShaCrypt::decode_vec(salt).expect("a crypt-alphabet salt")
    }

    /// The unknown-email check costs what the configured format costs: same algorithm, same
    /// parameters as every hash that format writes.
    #[test]
    fn the_dummy_check_has_the_configured_formats_cost() {
        assert!(dummy(Sha512Crypt).starts_with("$6$rounds=1024000$"));
        assert!(dummy(Argon2id).starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    #[test]
    fn verdicts_by_stored_format_and_mode() {
        // glibc crypt() output, which passlib's sha512_crypt / sha256_crypt produce too.
        let sha512 = "$6$rounds=10000$saltsalt$ZqOTO2O04D/DgwZlm.rZTgWxvBaIf4LQsZKtXFEu9UHJ4CvgmdLAGxKUzJ0mPO98OevETdY6oK/Oac6j2Axxq/";
        let sha512_default_rounds = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
        let sha256 = "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5";
        use Verdict::{Match, MatchNeedsRehash, NoMatch};
        // (password, stored, verdict beside upstream, verdict in argon2id mode)
        let cases: &[(&str, &str, Verdict, Verdict)] = &[
            ("password", sha512, Match, MatchNeedsRehash),
            ("Password", sha512, NoMatch, NoMatch),
            (
                "Hello world!",
                sha512_default_rounds,
                Match,
                MatchNeedsRehash,
            ),
            ("Hello world!", sha256, Match, MatchNeedsRehash),
            ("hello world!", sha256, NoMatch, NoMatch),
            ("password123", PASSLIB, Match, MatchNeedsRehash),
            // plaintext left by upstream's legacy deactivate: never a match, never an error
            ("abcdefghijklmnop", "abcdefghijklmnop", NoMatch, NoMatch),
            ("x", "", NoMatch, NoMatch),
            ("x", "$6$", NoMatch, NoMatch),
            ("x", "$6$rounds=999999999$salt$abc", NoMatch, NoMatch),
            ("x", "$argon2id$garbage", NoMatch, NoMatch),
            ("mock", "mock_hash_mock", NoMatch, NoMatch),
        ];
        for (pw, stored, beside, alone) in cases {
            assert_eq!(
                &verify(pw, stored, Sha512Crypt),
                beside,
                "{pw:?} vs {stored:?}"
            );
            assert_eq!(&verify(pw, stored, Argon2id), alone, "{pw:?} vs {stored:?}");
        }
    }
}
