//! A `multipart/form-data` body handed to the handler unread. poem-openapi's multipart types
//! read every file part into a temporary file before the handler runs (no limit, no hash);
//! `Streamed<F>` instead gives the parts one at a time as they arrive (poem's multer-based
//! reader), while `F`, the generated form type, only describes them in the spec.
use super::error::ApiError;
use poem::{FromRequest, Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use std::marker::PhantomData;

pub struct Streamed<F> {
    pub parts: poem::web::Multipart,
    _form: PhantomData<fn() -> F>,
}

impl<F> std::fmt::Debug for Streamed<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Streamed(multipart/form-data)")
    }
}

impl<F: Payload> Payload for Streamed<F> {
    const CONTENT_TYPE: &'static str = "multipart/form-data";

    fn check_content_type(content_type: &str) -> bool {
        content_type
            .split(';')
            .next()
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(Self::CONTENT_TYPE))
    }

    fn schema_ref() -> MetaSchemaRef {
        F::schema_ref()
    }

    fn register(registry: &mut Registry) {
        F::register(registry)
    }
}

impl<F: Payload> ParsePayload for Streamed<F> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        // Only the boundary is read here; a missing or malformed one is the caller's 400.
        let parts = poem::web::Multipart::from_request(request, body)
            .await
            .map_err(|e| {
                poem::Error::from(
                    ApiError::validation("The multipart body could not be read.")
                        .detail("reason", e.to_string()),
                )
            })?;
        Ok(Self {
            parts,
            _form: PhantomData,
        })
    }
}

impl<'a, F: Payload> poem_openapi::ApiExtractor<'a> for Streamed<F> {
    const TYPES: &'static [poem_openapi::ApiExtractorType] =
        &[poem_openapi::ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        Some(poem_openapi::registry::MetaRequest {
            description: None,
            content: vec![poem_openapi::registry::MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(ct) if Self::check_content_type(ct) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(ct) => Err(poem_openapi::error::ContentTypeError::NotSupported {
                content_type: ct.to_string(),
            }
            .into()),
            None => Err(poem_openapi::error::ContentTypeError::ExpectContentType.into()),
        }
    }
}
