//! Sign-up and password reset through mailed links (read out of messages a real SMTP server
//! received), the caller's own account, the admin's reset link, and FTP credentials.
use super::common::{PASSWORD, TestApp, TestAppBuilder, call, get, json, post};
use super::smtp_sink::{Delivered, SmtpSink};
use crate::data::entity::spci_mail_outbox;
use crate::domain::links::{reset_mac, signup_mac};
use crate::mail::sender::deliver_due;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

async fn app_with_mail(sink: &SmtpSink) -> TestApp {
    let url = sink.url.clone();
    TestAppBuilder::new()
        .config(move |c| {
            c.smtp_url = Some(url.parse().unwrap());
            c.web_url = "https://ci.example.org".into();
        })
        .build()
        .await
}

/// A public POST: no Authorization header at all.
async fn public_post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .client
        .post(format!("/api/v1{path}"))
        .body_json(&body)
        .send()
        .await;
    let status = r.0.status().as_u16();
    (status, json(r).await)
}

/// What the background sender does after each request, run here so the test knows when.
async fn deliver(app: &TestApp) {
    deliver_due(&app.state.db, &app.state.mailer)
        .await
        .expect("outbox readable");
}

/// The last path segments after `marker` in a delivered link.
fn link_fields(m: &Delivered, marker: &str) -> Vec<String> {
    let start = m
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {}", m.body))
        + marker.len();
    m.body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .split('/')
        .map(String::from)
        .collect()
}

fn runs_read() -> crate::api::Scope {
    crate::api::Scope::parse("runs:read").unwrap()
}

async fn login(app: &TestApp, email: &str, password: &str) -> u16 {
    public_post(
        app,
        "/auth/tokens",
        json!({"email": email, "password": password, "token_name": format!("t{}", uuid::Uuid::new_v4().simple())}),
    )
    .await
    .0
}

#[tokio::test]
async fn signup_answers_the_same_for_known_and_unknown_addresses() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    app.user("known@example.org", "Known", "user").await;
    let known = public_post(&app, "/auth/signup", json!({"email": "known@example.org"})).await;
    let unknown = public_post(&app, "/auth/signup", json!({"email": "new@example.org"})).await;
    assert_eq!(known, (202, json!({"sent": true})));
    assert_eq!(known, unknown, "same status and body");
    deliver(&app).await;
    let to_known = sink.to("known@example.org");
    let to_new = sink.to("new@example.org");
    assert_eq!((to_known.len(), to_new.len()), (1, 1));
    assert_eq!(to_known[0].subject, to_new[0].subject);
    assert!(
        to_known[0].body.contains("already has an account"),
        "{}",
        to_known[0].body
    );
    assert!(!to_known[0].body.contains("complete_signup"));
    assert!(
        to_new[0]
            .body
            .contains("https://ci.example.org/account/complete_signup/")
    );
}

#[tokio::test]
async fn a_signup_link_creates_the_account_once() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    public_post(&app, "/auth/signup", json!({"email": "carol@example.org"})).await;
    deliver(&app).await;
    let f = link_fields(
        &sink.to("carol@example.org")[0],
        "/account/complete_signup/",
    );
    assert_eq!(f[0], "carol%40example%2Eorg");
    let (expires, mac) = (f[1].parse::<i64>().unwrap(), f[2].clone());
    let complete = |mac: String, expires: i64, name: &str| json!({"email": "carol@example.org", "expires": expires, "mac": mac, "name": name, "password": "a long new password"});
    // Tampered and expired links, and a link for another address, create nothing.
    let key = app.state.config.link_key_bytes();
    let past = chrono::Utc::now().timestamp() - 1;
    let cases = [
        complete(
            mac.replace(&mac[..1], if &mac[..1] == "0" { "1" } else { "0" }),
            expires,
            "Carol",
        ),
        complete(mac.clone(), expires + 1, "Carol"),
        complete(signup_mac(&key, "carol@example.org", past), past, "Carol"),
        json!({"email": "mallory@example.org", "expires": expires, "mac": mac, "name": "M", "password": "a long new password"}),
    ];
    for body in cases {
        let (s, e) = public_post(&app, "/auth/signup/complete", body.clone()).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (400, Some("invalid_link")),
            "{body}"
        );
    }
    let (s, user) = public_post(
        &app,
        "/auth/signup/complete",
        complete(mac.clone(), expires, "Carol"),
    )
    .await;
    assert_eq!(s, 201, "{user}");
    assert_eq!(
        (user["email"].as_str(), user["role"].as_str()),
        (Some("carol@example.org"), Some("user"))
    );
    assert_eq!(
        login(&app, "carol@example.org", "a long new password").await,
        201
    );
    let (s, e) = public_post(
        &app,
        "/auth/signup/complete",
        complete(mac, expires, "Carol2"),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("conflict")),
        "the account exists now"
    );
    deliver(&app).await;
    assert!(
        sink.to("carol@example.org")
            .iter()
            .any(|m| m.subject.starts_with("Welcome"))
    );
}

