//! The operator console end to end, on SQLite and PostgreSQL: groupcart in sandbox mode (its
//! demo owner made at start), a browser-like client that keeps cookies, and customers in the
//! simulator giving the console real orders and tickets.
//!
//! Login with a good and a bad password; the per-account limit after repeated failures (and
//! the same refusal for a name that does not exist); TOTP with a code that works once; POSTs
//! without or with a wrong CSRF token refused; an agent kept out of the users page; shipping
//! an order from the console (the customer gets the tracking message); shipping from a CSV
//! with one bad line; answering a ticket from the inbox (the customer gets the reply, not
//! the internal note); logout ending the session; `groupcart user` on the same database.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart::config::{AgentGroupConfig, Config};
use groupcart_core::console::{self, Role};
use groupcart_core::shop::{OrderQuery, OrderStatus};
use groupcart_simulator::types::{ChatType, MemberStatus, SimChat};
use reqwest::header::SET_COOKIE;
use std::time::{Duration, Instant};

on_both_databases!(
    login_csrf_and_logout,
    failed_logins_are_limited,
    totp_codes_work_once,
    an_agent_cannot_manage_users,
    orders_ship_one_by_one_and_from_a_csv,
    tickets_are_answered_from_the_inbox,
    users_from_the_command_line,
);

const FORUM: i64 = -1_004_000_000_001;

async fn login_csrf_and_logout(database_url: String) {
    let shop = start(database_url).await;
    let (user, password) = demo(&shop);
    let mut anonymous = Browser::new(&shop);
    let root = anonymous.get("/").await;
    assert_eq!(root.status, 303);
    assert_eq!(root.location.as_deref(), Some("/login"));
    let login = anonymous.get("/login").await;
    assert!(
        login.body.contains("/sim"),
        "the sandbox's links: {}",
        login.body
    );
    for (name, value) in [
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("x-content-type-options", "nosniff"),
    ] {
        assert_eq!(login.headers[name], value);
    }
    let csp = login.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );

    // A wrong password is refused; so is a login form without its token.
    let wrong = anonymous.login(&user, "not the password", "").await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.body.contains("Wrong username, password or code."),
        "{}",
        wrong.body
    );
    let forged = Browser::new(&shop)
        .post("/login", &[("username", &user), ("password", &password)])
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);

    // Behind a proxy that says the browser came over HTTPS, cookies are Secure.
    let https = reqwest::Client::new()
        .get(format!("http://{}/login", shop.app.addr))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let cookie = https.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("; Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!login.headers[SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Secure"));

    let mut browser = Browser::logged_in(&shop, &user, &password).await;
    let session = browser.cookies["gc_session"].clone();
    let dashboard = browser.get("/").await;
    assert_eq!(dashboard.status, 200);
    assert!(
        dashboard.body.contains("data-testid=\"today-orders\""),
        "{}",
        dashboard.body
    );
    assert!(
        dashboard.body.contains("/sim"),
        "the sandbox's links moved here"
    );

    // The Chinese console, from the switch (a cookie) or the browser's language.
    let switched = browser.get("/lang/zh?back=/orders").await;
    assert_eq!(switched.location.as_deref(), Some("/orders"));
    assert!(browser.get("/orders").await.body.contains("订单"));
    browser.get("/lang/en?back=//evil.example").await;
    assert!(browser.get("/").await.body.contains("Dashboard"));

    // POSTs without the session's CSRF token, or with another one, change nothing.
    let ship = "/orders/1/ship";
    let none = browser
        .post(ship, &[("carrier", "DHL"), ("tracking", "1")])
        .await;
    assert_eq!(none.status, 403, "{}", none.body);
    assert!(none.body.contains("Form expired"), "{}", none.body);
    let other = browser
        .post(
            ship,
            &[
                ("csrf", "0".repeat(64).as_str()),
                ("carrier", "DHL"),
                ("tracking", "1"),
            ],
        )
        .await;
    assert_eq!(other.status, 403);
    let logout = browser.post("/logout", &[("csrf", "nope")]).await;
    assert_eq!(logout.status, 403);

    // Logout ends the session: the old cookie opens nothing any more.
    let csrf = browser.csrf().await;
    let out = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!((out.status, out.location.as_deref()), (303, Some("/login")));
    assert!(!browser.cookies.contains_key("gc_session"));
    browser.cookies.insert("gc_session".into(), session);
    let after = browser.get("/orders").await;
    assert_eq!(after.location.as_deref(), Some("/login"));

    let audit = shop.app.store.audit_entries_before(None, 50).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.entry.action.as_str()).collect();
    assert!(
        actions.contains(&"console.login") && actions.contains(&"console.logout"),
        "{actions:?}"
    );
    assert!(audit
        .iter()
        .all(|e| e.entry.actor == format!("console:{user}")));
    shop.stop().await;
}

