//! The security review's findings, tried from outside: hostile files from a
//! student while another school chats, a student's edits of published work,
//! public files read by many who never read, a suspended school's open
//! sockets, unauthenticated and stalled bodies, connection and socket caps,
//! deep documents, metrics labels, and moderation that reaches
//! notifications and live rooms.

use std::io::Write;
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};

use crate::harness::*;
use crate::materials::{CREATE, nodes, send_resumable, send_small};
use crate::spaces::{Twin, next_of, ok};

/// Runs the calling test again in a child process, with `probe` set, so
/// that the memory it measures is its own; returns the `PROBE` line's
/// numbers.
fn in_child(test: &str, probe: &str) -> Vec<u64> {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(probe, "1")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the probe failed:\n{text}");
    let line = text
        .lines()
        .find_map(|l| l.split_once("PROBE ").map(|(_, r)| r))
        .unwrap_or_else(|| panic!("no result in:\n{text}"));
    line.split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect()
}

/// The most memory this process has held, in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse::<u64>()
        .unwrap()
        / 1024
}

/// A PDF of the given objects (1 is the catalog), with a correct xref table.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        writeln!(out, "{} 0 obj", i + 1).unwrap();
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).unwrap();
    for o in offsets {
        writeln!(out, "{o:010} 00000 n ").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .unwrap();
    out
}

/// lopdf before 0.42 recursed once per nesting level (RUSTSEC-2026-0187):
/// a few hundred KiB of brackets overflowed the stack and aborted the server.
fn deeply_nested_pdf() -> Vec<u8> {
    let depth = 100_000;
    let mut catalog = b"<< /Type /Catalog /Pages 2 0 R /X ".to_vec();
    catalog.extend(std::iter::repeat_n(b'[', depth));
    catalog.extend(std::iter::repeat_n(b']', depth));
    catalog.extend_from_slice(b" >>");
    pdf(&[
        catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".to_vec(),
    ])
}

/// `len` zero bytes, zlib-compressed.
fn zeros_deflated(len: u64) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        z.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
    z.finish().unwrap()
}

fn deflated(bytes: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(bytes).unwrap();
    z.finish().unwrap()
}

/// A page whose content stream is 4 GiB of zeros deflated twice: a few KiB
/// that lopdf 0.36 inflated without limit.
fn chained_deflate_pdf() -> Vec<u8> {
    let stream = deflated(&zeros_deflated(4 << 30));
    let mut content = format!(
        "<< /Length {} /Filter [/FlateDecode /FlateDecode] >>\nstream\n",
        stream.len()
    )
    .into_bytes();
    content.extend_from_slice(&stream);
    content.extend_from_slice(b"\nendstream");
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
        content,
    ])
}

