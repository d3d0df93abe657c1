//! One `ApiResponse` enum per operation: a variant per documented status, and the mapping from
//! the server's error onto those variants (an undocumented status becomes the documented 500).
use crate::error::{Error, bail, ensure};
use crate::model::{Model, Op};
use crate::naming::{api_error, from_api_error, ident, ref_name, status_variant};
use crate::schema::rust_type;
use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::*;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

/// Headers a middleware sets on every response; documented, never filled by a handler.
const MIDDLEWARE_HEADERS: &[&str] = &[
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit-Policy",
    "RateLimit",
    "Retry-After",
    "ETag",
];

/// The schema of error bodies: only error statuses carry it, and they are what an error can
/// become.
const ERROR_SCHEMA: &str = "ErrorResponse";

pub struct Responses {
    pub items: TokenStream,
    pub id: Ident,
    pub statuses: Vec<u16>,
}

pub fn generate(m: &Model, o: &Op) -> Result<Responses, Error> {
    let op_id = o.id;
    let resp_name = format!("{}Response", op_id.to_upper_camel_case());
    ensure!(
        !m.comps.schemas.contains_key(&resp_name),
        "{op_id}: the schema {resp_name} collides with the operation's generated response type"
    );
    let resp_id = ident(&resp_name);
    let brh_name = format!("__{}_bad_request", op_id.to_snake_case());
    let brh = ident(&brh_name);
    ensure!(
        o.op.responses.default.is_none(),
        "{op_id}: no default responses"
    );
    // Every operation has a handler: a declared-but-missing one is a compile error in the
    // trait impl, never a 501 at run time.
    ensure!(
        !o.op
            .responses
            .responses
            .contains_key(&StatusCode::Code(501)),
        "{op_id}: documents 501; implement the operation instead"
    );
    let mut variants = vec![];
    let mut statuses: Vec<u16> = vec![];
    let mut ctors = vec![];
    // poem-openapi's event streams are not Debug.
    let mut streams = false;
    for (code, resp) in o.op.responses.responses.iter() {
        let StatusCode::Code(code) = code else {
            bail!("{op_id}: status ranges unsupported")
        };
        let resp = m.response(resp)?;
        statuses.push(*code);
        let vid = ident(status_variant(*code)?);
        let desc = format!(" {}", resp.description);
        let mut doc_headers = vec![];
        let mut header_fields = vec![];
        for (hname, h) in resp.headers.iter() {
            let h = m.header(h)?;
            let ParameterSchemaOrContent::Schema(hs) = &h.format else {
                bail!("{op_id}: header {hname} with content is unsupported")
            };
            let (ty, _) = rust_type(m, hs)?;
            // A download's validator comes from the stored file, which only its handler knows.
            let download_etag = hname.eq_ignore_ascii_case("ETag")
                && resp.content.contains_key("application/octet-stream");
            if !download_etag
                && MIDDLEWARE_HEADERS
                    .iter()
                    .any(|mh| mh.eq_ignore_ascii_case(hname))
            {
                let tys = ty.to_string();
                doc_headers.push(quote!(header(name = #hname, ty = #tys)));
            } else {
                ensure!(
                    h.required,
                    "{op_id}: handler-set header {hname} must be required"
                );
                header_fields.push(quote!(#[oai(header = #hname)] #ty));
            }
        }
        ensure!(
            resp.content.len() <= 1,
            "{op_id} {code}: one content type per response"
        );
        let mut fields: Vec<TokenStream> = vec![];
        let mut is_error = false;
        if let Some((ct, mt)) = resp.content.iter().next() {
            let Some(s) = mt.schema.as_ref() else {
                bail!("{op_id} {code}: response without a schema")
            };
            if ct == "application/octet-stream" {
                // A download: the handler streams the body, never holding it whole.
                ensure!(
                    is_binary_string(s),
                    "{op_id} {code}: an octet-stream body is `type: string, format: binary`"
                );
                fields.push(quote!(poem_openapi::payload::Binary<poem::Body>));
            } else if ct == "text/event-stream" {
                // Server-sent events: the handler hands over a stream that ends when it is done.
                let Some(item) = event_stream_item(s) else {
                    bail!(
                        "{op_id} {code}: an event stream is `type: array, format: event-stream` with $ref items"
                    )
                };
                let (t, _) = rust_type(m, &item)?;
                streams = true;
                fields.push(quote!(poem_openapi::payload::EventStream<
                    futures_util::stream::BoxStream<'static, #t>
                >));
            } else {
                ensure!(
                    ct == "application/json",
                    "{op_id}: only JSON, octet-stream and event-stream responses"
                );
                let ReferenceOr::Reference { reference } = s else {
                    bail!("{op_id} {code}: response bodies are $refs")
                };
                let name = ref_name(reference);
                let refined = m.is_error_part(name);
                is_error = name == ERROR_SCHEMA || refined;
                let t = if refined {
                    error_refinement(m, name)?;
                    let id = crate::naming::type_ident(ERROR_SCHEMA);
                    quote!(#id)
                } else {
                    rust_type(m, s)?.0
                };
                fields.push(quote!(Json<#t>));
            }
        }
        ensure!(
            !is_error || *code >= 400,
            "{op_id} {code}: only error statuses use the {ERROR_SCHEMA} schema"
        );
        fields.extend(header_fields);
        let fields = if fields.is_empty() {
            quote!()
        } else {
            quote!((#(#fields),*))
        };
        let code_lit = Literal::u16_unsuffixed(*code);
        let extra = if doc_headers.is_empty() {
            quote!()
        } else {
            quote!(, #(#doc_headers),*)
        };
        variants.push(quote! {
            #[doc = #desc]
            #[oai(status = #code_lit #extra)]
            #vid #fields
        });
        // Error statuses with an error body are what an `ApiError` can become; others
        // (health's 503 carries the health report) are built by the handler itself.
        if is_error {
            ctors.push(quote!(#code_lit => Self::#vid(Json(body))));
        }
    }
    for needed in [400u16, 429, 500] {
        ensure!(
            statuses.contains(&needed),
            "{op_id}: must document {needed}"
        );
    }
    if !o.public {
        ensure!(
            statuses.contains(&401) && statuses.contains(&403),
            "{op_id}: must document 401 and 403"
        );
    }
    if o.op.request_body.is_some() {
        ensure!(
            statuses.contains(&413) && statuses.contains(&415),
            "{op_id}: bodies document 413 and 415"
        );
    }
    let statuses_lits = statuses.iter().map(|s| Literal::u16_unsuffixed(*s));
    let (err, conv) = (api_error(), from_api_error());
    let derives = if streams {
        quote!(#[derive(ApiResponse)])
    } else {
        quote!(#[derive(ApiResponse, Debug)])
    };
    let items = quote! {
        #derives
        #[oai(bad_request_handler = #brh_name)]
        pub enum #resp_id { #(#variants,)* }
        #[doc(hidden)]
        pub fn #brh(err: poem::Error) -> #resp_id {
            <#resp_id as #conv>::from_error(#err::from_poem(err))
        }
        impl #conv for #resp_id {
            const STATUSES: &'static [u16] = &[#(#statuses_lits),*];
            fn with_error(status: u16, body: ErrorResponse) -> Self {
                // Only documented error statuses exist as variants; anything else is reported
                // as the documented 500 (see FromApiError::from_error).
                match status { #(#ctors,)* _ => Self::InternalServerError(Json(body)) }
            }
        }
    };
    Ok(Responses {
        items,
        id: resp_id,
        statuses,
    })
}

/// An error body with typed details is `ErrorResponse` with its `details` named: the same
/// code and message, and details an object. Then ErrorResponse's Rust type can carry it.
fn error_refinement(m: &Model, name: &str) -> Result<(), Error> {
    let object = |n: &str| -> Result<&ObjectType, Error> {
        match &m.schema(n)?.schema_kind {
            SchemaKind::Type(Type::Object(o)) => Ok(o),
            _ => bail!("{n}: an error body is an object"),
        }
    };
    let (base, own) = (object(ERROR_SCHEMA)?, object(name)?);
    ensure!(
        own.required == base.required && own.properties.keys().eq(base.properties.keys()),
        "{name}: an error body has {ERROR_SCHEMA}'s properties, all required"
    );
    for key in ["code", "message"] {
        let strip = |s: &ReferenceOr<Box<Schema>>| {
            let mut s = s.clone().unbox();
            if let ReferenceOr::Item(i) = &mut s {
                i.schema_data.description = None;
                i.schema_data.example = None;
            }
            s
        };
        ensure!(
            strip(&own.properties[key]) == strip(&base.properties[key]),
            "{name}.{key}: must be {ERROR_SCHEMA}'s {key}"
        );
    }
    let ReferenceOr::Reference { reference } = &own.properties["details"] else {
        bail!("{name}.details: a $ref to a named details schema")
    };
    let details = ref_name(reference);
    ensure!(
        m.is_error_part(details)
            && matches!(
                m.schema(details)?.schema_kind,
                SchemaKind::Type(Type::Object(_))
            ),
        "{name}.details: {details} is an object marked x-error-body"
    );
    Ok(())
}

/// `type: string, format: binary`, written inline.
fn is_binary_string(s: &ReferenceOr<Schema>) -> bool {
    matches!(
        s,
        ReferenceOr::Item(Schema {
            schema_kind: SchemaKind::Type(Type::String(StringType {
                format: VariantOrUnknownOrEmpty::Item(StringFormat::Binary),
                ..
            })),
            ..
        })
    )
}

/// The `$ref` items of an event stream's schema, `type: array, format: event-stream` as
/// poem-openapi writes it (openapiv3 reads an array with a format as an "any" schema).
fn event_stream_item(s: &ReferenceOr<Schema>) -> Option<ReferenceOr<Schema>> {
    let ReferenceOr::Item(Schema {
        schema_kind: SchemaKind::Any(a),
        ..
    }) = s
    else {
        return None;
    };
    if a.typ.as_deref() != Some("array") || a.format.as_deref() != Some("event-stream") {
        return None;
    }
    match a.items.as_ref()? {
        ReferenceOr::Reference { reference } => Some(ReferenceOr::Reference {
            reference: reference.clone(),
        }),
        ReferenceOr::Item(_) => None,
    }
}
