//! Power loss, simulated below SQLite: a child process (this test binary again) saves through
//! the core with a VFS of its own as SQLite's default. The VFS passes every call on to the real
//! one and keeps, per file, what a disk would hold after a power cut: the content at the last
//! `fsync`, and the writes (and truncations) since. At random writes and syncs it "cuts the
//! power": it writes each file as the last sync left it plus a random subset of the writes since
//! (each kept or lost, so writes are torn and reordered as a disk cache may), and records how
//! many saves the core had acknowledged by then. The parent opens every such image: it must pass
//! `integrity_check` and hold every acknowledged save. (`synchronous=FULL` is what makes that
//! so: with `NORMAL`, a commit is acknowledged before its log is on the disk, and this test
//! fails.)
//!
//! What it does not model: a file system that loses a created or deleted file's directory entry
//! (the VFS keeps every file it knows), and a disk that lies about `fsync`.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use rusqlite::ffi;
use samtale::Samtale;

use crate::common::{clock, person_input};

const CHILD: &str = "SAMTALE_POWER_CHILD";
const IMAGES: &str = "SAMTALE_POWER_IMAGES";
/// Power cuts the child makes before it stops.
const CUTS: u32 = 40;
/// About one write or sync in this many cuts the power.
const ONE_IN: u64 = 60;

/// One change a disk may or may not have kept: a write, or a truncation.
enum Op {
    Write(u64, Vec<u8>),
    Truncate(u64),
}

/// A file as the disk holds it: `durable` after the last sync (`None`: never synced, and not
/// there when first opened), and what came after.
#[derive(Default)]
struct Tracked {
    durable: Option<Vec<u8>>,
    pending: Vec<Op>,
}

/// Every file the VFS opened, by its full path.
fn files() -> &'static Mutex<HashMap<PathBuf, Tracked>> {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, Tracked>>> = OnceLock::new();
    FILES.get_or_init(Default::default)
}

fn lock() -> std::sync::MutexGuard<'static, HashMap<PathBuf, Tracked>> {
    files().lock().unwrap_or_else(|p| p.into_inner())
}

/// Saves the core has returned from, as the workload counts them.
static ACKNOWLEDGED: AtomicU32 = AtomicU32::new(0);
static CUT: AtomicU32 = AtomicU32::new(0);
static RNG: OnceLock<Mutex<fastrand::Rng>> = OnceLock::new();

fn rng() -> std::sync::MutexGuard<'static, fastrand::Rng> {
    RNG.get_or_init(|| {
        let seed = std::env::var("SAMTALE_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Mutex::new(fastrand::Rng::with_seed(seed))
    })
    .lock()
    .unwrap_or_else(|p| p.into_inner())
}

/// The real (unix) VFS, and for each kind of its files (a database locks, a log does not:
/// each has its own io methods) those methods with ours in place of the writing ones.
struct Real {
    vfs: *mut ffi::sqlite3_vfs,
    methods: Mutex<Vec<(usize, &'static ffi::sqlite3_io_methods)>>,
}
unsafe impl Send for Real {}
unsafe impl Sync for Real {}
static REAL: OnceLock<Real> = OnceLock::new();

fn real() -> &'static Real {
    REAL.get().expect("the VFS is registered")
}

/// Our file: the real file first (the real methods see only it), then which path it is and
/// the real methods it was opened with.
#[repr(C)]
struct Extra {
    path: *mut PathBuf,
    methods: *const ffi::sqlite3_io_methods,
}

unsafe fn extra(file: *mut ffi::sqlite3_file) -> *mut Extra {
    let size = (*real().vfs).szOsFile as usize;
    (file as *mut u8).add(size) as *mut Extra
}

unsafe fn path_of(file: *mut ffi::sqlite3_file) -> Option<&'static PathBuf> {
    let p = (*extra(file)).path;
    (!p.is_null()).then(|| &*p)
}

unsafe fn original(file: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    &*(*extra(file)).methods
}