/// A presentation of 700 slides, each a 32 MiB run of one letter that
/// deflates to 32 KiB: about 22 GiB of text from 23 MB.
fn presentation_bomb() -> Vec<u8> {
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut one = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut one);
    z.start_file("ppt/slides/slide1.xml", opts).unwrap();
    z.write_all(b"<p:sld><a:t>").unwrap();
    let run = vec![b'x'; 1 << 20];
    for _ in 0..32 {
        z.write_all(&run).unwrap();
    }
    z.write_all(b"</a:t></p:sld>").unwrap();
    z.finish().unwrap();
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(one.into_inner())).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    // What a presentation starts with, so that its type is recognised.
    for (name, body) in [
        ("[Content_Types].xml", "<Types/>"),
        ("_rels/.rels", "<Relationships/>"),
        ("ppt/_rels/presentation.xml.rels", "<Relationships/>"),
        ("ppt/presentation.xml", "<p:presentation/>"),
    ] {
        z.start_file(name, opts).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    for n in 1..=700 {
        let slide = source.by_index_raw(0).unwrap();
        z.raw_copy_file_rename(slide, format!("ppt/slides/slide{n}.xml"))
            .unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

/// An 11,000 × 11,000 RGBA picture of one colour: 484 MB to decode, 470 KiB sent.
fn image_bomb() -> Vec<u8> {
    let (w, h) = (11_000u32, 11_000u32);
    let chunk = |out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    };
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &zeros_deflated(u64::from(h) * (1 + 4 * u64::from(w))),
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Another school's teacher posts while `upload` runs: the message reaches
/// a subscriber, and the upload itself succeeds.
async fn chat_while(
    t: &Twin,
    chat: &mut Ws,
    n: usize,
    upload: impl std::future::Future<Output = Reply>,
) {
    let line = format!("still here {n}");
    let (r, ()) = tokio::join!(upload, async {
        t.post(&t.teacher_b1, &t.general, &line).await;
        let got = next_of(chat, "MessagePosted").await;
        assert_eq!(got["message"]["body"], line.as_str(), "{got}");
    });
    assert!(r.code().is_none(), "the upload itself succeeds: {}", r.body);
}

const PRESENTATION: &str =
    "application/vnd.openxmlformats-officedocument.presentationml.presentation";
const HOSTILE_PROBE: &str = "LFF_TEST_HOSTILE_PROBE";

/// The review's critical and first high finding, as a student would try
/// them: four hostile files uploaded to a twinning space (three whole, one
/// resumably) while a school of another country chats there. The uploads
/// succeed without text or thumbnail, every chat message arrives while
/// they are being processed, and the process — server and test together —
/// never holds 1 GiB. On the code the review read, the first file aborted
/// the process and the third needed tens of GiB.
#[tokio::test]
async fn hostile_files_from_a_student_leave_the_server_up_and_the_chat_going() {
    if std::env::var_os(HOSTILE_PROBE).is_none() {
        let v = in_child(
            "hardening::hostile_files_from_a_student_leave_the_server_up_and_the_chat_going",
            HOSTILE_PROBE,
        );
        eprintln!("hostile files: the process held at most {} MiB", v[0]);
        assert!(v[0] < 1024, "the process held {} MiB", v[0]);
        return;
    }
    let files = [
        ("nested.pdf", "application/pdf", deeply_nested_pdf()),
        ("slides.pptx", PRESENTATION, presentation_bomb()),
        ("poster.png", "image/png", image_bomb()),
    ];
    let chained = chained_deflate_pdf();
    assert!(files.iter().all(|(_, _, b)| b.len() < 25 * 1024 * 1024));

    let t = Twin::new().await;
    let s = &t.net.s;
    let r = s
        .gql(
            Some(&t.student_a1),
            CREATE,
            json!({ "i": { "spaceId": t.space, "material": { "title": "Our project", "kind": "LESSON_PLAN", "languages": ["ru"], "visibility": "SPACE" } } }),
        )
        .await;
    let material = ok(r).await["createMaterial"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut chat = t.subscribe(&t.teacher_a1, None).await;

    for (n, (name, content_type, bytes)) in files.into_iter().enumerate() {
        let upload = send_small(
            s,
            Some(&t.student_a1),
            &material,
            None,
            name,
            content_type,
            bytes,
        );
        chat_while(&t, &mut chat, n, upload).await;
    }
    let upload = send_resumable(s, &t.student_a1, &material, "chained.pdf", &chained, None);
    chat_while(&t, &mut chat, 4, upload).await;

    // Every file is there. The presentation gives what one document's
    // budget of text allows; the others, which a parser cannot get through
    // within the worker's limits, give nothing.
    let r = s
        .gql(
            Some(&t.student_a1),
            "query($id: ID!) { material(id: $id) { files { edges { node { current { name text thumbnailUrl } } } } } }",
            json!({ "id": material }),
        )
        .await;
    let files = nodes(&r.body["data"]["material"]["files"]);
    assert_eq!(files.len(), 4, "{}", r.body);
    for f in &files {
        assert!(f["current"]["thumbnailUrl"].is_null(), "{f}");
        match f["current"]["name"].as_str().unwrap() {
            "slides.pptx" => {
                let text = f["current"]["text"].as_str().unwrap_or("");
                assert!(text.chars().all(|c| c == 'x'), "{f}");
            }
            _ => assert!(f["current"]["text"].is_null(), "{f}"),
        }
    }
    // An ordinary document still gives its text.
    let r = send_small(
        s,
        Some(&t.student_a1),
        &material,
        None,
        "notes.txt",
        "text/plain",
        "Вода в наших городах".into(),
    )
    .await;
    assert!(r.code().is_none(), "{}", r.body);
    println!("PROBE {}", peak_rss_mib());
}

const FILES_PROBE: &str = "LFF_TEST_PUBLIC_FILES_PROBE";

/// 200 anonymous requests for a 24 MiB public presentation whose readers
/// never read: the server holds a chunk per connection, not the file.
/// The code the review read held the file twice per request (about 10 GB
/// here).
#[tokio::test]
async fn public_visit_card_files_are_streamed_to_readers_who_never_read() {
    if std::env::var_os(FILES_PROBE).is_none() {
        let v = in_child(
            "hardening::public_visit_card_files_are_streamed_to_readers_who_never_read",
            FILES_PROBE,
        );
        eprintln!(
            "200 stalled readers of a 24 MiB file: the process grew {} MiB",
            v[0]
        );
        assert!(v[0] < 300, "the process grew {} MiB", v[0]);
        return;
    }
    let net = Net::new().await;
    let s = &net.s;
    let coord = net.token(Actor::SchoolCoordinator).unwrap().to_owned();
    // A PDF with 24 MiB of padding: a presentation like any other.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.extend(std::iter::repeat_n(b' ', 24 << 20));
    big.extend_from_slice(b"\n%%EOF\n");
    let up = s.upload(Some(&coord), "presentation.pdf", None, big).await;
    let r = s
        .gql(
            Some(&coord),
            "mutation($s: ID!, $f: ID!) { setSchoolPresentation(schoolId: $s, fileId: $f) { visitCard { public presentation { url } } } }",
            json!({ "s": net.a1, "f": up.body["id"] }),
        )
        .await;
    let card = &r.body["data"]["setSchoolPresentation"]["visitCard"];
    assert_eq!(card["public"], true, "{}", r.body);
    let url = card["presentation"]["url"].as_str().unwrap().to_owned();
    let before = crate::spaces::rss_kib() / 1024;
    let mut stalled = Vec::new();
    for _ in 0..200 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut conn = socket.connect(s.addr).await.unwrap();
        tokio::io::AsyncWriteExt::write_all(
            &mut conn,
            format!("GET {url} HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr).as_bytes(),
        )
        .await
        .unwrap();
        stalled.push(conn);
    }
    // Wait until the server has answered every one (its counter says so).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let m = s.metrics().await;
        let served = m
            .lines()
            .filter(|l| l.contains("route=\"/files/{id}\"") && l.contains("status=\"200\""))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>();
        if served >= 200.0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {served} answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let grew = (crate::spaces::rss_kib() / 1024).saturating_sub(before);
    drop(stalled);
    println!("PROBE {grew}");
}

/// A student's own draft is theirs to change; once a teacher published it,
/// only staff change it, and only staff choose who beyond the space reads
/// a material.
#[tokio::test]
async fn a_student_cannot_change_published_work_or_make_anything_public() {
    let t = Twin::new().await;
    let s = &t.net.s;
    let material = |visibility: &'static str| json!({ "i": { "spaceId": t.space, "material": { "title": "Rivers", "kind": "LESSON_PLAN", "languages": ["ru"], "visibility": visibility } } });
    let r = s.gql(Some(&t.student_a1), CREATE, material("PUBLIC")).await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"), "{}", r.body);
    let r = s.gql(Some(&t.student_a1), CREATE, material("SPACE")).await;
    let id = ok(r).await["createMaterial"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let update = |visibility: &'static str, title: &'static str| json!({ "id": id, "m": { "title": title, "kind": "LESSON_PLAN", "languages": ["ru"], "visibility": visibility } });
    const UPDATE: &str = "mutation($id: ID!, $m: MaterialInput!) { updateMaterial(id: $id, input: $m) { title visibility } }";
    let r = s
        .gql(Some(&t.student_a1), UPDATE, update("SPACE", "Rivers, v2"))
        .await;
    assert_eq!(
        r.body["data"]["updateMaterial"]["title"], "Rivers, v2",
        "{}",
        r.body
    );
    let r = s
        .gql(Some(&t.student_a1), UPDATE, update("NETWORK", "Rivers, v3"))
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"), "{}", r.body);

    // The teacher publishes it for the network.
    let r = s
        .gql(Some(&t.teacher_a1), UPDATE, update("NETWORK", "Rivers"))
        .await;
    assert_eq!(
        r.body["data"]["updateMaterial"]["visibility"], "NETWORK",
        "{}",
        r.body
    );
    let r = s
        .gql(
            Some(&t.teacher_a1),
            "mutation($id: ID!) { publishMaterial(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.body["data"]["publishMaterial"]["status"], "PUBLISHED",
        "{}",
        r.body
    );

    // Now the student can neither rewrite it, nor open it up, nor add files.
    for vars in [update("NETWORK", "Rewritten"), update("PUBLIC", "Rivers")] {
        let r = s.gql(Some(&t.student_a1), UPDATE, vars).await;
        assert_eq!(r.code(), Some("FORBIDDEN"), "{}", r.body);
    }
    let r = send_small(
        s,
        Some(&t.student_a1),
        &id,
        None,
        "photo.png",
        "image/png",
        crate::authorization::tiny_png(),
    )
    .await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "{}", r.body);
    let r = s
        .gql(
            Some(&t.student_a1),
            "query($id: ID!) { material(id: $id) { title visibility canEdit fileCount } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.body["data"]["material"],
        json!({ "title": "Rivers", "visibility": "NETWORK", "canEdit": false, "fileCount": 0 })
    );
}

/// Suspending a school signs its people out at once: their open sockets
/// close within 5 s, their tokens stop working, and they cannot sign in
/// until the school is approved again.
#[tokio::test]
async fn a_suspended_schools_sockets_close_and_its_people_stay_out() {
    let t = Twin::new().await;
    let s = &t.net.s;
    let mut teacher = t.subscribe(&t.teacher_b1, None).await;
    let mut student = t.subscribe(&t.student_b1, None).await;
    next_of(&mut student, "PresenceChanged").await;
    let nc = s.token("nc.kz", NET_PASSWORD).await;
    let r = s
        .gql(
            Some(&nc),
            "mutation($id: ID!) { suspendSchool(id: $id, reason: \"Safeguarding review\") { status } }",
            json!({ "id": t.net.b1 }),
        )
        .await;
    assert_eq!(
        r.body["data"]["suspendSchool"]["status"], "SUSPENDED",
        "{}",
        r.body
    );
    for ws in [&mut teacher, &mut student] {
        let (code, _) = close_within(ws, Duration::from_secs(5)).await;
        assert_eq!(code, 4403);
    }
    let r = s
        .gql(
            Some(&t.teacher_b1),
            "mutation($c: ID!) { postMessage(channelId: $c, body: \"still here?\") { id } }",
            json!({ "c": t.general }),
        )
        .await;
    assert_eq!(r.code(), Some("UNAUTHENTICATED"), "{}", r.body);
    let r = s.login("student.b1", NET_STUDENT_PASSWORD).await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "{}", r.body);
    // Approved again, they are back.
    let r = s
        .gql(
            Some(&nc),
            "mutation($id: ID!) { approveSchool(id: $id) { status } }",
            json!({ "id": t.net.b1 }),
        )
        .await;
    assert_eq!(
        r.body["data"]["approveSchool"]["status"], "APPROVED",
        "{}",
        r.body
    );
    s.token("student.b1", NET_STUDENT_PASSWORD).await;
}

/// A multipart body is not read before its token is checked: with a made-up
/// token the answer comes while the body is still on its way.
#[tokio::test]
async fn multipart_bodies_wait_for_a_valid_token_before_a_byte_is_read() {
    let s = spawn().await;
    let never_ends = futures::stream::once(async {
        Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"--b\r\n"))
    })
    .chain(futures::stream::pending());
    let answer = tokio::time::timeout(
        Duration::from_secs(3),
        s.http
            .post(s.url("/graphql"))
            .header("content-type", "multipart/form-data; boundary=b")
            .bearer_auth("lff_made-up-token")
            .body(reqwest::Body::wrap_stream(never_ends))
            .send(),
    )
    .await
    .expect("answered before the body ended")
    .unwrap();
    assert_eq!(answer.status(), 401);
}

