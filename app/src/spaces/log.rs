//! The log of every space, and live delivery from it.
//!
//! Writing: durable space events go through one writer task per process
//! ([`crate::live::log::Writer`]). It takes whatever jobs are waiting,
//! commits them in one database transaction, which gives each event the
//! next gap-free position of its space, and then publishes them to the hub
//! in that order.
//! Batching is what makes durable posting fast: one fsync serves many
//! messages. A job that fails is retried alone, so one bad job never sinks
//! the others of its batch.
//!
//! Reading: a subscriber first registers with the hub, then replays the log
//! after its cursor, then follows the hub, skipping what it already had and
//! reading the log again if it sees a gap ([`crate::live::log::Position`]). A subscriber that falls behind
//! the hub gets `ResyncRequired` and its stream ends; it resumes from its
//! last cursor. Nothing here is kept per subscriber but its position.

use std::collections::VecDeque;
use std::sync::Arc;

use futures::Stream;
use tokio::sync::oneshot;

use super::Spaces;
use crate::accounts::model::Viewer;
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{SpaceId, UserId};
use crate::live::REPLAY_PAGE;
use crate::live::log::{Batch, Live, Position, missed};
use crate::spaces::cache::SpaceCache;
use crate::spaces::hub::{SpaceFrame, SpaceHub, SpaceListener, SpaceSignal};
use crate::spaces::model::{Channel, LoggedEvent, SpaceEvent, SpaceEventKind, SpaceRole};
use crate::spaces::port::{LogEntry, SpaceStore};

pub(crate) struct Job {
    entries: Vec<LogEntry>,
    done: oneshot::Sender<Result<Vec<SpaceEvent>>>,
}

/// The space log's writer task.
pub(crate) type Writer = crate::live::log::Writer<Job>;

/// Starts the space log's writer (it needs a runtime).
pub(crate) fn start_writer(
    repo: Arc<dyn SpaceStore>,
    hub: SpaceHub,
    cache: Arc<SpaceCache>,
) -> Writer {
    Writer::start(
        "space log writer",
        Commit {
            repo,
            to: Published { hub, cache },
        },
    )
}

/// Where committed events go, in commit order: the cache, then subscribers.
struct Published {
    hub: SpaceHub,
    cache: Arc<SpaceCache>,
}

/// Commits the jobs of a batch in one transaction; when that fails, each
/// alone, so that one bad job never sinks the others.
struct Commit {
    repo: Arc<dyn SpaceStore>,
    to: Published,
}

impl Batch for Commit {
    type Job = Job;

    async fn run(&mut self, mut jobs: Vec<Job>) {
        let sizes: Vec<usize> = jobs.iter().map(|j| j.entries.len()).collect();
        let mut entries: Vec<LogEntry> = jobs
            .iter_mut()
            .flat_map(|j| std::mem::take(&mut j.entries))
            .collect();
        match self.repo.log_space_events(&mut entries).await {
            Ok(()) => {
                let mut rest = entries.into_iter();
                for (job, n) in jobs.into_iter().zip(sizes) {
                    let events: Vec<SpaceEvent> = rest.by_ref().take(n).map(|e| e.event).collect();
                    publish(&self.to, &events);
                    let _ = job.done.send(Ok(events));
                }
            }
            Err(e) if jobs.len() == 1 => {
                let _ = jobs.pop().map(|j| j.done.send(Err(e)));
            }
            Err(_) => {
                // Find the job that failed: commit each alone.
                let mut rest = entries.into_iter();
                for (job, n) in jobs.into_iter().zip(sizes) {
                    let mut mine: Vec<LogEntry> = rest.by_ref().take(n).collect();
                    let result = match self.repo.log_space_events(&mut mine).await {
                        Ok(()) => {
                            let events: Vec<SpaceEvent> =
                                mine.into_iter().map(|e| e.event).collect();
                            publish(&self.to, &events);
                            Ok(events)
                        }
                        Err(e) => Err(e),
                    };
                    let _ = job.done.send(result);
                }
            }
        }
    }
}

fn publish(to: &Published, events: &[SpaceEvent]) {
    for e in events {
        to.cache.apply(e);
        to.hub.publish(SpaceFrame::new(e.clone()));
    }
}

