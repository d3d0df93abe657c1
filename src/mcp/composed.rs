//! Composed tools: what an agent asks in one call ("why did run X fail", "what did this pull
//! request change", "is this test flaky"), built on the generated tools. Each step is one
//! operation sent with the caller's token, so rights, validation and limits are the
//! operations'; a composed tool is offered only to a token that may call every operation it
//! uses. The answers keep what an agent reasons with and drop the rest.
use super::tools;
use crate::api::{Role, Scope};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::OnceLock;

/// One generated tool (an operation) called with arguments: its status and JSON body.
pub trait Steps {
    fn step(
        &self,
        tool: &'static str,
        args: Value,
    ) -> impl Future<Output = Result<(u16, Value), String>> + Send;
}

/// Why a composed tool did not answer.
#[derive(Debug, PartialEq)]
pub enum Failed {
    /// A step's operation refused (its error body is the answer: 403, 404, 429, ...).
    Refused(u16, Value),
    /// The step could not be sent.
    Unsent(String),
}

pub struct Composed {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The operations it calls; the caller needs the rights of each.
    pub uses: &'static [&'static str],
}

pub const ALL: &[Composed] = &[
    Composed {
        name: "explainRunFailure",
        title: "Why did this run fail",
        description: "Why a run failed, in one call: its summary, its failures grouped by cause \
            (missing outputs, exit codes, the first differing line), and the first lines of a \
            unified diff for each group's first failing output. Follow up with getDiff or \
            listRunSamples for more.",
        uses: &[
            "getRunSummary",
            "listFailureGroups",
            "listRunSamples",
            "getDiff",
        ],
    },
    Composed {
        name: "whatDidThisPullRequestChange",
        title: "What did this pull request change",
        description: "What a run (typically of a pull request) changed against master's last \
            run and against its closest ancestor with a run: the counts per class for each \
            base, and the tests whose class is not unchanged_pass (broken_here, fixed_here, \
            failing_differently, ...). Verdicts are the run's own; classes never change them.",
        uses: &["getRun", "getRunComparison"],
    },
    Composed {
        name: "isThisTestFlaky",
        title: "Is this test flaky",
        description: "Whether a regression test is flaky, broken or stable on each platform, \
            with its flips, flip rates and recent verdicts (oldest first), and a one-line \
            verdict. Takes getRegressionTestStability's arguments.",
        uses: &["getRegressionTestStability"],
    },
];

impl Composed {
    pub fn callable_by(&self, scopes: &BTreeSet<Scope>, role: Role) -> bool {
        self.uses
            .iter()
            .all(|u| tools::named(u).is_some_and(|t| t.callable_by(scopes, role)))
    }

    pub fn input_schema(&self) -> Value {
        let run_id = json!({"type": "integer", "minimum": 1, "maximum": 2147483647,
                            "description": "Run id."});
        match self.name {
            "explainRunFailure" => json!({
                "type": "object",
                "properties": {
                    "run_id": run_id,
                    "max_groups": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5,
                                   "description": "Failure groups to explain, largest first."},
                    "diff_lines": {"type": "integer", "minimum": 1, "maximum": 200, "default": 20,
                                   "description": "Lines of each group's diff."},
                },
                "required": ["run_id"],
                "additionalProperties": false,
            }),
            "whatDidThisPullRequestChange" => json!({
                "type": "object",
                "properties": {
                    "run_id": run_id,
                    "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50,
                              "description": "Changed tests listed at most."},
                },
                "required": ["run_id"],
                "additionalProperties": false,
            }),
            _ => tools::named("getRegressionTestStability")
                .map(|t| t.input_schema.clone())
                .unwrap_or_else(|| json!({"type": "object"})),
        }
    }

    /// Arguments against the input schema: a composed tool's own arguments (`max_groups`,
    /// `diff_lines`, `limit`) reach no operation that would check them.
    pub fn check(&self, args: &Map<String, Value>) -> Result<(), String> {
        // Compiled once per tool, not per call.
        static V: OnceLock<Vec<jsonschema::Validator>> = OnceLock::new();
        let all = V.get_or_init(|| {
            ALL.iter()
                .map(|c| {
                    jsonschema::draft202012::new(&c.input_schema())
                        .expect("a composed tool's input schema compiles: a test proves it")
                })
                .collect()
        });
        let at = ALL
            .iter()
            .position(|c| c.name == self.name)
            .expect("a composed tool is in ALL");
        let errors: Vec<String> = all[at]
            .iter_errors(&Value::Object(args.clone()))
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{}: {}", self.name, errors.join("; ")))
        }
    }

    pub async fn run(&self, args: &Map<String, Value>, s: &impl Steps) -> Result<Value, Failed> {
        match self.name {
            "explainRunFailure" => explain_run_failure(args, s).await,
            "whatDidThisPullRequestChange" => what_changed(args, s).await,
            _ => is_flaky(args, s).await,
        }
    }
}