/// A body that stops arriving is cut off; a client cannot keep a request
/// open by sending nothing.
#[tokio::test]
async fn a_body_that_stops_arriving_is_cut_off() {
    let s = spawn_with(|c| c.http.body_idle_timeout = Duration::from_secs(1)).await;
    let stalls = futures::stream::once(async {
        Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"{\"query\":"))
    })
    .chain(futures::stream::pending());
    let started = std::time::Instant::now();
    let r = tokio::time::timeout(
        Duration::from_secs(10),
        s.http
            .post(s.url("/graphql"))
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(stalls))
            .send(),
    )
    .await
    .expect("the server gave up on the body")
    .unwrap();
    assert_eq!(r.status(), 408);
    assert!(started.elapsed() < Duration::from_secs(5));
    s.me(&s.admin_token().await).await;
}

/// One address gets a bounded number of connections: past it, a new one is
/// closed before anything is read; the places come back when they close.
#[tokio::test]
async fn connections_are_capped_per_address() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = spawn_with(|c| c.http.max_connections_per_address = 3).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(tokio::net::TcpStream::connect(s.addr).await.unwrap());
    }
    let mut fourth = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let _ = fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(WAIT, fourth.read(&mut buf))
        .await
        .expect("closed in time")
        .unwrap_or(0);
    assert_eq!(n, 0, "the fourth connection is closed unanswered");
    drop(open);
    // The places come back (the server notices the closes at once).
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(r) = s.http.get(s.url("/healthz")).send().await
            && r.status() == 200
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        s.metrics()
            .await
            .contains("lff_connections_refused_total 1")
    );
}

