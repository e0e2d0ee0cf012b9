//! Each person's kept notifications: the notifications port.

use app::ports::{NotificationStore, SearchSource};
use async_trait::async_trait;
use surrealdb::types::SurrealValue;

use crate::database::Database;
use crate::database::internal;
use crate::query::{exec, json, page_of, parse};
use app::{MessageId, NotificationId, UserId};
use app::{Notification, Page, PageRequest, Result};

#[async_trait]
impl NotificationStore for Database {
    async fn create_notifications(&self, list: &[(UserId, Notification)]) -> Result<()> {
        if list.is_empty() {
            return Ok(());
        }
        let mut sql = String::new();
        for i in 0..list.len() {
            sql.push_str(&format!(
                "CREATE type::record('notification', $k{i}) CONTENT {{ user: $u{i}, key: $k{i}, doc: $d{i}, read: false, created_at: $t{i} }} RETURN NONE;"
            ));
        }
        let mut q = self.db.query(sql);
        for (i, (u, n)) in list.iter().enumerate() {
            q = q
                .bind((format!("k{i}"), n.id.as_str().to_owned()))
                .bind((format!("u{i}"), u.as_str().to_owned()))
                .bind((format!("d{i}"), json(n)?))
                .bind((format!("t{i}"), n.created_at));
        }
        exec(q).await
    }

    async fn notifications(&self, user: &UserId, page: &PageRequest) -> Result<Page<Notification>> {
        let after = if page.after.is_some() {
            "AND key < $after"
        } else {
            ""
        };
        let rows: Vec<NotificationRow> = self
            .db
            .query(format!(
                "SELECT key, doc, read FROM notification WHERE user = $u {after} ORDER BY key DESC LIMIT $limit"
            ))
            .bind(("u", user.as_str().to_owned()))
            .bind(("after", page.after.clone()))
            .bind(("limit", page.look_ahead() as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        let rows = rows
            .into_iter()
            .map(|r| {
                let mut n: Notification = parse("notification", &r.doc)?;
                n.read = r.read;
                Ok((r.key, n))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(page_of(rows, page.limit))
    }

    async fn unread_notifications(&self, user: &UserId) -> Result<u64> {
        let n: Option<i64> = self
            .db
            .query("RETURN array::len(SELECT VALUE key FROM notification WHERE user = $u AND read = false)")
            .bind(("u", user.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    async fn mark_notifications_read(
        &self,
        user: &UserId,
        ids: Option<&[NotificationId]>,
    ) -> Result<()> {
        match ids {
            None => {
                exec(
                    self.db
                        .query("UPDATE notification SET read = true WHERE user = $u AND read = false RETURN NONE")
                        .bind(("u", user.as_str().to_owned())),
                )
                .await
            }
            Some(ids) => {
                let sql: String = (0..ids.len())
                    .map(|i| format!("UPDATE type::record('notification', $k{i}) SET read = true WHERE user = $u RETURN NONE;"))
                    .collect();
                let mut q = self.db.query(sql).bind(("u", user.as_str().to_owned()));
                for (i, id) in ids.iter().enumerate() {
                    q = q.bind((format!("k{i}"), id.as_str().to_owned()));
                }
                exec(q).await
            }
        }
    }

    async fn shown_messages(&self, ids: &[MessageId]) -> Result<Vec<MessageId>> {
        let messages = SearchSource::messages_by_ids(self, ids).await?;
        Ok(messages
            .into_iter()
            .filter(|m| !m.deleted && m.hidden.is_none())
            .map(|m| m.id)
            .collect())
    }
}

#[derive(SurrealValue)]
struct NotificationRow {
    key: String,
    doc: String,
    read: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn notifications_list_newest_first_and_are_marked_read() {
        let db = crate::database::test_database().await;
        let user = UserId::generate();
        let mut ids = Vec::new();
        for i in 0..3 {
            let n = Notification {
                id: NotificationId::generate(),
                kind: app::NotificationKind::Mentioned,
                created_at: chrono::Utc::now(),
                space: None,
                about: None,
                actor_name: Some(format!("n{i}")),
                excerpt: None,
                read: false,
            };
            ids.push(n.id.clone());
            db.create_notifications(&[(user.clone(), n)]).await.unwrap();
        }
        let page = db
            .notifications(
                &user,
                &PageRequest {
                    after: None,
                    limit: 2,
                },
            )
            .await
            .unwrap();
        assert!(page.has_next);
        assert_eq!(page.items[0].1.id, ids[2]);
        assert_eq!(db.unread_notifications(&user).await.unwrap(), 3);
        db.mark_notifications_read(&user, Some(&ids[..1]))
            .await
            .unwrap();
        assert_eq!(db.unread_notifications(&user).await.unwrap(), 2);
        db.mark_notifications_read(&user, None).await.unwrap();
        assert_eq!(db.unread_notifications(&user).await.unwrap(), 0);
    }
}
