//! Shopify CSV → [`NewProduct`]s, with every problem reported by line.

use crate::columns::{bool_text, parse_bool, Col, Columns};
use crate::{ImportError, ImportOptions, Parsed, RowError, MAX_ERRORS};
use csv::{ByteRecord, StringRecord};
use groupcart_core::catalog::{
    is_valid_handle, Fulfilment, Image, LocalizedText, NewProduct, NewVariant, Price, ProductStatus,
};
use groupcart_core::money::{AmountError, Currency};
use std::collections::{HashMap, VecDeque};
use std::io::Read;

/// How often, in rows, the progress callback hears about the bytes read.
const PROGRESS_EVERY: u64 = 1000;

/// Shopify's stand-in option for products without options.
const DEFAULT_OPTION_NAME: &str = "Title";
const DEFAULT_OPTION_VALUE: &str = "Default Title";

/// Turns a Shopify handle into a groupcart one: a valid handle is kept as it is; otherwise
/// it is lower-cased, runs of anything outside `a-z0-9` become one `-`, `-` is trimmed from
/// both ends and the result cut to 64 characters. `None` if nothing is left.
pub fn normalize_handle(raw: &str) -> Option<String> {
    if is_valid_handle(raw) {
        return Some(raw.to_owned());
    }
    let mut handle = String::with_capacity(raw.len());
    let mut gap = false;
    for c in raw.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if gap && !handle.is_empty() {
                handle.push('-');
            }
            gap = false;
            handle.push(c);
        } else {
            gap = true;
        }
    }
    // Only ASCII was pushed, so any byte index is a character boundary.
    handle.truncate(64);
    let handle = handle.trim_end_matches('-');
    (!handle.is_empty()).then(|| handle.to_owned())
}

/// Reads a Shopify product CSV.
///
/// Problems in rows never stop the reading: each becomes a [`RowError`] naming its line and
/// column, and the products are checked with [`NewProduct::validate`] as well, so the seller
/// sees everything at once. `progress` hears the bytes read so far every 1,000 rows and at
/// the end. Only input that cannot be read as a Shopify CSV at all is an [`ImportError`].
pub fn read_products(
    input: impl Read,
    options: &ImportOptions,
    mut progress: impl FnMut(u64),
) -> Result<Parsed, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        // Spreadsheets drop trailing empty cells; a short row just has empty fields.
        .flexible(true)
        .from_reader(LineIndex::new(input));
    let mut bytes = ByteRecord::new();
    if !reader.read_byte_record(&mut bytes)? {
        return Err(ImportError::MissingHandleColumn);
    }
    let columns = Columns::from_header(&StringRecord::from_byte_record_lossy(bytes.clone()))
        .ok_or(ImportError::MissingHandleColumn)?;
    let mut import = Import::new(options, columns);
    let mut rows = 0u64;
    let mut next_progress = PROGRESS_EVERY;
    while reader.read_byte_record(&mut bytes)? {
        rows += 1;
        let line = match bytes.position() {
            Some(p) => reader.get_mut().line_at(p.byte()).unwrap_or(p.line()),
            None => 0,
        };
        match StringRecord::from_byte_record(bytes.clone()) {
            Ok(record) => import.row(line, &record, None),
            Err(e) => {
                // Typically a file saved from a spreadsheet in a legacy encoding: read what we
                // can so the error names the product, and refuse the row.
                let field = e.utf8_error().field();
                let record = StringRecord::from_byte_record_lossy(e.into_byte_record());
                import.row(line, &record, Some(field));
            }
        }
        if rows == next_progress {
            progress(reader.position().byte());
            next_progress += PROGRESS_EVERY;
        }
    }
    progress(reader.position().byte());
    let mut parsed = import.finish();
    parsed.rows = rows;
    Ok(parsed)
}

/// Passes the input through and notes the line of each place where text starts after a line
/// break, so a row's line is exact.
///
/// The csv crate's own line count is the line where it started looking for the row: after a
/// `\r\n` it has not yet counted the `\n`, and blank lines before the row are not skipped, so
/// it can be too low.
struct LineIndex<R> {
    inner: R,
    /// Bytes passed through so far.
    offset: u64,
    /// The line of the next byte.
    line: u64,
    /// Whether the last byte was a line break (or there was none yet).
    after_break: bool,
    /// Whether the last byte was `\r`, so a `\n` now ends the same line.
    after_cr: bool,
    /// (byte offset, line) of text following a line break, oldest first; dropped once behind
    /// the rows read.
    starts: VecDeque<(u64, u64)>,
}

