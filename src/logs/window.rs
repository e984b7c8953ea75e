//! The time window of a log query (superuser-api.md §7.1, Berth's decision 6): dates as
//! `MM/DD/YYYY` (Quay) or ISO-8601, UTC; the end date is inclusive.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

const DAY_MS: i64 = 86_400_000;
/// The longest window the aggregate readers accept.
pub const MAX_AGGREGATE_DAYS: i64 = 31;

/// `[start_ms, end_ms)` in milliseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    pub start_ms: i64,
    pub end_ms: i64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WindowError {
    #[error("Invalid date '{0}': use MM/DD/YYYY or an ISO-8601 date or time")]
    BadDate(String),
    #[error("Invalid date range for logs")]
    BadRange,
}

/// A date or a time: whole days are widened by a day when they end the window.
enum Instant {
    Day(i64),
    Time(i64),
}

fn parse_instant(text: &str) -> Option<Instant> {
    let text = text.trim();
    let day = |date: NaiveDate| {
        Instant::Day(
            date.and_time(chrono::NaiveTime::MIN)
                .and_utc()
                .timestamp_millis(),
        )
    };
    if let Ok(date) = NaiveDate::parse_from_str(text, "%m/%d/%Y") {
        return Some(day(date));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day(date));
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(Instant::Time(time.timestamp_millis()));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Some(Instant::Time(time.and_utc().timestamp_millis()));
        }
    }
    None
}

impl TimeWindow {
    /// Defaults: from a day ago to a day ahead of `now` (Quay adds the inclusive day to "now").
    pub fn parse(
        start: Option<&str>,
        end: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<TimeWindow, WindowError> {
        let read = |text: Option<&str>| -> Result<Option<Instant>, WindowError> {
            match text.filter(|t| !t.trim().is_empty()) {
                None => Ok(None),
                Some(t) => parse_instant(t)
                    .map(Some)
                    .ok_or_else(|| WindowError::BadDate(t.to_owned())),
            }
        };
        let now_ms = now.timestamp_millis();
        let start_ms = match read(start)? {
            Some(Instant::Day(ms) | Instant::Time(ms)) => ms,
            None => (now - Duration::days(1)).timestamp_millis(),
        };
        let end_ms = match read(end)? {
            Some(Instant::Day(ms)) => ms + DAY_MS,
            Some(Instant::Time(ms)) => ms,
            None => now_ms + DAY_MS,
        };
        Ok(TimeWindow { start_ms, end_ms })
    }

    /// The namespace and repository readers refuse a window that ends before it starts.
    pub fn require_ordered(self) -> Result<TimeWindow, WindowError> {
        if self.end_ms < self.start_ms {
            return Err(WindowError::BadRange);
        }
        Ok(self)
    }

    pub fn require_aggregatable(self) -> Result<TimeWindow, WindowError> {
        if self.end_ms - self.start_ms > MAX_AGGREGATE_DAYS * DAY_MS {
            return Err(WindowError::BadRange);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 15, 35, 8).unwrap()
    }

    fn ms(y: i32, m: u32, d: u32) -> i64 {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn quay_dates_make_the_end_inclusive() {
        let w = TimeWindow::parse(Some("11/26/2026"), Some("11/27/2026"), now()).unwrap();
        assert_eq!(
            w,
            TimeWindow {
                start_ms: ms(2026, 11, 26),
                end_ms: ms(2026, 11, 28)
            }
        );
        let w = TimeWindow::parse(Some("2/3/2025"), Some("2025-02-03"), now()).unwrap();
        assert_eq!(
            w,
            TimeWindow {
                start_ms: ms(2025, 2, 3),
                end_ms: ms(2025, 2, 4)
            }
        );
    }

    #[test]
    fn defaults_and_times() {
        let w = TimeWindow::parse(None, None, now()).unwrap();
        assert_eq!(w.end_ms - w.start_ms, 2 * DAY_MS);
        let w = TimeWindow::parse(
            Some("2026-11-27T10:00:00Z"),
            Some("2026-11-27T11:00:00Z"),
            now(),
        )
        .unwrap();
        assert_eq!(w.end_ms - w.start_ms, 3_600_000);
    }

    #[test]
    fn bad_input() {
        assert_eq!(
            TimeWindow::parse(Some("01/01/2024 UTC"), None, now()),
            Err(WindowError::BadDate("01/01/2024 UTC".into()))
        );
        let reversed = TimeWindow::parse(Some("11/27/2026"), Some("11/25/2026"), now()).unwrap();
        assert_eq!(reversed.require_ordered(), Err(WindowError::BadRange));
        let long = TimeWindow::parse(Some("01/01/2025"), Some("03/01/2025"), now()).unwrap();
        assert_eq!(long.require_aggregatable(), Err(WindowError::BadRange));
    }
}
