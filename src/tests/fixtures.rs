//! Building run and library data row by row, as upstream's CI writes it.
use crate::data::entity::*;
use chrono::{Duration, NaiveDateTime};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

pub struct Fx<'a> {
    pub db: &'a DatabaseConnection,
}

pub fn hash(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(seed.as_bytes()))
}

/// A fixed clock so date filters are predictable: 2026-01-01 plus `minutes`.
pub fn at(minutes: i64) -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        + Duration::minutes(minutes)
}

impl Fx<'_> {
    pub async fn category(&self, name: &str) -> i32 {
        category::ActiveModel {
            name: Set(Some(name.into())),
            description: Set(format!("{name} samples")),
            ..Default::default()
        }
        .insert(self.db)
        .await
        .unwrap()
        .id
    }

    pub async fn sample(&self, name: &str) -> i32 {
        sample::ActiveModel {
            sha: Set(Some(hash(name))),
            extension: Set("ts".into()),
            original_name: Set(format!("{name}.ts")),
            ..Default::default()
        }
        .insert(self.db)
        .await
        .unwrap()
        .id
    }

    pub async fn tag(&self, sample: i32, name: &str) {
        let t = tag::ActiveModel {
            name: Set(name.into()),
            description: Set(Some(format!("{name} tag"))),
            ..Default::default()
        }
        .insert(self.db)
        .await
        .unwrap();
        sample_tag_association::ActiveModel {
            sample_id: Set(sample),
            tag_id: Set(t.id),
        }
        .insert(self.db)
        .await
        .unwrap();
    }

    /// An active regression test of `sample` in `categories` with `outputs` expected outputs;
    /// returns (test id, output ids).
    pub async fn regression_test(
        &self,
        sample: i32,
        categories: &[i32],
        outputs: usize,
    ) -> (i32, Vec<i32>) {
        let rt = regression_test::ActiveModel {
            sample_id: Set(Some(sample)),
            command: Set("--autoprogram --out=srt --latin1".into()),
            input_type: Set(Some("file".into())),
            output_type: Set(Some("file".into())),
            expected_rc: Set(Some(0)),
            active: Set(Some(true)),
            ..Default::default()
        }
        .insert(self.db)
        .await
        .unwrap()
        .id;
        for c in categories {
            regression_test_category::ActiveModel {
                regression_id: Set(rt),
                category_id: Set(*c),
            }
            .insert(self.db)
            .await
            .unwrap();
        }
        let mut ids = Vec::new();
        for i in 0..outputs {
            ids.push(
                regression_test_output::ActiveModel {
                    regression_id: Set(Some(rt)),
                    correct: Set(Some(hash(&format!("baseline {rt} {i}")))),
                    correct_extension: Set(".srt".into()),
                    expected_filename: Set(Some(String::new())),
                    ignore: Set(Some(false)),
                    ..Default::default()
                }
                .insert(self.db)
                .await
                .unwrap()
                .id,
            );
        }
        (rt, ids)
    }

    pub async fn variant(&self, output: i32, hash: &str) -> i32 {
        regression_test_output_files::ActiveModel {
            file_hashes: Set(Some(hash.into())),
            regression_test_output_id: Set(Some(output)),
            ..Default::default()
        }
        .insert(self.db)
        .await
        .unwrap()
        .id
    }

    pub async fn fork(&self, url: &str) -> i32 {
        fork::ActiveModel {
            github: Set(Some(url.into())),
            ..Default::default()
        }
        .insert(self.db)
        .await
        .unwrap()
        .id
    }

    pub async fn main_fork(&self) -> i32 {
        use sea_orm::{ColumnTrait, QueryFilter};
        let url = "https://github.com/CCExtractor/ccextractor.git";
        match fork::Entity::find()
            .filter(fork::Column::Github.eq(url))
            .one(self.db)
            .await
            .unwrap()
        {
            Some(f) => f.id,
            None => self.fork(url).await,
        }
    }

    /// A run of the main repository on `platform` with `scope` as its customized tests.
    pub async fn run(&self, platform: &str, scope: &[i32]) -> i32 {
        let fork = self.main_fork().await;
        self.run_on(fork, platform, "master", scope).await
    }

    pub async fn run_on(&self, fork: i32, platform: &str, branch: &str, scope: &[i32]) -> i32 {
        let id = test::ActiveModel {
            platform: Set(platform.into()),
            test_type: Set("commit".into()),
            token: Set(Some(uuid::Uuid::new_v4().simple().to_string())),
            fork_id: Set(Some(fork)),
            branch: Set(branch.into()),
            commit: Set(hash(&format!("commit {}", uuid::Uuid::new_v4()))[..40].to_string()),
            pr_nr: Set(0),
            ..Default::default()
        }
        .insert(self.db)
        .await
        .unwrap()
        .id;
        for rt in scope {
            customized_test::ActiveModel {
                test_id: Set(Some(id)),
                regression_id: Set(Some(*rt)),
                ..Default::default()
            }
            .insert(self.db)
            .await
            .unwrap();
        }
        id
    }

    pub async fn progress(&self, run: i32, status: &str, at: NaiveDateTime) {
        test_progress::ActiveModel {
            test_id: Set(Some(run)),
            status: Set(status.into()),
            timestamp: Set(at),
            message: Set(format!("{status} message")),
            ..Default::default()
        }
        .insert(self.db)
        .await
        .unwrap();
    }

    /// preparation → testing → completed, a minute apart from `start` minutes.
    pub async fn complete(&self, run: i32, start: i64) {
        for (i, s) in ["preparation", "testing", "completed"].iter().enumerate() {
            self.progress(run, s, at(start + i as i64)).await;
        }
    }

    pub async fn result(&self, run: i32, rt: i32, exit_code: i32, expected_rc: i32) {
        test_result::ActiveModel {
            test_id: Set(run),
            regression_test_id: Set(rt),
            runtime: Set(Some(1200)),
            exit_code: Set(Some(exit_code)),
            expected_rc: Set(Some(expected_rc)),
        }
        .insert(self.db)
        .await
        .unwrap();
    }

    /// A produced file: `got` None means identical to the baseline.
    pub async fn file(&self, run: i32, rt: i32, output: i32, got: Option<&str>) {
        test_result_file::ActiveModel {
            test_id: Set(run),
            regression_test_id: Set(rt),
            regression_test_output_id: Set(output),
            expected: Set(hash(&format!("expected {output}"))),
            got: Set(got.map(str::to_string)),
        }
        .insert(self.db)
        .await
        .unwrap();
    }
}