async fn failed_logins_are_limited(database_url: String) {
    let shop = start(database_url).await;
    let (user, password) = demo(&shop);
    let mut browser = Browser::new(&shop);
    let mut refusals = Vec::new();
    for _ in 0..5 {
        let page = browser.login(&user, "wrong password", "").await;
        assert_eq!(page.status, 401);
        refusals.push(page.body);
    }
    // Locked: even the right password is refused, with a message that says to wait.
    let locked = browser.login(&user, &password, "").await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert!(
        locked.body.contains("Too many failed logins"),
        "{}",
        locked.body
    );
    // A name that does not exist is refused the same way and locks the same way.
    for _ in 0..5 {
        let page = browser.login("nobody-here", "wrong password", "").await;
        assert_eq!(page.status, 401);
        assert!(page.body.contains("Wrong username, password or code."));
    }
    let unknown = browser.login("nobody-here", "wrong password", "").await;
    assert_eq!(unknown.status, 429);
    // Other accounts still log in.
    add_user(&shop, "lin", Role::Agent, "lin's long password").await;
    Browser::logged_in(&shop, "lin", "lin's long password").await;

    // 20 failures from one address lock the address, whichever names they tried.
    for n in 0..10 {
        let page = browser
            .login(&format!("guess{n}"), "wrong password", "")
            .await;
        assert_eq!(page.status, 401);
    }
    let address = Browser::new(&shop)
        .login("lin", "lin's long password", "")
        .await;
    assert_eq!(address.status, 429, "{}", address.body);
    shop.stop().await;
}

async fn totp_codes_work_once(database_url: String) {
    let shop = start(database_url).await;
    add_user(&shop, "mei", Role::Admin, "mei's long password").await;
    let mei = shop
        .app
        .store
        .console_user_by_name("mei")
        .await
        .unwrap()
        .unwrap();
    let secret = console::enable_totp(shop.app.store.as_ref(), mei.id)
        .await
        .unwrap();
    let mut browser = Browser::new(&shop);
    let asked = browser.login("mei", "mei's long password", "").await;
    assert_eq!(asked.status, 401);
    assert!(asked.body.contains("6-digit code"), "{}", asked.body);
    let bytes = console::base32_decode(&secret).unwrap();
    let code = format!(
        "{:06}",
        console::totp_code(&bytes, console::totp_step(chrono::Utc::now()))
    );
    let done = browser.login("mei", "mei's long password", &code).await;
    assert_eq!(done.status, 303, "{}", done.body);
    // The same code again, from another browser: refused.
    let replay = Browser::new(&shop)
        .login("mei", "mei's long password", &code)
        .await;
    assert_eq!(replay.status, 401);
    shop.stop().await;
}

