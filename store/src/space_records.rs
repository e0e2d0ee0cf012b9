//! The rows of a space's invitations and of the moderation queue's
//! reports, and the queue's queries.

use app::{Error, Result};
use app::{
    InvitationAnswer, Invitee, MessageId, MessageReport, Page, PageRequest, ReportHandling,
    ReportId, ReportStatus, SchoolId, SpaceId, SpaceInvitation, SpaceInvitationId, UserId,
};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use crate::database::{Database, internal};
use crate::query::{exec, page_of};

#[derive(SurrealValue)]
pub(crate) struct InvitationRow {
    id: String,
    space: String,
    school: Option<String>,
    mentor: Option<String>,
    status: String,
    invited_by: String,
    created_at: DateTime<Utc>,
    answered_by: Option<String>,
    answered_at: Option<DateTime<Utc>>,
}

pub(crate) const INVITATION_FIELDS: &str = "record::id(id) AS id, space, school, mentor, status, invited_by, \
    created_at, answered_by, answered_at";

impl InvitationRow {
    pub(crate) fn into_invitation(self) -> Result<SpaceInvitation> {
        let invitee = match (self.school, self.mentor) {
            (Some(s), _) => Invitee::School(SchoolId::from_trusted(s)),
            (None, Some(m)) => Invitee::Mentor(UserId::from_trusted(m)),
            (None, None) => return Err(Error::internal("a space invitation without invitee")),
        };
        Ok(SpaceInvitation {
            id: SpaceInvitationId::from_trusted(self.id),
            space: SpaceId::from_trusted(self.space),
            invitee,
            status: InvitationAnswer::from_storage(&self.status)
                .ok_or_else(|| Error::internal("a space invitation with an unknown status"))?,
            invited_by: UserId::from_trusted(self.invited_by),
            created_at: self.created_at,
            answered_by: self.answered_by.map(UserId::from_trusted),
            answered_at: self.answered_at,
        })
    }
}

#[derive(SurrealValue)]
struct ReportRow {
    id: String,
    message: String,
    space: String,
    by: String,
    reason: String,
    at: DateTime<Utc>,
    status: String,
    handled_by: Option<String>,
    handled_at: Option<DateTime<Utc>>,
    note: Option<String>,
}

const REPORT_FIELDS: &str =
    "record::id(id) AS id, message, space, by, reason, at, status, handled_by, handled_at, note";

impl ReportRow {
    fn into_report(self) -> Result<MessageReport> {
        let status = ReportStatus::from_stored(&self.status)
            .ok_or_else(|| Error::internal("a report with an unknown status"))?;
        let handled = match (self.handled_by, self.handled_at) {
            (Some(by), Some(at)) => Some(ReportHandling {
                by: UserId::from_trusted(by),
                at,
                note: self.note,
            }),
            _ => None,
        };
        Ok(MessageReport {
            id: ReportId::from_trusted(self.id),
            message: MessageId::from_trusted(self.message),
            space: SpaceId::from_trusted(self.space),
            by: UserId::from_trusted(self.by),
            reason: self.reason,
            at: self.at,
            status,
            handled,
        })
    }
}

fn reports(rows: Vec<ReportRow>) -> Result<Vec<MessageReport>> {
    rows.into_iter().map(ReportRow::into_report).collect()
}

impl Database {
    pub(crate) async fn insert_report(&self, r: &MessageReport) -> Result<()> {
        exec(
            self.db
                .query(
                    "CREATE type::record('message_report', $id) CONTENT { message: $m, space: $s, \
                     by: $by, reason: $reason, at: $at, status: $status } RETURN NONE",
                )
                .bind(("id", r.id.as_str().to_owned()))
                .bind(("m", r.message.as_str().to_owned()))
                .bind(("s", r.space.as_str().to_owned()))
                .bind(("by", r.by.as_str().to_owned()))
                .bind(("reason", r.reason.clone()))
                .bind(("at", r.at))
                .bind(("status", r.status.as_str())),
        )
        .await
    }

