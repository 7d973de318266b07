//! The three wire formats over one pooled HTTP client.

use crate::config::ProviderKind;
use crate::keys::ApiKey;
use crate::retry::{FailureKind, parse_retry_after};
use serde_json::{Value, json};
use std::time::Duration;

/// Largest provider response body read.
pub const MAX_BODY: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone)]
pub struct Message {
    pub role: Role,
    pub text: String,
}

/// One failed call. `detail` never holds the key: it is built from the
/// status, the error kind and at most 200 characters of the body.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind:?}: {detail}")]
pub struct CallError {
    pub kind: FailureKind,
    pub detail: String,
}

fn role(r: Role) -> &'static str {
    match r {
        Role::User => "user",
        Role::Assistant => "assistant",
    }
}

/// Builds the URL, headers and JSON body of one request.
pub fn build(
    kind: &ProviderKind,
    base_url: &str,
    model: &str,
    key: Option<&ApiKey>,
    system: &str,
    msgs: &[Message],
) -> (String, Vec<(&'static str, String)>, Value) {
    let base = base_url.trim_end_matches('/');
    let mut headers = Vec::new();
    match kind {
        ProviderKind::Openai => {
            if let Some(k) = key {
                headers.push(("authorization", format!("Bearer {}", k.expose())));
            }
            let mut messages = vec![json!({"role": "system", "content": system})];
            messages.extend(
                msgs.iter()
                    .map(|m| json!({"role": role(m.role), "content": m.text})),
            );
            (
                format!("{base}/chat/completions"),
                headers,
                json!({"model": model, "messages": messages, "temperature": 0, "stream": false}),
            )
        }
        ProviderKind::Gemini => {
            if let Some(k) = key {
                headers.push(("x-goog-api-key", k.expose().to_string()));
            }
            let contents: Vec<Value> = msgs
                .iter()
                .map(|m| {
                    let r = if m.role == Role::User {
                        "user"
                    } else {
                        "model"
                    };
                    json!({"role": r, "parts": [{"text": m.text}]})
                })
                .collect();
            (
                format!("{base}/models/{model}:generateContent"),
                headers,
                json!({
                    "systemInstruction": {"parts": [{"text": system}]},
                    "contents": contents,
                    "generationConfig": {"temperature": 0, "responseMimeType": "application/json"}
                }),
            )
        }
        ProviderKind::Anthropic => {
            if let Some(k) = key {
                headers.push(("x-api-key", k.expose().to_string()));
            }
            headers.push(("anthropic-version", "2023-06-01".to_string()));
            let messages: Vec<Value> = msgs
                .iter()
                .map(|m| json!({"role": role(m.role), "content": m.text}))
                .collect();
            (
                format!("{base}/messages"),
                headers,
                json!({"model": model, "max_tokens": 512, "system": system, "messages": messages, "temperature": 0}),
            )
        }
    }
}

/// Extracts the model's text from a response body.
pub fn extract(kind: &ProviderKind, body: &Value) -> Option<String> {
    match kind {
        ProviderKind::Openai => body
            .pointer("/choices/0/message/content")?
            .as_str()
            .map(str::to_string),
        ProviderKind::Gemini => {
            let parts = body.pointer("/candidates/0/content/parts")?.as_array()?;
            let t: String = parts.iter().filter_map(|p| p["text"].as_str()).collect();
            Some(t)
        }
        ProviderKind::Anthropic => {
            let parts = body.pointer("/content")?.as_array()?;
            let t: String = parts
                .iter()
                .filter(|p| p["type"] == "text")
                .filter_map(|p| p["text"].as_str())
                .collect();
            Some(t)
        }
    }
}

fn classify(e: &reqwest::Error) -> FailureKind {
    if e.is_timeout() {
        FailureKind::Timeout
    } else {
        // Connect errors, resets and truncated bodies: the transport failed.
        FailureKind::Connect
    }
}

fn snippet(b: &[u8]) -> String {
    crate::sanitize::strip_controls(&String::from_utf8_lossy(&b[..b.len().min(200)]))
}

/// Makes one call; `timeout` bounds the whole exchange.
#[allow(clippy::too_many_arguments)]
pub async fn call(
    client: &reqwest::Client,
    kind: &ProviderKind,
    base_url: &str,
    model: &str,
    key: Option<&ApiKey>,
    system: &str,
    msgs: &[Message],
    timeout: Duration,
) -> Result<String, CallError> {
    let (url, headers, body) = build(kind, base_url, model, key, system, msgs);
    let mut rb = client
        .post(&url)
        .timeout(timeout)
        .header("content-type", "application/json");
    for (h, v) in headers {
        rb = rb.header(h, v);
    }
    let mut resp = rb
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| CallError {
            kind: classify(&e),
            detail: format!("request failed: {}", e.without_url()),
        })?;
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let mut buf = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                buf.extend_from_slice(&c);
                if buf.len() > MAX_BODY {
                    return Err(CallError {
                        kind: FailureKind::BadBody,
                        detail: format!("response body larger than {MAX_BODY} bytes"),
                    });
                }
            }
            Ok(None) => break,
            Err(e) => {
                return Err(CallError {
                    kind: classify(&e),
                    detail: format!("reading body failed: {}", e.without_url()),
                });
            }
        }
    }
    match status {
        200..=299 => {}
        429 => {
            return Err(CallError {
                kind: FailureKind::RateLimited { retry_after },
                detail: format!("HTTP 429: {}", snippet(&buf)),
            });
        }
        500..=599 => {
            return Err(CallError {
                kind: FailureKind::Server { status },
                detail: format!("HTTP {status}: {}", snippet(&buf)),
            });
        }
        s => {
            return Err(CallError {
                kind: FailureKind::Client { status: s },
                detail: format!("HTTP {s}: {}", snippet(&buf)),
            });
        }
    }
    let v: Value = serde_json::from_slice(&buf).map_err(|e| CallError {
        kind: FailureKind::BadBody,
        detail: format!("body is not JSON ({e}): {}", snippet(&buf)),
    })?;
    extract(kind, &v).ok_or_else(|| CallError {
        kind: FailureKind::BadBody,
        detail: format!("body is not the provider's format: {}", snippet(&buf)),
    })
}

