//! The one settings surface: command-line flags, each with an `LFF_*`
//! environment variable and a default, documented by `lff --help`.
//!
//! Only this module reads the environment. [`ServeArgs::into_config`] checks
//! every setting up front, so a bad value stops start-up with one line that
//! names the setting and what it accepts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

/// The LFF platform server: a GraphQL collaboration platform for the
/// "Learning For the Future" schools network.
#[derive(Debug, Parser)]
#[command(name = "lff", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the platform (the default when no command is given).
    Serve(ServeArgs),
    /// Load the demo network (14 countries, 42 schools, their people and
    /// mentors, with known passwords, and learning materials in the
    /// network's languages) into the data directory, then exit. Loading
    /// twice adds nothing. Not for production networks.
    Demo(DemoArgs),
    /// Rebuild the search index from the database, showing progress, then
    /// exit. Stop the server first: it holds the data directory.
    Reindex(ServeArgs),
    /// Tasks for whoever runs the server, done on the data directly (stop
    /// the server first).
    Admin(AdminArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub task: AdminTask,
}

#[derive(Debug, Clone, Subcommand)]
pub enum AdminTask {
    /// Give a person (the administrator `admin`, say) a new generated
    /// password, printed once; their failed sign-ins are forgotten, their
    /// account is active again and their sessions end.
    ResetPassword {
        /// Username or e-mail of the person.
        login: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// How many generated learning materials to add (in the network's
    /// languages, spread over the demo schools); 100000 makes the search
    /// benchmark's corpus.
    #[arg(long, default_value_t = 300)]
    pub materials: u32,
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// What the binary was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Serve,
    /// Load the demo network with this many generated materials.
    Demo {
        materials: u32,
    },
    Reindex,
    /// Reset this person's password.
    ResetPassword {
        login: String,
    },
}

impl Cli {
    /// The serve settings, whichever way they were given.
    pub fn into_serve_args(self) -> ServeArgs {
        self.into_parts().0
    }

    /// The settings and what to do with them.
    pub fn into_parts(self) -> (ServeArgs, Mode) {
        let mode_of_admin = |task: AdminTask| match task {
            AdminTask::ResetPassword { login, serve } => (serve, Mode::ResetPassword { login }),
        };
        match self.command {
            Some(Command::Serve(args)) => (args, Mode::Serve),
            Some(Command::Demo(args)) => (
                args.serve,
                Mode::Demo {
                    materials: args.materials,
                },
            ),
            Some(Command::Reindex(args)) => (args, Mode::Reindex),
            Some(Command::Admin(args)) => mode_of_admin(args.task),
            None => (self.serve, Mode::Serve),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

fn duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e} (write e.g. 500ms, 10s, 12h, 30days)"))
}

/// A size in bytes: a number, optionally with KiB, MiB or GiB (or KB, MB, GB).
fn byte_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(digits);
    let n: u64 = n
        .parse()
        .map_err(|_| "write a size such as 500MiB, 2GiB or 1048576".to_owned())?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        other => return Err(format!("unknown unit '{other}' (use KiB, MiB, GiB)")),
    };
    n.checked_mul(factor)
        .filter(|b| *b > 0)
        .ok_or_else(|| "give a size above zero".to_owned())
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address and port to serve HTTP and WebSocket on.
    #[arg(long, env = "LFF_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory for everything kept on disk by default (database, files, search index).
    #[arg(long, env = "LFF_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Database URL: surrealkv://PATH (embedded), mem:// (in memory, lost on exit) or ws://HOST:PORT (a SurrealDB server). [default: surrealkv://DATA_DIR/db]
    #[arg(long, env = "LFF_DATABASE")]
    pub database: Option<String>,

    /// User name for a SurrealDB server (ws:// only).
    #[arg(long, env = "LFF_DATABASE_USER")]
    pub database_user: Option<String>,

    /// Password for a SurrealDB server (ws:// only).
    #[arg(long, env = "LFF_DATABASE_PASSWORD", hide_env_values = true)]
    pub database_password: Option<String>,

