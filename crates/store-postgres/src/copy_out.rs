//! Bulk reads through `COPY (query) TO STDOUT (FORMAT binary)`: the rows of a query as one
//! buffer, read back field by field here.
//!
//! A full pass over a million customers spends most of its client time taking rows apart
//! one by one through the driver (a stream item, a column-name lookup and a decode per
//! value). A binary copy comes as one byte stream in the same wire encodings, and reading
//! it is a few comparisons per value. `COPY` takes no bind parameters, so a statement is
//! built with [`int_literal`] and [`time_literal`], which only ever print numbers and
//! timestamps: no text from outside reaches it.
//!
//! Format: <https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4>. Every
//! read checks the field's length against its type, so a column whose type changed is an
//! error, never a misread.

use crate::db;
use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use groupcart_core::{Error, Result};
use sqlx::postgres::PgConnection;

/// The binary copy header's fixed signature.
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

/// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
const POSTGRES_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// `n` as an SQL literal.
pub(crate) fn int_literal(n: i64) -> String {
    n.to_string()
}

/// `at` as an SQL `timestamptz` literal, to the microsecond.
pub(crate) fn time_literal(at: DateTime<Utc>) -> String {
    format!(
        "'{}'::timestamptz",
        at.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

/// Runs `query` (a `SELECT` built as the module says) as a binary copy on `conn`; its rows.
pub(crate) async fn copy_rows(conn: &mut PgConnection, query: &str) -> Result<Rows> {
    let statement = format!("COPY ({query}) TO STDOUT (FORMAT binary)");
    let mut stream = conn.copy_out_raw(&statement).await.map_err(db)?;
    let mut data = Vec::new();
    while let Some(chunk) = stream.try_next().await.map_err(db)? {
        data.extend_from_slice(&chunk);
    }
    Rows::new(data)
}

fn malformed(what: &str) -> Error {
    Error::Storage(format!("unreadable binary copy: {what}"))
}

/// The rows of a binary copy, read in order.
pub(crate) struct Rows {
    data: Vec<u8>,
    at: usize,
}

impl Rows {
    /// Checks the header of `data`.
    pub(crate) fn new(data: Vec<u8>) -> Result<Self> {
        let mut rows = Rows { data, at: 0 };
        if rows.take(SIGNATURE.len())? != SIGNATURE {
            return Err(malformed("no signature"));
        }
        let _flags = rows.take(4)?;
        let extension = rows.length()?.unwrap_or(0);
        rows.take(extension)?;
        Ok(rows)
    }

    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.data.len());
        let end = end.ok_or_else(|| malformed("cut short"))?;
        let bytes = &self.data[self.at..end];
        self.at = end;
        Ok(bytes)
    }

    /// A length word: `None` for -1 (a NULL field).
    fn length(&mut self) -> Result<Option<usize>> {
        let n = i32::from_be_bytes(self.take(4)?.try_into().expect("four bytes"));
        match n {
            -1 => Ok(None),
            n => usize::try_from(n)
                .map(Some)
                .map_err(|_| malformed("negative length")),
        }
    }

    /// Starts the next row, which must have `fields` fields; `false` at the end.
    pub(crate) fn next_row(&mut self, fields: usize) -> Result<bool> {
        let count = i16::from_be_bytes(self.take(2)?.try_into().expect("two bytes"));
        if count == -1 {
            return Ok(false);
        }
        if usize::try_from(count).ok() != Some(fields) {
            return Err(malformed(&format!("{count} fields, not {fields}")));
        }
        Ok(true)
    }

    /// The next field's bytes, `None` if NULL; `width` if given is the length it must have.
    fn field(&mut self, width: Option<usize>) -> Result<Option<&[u8]>> {
        let Some(length) = self.length()? else {
            return Ok(None);
        };
        if width.is_some_and(|w| w != length) {
            return Err(malformed(&format!("a field of {length} bytes")));
        }
        self.take(length).map(Some)
    }

    fn required<T>(value: Option<T>) -> Result<T> {
        value.ok_or_else(|| malformed("NULL where a value must be"))
    }

    /// A `bigint`.
    pub(crate) fn int8(&mut self) -> Result<i64> {
        Self::required(self.int8_opt()?)
    }

    pub(crate) fn int8_opt(&mut self) -> Result<Option<i64>> {
        Ok(self
            .field(Some(8))?
            .map(|b| i64::from_be_bytes(b.try_into().expect("eight bytes"))))
    }

    /// An `integer`.
    pub(crate) fn int4(&mut self) -> Result<i32> {
        let bytes = Self::required(self.field(Some(4))?)?;
        Ok(i32::from_be_bytes(bytes.try_into().expect("four bytes")))
    }

    /// A `smallint`, or NULL.
    pub(crate) fn int2_opt(&mut self) -> Result<Option<i16>> {
        Ok(self
            .field(Some(2))?
            .map(|b| i16::from_be_bytes(b.try_into().expect("two bytes"))))
    }

    /// A `timestamptz`.
    pub(crate) fn time(&mut self) -> Result<DateTime<Utc>> {
        Self::required(self.time_opt()?)
    }

    pub(crate) fn time_opt(&mut self) -> Result<Option<DateTime<Utc>>> {
        let Some(micros) = self.int8_opt()? else {
            return Ok(None);
        };
        micros
            .checked_add(POSTGRES_EPOCH_MICROS)
            .and_then(DateTime::from_timestamp_micros)
            .map(Some)
            .ok_or_else(|| malformed("a time out of range (infinity?)"))
    }

    /// A `text`.
    pub(crate) fn text(&mut self) -> Result<String> {
        Self::required(self.text_opt()?)
    }

    pub(crate) fn text_opt(&mut self) -> Result<Option<String>> {
        self.field(None)?
            .map(|bytes| {
                String::from_utf8(bytes.to_vec()).map_err(|_| malformed("text that is not UTF-8"))
            })
            .transpose()
    }

    /// A `boolean`.
    pub(crate) fn boolean(&mut self) -> Result<bool> {
        let bytes = Self::required(self.field(Some(1))?)?;
        Ok(bytes[0] != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn header() -> Vec<u8> {
        let mut data = SIGNATURE.to_vec();
        data.extend(0i32.to_be_bytes());
        data.extend(0i32.to_be_bytes());
        data
    }

    fn field(data: &mut Vec<u8>, bytes: &[u8]) {
        data.extend(i32::try_from(bytes.len()).unwrap().to_be_bytes());
        data.extend(bytes);
    }

    #[test]
    fn reads_each_type_and_nulls_in_order() {
        let mut data = header();
        data.extend(7i16.to_be_bytes());
        field(&mut data, &(-7i64).to_be_bytes());
        field(&mut data, &42i32.to_be_bytes());
        data.extend((-1i32).to_be_bytes());
        // 2000-01-02 00:00:01 UTC.
        field(&mut data, &86_401_000_000i64.to_be_bytes());
        field(&mut data, "añil".as_bytes());
        data.extend((-1i32).to_be_bytes());
        field(&mut data, &[1]);
        data.extend((-1i16).to_be_bytes());
        let mut rows = Rows::new(data).unwrap();
        assert!(rows.next_row(7).unwrap());
        assert_eq!(rows.int8().unwrap(), -7);
        assert_eq!(rows.int4().unwrap(), 42);
        assert_eq!(rows.int2_opt().unwrap(), None);
        assert_eq!(
            rows.time().unwrap(),
            Utc.with_ymd_and_hms(2000, 1, 2, 0, 0, 1).unwrap()
        );
        assert_eq!(rows.text().unwrap(), "añil");
        assert_eq!(rows.text_opt().unwrap(), None);
        assert!(rows.boolean().unwrap());
        assert!(!rows.next_row(7).unwrap());
    }

    #[test]
    fn a_wrong_shape_is_an_error_not_a_misread() {
        let mut data = header();
        data.extend(1i16.to_be_bytes());
        field(&mut data, &3i32.to_be_bytes());
        // A four-byte integer read as a bigint.
        let mut rows = Rows::new(data.clone()).unwrap();
        assert!(rows.next_row(1).unwrap());
        assert!(rows.int8().is_err());
        // A row of another width.
        let mut rows = Rows::new(data.clone()).unwrap();
        assert!(rows.next_row(2).is_err());
        // Cut off before the trailer.
        let mut rows = Rows::new(data).unwrap();
        assert!(rows.next_row(1).unwrap());
        assert_eq!(rows.int4().unwrap(), 3);
        assert!(rows.next_row(1).is_err());
        assert!(Rows::new(b"PGCOPY".to_vec()).is_err());
    }

    #[test]
    fn literals_are_only_numbers_and_times() {
        assert_eq!(int_literal(-12), "-12");
        let at = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap();
        assert_eq!(
            time_literal(at + chrono::Duration::microseconds(7)),
            "'2026-03-29T01:30:00.000007Z'::timestamptz"
        );
    }
}
