//! Memory stays bounded by the response, not the file: the real server diffs two 10 MiB outputs
//! and pages a 500 MB log, and takes a 1 GiB upload, while its peak resident memory grows by
//! less than 64 MiB. The files are written into the booted server's own storage root (the log
//! streamed to disk in chunks); the upload is generated as it is sent, never held anywhere.
//! Linux only (reads /proc); a server named by `SPCI_URL` is skipped, it is not ours to measure.
use contract_tests::server::Server;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

const LIMIT_MIB: u64 = 64;

/// (VmRSS, VmHWM) of a process, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in /proc/{pid}/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the process's peak resident size to its current one, so a later VmHWM is the peak
/// of what happened in between, not of the server's start (demo seeding).
fn reset_peak(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("/proc clear_refs");
}

fn get(http: &reqwest::blocking::Client, server: &Server, path: &str) -> (u16, Value) {
    let r = http
        .get(format!("{}{path}", server.base))
        .bearer_auth(&server.token)
        .send()
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().expect("JSON"))
}

/// Nearly 10 MiB of subtitle-like text; `variant` changes 40 lines in the middle.
fn subtitles(variant: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(11 << 20);
    for i in 0..185_000u64 {
        let text = if variant && (150_000..150_040).contains(&i) {
            "Changed line"
        } else {
            "Some dialogue here"
        };
        writeln!(
            out,
            "{i}\n00:00:{:02},000 --> 00:00:{:02},500\n{text}\n",
            i % 60,
            i % 60
        )
        .unwrap();
    }
    assert!(
        out.len() > 9 << 20 && out.len() <= 10 << 20,
        "{}",
        out.len()
    );
    out
}

fn write_log(path: &Path, bytes: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut written = 0u64;
    let mut n = 0u64;
    while written < bytes {
        let line = format!("[{n:010}] worker: step {n} finished without error\n");
        f.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
        n += 1;
    }
    f.flush().unwrap();
}

#[test]
fn a_10_mib_diff_and_a_500_mb_log_page_keep_memory_growth_under_64_mib() {
    let server = Server::start();
    let Some((pid, storage)) = server.local() else {
        eprintln!("SPCI_URL is set: not measuring a server this test did not start");
        return;
    };
    let http = reqwest::blocking::Client::new();
    // The demo's failing run and an output of it that differs from its baseline.
    let (run, sample, rt, output) = server.differing_output();
    let out = format!("/runs/{run}/samples/{sample}/regression-tests/{rt}/outputs/{output}");
    // The artifact list names both files whether or not they are in storage yet (a database
    // seeded by an earlier server has its files in that server's storage, not this one's).
    let (_, artifacts) = get(&http, &server, &format!("/runs/{run}/artifacts?limit=100"));
    let file_of = |id: String| {
        artifacts["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["artifact_id"] == id.as_str())
            .unwrap_or_else(|| panic!("artifact {id} listed"))["filename"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let results = storage.join("TestResults");
    for (kind, differs) in [("expected", false), ("actual", true)] {
        let name = file_of(format!("{kind}_{run}_{rt}_{output}"));
        std::fs::write(results.join(name), subtitles(differs)).unwrap();
    }
    write_log(&storage.join(format!("LogFiles/{run}.txt")), 500_000_000);

    // Warm up the paths once on small inputs, then measure from the current resident size.
    let (status, _) = get(&http, &server, &format!("/runs/{run}/errors"));
    assert_eq!(status, 200);
    reset_peak(pid);
    let (rss_before, _) = memory_kib(pid);

    let (status, diff) = get(&http, &server, &format!("{out}/diff"));
    assert_eq!(status, 200, "{diff}");
    assert_eq!(diff["status"], "different");
    assert_eq!(diff["summary"]["added_lines"], 40);
    let (status, unified) = get(&http, &server, &format!("{out}/diff?format=unified"));
    assert_eq!(status, 200);
    assert!(
        unified["content"]
            .as_str()
            .unwrap()
            .contains("+Changed line")
    );
    for cursor in [0, 4_000_000, 8_000_000] {
        let (status, page) = get(
            &http,
            &server,
            &format!("/runs/{run}/logs?cursor={cursor}&limit=100"),
        );
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["data"].as_array().unwrap().len(), 100);
        let first = page["data"][0]["message"].as_str().unwrap();
        assert!(first.starts_with(&format!("[{cursor:010}]")), "{first}");
    }
    let (status, rare) = get(
        &http,
        &server,
        &format!("/runs/{run}/logs?contains=never-there&limit=100"),
    );
    assert_eq!(status, 200);
    assert!(
        rare["pagination"]["next_cursor"].is_number(),
        "a bounded scan returns a cursor"
    );

    let (_, peak) = memory_kib(pid);
    let growth_mib = peak.saturating_sub(rss_before) / 1024;
    eprintln!(
        "resident before: {} MiB, peak after: {} MiB, growth {growth_mib} MiB",
        rss_before / 1024,
        peak / 1024
    );
    assert!(
        growth_mib < LIMIT_MIB,
        "peak memory grew by {growth_mib} MiB"
    );
}

/// A multipart body generated as it is read: a header, `size` bytes of a repeating pattern
/// (led by a unique line, so the file is new to the server), the closing boundary.
struct GeneratedUpload {
    head: std::io::Cursor<Vec<u8>>,
    left: u64,
    tail: std::io::Cursor<Vec<u8>>,
}

impl GeneratedUpload {
    const BOUNDARY: &str = "spci-memory-test";

    fn new(size: u64) -> (Self, u64) {
        let unique = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let head = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.ts\"\r\nContent-Type: video/mp2t\r\n\r\nunique {unique}\n",
            b = Self::BOUNDARY
        )
        .into_bytes();
        let tail = format!("\r\n--{}--\r\n", Self::BOUNDARY).into_bytes();
        let total = head.len() as u64 + size + tail.len() as u64;
        let body = Self {
            head: std::io::Cursor::new(head),
            left: size,
            tail: std::io::Cursor::new(tail),
        };
        (body, total)
    }
}

impl Read for GeneratedUpload {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        if self.left > 0 {
            let n = (buf.len() as u64).min(self.left) as usize;
            for (i, b) in buf[..n].iter_mut().enumerate() {
                *b = b"0123456789abcdef"[(self.left as usize + i) % 16];
            }
            self.left -= n as u64;
            return Ok(n);
        }
        self.tail.read(buf)
    }
}

