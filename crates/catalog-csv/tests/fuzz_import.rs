//! Fuzz target: the catalog CSV importer, which reads files sellers upload.
//!
//! Inputs are arbitrary bytes and the valid example files (the Shopify export fixture,
//! the malformed fixture, a synthetic catalog) mutated as CSV (cells replaced by awkward
//! values, cells, rows and columns dropped, duplicated or swapped, headers renamed) and
//! then as bytes (truncated, bytes inserted). Checked: [`read_products`] never panics;
//! every problem it reports names a line that exists in the data part of the file and a
//! column (by its header name, or its position where the header has none); the product list is empty when not skipping invalid
//! products and there is any problem; returned products pass `NewProduct::validate`.
//!
//! `PROPTEST_CASES` sets the number of cases and `FUZZ_SECONDS` bounds a long run
//! (`scripts/fuzz.sh`); failing inputs are kept in `proptest-regressions/`.

mod common;

use common::{fixture, options};
use groupcart_catalog_csv::{read_products, synthetic_csv, ImportOptions, MAX_ERRORS};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The fuzz cases of a normal test run, per property.
const CASES: u32 = 200;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(CASES),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/fuzz_import.txt"
        )))),
        ..ProptestConfig::default()
    }
}

/// Whether `FUZZ_SECONDS` (no limit if unset) have passed since the target's first case;
/// the remaining cases then pass without work, so a long run ends on time.
fn out_of_time(start: &OnceLock<Instant>) -> bool {
    let start = *start.get_or_init(Instant::now);
    std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .is_some_and(|secs| start.elapsed() > Duration::from_secs(secs))
}

/// What a message may name a column by: the header names groupcart reads, and the
/// descriptions it uses for values spread over several columns.
const COLUMN_NAMES: &[&str] = &[
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Type",
    "Product Category",
    "Tags",
    "Published",
    "Status",
    "Option1",
    "Option2",
    "Option3",
    "Option values",
    "Variant SKU",
    "Variant Grams",
    "Variant Inventory Qty",
    "Variant Price",
    "Variant Compare At Price",
    "Variant Requires Shipping",
    "Variant Image",
    "Image Src",
    "Image Position",
    "Image Alt Text",
    "import language",
];

/// Cell values that tend to upset parsing.
const CELLS: &[&str] = &[
    "",
    " ",
    "0",
    "-1",
    "1e5",
    "19.999",
    "1,299.00",
    "99999999999999999999",
    "9223372036854775807",
    "-9223372036854775808",
    "92233720368547758.07",
    "0.1",
    ".5",
    "5.",
    "+5",
    "NaN",
    "TRUE",
    "FALSE",
    "yes",
    "draft",
    "archived",
    "Default Title",
    "Title",
    "🛒 tee",
    "\u{202E}evil",
    "a\0b",
    "\u{FEFF}Handle",
    "\"",
    "\r\n",
    "a,b",
    "https://cdn.example.com/x.jpg",
    "茶",
    "---",
    "basic-tee",
    "story-tee",
];

/// The example files, as CSV records.
fn examples() -> Vec<Vec<Vec<String>>> {
    let files = [
        fixture("shopify_export.csv"),
        fixture("malformed.csv"),
        synthetic_csv(12).into_bytes(),
    ];
    files
        .iter()
        .map(|bytes| {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(&bytes[..])
                .records()
                .map(|r| r.expect("example CSV").iter().map(str::to_owned).collect())
                .collect()
        })
        .collect()
}

/// Hands out the choices, then zeros.
struct Choices<'a>(&'a [u64], usize);

impl Choices<'_> {
    fn below(&mut self, n: usize) -> usize {
        let value = self.0.get(self.1).copied().unwrap_or(0);
        self.1 += 1;
        if n == 0 {
            0
        } else {
            (value % n as u64) as usize
        }
    }

    fn remaining(&self) -> bool {
        self.1 < self.0.len()
    }
}

