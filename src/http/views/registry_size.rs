//! The registry size answer (superuser-api.md §8.1).

use serde::Serialize;

use crate::registry_size::RegistrySize;

/// Quay lists `running` before `queued` only in its answer for a registry never measured.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum RegistrySizeView {
    Never {
        size_bytes: i64,
        last_ran: Option<i64>,
        running: bool,
        queued: bool,
    },
    Known {
        size_bytes: i64,
        last_ran: Option<i64>,
        queued: bool,
        running: bool,
    },
}

impl RegistrySizeView {
    pub fn new(state: Option<RegistrySize>) -> RegistrySizeView {
        match state {
            None => RegistrySizeView::Never {
                size_bytes: 0,
                last_ran: None,
                running: false,
                queued: false,
            },
            Some(s) => RegistrySizeView::Known {
                size_bytes: s.size_bytes,
                last_ran: s.last_ran,
                queued: s.queued,
                running: s.running,
            },
        }
    }
}
