//! Who is calling: bearer tokens resolved to a principal, with the scope and role rules applied.
pub mod gate;
pub mod issue;
pub mod password;
pub mod scopes;
pub mod token;

use crate::api::Authorizer;
use crate::app::AppState;
use crate::db::entity::{api_token, user};
use crate::error::ApiError;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i32,
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: String,
    pub token_id: i32,
    /// Effective scopes: granted ∩ what the role may hold now.
    pub scopes: Vec<String>,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        scopes::is_admin(&self.role)
    }
}

pub fn parse_scopes(json: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(json).unwrap_or_default()
}

impl AppState {
    /// Resolves a token to its principal. Every failure is the same 401, and the digest is
    /// compared in constant time for each candidate sharing the prefix (and once against a
    /// dummy when none does, so "no such prefix" costs what "wrong secret" costs).
    pub async fn authenticate(&self, token: &str) -> Result<Principal, ApiError> {
        let invalid = || ApiError::unauthorized("Invalid, expired or revoked token.");
        let Some(prefix) = token::lookup_prefix(token) else {
            return Err(invalid());
        };
        let candidates = api_token::Entity::find()
            .filter(api_token::Column::TokenPrefix.eq(prefix))
            .find_also_related(user::Entity)
            .all(&self.db)
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
        let role = u.role.clone().unwrap_or_else(|| "user".to_string());
        Ok(Principal {
            user_id: u.id,
            name: u.name,
            email: u.email,
            scopes: scopes::effective(&role, &parse_scopes(&t.scopes_json)),
            role,
            token_id: t.id,
        })
    }
}

impl Authorizer for AppState {
    type Principal = Principal;

    async fn authorize(
        &self,
        request: &poem::Request,
        token: &str,
        scopes: &'static [&'static str],
        roles: &'static [&'static str],
    ) -> Result<Principal, ApiError> {
        // The gate normally authenticated already; without it (a bare adapter) do it here.
        let p = match request.extensions().get::<Principal>() {
            Some(p) => p.clone(),
            None => self.authenticate(token).await?,
        };
        scopes::check(&p.scopes, &p.role, scopes, roles)?;
        Ok(p)
    }
}