/// An example file damaged as the choices say.
fn mutated_csv(choices: &[u64]) -> Vec<u8> {
    static EXAMPLES: OnceLock<Vec<Vec<Vec<String>>>> = OnceLock::new();
    let examples = EXAMPLES.get_or_init(examples);
    let mut c = Choices(choices, 0);
    let mut rows = examples[c.below(examples.len())].clone();
    let mut byte_damage = Vec::new();
    while c.remaining() {
        let r = c.below(rows.len());
        let width = rows.get(r).map_or(0, Vec::len);
        let f = c.below(width);
        match c.below(12) {
            // A cell becomes an awkward value (headers included).
            0..=3 => {
                if let Some(cell) = rows.get_mut(r).and_then(|row| row.get_mut(f)) {
                    *cell = match c.below(4) {
                        0 => CELLS[c.below(CELLS.len())].repeat(1 + c.below(300)),
                        1 => format!("{cell}{}", CELLS[c.below(CELLS.len())]),
                        _ => CELLS[c.below(CELLS.len())].to_owned(),
                    };
                }
            }
            // A cell is dropped, shifting the rest of its row.
            4 => {
                if f < width {
                    rows[r].remove(f);
                }
            }
            // A column is dropped or duplicated in every row.
            5 | 6 => {
                let duplicate = c.below(2) == 0;
                for row in &mut rows {
                    if f < row.len() {
                        if duplicate {
                            let cell = row[f].clone();
                            row.insert(f, cell);
                        } else {
                            row.remove(f);
                        }
                    }
                }
            }
            // A row is dropped, duplicated or moved.
            7 if !rows.is_empty() => {
                rows.remove(r);
            }
            8 if !rows.is_empty() => {
                let row = rows[r].clone();
                rows.insert(c.below(rows.len() + 1), row);
            }
            9 if !rows.is_empty() => {
                let other = c.below(rows.len());
                rows.swap(r, other);
            }
            10 => byte_damage.push((c.below(usize::MAX), c.below(8))),
            _ => {
                // Two cells swap, perhaps across rows.
                let r2 = c.below(rows.len());
                let f2 = c.below(rows.get(r2).map_or(0, Vec::len));
                if f < width && f2 < rows.get(r2).map_or(0, Vec::len) {
                    let a = rows[r][f].clone();
                    let b = std::mem::replace(&mut rows[r2][f2], a);
                    rows[r][f] = b;
                }
            }
        }
    }
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for row in &rows {
        writer.write_record(row).expect("writing to memory");
    }
    let mut bytes = writer.into_inner().expect("writing to memory");
    for (at, kind) in byte_damage {
        let at = at % (bytes.len() + 1);
        let insert: &[u8] = match kind {
            0 => {
                bytes.truncate(at);
                continue;
            }
            1 => b"\xff\xfe",
            2 => b"\"",
            3 => b",",
            4 => b"\r",
            5 => b"\n\n",
            6 => "\u{FEFF}".as_bytes(),
            _ => b"\0",
        };
        bytes.splice(at..at, insert.iter().copied());
    }
    bytes
}

fn read_options() -> impl Strategy<Value = ImportOptions> {
    (
        prop::sample::select(&["USD", "JPY", "BHD", "EUR"][..]),
        any::<bool>(),
    )
        .prop_map(|(currency, skip_invalid)| options(currency, skip_invalid))
}

/// Reads `input` and checks the properties.
fn check(input: &[u8], options: &ImportOptions) -> Result<(), TestCaseError> {
    let Ok(parsed) = read_products(input, options, |_| {}) else {
        return Ok(());
    };
    // The file's own header names, by which the importer names columns it does not read.
    let mut header = csv::ByteRecord::new();
    let _ = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input)
        .read_byte_record(&mut header);
    let header: Vec<String> = header
        .iter()
        .map(|name| String::from_utf8_lossy(name).trim().to_owned())
        .collect();
    // Lines end at `\n`, `\r\n` or a lone `\r`.
    let breaks = input
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' || (b == b'\n' && (i == 0 || input[i - 1] != b'\r')))
        .count();
    let lines = breaks as u64 + 1;
    prop_assert!(parsed.errors.len() <= MAX_ERRORS);
    for error in &parsed.errors {
        prop_assert!(
            (2..=lines).contains(&error.line),
            "line {} outside the data lines 2..={lines}: {error}\nin {:?}",
            error.line,
            String::from_utf8_lossy(input)
        );
        let named = |name: &str| !name.is_empty() && error.message.contains(name);
        prop_assert!(
            COLUMN_NAMES.iter().any(|name| named(name))
                || header.iter().any(|name| named(name))
                || error.message.contains("column "),
            "names no column: {}",
            error
        );
        let prefix = format!("line {}", error.line);
        prop_assert!(error.to_string().starts_with(&prefix), "{}", error);
    }
    if !options.skip_invalid && !parsed.is_clean() {
        prop_assert!(parsed.products.is_empty());
    }
    for product in &parsed.products {
        prop_assert!(product.validate().is_ok(), "invalid product {:?}", product);
    }
    Ok(())
}

#[test]
fn the_examples_are_starting_points() {
    let examples = examples();
    assert_eq!(examples.len(), 3);
    assert!(examples.iter().all(|rows| rows.len() > 5));
    for choices in [&[][..], &[1], &[2]] {
        check(&mutated_csv(choices), &options("USD", true)).expect("example passes");
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_csv_never_panics(
        choices in prop::collection::vec(any::<u64>(), 0..40),
        options in read_options(),
    ) {
        static START: OnceLock<Instant> = OnceLock::new();
        if out_of_time(&START) {
            return Ok(());
        }
        check(&mutated_csv(&choices), &options)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..1024),
        options in read_options(),
    ) {
        static START: OnceLock<Instant> = OnceLock::new();
        if out_of_time(&START) {
            return Ok(());
        }
        check(&bytes, &options)?;
    }

    #[test]
    fn arbitrary_rows_under_a_real_header_never_panic(
        rows in prop::collection::vec(prop::collection::vec(any::<String>(), 0..6), 0..8),
        options in read_options(),
    ) {
        static START: OnceLock<Instant> = OnceLock::new();
        if out_of_time(&START) {
            return Ok(());
        }
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        writer
            .write_record(["Handle", "Title", "Variant Price", "Option1 Name", "Option1 Value", "Variant SKU"])
            .expect("writing to memory");
        for row in rows.iter().filter(|row| !row.is_empty()) {
            writer.write_record(row).expect("writing to memory");
        }
        check(&writer.into_inner().expect("writing to memory"), &options)?;
    }
}
