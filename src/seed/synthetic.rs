//! A synthetic dataset of any size for load tests (`spci demo --runs N --tests M`): M active
//! regression tests with one output each, and N runs that each executed all of them. Every
//! tenth run fails one test (alternating exit-code mismatch and diff mismatch); the newest runs
//! are queued or running. Rows go in with multi-row inserts, a transaction per chunk of runs.
use crate::data::entity::*;
use crate::domain::DomainError;
use chrono::{Duration, NaiveDate};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

/// Runs per transaction; rows per INSERT stay under SQLite's bound-variable limit.
const RUNS_PER_CHUNK: usize = 50;
const ROWS_PER_INSERT: usize = 1000;

pub async fn seed(
    db: &sea_orm::DatabaseConnection,
    runs: usize,
    tests: usize,
) -> Result<(), DomainError> {
    let hash = |s: String| {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(s.as_bytes()))
    };
    let category = category::ActiveModel {
        name: Set(Some(format!("Load-{}", uuid::Uuid::new_v4().simple()))),
        description: Set("synthetic load-test data".into()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let fork = fork::ActiveModel {
        github: Set(Some(format!(
            "https://github.com/load-{}/ccextractor.git",
            uuid::Uuid::new_v4().simple()
        ))),
        ..Default::default()
    }
    .insert(db)
    .await?;
    // Ten samples, each used by tests/10 regression tests, as in production.
    let mut samples = vec![];
    for i in 0..10 {
        samples.push(
            sample::ActiveModel {
                sha: Set(Some(hash(format!(
                    "load sample {i} {}",
                    uuid::Uuid::new_v4()
                )))),
                extension: Set("ts".into()),
                original_name: Set(format!("load-sample-{i}.ts")),
                ..Default::default()
            }
            .insert(db)
            .await?
            .id,
        );
    }
    let mut rts = vec![];
    for i in 0..tests {
        let rt = regression_test::ActiveModel {
            sample_id: Set(Some(samples[i % samples.len()])),
            command: Set(format!("--autoprogram --out=srt --latin1 --load {i}")),
            input_type: Set(Some("file".into())),
            output_type: Set(Some("file".into())),
            expected_rc: Set(Some(0)),
            active: Set(Some(true)),
            ..Default::default()
        }
        .insert(db)
        .await?
        .id;
        regression_test_category::ActiveModel {
            regression_id: Set(rt),
            category_id: Set(category.id),
        }
        .insert(db)
        .await?;
        let output = regression_test_output::ActiveModel {
            regression_id: Set(Some(rt)),
            correct: Set(Some(hash(format!("baseline {rt}")))),
            correct_extension: Set(".srt".into()),
            expected_filename: Set(Some(String::new())),
            ignore: Set(Some(false)),
            ..Default::default()
        }
        .insert(db)
        .await?
        .id;
        rts.push((rt, output));
    }
    let start = NaiveDate::from_ymd_opt(2025, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    for chunk_start in (0..runs).step_by(RUNS_PER_CHUNK) {
        let tx = crate::data::writer::begin_write(db).await?;
        let mut progress = vec![];
        let mut scope = vec![];
        let mut results = vec![];
        let mut files = vec![];
        for n in chunk_start..(chunk_start + RUNS_PER_CHUNK).min(runs) {
            let run = test::ActiveModel {
                platform: Set(if n % 2 == 0 { "linux" } else { "windows" }.into()),
                test_type: Set("commit".into()),
                token: Set(Some(uuid::Uuid::new_v4().simple().to_string())),
                fork_id: Set(Some(fork.id)),
                branch: Set("master".into()),
                commit: Set(hash(format!("commit {n}"))[..40].to_string()),
                pr_nr: Set(0),
                ..Default::default()
            }
            .insert(&tx)
            .await?
            .id;
            let t0 = start + Duration::minutes(n as i64 * 10);
            let newest = runs - n;
            let steps: &[&str] = match newest {
                1..=3 => &[],
                4..=6 => &["preparation", "testing"],
                _ => &["preparation", "testing", "completed"],
            };
            for (i, s) in steps.iter().enumerate() {
                progress.push(test_progress::ActiveModel {
                    test_id: Set(Some(run)),
                    status: Set((*s).into()),
                    timestamp: Set(t0 + Duration::minutes(i as i64)),
                    message: Set(format!("{s} (synthetic)")),
                    ..Default::default()
                });
            }
            let executed = if steps.len() == 3 { rts.len() } else { 0 };
            for (i, (rt, output)) in rts.iter().enumerate() {
                scope.push(customized_test::ActiveModel {
                    test_id: Set(Some(run)),
                    regression_id: Set(Some(*rt)),
                    ..Default::default()
                });
                if i >= executed {
                    continue;
                }
                let failing = n % 10 == 0 && i == n / 10 % rts.len();
                results.push(test_result::ActiveModel {
                    test_id: Set(run),
                    regression_test_id: Set(*rt),
                    runtime: Set(Some(100 + (n * 7 + i * 13) as i32 % 5000)),
                    exit_code: Set(Some(if failing && n % 20 == 0 { 10 } else { 0 })),
                    expected_rc: Set(Some(0)),
                });
                files.push(test_result_file::ActiveModel {
                    test_id: Set(run),
                    regression_test_id: Set(*rt),
                    regression_test_output_id: Set(*output),
                    expected: Set(hash(format!("baseline {rt}"))),
                    got: Set((failing && n % 20 != 0).then(|| hash(format!("actual {run} {rt}")))),
                });
            }
        }
        insert_chunks(&tx, progress).await?;
        insert_chunks(&tx, scope).await?;
        insert_chunks(&tx, results).await?;
        insert_chunks(&tx, files).await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn insert_chunks<A>(
    db: &impl sea_orm::ConnectionTrait,
    rows: Vec<A>,
) -> Result<(), DomainError>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(ROWS_PER_INSERT).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
