//! Password hashing (Argon2id with the parameters of the reliability policy)
//! and session tokens. Hashing runs on threads of its own ([`Hashing`]): it
//! takes tens of milliseconds of CPU and 19 MiB on purpose.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::kernel::error::{Error, Result};

fn hasher() -> Argon2<'static> {
    // m = 19456 KiB, t = 2, p = 1: the OWASP baseline for Argon2id.
    let params = Params::new(19_456, 2, 1, None).expect("static Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Runs password hashing on a few threads of its own, one per core.
///
/// Each Argon2 hash holds 19 MiB while it runs. On the shared blocking
/// pool a class list of 200 students or a burst of sign-ins ran hundreds at
/// once, and every thread that had hashed kept its allocator arena's 19 MiB
/// chunks (17 GiB of RSS after creating and signing in 500 students; still
/// ≈ 700 MiB with the hashes limited to one per core but run on changing
/// pool threads). A fixed set of threads bounds both the memory and the
/// share of the machine that sign-ins take. The threads end when the
/// [`Hashing`] is dropped.
///
/// The queue in front of them is bounded too: with [`QUEUE`] jobs waiting,
/// a sign-in is refused at once ([`Error::RateLimited`]) instead of waiting
/// behind a flood of them, and a job whose caller gave up (a timed-out
/// request) is skipped rather than hashed for nobody. Bulk work (creating a
/// class's accounts) waits for room instead of failing, but takes at most
/// [`BULK`] places at a time, so sign-ins keep most of the queue.
pub(crate) struct Hashing {
    jobs: std::sync::mpsc::Sender<Job>,
    queue: std::sync::Arc<tokio::sync::Semaphore>,
    bulk: tokio::sync::Semaphore,
}

type Job = Box<dyn FnOnce() + Send>;

/// Jobs waiting or running at most.
const QUEUE: usize = 64;
/// Places in the queue bulk work may hold at once.
const BULK: usize = 16;

impl Hashing {
    pub(crate) fn new() -> Hashing {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (jobs, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for _ in 0..cores.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name("lff-password".into())
                .spawn(move || {
                    loop {
                        // Held only while taking the next job, never while hashing.
                        let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok(job) = next else { return };
                        // A panic loses that one answer (the caller sees an
                        // internal error), not the thread.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "a password hashing thread could not start");
            }
        }
        Hashing {
            jobs,
            queue: std::sync::Arc::new(tokio::sync::Semaphore::new(QUEUE)),
            bulk: tokio::sync::Semaphore::new(BULK),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        place: tokio::sync::OwnedSemaphorePermit,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let (done, wait) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                // The place is given back when the job ends, run or skipped.
                let _place = place;
                if !done.is_closed() {
                    let _ = done.send(f());
                }
            }))
            .map_err(|_| Error::internal("the password threads stopped"))?;
        wait.await
            .map_err(|_| Error::internal("a password hash failed"))
    }

    /// A place in the queue for a sign-in, or `RateLimited` when it is full.
    fn place_now(&self) -> Result<tokio::sync::OwnedSemaphorePermit> {
        self.queue
            .clone()
            .try_acquire_owned()
            .map_err(|_| Error::RateLimited {
                message: "the server is busy checking sign-ins; try again in a few seconds",
                retry_after: Some(std::time::Duration::from_secs(2)),
            })
    }

    /// A place in the queue for bulk work, waiting for one.
    async fn place_waiting(&self) -> Result<tokio::sync::OwnedSemaphorePermit> {
        let _bulk = self
            .bulk
            .acquire()
            .await
            .map_err(|_| Error::internal("the password queue closed"))?;
        self.queue
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::internal("the password queue closed"))
    }

    /// Hashes a new password, waiting for room in the queue.
    pub(crate) async fn hash(&self, password: String) -> Result<String> {
        let place = self.place_waiting().await?;
        self.run(place, move || hash(password)).await?
    }

    /// Checks a password for a sign-in: `RateLimited` at once when the queue
    /// is full.
    pub(crate) async fn verify(&self, password: String, stored: String) -> Result<bool> {
        let place = self.place_now()?;
        self.run(place, move || verify(password, stored)).await?
    }
}

fn hash(password: String) -> Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(Error::internal)
}

/// True when `password` matches `stored`. A malformed stored hash is an internal error.
fn verify(password: String, stored: String) -> Result<bool> {
    let parsed = PasswordHash::new(&stored).map_err(Error::internal)?;
    Ok(hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let hashing = Hashing::new();
        let h = hashing.hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            hashing
                .verify("correct horse battery".into(), h.clone())
                .await
                .unwrap()
        );
        assert!(
            !hashing
                .verify("correct horse batterz".into(), h)
                .await
                .unwrap()
        );
        // A malformed stored hash is an error, and the threads live on.
        assert!(
            hashing
                .verify("x".into(), "not a hash".into())
                .await
                .is_err()
        );
        let many =
            futures::future::join_all((0..6).map(|i| hashing.hash(format!("password {i}")))).await;
        assert!(many.iter().all(|h| h.is_ok()));
    }
}
