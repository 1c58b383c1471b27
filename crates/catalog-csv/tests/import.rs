//! Reading Shopify product CSVs.

mod common;

use common::{currency, error_lines, fixture, options, read};
use groupcart_catalog_csv::{read_products, synthetic_csv, ImportError, MAX_ERRORS};
use groupcart_core::catalog::{
    Fulfilment, Image, LocalizedText, NewProduct, NewVariant, Price, ProductStatus,
};

const CDN: &str = "https://cdn.shopify.com/s/files/1/0000/0001/products/";

fn image(name: &str, alt: Option<&str>) -> Image {
    Image {
        src: format!("{CDN}{name}"),
        alt: alt.map(Into::into),
    }
}

fn usd(amount: i64, compare_at: Option<i64>) -> Vec<Price> {
    vec![Price {
        currency: currency("USD"),
        amount,
        compare_at,
    }]
}

fn variant(
    sku: Option<&str>,
    options: &[&str],
    prices: Vec<Price>,
    grams: Option<i64>,
    stock: i64,
    image: Option<&str>,
) -> NewVariant {
    NewVariant {
        sku: sku.map(Into::into),
        option_values: options.iter().map(|&o| o.into()).collect(),
        prices,
        weight_grams: grams,
        stock,
        image: image.map(|i| format!("{CDN}{i}")),
    }
}

fn text(title: &str, body: &str) -> Vec<LocalizedText> {
    vec![LocalizedText {
        language: "en".into(),
        title: title.into(),
        description_html: body.into(),
    }]
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|&s| s.into()).collect()
}

fn expected_export() -> Vec<NewProduct> {
    vec![
        NewProduct {
            handle: "basic-tee".into(),
            status: ProductStatus::Active,
            fulfilment: Fulfilment::Physical,
            vendor: Some("Acme Apparel".into()),
            // `Type` wins over `Product Category`.
            category: Some("T-Shirts".into()),
            tags: strings(&["Basics", "cotton", "summer"]),
            option_names: strings(&["Size", "Color"]),
            texts: text(
                "Basic Tee",
                "<p>Our everyday tee, made of 100% \"organic\" cotton.</p>\n<ul>\n<li>Regular \
                 fit, true to size</li>\n</ul>",
            ),
            images: vec![
                image("tee-black.jpg", Some("Basic Tee in black")),
                image("tee-white.jpg", Some("Basic Tee in white")),
                image("tee-back.jpg", None),
            ],
            variants: vec![
                variant(
                    Some("TEE-S-BLK"),
                    &["S", "Black"],
                    usd(1999, Some(2499)),
                    Some(180),
                    12,
                    Some("tee-black.jpg"),
                ),
                variant(
                    Some("TEE-S-WHT"),
                    &["S", "White"],
                    usd(1999, Some(2499)),
                    Some(180),
                    0,
                    Some("tee-white.jpg"),
                ),
                variant(
                    Some("TEE-M-BLK"),
                    &["M", "Black"],
                    usd(1999, Some(2499)),
                    Some(200),
                    7,
                    Some("tee-black.jpg"),
                ),
                variant(
                    Some("TEE-M-WHT"),
                    &["M", "White"],
                    usd(2100, None),
                    Some(200),
                    3,
                    Some("tee-white.jpg"),
                ),
            ],
        },
        NewProduct {
            handle: "stoneware-mug".into(),
            // Published FALSE, no Status.
            status: ProductStatus::Draft,
            fulfilment: Fulfilment::Physical,
            vendor: Some("Clay & Co".into()),
            // No `Type`: the `Product Category` instead.
            category: Some(
                "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs".into(),
            ),
            tags: strings(&["kitchen"]),
            // Shopify's Title / Default Title.
            option_names: vec![],
            texts: text("Stoneware Mug", "<p>Hand-glazed, 350 ml.</p>"),
            images: vec![image("mug.jpg", None)],
            variants: vec![variant(None, &[], usd(1450, None), Some(410), 25, None)],
        },
        NewProduct {
            handle: "sourdough-ebook".into(),
            status: ProductStatus::Active,
            fulfilment: Fulfilment::Digital,
            vendor: Some("Crumb Press".into()),
            category: Some("E-books".into()),
            tags: strings(&["digital", "baking"]),
            option_names: vec![],
            texts: text("Sourdough at Home (e-book)", "<p>PDF, 120 pages.</p>"),
            images: vec![image("ebook.png", Some("Cover"))],
            variants: vec![variant(
                Some("EBOOK-SD"),
                &[],
                usd(900, None),
                Some(0),
                9999,
                None,
            )],
        },
        NewProduct {
            handle: "matcha-tin".into(),
            status: ProductStatus::Archived,
            fulfilment: Fulfilment::Physical,
            vendor: Some("Uji Tea".into()),
            category: Some("Tea".into()),
            tags: strings(&["tea", "抹茶"]),
            option_names: strings(&["Weight"]),
            texts: text("抹茶 Matcha Tin", "<p>宇治抹茶, 30 g.</p>"),
            // Ordered by Image Position, not by row.
            images: vec![
                image("matcha-front.jpg", Some("Front")),
                image("matcha-side.jpg", Some("Side")),
            ],
            variants: vec![
                variant(
                    Some("MT-30"),
                    &["30 g"],
                    usd(1800, None),
                    Some(60),
                    40,
                    None,
                ),
                variant(
                    Some("MT-100"),
                    &["100 g"],
                    usd(4500, Some(5000)),
                    Some(140),
                    5,
                    None,
                ),
            ],
        },
    ]
}

