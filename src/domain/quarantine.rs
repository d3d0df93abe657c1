//! Quarantine: for a period, a regression test's failures do not fail a run. A period runs from
//! its start until it expires or is lifted, whichever comes first. Whether a test was in
//! quarantine is decided at the run's completion time (its `completed` progress row), never at
//! the time of asking, so a run's effective status is fixed once it completes: quarantining or
//! lifting later changes no answer about runs that completed before.
use super::DomainError;
use chrono::NaiveDateTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDateTime,
    pub expires: Option<NaiveDateTime>,
    pub lifted: Option<NaiveDateTime>,
}

impl Period {
    /// When the period ends (expiry or lift, the earlier); `None` while neither is set.
    pub fn until(&self) -> Option<NaiveDateTime> {
        match (self.expires, self.lifted) {
            (Some(e), Some(l)) => Some(e.min(l)),
            (e, l) => e.or(l),
        }
    }

    /// Whether the test was in quarantine at `at`: the start included, the end excluded.
    pub fn covers(&self, at: NaiveDateTime) -> bool {
        self.from <= at && self.until().is_none_or(|end| at < end)
    }
}

/// Whether any of a test's periods covers `at`.
pub fn quarantined_at(periods: &[Period], at: NaiveDateTime) -> bool {
    periods.iter().any(|p| p.covers(at))
}

impl Period {
    /// Neither lifted nor expired at `now`: what a lift ends and what a new quarantine
    /// conflicts with. (Periods start and are lifted at the next whole second, so one set a
    /// moment ago is in force though it may not cover `now` yet, and one lifted a moment ago
    /// is over though it may still cover `now`.)
    pub fn in_force(&self, now: NaiveDateTime) -> bool {
        self.lifted.is_none() && self.expires.is_none_or(|end| now < end)
    }
}

/// The period in force at `now`, if any: the one a lift ends.
pub fn in_force(periods: &[Period], now: NaiveDateTime) -> Option<usize> {
    periods.iter().position(|p| p.in_force(now))
}

/// A new quarantine from `now`: refused while one is in force (lift it first, so each period
/// keeps the reason it was given), or with an expiry that is not in the future.
pub fn check_new(
    periods: &[Period],
    now: NaiveDateTime,
    expires: Option<NaiveDateTime>,
) -> Result<(), DomainError> {
    if in_force(periods, now).is_some() {
        return Err(DomainError::conflict(
            "The regression test is already quarantined; lift the quarantine first.",
        ));
    }
    if let Some(e) = expires.filter(|e| *e <= now) {
        return Err(
            DomainError::unprocessable("The expiry must be in the future.")
                .detail("expires_at", e.and_utc().to_rfc3339()),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ErrorKind;
    use chrono::NaiveDate;

    fn t(h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    fn p(from: u32, expires: Option<u32>, lifted: Option<u32>) -> Period {
        Period {
            from: t(from),
            expires: expires.map(t),
            lifted: lifted.map(t),
        }
    }

    #[test]
    fn periods_cover_from_start_until_expiry_or_lift() {
        // (period, instant, covered)
        let cases = [
            (p(10, None, None), 9, false),
            (p(10, None, None), 10, true),
            (p(10, None, None), 23, true),
            (p(10, Some(12), None), 11, true),
            (p(10, Some(12), None), 12, false),
            (p(10, None, Some(12)), 12, false),
            (p(10, None, Some(12)), 11, true),
            // Lifted before it would have expired: the lift ends it.
            (p(10, Some(20), Some(12)), 15, false),
            // Lifted after it had expired: the expiry ended it.
            (p(10, Some(12), Some(20)), 15, false),
            (p(10, Some(12), Some(20)), 11, true),
        ];
        for (period, at, want) in cases {
            assert_eq!(period.covers(t(at)), want, "{period:?} at {at}");
        }
    }

    #[test]
    fn a_test_is_quarantined_when_any_period_covers_the_instant() {
        let periods = [p(8, Some(10), None), p(14, None, Some(16))];
        let cases = [
            (7, false),
            (9, true),
            (10, false),
            (12, false),
            (15, true),
            (16, false),
        ];
        for (at, want) in cases {
            assert_eq!(quarantined_at(&periods, t(at)), want, "at {at}");
        }
        assert!(!quarantined_at(&[], t(9)));
    }

    #[test]
    fn new_quarantines_are_checked_against_the_one_in_force_and_the_expiry() {
        let open = [p(8, None, None)];
        let expired = [p(8, Some(9), None)];
        let lifted = [p(8, None, Some(9))];
        // (periods, expires, refused with)
        let cases: [(&[Period], Option<u32>, Option<ErrorKind>); 7] = [
            (&[], None, None),
            (&[], Some(11), None),
            (&[], Some(10), Some(ErrorKind::Unprocessable)),
            (&[], Some(9), Some(ErrorKind::Unprocessable)),
            (&open, None, Some(ErrorKind::Conflict)),
            (&expired, Some(12), None),
            (&lifted, None, None),
        ];
        for (periods, expires, want) in cases {
            let got = check_new(periods, t(10), expires.map(t))
                .err()
                .map(|e| e.kind);
            assert_eq!(got, want, "{periods:?} expiring {expires:?}");
        }
    }

    #[test]
    fn the_period_in_force_is_the_one_a_lift_ends() {
        let periods = [
            p(6, Some(8), None),
            p(9, Some(12), None),
            p(13, None, Some(14)),
        ];
        // (now, the period in force)
        let cases = [
            (7, Some(0)),
            (8, Some(1)),
            (11, Some(1)),
            (12, None),
            (13, None),
        ];
        for (now, want) in cases {
            assert_eq!(in_force(&periods, t(now)), want, "at {now}");
        }
    }
}
