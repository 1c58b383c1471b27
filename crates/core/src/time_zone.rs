//! Time zones: which are valid, the usual zone of a country, and the UTC instant of a
//! local wall-clock time (what "10:00 in each recipient's time zone" means).

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Whether `name` is an IANA time zone (`Asia/Jakarta`, `UTC`).
pub fn is_valid(name: &str) -> bool {
    name.parse::<Tz>().is_ok()
}

/// The zone most of a country's people live in, for the markets sellers reach; `None`
/// for a country not listed (the shop's default then applies). Countries spanning several
/// zones get their most populous one.
pub fn of_country(country: &str) -> Option<&'static str> {
    let zone = match country {
        // East and Southeast Asia
        "CN" => "Asia/Shanghai",
        "HK" => "Asia/Hong_Kong",
        "MO" => "Asia/Macau",
        "TW" => "Asia/Taipei",
        "JP" => "Asia/Tokyo",
        "KR" => "Asia/Seoul",
        "SG" => "Asia/Singapore",
        "MY" => "Asia/Kuala_Lumpur",
        "ID" => "Asia/Jakarta",
        "TH" => "Asia/Bangkok",
        "VN" => "Asia/Ho_Chi_Minh",
        "PH" => "Asia/Manila",
        "KH" => "Asia/Phnom_Penh",
        "MM" => "Asia/Yangon",
        "LA" => "Asia/Vientiane",
        "BN" => "Asia/Brunei",
        // South and Central Asia
        "IN" => "Asia/Kolkata",
        "PK" => "Asia/Karachi",
        "BD" => "Asia/Dhaka",
        "LK" => "Asia/Colombo",
        "NP" => "Asia/Kathmandu",
        "KZ" => "Asia/Almaty",
        "UZ" => "Asia/Tashkent",
        // Middle East and Africa
        "AE" => "Asia/Dubai",
        "SA" => "Asia/Riyadh",
        "QA" => "Asia/Qatar",
        "KW" => "Asia/Kuwait",
        "BH" => "Asia/Bahrain",
        "OM" => "Asia/Muscat",
        "IL" => "Asia/Jerusalem",
        "JO" => "Asia/Amman",
        "IQ" => "Asia/Baghdad",
        "IR" => "Asia/Tehran",
        "TR" => "Europe/Istanbul",
        "EG" => "Africa/Cairo",
        "MA" => "Africa/Casablanca",
        "NG" => "Africa/Lagos",
        "KE" => "Africa/Nairobi",
        "ZA" => "Africa/Johannesburg",
        // Europe
        "GB" => "Europe/London",
        "IE" => "Europe/Dublin",
        "PT" => "Europe/Lisbon",
        "ES" => "Europe/Madrid",
        "FR" => "Europe/Paris",
        "DE" => "Europe/Berlin",
        "IT" => "Europe/Rome",
        "NL" => "Europe/Amsterdam",
        "BE" => "Europe/Brussels",
        "CH" => "Europe/Zurich",
        "AT" => "Europe/Vienna",
        "PL" => "Europe/Warsaw",
        "CZ" => "Europe/Prague",
        "SE" => "Europe/Stockholm",
        "NO" => "Europe/Oslo",
        "DK" => "Europe/Copenhagen",
        "FI" => "Europe/Helsinki",
        "GR" => "Europe/Athens",
        "RO" => "Europe/Bucharest",
        "HU" => "Europe/Budapest",
        "UA" => "Europe/Kyiv",
        "RU" => "Europe/Moscow",
        "BY" => "Europe/Minsk",
        // The Americas
        "US" => "America/New_York",
        "CA" => "America/Toronto",
        "MX" => "America/Mexico_City",
        "BR" => "America/Sao_Paulo",
        "AR" => "America/Argentina/Buenos_Aires",
        "CL" => "America/Santiago",
        "CO" => "America/Bogota",
        "PE" => "America/Lima",
        "VE" => "America/Caracas",
        "EC" => "America/Guayaquil",
        "UY" => "America/Montevideo",
        "PY" => "America/Asuncion",
        "BO" => "America/La_Paz",
        "CR" => "America/Costa_Rica",
        "PA" => "America/Panama",
        "DO" => "America/Santo_Domingo",
        "GT" => "America/Guatemala",
        // Oceania
        "AU" => "Australia/Sydney",
        "NZ" => "Pacific/Auckland",
        _ => return None,
    };
    Some(zone)
}

/// The UTC instant at which clocks in `zone` show `local`. A time skipped by a daylight
/// saving change is taken as the same time an hour later; a time that happens twice, as
/// its first occurrence. An unknown zone is taken as UTC.
pub fn local_to_utc(local: NaiveDateTime, zone: &str) -> DateTime<Utc> {
    match zone.parse::<Tz>() {
        Ok(tz) => local_to_utc_in(local, tz),
        Err(_) => Utc.from_utc_datetime(&local),
    }
}

