//! The core's one integration test binary (one binary links once; many would each link the
//! whole crate). Each module holds the tests of one area, driven through the public API against
//! real SQLite stores in temporary folders.

/// Shared builders: a store in a temp dir, a fixed clock, valid inputs.
mod common;

/// The audit trail: an entry per change to people, talks and actions, in its transaction,
/// with who and about whom and never the typed text; paging and the person filter.
mod audit;

/// A person's rights and retention: the access export (JSON and PDF) with everything about one
/// person and nothing of others, erasure that keeps the counts, the policy, its exact preview,
/// the purge (once a day, never before adoption) and its audit entries.
mod privacy;

/// Crash safety: a child saving through the core, killed with SIGKILL a hundred times; the
/// store's integrity and every reported save checked after each kill.
mod crash;

/// Power loss: a VFS that loses and tears the writes not yet synced, at random moments of a
/// child's saves; every image whole and holding every acknowledged save.
mod power_loss;

/// Crash safety of the store's own steps: opening, migrating, a backup, a change of key and a
/// purge, each killed at random moments; the store whole and under one key after each.
mod crash_steps;

/// Opening, pragmas, migrations from frozen fixtures, refusing foreign and newer stores,
/// backups and restore.
mod store;

/// A lost store (its file gone or emptied beside its key file, backups or log) is never replaced
/// without asking: restored from a backup, or started anew on the person's word; backups kept
/// by age, pruned only under the store's own key.
mod lost_store;

/// Encryption at rest: new stores and their backups encrypted (no name readable in the files),
/// keychain, passphrase and recovery key, wrong keys refused untouched, plaintext stores
/// encrypted with a backup first.
mod encryption;

/// Changing a store's key: the store and its backups under the new key, the old recovery key
/// opening nothing, a change cut short finished or given up at the next start.
mod rekey;

/// The unit tree: create, rename, move, archive, head counts, typed errors.
mod units;

/// People: create, edit, move, archive, validation, search, effective manager.
mod people;

/// The demo and `largest` generators: deterministic and of the promised size.
mod demo;

/// Talks: the lifecycle rules and the question guides (templates) with their file format and
/// their versions in the store.
mod talks;

/// Exchange files between a manager's store and an employee's: the store's identity, the
/// envelope's checks (altered, another store's, replayed, older, changed key, too large), the
/// invitation and the preparation, and that unshared answers never leave the employee's store.
mod exchange;

/// One talk through the store: plan, invite (.ics), prepare, hold, agree, sign, reopen,
/// follow up; privacy of preparations and leader notes; warnings; upward feedback.
mod talk_flow;

/// The year's cycle (årshjul): who is due which talk, progress, overdue and reminders.
mod cycle;

/// The `samtale` command line: subcommands, messages and exit codes.
mod cli;

/// Competences: the level scale, the catalogue, profiles and their unit changes, the competence
/// file and the starters, assessments in talks, the unit heat map.
mod competences;

/// Agreed actions (activity and result), the actions board, unit plans and rolling them.
mod actions;

/// Importing people from payroll files: encodings, delimiters, quotes, headers in four
/// languages, normalising, the dry run's problem rows, apply, full imports, property tests.
mod import;

/// Exports: unit plans and personal plans as PDF, XLSX and CSV read back with real readers
/// (calamine, the csv crate, pdftotext), atomic writes, typed errors, and the privacy sentinel.
mod export;

/// The bad-input sweep: every use case fed empty, huge, control-character, right-to-left,
/// emoji and SQL text, unknown ids and illegal steps; a typed error and no change, or a save.
mod sweep;
