//! [`Product`]s → Shopify CSV.

use crate::columns::{bool_text, Col};
use crate::ExportError;
use groupcart_core::catalog::{Fulfilment, Product, ProductStatus};
use groupcart_core::money::Currency;
use std::io::Write;

/// Writes products as a Shopify product CSV that [`crate::read_products`] (and Shopify) read
/// back: the header in Shopify's order, then per product one row per variant, and further
/// rows while images remain. Product fields are on the first row only.
///
/// Title and description are those in `language` (else the product's default language);
/// prices are those in `currency`, written exactly with [`Currency::format_amount`]; a
/// variant without a price in `currency` gets an empty price. Products without options get
/// Shopify's `Title` / `Default Title` stand-in.
pub fn write_products(
    output: impl Write,
    products: &[Product],
    currency: Currency,
    language: &str,
) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(Col::ALL.iter().map(|c| c.name()))?;
    for product in products {
        let mut variants: Vec<_> = product.variants.iter().collect();
        variants.sort_by_key(|v| v.position);
        let rows = variants.len().max(product.images.len()).max(1);
        for i in 0..rows {
            let mut row: [String; Col::COUNT] = Default::default();
            let mut set = |col: Col, value: String| row[col as usize] = value;
            set(Col::Handle, product.handle.clone());
            if i == 0 {
                if let Some(text) = product.text(language) {
                    set(Col::Title, text.title.clone());
                    set(Col::Body, text.description_html.clone());
                }
                set(Col::Vendor, product.vendor.clone().unwrap_or_default());
                set(Col::Type, product.category.clone().unwrap_or_default());
                set(Col::Tags, product.tags.join(", "));
                let published = product.status == ProductStatus::Active;
                set(Col::Published, bool_text(published).into());
                if product.option_names.is_empty() {
                    set(Col::Option1Name, "Title".into());
                }
                for (name, col) in product.option_names.iter().zip(Col::OPTION_NAMES) {
                    set(col, name.clone());
                }
                set(Col::Status, product.status.as_str().into());
            }
            if let Some(variant) = variants.get(i) {
                if product.option_names.is_empty() {
                    set(Col::Option1Value, "Default Title".into());
                }
                for (value, col) in variant.option_values.iter().zip(Col::OPTION_VALUES) {
                    set(col, value.clone());
                }
                set(Col::VariantSku, variant.sku.clone().unwrap_or_default());
                if let Some(grams) = variant.weight_grams {
                    set(Col::VariantGrams, grams.to_string());
                }
                // Shopify only takes the quantity of tracked variants; groupcart never sells
                // more than it has.
                set(Col::VariantInventoryTracker, "shopify".into());
                set(Col::VariantInventoryQty, variant.stock.to_string());
                set(Col::VariantInventoryPolicy, "deny".into());
                set(Col::VariantFulfillmentService, "manual".into());
                if let Some(price) = variant.price(currency) {
                    set(Col::VariantPrice, currency.format_amount(price.amount));
                    if let Some(compare_at) = price.compare_at {
                        set(
                            Col::VariantCompareAtPrice,
                            currency.format_amount(compare_at),
                        );
                    }
                }
                let ships = product.fulfilment == Fulfilment::Physical;
                set(Col::VariantRequiresShipping, bool_text(ships).into());
                set(Col::VariantImage, variant.image.clone().unwrap_or_default());
            }
            if let Some(image) = product.images.get(i) {
                set(Col::ImageSrc, image.src.clone());
                set(Col::ImagePosition, (i + 1).to_string());
                set(Col::ImageAltText, image.alt.clone().unwrap_or_default());
            }
            writer.write_record(&row)?;
        }
    }
    writer.flush().map_err(ExportError::Io)?;
    Ok(())
}