#[tokio::test]
async fn password_reset_is_enumeration_safe_single_use_and_revokes_tokens() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    let (uid, token) = app.user_with_token("user", &["runs:read"]).await;
    let (_, me) = get(&app, "/auth/me", &token).await;
    let email = me["email"].as_str().unwrap().to_string();
    let known = public_post(&app, "/auth/password-reset", json!({"email": email})).await;
    let unknown = public_post(
        &app,
        "/auth/password-reset",
        json!({"email": "nobody@example.org"}),
    )
    .await;
    assert_eq!(known, (202, json!({"sent": true})));
    assert_eq!(known, unknown);
    deliver(&app).await;
    assert!(
        sink.to("nobody@example.org")[0]
            .body
            .contains("no account uses it")
    );
    let f = link_fields(&sink.to(&email)[0], "/account/reset/");
    assert_eq!(f[0], uid.to_string());
    let (expires, mac) = (f[1].parse::<i64>().unwrap(), f[2].clone());
    let complete = |uid: i32, expires: i64, mac: &str| json!({"user_id": uid, "expires": expires, "mac": mac, "password": "my new password"});
    let key = app.state.config.link_key_bytes();
    let past = chrono::Utc::now().timestamp() - 1;
    let hash = crate::data::entity::user::Entity::find_by_id(uid)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .password;
    let refused = [
        (
            "tampered",
            complete(
                uid,
                expires,
                &mac.replace(&mac[..1], if &mac[..1] == "0" { "1" } else { "0" }),
            ),
        ),
        ("other user", complete(uid + 1, expires, &mac)),
        ("extended", complete(uid, expires + 60, &mac)),
        (
            "expired",
            complete(uid, past, &reset_mac(&key, uid, past, &hash)),
        ),
    ];
    for (name, body) in refused {
        let (s, e) = public_post(&app, "/auth/password-reset/complete", body).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (400, Some("invalid_link")),
            "{name}"
        );
    }
    assert_eq!(
        get(&app, "/auth/me", &token).await.0,
        200,
        "refused links change nothing"
    );
    let (s, done) = public_post(
        &app,
        "/auth/password-reset/complete",
        complete(uid, expires, &mac),
    )
    .await;
    assert_eq!(
        (s, done),
        (200, json!({"user_id": uid, "password_changed": true}))
    );
    assert_eq!(
        get(&app, "/auth/me", &token).await.0,
        401,
        "the old token is revoked"
    );
    assert_eq!(login(&app, &email, PASSWORD).await, 401);
    assert_eq!(login(&app, &email, "my new password").await, 201);
    // The password hash it was signed over has changed: the same link is dead.
    let (s, e) = public_post(
        &app,
        "/auth/password-reset/complete",
        complete(uid, expires, &mac),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("invalid_link")),
        "replay"
    );
}

