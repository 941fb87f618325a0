//! Dates as the model and the policy language hold them: milliseconds since
//! 1970-01-01T00:00:00Z (UTC), read from ISO 8601 (`2026-01-01`, `2026-01-01T08:30:00Z`, with
//! or without an offset; without one, UTC) or .NET JSON's `/Date(ms)/`. Calendar arithmetic
//! is the `time` crate's.

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The instant `text` names, in milliseconds since the Unix epoch; None when it is not a date.
pub fn parse(text: &str) -> Option<i64> {
    let s = text.trim();
    if let Some(inner) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        // `/Date(1700000000000+0100)/`: the offset does not move the instant.
        let digits = inner.trim_start_matches('-');
        let end = digits.find(['+', '-']).unwrap_or(digits.len());
        let ms: i64 = digits.get(..end)?.parse().ok()?;
        return Some(if inner.starts_with('-') { -ms } else { ms });
    }
    // The form Graph and Defender for Endpoint write (`2026-02-11T10:02:31Z`), by the
    // crate's faster RFC 3339 parser: on it, both give the same instant (a leap second, which
    // they may take differently, is left to ISO 8601).
    let b = s.as_bytes();
    if b.len() == 20
        && b.get(10) == Some(&b'T')
        && b.get(19) == Some(&b'Z')
        && b.get(17) != Some(&b'6')
    {
        let rfc = time::format_description::well_known::Rfc3339;
        if let Ok(t) = time::OffsetDateTime::parse(s, &rfc) {
            return i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok();
        }
    }
    // RFC 3339 lets a space stand between the date and the time (section 5.6, NOTE):
    // `2026-08-04 23:30:00Z` is read as `2026-08-04T23:30:00Z`.
    if b.get(10) == Some(&b' ') && b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') {
        let (date, time) = (s.get(..10)?, s.get(11..)?);
        return parse(&format!("{date}T{time}"));
    }
    let iso = time::format_description::well_known::Iso8601::DEFAULT;
    let t = time::OffsetDateTime::parse(s, &iso)
        .or_else(|_| time::PrimitiveDateTime::parse(s, &iso).map(|p| p.assume_utc()))
        .or_else(|_| time::Date::parse(s, &iso).map(|d| d.midnight().assume_utc()))
        .ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Why `text` is not a date that [`parse`] reads, for messages: a month or a day the calendar
/// does not have (`2026-02-30`: "February 2026 has 28 days"), else the forms it reads.
pub fn why_not(text: &str) -> String {
    let s = text.trim();
    let number = |at: std::ops::Range<usize>| {
        s.get(at)
            .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse::<u16>().ok())
    };
    let dashes = s.get(4..5) == Some("-") && s.get(7..8) == Some("-");
    if let (true, Some(year), Some(month), Some(day)) =
        (dashes, number(0..4), number(5..7), number(8..10))
    {
        let Some(month) = u8::try_from(month)
            .ok()
            .and_then(|m| time::Month::try_from(m).ok())
        else {
            return format!("there is no month {month}");
        };
        let days = time::util::days_in_month(month, i32::from(year));
        if day == 0 || day > u16::from(days) {
            return format!("{month} {year} has {days} days");
        }
    }
    "not an ISO 8601 date such as `2026-01-01` or `2026-01-01T08:00:00Z`".to_string()
}

/// Midnight UTC of `date`, in milliseconds since the Unix epoch.
pub fn midnight(date: time::Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp() * 1000
}

/// Whole days from `a` to `b` (negative when `b` is earlier), counted between their UTC
/// calendar dates.
pub fn days_between(a: i64, b: i64) -> i64 {
    b.div_euclid(DAY_MS) - a.div_euclid(DAY_MS)
}

/// The Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// Milliseconds since 1970-01-01T00:00:00Z written as ISO 8601 in UTC, to the second
/// (`2026-03-02T09:14:00Z`); beyond the calendar's range (±9999 years), the raw count.
pub fn iso(ms: i64) -> String {
    let date = i32::try_from(ms.div_euclid(86_400_000))
        .ok()
        .and_then(|d| d.checked_add(UNIX_EPOCH_JULIAN_DAY))
        .and_then(|d| time::Date::from_julian_day(d).ok());
    let secs = ms.rem_euclid(86_400_000) / 1000;
    match date {
        Some(d) => format!(
            "{d}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        ),
        None => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let ms = Some(1_700_000_000_000);
        for s in [
            "/Date(1700000000000)/",
            "2023-11-14T22:13:20Z",
            "2023-11-14T22:13:20.000+00:00",
            "2023-11-14T22:13:20",
        ] {
            assert_eq!(parse(s), ms, "{s}");
        }
        assert_eq!(parse("2026-01-01"), Some(20_454 * DAY_MS));
        // The common form takes the RFC 3339 parser: the same instants as ISO 8601's.
        let iso = time::format_description::well_known::Iso8601::DEFAULT;
        for s in [
            "2026-02-11T10:02:31Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2023-02-29T10:00:00Z",
            "2026-12-31T23:59:60Z",
            "2026-02-11T25:02:31Z",
            "2026-02-11T10:02:3aZ",
        ] {
            let slow = time::OffsetDateTime::parse(s, &iso)
                .ok()
                .and_then(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok());
            assert_eq!(parse(s), slow, "{s}");
        }
        // RFC 3339's space for `T`, with or without an offset.
        assert_eq!(parse("2023-11-14 22:13:20Z"), ms);
        assert_eq!(parse("2023-11-14 23:13:20+01:00"), ms);
        assert_eq!(parse("2023-11-14 22:13:20"), ms);
        assert_eq!(parse("2023-11-14  22:13:20Z"), None);
        assert_eq!(parse("8/4/2026 11:30:00 PM"), None);
        assert_eq!(parse("2026-13-01"), None);
        assert_eq!(parse("soon"), None);
    }

    #[test]
    fn why_a_text_is_no_date() {
        assert_eq!(why_not("2026-02-30"), "February 2026 has 28 days");
        assert_eq!(why_not("2024-02-30T10:00:00Z"), "February 2024 has 29 days");
        assert_eq!(why_not("2026-13-01"), "there is no month 13");
        assert!(why_not("soon").starts_with("not an ISO 8601 date"));
    }

    #[test]
    fn days() {
        let jan1 = parse("2026-01-01").unwrap_or_default();
        let mar1 = parse("2026-03-01T23:59:00Z").unwrap_or_default();
        assert_eq!(days_between(jan1, mar1), 59);
        assert_eq!(days_between(mar1, jan1), -59);
    }
}
