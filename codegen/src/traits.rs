//! One trait per tag (one async method per operationId, implemented by hand in the server) and
//! one `#[OpenApi]` adapter per tag: authenticate, enforce scopes and roles, build the request,
//! run the checks, call the trait, and turn its error into a documented response.
use crate::error::{Error, bail, ensure};
use crate::model::{Model, Op};
use crate::naming::{api_error, doc, from_api_error, ident, type_ident, variant_name};
use crate::requests::Request;
use crate::responses::Responses;
use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{ReferenceOr, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// The enums `x-required-scopes` and `x-required-roles` name values of.
pub const SCOPE_SCHEMA: &str = "Scope";
pub const ROLE_SCHEMA: &str = "Role";

pub fn generate(m: &Model, per_op: &[(Responses, Request)]) -> Result<TokenStream, Error> {
    let err = api_error();
    let mut per_tag: BTreeMap<&str, (Vec<TokenStream>, Vec<TokenStream>)> = BTreeMap::new();
    for (o, (resp, req)) in m.operations().iter().zip(per_op) {
        let (method, adapter) = operation(m, o, resp, req)?;
        let entry = per_tag.entry(o.tag).or_default();
        entry.0.push(method);
        entry.1.push(adapter);
    }
    let tag_vars = m.spec.tags.iter().map(|t| {
        let id = type_ident(&t.name);
        let d = doc(t.description.as_ref());
        let n = &t.name;
        quote!(#d #[oai(rename = #n)] #id)
    });
    let mut traits = vec![];
    let mut adapters = vec![];
    let mut bounds = vec![];
    for tag in &m.tags {
        let Some((methods, tag_adapters)) = per_tag.remove(tag.as_str()) else {
            continue;
        };
        let trait_id = format_ident!("{}Api", tag.to_upper_camel_case());
        let tdoc = format!(" Operations tagged `{tag}`; implemented by hand in `src/handlers/`.");
        traits.push(quote! {
            #[doc = #tdoc]
            pub trait #trait_id: Authorizer {
                #(#methods)*
            }
        });
        adapters.extend(tag_adapters);
        bounds.push(quote!(#trait_id));
    }
    let (scope_ty, role_ty) = (type_ident(SCOPE_SCHEMA), type_ident(ROLE_SCHEMA));
    Ok(quote! {
        #[derive(Tags)]
        pub enum ApiTags { #(#tag_vars,)* }

        /// Scoped API token; scopes and roles per operation are `x-required-*`.
        #[derive(SecurityScheme)]
        #[oai(rename = "bearerAuth", ty = "bearer")]
        pub struct BearerAuth(pub Bearer);

        /// Authentication and authorisation, shared by every tag's trait.
        pub trait Authorizer: Send + Sync + 'static {
            type Principal: Send + Sync;
            /// Resolves a bearer token and checks it holds every scope and (if any) one of the roles.
            fn authorize(&self, request: &poem::Request, token: &str, scopes: &'static [#scope_ty], roles: &'static [#role_ty])
                -> impl std::future::Future<Output = Result<Self::Principal, #err>> + Send;
        }

        #(#traits)*

        /// The poem-openapi routes of every operation, for `OpenApiService::new`. One adapter
        /// serves every tag, so a path whose methods belong to different tags is one path item
        /// of the derived spec, as in the YAML.
        pub struct AllRoutes<T>(pub std::sync::Arc<T>);
        #[OpenApi]
        impl<T: #(#bounds)+*> AllRoutes<T> {
            #(#adapters)*
        }
        pub fn all_routes<T: #(#bounds)+*>(state: std::sync::Arc<T>) -> AllRoutes<T> {
            AllRoutes(state)
        }
    })
}

/// `Scope::RunsRead`-style paths for the values an operation names, each checked to exist.
pub fn enum_paths(
    m: &Model,
    schema: &str,
    values: &[String],
    op: &str,
) -> Result<Vec<TokenStream>, Error> {
    let known: Vec<String> = match m.comps.schemas.get(schema) {
        Some(ReferenceOr::Item(s)) => match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                st.enumeration.iter().flatten().cloned().collect()
            }
            _ => bail!("{schema} must be a string enum"),
        },
        _ => bail!("{op}: names {schema} values, but the spec has no {schema} schema"),
    };
    let ty = type_ident(schema);
    values
        .iter()
        .map(|v| {
            ensure!(known.contains(v), "{op}: {v} is not a {schema}");
            let var = ident(&variant_name(v));
            Ok(quote!(#ty::#var))
        })
        .collect()
}

fn operation(
    m: &Model,
    o: &Op,
    resp: &Responses,
    req: &Request,
) -> Result<(TokenStream, TokenStream), Error> {
    let err = api_error();
    let conv = from_api_error();
    let op_id = o.id;
    let snake = ident(&op_id.to_snake_case());
    let (resp_id, req_id) = (&resp.id, &req.id);
    let summary = doc(o.op.summary.as_ref());
    let principal_param = if o.public {
        quote!()
    } else {
        quote!(principal: &Self::Principal,)
    };
    let sig = quote!(fn #snake(&self, #principal_param req: #req_id) -> impl std::future::Future<Output = Result<#resp_id, #err>> + Send);
    let method = quote!(#summary #sig;);
    let path = o.path.replace('{', ":").replace('}', "");
    let http_method = o.method;
    let tag_variant = type_ident(o.tag);
    let tag_path = quote!(ApiTags::#tag_variant);
    let args = &req.args;
    let moves = &req.moves;
    let checks = &req.checks;
    let (auth_arg, authorize, call) = if o.public {
        (quote!(), quote!(), quote!(self.0.#snake(req).await))
    } else {
        let scopes = enum_paths(m, SCOPE_SCHEMA, &o.scopes, op_id)?;
        let roles = enum_paths(m, ROLE_SCHEMA, &o.roles, op_id)?;
        (
            quote!(request: &poem::Request, auth: BearerAuth,),
            quote! {
                let principal = self.0.authorize(request, &auth.0.token, &[#(#scopes),*], &[#(#roles),*]).await?;
            },
            quote!(self.0.#snake(&principal, req).await),
        )
    };
    let adapter = quote! {
        #summary
        #[oai(path = #path, method = #http_method, operation_id = #op_id, tag = #tag_path)]
        async fn #snake(&self, #auth_arg #(#args),*) -> #resp_id {
            <#resp_id as #conv>::answer(async {
                #authorize
                let req = #req_id { #(#moves),* };
                #checks
                #call
            }.await)
        }
    };
    Ok((method, adapter))
}
