//! GET /regression-tests/flaky: every test with a verdict in the window, per platform, by
//! weighted flip rate. Three statements per platform plus the page's samples and quarantines,
//! whatever the window or the number of tests.
use super::stability::{Ask, assess_all, wire};
use crate::api::{FlakyMeta, FlakyTestPage, ListFlakyTestsInput, ListFlakyTestsResponse};
use crate::domain::flakiness::Thresholds;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::slice;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: ListFlakyTestsInput,
) -> Result<ListFlakyTestsResponse, ApiError> {
    let ask = Ask {
        platform: req.platform,
        branch: req.branch,
        window: req.window,
        thresholds: Thresholds {
            min_flips: req.min_flips as u32,
            broken_runs: req.broken_runs as u32,
            half_life: req.half_life as u32,
        },
    };
    let mut all = assess_all(state, &ask, None).await?;
    if let Some(want) = req.state {
        all.retain(|a| a.stability.state == want);
    }
    all.sort_by(|a, b| {
        let (x, y) = (&a.stability, &b.stability);
        y.weighted_flip_rate
            .total_cmp(&x.weighted_flip_rate)
            .then(y.flips.cmp(&x.flips))
            .then(a.regression_test_id.cmp(&b.regression_test_id))
            .then(a.platform.as_str().cmp(b.platform.as_str()))
    });
    let (page, pagination) = slice(all, req.limit, req.offset);
    let rts = || page.iter().map(|a| a.regression_test_id);
    let now = chrono::Utc::now().naive_utc();
    let (samples, quarantined) = tokio::try_join!(
        crate::data::catalog::sample_ids_of(&state.db, rts()),
        crate::data::quarantine::in_force_among(&state.db, rts(), now),
    )?;
    let data = page
        .iter()
        .map(|a| {
            let rt = a.regression_test_id;
            wire(
                a,
                samples.get(&rt).copied().flatten(),
                quarantined.contains(&rt),
            )
        })
        .collect();
    Ok(ListFlakyTestsResponse::Ok(Json(FlakyTestPage {
        data,
        pagination,
        meta: FlakyMeta {
            platforms: ask.platforms(),
            thresholds: ask.wire_thresholds(),
            branch: ask.branch,
        },
    })))
}
