//! `next_page` tokens: Fernet-encrypted JSON under `PAGE_TOKEN_KEY`, valid for two days
//! (superuser-api.md §7.4). Invalid or expired tokens mean "first page".

use serde::{Deserialize, Serialize};

const TTL_SECONDS: u64 = 2 * 86_400;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PageToken {
    pub start_index: serde_json::Value,
    pub page_number: i64,
    pub is_datetime: bool,
    pub offset_val: i64,
}

impl PageToken {
    /// The token of an id-ordered list whose next page starts at `start_id`.
    pub fn for_id(start_id: i64, page_number: i64) -> PageToken {
        PageToken {
            start_index: start_id.into(),
            page_number,
            is_datetime: false,
            offset_val: 0,
        }
    }

    pub fn start_id(&self) -> Option<i64> {
        (!self.is_datetime)
            .then(|| self.start_index.as_i64())
            .flatten()
    }
}

pub fn encode(fernet: &fernet::Fernet, token: &PageToken) -> String {
    fernet.encrypt(serde_json::to_string(token).expect("plain data").as_bytes())
}

pub fn decode(fernet: &fernet::Fernet, text: &str) -> Option<PageToken> {
    let plain = fernet.decrypt_with_ttl(text, TTL_SECONDS).ok()?;
    serde_json::from_slice(&plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage() {
        let fernet = fernet::Fernet::new(&fernet::Fernet::generate_key()).unwrap();
        let text = encode(&fernet, &PageToken::for_id(42, 1));
        assert!(text.starts_with("gAAAAA"));
        assert_eq!(decode(&fernet, &text).unwrap().start_id(), Some(42));
        assert_eq!(decode(&fernet, "garbage"), None);
    }
}
