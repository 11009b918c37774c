//! Keys for personal data at rest. One secret (`CRM_DATA_KEY`) is stretched with HKDF-SHA256
//! into one AES-256-GCM key per field, so a key recovered for one column opens no other, and a
//! separate HMAC key per field for blind indexes. Each ciphertext names the key it was sealed
//! with (`enc1:<key id>:<base64 of nonce and ciphertext>`) and is bound to its field and record
//! (the associated data), so a value copied into another row or column does not open. During a
//! rotation the keyring holds the new key and the old ones: values open under either and are
//! sealed under the new one.
//!
//! The threat is a stolen database file, dump or backup without the key, which lives only in the
//! server's environment (or, in development, in the data folder).

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of every sealed value (version 1 of the format).
const SEALED: &str = "enc1:";
/// The shortest secret accepted: 32 characters, as for the JWT secret.
pub const MIN_SECRET_CHARS: usize = 32;
const NONCE_BYTES: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("the data key must be at least {MIN_SECRET_CHARS} characters")]
    TooShort,
    #[error("the value was sealed with key {0}, which this server does not have")]
    UnknownKey(String),
    #[error("the value is not a sealed value, or was altered")]
    Corrupt,
}

/// One data key, derived from one secret.
#[derive(Clone)]
pub struct DataKey {
    id: String,
    hkdf: Hkdf<Sha256>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl DataKey {
    pub fn from_secret(secret: &str) -> Result<Self, KeyError> {
        if secret.chars().count() < MIN_SECRET_CHARS {
            return Err(KeyError::TooShort);
        }
        let hkdf = Hkdf::<Sha256>::new(Some(b"crm data key v1"), secret.as_bytes());
        let mut id = [0u8; 4];
        // 4 bytes of output always fit HKDF-SHA256's limit (255 × 32 bytes).
        let _ = hkdf.expand(b"crm/key-id", &mut id);
        Ok(Self { id: id.iter().map(|b| format!("{b:02x}")).collect(), hkdf })
    }

    /// The key's public name (8 hex digits), stored with every value it seals.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn derive(&self, purpose: &str, field: &str) -> [u8; 32] {
        let mut key = [0u8; 32];
        let _ = self.hkdf.expand(format!("crm/{purpose}/{field}").as_bytes(), &mut key);
        key
    }

    fn cipher(&self, field: &str) -> Aes256Gcm {
        Aes256Gcm::new(&self.derive("encrypt", field).into())
    }
}

/// The keys a server holds: the current one, which seals, and those of a rotation in progress,
/// which still open.
#[derive(Debug, Clone)]
pub struct Keyring {
    current: DataKey,
    previous: Vec<DataKey>,
}

impl Keyring {
    pub fn new(current: DataKey, previous: Vec<DataKey>) -> Self {
        Self { current, previous }
    }

    pub fn current_id(&self) -> &str {
        self.current.id()
    }

    fn key(&self, id: &str) -> Option<&DataKey> {
        std::iter::once(&self.current).chain(&self.previous).find(|key| key.id == id)
    }

