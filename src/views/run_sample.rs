//! A regression test in a run as the wire shows it, judged by the verdict rules.
use crate::api::{RunSample, RunSampleOutput};
use crate::data::catalog::Catalog;
use crate::data::lookup::JudgedRun;
use crate::domain::verdict;
use crate::files::storage::result_file_name;

pub fn run_sample(j: &JudgedRun, cat: &Catalog, rt: i32) -> RunSample {
    let run = j.run().id;
    let facts = j.judging.facts(run, rt, j.phase);
    let result = j.judging.results.get(&(run, rt));
    let files = j.judging.files.get(&(run, rt));
    let outputs = verdict::output_statuses(&facts)
        .into_iter()
        .map(|(output_id, status)| {
            let filename = match cat.output(rt, output_id) {
                Some(o) => result_file_name(
                    o.correct.as_deref().unwrap_or_default(),
                    &o.correct_extension,
                ),
                // The output was deleted since: name it by the hash the run expected.
                None => files
                    .and_then(|fs| fs.iter().find(|f| f.regression_test_output_id == output_id))
                    .map(|f| f.expected.clone())
                    .unwrap_or_default(),
            };
            RunSampleOutput {
                output_id,
                filename,
                status,
            }
        })
        .collect();
    let test = cat.tests.get(&rt);
    let sample = cat.sample_of(rt);
    RunSample {
        regression_test_id: rt,
        sample_id: sample.map(|s| s.id),
        sample_name: sample.map(|s| s.original_name.clone()),
        categories: cat.categories_of(rt),
        command: test.map(|t| t.command.clone()).unwrap_or_default(),
        status: verdict::sample_status(&facts),
        runtime_ms: result.and_then(|r| r.runtime).map(i64::from),
        exit_code: result.and_then(|r| r.exit_code),
        expected_rc: result
            .and_then(|r| r.expected_rc)
            .or_else(|| test.and_then(|t| t.expected_rc)),
        outputs,
    }
}
