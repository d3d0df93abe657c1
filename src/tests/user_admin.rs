//! Users and roles: admins list, read and change roles; the platform keeps its last admin;
//! deactivation revokes every token at once and leaves an audit row.
use super::common::{TestAppBuilder, call, get, post};
use serde_json::json;

#[tokio::test]
async fn roles_change_but_the_last_admin_stays() {
    let app = TestAppBuilder::new().build().await;
    let (admin_id, admin) = app.admin().await;
    let (user_id, user) = app.user_with_token("user", &["runs:read"]).await;
    let (s, e) = get(&app, "/users", &user).await;
    assert_eq!((s, e["code"].as_str()), (403, Some("forbidden")));
    let (s, page) = get(&app, "/users", &admin).await;
    assert_eq!((s, page["pagination"]["total"].as_i64()), (200, Some(2)));
    let (s, u) = get(&app, &format!("/users/{user_id}"), &admin).await;
    assert_eq!(
        (s, u["role"].as_str(), u["github_linked"].as_bool()),
        (200, Some("user"), Some(false))
    );
    let path = format!("/users/{user_id}");
    let (s, u) = call(&app, "PATCH", &path, &admin, Some(json!({"role": "admin"}))).await;
    assert_eq!((s, u["role"].as_str()), (200, Some("admin")), "{u}");
    let own = format!("/users/{admin_id}");
    let (s, _) = call(&app, "PATCH", &own, &admin, Some(json!({"role": "user"}))).await;
    assert_eq!(s, 403);
    // Demote the other admin: allowed while one remains; the last one cannot be demoted.
    let (s, _) = call(
        &app,
        "PATCH",
        &path,
        &admin,
        Some(json!({"role": "tester"})),
    )
    .await;
    assert_eq!(s, 200);
    let (s, e) = post(
        &app,
        &format!("/users/{admin_id}/deactivate"),
        &admin,
        json!({}),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("conflict")), "{e}");
    let (_, log) = get(&app, "/audit-log?action=role_changed", &admin).await;
    let rows = log["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (&rows[0]["previous"], &rows[0]["value"]),
        (&json!("admin"), &json!("tester"))
    );
}

#[tokio::test]
async fn a_deactivated_user_cannot_use_a_token_or_log_in() {
    let app = TestAppBuilder::new().build().await;
    let (_, admin) = app.admin().await;
    let (user_id, token) = app.user_with_token("user", &["runs:read"]).await;
    let (_, me) = get(&app, "/auth/me", &token).await;
    let email = me["email"].as_str().unwrap().to_string();
    let (_, other) = app.user_with_token("user", &["runs:read"]).await;
    let path = format!("/users/{user_id}/deactivate");
    let (s, _) = post(&app, &path, &other, json!({})).await;
    assert_eq!(s, 403, "another user may not");
    let (s, d) = post(&app, &path, &admin, json!({})).await;
    assert_eq!(
        (s, d),
        (
            200,
            json!({"user_id": user_id, "deactivated": true, "tokens_revoked": 1})
        )
    );
    let (s, _) = get(&app, "/auth/me", &token).await;
    assert_eq!(s, 401);
    let r = app
        .client
        .post("/api/v1/auth/tokens")
        .body_json(&json!({"email": email, "password": super::common::PASSWORD, "token_name": "x"}))
        .send()
        .await;
    assert_eq!(r.0.status().as_u16(), 401);
    let (_, u) = get(&app, &format!("/users/{user_id}"), &admin).await;
    assert_eq!(u["email"], format!("deactivated-{user_id}@users.invalid"));
    let (_, log) = get(&app, "/audit-log?action=user_deactivated", &admin).await;
    assert_eq!(log["data"][0]["previous"], email);
}

/// Two admins demote each other at the same moment: one change wins, and the platform keeps
/// exactly one admin (the rows of the admins are locked while each change decides).
#[tokio::test]
async fn concurrent_role_changes_and_deactivations_keep_one_admin() {
    for deactivate in [false, true] {
        let app = TestAppBuilder::new().on_disk().build().await;
        let (a, ta) = app.admin().await;
        let (b, tb) = app.admin().await;
        let change = |actor: &str, target: i32| {
            let (app, actor) = (&app, actor.to_string());
            async move {
                if deactivate {
                    post(
                        app,
                        &format!("/users/{target}/deactivate"),
                        &actor,
                        json!({}),
                    )
                    .await
                } else {
                    call(
                        app,
                        "PATCH",
                        &format!("/users/{target}"),
                        &actor,
                        Some(json!({"role": "user"})),
                    )
                    .await
                }
            }
        };
        let ((s1, e1), (s2, e2)) = tokio::join!(change(&ta, b), change(&tb, a));
        let mut statuses = [s1, s2];
        statuses.sort();
        // The loser is refused by the rule under the lock (409), or, when the winner committed
        // before the loser's token was checked, by authentication (401: a deactivation revoked
        // it) or authorisation (403: a demotion took the admin scopes away).
        assert_eq!(statuses[0], 200, "one wins: {e1} {e2}");
        assert!(
            [401, 403, 409].contains(&statuses[1]),
            "the other is refused: {e1} {e2}"
        );
        let admins = crate::data::accounts::admins_locked(&app.state.db)
            .await
            .unwrap();
        assert_eq!(admins.len(), 1, "deactivate={deactivate}: {admins:?}");
    }
}
