//! What a log line says about itself: its level and which part of the CI wrote it, inferred
//! from its words as upstream does.
use crate::api::{LogLevel, LogSource};

/// A line's level, from its words (upstream's inference; info when nothing says otherwise).
pub fn level_of(line: &str) -> LogLevel {
    let l = line.to_lowercase();
    let has = |ws: &[&str]| ws.iter().any(|w| l.contains(w));
    if has(&["critical", "fatal", "panic"]) {
        LogLevel::Critical
    } else if has(&["error", "exception", "traceback", "failed", "failure"]) {
        LogLevel::Error
    } else if has(&["warn"]) {
        LogLevel::Warning
    } else if has(&["debug"]) {
        LogLevel::Debug
    } else {
        LogLevel::Info
    }
}

/// Which part of the CI wrote a line (web when nothing says otherwise).
pub fn source_of(line: &str) -> LogSource {
    let l = line.to_lowercase();
    let has = |ws: &[&str]| ws.iter().any(|w| l.contains(w));
    if has(&["cmake", "compil", "build", "make[", "linking"]) {
        LogSource::Build
    } else if has(&["regression", "test ", "tester", "sample"]) {
        LogSource::TestRunner
    } else if has(&["worker", "instance", " vm", "runci"]) {
        LogSource::Worker
    } else if has(&["orchestrat", "queue", "schedul"]) {
        LogSource::Orchestrator
    } else {
        LogSource::Web
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inference_table() {
        let cases = [
            (
                "Build failed: cmake error",
                LogLevel::Error,
                LogSource::Build,
            ),
            (
                "WARNING: disk almost full",
                LogLevel::Warning,
                LogSource::Web,
            ),
            (
                "Running regression test 12",
                LogLevel::Info,
                LogSource::TestRunner,
            ),
            ("worker started", LogLevel::Info, LogSource::Worker),
            (
                "FATAL: queue corrupted",
                LogLevel::Critical,
                LogSource::Orchestrator,
            ),
            ("debug: hello", LogLevel::Debug, LogSource::Web),
            ("plain line", LogLevel::Info, LogSource::Web),
        ];
        for (line, level, source) in cases {
            assert_eq!((level_of(line), source_of(line)), (level, source), "{line}");
        }
    }
}