#[test]
fn reads_a_shopify_export() {
    let input = fixture("shopify_export.csv");
    let mut calls = Vec::new();
    let parsed = read_products(&input[..], &options("USD", false), |b| calls.push(b)).unwrap();
    assert_eq!(error_lines(&parsed), Vec::<String>::new());
    assert_eq!(parsed.rows, 11);
    let expected = expected_export();
    assert_eq!(parsed.products.len(), expected.len());
    for (got, want) in parsed.products.iter().zip(&expected) {
        assert_eq!(got, want, "{}", want.handle);
    }
    // Fewer than 1,000 rows: told once, at the end, with every byte.
    assert_eq!(calls, [input.len() as u64]);
}

#[test]
fn reports_every_problem_with_its_physical_line() {
    let parsed = read(fixture("malformed.csv"), &options("USD", false));
    assert_eq!(
        error_lines(&parsed),
        [
            "line 6 (handle story-tee): Variant Price \"abc\" is not an amount like 19.99",
            "line 7 (handle story-tee): Variant Inventory Qty \"-3\" is negative: groupcart \
             keeps no negative stock, give 0 or more",
            "line 8 (handle story-tee): Variant Price is empty: every variant needs a price in \
             USD",
            "line 13 (handle hoodie): Option values \"S\": the same option values are used by \
             another variant",
            "line 14 (handle hoodie): Handle \"Hoodie\" becomes hoodie, as does Handle \
             \"hoodie\" on line 12: give one of them another handle",
            "line 15 (handle comma-price): Variant Price \"1,299.00\" is not an amount like \
             1299.00: leave out thousands separators and use a dot for decimals",
            "line 16 (handle precise-price): Variant Price \"19.999\" has more decimals than USD \
             has (like 19.99)",
            "line 17 (handle heavy-box): Variant Grams \"1.5\" is not a whole number of grams \
             like 250",
            "line 18: Handle is empty: every row needs one",
            "line 19: Handle \"茶\" has no letters a-z or digits to make a handle of",
            "line 20 (handle no-title): Title: must not be empty",
        ]
    );
    assert_eq!(parsed.rows, 16);
    assert!(!parsed.is_clean());
    // All or nothing.
    assert!(parsed.products.is_empty());
}

#[test]
fn line_numbers_hold_with_windows_line_endings_blank_lines_and_a_bom() {
    let lf = String::from_utf8(fixture("malformed.csv")).unwrap();
    let lines = |text: &str| -> Vec<u64> {
        let parsed = read(text, &options("USD", false));
        parsed.errors.iter().map(|e| e.line).collect()
    };
    let expected = [6, 7, 8, 13, 14, 15, 16, 17, 18, 19, 20];
    assert_eq!(lines(&lf), expected);
    assert_eq!(lines(&lf.replace('\n', "\r\n")), expected);
    assert_eq!(lines(&format!("\u{feff}{lf}")), expected);
    // Blank lines are skipped but still counted.
    let blank = lf.replacen("\ngood-mug", "\n\n\r\n\ngood-mug", 1);
    let shifted: Vec<u64> = expected
        .iter()
        .map(|&l| if l > 9 { l + 3 } else { l })
        .collect();
    assert_eq!(lines(&blank), shifted);
    let crlf = lf.replace('\n', "\r\n");
    let blank_crlf = crlf.replacen("\r\ngood-mug", "\r\n\r\n\r\n\r\ngood-mug", 1);
    assert_eq!(lines(&blank_crlf), shifted);
}

/// Found by `fuzz_import.rs`: a lone `\r` (old Mac line endings, e.g. Excel's "CSV
/// (Macintosh)") ends a row for the csv reader but was not counted as a line, so rows were
/// reported on line 1.
#[test]
fn line_numbers_hold_with_old_mac_line_endings() {
    let lf = String::from_utf8(fixture("malformed.csv")).unwrap();
    let parsed = read(lf.replace('\n', "\r"), &options("USD", false));
    let lines: Vec<u64> = parsed.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [6, 7, 8, 13, 14, 15, 16, 17, 18, 19, 20]);
    // A stray `\r` in the header ends it there: the rest is the first row, on line 2.
    let parsed = read(
        "Handle,Variant C\rompare At Price,Variant Price\nmug,1,\n",
        &options("USD", false),
    );
    let lines: Vec<u64> = parsed.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 2, 3, 3]);
}

