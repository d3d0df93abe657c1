//! Signed links, as upstream signs them so either side accepts the other's: an HMAC-SHA256,
//! hex, over `|`-separated fields, with the key and the message encoded as latin-1.
//!
//! - sign-up: `<email>|<expires>`;
//! - password reset: `<user id>|<expires>|<current password hash>`: setting a password changes
//!   the hash, so a used link no longer verifies (single use without any stored state);
//! - GitHub connection state: `github|<user id>|<expires>`, spci's own, signed with a different
//!   key (the server secret), so a reset link can never pass for one;
//! - file download link: `file|<object key>|<expires>`, spci's own, with the server secret; the
//!   leading word keeps it from ever verifying as a GitHub state.
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How long a mailed link stays valid, as upstream: one day.
pub const LINK_LIFETIME_SECS: i64 = 86_400;
/// How long a browser has to come back from GitHub's consent page.
pub const STATE_LIFETIME_SECS: i64 = 600;

/// Latin-1 bytes of `s`, or `None` when a character is outside latin-1 (upstream could not
/// encode it either).
pub fn latin1(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

/// The message bytes: latin-1 as upstream; an address latin-1 cannot hold (upstream fails on
/// it) is signed as UTF-8, so spci still gives it a working link.
fn message(s: &str) -> Vec<u8> {
    latin1(s).unwrap_or_else(|| s.as_bytes().to_vec())
}

fn mac_hex(key: &[u8], msg: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(&message(msg));
    hex::encode(m.finalize().into_bytes())
}

/// Compares in constant time, so a MAC cannot be guessed byte by byte from timings.
fn same(expected: &str, given: &str) -> bool {
    expected.as_bytes().ct_eq(given.as_bytes()).into()
}

pub fn signup_mac(key: &[u8], email: &str, expires: i64) -> String {
    mac_hex(key, &format!("{email}|{expires}"))
}

pub fn reset_mac(key: &[u8], user_id: i32, expires: i64, password_hash: &str) -> String {
    mac_hex(key, &format!("{user_id}|{expires}|{password_hash}"))
}

/// Upstream's rule: valid up to and including the second it expires.
fn unexpired(expires: i64, now: i64) -> bool {
    now <= expires
}

pub fn signup_valid(key: &[u8], email: &str, expires: i64, mac: &str, now: i64) -> bool {
    unexpired(expires, now) && same(&signup_mac(key, email, expires), mac)
}

pub fn reset_valid(
    key: &[u8],
    user_id: i32,
    expires: i64,
    password_hash: &str,
    mac: &str,
    now: i64,
) -> bool {
    unexpired(expires, now) && same(&reset_mac(key, user_id, expires, password_hash), mac)
}

/// The OAuth `state` naming `user_id`: `<user id>.<expires>.<mac>`.
pub fn github_state(key: &[u8], user_id: i32, expires: i64) -> String {
    let mac = mac_hex(key, &format!("github|{user_id}|{expires}"));
    format!("{user_id}.{expires}.{mac}")
}

/// The user a `state` names, if it is intact and unexpired.
pub fn github_state_user(key: &[u8], state: &str, now: i64) -> Option<i32> {
    let mut parts = state.splitn(3, '.');
    let user_id: i32 = parts.next()?.parse().ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    parts.next()?;
    let expected = github_state(key, user_id, expires);
    (unexpired(expires, now) && same(&expected, state)).then_some(user_id)
}

/// How long a file link stays valid: as long as S3's and GCS's signed URLs here (12 hours).
pub const FILE_LINK_LIFETIME_SECS: i64 = 12 * 3600;

/// Why a file link does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileLinkError {
    /// Not three dot-separated parts, or a key that is not base64url of UTF-8.
    Malformed,
    /// The MAC does not match: altered, or signed with another secret.
    Forged,
    Expired,
}

/// The link token naming object `key` until `expires`: `<base64url key>.<expires>.<mac>`.
pub fn file_link(key: &[u8], object_key: &str, expires: i64) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(object_key);
    let mac = mac_hex(key, &format!("file|{object_key}|{expires}"));
    format!("{encoded}.{expires}.{mac}")
}