/// One person may hold a bounded number of sockets.
#[tokio::test]
async fn one_person_holds_a_bounded_number_of_sockets() {
    let s = spawn_with(|c| c.ws.max_per_person = 3).await;
    let token = s.admin_token().await;
    let mut kept = Vec::new();
    for _ in 0..3 {
        kept.push(s.ws_ready(&token).await);
    }
    let mut extra = s.ws().await;
    send(
        &mut extra,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    let (code, reason) = close_of(&mut extra).await;
    assert_eq!(code, 1008);
    assert!(reason.contains("at most 3"), "{reason}");
    drop(kept.pop());
    // Once one closes, another may open.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let mut ws = s.ws().await;
        send(
            &mut ws,
            json!({ "type": "connection_init", "payload": { "token": token } }),
        )
        .await;
        if next_json_or_close(&mut ws).await == "connection_ack" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn next_json_or_close(ws: &mut Ws) -> String {
    use tokio_tungstenite::tungstenite::Message;
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
            Some(Ok(Message::Text(t))) => {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                return v["type"].as_str().unwrap_or("").to_owned();
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            _ => return "closed".into(),
        }
    }
}

/// 5,000 nested selections in 15 KiB reached the recursive parser before
/// any depth limit: now they are refused first, over POST, GET and WebSocket.
#[tokio::test]
async fn documents_nested_thousands_deep_are_refused_before_parsing() {
    let s = spawn().await;
    let deep = format!("{}{}", "{a".repeat(5000), "}".repeat(5000));
    assert!(deep.len() < 16 * 1024);
    let r = s.gql(None, &deep, json!({})).await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"), "{}", r.body);
    let (status, _, body) = s
        .download(
            None,
            &format!("/graphql?query={}", url_encoded(&format!("query {deep}"))),
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("nests more than"));
    let token = s.admin_token().await;
    let mut ws = s.ws_ready(&token).await;
    send(
        &mut ws,
        json!({ "type": "subscribe", "id": "1", "payload": { "query": format!("subscription {deep}") } }),
    )
    .await;
    let v = next_json(&mut ws).await;
    assert_eq!(v["type"], "error", "{v}");
    assert_eq!(
        v["payload"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{v}"
    );
    assert_eq!(s.me(&token).await.status, 200);
}

fn url_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Request methods are labels from a closed set; `/metrics` answers only
/// on this machine, or with the configured token.
#[tokio::test]
async fn metrics_have_bounded_labels_and_are_not_public() {
    let s = spawn_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.http.metrics_token = Some("a-scrapers-token-of-length".into());
    })
    .await;
    for m in ["X1", "X2", "BREW"] {
        let method = reqwest::Method::from_bytes(m.as_bytes()).unwrap();
        let _ = s
            .http
            .request(method, s.url("/healthz"))
            .send()
            .await
            .unwrap();
    }
    let m = s.metrics().await;
    assert!(m.contains("method=\"OTHER\""), "{m}");
    assert!(!m.contains("BREW") && !m.contains("X1"), "{m}");
    // Through a proxy (a request from elsewhere): not without the token.
    let via_proxy = |token: Option<&'static str>| {
        let mut r = s
            .http
            .get(s.url("/metrics"))
            .header("x-forwarded-for", "203.0.113.9");
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    assert_eq!(via_proxy(None).await.unwrap().status(), 404);
    assert_eq!(
        via_proxy(Some("wrong-token-of-some-length"))
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        via_proxy(Some("a-scrapers-token-of-length"))
            .await
            .unwrap()
            .status(),
        200
    );
}

