//! Response compression: a JSON (or plain text) answer of at least `min_bytes` is sent
//! br- or gzip-encoded when the client accepts it. Downloads (already compressed media, or
//! ranges of them), event streams (each event must leave at once) and bodies of unknown length
//! are sent as they are. Request bodies are never decompressed: an upload is stored as sent, and
//! nothing can inflate past the body limits.
//!
//! A strong ETag names one encoding of a representation (RFC 9110), so a compressed answer's
//! ETag gets the coding as a suffix; `domain::etag::named` treats the encodings of one
//! representation as the same for If-None-Match.
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    pub fn token(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }
}

/// The coding to answer in for an Accept-Encoding value: the highest q (br on a tie), none
/// when neither is acceptable.
pub fn negotiate(accept: &str) -> Option<Coding> {
    let mut best: Option<(Coding, u32)> = None;
    let mut star: Option<u32> = None;
    let explicit = |c: Coding, q: u32, best: &mut Option<(Coding, u32)>| {
        let better = match best {
            None => true,
            Some((b, bq)) => q > *bq || (q == *bq && c == Coding::Brotli && *b == Coding::Gzip),
        };
        if q > 0 && better {
            *best = Some((c, q));
        }
    };
    let mut seen = (false, false);
    for item in accept.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or("").to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .map_or(1000, |v| {
                (v.parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0) * 1000.0) as u32
            });
        match name.as_str() {
            "br" => {
                seen.0 = true;
                explicit(Coding::Brotli, q, &mut best);
            }
            "gzip" | "x-gzip" => {
                seen.1 = true;
                explicit(Coding::Gzip, q, &mut best);
            }
            "*" => star = Some(q),
            _ => {}
        }
    }
    if let Some(q) = star {
        if !seen.0 {
            explicit(Coding::Brotli, q, &mut best);
        }
        if !seen.1 {
            explicit(Coding::Gzip, q, &mut best);
        }
    }
    best.map(|(c, _)| c)
}

pub fn compress(coding: Coding, body: &[u8]) -> std::io::Result<Vec<u8>> {
    match coding {
        Coding::Gzip => {
            let mut e = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 4),
                flate2::Compression::new(5),
            );
            e.write_all(body)?;
            e.finish()
        }
        Coding::Brotli => {
            let mut out = Vec::with_capacity(body.len() / 4);
            // Quality 5: most of brotli's gain at a fraction of its maximum's time.
            let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            w.write_all(body)?;
            drop(w);
            Ok(out)
        }
    }
}

/// Whether a response of this type may be compressed.
fn compressible(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.starts_with("application/json")
        || ct.starts_with("text/plain")
        || ct.starts_with("application/yaml")
}

pub struct Compress {
    pub min_bytes: usize,
}

impl<E: Endpoint> Middleware<E> for Compress {
    type Output = CompressEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        CompressEndpoint {
            ep,
            min_bytes: self.min_bytes,
        }
    }
}

pub struct CompressEndpoint<E> {
    ep: E,
    min_bytes: usize,
}

impl<E: Endpoint> Endpoint for CompressEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let coding = req
            .headers()
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let coding = negotiate(&coding);
        let mut resp = self.ep.call(req).await?.into_response();
        let eligible = resp.status() == StatusCode::OK
            || resp.status().is_client_error()
            || resp.status().is_server_error();
        let typed = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(compressible);
        if !eligible || !typed || resp.headers().contains_key(header::CONTENT_ENCODING) {
            return Ok(resp);
        }
        // Whatever is sent, it depends on Accept-Encoding.
        resp.headers_mut()
            .append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        let Some(coding) = coding else {
            return Ok(resp);
        };
        let (mut parts, body) = resp.into_parts();
        let bytes = body.into_bytes().await?;
        if bytes.len() < self.min_bytes {
            return Ok(Response::from_parts(parts, bytes.into()));
        }
        let Ok(packed) = compress(coding, &bytes) else {
            return Ok(Response::from_parts(parts, bytes.into()));
        };
        parts.headers.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(coding.token()),
        );
        parts.headers.remove(header::CONTENT_LENGTH);
        if let Some(tag) = parts
            .headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            && let Some(coded) = crate::domain::etag::with_coding(tag, coding.token())
            && let Ok(v) = HeaderValue::from_str(&coded)
        {
            parts.headers.insert(header::ETAG, v);
        }
        Ok(Response::from_parts(parts, packed.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_table() {
        let cases = [
            ("", None),
            ("identity", None),
            ("gzip", Some(Coding::Gzip)),
            ("br", Some(Coding::Brotli)),
            ("gzip, deflate, br", Some(Coding::Brotli)),
            ("br;q=0.5, gzip", Some(Coding::Gzip)),
            ("br;q=0, gzip;q=0", None),
            ("*", Some(Coding::Brotli)),
            ("*;q=0.1, gzip;q=0.5", Some(Coding::Gzip)),
            ("br;q=0, *", Some(Coding::Gzip)),
            ("GZIP", Some(Coding::Gzip)),
            ("x-gzip", Some(Coding::Gzip)),
            ("deflate", None),
        ];
        for (header, want) in cases {
            assert_eq!(negotiate(header), want, "{header:?}");
        }
    }

    #[test]
    fn both_codings_round_trip() {
        use std::io::Read;
        let body = br#"{"data":[1,2,3]}"#.repeat(100);
        let gz = compress(Coding::Gzip, &body).unwrap();
        let mut back = vec![];
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, body);
        let br = compress(Coding::Brotli, &body).unwrap();
        let mut back = vec![];
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, body);
        assert!(br.len() < body.len() / 10 && gz.len() < body.len() / 10);
    }
}
