//! Reading and writing the catalog in Shopify's product CSV format, so sellers can bring
//! their Shopify export to groupcart and take their catalog back out.
//!
//! This crate owns the format only: it turns CSV text into [`NewProduct`]s, reporting every
//! problem by line and column, and stored
//! [`Product`](groupcart_core::catalog::Product)s back into CSV text. It does no I/O beyond
//! the `Read`/`Write` it is given and knows no database: what [`read_products`] returns has
//! passed [`NewProduct::validate`] and is ready for
//! [`CatalogStore::save_products`](groupcart_core::catalog::CatalogStore::save_products).
//!
//! # Mapping
//!
//! Columns are found by header name (any case, any order, unknown ones ignored, a byte-order
//! mark tolerated); only `Handle` is required. Rows are grouped by `Handle`: the first row of
//! a handle carries the product and its first variant, later rows carry another variant or
//! only an image.
//!
//! | Shopify | groupcart |
//! | --- | --- |
//! | `Handle` | [`NewProduct::handle`], normalized (lower case, other characters → `-`, at most 64) |
//! | `Title`, `Body (HTML)` | one [`LocalizedText`](groupcart_core::catalog::LocalizedText) in [`ImportOptions::language`] |
//! | `Vendor` | `vendor` |
//! | `Type` (else `Product Category`) | `category` |
//! | `Tags` (comma-separated) | `tags` |
//! | `Status` (else `Published` TRUE/FALSE; else active) | `status` |
//! | `Option1..3 Name` / `Value` | `option_names` / `option_values`; `Title` = `Default Title` means no options |
//! | `Variant SKU`, `Variant Grams`, `Variant Inventory Qty`, `Variant Image` | `sku`, `weight_grams`, `stock`, `image` |
//! | `Variant Price`, `Variant Compare At Price` | one [`Price`](groupcart_core::catalog::Price) in [`ImportOptions::currency`] |
//! | `Variant Requires Shipping` FALSE | [`Fulfilment::Digital`](groupcart_core::catalog::Fulfilment) |
//! | `Image Src`, `Image Position`, `Image Alt Text` | `images`, ordered by position |
//!
//! Writing is the same mapping back, one row per variant plus rows for further images, with
//! `Published`, `Status`, `Title` / `Default Title` for products without options, and
//! `Variant Inventory Tracker` `shopify` (so Shopify takes the quantities), `Variant Inventory
//! Policy` `deny`, `Variant Fulfillment Service` `manual`; `Product Category`, Shopify's fixed
//! taxonomy, is left empty.
//!
//! Amounts are exact decimal text in the currency's minor unit ([`Currency::parse_amount`]):
//! `19.99` in USD, `1500` in JPY; `1,299.00` is refused rather than guessed at.

mod columns;
mod read;
mod synthetic;
mod write;

use groupcart_core::catalog::NewProduct;
use groupcart_core::money::Currency;
use std::fmt;

pub use read::{normalize_handle, read_products};
pub use synthetic::synthetic_csv;
pub use write::write_products;

/// Most problems [`read_products`] lists; it counts the rest in [`Parsed::errors_omitted`].
pub const MAX_ERRORS: usize = 1000;

/// How to read a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// The shop currency the file's prices are in.
    pub currency: Currency,
    /// The language tag of `Title` and `Body (HTML)`, e.g. `en`.
    pub language: String,
    /// `true`: import the valid products and leave out the invalid ones. `false`: all or
    /// nothing; [`Parsed::products`] is empty as soon as there is any error.
    pub skip_invalid: bool,
}

/// One problem in the file, where the seller can find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The 1-based physical line the row starts on (the header is line 1; quoted line breaks
    /// inside fields count).
    pub line: u64,
    /// The groupcart handle of the product the row belongs to, when there is one.
    pub handle: Option<String>,
    /// What is wrong, naming the column, e.g. `Variant Price "abc" is not an amount like
    /// 19.99`.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.handle {
            Some(handle) => write!(f, "line {} (handle {handle}): {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// What [`read_products`] made of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Valid products, in the order their handles first appear. With
    /// [`ImportOptions::skip_invalid`] `false`, empty unless `errors` is empty.
    pub products: Vec<NewProduct>,
    /// Every problem, by line, at most [`MAX_ERRORS`].
    pub errors: Vec<RowError>,
    /// Problems found beyond [`MAX_ERRORS`] and not listed.
    pub errors_omitted: u64,
    /// Data rows read (the header not counted).
    pub rows: u64,
}

impl Parsed {
    /// Whether the file had no problem at all.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.errors_omitted == 0
    }
}

/// Why a file could not be read at all (problems within rows are [`RowError`]s instead).
#[derive(Debug)]
pub enum ImportError {
    /// Reading the input failed.
    Io(std::io::Error),
    /// The first row has no `Handle` column: not a Shopify product CSV (or empty).
    MissingHandleColumn,
    /// The CSV reader failed otherwise.
    Csv(csv::Error),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Io(e) => write!(f, "cannot read the file: {e}"),
            ImportError::MissingHandleColumn => {
                f.write_str("the first row has no Handle column: this is not a Shopify product CSV")
            }
            ImportError::Csv(e) => write!(f, "not a readable CSV file: {e}"),
        }
    }
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ImportError::Io(e) => Some(e),
            ImportError::MissingHandleColumn => None,
            ImportError::Csv(e) => Some(e),
        }
    }
}

impl From<csv::Error> for ImportError {
    fn from(e: csv::Error) -> Self {
        if !e.is_io_error() {
            return ImportError::Csv(e);
        }
        match e.into_kind() {
            csv::ErrorKind::Io(io) => ImportError::Io(io),
            other => ImportError::Io(std::io::Error::other(format!("{other:?}"))),
        }
    }
}

/// Why [`write_products`] failed: only the output can.
#[derive(Debug)]
pub enum ExportError {
    /// Writing to the output failed.
    Io(std::io::Error),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Io(e) => write!(f, "cannot write the CSV: {e}"),
        }
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Io(e) => Some(e),
        }
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => ExportError::Io(io),
            // We always write whole records of plain strings, so nothing else can fail; keep
            // the message should that change.
            other => ExportError::Io(std::io::Error::other(format!("{other:?}"))),
        }
    }
}
