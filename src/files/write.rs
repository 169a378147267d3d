//! Every file the program writes for the user goes through here (the progress file, `run
//! --trace`, `demo --record`): written whole or not at all.
//!
//! [`create`] opens an [`Output`]; the data goes into a temporary file beside the target,
//! and [`Output::commit`] makes it the target: the temporary is fsync'd, renamed onto the
//! target, and the directory fsync'd, so a crash leaves the old file or the new one, never
//! half of one. Until then nothing of the target changes:
//! - the temporary is created exclusively (`O_CREAT|O_EXCL|O_NOFOLLOW`) under a name nobody
//!   can guess (`.NAME.PID-RANDOM.tmp`, another name tried on a collision), so a link
//!   planted on a name cannot make the program write through it;
//! - a write that fails or comes up short, or the disk refusing the rename, is an error
//!   that names the file, and the commit then refuses: the temporary goes, the old file
//!   stays (a failed write is never a silent success, even if the caller ignored it);
//! - an output dropped without a commit (an error, a panic) removes its temporary. A
//!   signal that stops the program (SIGINT, SIGTERM, SIGHUP, SIGQUIT) is caught by each
//!   command, which then either commits what it has (a run's trace) or drops it (a
//!   headless recording, through [`Output::abandon_when`]): no temporary is left either way.
//!
//! **Symbolic links.** A target that is a link is written *through*: the link is followed
//! (to the end of a chain, also when it names a file not there yet), the temporary made
//! beside the file it names, and renamed onto that file, so the link stays a link (a
//! `progress.toml` kept in a dotfiles repository stays there). Links are never followed
//! for the temporary itself.
//!
//! **Not a regular file.** A target that exists and is not a regular file (`/dev/null`, a
//! FIFO, a terminal) is written to directly: there is nothing to replace. A directory is
//! an error.
//!
//! An existing target's permissions are kept (the new file reads as the old one did).

use std::ffi::OsStr;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How many temporary names are tried before giving up (each already taken).
const NAME_TRIES: u32 = 100;
/// The longest chain of symbolic links followed.
const MAX_LINKS: usize = 40;

/// A file being written: into a temporary beside its target (or the target itself, when it
/// is not a regular file), until [`Output::commit`]. Buffered. Dropped uncommitted, the
/// temporary is removed and the target left as it was.
#[derive(Debug)]
pub struct Output {
    /// The name the caller gave (for messages).
    shown: PathBuf,
    /// The file the data ends in: the target, or the file its link names.
    real: PathBuf,
    /// The temporary beside `real`, until renamed onto it; `None` when written directly.
    tmp: Option<PathBuf>,
    out: Option<BufWriter<File>>,
    /// The first write error: the commit refuses with it.
    failed: Option<(io::ErrorKind, String)>,
    /// Once nonzero (a signal's number), writes and the commit fail: the output is dropped.
    abandon: Option<Arc<AtomicUsize>>,
}

/// An error of `what` on `path`, naming the file, of the same kind as `e`.
fn named(e: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{what} {}: {e}", path.display()))
}

/// Open `path` for writing whole: see the module's documentation. Errors name the file.
pub fn create(path: &Path) -> io::Result<Output> {
    let (real, existing) = resolve(path).map_err(|e| named(e, "opening", path))?;
    let new = |tmp, file| Output {
        shown: path.to_path_buf(),
        real: real.clone(),
        tmp,
        out: Some(BufWriter::new(file)),
        failed: None,
        abandon: None,
    };
    match &existing {
        Some(m) if m.is_dir() => Err(named(
            io::Error::new(io::ErrorKind::IsADirectory, "a directory"),
            "writing",
            path,
        )),
        Some(m) if !m.is_file() => {
            // A device, a FIFO, a terminal: written to; nothing to replace.
            let file = OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(&real)
                .map_err(|e| named(e, "opening", path))?;
            Ok(new(None, file))
        }
        _ => {
            let (tmp, file) =
                create_temp(&real, existing.as_ref()).map_err(|e| named(e, "creating", path))?;
            Ok(new(Some(tmp), file))
        }
    }
}

/// Write `bytes` to `path` whole (see [`create`]).
pub fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut out = create(path)?;
    out.write_all(bytes)?;
    out.commit()
}

