//! Secrets at rest (an agency's WeChat platform secret and EncodingAESKey, tokens): sealed
//! with AES-256-GCM under a key kept outside the database, a key file in the data directory
//! by default or `--secret-key-file`. A copy of the database, or an `export-data` file,
//! carries only sealed text; opening it needs the key file too.
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;
use std::path::Path;

const PREFIX: &str = "sealed1:";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SealError {
    #[error("a sealed secret is damaged or was sealed with another key file")]
    Open,
    #[error("the secret key file {0} is not 32 bytes of hex")]
    BadKeyFile(String),
}

/// The key secrets are sealed with.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    pub fn from_key(key: [u8; 32]) -> SecretBox {
        SecretBox {
            cipher: Aes256Gcm::new(&key.into()),
        }
    }

    /// A box with a key that lives as long as the process (tests).
    pub fn ephemeral() -> SecretBox {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        SecretBox::from_key(key)
    }

    /// Reads the key file at `path`, creating it (mode 0600) with a fresh key when missing.
    pub fn load_or_create(path: &Path) -> anyhow::Result<SecretBox> {
        use anyhow::Context;
        if !path.exists() {
            let mut key = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut key);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(path) {
                Ok(mut f) => std::io::Write::write_all(&mut f, hex::encode(key).as_bytes())
                    .with_context(|| format!("writing the secret key file {}", path.display()))?,
                // Another node created it first: read theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("creating the secret key file {}", path.display())
                    })
                }
            }
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the secret key file {}", path.display()))?;
        let key: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| SealError::BadKeyFile(path.display().to_string()))?;
        Ok(SecretBox::from_key(key))
    }

    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .expect("AES-GCM encrypts any length this program seals");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(out)
        )
    }

    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .filter(|b| b.len() > 12)
            .ok_or(SealError::Open)?;
        let (nonce, body) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| SealError::Open)?;
        String::from_utf8(plain).map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_its_key_and_unaltered() {
        let a = SecretBox::ephemeral();
        let sealed = a.seal("app-secret-123");
        assert!(!sealed.contains("app-secret"));
        assert_ne!(sealed, a.seal("app-secret-123"), "a fresh nonce each time");
        assert_eq!(a.open(&sealed).unwrap(), "app-secret-123");
        assert_eq!(SecretBox::ephemeral().open(&sealed), Err(SealError::Open));
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(a.open(&tampered), Err(SealError::Open));
        assert_eq!(a.open("plain"), Err(SealError::Open));
    }

    #[test]
    fn the_key_file_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let sealed = SecretBox::load_or_create(&path).unwrap().seal("x");
        assert_eq!(
            SecretBox::load_or_create(&path)
                .unwrap()
                .open(&sealed)
                .unwrap(),
            "x"
        );
        std::fs::write(&path, "nothex").unwrap();
        assert!(SecretBox::load_or_create(&path).is_err());
    }
}
