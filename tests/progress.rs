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

// ---- Hardening, round two (issue 18) ----

/// Lesson `id` at `step` with `done` steps done.
fn at(p: &mut Progress, id: &str, step: usize, done: &[usize]) {
    let l = p.lesson_mut(id);
    l.step = step;
    l.done_steps.extend(done);
    p.last = Some(id.to_string());
}

/// Two labs on one state directory, saving in turn (each from its own store, as two
/// processes would): every step either of them did is in the file, and each one's last
/// position is kept for the lessons it moved in.
#[test]
fn two_labs_saving_in_turn_lose_nothing() {
    let d = Dir::new("two-labs");
    let (a, mut pa, _) = Store::open(&d.0);
    let (b, mut pb, _) = Store::open(&d.0);
    at(&mut pa, "01-ports-and-bits", 1, &[0]);
    a.save(&pa).unwrap();
    at(&mut pb, "02-masking-and-coalescing", 1, &[0]);
    b.save(&pb).unwrap();
    at(&mut pa, "01-ports-and-bits", 2, &[1]);
    pa.lesson_mut("01-ports-and-bits")
        .hints
        .insert("2".into(), 1);
    a.save(&pa).unwrap();
    pb.lesson_mut("02-masking-and-coalescing")
        .solutions_shown
        .insert(1);
    pb.lesson_mut("02-masking-and-coalescing")
        .hints
        .insert("1".into(), 2);
    b.save(&pb).unwrap();
    let (_, on_disk, warn) = Store::open(&d.0);
    assert_eq!(warn, None);
    let l1 = on_disk.lesson("01-ports-and-bits").expect("lab A's lesson");
    assert_eq!(l1.done_steps, [0, 1].into(), "{on_disk:?}");
    assert_eq!((l1.step, l1.hints.get("2")), (2, Some(&1)), "{on_disk:?}");
    let l2 = on_disk
        .lesson("02-masking-and-coalescing")
        .expect("lab B's lesson");
    assert_eq!(l2.done_steps, [0].into(), "{on_disk:?}");
    assert_eq!(l2.solutions_shown, [1].into(), "{on_disk:?}");
    assert_eq!((l2.step, l2.hints.get("1")), (1, Some(&2)), "{on_disk:?}");
    assert_eq!(on_disk.last.as_deref(), Some("02-masking-and-coalescing"));
}

/// Two labs saving at the same time, from two threads, many times each: the lock makes
/// each save a read, a merge and a write that the other cannot cut into; nothing is lost.
#[test]
fn two_labs_saving_at_once_lose_nothing() {
    let d = Dir::new("two-labs-at-once");
    let started = std::time::Instant::now();
    let labs: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|who| {
            let dir = d.0.clone();
            std::thread::spawn(move || {
                let (store, mut p, _) = Store::open(&dir);
                for i in 0..40 {
                    at(&mut p, &format!("{who}-{i:02}"), 1, &[0]);
                    store.save(&p).unwrap();
                }
            })
        })
        .collect();
    for l in labs {
        l.join().unwrap();
    }
    let (_, p, warn) = Store::open(&d.0);
    assert_eq!(warn, None);
    assert_eq!(
        p.lessons.len(),
        80,
        "every lesson of both: {:?}",
        p.lessons.keys()
    );
    eprintln!("80 saves from two threads: {:?}", started.elapsed());
}

