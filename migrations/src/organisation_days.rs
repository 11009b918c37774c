//! The organisation's days in SQL (migration 017): a table of the UTC offsets of the
//! organisation's time zone, and the expression that turns a stored instant into the
//! organisation's calendar day with it.
//!
//! Neither backend can be asked for a day in a named zone the same way: SQLite knows no time
//! zones at all, and PostgreSQL's own zone database need not agree with the one the application
//! counts "today" and a day's bounds with (chrono-tz). So the application writes the offsets of
//! its zone into [`OFFSETS_TABLE`], one row per change of offset (daylight saving, a changed
//! standard time), and SQL adds the offset in force at an instant before it takes the date. The
//! rollup views read the table, so a rollup's day is the day a report's `from`/`to` mean.
//!
//! The table is the zone the stored rollups are counted in. The server replaces it, and sums the
//! rollups again, when it starts with another zone (or a chrono-tz with other rules for it):
//! `crm_persistence::Db::migrate`.

use chrono::{DateTime, Offset, TimeZone};

use crate::sales_rollups::Dialect;

/// The offsets of the organisation's zone: `time_zone` (its IANA name, the same in every row),
/// `starts_at` (Unix seconds from which `offset_seconds` applies, until the next row's).
pub const OFFSETS_TABLE: &str = "organisation_utc_offsets";

/// The zone migration 017 counts days in: the server's default `CRM_TIME_ZONE`. A server
/// configured with another zone replaces it when it starts.
pub const DEFAULT_TIME_ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// From this instant (Unix seconds) on, `offset_seconds` are added to UTC to give the
/// organisation's local time, until the next offset starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset {
    pub starts_at: i64,
    pub offset_seconds: i32,
}

/// 1900-01-01T00:00:00Z and 2200-01-01T00:00:00Z: the dates a client may send lie between them.
const SCAN_FROM: i64 = -2_208_988_800;
const SCAN_TO: i64 = 7_258_118_400;

/// How far apart the zone is sampled: an offset that lasts less than this is not seen (offsets
/// last months; a change within a step is found to the second).
const SCAN_STEP: i64 = 6 * 3_600;

/// Every offset `time_zone` has had between 1900 and 2200, in order, each from the second it
/// began; the first also covers all time before.
pub fn utc_offsets(time_zone: chrono_tz::Tz) -> Vec<UtcOffset> {
    let offset_at = |at: i64| {
        DateTime::from_timestamp(at, 0).map(|t| time_zone.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc()).unwrap_or(0)
    };
    let mut offsets = vec![UtcOffset { starts_at: i64::MIN, offset_seconds: offset_at(SCAN_FROM) }];
    let mut at = SCAN_FROM;
    let mut current = offset_at(at);
    while at < SCAN_TO {
        let next = at + SCAN_STEP;
        if offset_at(next) == current {
            at = next;
            continue;
        }
        // the first second after `at` whose offset is another
        let (mut same, mut changed) = (at, next);
        while changed - same > 1 {
            let middle = same + (changed - same) / 2;
            if offset_at(middle) == current { same = middle } else { changed = middle }
        }
        current = offset_at(changed);
        offsets.push(UtcOffset { starts_at: changed, offset_seconds: current });
        at = changed;
    }
    offsets
}

/// The table of offsets.
pub fn create_table_statement() -> String {
    format!(
        "CREATE TABLE {OFFSETS_TABLE} (starts_at BIGINT NOT NULL PRIMARY KEY, offset_seconds INTEGER NOT NULL, \
         time_zone VARCHAR(64) NOT NULL)"
    )
}

/// Replaces the stored offsets with those of `time_zone`, a few hundred rows per statement.
pub fn replace_statements(time_zone: chrono_tz::Tz) -> Vec<String> {
    let name = time_zone.name().replace('\'', "''");
    let mut statements = vec![format!("DELETE FROM {OFFSETS_TABLE}")];
    for chunk in utc_offsets(time_zone).chunks(500) {
        let rows: Vec<String> = chunk.iter().map(|o| format!("({}, {}, '{name}')", o.starts_at, o.offset_seconds)).collect();
        statements.push(format!("INSERT INTO {OFFSETS_TABLE} (starts_at, offset_seconds, time_zone) VALUES {}", rows.join(", ")));
    }
    statements
}

