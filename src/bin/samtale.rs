//! `samtale`: the command line of the core, for HR, support and tests.
//!
//! Exit codes: 0 success, 1 the operation failed (the message says why), 2 wrong usage.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` for the command's output: a reader that closed the pipe (`samtale … | head`) ends
/// the program quietly, with success, instead of a panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("samtale: cannot write the output: {e}");
            std::process::exit(1);
        }
    }};
}
use samtale::demo::DemoSize;
use samtale::organisation::Language;
use samtale::store;
use samtale::{Samtale, SystemClock};

#[derive(Parser)]
#[command(
    name = "samtale",
    version,
    about = "Samtale's store from the command line"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Db {
    /// The store file. Its key comes from the system keychain, or from the passphrase in
    /// SAMTALE_PASSPHRASE, or from the recovery key in SAMTALE_RECOVERY_KEY (never a flag: a
    /// flag shows in the process list and the shell's history).
    #[arg(long, env = "SAMTALE_DB")]
    db: PathBuf,
    /// Read the recovery key from the first line of standard input, to open the store with it.
    #[arg(long)]
    recovery_key_stdin: bool,
}

impl Db {
    /// The recovery key, from standard input when asked for, else from the environment.
    fn recovery_key(&self) -> Result<Option<String>, String> {
        if self.recovery_key_stdin {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("could not read the recovery key: {e}"))?;
            return Ok(Some(line.trim().to_owned()).filter(|l| !l.is_empty()));
        }
        Ok(std::env::var("SAMTALE_RECOVERY_KEY")
            .ok()
            .filter(|k| !k.is_empty()))
    }
}

/// How to open the store whose key is kept as `mode`: the passphrase when the store is under
/// one and it is given; else the recovery key when given; else the keychain.
fn unlock_how(
    db: &Db,
    mode: Option<samtale::store::vault::KeyMode>,
    passphrase: Option<String>,
) -> Result<samtale::store::vault::Unlock, String> {
    use samtale::store::vault::{KeyMode, Unlock};
    Ok(match (db.recovery_key()?, mode, passphrase) {
        (_, Some(KeyMode::Passphrase), Some(p)) => Unlock::Passphrase(p),
        (Some(r), _, _) => Unlock::RecoveryKey(r),
        (None, Some(KeyMode::Passphrase), None) => {
            return Err("the store is under a passphrase: set SAMTALE_PASSPHRASE".into())
        }
        (None, Some(KeyMode::Keychain), _) => Unlock::Keychain,
        (None, None, _) => {
            return Err(
                "the store's key file is missing: give its recovery key in SAMTALE_RECOVERY_KEY \
                 or with --recovery-key-stdin"
                    .into(),
            )
        }
    })
}

/// What a lost store left, and what to do about it.
fn missing_store(db: &Db, backups: usize) -> String {
    let path = db.db.display();
    format!(
        "{path} is missing or empty, but its key file, a write-ahead log or {backups} backups \
         are beside it: nothing was set up, so nothing of them is lost. Restore a backup with \
         `samtale restore --db {path} BACKUP` (`samtale backups --db {path}` lists them), or \
         start with a new, empty store with `samtale start-anew --db {path}`"
    )
}

/// Opens the store as the environment says; sets a new store up (printing its recovery key
/// once, to stderr) when there is none. A store that is missing beside what it left is never
/// replaced: that is `start-anew`'s, asked for by name.
fn open(db: &Db) -> Result<Samtale, String> {
    use samtale::store::vault::{self, LockState};
    let (keychain, passphrase) = vault::from_environment();
    let clock = Box::new(SystemClock);
    let state = vault::lock_state(&db.db, keychain.as_ref()).map_err(why)?;
    match state {
        LockState::New { .. } => {
            let created = Samtale::create(&db.db, clock, keychain.as_ref(), passphrase.as_deref())
                .map_err(why)?;
            print_recovery_key(&created.recovery_key);
            Ok(created.app)
        }
        LockState::Missing { backups, .. } => Err(missing_store(db, backups.len())),
        LockState::Locked { mode } => {
            let how = unlock_how(db, mode, passphrase)?;
            let unlocked =
                Samtale::unlock_finishing(&db.db, clock, keychain.as_ref(), &how).map_err(why)?;
            if let Some(recovery_key) = &unlocked.new_recovery_key {
                eprintln!("A change of the store's key was cut short; it is finished now.");
                print_new_recovery_key(recovery_key);
            }
            Ok(unlocked.app)
        }
    }
}

fn print_new_recovery_key(recovery_key: &str) {
    eprintln!(
        "The store's key has changed. Its new recovery key, shown only now: write it down and \
         give it to HR; the old one opens nothing any more.\n  {recovery_key}"
    );
}

