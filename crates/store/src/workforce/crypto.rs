//! The key that protects identity numbers. One 32-byte secret from the configuration (or a key
//! file made on first start) gives two keys: one encrypts each number with AES-256-GCM (a fresh
//! random 96-bit nonce per value, stored as hex of nonce || ciphertext || tag), the other makes
//! the blind index, an HMAC-SHA256 of the normalised number, which finds the same person again
//! without decrypting anything. A check value kept in the database tells a wrong key at once.

use std::path::Path;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

/// The secret's length in bytes (written as 64 hex digits).
pub const SECRET_LEN: usize = 32;

/// The two keys made from the secret.
pub struct IdentityKeys {
    enc: LessSafeKey,
    index: hmac::Key,
    rng: SystemRandom,
}

impl std::fmt::Debug for IdentityKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityKeys(..)")
    }
}

/// A problem with the key, in words for the operator (never shown to a web client).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

/// Read a secret written as 64 hex digits (spaces around ignored).
pub fn parse_secret(text: &str) -> Result<[u8; SECRET_LEN], KeyError> {
    let bytes = hex::decode(text.trim())
        .map_err(|_| KeyError("the identity key must be 64 hexadecimal digits (32 bytes)".into()))?;
    bytes.try_into().map_err(|_| KeyError("the identity key must be 64 hexadecimal digits (32 bytes)".into()))
}

/// A new random secret.
pub fn generate_secret() -> [u8; SECRET_LEN] {
    let mut s = [0u8; SECRET_LEN];
    // The system's random source failing is not something to carry on from.
    SystemRandom::new().fill(&mut s).expect("the system random source works");
    s
}

/// Read the key file at `path`, or make it (mode 0600) with a new random secret. Returns the
/// secret and whether the file was made now.
pub fn load_or_create_key_file(path: &Path) -> Result<([u8; SECRET_LEN], bool), KeyError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_secret(&text).map(|s| (s, false)).map_err(|e| KeyError(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = generate_secret();
            write_private(path, &format!("{}\n", hex::encode(secret)))
                .map_err(|e| KeyError(format!("cannot write the identity key file {}: {e}", path.display())))?;
            Ok((secret, true))
        }
        Err(e) => Err(KeyError(format!("cannot read the identity key file {}: {e}", path.display()))),
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

fn derive(secret: &[u8; SECRET_LEN], purpose: &[u8]) -> [u8; 32] {
    let k = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let tag = hmac::sign(&k, purpose);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

impl IdentityKeys {
    pub fn from_secret(secret: &[u8; SECRET_LEN]) -> IdentityKeys {
        let enc = derive(secret, b"minecoop identity number encryption v1");
        let idx = derive(secret, b"minecoop identity number blind index v1");
        IdentityKeys {
            // A 32-byte key is always a valid AES-256 key.
            enc: LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &enc).expect("32-byte AES-256 key")),
            index: hmac::Key::new(hmac::HMAC_SHA256, &idx),
            rng: SystemRandom::new(),
        }
    }

    /// Encrypt a value: hex of a fresh nonce, the ciphertext and its tag.
    pub fn encrypt(&self, plain: &str) -> Result<String, KeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| KeyError("the system random source failed".into()))?;
        let mut buf = plain.as_bytes().to_vec();
        self.enc
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut buf)
            .map_err(|_| KeyError("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(hex::encode(out))
    }

    /// Decrypt what [`encrypt`](Self::encrypt) made. A wrong key (or a damaged value) is an
    /// error, never a panic.
    pub fn decrypt(&self, stored: &str) -> Result<String, KeyError> {
        let wrong = || {
            KeyError(
                "an identity number cannot be decrypted: the identity key is not the one it was stored with".into(),
            )
        };
        let bytes = hex::decode(stored).map_err(|_| wrong())?;
        if bytes.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(wrong());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| wrong())?;
        let mut buf = sealed.to_vec();
        let plain = self.enc.open_in_place(nonce, Aad::empty(), &mut buf).map_err(|_| wrong())?;
        String::from_utf8(plain.to_vec()).map_err(|_| wrong())
    }

    /// The blind index of a normalised number: the same number always gives the same index
    /// under the same key, and nothing can be learnt from it without the key.
    pub fn blind_index(&self, normalised: &str) -> String {
        hex::encode(hmac::sign(&self.index, normalised.as_bytes()).as_ref())
    }

    /// The value kept in the database to recognise this key.
    pub fn check_value(&self) -> String {
        self.blind_index("minecoop key check")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_a_fresh_nonce_each_time() {
        let k = IdentityKeys::from_secret(&[7u8; 32]);
        let a = k.encrypt("11010519491231002X").unwrap();
        let b = k.encrypt("11010519491231002X").unwrap();
        assert_ne!(a, b, "a nonce per value");
        assert_eq!(a.len(), (12 + 18 + 16) * 2);
        assert_eq!(k.decrypt(&a).unwrap(), "11010519491231002X");
        assert_eq!(k.blind_index("x"), k.blind_index("x"));
        let other = IdentityKeys::from_secret(&[8u8; 32]);
        assert!(other.decrypt(&a).unwrap_err().0.contains("identity key"));
        assert_ne!(other.blind_index("x"), k.blind_index("x"));
        assert_ne!(other.check_value(), k.check_value());
        assert!(k.decrypt("zz").is_err() && k.decrypt("00").is_err());
    }

    #[test]
    fn secrets_are_64_hex_digits_and_key_files_are_private() {
        assert!(parse_secret("00").is_err());
        assert_eq!(parse_secret(&format!(" {} \n", "ab".repeat(32))).unwrap(), [0xab; 32]);
        let dir = tempfile_dir();
        let path = dir.join("id.key");
        let (s1, made) = load_or_create_key_file(&path).unwrap();
        assert!(made);
        let (s2, made) = load_or_create_key_file(&path).unwrap();
        assert!(!made && s1 == s2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(dir.join("bad.key"), "nonsense").unwrap();
        assert!(load_or_create_key_file(&dir.join("bad.key")).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("minecoop-key-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