/// A step reset by one lab (going back to a done lesson's start) is not undone by
/// another lab that saves later without having moved in that lesson.
#[test]
fn a_reset_by_one_lab_is_not_undone_by_the_other() {
    let d = Dir::new("reset");
    let (a, mut pa, _) = Store::open(&d.0);
    at(&mut pa, "01-ports-and-bits", 3, &[0, 1, 2]);
    a.save(&pa).unwrap();
    // Lab B starts now: it reads step 3.
    let (b, mut pb, _) = Store::open(&d.0);
    assert_eq!(pb.lesson("01-ports-and-bits").unwrap().step, 3);
    // Lab A goes back to the lesson's start.
    pa.lesson_mut("01-ports-and-bits").step = 0;
    a.save(&pa).unwrap();
    // Lab B works on another lesson and saves.
    at(&mut pb, "02-masking-and-coalescing", 1, &[0]);
    b.save(&pb).unwrap();
    let (_, p, _) = Store::open(&d.0);
    let l1 = p.lesson("01-ports-and-bits").unwrap();
    assert_eq!(l1.step, 0, "lab A's reset stands: {p:?}");
    assert_eq!(
        l1.done_steps,
        [0, 1, 2].into(),
        "and what was done stays done"
    );
    assert!(p.lesson("02-masking-and-coalescing").is_some(), "{p:?}");
}

/// `ln -s VICTIM NAME` on every name the program could use for a temporary file that one
/// can predict: the old `progress.toml.tmp-PID`, and the writer's own pattern with this
/// process's id and a small number (as the trace's temporary once was).
#[cfg(unix)]
fn plant_links(dir: &std::path::Path, target: &str, victim: &std::path::Path) -> usize {
    let pid = std::process::id();
    let mut names = vec![format!("{target}.tmp-{pid}")];
    names.extend((0..=100).map(|n| format!(".{target}.{pid}-{n}.tmp")));
    for n in &names {
        std::os::unix::fs::symlink(victim, dir.join(n)).unwrap();
    }
    names.len()
}

#[cfg(unix)]
#[test]
fn a_link_planted_on_a_temporary_name_is_never_written_through() {
    let d = Dir::new("planted");
    let victim = d.0.join("victim");
    fs::write(&victim, "the victim's own text\n").unwrap();
    let state = d.0.join("state");
    fs::create_dir_all(&state).unwrap();
    let planted = plant_links(&state, FILE, &victim);
    let (store, mut p, _) = Store::open(&state);
    for i in 0..5 {
        at(&mut p, &format!("l{i}"), i, &[0]);
        store.save(&p).unwrap();
    }
    assert_eq!(
        fs::read_to_string(&victim).unwrap(),
        "the victim's own text\n"
    );
    let file = fs::symlink_metadata(state.join(FILE)).unwrap();
    assert!(file.is_file(), "progress.toml is a file of its own");
    assert_eq!(Store::open(&state).1, p, "the progress itself is saved");
    // Nothing else was left: the planted links and the file.
    assert_eq!(fs::read_dir(&state).unwrap().count(), planted + 1);
}

