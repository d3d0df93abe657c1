//! A platform user as the API shows it (never the password or the GitHub token).
use crate::api::PlatformUser;
use crate::data::entity::user;
use crate::domain::scopes::role_of;

pub fn platform_user(u: user::Model) -> PlatformUser {
    let github_login = u.github_login.filter(|l| !l.trim().is_empty());
    PlatformUser {
        user_id: u.id,
        name: u.name,
        email: u.email,
        role: role_of(u.role.as_deref()),
        github_linked: github_login.is_some(),
        github_login,
    }
}
