//! `lff-bench`: load against a running server, over the public API only.
//! B1 (fan-out latency to many subscribers), B2 (memory per idle subscribed
//! socket), B3 (durable posting rate), B5 (search latency and freshness),
//! B6 (file transfer up and down) and B8 (a live Q&A's upvotes). See
//! `bench/README.md`; results go to `docs/BENCHMARKS.md`.
//!
//! It signs in as a demo teacher and one of their students, opens a space,
//! and measures from the client side; server CPU and memory are read from
//! `/proc/<pid>` when `--server-pid` is given. It is not a test: it asserts
//! nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};

mod qa;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

#[derive(Parser)]
struct Cli {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The server's process id, to read its CPU time and memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// A teacher of the demo network and one of their students.
    #[arg(long, default_value = "teacher.yerevan12")]
    teacher: String,
    #[arg(long, default_value = "yerevan12.p01")]
    student: String,
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// B1: N subscribers to one space; a poster sends M messages per second.
    Fanout {
        #[arg(long, default_value_t = 1000)]
        subscribers: usize,
        #[arg(long, default_value_t = 10)]
        rate: u64,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// B2: N idle sockets, each with one space subscription.
    Idle {
        #[arg(long, default_value_t = 1000)]
        subscribers: usize,
    },
    /// B6: a file of N MiB up (the resumable path, one request) and down
    /// through the server, several times.
    Transfer {
        #[arg(long, default_value_t = 100)]
        mib: u64,
        #[arg(long, default_value_t = 3)]
        runs: u64,
    },
    /// B5: the queries of a file (query TAB filter-JSON per line), one at a
    /// time, several rounds, through GraphQL as a demo teacher; then how
    /// soon a new material is found after its commit.
    Search {
        #[arg(long, default_value = "bench/search-queries.tsv")]
        queries: std::path::PathBuf,
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// B8: a live Q&A: N students follow an event's room and each upvotes
    /// one of Q questions, R upvotes a second in all.
    Qa {
        #[arg(long, default_value_t = 500)]
        participants: usize,
        #[arg(long, default_value_t = 10)]
        questions: usize,
        #[arg(long, default_value_t = 50)]
        rate: u64,
    },
    /// B3: K concurrent posters, as fast as the server takes them.
    Post {
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
}

struct Setup {
    http: reqwest::Client,
    url: String,
    teacher: String,
    student: String,
    space: String,
    channel: String,
}

async fn gql(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    vars: Value,
) -> Value {
    let mut req = http
        .post(format!("{url}/graphql"))
        .json(&json!({ "query": query, "variables": vars }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let v: Value = req
        .send()
        .await
        .expect("server answers")
        .json()
        .await
        .expect("JSON");
    assert!(v["errors"].is_null(), "{v}");
    v["data"].clone()
}

async fn login(http: &reqwest::Client, url: &str, who: &str, password: &str) -> String {
    let d = gql(
        http,
        url,
        None,
        "mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token } }",
        json!({ "l": who, "p": password }),
    )
    .await;
    d["login"]["token"].as_str().unwrap().to_owned()
}

async fn setup(cli: &Cli) -> Setup {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let teacher = login(&http, &cli.url, &cli.teacher, "demo-password-2026").await;
    let student = login(&http, &cli.url, &cli.student, "pupil-2026").await;
    let me = gql(&http, &cli.url, Some(&student), "{ me { id } }", json!({})).await;
    let d = gql(
        &http,
        &cli.url,
        Some(&teacher),
        "mutation { createSpace(input: { title: \"Benchmark\", topic: \"Load\", languages: [\"en\"] }) { id channels { id kind } } }",
        json!({}),
    )
    .await;
    let space = d["createSpace"]["id"].as_str().unwrap().to_owned();
    let channel = d["createSpace"]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "GENERAL")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    gql(
        &http,
        &cli.url,
        Some(&teacher),
        "mutation($s: ID!, $u: [ID!]!) { addSpaceStudents(spaceId: $s, studentIds: $u) { id } }",
        json!({ "s": space, "u": [me["me"]["id"]] }),
    )
    .await;
    Setup {
        http,
        url: cli.url.clone(),
        teacher,
        student,
        space,
        channel,
    }
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A socket past `connection_ack`, subscribed to the space's messages.
async fn subscriber(s: &Setup) -> Socket {
    socket(
        &s.url,
        &s.student,
        "subscription($s: ID!) { spaceEvents(spaceId: $s) { __typename ... on MessagePosted { message { body } } } }",
        json!({ "s": s.space }),
    )
    .await
}

/// A socket signed in with `token`, past `connection_ack`, with one subscription.
async fn socket(url: &str, token: &str, query: &str, variables: Value) -> Socket {
    let ws_url = url.replacen("http", "ws", 1) + "/graphql/ws";
    let mut req = ws_url.into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("socket opens");
    let init = json!({ "type": "connection_init", "payload": { "token": token } });
    ws.send(Message::text(init.to_string())).await.unwrap();
    loop {
        if let Some(Ok(Message::Text(t))) = ws.next().await
            && t.as_str().contains("connection_ack")
        {
            break;
        }
    }
    let sub = json!({ "type": "subscribe", "id": "1", "payload": {
        "query": query, "variables": variables } });
    ws.send(Message::text(sub.to_string())).await.unwrap();
    ws
}

async fn open_subscribers(s: &Setup, n: usize) -> Vec<Socket> {
    let mut out = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        let opened = futures::future::join_all(chunk.iter().map(|_| subscriber(s))).await;
        out.extend(opened);
    }
    out
}

async fn post(s: &Setup, body: String) -> Duration {
    let start = Instant::now();
    gql(
        &s.http,
        &s.url,
        Some(&s.teacher),
        "mutation($c: ID!, $b: String!) { postMessage(channelId: $c, body: $b) { id } }",
        json!({ "c": s.channel, "b": body }),
    )
    .await;
    start.elapsed()
}

/// The body's send time, written as `t<nanoseconds>` at its start.
fn sent_at(frame: &str) -> Option<u64> {
    let i = frame.find("\"body\":\"t")? + 9;
    let digits: String = frame[i..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

struct Proc {
    pid: Option<u32>,
}

impl Proc {
    fn cpu_ticks(&self) -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid?)).ok()?;
        let rest = &stat[stat.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        Some(f[11].parse::<u64>().ok()? + f[12].parse::<u64>().ok()?)
    }

    fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid?)).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(ns: u64) -> String {
    format!("{:.2} ms", ns as f64 / 1e6)
}

async fn fanout(s: Setup, proc_: Proc, n: usize, rate: u64, seconds: u64) {
    let sockets = open_subscribers(&s, n).await;
    let latencies = Arc::new(Mutex::new(Vec::<u64>::with_capacity(
        n * (rate * seconds) as usize,
    )));
    let received = Arc::new(AtomicU64::new(0));
    let expected = rate * seconds;
    let mut readers = Vec::new();
    for mut ws in sockets {
        let (latencies, received) = (latencies.clone(), received.clone());
        readers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut got = 0;
            while got < expected {
                match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
                    Ok(Some(Ok(Message::Text(t)))) => {
                        if let Some(at) = sent_at(t.as_str()) {
                            mine.push(now_ns().saturating_sub(at));
                            got += 1;
                        }
                    }
                    Ok(Some(Ok(_))) => {}
                    _ => break,
                }
            }
            received.fetch_add(got, Ordering::Relaxed);
            latencies.lock().await.extend(mine);
        }));
    }
    // Let every subscription register before measuring.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (cpu0, t0) = (proc_.cpu_ticks(), Instant::now());
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    for _ in 0..expected {
        tick.tick().await;
        let s = &s;
        post(s, format!("t{}", now_ns())).await;
    }
    for r in readers {
        let _ = r.await;
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = proc_
        .cpu_ticks()
        .zip(cpu0)
        .map(|(a, b)| (a - b) as f64 / 100.0 / elapsed);
    let mut l = latencies.lock().await.clone();
    l.sort_unstable();
    let got = received.load(Ordering::Relaxed);
    println!(
        "B1 subscribers={n} rate={rate}/s messages={expected}: delivered {got} of {} ({:.0} deliveries/s); latency p50 {} p99 {} max {}; server CPU {} cores; server RSS {} MiB",
        expected * n as u64,
        got as f64 / elapsed,
        ms(percentile(&l, 0.5)),
        ms(percentile(&l, 0.99)),
        ms(*l.last().unwrap_or(&0)),
        cpu.map(|c| format!("{c:.2}")).unwrap_or("?".into()),
        proc_
            .rss_kib()
            .map(|k| (k / 1024).to_string())
            .unwrap_or("?".into()),
    );
}

