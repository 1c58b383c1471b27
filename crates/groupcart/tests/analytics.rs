//! Analytics end to end through the simulator, on SQLite and PostgreSQL: two people join the
//! group through an invite link of source `ad-fb`; Ann (who joined) starts the bot, looks at
//! the scarf, adds it to the cart, checks out and pays; Bob starts, looks and adds to the
//! cart; Cy only starts; Dee only joined. The funnel endpoint counts each step, as JSON and
//! as CSV; growth shows the link's conversion; engagement and retention count the three
//! customers; bad parameters answer 422.
//!
//! With the same journey: a cost entered for `ad-fb` gives the cost per join and per
//! converted person of the growth report, and a cost for the scarf's deep link (Ann's and
//! Bob's first source) the revenue of its customers and the ROI; a saved segment filters
//! the funnel like the filter it stands for; LTV by first source and by tier (a two-tier
//! ladder whose base is `basic`: Ann's payment makes her `silver`) and the best posting
//! hours come out as the journey says; costs are listed and deleted, and bad ones answer
//! 422 with every field.
//!
//! Members and interactions: three people join, two speak (one on two days), one presses a
//! button, one starts from a deep link and one votes in a calendar poll; the members report
//! counts exactly that.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use chrono::DurationRound;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const GROUP: i64 = -1_001_777_000_001;

on_both_databases!(
    the_funnel_counts_what_customers_did,
    costs_segments_ltv_and_hours,
    members_who_spoke_and_interactions,
);

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

