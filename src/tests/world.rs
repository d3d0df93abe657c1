//! A small library and one run in every state, shared by the run and sample tests.
use super::common::TestApp;
use super::fixtures::{Fx, at};

pub struct World {
    pub app: TestApp,
    /// Admin token with every scope.
    pub admin: String,
    pub sample_a: i32,
    pub sample_b: i32,
    /// Sample A, General, one output.
    pub t1: i32,
    /// Sample A, DVB, one output with the accepted variant "vv".
    pub t2: i32,
    /// Sample B, General, two outputs.
    pub t3: i32,
    pub o1: i32,
    pub o2: i32,
    pub o3: Vec<i32>,
    pub run_pass: i32,
    pub run_fail: i32,
    pub run_c1: i32,
    pub run_running: i32,
    pub run_queued: i32,
    pub run_canceled: i32,
    pub run_error: i32,
    pub run_incomplete: i32,
}

impl World {
    /// Writes a file under the test's storage root, as upstream's workers would.
    pub fn put(&self, key: &str, bytes: &[u8]) {
        let path = self.app.storage_dir.path().join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    pub async fn new() -> Self {
        Self::on(TestApp::new().await).await
    }

    pub async fn on(app: TestApp) -> Self {
        let (_, admin) = app.admin().await;
        let fx = Fx { db: &app.state.db };
        let general = fx.category("General").await;
        let dvb = fx.category("DVB").await;
        let sample_a = fx.sample("CONV923H").await;
        let sample_b = fx.sample("Storyville").await;
        fx.tag(sample_a, "teletext").await;
        let (t1, o1) = fx.regression_test(sample_a, &[general], 1).await;
        let (t2, o2) = fx.regression_test(sample_a, &[dvb], 1).await;
        let (t3, o3) = fx.regression_test(sample_b, &[general], 2).await;
        let (o1, o2) = (o1[0], o2[0]);
        fx.variant(o2, "vv").await;
        let all = [t1, t2, t3];

        let run_pass = fx.run("linux", &all).await;
        fx.complete(run_pass, 0).await;
        for rt in all {
            fx.result(run_pass, rt, 0, 0).await;
        }
        fx.file(run_pass, t1, o1, None).await;
        fx.file(run_pass, t2, o2, Some("vv")).await;
        fx.file(run_pass, t3, o3[0], None).await;
        fx.file(run_pass, t3, o3[1], None).await;

        let main = fx.main_fork().await;
        let run_fail = fx.run_on(main, "linux", "feature", &all).await;
        fx.complete(run_fail, 10).await;
        fx.result(run_fail, t1, 3, 0).await;
        fx.file(run_fail, t1, o1, None).await;
        fx.result(run_fail, t2, 0, 0).await;
        fx.file(run_fail, t2, o2, Some("zz")).await;
        fx.result(run_fail, t3, 0, 0).await;
        fx.file(run_fail, t3, o3[0], None).await;

        // C1: the exit code is fine and no file row exists, though an output is expected.
        let run_c1 = fx.run("windows", &[t1]).await;
        fx.complete(run_c1, 20).await;
        fx.result(run_c1, t1, 0, 0).await;

        let run_running = fx.run("linux", &all).await;
        fx.progress(run_running, "preparation", at(30)).await;
        fx.progress(run_running, "testing", at(31)).await;
        fx.result(run_running, t1, 0, 0).await;
        fx.file(run_running, t1, o1, None).await;

        let run_queued = fx.run("windows", &all).await;

        let run_canceled = fx.run("linux", &all).await;
        fx.progress(run_canceled, "preparation", at(40)).await;
        fx.progress(run_canceled, "canceled", at(41)).await;

        let run_error = fx.run("linux", &all).await;
        fx.complete(run_error, 50).await;

        let run_incomplete = fx.run("linux", &all).await;
        fx.progress(run_incomplete, "building", at(60)).await;

        Self {
            app,
            admin,
            sample_a,
            sample_b,
            t1,
            t2,
            t3,
            o1,
            o2,
            o3,
            run_pass,
            run_fail,
            run_c1,
            run_running,
            run_queued,
            run_canceled,
            run_error,
            run_incomplete,
        }
    }

    pub fn fx(&self) -> Fx<'_> {
        Fx {
            db: &self.app.state.db,
        }
    }

    pub async fn get(&self, path: &str) -> serde_json::Value {
        let (status, body) = super::common::get(&self.app, path, &self.admin).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

pub fn ids(page: &serde_json::Value, key: &str) -> Vec<i64> {
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|d| d[key].as_i64().unwrap())
        .collect()
}
