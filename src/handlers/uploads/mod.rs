//! `Uploads`: uploading samples, the queue of uploaded samples, FTP credentials. Every operation
//! still answers the spec's documented 501.
use crate::api::UploadsApi;
use crate::state::AppState;

impl UploadsApi for AppState {}