/// The journey of the module docs; returns the invite link.
async fn journey(shop: &Shop) {
    group_with_the_bot(shop, GROUP, "Silk Lovers").await;
    let (status, link) = shop
        .api(
            &format!("/chats/demo/{GROUP}/invite-links"),
            json!({"name": "Facebook ad", "source": "ad-fb", "creates_join_request": false}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let link = link["link"].as_str().unwrap().to_owned();
    let ann = customer(7301, "Ann");
    let bob = customer(7302, "Bob");
    let cy = customer(7303, "Cy");
    let dee = customer(7304, "Dee");
    shop.sim.join(shop.bot, &ann, &link).await.unwrap();
    shop.sim.join(shop.bot, &dee, &link).await.unwrap();
    welcome(shop, &ann).await;
    buy_scarves(shop, &ann, 1).await;
    welcome(shop, &bob).await;
    scarves_in_cart(shop, &bob, 1).await;
    welcome(shop, &cy).await;
    let deadline = Instant::now() + WAIT;
    loop {
        let (_, funnel) = shop.api_get("/analytics/funnel").await;
        if counts(&funnel) == vec![2, 3, 2, 2, 1, 1] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the journey never showed: {funnel}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn costs_segments_ltv_and_hours(database_url: String) {
    let began = chrono::Utc::now();
    let shop = start(database_url).await;
    journey(&shop).await;
    let (_, engagement) = shop.api_get("/analytics/engagement").await;
    let days = engagement["days"].as_array().unwrap();
    let today = days[days.len() - 1]["day"].as_str().unwrap().to_owned();

    // What Ann paid for her scarf.
    let (_, commerce) = shop.api_get("/analytics/commerce").await;
    let gmv = commerce["currencies"][0]["gmv"].as_i64().unwrap();
    let currency = commerce["currencies"][0]["currency"].clone();
    assert!(gmv > 0, "{commerce}");

    // Costs: 10.01 USD on the ad; two people joined through its link, one of them paid, but
    // her first source is the scarf's deep link, so the ad's revenue is 0. 5.00 on the deep
    // link: nobody joined through a link of it, and Ann's order is its revenue.
    let (status, scarf_cost) = shop
        .api(
            "/source-costs",
            json!({"source": "p-silk-scarf", "currency": currency, "amount": 500,
                   "spent_on": today}),
        )
        .await;
    assert_eq!(status, 201, "{scarf_cost}");
    let scarf_cost = scarf_cost["id"].as_i64().unwrap();
    let (status, cost) = shop
        .api(
            "/source-costs",
            json!({"source": "ad-fb", "currency": "usd", "amount": 1001, "spent_on": today,
                   "note": "Facebook ad"}),
        )
        .await;
    assert_eq!(status, 201, "{cost}");
    assert_eq!(cost["currency"], "USD", "{cost}");
    let id = cost["id"].as_i64().unwrap();
    let (status, listed) = shop.api_get("/source-costs").await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["costs"].as_array().unwrap().len(), 2, "{listed}");
    let (status, growth) = shop.api_get("/analytics/growth").await;
    assert_eq!(status, 200, "{growth}");
    let scarf_roi = gmv as f64 / 500.0;
    assert_eq!(
        growth["costs"],
        json!([{"source": "ad-fb", "currency": "USD", "cost": 1001, "joined": 2,
                "converted": 1, "cost_per_join": 500, "cost_per_converted": 1001,
                "revenue": 0, "roi": 0.0},
               {"source": "p-silk-scarf", "currency": currency, "cost": 500, "joined": 0,
                "converted": 0, "cost_per_join": null, "cost_per_converted": null,
                "revenue": gmv, "roi": scarf_roi}]),
        "{growth}"
    );
    let csv = shop
        .http
        .get(format!(
            "http://{}/api/analytics/growth?format=csv&chart=costs",
            shop.app.addr
        ))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv,
        format!(
            "source,currency,cost,joined,converted,cost_per_join,cost_per_converted,revenue,roi\r\n\
             ad-fb,USD,1001,2,1,500,1001,0,0\r\n\
             p-silk-scarf,{},500,0,0,,,{gmv},{scarf_roi}\r\n",
            currency.as_str().unwrap()
        )
    );
    // Bad costs: every field named.
    let (status, body) = shop
        .api(
            "/source-costs",
            json!({"source": "", "currency": "dollars", "amount": 0, "spent_on": "1900-01-01"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        ["source", "currency", "amount", "spent_on"],
        "{body}"
    );
    let (status, _) = shop
        .api(
            "/source-costs",
            json!({"source": "x", "currency": "USD", "amount": 1,
                                     "spent_on": today, "colour": "red"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = shop
        .api_send(
            reqwest::Method::DELETE,
            &format!("/source-costs/{id}"),
            json!(null),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = shop
        .api_send(
            reqwest::Method::DELETE,
            &format!("/source-costs/{id}"),
            json!(null),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = shop
        .api_send(
            reqwest::Method::DELETE,
            &format!("/source-costs/{scarf_cost}"),
            json!(null),
        )
        .await;
    assert_eq!(status, 204);
    let (_, growth) = shop.api_get("/analytics/growth").await;
    assert_eq!(growth["costs"], json!([]), "{growth}");

    // A saved segment filters as the filter its rule says.
    let (status, segment) = shop
        .api(
            "/segments",
            json!({"name": "Scarf deep link", "rule": "source = p-silk-scarf"}),
        )
        .await;
    assert_eq!(status, 201, "{segment}");
    let segment = segment["id"].as_i64().unwrap();
    let (status, by_segment) = shop
        .api_get(&format!("/analytics/funnel?segment={segment}"))
        .await;
    assert_eq!(status, 200, "{by_segment}");
    assert_eq!(counts(&by_segment), vec![1, 2, 2, 2, 1, 1], "{by_segment}");
    let (_, engagement) = shop
        .api_get(&format!("/analytics/engagement?segment={segment}"))
        .await;
    assert_eq!(engagement["mau"], 2, "{engagement}");
    let (status, body) = shop.api_get("/analytics/funnel?segment=999999").await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = shop.api_get("/analytics/funnel?segment=vip").await;
    assert_eq!(status, 422);

    // LTV: Ann and Bob came by the scarf's deep link and Ann paid; Cy came by none. By
    // tier: a ladder of `basic` and `silver` (from 0.01 of Ann's currency); after the
    // recompute Ann is silver, Bob and Cy (no stored tier) are under the base, `basic`.
    let (status, saved) = shop
        .api_send(
            reqwest::Method::PUT,
            "/tier-settings",
            json!({"tiers": [{"key": "basic"},
                             {"key": "silver", "min_spend": {currency.as_str().unwrap(): 1}}]}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let (status, body) = shop.api("/crm/recompute", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, ltv) = shop.api_get("/analytics/ltv").await;
    assert_eq!(status, 200, "{ltv}");
    let ann_ltv = json!([{"currency": currency, "buyers": 1, "revenue": gmv,
                          "per_customer": gmv / 2, "per_buyer": gmv}]);
    assert_eq!(
        ltv,
        json!({"sources": [
            {"source": null, "customers": 1, "currencies": []},
            {"source": "p-silk-scarf", "customers": 2, "currencies": ann_ltv}
        ], "tiers": [
            {"tier": "basic", "customers": 2, "currencies": []},
            {"tier": "silver", "customers": 1, "currencies": [
                {"currency": currency, "buyers": 1, "revenue": gmv, "per_customer": gmv,
                 "per_buyer": gmv}]}
        ]}),
        "{ltv}"
    );
    let csv = shop
        .http
        .get(format!(
            "http://{}/api/analytics/ltv?format=csv&chart=tiers",
            shop.app.addr
        ))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv,
        format!(
            "tier,customers,currency,buyers,revenue,ltv_per_customer,ltv_per_buyer\r\n\
             basic,2,,0,0,0,\r\n\
             silver,1,{},1,{gmv},{gmv},{gmv}\r\n",
            currency.as_str().unwrap()
        )
    );

    // Posting hours: Ann's checkout made her a customer in the US (New York's clock); the
    // others have no country. Every event happened in one of the UTC hours of this test.
    let (status, hours) = shop.api_get("/analytics/hours").await;
    assert_eq!(status, 200, "{hours}");
    let utc_hours: Vec<chrono::DateTime<chrono::Utc>> = {
        let mut hour = began.duration_trunc(chrono::TimeDelta::hours(1)).unwrap();
        let mut all = Vec::new();
        while hour <= chrono::Utc::now() {
            all.push(hour);
            hour += chrono::TimeDelta::hours(1);
        }
        all
    };
    let markets = hours["markets"].as_array().unwrap();
    let names: Vec<(&str, &str)> = markets
        .iter()
        .map(|m| (m["market"].as_str().unwrap(), m["zone"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [("US", "America/New_York"), ("unknown", "UTC")],
        "{hours}"
    );
    for (market, zone) in [(&markets[0], "America/New_York"), (&markets[1], "UTC")] {
        let per_hour: Vec<i64> = market["hours"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_i64)
            .collect();
        assert_eq!(per_hour.len(), 24);
        assert!(market["events"].as_i64().unwrap() > 0);
        assert_eq!(
            per_hour.iter().sum::<i64>(),
            market["events"].as_i64().unwrap()
        );
        let expected: Vec<u32> = utc_hours.iter().map(|h| local_hour(*h, zone)).collect();
        for (hour, events) in per_hour.iter().enumerate() {
            assert!(
                *events == 0 || expected.contains(&(hour as u32)),
                "{zone} hour {hour} not in {expected:?}: {hours}"
            );
        }
        let top = market["top"][0].as_u64().unwrap() as usize;
        assert_eq!(per_hour[top], *per_hour.iter().max().unwrap(), "{hours}");
    }
    let (status, _) = shop.api_get("/analytics/hours?chart=pie").await;
    assert_eq!(status, 422);
    shop.stop().await;
}

/// The local hour of day in `zone` at the UTC hour `at`: the hour whose local start the
/// zone's rules (`time_zone::local_to_utc`) map back to `at`.
fn local_hour(at: chrono::DateTime<chrono::Utc>, zone: &str) -> u32 {
    for days in [-1, 0, 1] {
        let date = at.date_naive() + chrono::TimeDelta::days(days);
        for hour in 0..24 {
            let local = date.and_hms_opt(hour, 0, 0).unwrap();
            if groupcart_core::time_zone::local_to_utc(local, zone) == at {
                return hour;
            }
        }
    }
    panic!("no local hour of {at} in {zone}");
}

/// The members report until it equals `expected` (the bot handles updates on its own time).
async fn members_report(shop: &Shop, query: &str, expected: &Value) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let (status, report) = shop.api_get(&format!("/analytics/members?{query}")).await;
        assert_eq!(status, 200, "{report}");
        if report == *expected {
            return report;
        }
        assert!(
            Instant::now() < deadline,
            "the members report never showed {expected}: {report}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Ann, Bob and Cy join the group; Ann spoke there yesterday and speaks again today, Bob
/// speaks once, Cy stays silent; Bob presses a button (the privacy notice's), Dee starts the
/// bot from a deep link, and Ann votes in a poll the calendar posted. The members report
/// counts each, per chat and per day, as JSON and as CSV.
async fn members_who_spoke_and_interactions(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Silk Lovers").await;
    let (status, link) = shop
        .api(
            &format!("/chats/demo/{GROUP}/invite-links"),
            json!({"name": "Members", "source": "members", "creates_join_request": false}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let link = link["link"].as_str().unwrap().to_owned();
    let today = chrono::Utc::now().date_naive();
    let yesterday = today - chrono::Duration::days(1);

    let ann = customer(7401, "Ann");
    let bob = customer(7402, "Bob");
    let cy = customer(7403, "Cy");
    let dee = customer(7404, "Dee");
    for who in [&ann, &bob, &cy] {
        shop.sim.join(shop.bot, who, &link).await.unwrap();
    }
    // Once the bot saw them join: three known members, none spoke yet.
    let silent = json!([{"bot": "demo", "chat_id": GROUP, "known_members": 3, "spoke": 0,
                         "silent": 3, "spoke_share": 0.0, "messages": 0}]);
    let deadline = Instant::now() + WAIT;
    loop {
        let (_, report) = shop
            .api_get(&format!("/analytics/members?from={today}&to={today}"))
            .await;
        if report["chats"] == silent {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the joins never counted: {report}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // The simulator stamps updates with the time they arrive, so yesterday's message is
    // recorded as the bot records a group message, through the store's membership port.
    let mut tx = shop.app.store.begin().await.unwrap();
    tx.member_spoke(&groupcart_core::membership::MemberSighting {
        bot: "demo".into(),
        chat_id: GROUP,
        user_id: ann.id,
        customer_id: None,
        first_name: "Ann".into(),
        username: None,
        at: yesterday.and_hms_opt(12, 0, 0).unwrap().and_utc(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    shop.sim
        .send_text_in(shop.bot, &ann, GROUP, "Good morning, silk lovers")
        .await
        .unwrap();
    shop.sim
        .send_text_in(shop.bot, &bob, GROUP, "Is the blue scarf back?")
        .await
        .unwrap();
    welcome(&shop, &bob).await;
    shop.sim
        .send_text(shop.bot, &dee, "/start summer-ad")
        .await
        .unwrap();

    // A poll from the calendar; Ann votes.
    let (status, post) = shop
        .api(
            "/posts",
            json!({"chat_id": GROUP, "category": "interaction",
                   "send_at": chrono::Utc::now() + chrono::Duration::milliseconds(500),
                   "poll": {"question": "Which colour next?", "options": ["Red", "Green"]}}),
        )
        .await;
    assert_eq!(status, 201, "{post}");
    let messages = shop
        .wait_for(GROUP, "the poll", |m| m.iter().any(|m| m.poll.is_some()))
        .await;
    let poll = messages.iter().find(|m| m.poll.is_some()).unwrap().clone();
    let deadline = Instant::now() + WAIT;
    loop {
        let (_, stored) = shop.api_get(&format!("/posts/{}", post["id"])).await;
        if stored["poll_id"].is_string() {
            break;
        }
        assert!(Instant::now() < deadline, "the poll id was never recorded");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    shop.sim
        .vote(shop.bot, &ann, GROUP, poll.message_id, &[1])
        .await
        .unwrap();

    let chat = |known: i64, spoke: i64, share: Value, messages: i64| {
        json!([{"bot": "demo", "chat_id": GROUP, "known_members": known, "spoke": spoke,
                "silent": known - spoke, "spoke_share": share, "messages": messages}])
    };
    let day = |day: chrono::NaiveDate, presses: i64, starts: i64, votes: i64| {
        json!({"day": day, "button_presses": presses, "deep_link_starts": starts,
               "poll_votes": votes})
    };
    // Yesterday and today: three known members, Ann and Bob spoke (Ann on both days), three
    // messages; today one press, one deep-link start, one vote.
    let both = members_report(
        &shop,
        &format!("from={yesterday}&to={today}"),
        &json!({
            "chats": chat(3, 2, json!(2.0 / 3.0), 3),
            "interactions": [day(yesterday, 0, 0, 0), day(today, 1, 1, 1)],
            "button_presses": 1, "deep_link_starts": 1, "poll_votes": 1,
        }),
    )
    .await;
    // Yesterday alone: nobody was known yet (they joined today), Ann's message counts.
    members_report(
        &shop,
        &format!("from={yesterday}&to={yesterday}"),
        &json!({
            "chats": chat(0, 0, Value::Null, 1),
            "interactions": [day(yesterday, 0, 0, 0)],
            "button_presses": 0, "deep_link_starts": 0, "poll_votes": 0,
        }),
    )
    .await;
    // Another chat: nothing.
    let (status, other) = shop
        .api_get(&format!(
            "/analytics/members?from={today}&to={today}&chat=-100999"
        ))
        .await;
    assert_eq!(status, 200, "{other}");
    assert_eq!(other["chats"], json!([]), "{other}");
    assert_eq!(
        (
            other["button_presses"].as_i64(),
            other["poll_votes"].as_i64()
        ),
        (Some(0), Some(0)),
        "{other}"
    );
    assert_eq!(both["chats"][0]["silent"], 1);

    // The same as CSV.
    let csv = |chart: &str| {
        let url = format!(
            "http://{}/api/analytics/members?from={yesterday}&to={today}&format=csv&chart={chart}",
            shop.app.addr
        );
        let request = shop.http.get(url).bearer_auth(API_TOKEN);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let chats = csv("chats").await;
    let lines: Vec<&str> = chats.lines().collect();
    assert_eq!(
        lines,
        [
            "bot,chat,known_members,spoke,silent,spoke_share,messages",
            &format!("demo,{GROUP},3,2,1,{},3", 2.0 / 3.0),
        ],
        "{chats}"
    );
    let days = csv("interactions").await;
    let lines: Vec<&str> = days.lines().collect();
    assert_eq!(
        lines,
        [
            "day,button_presses,deep_link_starts,poll_votes",
            &format!("{yesterday},0,0,0"),
            &format!("{today},1,1,1"),
        ],
        "{days}"
    );
    let (status, refused) = shop
        .api_get("/analytics/members?chart=days&format=csv")
        .await;
    assert_eq!(status, 422, "{refused}");

    // The console's table of the chat, and the CSV it links is the API's.
    let (user, password) = shop_harness::console::demo(&shop);
    let mut owner = shop_harness::console::Browser::logged_in(&shop, &user, &password).await;
    let page = owner
        .get(&format!("/analytics?from={yesterday}&to={today}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let row = format!(
        "<tr><td>Silk Lovers <span class=\"muted\">demo {GROUP}</span></td><td class=\"num\">3</td>\
         <td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">{}</td>\
         <td class=\"num\">3</td></tr>",
        "67 %"
    );
    assert!(page.body.contains(&row), "{row} in {}", page.body);
    let console_csv = owner
        .get(&format!(
            "/analytics/csv/members?chart=chats&from={yesterday}&to={today}"
        ))
        .await;
    assert_eq!(console_csv.body, chats);
    shop.stop().await;
}
