//! Thumbnails and text of uploaded files, derived in worker processes.
//!
//! Parsers of PDFs, office documents and images run on bytes anyone who may
//! add a file sent us, students included. A crafted file can overflow a
//! parser's stack or make it allocate without end — failures that abort a
//! process rather than unwind, so no `catch_unwind` contains them. So the
//! server never parses in its own address space: each file goes to a child
//! process of the same binary (`lff preview-worker`), at most
//! [`PreviewOptions::workers`] at a time, which limits its own address space,
//! CPU time and file writes before it reads anything, and which the server
//! kills after a wall-clock timeout. A worker that dies, overruns or answers
//! nonsense yields "nothing derived"; the upload itself is unaffected.
//!
//! The protocol is deliberately small. Request (stdin): the content type on
//! one line, then the file's bytes to the end. Answer (stdout): the magic
//! `LFFP1`, then the text and the JPEG thumbnail, each as a little-endian
//! `u64` length and that many bytes (length 0: none). The worker needs no
//! configuration and no environment: it gets an empty one.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

use app::materials::previews::{Derived, MAX_TEXT_CHARS, PREVIEW_MAX_BYTES};
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The first argument that makes the binary a preview worker.
pub const WORKER_ARG: &str = "preview-worker";
const MAGIC: &[u8] = b"LFFP1";
/// The largest thumbnail a worker may send back (they are 320 px JPEGs).
const MAX_THUMBNAIL_BYTES: u64 = 4 * 1024 * 1024;

/// How previews are made, from the server's configuration.
#[derive(Debug, Clone)]
pub struct PreviewOptions {
    /// The worker program; the server's own binary unless set.
    pub program: Option<PathBuf>,
    /// Workers running at once.
    pub workers: usize,
    /// A worker's address-space limit, in bytes.
    pub memory: u64,
    /// A worker's CPU-time limit.
    pub cpu: Duration,
    /// How long the server waits for a worker before killing it.
    pub timeout: Duration,
}

/// Runs workers for [`app::ports::Previewer`].
pub struct PreviewWorkers {
    program: PathBuf,
    options: PreviewOptions,
    slots: Arc<tokio::sync::Semaphore>,
}

impl PreviewWorkers {
    pub fn new(options: PreviewOptions) -> std::io::Result<PreviewWorkers> {
        let program = match &options.program {
            Some(p) => p.clone(),
            None => std::env::current_exe()?,
        };
        Ok(PreviewWorkers {
            program,
            slots: Arc::new(tokio::sync::Semaphore::new(options.workers.max(1))),
            options,
        })
    }

    async fn run(
        &self,
        content_type: &str,
        mut bytes: app::kernel::blobs::ByteStream,
    ) -> Result<Derived, String> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| "the preview workers stopped".to_owned())?;
        let mut child = tokio::process::Command::new(&self.program)
            .arg(WORKER_ARG)
            .arg(self.options.memory.to_string())
            .arg(self.options.cpu.as_secs().max(1).to_string())
            .env_clear()
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("could not start a preview worker: {e}"))?;
        let mut stdin = child.stdin.take().ok_or("the worker has no stdin")?;
        let mut stdout = child.stdout.take().ok_or("the worker has no stdout")?;
        let content_type = content_type.to_owned();
        let feed = async move {
            stdin.write_all(content_type.as_bytes()).await?;
            stdin.write_all(b"\n").await?;
            while let Some(chunk) = bytes.next().await {
                let chunk = chunk.map_err(std::io::Error::other)?;
                stdin.write_all(&chunk).await?;
            }
            stdin.shutdown().await
        };
        let limit = MAGIC.len() as u64 + 16 + (MAX_TEXT_CHARS as u64 * 4) + MAX_THUMBNAIL_BYTES;
        let collect = async move {
            let mut answer = Vec::new();
            (&mut stdout)
                .take(limit + 1)
                .read_to_end(&mut answer)
                .await
                .map(|_| answer)
        };
        let work = async {
            // A worker that dies early closes its stdin: the feed fails, and
            // the exit status below says why.
            let (_, answer) = tokio::join!(feed, collect);
            let status = child.wait().await;
            (answer, status)
        };
        let (answer, status) = tokio::time::timeout(self.options.timeout, work)
            .await
            .map_err(|_| "the preview worker ran out of time".to_owned())?;
        let status = status.map_err(|e| format!("waiting for the preview worker: {e}"))?;
        if !status.success() {
            return Err(format!("the preview worker failed ({status})"));
        }
        let answer = answer.map_err(|e| format!("reading the preview worker: {e}"))?;
        if answer.len() as u64 > limit {
            return Err("the preview worker answered too much".into());
        }
        decode_answer(&answer).ok_or_else(|| "the preview worker answered nonsense".into())
    }
}