/// [`local_to_utc`] for a parsed zone.
pub fn local_to_utc_in(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => match tz.from_local_datetime(&(local + chrono::Duration::hours(1))) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            LocalResult::None => Utc.from_utc_datetime(&local),
        },
    }
}

/// The first instant at or after `now` at which clocks in `zone` show the time of day of
/// `local`, on `local`'s date or a later one: "the same local time, a day or more later",
/// in calendar days of the zone (23 or 25 hours across a daylight saving change).
pub fn same_local_time_from(local: NaiveDateTime, zone: &str, now: DateTime<Utc>) -> DateTime<Utc> {
    let first = local_to_utc(local, zone);
    // Start a day short of the estimate: a calendar day is 23 to 25 hours.
    let mut days = ((now - first).num_days() - 1).max(0);
    loop {
        let at = local_to_utc(local + chrono::Duration::days(days), zone);
        if at >= now {
            return at;
        }
        days += 1;
    }
}

/// The calendar date in `zone` at `at` (an unknown zone is taken as UTC).
pub fn local_date(at: DateTime<Utc>, zone: &str) -> chrono::NaiveDate {
    match zone.parse::<Tz>() {
        Ok(tz) => at.with_timezone(&tz).date_naive(),
        Err(_) => at.date_naive(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn ten_in_the_morning_is_a_different_instant_in_each_zone() {
        let ten = local(2026, 12, 1, 10, 0);
        assert_eq!(
            local_to_utc(ten, "Asia/Tokyo"),
            Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap()
        );
        assert_eq!(
            local_to_utc(ten, "Europe/Madrid"),
            Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
        );
        assert_eq!(
            local_to_utc(ten, "America/Sao_Paulo"),
            Utc.with_ymd_and_hms(2026, 12, 1, 13, 0, 0).unwrap()
        );
        assert_eq!(
            local_to_utc(ten, "nowhere"),
            Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap()
        );
    }

    #[test]
    fn daylight_saving_gaps_and_repeats_resolve_to_one_instant() {
        // 02:30 does not exist in Madrid on 2026-03-29; it is taken as 03:30 CEST.
        assert_eq!(
            local_to_utc(local(2026, 3, 29, 2, 30), "Europe/Madrid"),
            Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap()
        );
        // 02:30 happens twice on 2026-10-25; the first (CEST) is taken.
        assert_eq!(
            local_to_utc(local(2026, 10, 25, 2, 30), "Europe/Madrid"),
            Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap()
        );
    }

    #[test]
    fn the_same_local_time_later_keeps_the_wall_clock_across_daylight_saving() {
        let ten = local(2026, 3, 28, 10, 0);
        // Not yet past: it stays.
        let before = Utc.with_ymd_and_hms(2026, 3, 28, 8, 0, 0).unwrap();
        assert_eq!(
            same_local_time_from(ten, "Europe/Madrid", before),
            local_to_utc(ten, "Europe/Madrid")
        );
        // Past: 10:00 the next day is 08:00 UTC in summer time, 23 hours after 09:00 UTC.
        let after = Utc.with_ymd_and_hms(2026, 3, 28, 9, 30, 0).unwrap();
        assert_eq!(
            same_local_time_from(ten, "Europe/Madrid", after),
            Utc.with_ymd_and_hms(2026, 3, 29, 8, 0, 0).unwrap()
        );
        // Days later, and exactly at the time.
        let exactly = Utc.with_ymd_and_hms(2026, 4, 2, 8, 0, 0).unwrap();
        assert_eq!(same_local_time_from(ten, "Europe/Madrid", exactly), exactly);
        // Back to winter time in New York: 10:00 is 15:00 UTC again.
        let autumn = local(2026, 10, 31, 10, 0);
        let later = Utc.with_ymd_and_hms(2026, 10, 31, 20, 0, 0).unwrap();
        assert_eq!(
            same_local_time_from(autumn, "America/New_York", later),
            Utc.with_ymd_and_hms(2026, 11, 1, 15, 0, 0).unwrap()
        );
    }

    #[test]
    fn every_country_zone_is_valid() {
        for c in b'A'..=b'Z' {
            for d in b'A'..=b'Z' {
                let code = format!("{}{}", c as char, d as char);
                if let Some(zone) = of_country(&code) {
                    assert!(is_valid(zone), "{code} -> {zone}");
                }
            }
        }
        assert!(!is_valid("Mars/Olympus"));
    }
}
