//! The console's daily-work pages end to end, on SQLite and PostgreSQL: the FAQ made,
//! changed, deleted and imported in the console (and the bot answering from it in the
//! simulator), a user's own settings (password, TOTP on and off), the configuration summary
//! without secrets, and the sandbox's phone panel (served only in sandbox mode). Forged
//! CSRF tokens change nothing and the audit log names the console user.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart::sandbox::DEMO_TOKEN;
use groupcart_core::console::{self, Role};
use groupcart_simulator::{SimConfig, Simulator};
use serde_json::Value;

on_both_databases!(
    the_faq_is_kept_in_the_console,
    a_user_changes_their_password_and_two_step_login,
);

/// The FAQ entries as the admin API lists them.
async fn faq_entries(shop: &Shop) -> Vec<Value> {
    let (status, listed) = shop.api_get("/faq").await;
    assert_eq!(status, 200, "{listed}");
    listed["entries"].as_array().unwrap().clone()
}

fn entry_by_key<'a>(entries: &'a [Value], key: &str) -> Option<&'a Value> {
    entries.iter().find(|e| e["key"] == key)
}

/// Asks the bot and waits for an answer containing `expected`.
async fn ask(
    shop: &Shop,
    customer: &groupcart_simulator::types::SimUser,
    question: &str,
    expected: &str,
) {
    shop.sim
        .send_text(shop.bot, customer, question)
        .await
        .unwrap();
    shop.wait_for(customer.id, expected, |m| has_text(m, expected))
        .await;
}

