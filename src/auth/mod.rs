//! Who is calling: tokens and passwords, users and tokens issued under the scope rules, and
//! bearer tokens resolved to a principal. The rules themselves are `domain::scopes`.
pub mod hash_pool;
pub mod issue;
pub mod password;
pub mod throttle;
pub mod token;
pub mod token_use;
pub mod verified;

use crate::api::{Role, Scope};
use crate::data::entity::{api_token, user};
use crate::domain::{DomainError, scopes};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::BTreeSet;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i32,
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Role,
    pub token_id: i32,
    /// Effective scopes: granted ∩ what the role may hold now.
    pub scopes: BTreeSet<Scope>,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        scopes::is_admin(self.role)
    }

    /// How the caller is named in messages and audit rows.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("user {}", self.user_id))
    }
}

/// Scopes as a token row stores them (a JSON list of strings).
pub fn stored_scopes(json: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(json).unwrap_or_default()
}

/// The scopes a token row names; stored values that are not scopes are left out.
pub fn token_scopes(json: &str) -> Vec<Scope> {
    stored_scopes(json)
        .iter()
        .filter_map(|s| Scope::parse(s))
        .collect()
}

/// Resolves a token to its principal. Every failure is the same 401, and the digest is compared
/// in constant time for each candidate sharing the prefix (and once against a dummy when none
/// does, so "no such prefix" costs what "wrong secret" costs).
pub async fn authenticate(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Principal, DomainError> {
    authenticate_until(db, token).await.map(|(p, _)| p)
}

/// [`authenticate`], with the token's expiry.
pub async fn authenticate_until(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<(Principal, chrono::NaiveDateTime), DomainError> {
    let invalid = || DomainError::unauthenticated("Invalid, expired or revoked token.");
    let Some(prefix) = token::lookup_prefix(token) else {
        return Err(invalid());
    };
    let candidates = api_token::Entity::find()
        .filter(api_token::Column::TokenPrefix.eq(prefix))
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let mut found = None;
    let mut compared = false;
    for (t, u) in candidates {
        compared = true;
        if token::digest_matches(token, &t.token_hash) && found.is_none() {
            found = Some((t, u));
        }
    }
    if !compared {
        let _ = token::digest_matches(
            token,
            "0000000000000000000000000000000000000000000000000000000000000000",
        );
    }
    let (t, Some(u)) = found.ok_or_else(invalid)? else {
        return Err(invalid());
    };
    let now = chrono::Utc::now().naive_utc();
    if t.revoked_at.is_some() || t.expires_at <= now {
        return Err(invalid());
    }
    let role = scopes::role_of(u.role.as_deref());
    let principal = Principal {
        user_id: u.id,
        name: u.name,
        email: u.email,
        scopes: scopes::effective(role, &stored_scopes(&t.scopes_json)),
        role,
        token_id: t.id,
    };
    Ok((principal, t.expires_at))
}