    /// SurrealDB namespace.
    #[arg(long, env = "LFF_DATABASE_NAMESPACE", default_value = "lff")]
    pub database_namespace: String,

    /// SurrealDB database name within the namespace.
    #[arg(long, env = "LFF_DATABASE_NAME", default_value = "main")]
    pub database_name: String,

    /// Object storage URL for files: file://DIR, memory:// or s3://BUCKET[/PREFIX][?endpoint=URL&region=NAME&path_style=true]. [default: file://DATA_DIR/objects]
    #[arg(long, env = "LFF_OBJECTS")]
    pub objects: Option<String>,

    /// S3 access key id (with s3:// objects).
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide_env_values = true)]
    pub s3_access_key_id: Option<String>,

    /// S3 secret access key (with s3:// objects).
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<String>,

    /// S3 session token, for temporary credentials.
    #[arg(long, env = "AWS_SESSION_TOKEN", hide_env_values = true)]
    pub s3_session_token: Option<String>,

    /// Search index: a directory path (embedded engine), memory:// or the URL of a Meilisearch server (http://HOST:7700). [default: DATA_DIR/search]
    #[arg(long, env = "LFF_SEARCH")]
    pub search: Option<String>,

    /// API key for a Meilisearch server (with an http:// or https:// search URL).
    #[arg(long, env = "LFF_SEARCH_KEY", hide_env_values = true)]
    pub search_key: Option<String>,

    /// Prefix of the index names on a Meilisearch server, so several networks can share one.
    #[arg(long, env = "LFF_SEARCH_INDEX", default_value = "lff")]
    pub search_index: String,

    /// E-mail of the platform administrator created on first start.
    #[arg(long, env = "LFF_ADMIN_EMAIL")]
    pub admin_email: Option<String>,

    /// Password of the platform administrator created on first start; generated and printed once when unset.
    #[arg(long, env = "LFF_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Extra origins (scheme://host[:port]) allowed to open WebSockets, comma-separated; the server's own origin is always allowed.
    #[arg(long, env = "LFF_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Addresses of reverse proxies (comma-separated IPs) whose X-Forwarded-For header names the real client; requests from anywhere else are taken at their peer address.
    #[arg(long, env = "LFF_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Log filter (tracing's EnvFilter syntax); the default keeps the storage engines' own chatter out.
    #[arg(
        long,
        env = "LFF_LOG",
        default_value = "info,surrealdb=warn,surrealkv=warn,tantivy=warn"
    )]
    pub log: String,

    /// Log format.
    #[arg(long, env = "LFF_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Deepest nesting of fields one GraphQL operation may have.
    #[arg(long, env = "LFF_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,

    /// Highest complexity of one GraphQL operation (each field 1; list fields cost first × child).
    #[arg(long, env = "LFF_MAX_COMPLEXITY", default_value_t = 1000)]
    pub max_complexity: usize,

    /// Most directives on one field.
    #[arg(long, env = "LFF_MAX_DIRECTIVES", default_value_t = 5)]
    pub max_directives: usize,

    /// Most aliases in one GraphQL document.
    #[arg(long, env = "LFF_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,

    /// Largest GraphQL document, in bytes.
    #[arg(long, env = "LFF_MAX_DOCUMENT_BYTES", default_value_t = 16 * 1024)]
    pub max_document_bytes: usize,

    /// Largest JSON request body, in bytes.
    #[arg(long, env = "LFF_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Largest WebSocket message, in bytes; a larger one closes the socket with 1009.
    #[arg(long, env = "LFF_WS_MAX_MESSAGE_BYTES", default_value_t = 64 * 1024)]
    pub ws_max_message_bytes: usize,

    /// Most subscriptions open at once on one WebSocket.
    #[arg(long, env = "LFF_WS_MAX_SUBSCRIPTIONS", default_value_t = 100)]
    pub ws_max_subscriptions: usize,

    /// Most messages a client may send on one WebSocket per rate window.
    #[arg(long, env = "LFF_WS_MAX_MESSAGES", default_value_t = 100)]
    pub ws_max_messages: u32,

    /// The window for --ws-max-messages.
    #[arg(long, env = "LFF_WS_RATE_WINDOW", default_value = "10s", value_parser = duration)]
    pub ws_rate_window: Duration,

    /// Time a new WebSocket has to send connection_init before it is closed with 4408.
    #[arg(long, env = "LFF_WS_INIT_TIMEOUT", default_value = "10s", value_parser = duration)]
    pub ws_init_timeout: Duration,

    /// Interval between server pings on a WebSocket; sessions are also re-checked this often.
    #[arg(long, env = "LFF_WS_PING_INTERVAL", default_value = "30s", value_parser = duration)]
    pub ws_ping_interval: Duration,

    /// A WebSocket from which nothing (not even a pong) arrives for this long is closed.
    #[arg(long, env = "LFF_WS_IDLE_TIMEOUT", default_value = "90s", value_parser = duration)]
    pub ws_idle_timeout: Duration,

    /// Time a client has to send the HTTP request headers.
    #[arg(long, env = "LFF_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = duration)]
    pub header_read_timeout: Duration,

    /// A request body from which no bytes arrive for this long is cut off (an upload keeps what arrived).
    #[arg(long, env = "LFF_BODY_IDLE_TIMEOUT", default_value = "30s", value_parser = duration)]
    pub body_idle_timeout: Duration,

    /// A connection whose client takes no bytes of a response for this long is closed.
    #[arg(long, env = "LFF_WRITE_TIMEOUT", default_value = "60s", value_parser = duration)]
    pub write_timeout: Duration,

    /// Most connections open at once, in all (lowered to what the process may open).
    #[arg(long, env = "LFF_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,

    /// Most connections open at once from one client address (schools share one; trusted proxies are not counted).
    #[arg(long, env = "LFF_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 512)]
    pub max_connections_per_address: usize,

    /// Most WebSockets one person may have open at once (tabs and devices together).
    #[arg(long, env = "LFF_WS_MAX_PER_PERSON", default_value_t = 16)]
    pub ws_max_per_person: usize,

    /// A bearer token that unlocks /metrics for a scraper elsewhere; without it, /metrics answers only on the loopback address.
    #[arg(long, env = "LFF_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Longest a GraphQL request over HTTP may run.
    #[arg(long, env = "LFF_REQUEST_TIMEOUT", default_value = "30s", value_parser = duration)]
    pub request_timeout: Duration,

    /// Longest a shutdown waits for requests and sockets to finish.
    #[arg(long, env = "LFF_SHUTDOWN_TIMEOUT", default_value = "10s", value_parser = duration)]
    pub shutdown_timeout: Duration,

    /// A session unused for this long ends.
    #[arg(long, env = "LFF_SESSION_IDLE", default_value = "12h", value_parser = duration)]
    pub session_idle: Duration,

    /// A session ends this long after sign-in, used or not.
    #[arg(long, env = "LFF_SESSION_ABSOLUTE", default_value = "30days", value_parser = duration)]
    pub session_absolute: Duration,

    /// Sign-in attempts allowed per client address per minute (schools share one address).
    #[arg(long, env = "LFF_LOGIN_ATTEMPTS_PER_IP", default_value_t = 300)]
    pub login_attempts_per_ip: u32,

    /// Largest file a resumable upload takes (e.g. 2GiB, 500MiB).
    #[arg(long, env = "LFF_MAX_UPLOAD", default_value = "2GiB", value_parser = byte_size)]
    pub max_upload: u64,

    /// What each school's material files may add up to (e.g. 10GiB).
    #[arg(long, env = "LFF_SCHOOL_QUOTA", default_value = "10GiB", value_parser = byte_size)]
    pub school_quota: u64,

    /// How long each space keeps its events for clients resuming with a cursor; an older cursor gets RESYNC_REQUIRED. Messages themselves are kept regardless.
    #[arg(long, env = "LFF_SPACE_EVENTS_KEPT", default_value = "30days", value_parser = duration)]
    pub space_events_kept: Duration,

    /// How long before an event starts its registrants get a reminder (e.g. 30min, 1h).
    #[arg(long, env = "LFF_EVENT_REMINDER", default_value = "30min", value_parser = duration)]
    pub event_reminder: Duration,

    /// How many uploaded files are previewed (thumbnail, text) at once, each in a worker process. [default: 2, or 1 on machines with fewer than 4 cores]
    #[arg(long, env = "LFF_PREVIEW_WORKERS")]
    pub preview_workers: Option<usize>,

    /// Address space a preview worker may use; a file that needs more gets no preview.
    #[arg(long, env = "LFF_PREVIEW_MEMORY", default_value = "1GiB", value_parser = byte_size)]
    pub preview_memory: u64,

    /// How long a preview worker may take (wall clock) before it is killed; its CPU time is limited to two thirds of this.
    #[arg(long, env = "LFF_PREVIEW_TIMEOUT", default_value = "30s", value_parser = duration)]
    pub preview_timeout: Duration,

    /// The preview worker program, started as PROGRAM preview-worker MEMORY CPU_SECONDS. [default: this binary]
    #[arg(long, env = "LFF_PREVIEW_PROGRAM", hide = true)]
    pub preview_program: Option<PathBuf>,
}

