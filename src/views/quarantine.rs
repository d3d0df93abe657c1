//! Quarantines as the wire shows them.
use crate::api;
use crate::data::entity::spci_quarantine;
use crate::data::quarantine::period;
use crate::types::UtcDateTime;
use chrono::NaiveDateTime;

/// `now` decides only `in_force`; every other field is the stored period.
pub fn quarantine(q: spci_quarantine::Model, now: NaiveDateTime) -> api::Quarantine {
    api::Quarantine {
        in_force: period(&q).in_force(now),
        id: q.id,
        regression_test_id: q.regression_test_id,
        reason: q.reason,
        created_by: q.created_by,
        created_at: UtcDateTime::from_naive_utc(q.created_at),
        expires_at: q.expires_at.map(UtcDateTime::from_naive_utc),
        lifted_at: q.lifted_at.map(UtcDateTime::from_naive_utc),
        lifted_by: q.lifted_by,
    }
}