async fn the_faq_is_kept_in_the_console(database_url: String) {
    let shop = start(database_url).await;
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    let list = owner.get("/faq").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("href=\"/faq/new\""));
    let csrf = list.csrf();
    let before = faq_entries(&shop).await.len();

    // A form with mistakes: every problem, and what was typed.
    let refused = owner
        .post(
            "/faq/new",
            &[
                ("csrf", &csrf),
                ("key", "gift wrap!"),
                ("topic", "orders"),
                ("language", ""),
                ("questions", "Orphan question"),
                ("answer", ""),
                ("language", "en"),
                ("questions", "Do you offer gift wrapping?"),
                ("answer", ""),
                ("keywords", "gift"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("Language block 1"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("key must be"), "{}", refused.body);
    assert!(refused.body.contains("value=\"gift wrap!\""));
    assert!(refused
        .body
        .contains(">Do you offer gift wrapping?</textarea>"));
    // A forged token changes nothing.
    let forged = owner
        .post(
            "/faq/new",
            &[
                ("csrf", "forged"),
                ("key", "gift-wrap"),
                ("language", "en"),
                ("questions", "Do you offer gift wrapping?"),
                ("answer", "Yes."),
            ],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(faq_entries(&shop).await.len(), before);

    let made = owner
        .post(
            "/faq/new",
            &[
                ("csrf", &csrf),
                ("key", "gift-wrap"),
                ("topic", "orders"),
                ("language", "en"),
                (
                    "questions",
                    "Do you offer gift wrapping?\nCan you wrap my order as a present?",
                ),
                (
                    "answer",
                    "Yes, gift wrapping is free: add a note at checkout.",
                ),
                ("language", "zh"),
                ("questions", "可以礼品包装吗"),
                ("answer", "可以，礼品包装免费。"),
                ("language", ""),
                ("questions", ""),
                ("answer", ""),
                ("keywords", "gift\nwrapping"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.location.as_deref(), Some("/faq?ok=created"));
    let entries = faq_entries(&shop).await;
    let entry = entry_by_key(&entries, "gift-wrap").expect("made in the console");
    assert_eq!(entry["topic"], "orders");
    assert_eq!(entry["questions"]["en"].as_array().unwrap().len(), 2);
    assert_eq!(entry["answers"]["zh"], "可以，礼品包装免费。");
    assert_eq!(entry["keywords"], serde_json::json!(["gift", "wrapping"]));
    let id = entry["id"].as_i64().unwrap();
    let listed = owner.get("/faq?ok=created").await;
    assert!(listed.body.contains("The FAQ entry was created."));
    assert!(listed.body.contains("<code>gift-wrap</code>"));

    // The bot answers from it.
    let ana = customer(9301, "Ana");
    ask(
        &shop,
        &ana,
        "Do you offer gift wrapping?",
        "gift wrapping is free",
    )
    .await;

    // Edited: the form shows the entry; the bot answers with the new text.
    let form = owner.get(&format!("/faq/{id}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("value=\"gift-wrap\""));
    assert!(form
        .body
        .contains("Yes, gift wrapping is free: add a note at checkout."));
    let saved = owner
        .post(
            &format!("/faq/{id}"),
            &[
                ("csrf", &csrf),
                ("key", "gift-wrap"),
                ("topic", "orders"),
                ("language", "en"),
                ("questions", "Do you offer gift wrapping?"),
                ("answer", "Gift wrapping costs 2.00, choose it at checkout."),
                ("keywords", "gift"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let entries = faq_entries(&shop).await;
    let entry = entry_by_key(&entries, "gift-wrap").unwrap();
    assert!(entry["answers"].get("zh").is_none(), "{entry}");
    ask(
        &shop,
        &ana,
        "do you offer gift wrapping",
        "Gift wrapping costs 2.00",
    )
    .await;

    // Deleted, after a confirmation page; a forged token changes nothing.
    let confirm = owner.get(&format!("/faq/{id}/delete")).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(confirm.body.contains("confirm-delete-faq"));
    let forged = owner
        .post(&format!("/faq/{id}/delete"), &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status, 403);
    assert!(entry_by_key(&faq_entries(&shop).await, "gift-wrap").is_some());
    let deleted = owner
        .post(&format!("/faq/{id}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert_eq!(deleted.location.as_deref(), Some("/faq?ok=deleted"));
    assert!(entry_by_key(&faq_entries(&shop).await, "gift-wrap").is_none());
    assert_eq!(owner.get(&format!("/faq/{id}")).await.status, 404);

    // An import with a bad line: every problem by line, nothing stored, the text kept.
    let bad_csv = "key,topic,language,questions,answer,keywords\n\
                   opening-hours,general,en,When are you open?,Every day 9-18.,hours\n\
                   returns,returns,en,Can I return it?\n\
                   bad key,general,en,Question?,Answer.,\n";
    let refused = owner
        .post(
            "/faq/import",
            &[("csrf", &csrf), ("format", "csv"), ("text", bad_csv)],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("line 3: "), "{}", refused.body);
    assert!(refused.body.contains("entry bad key"), "{}", refused.body);
    assert!(refused.body.contains("nothing was imported"));
    assert!(refused
        .body
        .contains("opening-hours,general,en,When are you open?"));
    let entries = faq_entries(&shop).await;
    assert!(entry_by_key(&entries, "opening-hours").is_none());
    assert_eq!(entries.len(), before);

    let markdown = "# opening-hours\ntopic: general\nkeywords: hours, open\n\n## en\n\
                    - When are you open?\n- What are your opening hours?\n\nEvery day from 9 to 18.\n\n\
                    # returns\n## en\n- Can I return my order?\n\nWithin 30 days of delivery.\n";
    let imported = owner
        .post(
            "/faq/import",
            &[("csrf", &csrf), ("format", "markdown"), ("text", markdown)],
        )
        .await;
    assert_eq!(imported.status, 303, "{}", imported.body);
    assert_eq!(
        imported.location.as_deref(),
        Some("/faq?ok=imported&created=2&updated=0")
    );
    let entries = faq_entries(&shop).await;
    assert_eq!(entries.len(), before + 2);
    assert_eq!(
        entry_by_key(&entries, "opening-hours").unwrap()["answers"]["en"],
        "Every day from 9 to 18."
    );
    ask(
        &shop,
        &ana,
        "what are your opening hours?",
        "Every day from 9 to 18",
    )
    .await;

    // A question nobody answered links to a new entry that starts from it.
    let question = "Do you ship to Antarctica research stations?";
    shop.sim.send_text(shop.bot, &ana, question).await.unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    let link = loop {
        let page = owner.get("/faq").await;
        if let Some(at) = page.body.find("/faq/new?question=") {
            let rest = &page.body[at..];
            break rest[..rest.find('"').unwrap()].replace("&amp;", "&");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no unanswered question: {}",
            page.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let prefilled = owner.get(&link).await;
    assert_eq!(prefilled.status, 200, "{}", prefilled.body);
    assert!(
        prefilled.body.contains(&format!(">{question}</textarea>")),
        "{}",
        prefilled.body
    );
    assert!(prefilled
        .body
        .contains("name=\"language\" maxlength=\"12\" value=\"en\""));

    let actions = audited(&shop, &user).await;
    for action in [
        "console.faq.create",
        "console.faq.update",
        "console.faq.delete",
        "console.faq.import",
    ] {
        assert_eq!(
            actions.iter().filter(|a| *a == action).count(),
            1,
            "{action} in {actions:?}"
        );
    }
    shop.stop().await;
}

/// The TOTP code of `secret` for `step`.
fn code_at(secret: &str, step: i64) -> String {
    let bytes = console::base32_decode(secret).unwrap();
    format!("{:06}", console::totp_code(&bytes, step))
}

/// The value of the hidden field `name` in a page.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        + marker.len();
    body[start..].split('"').next().unwrap().to_owned()
}

async fn a_user_changes_their_password_and_two_step_login(database_url: String) {
    let shop = start(database_url).await;
    let first = "mei first password";
    let second = "mei second password";
    add_user(&shop, "mei", Role::Agent, first).await;
    let mut mei = Browser::logged_in(&shop, "mei", first).await;
    let mut other_browser = Browser::logged_in(&shop, "mei", first).await;
    let settings = mei.get("/settings").await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    assert!(mei.get("/").await.body.contains("href=\"/settings\""));
    // An agent sees no configuration.
    assert!(!settings.body.contains("data-testid=\"configuration\""));
    let csrf = settings.csrf();

    // Wrong current password, mismatched new ones: both named, nothing changed.
    let refused = mei
        .post(
            "/settings/password",
            &[
                ("csrf", &csrf),
                ("current", "not my password"),
                ("new", second),
                ("repeat", "something else entirely"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("The current password is wrong."));
    assert!(refused.body.contains("The two new passwords differ."));
    let forged = mei
        .post(
            "/settings/password",
            &[
                ("csrf", "forged"),
                ("current", first),
                ("new", second),
                ("repeat", second),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(
        Browser::new(&shop).login("mei", first, "").await.status,
        303
    );

    let changed = mei
        .post(
            "/settings/password",
            &[
                ("csrf", &csrf),
                ("current", first),
                ("new", second),
                ("repeat", second),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(changed.location.as_deref(), Some("/settings?ok=password"));
    // This browser goes on; the other session ended.
    let done = mei.get("/settings?ok=password").await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Your password was changed."));
    assert_eq!(other_browser.get("/").await.status, 303);
    assert_eq!(
        Browser::new(&shop).login("mei", first, "").await.status,
        401
    );
    assert_eq!(
        Browser::new(&shop).login("mei", second, "").await.status,
        303
    );

    // TOTP: a new secret counts only once a code confirms it.
    let csrf = mei.csrf().await;
    let setup = mei.post("/settings/totp/start", &[("csrf", &csrf)]).await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    assert!(setup.body.contains("otpauth://totp/groupcart:mei?secret="));
    assert!(setup.body.contains("<svg"), "a QR code");
    let secret = hidden(&setup.body, "secret");
    let seal = hidden(&setup.body, "seal");
    let stored = || async {
        shop.app
            .store
            .console_user_by_name("mei")
            .await
            .unwrap()
            .unwrap()
    };
    assert!(stored().await.totp_secret.is_none(), "not before the code");
    let wrong = mei
        .post(
            "/settings/totp/confirm",
            &[
                ("csrf", &csrf),
                ("secret", &secret),
                ("seal", &seal),
                ("code", "000000"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("That code is wrong"));
    assert!(stored().await.totp_secret.is_none());
    // A secret the page did not make cannot be confirmed.
    let chosen = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let step = console::totp_step(chrono::Utc::now());
    let unsealed = mei
        .post(
            "/settings/totp/confirm",
            &[
                ("csrf", &csrf),
                ("secret", chosen),
                ("seal", &seal),
                ("code", &code_at(chosen, step)),
            ],
        )
        .await;
    assert_eq!(unsealed.status, 400, "{}", unsealed.body);
    assert!(stored().await.totp_secret.is_none());

    // Codes are accepted one 30-second step either side of now, and each step works once:
    // the confirmation uses the previous step, the login this one, turning off the next.
    let step = console::totp_step(chrono::Utc::now()) - 1;
    let on = mei
        .post(
            "/settings/totp/confirm",
            &[
                ("csrf", &csrf),
                ("secret", &secret),
                ("seal", &seal),
                ("code", &code_at(&secret, step)),
            ],
        )
        .await;
    assert_eq!(on.status, 303, "{}", on.body);
    assert_eq!(on.location.as_deref(), Some("/settings?ok=totp_on"));
    assert_eq!(stored().await.totp_secret.as_deref(), Some(secret.as_str()));

    // Logging in now asks for a code; the one used to confirm does not work again.
    let asked = Browser::new(&shop).login("mei", second, "").await;
    assert_eq!(asked.status, 401);
    assert!(asked.body.contains("6-digit code"), "{}", asked.body);
    let replay = Browser::new(&shop)
        .login("mei", second, &code_at(&secret, step))
        .await;
    assert_eq!(replay.status, 401);
    let with_code = Browser::new(&shop)
        .login("mei", second, &code_at(&secret, step + 1))
        .await;
    assert_eq!(with_code.status, 303, "{}", with_code.body);
    let next = console::totp_step(chrono::Utc::now()) + 1;

    // Off again, with a current code only.
    let wrong = mei
        .post("/settings/totp/off", &[("csrf", &csrf), ("code", "123")])
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(stored().await.totp_secret.is_some());
    let forged = mei
        .post(
            "/settings/totp/off",
            &[("csrf", "forged"), ("code", &code_at(&secret, next))],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(stored().await.totp_secret.is_some());
    let off = mei
        .post(
            "/settings/totp/off",
            &[("csrf", &csrf), ("code", &code_at(&secret, next))],
        )
        .await;
    assert_eq!(off.status, 303, "{}", off.body);
    assert!(stored().await.totp_secret.is_none());
    assert_eq!(
        Browser::new(&shop).login("mei", second, "").await.status,
        303
    );

    let actions = audited(&shop, "mei").await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "console.user.password")
            .count(),
        1,
        "{actions:?}"
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "console.user.totp").count(),
        2,
        "{actions:?}"
    );
    shop.stop().await;
}

#[tokio::test]
async fn the_owner_sees_the_configuration_without_secrets() {
    let shop = start(sqlite_url()).await;
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    let settings = owner.get("/settings").await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    assert!(settings.body.contains("data-testid=\"configuration\""));
    assert!(settings.body.contains("data-testid=\"config-bot-demo\""));
    assert!(settings.body.contains("<td>USD</td>"), "{}", settings.body);
    assert_eq!(settings.testid("config-store").as_deref(), Some("SQLite"));
    assert_eq!(settings.testid("config-sandbox").as_deref(), Some("yes"));
    assert!(settings
        .body
        .contains(&groupcart::sandbox::DEMO_STAFF_CHAT.to_string()));
    for secret in [
        DEMO_TOKEN,
        "groupcart-sandbox-demo",
        "sandbox-payment-provider",
        API_TOKEN,
    ] {
        assert!(!settings.body.contains(secret), "{secret} shown");
    }
    shop.stop().await;
}

#[tokio::test]
async fn the_phone_panel_frames_the_simulator_in_sandbox_mode() {
    let shop = start(sqlite_url()).await;
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    assert!(owner.get("/").await.body.contains("href=\"/phone\""));
    let phone = owner.get("/phone").await;
    assert_eq!(phone.status, 200, "{}", phone.body);
    let frame = format!(
        "<iframe src=\"/sim?embed=phone&amp;bot={}&amp;user=42&amp;name=Alex",
        shop.bot
    );
    assert!(phone.body.contains(&frame), "{}", phone.body);
    let policy = phone.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("frame-src 'self'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    // Other console pages still frame nothing.
    let faq = owner.get("/faq").await;
    let policy = faq.headers["content-security-policy"].to_str().unwrap();
    assert!(!policy.contains("frame-src"), "{policy}");

    // A made-up customer, or a mistake in one.
    let new = owner
        .get("/phone?bot=demo&user=new&id=777&name=Li%20Wei&language=zh-CN")
        .await;
    assert_eq!(new.status, 200, "{}", new.body);
    assert!(new
        .body
        .contains("&amp;user=777&amp;name=Li%20Wei&amp;language=zh-CN\""));
    let bad = owner.get("/phone?user=new&id=abc&name=").await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("positive whole number"));

    // A customer the shop knows is offered in the picker.
    let ana = customer(9401, "Ana");
    shop.sim.send_text(shop.bot, &ana, "/start").await.unwrap();
    shop.wait_for(ana.id, "the welcome", |m| !m.is_empty())
        .await;
    let picked = owner.get("/phone?user=9401").await;
    assert!(
        picked
            .body
            .contains("<option value=\"9401\" selected>Ana (9401)</option>"),
        "{}",
        picked.body
    );

    // The framed page may be framed by this site only, and has the compact mode.
    let sim = owner.get("/sim?embed=phone&bot=1&user=42").await;
    assert_eq!(sim.status, 200);
    assert!(sim.headers.get("x-frame-options").is_none());
    assert_eq!(
        sim.headers["content-security-policy"].to_str().unwrap(),
        "frame-ancestors 'self'"
    );
    assert!(sim.body.contains("id=\"phonebar\""));
    assert!(sim.body.contains("query.get(\"embed\") === \"phone\""));
    shop.stop().await;
}

#[tokio::test]
async fn the_phone_panel_does_not_exist_outside_sandbox_mode() {
    let sim = Simulator::new(SimConfig::default())
        .spawn_local()
        .await
        .unwrap();
    let shop = start_outside(sqlite_url(), &sim.url(), |_| {}).await;
    add_user(&shop, "owner", Role::Owner, "the owner password").await;
    let mut owner = Browser::logged_in(&shop, "owner", "the owner password").await;
    assert!(!owner.get("/").await.body.contains("href=\"/phone\""));
    let phone = owner.get("/phone").await;
    assert_eq!(phone.status, 404, "{}", phone.body);
    let settings = owner.get("/settings").await;
    assert_eq!(settings.testid("config-sandbox").as_deref(), Some("no"));
    assert!(!settings.body.contains(OUTSIDE_TOKEN));
    shop.stop().await;
}