/// Moderation reaches what a message caused: a hidden message's mention
/// excerpt leaves the mentioned person's notifications and the message can
/// no longer be edited to notify others.
#[tokio::test]
async fn hiding_a_message_takes_its_text_out_of_notifications_and_stops_edits() {
    let t = Twin::new().await;
    let s = &t.net.s;
    let m = t
        .post(&t.student_a1, &t.general, "@student.b1 you are silly")
        .await;
    let excerpt = |token: String| async move {
        let r = s
            .gql(
                Some(&token),
                "{ myNotifications { edges { node { kind excerpt } } } }",
                json!({}),
            )
            .await;
        nodes(&r.body["data"]["myNotifications"])
            .into_iter()
            .find(|n| n["kind"] == "MENTIONED")
            .map(|n| n["excerpt"].clone())
    };
    assert_eq!(
        excerpt(t.student_b1.clone()).await,
        Some(json!("@student.b1 you are silly"))
    );
    let r = s
        .gql(
            Some(&t.teacher_a1),
            "mutation($id: ID!) { hideMessage(id: $id, reason: \"Unkind\") { id } }",
            json!({ "id": m["id"] }),
        )
        .await;
    assert!(r.code().is_none(), "{}", r.body);
    assert_eq!(excerpt(t.student_b1.clone()).await, Some(Value::Null));
    let r = s
        .gql(
            Some(&t.student_a1),
            "mutation($id: ID!) { editMessage(id: $id, body: \"@teacher.b1 look\") { id } }",
            json!({ "id": m["id"] }),
        )
        .await;
    assert_eq!(r.code(), Some("CONFLICT"), "{}", r.body);
}

