//! `scripts/bench aish`: the LLM layer's cost against a loopback provider
//! speaking the OpenAI wire format, measured side by side with the raw HTTP
//! round trip to the same server; answers during a total outage; requests per
//! second through aishd's socket with concurrent clients on cache hits.
//!
//! Readable lines go to stderr; the last line on stdout is one JSON object.
//!
//! Usage: bench [--iterations N] [--clients N] [--seconds S] [--timeout SECS]

use aish_llm::config::{LlmConfig, ProviderConfig, ProviderKind};
use aish_llm::{Context, Llm, Source, clock::SystemClock};
use anyhow::{Context as _, bail};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};

struct Args {
    iterations: usize,
    clients: usize,
    seconds: f64,
    timeout: f64,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        iterations: 2000,
        clients: 32,
        seconds: 3.0,
        timeout: 0.5,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().with_context(|| format!("{k} needs a value"));
        match k.as_str() {
            "--iterations" => a.iterations = v()?.parse()?,
            "--clients" => a.clients = v()?.parse()?,
            "--seconds" => a.seconds = v()?.parse()?,
            "--timeout" => a.timeout = v()?.parse()?,
            _ => bail!(
                "unknown argument {k:?} (usage: bench [--iterations N] [--clients N] [--seconds S] [--timeout SECS])"
            ),
        }
    }
    if a.iterations == 0 || a.clients == 0 || a.seconds <= 0.0 || a.timeout <= 0.0 {
        bail!("--iterations, --clients, --seconds and --timeout must be positive");
    }
    Ok(a)
}

/// A keep-alive HTTP/1.1 server answering every POST in the OpenAI chat
/// completions format with a `{command, explanation}` JSON text.
async fn openai_server() -> anyhow::Result<String> {
    let l = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/v1", l.local_addr()?);
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            tokio::spawn(serve_http(s));
        }
    });
    Ok(url)
}