    /// `plaintext` sealed for `field` of the record `record` (e.g. `users.totp_secret`, a user id).
    pub fn seal(&self, field: &str, record: &str, plaintext: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = format!("{field}:{record}");
        // Encryption with a fresh 96-bit nonce cannot fail for inputs under 64 GiB.
        let ciphertext =
            self.current.cipher(field).encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: aad.as_bytes() }).unwrap_or_default();
        let mut sealed = nonce.to_vec();
        sealed.extend(ciphertext);
        format!("{SEALED}{}:{}", self.current.id, STANDARD_NO_PAD.encode(sealed))
    }

    /// The plaintext of a stored value. A value stored before encryption (not in the sealed
    /// form, see [`is_sealed_value`]) reads as itself, so a database is encrypted by rotation
    /// rather than by a stop-the-world migration.
    pub fn open(&self, field: &str, record: &str, stored: &str) -> Result<String, KeyError> {
        if !is_sealed_value(stored) {
            return Ok(stored.to_owned());
        }
        let Some(rest) = stored.strip_prefix(SEALED) else { return Ok(stored.to_owned()) };
        let (id, body) = rest.split_once(':').ok_or(KeyError::Corrupt)?;
        let key = self.key(id).ok_or_else(|| KeyError::UnknownKey(id.to_owned()))?;
        let bytes = STANDARD_NO_PAD.decode(body).map_err(|_| KeyError::Corrupt)?;
        if bytes.len() < NONCE_BYTES {
            return Err(KeyError::Corrupt);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| KeyError::Corrupt)?;
        let aad = format!("{field}:{record}");
        let plaintext = key
            .cipher(field)
            .decrypt(&Nonce::from(nonce), Payload { msg: ciphertext, aad: aad.as_bytes() })
            .map_err(|_| KeyError::Corrupt)?;
        String::from_utf8(plaintext).map_err(|_| KeyError::Corrupt)
    }

    /// Whether a stored value must be sealed again by a rotation: it is in clear, or sealed
    /// with another key than the current one.
    pub fn needs_sealing(&self, stored: &str) -> bool {
        match stored.strip_prefix(SEALED).and_then(|rest| rest.split_once(':')) {
            Some((id, _)) if is_sealed_value(stored) => id != self.current.id,
            _ => true,
        }
    }

    /// The blind index of a normalised value for `field`: a keyed HMAC (its own derived key, not
    /// the encryption key) truncated to `bits`, as hex. Truncation makes distinct values share an
    /// index on purpose (see [`blind_index_bits`]); lookups filter the coincidences after
    /// opening the candidates.
    pub fn blind_index(&self, field: &str, normalised: &str, bits: u32) -> String {
        blind_index_with(&self.current, field, normalised, bits)
    }

    /// The ids of every key held, the current one first.
    pub fn key_ids(&self) -> Vec<&str> {
        std::iter::once(&self.current).chain(&self.previous).map(DataKey::id).collect()
    }

    /// The blind index of a normalised value under the key `key_id` (during a rotation, rows not
    /// yet indexed again carry the old key's), or `None` for a key this ring does not hold.
    pub fn blind_index_under(&self, key_id: &str, field: &str, normalised: &str, bits: u32) -> Option<String> {
        self.key(key_id).map(|key| blind_index_with(key, field, normalised, bits))
    }
}

/// Whether `stored` has the form of a sealed value: `enc1:`, an 8-hex-digit key id, `:`, and
/// base64 (without padding) of a nonce and a tag at least. Text a person typed that merely
/// starts with `enc1:` is not one: it is sealed like any other value and reads as itself.
pub fn is_sealed_value(stored: &str) -> bool {
    let Some((id, body)) = stored.strip_prefix(SEALED).and_then(|rest| rest.split_once(':')) else { return false };
    let id_ok = id.len() == 8 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    // 12 bytes of nonce and 16 of tag: 28 bytes, 38 base64 characters at least.
    let body_ok = body.len() >= 38 && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    id_ok && body_ok
}

fn blind_index_with(key: &DataKey, field: &str, normalised: &str, bits: u32) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.derive("blind-index", field)).unwrap_or_else(|_| unreachable_mac());
    mac.update(normalised.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    let bits = bits.clamp(1, 64);
    let value = u64::from_be_bytes(head) >> (64 - bits);
    format!("{value:x}")
}

// HMAC takes keys of any length: this is never reached.
fn unreachable_mac() -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(&[0u8; 32]).unwrap_or_else(|_| unreachable_mac())
}