    pub(crate) async fn report_by_id(&self, id: &ReportId) -> Result<Option<MessageReport>> {
        let rows: Vec<ReportRow> = self
            .db
            .query(format!(
                "SELECT {REPORT_FIELDS} FROM type::record('message_report', $id)"
            ))
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(reports(rows)?.into_iter().next())
    }

    pub(crate) async fn reports_of(
        &self,
        space: &SpaceId,
        status: Option<ReportStatus>,
        page: &PageRequest,
    ) -> Result<Page<MessageReport>> {
        // Oldest first: the key is the id (time-ordered), compared upwards.
        let mut filter = String::from("space = $space");
        if status.is_some() {
            filter.push_str(" AND status = $status");
        }
        if page.after.is_some() {
            filter.push_str(" AND record::id(id) > $after");
        }
        let rows: Vec<ReportRow> = self
            .db
            .query(format!(
                "SELECT {REPORT_FIELDS} FROM message_report WHERE {filter} ORDER BY id LIMIT $limit"
            ))
            .bind(("space", space.as_str().to_owned()))
            .bind(("status", status.map(|s| s.as_str().to_owned())))
            .bind(("after", page.after.clone()))
            .bind(("limit", page.look_ahead() as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        let rows = reports(rows)?
            .into_iter()
            .map(|r| (r.id.as_str().to_owned(), r))
            .collect();
        Ok(page_of(rows, page.limit))
    }

    pub(crate) async fn count_open_reports(&self, space: &SpaceId) -> Result<u64> {
        let n: Option<i64> = self
            .db
            .query(
                "RETURN count(SELECT VALUE id FROM message_report \
                 WHERE space = $space AND status = 'open')",
            )
            .bind(("space", space.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    pub(crate) async fn close_open_reports(
        &self,
        message: &MessageId,
        status: ReportStatus,
        handling: &ReportHandling,
    ) -> Result<Vec<MessageReport>> {
        // One statement: a report another teacher closed meanwhile is no
        // longer open, so it is neither closed twice nor returned.
        let rows: Vec<ReportRow> = self
            .db
            .query(format!(
                "UPDATE message_report SET status = $status, handled_by = $by, handled_at = $at, \
                 note = $note WHERE message = $message AND status = 'open' RETURN {REPORT_FIELDS}"
            ))
            .bind(("message", message.as_str().to_owned()))
            .bind(("status", status.as_str()))
            .bind(("by", handling.by.as_str().to_owned()))
            .bind(("at", handling.at))
            .bind(("note", handling.note.clone()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        reports(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::ports::SpaceStore;

    #[tokio::test]
    async fn reports_from_before_the_queue_get_platform_ids_and_wait_in_it() {
        let db = crate::database::test_database().await;
        // A report as the first schema stored it: an id of the database's making.
        let space = SpaceId::generate();
        db.db
            .query(
                "CREATE message_report CONTENT { message: $m, space: $s, by: $by, reason: 'Rude', at: time::now() }",
            )
            .bind(("m", MessageId::generate().as_str().to_owned()))
            .bind(("s", space.as_str().to_owned()))
            .bind(("by", UserId::generate().as_str().to_owned()))
            .await
            .unwrap()
            .check()
            .unwrap();
        db.db
            .query(include_str!("../migrations/0010_reports.surql"))
            .await
            .unwrap()
            .check()
            .unwrap();
        let page = PageRequest::parse(Some(10), None).unwrap();
        let open = db
            .space_reports(&space, Some(ReportStatus::Open), &page)
            .await
            .unwrap();
        assert_eq!(open.items.len(), 1);
        let r = &open.items[0].1;
        assert!(ReportId::parse(r.id.as_str()).is_ok(), "{}", r.id.as_str());
        assert_eq!(r.reason, "Rude");
        assert_eq!(db.open_report_count(&space).await.unwrap(), 1);
    }
}
