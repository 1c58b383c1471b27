//! Writing Shopify product CSVs, and reading them back.

mod common;

use common::{currency, error_lines, fixture, options, read, stored};
use groupcart_catalog_csv::{write_products, ImportOptions};
use groupcart_core::catalog::{
    Fulfilment, Image, LocalizedText, NewProduct, NewVariant, Price, ProductStatus,
};
use groupcart_core::money::Currency;

fn write(products: &[NewProduct], currency: Currency, language: &str) -> String {
    let mut out = Vec::new();
    write_products(&mut out, &stored(products), currency, language).unwrap();
    String::from_utf8(out).unwrap()
}

/// A product full of what CSV must quote: commas, quotes, line breaks, non-Latin text.
fn tricky() -> NewProduct {
    let price = |amount, compare_at| {
        vec![Price {
            currency: currency("EUR"),
            amount,
            compare_at,
        }]
    };
    NewProduct {
        handle: "tricky-scarf".into(),
        status: ProductStatus::Draft,
        fulfilment: Fulfilment::Physical,
        vendor: Some("\"Silk\", Road & Co".into()),
        category: Some("Scarves, shawls".into()),
        tags: vec!["حرير".into(), "丝绸".into(), "say \"hi\"".into()],
        option_names: vec!["Colour, shade".into(), "Size".into(), "Stitch".into()],
        texts: vec![LocalizedText {
            language: "en".into(),
            title: "Scarf \"Nile\", 丝巾 وشاح".into(),
            description_html: "<p>Line one,\nline \"two\"\r\nand three.</p>\n\n  <p>مرحبا</p>\n"
                .into(),
        }],
        images: vec![
            Image {
                src: "https://cdn.example.com/scarf,1.jpg".into(),
                alt: Some("Front, \"folded\"\nsecond line".into()),
            },
            Image {
                src: "AgACAgIAAxkBAAIBQ2Z".into(),
                alt: None,
            },
            Image {
                src: "https://cdn.example.com/scarf-3.jpg".into(),
                alt: Some("وشاح".into()),
            },
        ],
        variants: vec![
            NewVariant {
                sku: Some("SC,1".into()),
                option_values: vec!["Red, dark".into(), "大".into(), "\"x\"".into()],
                prices: price(4_990, Some(5_990)),
                weight_grams: Some(120),
                stock: 3,
                image: Some("https://cdn.example.com/scarf,1.jpg".into()),
            },
            NewVariant {
                sku: None,
                option_values: vec!["أزرق".into(), "小".into(), "\"x\"".into()],
                prices: price(5, None),
                weight_grams: None,
                stock: 0,
                image: None,
            },
        ],
    }
}

#[test]
fn round_trips_a_shopify_export() {
    let first = read(fixture("shopify_export.csv"), &options("USD", false));
    assert!(first.is_clean(), "{:?}", error_lines(&first));
    let text = write(&first.products, currency("USD"), "en");
    let second = read(&text, &options("USD", false));
    assert_eq!(error_lines(&second), Vec::<String>::new());
    assert_eq!(second.products, first.products);
}

#[test]
fn round_trips_quotes_commas_line_breaks_and_any_script() {
    let products = vec![tricky()];
    assert_eq!(products[0].validate(), Ok(()));
    let text = write(&products, currency("EUR"), "en");
    let parsed = read(&text, &options("EUR", false));
    assert_eq!(error_lines(&parsed), Vec::<String>::new());
    assert_eq!(parsed.products, products);
    // Three images, two variants: three rows, plus the header; the line breaks inside
    // quoted fields are physical lines too.
    let records: Vec<_> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(records.len(), 3);
}

#[test]
fn round_trips_zero_decimal_currencies() {
    let input = "Handle,Title,Option1 Name,Option1 Value,Variant Price,Variant Compare At Price\n\
                 tea,緑茶,Size,Small,1500,2000\n\
                 tea,,,Large,2800,\n";
    let jpy = ImportOptions {
        language: "ja".into(),
        ..options("JPY", false)
    };
    let first = read(input, &jpy);
    assert!(first.is_clean(), "{:?}", error_lines(&first));
    assert_eq!(first.products[0].texts[0].language, "ja");
    let text = write(&first.products, currency("JPY"), "ja");
    assert!(text.contains(",1500,2000,"), "{text}");
    assert_eq!(read(&text, &jpy).products, first.products);
}

#[test]
fn writes_shopify_layout() {
    let mut digital = tricky();
    digital.handle = "ebook".into();
    digital.status = ProductStatus::Active;
    digital.fulfilment = Fulfilment::Digital;
    digital.vendor = None;
    digital.category = None;
    digital.tags = vec!["a".into(), "b c".into()];
    digital.option_names = vec![];
    digital.texts = vec![
        LocalizedText {
            language: "en".into(),
            title: "Book".into(),
            description_html: String::new(),
        },
        LocalizedText {
            language: "zh-CN".into(),
            title: "书".into(),
            description_html: "<p>电子书</p>".into(),
        },
    ];
    digital.images.truncate(1);
    digital.images[0].alt = None;
    digital.variants.truncate(1);
    digital.variants[0].option_values = vec![];
    digital.variants[0].image = None;
    digital.variants[0].weight_grams = None;

    let text = write(&[digital.clone()], currency("EUR"), "zh-CN");
    assert_eq!(
        text,
        "Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,\
         Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,\
         Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory \
         Policy,Variant Fulfillment Service,Variant Price,Variant Compare At Price,Variant \
         Requires Shipping,Image Src,Image Position,Image Alt Text,Variant Image,Status\n\
         ebook,书,<p>电子书</p>,,,,\"a, b c\",TRUE,Title,Default Title,,,,,\"SC,1\",,shopify,3,\
         deny,manual,49.90,59.90,FALSE,\"https://cdn.example.com/scarf,1.jpg\",1,,,active\n"
    );

    // No price in the export currency: the price is left empty, so reading it back says so
    // rather than inventing one.
    let text = write(&[digital], currency("USD"), "en");
    let row = text.lines().nth(1).unwrap();
    assert!(row.contains(",shopify,3,deny,manual,,,FALSE,"), "{row}");
    let parsed = read(&text, &options("USD", false));
    assert_eq!(
        error_lines(&parsed),
        ["line 2 (handle ebook): Variant Price is empty: every variant needs a price in USD"]
    );
}

#[test]
fn extra_images_get_rows_of_their_own() {
    let mut product = tricky();
    product.variants.truncate(1);
    let text = write(&[product], currency("EUR"), "en");
    let records: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let column = |name: &str| {
        let header = csv::Reader::from_reader(text.as_bytes())
            .headers()
            .unwrap()
            .clone();
        header.iter().position(|h| h == name).unwrap()
    };
    let (price, src, position) = (
        column("Variant Price"),
        column("Image Src"),
        column("Image Position"),
    );
    let got: Vec<(&str, &str, &str)> = records
        .iter()
        .map(|r| (&r[price], &r[src], &r[position]))
        .collect();
    assert_eq!(
        got,
        [
            ("49.90", "https://cdn.example.com/scarf,1.jpg", "1"),
            ("", "AgACAgIAAxkBAAIBQ2Z", "2"),
            ("", "https://cdn.example.com/scarf-3.jpg", "3"),
        ]
    );
}
