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
    /// For log pages: the id of the first entry of the next page, which tells entries of the
    /// same instant apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<i64>,
}

impl PageToken {
    /// The token of an id-ordered list whose next page starts at `start_id`.
    pub fn for_id(start_id: i64, page_number: i64) -> PageToken {
        PageToken {
            start_index: start_id.into(),
            page_number,
            is_datetime: false,
            offset_val: 0,
            entry_id: None,
        }
    }

    pub fn start_id(&self) -> Option<i64> {
        (!self.is_datetime)
            .then(|| self.start_index.as_i64())
            .flatten()
    }

    /// The token of a log page whose next page starts at the entry `(datetime_ms, id)`.
    pub fn for_log_entry(datetime_ms: i64, id: i64, page_number: i64) -> PageToken {
        let iso = chrono::DateTime::from_timestamp_millis(datetime_ms)
            .unwrap_or_default()
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string();
        PageToken {
            start_index: iso.into(),
            page_number,
            is_datetime: true,
            offset_val: 0,
            entry_id: Some(id),
        }
    }

    /// `(datetime_ms, id)` of a log-page token.
    pub fn log_entry(&self) -> Option<(i64, i64)> {
        if !self.is_datetime {
            return None;
        }
        let text = self.start_index.as_str()?;
        let at = chrono::DateTime::parse_from_rfc3339(text)
            .ok()?
            .timestamp_millis();
        Some((at, self.entry_id?))
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
        let log = decode(
            &fernet,
            &encode(&fernet, &PageToken::for_log_entry(1_795_793_702_123, 7, 2)),
        );
        assert_eq!(log.unwrap().log_entry(), Some((1_795_793_702_123, 7)));
    }
}

/// Where an id-ordered page starts, read from an optional `next_page` token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IdCursor {
    pub start_id: i64,
    page_number: i64,
}

impl IdCursor {
    pub fn from_token(fernet: &fernet::Fernet, token: Option<&str>) -> IdCursor {
        let token = token.and_then(|t| decode(fernet, t));
        IdCursor {
            start_id: token.as_ref().and_then(PageToken::start_id).unwrap_or(0),
            page_number: token.map_or(1, |t| t.page_number + 1),
        }
    }

    /// The token of the page starting at id `next`, if there is one.
    pub fn next_token(&self, fernet: &fernet::Fernet, next: Option<i64>) -> Option<String> {
        next.map(|id| encode(fernet, &PageToken::for_id(id, self.page_number)))
    }
}

/// Takes the extra row a page query fetched (`limit + 1` rows) off `rows` and returns its id:
/// where the next page starts. None without a limit or when no row is left.
pub fn split_next<T>(rows: &mut Vec<T>, limit: Option<i64>, id: impl Fn(&T) -> i64) -> Option<i64> {
    match limit {
        Some(limit) if rows.len() as i64 > limit => rows.pop().map(|row| id(&row)),
        _ => None,
    }
}
