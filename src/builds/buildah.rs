//! buildah, run as its own process group (so a cancelled build stops with every process it
//! started) with each line it prints streamed to the build log.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use base64::Engine as _;
use futures::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;

use super::log::{entry, EntryKind, LogWriter};
use super::Result;

/// How long output may wait in memory before it is stored, so a running build's log is read
/// while it runs.
const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// One build run's buildah: its own image store under the build's folder (vfs, so no kernel
/// overlay support is needed) and the run's registry credential.
pub struct Buildah {
    program: PathBuf,
    root: PathBuf,
    authfile: PathBuf,
    tls_verify: bool,
}

impl Buildah {
    /// Prepares buildah in `folder`, logging in to `registry` as `username`/`password`.
    pub fn prepare(
        program: &Path,
        folder: &Path,
        registry: &str,
        username: &str,
        password: &str,
        tls_verify: bool,
    ) -> std::io::Result<Buildah> {
        let auth =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        let authfile = folder.join("auth.json");
        let document = serde_json::json!({ "auths": { registry: { "auth": auth } } });
        std::fs::write(&authfile, document.to_string())?;
        Ok(Buildah {
            program: program.to_path_buf(),
            root: folder.join("storage"),
            authfile,
            tls_verify,
        })
    }

    /// Runs `buildah <global options> <args>`; true when it succeeded. Every line of its
    /// output becomes a log entry; the first line of a Dockerfile step is a `command` entry.
    pub async fn run<I, S>(&self, args: I, log: &mut LogWriter<'_>) -> Result<bool>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(&self.program);
        command
            .arg("--root")
            .arg(self.root.join("root"))
            .arg("--runroot")
            .arg(self.root.join("run"))
            .arg("--storage-driver")
            .arg("vfs")
            .args(args)
            .env("REGISTRY_AUTH_FILE", &self.authfile)
            .env("BUILDAH_ISOLATION", "chroot")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(anyhow::Error::from)?;
        let group = ProcessGroup::of(&child);
        let stdout = lines_of(child.stdout.take().expect("piped"));
        let stderr = lines_of(child.stderr.take().expect("piped"));
        let mut lines = Box::pin(futures::stream::select(stdout, stderr));
        let mut flushed = Instant::now();
        loop {
            match tokio::time::timeout(FLUSH_EVERY, lines.next()).await {
                Ok(Some(line)) => {
                    let bytes = line.map_err(anyhow::Error::from)?;
                    let text = String::from_utf8_lossy(&bytes);
                    let text = text.trim_end_matches('\r');
                    let kind = is_step(text).then_some(EntryKind::Command);
                    log.push(entry(text, kind));
                }
                Ok(None) => break,
                Err(_quiet) => {}
            }
            if log.has_pending() && flushed.elapsed() >= FLUSH_EVERY {
                log.flush().await?;
                flushed = Instant::now();
            }
        }
        let status = child.wait().await.map_err(anyhow::Error::from)?;
        group.disarm();
        log.flush().await?;
        Ok(status.success())
    }

    /// `--tls-verify` as the registry's scheme calls for.
    pub fn tls_flag(&self) -> String {
        format!("--tls-verify={}", self.tls_verify)
    }
}

/// The lines a child prints on one of its outputs.
fn lines_of(
    output: impl AsyncRead + Unpin,
) -> impl futures::Stream<Item = std::io::Result<Vec<u8>>> {
    futures::stream::unfold(
        BufReader::new(output).split(b'\n'),
        |mut split| async move {
            split
                .next_segment()
                .await
                .transpose()
                .map(|line| (line, split))
        },
    )
}

/// A step's first line: buildah's `STEP 2/5: RUN ...`, Docker's `Step 2/5 : RUN ...`.
fn is_step(line: &str) -> bool {
    let Some(rest) = line
        .get(..4)
        .filter(|w| w.eq_ignore_ascii_case("step"))
        .map(|_| &line[4..])
    else {
        return false;
    };
    let rest = rest.trim_start();
    let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '/');
    digits.len() < rest.len() && digits.trim_start().starts_with(':')
}

/// Kills the whole process group when dropped before the process was waited for.
struct ProcessGroup(Option<rustix::process::Pid>);

impl ProcessGroup {
    fn of(child: &tokio::process::Child) -> ProcessGroup {
        let pid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(rustix::process::Pid::from_raw);
        ProcessGroup(pid)
    }

    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            // The group may be gone already; nothing else to do then.
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_step;

    #[test]
    fn steps_are_recognized() {
        assert!(is_step("STEP 2/5: RUN echo hi"));
        assert!(is_step("Step 12 : FROM busybox"));
        assert!(is_step("Step 4/13 : COPY . /"));
        assert!(!is_step("Stepping out"));
        assert!(!is_step("STEP: nothing"));
        assert!(!is_step("hello"));
    }
}
