//! Who sees which events: the audience tokens a person holds, an event
//! they may know of, the lists they read, and what visitors see (public
//! events only).

use std::collections::BTreeSet;

use super::{Event, EventAudience, Events};
use crate::accounts::model::Viewer;
use crate::kernel::audience::{Principal, tokens};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::EventId;
use crate::kernel::paging::{Page, PageRequest};

impl Events<'_> {
    /// The principals the viewer holds towards event audiences.
    pub(crate) async fn event_keys(&self, viewer: &Viewer) -> Result<Option<Vec<String>>> {
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

    /// Whether the viewer may know the event exists.
    pub(crate) async fn sees_event(&self, viewer: &Viewer, e: &Event) -> Result<bool> {
        Ok(match self.event_keys(viewer).await? {
            None => true,
            Some(keys) => {
                let mine: BTreeSet<&String> = keys.iter().collect();
                e.audience_keys().iter().any(|k| mine.contains(k))
            }
        })
    }

    pub(crate) async fn visible_event(&self, viewer: &Viewer, id: &EventId) -> Result<Event> {
        let e = self.store.event(id).await?.ok_or(Error::NotFound)?;
        if self.sees_event(viewer, &e).await? {
            Ok(e)
        } else {
            Err(Error::NotFound)
        }
    }

    /// An event the viewer may see.
    pub async fn event(&self, viewer: &Viewer, id: &EventId) -> Result<Event> {
        self.visible_event(viewer, id).await
    }

    /// Events the viewer may see that have not ended (or all, with
    /// `include_past`), in order of their start.
    pub async fn events(
        &self,
        viewer: &Viewer,
        include_past: bool,
        page: &PageRequest,
    ) -> Result<Page<Event>> {
        let keys = self.event_keys(viewer).await?;
        let from = (!include_past).then(|| self.clock.now());
        self.store.events(keys.as_deref(), from, page).await
    }

    /// Public events that have not ended (with `include_past`, all of
    /// them), in order of their start: what a visitor may see.
    pub async fn public_events(
        &self,
        include_past: bool,
        page: &PageRequest,
    ) -> Result<Page<Event>> {
        let keys = tokens([Principal::Public]);
        let from = (!include_past).then(|| self.clock.now());
        self.store.events(Some(&keys), from, page).await
    }

    /// A public event, for a visitor; any other is `NotFound`.
    pub async fn public_event(&self, id: &EventId) -> Result<Event> {
        match self.store.event(id).await? {
            Some(e) if e.details.audience == EventAudience::Public => Ok(e),
            _ => Err(Error::NotFound),
        }
    }
}
