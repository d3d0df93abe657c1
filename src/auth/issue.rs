//! Creating users and issuing tokens; shared by the HTTP handlers and the CLI.
use super::{password, token};
use crate::api::{Role, Scope};
use crate::config::PasswordFormat;
use crate::data::entity::{api_token, user};
use crate::data::error::unique_violation;
use crate::data::filters::same_text;
use crate::domain::{DomainError, scopes};
use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub const MAX_TOKEN_DAYS: i64 = 30;

pub struct Issued {
    pub plaintext: String,
    pub model: api_token::Model,
}

fn valid_token_name(name: &str) -> bool {
    (1..=50).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub async fn create_user(
    db: &impl ConnectionTrait,
    format: PasswordFormat,
    email: &str,
    name: &str,
    role: Role,
    plain_password: &str,
) -> Result<i32, DomainError> {
    if plain_password.len() < 8 || plain_password.len() > 128 {
        return Err(DomainError::invalid("password must be 8 to 128 characters"));
    }
    // Hundreds of milliseconds of CPU: not on an async worker.
    let plain = plain_password.to_string();
    let hashed = tokio::task::spawn_blocking(move || password::hash(&plain, format))
        .await
        .map_err(DomainError::internal)?;
    let m = user::ActiveModel {
        name: Set(Some(name.to_string())),
        email: Set(Some(email.to_string())),
        password: Set(hashed),
        role: Set(Some(role.as_str().to_string())),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(unique_violation(|| {
        DomainError::conflict("email or name already taken")
    }))?;
    Ok(m.id)
}

/// Issues a token for `owner` after applying every rule: name shape and per-user uniqueness
/// (forever, revoked tokens included), grantable scopes for the owner's role, 1–30 days.
pub async fn issue_token(
    db: &impl ConnectionTrait,
    owner: &user::Model,
    name: &str,
    requested: &[Scope],
    days: i64,
) -> Result<Issued, DomainError> {
    if !valid_token_name(name) {
        return Err(DomainError::invalid(
            "token_name must match ^[A-Za-z0-9_-]{1,50}$",
        ));
    }
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(DomainError::invalid("expires_in_days must be 1 to 30"));
    }
    let role = scopes::role_of(owner.role.as_deref());
    let denied: Vec<&str> = requested
        .iter()
        .filter(|s| !scopes::grantable(role, **s))
        .map(|s| s.as_str())
        .collect();
    if !denied.is_empty() {
        return Err(
            DomainError::forbidden("Your role may not request these scopes.")
                .detail("denied_scopes", serde_json::json!(denied))
                .detail("user_role", role.as_str()),
        );
    }
    let mut granted: Vec<&str> = requested.iter().map(|s| s.as_str()).collect();
    granted.sort_unstable();
    granted.dedup();
    let taken = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(owner.id))
        .filter(same_text(
            Expr::col((api_token::Entity, api_token::Column::TokenName)),
            name,
        ))
        .one(db)
        .await?;
    if taken.is_some() {
        return Err(
            DomainError::invalid("token_name is already used by one of your tokens").detail(
                "fields",
                serde_json::json!({"token_name": ["already in use"]}),
            ),
        );
    }
    let issued = token::generate();
    let now = crate::data::db_now();
    let model = api_token::ActiveModel {
        user_id: Set(owner.id),
        token_name: Set(name.to_string()),
        token_hash: Set(issued.digest),
        token_prefix: Set(issued.lookup_prefix),
        scopes_json: Set(serde_json::to_string(&granted).expect("strings serialise")),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(days)),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    // A concurrent request took the name between our check and insert.
    .map_err(unique_violation(|| {
        DomainError::invalid("token_name is already used by one of your tokens")
    }))?;
    Ok(Issued {
        plaintext: issued.plaintext,
        model,
    })
}

pub async fn issue_for_email(
    db: &impl ConnectionTrait,
    email: &str,
    name: &str,
    requested: &[Scope],
    days: i64,
) -> Result<Issued, DomainError> {
    let owner = crate::data::accounts::by_email(db, email)
        .await?
        .ok_or_else(|| DomainError::not_found("User"))?;
    issue_token(db, &owner, name, requested, days).await
}

#[cfg(test)]
mod tests {
    use super::valid_token_name;

    #[test]
    fn token_names() {
        let long = "a".repeat(51);
        let cases = [
            ("ci", true),
            ("my-token_1", true),
            ("", false),
            ("has space", false),
            ("ü", false),
            (long.as_str(), false),
        ];
        for (name, ok) in cases {
            assert_eq!(valid_token_name(name), ok, "{name:?}");
        }
    }
}