/// The organisation's calendar day of the instant in `timestamp` (a column or expression): its
/// UTC time plus the offset in force then. Without stored offsets, UTC's day.
pub fn day_of(dialect: Dialect, timestamp: &str) -> String {
    match dialect {
        Dialect::Postgres => format!(
            "CAST((({timestamp}) AT TIME ZONE 'UTC') + COALESCE((SELECT z.offset_seconds FROM {OFFSETS_TABLE} z \
             WHERE z.starts_at <= CAST(FLOOR(EXTRACT(EPOCH FROM {timestamp})) AS BIGINT) ORDER BY z.starts_at DESC LIMIT 1), 0) \
             * INTERVAL '1 second' AS DATE)"
        ),
        Dialect::Sqlite => format!(
            "date({timestamp}, COALESCE((SELECT z.offset_seconds FROM {OFFSETS_TABLE} z \
             WHERE z.starts_at <= CAST(strftime('%s', {timestamp}) AS INTEGER) ORDER BY z.starts_at DESC LIMIT 1), 0) || ' seconds')"
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn unix(text: &str) -> i64 {
        text.parse::<DateTime<chrono::Utc>>().unwrap().timestamp()
    }

    #[test]
    fn shanghai_has_been_utc_plus_8_since_1991_with_summer_time_before() {
        let offsets = utc_offsets(chrono_tz::Asia::Shanghai);
        let last = offsets.last().unwrap();
        // summer time ended on 1991-09-15 at 02:00 local daylight time (18:00 UTC the day before)
        assert_eq!(*last, UtcOffset { starts_at: unix("1991-09-14T17:00:00Z"), offset_seconds: 8 * 3_600 });
        assert!(offsets.iter().any(|o| o.offset_seconds == 9 * 3_600), "summer time of 1986-1991");
        assert!(offsets.windows(2).all(|pair| pair[0].starts_at < pair[1].starts_at && pair[0].offset_seconds != pair[1].offset_seconds));
    }

    #[test]
    fn every_offset_is_the_one_chrono_tz_gives_at_that_instant() {
        for zone in [chrono_tz::Asia::Shanghai, chrono_tz::Europe::Berlin, chrono_tz::America::Santiago, chrono_tz::Asia::Kolkata] {
            let offsets = utc_offsets(zone);
            let mut at = SCAN_FROM;
            while at < SCAN_TO {
                let expected = zone.offset_from_utc_datetime(&DateTime::from_timestamp(at, 0).unwrap().naive_utc()).fix().local_minus_utc();
                let stored = offsets.iter().rev().find(|o| o.starts_at <= at).unwrap().offset_seconds;
                assert_eq!(stored, expected, "{zone} at {at}");
                at += 3_607 * 7;
            }
            for pair in offsets.windows(2) {
                let before = zone.offset_from_utc_datetime(&DateTime::from_timestamp(pair[1].starts_at - 1, 0).unwrap().naive_utc());
                assert_eq!(before.fix().local_minus_utc(), pair[0].offset_seconds, "{zone}: a change starts at its first second");
            }
        }
        assert_eq!(utc_offsets(chrono_tz::UTC), vec![UtcOffset { starts_at: i64::MIN, offset_seconds: 0 }]);
    }

    #[test]
    fn a_zone_is_stored_as_one_row_per_offset_in_a_few_statements() {
        let statements = replace_statements(chrono_tz::Europe::Berlin);
        assert_eq!(statements[0], format!("DELETE FROM {OFFSETS_TABLE}"));
        assert!(statements[1].contains("'Europe/Berlin')"));
        // Berlin changes twice a year until 2100, the last year chrono-tz lists changes for
        let rows = utc_offsets(chrono_tz::Europe::Berlin).len();
        assert!(rows > 200, "{rows} offsets");
        assert_eq!(statements.len(), 1 + rows.div_ceil(500));
        assert_eq!(statements[1..].iter().map(|s| s.matches("'Europe/Berlin')").count()).sum::<usize>(), rows);
    }
}