/// A setting that cannot be used, named as the operator wrote it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {env} (--{flag}): {reason}")]
pub struct ConfigError {
    pub env: &'static str,
    pub flag: &'static str,
    pub reason: String,
}

/// Checked configuration, ready for [`crate::Application::build`].
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: store::DatabaseOptions,
    pub objects: store::ObjectsOptions,
    pub search: search::SearchOptions,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    pub allowed_origins: Vec<String>,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub schema: schema::SchemaOptions,
    pub http: HttpLimits,
    pub ws: WsLimits,
    pub accounts: app::AccountOptions,
    pub files: app::FileLimits,
    pub log: String,
    pub log_format: LogFormat,
    /// How long space events stay resumable.
    pub space_events_kept: Duration,
    /// How long before an event its registrants are reminded.
    pub event_reminder: Duration,
    pub previews: crate::previews::PreviewOptions,
}

#[derive(Debug, Clone)]
pub struct HttpLimits {
    pub max_document_bytes: usize,
    pub max_body_bytes: usize,
    pub header_read_timeout: Duration,
    pub body_idle_timeout: Duration,
    pub write_timeout: Duration,
    pub max_connections: usize,
    pub max_connections_per_address: usize,
    /// Unlocks `/metrics` from elsewhere than the loopback address.
    pub metrics_token: Option<String>,
    pub request_timeout: Duration,
    pub shutdown_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct WsLimits {
    pub max_message_bytes: usize,
    pub max_per_person: usize,
    pub max_subscriptions: usize,
    pub max_messages: u32,
    pub rate_window: Duration,
    pub init_timeout: Duration,
    pub ping_interval: Duration,
    pub idle_timeout: Duration,
}

fn err(env: &'static str, flag: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        env,
        flag,
        reason: reason.into(),
    }
}

