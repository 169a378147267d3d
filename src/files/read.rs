//! Reading a file the user gave us (a lesson, a scenario, the progress file), bounded: only
//! a regular file, only up to [`MAX_BYTES`]. A FIFO would block the read forever and
//! `/dev/zero` would never end; both are refused with a message that names the file.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// The largest file read: 1 MiB. The longest built-in lesson is about 12 KiB.
pub const MAX_BYTES: u64 = 1 << 20;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("not a regular file ({kind}): give a plain file")]
    NotRegular { kind: &'static str },
    #[error("{size} bytes, over the limit of {max} (1 MiB)", max = MAX_BYTES)]
    TooLarge { size: u64 },
    /// Not UTF-8: where the first bad byte is, and the text before it (lossy), so that a
    /// message can name the line.
    #[error("not UTF-8 text at byte {valid_up_to} (a binary file?)")]
    NotText { valid_up_to: usize, text: String },
}

impl ReadError {
    /// Whether the file is simply not there.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

/// Open `path` for reading without blocking on a FIFO (or a device that waits), and refuse
/// anything but a regular file. The check is on the opened file, so a name swapped between
/// a check and the open cannot slip through.
fn open_regular(path: &Path) -> Result<File, ReadError> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            kind: kind_of(&meta.file_type()),
        });
    }
    if meta.len() > MAX_BYTES {
        return Err(ReadError::TooLarge { size: meta.len() });
    }
    Ok(file)
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// The text of the regular file at `path` (links followed), at most [`MAX_BYTES`].
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    // A file that grows after the check still stops at the limit.
    file.take(MAX_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotText {
        valid_up_to: e.utf8_error().valid_up_to(),
        text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_and_anything_else_refused() {
        let dir = std::env::temp_dir().join(format!("evtchn-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ok = dir.join("ok.toml");
        std::fs::write(&ok, "id = 1\n").unwrap();
        assert_eq!(read_text(&ok).unwrap(), "id = 1\n");

        let big = dir.join("big.toml");
        std::fs::write(&big, vec![b'a'; MAX_BYTES as usize + 1]).unwrap();
        assert!(matches!(read_text(&big), Err(ReadError::TooLarge { .. })));

        let bin = dir.join("bin.toml");
        std::fs::write(&bin, [0xff, 0xfe, 0]).unwrap();
        assert!(matches!(
            read_text(&bin),
            Err(ReadError::NotText { valid_up_to: 0, .. })
        ));

        assert!(matches!(
            read_text(&dir),
            Err(ReadError::NotRegular {
                kind: "a directory"
            }) | Err(ReadError::Io(_))
        ));
        #[cfg(unix)]
        {
            // A FIFO with no writer: refused at once, not waited on.
            let fifo = dir.join("fifo.toml");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: mkfifo(3) on a path we own.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            let e = read_text(&fifo).unwrap_err();
            assert!(e.to_string().contains("a FIFO"), "{e}");
            let zero = read_text(Path::new("/dev/zero")).unwrap_err();
            assert!(zero.to_string().contains("character device"), "{zero}");
        }
        assert!(read_text(&dir.join("missing")).unwrap_err().is_not_found());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
