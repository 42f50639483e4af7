//! The one file format of every exchange (docs/EXCHANGE.md): a readable header, a payload
//! (an age ciphertext to the recipient, or, for a first invitation only, plain JSON), and an
//! Ed25519 signature over the exact bytes before it.
//!
//! ```text
//! SAMTALE-EXCHANGE\n | u32 BE header length | header JSON | u32 BE payload length | payload | 64-byte signature
//! ```
//!
//! Invariants: [`parse`] never panics on any input and checks in a fixed order: size, magic,
//! structure, format version, the fingerprint against the signing key, then the signature
//! over every byte but the signature's own (so any changed byte is refused); nothing of the
//! payload is read before the signature holds. The header holds no personal data: only the
//! kind, the format version, a random file id, the created time, the sender's fingerprint and
//! public keys and the recipient's fingerprint.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::identity::{self, Identity};
use super::{ExchangeKind, ExchangeProblem};
use crate::error::{Error, Result};

/// The first bytes of every exchange file.
pub const MAGIC: &[u8] = b"SAMTALE-EXCHANGE\n";
/// The format version this app writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The largest file opened: far above any real exchange (a guide and an agreement are a few
/// dozen KiB), low enough that a wrong file chosen by mistake is refused before it is read.
pub const MAX_FILE: u64 = 8 * 1024 * 1024;
/// The largest header: it holds a few keys and ids.
const MAX_HEADER: usize = 16 * 1024;
const SIGNATURE_LEN: usize = 64;

fn problem(problem: ExchangeProblem) -> Error {
    Error::Exchange { problem }
}

/// The sender, as the header names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sender {
    pub fingerprint: String,
    /// `age1…`: what a reply to them is encrypted to.
    pub age_public: String,
    /// The Ed25519 verifying key, base64.
    pub sign_public: String,
}

/// What anyone can read of a file, without keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Header {
    pub format_version: u32,
    pub kind: ExchangeKind,
    pub file_id: String,
    pub created_at: DateTime<Utc>,
    pub sender: Sender,
    /// The recipient store's fingerprint; `None` only for a first invitation, whose payload
    /// is then plain.
    pub recipient: Option<String>,
}

/// A file whose signature holds, its payload not yet opened.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub header: Header,
    pub payload: Vec<u8>,
    /// The sender's verifying key, as checked against the fingerprint.
    pub sign_public: [u8; 32],
}

/// Where a reply goes: a store's fingerprint and its X25519 recipient.
pub(crate) struct To<'a> {
    pub fingerprint: &'a str,
    pub age_public: &'a str,
}

/// Writes a file: the header, the payload encrypted to `to` (plain when `to` is `None`), and
/// the signature over both as written.
pub(crate) fn seal(
    identity: &Identity,
    kind: ExchangeKind,
    created_at: DateTime<Utc>,
    to: Option<To<'_>>,
    payload: &[u8],
) -> Result<Vec<u8>> {
    let payload = match &to {
        Some(to) => {
            let recipient: age::x25519::Recipient =
                to.age_public.parse().map_err(|_| Error::StoreCorrupt {
                    detail: "a stored peer key is not an X25519 recipient".into(),
                })?;
            age::encrypt(&recipient, payload).map_err(|e| Error::FileSystem {
                detail: format!("encryption failed: {e}"),
            })?
        }
        None => payload.to_vec(),
    };
    let header = Header {
        format_version: FORMAT_VERSION,
        kind,
        file_id: identity::random_id()?,
        created_at,
        sender: Sender {
            fingerprint: identity.public.fingerprint.clone(),
            age_public: identity.public.age_public.clone(),
            sign_public: identity.public.sign_public.clone(),
        },
        recipient: to.map(|t| t.fingerprint.to_owned()),
    };
    let header = serde_json::to_vec(&header).map_err(|e| Error::FileSystem {
        detail: e.to_string(),
    })?;
    let too_large = || problem(ExchangeProblem::TooLarge);
    let header_len = u32::try_from(header.len()).map_err(|_| too_large())?;
    let payload_len = u32::try_from(payload.len()).map_err(|_| too_large())?;
    let mut out = Vec::with_capacity(MAGIC.len() + 8 + header.len() + payload.len() + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&header_len.to_be_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&payload_len.to_be_bytes());
    out.extend_from_slice(&payload);
    let signature = identity.signing.sign(&out);
    out.extend_from_slice(&signature.to_bytes());
    if out.len() as u64 > MAX_FILE {
        return Err(too_large());
    }
    Ok(out)
}

