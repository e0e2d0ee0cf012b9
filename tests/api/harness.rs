//! Starting servers and talking to them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use server::{Application, Config};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
/// How long any test waits for something that should happen.
pub const WAIT: Duration = Duration::from_secs(5);

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct TestServer {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub app: app::App,
    pub clock: Arc<app::ManualClock>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

/// In-memory backends; or, when `LFF_TEST_SURREAL_WS` names a SurrealDB
/// server, that server with a fresh namespace per test, so the whole suite
/// can run against the `ws://` mode.
pub fn test_config() -> Config {
    let mut config = Config::in_memory();
    config.admin_password = Some(ADMIN_PASSWORD.into());
    config.previews.program = Some(env!("CARGO_BIN_EXE_lff-preview-worker").into());
    if let Ok(url) = std::env::var("LFF_TEST_SURREAL_WS") {
        config.database.url = url;
        config.database.user =
            Some(std::env::var("LFF_TEST_SURREAL_USER").unwrap_or_else(|_| "root".into()));
        config.database.password =
            Some(std::env::var("LFF_TEST_SURREAL_PASSWORD").unwrap_or_else(|_| "root".into()));
        config.database.namespace = format!("lff_test_{}", uuid_like());
    }
    config
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{nanos}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub async fn spawn() -> TestServer {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
    let mut config = test_config();
    adjust(&mut config);
    spawn_config(config).await
}

pub async fn spawn_config(config: Config) -> TestServer {
    let clock = Arc::new(app::ManualClock::new(chrono::Utc::now()));
    let application = Application::build_with_clock(config, clock.clone())
        .await
        .expect("server builds");
    let app = application.app().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(application.serve(listener, async {
        let _ = rx.await;
    }));
    TestServer {
        addr,
        http: reqwest::Client::new(),
        app,
        clock,
        shutdown: Some(tx),
        handle: Some(handle),
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops the server the way a signal would and waits for it to finish.
    pub async fn shut_down(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            tokio::time::timeout(Duration::from_secs(15), h)
                .await
                .expect("shutdown finishes")
                .unwrap()
                .unwrap();
        }
    }

    /// POSTs a GraphQL operation as JSON, with a token if given.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Reply {
        let mut req = self
            .http
            .post(self.url("/graphql"))
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        reply(req.send().await.unwrap()).await
    }

    pub async fn login(&self, login: &str, password: &str) -> Reply {
        self.gql(
            None,
            "mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token expiresAt user { id username role } } }",
            json!({ "l": login, "p": password }),
        )
        .await
    }

    /// Signs in and returns the token; panics if sign-in fails.
    pub async fn token(&self, login: &str, password: &str) -> String {
        let r = self.login(login, password).await;
        r.body["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-in failed: {}", r.body))
            .to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.token("admin", ADMIN_PASSWORD).await
    }

    /// Creates a person directly in the domain (the API for this comes with
    /// the network capability) and returns their id.
    pub async fn seed(&self, username: &str, role: app::Role, password: &str) -> String {
        let email = (role != app::Role::Student)
            .then(|| app::Email::parse(&format!("{username}@school.example")).unwrap());
        let u = self
            .app
            .accounts()
            .seed_user(
                app::Username::parse(username).unwrap(),
                email,
                app::DisplayName::parse(username).unwrap(),
                role,
                &app::NewPassword::parse(password, role).unwrap(),
            )
            .await
            .unwrap();
        u.id.to_string()
    }

    /// The Prometheus text from `/metrics`.
    pub async fn metrics(&self) -> String {
        self.http
            .get(self.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// One counter of `/metrics`, by its full name.
    pub async fn counter(&self, name: &str) -> u64 {
        let text = self.metrics().await;
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    }

    pub async fn me(&self, token: &str) -> Reply {
        self.gql(Some(token), "{ me { id username } }", json!({}))
            .await
    }

    pub async fn ws_connect_with(
        &self,
        path: &str,
        protocol: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        let mut req = format!("ws://{}{}", self.addr, path)
            .into_client_request()
            .unwrap();
        if let Some(p) = protocol {
            req.headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_str(p).unwrap());
        }
        if let Some(o) = origin {
            req.headers_mut()
                .insert("Origin", HeaderValue::from_str(o).unwrap());
        }
        tokio_tungstenite::connect_async(req)
            .await
            .map(|(ws, _)| ws)
    }

    pub async fn ws(&self) -> Ws {
        self.ws_connect_with("/graphql/ws", Some("graphql-transport-ws"), None)
            .await
            .expect("WebSocket connects")
    }

    /// A socket past `connection_ack` whose receive buffer is as small as
    /// the system allows, for clients that stop reading.
    pub async fn ws_small_buffer(&self, token: &str) -> Ws {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let stream = socket.connect(self.addr).await.unwrap();
        let mut req = format!("ws://{}/graphql/ws", self.addr)
            .into_client_request()
            .unwrap();
        req.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (ws, _) = tokio_tungstenite::client_async(req, MaybeTlsStream::Plain(stream))
            .await
            .unwrap();
        signed_in(ws, token).await
    }

    /// A socket past `connection_ack`.
    pub async fn ws_ready(&self, token: &str) -> Ws {
        signed_in(self.ws().await, token).await
    }
}

/// Sends `connection_init` with the token and waits for `connection_ack`.
async fn signed_in(mut ws: Ws, token: &str) -> Ws {
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    let ack = next_json(&mut ws).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    ws
}

pub async fn reply(r: reqwest::Response) -> Reply {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}

/// The next protocol message, skipping WebSocket pings; panics on close or timeout.
pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let m = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a message in time");
        match m {
            Some(Ok(Message::Text(t))) => return serde_json::from_str(t.as_str()).unwrap(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a message, got {other:?}"),
        }
    }
}

