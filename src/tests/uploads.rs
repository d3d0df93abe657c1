//! POST /samples/upload through the real app: streamed to storage, checked, queued; refused
//! uploads leave nothing behind.
use super::common::{TestApp, TestAppBuilder, bearer, get, json};
use super::fixtures::Fx;
use serde_json::{Value, json};

const BOUNDARY: &str = "spci-test-boundary";

fn form(name: &str, filename: Option<&str>, bytes: &[u8]) -> Vec<u8> {
    let disposition = match filename {
        Some(f) => format!("form-data; name=\"{name}\"; filename=\"{f}\""),
        None => format!("form-data; name=\"{name}\""),
    };
    let mut b = format!(
        "--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(bytes);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

async fn upload(app: &TestApp, token: &str, body: Vec<u8>) -> (u16, Value) {
    let r = app
        .client
        .post("/api/v1/samples/upload")
        .header("Authorization", bearer(token))
        .content_type(format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await;
    let status = r.0.status().as_u16();
    (status, json(r).await)
}

/// Every file under the storage root, relative.
fn stored(app: &TestApp) -> Vec<String> {
    fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = vec![];
    walk(app.storage_dir.path(), app.storage_dir.path(), &mut out);
    out.retain(|f| !f.starts_with("spci.db"));
    out.sort();
    out
}

#[tokio::test]
async fn an_upload_is_queued_with_its_hash_and_file() {
    let app = TestApp::new().await;
    let (uid, token) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let bytes = b"\x47\x40\x11\x10 an MPEG transport stream, or close enough".repeat(1000);
    let (s, q) = upload(&app, &token, form("file", Some("Broadcast.TS"), &bytes)).await;
    assert_eq!(s, 201, "{q}");
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    assert_eq!(
        (
            &q["sha"],
            &q["extension"],
            &q["original_name"],
            &q["user_id"]
        ),
        (
            &json!(sha),
            &json!(".ts"),
            &json!("Broadcast.TS"),
            &json!(uid)
        )
    );
    assert_eq!(
        stored(&app),
        [format!("QueuedFiles/{sha}.ts")],
        "the queued file only"
    );
    let on_disk =
        std::fs::read(app.storage_dir.path().join(format!("QueuedFiles/{sha}.ts"))).unwrap();
    assert_eq!(on_disk, bytes);
    let (_, page) = get(&app, "/queued-samples", &token).await;
    assert_eq!(page["data"][0]["id"], q["id"]);

    // The same bytes again, under another name: a conflict, nothing new stored.
    let (s, e) = upload(&app, &token, form("file", Some("again.ts"), &bytes)).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("conflict")), "{e}");
    assert_eq!(stored(&app).len(), 1);
    let (_, page) = get(&app, "/queued-samples", &token).await;
    assert_eq!(page["pagination"]["total"], 1);
}

#[tokio::test]
async fn refused_uploads_leave_nothing_behind() {
    let app = TestAppBuilder::new()
        .config(|c| c.max_upload = 1000)
        .build()
        .await;
    let (_, token) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let fx = Fx { db: &app.state.db };
    fx.sample("EXISTING").await;
    use crate::data::entity::{extension_forbidden, mimetype_forbidden};
    use sea_orm::{ActiveModelTrait, Set};
    extension_forbidden::ActiveModel {
        extension: Set("exe".into()),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    mimetype_forbidden::ActiveModel {
        mimetype: Set("image/png".into()),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0".to_vec();
    elf.resize(64, 0);
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "forbidden extension",
            form("file", Some("setup.EXE"), b"MZ"),
            403,
            "forbidden",
        ),
        (
            "forbidden detected type",
            form("file", Some("pic.ts"), &png),
            403,
            "forbidden",
        ),
        (
            "over the upload limit",
            form("file", Some("big.ts"), &[7u8; 5000]),
            413,
            "payload_too_large",
        ),
        (
            "a path as name",
            form("file", Some("../../etc/passwd"), b"x"),
            400,
            "validation_error",
        ),
        (
            "a windows path",
            form("file", Some("C:\\\\x\\\\y.ts"), b"x"),
            400,
            "validation_error",
        ),
        (
            "no file name",
            form("file", None, b"x"),
            400,
            "validation_error",
        ),
        (
            "another part",
            form("notes", None, b"x"),
            400,
            "validation_error",
        ),
        (
            "no parts",
            format!("--{BOUNDARY}--\r\n").into_bytes(),
            400,
            "validation_error",
        ),
        (
            "truncated body",
            form("file", Some("cut.ts"), b"abc")[..90].to_vec(),
            400,
            "validation_error",
        ),
    ];
    for (what, body, want, code) in cases {
        let (s, e) = upload(&app, &token, body).await;
        assert_eq!((s, e["code"].as_str()), (want, Some(code)), "{what}: {e}");
        assert!(stored(&app).is_empty(), "{what} left {:?}", stored(&app));
    }
    // Named `.ts`, but its content is an executable: refused once that type's extension is
    // forbidden, and the refusal names it.
    extension_forbidden::ActiveModel {
        extension: Set("elf".into()),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let (s, e) = upload(&app, &token, form("file", Some("x.ts"), &elf)).await;
    assert_eq!(
        (s, e["details"]["extension"].as_str()),
        (403, Some("elf")),
        "{e}"
    );

    // No boundary, or not multipart at all.
    for ct in ["multipart/form-data", "application/json"] {
        let r = app
            .client
            .post("/api/v1/samples/upload")
            .header("Authorization", bearer(&token))
            .content_type(ct)
            .body("{}")
            .send()
            .await;
        let s = r.0.status().as_u16();
        assert!(matches!(s, 400 | 415), "{ct}: {s}");
        let e = json(r).await;
        assert_eq!(e["code"], "validation_error", "{ct}: {e}");
    }
    let (_, page) = get(&app, "/queued-samples", &token).await;
    assert_eq!(page["pagination"]["total"], 0);
}

#[tokio::test]
async fn a_client_that_disconnects_mid_body_leaves_nothing() {
    let app = TestApp::new().await;
    let (_, token) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    // A body stream that fails part-way, as a dropped connection does.
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.ts\"\r\n\r\n"
    );
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = vec![
        Ok(bytes::Bytes::from(head)),
        Ok(bytes::Bytes::from(vec![1u8; 6 * 1024 * 1024])),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "client went away",
        )),
    ];
    let body = poem::Body::from_bytes_stream(futures_util::stream::iter(chunks));
    let r = app
        .client
        .post("/api/v1/samples/upload")
        .header("Authorization", bearer(&token))
        .content_type(format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await;
    assert_eq!(r.0.status().as_u16(), 400);
    // The local store removes an aborted upload's staging file on a blocking thread.
    for _ in 0..50 {
        if stored(&app).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(stored(&app).is_empty(), "left {:?}", stored(&app));
}

#[tokio::test]
async fn stale_temporary_uploads_are_swept_and_nothing_else() {
    let app = TestApp::new().await;
    let temp = app.storage_dir.path().join("TempFiles");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for name in [
        "spci-upload-crashed",
        "spci-upload-staged#1",
        "api-upstream-file",
        "spci-upload-live",
    ] {
        std::fs::write(temp.join(name), b"x").unwrap();
        if name != "spci-upload-live" {
            let f = std::fs::File::options()
                .write(true)
                .open(temp.join(name))
                .unwrap();
            f.set_modified(old).unwrap();
        }
    }
    let n = crate::files::upload::sweep_stale_temps(&app.state.storage).await;
    assert_eq!(n, 2);
    let mut left: Vec<String> = std::fs::read_dir(&temp)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["api-upstream-file", "spci-upload-live"],
        "upstream's and live ones stay"
    );
}

/// Multipart headers carry UTF-8 names (RFC 7578 allows them): a non-ASCII file name is a valid
/// upload, a non-ASCII part name is an unknown part, and bytes that are not UTF-8 are a 400.
#[tokio::test]
async fn non_ascii_names_in_the_form() {
    let app = TestApp::new().await;
    let (_, token) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let (s, q) = upload(
        &app,
        &token,
        form("file", Some("séquence-日本.ts"), b"utf8 name"),
    )
    .await;
    assert_eq!(s, 201, "{q}");
    assert_eq!(q["original_name"], "séquence-日本.ts", "{q}");
    let (s, e) = upload(&app, &token, form("fichié", Some("a.ts"), b"x")).await;
    assert_eq!(
        (s, e["details"]["part"].as_str()),
        (400, Some("fichié")),
        "{e}"
    );
    let mut latin1 = form("file", Some("X.ts"), b"latin-1 name");
    let at = latin1.windows(4).position(|w| w == b"X.ts").unwrap();
    latin1[at] = 0xE9;
    let (s, e) = upload(&app, &token, latin1).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("validation_error")),
        "{e}"
    );
}