/// One expected output (`.srt`) added to test `rt`; its id.
pub async fn output(db: &sea_orm::DatabaseConnection, rt: i32) -> i32 {
    regression_test_output::ActiveModel {
        regression_id: Set(Some(rt)),
        correct: Set(Some(hash(&format!("baseline {rt} extra")))),
        correct_extension: Set(".srt".into()),
        expected_filename: Set(Some(String::new())),
        ignore: Set(Some(false)),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

impl Fx<'_> {
    /// A queued upload of `user` with `bytes` stored at `QueuedFiles/<sha><ext>` under `root`;
    /// (queue id, sha).
    pub async fn queued(
        &self,
        root: &std::path::Path,
        user: i32,
        name: &str,
        bytes: &[u8],
    ) -> (i32, String) {
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(bytes));
        let ext = std::path::Path::new(name)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        std::fs::write(root.join("QueuedFiles").join(format!("{sha}{ext}")), bytes).unwrap();
        let id = upload_queue::ActiveModel {
            sha: Set(Some(sha.clone())),
            extension: Set(ext),
            original_name: Set(name.into()),
            user_id: Set(Some(user)),
            ..Default::default()
        }
        .insert(self.db)
        .await
        .unwrap()
        .id;
        (id, sha)
    }

    pub async fn version(&self, version: &str) -> i32 {
        ccextractor_version::ActiveModel {
            version: Set(Some(version.into())),
            // Release dates are unique upstream: one per version name.
            released: Set(chrono::NaiveDate::from_num_days_from_ce_opt(
                738_000 + version.bytes().map(i32::from).fold(0, |a, b| a * 31 + b) % 10_000,
            )),
            commit: Set(Some(hash(version)[..40].to_string())),
            ..Default::default()
        }
        .insert(self.db)
        .await
        .unwrap()
        .id
    }
}
