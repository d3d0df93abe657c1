//! One `…Input` struct per operation: its parameters and body, parsed and validated by
//! poem-openapi from the adapter's arguments, plus the checks poem-openapi cannot express.
use crate::error::{Error, bail, ensure};
use crate::model::{Model, Op, ParamKind};
use crate::naming::{api_error, field_ident, ident};
use crate::schema::{rust_type, validators};
use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::*;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

pub struct Request {
    /// The struct and the default-value functions its parameters use.
    pub items: TokenStream,
    pub id: Ident,
    /// The adapter method's arguments (poem-openapi extractors).
    pub args: Vec<TokenStream>,
    /// The struct's fields, moved out of those arguments.
    pub moves: Vec<TokenStream>,
    /// Runs on the built struct (named `req`); returns early with an error response.
    pub checks: TokenStream,
    pub param_names: Vec<String>,
    pub has_body: bool,
    /// A multipart body, handed to the handler unread (as a stream), never buffered first.
    pub streamed_body: bool,
}

pub fn generate(m: &Model, o: &Op) -> Result<Request, Error> {
    let op_id = o.id;
    let req_name = format!("{}Input", op_id.to_upper_camel_case());
    ensure!(
        !m.comps.schemas.contains_key(&req_name),
        "{op_id}: the schema {req_name} collides with the operation's generated input type"
    );
    let req_id = ident(&req_name);
    let mut items = vec![];
    let mut fields = vec![];
    let mut args = vec![];
    let mut moves = vec![];
    let mut param_names = vec![];
    for (pd, kind) in &o.params {
        let ParameterSchemaOrContent::Schema(s) = &pd.format else {
            bail!("{op_id}: parameter {} with content is unsupported", pd.name)
        };
        let pname = &pd.name;
        let fid = field_ident(pname);
        let (ty, nullable) = rust_type(m, s)?;
        ensure!(!nullable, "{op_id}: nullable parameters are meaningless");
        let default = match s {
            ReferenceOr::Item(sc) => sc.schema_data.default.clone(),
            _ => None,
        };
        let mut attrs = vec![quote!(name = #pname)];
        attrs.extend(validators(s)?);
        let field_ty = if let Some(def) = &default {
            ensure!(
                !pd.required,
                "{op_id}: {pname} is required and has a default"
            );
            let fname = format!(
                "__default_{}_{}",
                op_id.to_snake_case(),
                pname.to_snake_case()
            );
            let f = ident(&fname);
            let value: TokenStream = match &def {
                serde_json::Value::Number(n) => match n.to_string().parse() {
                    Ok(t) => t,
                    Err(_) => bail!("{op_id}: default {n} is not a Rust literal"),
                },
                serde_json::Value::Bool(b) => quote!(#b),
                serde_json::Value::String(v) => match s {
                    ReferenceOr::Reference { .. } => {
                        quote!(<#ty>::parse(#v).expect("default is an enum value"))
                    }
                    ReferenceOr::Item(_) => quote!(String::from(#v)),
                },
                other => bail!("{op_id}: default {other} unsupported"),
            };
            items.push(quote!(#[doc(hidden)] fn #f() -> #ty { #value }));
            attrs.push(quote!(default = #fname));
            ty.clone()
        } else if pd.required {
            ty.clone()
        } else {
            quote!(Option<#ty>)
        };
        let extractor = match kind {
            ParamKind::Path => quote!(Path),
            ParamKind::Query => quote!(Query),
            ParamKind::Header => quote!(poem_openapi::param::Header),
        };
        fields.push(quote!(pub #fid: #field_ty));
        args.push(quote!(#[oai(#(#attrs),*)] #fid: #extractor<#field_ty>));
        moves.push(quote!(#fid: #fid.0));
        param_names.push(pname.clone());
    }
    let mut has_body = false;
    let mut streamed_body = false;
    if let Some(rb) = &o.op.request_body {
        let ReferenceOr::Item(rb) = rb else {
            bail!("{op_id}: requestBody refs unsupported")
        };
        ensure!(rb.content.len() == 1, "{op_id}: one request content type");
        let Some((ct, mt)) = rb.content.iter().next() else {
            bail!("{op_id}: request body without content")
        };
        let Some(s) = mt.schema.as_ref() else {
            bail!("{op_id}: request body without a schema")
        };
        ensure!(
            matches!(s, ReferenceOr::Reference { .. }),
            "{op_id}: request bodies are $refs"
        );
        let (t, _) = rust_type(m, s)?;
        has_body = true;
        match ct.as_str() {
            "application/json" if rb.required => {
                fields.push(quote!(pub body: #t));
                args.push(quote!(body: Json<#t>));
                moves.push(quote!(body: body.0));
            }
            "application/json" => {
                fields.push(quote!(pub body: Option<#t>));
                args.push(quote!(body: Json<Option<#t>>));
                moves.push(quote!(body: body.0));
            }
            "multipart/form-data" => {
                // poem-openapi's own multipart types read every file part into a temporary
                // file before the handler runs, without a size limit or a hash; the handler
                // gets the parts as a stream instead, and the form type only describes them.
                ensure!(rb.required, "{op_id}: multipart bodies are required");
                streamed_body = true;
                fields.push(quote!(pub body: crate::http::multipart::Streamed<#t>));
                args.push(quote!(body: crate::http::multipart::Streamed<#t>));
                moves.push(quote!(body: body));
            }
            other => bail!("{op_id}: request content type {other}"),
        }
    }
    let checks = match &o.ordered {
        None => quote!(),
        Some((lower, upper)) => {
            let (lo, hi) = (field_ident(lower), field_ident(upper));
            let err = api_error();
            quote! {
                if let (Some(lo), Some(hi)) = (&req.#lo, &req.#hi)
                    && lo > hi
                {
                    return Err(#err::out_of_order(#lower, #upper));
                }
            }
        }
    };
    items.push(quote! {
        #[derive(Debug)]
        pub struct #req_id { #(#fields,)* }
    });
    Ok(Request {
        items: quote!(#(#items)*),
        id: req_id,
        args,
        moves,
        checks,
        param_names,
        has_body,
        streamed_body,
    })
}
