pub mod connect;
pub mod entity;