/// Waits for the server to close the socket and returns the close code and reason.
pub async fn close_of(ws: &mut Ws) -> (u16, String) {
    close_within(ws, WAIT).await
}

pub async fn close_within(ws: &mut Ws, wait: Duration) -> (u16, String) {
    loop {
        let m = tokio::time::timeout(wait, ws.next())
            .await
            .expect("the socket closes in time");
        match m {
            Some(Ok(Message::Close(Some(f)))) => return (u16::from(f.code), f.reason.to_string()),
            Some(Ok(Message::Close(None))) => return (1005, String::new()),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// The people of the standard test network, as actors of the authorization matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    Admin,
    /// National coordinator of Armenia (AM), the country of schools A1 and A2.
    NationalCoordinator,
    /// School coordinator of A1.
    SchoolCoordinator,
    /// Teacher of A1.
    Teacher,
    /// Student of A1.
    Student,
    Mentor,
    Anonymous,
}

impl Actor {
    pub const ALL: [Actor; 7] = [
        Actor::Admin,
        Actor::NationalCoordinator,
        Actor::SchoolCoordinator,
        Actor::Teacher,
        Actor::Student,
        Actor::Mentor,
        Actor::Anonymous,
    ];
}

/// Where the thing asked about is, seen from the actors (who all belong to
/// school A1 in Armenia, where they belong anywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// School A1 (Armenia).
    OwnSchool,
    /// School A2, also in Armenia.
    SameCountry,
    /// School B1, in Kazakhstan.
    OtherCountry,
}

impl Relation {
    pub const ALL: [Relation; 3] = [
        Relation::OwnSchool,
        Relation::SameCountry,
        Relation::OtherCountry,
    ];
}

pub const NET_PASSWORD: &str = "network-password-1";
pub const NET_STUDENT_PASSWORD: &str = "pupil-1";

/// A small network: Armenia with schools A1 (public card) and A2, Kazakhstan
/// with B1, all approved; a national coordinator per country; in every
/// school a coordinator, a teacher and a student; a mentor. Everyone but
/// students has password [`NET_PASSWORD`].
pub struct Net {
    pub s: TestServer,
    pub a1: String,
    pub a2: String,
    pub b1: String,
    /// A session token per signed-in actor.
    pub tokens: std::collections::HashMap<Actor, String>,
    pub adult_hash: app::PasswordHash,
    pub student_hash: app::PasswordHash,
    counter: std::sync::atomic::AtomicU32,
    ids: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// Signed-in people by username, for setting things up directly.
    viewers: tokio::sync::Mutex<std::collections::HashMap<String, app::Viewer>>,
}

pub fn school_form(name: &str, country: &str) -> app::SchoolForm {
    app::SchoolForm {
        names: vec![("en".into(), name.into())],
        default_language: None,
        country: country.into(),
        city: "Yerevan".into(),
        languages: vec!["hy".into(), "en".into()],
        website: Some("https://school.example".into()),
        aspnet_number: None,
        contact_name: Some("Office".into()),
        contact_email: Some("office@school.example".into()),
        contact_phone: None,
    }
}

impl Net {
    pub async fn new() -> Net {
        Self::with(spawn().await).await
    }

    pub async fn with(s: TestServer) -> Net {
        let app = s.app.clone();
        let school = |name: &str, country: &str, public: bool| {
            let app = app.clone();
            let form = school_form(name, country);
            async move {
                app.network()
                    .seed_school(&form, app::SchoolStatus::Approved, public)
                    .await
                    .unwrap()
                    .id
                    .to_string()
            }
        };
        let a1 = school("School A1", "AM", true).await;
        let a2 = school("School A2", "AM", false).await;
        let b1 = school("School B1", "KZ", false).await;
        let adult_hash = app
            .accounts()
            .hash_password(&app::NewPassword::parse(NET_PASSWORD, app::Role::Teacher).unwrap())
            .await
            .unwrap();
        let student_hash = app
            .accounts()
            .hash_password(
                &app::NewPassword::parse(NET_STUDENT_PASSWORD, app::Role::Student).unwrap(),
            )
            .await
            .unwrap();
        let net = Net {
            s,
            a1,
            a2,
            b1,
            tokens: Default::default(),
            adult_hash,
            student_hash,
            counter: Default::default(),
            ids: Default::default(),
            viewers: Default::default(),
        };
        net.person("nc.am", app::Role::NationalCoordinator, None, Some("AM"))
            .await;
        net.person("nc.kz", app::Role::NationalCoordinator, None, Some("KZ"))
            .await;
        net.person("mentor.one", app::Role::Mentor, None, None)
            .await;
        for (slug, id, country) in [
            ("a1", &net.a1, "AM"),
            ("a2", &net.a2, "AM"),
            ("b1", &net.b1, "KZ"),
        ] {
            net.person(
                &format!("coord.{slug}"),
                app::Role::SchoolCoordinator,
                Some(id),
                Some(country),
            )
            .await;
            net.person(
                &format!("teacher.{slug}"),
                app::Role::Teacher,
                Some(id),
                Some(country),
            )
            .await;
            net.person(
                &format!("student.{slug}"),
                app::Role::Student,
                Some(id),
                Some(country),
            )
            .await;
        }
        let mut net = net;
        let logins = [
            (Actor::Admin, "admin", ADMIN_PASSWORD),
            (Actor::NationalCoordinator, "nc.am", NET_PASSWORD),
            (Actor::SchoolCoordinator, "coord.a1", NET_PASSWORD),
            (Actor::Teacher, "teacher.a1", NET_PASSWORD),
            (Actor::Student, "student.a1", NET_STUDENT_PASSWORD),
            (Actor::Mentor, "mentor.one", NET_PASSWORD),
        ];
        for (actor, login, pw) in logins {
            let t = net.s.token(login, pw).await;
            net.tokens.insert(actor, t);
        }
        net
    }

    /// Stores a person directly and returns their id.
    pub async fn person(
        &self,
        username: &str,
        role: app::Role,
        school: Option<&str>,
        country: Option<&str>,
    ) -> String {
        let mut d = app::PersonDraft::new(
            app::Username::parse(username).unwrap(),
            app::DisplayName::parse(&format!("Person {username}")).unwrap(),
            role,
        );
        if role != app::Role::Student {
            d.email = Some(app::Email::parse(&format!("{username}@net.example")).unwrap());
        } else {
            d.class_label = Some(app::ClassLabel::parse("7A").unwrap());
        }
        d.school = school.map(|s| app::SchoolId::parse(s).unwrap());
        d.country = country.map(|c| app::CountryCode::parse(c).unwrap());
        if role == app::Role::Mentor {
            d.mentor = Some(
                app::MentorProfile::parse(
                    "Test University",
                    "UNESCO Chair in Testing",
                    &[],
                    &["en".into()],
                )
                .unwrap(),
            );
        }
        let hash = if role == app::Role::Student {
            &self.student_hash
        } else {
            &self.adult_hash
        };
        let id = self
            .s
            .app
            .accounts()
            .seed_person(&d, hash)
            .await
            .unwrap()
            .id
            .to_string();
        self.ids
            .lock()
            .unwrap()
            .insert(username.to_owned(), id.clone());
        id
    }

    /// The id of a person created by [`Net::person`].
    pub fn id_of(&self, username: &str) -> String {
        self.ids.lock().unwrap()[username].clone()
    }

    /// A unique number for names in one test.
    pub fn next(&self) -> u32 {
        self.counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// A new person of `role` at the school of `rel` (their id).
    pub async fn fresh(&self, role: app::Role, rel: Relation) -> String {
        let (school, country) = self.place(rel);
        let n = self.next();
        let name = format!("{}.x{n}", role.as_str().replace('_', ""));
        self.person(&name, role, Some(&school), Some(country)).await
    }

    /// The school id and country code of a relation.
    pub fn place(&self, rel: Relation) -> (String, &'static str) {
        match rel {
            Relation::OwnSchool => (self.a1.clone(), "AM"),
            Relation::SameCountry => (self.a2.clone(), "AM"),
            Relation::OtherCountry => (self.b1.clone(), "KZ"),
        }
    }

    /// A new school of `status` in the place of `rel` (its id). Its own
    /// school is A1 itself for `OwnSchool` when `status` is approved.
    pub async fn fresh_school(&self, status: app::SchoolStatus, rel: Relation) -> String {
        let (_, country) = self.place(rel);
        let n = self.next();
        self.s
            .app
            .network()
            .seed_school(
                &school_form(&format!("Fresh school {n}"), country),
                status,
                false,
            )
            .await
            .unwrap()
            .id
            .to_string()
    }

    pub fn token(&self, actor: Actor) -> Option<&str> {
        self.tokens.get(&actor).map(String::as_str)
    }

    pub async fn gql(&self, actor: Actor, query: &str, vars: Value) -> Reply {
        self.s.gql(self.token(actor), query, vars).await
    }

    /// The domain's view of a person of the network, signed in once (sign-ins
    /// are throttled per address).
    pub async fn viewer_of(&self, username: &str) -> app::Viewer {
        let mut viewers = self.viewers.lock().await;
        if let Some(v) = viewers.get(username) {
            return v.clone();
        }
        let pw = if username.starts_with("student") {
            NET_STUDENT_PASSWORD
        } else {
            NET_PASSWORD
        };
        let token = self.s.token(username, pw).await;
        let v = self.s.app.accounts().authenticate(&token).await.unwrap();
        viewers.insert(username.to_owned(), v.clone());
        v
    }

    /// The domain's view of the administrator, for setting things up directly.
    pub async fn admin_viewer(&self) -> app::Viewer {
        self.s
            .app
            .accounts()
            .authenticate(self.token(Actor::Admin).unwrap())
            .await
            .unwrap()
    }
}

impl TestServer {
    /// `POST /files?name=…` with the bytes as the body.
    pub async fn upload(
        &self,
        token: Option<&str>,
        name: &str,
        content_type: Option<&str>,
        bytes: Vec<u8>,
    ) -> Reply {
        let mut req = self
            .http
            .post(self.url("/files"))
            .query(&[("name", name)])
            .body(bytes);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(c) = content_type {
            req = req.header("content-type", c);
        }
        reply(req.send().await.unwrap()).await
    }

    /// `GET` a path with an optional token: status, headers and raw bytes.
    pub async fn download(
        &self,
        token: Option<&str>,
        path: &str,
    ) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.bytes().await.unwrap().to_vec())
    }
}

