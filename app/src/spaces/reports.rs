//! The moderation queue: the messages members reported, for the space's
//! teachers to hide or dismiss, and the reporter told of the outcome.
//!
//! One decision closes every open report of the same message; a second
//! teacher deciding at the same moment gets `Conflict`, not a second
//! notice. Only teachers and leads who are members of the space see its
//! reports (they name the child who reported and why).

use std::collections::BTreeSet;

use crate::accounts::model::{RequestMeta, Viewer};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{ReportId, SpaceId, UserId};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::clean_text;
use crate::live::hub::NotificationKind;
use crate::spaces::Spaces;
use crate::spaces::model::{MessageReport, ReportHandling, ReportStatus};

/// What a teacher decides about a reported message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportDecision {
    /// Hide the message from students (the report's reason, or the note,
    /// becomes the hiding's reason).
    HideMessage,
    /// Leave the message as it is.
    Dismiss,
}

impl Spaces<'_> {
    /// Whether the viewer handles the space's reports: a teacher or lead
    /// who is a member. `NotFound` if they may not see the space.
    pub async fn moderates(&self, viewer: &Viewer, space: &SpaceId) -> Result<bool> {
        Ok(self.space_access(viewer, space).await?.moderates())
    }

    /// The space's reports in `status` (all when `None`), oldest first:
    /// its moderators only.
    pub async fn space_reports(
        &self,
        viewer: &Viewer,
        space: &SpaceId,
        status: Option<ReportStatus>,
        page: &PageRequest,
    ) -> Result<Page<MessageReport>> {
        if !self.moderates(viewer, space).await? {
            return Err(Error::Forbidden);
        }
        self.store.space_reports(space, status, page).await
    }

    /// How many reports wait in the space's queue: its moderators only.
    pub async fn open_report_count(&self, viewer: &Viewer, space: &SpaceId) -> Result<u64> {
        if !self.moderates(viewer, space).await? {
            return Err(Error::Forbidden);
        }
        self.store.open_report_count(space).await
    }

    /// A teacher's decision on a report (and every other open report of
    /// the same message); each reporter is told. Audited.
    pub async fn resolve_report(
        &self,
        viewer: &Viewer,
        id: &ReportId,
        decision: ReportDecision,
        note: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<MessageReport> {
        let report = self.store.report(id).await?.ok_or(Error::NotFound)?;
        let access = self.space_access(viewer, &report.space).await?;
        if !access.moderates() {
            return Err(self
                .accounts
                .deny(viewer, "resolve_report", id.as_str(), None, meta)
                .await);
        }
        access.writer_role()?;
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| clean_text("note", n, 500, true))
            .transpose()?;
        if report.status != ReportStatus::Open {
            return Err(Error::Conflict(
                "a teacher has already handled this report".into(),
            ));
        }
        let status = match decision {
            ReportDecision::HideMessage => {
                let reason = note.as_deref().unwrap_or(&report.reason);
                self.hide_message(viewer, &report.message, Some(reason), meta)
                    .await?;
                ReportStatus::MessageHidden
            }
            ReportDecision::Dismiss => ReportStatus::Dismissed,
        };
        let handling = ReportHandling {
            by: viewer.user.id.clone(),
            at: self.clock.now(),
            note,
        };
        let closed = self
            .store
            .close_reports(&report.message, status, &handling)
            .await?;
        let Some(this) = closed.iter().find(|r| r.id == report.id).cloned() else {
            return Err(Error::Conflict(
                "a teacher has already handled this report".into(),
            ));
        };
        let reporters: Vec<UserId> = closed
            .iter()
            .map(|r| r.by.clone())
            .filter(|u| *u != viewer.user.id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let kind = match status {
            ReportStatus::MessageHidden => NotificationKind::ReportUpheld,
            _ => NotificationKind::ReportDismissed,
        };
        let notice = self.notifications.notice(
            kind,
            Some(&report.space),
            Some(report.message.as_str()),
            Some(viewer.user.display_name.as_str()),
            handling.note.as_deref(),
        );
        self.notifications.notify(&reporters, notice).await?;
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "resolve_report",
                id.as_str(),
                None,
                meta,
                status.as_str(),
            )
            .await?;
        Ok(this)
    }
}
