//! `guichet backup`: an online copy of a live SQLite database, named by its time, and the
//! retention of those copies. The command line verifies each copy's journal before keeping it.

use crate::{App, AppError};
use std::path::{Path, PathBuf};

const PREFIX: &str = "guichet-";
/// In UTC (`Z`), so that names sort like time: the newest backups are the last names.
const SUFFIX: &str = "Z.db";
/// `20261206T203000`.
const STAMP: &str = "%Y%m%dT%H%M%S";

/// The file name of a backup taken at `at`.
pub fn file_name(at: jiff::Timestamp) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.strftime(STAMP))
}

/// Whether `name` is a backup's name as [`file_name`] writes it (retention never touches
/// other files of the folder).
fn is_backup(name: &str) -> bool {
    name.strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix(SUFFIX))
        .is_some_and(|stamp| jiff::civil::DateTime::strptime(STAMP, stamp).is_ok())
}

/// Copies the live database into `to`, a file that must not exist yet. Refused with
/// `backup_postgres` on PostgreSQL (use `pg_dump`).
pub async fn copy(state: &App, to: &Path) -> Result<(), AppError> {
    Ok(guichet_store::backup::sqlite_copy(&state.store, to).await?)
}

/// Keeps the `keep` newest backups of `dir` and deletes the older ones; the deleted files.
/// `keep` 0 keeps everything.
pub fn prune(dir: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    if keep == 0 {
        return Ok(Vec::new());
    }
    let mut backups = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_str().is_some_and(is_backup) && entry.file_type()?.is_file() {
            backups.push(entry.path());
        }
    }
    backups.sort();
    let old = backups.len().saturating_sub(keep);
    let removed: Vec<PathBuf> = backups.into_iter().take(old).collect();
    for path in &removed {
        std::fs::remove_file(path)?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_and_only_backups_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let t0: jiff::Timestamp = "2026-12-06T09:00:00Z".parse().unwrap();
        let mut names = Vec::new();
        for hours in [0, 24, 48, 72] {
            let at = t0
                .checked_add(jiff::SignedDuration::from_hours(hours))
                .unwrap();
            let name = file_name(at);
            std::fs::write(dir.path().join(&name), b"x").unwrap();
            names.push(name);
        }
        assert_eq!(names[0], "guichet-20261206T090000Z.db");
        std::fs::write(dir.path().join("guichet-notes.db"), b"x").unwrap();
        std::fs::write(dir.path().join("other.db"), b"x").unwrap();

        let removed = prune(dir.path(), 2).unwrap();
        assert_eq!(
            removed,
            vec![dir.path().join(&names[0]), dir.path().join(&names[1])]
        );
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![
                names[2].clone(),
                names[3].clone(),
                "guichet-notes.db".into(),
                "other.db".into()
            ]
        );
        assert!(prune(dir.path(), 0).unwrap().is_empty(), "0 keeps all");
    }
}
