//! `samtale`: the command line of the core, for HR, support and tests.
//!
//! Exit codes: 0 success, 1 the operation failed (the message says why), 2 wrong usage.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
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
    /// The store file.
    #[arg(long, env = "SAMTALE_DB")]
    db: PathBuf,
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
    /// Replace the store's content with a backup (a safety backup is taken first).
    Restore {
        #[command(flatten)]
        db: Db,
        /// The backup's file name, as `samtale backups` lists it.
        backup: String,
    },
}

fn run(cli: Cli) -> Result<(), String> {
    let open = |db: &Db| Samtale::open(&db.db, Box::new(SystemClock)).map_err(|e| e.to_string());
    match cli.command {
        Command::Demo { db, size, language } => {
            let language = Language::parse(&language)
                .ok_or_else(|| format!("unknown language '{language}' (da, sv, nb or en)"))?;
            let out = open(&db)?
                .generate(size, language)
                .map_err(|e| e.to_string())?;
            println!(
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
            let version = s.store().check().map_err(|e| e.to_string())?;
            println!(
                "ok: schema version {version} (this app: {}), integrity ok",
                store::SCHEMA_VERSION
            );
        }
        Command::Backup { db } => {
            let b = open(&db)?.backup_now().map_err(|e| e.to_string())?;
            println!("{}", b.path.display());
        }
        Command::Backups { db } => {
            for b in open(&db)?.backups().map_err(|e| e.to_string())? {
                println!("{}\t{} bytes", b.file_name, b.size_bytes);
            }
        }
        Command::Restore { db, backup } => {
            open(&db)?.restore(&backup).map_err(|e| e.to_string())?;
            println!("restored {backup}");
        }
    }
    Ok(())
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