fn print_recovery_key(recovery_key: &str) {
    eprintln!(
        "The store is encrypted. Its recovery key, shown only now: write it down and give it \
         to HR.\n  {recovery_key}"
    );
}

#[derive(Subcommand)]
enum Command {
    /// Fill an empty store with a generated organisation (synthetic data).
    Demo {
        #[command(flatten)]
        db: Db,
        /// `demo` (about 150 people) or `largest` (60,000 active, 150,000 records).
        #[arg(long, default_value = "demo")]
        size: DemoSize,
        /// da, sv, nb or en: picks the demo's country and names.
        #[arg(long, default_value = "da")]
        language: String,
    },
    /// Check the store's integrity and print its schema version.
    Check {
        #[command(flatten)]
        db: Db,
    },
    /// Take a verified backup now.
    Backup {
        #[command(flatten)]
        db: Db,
    },
    /// List the store's backups, newest first.
    Backups {
        #[command(flatten)]
        db: Db,
    },
    /// Import people and units from a payroll or HR-system file (CSV, TSV or XLSX).
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export a plan or a summary as PDF, XLSX or CSV (written whole or not at all).
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Import unit bundles (HR): each is checked; a newer bundle of a unit replaces the older.
    ImportBundle {
        #[command(flatten)]
        db: Db,
        /// The bundle files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Replace the store's content with a backup (a safety backup is taken first); or put a
    /// backup in the place of a store file that is missing or empty.
    Restore {
        #[command(flatten)]
        db: Db,
        /// The backup's file name, as `samtale backups` lists it.
        backup: String,
    },
    /// Where a store file is missing or empty beside its key file or backups: set up a new,
    /// empty store there (the old key file and log are moved into the backup folder, and the
    /// old backups stay, still opened by the old recovery key).
    StartAnew {
        #[command(flatten)]
        db: Db,
    },
    /// Create the organisation in a new store (as the app's welcome screen does), for HR's
    /// scripts and servers: the store is set up (and its recovery key printed once) first.
    Init {
        #[command(flatten)]
        db: Db,
        /// The organisation's name.
        #[arg(long)]
        name: String,
        /// da, sv, nb or en: the language of its exports.
        #[arg(long)]
        language: String,
        /// DK, SE or NO (from the language when not given; required for en).
        #[arg(long)]
        country: Option<String>,
        /// ISO 4217 currency code (the country's own when not given).
        #[arg(long, default_value = "")]
        currency: String,
    },
    /// List what the store holds, as a table or (`--json`) in the app's own shapes.
    #[command(subcommand)]
    List(ListWhat),
    /// Change the store's key: the store and its backups are encrypted again under a new key,
    /// and a new recovery key is printed once (the old one, and HR's copy of it, stop opening
    /// anything). A store under a passphrase needs it in SAMTALE_PASSPHRASE.
    ChangeKey {
        #[command(flatten)]
        db: Db,
    },
    /// Exchange files with the people talks are held with (docs/EXCHANGE.md): signed, and
    /// encrypted to the one store they are for.
    #[command(subcommand)]
    Exchange(ExchangeWhat),
}

#[derive(Subcommand)]
enum ExchangeWhat {
    /// Print this store's fingerprint (made on first use), to compare with the other side.
    Identity {
        #[command(flatten)]
        db: Db,
    },
    /// Write an exchange file into a folder; prints where it went.
    #[command(subcommand)]
    Write(ExchangeWrite),
    /// Open an exchange file into the store (all of it, or nothing).
    Open {
        #[command(flatten)]
        db: Db,
        file: PathBuf,
        /// The sender's key changed and you compared the new fingerprint with them: accept it.
        #[arg(long)]
        confirm_new_key: bool,
    },
    /// List your own talks (where you are the employee, a group member or the leader).
    OwnTalks {
        #[command(flatten)]
        db: Db,
    },
    /// Write your own answer to one question of your own talk (private until --shared).
    Answer {
        #[command(flatten)]
        db: Db,
        /// The own talk's id (see `exchange own-talks`).
        #[arg(long)]
        own_talk: i64,
        /// The question's section and place in it, from 0.
        #[arg(long)]
        section: u32,
        #[arg(long)]
        question: u32,
        #[arg(long)]
        text: String,
        /// Send this answer to the manager with the next preparation file.
        #[arg(long)]
        shared: bool,
    },
    /// Your agreement of an own talk and your agreed actions, with each action's reference.
    OwnActions {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        own_talk: i64,
    },
    /// Follow up one of your own agreed actions: its status, a note, and its judged effect.
    OwnAction {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        own_talk: i64,
        /// The action's reference (see `exchange own-actions`).
        #[arg(long)]
        action: String,
        /// planned, ongoing, done or cancelled.
        #[arg(long)]
        status: Option<String>,
        /// A follow-up note.
        #[arg(long)]
        follow_up: Option<String>,
        /// Whether it had the effect meant: yes, partly or no.
        #[arg(long)]
        effect: Option<String>,
        /// A note with the judged effect.
        #[arg(long, default_value = "")]
        effect_note: String,
    },
}

#[derive(Subcommand)]
enum ExchangeWrite {
    /// The invitation to one participant of a scheduled talk (manager → employee).
    Invitation {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        talk: i64,
        /// The participant's person id.
        #[arg(long)]
        person: i64,
        /// The calendar entry's title.
        #[arg(long, default_value = "Development talk")]
        title: String,
        /// The folder to write the file into.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Your preparation for your own talk: only the answers marked shared (employee → manager).
    Preparation {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        own_talk: i64,
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// The agreement of an agreed talk for one participant whose key is known (manager →
    /// employee).
    Agreement {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        talk: i64,
        #[arg(long)]
        person: i64,
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Your answer to your own talk's agreement: confirmed with your key, or --disagree
    /// (employee → manager).
    Confirmation {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        own_talk: i64,
        /// Disagree with the agreement, with this text, instead of confirming it.
        #[arg(long)]
        disagree: Option<String>,
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Progress on agreed actions: for one participant of a talk (--talk and --person), or
    /// of your own talk (--own-talk).
    Progress {
        #[command(flatten)]
        db: Db,
        #[arg(long, requires = "person", conflicts_with = "own_talk")]
        talk: Option<i64>,
        #[arg(long)]
        person: Option<i64>,
        #[arg(long, required_unless_present = "talk")]
        own_talk: Option<i64>,
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum ListWhat {
    /// The unit tree, one unit a line, indented under its parent.
    Units {
        #[command(flatten)]
        db: Db,
        /// Archived units too.
        #[arg(long)]
        archived: bool,
        /// JSON (the unit tree as the app gets it) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// People: of one unit, or those whose name or number matches `--search`.
    People {
        #[command(flatten)]
        db: Db,
        /// The unit's id (see `list units`).
        #[arg(long, conflicts_with = "search")]
        unit: Option<i64>,
        /// A name, part of a name or an employee number.
        #[arg(long)]
        search: Option<String>,
        /// People who left too.
        #[arg(long)]
        archived: bool,
        #[arg(long)]
        json: bool,
    },
    /// Talks of a year, soonest first.
    Talks {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        year: i32,
        /// Only of people placed in this unit.
        #[arg(long)]
        unit: Option<i64>,
        /// Cancelled talks too.
        #[arg(long)]
        cancelled: bool,
        #[arg(long)]
        json: bool,
    },
    /// Actions of a year: of a unit and every unit below it, or all.
    Actions {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        year: Option<i32>,
        /// The unit at the top of the tree to list (all units when not given).
        #[arg(long)]
        unit: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ImportWhat {
    /// People (and their units, made as needed), upserted on the employee number.
    People {
        #[command(flatten)]
        db: Db,
        /// The file: CSV or TSV (UTF-8, Windows-1252 or UTF-16) or XLSX.
        file: PathBuf,
        /// Show what would change and every problem row; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// semicolon, comma or tab (detected when not given).
        #[arg(long)]
        delimiter: Option<String>,
        /// utf8, windows-1252, utf16le or utf16be (detected when not given).
        #[arg(long)]
        encoding: Option<String>,
        /// The XLSX sheet to read (the first when not given).
        #[arg(long)]
        sheet: Option<String>,
        /// A JSON file: one entry per column, a field name (employeeNumber, name, givenName,
        /// familyName, unit, unitPath, parentUnit, jobTitle, jobFamily, gender, startDate,
        /// endDate, email, hours, nationalId) or null to skip the column.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// The file is the whole staff: archive active people missing from it.
        #[arg(long)]
        full: bool,
    },
}

#[derive(clap::Args)]
struct ExportTo {
    /// pdf, xlsx or csv.
    #[arg(long)]
    format: String,
    /// The file to write.
    #[arg(long)]
    out: PathBuf,
    /// da, sv, nb or en (the organisation's language when not given).
    #[arg(long)]
    language: Option<String>,
}

#[derive(Subcommand)]
enum ExportWhat {
    /// A unit's action plan of a year (pdf, xlsx or csv).
    UnitPlan {
        #[command(flatten)]
        db: Db,
        /// The unit's id.
        #[arg(long)]
        unit: i64,
        #[arg(long)]
        year: i32,
        #[command(flatten)]
        to: ExportTo,
    },
    /// A unit's bundle for HR: its aggregates and action plan of a year, no notes (JSON).
    Bundle {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        unit: i64,
        #[arg(long)]
        year: i32,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Every unit's action plan of a year, one file per unit, into a folder.
    UnitPlans {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        year: i32,
        /// pdf, xlsx or csv.
        #[arg(long)]
        format: String,
        /// The folder to write into.
        #[arg(long)]
        dir: PathBuf,
        /// da, sv, nb or en (the organisation's language when not given).
        #[arg(long)]
        language: Option<String>,
    },
    /// HR's annual summary of the organisation or one unit's tree (xlsx or pdf).
    HrSummary {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        year: i32,
        /// The top unit's id (the whole organisation when not given).
        #[arg(long)]
        unit: Option<i64>,
        #[command(flatten)]
        to: ExportTo,
    },
    /// An employee's personal development plan of a year (pdf).
    PersonalPlan {
        #[command(flatten)]
        db: Db,
        /// The person's id.
        #[arg(long)]
        person: i64,
        #[arg(long)]
        year: i32,
        #[command(flatten)]
        to: ExportTo,
    },
    /// Everything the store holds about one person, their access right (pdf or json).
    PersonalData {
        #[command(flatten)]
        db: Db,
        /// The person's id.
        #[arg(long)]
        person: i64,
        #[command(flatten)]
        to: ExportTo,
    },
}

impl ExportTo {
    fn parse(&self) -> Result<(samtale::export::ExportFormat, Option<Language>), String> {
        let format = samtale::export::ExportFormat::parse(&self.format)
            .ok_or_else(|| format!("unknown format '{}' (pdf, xlsx or csv)", self.format))?;
        let language = match &self.language {
            Some(l) => Some(
                Language::parse(l)
                    .ok_or_else(|| format!("unknown language '{l}' (da, sv, nb or en)"))?,
            ),
            None => None,
        };
        Ok((format, language))
    }
}

fn parse_choice<T: serde::de::DeserializeOwned>(value: &str, what: &str) -> Result<T, String> {
    let camel = match value.to_lowercase().replace(['-', '_'], "").as_str() {
        "windows1252" | "cp1252" => "windows1252".to_owned(),
        "utf16le" => "utf16Le".to_owned(),
        "utf16be" => "utf16Be".to_owned(),
        other => other.to_owned(),
    };
    serde_json::from_value(serde_json::Value::String(camel))
        .map_err(|_| format!("unknown {what} '{value}'"))
}

fn print_preview(p: &samtale::import::ImportPreview) {
    let d = &p.detected;
    out!(
        "read {:?}{}{}{}: {} rows",
        d.kind,
        d.encoding.map(|e| format!(", {e:?}")).unwrap_or_default(),
        d.delimiter.map(|x| format!(", {x:?}")).unwrap_or_default(),
        d.sheet
            .as_ref()
            .map(|x| format!(", sheet {x}"))
            .unwrap_or_default(),
        p.rows
    );
    for (h, m) in p.headers.iter().zip(&p.mapping) {
        out!(
            "  column {h:?} -> {}",
            m.map(|f| format!("{f:?}")).unwrap_or("(skipped)".into())
        );
    }
    for n in &p.notices {
        use samtale::import::ImportNotice;
        out!(
            "  note: {}",
            match n {
                ImportNotice::NationalIdIgnored { column } => format!(
                    "column {column:?} holds national identity numbers: left out, never stored"
                ),
                ImportNotice::ColumnIgnored { column } =>
                    format!("column {column:?} is recognised but not kept by Samtale"),
                ImportNotice::UnknownColumn { column } =>
                    format!("column {column:?} is not recognised: skipped (map it with --mapping)"),
            }
        );
    }
    for f in &p.missing {
        out!("  no column for {f:?}: map one with --mapping");
    }
    let verb = if p.applied { "" } else { "would be " };
    out!(
        "{verb}created {}, updated {}, unchanged {}, archived {}",
        p.created,
        p.updated,
        p.unchanged,
        p.archived
    );
    for u in &p.units_created {
        out!("  new unit: {u}");
    }
    for problem in &p.problems {
        use samtale::import::ImportProblem;
        let why = match &problem.problem {
            ImportProblem::Rejected { error } => error.to_string(),
            ImportProblem::Ragged { expected, found } => {
                format!("{found} cells where the header has {expected} columns")
            }
            ImportProblem::UnbalancedQuote => {
                "a quote opens and is never closed: the rest of the file is one cell".into()
            }
            ImportProblem::Unreadable => "the line cannot be read".into(),
            ImportProblem::DuplicateEmployeeNumber { number, first_line } => {
                format!("employee number {number} is already on line {first_line}")
            }
        };
        out!("  line {}: {why}", problem.line);
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Demo { db, size, language } => {
            let language = Language::parse(&language)
                .ok_or_else(|| format!("unknown language '{language}' (da, sv, nb or en)"))?;
            let out = open(&db)?.generate(size, language).map_err(why)?;
            out!(
                "wrote {} units and {} people ({} active) to {}",
                out.units,
                out.people,
                out.active_people,
                db.db.display()
            );
        }
        Command::Check { db } => {
            if !db.db.exists() {
                return Err(format!("no store at {}", db.db.display()));
            }
            let s = open(&db)?;
            let version = s.store().check().map_err(why)?;
            out!(
                "ok: schema version {version} (this app: {}), integrity ok",
                store::SCHEMA_VERSION
            );
        }
        Command::Backup { db } => {
            let b = open(&db)?.backup_now().map_err(why)?;
            out!("{}", b.path.display());
        }
        Command::Backups { db } => {
            // A lost store's backups are listed without opening anything: they are what the
            // person chooses a restore from.
            let backups = if db.db.metadata().is_ok_and(|m| m.len() > 0) {
                open(&db)?.backups()
            } else {
                store::list_backups_of(&db.db)
            };
            for b in backups.map_err(why)? {
                out!("{}\t{} bytes", b.file_name, b.size_bytes);
            }
        }
        Command::Import {
            what:
                ImportWhat::People {
                    db,
                    file,
                    dry_run,
                    delimiter,
                    encoding,
                    sheet,
                    mapping,
                    full,
                },
        } => {
            let bytes = samtale::import::read::read_file(&file)
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let mapping = match mapping {
                Some(path) => Some(
                    serde_json::from_str(
                        &std::fs::read_to_string(&path)
                            .map_err(|e| format!("{}: {e}", path.display()))?,
                    )
                    .map_err(|e| format!("{}: not a mapping ({e})", path.display()))?,
                ),
                None => None,
            };
            let options = samtale::import::ImportOptions {
                read: samtale::import::ReadOptions {
                    encoding: encoding.map(|e| parse_choice(&e, "encoding")).transpose()?,
                    delimiter: delimiter
                        .map(|d| parse_choice(&d, "delimiter"))
                        .transpose()?,
                    sheet,
                },
                mapping,
                full,
            };
            let mut s = open(&db)?;
            let preview = if dry_run {
                s.preview_import(&bytes, &options)
            } else {
                s.apply_import(&bytes, &options)
            }
            .map_err(why)?;
            print_preview(&preview);
            if preview.created + preview.updated + preview.unchanged == 0 {
                return Err("nothing could be imported".into());
            }
        }
        Command::Export { what } => {
            let done = match what {
                ExportWhat::UnitPlan { db, unit, year, to } => {
                    let (format, language) = to.parse()?;
                    open(&db)?.export_unit_plan(
                        samtale::UnitId(unit),
                        year,
                        format,
                        language,
                        &to.out,
                    )
                }
                ExportWhat::Bundle {
                    db,
                    unit,
                    year,
                    out,
                } => open(&db)?.export_bundle(samtale::UnitId(unit), year, &out),
                ExportWhat::UnitPlans {
                    db,
                    year,
                    format,
                    dir,
                    language,
                } => {
                    let (format, language) = ExportTo {
                        format,
                        out: dir.clone(),
                        language,
                    }
                    .parse()?;
                    let made = open(&db)?
                        .export_unit_plans(year, format, language, &dir)
                        .map_err(why)?;
                    let bytes: u64 = made.iter().map(|e| e.bytes).sum();
                    out!(
                        "wrote {} plans ({bytes} bytes) to {}",
                        made.len(),
                        dir.display()
                    );
                    return Ok(());
                }
                ExportWhat::HrSummary { db, year, unit, to } => {
                    let (format, language) = to.parse()?;
                    open(&db)?.export_hr_summary(
                        year,
                        unit.map(samtale::UnitId),
                        format,
                        language,
                        &to.out,
                    )
                }
                ExportWhat::PersonalPlan {
                    db,
                    person,
                    year,
                    to,
                } => {
                    let (format, language) = to.parse()?;
                    open(&db)?.export_personal_plan(
                        samtale::PersonId(person),
                        year,
                        format,
                        language,
                        &to.out,
                    )
                }
                ExportWhat::PersonalData { db, person, to } => {
                    let (format, language) = to.parse()?;
                    open(&db)?
                        .export_file(
                            &samtale::export::ExportRequest::PersonalData {
                                person_id: samtale::PersonId(person),
                            },
                            format,
                            language,
                        )
                        .and_then(|file| samtale::export::write_atomic(&to.out, &file.bytes))
                }
            }
            .map_err(why)?;
            out!("wrote {} ({} bytes)", done.path, done.bytes);
        }
        Command::ImportBundle { db, files } => {
            let mut s = open(&db)?;
            let mut refused = 0;
            for file in &files {
                let outcome = std::fs::read(file)
                    .map_err(samtale::Error::from)
                    .and_then(|bytes| s.import_bundle(&bytes));
                match outcome {
                    Ok(o) => out!("{}: {o:?}", file.display()),
                    Err(e) => {
                        refused += 1;
                        eprintln!("{}: refused: {e}", file.display());
                    }
                }
            }
            if refused > 0 {
                return Err(format!("{refused} of {} bundles refused", files.len()));
            }
        }
        Command::Restore { db, backup } => {
            use samtale::store::vault::{self, LockState};
            let (keychain, passphrase) = vault::from_environment();
            match vault::lock_state(&db.db, keychain.as_ref()).map_err(why)? {
                LockState::Missing { mode, .. } => {
                    let how = unlock_how(&db, mode, passphrase)?;
                    Samtale::restore_missing(
                        &db.db,
                        Box::new(SystemClock),
                        keychain.as_ref(),
                        &how,
                        &backup,
                    )
                    .map_err(why)?;
                }
                _ => open(&db)?.restore(&backup).map_err(why)?,
            }
            out!("restored {backup}");
        }
        Command::StartAnew { db } => {
            use samtale::store::vault;
            let (keychain, passphrase) = vault::from_environment();
            let created = Samtale::start_anew(
                &db.db,
                Box::new(SystemClock),
                keychain.as_ref(),
                passphrase.as_deref(),
            )
            .map_err(why)?;
            print_recovery_key(&created.recovery_key);
            out!("a new, empty store is set up at {}", db.db.display());
        }
        Command::Init {
            db,
            name,
            language,
            country,
            currency,
        } => {
            use samtale::organisation::{Country, OrganisationInput};
            let language = Language::parse(&language)
                .ok_or_else(|| format!("unknown language '{language}' (da, sv, nb or en)"))?;
            let country = match (
                country.as_deref().map(str::to_uppercase).as_deref(),
                language,
            ) {
                (Some("DK"), _) | (None, Language::Da) => Country::DK,
                (Some("SE"), _) | (None, Language::Sv) => Country::SE,
                (Some("NO"), _) | (None, Language::Nb) => Country::NO,
                (None, Language::En) => {
                    return Err(
                        "give the organisation's country with --country DK, SE or NO".into(),
                    )
                }
                (Some(other), _) => {
                    return Err(format!("unknown country '{other}' (DK, SE or NO)"))
                }
            };
            let org = open(&db)?
                .create_organisation(&OrganisationInput {
                    name,
                    country,
                    language,
                    currency,
                })
                .map_err(why)?;
            out!("created {} in {}", org.name, db.db.display());
        }
        Command::List(what) => list(what)?,
        Command::ChangeKey { db } => {
            let (keychain, passphrase) = samtale::store::vault::from_environment();
            let mut s = open(&db)?;
            let recovery_key = s
                .change_key(keychain.as_ref(), passphrase.as_deref())
                .map_err(why)?;
            print_new_recovery_key(&recovery_key);
            out!("the store's key is changed");
        }
        Command::Exchange(what) => exchange(what)?,
    }
    Ok(())
}

/// Writes an exchange file whole or not at all: beside its place first, then renamed.
fn write_exchange(
    dir: &std::path::Path,
    file: &samtale::exchange::ExchangeFile,
) -> Result<(), String> {
    let path = dir.join(&file.name);
    let tmp = dir.join(format!(".{}.tmp", file.name));
    std::fs::write(&tmp, &file.bytes)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    out!("{}", path.display());
    Ok(())
}

fn exchange(what: ExchangeWhat) -> Result<(), String> {
    match what {
        ExchangeWhat::Identity { db } => {
            let me = open(&db)?.exchange_identity().map_err(why)?;
            out!("{}", me.fingerprint);
        }
        ExchangeWhat::Write(ExchangeWrite::Invitation {
            db,
            talk,
            person,
            title,
            out,
        }) => {
            let file = open(&db)?
                .invitation_exchange(samtale::TalkId(talk), samtale::PersonId(person), &title)
                .map_err(why)?;
            write_exchange(&out, &file)?;
        }
        ExchangeWhat::Write(ExchangeWrite::Preparation { db, own_talk, out }) => {
            let file = open(&db)?
                .preparation_exchange(samtale::OwnTalkId(own_talk))
                .map_err(why)?;
            write_exchange(&out, &file)?;
        }
        ExchangeWhat::Write(ExchangeWrite::Agreement {
            db,
            talk,
            person,
            out,
        }) => {
            let file = open(&db)?
                .agreement_exchange(samtale::TalkId(talk), samtale::PersonId(person))
                .map_err(why)?;
            write_exchange(&out, &file)?;
        }
        ExchangeWhat::Write(ExchangeWrite::Confirmation {
            db,
            own_talk,
            disagree,
            out,
        }) => {
            let file = open(&db)?
                .confirmation_exchange(samtale::OwnTalkId(own_talk), disagree.as_deref())
                .map_err(why)?;
            write_exchange(&out, &file)?;
        }
        ExchangeWhat::Write(ExchangeWrite::Progress {
            db,
            talk,
            person,
            own_talk,
            out,
        }) => {
            let mut s = open(&db)?;
            let file = match (talk, person, own_talk) {
                (Some(talk), Some(person), _) => {
                    s.progress_exchange(samtale::TalkId(talk), samtale::PersonId(person))
                }
                (_, _, Some(own)) => s.own_progress_exchange(samtale::OwnTalkId(own)),
                _ => return Err("give --talk and --person, or --own-talk".into()),
            }
            .map_err(why)?;
            write_exchange(&out, &file)?;
        }
        ExchangeWhat::OwnActions { db, own_talk } => {
            let own = open(&db)?
                .own_talk(samtale::OwnTalkId(own_talk))
                .map_err(why)?;
            let Some(a) = own.agreement else {
                out!("no agreement yet");
                return Ok(());
            };
            out!(
                "agreement {} ({})",
                a.hash,
                match (a.confirmed_at, &a.disagreement) {
                    (Some(at), _) => format!("confirmed {}", at.format("%Y-%m-%d %H:%M UTC")),
                    (None, Some(_)) => "disagreed".into(),
                    (None, None) => "not answered".into(),
                }
            );
            for action in a.actions {
                out!(
                    "{}  {:<11} {}  (due {}, {})",
                    action.reference,
                    action.status.as_str(),
                    action.title,
                    action
                        .due_date
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "-".into()),
                    action.owner_name
                );
            }
        }
        ExchangeWhat::OwnAction {
            db,
            own_talk,
            action,
            status,
            follow_up,
            effect,
            effect_note,
        } => {
            let mut s = open(&db)?;
            let id = samtale::OwnTalkId(own_talk);
            if let Some(status) = status {
                let status = samtale::actions::ActionStatus::parse(&status)
                    .ok_or_else(|| format!("unknown status {status}"))?;
                s.set_own_action_status(id, &action, status).map_err(why)?;
            }
            if let Some(text) = follow_up {
                s.add_own_action_note(id, &action, &text).map_err(why)?;
            }
            if let Some(effect) = effect {
                let effect = samtale::actions::Effect::parse(&effect)
                    .ok_or_else(|| format!("unknown effect {effect}"))?;
                s.judge_own_action(id, &action, Some(effect), &effect_note)
                    .map_err(why)?;
            }
            out!("saved");
        }
        ExchangeWhat::Open {
            db,
            file,
            confirm_new_key,
        } => {
            let opened = open(&db)?
                .open_exchange_file(&file, confirm_new_key)
                .map_err(why)?;
            let into = match (opened.own_talk, opened.talk) {
                (Some(own), _) => format!(", own talk {own}"),
                (None, Some(talk)) => format!(", talk {talk}"),
                (None, None) => String::new(),
            };
            out!(
                "{} from {}{}{}{}",
                opened.kind.as_str(),
                opened.from,
                into,
                if opened.already_opened {
                    " (opened before: nothing changed)"
                } else {
                    ""
                },
                if opened.new_key {
                    " (a key new to this store: compare its fingerprint with the sender once)"
                } else {
                    ""
                }
            );
        }
        ExchangeWhat::OwnTalks { db } => {
            for t in open(&db)?.own_talks().map_err(why)? {
                out!(
                    "{:>6}  {}  {}  {}  with {} ({})",
                    t.id.0,
                    t.kind.as_str().to_uppercase(),
                    t.starts_at
                        .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
                        .unwrap_or_else(|| "(no date)".into()),
                    t.place.as_deref().unwrap_or(""),
                    t.manager_name,
                    t.manager_key
                );
            }
        }
        ExchangeWhat::Answer {
            db,
            own_talk,
            section,
            question,
            text,
            shared,
        } => {
            let mut s = open(&db)?;
            let id = samtale::OwnTalkId(own_talk);
            s.save_own_answer(
                id,
                &samtale::talks::record::Answer {
                    section,
                    question,
                    text,
                    value: None,
                },
            )
            .map_err(why)?;
            s.set_own_answer_shared(
                id,
                samtale::talks::record::QuestionRef { section, question },
                shared,
            )
            .map_err(why)?;
            out!(
                "saved{}",
                if shared {
                    ", shared"
                } else {
                    ", kept to yourself"
                }
            );
        }
    }
    Ok(())
}

/// The sentence for a failed operation, with what to do where the command line has a way.
fn why(e: samtale::Error) -> String {
    match e {
        samtale::Error::NoOrganisation => format!(
            "{e}: create it first with `samtale init --db FILE --name NAME --language da|sv|nb|en`"
        ),
        samtale::Error::KeyChanged { .. } => {
            format!("{e} (with --confirm-new-key)")
        }
        samtale::Error::Exchange { problem } => {
            use samtale::exchange::ExchangeProblem as P;
            let why = match problem {
                P::NotSamtale => "it is not a Samtale exchange file",
                P::TooLarge => "it is larger than any exchange file (8 MiB)",
                P::Altered => "it was damaged or changed after it was signed",
                P::UnknownVersion => "a newer Samtale wrote it: update this one",
                P::OtherStore => "it is encrypted to another person's store",
                P::OwnFile => "this store wrote it itself",
                P::Stale => "a newer file of its kind for the same talk was opened already",
                P::FromTheFuture => {
                    "it is dated more than a day ahead of this computer's clock: check both clocks"
                }
                P::UnknownExchange => "it is about a talk this store knows nothing of",
                P::Unsupported => "this Samtale does not open files of its kind yet",
                P::KeyNotKnown => {
                    "their key is not known yet: open a file of theirs (their preparation) first"
                }
                P::AgreementChanged => {
                    "the agreement changed since the file they answered: send them the new one"
                }
                P::NoAgreement => "no agreement has come for this talk yet",
            };
            format!("the file was refused, nothing changed: {why}")
        }
        e => e.to_string(),
    }
}

/// Prints `rows` as JSON (the app's own shapes, camelCase) when asked, else each as a line.
fn print_rows<T: serde::Serialize>(
    rows: &[T],
    json: bool,
    line: impl Fn(&T) -> String,
) -> Result<(), String> {
    if json {
        let text = serde_json::to_string_pretty(rows).map_err(|e| e.to_string())?;
        out!("{text}");
    } else {
        for row in rows {
            out!("{}", line(row));
        }
    }
    Ok(())
}

fn list(what: ListWhat) -> Result<(), String> {
    match what {
        ListWhat::Units { db, archived, json } => {
            let tree = open(&db)?.unit_tree(archived).map_err(why)?;
            print_rows(&tree, json, |u| {
                format!(
                    "{:>6}  {}{}  ({} people{}{})",
                    u.id.0,
                    "  ".repeat(u.depth as usize),
                    u.name,
                    u.total_headcount,
                    u.manager_name
                        .as_deref()
                        .map(|m| format!(", manager {m}"))
                        .unwrap_or_default(),
                    if u.archived { ", archived" } else { "" }
                )
            })
        }
        ListWhat::People {
            db,
            unit,
            search,
            archived,
            json,
        } => {
            let s = open(&db)?;
            let people = match (unit, search) {
                (Some(unit), _) => s.people_in_unit(samtale::UnitId(unit), archived),
                (None, Some(query)) => s.search_people(&query, 200, archived),
                (None, None) => {
                    return Err("say which people: --unit ID or --search TEXT".into());
                }
            }
            .map_err(why)?;
            print_rows(&people, json, |p| {
                format!(
                    "{:>6}  {:<12} {} {}  {}  {}{}",
                    p.id.0,
                    p.employee_number,
                    p.given_name,
                    p.family_name,
                    p.job_title,
                    p.unit_name,
                    if p.active { "" } else { "  (left)" }
                )
            })
        }
        ListWhat::Talks {
            db,
            year,
            unit,
            cancelled,
            json,
        } => {
            let talks = open(&db)?
                .talks(&samtale::talks::talk::TalkFilter {
                    year: Some(year),
                    unit_id: unit.map(samtale::UnitId),
                    person_id: None,
                    include_cancelled: cancelled,
                })
                .map_err(why)?;
            print_rows(&talks, json, |t| {
                let with: Vec<&str> = t.participants.iter().map(|p| p.name.as_str()).collect();
                format!(
                    "{:>6}  {} {}  {}  {}  {} with {}  {}",
                    t.id.0,
                    t.kind.as_str().to_uppercase(),
                    t.year,
                    t.state,
                    t.starts_at
                        .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
                        .unwrap_or_else(|| "(no date)".into()),
                    t.leader.name,
                    with.join(", "),
                    t.unit_name
                )
            })
        }
        ListWhat::Actions {
            db,
            year,
            unit,
            json,
        } => {
            let board = open(&db)?
                .actions(&samtale::actions::ActionFilter {
                    root: unit.map(samtale::UnitId),
                    year,
                    ..Default::default()
                })
                .map_err(why)?;
            let shown = board.actions.len() as u32;
            if board.total > shown {
                eprintln!(
                    "the first {shown} of {} actions; narrow the list with --unit or --year",
                    board.total
                );
            }
            print_rows(&board.actions, json, |a| {
                format!(
                    "{:>6}  {}  {}  {}  owner {}{}{}",
                    a.id.0,
                    a.year,
                    a.status,
                    a.title,
                    a.owner.name,
                    a.due_date.map(|d| format!(", due {d}")).unwrap_or_default(),
                    if a.overdue { ", overdue" } else { "" }
                )
            })
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("samtale: {e}");
            ExitCode::FAILURE
        }
    }
}