/// A `progress.toml` that is a link (to a dotfiles repository) stays a link: the file it
/// names is written, also when it is not there yet, and a corrupt one is moved aside
/// beside it.
#[cfg(unix)]
#[test]
fn a_linked_progress_file_stays_a_link() {
    let d = Dir::new("linked");
    let dots = d.0.join("dotfiles");
    let state = d.0.join("state");
    fs::create_dir_all(&dots).unwrap();
    fs::create_dir_all(&state).unwrap();
    std::os::unix::fs::symlink("../dotfiles/progress.toml", state.join(FILE)).unwrap();
    let is_link = || {
        fs::symlink_metadata(state.join(FILE))
            .unwrap()
            .file_type()
            .is_symlink()
    };
    // The link names no file yet: the first save makes it.
    let (store, _, warn) = Store::open(&state);
    assert_eq!(warn, None);
    store.save(&some_progress()).unwrap();
    assert!(is_link(), "still a link");
    assert_eq!(Store::open(&state).1, some_progress());
    assert!(
        fs::read_to_string(dots.join(FILE))
            .unwrap()
            .contains("02-masking")
    );
    // Corrupt: moved aside where it is, the link kept.
    fs::write(dots.join(FILE), "version = 1\nlessons = [oops\n").unwrap();
    let (store, p, warn) = Store::open(&state);
    assert!(warn.unwrap().contains("moved to"));
    assert_eq!(p, Progress::default());
    assert!(is_link());
    let aside: Vec<_> = fs::read_dir(&dots)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("progress.toml.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    store.save(&some_progress()).unwrap();
    assert!(is_link());
    assert_eq!(Store::open(&state).1, some_progress());
}

/// A corrupt file moved aside never overwrites one moved aside before, in the same second
/// or not (here the names of this second and the next two are taken already).
#[test]
fn a_file_moved_aside_never_overwrites_another() {
    let d = Dir::new("aside-twice");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for s in now..now + 3 {
        fs::write(
            d.0.join(format!("{FILE}.corrupt-{s}")),
            format!("earlier {s}"),
        )
        .unwrap();
    }
    for text in ["first [oops", "second [oops"] {
        fs::write(d.file(), text).unwrap();
        let (_, _, warn) = Store::open(&d.0);
        assert!(warn.unwrap().contains("moved to"));
    }
    let mut kept: Vec<String> = fs::read_dir(&d.0)
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    kept.sort();
    let mut want: Vec<String> = (now..now + 3).map(|s| format!("earlier {s}")).collect();
    want.extend(["first [oops".to_string(), "second [oops".to_string()]);
    want.sort();
    assert_eq!(kept, want, "every file moved aside is kept");
}

/// A format number past `u32` (or past what TOML reads as an integer) is a newer file, left
/// alone, not a corrupt one moved aside.
#[test]
fn a_huge_version_is_from_a_newer_lab() {
    for v in ["4294967296", "99999999999999999999999"] {
        let d = Dir::new(&format!("huge-{}", v.len()));
        let text = format!("version = {v}\nsomething_new = true\n");
        fs::write(d.file(), &text).unwrap();
        let (store, p, warn) = Store::open(&d.0);
        let warn = warn.unwrap();
        assert!(
            warn.contains("newer evtchn-lab") && warn.contains(v),
            "{v}: {warn}"
        );
        assert_eq!(p, Progress::default());
        store.save(&some_progress()).unwrap();
        assert_eq!(fs::read_to_string(d.file()).unwrap(), text, "untouched");
        assert_eq!(
            fs::read_dir(&d.0).unwrap().count(),
            1,
            "nothing moved aside"
        );
    }
}

/// `f()` in a thread, failing if it takes more than 5 s (a read blocked on a FIFO).
fn within_5_s<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(f()));
    rx.recv_timeout(std::time::Duration::from_secs(5))
        .unwrap_or_else(|_| panic!("{what}: still blocked after 5 s"))
}

/// A progress file that is a FIFO, or a link to `/dev/zero`, is refused at once (neither
/// a read that waits forever nor one that never ends): the lab says what it is and saves
/// nothing this session; the file stays as it is.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_as_progress_file_is_refused_at_once() {
    use std::os::unix::fs::FileTypeExt;
    let d = Dir::new("fifo");
    let c = std::ffi::CString::new(d.file().to_str().unwrap()).unwrap();
    // SAFETY: mkfifo(3) on a path this test owns.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let dir = d.0.clone();
    let (store, p, warn) = within_5_s("opening a FIFO", move || Store::open(&dir));
    let warn = warn.expect("a message");
    assert!(
        warn.contains("a FIFO") && warn.contains("not saved this session"),
        "{warn}"
    );
    assert_eq!(p, Progress::default());
    store.save(&some_progress()).unwrap();
    let dir = d.0.clone();
    let (_, _, listed) = within_5_s("listing", move || Store::open_read_only(&dir));
    assert!(listed.unwrap().contains("a FIFO"));
    assert!(fs::metadata(d.file()).unwrap().file_type().is_fifo());

    fs::remove_file(d.file()).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.file()).unwrap();
    let dir = d.0.clone();
    let (store, _, warn) = within_5_s("opening /dev/zero", move || Store::open(&dir));
    assert!(warn.unwrap().contains("character device"));
    store.save(&some_progress()).unwrap();
    assert!(
        fs::symlink_metadata(d.file())
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
