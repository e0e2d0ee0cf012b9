//! Accounts and sessions: signing in and out, verifying tokens, changing and
//! resetting passwords, deactivating people, and the first administrator.
//!
//! Tokens are opaque random strings; only their SHA-256 is stored. A session
//! ends after `session_idle` without use or `session_absolute` after sign-in,
//! whichever comes first, and on logout, password change, reset or
//! deactivation — in which case every open socket of it is told to close.

pub mod model;
pub mod port;

pub mod links;
pub(crate) mod password;
pub(crate) mod policy;
pub(crate) mod throttle;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;

use crate::accounts::model::{PasswordHash, PersonDraft};
use crate::kernel::clock::Clock;
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{CountryCode, NotificationId, UserId};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::secrets;
use crate::live::hub::Hub;
use crate::live::hub::{Notification, NotificationKind, UserSignal};
use crate::notifications::Notifications;
use port::AccountStore;

use crate::accounts::model::{
    AuditEntry, DisplayName, Email, MAX_PASSWORD_CHARS, NewPassword, RequestMeta, Role,
    SessionRecord, User, UserSecret, Username, Viewer,
};
use crate::kernel::secrets::TokenHash;
use throttle::{AddressBudget, Attempts, Source};

/// Session and sign-in rules; the server fills these from its configuration.
#[derive(Debug, Clone)]
pub struct AccountOptions {
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub login_attempts_per_ip_per_minute: u32,
}

impl Default for AccountOptions {
    fn default() -> Self {
        AccountOptions {
            session_idle: Duration::from_secs(12 * 3600),
            session_absolute: Duration::from_secs(30 * 24 * 3600),
            login_attempts_per_ip_per_minute: 300,
        }
    }
}

pub(crate) struct AccountState {
    options: AccountOptions,
    /// Sign-in attempts per name and source.
    attempts: Attempts,
    per_ip: AddressBudget,
    /// A hash to verify against when the login names nobody, so that the
    /// answer takes as long as for a real account.
    dummy_hash: OnceCell<String>,
    /// The key of signed download links, read from the database once.
    link_key: OnceCell<Vec<u8>>,
    sessions: SessionCache,
    pub(crate) hashing: password::Hashing,
}

impl AccountState {
    pub(crate) fn new(options: AccountOptions) -> Self {
        AccountState {
            per_ip: AddressBudget::new(options.login_attempts_per_ip_per_minute),
            options,
            attempts: Attempts::default(),
            dummy_hash: OnceCell::new(),
            link_key: OnceCell::new(),
            sessions: SessionCache::default(),
            hashing: password::Hashing::new(),
        }
    }
}

/// Sessions verified recently, so that most requests need no database read.
///
/// Every change this process makes to a session or its person (logout,
/// password change or reset, deactivation) removes the entries at once. An
/// entry is re-read from the database after [`RECHECK_EVERY`], which bounds
/// how long a change made by another server process can go unseen.
#[derive(Default)]
struct SessionCache {
    // A std mutex: look-ups and inserts only, never held across an await.
    map: Mutex<HashMap<TokenHash, CachedSession>>,
}

#[derive(Clone)]
struct CachedSession {
    session: SessionRecord,
    user: User,
    checked_at: DateTime<Utc>,
}

const RECHECK_EVERY: chrono::Duration = chrono::Duration::seconds(30);
/// Bounded memory: past this many live sessions the cache starts afresh.
const SESSION_CACHE_CAP: usize = 50_000;

impl SessionCache {
    fn get(&self, hash: &TokenHash) -> Option<CachedSession> {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(hash)
            .cloned()
    }

    fn put(&self, entry: CachedSession) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= SESSION_CACHE_CAP && !map.contains_key(&entry.session.token_hash) {
            map.clear();
        }
        map.insert(entry.session.token_hash.clone(), entry);
    }

    fn forget(&self, hash: &TokenHash) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(hash);
    }

    fn forget_user(&self, id: &UserId) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, e| e.user.id != *id);
    }
}

/// A new session: the token is shown once, to the person who signed in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub user: User,
    pub expires_at: DateTime<Utc>,
    /// The device token to send with later sign-ins from this device (only
    /// for sign-ins with a password).
    pub device: Option<String>,
}

impl SignedIn {
    /// The new session as a request made with it would see it.
    pub fn viewer(&self) -> Viewer {
        Viewer {
            user: self.user.clone(),
            token_hash: secrets::token_hash(&self.token),
            session_expires_at: self.expires_at,
        }
    }
}