/// Reads `n` bytes at `*at`, or says the file is damaged.
fn take<'a>(bytes: &'a [u8], at: &mut usize, n: usize) -> Result<&'a [u8]> {
    let end = at
        .checked_add(n)
        .filter(|end| *end <= bytes.len())
        .ok_or(problem(ExchangeProblem::Altered))?;
    let out = &bytes[*at..end];
    *at = end;
    Ok(out)
}

fn take_len(bytes: &[u8], at: &mut usize) -> Result<usize> {
    let raw: [u8; 4] = take(bytes, at, 4)?
        .try_into()
        .map_err(|_| problem(ExchangeProblem::Altered))?;
    Ok(u32::from_be_bytes(raw) as usize)
}

/// Checks a file's form and signature; see the module's invariants for the order.
pub fn parse(bytes: &[u8]) -> Result<Sealed> {
    if bytes.len() as u64 > MAX_FILE {
        return Err(problem(ExchangeProblem::TooLarge));
    }
    if !bytes.starts_with(MAGIC) {
        return Err(problem(ExchangeProblem::NotSamtale));
    }
    let mut at = MAGIC.len();
    let header_len = take_len(bytes, &mut at)?;
    if header_len > MAX_HEADER {
        return Err(problem(ExchangeProblem::Altered));
    }
    let header_bytes = take(bytes, &mut at, header_len)?;
    let payload_len = take_len(bytes, &mut at)?;
    let payload = take(bytes, &mut at, payload_len)?;
    let signed_len = at;
    let signature = take(bytes, &mut at, SIGNATURE_LEN)?;
    if at != bytes.len() {
        return Err(problem(ExchangeProblem::Altered));
    }
    // The version first, from a loose reading: a newer app's header may hold fields this one
    // does not know, and the person should hear "update the app", not "damaged".
    let loose: serde_json::Value =
        serde_json::from_slice(header_bytes).map_err(|_| problem(ExchangeProblem::Altered))?;
    match loose.get("formatVersion").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        Some(_) => return Err(problem(ExchangeProblem::UnknownVersion)),
        None => return Err(problem(ExchangeProblem::Altered)),
    }
    let header: Header =
        serde_json::from_value(loose).map_err(|_| problem(ExchangeProblem::Altered))?;
    let key_bytes: [u8; 32] = data_encoding::BASE64
        .decode(header.sender.sign_public.as_bytes())
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or(problem(ExchangeProblem::Altered))?;
    if identity::fingerprint(&key_bytes) != header.sender.fingerprint {
        return Err(problem(ExchangeProblem::Altered));
    }
    let key =
        VerifyingKey::from_bytes(&key_bytes).map_err(|_| problem(ExchangeProblem::Altered))?;
    let signature =
        Signature::from_slice(signature).map_err(|_| problem(ExchangeProblem::Altered))?;
    // Strict: refuses the malleable and small-order forms, so one file has one valid signature.
    key.verify_strict(&bytes[..signed_len], &signature)
        .map_err(|_| problem(ExchangeProblem::Altered))?;
    Ok(Sealed {
        header,
        payload: payload.to_vec(),
        sign_public: key_bytes,
    })
}

/// The payload's plain bytes, for this store: refused when the file is for another store.
pub(crate) fn open(sealed: &Sealed, identity: &Identity) -> Result<Vec<u8>> {
    match &sealed.header.recipient {
        // Only a first invitation may travel plain: it carries no personal data.
        None if sealed.header.kind == ExchangeKind::Invitation => Ok(sealed.payload.clone()),
        None => Err(problem(ExchangeProblem::Altered)),
        Some(to) if *to != identity.public.fingerprint => Err(problem(ExchangeProblem::OtherStore)),
        Some(_) => age::decrypt(&identity.age, &sealed.payload)
            .map_err(|_| problem(ExchangeProblem::Altered)),
    }
}