/// Whether `base_url` points at this machine.
pub fn is_loopback(base_url: &str) -> bool {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(h) = authority.strip_prefix('[') {
        h.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        assert!(is_loopback("http://127.0.0.1:11434/v1"));
        assert!(is_loopback("http://localhost/v1"));
        assert!(is_loopback("http://[::1]:8080"));
        assert!(is_loopback("http://127.9.9.9"));
        assert!(!is_loopback("https://api.example.invalid/v1"));
        assert!(!is_loopback("http://127.0.0.1.evil.invalid/"));
        assert!(!is_loopback("http://user@10.0.0.1/"));
    }

    #[test]
    fn wire_formats() {
        let k = ApiKey::new("K");
        let m = [Message {
            role: Role::User,
            text: "hi".into(),
        }];
        let (u, h, b) = build(
            &ProviderKind::Openai,
            "http://h/v1/",
            "m",
            Some(&k),
            "sys",
            &m,
        );
        assert_eq!(u, "http://h/v1/chat/completions");
        assert_eq!(h[0], ("authorization", "Bearer K".to_string()));
        assert_eq!(b["messages"][1]["content"], "hi");
        let (u, h, b) = build(
            &ProviderKind::Gemini,
            "http://h/v1beta",
            "g",
            Some(&k),
            "sys",
            &m,
        );
        assert_eq!(u, "http://h/v1beta/models/g:generateContent");
        assert_eq!(h[0].0, "x-goog-api-key");
        assert_eq!(b["contents"][0]["parts"][0]["text"], "hi");
        let (u, h, b) = build(
            &ProviderKind::Anthropic,
            "http://h/v1",
            "c",
            Some(&k),
            "sys",
            &m,
        );
        assert_eq!(u, "http://h/v1/messages");
        assert_eq!(h[1].0, "anthropic-version");
        assert_eq!(b["system"], "sys");
        assert_eq!(
            extract(
                &ProviderKind::Anthropic,
                &json!({"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]})
            ),
            Some("ab".into())
        );
        assert_eq!(
            extract(
                &ProviderKind::Gemini,
                &json!({"candidates":[{"content":{"parts":[{"text":"x"}]}}]})
            ),
            Some("x".into())
        );
        assert_eq!(extract(&ProviderKind::Openai, &json!({"error":"x"})), None);
    }
}