#[tokio::test]
async fn the_credential_limiter_covers_signup_and_reset() {
    for path in ["/auth/signup", "/auth/password-reset"] {
        let app = TestAppBuilder::new()
            .config(|c| c.rate_credentials = 2)
            .build()
            .await;
        for _ in 0..2 {
            let (s, _) = public_post(&app, path, json!({"email": "x@example.org"})).await;
            assert_eq!(s, 202, "{path}");
        }
        let (s, e) = public_post(&app, path, json!({"email": "x@example.org"})).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (429, Some("rate_limited")),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_mail_server_in_trouble_delays_the_message_and_loses_nothing() {
    let sink = SmtpSink::start().await;
    sink.refuse(true);
    let app = app_with_mail(&sink).await;
    let (s, _) = public_post(&app, "/auth/signup", json!({"email": "later@example.org"})).await;
    assert_eq!(s, 202, "the answer does not wait for the mail");
    deliver(&app).await;
    let rows = spci_mail_outbox::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].sent_at.is_none());
    assert_eq!(rows[0].attempts, 1);
    assert!(
        rows[0].last_error.as_deref().unwrap_or("").contains("451"),
        "{:?}",
        rows[0].last_error
    );
    assert!(
        rows[0].next_attempt_at > rows[0].created_at,
        "retried later, not at once"
    );
    // The retry is due (as if the backoff had passed) and the server is back.
    sink.refuse(false);
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let mut due = rows[0].clone().into_active_model();
    due.next_attempt_at = Set(rows[0].created_at);
    due.update(&app.state.db).await.unwrap();
    deliver(&app).await;
    assert_eq!(sink.to("later@example.org").len(), 1);
    let row = spci_mail_outbox::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.sent_at.is_some() && row.last_error.is_none());
    deliver(&app).await;
    assert_eq!(sink.to("later@example.org").len(), 1, "sent once");
}

#[tokio::test]
async fn without_smtp_development_keeps_each_message_in_the_outbox() {
    let app = TestApp::new().await;
    assert!(app.state.config.smtp_url.is_none());
    public_post(&app, "/auth/signup", json!({"email": "dev@example.org"})).await;
    deliver(&app).await;
    let row = spci_mail_outbox::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.recipient, "dev@example.org");
    assert!(
        row.body.contains("/account/complete_signup/"),
        "the link to click"
    );
    assert!(row.sent_at.is_some(), "logged, not retried");
}

#[tokio::test]
async fn the_caller_changes_name_email_and_password() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    let (_, token) = app.user_with_token("user", &["runs:read"]).await;
    let (_, other) = app.user_with_token("user", &["runs:read"]).await;
    let (_, me) = get(&app, "/auth/me", &token).await;
    let old_email = me["email"].as_str().unwrap().to_string();
    let (_, them) = get(&app, "/auth/me", &other).await;
    let patch = |body: Value| call(&app, "PATCH", "/auth/me", &token, Some(body));
    let (s, u) = patch(json!({"name": "Renamed"})).await;
    assert_eq!(
        (s, u["name"].as_str()),
        (200, Some("Renamed")),
        "a name needs no password"
    );
    let cases = [
        (json!({"email": "new@example.org"}), 403, "forbidden"),
        (
            json!({"email": "new@example.org", "current_password": "wrong one"}),
            403,
            "forbidden",
        ),
        (
            json!({"new_password": "another password"}),
            403,
            "forbidden",
        ),
        (json!({"name": them["name"]}), 409, "conflict"),
        (
            json!({"email": them["email"], "current_password": PASSWORD}),
            409,
            "conflict",
        ),
    ];
    for (body, status, code) in cases {
        let (s, e) = patch(body.clone()).await;
        assert_eq!((s, e["code"].as_str()), (status, Some(code)), "{body}");
    }
    let (s, u) = patch(json!({"email": "new@example.org", "current_password": PASSWORD})).await;
    assert_eq!((s, u["email"].as_str()), (200, Some("new@example.org")));
    deliver(&app).await;
    for to in [old_email.as_str(), "new@example.org"] {
        assert!(
            sink.to(to)
                .iter()
                .any(|m| m.subject.ends_with("email changed")),
            "{to}"
        );
    }
    // A new password revokes the account's other tokens, not the one that changed it.
    let second = crate::auth::issue::issue_for_email(
        &app.state.db,
        "new@example.org",
        "second",
        &[runs_read()],
        1,
    )
    .await
    .unwrap()
    .plaintext;
    let (s, _) =
        patch(json!({"new_password": "another password", "current_password": PASSWORD})).await;
    assert_eq!(s, 200);
    assert_eq!(get(&app, "/auth/me", &token).await.0, 200);
    assert_eq!(get(&app, "/auth/me", &second).await.0, 401);
    assert_eq!(
        login(&app, "new@example.org", "another password").await,
        201
    );
}

