//! What every durable live log shares — a space's log and a live room's
//! alike: one writer task that commits the jobs waiting together, and the
//! position a replay-then-follow stream keeps.
//!
//! Writing: [`Writer`] runs a [`Batch`] in a task of its own. The task takes
//! whatever jobs are waiting (up to [`MAX_BATCH`]) and hands them over
//! together, so that one database transaction serves many. The task ends
//! when its handle is dropped.
//!
//! Reading: a subscriber registers with its hub first, then replays the log
//! after its cursor, then follows the hub. [`Position`] is the one place
//! that decides what it takes: each position once, in order, and when a
//! live item skips positions (written by another process, or missed), the
//! gap is read from the log before anything newer is taken.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

use crate::kernel::error::{Error, Result};
use crate::live::{MAX_BATCH, QUEUE, REPLAY_PAGE};

/// The work of a writer task: what to do with the jobs taken together.
pub(crate) trait Batch: Send + 'static {
    type Job: Send + 'static;
    /// Handles the jobs, in the order they were sent; each job answers its
    /// sender.
    fn run(&mut self, jobs: Vec<Self::Job>) -> impl Future<Output = ()> + Send;
}

/// The handle of a writer task.
pub(crate) struct Writer<J> {
    tx: mpsc::Sender<J>,
    name: &'static str,
}

impl<J: Send + 'static> Writer<J> {
    /// Starts the task (it needs a runtime). `name` is what errors call it.
    pub(crate) fn start<B: Batch<Job = J>>(name: &'static str, mut batch: B) -> Writer<J> {
        let (tx, mut rx) = mpsc::channel(QUEUE);
        tokio::spawn(async move {
            let mut jobs: Vec<J> = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
                let taken = std::mem::replace(&mut jobs, Vec::with_capacity(MAX_BATCH));
                batch.run(taken).await;
            }
        });
        Writer { tx, name }
    }

    /// Sends the job `make` builds around a reply channel, and waits for
    /// the reply. Waits for room in the queue when it is full.
    pub(crate) async fn ask<R>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<R>>) -> J,
    ) -> Result<R> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(make(done))
            .await
            .map_err(|_| Error::internal(format!("the {} stopped", self.name)))?;
        wait.await
            .map_err(|_| Error::internal(format!("the {} dropped a job", self.name)))?
    }
}

/// The error that ends a follower which fell behind its hub: the client
/// resumes from the last cursor it received.
pub(crate) fn missed() -> Error {
    Error::ResyncRequired("live events were missed; resume from the last cursor received")
}

/// What a follower does with a live item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Live {
    /// Taken already (by the replay, or twice from the hub).
    Skip,
    /// The next position: take it.
    Take,
    /// Positions were skipped: read the log after the last one taken first;
    /// the item comes again from the log.
    Gap,
}

/// Where a replay-then-follow stream stands in a log of gap-free positions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Position {
    /// The last position taken.
    last: Option<u64>,
    /// Read the log after this position before following the hub again.
    replay_after: Option<u64>,
}

impl Position {
    /// A stream that resumes after `cursor`: the log is read from there.
    pub(crate) fn resuming_after(cursor: u64) -> Position {
        Position {
            last: Some(cursor),
            replay_after: Some(cursor),
        }
    }

    /// Where to read the log after, when a page is due; the caller reads it
    /// and reports with [`Position::replayed`] and [`Position::page_read`].
    pub(crate) fn replay_due(&mut self) -> Option<u64> {
        self.replay_after.take()
    }

    /// Whether an item read from the log at `seq` is new; if it is, it
    /// counts as taken.
    pub(crate) fn replayed(&mut self, seq: u64) -> bool {
        if self.last.is_some_and(|l| seq <= l) {
            return false;
        }
        self.last = Some(seq);
        true
    }

    /// After a page of `len` items: a full page means more may follow.
    pub(crate) fn page_read(&mut self, len: usize) {
        self.replay_after = if len >= REPLAY_PAGE { self.last } else { None };
    }

    /// What to do with a live item at `seq` (see [`Live`]).
    pub(crate) fn live(&mut self, seq: u64) -> Live {
        match self.last {
            Some(l) if seq <= l => Live::Skip,
            Some(l) if seq > l + 1 => {
                self.replay_after = Some(l);
                Live::Gap
            }
            _ => {
                self.last = Some(seq);
                Live::Take
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_follower_takes_live_items_in_order_and_each_once() {
        let mut p = Position::default();
        assert_eq!(p.replay_due(), None);
        assert_eq!(p.live(7), Live::Take);
        assert_eq!(p.live(7), Live::Skip);
        assert_eq!(p.live(8), Live::Take);
        assert_eq!(p.live(10), Live::Gap, "9 was skipped");
    }

    #[test]
    fn a_gap_sends_the_follower_to_the_log_and_the_log_fills_it() {
        let mut p = Position::resuming_after(3);
        assert_eq!(p.replay_due(), Some(3));
        assert!(p.replayed(4));
        assert!(!p.replayed(4), "a position is taken once");
        p.page_read(1);
        assert_eq!(p.replay_due(), None, "a short page is the end of the log");
        assert_eq!(p.live(7), Live::Gap);
        assert_eq!(
            p.replay_due(),
            Some(4),
            "the gap is read after the last taken"
        );
        assert!(p.replayed(5) && p.replayed(6) && p.replayed(7));
        p.page_read(3);
        assert_eq!(p.live(7), Live::Skip, "the live copy of a replayed item");
        assert_eq!(p.live(8), Live::Take);
    }

    #[test]
    fn a_full_page_asks_for_the_next() {
        let mut p = Position::resuming_after(0);
        p.replay_due();
        for seq in 1..=REPLAY_PAGE as u64 {
            assert!(p.replayed(seq));
        }
        p.page_read(REPLAY_PAGE);
        assert_eq!(p.replay_due(), Some(REPLAY_PAGE as u64));
    }

    struct Doubler;

    impl Batch for Doubler {
        type Job = (u32, oneshot::Sender<Result<(u32, usize)>>);
        async fn run(&mut self, jobs: Vec<Self::Job>) {
            let n = jobs.len();
            for (x, done) in jobs {
                let _ = done.send(Ok((x * 2, n)));
            }
        }
    }

    #[tokio::test]
    async fn a_writer_answers_every_job_and_takes_waiting_jobs_together() {
        let w = Writer::start("test writer", Doubler);
        let (a, b, c) = tokio::join!(
            w.ask(|done| (1, done)),
            w.ask(|done| (2, done)),
            w.ask(|done| (3, done)),
        );
        let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
        assert_eq!((a.0, b.0, c.0), (2, 4, 6));
        // The three were sent before the task ran once: one batch took them.
        assert_eq!((a.1, b.1, c.1), (3, 3, 3));
    }
}