fn positive(v: usize, env: &'static str, flag: &'static str) -> Result<usize, ConfigError> {
    if v == 0 {
        Err(err(env, flag, "must be at least 1"))
    } else {
        Ok(v)
    }
}

fn nonzero(d: Duration, env: &'static str, flag: &'static str) -> Result<Duration, ConfigError> {
    if d.is_zero() {
        Err(err(env, flag, "must be longer than zero"))
    } else {
        Ok(d)
    }
}

impl ServeArgs {
    /// Checks every setting and derives the defaults that depend on the data directory.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        let (database, objects, search) = self.backends()?;
        self.check_pairs()?;
        let schema = self.schema_options()?;
        let http = self.http_limits()?;
        let ws = self.ws_limits()?;
        let accounts = app::AccountOptions {
            session_idle: nonzero(self.session_idle, "LFF_SESSION_IDLE", "session-idle")?,
            session_absolute: self.session_absolute,
            login_attempts_per_ip_per_minute: self.login_attempts_per_ip,
        };
        let space_events_kept = nonzero(
            self.space_events_kept,
            "LFF_SPACE_EVENTS_KEPT",
            "space-events-kept",
        )?;
        let event_reminder = nonzero(self.event_reminder, "LFF_EVENT_REMINDER", "event-reminder")?;
        let previews = self.preview_options()?;
        Ok(Config {
            listen: self.listen,
            database,
            objects,
            search,
            admin_email: self.admin_email,
            admin_password: self.admin_password,
            allowed_origins: self
                .allowed_origins
                .into_iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
            trusted_proxies: self.trusted_proxies,
            schema,
            http,
            ws,
            accounts,
            files: app::FileLimits {
                max_upload: self.max_upload,
                school_quota: self.school_quota,
            },
            log: self.log,
            log_format: self.log_format,
            space_events_kept,
            event_reminder,
            previews,
        })
    }

    /// The database, the object store and the search engine, each checked
    /// as far as it can be without opening it.
    fn backends(
        &self,
    ) -> Result<
        (
            store::DatabaseOptions,
            store::ObjectsOptions,
            search::SearchOptions,
        ),
        ConfigError,
    > {
        let data = &self.data_dir;
        let database = store::DatabaseOptions {
            url: self
                .database
                .clone()
                .unwrap_or_else(|| format!("surrealkv://{}", data.join("db").display())),
            user: self.database_user.clone(),
            password: self.database_password.clone(),
            namespace: self.database_namespace.clone(),
            database: self.database_name.clone(),
        };
        database
            .local_path()
            .map_err(|e| err("LFF_DATABASE", "database", strip_setting(e.to_string())))?;
        let s3_credentials = match (&self.s3_access_key_id, &self.s3_secret_access_key) {
            (Some(access_key_id), Some(secret_access_key)) => Some(store::S3Credentials {
                access_key_id: access_key_id.clone(),
                secret_access_key: secret_access_key.clone(),
                session_token: self.s3_session_token.clone(),
            }),
            (None, None) => None,
            _ => {
                return Err(err(
                    "AWS_ACCESS_KEY_ID",
                    "s3-access-key-id",
                    "give both the S3 access key id and its secret, or neither",
                ));
            }
        };
        let objects = store::ObjectsOptions {
            url: self
                .objects
                .clone()
                .unwrap_or_else(|| format!("file://{}", data.join("objects").display())),
            s3_credentials,
        };
        objects
            .local_path()
            .map_err(|e| err("LFF_OBJECTS", "objects", strip_setting(e.to_string())))?;
        let search_value = self
            .search
            .clone()
            .unwrap_or_else(|| data.join("search").display().to_string());
        let search = search::SearchOptions::parse(
            &search_value,
            self.search_key.as_deref(),
            &self.search_index,
        )
        .map_err(|e| err("LFF_SEARCH", "search", strip_setting(e.to_string())))?;
        Ok((database, objects, search))
    }

    /// Settings that must agree with each other, and those given as text
    /// with a grammar of their own (origins, the log filter).
    fn check_pairs(&self) -> Result<(), ConfigError> {
        for origin in &self.allowed_origins {
            let ok = url::Url::parse(origin)
                .map(|u| {
                    matches!(u.scheme(), "http" | "https") && u.host().is_some() && u.path() == "/"
                })
                .unwrap_or(false);
            if !ok {
                return Err(err(
                    "LFF_ALLOWED_ORIGINS",
                    "allowed-origins",
                    format!("'{origin}' is not an origin; write scheme://host[:port]"),
                ));
            }
        }
        if self.session_idle > self.session_absolute {
            return Err(err(
                "LFF_SESSION_IDLE",
                "session-idle",
                "must not be longer than --session-absolute",
            ));
        }
        if self.login_attempts_per_ip == 0 {
            return Err(err(
                "LFF_LOGIN_ATTEMPTS_PER_IP",
                "login-attempts-per-ip",
                "must be at least 1",
            ));
        }
        if self.ws_max_messages == 0 {
            return Err(err(
                "LFF_WS_MAX_MESSAGES",
                "ws-max-messages",
                "must be at least 1",
            ));
        }
        if self.ws_idle_timeout <= self.ws_ping_interval {
            return Err(err(
                "LFF_WS_IDLE_TIMEOUT",
                "ws-idle-timeout",
                "must be longer than --ws-ping-interval",
            ));
        }
        tracing_subscriber::EnvFilter::try_new(&self.log).map_err(|e| {
            err(
                "LFF_LOG",
                "log",
                format!("'{}' is not a log filter: {e}", self.log),
            )
        })?;
        Ok(())
    }

    fn schema_options(&self) -> Result<schema::SchemaOptions, ConfigError> {
        Ok(schema::SchemaOptions {
            max_depth: positive(self.max_depth, "LFF_MAX_DEPTH", "max-depth")?,
            max_complexity: positive(self.max_complexity, "LFF_MAX_COMPLEXITY", "max-complexity")?,
            max_directives: positive(self.max_directives, "LFF_MAX_DIRECTIVES", "max-directives")?,
            max_aliases: self.max_aliases,
        })
    }

    fn http_limits(&self) -> Result<HttpLimits, ConfigError> {
        Ok(HttpLimits {
            max_document_bytes: positive(
                self.max_document_bytes,
                "LFF_MAX_DOCUMENT_BYTES",
                "max-document-bytes",
            )?,
            max_body_bytes: positive(self.max_body_bytes, "LFF_MAX_BODY_BYTES", "max-body-bytes")?,
            header_read_timeout: nonzero(
                self.header_read_timeout,
                "LFF_HEADER_READ_TIMEOUT",
                "header-read-timeout",
            )?,
            body_idle_timeout: nonzero(
                self.body_idle_timeout,
                "LFF_BODY_IDLE_TIMEOUT",
                "body-idle-timeout",
            )?,
            write_timeout: nonzero(self.write_timeout, "LFF_WRITE_TIMEOUT", "write-timeout")?,
            max_connections: positive(
                self.max_connections,
                "LFF_MAX_CONNECTIONS",
                "max-connections",
            )?,
            max_connections_per_address: positive(
                self.max_connections_per_address,
                "LFF_MAX_CONNECTIONS_PER_ADDRESS",
                "max-connections-per-address",
            )?,
            metrics_token: match &self.metrics_token {
                Some(t) if t.len() < 16 => {
                    return Err(err(
                        "LFF_METRICS_TOKEN",
                        "metrics-token",
                        "use at least 16 characters",
                    ));
                }
                other => other.clone(),
            },
            request_timeout: nonzero(
                self.request_timeout,
                "LFF_REQUEST_TIMEOUT",
                "request-timeout",
            )?,
            shutdown_timeout: self.shutdown_timeout,
        })
    }

    fn ws_limits(&self) -> Result<WsLimits, ConfigError> {
        Ok(WsLimits {
            max_message_bytes: positive(
                self.ws_max_message_bytes,
                "LFF_WS_MAX_MESSAGE_BYTES",
                "ws-max-message-bytes",
            )?,
            max_per_person: positive(
                self.ws_max_per_person,
                "LFF_WS_MAX_PER_PERSON",
                "ws-max-per-person",
            )?,
            max_subscriptions: positive(
                self.ws_max_subscriptions,
                "LFF_WS_MAX_SUBSCRIPTIONS",
                "ws-max-subscriptions",
            )?,
            max_messages: self.ws_max_messages,
            rate_window: nonzero(self.ws_rate_window, "LFF_WS_RATE_WINDOW", "ws-rate-window")?,
            init_timeout: nonzero(
                self.ws_init_timeout,
                "LFF_WS_INIT_TIMEOUT",
                "ws-init-timeout",
            )?,
            ping_interval: nonzero(
                self.ws_ping_interval,
                "LFF_WS_PING_INTERVAL",
                "ws-ping-interval",
            )?,
            idle_timeout: self.ws_idle_timeout,
        })
    }

    fn preview_options(&self) -> Result<crate::previews::PreviewOptions, ConfigError> {
        let workers = match self.preview_workers {
            Some(n) => positive(n, "LFF_PREVIEW_WORKERS", "preview-workers")?,
            None => {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                if cores >= 4 { 2 } else { 1 }
            }
        };
        if self.preview_memory < 128 << 20 {
            return Err(err(
                "LFF_PREVIEW_MEMORY",
                "preview-memory",
                "give at least 128MiB",
            ));
        }
        let timeout = nonzero(
            self.preview_timeout,
            "LFF_PREVIEW_TIMEOUT",
            "preview-timeout",
        )?;
        Ok(crate::previews::PreviewOptions {
            program: self.preview_program.clone(),
            workers,
            memory: self.preview_memory,
            cpu: (timeout * 2 / 3).max(Duration::from_secs(1)),
            timeout: self.preview_timeout,
        })
    }
}