/// The object key a link token names, if it is intact and unexpired. A forged token is
/// reported as such even when also expired: nothing about an altered link is trusted.
pub fn open_file_link(key: &[u8], token: &str, now: i64) -> Result<String, FileLinkError> {
    use base64::Engine;
    let mut parts = token.splitn(3, '.');
    let (Some(encoded), Some(expires), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(FileLinkError::Malformed);
    };
    let expires: i64 = expires.parse().map_err(|_| FileLinkError::Malformed)?;
    let object_key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(FileLinkError::Malformed)?;
    if !same(&file_link(key, &object_key, expires), token) {
        return Err(FileLinkError::Forged);
    }
    if !unexpired(expires, now) {
        return Err(FileLinkError::Expired);
    }
    Ok(object_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_links_open_only_intact_and_unexpired() {
        let key = b"server secret";
        let token = file_link(key, "TestResults/abc.srt", EXPIRES);
        let (head, mac) = token.rsplit_once('.').unwrap();
        let mut flipped = mac.to_string();
        flipped.replace_range(0..1, if mac.starts_with('0') { "1" } else { "0" });
        let other_key = file_link(key, "TestFiles/abc.ts", EXPIRES);
        let (other_head, _) = other_key.rsplit_once('.').unwrap();
        // (what, token, secret, now, what it opens as)
        type Case<'a> = (
            &'a str,
            String,
            &'a [u8],
            i64,
            Result<String, FileLinkError>,
        );
        let cases: Vec<Case> = vec![
            (
                "intact",
                token.clone(),
                key,
                NOW,
                Ok("TestResults/abc.srt".into()),
            ),
            (
                "last second",
                token.clone(),
                key,
                EXPIRES,
                Ok("TestResults/abc.srt".into()),
            ),
            (
                "expired",
                token.clone(),
                key,
                EXPIRES + 1,
                Err(FileLinkError::Expired),
            ),
            (
                "other secret",
                token.clone(),
                b"other",
                NOW,
                Err(FileLinkError::Forged),
            ),
            (
                "mac altered",
                format!("{head}.{flipped}"),
                key,
                NOW,
                Err(FileLinkError::Forged),
            ),
            (
                "key swapped",
                format!("{other_head}.{mac}"),
                key,
                NOW,
                Err(FileLinkError::Forged),
            ),
            (
                "expiry extended",
                token.replace(&format!(".{EXPIRES}."), &format!(".{}.", EXPIRES + 3600)),
                key,
                EXPIRES + 1,
                Err(FileLinkError::Forged),
            ),
            (
                "two parts",
                head.to_string(),
                key,
                NOW,
                Err(FileLinkError::Malformed),
            ),
            (
                "not base64",
                format!("%%.{EXPIRES}.{mac}"),
                key,
                NOW,
                Err(FileLinkError::Malformed),
            ),
            (
                "no number",
                "a.b.c".into(),
                key,
                NOW,
                Err(FileLinkError::Malformed),
            ),
            // A GitHub state signed with the same secret never opens as a file link.
            (
                "github state",
                github_state(key, 7, EXPIRES),
                key,
                NOW,
                Err(FileLinkError::Malformed),
            ),
        ];
        for (what, token, k, now, want) in cases {
            assert_eq!(open_file_link(k, &token, now), want, "{what}");
        }
    }

    const NOW: i64 = 1_764_806_000;
    const EXPIRES: i64 = 1_764_806_400;

    /// Computed with upstream's function (`hmac.new(bytes(key, 'latin-1'), bytes(data,
    /// 'latin-1'), hashlib.sha256).hexdigest()`), so links cross between the two.
    #[test]
    fn macs_match_upstream() {
        let cases = [
            (
                signup_mac(b"upstream-hmac-key", "someone@example.org", EXPIRES),
                "9ab9048acc6f194c06db7d26529e4b623708d7c1f0e16eccb759346783eae565",
            ),
            (
                reset_mac(
                    &latin1("clé").unwrap(),
                    42,
                    EXPIRES,
                    "$6$rounds=1024000$salt$digest",
                ),
                "d3e9bb63e252756c59d16f06e5f6a4d0244b0dd28891eae424798463390efff7",
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn latin1_encodes_as_upstream() {
        let cases: [(&str, Option<&[u8]>); 3] = [
            ("abc", Some(b"abc")),
            ("clé", Some(&[b'c', b'l', 0xE9])),
            ("ключ", None),
        ];
        for (s, want) in cases {
            assert_eq!(latin1(s).as_deref(), want, "{s}");
        }
    }

    #[test]
    fn reset_links_verify_only_intact_unexpired_and_unused() {
        let key = b"k";
        let hash = "$6$old";
        let mac = reset_mac(key, 7, EXPIRES, hash);
        let cases = [
            ("intact", 7, EXPIRES, hash, mac.clone(), NOW, true),
            ("last second", 7, EXPIRES, hash, mac.clone(), EXPIRES, true),
            ("expired", 7, EXPIRES, hash, mac.clone(), EXPIRES + 1, false),
            ("other user", 8, EXPIRES, hash, mac.clone(), NOW, false),
            (
                "later expiry",
                7,
                EXPIRES + 86_400,
                hash,
                mac.clone(),
                NOW,
                false,
            ),
            (
                "password changed since",
                7,
                EXPIRES,
                "$6$new",
                mac.clone(),
                NOW,
                false,
            ),
            (
                "altered mac",
                7,
                EXPIRES,
                hash,
                mac.replace('a', "b"),
                NOW,
                false,
            ),
            ("empty mac", 7, EXPIRES, hash, String::new(), NOW, false),
        ];
        for (name, uid, expires, hash, mac, now, want) in cases {
            assert_eq!(
                reset_valid(key, uid, expires, hash, &mac, now),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn signup_links_verify_only_for_their_address() {
        let key = b"k";
        let mac = signup_mac(key, "a@example.org", EXPIRES);
        let cases = [
            ("a@example.org", EXPIRES, NOW, true),
            ("b@example.org", EXPIRES, NOW, false),
            ("a@example.org", EXPIRES, EXPIRES + 1, false),
        ];
        for (email, expires, now, want) in cases {
            assert_eq!(
                signup_valid(key, email, expires, &mac, now),
                want,
                "{email} {now}"
            );
        }
        // A reset MAC is not a sign-up MAC for the same fields.
        assert!(!signup_valid(
            key,
            "7",
            EXPIRES,
            &reset_mac(key, 7, EXPIRES, ""),
            NOW
        ));
    }

    #[test]
    fn github_state_names_its_user_until_it_expires() {
        let key = b"server-secret";
        let state = github_state(key, 12, EXPIRES);
        let cases = [
            (state.clone(), NOW, Some(12)),
            (state.clone(), EXPIRES + 1, None),
            (state.replacen("12.", "13.", 1), NOW, None),
            (format!("{state}0"), NOW, None),
            ("12.1764806400".to_string(), NOW, None),
            ("garbage".to_string(), NOW, None),
        ];
        for (s, now, want) in cases {
            assert_eq!(github_state_user(key, &s, now), want, "{s}");
        }
        assert_eq!(github_state_user(b"other-key", &state, NOW), None);
    }
}