/// How many bits a blind index keeps for a population of `records` values, following the
/// CipherSweet guidance: each index value should be shared by between 2 and √R records, so that
/// an index reveals neither which records are equal (too many bits) nor costs a scan (too few).
/// We take the geometric middle of that range, `R / 2^b = √(2·√R)`, and at least 8 bits.
pub fn blind_index_bits(records: u64) -> u32 {
    let r = (records.max(1_000)) as f64;
    let log_r = r.log2();
    // R / 2^b = 2^((1 + log R / 2) / 2)  ⇔  b = log R − (1 + log R / 2) / 2
    let bits = log_r - (1.0 + log_r / 2.0) / 2.0;
    (bits.floor() as u32).clamp(8, 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(secret: &str) -> Keyring {
        Keyring::new(DataKey::from_secret(secret).unwrap(), Vec::new())
    }

    const A: &str = "a-data-key-of-at-least-32-characters!";
    const B: &str = "another-data-key-of-32-characters-or-more";

    #[test]
    fn a_sealed_value_opens_for_its_field_and_record_only() {
        let keys = ring(A);
        let sealed = keys.seal("customers.address", "c1", "上海市浦东新区张江路 100 号");
        assert!(sealed.starts_with(&format!("enc1:{}:", keys.current_id())), "{sealed}");
        assert!(!sealed.contains("张江"));
        assert_eq!(keys.open("customers.address", "c1", &sealed).unwrap(), "上海市浦东新区张江路 100 号");
        assert_eq!(keys.open("customers.address", "c2", &sealed), Err(KeyError::Corrupt), "another record");
        assert_eq!(keys.open("contacts.address", "c1", &sealed), Err(KeyError::Corrupt), "another field");
        assert_ne!(sealed, keys.seal("customers.address", "c1", "上海市浦东新区张江路 100 号"), "a fresh nonce each time");
    }

    #[test]
    fn a_value_in_clear_reads_as_itself_and_needs_sealing() {
        let keys = ring(A);
        assert_eq!(keys.open("f", "r", "plain").unwrap(), "plain");
        assert!(keys.needs_sealing("plain"));
        assert!(!keys.needs_sealing(&keys.seal("f", "r", "x")));
    }

    #[test]
    fn during_a_rotation_both_keys_open_and_the_new_one_seals() {
        let old = ring(A);
        let sealed_old = old.seal("f", "r", "secret");
        let rotating = Keyring::new(DataKey::from_secret(B).unwrap(), vec![DataKey::from_secret(A).unwrap()]);
        assert_eq!(rotating.open("f", "r", &sealed_old).unwrap(), "secret");
        assert!(rotating.needs_sealing(&sealed_old));
        let sealed_new = rotating.seal("f", "r", "secret");
        assert!(!rotating.needs_sealing(&sealed_new));
        // After the rotation the old key is gone: values it sealed no longer open.
        assert_eq!(ring(B).open("f", "r", &sealed_old), Err(KeyError::UnknownKey(old.current_id().to_owned())));
        assert_eq!(ring(B).open("f", "r", "enc1:zz:???").unwrap(), "enc1:zz:???", "not a sealed value: text that reads as itself");
        assert_eq!(ring(B).open("f", "r", "enc1:").unwrap(), "enc1:");
        let forged = format!("enc1:{}:{}", old.current_id(), "A".repeat(40));
        assert_eq!(ring(A).open("f", "r", &forged), Err(KeyError::Corrupt), "the form of a sealed value that does not open");
    }

    #[test]
    fn short_secrets_are_refused_and_ids_differ_per_secret() {
        assert_eq!(DataKey::from_secret("short").unwrap_err(), KeyError::TooShort);
        assert_ne!(ring(A).current_id(), ring(B).current_id());
        assert_eq!(ring(A).current_id(), ring(A).current_id());
        assert_eq!(ring(A).current_id().len(), 8);
    }

    #[test]
    fn blind_indexes_are_keyed_per_field_and_truncated() {
        let keys = ring(A);
        let one = keys.blind_index("customers.phone", "+8613812345678", 16);
        assert_eq!(one, keys.blind_index("customers.phone", "+8613812345678", 16));
        assert_ne!(one, keys.blind_index("contacts.mobile", "+8613812345678", 16), "another field, another key");
        assert_ne!(one, ring(B).blind_index("customers.phone", "+8613812345678", 16), "another key");
        assert!(u64::from_str_radix(&one, 16).unwrap() < 1 << 16);
    }

    #[test]
    fn blind_index_length_keeps_coincidences_between_two_and_root_r() {
        for records in [1_000u64, 10_000, 100_000, 1_000_000, 50_000_000] {
            let bits = blind_index_bits(records);
            let per_value = records as f64 / 2f64.powi(bits as i32);
            assert!(per_value >= 2.0 && per_value <= (records as f64).sqrt(), "{records}: {bits} bits, {per_value} per value");
        }
    }
}