#[async_trait::async_trait]
impl app::ports::Previewer for PreviewWorkers {
    async fn derive(
        &self,
        content_type: &str,
        size: u64,
        bytes: app::kernel::blobs::ByteStream,
    ) -> Derived {
        if size > PREVIEW_MAX_BYTES {
            return Derived::default();
        }
        // Dropping the run (its timeout) kills the worker: `kill_on_drop`.
        match self.run(content_type, bytes).await {
            Ok(d) => d,
            Err(why) => {
                tracing::info!(content_type, size, %why, "a file got no preview");
                Derived::default()
            }
        }
    }
}

fn encode_answer(d: &Derived) -> Vec<u8> {
    let text = d.text.as_deref().unwrap_or("").as_bytes();
    let thumb = d.thumbnail.as_deref().unwrap_or(&[]);
    let mut out = Vec::with_capacity(MAGIC.len() + 16 + text.len() + thumb.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(text);
    out.extend_from_slice(&(thumb.len() as u64).to_le_bytes());
    out.extend_from_slice(thumb);
    out
}

fn decode_answer(bytes: &[u8]) -> Option<Derived> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (text, rest) = take_part(rest, MAX_TEXT_CHARS as u64 * 4)?;
    let (thumb, rest) = take_part(rest, MAX_THUMBNAIL_BYTES)?;
    if !rest.is_empty() {
        return None;
    }
    let text = if text.is_empty() {
        None
    } else {
        Some(String::from_utf8(text.to_vec()).ok()?)
    };
    // Only a JPEG comes back as a thumbnail.
    let thumbnail =
        (!thumb.is_empty() && thumb.starts_with(&[0xFF, 0xD8, 0xFF])).then(|| thumb.to_vec());
    Some(Derived { text, thumbnail })
}

fn take_part(bytes: &[u8], max: u64) -> Option<(&[u8], &[u8])> {
    let (len, rest) = bytes.split_first_chunk::<8>()?;
    let len = u64::from_le_bytes(*len);
    if len > max || len > rest.len() as u64 {
        return None;
    }
    Some(rest.split_at(len as usize))
}

/// The worker's side: when the binary was started as a preview worker
/// (`ARGV[1]` is [`WORKER_ARG`]), derives what it can from stdin and returns
/// the exit code; `None` otherwise, for the binary to go on as usual. Call
/// it first thing in `main`, before any configuration is read.
pub fn run_worker_if_asked() -> Option<ExitCode> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != WORKER_ARG {
        return None;
    }
    let memory = args.next().and_then(|a| a.to_str()?.parse::<u64>().ok());
    let cpu = args.next().and_then(|a| a.to_str()?.parse::<u64>().ok());
    let (Some(memory), Some(cpu)) = (memory, cpu) else {
        eprintln!("usage: lff {WORKER_ARG} MEMORY_BYTES CPU_SECONDS (started by the server)");
        return Some(ExitCode::from(2));
    };
    Some(worker(memory, cpu))
}

fn worker(memory: u64, cpu: u64) -> ExitCode {
    use rlimit::Resource;
    // Limits first, before a byte of the file is read. The soft and hard
    // limits are the same, so the worker cannot raise them again.
    let limited = Resource::AS
        .set(memory, memory)
        .and_then(|()| Resource::CPU.set(cpu, cpu))
        .and_then(|()| Resource::FSIZE.set(0, 0))
        .and_then(|()| Resource::CORE.set(0, 0));
    if limited.is_err() {
        return ExitCode::from(3);
    }
    let mut input = Vec::new();
    if std::io::stdin()
        .lock()
        .take(PREVIEW_MAX_BYTES + 257)
        .read_to_end(&mut input)
        .is_err()
    {
        return ExitCode::from(4);
    }
    let Some(newline) = input.iter().take(256).position(|b| *b == b'\n') else {
        return ExitCode::from(4);
    };
    let Ok(content_type) = std::str::from_utf8(&input[..newline]) else {
        return ExitCode::from(4);
    };
    let derived = app::materials::previews::derive(content_type, &input[newline + 1..]);
    let mut out = std::io::stdout().lock();
    if out.write_all(&encode_answer(&derived)).is_err() || out.flush().is_err() {
        return ExitCode::from(5);
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_and_nonsense_is_refused() {
        let d = Derived {
            text: Some("Урок".into()),
            thumbnail: Some(vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2]),
        };
        assert_eq!(decode_answer(&encode_answer(&d)), Some(d));
        let none = Derived::default();
        assert_eq!(decode_answer(&encode_answer(&none)), Some(none));
        let mut long = encode_answer(&Derived::default());
        long.push(0);
        assert_eq!(decode_answer(&long), None);
        assert_eq!(
            decode_answer(b"LFFP1\xff\xff\xff\xff\xff\xff\xff\xff"),
            None
        );
        assert_eq!(decode_answer(b"nonsense"), None);
        // Something that is not a JPEG is no thumbnail.
        let png = Derived {
            text: None,
            thumbnail: Some(b"\x89PNG".to_vec()),
        };
        assert_eq!(
            decode_answer(&encode_answer(&png)).map(|d| d.thumbnail),
            Some(None)
        );
    }
}
