//! `OPERATIONS`: one row per operation of the spec, for the HTTP layer (resolving a request to
//! its operation once), the drift test and the contract tests.
use crate::model::Model;
use crate::requests::Request;
use crate::responses::Responses;
use crate::traits::{ROLE_SCHEMA, SCOPE_SCHEMA, enum_paths};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn generate(m: &Model, per_op: &[(Responses, Request)]) -> TokenStream {
    let rows = m.operations().iter().zip(per_op).map(|(o, (resp, req))| {
        let op_id = o.id;
        let method = o.method.to_uppercase();
        let path = o.path;
        let tag = o.tag;
        let public = o.public;
        // Checked when the adapters were generated.
        let scopes = enum_paths(m, SCOPE_SCHEMA, &o.scopes, op_id).unwrap_or_default();
        let roles = enum_paths(m, ROLE_SCHEMA, &o.roles, op_id).unwrap_or_default();
        let statuses = resp.statuses.iter().map(|s| Literal::u16_unsuffixed(*s));
        let params = &req.param_names;
        let has_body = req.has_body;
        let implemented = !resp.not_implemented;
        quote! {
            OperationInfo {
                operation_id: #op_id, method: #method, path: #path, tag: #tag,
                public: #public, scopes: &[#(#scopes),*], roles: &[#(#roles),*],
                statuses: &[#(#statuses),*], params: &[#(#params),*], has_body: #has_body,
                implemented: #implemented,
            }
        }
    });
    let (scope_ty, role_ty) = (
        crate::naming::type_ident(SCOPE_SCHEMA),
        crate::naming::type_ident(ROLE_SCHEMA),
    );
    quote! {
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
            pub implemented: bool,
        }
        pub const OPERATIONS: &[OperationInfo] = &[#(#rows),*];
    }
}
