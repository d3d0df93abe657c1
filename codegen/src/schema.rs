//! `components.schemas` as poem-openapi types, and the Rust type and validators of any schema
//! used as a property, parameter or body.
use crate::error::{Error, bail, ensure};
use crate::model::Model;
use crate::naming::{date_time, doc, enum_variants, field_ident, lit_usize, ref_name, type_ident};
use openapiv3::*;
use proc_macro2::TokenStream;
use quote::quote;

pub fn generate(m: &Model) -> Result<TokenStream, Error> {
    let types = m
        .comps
        .schemas
        .iter()
        .filter(|(n, _)| !m.is_error_part(n))
        .map(|(n, s)| match s {
            ReferenceOr::Item(s) => schema_type(m, n, s),
            _ => bail!("schema {n}: top-level aliases unsupported"),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(quote!(#(#types)*))
}

fn is_free_form(obj: &ObjectType) -> bool {
    obj.properties.is_empty()
        && matches!(
            obj.additional_properties,
            Some(AdditionalProperties::Any(true))
        )
}

/// Rust type of a schema used as a property, parameter or body, and whether it is nullable.
pub fn rust_type(m: &Model, s: &ReferenceOr<Schema>) -> Result<(TokenStream, bool), Error> {
    let schema = match s {
        ReferenceOr::Reference { reference } => {
            let n = ref_name(reference);
            m.schema(n)?;
            ensure!(
                !m.is_error_part(n),
                "{n} is an error body (x-error-body); only error responses refer to it"
            );
            let id = type_ident(n);
            return Ok((quote!(#id), false));
        }
        ReferenceOr::Item(s) => s,
    };
    let nullable = schema.schema_data.nullable;
    let ty = match &schema.schema_kind {
        SchemaKind::Type(Type::String(st)) => {
            ensure!(
                st.enumeration.is_empty(),
                "inline enum {:?}: name it in components.schemas",
                st.enumeration
            );
            match &st.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => date_time(),
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => {
                    quote!(poem_openapi::types::multipart::Upload)
                }
                VariantOrUnknownOrEmpty::Unknown(f) if f == "email" => {
                    quote!(poem_openapi::types::Email)
                }
                VariantOrUnknownOrEmpty::Empty => quote!(String),
                other => bail!("string format {other:?} is not supported"),
            }
        }
        SchemaKind::Type(Type::Integer(it)) => match &it.format {
            VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => quote!(i32),
            VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64) => quote!(i64),
            _ => bail!("integers need format int32 or int64"),
        },
        SchemaKind::Type(Type::Number(nt)) => match &nt.format {
            VariantOrUnknownOrEmpty::Item(NumberFormat::Double) => quote!(f64),
            _ => bail!("numbers need format double"),
        },
        SchemaKind::Type(Type::Boolean(_)) => quote!(bool),
        SchemaKind::Type(Type::Array(at)) => {
            let Some(items) = at.items.as_ref() else {
                bail!("arrays need items")
            };
            let (inner, inner_null) = rust_type(m, &items.clone().unbox())?;
            ensure!(!inner_null, "nullable array items are not supported");
            quote!(Vec<#inner>)
        }
        SchemaKind::Type(Type::Object(obj)) if is_free_form(obj) => quote!(serde_json::Value),
        SchemaKind::AllOf { all_of } if all_of.len() == 1 && nullable => {
            rust_type(m, &all_of[0])?.0
        }
        other => bail!("unsupported inline schema (name it in components.schemas): {other:?}"),
    };
    Ok((ty, nullable))
}

/// poem-openapi `validator(...)` for the JSON-schema keywords the spec uses.
pub fn validators(s: &ReferenceOr<Schema>) -> Result<Option<TokenStream>, Error> {
    let v = validator_items(s)?;
    Ok((!v.is_empty()).then(|| quote!(validator(#(#v),*))))
}

fn validator_items(s: &ReferenceOr<Schema>) -> Result<Vec<TokenStream>, Error> {
    let ReferenceOr::Item(schema) = s else {
        return Ok(vec![]);
    };
    let mut v: Vec<TokenStream> = vec![];
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(st)) => {
            if let Some(m) = st.max_length {
                let m = lit_usize(m);
                v.push(quote!(max_length = #m));
            }
            if let Some(m) = st.min_length {
                let m = lit_usize(m);
                v.push(quote!(min_length = #m));
            }
            if let Some(p) = &st.pattern {
                v.push(quote!(pattern = #p));
            }
        }
        SchemaKind::Type(Type::Integer(it)) => {
            ensure!(
                !it.exclusive_minimum && !it.exclusive_maximum && it.multiple_of.is_none(),
                "exclusive bounds and multipleOf are not supported"
            );
            if let Some(m) = it.maximum {
                let m = m.to_string();
                v.push(quote!(maximum(value = #m)));
            }
            if let Some(m) = it.minimum {
                let m = m.to_string();
                v.push(quote!(minimum(value = #m)));
            }
        }
        SchemaKind::Type(Type::Number(nt)) => {
            ensure!(
                nt.maximum.is_none() && nt.minimum.is_none(),
                "number bounds are not supported"
            );
        }
        SchemaKind::Type(Type::Array(at)) => {
            // Element constraints: poem-openapi checks them on every element.
            if let Some(items) = &at.items {
                v.extend(validator_items(&items.clone().unbox())?);
            }
            if let Some(m) = at.max_items {
                let m = lit_usize(m);
                v.push(quote!(max_items = #m));
            }
            if let Some(m) = at.min_items {
                let m = lit_usize(m);
                v.push(quote!(min_items = #m));
            }
            if at.unique_items {
                v.push(quote!(unique_items));
            }
        }
        _ => {}
    }
    Ok(v)
}

fn schema_type(m: &Model, name: &str, schema: &Schema) -> Result<TokenStream, Error> {
    let id = type_ident(name);
    let d = doc(schema.schema_data.description.as_ref());
    if schema.schema_data.extensions.contains_key("x-admin-only")
        && !matches!(&schema.schema_kind, SchemaKind::Type(Type::String(st)) if !st.enumeration.is_empty())
    {
        bail!("{name}: x-admin-only belongs on a string enum");
    }
    Ok(match &schema.schema_kind {
        SchemaKind::Type(Type::Object(obj)) if m.multipart.contains(name) => {
            let fields = obj
                .properties
                .iter()
                .map(|(pname, ps)| {
                    let (ty, _) = rust_type(m, &ps.clone().unbox())?;
                    let ty = if obj.required.contains(pname) {
                        ty
                    } else {
                        quote!(Option<#ty>)
                    };
                    let fid = field_ident(pname);
                    Ok(quote!(#[oai(rename = #pname)] pub #fid: #ty))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            quote! {
                #d
                ///
                /// The parts as the spec describes them; requests never parse into this type
                /// (they arrive as a `Streamed` body).
                #[derive(Multipart, Debug)]
                pub struct #id { #(#fields,)* }
            }
        }
        SchemaKind::Type(Type::Object(obj)) => object(m, name, obj, d)?,
        SchemaKind::Type(Type::String(st)) if !st.enumeration.is_empty() => {
            string_enum(name, schema, st, d)?
        }
        SchemaKind::OneOf { one_of } => {
            let Some(disc) = schema.schema_data.discriminator.as_ref() else {
                bail!("{name}: oneOf needs a discriminator")
            };
            let prop = &disc.property_name;
            let vars = one_of
                .iter()
                .map(|r| {
                    let ReferenceOr::Reference { reference } = r else {
                        bail!("{name}: inline oneOf member")
                    };
                    let target = ref_name(reference);
                    let Some((mapping, _)) =
                        disc.mapping.iter().find(|(_, v)| ref_name(v) == target)
                    else {
                        bail!("{name}: {target} has no discriminator mapping")
                    };
                    let vid = type_ident(target);
                    Ok(quote!(#[oai(mapping = #mapping)] #vid(#vid)))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            quote! {
                #d
                #[derive(Union, Debug, Clone, PartialEq)]
                #[oai(rename = #name, discriminator_name = #prop, one_of)]
                pub enum #id { #(#vars,)* }
            }
        }
        other => bail!("unsupported component schema {name}: {other:?}"),
    })
}

fn object(m: &Model, name: &str, obj: &ObjectType, d: TokenStream) -> Result<TokenStream, Error> {
    let id = type_ident(name);
    // A named free-form object (a page's meta, open for context added later) keeps its name
    // for generated clients; poem-openapi renders the alias inline.
    if is_free_form(obj) {
        return Ok(quote! { #d pub type #id = serde_json::Value; });
    }
    let deny = match &obj.additional_properties {
        Some(AdditionalProperties::Any(false)) => quote!(, deny_unknown_fields),
        None => quote!(),
        other => bail!("{name}: additionalProperties {other:?} unsupported on named objects"),
    };
    for r in &obj.required {
        ensure!(
            obj.properties.contains_key(r),
            "{name}: required {r} is not a property"
        );
    }
    let fields = obj
        .properties
        .iter()
        .map(|(pname, ps)| {
            let ps = ps.clone().unbox();
            let (ty, nullable) = rust_type(m, &ps)?;
            let required = obj.required.contains(pname);
            let ty = if required && !nullable {
                ty
            } else {
                quote!(Option<#ty>)
            };
            let mut attrs = vec![quote!(rename = #pname)];
            attrs.extend(validators(&ps)?);
            if nullable {
                attrs.push(quote!(nullable));
            } else if !required {
                attrs.push(quote!(skip_serializing_if_is_none));
            }
            let fd = match &ps {
                ReferenceOr::Item(s) => doc(s.schema_data.description.as_ref()),
                _ => quote!(),
            };
            let fid = field_ident(pname);
            Ok(quote!(#fd #[oai(#(#attrs),*)] pub #fid: #ty))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(quote! {
        #d
        #[derive(Object, Debug, Clone, PartialEq)]
        #[oai(rename = #name #deny)]
        pub struct #id { #(#fields,)* }
    })
}

fn string_enum(
    name: &str,
    schema: &Schema,
    st: &StringType,
    d: TokenStream,
) -> Result<TokenStream, Error> {
    let id = type_ident(name);
    let values = st
        .enumeration
        .iter()
        .map(|v| match v {
            Some(v) => Ok(v.clone()),
            None => bail!("{name}: null enum value"),
        })
        .collect::<Result<Vec<String>, Error>>()?;
    let vars = enum_variants(name, &values)?;
    let decl = vars.iter().map(|(v, vid)| quote!(#[oai(rename = #v)] #vid));
    let as_str = vars.iter().map(|(v, vid)| quote!(Self::#vid => #v));
    let parse = vars.iter().map(|(v, vid)| quote!(#v => Some(Self::#vid)));
    let all = vars.iter().map(|(_, vid)| quote!(Self::#vid));
    let admin_only = match schema.schema_data.extensions.get("x-admin-only") {
        None => quote!(),
        Some(list) => {
            let Some(list) = list.as_array() else {
                bail!("{name}: x-admin-only must be a list")
            };
            let members = list
                .iter()
                .map(|v| {
                    let found = v
                        .as_str()
                        .and_then(|s| vars.iter().find(|(value, _)| value == s));
                    match found {
                        Some((_, vid)) => Ok(quote!(Self::#vid)),
                        None => bail!("{name}: x-admin-only names {v}, not a value of the enum"),
                    }
                })
                .collect::<Result<Vec<_>, Error>>()?;
            quote! {
                /// The values only an admin may hold (`x-admin-only` in the spec).
                pub const ADMIN_ONLY: &'static [Self] = &[#(#members),*];
                pub fn is_admin_only(self) -> bool { Self::ADMIN_ONLY.contains(&self) }
            }
        }
    };
    Ok(quote! {
        #d
        #[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[oai(rename = #name)]
        pub enum #id { #(#decl,)* }
        impl #id {
            pub const ALL: &'static [Self] = &[#(#all),*];
            /// The wire value.
            pub fn as_str(self) -> &'static str { match self { #(#as_str,)* } }
            /// Parses a wire value (e.g. one read from the database).
            pub fn parse(s: &str) -> Option<Self> { match s { #(#parse,)* _ => None } }
            #admin_only
        }
    })
}