/// The lower crates prefix their messages with the setting's short name;
/// here the setting is named by its variable and flag instead.
fn strip_setting(msg: String) -> String {
    match msg.split_once(": ") {
        Some(("database" | "objects" | "search", rest)) => rest.to_owned(),
        _ => msg,
    }
}

impl Config {
    /// Everything in memory, listening on an ephemeral port: for tests.
    pub fn in_memory() -> Config {
        let args = Cli::parse_from([
            "lff",
            "--listen",
            "127.0.0.1:0",
            "--database",
            "mem://",
            "--objects",
            "memory://",
            "--search",
            "memory://",
        ]);
        args.into_serve_args()
            .into_config()
            .expect("the in-memory configuration is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, ConfigError> {
        let mut all = vec!["lff"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all)
            .unwrap()
            .into_serve_args()
            .into_config()
    }

    #[test]
    fn defaults_keep_everything_under_the_data_directory() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            c.database.url,
            format!("surrealkv://{}", PathBuf::from("data").join("db").display())
        );
        assert_eq!(
            c.objects.url,
            format!("file://{}", PathBuf::from("data").join("objects").display())
        );
        assert_eq!(
            c.search,
            search::SearchOptions::Directory(PathBuf::from("data").join("search"))
        );
        assert_eq!(c.schema.max_aliases, 30);
        assert_eq!(c.ws.max_message_bytes, 65536);
        assert_eq!(c.files.max_upload, 2 << 30);
        assert_eq!(c.files.school_quota, 10 << 30);
    }

    #[test]
    fn sizes_take_binary_and_decimal_units() {
        assert_eq!(byte_size("2GiB"), Ok(2 << 30));
        assert_eq!(byte_size("500 MiB"), Ok(500 << 20));
        assert_eq!(byte_size("1048576"), Ok(1 << 20));
        assert_eq!(byte_size("3kb"), Ok(3000));
        assert!(byte_size("0").is_err());
        assert!(byte_size("2 parsecs").is_err());
        assert!(byte_size("GiB").is_err());
    }

    #[test]
    fn a_bad_backend_url_names_the_setting_and_what_is_accepted() {
        let e = parse(&["--database", "postgres://x"])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "invalid setting LFF_DATABASE (--database): 'postgres://x' is not supported; use surrealkv://PATH, mem:// or ws://HOST:PORT"
        );
        let e = parse(&["--objects", "ftp://x"]).unwrap_err().to_string();
        assert!(
            e.starts_with("invalid setting LFF_OBJECTS (--objects): "),
            "{e}"
        );
        let e = parse(&["--allowed-origins", "school.example"])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid setting LFF_ALLOWED_ORIGINS"), "{e}");
    }

    #[test]
    fn the_serve_subcommand_takes_the_same_flags() {
        let c = Cli::try_parse_from(["lff", "serve", "--listen", "0.0.0.0:9000"]).unwrap();
        assert_eq!(c.into_serve_args().listen.to_string(), "0.0.0.0:9000");
    }

    #[test]
    fn the_demo_subcommand_loads_into_the_same_data() {
        let c = Cli::try_parse_from(["lff", "demo", "--data-dir", "/srv/lff"]).unwrap();
        let (args, mode) = c.into_parts();
        assert_eq!(mode, Mode::Demo { materials: 300 });
        assert_eq!(args.data_dir, PathBuf::from("/srv/lff"));
        let (_, mode) = Cli::try_parse_from(["lff"]).unwrap().into_parts();
        assert_eq!(mode, Mode::Serve);
    }
}