impl Spaces<'_> {
    /// Commits durable events (together, in order) and publishes them live.
    pub(crate) async fn log(&self, entries: Vec<LogEntry>) -> Result<Vec<SpaceEvent>> {
        let writer = self.state.writer.get_or_init(|| {
            start_writer(
                self.state.store.clone(),
                self.state.hub.clone(),
                self.state.cache.clone(),
            )
        });
        let events = writer.ask(|done| Job { entries, done }).await?;
        self.outbox.ring();
        Ok(events)
    }

    pub(crate) async fn log_one(
        &self,
        event: SpaceEventKind,
        space: &SpaceId,
    ) -> Result<SpaceEvent> {
        self.log_entry(self.entry(space, event)).await
    }

    /// Logs an event that happened in a channel (staff only in the bulletin).
    pub(crate) async fn log_in(
        &self,
        event: SpaceEventKind,
        channel: &Channel,
    ) -> Result<SpaceEvent> {
        let mut entry = self.entry(&channel.space, event);
        entry.event.staff_only = !channel.readable_by(SpaceRole::Student);
        self.log_entry(entry).await
    }

    async fn log_entry(&self, entry: LogEntry) -> Result<SpaceEvent> {
        let mut events = self.log(vec![entry]).await?;
        events
            .pop()
            .ok_or_else(|| Error::internal("the space log returned nothing"))
    }

    /// The events of a space for the viewer: what they missed after `after`
    /// (a cursor), then live ones, in order, each once. Without `after`,
    /// live ones only.
    pub async fn space_events(
        &self,
        viewer: &Viewer,
        space: &SpaceId,
        after: Option<&str>,
    ) -> Result<impl Stream<Item = Result<Arc<SpaceEvent>>> + Send + 'static + use<>> {
        let after = after
            .map(crate::kernel::paging::parse_seq_cursor)
            .transpose()?;
        let access = self.space_access(viewer, space).await?;
        let Some(role) = access.role else {
            return Err(Error::Forbidden);
        };
        let present = access
            .member
            .as_ref()
            .map(|m| (&m.user, m.display_name.as_str()));
        let listener = self.state.hub.listen_space(space, present);
        let mut sub = Subscriber {
            store: self.state.store.clone(),
            space: space.clone(),
            user: viewer.user.id.clone(),
            role,
            listener,
            position: Position::default(),
            ready: VecDeque::new(),
            done: false,
        };
        if let Some(after) = after {
            // The first page is read now, so that a bad cursor is an error
            // of the request rather than of the stream.
            let page = self.store.space_log(space, after, REPLAY_PAGE).await?;
            if after > page.head {
                return Err(Error::invalid("after", "not a cursor of this space"));
            }
            if after < page.pruned_through {
                return Err(Error::ResyncRequired(
                    "the events after this cursor are no longer kept; reload the space",
                ));
            }
            sub.position = Position::resuming_after(after);
            sub.take_page(page.events);
        }
        Ok(futures::stream::unfold(sub, Subscriber::next))
    }

    /// Forgets space events older than `keep`; returns how many.
    pub async fn prune_space_logs(&self, keep: chrono::Duration) -> Result<u64> {
        self.store.prune_space_logs(self.clock.now() - keep).await
    }
}

struct Subscriber {
    store: Arc<dyn SpaceStore>,
    space: SpaceId,
    user: UserId,
    role: SpaceRole,
    listener: SpaceListener,
    /// Where the stream stands in the space's log.
    position: Position,
    ready: VecDeque<Arc<SpaceEvent>>,
    done: bool,
}

impl Subscriber {
    /// Queues a page of the log; asks for the next page if this one was full.
    fn take_page(&mut self, events: Vec<LoggedEvent>) {
        let len = events.len();
        for logged in events {
            let Some(seq) = logged.event.seq else {
                continue;
            };
            if !self.position.replayed(seq) {
                continue;
            }
            if let Some(e) = logged.event.for_role(self.role, logged.redaction) {
                self.ready.push_back(Arc::new(e));
            }
        }
        self.position.page_read(len);
    }

    fn ends_me(&self, e: &SpaceEvent) -> bool {
        matches!(&e.kind, SpaceEventKind::MemberLeft { member, .. } if member.user == self.user)
    }

    async fn next(mut self) -> Option<(Result<Arc<SpaceEvent>>, Self)> {
        loop {
            if self.done {
                return None;
            }
            if let Some(e) = self.ready.pop_front() {
                if self.ends_me(&e) {
                    self.done = true;
                }
                return Some((Ok(e), self));
            }
            if let Some(after) = self.position.replay_due() {
                match self.store.space_log(&self.space, after, REPLAY_PAGE).await {
                    Ok(page) if after < page.pruned_through => {
                        self.done = true;
                        return Some((Err(missed()), self));
                    }
                    Ok(page) => {
                        self.take_page(page.events);
                        continue;
                    }
                    Err(e) => {
                        self.done = true;
                        return Some((Err(e), self));
                    }
                }
            }
            match self.listener.recv().await {
                SpaceSignal::Missed => {
                    self.done = true;
                    return Some((Err(missed()), self));
                }
                SpaceSignal::Frame(frame) => {
                    // Presence and typing have no position: always live.
                    if let Some(seq) = frame.seq
                        && self.position.live(seq) != Live::Take
                    {
                        continue;
                    }
                    if let Some(e) = frame.for_role(self.role) {
                        self.ready.push_back(e.clone());
                    }
                }
            }
        }
    }
}
