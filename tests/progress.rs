//! Progress on disk: saved and read back; never lost silently (a corrupt file is moved
//! aside, a newer or unreadable one left alone, a crash between write and rename leaves the
//! old file); a directory that cannot be written is a warning, not a crash.

use std::fs;
use std::path::PathBuf;

use evtchn_lab::lesson::progress::{FILE, LessonProgress, Progress, Store};

/// A fresh directory for one test (removed at the end when the test passes).
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("evtchn-lab-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn file(&self) -> PathBuf {
        self.0.join(FILE)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

fn some_progress() -> Progress {
    let mut p = Progress {
        last: Some("02-masking-and-coalescing".into()),
        ..Progress::default()
    };
    let l = p.lesson_mut("02-masking-and-coalescing");
    *l = LessonProgress {
        step: 3,
        done_steps: [0, 1, 2].into(),
        ..LessonProgress::default()
    };
    l.hints.insert("1".into(), 2);
    p
}

#[test]
fn saved_progress_reads_back() {
    let d = Dir::new("roundtrip");
    let (store, p, warn) = Store::open(&d.0);
    assert_eq!((p, warn), (Progress::default(), None), "nothing there yet");
    store.save(&some_progress()).unwrap();
    let (_, p, warn) = Store::open(&d.0);
    assert_eq!(warn, None);
    assert_eq!(p, some_progress());
    // No temporary file is left beside it.
    let names: Vec<_> = fs::read_dir(&d.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from(FILE)]);
}

#[test]
fn a_corrupt_file_is_moved_aside_with_a_message() {
    let d = Dir::new("corrupt");
    fs::write(d.file(), "version = 1\nlessons = [oops\n").unwrap();
    let (store, p, warn) = Store::open(&d.0);
    let warn = warn.expect("a message");
    assert!(
        warn.contains("moved to") && warn.contains("line 2"),
        "{warn}"
    );
    assert_eq!(p, Progress::default());
    let aside: Vec<String> = fs::read_dir(&d.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("progress.toml.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "the old file is kept, renamed");
    let kept = fs::read_to_string(d.0.join(&aside[0])).unwrap();
    assert!(kept.contains("[oops"), "its content is intact");
    // The lab goes on and saves afresh.
    store.save(&some_progress()).unwrap();
    assert_eq!(Store::open(&d.0).1, some_progress());
}

#[test]
fn a_newer_file_is_left_alone_and_not_overwritten() {
    let d = Dir::new("future");
    let future = "version = 7\nsomething_new = true\n";
    fs::write(d.file(), future).unwrap();
    let (store, p, warn) = Store::open(&d.0);
    assert!(warn.unwrap().contains("newer evtchn-lab"));
    assert_eq!(p, Progress::default());
    store.save(&some_progress()).unwrap();
    assert_eq!(fs::read_to_string(d.file()).unwrap(), future, "untouched");
}

#[test]
fn a_crash_between_write_and_rename_leaves_the_old_file() {
    let d = Dir::new("crash");
    let (store, _, _) = Store::open(&d.0);
    store.save(&some_progress()).unwrap();
    // What a crash after writing the temporary file leaves: the old file and a stray
    // (half-written) temporary.
    let tmp = d.0.join(format!("{FILE}.tmp-99999"));
    fs::write(&tmp, "version = 1\n[lessons.x").unwrap();
    let (_, p, warn) = Store::open(&d.0);
    assert_eq!((p, warn), (some_progress(), None));
}

/// A directory this process cannot write to: a 0555 one, or, for root (who ignores
/// permissions), sysfs, which refuses new files even to root.
#[cfg(unix)]
fn unwritable_dir(d: &Dir) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let ro = d.0.join("ro");
    fs::create_dir_all(&ro).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    let writable = |p: &PathBuf| {
        let probe = p.join("probe");
        let ok = fs::write(&probe, "x").is_ok();
        let _ = fs::remove_file(probe);
        ok
    };
    if !writable(&ro) {
        return Some(ro);
    }
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
    let sys = PathBuf::from("/sys/kernel");
    (sys.is_dir() && !writable(&sys)).then_some(sys)
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_is_a_warning_and_progress_stays_in_memory() {
    let d = Dir::new("readonly");
    let Some(ro) = unwritable_dir(&d) else {
        eprintln!("skipped: no directory here refuses writes to this user");
        return;
    };
    let (store, p, warn) = Store::open(&ro);
    assert_eq!((&p, &warn), (&Progress::default(), &None));
    let e = store.save(&some_progress()).unwrap_err();
    assert!(
        e.contains("cannot save progress") && e.contains(FILE),
        "{e}"
    );
    assert!(!ro.join(FILE).exists());
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(d.0.join("ro"), fs::Permissions::from_mode(0o755));
}

/// A file whose directory path is a file: saving fails with a message, nothing panics.
#[test]
fn an_impossible_directory_is_a_message() {
    let d = Dir::new("notadir");
    let blocker = d.0.join("state");
    fs::write(&blocker, "a file, not a directory").unwrap();
    let (store, p, warn) = Store::open(&blocker);
    assert_eq!(p, Progress::default());
    let warn = warn.expect("a message");
    assert!(warn.contains("not saved this session"), "{warn}");
    // Saving is then a no-op: the file that could not be read is never replaced.
    assert_eq!(store.save(&some_progress()), Ok(()));
    assert_eq!(
        fs::read_to_string(&blocker).unwrap(),
        "a file, not a directory"
    );
}
