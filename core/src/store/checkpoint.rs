//! WAL checkpoints off the counter's hot path.
//!
//! SQLite's automatic checkpoint runs inside whichever commit crosses the threshold: that
//! sale pays for copying the log into the database and an extra fsync, which is what
//! the slowest percent of sales were made of. The store turns it off and a small thread
//! with its own connection runs a PASSIVE checkpoint every second instead; PASSIVE never
//! blocks the writer. Closing the last connection checkpoints whatever is left.

use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Debug)]
pub(crate) struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(crate) fn start(path: &Path, every: Duration) -> rusqlite::Result<Checkpointer> {
        let conn = Connection::open(path)?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA busy_timeout = 1000;")?;
        let (tx, rx) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(every) {
                    // A busy database just waits for the next round.
                    let _ = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE);");
                }
            })
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        Ok(Checkpointer { stop: Some(tx), thread: Some(thread) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
