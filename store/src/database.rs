//! Opening the SurrealDB database chosen by URL, and its durability rules.

use std::path::PathBuf;

use surrealdb::Surreal;
use surrealdb::engine::any::{self, Any};
use surrealdb::opt::auth::Root;

use crate::OpenError;

/// Where the database lives and how to reach it.
#[derive(Debug, Clone)]
pub struct DatabaseOptions {
    /// `surrealkv://path` (embedded, on disk), `mem://` (embedded, in memory)
    /// or `ws://host:port` / `wss://…` (a SurrealDB server).
    pub url: String,
    /// Root credentials for a server; ignored by embedded engines.
    pub user: Option<String>,
    pub password: Option<String>,
    pub namespace: String,
    pub database: String,
}

pub(crate) enum Kind {
    Memory,
    SurrealKv { path: PathBuf },
    Server,
}

const ACCEPTED: &str = "use surrealkv://PATH, mem:// or ws://HOST:PORT";

impl DatabaseOptions {
    fn kind(&self) -> Result<Kind, OpenError> {
        let setting = |reason: String| OpenError::Setting {
            setting: "database",
            reason,
        };
        let url = self.url.trim();
        if url == "mem://" || url == "memory" {
            return Ok(Kind::Memory);
        }
        if let Some(rest) = url.strip_prefix("surrealkv://") {
            let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
            if path.is_empty() {
                return Err(setting(format!("'{url}' has no path; {ACCEPTED}")));
            }
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                match pair.split_once('=') {
                    Some(("sync", "every")) => {}
                    Some(("sync", other)) => {
                        return Err(setting(format!(
                            "sync={other} would lose acknowledged writes on a crash; only sync=every is allowed"
                        )));
                    }
                    _ => return Err(setting(format!("unknown option '{pair}' in '{url}'"))),
                }
            }
            return Ok(Kind::SurrealKv {
                path: PathBuf::from(path),
            });
        }
        if url.starts_with("ws://") || url.starts_with("wss://") {
            return Ok(Kind::Server);
        }
        Err(setting(format!("'{url}' is not supported; {ACCEPTED}")))
    }

    /// The directory an embedded on-disk database uses, if any; the server
    /// locks it so that a second process cannot open the same data.
    pub fn local_path(&self) -> Result<Option<PathBuf>, OpenError> {
        Ok(match self.kind()? {
            Kind::SurrealKv { path } => Some(path),
            _ => None,
        })
    }
}

impl DatabaseOptions {
    /// Waits until an embedded on-disk database has been closed by its engine.
    ///
    /// The engine shuts down in the background once the last handle is
    /// dropped and offers nothing to await, so this watches the one sign it
    /// leaves: the storage engine's `LOCK` file becomes free. Returns false
    /// if that has not happened within `timeout`. In-memory and server
    /// databases have nothing to wait for.
    pub async fn wait_closed(&self, timeout: std::time::Duration) -> bool {
        let Ok(Some(path)) = self.local_path() else {
            return true;
        };
        let lock = path.join("LOCK");
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let free = match std::fs::OpenOptions::new().write(true).open(&lock) {
                Err(_) => true,
                // Dropping the file releases the probe's own lock at once.
                Ok(f) => f.try_lock().is_ok(),
            };
            if free {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

/// The database handle: one SurrealDB session with namespace and database
/// chosen. Cloning is cheap and shares the connection.
#[derive(Clone)]
pub struct Database {
    pub(crate) db: Surreal<Any>,
}

impl Database {
    /// Connects, signs in where needed, selects the namespace and database and
    /// applies pending migrations.
    pub async fn open(options: &DatabaseOptions) -> Result<Database, OpenError> {
        let backend = |source: surrealdb::Error| OpenError::Backend {
            what: "the database",
            source: Box::new(source),
        };
        let kind = options.kind()?;
        let server = matches!(kind, Kind::Server);
        let address = match kind {
            Kind::Memory => "mem://".to_owned(),
            Kind::SurrealKv { path } => {
                std::fs::create_dir_all(
                    path.parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .unwrap_or(&path),
                )
                .map_err(|e| OpenError::Backend {
                    what: "the database directory",
                    source: Box::new(e),
                })?;
                // Spelled out even though it is the engine's default: every
                // commit is fsynced before it is acknowledged.
                format!("surrealkv://{}?sync=every", path.display())
            }
            Kind::Server => options.url.trim().to_owned(),
        };
        let db = any::connect(address).await.map_err(backend)?;
        // Embedded engines run without authentication inside this process;
        // credentials only mean something to a server.
        if let (true, Some(user), Some(password)) = (server, &options.user, &options.password) {
            db.signin(Root {
                username: user.clone(),
                password: password.clone(),
            })
            .await
            .map_err(backend)?;
        }
        // Selected before the handle is cloned anywhere: clones copy the session.
        db.use_ns(&options.namespace)
            .use_db(&options.database)
            .await
            .map_err(backend)?;
        let database = Database { db };
        crate::migrations::apply(&database.db).await?;
        Ok(database)
    }
}

pub(crate) fn internal(e: surrealdb::Error) -> app::Error {
    app::Error::internal(format!("database: {e}"))
}

/// Whether a statement failed only because a concurrent transaction wrote
/// the same rows first (SurrealKV is optimistic): running it again is right.
pub(crate) fn is_conflict(e: &surrealdb::Error) -> bool {
    e.query_details() == Some(&surrealdb::types::QueryError::TransactionConflict)
        || e.to_string().contains("can be retried")
}

/// Runs a single-statement write again while it loses to concurrent
/// writers of the same row (a few times; past that the conflict is an
/// internal error).
pub(crate) async fn retrying<T, F, Fut>(mut attempt: F) -> app::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, surrealdb::Error>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Ok(v) => return Ok(v),
            Err(e) if is_conflict(&e) && tries < 20 => {
                tries += 1;
                // A little later each time, spread so that racers part.
                let jitter = rand::random::<u64>() % 5;
                tokio::time::sleep(std::time::Duration::from_millis(tries * 2 + jitter)).await;
            }
            Err(e) => return Err(internal(e)),
        }
    }
}

/// A fresh in-memory database with every migration applied, for unit tests.
#[cfg(test)]
pub(crate) async fn test_database() -> Database {
    Database::open(&DatabaseOptions {
        url: "mem://".into(),
        user: None,
        password: None,
        namespace: "t".into(),
        database: "t".into(),
    })
    .await
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(url: &str) -> DatabaseOptions {
        DatabaseOptions {
            url: url.into(),
            user: None,
            password: None,
            namespace: "lff".into(),
            database: "main".into(),
        }
    }

    #[test]
    fn urls_choose_the_engine_and_unsafe_sync_is_refused() {
        assert!(matches!(opts("mem://").kind(), Ok(Kind::Memory)));
        assert!(matches!(
            opts("ws://127.0.0.1:8000").kind(),
            Ok(Kind::Server)
        ));
        assert_eq!(
            opts("surrealkv://data/db").local_path().unwrap(),
            Some(PathBuf::from("data/db"))
        );
        assert!(opts("surrealkv://data/db?sync=every").kind().is_ok());
        let err = opts("surrealkv://data/db?sync=never")
            .kind()
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("database: sync=never"), "{err}");
        let err = opts("postgres://x").kind().err().unwrap().to_string();
        assert!(
            err.contains("surrealkv://PATH, mem:// or ws://HOST:PORT"),
            "{err}"
        );
    }
}