#[test]
fn skip_invalid_keeps_only_the_valid_products() {
    let parsed = read(fixture("malformed.csv"), &options("USD", true));
    let handles: Vec<&str> = parsed.products.iter().map(|p| p.handle.as_str()).collect();
    assert_eq!(handles, ["good-mug", "plain-cap"]);
    assert_eq!(parsed.errors.len(), 11);
    // The embedded line break survives.
    assert_eq!(
        parsed.products[0].texts[0].description_html,
        "<p>Holds tea.\nOr coffee.</p>"
    );
    for product in &parsed.products {
        assert_eq!(product.validate(), Ok(()));
    }
}

#[test]
fn headers_match_in_any_case_and_order_with_a_bom() {
    let input = "\u{feff}variant price,HANDLE,Unknown Column,title,option1 name,OPTION1 VALUE,\
                 Product Category,Variant Inventory Qty, status ,Published\n\
                 5.00,cap,whatever,Cap,Title,Default Title,Hats,3,DRAFT,TRUE\n\
                 7.50,mug,,Mug,Title,Default Title,Drinkware,,,FALSE\n\
                 1.00,pin,,Pin,Title,Default Title,,,,\n";
    let parsed = read(input, &options("USD", false));
    assert_eq!(error_lines(&parsed), Vec::<String>::new());
    let [cap, mug, pin] = &parsed.products[..] else {
        panic!("{:?}", parsed.products)
    };
    assert_eq!(cap.handle, "cap");
    assert_eq!(cap.texts[0].title, "Cap");
    // Status wins over Published.
    assert_eq!(cap.status, ProductStatus::Draft);
    assert_eq!(cap.category.as_deref(), Some("Hats"));
    assert_eq!(cap.variants[0].prices, usd(500, None));
    assert_eq!(cap.variants[0].stock, 3);
    assert!(cap.option_names.is_empty() && cap.variants[0].option_values.is_empty());
    assert_eq!(mug.status, ProductStatus::Draft);
    // An empty quantity is none on hand.
    assert_eq!(mug.variants[0].stock, 0);
    // Neither Status nor Published: active, as in Shopify.
    assert_eq!(pin.status, ProductStatus::Active);
    assert_eq!(pin.category, None);
}

#[test]
fn a_file_without_a_handle_column_is_refused() {
    for input in ["Title,Variant Price\nCap,5.00\n", "", "\u{feff}"] {
        let result = read_products(input.as_bytes(), &options("USD", false), |_| {});
        assert!(
            matches!(result, Err(ImportError::MissingHandleColumn)),
            "{input:?}: {result:?}"
        );
    }
}

#[test]
fn zero_decimal_currencies_take_whole_amounts() {
    let input = "Handle,Title,Option1 Name,Option1 Value,Variant Price,Variant Compare At Price\n\
                 tea,Tea,Title,Default Title,1500,2000\n\
                 cup,Cup,Title,Default Title,1500.50,\n\
                 pot,Pot,Title,Default Title,3000.00,\n";
    let parsed = read(input, &options("JPY", true));
    assert_eq!(
        error_lines(&parsed),
        [
            "line 3 (handle cup): Variant Price \"1500.50\" has more decimals than JPY has (like \
          1999)"
        ]
    );
    let prices: Vec<_> = parsed
        .products
        .iter()
        .map(|p| (p.handle.as_str(), p.variants[0].prices[0].clone()))
        .collect();
    let yen = |amount, compare_at| Price {
        currency: currency("JPY"),
        amount,
        compare_at,
    };
    assert_eq!(
        prices,
        [("tea", yen(1500, Some(2000))), ("pot", yen(3000, None))]
    );
}

#[test]
fn handles_are_normalized_and_collisions_refused() {
    let input = "Handle,Title,Variant Price\n\
                 Summer Dress (2026),Dress,10.00\n\
                 Ünï_Shirt,Shirt,10.00\n\
                 summer_dress_2026,Other dress,12.00\n";
    let parsed = read(input, &options("USD", true));
    let handles: Vec<&str> = parsed.products.iter().map(|p| p.handle.as_str()).collect();
    assert_eq!(handles, ["summer-dress-2026", "n-shirt"]);
    assert_eq!(
        error_lines(&parsed),
        [
            "line 4 (handle summer-dress-2026): Handle \"summer_dress_2026\" becomes \
          summer-dress-2026, as does Handle \"Summer Dress (2026)\" on line 2: give one of them \
          another handle"
        ]
    );
}

