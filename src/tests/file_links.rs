//! Signed links of a local store: every file descriptor's `download_url` opens through
//! GET /files/{file_token}, whole or by range, without a bearer token; altered, expired and
//! out-of-layout links are refused; a file removed since signing is a 404.
use super::common::{TestApp, get, json};
use super::fixtures::{Fx, hash};
use crate::domain::links::file_link;
use serde_json::Value;

/// The request path of a link (links are absolute, naming the configured public base).
fn path_of(url: &str) -> String {
    let at = url
        .find("/api/v1/files/")
        .unwrap_or_else(|| panic!("a file link: {url}"));
    url[at..].to_string()
}

struct Fetched {
    status: u16,
    headers: poem::http::HeaderMap,
    body: Vec<u8>,
}

async fn fetch(app: &TestApp, path: &str, range: Option<&str>) -> Fetched {
    let mut req = app.client.get(path);
    if let Some(r) = range {
        req = req.header("Range", r);
    }
    let r = req.send().await;
    let status = r.0.status().as_u16();
    let headers = r.0.headers().clone();
    let body = r.0.into_body().into_vec().await.unwrap();
    Fetched {
        status,
        headers,
        body,
    }
}

fn header<'a>(f: &'a Fetched, name: &str) -> &'a str {
    f.headers
        .get(name)
        .unwrap_or_else(|| panic!("{name} header"))
        .to_str()
        .unwrap()
}

fn error(f: &Fetched) -> Value {
    serde_json::from_slice(&f.body).unwrap_or_else(|_| panic!("an error body: {:?}", f.body))
}

/// A sample whose media file is in storage; its descriptor's link, and the bytes.
async fn stored_sample(app: &TestApp) -> (String, Vec<u8>) {
    let sid = Fx { db: &app.state.db }.sample("linked").await;
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let dir = app.storage_dir.path().join("TestFiles");
    std::fs::write(dir.join(format!("{}.ts", hash("linked"))), &bytes).unwrap();
    let (_, admin) = app.admin().await;
    let (status, d) = get(app, &format!("/samples/{sid}/download"), &admin).await;
    assert_eq!(status, 200, "{d}");
    let url = d["download_url"]
        .as_str()
        .unwrap_or_else(|| panic!("a link: {d}"));
    (path_of(url), bytes)
}

#[tokio::test]
async fn a_local_link_downloads_the_file_whole_or_by_range() {
    let app = TestApp::new().await;
    let (path, bytes) = stored_sample(&app).await;

    let whole = fetch(&app, &path, None).await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.body, bytes);
    assert_eq!(header(&whole, "content-length"), "100000");
    assert_eq!(header(&whole, "accept-ranges"), "bytes");
    assert_eq!(header(&whole, "content-type"), "application/octet-stream");
    assert_eq!(
        header(&whole, "content-disposition"),
        format!("attachment; filename=\"{}.ts\"", hash("linked"))
    );

    let cases: [(&str, u16, std::ops::Range<usize>, Option<&str>); 5] = [
        ("bytes=0-9", 206, 0..10, Some("bytes 0-9/100000")),
        (
            "bytes=99990-",
            206,
            99_990..100_000,
            Some("bytes 99990-99999/100000"),
        ),
        (
            "bytes=-5",
            206,
            99_995..100_000,
            Some("bytes 99995-99999/100000"),
        ),
        (
            "bytes=50000-50000",
            206,
            50_000..50_001,
            Some("bytes 50000-50000/100000"),
        ),
        // Several ranges: the whole file, as RFC 9110 allows.
        ("bytes=0-1,5-6", 200, 0..100_000, None),
    ];
    for (range, status, part, content_range) in cases {
        let f = fetch(&app, &path, Some(range)).await;
        assert_eq!(f.status, status, "{range}");
        assert_eq!(f.body, bytes[part.clone()], "{range}");
        assert_eq!(
            header(&f, "content-length"),
            part.len().to_string(),
            "{range}"
        );
        assert_eq!(
            f.headers.get("content-range").map(|v| v.to_str().unwrap()),
            content_range
        );
    }
    let past = fetch(&app, &path, Some("bytes=100000-")).await;
    assert_eq!(past.status, 416);
    let e = error(&past);
    assert_eq!(
        (e["code"].as_str(), &e["details"]["size"]),
        (Some("range_not_satisfiable"), &Value::from(100_000)),
        "{e}"
    );
}

#[tokio::test]
async fn altered_expired_and_out_of_layout_links_are_refused() {
    let app = TestApp::new().await;
    let (path, _) = stored_sample(&app).await;
    let token = path.trim_start_matches("/api/v1/files/");
    let secret = app.state.config.secret.expose().as_bytes().to_vec();
    let key = format!("TestFiles/{}.ts", hash("linked"));
    let now = chrono::Utc::now().timestamp();
    let mut altered = token.to_string();
    let last = altered.pop().unwrap();
    altered.push(if last == '0' { '1' } else { '0' });
    let cases = [
        ("altered", altered, "invalid"),
        ("expired", file_link(&secret, &key, now - 1), "expired"),
        (
            "another secret",
            file_link(b"not the server's", &key, now + 60),
            "invalid",
        ),
        // Signed with the real secret, but no key of the layout: never opened.
        (
            "outside the layout",
            file_link(&secret, "TestFiles/../../../etc/passwd", now + 60),
            "invalid",
        ),
        (
            "another folder",
            file_link(&secret, "etc/passwd", now + 60),
            "invalid",
        ),
    ];
    for (what, token, reason) in cases {
        let f = fetch(&app, &format!("/api/v1/files/{token}"), None).await;
        assert_eq!(f.status, 403, "{what}");
        let e = error(&f);
        assert_eq!(
            (e["code"].as_str(), e["details"]["reason"].as_str()),
            (Some("forbidden"), Some(reason)),
            "{what}: {e}"
        );
    }
    // Not the token's shape at all: the spec's pattern refuses it.
    let f = fetch(&app, "/api/v1/files/not-a-token", None).await;
    assert_eq!(
        (f.status, error(&f)["code"].as_str()),
        (400, Some("validation_error"))
    );
}

#[tokio::test]
async fn a_file_removed_after_signing_is_404_and_links_need_no_token() {
    let app = TestApp::new().await;
    let (path, bytes) = stored_sample(&app).await;
    // Whatever bearer comes along is not what authorises the download.
    let r = app
        .client
        .get(&path)
        .header("Authorization", "Bearer not-a-real-token")
        .send()
        .await;
    assert_eq!(r.0.status().as_u16(), 200);
    assert_eq!(r.0.into_body().into_vec().await.unwrap(), bytes);
    std::fs::remove_file(
        app.storage_dir
            .path()
            .join(format!("TestFiles/{}.ts", hash("linked"))),
    )
    .unwrap();
    let r = app.client.get(&path).send().await;
    assert_eq!(r.0.status().as_u16(), 404);
    assert_eq!(json(r).await["code"], "not_found");
}
