//! Tokens and identity over HTTP: create, list, revoke, me; the review findings on auth.
use super::common::{PASSWORD, TestApp, TestAppBuilder, bearer, json};
use crate::config::PasswordFormat;
use crate::data::entity::{api_token, user};
use poem::http::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::{Value, json};

async fn create_token(app: &TestApp, body: Value) -> poem::test::TestResponse {
    app.client
        .post("/api/v1/auth/tokens")
        .body_json(&body)
        .send()
        .await
}

/// Stores `stored` as user `id`'s password column, as upstream (or its legacy code) wrote it;
/// returns the user's email to log in with.
async fn store_password(app: &TestApp, id: i32, stored: &str) -> String {
    let u = user::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let email = u.email.clone().unwrap();
    let mut am = u.into_active_model();
    am.password = Set(stored.into());
    am.update(&app.state.db).await.unwrap();
    email
}

async fn stored_password(app: &TestApp, id: i32) -> String {
    user::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .password
}

async fn user_email(app: &TestApp, id: i32) -> String {
    user::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .email
        .unwrap()
}

#[tokio::test]
async fn create_token_then_use_it() {
    let app = TestApp::new().await;
    let (id, _) = app.user_with_token("user", &["runs:read"]).await;
    let email = user_email(&app, id).await;
    let r = create_token(
        &app,
        json!({"email": email, "password": "password123", "token_name": "ci-1"}),
    )
    .await;
    r.assert_status(StatusCode::CREATED);
    r.assert_header("cache-control", "no-store");
    let body = json(r).await;
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("spci_") && token.len() == 48);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(
        body["scopes"],
        json!(["results:read", "runs:read"]),
        "the default scopes"
    );
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));

    let r = app
        .client
        .get("/api/v1/auth/me")
        .header("authorization", bearer(token))
        .send()
        .await;
    r.assert_status_is_ok();
    let me = json(r).await;
    assert_eq!(me["user_id"], id);
    assert_eq!(me["email"], email);
    assert_eq!(me["role"], "user");
    assert_eq!(me["scopes"], json!(["results:read", "runs:read"]));
}

#[tokio::test]
async fn review_low_token_response_is_not_cacheable() {
    let app = TestApp::new().await;
    let (id, _) = app.admin().await;
    let email = user_email(&app, id).await;
    let r = create_token(
        &app,
        json!({"email": email, "password": "password123", "token_name": "once"}),
    )
    .await;
    r.assert_status(StatusCode::CREATED);
    r.assert_header("cache-control", "no-store");
}

