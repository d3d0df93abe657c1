//! `OPERATIONS`: one row per operation of the spec, for the HTTP layer (resolving a request to
//! its operation once), the drift test and the contract tests.
use crate::error::Error;
use crate::model::Model;
use crate::requests::Request;
use crate::responses::Responses;
use crate::traits::{ROLE_SCHEMA, SCOPE_SCHEMA, enum_paths};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn generate(m: &Model, per_op: &[(Responses, Request)]) -> Result<TokenStream, Error> {
    let mut rows = vec![];
    for (o, (resp, req)) in m.operations().iter().zip(per_op) {
        let op_id = o.id;
        let method = o.method.to_uppercase();
        let path = o.path;
        let tag = o.tag;
        let public = o.public;
        let scopes = enum_paths(m, SCOPE_SCHEMA, &o.scopes, op_id)?;
        let roles = enum_paths(m, ROLE_SCHEMA, &o.roles, op_id)?;
        let statuses = resp.statuses.iter().map(|s| Literal::u16_unsuffixed(*s));
        let params = &req.param_names;
        let has_body = req.has_body;
        let streamed_body = req.streamed_body;
        rows.push(quote! {
            OperationInfo {
                operation_id: #op_id, method: #method, path: #path, tag: #tag,
                public: #public, scopes: &[#(#scopes),*], roles: &[#(#roles),*],
                statuses: &[#(#statuses),*], params: &[#(#params),*], has_body: #has_body,
                streamed_body: #streamed_body,
            }
        });
    }
    let (scope_ty, role_ty) = (
        crate::naming::type_ident(SCOPE_SCHEMA),
        crate::naming::type_ident(ROLE_SCHEMA),
    );
    Ok(quote! {
        /// One row per operation of the spec.
        #[derive(Debug, Clone, Copy)]
        pub struct OperationInfo {
            pub operation_id: &'static str,
            pub method: &'static str,
            /// As written in the spec, e.g. `/runs/{run_id}`.
            pub path: &'static str,
            pub tag: &'static str,
            pub public: bool,
            pub scopes: &'static [#scope_ty],
            pub roles: &'static [#role_ty],
            pub statuses: &'static [u16],
            pub params: &'static [&'static str],
            pub has_body: bool,
            /// The body reaches the handler as a stream (multipart uploads), bounded by the
            /// upload limit instead of the JSON body limit.
            pub streamed_body: bool,
        }
        pub const OPERATIONS: &[OperationInfo] = &[#(#rows),*];
    })
}
