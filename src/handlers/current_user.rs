//! GET /auth/me.
use crate::api::{CurrentUser, Role, Scope};
use crate::auth::Principal;

pub fn of(p: &Principal) -> CurrentUser {
    CurrentUser {
        user_id: p.user_id,
        name: p.name.clone(),
        email: p.email.clone(),
        // A role value outside the enum (hand-edited database) reads as the least privileged.
        role: Role::parse(&p.role).unwrap_or(Role::User),
        scopes: p.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
    }
}