/// A step that must succeed.
async fn ok(s: &impl Steps, tool: &'static str, args: Value) -> Result<Value, Failed> {
    match s.step(tool, args).await {
        Ok((status, body)) if (200..300).contains(&status) => Ok(body),
        Ok((status, body)) => Err(Failed::Refused(status, body)),
        Err(e) => Err(Failed::Unsent(e)),
    }
}

fn int(args: &Map<String, Value>, key: &str, default: i64) -> i64 {
    args.get(key).and_then(Value::as_i64).unwrap_or(default)
}

async fn explain_run_failure(args: &Map<String, Value>, s: &impl Steps) -> Result<Value, Failed> {
    let run_id = args.get("run_id").cloned().unwrap_or(Value::Null);
    let (max_groups, diff_lines) = (int(args, "max_groups", 5), int(args, "diff_lines", 20));
    let summary = ok(s, "getRunSummary", json!({"run_id": run_id})).await?;
    let groups = ok(
        s,
        "listFailureGroups",
        json!({"run_id": run_id, "limit": max_groups}),
    )
    .await?;
    let more_groups = groups["pagination"]["next_offset"].is_i64();
    let groups = groups["data"].as_array().cloned().unwrap_or_default();
    // The diffs come from the first 100 failing tests (a group further down is listed without one).
    let failing = if groups.is_empty() {
        vec![]
    } else {
        let page = ok(
            s,
            "listRunSamples",
            json!({"run_id": run_id, "status": "fail", "limit": 100}),
        )
        .await?;
        page["data"].as_array().cloned().unwrap_or_default()
    };
    let mut explained = vec![];
    for g in &groups {
        let mut e = group_essentials(g);
        if let Some((sample_id, regression_id, output_id)) = first_failing_output(g, &failing) {
            let diff = s
                .step(
                    "getDiff",
                    json!({"run_id": run_id, "sample_id": sample_id,
                           "regression_id": regression_id, "output_id": output_id,
                           "format": "unified", "context_lines": 1}),
                )
                .await;
            e["diff"] = match diff {
                Ok((200, d)) => json!({
                    "sample_id": sample_id, "regression_id": regression_id,
                    "output_id": output_id,
                    "head": first_lines(d["content"].as_str().unwrap_or(""), diff_lines),
                }),
                // A diff that cannot be made (too large, a binary output) is said, not hidden.
                Ok((status, d)) => json!({"unavailable": d["message"], "status": status}),
                Err(why) => json!({"unavailable": why}),
            };
        }
        explained.push(e);
    }
    Ok(json!({
        "run_id": run_id,
        "summary": summary,
        "failure_groups": explained,
        "more_groups": more_groups,
    }))
}

/// What a group says about its failure, without its bookkeeping.
fn group_essentials(g: &Value) -> Value {
    let mut e = Map::new();
    for k in [
        "cause",
        "size",
        "regression_test_ids",
        "missing",
        "exit_code",
        "expected_rc",
        "expected_line",
        "actual_line",
    ] {
        match &g[k] {
            Value::Null => {}
            Value::Array(a) if a.is_empty() => {}
            v => {
                e.insert(k.to_string(), v.clone());
            }
        }
    }
    Value::Object(e)
}

/// (sample, regression test, output) of the group's first test's first failing output.
fn first_failing_output(group: &Value, failing: &[Value]) -> Option<(i64, i64, i64)> {
    let rt = group["regression_test_ids"].as_array()?.first()?.as_i64()?;
    let sample = failing
        .iter()
        .find(|s| s["regression_test_id"].as_i64() == Some(rt))?;
    let output = sample["outputs"]
        .as_array()?
        .iter()
        .find(|o| o["status"] == "fail")?;
    Some((
        sample["sample_id"].as_i64()?,
        rt,
        output["output_id"].as_i64()?,
    ))
}

/// The first `n` lines, with a note when there were more.
fn first_lines(text: &str, n: i64) -> String {
    let n = usize::try_from(n).unwrap_or(0);
    let total = text.lines().count();
    let mut out: Vec<&str> = text.lines().take(n).collect();
    let note = format!("… {} more lines", total.saturating_sub(n));
    if total > n {
        out.push(&note);
    }
    out.join("\n")
}