/// One person's open uploads reserve at most one largest file of their
/// school's quota (for a student), however many they begin.
#[tokio::test]
async fn a_student_cannot_reserve_the_schools_whole_quota() {
    let t = Twin::on(
        Net::with(
            spawn_with(|c| {
                c.files.max_upload = 1 << 20;
                c.files.school_quota = 10 << 20;
            })
            .await,
        )
        .await,
    )
    .await;
    let s = &t.net.s;
    let r = s
        .gql(
            Some(&t.student_a1),
            CREATE,
            json!({ "i": { "spaceId": t.space, "material": { "title": "Film", "kind": "LESSON_PLAN", "languages": ["ru"], "visibility": "SPACE" } } }),
        )
        .await;
    let material = ok(r).await["createMaterial"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let material = &material;
    let start = |token: String| async move {
        s.gql(
            Some(&token),
            "mutation($i: StartUploadInput!) { startUpload(input: $i) { id } }",
            json!({ "i": { "materialId": material, "name": "film.mp4", "size": 1 << 20, "sha256": "0".repeat(64) } }),
        )
        .await
    };
    assert!(start(t.student_a1.clone()).await.code().is_none());
    let r = start(t.student_a1.clone()).await;
    assert_eq!(r.code(), Some("CONFLICT"), "{}", r.body);
    // Their teacher may still upload.
    assert!(start(t.teacher_a1.clone()).await.code().is_none());
}

/// The demo's accounts have published passwords: it refuses data that
/// holds a real network.
#[tokio::test]
async fn the_demo_refuses_to_load_into_a_real_network() {
    let net = Net::new().await;
    match net.s.app.demo().load_demo().await {
        Err(app::Error::Conflict(why)) => assert!(why.contains("not the demo's"), "{why}"),
        other => panic!("loaded: {:?}", other.map(|s| s.people_created)),
    }
}

/// A host takes a chat message out of a live room: those following see
/// it go, the room's view and a replay no longer hold it.
#[tokio::test]
async fn a_host_hides_a_live_chat_message_for_everyone() {
    let net = Net::new().await;
    let app = &net.s.app;
    let mentor = net.viewer_of("mentor.one").await;
    let student = net.viewer_of("student.a1").await;
    let start = app.now() + chrono::Duration::hours(1);
    let details = app::EventDetails::parse(app::EventForm {
        kind: app::EventKind::MentoringSession,
        title: "Moderated session".into(),
        description: None,
        agenda: vec![],
        starts_at: start,
        ends_at: start + chrono::Duration::hours(1),
        time_zone: "Asia/Baku".into(),
        place: None,
        join_url: Some("https://meet.example/moderated".into()),
        mentors: vec![],
        audience: app::EventAudience::Network,
        capacity: None,
    })
    .unwrap();
    let meta = app::RequestMeta::default();
    let event = app
        .events()
        .create_event(&mentor, details, &meta)
        .await
        .unwrap();
    app.events().start_live(&mentor, &event.id).await.unwrap();
    let entry = app
        .events()
        .post_live_message(&student, &event.id, "something unkind")
        .await
        .unwrap();
    let app::LiveKind::Chat { id, .. } = entry.kind else {
        panic!("not a chat message")
    };
    let from = entry.seq - 1;
    let r = net
        .gql(
            Actor::Student,
            "mutation($e: ID!, $m: ID!) { hideLiveMessage(eventId: $e, messageId: $m) }",
            json!({ "e": event.id.to_string(), "m": id.to_string() }),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "{}", r.body);
    let r = net
        .gql(
            Actor::Mentor,
            "mutation($e: ID!, $m: ID!) { hideLiveMessage(eventId: $e, messageId: $m) }",
            json!({ "e": event.id.to_string(), "m": id.to_string() }),
        )
        .await;
    assert_eq!(
        r.body["data"]["hideLiveMessage"],
        id.to_string(),
        "{}",
        r.body
    );
    let r = net
        .gql(
            Actor::Student,
            "query($e: ID!) { event(id: $e) { live { chat { message { id } } } } }",
            json!({ "e": event.id.to_string() }),
        )
        .await;
    assert_eq!(
        r.body["data"]["event"]["live"]["chat"],
        json!([]),
        "{}",
        r.body
    );
    // A replay from before the message has its hiding, not its text.
    let mut ws = net.s.ws_ready(net.token(Actor::Student).unwrap()).await;
    send(
        &mut ws,
        json!({ "type": "subscribe", "id": "1", "payload": {
            "query": "subscription($e: ID!, $a: String) { eventLive(eventId: $e, after: $a) { kind messageId message { body } } }",
            "variables": { "e": event.id.to_string(), "a": from.to_string() } } }),
    )
    .await;
    loop {
        let v = next_json(&mut ws).await;
        let e = &v["payload"]["data"]["eventLive"];
        assert_ne!(
            e["kind"], "CHAT_POSTED",
            "the hidden message was replayed: {v}"
        );
        if e["kind"] == "CHAT_HIDDEN" {
            assert_eq!(e["messageId"], id.to_string());
            break;
        }
    }
}

/// The location, camera and time tags exiftool finds in a file: Debian's
/// exiftool reads every format we clean. `None` when it is not installed
/// (the full run must have it).
fn location_tags(bytes: &[u8]) -> Option<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file");
    std::fs::write(&path, bytes).unwrap();
    let out = match std::process::Command::new("exiftool")
        .args(["-j", "-a", "-G1", "-n", "-ee"])
        .arg(&path)
        .output()
    {
        Ok(o) => o,
        Err(_) => {
            assert!(
                std::env::var_os("LFF_TEST_INTEROP").is_none(),
                "the full run needs exiftool (Debian: libimage-exiftool-perl)"
            );
            eprintln!("exiftool is not installed: metadata checked by bytes only");
            return None;
        }
    };
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tags = v[0]
        .as_object()
        .unwrap()
        .iter()
        // The colour profile names the display it was made for, not the camera.
        .filter(|(k, _)| {
            !k.starts_with("System:") && !k.starts_with("ExifTool:") && !k.starts_with("ICC")
        })
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            [
                "gps",
                "location",
                "coordinates",
                "make",
                "model",
                "city",
                "artist",
            ]
            .iter()
            .any(|w| k.contains(w))
        })
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    Some(tags)
}

