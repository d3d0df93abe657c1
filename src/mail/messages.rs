//! The text of every message, with upstream's subjects. Links open upstream's pages (so a
//! deployment beside upstream works unchanged); the same fields complete them through the API.
use super::Outgoing;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

const SUBJECT_REGISTRATION: &str = "CCExtractor CI platform registration";
const SUBJECT_RESET: &str = "CCExtractor CI platform password reset";

fn outgoing(to: &str, subject: &str, body: String) -> Outgoing {
    Outgoing {
        to: to.to_string(),
        subject: subject.to_string(),
        body,
    }
}

pub fn signup_link(web: &str, email: &str, expires: i64, mac: &str) -> Outgoing {
    let path_email = utf8_percent_encode(email, NON_ALPHANUMERIC);
    outgoing(
        email,
        SUBJECT_REGISTRATION,
        format!(
            "Someone asked to register this address on the CCExtractor CI platform.\n\n\
             To create your account, open this link within 24 hours:\n\
             {web}/account/complete_signup/{path_email}/{expires}/{mac}\n\n\
             Through the API: POST /api/v1/auth/signup/complete with\n\
             email={email} expires={expires} mac={mac}, a name and a password.\n\n\
             If it was not you, ignore this message.\n"
        ),
    )
}

/// Sent instead of a link when the address has an account: the same request, the same answer.
pub fn already_registered(web: &str, email: &str, name: &str) -> Outgoing {
    outgoing(
        email,
        SUBJECT_REGISTRATION,
        format!(
            "Hello {name},\n\nSomeone asked to register this address on the CCExtractor CI \
             platform, but it already has an account. If you forgot your password, reset it \
             at {web}/account/reset.\n"
        ),
    )
}

pub fn reset_link(
    web: &str,
    email: &str,
    name: &str,
    user_id: i32,
    expires: i64,
    mac: &str,
) -> Outgoing {
    outgoing(
        email,
        SUBJECT_RESET,
        format!(
            "Hello {name},\n\nTo choose a new password, open this link within 24 hours:\n\
             {web}/account/reset/{user_id}/{expires}/{mac}\n\n\
             Through the API: POST /api/v1/auth/password-reset/complete with\n\
             user_id={user_id} expires={expires} mac={mac} and the new password.\n\n\
             The link works once. If you did not ask for it, ignore this message.\n"
        ),
    )
}

/// Sent instead of a link when no account has the address.
pub fn reset_unknown(web: &str, email: &str) -> Outgoing {
    outgoing(
        email,
        SUBJECT_RESET,
        format!(
            "Someone asked to reset the password of this address on the CCExtractor CI \
             platform, but no account uses it. To register, go to {web}/account/signup.\n"
        ),
    )
}

pub fn welcome(email: &str, name: &str) -> Outgoing {
    outgoing(
        email,
        "Welcome to the CCExtractor CI platform",
        format!("Hello {name},\n\nYour account on the CCExtractor CI platform is ready.\n"),
    )
}

pub fn password_changed(email: &str, name: &str) -> Outgoing {
    outgoing(
        email,
        "CCExtractor CI platform password changed",
        format!(
            "Hello {name},\n\nThe password of your CCExtractor CI platform account was \
             changed, and the account's API tokens were revoked (all of them after a reset; \
             all but the one that made the change otherwise). If it was not you, reset your \
             password at once.\n"
        ),
    )
}

/// To the old and to the new address.
pub fn email_changed(to: &str, name: &str, new_email: &str) -> Outgoing {
    outgoing(
        to,
        "CCExtractor CI platform email changed",
        format!(
            "Hello {name},\n\nThe address of your CCExtractor CI platform account is now \
             {new_email}. If it was not you, reset your password at once.\n"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_open_upstreams_pages() {
        let cases = [
            (
                signup_link("https://ci.example.org", "a+b@example.org", 99, "abc").body,
                "https://ci.example.org/account/complete_signup/a%2Bb%40example%2Eorg/99/abc",
            ),
            (
                reset_link("https://ci.example.org", "a@example.org", "A", 7, 99, "abc").body,
                "https://ci.example.org/account/reset/7/99/abc",
            ),
        ];
        for (body, link) in cases {
            assert!(body.contains(link), "{body}");
        }
    }

    #[test]
    fn known_and_unknown_addresses_get_the_same_subject() {
        let web = "https://ci.example.org";
        assert_eq!(
            signup_link(web, "a@example.org", 1, "m").subject,
            already_registered(web, "a@example.org", "A").subject
        );
        assert_eq!(
            reset_link(web, "a@example.org", "A", 1, 1, "m").subject,
            reset_unknown(web, "a@example.org").subject
        );
    }
}
