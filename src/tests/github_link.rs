//! Connecting an account to GitHub through the OAuth flow, against a local stand-in for GitHub.
use super::common::{TestApp, call, get, json};
use super::github_standin::GitHubStandIn;
use crate::domain::links::github_state;
use serde_json::Value;

/// GitHub's redirect back: a browser, no bearer token.
async fn callback(app: &TestApp, code: &str, state: &str) -> (u16, Value) {
    let r = app
        .client
        .get("/api/v1/auth/github/callback")
        .query("code", &code)
        .query("state", &state)
        .send()
        .await;
    let status = r.0.status().as_u16();
    (status, json(r).await)
}

fn query_param(url: &str, name: &str) -> String {
    let parsed = reqwest::Url::parse(url).expect("authorize_url is a URL");
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

#[tokio::test]
async fn the_oauth_flow_links_and_unlinking_forgets() {
    let github = GitHubStandIn::start(&[(77, "octo")]).await;
    let app = github.app().await;
    let (uid, token) = app.user_with_token("user", &["runs:read"]).await;
    let (s, link) = get(&app, "/auth/me/github", &token).await;
    assert_eq!(
        (s, &link["linked"], &link["github_login"]),
        (200, &Value::Bool(false), &Value::Null)
    );
    let authorize = link["authorize_url"].as_str().unwrap();
    assert!(
        authorize.starts_with(&format!("{}/login/oauth/authorize?", github.url)),
        "{authorize}"
    );
    assert_eq!(query_param(authorize, "client_id"), "spci-test-app");
    assert_eq!(query_param(authorize, "scope"), "public_repo");
    assert_eq!(
        query_param(authorize, "redirect_uri"),
        "https://spci.example.org/api/v1/auth/github/callback"
    );
    let state = query_param(authorize, "state");
    let key = app.state.config.secret.expose().as_bytes().to_vec();
    let past = chrono::Utc::now().timestamp() - 1;
    let refused = [
        (
            "tampered state",
            "code-octo".to_string(),
            state.replacen(&uid.to_string(), &(uid + 1).to_string(), 1),
        ),
        (
            "expired state",
            "code-octo".into(),
            github_state(&key, uid, past),
        ),
        (
            "state signed with another key",
            "code-octo".into(),
            github_state(b"not the server secret", uid, past + 600),
        ),
        ("code GitHub refuses", "code-unknown".into(), state.clone()),
    ];
    for (name, code, st) in refused {
        let (s, e) = callback(&app, &code, &st).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (400, Some("invalid_link")),
            "{name}: {e}"
        );
    }
    assert_eq!(
        get(&app, "/auth/me/github", &token).await.1["linked"],
        false,
        "nothing stored"
    );
    let (s, linked) = callback(&app, "code-octo", &state).await;
    assert_eq!(s, 200, "{linked}");
    assert_eq!(
        (&linked["linked"], linked["github_login"].as_str()),
        (&Value::Bool(true), Some("octo"))
    );
    let (_, link) = get(&app, "/auth/me/github", &token).await;
    assert_eq!(
        (&link["linked"], link["github_login"].as_str()),
        (&Value::Bool(true), Some("octo"))
    );
    let row = crate::data::entity::user::Entity::find_by_id(uid);
    use sea_orm::EntityTrait;
    let stored = row.one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(stored.github_token.as_deref(), Some("token-octo"));
    let (s, gone) = call(&app, "DELETE", "/auth/me/github", &token, None).await;
    assert_eq!(
        (s, &gone["linked"], &gone["github_login"]),
        (200, &Value::Bool(false), &Value::Null)
    );
    let stored = crate::data::entity::user::Entity::find_by_id(uid)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored.github_token, stored.github_login), (None, None));
}

#[tokio::test]
async fn github_unreachable_is_a_503_and_stores_nothing() {
    let app = GitHubStandIn::app_at(GitHubStandIn::unreachable().await).await;
    let (uid, token) = app.user_with_token("user", &["runs:read"]).await;
    let (_, link) = get(&app, "/auth/me/github", &token).await;
    let state = query_param(link["authorize_url"].as_str().unwrap(), "state");
    let (s, e) = callback(&app, "code-octo", &state).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (503, Some("service_unavailable")),
        "{e}"
    );
    let stored = {
        use sea_orm::EntityTrait;
        crate::data::entity::user::Entity::find_by_id(uid)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(stored.github_token, None);
}