/// Phone photos and videos reach the platform with where they were taken:
/// every format a phone or camera writes loses it on the way in, through
/// both upload paths, and a video too large to hold is cleaned by patches.
#[tokio::test]
async fn photos_and_videos_lose_their_location_on_the_way_in() {
    let net = Net::new().await;
    let s = &net.s;
    let teacher = net.token(Actor::Teacher).unwrap().to_owned();
    let material =
        crate::materials::material_in(s, &teacher, json!({ "schoolId": net.a1 }), "NETWORK", true)
            .await;
    let fixtures: [(&str, &[u8], bool); 7] = [
        (
            "photo.jpg",
            include_bytes!("../../app/testdata/media/photo_gps_motion.jpg"),
            false,
        ),
        (
            "scan-le.tif",
            include_bytes!("../../app/testdata/media/scan_gps_le.tif"),
            true,
        ),
        (
            "scan-be.tif",
            include_bytes!("../../app/testdata/media/scan_gps_be.tif"),
            true,
        ),
        (
            "photo.heic",
            include_bytes!("../../app/testdata/media/photo_gps.heic"),
            true,
        ),
        (
            "photo.avif",
            include_bytes!("../../app/testdata/media/photo_gps.avif"),
            true,
        ),
        (
            "video.mp4",
            include_bytes!("../../app/testdata/media/video_gps.mp4"),
            true,
        ),
        (
            "video.mov",
            include_bytes!("../../app/testdata/media/video_gps.mov"),
            true,
        ),
    ];
    // The largest video a phone sends is cleaned without being held: the
    // MP4 with 65 MiB of free space after it.
    let mut big = include_bytes!("../../app/testdata/media/video_gps.mp4").to_vec();
    let pad = 65u32 << 20;
    big.extend_from_slice(&pad.to_be_bytes());
    big.extend_from_slice(b"free");
    big.resize(big.len() + pad as usize - 8, 0);
    for (i, (name, original, same_length)) in fixtures
        .iter()
        .map(|(n, b, l)| (*n, b.to_vec(), *l))
        .chain([("big-video.mp4", big, true)])
        .enumerate()
    {
        // Every other one goes the resumable way.
        let r = if i % 2 == 0 && original.len() < 1 << 20 {
            send_small(
                s,
                Some(&teacher),
                &material,
                None,
                name,
                "application/octet-stream",
                original.clone(),
            )
            .await
        } else {
            send_resumable(s, &teacher, &material, name, &original, None).await
        };
        let v = r.body["data"]
            .as_object()
            .and_then(|d| d.values().next())
            .cloned()
            .unwrap_or_else(|| panic!("{name}: {}", r.body));
        let (status, _, kept) = s.download(Some(&teacher), v["url"].as_str().unwrap()).await;
        assert_eq!(status, 200, "{name}");
        assert_ne!(kept, original, "{name} was stored as sent");
        if same_length {
            assert_eq!(kept.len(), original.len(), "{name}: patched in place");
        } else {
            assert!(
                kept.ends_with(&[0xFF, 0xD9]),
                "{name}: nothing after the picture"
            );
        }
        assert_eq!(v["sha256"], crate::materials::sha_hex(&kept), "{name}");
        if let (Some(before), Some(after)) = (location_tags(&original), location_tags(&kept)) {
            assert!(
                !before.is_empty(),
                "{name}: the fixture has no location to lose"
            );
            assert!(after.is_empty(), "{name} still says: {after:?}");
        }
    }
}