async fn idle(s: Setup, proc_: Proc, n: usize) {
    // A first message pays once for what is not per socket (the database's
    // caches, the search indexer's buffers): post one and wait until it is
    // searchable before taking the first measure.
    let word = format!("warmup{}", now_ns());
    post(&s, word.clone()).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let d = gql(
            &s.http,
            &s.url,
            Some(&s.teacher),
            "query($q: String!) { search(query: $q) { totalCount } }",
            json!({ "q": word }),
        )
        .await;
        if d["search"]["totalCount"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before = proc_.rss_kib();
    let mut sockets = open_subscribers(&s, n).await;
    // One message that every socket must receive proves all are subscribed.
    tokio::time::sleep(Duration::from_secs(1)).await;
    post(&s, format!("t{}", now_ns())).await;
    let mut missing = 0;
    for ws in &mut sockets {
        let mut ok = false;
        while let Ok(Some(Ok(m))) = tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            if let Message::Text(t) = m
                && sent_at(t.as_str()).is_some()
            {
                ok = true;
                break;
            }
        }
        missing += usize::from(!ok);
    }
    let after = proc_.rss_kib();
    match before.zip(after) {
        Some((b, a)) => println!(
            "B2 idle subscribed sockets={n} (missing {missing}): server RSS {} → {} MiB, {:.1} KiB per socket",
            b / 1024,
            a / 1024,
            (a.saturating_sub(b)) as f64 / n as f64
        ),
        None => println!("B2 needs --server-pid"),
    }
}

