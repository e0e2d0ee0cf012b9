//! B8: a live Q&A. A demo teacher creates N students of their school,
//! each signs in, follows the room of an event the teacher runs live for
//! the school, and upvotes one of Q questions; R upvotes a second in all.
//! Every upvote reaches every participant: N × N deliveries. Latency runs
//! from sending an upvote to its receipt by each participant (an upvote is
//! known by its question and the count it made).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::{Proc, Setup, gql, ms, percentile, socket};

const LIVE: &str = "subscription($e: ID!, $a: String) { eventLive(eventId: $e, after: $a) { kind questionId votes } }";

/// Signs a student in as if from their own school's address (the server
/// must trust the bench as a proxy: `LFF_TRUSTED_PROXIES=127.0.0.1`), so
/// the per-address sign-in budget does not pace the set-up.
async fn student_login(s: &Setup, i: usize, login: &str, password: &str) -> String {
    let v: Value = s
        .http
        .post(format!("{}/graphql", s.url))
        .header(
            "X-Forwarded-For",
            format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255),
        )
        .json(&json!({
            "query": "mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token } }",
            "variables": { "l": login, "p": password },
        }))
        .send()
        .await
        .expect("server answers")
        .json()
        .await
        .expect("JSON");
    v["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("sign-in failed: {v}"))
        .to_owned()
}