/// The data of an answer that must have no errors.
pub fn data(r: &Reply) -> &serde_json::Value {
    assert!(r.body["errors"].is_null(), "unexpected errors: {}", r.body);
    &r.body["data"]
}

/// The S3-compatible server to test against (`tests/with-s3.sh` starts one
/// and sets `LFF_TEST_S3_URL` and the credentials it accepts): its objects
/// URL and credentials. `None` — the test then does nothing — only outside
/// the full run, which must have one.
pub fn s3_target() -> Option<(String, store::S3Credentials)> {
    let Ok(url) = std::env::var("LFF_TEST_S3_URL") else {
        assert!(
            std::env::var_os("LFF_TEST_INTEROP").is_none(),
            "the full run needs LFF_TEST_S3_URL: an S3-compatible server to test against"
        );
        eprintln!("LFF_TEST_S3_URL is not set: the S3 backend was not exercised");
        return None;
    };
    let credentials = store::S3Credentials {
        access_key_id: std::env::var("AWS_ACCESS_KEY_ID")
            .expect("AWS_ACCESS_KEY_ID with LFF_TEST_S3_URL"),
        secret_access_key: std::env::var("AWS_SECRET_ACCESS_KEY")
            .expect("AWS_SECRET_ACCESS_KEY with LFF_TEST_S3_URL"),
        session_token: None,
    };
    Some((url, credentials))
}

/// The next instant after `now` that is `month`/`day` at 08:00 UTC: dates
/// for time zone checks that stay within a calendar feed's reach.
pub fn next_date_at_8(
    now: chrono::DateTime<chrono::Utc>,
    month: u32,
    day: u32,
) -> chrono::DateTime<chrono::Utc> {
    use chrono::{Datelike, TimeZone};
    let at = |year| {
        chrono::Utc
            .with_ymd_and_hms(year, month, day, 8, 0, 0)
            .unwrap()
    };
    if at(now.year()) > now {
        at(now.year())
    } else {
        at(now.year() + 1)
    }
}