#[tokio::test]
async fn review_h1_non_admins_cannot_request_admin_scopes() {
    let app = TestApp::new().await;
    for role in ["user", "contributor", "tester"] {
        let (id, _) = app.user_with_token(role, &["runs:read"]).await;
        let email = user_email(&app, id).await;
        for scope in ["tokens:manage", "system:write", "baselines:write"] {
            let r = create_token(&app, json!({"email": email, "password": "password123", "token_name": "x", "scopes": [scope]})).await;
            r.assert_status(StatusCode::FORBIDDEN);
            let e = json(r).await;
            assert_eq!(e["code"], "forbidden", "{role} {scope}");
        }
    }
    let n = api_token::Entity::find()
        .filter(api_token::Column::TokenName.eq("x"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(n.is_empty(), "no token was created");
}

#[tokio::test]
async fn review_h1_users_cannot_revoke_other_users_tokens() {
    let app = TestApp::new().await;
    let (_, victim) = app.admin().await;
    let (_, attacker) = app
        .user_with_token(
            "user",
            &["runs:read", "runs:write", "results:read", "system:read"],
        )
        .await;
    let victim_row = api_token::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let r = app
        .client
        .delete(format!("/api/v1/auth/tokens/{}", victim_row.id))
        .header("authorization", bearer(&attacker))
        .send()
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    let missing = app
        .client
        .delete("/api/v1/auth/tokens/999999")
        .header("authorization", bearer(&attacker))
        .send()
        .await;
    missing.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        json(r).await,
        json(missing).await,
        "someone else's token looks exactly like a missing one"
    );
    app.client
        .get("/api/v1/auth/me")
        .header("authorization", bearer(&victim))
        .send()
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn owners_and_admins_revoke_and_revoked_tokens_stop_working() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let (uid, user_token) = app.user_with_token("user", &["runs:read"]).await;
    let row = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(uid))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    // Admin revokes the user's token; repeating it is a no-op 204.
    for _ in 0..2 {
        app.client
            .delete(format!("/api/v1/auth/tokens/{}", row.id))
            .header("authorization", bearer(&admin))
            .send()
            .await
            .assert_status(StatusCode::NO_CONTENT);
    }
    let r = app
        .client
        .get("/api/v1/auth/me")
        .header("authorization", bearer(&user_token))
        .send()
        .await;
    r.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(json(r).await["code"], "unauthorized");
    // Self-revocation.
    app.client
        .delete("/api/v1/auth/tokens/current")
        .header("authorization", bearer(&admin))
        .send()
        .await
        .assert_status(StatusCode::NO_CONTENT);
    app.client
        .get("/api/v1/auth/me")
        .header("authorization", bearer(&admin))
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_tokens_are_rejected() {
    let app = TestApp::new().await;
    let (uid, token) = app.user_with_token("user", &["runs:read"]).await;
    let row = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(uid))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut am = row.into_active_model();
    am.expires_at = Set(chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1));
    am.update(&app.state.db).await.unwrap();
    app.client
        .get("/api/v1/auth/me")
        .header("authorization", bearer(&token))
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn list_tokens_is_admin_only_and_never_shows_secrets() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let (_, user) = app.user_with_token("user", &["runs:read"]).await;
    let r = app
        .client
        .get("/api/v1/auth/tokens")
        .header("authorization", bearer(&user))
        .send()
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    let e = json(r).await;
    assert_eq!(e["details"]["missing_scopes"], json!(["tokens:manage"]));

    let own = json(
        app.client
            .get("/api/v1/auth/tokens")
            .header("authorization", bearer(&admin))
            .send()
            .await,
    )
    .await;
    assert_eq!(own["pagination"]["total"], 1);
    assert_eq!(own["meta"], json!({}));
    let all = json(
        app.client
            .get("/api/v1/auth/tokens?all=true&limit=1")
            .header("authorization", bearer(&admin))
            .send()
            .await,
    )
    .await;
    assert_eq!(
        all["pagination"],
        json!({"limit": 1, "offset": 0, "total": 2, "next_offset": 1})
    );
    let text = all.to_string();
    assert!(
        !text.contains("spci_") && !text.contains("token_hash"),
        "{text}"
    );
}

#[tokio::test]
async fn token_names_are_unique_per_user_forever() {
    let app = TestApp::new().await;
    let (id, _) = app.user_with_token("user", &["runs:read"]).await;
    let email = user_email(&app, id).await;
    // `test` is the name the fixture used; revoked or not, it stays taken.
    let r = create_token(
        &app,
        json!({"email": email, "password": "password123", "token_name": "test"}),
    )
    .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(json(r).await["code"], "validation_error");
}

#[tokio::test]
async fn review_low_unknown_email_and_wrong_password_are_indistinguishable() {
    let app = TestApp::new().await;
    let (id, _) = app.user_with_token("user", &["runs:read"]).await;
    let email = user_email(&app, id).await;
    let wrong = create_token(
        &app,
        json!({"email": email, "password": "not-the-password", "token_name": "a"}),
    )
    .await;
    wrong.assert_status(StatusCode::UNAUTHORIZED);
    let unknown = create_token(
        &app,
        json!({"email": "nobody@example.com", "password": "not-the-password", "token_name": "a"}),
    )
    .await;
    unknown.assert_status(StatusCode::UNAUTHORIZED);
    let (a, b) = (json(wrong).await, json(unknown).await);
    assert_eq!(a, b);
    assert_eq!(a["code"], "invalid_credentials");
}

