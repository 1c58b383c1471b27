//! Helpers shared by the integration tests.
#![allow(dead_code)]

use chrono::DateTime;
use groupcart_catalog_csv::{read_products, ImportOptions, Parsed};
use groupcart_core::catalog::{NewProduct, Product, ProductId, Variant, VariantId};
use groupcart_core::money::Currency;

pub fn currency(code: &str) -> Currency {
    code.parse().unwrap()
}

pub fn options(code: &str, skip_invalid: bool) -> ImportOptions {
    ImportOptions {
        currency: currency(code),
        language: "en".into(),
        skip_invalid,
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn read(input: impl AsRef<[u8]>, options: &ImportOptions) -> Parsed {
    read_products(input.as_ref(), options, |_| {}).unwrap()
}

/// The errors as `line (handle): message` strings, for readable assertions.
pub fn error_lines(parsed: &Parsed) -> Vec<String> {
    parsed.errors.iter().map(ToString::to_string).collect()
}

/// Products as a store would return them after saving `products`.
pub fn stored(products: &[NewProduct]) -> Vec<Product> {
    let at = DateTime::from_timestamp(1_750_000_000, 0).unwrap();
    let mut next_variant = 100;
    products
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let id = ProductId(i as i64 + 1);
            Product {
                id,
                handle: p.handle.clone(),
                status: p.status,
                fulfilment: p.fulfilment,
                vendor: p.vendor.clone(),
                category: p.category.clone(),
                tags: p.tags.clone(),
                option_names: p.option_names.clone(),
                texts: p.texts.clone(),
                images: p.images.clone(),
                variants: p
                    .variants
                    .iter()
                    .enumerate()
                    .map(|(position, v)| {
                        next_variant += 1;
                        Variant {
                            id: VariantId(next_variant),
                            product_id: id,
                            position: position as i32,
                            sku: v.sku.clone(),
                            option_values: v.option_values.clone(),
                            prices: v.prices.clone(),
                            weight_grams: v.weight_grams,
                            stock: v.stock,
                            image: v.image.clone(),
                        }
                    })
                    .collect(),
                created_at: at,
                updated_at: at,
            }
        })
        .collect()
}
