//! Working with git: the merge driver for sidecars (`nhan merge-file`) and
//! the one command that installs it (`nhan git-setup`).

use crate::atomic::write_atomic;
use nhan_model::merge;
use std::path::Path;
use std::process::Command;

/// The `.gitattributes` line that sends sidecars to the driver.
pub const ATTRIBUTES: &str = "annotations/**/*.json merge=nhan";

/// How `merge_file` ended: git reads the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A valid sidecar with every change of both sides (exit 0).
    Clean,
    /// Something is left for the user: recorded under `conflicts`, or git's
    /// conflict markers when an input was not a sidecar (exit 1).
    Conflicts,
}

/// Git's merge-driver protocol: merges `theirs` into `ours` (both descended
/// from `base`) and writes the result into `ours`. `shown` is the path git
/// merges (`%P`), for messages. What the merge did is written to `report`.
pub fn merge_file(
    base: &Path,
    ours: &Path,
    theirs: &Path,
    shown: &str,
    report: &mut dyn std::io::Write,
) -> anyhow::Result<Outcome> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", p.display()))
    };
    let (b, o, t) = (read(base)?, read(ours)?, read(theirs)?);
    let names = [
        format!("{shown} (base)"),
        format!("{shown} (ours)"),
        format!("{shown} (theirs)"),
    ];
    // The article, for a merge where a branch changed it: git runs the
    // driver at the top of the work tree, and `%P` is relative to it.
    let article = article_of(Path::new(shown), &o);
    let text_of = |sha: &str| {
        super::text_cache::recall(sha)
            .or_else(|| old_article_text(article.as_deref()?, sha))
            .and_then(|b| nhan_model::text::Text::from_file_vec(b).ok())
    };
    match merge::merge_bytes_with(&b, &o, &t, [&names[0], &names[1], &names[2]], &text_of) {
        Ok((json, merged)) => {
            write_atomic(ours, json.as_bytes())
                .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", ours.display()))?;
            for n in &merged.notes {
                writeln!(report, "nhan merge-file: {shown}: {n}")?;
            }
            if merged.conflicts.is_empty() {
                return Ok(Outcome::Clean);
            }
            writeln!(
                report,
                "nhan merge-file: {shown}: {} change(s) made differently on both sides; ours is kept and both versions are under \"{}\" in the file: settle them, delete the \"{}\" list, then `git add {shown}`",
                merged.conflicts.len(),
                merge::CONFLICTS,
                merge::CONFLICTS,
            )?;
            for c in &merged.conflicts {
                writeln!(report, "  {}", describe(c))?;
            }
            Ok(Outcome::Conflicts)
        }
        Err(e) => {
            // Not a sidecar on some side: git's own line merge, markers and
            // all, so nothing of either side is lost.
            writeln!(
                report,
                "nhan merge-file: {e}\nnhan merge-file: {shown}: merged line by line instead; fix the conflict markers by hand"
            )?;
            let status = Command::new("git")
                .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
                .arg(ours)
                .arg(base)
                .arg(theirs)
                .status();
            Ok(match status {
                Ok(s) if s.success() => Outcome::Clean,
                _ => Outcome::Conflicts,
            })
        }
    }
}

/// `articles/<article>` beside the `annotations/` folder holding `sidecar`,
/// `<article>` from the sidecar's own `article` field.
fn article_of(sidecar: &Path, bytes: &[u8]) -> Option<std::path::PathBuf> {
    #[derive(serde::Deserialize)]
    struct Head {
        article: String,
    }
    let name = serde_json::from_slice::<Head>(bytes).ok()?.article;
    if name.contains('/') || name.contains('\\') || name.starts_with('.') {
        return None;
    }
    let annotations = sidecar
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "annotations"))?;
    let root = annotations.parent()?;
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    Some(root.join("articles").join(name))
}

/// One conflict record as a line: which span or field, and the versions.
fn describe(c: &merge::Conflict) -> String {
    use merge::Conflict;
    fn span(s: &Option<nhan_model::span::Span>) -> String {
        match s {
            None => "removed".into(),
            Some(s) => format!("{} “{}” [{}, {})", s.label.as_str(), s.text, s.start, s.end),
        }
    }
    fn value(v: &Option<serde_json::Value>) -> String {
        match v {
            None | Some(serde_json::Value::Null) => "removed".into(),
            Some(v) => v.to_string(),
        }
    }
    let (ours, theirs) = match c {
        Conflict::Span { ours, theirs, .. } => (span(ours), span(theirs)),
        Conflict::Field { ours, theirs, .. } => (value(ours), value(theirs)),
        Conflict::Relation { ours, theirs, .. } => match merge::lost_end(c) {
            Some(lost) => return lost,
            None => (
                merge::relation_version(ours.as_deref()),
                merge::relation_version(theirs.as_deref()),
            ),
        },
        Conflict::Unreadable(_) => return c.what(),
    };
    format!("{}: ours {ours}, theirs {theirs}", c.what())
}

