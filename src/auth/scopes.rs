//! Token scopes and platform roles as pure rules.
use crate::error::ApiError;
use serde_json::json;

pub const ALL_SCOPES: &[&str] = &[
    "runs:read",
    "runs:write",
    "results:read",
    "baselines:write",
    "system:read",
    "system:write",
    "tokens:manage",
];

pub const DEFAULT_SCOPES: &[&str] = &["runs:read", "results:read"];

/// Scopes only an admin may hold (review H1 and the #1131 review: tokens:manage was grantable
/// to anyone, which let any user revoke anyone's tokens).
pub const ADMIN_ONLY_SCOPES: &[&str] = &["tokens:manage", "system:write", "baselines:write"];

pub fn is_admin(role: &str) -> bool {
    role == "admin"
}

/// Scopes a user of `role` may put on a new token.
pub fn grantable(role: &str, scope: &str) -> bool {
    ALL_SCOPES.contains(&scope) && (is_admin(role) || !ADMIN_ONLY_SCOPES.contains(&scope))
}

/// A token's effective scopes: what it was granted, intersected with what its owner's role may
/// hold now (a demoted admin's old tokens lose admin-only scopes at once).
pub fn effective(role: &str, granted: &[String]) -> Vec<String> {
    granted
        .iter()
        .filter(|s| grantable(role, s))
        .cloned()
        .collect()
}

/// The operation's `x-required-scopes` (all needed) and `x-required-roles` (any one suffices;
/// empty means any role).
pub fn check(
    token_scopes: &[String],
    role: &str,
    required_scopes: &[&str],
    required_roles: &[&str],
) -> Result<(), ApiError> {
    let missing: Vec<&str> = required_scopes
        .iter()
        .copied()
        .filter(|s| !token_scopes.iter().any(|t| t == s))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::forbidden("Token lacks a required scope.")
            .detail("required_scopes", json!(required_scopes))
            .detail("missing_scopes", json!(missing))
            .detail("token_scopes", json!(token_scopes)));
    }
    if !required_roles.is_empty() && !required_roles.contains(&role) {
        return Err(
            ApiError::forbidden("Your role may not perform this operation.")
                .detail("required_roles", json!(required_roles))
                .detail("user_role", role),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn review_h1_only_admins_may_be_granted_admin_scopes() {
        for role in ["user", "contributor", "tester"] {
            for scope in ADMIN_ONLY_SCOPES {
                assert!(!grantable(role, scope), "{role} must not get {scope}");
            }
            for scope in ["runs:read", "runs:write", "results:read", "system:read"] {
                assert!(grantable(role, scope), "{role} may get {scope}");
            }
        }
        for scope in ALL_SCOPES {
            assert!(grantable("admin", scope));
        }
        assert!(!grantable("admin", "runs:delete"));
    }

    #[test]
    fn review_1131_non_admins_cannot_hold_tokens_manage_even_if_stored() {
        let stored = s(&["runs:read", "tokens:manage"]);
        assert_eq!(effective("user", &stored), s(&["runs:read"]));
        assert_eq!(effective("admin", &stored), stored);
    }

    #[test]
    fn scope_and_role_checks() {
        struct Case {
            scopes: &'static [&'static str],
            role: &'static str,
            need_scopes: &'static [&'static str],
            need_roles: &'static [&'static str],
            ok: bool,
        }
        let cases = [
            Case {
                scopes: &["runs:read"],
                role: "user",
                need_scopes: &["runs:read"],
                need_roles: &[],
                ok: true,
            },
            Case {
                scopes: &["runs:read"],
                role: "user",
                need_scopes: &["runs:write"],
                need_roles: &[],
                ok: false,
            },
            Case {
                scopes: &[],
                role: "user",
                need_scopes: &[],
                need_roles: &[],
                ok: true,
            },
            Case {
                scopes: &["tokens:manage"],
                role: "user",
                need_scopes: &["tokens:manage"],
                need_roles: &["admin"],
                ok: false,
            },
            Case {
                scopes: &["tokens:manage"],
                role: "admin",
                need_scopes: &["tokens:manage"],
                need_roles: &["admin"],
                ok: true,
            },
            Case {
                scopes: &["runs:write"],
                role: "tester",
                need_scopes: &["runs:write"],
                need_roles: &["admin", "tester"],
                ok: true,
            },
        ];
        for c in cases {
            let r = check(&s(c.scopes), c.role, c.need_scopes, c.need_roles);
            assert_eq!(
                r.is_ok(),
                c.ok,
                "{:?} {} {:?} {:?}",
                c.scopes,
                c.role,
                c.need_scopes,
                c.need_roles
            );
            if let Err(e) = r {
                assert_eq!((e.status, e.code), (403, "forbidden"));
            }
        }
        let e = check(
            &s(&["runs:read"]),
            "user",
            &["runs:read", "runs:write"],
            &[],
        )
        .unwrap_err();
        assert_eq!(e.details["missing_scopes"], json!(["runs:write"]));
        let e = check(&[], "user", &[], &["admin"]).unwrap_err();
        assert_eq!(e.details["user_role"], json!("user"));
    }
}
