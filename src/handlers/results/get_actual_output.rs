//! GET …/outputs/{output_id}/actual: what the run produced; an output identical to the
//! baseline is a 303 to the expected one, a never-produced one a 404 `missing_output`.
use super::output::{Output, output_file};
use crate::api::{GetActualOutputInput, GetActualOutputResponse};
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: GetActualOutputInput,
) -> Result<GetActualOutputResponse, ApiError> {
    let o = Output::load(
        state,
        req.run_id,
        req.sample_id,
        req.regression_id,
        req.output_id,
    )
    .await?;
    match o.actual()? {
        None => {
            let query = match req.format {
                Some(f) => format!("?format={}", f.as_str()),
                None => String::new(),
            };
            Ok(GetActualOutputResponse::SeeOther(format!(
                "{}/expected{query}",
                o.path()
            )))
        }
        Some(hash) => Ok(GetActualOutputResponse::Ok(Json(
            output_file(state, &o, hash, req.format).await?,
        ))),
    }
}
