//! `Users`: the platform's users and their roles (admins only).
mod list_users;
mod update_user_role;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl UsersApi for AppState {
    async fn list_users(
        &self,
        _p: &Principal,
        req: ListUsersInput,
    ) -> Result<ListUsersResponse, ApiError> {
        list_users::handle(self, req).await
    }
    async fn update_user_role(
        &self,
        p: &Principal,
        req: UpdateUserRoleInput,
    ) -> Result<UpdateUserRoleResponse, ApiError> {
        update_user_role::handle(self, p, req).await
    }
}