/// Sign-in details generated for someone, shown once.
pub struct Credentials {
    pub login: String,
    pub password: String,
}

/// Sessions are written back at most this often when used, so that reads do
/// not each cost a database write.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

const WRONG_CREDENTIALS: &str = "wrong login or password";
const SESSION_INVALID: &str = "your session has ended; please sign in again";

fn chrono_dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// The accounts' use cases, with what they may use: their port, their
/// state, the person hub, the clock and the notifications.
#[derive(Clone, Copy)]
pub struct Accounts<'a> {
    pub(crate) store: &'a dyn AccountStore,
    pub(crate) state: &'a AccountState,
    pub(crate) hub: &'a Hub,
    pub(crate) clock: &'a dyn Clock,
    pub(crate) notifications: Notifications<'a>,
}

impl Accounts<'_> {
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Hashes a generated password on the blocking pool, one per core at a time.
    pub(crate) async fn hash_generated(&self, password: String) -> Result<String> {
        self.state.hashing.hash(password).await
    }

    async fn audit(
        &self,
        actor: Option<&UserId>,
        action: &str,
        target: &str,
        meta: &RequestMeta,
        outcome: &str,
    ) -> Result<()> {
        self.audit_in(actor, action, target, None, meta, outcome)
            .await
    }

    /// Appends one entry to the audit trail; `country` lets that country's
    /// national coordinator read it.
    pub(crate) async fn audit_in(
        &self,
        actor: Option<&UserId>,
        action: &str,
        target: &str,
        country: Option<&CountryCode>,
        meta: &RequestMeta,
        outcome: &str,
    ) -> Result<()> {
        self.store
            .append_audit(&AuditEntry {
                actor: actor.cloned(),
                action: action.to_owned(),
                target: target.to_owned(),
                country: country.cloned(),
                at: self.now(),
                request_id: meta.request_id.clone(),
                outcome: outcome.to_owned(),
            })
            .await
    }

    /// Records a refused privileged action and returns `Forbidden` for it.
    pub(crate) async fn deny(
        &self,
        viewer: &Viewer,
        action: &str,
        target: &str,
        country: Option<&CountryCode>,
        meta: &RequestMeta,
    ) -> Error {
        match self
            .audit_in(
                Some(&viewer.user.id),
                action,
                target,
                country,
                meta,
                "denied",
            )
            .await
        {
            Ok(()) => Error::Forbidden,
            Err(e) => e,
        }
    }

    /// Hashes a password for storing (on the blocking pool).
    pub async fn hash_password(&self, password: &NewPassword) -> Result<PasswordHash> {
        self.state
            .hashing
            .hash(password.expose().to_owned())
            .await
            .map(PasswordHash)
    }

    /// Stores a person without any permission check, with a hash made by
    /// [`Accounts::hash_password`] (so that demo data can share one). For start-up,
    /// demo data and tests only: no API path leads here.
    pub async fn seed_person(&self, draft: &PersonDraft, hash: &PasswordHash) -> Result<User> {
        self.store.create_person(draft, hash, self.now()).await
    }

    pub(crate) fn forget_cached_user(&self, id: &UserId) {
        self.state.sessions.forget_user(id);
    }

    /// Creates the first platform administrator when there is none.
    ///
    /// Returns the sign-in details when the password was generated here, so
    /// that the caller can show them once; `None` when an administrator
    /// already existed or the password was supplied.
    #[tracing::instrument(skip_all)]
    pub async fn ensure_platform_admin(
        &self,
        email: Option<&str>,
        password: Option<&str>,
    ) -> Result<Option<Credentials>> {
        if self.store.any_user_with_role(Role::PlatformAdmin).await? {
            return Ok(None);
        }
        let email = email.map(Email::parse).transpose()?;
        let (password, generated) = match password {
            Some(p) => (p.to_owned(), false),
            None => (secrets::generate_password(), true),
        };
        let new_password = NewPassword::parse(&password, Role::PlatformAdmin)?;
        let user = self
            .seed_user(
                Username::parse("admin")?,
                email.clone(),
                DisplayName::parse("Platform administrator")?,
                Role::PlatformAdmin,
                &new_password,
            )
            .await?;
        self.audit(
            None,
            "create_platform_admin",
            user.id.as_str(),
            &RequestMeta::default(),
            "ok",
        )
        .await?;
        tracing::info!(user = %user.id, "created the first platform administrator");
        Ok(generated.then(|| Credentials {
            login: email
                .map(|e| e.as_str().to_owned())
                .unwrap_or_else(|| "admin".into()),
            password,
        }))
    }

    /// Stores a person without any permission check. For start-up, demo data
    /// and tests only: no API path leads here.
    pub async fn seed_user(
        &self,
        username: Username,
        email: Option<Email>,
        display_name: DisplayName,
        role: Role,
        password: &NewPassword,
    ) -> Result<User> {
        let hash = self.hash_password(password).await?;
        let mut draft = PersonDraft::new(username, display_name, role);
        draft.email = if role.is_student() { None } else { email };
        self.seed_person(&draft, &hash).await
    }

    /// Signs in by e-mail or username. `device` is the device token an
    /// earlier sign-in gave this device, if it has one: failures are counted
    /// per device (or, without one, per client address), so that someone
    /// guessing at an account from elsewhere slows down only themselves.
    /// See [`crate::accounts::throttle`].
    #[tracing::instrument(skip_all)]
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        device: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<SignedIn> {
        let now = self.now();
        let state = &self.state;
        if let Some(ip) = meta.client_ip {
            state
                .per_ip
                .take(ip, now)
                .map_err(|retry| Error::RateLimited {
                    message: "too many sign-in attempts from this network; try again in a minute",
                    retry_after: Some(retry),
                })?;
        }
        let login = login.trim().to_lowercase();
        if login.is_empty() || login.len() > 254 || password.chars().count() > MAX_PASSWORD_CHARS {
            return Err(Error::Unauthenticated(WRONG_CREDENTIALS));
        }

        let secret = self.store.user_secret_by_login(&login).await?;
        let device = device
            .filter(|d| d.starts_with(secrets::DEVICE_PREFIX) && d.len() <= 128)
            .map(|d| (d, secrets::token_hash(d)));
        let known_device = match (&secret, &device) {
            (Some(secret), Some((_, hash))) => self
                .store
                .login_device_user(hash)
                .await?
                .is_some_and(|u| u == secret.user.id),
            _ => false,
        };
        let source = match (&device, known_device) {
            (Some((_, hash)), true) => Source::Device(hash.0.clone()),
            _ => Source::Address(meta.client_ip),
        };
        state
            .attempts
            .reserve(&login, &source, now)
            .map_err(|until| {
                wait_until(
                    until,
                    now,
                    "too many failed sign-ins; wait a little and try again",
                )
            })?;
        if !known_device
            && let Some(s) = &secret
            && let Some(until) =
                throttle::account_pause(s.failed_logins, s.last_failed_login_at, now)
        {
            state.attempts.cancel(&login, &source);
            return Err(wait_until(
                until,
                now,
                "this account had many failed sign-ins; sign in from a device you used before, or wait",
            ));
        }

        let verified = self.verify_password(secret.as_ref(), password).await;
        let ok = match verified {
            Ok(ok) => ok,
            Err(e) => {
                // Not checked (the queue was full): not an attempt.
                state.attempts.cancel(&login, &source);
                return Err(e);
            }
        };
        let secret = match secret {
            Some(s) if ok => s,
            Some(s) => {
                self.count_login_failure(&s.user, meta).await?;
                return Err(Error::Unauthenticated(WRONG_CREDENTIALS));
            }
            None => return Err(Error::Unauthenticated(WRONG_CREDENTIALS)),
        };
        if !secret.user.active {
            // Same answer as a wrong password: a deactivated account is not to be probed.
            return Err(Error::Unauthenticated(WRONG_CREDENTIALS));
        }
        state.attempts.succeeded(&login, &source);
        if secret.failed_logins > 0 {
            self.store.clear_login_failures(&secret.user.id).await?;
        }
        let device = device.filter(|_| known_device).map(|(token, _)| token);
        self.sign_in(secret.user, device).await
    }

    /// Checks a password against the account's hash, or against a dummy
    /// hash when nobody has the name, so that the answer takes as long.
    async fn verify_password(&self, secret: Option<&UserSecret>, password: &str) -> Result<bool> {
        let state = &self.state;
        match secret {
            Some(s) => {
                state
                    .hashing
                    .verify(password.to_owned(), s.password_hash.clone())
                    .await
            }
            None => {
                let dummy = state
                    .dummy_hash
                    .get_or_try_init(|| state.hashing.hash(secrets::generate_password()))
                    .await?;
                state
                    .hashing
                    .verify(password.to_owned(), dummy.clone())
                    .await
            }
        }
    }

    /// Opens a session for a person whose password was right: the device
    /// token they came with if it is theirs, a new one otherwise, and a
    /// notice on their other screens.
    async fn sign_in(&self, user: User, known_device: Option<&str>) -> Result<SignedIn> {
        let now = self.now();
        let mut signed_in = self.open_session(user).await?;
        signed_in.device = Some(match known_device {
            Some(token) => token.to_owned(),
            None => {
                let token = secrets::new_device_token();
                self.store
                    .add_login_device(&secrets::token_hash(&token), &signed_in.user.id, now)
                    .await?;
                token
            }
        });
        self.hub.send(
            &signed_in.user.id,
            UserSignal::Notification(Notification {
                id: NotificationId::generate(),
                kind: NotificationKind::SignedIn,
                created_at: now,
                space: None,
                about: None,
                actor_name: None,
                excerpt: None,
                read: false,
            }),
        );
        Ok(signed_in)
    }

    /// Counts a wrong password against the account. When the count reaches
    /// [`throttle::ACCOUNT_FAILURES`] the owner is told (unknown devices
    /// pause from now on) and the audit trail records it.
    async fn count_login_failure(&self, user: &User, meta: &RequestMeta) -> Result<()> {
        let n = self
            .store
            .record_login_failure(&user.id, self.now())
            .await?;
        if n == throttle::ACCOUNT_FAILURES {
            self.audit(None, "pause_sign_ins", user.id.as_str(), meta, "paused")
                .await?;
            let n =
                self.notifications
                    .notice(NotificationKind::SignInsFailed, None, None, None, None);
            self.notifications
                .notify(std::slice::from_ref(&user.id), n)
                .await?;
        }
        Ok(())
    }

    /// People of a suspended or withdrawn school do not sign in: their
    /// school's status is what its national coordinator set, and it holds
    /// until they approve the school again.
    async fn check_school_takes_part(&self, user: &User) -> Result<()> {
        let Some(school) = &user.school else {
            return Ok(());
        };
        if self.store.school_takes_part(school).await? {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// A new session for a person whose identity was checked; `Forbidden`
    /// for people of a suspended or withdrawn school.
    pub(crate) async fn open_session(&self, user: User) -> Result<SignedIn> {
        self.check_school_takes_part(&user).await?;
        let now = self.now();
        let token = secrets::new_token();
        let expires_at = now + chrono_dur(self.state.options.session_absolute);
        self.store
            .create_session(&SessionRecord {
                token_hash: secrets::token_hash(&token),
                user_id: user.id.clone(),
                created_at: now,
                last_seen_at: now,
                expires_at,
            })
            .await?;
        Ok(SignedIn {
            token,
            user,
            expires_at,
            device: None,
        })
    }

    /// Verifies a bearer token. Expired or unknown tokens are `Unauthenticated`.
    pub async fn authenticate(&self, token: &str) -> Result<Viewer> {
        if token.is_empty() || token.len() > 128 {
            return Err(Error::Unauthenticated(SESSION_INVALID));
        }
        let hash = secrets::token_hash(token);
        let now = self.now();
        let cache = &self.state.sessions;
        let mut entry = match cache.get(&hash) {
            Some(e) if now - e.checked_at < RECHECK_EVERY => e,
            _ => {
                let Some((session, user)) = self.store.session_with_user(&hash).await? else {
                    cache.forget(&hash);
                    return Err(Error::Unauthenticated(SESSION_INVALID));
                };
                CachedSession {
                    session,
                    user,
                    checked_at: now,
                }
            }
        };
        let idle = chrono_dur(self.state.options.session_idle);
        let s = &entry.session;
        if now >= s.expires_at || now - s.last_seen_at >= idle || !entry.user.active {
            cache.forget(&hash);
            self.store.delete_session(&hash).await?;
            return Err(Error::Unauthenticated(SESSION_INVALID));
        }
        if now - s.last_seen_at >= TOUCH_EVERY {
            self.store.touch_session(&hash, now).await?;
            entry.session.last_seen_at = now;
        }
        let viewer = Viewer {
            user: entry.user.clone(),
            token_hash: hash,
            session_expires_at: entry.session.expires_at,
        };
        cache.put(entry);
        Ok(viewer)
    }

    /// Ends the viewer's session, and closes its sockets.
    #[tracing::instrument(skip_all, fields(user = %viewer.user.id))]
    pub async fn logout(&self, viewer: &Viewer) -> Result<()> {
        // Database first, cache second: a request racing with this one cannot
        // put the session back into the cache after it was forgotten.
        self.store.delete_session(&viewer.token_hash).await?;
        self.state.sessions.forget(&viewer.token_hash);
        self.hub.send(
            &viewer.user.id,
            UserSignal::SessionsRevoked(Some(viewer.token_hash.clone())),
        );
        Ok(())
    }

    pub(crate) async fn end_all_sessions(&self, id: &UserId) -> Result<()> {
        self.store.delete_user_sessions(id).await?;
        self.state.sessions.forget_user(id);
        self.hub.send(id, UserSignal::SessionsRevoked(None));
        Ok(())
    }

    /// Changes the viewer's own password: every session of theirs ends (other
    /// devices included) and a new one is returned for this device.
    #[tracing::instrument(skip_all, fields(user = %viewer.user.id))]
    pub async fn change_password(
        &self,
        viewer: &Viewer,
        current: &str,
        new: &str,
        meta: &RequestMeta,
    ) -> Result<SignedIn> {
        let new = NewPassword::parse(new, viewer.user.role)?;
        let secret = self
            .store
            .user_secret(&viewer.user.id)
            .await?
            .ok_or(Error::NotFound)?;
        if !self
            .state
            .hashing
            .verify(current.to_owned(), secret.password_hash)
            .await?
        {
            return Err(Error::invalid(
                "currentPassword",
                "the current password is wrong",
            ));
        }
        let hash = self.state.hashing.hash(new.expose().to_owned()).await?;
        self.store.set_password_hash(&viewer.user.id, &hash).await?;
        self.end_all_sessions(&viewer.user.id).await?;
        self.audit(
            Some(&viewer.user.id),
            "change_password",
            viewer.user.id.as_str(),
            meta,
            "ok",
        )
        .await?;
        self.open_session(secret.user).await
    }

    /// A new generated password for a person (a student's is easy to type):
    /// failed sign-ins are forgotten and every session of theirs ends.
    pub(crate) async fn give_new_password(&self, id: &UserId, role: Role) -> Result<String> {
        let password = if role.is_student() {
            crate::kernel::secrets::student_password()
        } else {
            secrets::generate_password()
        };
        let hash = self.state.hashing.hash(password.clone()).await?;
        self.store.set_password_hash(id, &hash).await?;
        self.store.clear_login_failures(id).await?;
        self.end_all_sessions(id).await?;
        Ok(password)
    }

    /// Gives a person a new generated password on the operator's word, with
    /// no session: for whoever runs the server (`lff admin reset-password`),
    /// above all to recover the only administrator. Their failed sign-ins
    /// are forgotten, a deactivated account is active again, and their
    /// sessions end. No API path leads here.
    pub async fn operator_reset_password(&self, login: &str) -> Result<Credentials> {
        let login = login.trim().to_lowercase();
        let secret = self
            .store
            .user_secret_by_login(&login)
            .await?
            .ok_or(Error::NotFound)?;
        let id = &secret.user.id;
        self.store.set_user_active(id, true).await?;
        let password = self.give_new_password(id, secret.user.role).await?;
        self.audit_in(
            None,
            "operator_reset_password",
            id.as_str(),
            secret.user.country.as_ref(),
            &RequestMeta::default(),
            "ok",
        )
        .await?;
        Ok(Credentials {
            login: secret.user.username.as_str().to_owned(),
            password,
        })
    }

    /// The audit trail, newest first, of one action or all: administrators
    /// read all of it (or one country's), national coordinators their own
    /// country's.
    pub async fn audit_trail(
        &self,
        viewer: &Viewer,
        country: Option<&str>,
        action: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>> {
        let v = Some(viewer);
        let country = match country {
            Some(c) => Some(CountryCode::parse(c)?),
            None if viewer.user.role.is_national_coordinator() => viewer.user.country.clone(),
            None => None,
        };
        if !policy::reads_audit(v, country.as_ref()) {
            return Err(Error::Forbidden);
        }
        let action = action.map(str::trim).filter(|a| !a.is_empty());
        if action.is_some_and(|a| a.len() > 100) {
            return Err(Error::invalid(
                "action",
                "an action is at most 100 characters",
            ));
        }
        self.store.audit_page(country.as_ref(), action, page).await
    }
}

/// `RateLimited` until `until`.
fn wait_until(until: DateTime<Utc>, now: DateTime<Utc>, message: &'static str) -> Error {
    Error::RateLimited {
        message,
        retry_after: (until - now).to_std().ok(),
    }
}