/// Installs the driver for this clone of the git repository holding
/// `project`: the attribute line in the clone's own `info/attributes`, the
/// `merge.nhan` config, and `.nhan.lock` in the clone's `info/exclude`.
/// Nothing is written into the working tree: files there are committed,
/// and a file every clone made for itself is one `git pull` refuses to
/// overwrite ("untracked working tree files would be overwritten"). Safe
/// to run again. Returns what it did.
pub fn setup(project: &Path) -> anyhow::Result<Vec<String>> {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(project)
            .args(args)
            .output()
            .map_err(|e| anyhow::anyhow!("cannot run git: {e}; install git first"))
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        anyhow::bail!(
            "{} is not in a git repository: run `git init` there first, then `nhan git-setup`",
            project.display()
        );
    }
    let text = |o: std::process::Output| String::from_utf8_lossy(&o.stdout).trim().to_string();
    // Patterns in info/ are relative to the top of the repository.
    let prefix = text(git(&["rev-parse", "--show-prefix"])?);
    let attributes = format!("{prefix}{ATTRIBUTES}");
    let exclude = format!("/{prefix}{}", super::lock::LOCK_FILE);
    let mut done = Vec::new();
    for (file, line) in [
        ("info/attributes", attributes.as_str()),
        ("info/exclude", exclude.as_str()),
    ] {
        let at = text(git(&["rev-parse", "--git-path", file])?);
        let path = project.join(at);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("{}: cannot create: {e}", dir.display()))?;
        }
        // Written through no symlink: a link there would copy whatever it
        // points to into git's settings, or write where it points.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_file()) {
            anyhow::bail!(
                "{}: is not a regular file (a symbolic link?); nhan git-setup writes no file through one: replace it with a plain file, then run `nhan git-setup` again",
                path.display()
            );
        }
        let old = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => anyhow::bail!("{}: cannot read: {e}", path.display()),
        };
        if old.lines().any(|l| l.trim() == line) {
            continue;
        }
        let mut new = old.clone();
        if !new.is_empty() && !new.ends_with('\n') {
            new.push('\n');
        }
        new.push_str(line);
        new.push('\n');
        super::atomic::write_atomic(&path, new.as_bytes())
            .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))?;
        done.push(format!("{}: added `{line}`", path.display()));
    }
    let exe = std::env::current_exe()
        .map_err(|e| anyhow::anyhow!("cannot find the nhan program's path: {e}"))?;
    let driver = format!(
        "{} merge-file %O %A %B --path %P",
        shell_word(&exe.display().to_string())
    );
    for (key, value) in [
        ("merge.nhan.name", "nhan: span-by-span merge of sidecars"),
        ("merge.nhan.driver", driver.as_str()),
    ] {
        let out = git(&["config", "--local", key, value])?;
        if !out.status.success() {
            anyhow::bail!(
                "git config {key} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
    done.push(format!("git config merge.nhan.driver = {driver}"));
    Ok(done)
}

/// `s` as one word for the shell git runs the driver with.
fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_alphanumeric() || "/._-+,:@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The article's text as it was when its sidecar was last written: the
/// version in the git history of `article` whose SHA-256 is `sha256` (the
/// sidecar's `text_sha256`). `None` outside git, or when that version was
/// never committed. Two git processes, whatever the history's length: one
/// lists the article's blobs (the newest 200 commits that touched it), one
/// reads them.
pub fn old_article_text(article: &Path, sha256: &str) -> Option<Vec<u8>> {
    use std::io::{BufRead, Read, Write};
    let dir = article.parent().filter(|p| !p.as_os_str().is_empty())?;
    let name = article.file_name()?.to_str()?;
    let log = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "log",
            "--all",
            "-n",
            "200",
            "--format=",
            "--raw",
            "--no-abbrev",
            "--",
        ])
        .arg(name)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let mut blobs: Vec<String> = Vec::new();
    for line in String::from_utf8_lossy(&log.stdout).lines() {
        let Some(rest) = line.strip_prefix(':') else {
            continue;
        };
        for id in rest.split_whitespace().skip(2).take(2) {
            if id.bytes().all(|b| b.is_ascii_hexdigit())
                && !id.bytes().all(|b| b == b'0')
                && !blobs.iter().any(|b| b == id)
            {
                blobs.push(id.to_string());
            }
        }
    }
    if blobs.is_empty() {
        return None;
    }
    let mut cat = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["cat-file", "--batch"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = cat.stdin.take()?;
    let list = blobs.join("\n") + "\n";
    // Written from another thread: git answers while we still write.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(list.as_bytes());
    });
    let mut out = std::io::BufReader::new(cat.stdout.take()?);
    let mut found = None;
    for _ in &blobs {
        let mut header = String::new();
        if out.read_line(&mut header).ok()? == 0 {
            break;
        }
        let Some(size) = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse::<usize>().ok())
        else {
            continue; // "<id> missing"
        };
        let mut body = vec![0; size + 1];
        out.read_exact(&mut body).ok()?;
        body.pop();
        // nhan hashes the text without a leading BOM.
        let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
        if found.is_none() && nhan_model::sidecar::sha256_hex(text) == sha256 {
            found = Some(text.to_vec());
        }
    }
    drop(out);
    let _ = writer.join();
    let _ = cat.wait();
    found
}