async fn posting(s: Setup, proc_: Proc, k: usize, seconds: u64) {
    let s = Arc::new(s);
    let stop = Instant::now() + Duration::from_secs(seconds);
    let (cpu0, t0) = (proc_.cpu_ticks(), Instant::now());
    let mut tasks = Vec::new();
    for _ in 0..k {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut l = Vec::new();
            while Instant::now() < stop {
                l.push(
                    post(
                        &s,
                        "A message of ordinary length about our river project.".into(),
                    )
                    .await
                    .as_nanos() as u64,
                );
            }
            l
        }));
    }
    let mut l = Vec::new();
    for t in tasks {
        l.extend(t.await.unwrap());
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = proc_
        .cpu_ticks()
        .zip(cpu0)
        .map(|(a, b)| (a - b) as f64 / 100.0 / elapsed);
    l.sort_unstable();
    println!(
        "B3 posters={k}: {} messages in {elapsed:.1} s = {:.0} messages/s; request p50 {} p99 {}; server CPU {} cores",
        l.len(),
        l.len() as f64 / elapsed,
        ms(percentile(&l, 0.5)),
        ms(percentile(&l, 0.99)),
        cpu.map(|c| format!("{c:.2}")).unwrap_or("?".into()),
    );
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let s = setup(&cli).await;
    let proc_ = Proc {
        pid: cli.server_pid,
    };
    match cli.what {
        What::Fanout {
            subscribers,
            rate,
            seconds,
        } => fanout(s, proc_, subscribers, rate, seconds).await,
        What::Idle { subscribers } => idle(s, proc_, subscribers).await,
        What::Post {
            concurrency,
            seconds,
        } => posting(s, proc_, concurrency, seconds).await,
        What::Transfer { mib, runs } => transfer(s, proc_, mib, runs).await,
        What::Search { queries, rounds } => search(s, proc_, &queries, rounds).await,
        What::Qa {
            participants,
            questions,
            rate,
        } => qa::run(s, proc_, participants, questions, rate).await,
    }
}