pub async fn run(s: Setup, proc_: Proc, n: usize, questions: usize, rate: u64) {
    let t = Some(s.teacher.as_str());
    let me = gql(&s.http, &s.url, t, "{ me { school { id } } }", json!({})).await;
    let school = me["me"]["school"]["id"].as_str().unwrap().to_owned();

    // N students of the teacher's school, signed in.
    let stamp = crate::now_ns();
    let mut creds: Vec<(String, String)> = Vec::with_capacity(n);
    let names: Vec<String> = (0..n).map(|i| format!("Pupil {stamp} {i}")).collect();
    for chunk in names.chunks(200) {
        let d = gql(
            &s.http,
            &s.url,
            t,
            "mutation($i: CreateStudentsInput!) { createStudents(input: $i) { login password } }",
            json!({ "i": { "classLabel": "QA", "displayNames": chunk } }),
        )
        .await;
        for c in d["createStudents"].as_array().unwrap() {
            creds.push((
                c["login"].as_str().unwrap().to_owned(),
                c["password"].as_str().unwrap().to_owned(),
            ));
        }
    }
    let t0 = Instant::now();
    let mut tokens: Vec<String> = Vec::with_capacity(n);
    for (k, chunk) in creds.chunks(16).enumerate() {
        let logged = futures::future::join_all(
            chunk
                .iter()
                .enumerate()
                .map(|(j, (l, p))| student_login(&s, k * 16 + j, l, p)),
        )
        .await;
        tokens.extend(logged);
    }
    eprintln!(
        "{n} students signed in in {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    // The teacher's live session for the school.
    let start = chrono::Utc::now() + chrono::Duration::minutes(5);
    let d = gql(
        &s.http,
        &s.url,
        t,
        "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
        json!({ "i": {
            "kind": "WEBINAR", "title": "Benchmark Q&A", "timeZone": "Asia/Yerevan",
            "startsAt": start.to_rfc3339(), "endsAt": (start + chrono::Duration::hours(1)).to_rfc3339(),
            "joinUrl": "https://meet.example/bench",
            "audience": { "kind": "SCHOOLS", "schools": [school] },
        } }),
    )
    .await;
    let event = d["createEvent"]["id"].as_str().unwrap().to_owned();
    gql(
        &s.http,
        &s.url,
        t,
        "mutation($e: ID!) { startLive(eventId: $e) { status } }",
        json!({ "e": event }),
    )
    .await;
    let mut qids = Vec::with_capacity(questions);
    for k in 0..questions {
        let d = gql(
            &s.http,
            &s.url,
            Some(&tokens[k % n]),
            "mutation($e: ID!, $b: String!) { askQuestion(eventId: $e, body: $b) { id } }",
            json!({ "e": event, "b": format!("Question number {k}?") }),
        )
        .await;
        qids.push(d["askQuestion"]["id"].as_str().unwrap().to_owned());
    }
    let head = gql(
        &s.http,
        &s.url,
        t,
        "query($e: ID!) { event(id: $e) { live { head } } }",
        json!({ "e": event }),
    )
    .await["event"]["live"]["head"]
        .as_str()
        .unwrap()
        .to_owned();

    // Every participant follows the room.
    let mut sockets = Vec::with_capacity(n);
    for chunk in tokens.chunks(100) {
        let opened = futures::future::join_all(
            chunk
                .iter()
                .map(|tok| socket(&s.url, tok, LIVE, json!({ "e": event, "a": head }))),
        )
        .await;
        sockets.extend(opened);
    }
    let votes_expected = n as u64;
    let mut readers = Vec::with_capacity(n);
    for mut ws in sockets {
        readers.push(tokio::spawn(async move {
            let mut got: Vec<((String, u64), Instant)> = Vec::with_capacity(n);
            while (got.len() as u64) < votes_expected {
                match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
                    Ok(Some(Ok(Message::Text(t)))) => {
                        let at = Instant::now();
                        if !t.as_str().contains("QUESTION_VOTED") {
                            continue;
                        }
                        let v: Value = serde_json::from_str(t.as_str()).unwrap();
                        let e = &v["payload"]["data"]["eventLive"];
                        let key = (
                            e["questionId"].as_str().unwrap_or("").to_owned(),
                            e["votes"].as_u64().unwrap_or(0),
                        );
                        got.push((key, at));
                    }
                    Ok(Some(Ok(Message::Ping(p)))) => {
                        let _ = ws.send(Message::Pong(p)).await;
                    }
                    Ok(Some(Ok(_))) => {}
                    _ => break,
                }
            }
            got
        }));
    }
    // Let every subscription register (each participant's arrival is
    // logged) before measuring.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let sent: Arc<std::sync::Mutex<HashMap<(String, u64), Instant>>> = Default::default();
    let (cpu0, t1) = (proc_.cpu_ticks(), Instant::now());
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate.max(1)));
    let mut voters = Vec::with_capacity(n);
    let s = Arc::new(s);
    for (i, tok) in tokens.iter().enumerate() {
        tick.tick().await;
        let (s, tok, q, e, sent) = (
            s.clone(),
            tok.clone(),
            qids[i % questions].clone(),
            event.clone(),
            sent.clone(),
        );
        voters.push(tokio::spawn(async move {
            let at = Instant::now();
            let d = gql(
                &s.http,
                &s.url,
                Some(&tok),
                "mutation($e: ID!, $q: ID!) { upvoteQuestion(eventId: $e, questionId: $q) { questionId votes } }",
                json!({ "e": e, "q": q }),
            )
            .await;
            let key = (
                d["upvoteQuestion"]["questionId"].as_str().unwrap().to_owned(),
                d["upvoteQuestion"]["votes"].as_u64().unwrap(),
            );
            sent.lock().unwrap().insert(key, at);
            at.elapsed()
        }));
    }
    let mut requests = Vec::with_capacity(n);
    for v in voters {
        requests.push(v.await.unwrap().as_nanos() as u64);
    }
    let mut lat = Vec::with_capacity(n * n);
    let mut delivered = 0u64;
    let mut receipts = Vec::with_capacity(n);
    for r in readers {
        receipts.push(r.await.unwrap());
    }
    let elapsed = t1.elapsed().as_secs_f64();
    let cpu = proc_
        .cpu_ticks()
        .zip(cpu0)
        .map(|(a, b)| (a - b) as f64 / 100.0 / elapsed);
    let sent = sent.lock().unwrap();
    for got in receipts {
        delivered += got.len() as u64;
        for (key, at) in got {
            if let Some(t) = sent.get(&key) {
                lat.push(at.saturating_duration_since(*t).as_nanos() as u64);
            }
        }
    }
    lat.sort_unstable();
    requests.sort_unstable();
    println!(
        "B8 participants={n} questions={questions} upvotes={n} at {rate}/s: delivered {delivered} of {} ({:.0} deliveries/s); delivery p50 {} p99 {} max {}; upvote request p50 {} p99 {}; server CPU {} cores; server RSS {} MiB",
        n * n,
        delivered as f64 / elapsed,
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(*lat.last().unwrap_or(&0)),
        ms(percentile(&requests, 0.5)),
        ms(percentile(&requests, 0.99)),
        cpu.map(|c| format!("{c:.2}")).unwrap_or("?".into()),
        proc_
            .rss_kib()
            .map(|k| (k / 1024).to_string())
            .unwrap_or("?".into()),
    );
}
