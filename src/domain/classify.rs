//! Error classification: what `GET /runs/{id}/errors`, `/error-summary`, `/infrastructure-errors`
//! and the run summary's `error_count` report, from the verdict rules' facts. Pure functions, so
//! the three endpoints cannot disagree.
use super::verdict::{self, TestError, TestFacts};
use crate::api::{ErrorType, Severity};

/// One derived error, before it is dressed for the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classified {
    pub error_id: String,
    pub kind: ErrorType,
    pub severity: Severity,
    pub message: String,
    /// The output concerned, for missing outputs and differences.
    pub output_id: Option<i32>,
}

/// The errors of one regression test in one run (reference §2.5): an exit-code mismatch and a
/// missing output are errors, an output that differs and matches no variant a warning.
pub fn result_errors(run: i32, rt: i32, facts: &TestFacts) -> Vec<Classified> {
    verdict::test_errors(facts)
        .into_iter()
        .map(|e| match e {
            TestError::ExitCodeMismatch { exit_code } => Classified {
                error_id: format!("err_{run}_{rt}_rc"),
                kind: ErrorType::ExitCodeMismatch,
                severity: Severity::Error,
                message: match (exit_code, facts.outcome.and_then(|o| o.expected_rc)) {
                    (Some(got), Some(want)) => {
                        format!("CCExtractor exited with {got}; {want} was expected.")
                    }
                    (Some(got), None) => format!("CCExtractor exited with {got}."),
                    _ => "CCExtractor's exit code was not recorded.".to_string(),
                },
                output_id: None,
            },
            TestError::MissingOutput { output_id } => Classified {
                error_id: format!("err_{run}_{rt}_missing_{output_id}"),
                kind: ErrorType::MissingOutput,
                severity: Severity::Error,
                message: format!("Expected output {output_id} was not produced."),
                output_id: Some(output_id),
            },
            TestError::DiffMismatch { output_id } => Classified {
                error_id: format!("err_{run}_{rt}_{output_id}"),
                kind: ErrorType::DiffMismatch,
                severity: Severity::Warning,
                message: format!(
                    "Output {output_id} differs from the baseline and matches no accepted variant."
                ),
                output_id: Some(output_id),
            },
        })
        .collect()
}

/// The kind of infrastructure failure a `canceled` progress message reports; `None` for a
/// cancellation somebody asked for through the API, which is not an error.
pub fn infrastructure_type(message: &str) -> Option<ErrorType> {
    let m = message.to_lowercase();
    if m.contains("via api") {
        return None;
    }
    // First match wins; the order puts the most specific words first.
    const KEYWORDS: &[(&[&str], ErrorType)] = &[
        (&["merge", "conflict", "rebase"], ErrorType::Merge),
        (
            &["checkout", "clone", "git fetch", "fetch failed"],
            ErrorType::Checkout,
        ),
        (
            &["storage", "bucket", "upload", "disk", "gcs"],
            ErrorType::Storage,
        ),
        (
            &["vm", "instance", "provision", "quota", "machine", "zone"],
            ErrorType::VmProvisioning,
        ),
        (
            &["build", "compil", "artifact", "cmake", "make "],
            ErrorType::Build,
        ),
        (&["queue"], ErrorType::Queue),
        (&["webhook", "web server", "http 5"], ErrorType::WebServer),
    ];
    let words = |w: &&str| {
        // "vm" must be a word of its own, not part of another.
        if *w == "vm" {
            m.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|t| t == "vm" || t == "vms")
        } else {
            m.contains(w)
        }
    };
    Some(
        KEYWORDS
            .iter()
            .find(|(ws, _)| ws.iter().any(words))
            .map(|(_, t)| *t)
            .unwrap_or(ErrorType::Worker),
    )
}

/// Worst first is highest: info < warning < error < critical.
pub fn rank(s: Severity) -> u8 {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
        Severity::Critical => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::verdict::{Expected, Outcome, Phase, Produced};
    use super::*;

    fn out(id: i32) -> Expected {
        Expected {
            output_id: id,
            ignore: false,
            variants: vec![],
        }
    }

    #[test]
    fn result_error_table() {
        let expected = [out(1), out(2)];
        type Case = (
            Option<Outcome>,
            Vec<Produced>,
            Vec<(&'static str, ErrorType, Severity)>,
        );
        let rc = |exit_code, expected_rc| {
            Some(Outcome {
                exit_code: Some(exit_code),
                expected_rc: Some(expected_rc),
            })
        };
        let same = |id| Produced {
            output_id: id,
            got: None,
        };
        let cases: Vec<Case> = vec![
            (rc(0, 0), vec![same(1), same(2)], vec![]),
            (
                rc(3, 0),
                vec![same(1), same(2)],
                vec![("err_7_9_rc", ErrorType::ExitCodeMismatch, Severity::Error)],
            ),
            (
                rc(0, 0),
                vec![same(1)],
                vec![(
                    "err_7_9_missing_2",
                    ErrorType::MissingOutput,
                    Severity::Error,
                )],
            ),
            (
                rc(0, 0),
                vec![
                    same(1),
                    Produced {
                        output_id: 2,
                        got: Some("x".into()),
                    },
                ],
                vec![("err_7_9_2", ErrorType::DiffMismatch, Severity::Warning)],
            ),
            (
                rc(1, 0),
                vec![],
                vec![
                    ("err_7_9_rc", ErrorType::ExitCodeMismatch, Severity::Error),
                    (
                        "err_7_9_missing_1",
                        ErrorType::MissingOutput,
                        Severity::Error,
                    ),
                    (
                        "err_7_9_missing_2",
                        ErrorType::MissingOutput,
                        Severity::Error,
                    ),
                ],
            ),
        ];
        for (outcome, produced, want) in cases {
            let facts = TestFacts {
                phase: Phase::Completed,
                outcome,
                produced: &produced,
                expected: &expected,
            };
            let got: Vec<_> = result_errors(7, 9, &facts)
                .into_iter()
                .map(|c| (c.error_id, c.kind, c.severity))
                .collect();
            let want: Vec<_> = want
                .into_iter()
                .map(|(id, k, s)| (id.to_string(), k, s))
                .collect();
            assert_eq!(got, want, "{produced:?}");
        }
    }

    #[test]
    fn infrastructure_table() {
        let cases = [
            ("Canceled by admin via API: wrong commit", None),
            ("canceled BY ci VIA api", None),
            ("Merge conflict with master", Some(ErrorType::Merge)),
            ("git clone failed: timeout", Some(ErrorType::Checkout)),
            (
                "Could not create VM: quota exceeded",
                Some(ErrorType::VmProvisioning),
            ),
            ("GCS bucket unreachable", Some(ErrorType::Storage)),
            ("Build artifact not found", Some(ErrorType::Build)),
            ("Queue overflow", Some(ErrorType::Queue)),
            ("Webhook delivery failed", Some(ErrorType::WebServer)),
            ("worker died unexpectedly", Some(ErrorType::Worker)),
            ("something odd", Some(ErrorType::Worker)),
            // "vm" only as a word: "environment" is not a VM problem.
            ("environment variable missing", Some(ErrorType::Worker)),
        ];
        for (message, want) in cases {
            assert_eq!(infrastructure_type(message), want, "{message}");
        }
    }

    #[test]
    fn severity_ranks_in_order() {
        let order = [
            Severity::Info,
            Severity::Warning,
            Severity::Error,
            Severity::Critical,
        ];
        assert!(order.windows(2).all(|w| rank(w[0]) < rank(w[1])));
    }
}