#[test]
fn options_and_shipping_must_be_consistent_within_a_product() {
    let input = "Handle,Title,Option1 Name,Option1 Value,Option2 Value,Variant Price,\
                 Variant Requires Shipping,Published,Image Src,Image Position\n\
                 kit,Kit,Size,S,,1.00,TRUE,yes,,\n\
                 kit,,,,,1.00,FALSE,,,\n\
                 kit,,,M,Red,1.00,TRUE,,,\n\
                 kit,,,L,,1.00,maybe,,https://x.example/a.jpg,first\n\
                 ebook,E-book,Title,Default Title,,2.00,FALSE,,,\n\
                 ebook,,,,,,,,https://x.example/e.jpg,1\n";
    let parsed = read(input, &options("USD", true));
    assert_eq!(
        error_lines(&parsed),
        [
            "line 2 (handle kit): Published \"yes\" is not TRUE or FALSE",
            "line 3 (handle kit): Option1 Value is empty but the product has an Option1 Name",
            "line 3 (handle kit): Variant Requires Shipping is FALSE here but TRUE on line 2: \
             in groupcart a whole product is either shipped or digital",
            "line 4 (handle kit): Option2 Value \"Red\" is given but the product has no \
             Option2 Name",
            "line 5 (handle kit): Image Position \"first\" is not a whole number like 1",
            "line 5 (handle kit): Variant Requires Shipping \"maybe\" is not TRUE or FALSE",
        ]
    );
    let [ebook] = &parsed.products[..] else {
        panic!("{:?}", parsed.products)
    };
    assert_eq!(ebook.fulfilment, Fulfilment::Digital);
    assert_eq!(ebook.variants.len(), 1, "an image-only row is no variant");
    assert_eq!(ebook.images[0].src, "https://x.example/e.jpg");
}

#[test]
fn a_product_without_options_has_one_variant() {
    let input = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\n\
                 pin,Pin,Title,Default Title,P-1,1.00\n\
                 pin,,,Default Title,P-1,1.00\n";
    let parsed = read(input, &options("USD", true));
    assert_eq!(
        error_lines(&parsed),
        [
            "line 3 (handle pin): Option values (none): the same option values are used by \
             another variant",
            "line 3 (handle pin): Variant SKU \"P-1\": is used by another variant",
        ]
    );
    assert!(parsed.products.is_empty());
}

#[test]
fn text_in_another_encoding_is_refused_by_line() {
    // "Café" in Latin-1, as spreadsheets on Windows save it.
    let mut input = b"Handle,Title,Variant Price\nok,Fine,1.00\ncafe,Caf".to_vec();
    input.extend_from_slice(&[0xe9]);
    input.extend_from_slice(b",2.00\n");
    let parsed = read(input, &options("USD", true));
    assert_eq!(
        error_lines(&parsed),
        ["line 3 (handle cafe): Title is not UTF-8 text: save the file as CSV UTF-8"]
    );
    assert_eq!(parsed.products.len(), 1);
}

#[test]
fn errors_are_capped_but_counted() {
    let mut input = String::from("Handle,Title,Variant Price\n");
    for i in 0..MAX_ERRORS + 500 {
        input.push_str(&format!("p-{i},P,free\n"));
    }
    let parsed = read(input, &options("USD", true));
    assert_eq!(parsed.errors.len(), MAX_ERRORS);
    assert_eq!(parsed.errors_omitted, 500);
    assert_eq!(parsed.errors[0].line, 2);
    assert!(parsed.products.is_empty());
}

#[test]
fn the_synthetic_file_is_valid_and_reports_progress() {
    let input = synthetic_csv(10_000);
    assert_eq!(input, synthetic_csv(10_000), "deterministic");
    let mut calls = Vec::new();
    let parsed =
        read_products(input.as_bytes(), &options("USD", false), |b| calls.push(b)).unwrap();
    assert_eq!(error_lines(&parsed), Vec::<String>::new());
    assert_eq!(parsed.rows, 10_000);
    assert_eq!(parsed.products.len(), 2_000);
    assert!(parsed.products.iter().all(|p| p.variants.len() == 5));
    assert_eq!(
        parsed
            .products
            .iter()
            .map(|p| p.variants.len())
            .sum::<usize>(),
        10_000
    );
    // Every 1,000 rows, then once at the end.
    assert_eq!(calls.len(), 11);
    assert!(calls.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(calls.last(), Some(&(input.len() as u64)));

    let short = read(synthetic_csv(7), &options("USD", false));
    assert!(short.is_clean());
    let sizes: Vec<usize> = short.products.iter().map(|p| p.variants.len()).collect();
    assert_eq!(sizes, [5, 2]);
    assert!(read(synthetic_csv(0), &options("USD", false))
        .products
        .is_empty());
}
