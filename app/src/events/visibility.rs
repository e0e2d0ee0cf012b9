//! Who sees which events: the audience tokens a person holds (a visitor:
//! `public` only), an event they may know of, and the lists they read.

use std::collections::BTreeSet;

use super::{Event, Events};
use crate::accounts::model::Viewer;
use crate::kernel::audience::{Principal, tokens};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::EventId;
use crate::kernel::paging::{Page, PageRequest};

impl Events<'_> {
    /// The principals whoever asks holds towards event audiences: a
    /// visitor holds `public` only; `None` for administrators, who see all.
    pub(crate) async fn event_keys(&self, viewer: Option<&Viewer>) -> Result<Option<Vec<String>>> {
        let Some(viewer) = viewer else {
            return Ok(Some(tokens([Principal::Public])));
        };
        let u = &viewer.user;
        if u.role.is_platform_admin() {
            return Ok(None);
        }
        let mut keys = vec![
            Principal::Public,
            Principal::Network,
            Principal::User(u.id.clone()),
        ];
        if let Some(c) = &u.country {
            if u.role.is_national_coordinator() {
                keys.push(Principal::Coordinator(c.clone()));
            }
            keys.push(Principal::Country(c.clone()));
        }
        if let Some(s) = &u.school {
            keys.push(Principal::School(s.clone()));
        }
        for (space, _) in self.spaces.store.space_roles(&u.id).await? {
            keys.push(Principal::Space(space));
        }
        Ok(Some(tokens(keys)))
    }

    /// Whether whoever asks may know the event exists.
    pub(crate) async fn sees_event(&self, viewer: Option<&Viewer>, e: &Event) -> Result<bool> {
        Ok(match self.event_keys(viewer).await? {
            None => true,
            Some(keys) => {
                let mine: BTreeSet<&String> = keys.iter().collect();
                e.audience_keys().iter().any(|k| mine.contains(k))
            }
        })
    }

    pub(crate) async fn visible_event(
        &self,
        viewer: Option<&Viewer>,
        id: &EventId,
    ) -> Result<Event> {
        let e = self.store.event(id).await?.ok_or(Error::NotFound)?;
        if self.sees_event(viewer, &e).await? {
            Ok(e)
        } else {
            Err(Error::NotFound)
        }
    }

    /// An event whoever asks may see (a visitor: a public one).
    pub async fn event(&self, viewer: Option<&Viewer>, id: &EventId) -> Result<Event> {
        self.visible_event(viewer, id).await
    }

    /// Events whoever asks may see (a visitor: the public ones) that have
    /// not ended (or all, with `include_past`), in order of their start.
    pub async fn events(
        &self,
        viewer: Option<&Viewer>,
        include_past: bool,
        page: &PageRequest,
    ) -> Result<Page<Event>> {
        let keys = self.event_keys(viewer).await?;
        let from = (!include_past).then(|| self.clock.now());
        self.store.events(keys.as_deref(), from, page).await
    }
}
