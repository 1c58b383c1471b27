//! The console's product form end to end, on SQLite and PostgreSQL: the owner creates a
//! product with two variants in the console and a customer finds it in the bot's `/shop`
//! with its prices; editing its price and name changes what the bot shows. A form with
//! mistakes (prices that are not exact amounts, no name, a SKU given twice) comes back with
//! every problem and what was typed, and nothing is stored; a forged CSRF token changes
//! nothing; an agent is kept out; the audit log names the console user. A Shopify CSV
//! imported from the console is all or nothing, with its problems by line.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart_core::console::Role;
use groupcart_simulator::types::{SentMessage, SimUser};

on_both_databases!(
    a_product_made_and_edited_in_the_console_is_sold_by_the_bot,
    a_catalog_csv_is_imported_all_or_nothing,
);

/// The inline buttons under a message, as (label, callback data).
fn buttons(message: &SentMessage) -> Vec<(String, String)> {
    let rows = message
        .reply_markup
        .as_ref()
        .and_then(|m| m["inline_keyboard"].as_array().cloned())
        .unwrap_or_default();
    rows.iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| {
            Some((
                b["text"].as_str()?.to_owned(),
                b["callback_data"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// The newest bot message with a button whose data starts with `prefix`.
async fn with_button(shop: &Shop, who: &SimUser, what: &str, prefix: &str) -> SentMessage {
    shop.wait_for(who.id, what, |m| {
        m.iter()
            .any(|m| buttons(m).iter().any(|(_, d)| d.starts_with(prefix)))
    })
    .await
    .into_iter()
    .rev()
    .find(|m| buttons(m).iter().any(|(_, d)| d.starts_with(prefix)))
    .unwrap()
}

/// Opens `/shop`, the candles category and the candle's card; returns the labels of the
/// category's list and of the card's buttons.
async fn candle_in_the_shop(
    shop: &Shop,
    who: &SimUser,
    product: i64,
) -> (Vec<String>, Vec<String>) {
    shop.sim.send_text(shop.bot, who, "/shop").await.unwrap();
    let front = with_button(shop, who, "the categories", "s:cat:").await;
    let (_, candles) = buttons(&front)
        .into_iter()
        .find(|(label, _)| label == "Candles")
        .expect("the new category is listed");
    shop.press(who, &front, &candles).await;
    let card_data = format!("s:p:{product}");
    let list = with_button(shop, who, "the candles", &card_data).await;
    let listed = buttons(&list).into_iter().map(|(label, _)| label).collect();
    shop.press(who, &list, &card_data).await;
    let card = with_button(shop, who, "the candle card", "c:add:").await;
    let offered = buttons(&card).into_iter().map(|(label, _)| label).collect();
    (listed, offered)
}

/// The edit form of the candle: a new name and the large one's price; the small one
/// (row 0) ticked for removal. The caller adds the CSRF token and the rows' variant ids.
fn edit_form<'a>(title: &'a str, price: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("status", "active"),
        ("fulfilment", "physical"),
        ("category", "Candles"),
        ("text_rows", "3"),
        ("t0_language", "en"),
        ("t0_title", title),
        ("t1_language", "zh-CN"),
        ("t1_title", "蜂蜡蜡烛"),
        ("images", "https://example.com/candle.jpg"),
        ("option0", "Size"),
        ("currency", "USD"),
        ("variant_rows", "3"),
        ("v0_sku", "CANDLE-S"),
        ("v0_option0", "Small"),
        ("v0_price", "12.50"),
        ("v0_remove", "on"),
        ("v1_sku", "CANDLE-L"),
        ("v1_option0", "Large"),
        ("v1_price", price),
        // Not read: a kept variant's stock changes through adjustments only.
        ("v1_stock", "99"),
    ]
}

async fn a_product_made_and_edited_in_the_console_is_sold_by_the_bot(database_url: String) {
    let shop = start(database_url).await;
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    let list = owner.get("/catalog").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("href=\"/catalog/new\""), "{}", list.body);
    let form = owner.get("/catalog/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("data-testid=\"variant-row-1\""));
    let csrf = form.csrf();

    // "Add a variant row" shows the form again, as typed, with one more row.
    let more = owner
        .post(
            "/catalog/new",
            &[
                ("csrf", &csrf),
                ("text_rows", "1"),
                ("variant_rows", "2"),
                ("t0_language", "en"),
                ("t0_title", "Half typed"),
                ("v0_sku", "HALF-1"),
                ("more", "1"),
            ],
        )
        .await;
    assert_eq!(more.status, 200, "{}", more.body);
    assert!(more.body.contains("data-testid=\"variant-row-2\""));
    assert!(!more.body.contains("data-testid=\"variant-row-3\""));
    assert!(more.body.contains("value=\"Half typed\""));
    assert!(more.body.contains("value=\"HALF-1\""));

    // Mistakes: every problem is named by its row, the form keeps what was typed and
    // nothing is stored.
    let refused = owner
        .post(
            "/catalog/new",
            &[
                ("csrf", &csrf),
                ("handle", "beeswax-candle"),
                ("status", "active"),
                ("fulfilment", "physical"),
                ("category", "Candles"),
                ("text_rows", "2"),
                ("t0_language", "en"),
                ("t0_title", ""),
                ("t0_description", "Hand-poured in small batches."),
                ("t1_language", "zh-CN"),
                ("option0", "Size"),
                ("currency", "USD"),
                ("variant_rows", "3"),
                ("v0_sku", "CANDLE"),
                ("v0_option0", "Small"),
                ("v0_price", "12.345"),
                ("v1_sku", "CANDLE"),
                ("v1_option0", "Large"),
                ("v1_price", "abc"),
                ("v1_stock", "3"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    for problem in [
        "Language 1 · title: must not be empty",
        "Variant 1 · price: `12.345` has more decimals than USD allows",
        "Variant 2 · price: `abc` is not an amount like 19.99",
        "Variant 2 · sku: is used by another variant",
    ] {
        assert!(
            refused.body.contains(problem),
            "{problem}: {}",
            refused.body
        );
    }
    for typed in [
        "value=\"12.345\"",
        "value=\"abc\"",
        "value=\"CANDLE\"",
        "value=\"beeswax-candle\"",
        "Hand-poured in small batches.",
    ] {
        assert!(refused.body.contains(typed), "{typed}: {}", refused.body);
    }
    assert!(shop
        .app
        .store
        .product_by_handle("beeswax-candle")
        .await
        .unwrap()
        .is_none());

    // Forged: nothing is made.
    let forged = owner
        .post(
            "/catalog/new",
            &[
                ("csrf", "forged"),
                ("handle", "forged-candle"),
                ("status", "active"),
                ("fulfilment", "physical"),
                ("text_rows", "1"),
                ("t0_language", "en"),
                ("t0_title", "Forged"),
                ("currency", "USD"),
                ("variant_rows", "1"),
                ("v0_price", "1"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(shop
        .app
        .store
        .product_by_handle("forged-candle")
        .await
        .unwrap()
        .is_none());

    // A good form: two variants, prices typed in dollars.
    let made = owner
        .post(
            "/catalog/new",
            &[
                ("csrf", &csrf),
                ("handle", "beeswax-candle"),
                ("status", "active"),
                ("fulfilment", "physical"),
                ("category", "Candles"),
                ("vendor", "Hive & Co"),
                ("tags", "home, gift"),
                ("text_rows", "2"),
                ("t0_language", "en"),
                ("t0_title", "Beeswax candle"),
                ("t0_description", "<p>Hand-poured.</p>"),
                ("t1_language", "zh-CN"),
                ("t1_title", "蜂蜡蜡烛"),
                ("images", "https://example.com/candle.jpg\n"),
                ("option0", "Size"),
                ("currency", "usd"),
                ("variant_rows", "3"),
                ("v0_sku", "CANDLE-S"),
                ("v0_option0", "Small"),
                ("v0_price", "12.50"),
                ("v0_compare_at", "15"),
                ("v0_weight", "180"),
                ("v0_stock", "5"),
                ("v1_sku", "CANDLE-L"),
                ("v1_option0", "Large"),
                ("v1_price", "19.99"),
                ("v1_stock", "3"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let location = made.location.clone().unwrap();
    let id: i64 = location
        .strip_prefix("/catalog/")
        .and_then(|rest| rest.strip_suffix("?ok=created"))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{location}"));
    let page = owner.get(&location).await;
    assert!(
        page.body.contains("The product was created."),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("href=\"/catalog/{id}/edit\"")));
    let (status, stored) = shop.api_get(&format!("/products/{id}")).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["handle"], "beeswax-candle");
    assert_eq!(stored["tags"], serde_json::json!(["home", "gift"]));
    assert_eq!(stored["images"][0]["src"], "https://example.com/candle.jpg");
    let variants = stored["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    assert_eq!(variants[0]["prices"][0]["amount"], 1250);
    assert_eq!(variants[0]["prices"][0]["compare_at"], 1500);
    assert_eq!(variants[0]["stock"], 5);
    assert_eq!(variants[0]["weight_grams"], 180);
    assert_eq!(variants[1]["prices"][0]["amount"], 1999);
    assert_eq!(variants[1]["stock"], 3);
    let large = variants[1]["id"].as_i64().unwrap();

    // The bot sells it at those prices.
    let mia = customer(7401, "Mia");
    let (listed, offered) = candle_in_the_shop(&shop, &mia, id).await;
    assert!(
        listed.iter().any(|l| l == "Beeswax candle · 12.50 USD"),
        "{listed:?}"
    );
    assert!(
        offered.iter().any(|l| l == "🛒 Small · 12.50 USD"),
        "{offered:?}"
    );
    assert!(
        offered.iter().any(|l| l == "🛒 Large · 19.99 USD"),
        "{offered:?}"
    );

    // Edited: a new name, the large one cheaper, the small one removed; the stock of the
    // kept variant is left as it is (a sale meanwhile is not undone).
    let (status, body) = shop
        .api(
            &format!("/variants/{large}/stock"),
            serde_json::json!({"delta": -1, "reason": "damaged"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let form = owner.get(&format!("/catalog/{id}/edit")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("value=\"12.50\""), "{}", form.body);
    assert!(form.body.contains("value=\"Beeswax candle\""));
    assert!(form.body.contains("value=\"蜂蜡蜡烛\""));
    let csrf = form.csrf();
    let small = variants[0]["id"].as_i64().unwrap().to_string();
    let large_id = large.to_string();
    let mut refused_edit = edit_form("Beeswax pillar", "17.5.0");
    refused_edit.extend([
        ("csrf", csrf.as_str()),
        ("v0_id", &small),
        ("v1_id", &large_id),
    ]);
    let refused = owner
        .post(&format!("/catalog/{id}/edit"), &refused_edit)
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("Variant 2 · price: `17.5.0`"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Beeswax pillar\""));
    let mut good_edit = edit_form("Beeswax pillar", "17.50");
    good_edit.extend([
        ("csrf", csrf.as_str()),
        ("v0_id", &small),
        ("v1_id", &large_id),
    ]);
    let forged_edit: Vec<(&str, &str)> = good_edit
        .iter()
        .map(|&(k, v)| if k == "csrf" { (k, "forged") } else { (k, v) })
        .collect();
    assert_eq!(
        owner
            .post(&format!("/catalog/{id}/edit"), &forged_edit)
            .await
            .status,
        403
    );
    let (_, unchanged) = shop.api_get(&format!("/products/{id}")).await;
    assert_eq!(unchanged["texts"][0]["title"], "Beeswax candle");
    assert_eq!(unchanged["variants"].as_array().unwrap().len(), 2);
    let saved = owner.post(&format!("/catalog/{id}/edit"), &good_edit).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("/catalog/{id}?ok=edited").as_str())
    );
    let (_, stored) = shop.api_get(&format!("/products/{id}")).await;
    assert_eq!(stored["texts"][0]["title"], "Beeswax pillar");
    let variants = stored["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 1, "{stored}");
    assert_eq!(variants[0]["id"], large);
    assert_eq!(variants[0]["prices"][0]["amount"], 1750);
    assert_eq!(
        variants[0]["stock"], 2,
        "the stock field of a kept variant is not read"
    );

    let ivo = customer(7402, "Ivo");
    let (listed, offered) = candle_in_the_shop(&shop, &ivo, id).await;
    assert!(
        listed.iter().any(|l| l == "Beeswax pillar · 17.50 USD"),
        "{listed:?}"
    );
    assert!(
        offered.iter().any(|l| l == "🛒 Large · 17.50 USD"),
        "{offered:?}"
    );
    assert!(!offered.iter().any(|l| l.contains("Small")), "{offered:?}");

    // An agent may not come in.
    add_user(&shop, "agent", Role::Agent, "agent-password-1").await;
    let mut agent = Browser::logged_in(&shop, "agent", "agent-password-1").await;
    assert_eq!(agent.get("/catalog/new").await.status, 403);
    assert_eq!(agent.get(&format!("/catalog/{id}/edit")).await.status, 403);
    let agent_csrf = agent.csrf().await;
    let mut agent_edit = edit_form("Agent candle", "1");
    agent_edit.extend([("csrf", agent_csrf.as_str()), ("v1_id", &large_id)]);
    let post = agent
        .post(&format!("/catalog/{id}/edit"), &agent_edit)
        .await;
    assert_eq!(post.status, 403);
    let (_, stored) = shop.api_get(&format!("/products/{id}")).await;
    assert_eq!(stored["texts"][0]["title"], "Beeswax pillar");
    assert_eq!(owner.get("/catalog/999999/edit").await.status, 404);

    let actions = audited(&shop, &user).await;
    for action in ["console.product.create", "console.product.edit"] {
        assert_eq!(
            actions.iter().filter(|a| *a == action).count(),
            1,
            "{actions:?}"
        );
    }
    let movements = shop
        .app
        .store
        .stock_movements(groupcart_core::catalog::VariantId(large))
        .await
        .unwrap();
    assert_eq!(movements[0].actor, format!("console:{user}"));
    shop.stop().await;
}

/// A Shopify CSV of two products; `price` is the mug's.
fn catalog_csv(price: &str) -> String {
    format!(
        "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Variant SKU,Variant Grams,Variant Inventory Qty,Variant Price,Variant Compare At Price,Variant Requires Shipping,Image Src,Image Position,Status\n\
         clay-mug,Clay mug,<p>Holds tea.</p>,Clay,Mugs,,TRUE,Title,Default Title,MUG-1,400,10,{price},,TRUE,,,active\n\
         linen-towel,Linen towel,,Acme,Home,,TRUE,Colour,Sand,TOWEL-SAND,200,4,9.00,,TRUE,,,active\n\
         linen-towel,,,,,,,,Grey,TOWEL-GREY,200,2,9.00,,TRUE,,,\n"
    )
}

fn import_form(csrf: &str, file: Option<String>, pasted: &str) -> reqwest::multipart::Form {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_owned())
        .text("currency", "USD")
        .text("language", "en")
        .text("csv", pasted.to_owned());
    match file {
        Some(file) => form.part(
            "file",
            reqwest::multipart::Part::text(file)
                .file_name("products.csv")
                .mime_str("text/csv")
                .unwrap(),
        ),
        None => form,
    }
}

async fn a_catalog_csv_is_imported_all_or_nothing(database_url: String) {
    let shop = start(database_url).await;
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    assert!(owner
        .get("/catalog")
        .await
        .body
        .contains("href=\"/catalog/import\""));
    let form = owner.get("/catalog/import").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = form.csrf();
    let stored = |handle: &'static str| {
        let store = shop.app.store.clone();
        async move { store.product_by_handle(handle).await.unwrap() }
    };

    // One bad price: nothing is imported, the problem is named by line, the text stays.
    let bad = catalog_csv("12.345");
    let refused = owner
        .post_multipart("/catalog/import", import_form(&csrf, None, &bad))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("line 2 (handle clay-mug): Variant Price"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("linen-towel,Linen towel"));
    assert!(stored("linen-towel").await.is_none());

    // Forged: nothing is imported.
    let good = catalog_csv("12.00");
    let forged = owner
        .post_multipart(
            "/catalog/import",
            import_form("forged", Some(good.clone()), ""),
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(stored("clay-mug").await.is_none());

    // The file wins over the (empty) pasted text.
    let done = owner
        .post_multipart("/catalog/import", import_form(&csrf, Some(good), ""))
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let location = done.location.unwrap();
    assert_eq!(location, "/catalog?ok=imported&created=2&updated=0");
    assert!(owner
        .get(&location)
        .await
        .body
        .contains("Imported: 2 new, 0 updated."));
    let mug = stored("clay-mug").await.expect("imported");
    assert_eq!(mug.variants[0].prices[0].amount, 1200);
    assert_eq!(mug.variants[0].stock, 10);
    let towel = stored("linen-towel").await.expect("imported");
    assert_eq!(towel.variants.len(), 2);

    // An agent may not import.
    add_user(&shop, "agent", Role::Agent, "agent-password-1").await;
    let mut agent = Browser::logged_in(&shop, "agent", "agent-password-1").await;
    assert_eq!(agent.get("/catalog/import").await.status, 403);
    let agent_csrf = agent.csrf().await;
    let post = agent
        .post_multipart(
            "/catalog/import",
            import_form(&agent_csrf, Some(catalog_csv("1.00")), ""),
        )
        .await;
    assert_eq!(post.status, 403);
    assert_eq!(
        stored("clay-mug").await.unwrap().variants[0].prices[0].amount,
        1200
    );

    let actions = audited(&shop, &user).await;
    assert!(
        actions.iter().any(|a| a == "console.catalog.import"),
        "{actions:?}"
    );
    shop.stop().await;
}
