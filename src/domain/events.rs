//! What spci's event log records about runs, which of it a run's event stream shows, and which
//! webhook events each entry raises.
use crate::api::{RunEventKind, RunStatus, WebhookEvent};

/// An entry of the event log; the first four are a run's stream, the rest only feed webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogKind {
    Progress,
    SampleResult,
    Status,
    Completed,
    BaselineApproved,
    RegressionDetected,
}

impl LogKind {
    pub const ALL: [LogKind; 6] = [
        Self::Progress,
        Self::SampleResult,
        Self::Status,
        Self::Completed,
        Self::BaselineApproved,
        Self::RegressionDetected,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Progress => "progress",
            Self::SampleResult => "sample_result",
            Self::Status => "status",
            Self::Completed => "completed",
            Self::BaselineApproved => "baseline_approved",
            Self::RegressionDetected => "regression_detected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Its kind in a run's event stream, if the stream shows it.
    pub fn streamed(self) -> Option<RunEventKind> {
        match self {
            Self::Progress => Some(RunEventKind::Progress),
            Self::SampleResult => Some(RunEventKind::SampleResult),
            Self::Status => Some(RunEventKind::Status),
            Self::Completed => Some(RunEventKind::Completed),
            Self::BaselineApproved | Self::RegressionDetected => None,
        }
    }

    /// The webhook event it raises, if any.
    pub fn webhook(self) -> Option<WebhookEvent> {
        match self {
            Self::Status => Some(WebhookEvent::RunStatusChanged),
            Self::Completed => Some(WebhookEvent::RunCompleted),
            Self::BaselineApproved => Some(WebhookEvent::BaselineApproved),
            Self::RegressionDetected => Some(WebhookEvent::RegressionDetected),
            Self::Progress | Self::SampleResult => None,
        }
    }

    /// The stored names of the kinds a run's stream shows.
    pub fn streamed_names() -> Vec<&'static str> {
        Self::ALL
            .into_iter()
            .filter(|k| k.streamed().is_some())
            .map(Self::as_str)
            .collect()
    }
}

/// Whether a run with this status has ended: nothing more will happen to it (unless restarted).
pub fn has_ended(status: RunStatus) -> bool {
    matches!(
        status,
        RunStatus::Pass | RunStatus::Fail | RunStatus::Canceled | RunStatus::Error
    )
}

/// Whether a status event is due: the run's status differs from the last one recorded.
pub fn status_changed(last_recorded: Option<RunStatus>, now: RunStatus) -> bool {
    last_recorded != Some(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_map() {
        let cases = [
            (LogKind::Progress, Some(RunEventKind::Progress), None),
            (
                LogKind::SampleResult,
                Some(RunEventKind::SampleResult),
                None,
            ),
            (
                LogKind::Status,
                Some(RunEventKind::Status),
                Some(WebhookEvent::RunStatusChanged),
            ),
            (
                LogKind::Completed,
                Some(RunEventKind::Completed),
                Some(WebhookEvent::RunCompleted),
            ),
            (
                LogKind::BaselineApproved,
                None,
                Some(WebhookEvent::BaselineApproved),
            ),
            (
                LogKind::RegressionDetected,
                None,
                Some(WebhookEvent::RegressionDetected),
            ),
        ];
        for (kind, streamed, webhook) in cases {
            assert_eq!(LogKind::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.streamed(), streamed, "{kind:?}");
            assert_eq!(kind.webhook(), webhook, "{kind:?}");
        }
        assert_eq!(LogKind::parse("nope"), None);
        assert_eq!(
            LogKind::streamed_names(),
            ["progress", "sample_result", "status", "completed"]
        );
    }

    #[test]
    fn ended_statuses() {
        use RunStatus as S;
        let cases = [
            (S::Queued, false),
            (S::Running, false),
            (S::Incomplete, false),
            (S::Pass, true),
            (S::Fail, true),
            (S::Canceled, true),
            (S::Error, true),
        ];
        for (s, ended) in cases {
            assert_eq!(has_ended(s), ended, "{s:?}");
        }
    }

    #[test]
    fn status_events_only_on_change() {
        use RunStatus as S;
        let cases = [
            (None, S::Queued, true),
            (Some(S::Queued), S::Running, true),
            (Some(S::Running), S::Running, false),
            (Some(S::Running), S::Fail, true),
        ];
        for (last, now, due) in cases {
            assert_eq!(status_changed(last, now), due, "{last:?} {now:?}");
        }
    }
}