impl<R: Read> LineIndex<R> {
    fn new(inner: R) -> Self {
        LineIndex {
            inner,
            offset: 0,
            line: 1,
            after_break: true,
            after_cr: false,
            starts: VecDeque::new(),
        }
    }

    /// The line of the row the csv reader started reading at `byte`: that of the first text
    /// at or after it, past any line breaks.
    fn line_at(&mut self, byte: u64) -> Option<u64> {
        while self.starts.front().is_some_and(|&(at, _)| at < byte) {
            self.starts.pop_front();
        }
        self.starts.front().map(|&(_, line)| line)
    }
}

impl<R: Read> Read for LineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            let is_break = b == b'\n' || b == b'\r';
            if self.after_break && !is_break {
                self.starts.push_back((self.offset, self.line));
            }
            // A line ends at `\n`, `\r\n` or a lone `\r` (old Mac files), as for the csv
            // reader.
            if b == b'\r' || (b == b'\n' && !self.after_cr) {
                self.line += 1;
            }
            self.after_cr = b == b'\r';
            self.after_break = is_break;
            self.offset += 1;
        }
        Ok(n)
    }
}

/// A product being assembled from its rows.
struct Draft {
    /// The handle as written in the file.
    raw_handle: String,
    product: NewProduct,
    first_line: u64,
    /// The line of each variant in `product.variants`.
    variant_lines: Vec<u64>,
    /// Images with their `Image Position`, sorted when the product is complete.
    images: Vec<(Option<u64>, Image)>,
    /// The first `Variant Requires Shipping` given, and its line.
    requires_shipping: Option<(bool, u64)>,
    /// Whether Shopify's `Title` / `Default Title` stand-in option was seen.
    default_option: bool,
    /// Whether any of its rows had a problem.
    invalid: bool,
}

/// The problems found so far, at most [`MAX_ERRORS`] listed.
#[derive(Default)]
struct Errors {
    list: Vec<RowError>,
    omitted: u64,
}

impl Errors {
    fn push(&mut self, line: u64, handle: Option<&str>, message: String) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(RowError {
                line,
                handle: handle.map(str::to_owned),
                message,
            });
        } else {
            self.omitted += 1;
        }
    }
}

struct Import<'o> {
    options: &'o ImportOptions,
    columns: Columns,
    drafts: Vec<Draft>,
    /// groupcart handle → index in `drafts`.
    by_handle: HashMap<String, usize>,
    errors: Errors,
}

impl<'o> Import<'o> {
    fn new(options: &'o ImportOptions, columns: Columns) -> Self {
        Import {
            options,
            columns,
            drafts: Vec::new(),
            by_handle: HashMap::new(),
            errors: Errors::default(),
        }
    }

    /// Takes one data row; `bad_field` is a field that was not UTF-8.
    fn row(&mut self, line: u64, record: &StringRecord, bad_field: Option<usize>) {
        if record.iter().all(|f| f.trim().is_empty()) {
            return;
        }
        let get = |col| self.columns.get(record, col);
        let raw_handle = get(Col::Handle);
        if raw_handle.is_empty() {
            self.errors
                .push(line, None, "Handle is empty: every row needs one".into());
            return;
        }
        let Some(handle) = normalize_handle(raw_handle) else {
            self.errors.push(
                line,
                None,
                format!("Handle \"{raw_handle}\" has no letters a-z or digits to make a handle of"),
            );
            return;
        };

        let mut problems = Vec::new();
        if let Some(i) = bad_field {
            problems.push(format!(
                "{} is not UTF-8 text: save the file as CSV UTF-8",
                self.columns.header_name(i)
            ));
        }
        let (index, first_row) = match self.by_handle.get(&handle) {
            Some(&i) if self.drafts[i].raw_handle != raw_handle => {
                let other = &self.drafts[i];
                let message = format!(
                    "Handle \"{raw_handle}\" becomes {handle}, as does Handle \"{}\" on line {}: \
                     give one of them another handle",
                    other.raw_handle, other.first_line
                );
                self.errors.push(line, Some(&handle), message);
                return;
            }
            Some(&i) => (i, false),
            None => {
                let draft = self.new_draft(line, record, raw_handle, &handle, &mut problems);
                self.drafts.push(draft);
                self.by_handle.insert(handle.clone(), self.drafts.len() - 1);
                (self.drafts.len() - 1, true)
            }
        };

        let is_variant = first_row
            || Col::OPTION_VALUES
                .iter()
                .chain(&[
                    Col::VariantSku,
                    Col::VariantGrams,
                    Col::VariantInventoryQty,
                    Col::VariantPrice,
                    Col::VariantCompareAtPrice,
                    Col::VariantImage,
                ])
                .any(|&col| !get(col).is_empty());
        self.add_image(index, record, &mut problems);
        if is_variant {
            let variant = self.variant(index, line, record, &mut problems);
            if problems.is_empty() {
                let draft = &mut self.drafts[index];
                draft.product.variants.push(variant);
                draft.variant_lines.push(line);
            }
        }

        if !problems.is_empty() {
            self.drafts[index].invalid = true;
            for message in problems {
                self.errors.push(line, Some(&handle), message);
            }
        }
    }

