//! GET /auth/me/ftp-credentials: the caller's login on upstream's FTP server (the `ftpd` row
//! pure-ftpd-mysql reads), created on the first request with a random password and upstream's
//! defaults. Two first requests at once create one row: the loser of the insert reads the
//! winner's.
use crate::api::{FtpCredentials, GetFtpCredentialsInput, GetFtpCredentialsResponse};
use crate::auth::Principal;
use crate::data::entity::ftpd;
use crate::data::error::unique_violation;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use rand::distr::{Alphanumeric, SampleString};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

/// Upstream's defaults for a new FTP account.
const ENABLED: &str = "1";
const QUOTA_FILES: i32 = 20;
const SYSTEM_UID: i32 = 2015;
const PASSWORD_LEN: usize = 16;
const USER_NAME_MAX: usize = 32;

/// The FTP login: the platform name when it fits the column, else one made from the id.
pub fn ftp_user_name(user_id: i32, name: Option<&str>) -> String {
    match name.map(str::trim) {
        Some(n) if !n.is_empty() && n.chars().count() <= USER_NAME_MAX => n.to_string(),
        _ => format!("user{user_id}"),
    }
}

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    _req: GetFtpCredentialsInput,
) -> Result<GetFtpCredentialsResponse, ApiError> {
    let row = match ftpd::Entity::find_by_id(principal.user_id)
        .one(&state.db)
        .await?
    {
        Some(row) => row,
        None => create(state, principal).await?,
    };
    Ok(GetFtpCredentialsResponse::Ok(Json(FtpCredentials {
        host: state.config.ftp_host.clone(),
        port: i32::from(state.config.ftp_port),
        username: row.user_name,
        password: row.password,
    })))
}

async fn create(state: &AppState, p: &Principal) -> Result<ftpd::Model, DomainError> {
    let password = Alphanumeric.sample_string(&mut rand::rng(), PASSWORD_LEN);
    let inserted = ftpd::ActiveModel {
        user_id: Set(p.user_id),
        user_name: Set(ftp_user_name(p.user_id, p.name.as_deref())),
        status: Set(ENABLED.to_string()),
        password: Set(password),
        dir: Set(format!("/repository/ftpd/{}", p.user_id)),
        ip_access: Set("*".to_string()),
        quota_files: Set(QUOTA_FILES),
        uid: Set(SYSTEM_UID),
        gid: Set(SYSTEM_UID),
    }
    .insert(&state.db)
    .await;
    match inserted.map_err(unique_violation(|| DomainError::conflict("raced"))) {
        Ok(row) => Ok(row),
        Err(e) if e.kind == crate::domain::ErrorKind::Conflict => {
            ftpd::Entity::find_by_id(p.user_id)
                .one(&state.db)
                .await?
                .ok_or_else(|| DomainError::internal("ftpd row vanished after a duplicate insert"))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::ftp_user_name;

    #[test]
    fn ftp_user_names_fit_upstreams_column() {
        let long = "x".repeat(33);
        let cases = [
            (Some("alice"), "alice"),
            (Some(" bob "), "bob"),
            (Some(long.as_str()), "user7"),
            (Some(""), "user7"),
            (None, "user7"),
        ];
        for (name, want) in cases {
            assert_eq!(ftp_user_name(7, name), want, "{name:?}");
        }
    }
}
