//! Signed download links: a short-lived address for one file, bound to the
//! person who asked for it (or to anyone, for a public file), that a
//! browser uses in `<a href>`, `<img>` and `<video>` without a token — so
//! a file streams to disk or plays instead of passing through the page's
//! memory.
//!
//! A link is `{person}.{expires}.{mac}`: the person's id (`-` for a
//! visitor), the Unix second it expires at, and an HMAC-SHA256 of both and
//! of the resource it opens, under a key kept in the database, so that
//! every process on the same database honours every link. A link expires at
//! the end of the next whole minute (60–120 s away): a page that asks twice
//! within a minute gets the same address, and the browser's cache works.
//! Using a link checks again that the person is active; the caller checks
//! again that they may read the resource.

use chrono::{DateTime, TimeZone, Utc};

use super::Accounts;
use crate::accounts::model::Viewer;
use crate::kernel::error::{Error, Result};
use crate::kernel::id::UserId;
use crate::kernel::secrets::{self, TokenHash};

const LINK_INVALID: &str =
    "this link has expired or is not valid; open the file again from its page";

/// A link's secret part and when it stops working.
#[derive(Debug, Clone)]
pub struct SignedLink {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl Accounts<'_> {
    async fn link_key(&self) -> Result<&[u8]> {
        let key = self
            .state
            .link_key
            .get_or_try_init(|| async {
                let key = self.store.link_key(&secrets::new_link_key()).await?;
                hex::decode(key).map_err(|_| Error::internal("the stored link key is not hex"))
            })
            .await?;
        Ok(key)
    }

    /// A link to `resource` (a path such as `downloads/{id}`) for whoever
    /// `viewer` is. The caller has checked that they may read it.
    pub async fn sign_link(&self, viewer: Option<&Viewer>, resource: &str) -> Result<SignedLink> {
        let now = self.clock.now().timestamp();
        let expires = (now / 60 + 2) * 60;
        let person = viewer.map_or("-", |v| v.user.id.as_str());
        let code = secrets::link_code(
            self.link_key().await?,
            &[resource, person, &expires.to_string()],
        );
        Ok(SignedLink {
            token: format!("{person}.{expires}.{code}"),
            expires_at: Utc
                .timestamp_opt(expires, 0)
                .single()
                .ok_or_else(|| Error::internal("a link's expiry is out of range"))?,
        })
    }

    /// Who a link to `resource` was made for: `None` for a visitor's link.
    /// An altered, expired or foreign link, or one whose person has been
    /// deactivated since, is refused.
    pub async fn redeem_link(&self, resource: &str, token: &str) -> Result<Option<Viewer>> {
        let refused = || Error::Unauthenticated(LINK_INVALID);
        if token.len() > 200 {
            return Err(refused());
        }
        let mut parts = token.rsplitn(3, '.');
        let (Some(given), Some(expires), Some(person)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(refused());
        };
        let key = self.link_key().await?;
        if !secrets::link_code_matches(key, &[resource, person, expires], given) {
            return Err(refused());
        }
        let expires: i64 = expires.parse().map_err(|_| refused())?;
        let now = self.clock.now();
        if now.timestamp() >= expires {
            return Err(refused());
        }
        if person == "-" {
            return Ok(None);
        }
        let id = UserId::parse(person).map_err(|_| refused())?;
        let user = self.store.user(&id).await?.ok_or_else(refused)?;
        if !user.active {
            return Err(refused());
        }
        Ok(Some(Viewer {
            user,
            // Not a session: a link opens one file and nothing else.
            token_hash: TokenHash(String::new()),
            session_expires_at: now,
        }))
    }
}
