//! Purging inactive members end to end through the simulator, on SQLite and PostgreSQL:
//! members join the group (one speaks), a month passes; the admin API lists the inactive
//! ones (a paying customer only when customers are included), someone speaks after the
//! listing, and the confirmation removes exactly the inactive members who are not staff
//! (kicked: not in the group, not banned), skips the one who spoke, leaves the group's
//! administrator alone, logs a `kick` naming the caller, and does nothing twice when
//! confirmed again. The console lists and confirms the same way, with its CSRF token.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart_core::moderation::Sanction;
use groupcart_simulator::types::{MemberStatus, SimUser};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GROUP: i64 = -1_002_000_000_277;

on_both_databases!(
    inactive_members_are_listed_and_removed_on_confirmation,
    the_console_lists_and_removes_inactive_members,
);

/// The member's status in the group, as the simulator holds it (`null` if never there).
async fn member_status(shop: &Shop, who: &SimUser) -> Value {
    let chats: Value = shop
        .http
        .get(format!("http://{}/sim/chats", shop.app.addr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    chats
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == GROUP)
        .map(|c| c["members"][who.id.to_string()].clone())
        .unwrap_or(Value::Null)
}

async fn wait_member(shop: &Shop, who: &SimUser, status: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = member_status(shop, who).await;
        if now == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} never became {status}: {now}",
            who.first_name
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Waits until groupcart has seen `who` in the group (joining, or `messages` messages).
async fn wait_tracked(shop: &Shop, who: &SimUser, messages: i64) {
    let deadline = Instant::now() + WAIT;
    loop {
        let member = shop
            .app
            .store
            .chat_member("demo", GROUP, who.id)
            .await
            .unwrap();
        if member.is_some_and(|m| m.present && m.messages >= messages) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} was never tracked",
            who.first_name
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The kicks in the group's moderation log, once there are `count`.
async fn kicks(shop: &Shop, count: usize) -> Vec<groupcart_core::moderation::ActionRecord> {
    let deadline = Instant::now() + WAIT;
    loop {
        let log = shop
            .app
            .store
            .moderation_log("demo", GROUP, None, 100)
            .await
            .unwrap();
        let kicks: Vec<_> = log
            .into_iter()
            .filter(|a| a.sanction == Sanction::Kick)
            .collect();
        if kicks.len() >= count {
            return kicks;
        }
        assert!(
            Instant::now() < deadline,
            "{} kicks of {count}",
            kicks.len()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn listed(body: &Value) -> Vec<i64> {
    body["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["user_id"].as_i64().unwrap())
        .collect()
}

/// Telegram's timestamps are the wall clock's, the app's clock is ahead: sets the app's
/// "now" to `at` (from here on it runs with the wall clock again).
fn set_now(clock: &AheadClock, at: chrono::DateTime<chrono::Utc>) {
    use groupcart_core::clock::Clock;
    clock.advance(at - clock.now());
}

async fn inactive_members_are_listed_and_removed_on_confirmation(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    restock_scarves(&shop, 5).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    let boss = staff_member(8101, "Lin", "lin_admin", Some("en"));
    let (ana, bo, cy) = (
        customer(8102, "Ana"),
        customer(8103, "Bo"),
        customer(8104, "Cy"),
    );
    let dee = customer(8105, "Dee");
    // Dee buys something: a paying customer.
    welcome(&shop, &dee).await;
    buy_scarves(&shop, &dee, 1).await;
    for (who, status) in [
        (&boss, MemberStatus::Administrator),
        (&ana, MemberStatus::Member),
        (&bo, MemberStatus::Member),
        (&cy, MemberStatus::Member),
        (&dee, MemberStatus::Member),
    ] {
        shop.sim.add_user(GROUP, who, status).await.unwrap();
        wait_tracked(&shop, who, 0).await;
    }
    // Bo speaks once, now: a month later that is inactive too.
    shop.sim
        .send_text_in(shop.bot, &bo, GROUP, "hello tea people")
        .await
        .unwrap();
    wait_tracked(&shop, &bo, 1).await;

    // A month and a day later.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mark = chrono::Utc::now();
    set_now(&clock, mark + chrono::Duration::days(30));
    let path = format!("/chats/demo/{GROUP}/purge-candidates?inactive_days=30");
    let (status, body) = shop.api_get(&path).await;
    assert_eq!(status, 200, "{body}");
    // Oldest activity first: Bo spoke after Cy joined.
    assert_eq!(listed(&body), [boss.id, ana.id, cy.id, bo.id], "{body}");
    assert_eq!(body["limit"], 1000);
    assert_eq!(body["truncated"], false);
    let bo_row = &body["candidates"][3];
    assert_eq!(bo_row["messages"], 1);
    assert_eq!(bo_row["first_name"], "Bo");
    let (status, with_customers) = shop
        .api_get(&format!("{path}&include_customers=true"))
        .await;
    assert_eq!(status, 200, "{with_customers}");
    let ids = listed(&with_customers);
    assert!(ids.contains(&dee.id), "{with_customers}");
    let dee_row = with_customers["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user_id"] == dee.id)
        .unwrap();
    assert!(dee_row["paid_orders"].as_i64().unwrap() >= 1);
    assert!(dee_row["customer_id"].is_i64());

    // Bad input and an unknown chat.
    let (status, bad) = shop
        .api_get(&format!(
            "/chats/demo/{GROUP}/purge-candidates?inactive_days=0"
        ))
        .await;
    assert_eq!(status, 422, "{bad}");
    let (status, _) = shop
        .api_get(&format!("/chats/demo/{GROUP}/purge-candidates"))
        .await;
    assert_eq!(status, 422, "a reason is needed");
    let (status, _) = shop
        .api_get("/chats/demo/-1009/purge-candidates?inactive_days=30")
        .await;
    assert_eq!(status, 404);
    let (status, bad) = shop
        .api_send(
            reqwest::Method::POST,
            &format!("/chats/demo/{GROUP}/purge"),
            json!({"user_ids": [], "inactive_days": 30}),
        )
        .await;
    assert_eq!(status, 422, "{bad}");
    assert!(bad.to_string().contains("user_ids"), "{bad}");

    // Cy speaks after the list was shown.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    shop.sim
        .send_text_in(shop.bot, &cy, GROUP, "still here!")
        .await
        .unwrap();
    wait_tracked(&shop, &cy, 1).await;
    // Confirmed as if right after the listing.
    set_now(&clock, mark + chrono::Duration::days(30));
    let everyone = [boss.id, ana.id, bo.id, cy.id, dee.id];
    let (status, outcome) = shop
        .api_send(
            reqwest::Method::POST,
            &format!("/chats/demo/{GROUP}/purge"),
            json!({"user_ids": everyone, "inactive_days": 30}),
        )
        .await;
    assert_eq!(status, 202, "{outcome}");
    assert_eq!(outcome["queued"], json!([boss.id, ana.id, bo.id]));
    assert_eq!(
        outcome["skipped"],
        json!([
            {"user_id": cy.id, "reason": "active"},
            {"user_id": dee.id, "reason": "customer"},
        ])
    );

    // Ana and Bo are removed (they may come back: not banned); the administrator stays.
    wait_member(&shop, &ana, "left").await;
    wait_member(&shop, &bo, "left").await;
    let log = kicks(&shop, 2).await;
    let mut kicked: Vec<i64> = log.iter().map(|a| a.user_id).collect();
    kicked.sort_unstable();
    assert_eq!(kicked, [ana.id, bo.id]);
    assert!(log.iter().all(|a| a.actor == "api"), "{log:?}");
    assert!(
        log.iter().all(|a| a.reason == "inactive for 30 days"),
        "{log:?}"
    );
    // The administrator's job has run too (the skip is an event).
    let deadline = Instant::now() + WAIT;
    while !shop
        .app
        .store
        .recent_events(Some("member_purge_skipped"), 10)
        .await
        .unwrap()
        .iter()
        .any(|e| e.event.data["user"] == boss.id && e.event.data["reason"] == "staff")
    {
        assert!(
            Instant::now() < deadline,
            "the administrator was never checked"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(member_status(&shop, &boss).await, "administrator");
    assert_eq!(member_status(&shop, &cy).await, "member");
    assert_eq!(member_status(&shop, &dee).await, "member");
    let ana_row = shop
        .app
        .store
        .chat_member("demo", GROUP, ana.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!ana_row.present);

    // Confirming again removes nobody twice.
    let (status, again) = shop
        .api_send(
            reqwest::Method::POST,
            &format!("/chats/demo/{GROUP}/purge"),
            json!({"user_ids": [ana.id, bo.id], "inactive_days": 30}),
        )
        .await;
    assert_eq!(status, 202, "{again}");
    assert_eq!(again["queued"], json!([]));
    assert_eq!(
        again["skipped"],
        json!([
            {"user_id": ana.id, "reason": "left"},
            {"user_id": bo.id, "reason": "left"},
        ])
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(kicks(&shop, 2).await.len(), 2);

    // The confirmation is in the audit log; the buyer's export holds the group.
    let entries = shop.app.store.audit_entries(0, 1000).await.unwrap();
    assert!(entries
        .iter()
        .any(|e| e.entry.action == "POST /api/chats/{bot}/{chat_id}/purge"));
    let customer = shop
        .app
        .store
        .customer_by_telegram_id(dee.id)
        .await
        .unwrap()
        .unwrap();
    let (status, export) = shop
        .api_get(&format!("/customers/{}/export", customer.id.0))
        .await;
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["chat_memberships"][0]["chat_id"], GROUP, "{export}");
    shop.stop().await;
}

async fn the_console_lists_and_removes_inactive_members(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    let (eve, fay) = (customer(8201, "Eve"), customer(8202, "Fay"));
    for who in [&eve, &fay] {
        shop.sim
            .add_user(GROUP, who, MemberStatus::Member)
            .await
            .unwrap();
        wait_tracked(&shop, who, 0).await;
    }
    clock.advance(chrono::Duration::days(8));
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    let chat = format!("/chats/demo/{GROUP}");

    // A mistake in the filter comes back with the problem and what was typed.
    let wrong = owner
        .get(&format!("{chat}?purge=1&inactive_days=abc"))
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(
        wrong.body.contains("problem-inactive_days"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("value=\"abc\""));

    let page = owner.get(&format!("{chat}?purge=1&inactive_days=7")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Members to remove"));
    for who in [&eve, &fay] {
        assert!(
            page.body.contains(&format!(
                "name=\"user_id\" value=\"{}\" data-testid=\"pick-{}\" checked",
                who.id, who.id
            )),
            "{}",
            page.body
        );
    }
    let csrf = page.csrf();
    let eve_id = eve.id.to_string();
    let fay_id = fay.id.to_string();
    let purge = format!("{chat}/purge");

    // Without the session's CSRF token nothing happens.
    let forged = owner
        .post(&purge, &[("inactive_days", "7"), ("user_id", &eve_id)])
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    // Nobody checked: 422, the list shown again.
    let none = owner
        .post(&purge, &[("csrf", &csrf), ("inactive_days", "7")])
        .await;
    assert_eq!(none.status, 422, "{}", none.body);
    assert!(none.body.contains("problem-user_ids"), "{}", none.body);
    assert!(none.body.contains(&format!("pick-{eve_id}")));
    assert!(kicks(&shop, 0).await.is_empty());

    let done = owner
        .post(
            &purge,
            &[
                ("csrf", &csrf),
                ("inactive_days", "7"),
                ("user_id", &eve_id),
                ("user_id", &fay_id),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let back = done.location.unwrap();
    assert_eq!(back, format!("{chat}?ok=purge&queued=2&skipped=0"));
    let shown = owner.get(&back).await;
    assert!(
        shown.body.contains("2 members will be removed; 0 skipped."),
        "{}",
        shown.body
    );
    wait_member(&shop, &eve, "left").await;
    wait_member(&shop, &fay, "left").await;
    let log = kicks(&shop, 2).await;
    assert!(log.iter().all(|a| a.actor == format!("console:{user}")));
    // The chat's log shows them as removed by a purge.
    let page = owner.get(&chat).await;
    assert!(page.body.contains("removed (purge)"), "{}", page.body);
    assert!(audited(&shop, &user)
        .await
        .contains(&"chat.purge".to_owned()));
    shop.stop().await;
}