async fn an_agent_cannot_manage_users(database_url: String) {
    let shop = start(database_url).await;
    add_user(&shop, "lin", Role::Agent, "lin's long password").await;
    let mut agent = Browser::logged_in(&shop, "lin", "lin's long password").await;
    let users = agent.get("/users").await;
    assert_eq!(users.status, 403, "{}", users.body);
    assert!(users.body.contains("Not allowed"));
    let csrf = agent.csrf().await;
    let add = agent
        .post(
            "/users",
            &[
                ("csrf", &csrf),
                ("username", "eve"),
                ("role", "owner"),
                ("password", "0123456789ab"),
            ],
        )
        .await;
    assert_eq!(add.status, 403);
    assert!(shop
        .app
        .store
        .console_user_by_name("eve")
        .await
        .unwrap()
        .is_none());
    assert_eq!(agent.get("/inbox").await.status, 200);
    assert_eq!(agent.get("/audit").await.status, 403);
    assert!(!agent.get("/").await.body.contains("href=\"/users\""));

    // The owner adds an analyst and disables the agent, whose session ends at once.
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    let csrf = owner.csrf().await;
    let added = owner
        .post(
            "/users",
            &[
                ("csrf", &csrf),
                ("username", "ana"),
                ("display_name", "Ana <b>"),
                ("role", "analyst"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert!(
        added.body.contains("password (shown once)"),
        "{}",
        added.body
    );
    assert!(added.body.contains("Ana &lt;b&gt;") && !added.body.contains("Ana <b>"));
    let lin = shop
        .app
        .store
        .console_user_by_name("lin")
        .await
        .unwrap()
        .unwrap();
    let disabled = owner
        .post(&format!("/users/{}/disable", lin.id), &[("csrf", &csrf)])
        .await;
    assert_eq!(disabled.status, 303, "{}", disabled.body);
    assert_eq!(
        agent.get("/inbox").await.location.as_deref(),
        Some("/login")
    );
    shop.stop().await;
}

/// A paid order of the customer, newest first.
async fn paid_orders(shop: &Shop, customer: i64) -> Vec<i64> {
    let orders = shop
        .app
        .store
        .orders(&OrderQuery {
            customer: Some(groupcart_core::customer::CustomerId(customer)),
            status: Some(OrderStatus::Paid),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    orders.iter().map(|o| o.id.0).collect()
}

async fn orders_ship_one_by_one_and_from_a_csv(database_url: String) {
    let shop = start(database_url).await;
    let buyer = customer(9301, "Grace");
    welcome(&shop, &buyer).await;
    buy_scarves(&shop, &buyer, 1).await;
    buy_scarves(&shop, &buyer, 1).await;
    let id = customer_id(&shop, &buyer).await;
    let paid = paid_orders(&shop, id).await;
    assert_eq!(paid.len(), 2, "{paid:?}");
    let (first, second) = (paid[1], paid[0]);

    let (user, password) = demo(&shop);
    let mut browser = Browser::logged_in(&shop, &user, &password).await;
    let list = browser.get("/orders?status=paid").await;
    assert!(
        list.body.contains(&format!("order-row-{first}")),
        "{}",
        list.body
    );
    let found = browser.get("/orders?q=Grace").await;
    assert!(
        found.body.contains(&format!("order-row-{second}")),
        "{}",
        found.body
    );
    let page = browser.get(&format!("/orders/{first}")).await;
    assert!(
        page.body.contains("Silk scarf") && page.body.contains("39.00 USD"),
        "{}",
        page.body
    );
    let csrf = page.csrf();

    // A shipment without a carrier is refused with the reason; then shipped.
    let empty = browser
        .post(
            &format!("/orders/{first}/ship"),
            &[("csrf", &csrf), ("carrier", ""), ("tracking", "X")],
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("carrier"), "{}", empty.body);
    let shipped = browser
        .post(
            &format!("/orders/{first}/ship"),
            &[("csrf", &csrf), ("carrier", "DHL"), ("tracking", "JD0001")],
        )
        .await;
    assert_eq!(shipped.status, 303, "{}", shipped.body);
    shop.wait_for(buyer.id, "the shipping message", |m| {
        has_text(
            m,
            &format!("order #{first} is on its way with DHL. Tracking number: JD0001"),
        )
    })
    .await;
    let order = shop
        .app
        .store
        .order(groupcart_core::shop::OrderId(first))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.status, OrderStatus::Shipped);
    assert_eq!(
        order.timeline.last().unwrap().actor,
        format!("console:{user}")
    );

    // A CSV: a header, a good line, an unknown order, a line of two columns, the order
    // shipped already.
    let csv = format!("order,carrier,tracking\n{second},UPS,1Z999\n999999,UPS,1Z000\n{second},UPS\n{first},DHL,JD0002\n");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes())
                .file_name("ship.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let report = browser.post_multipart("/orders/bulk-ship", form).await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(
        report.body.contains("Shipped: 1 · Failed: 3"),
        "{}",
        report.body
    );
    assert!(
        report.body.contains("order 999999 does not exist"),
        "{}",
        report.body
    );
    assert!(
        report.body.contains("expected 3 columns"),
        "{}",
        report.body
    );
    shop.wait_for(buyer.id, "the second shipping message", |m| {
        has_text(
            m,
            &format!("order #{second} is on its way with UPS. Tracking number: 1Z999"),
        )
    })
    .await;
    // Without the token, the file is not looked at.
    let forged = reqwest::multipart::Form::new().text("csv", format!("{second},UPS,1"));
    assert_eq!(
        browser
            .post_multipart("/orders/bulk-ship", forged)
            .await
            .status,
        403
    );

    // The customer's profile shows the orders and the consent given at /start.
    let search = browser.get("/customers?q=grace").await;
    assert!(
        search.body.contains(&format!("href=\"/customers/{id}\"")),
        "{}",
        search.body
    );
    let profile = browser.get(&format!("/customers/{id}")).await;
    assert!(
        profile.body.contains(&format!("href=\"/orders/{first}\"")),
        "{}",
        profile.body
    );
    assert!(
        profile.body.contains("marketing · granted"),
        "{}",
        profile.body
    );
    // The audit page lists the shipments.
    let audit_page = browser.get("/audit").await;
    assert!(
        audit_page.body.contains("console.order.ship"),
        "{}",
        audit_page.body
    );

    let audit = shop.app.store.audit_entries_before(None, 50).await.unwrap();
    let ships = audit
        .iter()
        .filter(|e| {
            e.entry.action == "console.order.ship" && e.entry.actor == format!("console:{user}")
        })
        .count();
    assert_eq!(ships, 2);
    shop.stop().await;
}

fn support_group(config: &mut Config) {
    config.support.groups = vec![AgentGroupConfig {
        key: "en".into(),
        chat_id: FORUM,
        languages: Vec::new(),
        topics: Vec::new(),
        language: "en".into(),
        time_zone: "UTC".into(),
        days: "daily".into(),
        hours: "00:00-00:00".into(),
        supervisor_chat_id: None,
        translate_to: None,
    }];
}

async fn tickets_are_answered_from_the_inbox(database_url: String) {
    let shop = start_with(database_url, support_group).await;
    shop.sim
        .register_chat(&SimChat {
            id: FORUM,
            kind: ChatType::Supergroup,
            title: "Support".into(),
            username: None,
            is_forum: true,
        })
        .await
        .unwrap();
    shop.sim
        .add_bot(FORUM, shop.bot, MemberStatus::Administrator)
        .await
        .unwrap();
    let sam = customer(9401, "Sam");
    shop.sim
        .send_text(shop.bot, &sam, "Can I pay with a bank cheque from Chile?")
        .await
        .unwrap();
    shop.wait_for(sam.id, "the ticket", |m| has_text(m, "(ticket #"))
        .await;
    let deadline = Instant::now() + WAIT;
    let ticket = loop {
        let tickets = shop
            .app
            .store
            .tickets(&groupcart_core::support::TicketFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        if let Some(ticket) = tickets.into_iter().next() {
            break ticket;
        }
        assert!(Instant::now() < deadline, "no ticket");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    let id = ticket.id.0;

    add_user(&shop, "lin", Role::Agent, "lin's long password").await;
    let mut agent = Browser::logged_in(&shop, "lin", "lin's long password").await;
    let inbox = agent.get("/inbox").await;
    assert!(
        inbox.body.contains(&format!("ticket-row-{id}")),
        "{}",
        inbox.body
    );
    let page = agent.get(&format!("/inbox/{id}")).await;
    assert!(
        page.body.contains("bank cheque from Chile"),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let note = agent
        .post(
            &format!("/inbox/{id}/note"),
            &[("csrf", &csrf), ("text", "VIP, check with finance")],
        )
        .await;
    assert_eq!(note.status, 303, "{}", note.body);
    let reply = agent
        .post(
            &format!("/inbox/{id}/reply"),
            &[
                ("csrf", &csrf),
                ("text", "Sorry, we only take cards & <bank transfers>."),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let messages = shop
        .wait_for(sam.id, "the console's reply", |m| {
            has_text(m, "Sorry, we only take cards & <bank transfers>.")
        })
        .await;
    assert!(!has_text(&messages, "VIP"), "the note reached the customer");
    let shown = agent.get(&format!("/inbox/{id}")).await;
    assert!(
        shown.body.contains("cards &amp; &lt;bank transfers&gt;."),
        "{}",
        shown.body
    );
    let empty = agent
        .post(
            &format!("/inbox/{id}/reply"),
            &[("csrf", &csrf), ("text", "  ")],
        )
        .await;
    assert_eq!(empty.status, 422);

    // A canned reply goes out by name, in the customer's language, placeholders filled.
    for (language, text) in [
        ("en", "Hi {name}, an agent will call you today."),
        ("es", "Hola {name}, te llamamos hoy."),
    ] {
        shop.app
            .store
            .set_canned_reply(&groupcart_core::support::CannedReply {
                name: "callback".into(),
                language: language.into(),
                text: text.into(),
            })
            .await
            .unwrap();
    }
    let page = agent.get(&format!("/inbox/{id}")).await;
    assert!(page.body.contains("send-canned"), "{}", page.body);
    let canned = agent
        .post(
            &format!("/inbox/{id}/canned"),
            &[("csrf", &csrf), ("name", "callback")],
        )
        .await;
    assert_eq!(canned.status, 303, "{}", canned.body);
    shop.wait_for(sam.id, "the canned reply", |m| {
        has_text(m, "Hi Sam, an agent will call you today.")
    })
    .await;
    let unknown = agent
        .post(
            &format!("/inbox/{id}/canned"),
            &[("csrf", &csrf), ("name", "no-such-reply")],
        )
        .await;
    assert_eq!(unknown.status, 409, "{}", unknown.body);
    assert!(unknown.body.contains("no-such-reply"), "{}", unknown.body);
    let forged = agent
        .post(
            &format!("/inbox/{id}/canned"),
            &[("csrf", "forged"), ("name", "callback")],
        )
        .await;
    assert_eq!(forged.status, 403);

    let resolved = agent
        .post(&format!("/inbox/{id}/resolve"), &[("csrf", &csrf)])
        .await;
    assert_eq!(resolved.status, 303, "{}", resolved.body);
    let ticket = shop
        .app
        .store
        .ticket(groupcart_core::support::TicketId(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ticket.status.as_str(), "resolved");
    assert!(ticket.first_response_at.is_some());
    let actions: Vec<String> = shop
        .app
        .store
        .audit_entries_before(None, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.actor == "console:lin")
        .map(|e| e.entry.action)
        .collect();
    for action in [
        "console.ticket.note",
        "console.ticket.reply",
        "console.ticket.resolve",
    ] {
        assert!(actions.iter().any(|a| a == action), "{actions:?}");
    }
    shop.stop().await;
}

/// Runs `groupcart --database-url URL user ARGS`, with `stdin` piped in when given.
fn user_command(url: &str, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_groupcart"))
        .args(["--database-url", url, "user"])
        .args(args)
        .env_remove(groupcart_store_contract::POSTGRES_URL_VAR)
        .env(
            "GROUPCART_ENCRYPTION__KEYS",
            groupcart_store_contract::TEST_KEYS,
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("groupcart runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

async fn users_from_the_command_line(database_url: String) {
    let url = database_url.as_str();
    let (ok, out, err) = user_command(
        url,
        &[
            "add",
            "--username",
            "Ana",
            "--role",
            "owner",
            "--display-name",
            "Ana Li",
        ],
        Some("ana's long password\n"),
    );
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("added ana (owner)") && !out.contains("password"),
        "{out}"
    );
    // Without a password on standard input, one is made up and printed once.
    let (ok, out, err) = user_command(url, &["add", "--username", "lin", "--role", "agent"], None);
    assert!(ok, "{out}{err}");
    assert!(out.contains("password (shown once): "), "{out}");
    let (ok, _, err) = user_command(url, &["add", "--username", "bo", "--role", "king"], None);
    assert!(!ok && err.contains("--role must be"), "{err}");
    let (ok, _, err) = user_command(
        url,
        &["add", "--username", "bo", "--role", "admin"],
        Some("short\n"),
    );
    assert!(!ok && err.contains("password: 10-256 characters"), "{err}");
    let (ok, _, err) = user_command(
        url,
        &["add", "--username", "ana", "--role", "admin"],
        Some("another long one\n"),
    );
    assert!(!ok && err.contains("exists"), "{err}");
    let (ok, out, _) = user_command(url, &["totp", "ana"], None);
    assert!(
        ok && out.contains("otpauth://totp/groupcart:ana?secret="),
        "{out}"
    );
    let (ok, out, _) = user_command(url, &["list"], None);
    assert!(ok, "{out}");
    assert!(
        out.contains("ana") && out.contains("owner") && out.contains("totp"),
        "{out}"
    );
    assert!(out.contains("lin") && out.contains("agent"), "{out}");
    let (ok, out, _) = user_command(url, &["password", "lin"], Some("lin's new long password\n"));
    assert!(ok && out.contains("password of lin changed"), "{out}");
    let (ok, out, err) = user_command(url, &["role", "lin", "analyst"], None);
    assert!(
        ok && out.contains("lin is now analyst (was agent)"),
        "{out}{err}"
    );
    let (ok, _, err) = user_command(url, &["role", "lin", "king"], None);
    assert!(!ok && err.contains("the role must be"), "{err}");
    // Ana is the only owner: she keeps the role.
    let (ok, _, err) = user_command(url, &["role", "ana", "admin"], None);
    assert!(!ok && err.contains("owner"), "{err}");
    let (ok, out, _) = user_command(url, &["role", "lin", "agent"], None);
    assert!(
        ok && out.contains("lin is now agent (was analyst)"),
        "{out}"
    );

    // The app on the same database: no demo owner, since there are users already.
    let shop = start(database_url.clone()).await;
    assert_eq!(shop.app.demo_login, None);
    let mut lin = Browser::logged_in(&shop, "lin", "lin's new long password").await;
    assert_eq!(lin.get("/inbox").await.status, 200);
    let (ok, out, _) = user_command(url, &["disable", "lin"], None);
    assert!(ok && out.contains("disabled lin"), "{out}");
    assert_eq!(lin.get("/inbox").await.location.as_deref(), Some("/login"));
    let again = Browser::new(&shop)
        .login("lin", "lin's new long password", "")
        .await;
    assert_eq!(again.status, 401);
    let (ok, _, err) = user_command(url, &["disable", "nobody"], None);
    assert!(!ok && err.contains("no console user `nobody`"), "{err}");
    let actors: Vec<String> = shop
        .app
        .store
        .audit_entries_before(None, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.actor == "cli")
        .map(|e| e.entry.action)
        .collect();
    assert!(
        actors.contains(&"console.user.disable".to_owned()),
        "{actors:?}"
    );
    shop.stop().await;
}
