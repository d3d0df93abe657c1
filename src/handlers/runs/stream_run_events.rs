//! GET /runs/{run_id}/events: the run's events as server-sent events (see `live::follow`).
use crate::api::{RunEvent, StreamRunEventsInput, StreamRunEventsResponse};
use crate::auth::Principal;
use crate::data::lookup;
use crate::http::error::ApiError;
use crate::http::streams::{heartbeat, open_slot};
use crate::live::follow::{self, Opened};
use crate::state::AppState;
use poem::web::sse::Event;
use poem_openapi::payload::EventStream;
use poem_openapi::types::ToJSON;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: StreamRunEventsInput,
) -> Result<StreamRunEventsResponse, ApiError> {
    lookup::run(&state.db, req.run_id).await?;
    let slot = open_slot(state, p)?;
    Ok(
        // Boxed: its future (it may judge runs first) is large, and every operation's future
        // shares the request's stack.
        match Box::pin(follow::run_events(
            &state.db,
            &state.live.hub,
            &state.verdicts,
            req.run_id,
            req.last_event_id,
            slot,
        ))
        .await?
        {
            Opened::Ended => StreamRunEventsResponse::NoContent,
            Opened::Stream(s) => StreamRunEventsResponse::Ok(
                EventStream::new(s)
                    .keep_alive(heartbeat(state))
                    .to_event(to_event),
            ),
        },
    )
}

fn to_event(e: RunEvent) -> Event {
    Event::message(e.to_json_string())
        .event_type(e.kind.as_str())
        .id(e.id.to_string())
}
