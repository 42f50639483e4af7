//! The store's own identity: an X25519 key pair (age) that files to this store are encrypted
//! to, and an Ed25519 key pair that every file this store writes is signed with.
//!
//! Invariants: the secret keys live only in the `identity` row of the (encrypted) store and in
//! memory while a file is written or opened; no `Debug`, `Display` or error ever shows them.
//! The pair is made once, on first need, and never changes by itself. The fingerprint is a
//! function of the signing public key alone; the X25519 public key is bound to it by the
//! signature of every file that carries both.

use age::secrecy::ExposeSecret;
use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use specta::Type;

use crate::clock::{stamp, Clock};
use crate::error::{Error, Result};

/// What others may know of this store: its fingerprint and public keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PublicIdentity {
    /// The short form two people compare, e.g. `ABCD-EFGH-IJKL-MNOP`.
    pub fingerprint: String,
    /// The X25519 recipient, `age1…`.
    pub age_public: String,
    /// The Ed25519 verifying key, base64.
    pub sign_public: String,
    pub created_at: DateTime<Utc>,
}

/// The full identity, secrets included: only for writing and opening files.
pub(crate) struct Identity {
    pub age: age::x25519::Identity,
    pub signing: SigningKey,
    pub public: PublicIdentity,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secrets: a Debug line can end up in a log.
        f.debug_struct("Identity")
            .field("fingerprint", &self.public.fingerprint)
            .finish_non_exhaustive()
    }
}

/// The fingerprint of a signing key: base32 of its SHA-256, the first 16 letters in groups of
/// four. 80 bits: enough that no one can make a key with a chosen fingerprint, short enough to
/// read aloud on the phone.
pub fn fingerprint(sign_public: &[u8; 32]) -> String {
    let digest = Sha256::digest(sign_public);
    let text = data_encoding::BASE32_NOPAD.encode(&digest);
    text.as_bytes()
        .chunks(4)
        .take(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| Error::FileSystem {
        detail: format!("no randomness from the system: {e}"),
    })?;
    Ok(out)
}

/// A random id for a file or an exchange: 128 bits, base32.
pub(crate) fn random_id() -> Result<String> {
    Ok(data_encoding::BASE32_NOPAD.encode(&random_bytes::<16>()?))
}

fn damaged(what: &str) -> Error {
    Error::StoreCorrupt {
        detail: format!("the store's exchange identity has a damaged {what}"),
    }
}

/// The store's identity, if it has one yet.
pub(crate) fn load(conn: &Connection) -> Result<Option<Identity>> {
    let row = conn
        .prepare_cached(
            "SELECT age_secret, age_public, sign_secret, sign_public, fingerprint, created_at
             FROM identity WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok((
                r.get::<_, String>("age_secret")?,
                r.get::<_, String>("age_public")?,
                r.get::<_, Vec<u8>>("sign_secret")?,
                r.get::<_, String>("fingerprint")?,
                r.get::<_, DateTime<Utc>>("created_at")?,
            ))
        })
        .optional()?;
    let Some((age_secret, age_public, sign_secret, fingerprint, created_at)) = row else {
        return Ok(None);
    };
    let age: age::x25519::Identity = age_secret.parse().map_err(|_| damaged("X25519 key"))?;
    let seed: [u8; 32] = sign_secret
        .as_slice()
        .try_into()
        .map_err(|_| damaged("signing key"))?;
    let signing = SigningKey::from_bytes(&seed);
    let verifying = signing.verifying_key();
    Ok(Some(Identity {
        public: PublicIdentity {
            fingerprint,
            age_public,
            sign_public: encode_key(&verifying),
            created_at,
        },
        age,
        signing,
    }))
}

pub(crate) fn encode_key(key: &VerifyingKey) -> String {
    data_encoding::BASE64.encode(key.as_bytes())
}

/// The store's identity, made now when it has none. Cheap when it exists; the shell may call
/// it at set-up so the fingerprint is ready to be shown.
pub(crate) fn ensure(conn: &Connection, clock: &dyn Clock) -> Result<Identity> {
    if let Some(identity) = load(conn)? {
        return Ok(identity);
    }
    let age = age::x25519::Identity::generate();
    let signing = SigningKey::from_bytes(&random_bytes::<32>()?);
    let verifying = signing.verifying_key();
    let fingerprint = fingerprint(verifying.as_bytes());
    let age_public = age.to_public().to_string();
    let now = clock.now();
    conn.prepare_cached(
        "INSERT INTO identity (id, age_secret, age_public, sign_secret, sign_public,
                               fingerprint, created_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        age.to_string().expose_secret(),
        &age_public,
        signing.to_bytes().as_slice(),
        verifying.as_bytes().as_slice(),
        &fingerprint,
        stamp(now),
    ))?;
    Ok(Identity {
        public: PublicIdentity {
            fingerprint,
            age_public,
            sign_public: encode_key(&verifying),
            created_at: now,
        },
        age,
        signing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_the_first_sixteen_base32_letters_of_the_keys_sha256() {
        // A known answer (computed apart, with Python's hashlib and base64): the format is a
        // promise to people who compared fingerprints, so it must never drift.
        let key: [u8; 32] = std::array::from_fn(|i| i as u8);
        assert_eq!(fingerprint(&key), "MMG4-2KLG-YQZW-NEIS");
    }

    #[test]
    fn the_identitys_debug_form_shows_no_secret() {
        let conn = crate::store::Store::open_in_memory().unwrap();
        let clock = crate::clock::FixedClock(chrono::DateTime::UNIX_EPOCH);
        let me = ensure(conn.conn(), &clock).unwrap();
        let shown = format!("{me:?}");
        assert!(!shown.contains("AGE-SECRET-KEY"), "{shown}");
        assert!(shown.contains(&me.public.fingerprint));
        let again = load(conn.conn()).unwrap().unwrap();
        assert_eq!(again.public, me.public, "read back as made");
        assert_eq!(again.signing.to_bytes(), me.signing.to_bytes());
    }
}
