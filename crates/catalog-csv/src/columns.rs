//! The Shopify product CSV columns groupcart reads and writes.

use csv::StringRecord;

/// A column, declared in the order of Shopify's own export (the order we write).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    Handle,
    Title,
    Body,
    Vendor,
    ProductCategory,
    Type,
    Tags,
    Published,
    Option1Name,
    Option1Value,
    Option2Name,
    Option2Value,
    Option3Name,
    Option3Value,
    VariantSku,
    VariantGrams,
    VariantInventoryTracker,
    VariantInventoryQty,
    VariantInventoryPolicy,
    VariantFulfillmentService,
    VariantPrice,
    VariantCompareAtPrice,
    VariantRequiresShipping,
    ImageSrc,
    ImagePosition,
    ImageAltText,
    VariantImage,
    Status,
}

impl Col {
    pub(crate) const COUNT: usize = 28;

    pub(crate) const ALL: [Col; Col::COUNT] = [
        Col::Handle,
        Col::Title,
        Col::Body,
        Col::Vendor,
        Col::ProductCategory,
        Col::Type,
        Col::Tags,
        Col::Published,
        Col::Option1Name,
        Col::Option1Value,
        Col::Option2Name,
        Col::Option2Value,
        Col::Option3Name,
        Col::Option3Value,
        Col::VariantSku,
        Col::VariantGrams,
        Col::VariantInventoryTracker,
        Col::VariantInventoryQty,
        Col::VariantInventoryPolicy,
        Col::VariantFulfillmentService,
        Col::VariantPrice,
        Col::VariantCompareAtPrice,
        Col::VariantRequiresShipping,
        Col::ImageSrc,
        Col::ImagePosition,
        Col::ImageAltText,
        Col::VariantImage,
        Col::Status,
    ];

    /// Option name and value columns, by option index.
    pub(crate) const OPTION_NAMES: [Col; 3] =
        [Col::Option1Name, Col::Option2Name, Col::Option3Name];
    pub(crate) const OPTION_VALUES: [Col; 3] =
        [Col::Option1Value, Col::Option2Value, Col::Option3Value];

    /// The header as Shopify spells it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Col::Handle => "Handle",
            Col::Title => "Title",
            Col::Body => "Body (HTML)",
            Col::Vendor => "Vendor",
            Col::ProductCategory => "Product Category",
            Col::Type => "Type",
            Col::Tags => "Tags",
            Col::Published => "Published",
            Col::Option1Name => "Option1 Name",
            Col::Option1Value => "Option1 Value",
            Col::Option2Name => "Option2 Name",
            Col::Option2Value => "Option2 Value",
            Col::Option3Name => "Option3 Name",
            Col::Option3Value => "Option3 Value",
            Col::VariantSku => "Variant SKU",
            Col::VariantGrams => "Variant Grams",
            Col::VariantInventoryTracker => "Variant Inventory Tracker",
            Col::VariantInventoryQty => "Variant Inventory Qty",
            Col::VariantInventoryPolicy => "Variant Inventory Policy",
            Col::VariantFulfillmentService => "Variant Fulfillment Service",
            Col::VariantPrice => "Variant Price",
            Col::VariantCompareAtPrice => "Variant Compare At Price",
            Col::VariantRequiresShipping => "Variant Requires Shipping",
            Col::ImageSrc => "Image Src",
            Col::ImagePosition => "Image Position",
            Col::ImageAltText => "Image Alt Text",
            Col::VariantImage => "Variant Image",
            Col::Status => "Status",
        }
    }
}

/// Where each known column sits in a file's header.
pub(crate) struct Columns {
    index: [Option<usize>; Col::COUNT],
    /// The header as written, to name columns we do not know (e.g. in encoding errors).
    header: Vec<String>,
}

impl Columns {
    /// Maps a header row; `None` without a Handle column. Names match case-insensitively,
    /// around spaces and a leading byte-order mark; the first of duplicated columns wins.
    pub(crate) fn from_header(header: &StringRecord) -> Option<Columns> {
        let mut index = [None; Col::COUNT];
        for (i, name) in header.iter().enumerate() {
            let name = name.trim_start_matches('\u{feff}').trim();
            if let Some(col) = Col::ALL
                .iter()
                .find(|c| c.name().eq_ignore_ascii_case(name))
            {
                index[*col as usize].get_or_insert(i);
            }
        }
        index[Col::Handle as usize]?;
        Some(Columns {
            index,
            header: header.iter().map(|h| h.trim().to_owned()).collect(),
        })
    }

    /// The header of the `i`th field, as written in the file.
    pub(crate) fn header_name(&self, i: usize) -> String {
        match self.header.get(i) {
            Some(name) if !name.is_empty() => name.clone(),
            _ => format!("column {}", i + 1),
        }
    }

    /// The field of `col` in `record`, untrimmed; empty if the column or field is absent.
    pub(crate) fn raw<'r>(&self, record: &'r StringRecord, col: Col) -> &'r str {
        self.index[col as usize]
            .and_then(|i| record.get(i))
            .unwrap_or("")
    }

    /// The field of `col` in `record`, trimmed.
    pub(crate) fn get<'r>(&self, record: &'r StringRecord, col: Col) -> &'r str {
        self.raw(record, col).trim()
    }
}

/// Shopify's TRUE / FALSE, in any case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// TRUE / FALSE as Shopify writes them.
pub(crate) fn bool_text(value: bool) -> &'static str {
    if value {
        "TRUE"
    } else {
        "FALSE"
    }
}