/// Pages of 100 comparison entries read at most (CCExtractor has a few hundred tests).
const MAX_COMPARISON_PAGES: usize = 10;

async fn what_changed(args: &Map<String, Value>, s: &impl Steps) -> Result<Value, Failed> {
    let run_id = args.get("run_id").cloned().unwrap_or(Value::Null);
    let limit = int(args, "limit", 50);
    let run = ok(s, "getRun", json!({"run_id": run_id})).await?;
    // Every test is compared, a page at a time, up to a bound an agent's answer can carry.
    let mut changed: Vec<Value> = vec![];
    let mut offset = Some(0);
    let mut cmp = Value::Null;
    for _ in 0..MAX_COMPARISON_PAGES {
        let Some(at) = offset else { break };
        cmp = ok(
            s,
            "getRunComparison",
            json!({"run_id": run_id, "limit": 100, "offset": at}),
        )
        .await?;
        if let Some(entries) = cmp["data"].as_array() {
            changed.extend(entries.iter().filter_map(changed_entry));
        }
        offset = cmp["pagination"]["next_offset"].as_i64();
    }
    let listed: Vec<Value> = changed
        .iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .cloned()
        .collect();
    let references: Vec<Value> = cmp["meta"]["references"]
        .as_array()
        .map(|refs| {
            refs.iter()
                .map(|r| {
                    json!({"base": r["base"], "base_run_id": r["base_run_id"],
                           "unavailable": r["unavailable"], "counts": r["counts"]})
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(json!({
        "run": {"run_id": run["run_id"], "pr_number": run["pr_number"], "branch": run["branch"],
                "commit_sha": run["commit_sha"], "status": run["status"]},
        "bases": references,
        "changed": listed,
        "changed_not_listed": changed.len().saturating_sub(listed.len()),
        "tests_compared": cmp["pagination"]["total"],
        "tests_not_examined": offset.is_some(),
    }))
}

/// A comparison entry that differs from a base (any class but unchanged_pass), in short.
fn changed_entry(e: &Value) -> Option<Value> {
    let against: Vec<Value> = e["against"]
        .as_array()?
        .iter()
        .filter(|v| v["class"] != "unchanged_pass")
        .map(|v| json!({"base": v["base"], "class": v["class"], "base_status": v["base_status"]}))
        .collect();
    (!against.is_empty()).then(|| {
        json!({"regression_test_id": e["regression_test_id"], "sample_id": e["sample_id"],
               "status": e["status"], "against": against})
    })
}

async fn is_flaky(args: &Map<String, Value>, s: &impl Steps) -> Result<Value, Failed> {
    let st = ok(s, "getRegressionTestStability", Value::Object(args.clone())).await?;
    let platforms: Vec<Value> = st["platforms"]
        .as_array()
        .map(|ps| ps.iter().map(platform_essentials).collect())
        .unwrap_or_default();
    Ok(json!({
        "regression_test_id": st["regression_test_id"],
        "branch": st["branch"],
        "verdict": verdict(&platforms),
        "platforms": platforms,
        "thresholds": st["thresholds"],
    }))
}

fn platform_essentials(p: &Value) -> Value {
    let st = &p["stability"];
    let recent: Vec<Value> = p["sequence"]
        .as_array()
        .map(|seq| {
            let skip = seq.len().saturating_sub(10);
            seq[skip..]
                .iter()
                .map(|v| json!({"run_id": v["run_id"], "status": v["status"]}))
                .collect()
        })
        .unwrap_or_default();
    json!({"platform": st["platform"], "state": st["state"], "flips": st["flips"],
           "flip_rate": st["flip_rate"], "weighted_flip_rate": st["weighted_flip_rate"],
           "failures": st["failures"], "verdicts": st["verdicts"],
           "last_flip_run_id": st["last_flip_run_id"], "rerun_disagreed": st["rerun_disagreed"],
           "quarantined": st["quarantined"], "recent": recent})
}

/// One line over all platforms: flaky wins over broken, broken over stable.
fn verdict(platforms: &[Value]) -> String {
    let on = |state: &str| -> Vec<String> {
        platforms
            .iter()
            .filter(|p| p["state"] == state)
            .filter_map(|p| p["platform"].as_str().map(str::to_string))
            .collect()
    };
    let (flaky, broken) = (on("flaky"), on("broken"));
    if platforms.is_empty() {
        "No completed run has a verdict for this test on this branch yet.".into()
    } else if !flaky.is_empty() {
        format!("Flaky on {}.", flaky.join(", "))
    } else if !broken.is_empty() {
        format!(
            "Not flaky: broken (failing consistently) on {}.",
            broken.join(", ")
        )
    } else {
        "Not flaky: stable on every platform.".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_composed_tool_uses_generated_tools_and_has_a_valid_input_schema() {
        for c in ALL {
            for u in c.uses {
                assert!(
                    tools::named(u).is_some(),
                    "{} uses {u}, which is not a tool",
                    c.name
                );
            }
            assert!(tools::named(c.name).is_none());
            jsonschema::draft202012::meta::validate(&c.input_schema())
                .unwrap_or_else(|e| panic!("{}: {e}", c.name));
            jsonschema::draft202012::new(&c.input_schema())
                .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        }
    }

    #[test]
    fn a_composed_tool_needs_the_rights_of_every_operation_it_uses() {
        let set = |s: &[Scope]| s.iter().copied().collect::<BTreeSet<_>>();
        let explain = &ALL[0];
        // getDiff needs results:read beside the run reads.
        assert!(!explain.callable_by(&set(&[Scope::RunsRead]), Role::User));
        assert!(explain.callable_by(&set(&[Scope::RunsRead, Scope::ResultsRead]), Role::User));
        assert!(!explain.callable_by(&set(&[]), Role::Admin));
    }

    #[test]
    fn arguments_outside_the_input_schema_are_refused() {
        let args = |v: Value| v.as_object().unwrap().clone();
        let explain = &ALL[0];
        assert!(
            explain
                .check(&args(json!({"run_id": 3, "max_groups": 5})))
                .is_ok()
        );
        for bad in [
            json!({}),
            json!({"run_id": "3"}),
            json!({"run_id": 3, "max_groups": 1000}),
            json!({"run_id": 3, "nope": true}),
        ] {
            assert!(explain.check(&args(bad.clone())).is_err(), "{bad}");
        }
        let flaky = &ALL[2];
        assert!(flaky.check(&args(json!({"regression_test_id": 1}))).is_ok());
        assert!(flaky.check(&args(json!({}))).is_err());
    }

    #[test]
    fn verdicts_over_platforms() {
        let p = |platform: &str, state: &str| json!({"platform": platform, "state": state});
        let cases = [
            (vec![], "No completed run"),
            (
                vec![p("linux", "stable"), p("windows", "stable")],
                "Not flaky: stable",
            ),
            (
                vec![p("linux", "broken"), p("windows", "stable")],
                "broken (failing consistently) on linux",
            ),
            (
                vec![p("linux", "broken"), p("windows", "flaky")],
                "Flaky on windows.",
            ),
        ];
        for (platforms, says) in cases {
            let v = verdict(&platforms);
            assert!(v.contains(says), "{platforms:?}: {v}");
        }
    }

    #[test]
    fn first_lines_says_how_many_were_left_out() {
        let cases = [
            ("a\nb\nc", 2, "a\nb\n… 1 more lines"),
            ("a\nb", 2, "a\nb"),
            ("", 3, ""),
        ];
        for (text, n, want) in cases {
            assert_eq!(first_lines(text, n), want);
        }
    }

    #[test]
    fn only_entries_that_differ_from_a_base_are_changes() {
        let entry = |classes: &[&str]| {
            json!({"regression_test_id": 1, "sample_id": 2, "status": "fail",
                   "against": classes.iter().map(|c| json!({"base": "master", "class": c, "base_status": "pass"})).collect::<Vec<_>>()})
        };
        assert!(changed_entry(&entry(&["unchanged_pass"])).is_none());
        assert!(changed_entry(&entry(&[])).is_none());
        let changed = changed_entry(&entry(&["unchanged_pass", "broken_here"])).unwrap();
        assert_eq!(changed["against"].as_array().unwrap().len(), 1);
        assert_eq!(changed["against"][0]["class"], "broken_here");
    }

    #[test]
    fn a_groups_first_failing_output_is_found_among_the_failing_samples() {
        let group = json!({"regression_test_ids": [5, 7]});
        let failing = [
            json!({"regression_test_id": 3, "sample_id": 1, "outputs": [{"output_id": 9, "status": "fail"}]}),
            json!({"regression_test_id": 5, "sample_id": 4, "outputs": [
                {"output_id": 10, "status": "pass"}, {"output_id": 11, "status": "fail"}]}),
        ];
        assert_eq!(first_failing_output(&group, &failing), Some((4, 5, 11)));
        assert_eq!(
            first_failing_output(&json!({"regression_test_ids": []}), &failing),
            None
        );
        assert_eq!(
            first_failing_output(&json!({"regression_test_ids": [8]}), &failing),
            None
        );
    }
}
