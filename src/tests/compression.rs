//! Compression: large JSON answers in br or gzip as the client accepts, small ones and downloads
//! as they are, and the compressed answer's ETag still gets a 304.
use super::common::bearer;
use super::world::World;
use poem::test::TestResponse;
use std::io::Read;

fn header(r: &TestResponse, name: &str) -> Option<String> {
    r.0.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The answer's status and headers, and its body as sent.
async fn fetch(w: &World, path: &str, accept: Option<&str>) -> (TestResponse, Vec<u8>) {
    let mut r = w
        .app
        .client
        .get(path)
        .header("Authorization", bearer(&w.admin));
    if let Some(a) = accept {
        r = r.header("Accept-Encoding", a);
    }
    let r = r.send().await;
    let (parts, body) = r.0.into_parts();
    let body = body.into_vec().await.unwrap();
    (
        TestResponse(poem::Response::from_parts(parts, poem::Body::empty())),
        body,
    )
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unbrotli(b: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    brotli::Decompressor::new(b, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn large_json_is_compressed_as_the_client_accepts() {
    let w = World::new().await;
    let path = "/api/v1/runs?limit=100";
    let (plain, identity) = fetch(&w, path, None).await;
    assert!(identity.len() > 1024, "a page above the threshold");
    assert_eq!(header(&plain, "Content-Encoding"), None);
    let tag = header(&plain, "ETag").unwrap();

    let (br, packed) = fetch(&w, path, Some("gzip, deflate, br")).await;
    assert_eq!(header(&br, "Content-Encoding").as_deref(), Some("br"));
    assert_eq!(unbrotli(&packed), identity);
    assert!(packed.len() < identity.len() / 3);
    let vary: Vec<_> =
        br.0.headers()
            .get_all("Vary")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
    assert!(vary.iter().any(|v| v == "Accept-Encoding"), "{vary:?}");
    let br_tag = header(&br, "ETag").unwrap();
    assert_ne!(br_tag, tag, "one encoding, one strong tag");

    let (gz, packed) = fetch(&w, path, Some("gzip")).await;
    assert_eq!(header(&gz, "Content-Encoding").as_deref(), Some("gzip"));
    assert_eq!(gunzip(&packed), identity);

    // The compressed answer's tag is the same representation: a 304.
    let again = w
        .app
        .client
        .get(path)
        .header("Authorization", bearer(&w.admin))
        .header("Accept-Encoding", "br")
        .header("If-None-Match", &br_tag)
        .send()
        .await;
    assert_eq!(again.0.status().as_u16(), 304);
}

#[tokio::test]
async fn small_answers_and_downloads_are_sent_as_they_are() {
    let w = World::new().await;
    let (small, body) = fetch(
        &w,
        &format!("/api/v1/runs/{}/progress?limit=1", w.run_pass),
        Some("br, gzip"),
    )
    .await;
    assert!(body.len() < 1024);
    assert_eq!(header(&small, "Content-Encoding"), None);
    serde_json::from_slice::<serde_json::Value>(&body).expect("plain JSON");

    let sha = "ef".repeat(32);
    let content = "caption line\n".repeat(500);
    w.put(&format!("TestResults/{sha}.srt"), content.as_bytes());
    let key = crate::files::Key::result(&sha, ".srt").unwrap();
    let url = w.app.state.storage.download_url(&key).await.unwrap();
    let link = &url[url.find("/api/v1/files/").unwrap()..];
    let (dl, bytes) = fetch(&w, link, Some("br, gzip")).await;
    assert_eq!(dl.0.status().as_u16(), 200);
    assert_eq!(
        header(&dl, "Content-Encoding"),
        None,
        "downloads are never recompressed"
    );
    assert_eq!(bytes, content.as_bytes());
}
