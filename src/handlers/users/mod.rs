//! `Users`: platform user administration. Every operation still answers the spec's documented
//! 501.
use crate::api::UsersApi;
use crate::state::AppState;

impl UsersApi for AppState {}