/// Beside upstream (the default format), a login never rewrites the stored hash: upstream's
/// passlib could not read an argon2id hash and would answer 500 for that user.
#[tokio::test]
async fn coexistence_a_passlib_login_through_spci_keeps_the_stored_hash() {
    let app = TestApp::new().await;
    assert_eq!(
        app.state.config.password_format,
        PasswordFormat::Sha512Crypt
    );
    let (id, _) = app.user_with_token("user", &["runs:read"]).await;
    // passlib 1.7.4 `custom_app_context.hash("password123")` as upstream stores it.
    let passlib = "$6$rounds=1024000$abcdefghijklmnop$lcIhbFEdGLJyvns19FUn8YdRbyZyas/B1b6Ku.YPyMnXGovyXajRBpZcRFRP4ClsagT3x/S2VEaVXDEV7JZzk.";
    let email = store_password(&app, id, passlib).await;
    for name in ["first", "second"] {
        create_token(
            &app,
            json!({"email": email, "password": "password123", "token_name": name}),
        )
        .await
        .assert_status(StatusCode::CREATED);
        assert_eq!(
            stored_password(&app, id).await,
            passlib,
            "the stored hash is the same string"
        );
    }
}

/// Every password spci sets is one upstream can verify: passlib's sha512_crypt with upstream's
/// rounds.
#[tokio::test]
async fn coexistence_passwords_spci_sets_are_passlib_sha512_crypt() {
    let app = TestApp::new().await;
    let id = crate::auth::issue::create_user(
        &app.state.db,
        app.state.config.password_format,
        "new@example.com",
        "newcomer",
        crate::api::Role::User,
        "a long password",
    )
    .await
    .unwrap();
    let stored = stored_password(&app, id).await;
    assert!(stored.starts_with("$6$rounds=1024000$"), "{stored}");
    create_token(
        &app,
        json!({"email": "new@example.com", "password": "a long password", "token_name": "n"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
}

#[tokio::test]
async fn in_argon2id_mode_legacy_sha512_crypt_passwords_verify_and_are_rehashed() {
    let app = TestAppBuilder::new()
        .config(|c| c.password_format = PasswordFormat::Argon2id)
        .build()
        .await;
    let (id, _) = app.user_with_token("user", &["runs:read"]).await;
    // glibc crypt("password", "$6$rounds=10000$saltsalt"), as passlib stores it.
    let legacy = "$6$rounds=10000$saltsalt$ZqOTO2O04D/DgwZlm.rZTgWxvBaIf4LQsZKtXFEu9UHJ4CvgmdLAGxKUzJ0mPO98OevETdY6oK/Oac6j2Axxq/";
    let email = store_password(&app, id, legacy).await;
    create_token(
        &app,
        json!({"email": email, "password": "password", "token_name": "legacy"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let stored = stored_password(&app, id).await;
    assert!(
        stored.starts_with("$argon2id$"),
        "rehashed on success: {stored}"
    );
    create_token(
        &app,
        json!({"email": email, "password": "password", "token_name": "again"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
}

#[tokio::test]
async fn unrecognised_stored_password_formats_never_match_and_never_error() {
    let app = TestApp::new().await;
    let (id, _) = app.user_with_token("user", &["runs:read"]).await;
    let email = store_password(&app, id, "plaintextLeftByDeactivate").await;
    let r = create_token(
        &app,
        json!({"email": email, "password": "plaintextLeftByDeactivate", "token_name": "z"}),
    )
    .await;
    r.assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn review_low_token_prefix_collisions_are_harmless() {
    let app = TestApp::new().await;
    let (uid, token) = app.user_with_token("user", &["runs:read"]).await;
    // Another row sharing the lookup prefix (no unique constraint upstream): the digest decides.
    api_token::ActiveModel {
        user_id: Set(uid),
        token_name: Set("twin".into()),
        token_hash: Set(crate::auth::token::digest("something else")),
        token_prefix: Set(token[..16].to_string()),
        scopes_json: Set("[\"tokens:manage\"]".into()),
        created_at: Set(chrono::Utc::now().naive_utc()),
        expires_at: Set(chrono::Utc::now().naive_utc() + chrono::Duration::days(1)),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let me = json(
        app.client
            .get("/api/v1/auth/me")
            .header("authorization", bearer(&token))
            .send()
            .await,
    )
    .await;
    assert_eq!(
        me["scopes"],
        json!(["runs:read"]),
        "the matching row, not its twin"
    );
}

#[tokio::test]
async fn review_1131_token_creation_is_rate_limited_per_ip() {
    let app = TestAppBuilder::new()
        .config(|c| c.rate_credentials = 5)
        .build()
        .await;
    for i in 0..5 {
        let r = create_token(
            &app,
            json!({"email": "nobody@example.com", "password": "whatever1", "token_name": "t"}),
        )
        .await;
        r.assert_status(StatusCode::UNAUTHORIZED);
        r.assert_header("x-ratelimit-limit", "5");
        r.assert_header("x-ratelimit-remaining", (4 - i).to_string());
    }
    let r = create_token(
        &app,
        json!({"email": "nobody@example.com", "password": "whatever1", "token_name": "t"}),
    )
    .await;
    r.assert_status(StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 =
        r.0.headers()
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    let e = json(r).await;
    assert_eq!(e["code"], "rate_limited");
    assert_eq!(e["details"]["limit"], 5);
    assert_eq!(e["details"]["window"], "900s");
}

#[tokio::test]
async fn review_1131_requests_are_rate_limited_per_token() {
    let app = TestAppBuilder::new()
        .config(|c| c.rate_reads = 3)
        .build()
        .await;
    let (_, a) = app.user_with_token("user", &["runs:read"]).await;
    let (_, b) = app.user_with_token("user", &["runs:read"]).await;
    for _ in 0..3 {
        app.client
            .get("/api/v1/auth/me")
            .header("authorization", bearer(&a))
            .send()
            .await
            .assert_status_is_ok();
    }
    let r = app
        .client
        .get("/api/v1/auth/me")
        .header("authorization", bearer(&a))
        .send()
        .await;
    r.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(r.0.headers().contains_key("retry-after"));
    // Another token has its own budget.
    app.client
        .get("/api/v1/auth/me")
        .header("authorization", bearer(&b))
        .send()
        .await
        .assert_status_is_ok();
}

/// Failed logins are limited per account as well as per IP, keyed by the email whether or
/// not the account exists (the 429 is the same for both, so it tells nothing), and the account
/// is throttled, not locked: the limit is on attempts, the right password waits like any other.
#[tokio::test]
async fn hardening_1_failed_logins_are_throttled_per_account_known_or_not() {
    let app = TestAppBuilder::new()
        .config(|c| {
            c.rate_login_failures = 3;
            c.password_format = PasswordFormat::Argon2id;
        })
        .build()
        .await;
    let known = "known@example.com";
    app.user(known, "known", "user").await;
    let login = |email: &str, password: &str| json!({"email": email, "password": password, "token_name": format!("t{}", uuid::Uuid::new_v4().simple())});
    let mut refusals = vec![];
    for email in [known, "Nobody@Example.com"] {
        for _ in 0..3 {
            create_token(&app, login(email, "wrong-password"))
                .await
                .assert_status(StatusCode::UNAUTHORIZED);
        }
        for password in ["wrong-password", PASSWORD] {
            let r = create_token(&app, login(&email.to_uppercase(), password)).await;
            r.assert_status(StatusCode::TOO_MANY_REQUESTS);
            let retry: u64 = r.0.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=300).contains(&retry), "{retry}");
            let mut e = json(r).await;
            e["details"]["retry_after"] = json!("redacted");
            refusals.push(e);
        }
    }
    assert!(refusals.windows(2).all(|w| w[0] == w[1]), "{refusals:?}");
    // Other accounts are not affected.
    let other = "other@example.com";
    app.user(other, "other", "user").await;
    create_token(&app, login(other, PASSWORD))
        .await
        .assert_status(StatusCode::CREATED);
}

/// Forged tokens that share a real token's public prefix fail verification, so they count
/// against their sender's IP (and its stricter failed-authentication bucket), never against the
/// real token's bucket.
#[tokio::test]
async fn hardening_6_forged_tokens_with_a_victims_prefix_do_not_drain_its_bucket() {
    let app = TestAppBuilder::new()
        .config(|c| {
            c.rate_reads = 5;
            c.rate_failed_auth = 3;
        })
        .build()
        .await;
    let (_, victim) = app.user_with_token("user", &["runs:read"]).await;
    let forged = format!("{}{}", &victim[..16], "x".repeat(victim.len() - 16));
    assert_eq!(
        crate::auth::token::lookup_prefix(&forged),
        crate::auth::token::lookup_prefix(&victim),
        "well formed, same prefix"
    );
    let mut statuses = vec![];
    for _ in 0..120 {
        let r = app
            .client
            .get("/api/v1/auth/me")
            .header("authorization", bearer(&forged))
            .send()
            .await;
        statuses.push(r.0.status().as_u16());
    }
    assert_eq!(statuses[..3], [401, 401, 401]);
    assert!(
        statuses[3..].iter().all(|s| *s == 429),
        "failed attempts are throttled per IP: {statuses:?}"
    );
    for _ in 0..5 {
        let r = app
            .client
            .get("/api/v1/auth/me")
            .header("authorization", bearer(&victim))
            .send()
            .await;
        r.assert_status_is_ok();
        r.assert_header("x-ratelimit-limit", "5");
    }
    app.client
        .get("/api/v1/auth/me")
        .header("authorization", bearer(&victim))
        .send()
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn writes_have_their_own_smaller_budget() {
    let app = TestAppBuilder::new()
        .config(|c| c.rate_writes = 2)
        .build()
        .await;
    let (_, a) = app.user_with_token("user", &["runs:read"]).await;
    for _ in 0..2 {
        app.client
            .delete("/api/v1/auth/tokens/999")
            .header("authorization", bearer(&a))
            .send()
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    app.client
        .delete("/api/v1/auth/tokens/999")
        .header("authorization", bearer(&a))
        .send()
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    app.client
        .get("/api/v1/auth/me")
        .header("authorization", bearer(&a))
        .send()
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn demoted_admins_lose_admin_scopes_at_once() {
    let app = TestApp::new().await;
    let (id, token) = app.admin().await;
    let mut am = user::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    am.role = Set(Some("user".into()));
    am.update(&app.state.db).await.unwrap();
    app.client
        .get("/api/v1/auth/tokens")
        .header("authorization", bearer(&token))
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

/// Verified tokens are remembered for a second: this replica's revocations, deactivations and
/// role changes take effect at once; another replica's (a row changed in the database behind
/// this process's back) within the second.
#[tokio::test]
async fn verified_tokens_are_forgotten_at_once_here_and_within_a_second_elsewhere() {
    use super::common::get;
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("user", &["runs:read"]).await;
    let (status, _) = get(&app, "/auth/me", &token).await;
    assert_eq!(status, 200);
    assert_eq!(app.state.verified_tokens.remembered(), 1, "remembered");

    // Revoked here: refused at once, though verified a moment ago.
    let r = app
        .client
        .delete("/api/v1/auth/tokens/current")
        .header("Authorization", bearer(&token))
        .send()
        .await;
    assert!(r.0.status().is_success(), "{}", r.0.status());
    let (status, _) = get(&app, "/auth/me", &token).await;
    assert_eq!(status, 401);

    // Revoked by another replica (the row changed, nothing told this process): still accepted
    // within the second, refused after it.
    let (_, other) = app.user_with_token("user", &["runs:read"]).await;
    let (status, _) = get(&app, "/auth/me", &other).await;
    assert_eq!(status, 200);
    api_token::Entity::update_many()
        .col_expr(
            api_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now().naive_utc()),
        )
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&app.state.db)
        .await
        .unwrap();
    tokio::time::sleep(crate::auth::verified::TTL + std::time::Duration::from_millis(100)).await;
    let (status, _) = get(&app, "/auth/me", &other).await;
    assert_eq!(status, 401);
}