/// The file a write of `path` ends in: `path`, or the file its link (chain) names.
pub fn real_path(path: &Path) -> io::Result<PathBuf> {
    resolve(path).map(|(p, _)| p)
}

/// Where writing `path` ends: the path itself, or the file its symbolic link (chain) names;
/// with that file's metadata when it exists.
fn resolve(path: &Path) -> io::Result<(PathBuf, Option<Metadata>)> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&p) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((p, None)),
            Err(e) => return Err(e),
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                // A relative link is relative to its own directory.
                p = match p.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            Ok(m) => return Ok((p, Some(m))),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// The directory a file is in (`.` for a bare name).
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// `.NAME.` and `.tmp`: what every temporary of a target named `NAME` starts and ends with.
fn temp_affixes(target: &OsStr) -> (String, &'static str) {
    (format!(".{}.", target.to_string_lossy()), ".tmp")
}

/// Whether `name` is one of this module's temporaries for a target named `target`.
pub fn is_temp_of(name: &OsStr, target: &OsStr) -> bool {
    let (prefix, suffix) = temp_affixes(target);
    let name = name.to_string_lossy();
    name.len() > prefix.len() + suffix.len() && name.starts_with(&prefix) && name.ends_with(suffix)
}

/// A name no one can guess: the process id and 64 bits from std's randomly keyed hasher,
/// over the time and a counter.
fn unguessable(n: u32) -> String {
    use std::hash::{BuildHasher, RandomState};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let bits = RandomState::new().hash_one((std::process::id(), nanos, n));
    format!("{}-{bits:016x}", std::process::id())
}