async fn serve_http(mut s: TcpStream) {
    let _ = s.set_nodelay(true);
    let text = json!({"command": "ls -la", "explanation": "lists the files"}).to_string();
    let body = json!({"id": "bench", "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]})
    .to_string();
    let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    loop {
        let n = match s.read(&mut tmp).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf.extend_from_slice(&tmp[..n]);
        while let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() < i + 4 + len {
                break;
            }
            buf.drain(..i + 4 + len);
            if s.write_all(reply.as_bytes()).await.is_err() {
                return;
            }
        }
    }
}

fn provider(name: &str, url: &str) -> ProviderConfig {
    ProviderConfig {
        name: name.into(),
        kind: ProviderKind::Openai,
        base_url: url.into(),
        model: Some("bench-model".into()),
        advanced_model: None,
        api_key_file: None,
        credential: None,
        api_key_env: None,
    }
}

fn quantile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Requests of everyday shapes; a counter makes each one distinct.
const REQUESTS: &[&str] = &[
    "show disk usage",
    "list files in the current directory",
    "find files larger than 100 MB",
    "show running processes",
    "show free memory",
    "count lines in file.txt",
    "show the ip address",
    "search for error in log.txt",
    "show the current directory",
    "compress the folder logs",
];

/// aish's pipeline: the LLM layer ending at the offline translator, then
/// the danger analysis of the command, whatever its source.
async fn pipeline(
    llm: &Llm,
    tr: &aish::translate::Translator,
    req: &str,
    ctx: &Context,
) -> anyhow::Result<(aish_llm::Answer, aish::danger::Level)> {
    let a = llm
        .answer(req, ctx, |r, _| {
            match tr
                .translate(r, &aish::translate::Context::default())
                .into_iter()
                .next()
            {
                Some(c) => (c.command, c.description),
                None => (String::new(), String::new()),
            }
        })
        .await?;
    let level = aish::danger::check(&a.command).level;
    Ok((a, level))
}

fn base_config(timeout: f64) -> LlmConfig {
    let mut cfg = LlmConfig {
        timeout,
        connect_timeout: timeout,
        ..LlmConfig::default()
    };
    // Limits stay on (their code runs) but never bind in the bench.
    cfg.rate_limit.rpm = 10_000_000;
    cfg.rate_limit.burst = 10_000_000;
    cfg.rate_limit.user_rpm = 10_000_000;
    cfg.rate_limit.user_burst = 10_000_000;
    cfg.cache.size = 100_000;
    cfg
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    let url = openai_server().await?;
    let tr = aish::translate::Translator::new();
    let ctx = Context {
        distribution: "debian".into(),
        package_manager: "apt".into(),
        cwd_kind: "home".into(),
        user: "1000".into(),
        extra: vec![],
    };

    // 1. Cache hits.
    let mut cfg = base_config(a.timeout);
    cfg.providers = vec![provider("loopback", &url)];
    let llm = Llm::with_keys(cfg, vec![None], Arc::new(SystemClock::default()))?;
    let (first, _) = pipeline(&llm, &tr, "show disk usage", &ctx).await?;
    if !matches!(first.source, Source::Provider { .. }) {
        bail!(
            "the loopback provider did not answer (source: {})",
            first.source
        );
    }
    let mut hits = Vec::with_capacity(a.iterations);
    for _ in 0..a.iterations {
        let t = Instant::now();
        let (ans, _) = pipeline(&llm, &tr, "show disk usage", &ctx).await?;
        hits.push(ms(t.elapsed()));
        if !matches!(ans.source, Source::Cache { .. }) {
            bail!("expected a cache hit, got {}", ans.source);
        }
    }
    let cache_hit_p50 = quantile(&mut hits, 0.5);
    eprintln!(
        "cache hit: p50 {:.4} ms, p99 {:.4} ms over {} requests",
        cache_hit_p50,
        quantile(&mut hits, 0.99),
        a.iterations
    );

    // 2. Overhead: the pipeline on cache misses minus the raw round trip of
    // the same request body to the same server, paired and interleaved.
    let raw_client = reqwest::Client::builder()
        .pool_max_idle_per_host(8)
        .build()?;
    let body = {
        let prompt = llm.prompt("show disk usage", &ctx);
        json!({"model": "bench-model", "messages": [
            {"role": "system", "content": aish_llm::contract::SYSTEM_PROMPT},
            {"role": "user", "content": prompt}], "temperature": 0, "stream": false})
        .to_string()
    };
    let endpoint = format!("{url}/chat/completions");
    let (mut raw, mut pipe, mut over) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..a.iterations + 50 {
        let req = format!("{} {i}", REQUESTS[i % REQUESTS.len()]);
        let t = Instant::now();
        let r = raw_client
            .post(&endpoint)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await?
            .bytes()
            .await?;
        let raw_ms = ms(t.elapsed());
        anyhow::ensure!(!r.is_empty(), "empty raw reply");
        let t = Instant::now();
        let (ans, _) = pipeline(&llm, &tr, &req, &ctx).await?;
        let pipe_ms = ms(t.elapsed());
        if !matches!(ans.source, Source::Provider { .. }) {
            bail!("expected a provider answer, got {}", ans.source);
        }
        if i >= 50 {
            // The first 50 pairs warm both connection pools.
            raw.push(raw_ms);
            pipe.push(pipe_ms);
            over.push(pipe_ms - raw_ms);
        }
    }
    let (over_p50, over_p99) = (quantile(&mut over, 0.5), quantile(&mut over, 0.99));
    eprintln!(
        "raw round trip: p50 {:.3} ms, p99 {:.3} ms; pipeline: p50 {:.3} ms, p99 {:.3} ms",
        quantile(&mut raw, 0.5),
        quantile(&mut raw, 0.99),
        quantile(&mut pipe, 0.5),
        quantile(&mut pipe, 0.99)
    );
    eprintln!(
        "overhead (pipeline minus raw, paired): p50 {over_p50:.3} ms, p99 {over_p99:.3} ms over {} pairs",
        a.iterations
    );

    // 3. Outage: one provider refuses connections, one accepts and never
    // answers. After the breakers open, every request must still be answered
    // by the offline translator.
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        let port = l.local_addr()?.port();
        drop(l);
        format!("http://127.0.0.1:{port}/v1")
    };
    let hole = TcpListener::bind("127.0.0.1:0").await?;
    let hole_url = format!("http://{}/v1", hole.local_addr()?);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = hole.accept().await {
            held.push(s);
        }
    });
    let mut cfg = base_config(a.timeout);
    cfg.circuit_breaker.threshold = 2;
    cfg.circuit_breaker.recovery_timeout = 600.0;
    cfg.retry.max_attempts = 2;
    cfg.retry.base_delay = 0.01;
    cfg.retry.deadline = a.timeout * 1.5;
    cfg.providers = vec![
        provider("refused", &refused),
        provider("blackhole", &hole_url),
    ];
    let llm = Llm::with_keys(cfg, vec![None, None], Arc::new(SystemClock::default()))?;
    let t = Instant::now();
    let mut warm = 0;
    loop {
        let open = llm
            .stats()
            .providers
            .values()
            .all(|p| p.breaker == aish_llm::breaker::StateName::Open);
        if open {
            break;
        }
        if warm >= 20 {
            bail!("the breakers did not open after {warm} requests");
        }
        pipeline(&llm, &tr, &format!("warm up {warm}"), &ctx).await?;
        warm += 1;
    }
    eprintln!(
        "outage: both breakers open after {warm} requests ({:.0} ms)",
        ms(t.elapsed())
    );
    let n = a.iterations.min(500);
    let (mut lat, mut answered) = (Vec::new(), 0usize);
    for i in 0..n {
        let req = format!("{} {i}", REQUESTS[i % REQUESTS.len()]);
        let t = Instant::now();
        let (ans, _) = pipeline(&llm, &tr, &req, &ctx).await?;
        lat.push(ms(t.elapsed()));
        if ans.source == Source::Offline && !ans.command.trim().is_empty() {
            answered += 1;
        }
    }
    let outage_ratio = answered as f64 / n as f64;
    let outage_p95 = quantile(&mut lat, 0.95);
    eprintln!(
        "outage: {answered}/{n} answered by the offline translator, p95 {outage_p95:.3} ms (timeout {} ms)",
        a.timeout * 1000.0
    );

    // 4. Clients through aishd's socket on cache hits.
    let mut cfg = base_config(a.timeout);
    cfg.providers = vec![provider("loopback", &url)];
    let llm = Llm::with_keys(cfg, vec![None], Arc::new(SystemClock::default()))?;
    let dir = tempfile::tempdir()?;
    let sock = dir.path().join("aishd.sock");
    let listener = UnixListener::bind(&sock)?;
    let daemon = Arc::new(aishd::Daemon::new(Arc::new(llm)));
    tokio::spawn(aishd::serve(listener, daemon, std::future::pending()));
    let line = format!(
        "{}\n",
        json!({"op": "submit", "request": "show disk usage", "context": ctx})
    );
    {
        let mut c = BufReader::new(UnixStream::connect(&sock).await?);
        c.get_mut().write_all(line.as_bytes()).await?;
        let mut r = String::new();
        c.read_line(&mut r).await?;
        anyhow::ensure!(r.contains("\"ok\":true"), "aishd refused: {r}");
    }
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(a.seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..a.clients {
        let (sock, line, done) = (sock.clone(), line.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = BufReader::new(UnixStream::connect(&sock).await?);
            let mut r = String::new();
            while Instant::now() < deadline {
                c.get_mut().write_all(line.as_bytes()).await?;
                r.clear();
                if c.read_line(&mut r).await? == 0 {
                    bail!("aishd closed the connection");
                }
                anyhow::ensure!(r.contains("\"kind\":\"cache\""), "not a cache hit: {r}");
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let secs = start.elapsed().as_secs_f64();
    let total = done.load(Ordering::Relaxed);
    let rps = total as f64 / secs;
    eprintln!(
        "aishd: {total} submits by {} clients in {secs:.2} s: {rps:.0} rps",
        a.clients
    );

    println!(
        "{}",
        json!({
            "cache_hit_p50_ms": round3(cache_hit_p50),
            "overhead_p50_ms": round3(over_p50),
            "overhead_p99_ms": round3(over_p99),
            "outage_answered_ratio": round3(outage_ratio),
            "outage_p95_ms": round3(outage_p95),
            "outage_timeout_ms": round3(a.timeout * 1000.0),
            "clients_rps": rps.round(),
        })
    );
    Ok(())
}
