//! spci on upstream's own database beside upstream: what it adds, what it reads, what it leaves
//! as upstream wrote it. These run on every backend; on MariaDB with upstream's schema
//! (`TEST_UPSTREAM_SCHEMA=1`) they are the coexistence proof.
use super::common::{TestApp, get};
use super::world::{World, ids};
use crate::data::entity::{api_token, regression_test};
use migration::indexes::{covering, existing};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, Set};
use sha2::{Digest, Sha256};

/// Every index spci wants (on upstream's tables and its own) is either there and duplicates no
/// other index, or absent because another index (upstream's foreign-key index, a primary key,
/// an older index of spci's) covers it: never absent and uncovered.
#[tokio::test]
async fn spci_adds_no_index_that_duplicates_another() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let innodb = db.get_database_backend() == DbBackend::MySql;
    let wanted = migration::upstream_table_indexes()
        .into_iter()
        .chain(migration::spci_table_indexes());
    for (name, table, cols) in wanted {
        let all = existing(db, table).await.unwrap();
        let others: Vec<_> = all.iter().filter(|i| i.name != name).cloned().collect();
        let added = all.iter().any(|i| i.name == name);
        let covered_by = covering(&others, &cols, innodb);
        assert!(
            added != covered_by.is_some(),
            "{name} on {table}{cols:?}: added {added}, covered by {covered_by:?}"
        );
    }
}

/// A token row as upstream's Python writes it (hex SHA-256 of the plaintext, its first 16
/// characters, `json.dumps` of the scopes) works against spci, and a token spci issues is
/// stored in exactly that shape, so upstream accepts it too.
#[tokio::test]
async fn tokens_written_by_either_server_work_on_the_other() {
    let w = World::new().await;
    let db = &w.app.state.db;
    let (user_id, ours) = w.app.user_with_token("user", &["runs:read"]).await;
    // `"spci_" + secrets.token_urlsafe(32)`: 43 url-safe characters.
    let plaintext = "spci_UpstreamWroteThisTokenWithPythonSecrets0abc";
    assert_eq!(plaintext.len(), 5 + 43);
    let now = chrono::Utc::now().naive_utc();
    api_token::ActiveModel {
        user_id: Set(user_id),
        token_name: Set("from upstream".into()),
        token_hash: Set(hex::encode(Sha256::digest(plaintext.as_bytes()))),
        token_prefix: Set(plaintext[..16].into()),
        scopes_json: Set(r#"["runs:read", "results:read"]"#.into()),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::days(1)),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let (status, body) = get(&w.app, "/runs?limit=1", plaintext).await;
    assert_eq!(status, 200, "{body}");

    let row = api_token::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.user_id == user_id && t.token_name == "test")
        .expect("the token spci issued");
    assert_eq!(row.token_hash, hex::encode(Sha256::digest(ours.as_bytes())));
    assert_eq!(row.token_prefix, ours[..16]);
    let scopes: Vec<String> = serde_json::from_str(&row.scopes_json).unwrap();
    assert_eq!(scopes, ["runs:read"]);
}

/// Older installs hold booleans as BIT(1) rather than TINYINT(1): spci reads both.
#[tokio::test]
async fn mysql_bit1_booleans_read_like_tinyint1() {
    let w = World::new().await;
    let db = &w.app.state.db;
    if db.get_database_backend() != DbBackend::MySql {
        // BIT(1) is a MySQL column type; the other backends have one boolean type each.
        return;
    }
    db.execute_unprepared("ALTER TABLE regression_test MODIFY active BIT(1) NULL")
        .await
        .unwrap();
    let active = w.get("/regression-tests?active=true").await;
    assert_eq!(
        ids(&active, "regression_test_id"),
        [w.t1 as i64, w.t2 as i64, w.t3 as i64]
    );
    let t1 = w.get(&format!("/regression-tests/{}", w.t1)).await;
    assert_eq!(t1["active"], true);
    assert_eq!(w.get("/runs?status=pass").await["pagination"]["total"], 1);
}

/// Upstream's enum-like columns are nullable: a regression test with no input or output type
/// is listed, not an error.
#[tokio::test]
async fn null_enum_columns_read_as_absent() {
    let w = World::new().await;
    let mut t = regression_test::Entity::find_by_id(w.t3)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    t.input_type = Set(None);
    t.output_type = Set(None);
    t.update(&w.app.state.db).await.unwrap();
    let page = w.get("/regression-tests").await;
    assert_eq!(page["pagination"]["total"], 3);
    let t3 = w.get(&format!("/regression-tests/{}", w.t3)).await;
    assert_eq!(t3["regression_test_id"], w.t3);
}

/// Upstream's tables are `utf8mb4_general_ci`: on its database every `=` on text ignores case,
/// and its unique keys refuse names that differ only in case. spci compares the same way on
/// every backend: an email logs in whatever its case, a branch filter matches whatever its case,
/// and a token or category name taken in one case is taken in every case (a clear 4xx, never
/// the 500 of a unique key refusing the insert).
#[tokio::test]
async fn utf8mb4_general_ci_comparisons_hold_on_every_backend() {
    let w = World::new().await;
    let email = "Case.Person@Example.com";
    w.app.user(email, "caseperson", "user").await;
    let login = |address: &str, name: &str| {
        let body = serde_json::json!({
            "email": address, "password": "password123", "token_name": name
        });
        let client = &w.app.client;
        async move {
            let r = client
                .post("/api/v1/auth/tokens")
                .body_json(&body)
                .send()
                .await;
            let status = r.0.status().as_u16();
            (status, super::common::json(r).await)
        }
    };
    let (s, body) = login("case.person@EXAMPLE.COM", "ci").await;
    assert_eq!(s, 201, "{body}");
    let (again, body) = login(email, "ci").await;
    assert_eq!(again, 400, "{body}");
    let (s, body) = login(email, "CI").await;
    assert_eq!((s, &body["code"]), (again, &body["code"]), "{body}");

    for path in [
        "/runs?branch=",
        &format!("/samples/{}/history?branch=", w.sample_a),
    ] {
        let lower = w.get(&format!("{path}feature")).await;
        let upper = w.get(&format!("{path}FEATURE")).await;
        assert!(!lower["data"].as_array().unwrap().is_empty(), "{path}");
        assert_eq!(upper["data"], lower["data"], "{path}");
    }

    let (s, c) = super::common::post(
        &w.app,
        "/categories",
        &w.admin,
        serde_json::json!({"name": "Teletext"}),
    )
    .await;
    assert_eq!(s, 201, "{c}");
    let (s, e) = super::common::post(
        &w.app,
        "/categories",
        &w.admin,
        serde_json::json!({"name": "TELETEXT"}),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("conflict")), "{e}");
}
