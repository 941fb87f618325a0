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
    let iso = time::format_description::well_known::Iso8601::DEFAULT;
    let t = time::OffsetDateTime::parse(s, &iso)
        .or_else(|_| time::PrimitiveDateTime::parse(s, &iso).map(|p| p.assume_utc()))
        .or_else(|_| time::Date::parse(s, &iso).map(|d| d.midnight().assume_utc()))
        .ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
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
        assert_eq!(parse("2026-13-01"), None);
        assert_eq!(parse("soon"), None);
    }

    #[test]
    fn days() {
        let jan1 = parse("2026-01-01").unwrap_or_default();
        let mar1 = parse("2026-03-01T23:59:00Z").unwrap_or_default();
        assert_eq!(days_between(jan1, mar1), 59);
        assert_eq!(days_between(mar1, jan1), -59);
    }
}