    /// The product fields of a handle's first row.
    fn new_draft(
        &self,
        line: u64,
        record: &StringRecord,
        raw_handle: &str,
        handle: &str,
        problems: &mut Vec<String>,
    ) -> Draft {
        let get = |col| self.columns.get(record, col);
        let optional = |col| Some(get(col)).filter(|s| !s.is_empty()).map(str::to_owned);

        let published = match get(Col::Published) {
            "" => None,
            text => match parse_bool(text) {
                Some(true) => Some(ProductStatus::Active),
                Some(false) => Some(ProductStatus::Draft),
                None => {
                    problems.push(format!("Published \"{text}\" is not TRUE or FALSE"));
                    None
                }
            },
        };
        let status = match get(Col::Status) {
            "" => None,
            text => {
                let status = ProductStatus::parse(&text.to_ascii_lowercase());
                if status.is_none() {
                    problems.push(format!(
                        "Status \"{text}\" is not active, draft or archived"
                    ));
                }
                status
            }
        };

        let mut option_names: Vec<String> = Col::OPTION_NAMES
            .iter()
            .map(|&col| get(col).to_owned())
            .collect();
        // Keep names up to the last one given; an empty one before it is reported by
        // `validate` as a missing name.
        while option_names.last().is_some_and(|n| n.is_empty()) {
            option_names.pop();
        }
        let default_option =
            option_names == [DEFAULT_OPTION_NAME] && get(Col::Option1Value) == DEFAULT_OPTION_VALUE;
        if default_option {
            option_names.clear();
        }

        Draft {
            raw_handle: raw_handle.to_owned(),
            product: NewProduct {
                handle: handle.to_owned(),
                status: status.or(published).unwrap_or(ProductStatus::Active),
                // Decided once all variant rows are in.
                fulfilment: Fulfilment::Physical,
                vendor: optional(Col::Vendor),
                category: optional(Col::Type).or_else(|| optional(Col::ProductCategory)),
                tags: get(Col::Tags)
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
                option_names,
                texts: vec![LocalizedText {
                    language: self.options.language.clone(),
                    title: get(Col::Title).to_owned(),
                    // HTML as given, whitespace included.
                    description_html: self.columns.raw(record, Col::Body).to_owned(),
                }],
                images: Vec::new(),
                variants: Vec::new(),
            },
            first_line: line,
            variant_lines: Vec::new(),
            images: Vec::new(),
            requires_shipping: None,
            default_option,
            invalid: false,
        }
    }

    /// The row's `Image Src`, if any, added to the product's images.
    fn add_image(&mut self, index: usize, record: &StringRecord, problems: &mut Vec<String>) {
        let get = |col| self.columns.get(record, col);
        let src = get(Col::ImageSrc);
        if src.is_empty() {
            return;
        }
        let position = match get(Col::ImagePosition) {
            "" => None,
            text => match text.parse::<u64>() {
                Ok(p) => Some(p),
                Err(_) => {
                    problems.push(format!(
                        "Image Position \"{text}\" is not a whole number like 1"
                    ));
                    None
                }
            },
        };
        let alt = Some(get(Col::ImageAltText))
            .filter(|a| !a.is_empty())
            .map(str::to_owned);
        let images = &mut self.drafts[index].images;
        // Shopify repeats an image on several rows at times; once is enough.
        if !images.iter().any(|(_, image)| image.src == src) {
            images.push((
                position,
                Image {
                    src: src.to_owned(),
                    alt,
                },
            ));
        }
    }