const SEARCH: &str = "query($q: String!, $f: SearchFilter) { search(query: $q, filter: $f, first: 20) { \
    totalCount facets { name values { value count } } edges { node { score highlights { html } \
    result { ... on Material { id title } ... on School { id } ... on Space { id } ... on Message { id } } } } } }";

async fn search(s: Setup, p: Proc, file: &std::path::Path, rounds: usize) {
    let text = std::fs::read_to_string(file).expect("the query file");
    let queries: Vec<(String, Value)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (q, f) = l.split_once('\t').unwrap_or((l, "{}"));
            (q.to_owned(), serde_json::from_str(f).expect("filter JSON"))
        })
        .collect();
    // Once through to warm the caches, then the measured rounds.
    let mut hits = 0u64;
    for (q, f) in &queries {
        let d = gql(
            &s.http,
            &s.url,
            Some(&s.teacher),
            SEARCH,
            json!({ "q": q, "f": f }),
        )
        .await;
        hits += d["search"]["totalCount"].as_u64().unwrap_or(0);
    }
    let cpu0 = p.cpu_ticks();
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(queries.len() * rounds);
    for _ in 0..rounds {
        for (q, f) in &queries {
            let t = Instant::now();
            gql(
                &s.http,
                &s.url,
                Some(&s.teacher),
                SEARCH,
                json!({ "q": q, "f": f }),
            )
            .await;
            latencies.push(t.elapsed().as_nanos() as u64);
        }
    }
    let wall = started.elapsed();
    latencies.sort_unstable();
    println!(
        "B5 search: {} queries x {rounds} rounds, one at a time: p50 {} p95 {} p99 {} max {}; {:.0} queries/s; {:.1} results per query on average",
        queries.len(),
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.95)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap_or(&0)),
        latencies.len() as f64 / wall.as_secs_f64(),
        hits as f64 / queries.len() as f64,
    );
    if let (Some(a), Some(b)) = (cpu0, p.cpu_ticks()) {
        // Clock ticks are 10 ms.
        println!(
            "B5 search: server CPU {:.2} ms per query",
            (b - a) as f64 * 10.0 / latencies.len() as f64
        );
    }
    // A new material, published, until a search finds it.
    let d = gql(
        &s.http,
        &s.url,
        Some(&s.teacher),
        "{ me { school { id } } }",
        json!({}),
    )
    .await;
    let school = d["me"]["school"]["id"].as_str().unwrap().to_owned();
    let mut delays = Vec::new();
    for i in 0..10 {
        let word = format!("benchword{}x{i}", now_ns() % 1_000_000_007);
        let d = gql(
            &s.http,
            &s.url,
            Some(&s.teacher),
            "mutation($i: CreateMaterialInput!) { createMaterial(input: $i) { id } }",
            json!({ "i": { "schoolId": school, "material": { "title": format!("Fresh {word}"), "languages": ["en"], "visibility": "NETWORK" } } }),
        )
        .await;
        let id = d["createMaterial"]["id"].as_str().unwrap().to_owned();
        gql(
            &s.http,
            &s.url,
            Some(&s.teacher),
            "mutation($id: ID!) { publishMaterial(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
        let committed = Instant::now();
        loop {
            let d = gql(
                &s.http,
                &s.url,
                Some(&s.teacher),
                SEARCH,
                json!({ "q": format!("\"{word}\""), "f": {} }),
            )
            .await;
            if d["search"]["totalCount"].as_u64() == Some(1) {
                break;
            }
            assert!(committed.elapsed() < Duration::from_secs(30), "never found");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        delays.push(committed.elapsed().as_nanos() as u64);
    }
    delays.sort_unstable();
    println!(
        "B5 freshness: a published material is found {} after its commit (median of 10; max {})",
        ms(percentile(&delays, 0.5)),
        ms(*delays.last().unwrap_or(&0)),
    );
}

/// Samples the server's resident memory every 5 ms until stopped; returns the peak.
fn watch_rss(
    pid: Option<u32>,
) -> (
    Arc<std::sync::atomic::AtomicBool>,
    tokio::task::JoinHandle<u64>,
) {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let handle = tokio::spawn(async move {
        let p = Proc { pid };
        let mut peak = 0;
        while !flag.load(Ordering::Relaxed) {
            peak = peak.max(p.rss_kib().unwrap_or(0));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        peak
    });
    (stop, handle)
}

async fn transfer(s: Setup, p: Proc, mib: u64, runs: u64) {
    use sha2::Digest;
    let d = gql(
        &s.http,
        &s.url,
        Some(&s.teacher),
        "{ me { school { id } } }",
        json!({}),
    )
    .await;
    let school = d["me"]["school"]["id"].as_str().unwrap().to_owned();
    let d = gql(
        &s.http,
        &s.url,
        Some(&s.teacher),
        "mutation($s: ID) { createMaterial(input: { schoolId: $s, material: { title: \"Benchmark video\" } }) { id } }",
        json!({ "s": school }),
    )
    .await;
    let material = d["createMaterial"]["id"].as_str().unwrap().to_owned();
    let size = mib << 20;
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut content: Vec<u8> = (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    for run in 0..runs {
        // Different bytes each run: identical ones would be stored once.
        content[..8].copy_from_slice(&(run ^ now_ns()).to_le_bytes());
        let sha = hex(&sha2::Sha256::digest(&content));
        let body = bytes::Bytes::from(content.clone());
        let d = gql(
            &s.http,
            &s.url,
            Some(&s.teacher),
            "mutation($m: ID!, $n: Float!, $h: String!) { startUpload(input: { materialId: $m, name: \"bench.bin\", size: $n, sha256: $h }) { id } }",
            json!({ "m": material, "n": size, "h": sha }),
        )
        .await;
        let upload = d["startUpload"]["id"].as_str().unwrap().to_owned();
        let base = p.rss_kib().unwrap_or(0);
        let (stop, peak) = watch_rss(p.pid);
        let t0 = Instant::now();
        let r = s
            .http
            .patch(format!("{}/uploads/{upload}", s.url))
            .bearer_auth(&s.teacher)
            .header("upload-offset", "0")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let t_patch = t0.elapsed();
        let d = gql(
            &s.http,
            &s.url,
            Some(&s.teacher),
            "mutation($u: ID!) { finishUpload(id: $u) { url } }",
            json!({ "u": upload }),
        )
        .await;
        let up = t0.elapsed();
        let url = d["finishUpload"]["url"].as_str().unwrap().to_owned();
        let t1 = Instant::now();
        let r = s
            .http
            .get(format!("{}{url}", s.url))
            .bearer_auth(&s.teacher)
            .send()
            .await
            .unwrap();
        let mut stream = r.bytes_stream();
        let mut got = 0u64;
        while let Some(c) = stream.next().await {
            got += c.unwrap().len() as u64;
        }
        let down = t1.elapsed();
        stop.store(true, Ordering::Relaxed);
        let peak = peak.await.unwrap();
        assert_eq!(got, size);
        let mb = size as f64 / 1e6;
        println!(
            "B6 run {run}: {mib} MiB up {:.0} MB/s ({:.2} s: sending {:.2} s, finishing {:.2} s), down {:.0} MB/s ({:.2} s); server RSS {} MiB before, peak {} MiB (+{} MiB)",
            mb / up.as_secs_f64(),
            up.as_secs_f64(),
            t_patch.as_secs_f64(),
            (up - t_patch).as_secs_f64(),
            mb / down.as_secs_f64(),
            down.as_secs_f64(),
            base / 1024,
            peak / 1024,
            peak.saturating_sub(base) / 1024,
        );
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
