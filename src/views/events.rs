//! Event-log entries as a run's stream shows them.
use crate::api::{ProgressEvent, RunEvent, RunEventResult, RunStatus};
use crate::data::entity::spci_event;
use crate::domain::events::LogKind;
use crate::types::UtcDateTime;
use poem_openapi::types::ParseFromJSON;

/// The entry as a stream event; `None` for entries the stream does not show.
pub fn run_event(m: &spci_event::Model) -> Option<RunEvent> {
    let kind = LogKind::parse(&m.kind)?.streamed()?;
    let data: serde_json::Value = serde_json::from_str(&m.data).unwrap_or_default();
    let status = |key: &str| data[key].as_str().and_then(RunStatus::parse);
    Some(RunEvent {
        id: m.id,
        kind,
        run_id: m.run_id,
        at: UtcDateTime::from_naive_utc(m.created_at),
        progress: ProgressEvent::parse_from_json(Some(data["progress"].clone())).ok(),
        result: RunEventResult::parse_from_json(Some(data["result"].clone())).ok(),
        status: status("status"),
        effective_status: status("effective_status"),
    })
}