    /// The variant on a row; complete only if `problems` stays empty.
    fn variant(
        &mut self,
        index: usize,
        line: u64,
        record: &StringRecord,
        problems: &mut Vec<String>,
    ) -> NewVariant {
        let get = |col| self.columns.get(record, col);
        let currency = self.options.currency;
        let draft = &mut self.drafts[index];

        let mut option_values = Vec::new();
        for (i, &col) in Col::OPTION_VALUES.iter().enumerate() {
            let value = get(col);
            match draft.product.option_names.get(i) {
                Some(_) if value.is_empty() => problems.push(format!(
                    "{} is empty but the product has an {}",
                    col.name(),
                    Col::OPTION_NAMES[i].name()
                )),
                Some(_) => option_values.push(value.to_owned()),
                None if value.is_empty()
                    || (i == 0 && draft.default_option && value == DEFAULT_OPTION_VALUE) => {}
                None => problems.push(format!(
                    "{} \"{value}\" is given but the product has no {}",
                    col.name(),
                    Col::OPTION_NAMES[i].name()
                )),
            }
        }

        let price = match get(Col::VariantPrice) {
            "" => {
                problems.push(format!(
                    "Variant Price is empty: every variant needs a price in {currency}"
                ));
                None
            }
            text => amount(currency, Col::VariantPrice, text)
                .map_err(|e| problems.push(e))
                .ok(),
        };
        let compare_at = match get(Col::VariantCompareAtPrice) {
            "" => None,
            text => amount(currency, Col::VariantCompareAtPrice, text)
                .map_err(|e| problems.push(e))
                .ok(),
        };
        let stock = match get(Col::VariantInventoryQty) {
            "" => 0,
            text => match text.parse::<i64>() {
                Ok(n) if n < 0 => {
                    problems.push(format!(
                        "Variant Inventory Qty \"{text}\" is negative: groupcart keeps no \
                         negative stock, give 0 or more"
                    ));
                    0
                }
                Ok(n) => n,
                Err(_) => {
                    problems.push(format!(
                        "Variant Inventory Qty \"{text}\" is not a whole number like 12"
                    ));
                    0
                }
            },
        };
        let weight_grams = match get(Col::VariantGrams) {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(n) if n >= 0 => Some(n),
                _ => {
                    problems.push(format!(
                        "Variant Grams \"{text}\" is not a whole number of grams like 250"
                    ));
                    None
                }
            },
        };
        match get(Col::VariantRequiresShipping) {
            "" => {}
            text => match (parse_bool(text), draft.requires_shipping) {
                (None, _) => problems.push(format!(
                    "Variant Requires Shipping \"{text}\" is not TRUE or FALSE"
                )),
                (Some(ships), None) => draft.requires_shipping = Some((ships, line)),
                (Some(ships), Some((first, first_line))) if ships != first => {
                    problems.push(format!(
                        "Variant Requires Shipping is {} here but {} on line {first_line}: in \
                         groupcart a whole product is either shipped or digital",
                        bool_text(ships),
                        bool_text(first)
                    ))
                }
                (Some(_), Some(_)) => {}
            },
        }

        NewVariant {
            sku: Some(get(Col::VariantSku))
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            option_values,
            prices: price
                .map(|amount| Price {
                    currency,
                    amount,
                    compare_at,
                })
                .into_iter()
                .collect(),
            weight_grams,
            stock,
            image: Some(get(Col::VariantImage))
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        }
    }

    /// Completes and validates the products.
    fn finish(mut self) -> Parsed {
        let mut products = Vec::with_capacity(self.drafts.len());
        for mut draft in std::mem::take(&mut self.drafts) {
            // Stable: images without a position keep their order, after the numbered ones.
            draft
                .images
                .sort_by_key(|(position, _)| position.unwrap_or(u64::MAX));
            draft.product.images = draft.images.drain(..).map(|(_, image)| image).collect();
            if let Some((false, _)) = draft.requires_shipping {
                draft.product.fulfilment = Fulfilment::Digital;
            }
            if let Err(field_errors) = draft.product.validate() {
                for error in field_errors {
                    // A product whose only variant rows were refused has no variants; that
                    // is already reported on those rows.
                    if draft.invalid && error.field == "variants" {
                        continue;
                    }
                    let (line, message) = describe(&draft, &error.field, &error.message);
                    self.errors.push(line, Some(&draft.product.handle), message);
                }
                draft.invalid = true;
            }
            if !draft.invalid {
                products.push(draft.product);
            }
        }
        let mut errors = self.errors.list;
        errors.sort_by_key(|e| e.line);
        let clean = errors.is_empty() && self.errors.omitted == 0;
        if !self.options.skip_invalid && !clean {
            products.clear();
        }
        Parsed {
            products,
            errors,
            errors_omitted: self.errors.omitted,
            rows: 0,
        }
    }
}

