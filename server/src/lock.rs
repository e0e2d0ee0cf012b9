//! One process per data location: an exclusive lock file beside every
//! on-disk backend (`data/db.lock` for `data/db`), held while the server runs.
//! The operating system drops the lock when the process dies, so a crash
//! never leaves a stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// Locks held for the life of the server.
#[derive(Debug)]
pub struct DataLocks {
    _files: Vec<File>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{0} is in use by another lff process; stop that process first (lock file {1})")]
    InUse(String, String),
    #[error("cannot create the lock file {0}: {1}")]
    Io(String, std::io::Error),
}

fn lock_path(location: &Path) -> PathBuf {
    let mut name = location
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "data".into());
    name.push(".lock");
    location.with_file_name(name)
}

impl DataLocks {
    pub fn acquire(locations: &[PathBuf]) -> Result<DataLocks, LockError> {
        let mut files = Vec::new();
        for location in locations {
            let path = lock_path(location);
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| LockError::Io(path.display().to_string(), e))?;
            }
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| LockError::Io(path.display().to_string(), e))?;
            match file.try_lock() {
                Ok(()) => files.push(file),
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::InUse(
                        location.display().to_string(),
                        path.display().to_string(),
                    ));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(LockError::Io(path.display().to_string(), e));
                }
            }
        }
        Ok(DataLocks { _files: files })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_location_is_refused_until_the_first_is_dropped() {
        let dir = std::env::temp_dir().join(format!("lff-lock-test-{}", std::process::id()));
        let loc = vec![dir.join("db")];
        let first = DataLocks::acquire(&loc).unwrap();
        let err = DataLocks::acquire(&loc).unwrap_err().to_string();
        assert!(err.contains("in use by another lff process"), "{err}");
        drop(first);
        DataLocks::acquire(&loc).unwrap();
        std::fs::remove_dir_all(dir).unwrap();
    }
}