/// At random, cuts the power now: every file as the disk would hold it, into the next image.
fn maybe_cut() {
    if rng().u64(0..ONE_IN) != 0 {
        return;
    }
    let Some(dir) = std::env::var_os(IMAGES) else {
        return;
    };
    let n = CUT.fetch_add(1, Ordering::SeqCst);
    let acknowledged = ACKNOWLEDGED.load(Ordering::SeqCst);
    let image = PathBuf::from(dir).join(format!("cut-{n}"));
    std::fs::create_dir_all(&image).unwrap();
    let files = lock();
    let mut rng = rng();
    for (path, tracked) in files.iter() {
        let mut content = tracked.durable.clone();
        for op in &tracked.pending {
            if !rng.bool() {
                continue;
            }
            let bytes = content.get_or_insert_with(Vec::new);
            match op {
                Op::Write(at, data) => {
                    let end = *at as usize + data.len();
                    if bytes.len() < end {
                        bytes.resize(end, 0);
                    }
                    bytes[*at as usize..end].copy_from_slice(data);
                }
                Op::Truncate(size) => bytes.truncate(*size as usize),
            }
        }
        if let Some(bytes) = content {
            std::fs::write(image.join(path.file_name().unwrap()), bytes).unwrap();
        }
    }
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "cut {n} {acknowledged}").unwrap();
    out.flush().unwrap();
}

unsafe extern "C" fn x_write(
    file: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    if let Some(path) = path_of(file) {
        maybe_cut();
        let bytes = std::slice::from_raw_parts(data as *const u8, amount as usize).to_vec();
        if let Some(t) = lock().get_mut(path) {
            t.pending.push(Op::Write(offset as u64, bytes));
        }
    }
    (original(file).xWrite.unwrap())(file, data, amount, offset)
}

unsafe extern "C" fn x_truncate(file: *mut ffi::sqlite3_file, size: ffi::sqlite3_int64) -> c_int {
    if let Some(path) = path_of(file) {
        if let Some(t) = lock().get_mut(path) {
            t.pending.push(Op::Truncate(size as u64));
        }
    }
    (original(file).xTruncate.unwrap())(file, size)
}

unsafe extern "C" fn x_sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    if path_of(file).is_some() {
        maybe_cut();
    }
    let rc = (original(file).xSync.unwrap())(file, flags);
    if rc == ffi::SQLITE_OK {
        if let Some(path) = path_of(file) {
            // What the file holds now is on the disk.
            let now = std::fs::read(path).ok();
            if let Some(t) = lock().get_mut(path) {
                t.durable = now;
                t.pending.clear();
            }
        }
    }
    rc
}

unsafe extern "C" fn x_close(file: *mut ffi::sqlite3_file) -> c_int {
    let rc = (original(file).xClose.unwrap())(file);
    let e = extra(file);
    if !(*e).path.is_null() {
        drop(Box::from_raw((*e).path));
        (*e).path = std::ptr::null_mut();
    }
    rc
}

unsafe extern "C" fn x_open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let r = real();
    (*extra(file)).path = std::ptr::null_mut();
    let rc = ((*r.vfs).xOpen.unwrap())(r.vfs, name, file, flags, out_flags);
    if rc != ffi::SQLITE_OK || (*file).pMethods.is_null() || name.is_null() {
        return rc;
    }
    let theirs = (*file).pMethods;
    let ours: &'static ffi::sqlite3_io_methods = {
        let mut known = r.methods.lock().unwrap_or_else(|p| p.into_inner());
        match known.iter().find(|(real, _)| *real == theirs as usize) {
            Some((_, ours)) => ours,
            None => {
                let mut ours = std::ptr::read(theirs);
                ours.xWrite = Some(x_write);
                ours.xTruncate = Some(x_truncate);
                ours.xSync = Some(x_sync);
                ours.xClose = Some(x_close);
                // No memory-mapped reads: every byte goes through xRead and xWrite.
                ours.iVersion = ours.iVersion.min(2);
                let ours: &'static ffi::sqlite3_io_methods = Box::leak(Box::new(ours));
                known.push((theirs as usize, ours));
                ours
            }
        }
    };
    let path = PathBuf::from(CStr::from_ptr(name).to_string_lossy().into_owned());
    lock().entry(path.clone()).or_insert_with(|| Tracked {
        durable: std::fs::read(&path).ok(),
        pending: Vec::new(),
    });
    (*extra(file)).path = Box::into_raw(Box::new(path));
    (*extra(file)).methods = theirs;
    (*file).pMethods = ours;
    rc
}

