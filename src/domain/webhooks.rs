//! Webhook rules: how a delivery is signed, when a failed one is tried again, and which target
//! addresses may be called.
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// After this many attempts without a 2xx a delivery is failed (re-deliverable by hand).
pub const MAX_ATTEMPTS: i32 = 8;

/// `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: the timestamp is signed with the body
/// so a captured delivery cannot be replayed later under a fresh timestamp.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Milliseconds before the attempt after `attempts` failed ones: `base_ms`, doubling, at most
/// an hour.
pub fn retry_after_ms(attempts: i32, base_ms: u64) -> u64 {
    let doubled = base_ms.saturating_mul(1u64 << attempts.clamp(1, 20).saturating_sub(1));
    doubled.min(3_600_000)
}

/// What kind of network an address is on, as far as a webhook may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Public,
    Loopback,
    /// RFC 1918, unique-local IPv6, carrier-grade NAT.
    Private,
    LinkLocal,
    /// Unspecified, multicast, broadcast, documentation and other reserved ranges: never.
    Reserved,
}

pub fn reach(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(v4) => reach_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => reach_v4(v4),
            None => reach_v6(v6),
        },
    }
}

fn reach_v4(ip: Ipv4Addr) -> Reach {
    let o = ip.octets();
    if ip.is_loopback() {
        Reach::Loopback
    } else if ip.is_private() || (o[0] == 100 && (o[1] & 0xc0) == 64) {
        Reach::Private
    } else if ip.is_link_local() {
        Reach::LinkLocal
    } else if ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || o[0] >= 240
    {
        Reach::Reserved
    } else {
        Reach::Public
    }
}

fn reach_v6(ip: Ipv6Addr) -> Reach {
    let s = ip.segments();
    if ip.is_loopback() {
        Reach::Loopback
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Reach::Private
    } else if (s[0] & 0xffc0) == 0xfe80 {
        Reach::LinkLocal
    } else if ip.is_unspecified() || ip.is_multicast() || s[0] == 0x2001 && s[1] == 0x0db8 {
        Reach::Reserved
    } else {
        Reach::Public
    }
}

/// Which non-public networks the configuration lets webhooks call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allowed {
    pub loopback: bool,
    pub private: bool,
    pub link_local: bool,
}

impl Allowed {
    pub fn permits(&self, ip: IpAddr) -> bool {
        match reach(ip) {
            Reach::Public => true,
            Reach::Loopback => self.loopback,
            Reach::Private => self.private,
            Reach::LinkLocal => self.link_local,
            Reach::Reserved => false,
        }
    }
}

/// Why a target URL is refused, before any address is looked up.
pub fn check_url(url: &str, allow_http: bool) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_http => {}
        "http" => return Err("only https URLs are accepted".into()),
        other => return Err(format!("scheme {other} is not accepted")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("credentials in the URL are not accepted".into());
    }
    if parsed.host().is_none() {
        return Err("the URL has no host".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_vector() {
        // HMAC-SHA256("secret", "1700000000.{}"), computed with Python's hmac module.
        assert_eq!(
            signature(b"secret", 1_700_000_000, b"{}"),
            "sha256=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
        assert_ne!(
            signature(b"secret", 1_700_000_000, b"{}"),
            signature(b"secret", 1_700_000_001, b"{}"),
            "the timestamp is signed"
        );
        assert_ne!(
            signature(b"secret", 1, b"{}"),
            signature(b"other", 1, b"{}")
        );
    }

    #[test]
    fn retries_double_from_the_base_up_to_an_hour() {
        let cases = [
            (1, 10_000, 10_000),
            (2, 10_000, 20_000),
            (4, 10_000, 80_000),
            (7, 10_000, 640_000),
            (30, 10_000, 3_600_000),
            (3, 50, 200),
        ];
        for (attempts, base, want) in cases {
            assert_eq!(retry_after_ms(attempts, base), want, "{attempts} {base}");
        }
    }

    #[test]
    fn addresses_by_reach() {
        let cases = [
            ("8.8.8.8", Reach::Public),
            ("127.0.0.1", Reach::Loopback),
            ("10.1.2.3", Reach::Private),
            ("172.16.0.1", Reach::Private),
            ("192.168.1.1", Reach::Private),
            ("100.64.0.1", Reach::Private),
            ("169.254.169.254", Reach::LinkLocal),
            ("0.0.0.0", Reach::Reserved),
            ("255.255.255.255", Reach::Reserved),
            ("224.0.0.1", Reach::Reserved),
            ("::1", Reach::Loopback),
            ("fd00::1", Reach::Private),
            ("fe80::1", Reach::LinkLocal),
            ("::ffff:127.0.0.1", Reach::Loopback),
            ("::ffff:169.254.169.254", Reach::LinkLocal),
            ("2606:4700::1111", Reach::Public),
            ("::", Reach::Reserved),
        ];
        for (ip, want) in cases {
            assert_eq!(reach(ip.parse().unwrap()), want, "{ip}");
        }
    }

    #[test]
    fn configuration_allows_networks_one_by_one() {
        let loopback_only = Allowed {
            loopback: true,
            ..Allowed::default()
        };
        let cases = [
            (Allowed::default(), "127.0.0.1", false),
            (Allowed::default(), "93.184.216.34", true),
            (loopback_only, "127.0.0.1", true),
            (loopback_only, "10.0.0.1", false),
            (loopback_only, "169.254.169.254", false),
            (loopback_only, "0.0.0.0", false),
        ];
        for (allowed, ip, want) in cases {
            assert_eq!(
                allowed.permits(ip.parse().unwrap()),
                want,
                "{ip} {allowed:?}"
            );
        }
    }

    #[test]
    fn urls() {
        let cases = [
            ("https://hooks.example.com/x", false, true),
            ("http://hooks.example.com/x", false, false),
            ("http://hooks.example.com/x", true, true),
            ("ftp://hooks.example.com/x", true, false),
            ("https://user:pw@hooks.example.com/", false, false),
            ("not a url", false, false),
        ];
        for (url, http, ok) in cases {
            assert_eq!(check_url(url, http).is_ok(), ok, "{url}");
        }
    }
}
