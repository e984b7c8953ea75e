//! Content digests (core-api.md §2.1): `<algorithm>:<hex>`; only SHA-256 content is stored.

use std::fmt;

use sha2::{Digest as _, Sha256};

/// A SHA-256 digest, `sha256:` followed by 64 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    hex: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("invalid digest: {0}")]
    Malformed(String),
    #[error("unsupported digest algorithm: {0}")]
    UnsupportedAlgorithm(String),
}

impl Digest {
    pub fn parse(text: &str) -> Result<Digest, DigestError> {
        let malformed = || DigestError::Malformed(text.to_owned());
        let (algorithm, hex) = text.split_once(':').ok_or_else(malformed)?;
        let algorithm_ok = !algorithm.is_empty()
            && algorithm
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+.-".contains(c));
        if !algorithm_ok || hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(malformed());
        }
        if algorithm != "sha256" {
            return Err(DigestError::UnsupportedAlgorithm(algorithm.to_owned()));
        }
        if hex.len() != 64 || hex.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(malformed());
        }
        Ok(Digest {
            hex: hex.to_owned(),
        })
    }

    /// The digest of a finished hash.
    pub fn from_hasher(hasher: Sha256) -> Digest {
        Digest {
            hex: hex::encode(hasher.finalize()),
        }
    }

    pub fn of_bytes(bytes: &[u8]) -> Digest {
        Digest {
            hex: hex::encode(Sha256::digest(bytes)),
        }
    }

    pub fn hex(&self) -> &str {
        &self.hex
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn parsing() {
        let digest = Digest::parse(EMPTY).unwrap();
        assert_eq!(digest.to_string(), EMPTY);
        assert_eq!(digest, Digest::of_bytes(b""));
        assert_eq!(Digest::from_hasher(Sha256::new()), digest);
        assert!(matches!(
            Digest::parse("sha512:abcd"),
            Err(DigestError::UnsupportedAlgorithm(_))
        ));
        let uppercase = EMPTY.replace('e', "E");
        for bad in [
            "",
            "sha256",
            "sha256:",
            "sha256:xyz",
            "sha256:abcd",
            ":abcd",
            &uppercase,
        ] {
            assert!(
                matches!(Digest::parse(bad), Err(DigestError::Malformed(_))),
                "{bad}"
            );
        }
    }
}