/// Create a new temporary file beside `real`: exclusively, never through a link, with the
/// existing file's permissions.
fn create_temp(real: &Path, existing: Option<&Metadata>) -> io::Result<(PathBuf, File)> {
    let dir = dir_of(real);
    let name = real
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let (prefix, suffix) = temp_affixes(name);
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    let mut n = 0;
    loop {
        let tmp = dir.join(format!("{prefix}{}{suffix}", unguessable(n)));
        match opts.open(&tmp) {
            Ok(file) => {
                if let Some(m) = existing {
                    // On the open file: no name to swap in between.
                    if let Err(e) = file.set_permissions(m.permissions()) {
                        let _ = fs::remove_file(&tmp);
                        return Err(e);
                    }
                }
                return Ok((tmp, file));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n + 1 < NAME_TRIES => n += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Remove the entries of `dir` that `is_temp` names a temporary and that are older than
/// `age` (left by a crash between write and rename: the target is whole, they are only
/// clutter; younger ones may be another process's, being written now). A link is removed
/// itself, never what it names.
pub fn remove_stale_temps(dir: &Path, age: Duration, is_temp: impl Fn(&OsStr) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let old = |e: &fs::DirEntry| {
        fs::symlink_metadata(e.path())
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|a| a > age)
    };
    for e in entries.flatten() {
        if is_temp(&e.file_name()) && old(&e) {
            let _ = fs::remove_file(e.path());
        }
    }
}

impl Output {
    /// The name the output was created with.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// Give up the output once `flag` is nonzero (set by a signal handler to the signal's
    /// number): every write and the commit fail from then on, so the writer stops and drops
    /// it, and the target is left as it was.
    pub fn abandon_when(mut self, flag: Arc<AtomicUsize>) -> Self {
        self.abandon = Some(flag);
        self
    }

    /// The reason to refuse more writes, if there is one.
    fn refused(&self) -> Option<io::Error> {
        if let Some((kind, msg)) = &self.failed {
            return Some(io::Error::new(*kind, msg.clone()));
        }
        match self.abandon.as_ref().map(|f| f.load(Ordering::Relaxed)) {
            Some(sig) if sig != 0 => Some(io::Error::other(format!(
                "writing {}: stopped by signal {sig}",
                self.shown.display()
            ))),
            _ => None,
        }
    }

    /// Keep the first real failure (not an interruption, which is retried): the commit
    /// refuses with it.
    fn fail(&mut self, e: io::Error) -> io::Error {
        let e = named(e, "writing", &self.shown);
        if e.kind() != io::ErrorKind::Interrupted && self.failed.is_none() {
            self.failed = Some((e.kind(), e.to_string()));
        }
        e
    }

    fn writer(&mut self) -> io::Result<&mut BufWriter<File>> {
        if let Some(e) = self.refused() {
            return Err(e);
        }
        self.out
            .as_mut()
            .ok_or_else(|| io::Error::other("written after its commit"))
    }

    /// Make the data the target: flushed, fsync'd, renamed onto it, the directory fsync'd.
    /// An earlier failed write, or any failure now, is an error naming the file; the target
    /// is then as it was and the temporary gone.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(e) = self.refused() {
            return Err(e);
        }
        let Some(out) = self.out.take() else {
            return Err(io::Error::other("committed twice"));
        };
        let file = out
            .into_inner()
            .map_err(|e| named(e.into_error(), "writing", &self.shown))?;
        let Some(tmp) = &self.tmp else {
            // Written directly (a device, a FIFO): nothing to sync or rename.
            return Ok(());
        };
        file.sync_all()
            .map_err(|e| named(e, "syncing", &self.shown))?;
        drop(file);
        fs::rename(tmp, &self.real).map_err(|e| named(e, "replacing", &self.shown))?;
        self.tmp = None;
        // The rename is durable once the directory is synced (where a directory can be
        // opened and synced at all: the file is in place either way).
        if let Ok(d) = File::open(dir_of(&self.real)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.writer()?.write(buf);
        match r {
            Ok(0) if !buf.is_empty() => Err(self.fail(io::ErrorKind::WriteZero.into())),
            Ok(n) => Ok(n),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.writer()?.flush();
        r.map_err(|e| self.fail(e))
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            // Unflushed data goes with it: drop the buffer without writing it.
            if let Some(out) = self.out.take() {
                let (file, _) = out.into_parts();
                drop(file);
            }
            let _ = fs::remove_file(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("evtchn-write-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_commit_replaces_the_file_and_a_drop_leaves_it() {
        let d = dir("commit");
        let target = d.join("out.txt");
        fs::write(&target, "old").unwrap();
        let mut out = create(&target).unwrap();
        out.write_all(b"new, not committed").unwrap();
        out.flush().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(names(&d).len(), 2, "a temporary beside it");
        assert!(is_temp_of(OsStr::new(&names(&d)[0]), OsStr::new("out.txt")));
        drop(out);
        assert_eq!(names(&d), ["out.txt"], "the temporary removed");
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        write_whole(&target, b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(names(&d), ["out.txt"]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_failed_write_refuses_the_commit_and_names_the_file() {
        let d = dir("failed");
        let target = d.join("out.txt");
        fs::write(&target, "old").unwrap();
        let flag = Arc::new(AtomicUsize::new(0));
        let mut out = create(&target).unwrap().abandon_when(Arc::clone(&flag));
        out.write_all(b"part").unwrap();
        flag.store(15, Ordering::Relaxed);
        let e = out.write_all(b"more").unwrap_err();
        assert!(e.to_string().contains("out.txt"), "{e}");
        let e = out.commit().unwrap_err();
        assert!(e.to_string().contains("stopped by signal 15"), "{e}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(names(&d), ["out.txt"]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_and_stays_a_link() {
        let d = dir("link");
        fs::create_dir_all(d.join("dotfiles")).unwrap();
        let real = d.join("dotfiles/progress.toml");
        fs::write(&real, "old").unwrap();
        let link = d.join("progress.toml");
        std::os::unix::fs::symlink("dotfiles/progress.toml", &link).unwrap();
        write_whole(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        // A link to a file not there yet: the file it names is created.
        fs::remove_file(&real).unwrap();
        write_whole(&link, b"again").unwrap();
        assert_eq!(fs::read_to_string(&real).unwrap(), "again");
        assert_eq!(names(&d.join("dotfiles")), ["progress.toml"]);
        // Not a regular file: written directly.
        write_whole(Path::new("/dev/null"), b"x").unwrap();
        assert!(create(&d).unwrap_err().to_string().contains("directory"));
        fs::remove_dir_all(&d).unwrap();
    }
}
