//! The command recommender: a program that speaks JSON lines. nhan writes
//! `{"article": NAME, "text": TEXT}` per article on its stdin and reads one
//! line `{"suggestions": [{"start", "end", "label", "score"}]}` per article
//! from its stdout (code points, like spans). The program runs in the
//! project folder, once for a batch of articles; each answer has a
//! time-out, after which the program is killed. What goes wrong comes back
//! as a message naming the recommender, never as a panic or a hang.

use super::error::{CommandError, SuggestError, Who};
use super::{ArticleInput, Recommender, Suggestion};
use serde::Deserialize;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct CommandRecommender {
    pub name: String,
    pub command: Vec<String>,
    pub dir: PathBuf,
    pub timeout: Duration,
}

#[derive(Deserialize)]
struct Reply {
    suggestions: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    start: usize,
    end: usize,
    label: String,
    #[serde(default = "half")]
    score: f32,
}

fn half() -> f32 {
    0.5
}

impl CommandRecommender {
    /// Suggestions for each `(name, text)`, in order; one error ends the
    /// batch (the rest get the same message).
    pub fn run_batch(
        &self,
        articles: &[(&str, &str)],
    ) -> Vec<Result<Vec<Suggestion>, SuggestError>> {
        let fail = |e: CommandError| {
            let e = SuggestError::from(e);
            articles.iter().map(|_| Err(e.clone())).collect()
        };
        let who = Who {
            name: self.name.clone(),
            command: self.command.clone(),
        };
        // Checked before every run, not only when the engine was built: the
        // script, or a file beside it, may have changed since.
        if !super::trust::is_approved(&self.dir, &self.command) {
            return fail(CommandError::NotApproved {
                name: self.name.clone(),
                command: self.command.clone(),
                root: self.dir.clone(),
            });
        }
        let mut cmd = Command::new(&self.command[0]);
        // A process group of its own, so that a time-out stops whatever it
        // started too (a child holding the pipes would keep us waiting).
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = match cmd
            .args(&self.command[1..])
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                return fail(CommandError::CannotStart {
                    who,
                    error: Arc::new(e),
                });
            }
        };
        let mut stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let lines: Vec<String> = articles
            .iter()
            .map(|(n, t)| serde_json::json!({"article": n, "text": t}).to_string())
            .collect();
        // Writing and reading on their own threads: a program that answers
        // before reading everything must not deadlock with us.
        let writer = std::thread::spawn(move || {
            // A program that quits before reading everything must not kill
            // nhan with SIGPIPE (the command line lets SIGPIPE end it, for
            // `nhan stats | head`): here the write fails instead.
            block_sigpipe();
            for l in lines {
                if writeln!(stdin, "{l}").and_then(|()| stdin.flush()).is_err() {
                    break;
                }
            }
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut err_reader = Some(std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
            s
        }));
        let mut out = Vec::with_capacity(articles.len());
        let mut failed: Option<SuggestError> = None;
        // Once reaped, its id may be another's: the group is not signalled.
        let mut reaped = false;
        for (name, _) in articles {
            if let Some(m) = &failed {
                out.push(Err(m.clone()));
                continue;
            }
            let deadline = Instant::now() + self.timeout;
            let got = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()));
            let r = match got {
                Ok(Ok(line)) => self.parse(&line, name, &who),
                Ok(Err(e)) => Err(CommandError::Unreadable {
                    who: who.clone(),
                    article: name.to_string(),
                    error: Arc::new(e),
                }
                .into()),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    stop_group(&mut child);
                    Err(CommandError::NoAnswerInTime {
                        who: who.clone(),
                        article: name.to_string(),
                        seconds: self.timeout.as_secs_f64(),
                    }
                    .into())
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    stop_group(&mut child);
                    reaped = true;
                    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                    // It has ended, so its stderr is closed: what it said is there.
                    let said = err_reader
                        .take()
                        .and_then(|h| h.join().ok())
                        .unwrap_or_default();
                    let first: Vec<&str> = said.lines().rev().take(3).collect();
                    let err = if first.is_empty() {
                        String::new()
                    } else {
                        let v: Vec<&str> = first.into_iter().rev().collect();
                        format!(": {}", v.join(" / "))
                    };
                    Err(CommandError::Ended {
                        who: who.clone(),
                        article: name.to_string(),
                        status,
                        said: err,
                    }
                    .into())
                }
            };
            if let Err(m) = &r {
                failed = Some(m.clone());
                if !reaped {
                    stop_group(&mut child);
                }
            }
            out.push(r);
        }
        if !reaped {
            stop_group(&mut child);
        }
        let _ = child.wait();
        let _ = writer.join();
        out
    }

    fn parse(&self, line: &str, article: &str, who: &Who) -> Result<Vec<Suggestion>, SuggestError> {
        let reply: Reply = serde_json::from_str(line).map_err(|e| CommandError::BadAnswer {
            who: who.clone(),
            article: article.to_string(),
            got: line.chars().take(80).collect(),
            error: Arc::new(e),
        })?;
        Ok(reply
            .suggestions
            .into_iter()
            .filter(|i| i.start < i.end)
            .map(|i| Suggestion {
                start: i.start,
                end: i.end,
                label: i.label.into(),
                score: i.score,
                source: self.name.as_str().into(),
            })
            .collect())
    }
}

/// Kills the recommender and every process in its group.
fn stop_group(child: &mut std::process::Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: a plain syscall; the group is the child's own (made at
        // spawn, and the child is not reaped yet, so its id is not reused).
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
}

/// Makes a write to a closed pipe on this thread fail with `EPIPE` rather
/// than raise SIGPIPE (a signal caused by a write goes to the writing
/// thread; blocked, it is discarded when the thread ends).
fn block_sigpipe() {
    // SAFETY: the set is initialised by sigemptyset before use, and
    // pthread_sigmask changes only this thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

impl Recommender for CommandRecommender {
    fn name(&self) -> &str {
        &self.name
    }

    fn suggest(&self, a: &ArticleInput) -> Result<Vec<Suggestion>, SuggestError> {
        self.run_batch(&[(a.name, a.text.as_str())])
            .pop()
            .unwrap_or_else(|| Ok(Vec::new()))
    }
}
