//! Versioned schema migrations: `migrations/NNNN_name.surql`, applied in
//! order at start-up, each in its own transaction together with its record in
//! the `migration` table. Applied migrations are skipped; one whose text
//! changed after it was applied stops start-up.

use sha2::{Digest, Sha256};
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::SurrealValue;

use crate::OpenError;

struct Migration {
    version: u32,
    name: &'static str,
    sql: &'static str,
}

/// Every migration, in order. Append only; never edit one that has shipped.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "accounts",
        sql: include_str!("../migrations/0001_accounts.surql"),
    },
    Migration {
        version: 2,
        name: "network",
        sql: include_str!("../migrations/0002_network.surql"),
    },
    Migration {
        version: 3,
        name: "spaces",
        sql: include_str!("../migrations/0003_spaces.surql"),
    },
    Migration {
        version: 4,
        name: "space_log",
        sql: include_str!("../migrations/0004_space_log.surql"),
    },
    Migration {
        version: 5,
        name: "materials",
        sql: include_str!("../migrations/0005_materials.surql"),
    },
    Migration {
        version: 6,
        name: "search",
        sql: include_str!("../migrations/0006_search.surql"),
    },
    Migration {
        version: 7,
        name: "events",
        sql: include_str!("../migrations/0007_events.surql"),
    },
    Migration {
        version: 8,
        name: "devices",
        sql: include_str!("../migrations/0008_devices.surql"),
    },
    Migration {
        version: 9,
        name: "links",
        sql: include_str!("../migrations/0009_links.surql"),
    },
    Migration {
        version: 10,
        name: "reports",
        sql: include_str!("../migrations/0010_reports.surql"),
    },
];

#[derive(SurrealValue)]
struct Applied {
    version: i64,
    checksum: String,
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

pub(crate) async fn apply(db: &Surreal<Any>) -> Result<(), OpenError> {
    let fail = |m: &Migration, reason: String| OpenError::Migration {
        version: m.version,
        name: m.name,
        reason,
    };
    let boot = |e: surrealdb::Error| OpenError::Backend {
        what: "the migration table",
        source: Box::new(e),
    };
    db.query(
        "DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
         DEFINE FIELD IF NOT EXISTS version ON migration TYPE int;
         DEFINE FIELD IF NOT EXISTS name ON migration TYPE string;
         DEFINE FIELD IF NOT EXISTS checksum ON migration TYPE string;
         DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;",
    )
    .await
    .and_then(|r| r.check())
    .map_err(boot)?;
    let applied: Vec<Applied> = db
        .query("SELECT version, checksum FROM migration ORDER BY version")
        .await
        .map_err(boot)?
        .take(0)
        .map_err(boot)?;

    for m in MIGRATIONS {
        let sum = checksum(m.sql);
        if let Some(a) = applied.iter().find(|a| a.version == i64::from(m.version)) {
            if a.checksum != sum {
                return Err(fail(
                    m,
                    "its text changed after it was applied; add a new migration instead".into(),
                ));
            }
            continue;
        }
        let sql = format!(
            "BEGIN;\n{}\n;CREATE type::record('migration', $version) CONTENT {{ version: $version, name: $name, checksum: $checksum, applied_at: time::now() }};\nCOMMIT;",
            m.sql
        );
        let mut res = db
            .query(sql)
            .bind(("version", i64::from(m.version)))
            .bind(("name", m.name))
            .bind(("checksum", sum))
            .await
            .map_err(|e| fail(m, e.to_string()))?;
        let errors = res.take_errors();
        if let Some((_, e)) = errors.into_iter().min_by_key(|(i, _)| *i) {
            return Err(fail(m, e.to_string()));
        }
        tracing::info!(
            version = m.version,
            name = m.name,
            "applied database migration"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_numbered_in_order_without_gaps() {
        for (i, m) in super::MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{}", m.name);
        }
    }
}
