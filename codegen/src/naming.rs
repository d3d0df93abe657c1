//! Names: Rust identifiers from spec names, status variants, and the server paths the generated
//! code refers to.
use crate::error::{Error, bail, ensure};
use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// The server's error type: what a trait method fails with and the adapter answers.
pub fn api_error() -> TokenStream {
    quote!(crate::http::error::ApiError)
}

/// The trait every generated response enum implements: an error becomes a documented status.
pub fn from_api_error() -> TokenStream {
    quote!(crate::http::error::FromApiError)
}

/// The wire type of `format: date-time`.
pub fn date_time() -> TokenStream {
    quote!(crate::types::UtcDateTime)
}

pub fn ref_name(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

pub fn ident(s: &str) -> Ident {
    format_ident!("{}", s)
}

pub fn type_ident(name: &str) -> Ident {
    ident(&name.to_upper_camel_case())
}

pub fn snake_ident(name: &str) -> Ident {
    ident(&name.to_snake_case())
}

pub fn field_ident(name: &str) -> Ident {
    let snake = name.to_snake_case();
    match snake.as_str() {
        "type" | "ref" | "match" | "loop" | "move" | "self" | "use" | "mod" | "fn" | "impl"
        | "where" | "in" | "as" | "async" | "await" => format_ident!("r#{}", snake),
        _ => ident(&snake),
    }
}

pub fn lit_usize(n: usize) -> Literal {
    Literal::usize_unsuffixed(n)
}

pub fn doc(d: Option<&String>) -> TokenStream {
    match d {
        Some(d) => {
            let d = format!(" {}", d.trim());
            quote!(#[doc = #d])
        }
        None => quote!(),
    }
}

pub fn status_variant(code: u16) -> Result<&'static str, Error> {
    Ok(match code {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        204 => "NoContent",
        303 => "SeeOther",
        304 => "NotModified",
        206 => "PartialContent",
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        416 => "RangeNotSatisfiable",
        422 => "UnprocessableEntity",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        503 => "ServiceUnavailable",
        _ => bail!("status {code}: give it a variant name in codegen/src/naming.rs"),
    })
}

/// The variant name of one enum value (`created_at` → `CreatedAt`, `-created_at` →
/// `CreatedAtDesc`, `runs:read` → `RunsRead`).
pub fn variant_name(value: &str) -> String {
    let mut name = value.to_upper_camel_case();
    if value.starts_with('-') {
        name.push_str("Desc");
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("V{name}");
    }
    name
}

/// Enum variant identifiers, checked to be unique.
pub fn enum_variants(type_name: &str, values: &[String]) -> Result<Vec<(String, Ident)>, Error> {
    let mut seen = BTreeSet::new();
    values
        .iter()
        .map(|v| {
            let name = variant_name(v);
            ensure!(
                seen.insert(name.clone()),
                "{type_name}: enum value {v} collides with another variant"
            );
            Ok((v.clone(), ident(&name)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names() {
        let cases = [
            ("created_at", "CreatedAt"),
            ("-created_at", "CreatedAtDesc"),
            ("runs:read", "RunsRead"),
            ("7z", "V7z"),
            ("missing_output", "MissingOutput"),
        ];
        for (value, want) in cases {
            assert_eq!(variant_name(value), want, "{value}");
        }
    }

    #[test]
    fn colliding_values_are_an_error() {
        let values = vec!["a_b".to_string(), "a-b".to_string()];
        assert!(enum_variants("T", &values).is_err());
    }

    #[test]
    fn unknown_statuses_are_an_error() {
        assert!(status_variant(418).is_err());
        assert_eq!(status_variant(204), Ok("NoContent"));
    }
}