/// POSTs a generated upload of `size` bytes on a connection of its own and reads the answer.
/// A plain connection, not a pooled client: when the server stops reading early, the test
/// says what it answered (or that it closed without answering, and whether it is still
/// running) instead of a client's "body send failed".
fn upload(server: &mut Server, size: u64) -> (u16, Value) {
    let addr = server.addr();
    let (mut body, length) = GeneratedUpload::new(size);
    let mut conn = TcpStream::connect(addr).expect("connect");
    write!(
        conn,
        "POST /api/v1/samples/upload HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary={}\r\nContent-Length: {length}\r\n\
         Connection: close\r\n\r\n",
        server.token,
        GeneratedUpload::BOUNDARY
    )
    .expect("request head");
    let sent = std::io::copy(&mut body, &mut conn);
    let mut answer = Vec::new();
    let read = conn.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let parsed = text.split_once("\r\n\r\n").and_then(|(head, rest)| {
        let status = head.split(' ').nth(1)?.parse::<u16>().ok()?;
        let chunked = head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked");
        let json = if chunked {
            dechunk(rest)
        } else {
            rest.to_string()
        };
        Some((status, serde_json::from_str(&json).ok()?))
    });
    match (sent, parsed) {
        (Ok(_), Some(answer)) => answer,
        (sent, _) => {
            let running = server
                .process()
                .is_some_and(|p| p.try_wait().ok().flatten().is_none());
            panic!(
                "upload of {size} bytes: sending: {sent:?}; reading: {read:?}; \
                 the server {} and answered: {text:?}",
                if running { "is running" } else { "has exited" }
            )
        }
    }
}

/// The payload of a chunked body.
fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

#[test]
fn a_1_gib_upload_keeps_memory_growth_under_64_mib() {
    let mut server = Server::start();
    let Some((pid, storage)) = server.local() else {
        eprintln!("SPCI_URL is set: not measuring a server this test did not start");
        return;
    };
    // A `.ts` name on text content: the type detected implies `.txt`.
    server.allow_uploads_of(&["ts", "txt"]);
    // Warm up the upload path on a small file, then measure from the current resident size.
    let (status, small) = upload(&mut server, 1 << 20);
    assert_eq!(status, 201, "{small}");
    reset_peak(pid);
    let (rss_before, _) = memory_kib(pid);

    let (status, queued) = upload(&mut server, 1 << 30);
    assert_eq!(status, 201, "{queued}");
    let (_, peak) = memory_kib(pid);

    let file = storage.join("QueuedFiles").join(format!(
        "{}{}",
        queued["sha"].as_str().unwrap(),
        queued["extension"].as_str().unwrap()
    ));
    let stored = std::fs::metadata(&file).expect("the queued file").len();
    assert!(stored > 1 << 30, "{stored} bytes stored");
    let growth_mib = peak.saturating_sub(rss_before) / 1024;
    eprintln!(
        "upload: resident before: {} MiB, peak after: {} MiB, growth {growth_mib} MiB",
        rss_before / 1024,
        peak / 1024
    );
    assert!(
        growth_mib < LIMIT_MIB,
        "peak memory grew by {growth_mib} MiB during a 1 GiB upload"
    );
}