#[tokio::test]
async fn admins_and_owners_send_reset_links_and_an_admins_is_audited() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    let (_, admin) = app.admin().await;
    let (uid, user) = app.user_with_token("user", &["runs:read"]).await;
    let (other, _) = app.user_with_token("user", &["runs:read"]).await;
    let path = |id: i32| format!("/users/{id}/password-reset");
    let cases = [
        (&admin, uid, 202),
        (&user, uid, 202),
        (&user, other, 403),
        (&admin, 999_999, 404),
    ];
    for (token, target, status) in cases {
        let (s, body) = post(&app, &path(target), token, json!({})).await;
        assert_eq!(s, status, "{target}: {body}");
        if s == 202 {
            assert_eq!(body, json!({"user_id": target, "sent": true}));
        }
    }
    deliver(&app).await;
    let (_, me) = get(&app, "/auth/me", &user).await;
    assert_eq!(sink.to(me["email"].as_str().unwrap()).len(), 2);
    let (_, log) = get(&app, "/audit-log?action=reset_link_sent", &admin).await;
    let entries = log["data"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        1,
        "only the admin's request for another user: {log}"
    );
    assert_eq!(entries[0]["target"], uid.to_string());
}

#[tokio::test]
async fn ftp_credentials_are_created_once_behind_their_scope() {
    let app = TestApp::new().await;
    let (_, writer) = app.user_with_token("user", &["runs:write"]).await;
    let (_, reader) = app.user_with_token("user", &["runs:read"]).await;
    let (s, first) = get(&app, "/auth/me/ftp-credentials", &writer).await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first["password"].as_str().unwrap().len(), 16);
    assert_eq!(
        (first["host"].as_str(), first["port"].as_i64()),
        (Some("localhost"), Some(21))
    );
    let (_, again) = get(&app, "/auth/me/ftp-credentials", &writer).await;
    assert_eq!(first, again, "created on the first request only");
    let (s, e) = get(&app, "/auth/me/ftp-credentials", &reader).await;
    assert_eq!((s, e["code"].as_str()), (403, Some("forbidden")));
}

#[tokio::test]
async fn tokens_show_when_they_were_last_used_and_admin_revokes_are_audited() {
    let app = TestApp::new().await;
    let (admin_id, admin) = app.admin().await;
    let (uid, token) = app.user_with_token("user", &["runs:read"]).await;
    let flush = || crate::data::token_use::flush(&app.state.db, &app.state.token_use);
    // Listing tokens needs tokens:manage, so the admin lists everyone's (all=true).
    async fn item_of(app: &TestApp, admin: &str, user_id: i32) -> Value {
        let (s, page) = get(app, "/auth/tokens?all=true", admin).await;
        assert_eq!(s, 200, "{page}");
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["user_id"] == user_id)
            .cloned()
            .expect("the user's token is listed")
    }
    flush().await.unwrap();
    assert_eq!(
        item_of(&app, &admin, uid).await["last_used_at"],
        Value::Null,
        "never used"
    );
    // The admin's listing was a use; nothing is written until the flush.
    assert_eq!(
        item_of(&app, &admin, admin_id).await["last_used_at"],
        Value::Null
    );
    assert_eq!(get(&app, "/auth/me", &token).await.0, 200);
    flush().await.unwrap();
    assert!(item_of(&app, &admin, admin_id).await["last_used_at"].is_string());
    let used = item_of(&app, &admin, uid).await;
    assert!(used["last_used_at"].is_string(), "{used}");
    let id = used["id"].as_i64().unwrap();
    let r = app
        .client
        .delete(format!("/api/v1/auth/tokens/{id}"))
        .header("Authorization", super::common::bearer(&admin))
        .send()
        .await;
    assert_eq!(r.0.status().as_u16(), 204);
    assert_eq!(get(&app, "/auth/me", &token).await.0, 401);
    let (_, log) = get(&app, "/audit-log?action=token_revoked", &admin).await;
    let entries = log["data"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["target"], id.to_string());
    assert!(
        entries[0]["previous"]
            .as_str()
            .unwrap()
            .contains(&format!("user {uid}"))
    );
}