unsafe extern "C" fn x_delete(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    sync: c_int,
) -> c_int {
    let r = real();
    let rc = ((*r.vfs).xDelete.unwrap())(r.vfs, name, sync);
    if rc == ffi::SQLITE_OK {
        let path = PathBuf::from(CStr::from_ptr(name).to_string_lossy().into_owned());
        lock().remove(&path);
    }
    rc
}

/// Makes the power-cutting VFS this process's default.
fn register() {
    static REGISTERED: AtomicUsize = AtomicUsize::new(0);
    if REGISTERED.swap(1, Ordering::SeqCst) == 1 {
        return;
    }
    unsafe {
        let vfs = ffi::sqlite3_vfs_find(std::ptr::null());
        assert!(!vfs.is_null());
        REAL.get_or_init(|| Real {
            vfs,
            methods: Mutex::new(Vec::new()),
        });
        let mut ours: ffi::sqlite3_vfs = std::ptr::read(vfs);
        ours.szOsFile = (*vfs).szOsFile + std::mem::size_of::<Extra>() as c_int;
        ours.zName = c"powerloss".as_ptr();
        ours.pNext = std::ptr::null_mut();
        ours.xOpen = Some(x_open);
        ours.xDelete = Some(x_delete);
        let ours = Box::leak(Box::new(ours));
        assert_eq!(ffi::sqlite3_vfs_register(ours, 1), ffi::SQLITE_OK);
    }
}

/// The child's side: saves in a loop through the core on the power-cutting VFS.
#[test]
fn power_child() {
    let Some(db) = std::env::var_os(CHILD) else {
        return;
    };
    register();
    let mut app = Samtale::open(&db, Box::new(clock()), &crate::common::key()).unwrap();
    let unit = crate::crash::first_unit_below_the_top(&app);
    let mut n = 0;
    while CUT.load(Ordering::SeqCst) < CUTS {
        if n % 10 == 9 {
            let mut csv = String::from("Lønnummer;Fornavn;Efternavn;Afdeling;Ansættelsesdato\n");
            for i in 0..50 {
                csv.push_str(&format!("C{n}-{i};Import;Række {i};Strøm;01-08-2024\n"));
            }
            app.import_people(
                csv.as_bytes(),
                &samtale::import::ImportOptions::default(),
                true,
                &samtale::import::Progress::default(),
            )
            .unwrap();
        } else {
            app.create_person(&person_input(
                &format!("C{n}"),
                "Strøm",
                &format!("Nr {n}"),
                unit,
            ))
            .unwrap();
        }
        n += 1;
        ACKNOWLEDGED.store(n, Ordering::SeqCst);
    }
}

/// Checks one power cut's image: it opens, is whole, and holds the first `acknowledged` saves.
fn check(image: &Path, acknowledged: u32, name: &str) {
    let app = Samtale::open(image.join(name), Box::new(clock()), &crate::common::key())
        .unwrap_or_else(|e| {
            panic!(
                "{}: the store does not open after the cut: {e}",
                image.display()
            )
        });
    let conn = app.store().conn();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "{}", image.display());
    for n in 0..acknowledged {
        let number = if n % 10 == 9 {
            format!("C{n}-0")
        } else {
            format!("C{n}")
        };
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM person WHERE employee_number = ?1",
                [&number],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            found,
            1,
            "{}: acknowledged save {n} is lost",
            image.display()
        );
    }
}

#[test]
fn every_acknowledged_save_survives_a_power_cut_that_loses_and_tears_unsynced_writes() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let (dir, db) = crate::crash::demo_store();
    let images = dir.path().join("images");
    let seed = crate::crash::seeded().u64(..);
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "power_loss::power_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, &db)
        .env(IMAGES, &images)
        .env("SAMTALE_CRASH_SEED", seed.to_string())
        .env("SAMTALE_TEST_KEY", crate::common::key().recovery_key())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let cuts: Vec<(u32, u32)> = stdout
        .lines()
        .filter_map(|l| {
            let rest = &l[l.find("cut ")? + 4..];
            let mut parts = rest.split(' ');
            Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
        })
        .collect();
    assert!(cuts.len() as u32 >= CUTS, "{stdout}");
    let mut with_saves = 0;
    for (n, acknowledged) in cuts {
        check(&images.join(format!("cut-{n}")), acknowledged, "s.sqlite3");
        with_saves += u32::from(acknowledged > 0);
    }
    assert!(with_saves > CUTS / 2, "most cuts came after some saves");
}
