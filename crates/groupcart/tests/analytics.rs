//! Analytics end to end through the simulator, on SQLite and PostgreSQL: two people join the
//! group through an invite link of source `ad-fb`; Ann (who joined) starts the bot, looks at
//! the scarf, adds it to the cart, checks out and pays; Bob starts, looks and adds to the
//! cart; Cy only starts; Dee only joined. The funnel endpoint counts each step, as JSON and
//! as CSV; growth shows the link's conversion; engagement and retention count the three
//! customers; bad parameters answer 422.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use serde_json::{json, Value};
use std::time::{Duration, Instant};

const GROUP: i64 = -1_001_777_000_001;

on_both_databases!(the_funnel_counts_what_customers_did);

/// The funnel's counts, step by step.
fn counts(funnel: &Value) -> Vec<i64> {
    funnel["steps"]
        .as_array()
        .map(|steps| steps.iter().filter_map(|s| s["count"].as_i64()).collect())
        .unwrap_or_default()
}

async fn the_funnel_counts_what_customers_did(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Silk Lovers").await;
    let (status, link) = shop
        .api(
            &format!("/chats/demo/{GROUP}/invite-links"),
            json!({"name": "Facebook ad", "source": "ad-fb", "creates_join_request": false}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    assert_eq!(link["creates_join_request"], false, "{link}");
    let link = link["link"].as_str().unwrap().to_owned();

    let ann = customer(7301, "Ann");
    let bob = customer(7302, "Bob");
    let cy = customer(7303, "Cy");
    let dee = customer(7304, "Dee");
    shop.sim.join(shop.bot, &ann, &link).await.unwrap();
    shop.sim.join(shop.bot, &dee, &link).await.unwrap();
    welcome(&shop, &ann).await;
    buy_scarves(&shop, &ann, 1).await;
    welcome(&shop, &bob).await;
    scarves_in_cart(&shop, &bob, 1).await;
    welcome(&shop, &cy).await;

    // joined, started the bot, viewed a product, added to the cart, checkout, paid.
    let expected = vec![2, 3, 2, 2, 1, 1];
    let deadline = Instant::now() + WAIT;
    let funnel = loop {
        let (status, funnel) = shop.api_get("/analytics/funnel").await;
        assert_eq!(status, 200, "{funnel}");
        if counts(&funnel) == expected {
            break funnel;
        }
        assert!(
            Instant::now() < deadline,
            "the funnel never showed {expected:?}: {funnel}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(funnel["steps"][0]["step"], "joined");
    assert_eq!(
        funnel["steps"][1]["drop_off"], -1,
        "Bob and Cy never joined"
    );
    assert_eq!(funnel["steps"][5]["from_previous"], 1.0);
    assert_eq!(funnel["steps"][5]["from_first"], 0.5);

    // By first source: the deep link to the scarf is the first source Ann and Bob brought
    // (a plain `/start` brings none), so Cy is left out, and Dee, who never wrote.
    let (status, by_source) = shop.api_get("/analytics/funnel?source=p-silk-scarf").await;
    assert_eq!(status, 200, "{by_source}");
    assert_eq!(counts(&by_source), vec![1, 2, 2, 2, 1, 1], "{by_source}");
    let (status, by_chat) = shop
        .api_get(&format!("/analytics/funnel?chat={GROUP}"))
        .await;
    assert_eq!(status, 200, "{by_chat}");
    assert_eq!(counts(&by_chat), vec![2, 1, 1, 1, 1, 1], "{by_chat}");

    // The same as CSV, a header row and one row per step.
    let response = shop
        .http
        .get(format!(
            "http://{}/api/analytics/funnel?format=csv",
            shop.app.addr
        ))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 7, "{csv}");
    assert_eq!(lines[0], "step,count,from_previous,from_first,drop_off");
    assert_eq!(lines[1], "joined,2,,1,0");
    assert_eq!(lines[6], "paid,1,1,0.5,0");

    // The link brought two people, one of whom paid.
    let (status, growth) = shop.api_get("/analytics/growth?bucket=week").await;
    assert_eq!(status, 200, "{growth}");
    let links = &growth["invite_links"];
    assert_eq!(links[0]["source"], "ad-fb", "{growth}");
    assert_eq!(
        (links[0]["joined"].as_i64(), links[0]["converted"].as_i64()),
        (Some(2), Some(1))
    );
    let new: i64 = growth["new_customers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["customers"].as_i64())
        .sum();
    assert_eq!(new, 3, "{growth}");

    let (status, engagement) = shop.api_get("/analytics/engagement").await;
    assert_eq!(status, 200, "{engagement}");
    assert_eq!(engagement["mau"], 3, "{engagement}");
    let (status, retention) = shop.api_get("/analytics/retention?weeks=2").await;
    assert_eq!(status, 200, "{retention}");
    let size: i64 = retention["cohorts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["size"].as_i64())
        .sum();
    assert_eq!(size, 3, "{retention}");
    let (status, commerce) = shop.api_get("/analytics/commerce").await;
    assert_eq!(status, 200, "{commerce}");
    assert_eq!(commerce["currencies"][0]["orders"], 1, "{commerce}");

    // Bad parameters.
    for bad in [
        "/analytics/funnel?from=2025-13-01",
        "/analytics/funnel?from=2025-09-02&to=2025-09-01",
        "/analytics/growth?bucket=year",
        "/analytics/commerce?chart=pie",
        "/analytics/retention?weeks=99",
        "/analytics/engagement?surprise=1",
        "/analytics/funnel?to=99999-01-01",
    ] {
        let (status, body) = shop.api_get(bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["error"]["code"].is_string(), "{bad}: {body}");
    }
    shop.stop().await;
}
