//! The store key: 256 random bits with which SQLCipher encrypts every page of the store, its
//! write-ahead log and its backups.
//!
//! Invariants: a key comes only from the operating system's random source (or from its own
//! recovery key); it is zeroed when dropped; it reaches SQLite only as a raw key (`x'…'`), so
//! SQLCipher runs no key derivation of its own on every open; its printable form, the recovery
//! key, carries a checksum, so a typing mistake is told apart from a wrong key.

use data_encoding::BASE32_NOPAD;
use std::path::Path;

use rusqlite::Connection;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Bytes of the recovery key's checksum: 32 + 3 bytes are exactly 56 base32 letters.
const CHECK: usize = 3;

/// The key of one store. Cloned only to hand it to a background reader of the same store.
#[derive(Clone)]
pub struct StoreKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(..)")
    }
}

impl StoreKey {
    /// A new random key from the operating system's random source.
    pub fn generate() -> Result<StoreKey> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| Error::FileSystem {
            detail: format!("no random source: {e}"),
        })?;
        Ok(StoreKey(bytes))
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<StoreKey> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(StoreKey(Zeroizing::new(array)))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as a person writes it down: 56 letters and digits in groups of four.
    pub fn recovery_key(&self) -> String {
        let mut raw = Zeroizing::new(Vec::with_capacity(32 + CHECK));
        raw.extend_from_slice(self.0.as_ref());
        raw.extend_from_slice(&checksum(&self.0));
        let letters = Zeroizing::new(BASE32_NOPAD.encode(&raw));
        letters
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Reads a recovery key as typed: case, spaces and dashes do not matter; a mistyped letter
    /// fails the checksum.
    pub fn from_recovery_key(typed: &str) -> Result<StoreKey> {
        let letters: Zeroizing<String> = Zeroizing::new(
            typed
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let raw = BASE32_NOPAD
            .decode(letters.as_bytes())
            .map(Zeroizing::new)
            .map_err(|_| Error::RecoveryKeyMistyped)?;
        if raw.len() != 32 + CHECK {
            return Err(Error::RecoveryKeyMistyped);
        }
        let key = StoreKey::from_bytes(&raw[..32]).ok_or(Error::RecoveryKeyMistyped)?;
        if checksum(&key.0) != raw[32..] {
            return Err(Error::RecoveryKeyMistyped);
        }
        Ok(key)
    }

    /// The key as SQLCipher's raw-key literal, for `PRAGMA key` and `ATTACH … KEY`.
    pub(crate) fn literal(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(67));
        s.push_str("x'");
        for b in self.0.iter() {
            s.push_str(&format!("{b:02X}"));
        }
        s.push('\'');
        s
    }

    /// Keys a fresh connection to a store file (or one of its backups). Must come before
    /// anything reads the file.
    pub fn apply(&self, conn: &Connection) -> Result<()> {
        quiet(conn)?;
        conn.pragma_update(None, "key", self.literal().as_str())?;
        cipher_settings(conn, None)
    }

    /// Attaches the encrypted file at `path` (made if new) as `schema`, keyed and set up as a
    /// store is: for `sqlcipher_export` into a backup or an encrypted copy.
    pub(crate) fn attach(&self, conn: &Connection, path: &Path, schema: &str) -> Result<()> {
        conn.execute(
            &format!("ATTACH DATABASE ?1 AS {schema} KEY ?2"),
            [path.to_string_lossy().as_ref(), self.literal().as_str()],
        )?;
        cipher_settings(conn, Some(schema))
    }
}

/// SQLCipher's page format for every store and backup: 16 KiB pages, each authenticated with
/// HMAC-SHA256. Not SQLCipher's defaults (4 KiB, HMAC-SHA512): reading the year for HR's summary
/// spent most of its decryption time hashing, and SHA-256 runs on laptops' SHA instructions
/// (SHA-512 has none on most); a quarter as many pages means a quarter as many HMACs and IVs.
/// A file written with other settings does not open, so every connection and attached file
/// repeats these, right after its key and before its first read.
const CIPHER_PAGE_SIZE: u32 = 16 * 1024;
const CIPHER_HMAC: &str = "HMAC_SHA256";

fn cipher_settings(conn: &Connection, schema: Option<&str>) -> Result<()> {
    conn.pragma_update(schema, "cipher_page_size", CIPHER_PAGE_SIZE)?;
    conn.pragma_update(schema, "cipher_hmac_algorithm", CIPHER_HMAC)?;
    Ok(())
}

/// SQLCipher logs a failed page decryption to stderr; a wrong key is an expected answer here,
/// told to the person as a typed error, not a log line.
pub(crate) fn quiet(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    Ok(())
}

fn checksum(key: &[u8; 32]) -> [u8; CHECK] {
    let digest = Sha256::digest(key);
    [digest[0], digest[1], digest[2]]
}

/// Whether the file at `path` is a plaintext SQLite database: its first 16 bytes are SQLite's
/// header, which an encrypted file never shows.
pub(crate) fn is_plaintext(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let n = file.read(&mut header)?;
    Ok(n == 16 && &header == b"SQLite format 3\0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recovery_key_reads_back_as_the_same_key() {
        let key = StoreKey::generate().unwrap();
        let written = key.recovery_key();
        assert_eq!(written.len(), 56 + 13);
        let typed = written.to_lowercase().replace('-', " ");
        assert_eq!(
            StoreKey::from_recovery_key(&typed).unwrap().bytes(),
            key.bytes()
        );
    }

    #[test]
    fn a_mistyped_recovery_key_is_told_apart_from_a_wrong_one() {
        let written = StoreKey::generate().unwrap().recovery_key();
        let mut chars: Vec<char> = written.chars().collect();
        chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
        let typo: String = chars.into_iter().collect();
        assert!(matches!(
            StoreKey::from_recovery_key(&typo),
            Err(Error::RecoveryKeyMistyped)
        ));
        assert!(matches!(
            StoreKey::from_recovery_key("ABCD"),
            Err(Error::RecoveryKeyMistyped)
        ));
    }
}
