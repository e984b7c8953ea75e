//! Passwords: bcrypt hashes, generated temporary passwords, and Quay's "encrypted password"
//! (AES-256-CBC of `{"password": ...}` under a key derived from `SECRET_KEY`), which is also
//! how the secrets Berth must show again are stored.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use subtle::ConstantTimeEq;

use crate::app::App;
use crate::random::random_code;

type Encryptor = cbc::Encryptor<aes::Aes256>;
type Decryptor = cbc::Decryptor<aes::Aes256>;

const BCRYPT_COST: u32 = 12;

/// More than 7 characters and no whitespace (Quay's rule).
/// What a secret handed out once (a token, a code, a credential) is stored and looked up as:
/// its SHA-256, so the stored form is useless to whoever reads it.
pub fn secret_digest(secret: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

pub fn is_valid_password(password: &str) -> bool {
    password.chars().count() > 7 && !password.chars().any(char::is_whitespace)
}

/// Client secrets are 40 characters from `[A-Z0-9]`.
pub const CLIENT_SECRET_LEN: usize = 40;

/// A new OAuth client secret in the form it is stored in: encrypted (core-api.md §1.7).
pub fn new_client_secret(app: &App) -> String {
    encrypt_stored(app, &random_code(CLIENT_SECRET_LEN))
}

/// The 32-character temporary password of a user created by a superuser.
pub fn generate_password() -> String {
    random_code(32)
}

/// bcrypt is slow on purpose, so it runs off the async threads.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    Ok(tokio::task::spawn_blocking(move || bcrypt::hash(password, BCRYPT_COST)).await??)
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false))
        .await
        .unwrap_or(false)
}

/// Quay's key derivation: a decimal integer as its hex bytes, else a UUID's 16 bytes, else the
/// characters' code points; repeated and cut to 32 bytes.
fn derive_key(secret_key: &str) -> [u8; 32] {
    let bytes: Vec<u8> = secret_key
        .parse::<u128>()
        .ok()
        .and_then(|n| {
            let mut hex = format!("{n:x}");
            if hex.len() < 2 {
                hex.insert(0, '0');
            }
            hex::decode(hex).ok()
        })
        .or_else(|| {
            uuid::Uuid::parse_str(secret_key)
                .ok()
                .map(|u| u.as_bytes().to_vec())
        })
        .unwrap_or_else(|| secret_key.chars().map(|c| c as u32 as u8).collect());
    let mut key = [0u8; 32];
    if !bytes.is_empty() {
        for (i, slot) in key.iter_mut().enumerate() {
            *slot = bytes[i % bytes.len()];
        }
    }
    key
}

/// The `encrypted_password` handed to clients: base64(IV || AES-256-CBC(`{"password": pw}`)).
pub fn encrypt_password(secret_key: &str, password: &str) -> String {
    let plaintext = crate::pyjson::restful_bytes(&serde_json::json!({ "password": password }));
    let plaintext = &plaintext[..plaintext.len() - 1]; // without the newline
    let iv: [u8; 16] = rand::random();
    let ciphertext = Encryptor::new(&derive_key(secret_key).into(), &iv.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    let mut out = iv.to_vec();
    out.extend_from_slice(&ciphertext);
    STANDARD.encode(out)
}

/// The password inside an encrypted password, or None when `value` is not one.
pub fn decrypt_password(secret_key: &str, value: &str) -> Option<String> {
    let raw = STANDARD.decode(value).ok()?;
    if raw.len() < 32 || raw.len() % 16 != 0 {
        return None;
    }
    let (iv, ciphertext) = raw.split_at(16);
    let iv: [u8; 16] = iv.try_into().ok()?;
    let plaintext = Decryptor::new(&derive_key(secret_key).into(), &iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&plaintext).ok()?;
    value.get("password")?.as_str().map(str::to_owned)
}

/// The key of the secrets kept to be shown again (robot tokens, app-specific token secrets,
/// OAuth client secrets): `DATABASE_SECRET_KEY`, else `SECRET_KEY`.
fn database_key(app: &App) -> &str {
    app.config
        .database_secret_key
        .as_deref()
        .unwrap_or(&app.secrets.secret_key)
}

/// A secret as it is stored: encrypted under the database key, in the scheme of Quay's
/// encrypted passwords.
pub fn encrypt_stored(app: &App, secret: &str) -> String {
    encrypt_password(database_key(app), secret)
}

/// The secret inside a stored value; None when it is not one the database key can read.
pub fn decrypt_stored(app: &App, stored: &str) -> Option<String> {
    decrypt_password(database_key(app), stored)
}

/// Whether `presented` is the `expected` secret, compared in constant time; an empty secret
/// (one that could not be read) never matches.
pub fn secret_matches(expected: &str, presented: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_password_round_trips() {
        let encrypted = encrypt_password("some-secret", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345");
        assert_eq!(encrypted.len(), 108);
        assert!(encrypted.ends_with('='));
        assert_eq!(
            decrypt_password("some-secret", &encrypted).as_deref(),
            Some("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")
        );
        assert_eq!(decrypt_password("other", &encrypted), None);
        assert_eq!(decrypt_password("some-secret", "password1"), None);
    }

    #[test]
    fn key_derivation_follows_quay() {
        assert_eq!(&derive_key("255")[..2], &[0xff, 0xff]);
        assert_eq!(derive_key("ab")[..4], [b'a', b'b', b'a', b'b']);
    }

    #[test]
    fn generated_passwords() {
        let pw = generate_password();
        assert_eq!(pw.len(), 32);
        assert!(pw
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert!(is_valid_password(&pw));
        assert!(!is_valid_password("short"));
        assert!(!is_valid_password("has space in it"));
    }
}