/// The line and a column-named message for one of [`NewProduct::validate`]'s errors: a
/// variant's problem on that variant's line, the product's on its first line.
fn describe(draft: &Draft, field: &str, message: &str) -> (u64, String) {
    let product = &draft.product;
    if let Some(rest) = field.strip_prefix("variants[") {
        let (index, rest) = rest.split_once(']').unwrap_or((rest, ""));
        if let Ok(i) = index.parse::<usize>() {
            let line = draft
                .variant_lines
                .get(i)
                .copied()
                .unwrap_or(draft.first_line);
            let variant = product.variants.get(i);
            let column = if rest == ".option_values" {
                match variant.map(|v| v.option_values.join(" / ")) {
                    Some(values) if !values.is_empty() => format!("Option values \"{values}\""),
                    // Several variants of a product without options.
                    _ => "Option values (none)".to_owned(),
                }
            } else if rest == ".sku" {
                let sku = variant.and_then(|v| v.sku.as_deref()).unwrap_or("");
                format!("Variant SKU \"{sku}\"")
            } else if rest == ".stock" {
                Col::VariantInventoryQty.name().to_owned()
            } else if rest == ".weight_grams" {
                Col::VariantGrams.name().to_owned()
            } else if rest.ends_with(".compare_at") {
                Col::VariantCompareAtPrice.name().to_owned()
            } else if rest.starts_with(".prices") {
                Col::VariantPrice.name().to_owned()
            } else {
                field.to_owned()
            };
            return (line, format!("{column}: {message}"));
        }
    }
    let column = match field {
        "handle" => Col::Handle.name().to_owned(),
        "texts[0].title" => Col::Title.name().to_owned(),
        "texts[0].language" => {
            let language = product.texts.first().map_or("", |t| t.language.as_str());
            format!("import language \"{language}\"")
        }
        _ => match field
            .strip_prefix("option_names[")
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| Col::OPTION_NAMES.get(i))
        {
            Some(col) => col.name().to_owned(),
            None => field.to_owned(),
        },
    };
    (draft.first_line, format!("{column}: {message}"))
}

/// An amount in `currency`, or a message naming the column.
fn amount(currency: Currency, col: Col, text: &str) -> Result<i64, String> {
    currency.parse_amount(text).map_err(|e| {
        let column = col.name();
        match e {
            AmountError::TooPrecise { .. } => format!(
                "{column} \"{text}\" has more decimals than {currency} has (like {})",
                currency.format_amount(1999)
            ),
            AmountError::TooLarge(_) => format!("{column} \"{text}\" is too large"),
            _ if text.contains(',') => format!(
                "{column} \"{text}\" is not an amount like {}: leave out thousands separators \
                 and use a dot for decimals",
                currency.format_amount(129_900)
            ),
            _ => format!(
                "{column} \"{text}\" is not an amount like {}",
                currency.format_amount(1999)
            ),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_normalized_only_when_needed() {
        assert_eq!(normalize_handle("basic-tee").as_deref(), Some("basic-tee"));
        assert_eq!(normalize_handle("a--b").as_deref(), Some("a--b"));
        assert_eq!(
            normalize_handle("  Basic_Tee (Blue)!! ").as_deref(),
            Some("basic-tee-blue")
        );
        assert_eq!(
            normalize_handle("Ünïcode Tee").as_deref(),
            Some("n-code-tee")
        );
        assert_eq!(normalize_handle("--x--").as_deref(), Some("x"));
        assert_eq!(normalize_handle("茶"), None);
        assert_eq!(normalize_handle("-_-"), None);
        let long = format!("{}_b", "a".repeat(63));
        let cut = normalize_handle(&long).unwrap();
        assert_eq!(cut, "a".repeat(63));
        assert!(is_valid_handle(&cut));
    }

    #[test]
    fn amount_messages_name_the_column_and_the_fix() {
        let usd: Currency = "USD".parse().unwrap();
        let jpy: Currency = "JPY".parse().unwrap();
        assert_eq!(amount(usd, Col::VariantPrice, "19.99"), Ok(1999));
        assert_eq!(
            amount(usd, Col::VariantPrice, "abc"),
            Err("Variant Price \"abc\" is not an amount like 19.99".into())
        );
        assert_eq!(
            amount(usd, Col::VariantCompareAtPrice, "1,299.00"),
            Err(
                "Variant Compare At Price \"1,299.00\" is not an amount like 1299.00: leave \
                 out thousands separators and use a dot for decimals"
                    .into()
            )
        );
        assert_eq!(
            amount(jpy, Col::VariantPrice, "15.5"),
            Err("Variant Price \"15.5\" has more decimals than JPY has (like 1999)".into())
        );
    }
}
