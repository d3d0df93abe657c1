//! Token scopes and platform roles as pure rules. Which scopes only an admin may hold is the
//! spec's `x-admin-only` on `Scope` (`Scope::ADMIN_ONLY`), not a copy kept here.
use super::DomainError;
use crate::api::{Role, Scope};
use serde_json::json;
use std::collections::BTreeSet;

/// What a new token gets when the request names no scopes.
pub const DEFAULT_SCOPES: &[Scope] = &[Scope::RunsRead, Scope::ResultsRead];

pub fn is_admin(role: Role) -> bool {
    role == Role::Admin
}

/// Staff may start runs on the main repository and see stack traces.
pub fn is_staff(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Tester | Role::Contributor)
}

/// A stored role; a missing or unknown one is the least privileged.
pub fn role_of(stored: Option<&str>) -> Role {
    stored.and_then(Role::parse).unwrap_or(Role::User)
}

/// Whether a user of `role` may put `scope` on a token (review H1 and the #1131 review:
/// tokens:manage was grantable to anyone, which let any user revoke anyone's tokens).
pub fn grantable(role: Role, scope: Scope) -> bool {
    is_admin(role) || !scope.is_admin_only()
}

/// A token's effective scopes: what it was granted (as stored), intersected with what its
/// owner's role may hold now (a demoted admin's old tokens lose admin-only scopes at once).
/// Stored values that are not scopes grant nothing.
pub fn effective(role: Role, granted: &[String]) -> BTreeSet<Scope> {
    granted
        .iter()
        .filter_map(|s| Scope::parse(s))
        .filter(|s| grantable(role, *s))
        .collect()
}

fn names<'a>(v: impl IntoIterator<Item = &'a Scope>) -> Vec<&'static str> {
    v.into_iter().map(|s| s.as_str()).collect()
}

/// The operation's `x-required-scopes` (all needed) and `x-required-roles` (any one suffices;
/// empty means any role).
pub fn check(
    token_scopes: &BTreeSet<Scope>,
    role: Role,
    required_scopes: &[Scope],
    required_roles: &[Role],
) -> Result<(), DomainError> {
    let missing: Vec<&Scope> = required_scopes
        .iter()
        .filter(|s| !token_scopes.contains(s))
        .collect();
    if !missing.is_empty() {
        return Err(DomainError::forbidden("Token lacks a required scope.")
            .detail("required_scopes", json!(names(required_scopes)))
            .detail("missing_scopes", json!(names(missing)))
            .detail("token_scopes", json!(names(token_scopes))));
    }
    if !required_roles.is_empty() && !required_roles.contains(&role) {
        let roles: Vec<&str> = required_roles.iter().map(|r| r.as_str()).collect();
        return Err(
            DomainError::forbidden("Your role may not perform this operation.")
                .detail("required_roles", json!(roles))
                .detail("user_role", role.as_str()),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ErrorKind;

    fn set(v: &[Scope]) -> BTreeSet<Scope> {
        v.iter().copied().collect()
    }

    #[test]
    fn review_h1_only_admins_may_be_granted_admin_scopes() {
        for role in [Role::User, Role::Contributor, Role::Tester] {
            for scope in Scope::ADMIN_ONLY {
                assert!(!grantable(role, *scope), "{role:?} must not get {scope:?}");
            }
            for scope in [
                Scope::RunsRead,
                Scope::RunsWrite,
                Scope::ResultsRead,
                Scope::SystemRead,
            ] {
                assert!(grantable(role, scope), "{role:?} may get {scope:?}");
            }
        }
        for scope in Scope::ALL {
            assert!(grantable(Role::Admin, *scope));
        }
        assert!(Scope::parse("runs:delete").is_none());
    }

    #[test]
    fn the_admin_only_scopes_are_the_specs() {
        assert_eq!(
            set(Scope::ADMIN_ONLY),
            set(&[
                Scope::TokensManage,
                Scope::SystemWrite,
                Scope::BaselinesWrite
            ])
        );
    }

    #[test]
    fn review_1131_non_admins_cannot_hold_tokens_manage_even_if_stored() {
        let stored = vec!["runs:read".to_string(), "tokens:manage".to_string()];
        assert_eq!(effective(Role::User, &stored), set(&[Scope::RunsRead]));
        assert_eq!(
            effective(Role::Admin, &stored),
            set(&[Scope::RunsRead, Scope::TokensManage])
        );
        let junk = vec!["runs:delete".to_string()];
        assert!(effective(Role::Admin, &junk).is_empty());
    }

    #[test]
    fn scope_and_role_checks() {
        struct Case {
            scopes: &'static [Scope],
            role: Role,
            need_scopes: &'static [Scope],
            need_roles: &'static [Role],
            ok: bool,
        }
        use Scope::*;
        let cases = [
            Case {
                scopes: &[RunsRead],
                role: Role::User,
                need_scopes: &[RunsRead],
                need_roles: &[],
                ok: true,
            },
            Case {
                scopes: &[RunsRead],
                role: Role::User,
                need_scopes: &[RunsWrite],
                need_roles: &[],
                ok: false,
            },
            Case {
                scopes: &[],
                role: Role::User,
                need_scopes: &[],
                need_roles: &[],
                ok: true,
            },
            Case {
                scopes: &[TokensManage],
                role: Role::User,
                need_scopes: &[TokensManage],
                need_roles: &[Role::Admin],
                ok: false,
            },
            Case {
                scopes: &[TokensManage],
                role: Role::Admin,
                need_scopes: &[TokensManage],
                need_roles: &[Role::Admin],
                ok: true,
            },
            Case {
                scopes: &[RunsWrite],
                role: Role::Tester,
                need_scopes: &[RunsWrite],
                need_roles: &[Role::Admin, Role::Tester],
                ok: true,
            },
        ];
        for c in cases {
            let r = check(&set(c.scopes), c.role, c.need_scopes, c.need_roles);
            assert_eq!(
                r.is_ok(),
                c.ok,
                "{:?} {:?} {:?} {:?}",
                c.scopes,
                c.role,
                c.need_scopes,
                c.need_roles
            );
            if let Err(e) = r {
                assert_eq!(e.kind, ErrorKind::Forbidden);
            }
        }
        let e = check(&set(&[RunsRead]), Role::User, &[RunsRead, RunsWrite], &[]).unwrap_err();
        assert_eq!(e.details["missing_scopes"], json!(["runs:write"]));
        let e = check(&set(&[]), Role::User, &[], &[Role::Admin]).unwrap_err();
        assert_eq!(e.details["user_role"], json!("user"));
    }

    #[test]
    fn stored_roles() {
        let cases = [
            (Some("admin"), Role::Admin),
            (Some("tester"), Role::Tester),
            (Some("superuser"), Role::User),
            (None, Role::User),
        ];
        for (stored, want) in cases {
            assert_eq!(role_of(stored), want, "{stored:?}");
        }
    }
}