/// A live room's stream checks its viewer's access again now and then
/// (every 15 s): a student removed from the space an event is for stops
/// receiving its room, without reconnecting.
#[tokio::test]
async fn a_live_room_stream_ends_when_its_viewer_leaves_the_audience() {
    let t = Twin::new().await;
    let net = &t.net;
    let app = &net.s.app;
    let organizer = net.viewer_of("teacher.a1").await;
    let start = app.now() + chrono::Duration::hours(1);
    let details = app::EventDetails::parse(app::EventForm {
        kind: app::EventKind::MentoringSession,
        title: "Our space's session".into(),
        description: None,
        agenda: vec![],
        starts_at: start,
        ends_at: start + chrono::Duration::hours(1),
        time_zone: "Asia/Baku".into(),
        place: None,
        join_url: Some("https://meet.example/space".into()),
        mentors: vec![],
        audience: app::EventAudience::Space(app::SpaceId::parse(&t.space).unwrap()),
        capacity: None,
    })
    .unwrap();
    let meta = app::RequestMeta::default();
    let event = app
        .events()
        .create_event(&organizer, details, &meta)
        .await
        .unwrap();
    app.events()
        .start_live(&organizer, &event.id)
        .await
        .unwrap();
    let mut ws = net.s.ws_ready(&t.student_b1).await;
    send(
        &mut ws,
        json!({ "type": "subscribe", "id": "1", "payload": {
            "query": "subscription($e: ID!) { eventLive(eventId: $e) { kind } }",
            "variables": { "e": event.id.to_string() } } }),
    )
    .await;
    // The student's own arrival proves the stream runs.
    let v = next_json(&mut ws).await;
    assert_eq!(v["payload"]["data"]["eventLive"]["kind"], "JOINED", "{v}");
    ok(t.gql(
        &t.teacher_b1,
        "mutation($s: ID!, $u: ID!) { removeSpaceMember(spaceId: $s, userId: $u) { id } }",
        json!({ "s": t.space, "u": net.id_of("student.b1") }),
    )
    .await)
    .await;
    let ended = loop {
        let m = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("the stream ends within the re-check");
        let tokio_tungstenite::tungstenite::Message::Text(text) = m.unwrap().unwrap() else {
            continue;
        };
        let v: Value = serde_json::from_str(text.as_str()).unwrap();
        if v["payload"]["errors"].is_array() || v["type"] == "complete" {
            break v;
        }
    };
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{ended}"
    );
}
