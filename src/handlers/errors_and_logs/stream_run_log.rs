//! GET /runs/{run_id}/logs/stream: the run's log as server-sent events, a line each (see
//! `live::follow`).
use crate::api::{LogStreamLine, StreamRunLogInput, StreamRunLogResponse};
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
    req: StreamRunLogInput,
) -> Result<StreamRunLogResponse, ApiError> {
    lookup::run(&state.db, req.run_id).await?;
    let slot = open_slot(state, p)?;
    let after = req.last_event_id.unwrap_or(0);
    Ok(
        // Boxed: its future (it may judge runs first) is large, and every operation's future
        // shares the request's stack.
        match Box::pin(follow::run_log(
            &state.db,
            &state.storage,
            &state.live.hub,
            req.run_id,
            after,
            slot,
        ))
        .await?
        {
            Opened::Ended => StreamRunLogResponse::NoContent,
            Opened::Stream(s) => StreamRunLogResponse::Ok(
                EventStream::new(s)
                    .keep_alive(heartbeat(state))
                    .to_event(to_event),
            ),
        },
    )
}

fn to_event(l: LogStreamLine) -> Event {
    Event::message(l.to_json_string())
        .event_type("line")
        .id(l.line.to_string())
}
