//! Timestamps as Persona writes them (`2023-09-22T17:13:49.000Z`), computed from
//! milliseconds since the epoch without reading a clock.

/// Format milliseconds since the Unix epoch as ISO-8601 UTC with milliseconds.
pub fn format_millis(millis: i64) -> String {
    let seconds = millis.div_euclid(1000);
    let ms = millis.rem_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let secs_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        secs_of_day / 3600,
        secs_of_day % 3600 / 60,
        secs_of_day % 60
    )
}

/// Parse `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.fff]Z` into milliseconds since the epoch.
pub fn parse_millis(text: &str) -> Option<i64> {
    let date = text.get(0..10)?;
    crate::validate::date(date).ok()?;
    let year: i64 = date[0..4].parse().ok()?;
    let month: u32 = date[5..7].parse().ok()?;
    let day: u32 = date[8..10].parse().ok()?;
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(millis);
    }
    let rest = rest.strip_prefix('T')?.strip_suffix('Z')?;
    let (hms, fraction) = rest.split_once('.').unwrap_or((rest, "0"));
    let mut parts = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some()
        || h > 23
        || m > 59
        || s > 60
        || fraction.is_empty()
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let ms: i64 = format!("{fraction:0<3}")[..3].parse().ok()?;
    millis += ((h * 60 + m) * 60 + s) * 1000 + ms;
    Some(millis)
}

// Howard Hinnant's civil-calendar algorithms.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_instants() {
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_millis(1_695_402_829_000), "2023-09-22T17:13:49.000Z");
        assert_eq!(
            parse_millis("2023-09-22T17:13:49.000Z"),
            Some(1_695_402_829_000)
        );
        assert_eq!(parse_millis("2023-09-22"), Some(1_695_340_800_000));
        assert_eq!(parse_millis("2023-09-22T25:00:00Z"), None);
        assert_eq!(parse_millis("yesterday"), None);
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(ms in 0i64..4_102_444_800_000) {
            prop_assert_eq!(parse_millis(&format_millis(ms)), Some(ms));
        }
    }
}
