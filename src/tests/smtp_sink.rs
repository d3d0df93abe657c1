//! A real SMTP server for the tests, on a local port: it speaks enough of the protocol for
//! lettre (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every delivered message, and can be
//! told to refuse mail (a 451 to RCPT, as a server in trouble answers) to test the retries.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Delivered {
    pub to: Vec<String>,
    pub subject: String,
    /// The body, with its transfer encoding undone.
    pub body: String,
}

#[derive(Default)]
struct Shared {
    delivered: Mutex<Vec<Delivered>>,
    refusing: AtomicBool,
}

pub struct SmtpSink {
    pub url: String,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the SMTP sink");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, s.clone()));
            }
        });
        Self {
            url: format!("smtp://{addr}"),
            shared,
            server,
        }
    }

    pub fn delivered(&self) -> Vec<Delivered> {
        self.shared.delivered.lock().unwrap().clone()
    }

    /// The messages delivered to `to`.
    pub fn to(&self, to: &str) -> Vec<Delivered> {
        self.delivered()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .collect()
    }

    pub fn refuse(&self, refusing: bool) {
        self.shared.refusing.store(refusing, Ordering::SeqCst);
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn session(stream: tokio::net::TcpStream, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if !say(&mut write, "220 sink ESMTP\r\n").await {
        return;
    }
    let mut to = vec![];
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply = if command.starts_with("EHLO") || command.starts_with("HELO") {
            "250-sink\r\n250 8BITMIME\r\n".to_string()
        } else if command.starts_with("MAIL FROM") {
            to.clear();
            "250 OK\r\n".into()
        } else if command.starts_with("RCPT TO") {
            if shared.refusing.load(Ordering::SeqCst) {
                "451 try again later\r\n".into()
            } else {
                let addr = line.trim_end()[8..]
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_string();
                to.push(addr);
                "250 OK\r\n".into()
            }
        } else if command == "DATA" {
            if !say(&mut write, "354 go ahead\r\n").await {
                return;
            }
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if lines.read_line(&mut l).await.unwrap_or(0) == 0 {
                    return;
                }
                if l == ".\r\n" || l == ".\n" {
                    break;
                }
                data.push_str(
                    l.strip_prefix('.')
                        .filter(|_| l.starts_with(".."))
                        .unwrap_or(&l),
                );
            }
            shared
                .delivered
                .lock()
                .unwrap()
                .push(parse(std::mem::take(&mut to), &data));
            "250 queued\r\n".into()
        } else if command == "RSET" || command == "NOOP" {
            "250 OK\r\n".into()
        } else if command == "QUIT" {
            let _ = say(&mut write, "221 bye\r\n").await;
            return;
        } else {
            "502 not implemented\r\n".into()
        };
        if !say(&mut write, &reply).await {
            return;
        }
    }
}

async fn say(w: &mut tokio::net::tcp::OwnedWriteHalf, s: &str) -> bool {
    w.write_all(s.as_bytes()).await.is_ok()
}

fn parse(to: Vec<String>, data: &str) -> Delivered {
    let (head, body) = data.split_once("\r\n\r\n").unwrap_or((data, ""));
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let body = match header("Content-Transfer-Encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "quoted-printable" => quoted_printable(body),
        "base64" => {
            use base64::Engine;
            let joined: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(joined)
                .expect("base64 body");
            String::from_utf8(bytes).expect("utf-8 body")
        }
        _ => body.to_string(),
    };
    Delivered {
        to,
        subject: header("Subject"),
        body: body.replace("\r\n", "\n"),
    }
}

fn quoted_printable(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1..i + 3)) {
            (b'=', Some(hex)) if hex.iter().all(u8::is_ascii_hexdigit) => {
                out.push(u8::from_str_radix(std::str::from_utf8(hex).unwrap(), 16).unwrap());
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("utf-8 body")
}
