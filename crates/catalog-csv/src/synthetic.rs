//! A generated Shopify CSV, for benchmarks of the import.

use crate::columns::Col;

/// Variants per generated product.
const VARIANTS_PER_PRODUCT: usize = 5;

/// A valid Shopify product CSV with `rows` variant rows, prices in a two-decimal currency
/// such as USD: products of five variants (`Size` × one `Colour`), the last one possibly
/// fewer, so `rows.div_ceil(5)` products. Fields include commas, quotes, a line break and
/// non-Latin text, as real exports do. The same `rows` always gives the same text.
pub fn synthetic_csv(rows: usize) -> String {
    const SIZES: [&str; VARIANTS_PER_PRODUCT] = ["XS", "S", "M", "L", "XL"];
    const COLOURS: [&str; 4] = ["Black", "Sand", "Ocean blue", "زيتوني"];
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut record = |fields: &[String]| {
        // Writing to memory cannot fail.
        writer
            .write_record(fields)
            .expect("writing CSV to a Vec cannot fail");
    };
    record(&Col::ALL.map(|c| c.name().to_owned()));
    for r in 0..rows {
        let (p, v) = (r / VARIANTS_PER_PRODUCT, r % VARIANTS_PER_PRODUCT);
        let mut row: [String; Col::COUNT] = Default::default();
        let mut set = |col: Col, value: String| row[col as usize] = value;
        set(Col::Handle, format!("synthetic-tee-{p}"));
        if v == 0 {
            set(Col::Title, format!("Synthetic tee №{p} 茶"));
            set(
                Col::Body,
                format!("<p>Soft, \"combed\" cotton.</p>\n<p>Batch {p}, machine washable.</p>"),
            );
            set(Col::Vendor, "Acme, Inc.".into());
            set(Col::Type, "Shirts".into());
            set(Col::Tags, format!("cotton, summer, batch-{}", p % 10));
            set(Col::Published, "TRUE".into());
            set(Col::Option1Name, "Size".into());
            set(Col::Option2Name, "Colour".into());
            set(
                Col::ImageSrc,
                format!("https://cdn.example.com/tee-{p}.jpg"),
            );
            set(Col::ImagePosition, "1".into());
            set(Col::ImageAltText, format!("Tee {p}, front"));
            set(Col::Status, "active".into());
        }
        set(Col::Option1Value, SIZES[v].into());
        set(Col::Option2Value, COLOURS[p % COLOURS.len()].into());
        set(Col::VariantSku, format!("SYN-{p}-{}", SIZES[v]));
        set(Col::VariantGrams, (180 + 10 * v).to_string());
        set(Col::VariantInventoryTracker, "shopify".into());
        set(Col::VariantInventoryQty, ((p * 7 + v * 3) % 40).to_string());
        set(Col::VariantInventoryPolicy, "deny".into());
        set(Col::VariantFulfillmentService, "manual".into());
        set(
            Col::VariantPrice,
            format!("{}.{:02}", 10 + p % 90, (p * 37) % 100),
        );
        if p % 3 == 0 {
            set(Col::VariantCompareAtPrice, format!("{}.00", 100 + p % 90));
        }
        set(Col::VariantRequiresShipping, "TRUE".into());
        record(&row);
    }
    let bytes = writer
        .into_inner()
        .expect("flushing CSV to a Vec cannot fail");
    // Only `String`s went in.
    String::from_utf8(bytes).expect("CSV of strings is UTF-8")
}
