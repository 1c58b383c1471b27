//! Customer service end to end through the simulator, on SQLite and PostgreSQL: a Chinese
//! question with a typo gets the FAQ's answer; a question the FAQ does not know opens a
//! ticket in the Chinese agent group's forum, as a topic with the customer's summary; the
//! agent's reply reaches the customer and an internal note does not; the customer's photo
//! reaches the topic; passing the first-response target warns in the topic and escalates
//! to the supervisors' chat; resolving asks for a CSAT score that is stored per ticket and
//! agent, and the service report shows it. An English question goes to the English group.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart::config::{AgentGroupConfig, Config};
use groupcart_simulator::types::{ChatType, MemberStatus, SentMessage, SimChat, SimUser};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const FORUM_ZH: i64 = -1_003_000_000_001;
const FORUM_EN: i64 = -1_003_000_000_002;
const SUPERVISORS: i64 = -1_003_000_000_003;

fn agent_groups(config: &mut Config) {
    let group = |key: &str, chat_id: i64, languages: &[&str], language: &str| AgentGroupConfig {
        key: key.into(),
        chat_id,
        languages: languages.iter().map(|l| l.to_string()).collect(),
        topics: Vec::new(),
        language: language.into(),
        time_zone: "UTC".into(),
        days: "daily".into(),
        hours: "00:00-00:00".into(),
        supervisor_chat_id: Some(SUPERVISORS),
        translate_to: None,
    };
    config.support.groups = vec![
        group("zh", FORUM_ZH, &["zh", "zh-CN"], "zh-CN"),
        group("en", FORUM_EN, &[], "en"),
    ];
}

async fn chat_with_the_bot(shop: &Shop, id: i64, title: &str, is_forum: bool) {
    shop.sim
        .register_chat(&SimChat {
            id,
            kind: ChatType::Supergroup,
            title: title.into(),
            username: None,
            is_forum,
        })
        .await
        .unwrap();
    shop.sim
        .add_bot(id, shop.bot, MemberStatus::Administrator)
        .await
        .unwrap();
}

fn chinese_customer(id: i64, name: &str) -> SimUser {
    SimUser {
        language_code: Some("zh-hans".into()),
        ..customer(id, name)
    }
}

/// Messages in `chat` (any author) once `done` holds for them.
async fn chat_until(
    shop: &Shop,
    chat: i64,
    what: &str,
    done: impl Fn(&[SentMessage]) -> bool,
) -> Vec<SentMessage> {
    let deadline = Instant::now() + WAIT;
    loop {
        let messages = shop.sim.transcript(shop.bot, chat).await.unwrap();
        if done(&messages) {
            return messages;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {messages:#?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The bot's messages in forum topic `thread` of `chat`.
fn in_topic(messages: &[SentMessage], thread: i64) -> Vec<&SentMessage> {
    messages
        .iter()
        .filter(|m| m.from_bot && m.message_thread_id == Some(thread))
        .collect()
}

async fn api_ok(shop: &Shop, method: reqwest::Method, path: &str, body: Value) -> Value {
    let (status, answer) = shop.api_send(method, path, body).await;
    assert!((200..300).contains(&status), "{path}: {status} {answer}");
    answer
}

async fn customer_service(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at_with(database_url, clock.clone(), agent_groups).await;
    chat_with_the_bot(&shop, FORUM_ZH, "客服·中文", true).await;
    chat_with_the_bot(&shop, FORUM_EN, "Support EN", true).await;
    chat_with_the_bot(&shop, SUPERVISORS, "Supervisors", false).await;

    // The FAQ, from the API; a bad entry is refused with the reason.
    api_ok(
        &shop,
        reqwest::Method::POST,
        "/faq",
        json!({
            "key": "returns",
            "topic": "returns",
            "questions": {"zh": ["退货政策是什么", "怎么退货"], "en": ["What is your return policy?"]},
            "answers": {"zh": "收货后30天内可以免费退货。", "en": "Free returns within 30 days of delivery."},
            "keywords": ["退货", "return"],
        }),
    )
    .await;
    let (status, refused) = shop
        .api(
            "/faq",
            json!({"key": "empty", "questions": {}, "answers": {}}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("question"),
        "{refused}"
    );

    // A Chinese question with a typo (册 for 策) gets the answer, with rating buttons.
    let mei = chinese_customer(7101, "美玲");
    shop.sim
        .send_text(shop.bot, &mei, "请问退货政册是什么？")
        .await
        .unwrap();
    let answered = shop
        .wait_for(mei.id, "the FAQ answer", |m| {
            has_text(m, "30天内可以免费退货")
        })
        .await;
    let answer = answered.last().unwrap();
    assert!(
        common_buttons(answer)
            .iter()
            .any(|(_, d)| d.starts_with("faq:up:")),
        "{answer:#?}"
    );

    // A question the FAQ does not know opens a ticket in the Chinese group's forum.
    shop.sim
        .send_text(shop.bot, &mei, "你们可以开公司抬头的发票吗")
        .await
        .unwrap();
    shop.wait_for(mei.id, "the ticket confirmation", |m| has_text(m, "工单 #"))
        .await;
    let topics = wait_for_topics(&shop, FORUM_ZH, 1).await;
    let thread = topics[0].message_thread_id;
    assert!(topics[0].name.contains("美玲"), "{topics:#?}");
    let forum = chat_until(&shop, FORUM_ZH, "the summary and the question", |m| {
        let topic = in_topic(m, thread);
        has_text_in(&topic, "客户：美玲") && has_text_in(&topic, "开公司抬头的发票")
    })
    .await;
    assert!(shop
        .sim
        .topics(shop.bot, FORUM_EN)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(in_topic(&forum, thread).len(), 2, "{forum:#?}");

    // Nobody answers: at 80 % of the hour the topic is warned; at the hour the supervisors
    // get the escalation.
    clock.advance(chrono::Duration::minutes(49));
    chat_until(&shop, FORUM_ZH, "the SLA warning", |m| {
        has_text_in(&in_topic(m, thread), "⏰ 工单 #")
    })
    .await;
    clock.advance(chrono::Duration::minutes(12));
    let escalated = chat_until(&shop, SUPERVISORS, "the escalation", |m| {
        m.iter().any(|m| text(m).contains("SLA 超时"))
    })
    .await;
    assert_eq!(count(&escalated, "SLA 超时"), 1, "{escalated:#?}");

    // The agent answers in the topic; the internal note stays there.
    let agent = staff_member(8101, "Lin", "lin_cs", Some("zh"));
    shop.sim
        .add_user(FORUM_ZH, agent.clone(), MemberStatus::Member)
        .await
        .unwrap();
    shop.sim
        .send_text_in_thread(shop.bot, &agent, FORUM_ZH, thread, "// 老客户，优先处理")
        .await
        .unwrap();
    shop.sim
        .send_text_in_thread(
            shop.bot,
            &agent,
            FORUM_ZH,
            thread,
            "您好，可以开公司抬头的发票，请发来公司名称和税号。",
        )
        .await
        .unwrap();
    let mine = shop
        .wait_for(mei.id, "the agent's reply", |m| {
            has_text(m, "请发来公司名称和税号")
        })
        .await;
    assert!(!has_text(&mine, "老客户"), "the note reached the customer");

    // The customer sends a photo of their business licence: it lands in the topic.
    shop.sim
        .send_photo(shop.bot, &mei, mei.id, Some("营业执照"), None)
        .await
        .unwrap();
    chat_until(&shop, FORUM_ZH, "the customer's photo", |m| {
        in_topic(m, thread).iter().any(|m| m.photo.is_some())
    })
    .await;

    // Resolving asks the customer for a score, which is stored.
    shop.sim
        .send_text_in_thread(shop.bot, &agent, FORUM_ZH, thread, "/resolve")
        .await
        .unwrap();
    let asked = shop
        .wait_for(mei.id, "the CSAT question", |m| has_text(m, "已标记为解决"))
        .await;
    let question = asked.last().unwrap();
    let five = common_buttons(question)
        .into_iter()
        .find(|(_, d)| d.ends_with(":5") && d.starts_with("csat:"))
        .expect("a 5-star button");
    shop.press(&mei, question, &five.1).await;
    shop.wait_for(mei.id, "the thanks", |m| has_text(m, "谢谢你的评价"))
        .await;

    let (_, tickets) = shop.api_get("/tickets?status=resolved").await;
    let ticket = &tickets["tickets"][0];
    assert_eq!(ticket["csat"], 5, "{tickets}");
    assert_eq!(ticket["group"], "zh");
    assert_eq!(ticket["assignee_name"], "@lin_cs");
    assert!(ticket["first_response_breached_at"].is_string(), "{ticket}");
    let id = ticket["id"].as_i64().unwrap();
    let (_, full) = shop.api_get(&format!("/tickets/{id}")).await;
    let authors: Vec<&str> = full["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["author"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["customer", "note", "agent", "customer"], "{full}");

    // The report, per group and per agent.
    let (status, report) = shop.api_get("/support/report").await;
    assert_eq!(status, 200, "{report}");
    let zh = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "zh")
        .unwrap();
    assert_eq!(zh["tickets"], 1, "{report}");
    assert_eq!(zh["breach_rate_per_mille"], 1000, "{report}");
    assert_eq!(zh["csat_avg_x100"], 500, "{report}");
    assert_eq!(zh["responded"], 1, "{report}");
    let lin = report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "@lin_cs")
        .unwrap();
    assert_eq!(lin["resolved"], 1, "{report}");

    // An English question nobody can answer goes to the English group.
    let sam = customer(7102, "Sam");
    shop.sim
        .send_text(shop.bot, &sam, "Can I pay with a bank cheque from Chile?")
        .await
        .unwrap();
    shop.wait_for(sam.id, "the English ticket", |m| has_text(m, "(ticket #"))
        .await;
    let english = wait_for_topics(&shop, FORUM_EN, 1).await;
    assert!(english[0].name.contains("Sam"), "{english:#?}");
    assert_eq!(shop.sim.topics(shop.bot, FORUM_ZH).await.unwrap().len(), 1);

    shop.stop().await;
}

/// An agent replying from the API reaches the customer like one in Telegram; a reply to a
/// closed ticket is refused.
async fn agents_work_from_the_api(database_url: String) {
    let shop = start_with(database_url, agent_groups).await;
    chat_with_the_bot(&shop, FORUM_EN, "Support EN", true).await;
    let ana = customer(7201, "Ana");
    shop.sim.send_text(shop.bot, &ana, "/agent").await.unwrap();
    shop.wait_for(ana.id, "the ticket", |m| has_text(m, "(ticket #"))
        .await;
    let (_, open) = shop.api_get("/tickets?status=open").await;
    let id = open["tickets"][0]["id"].as_i64().unwrap();
    api_ok(
        &shop,
        reqwest::Method::POST,
        &format!("/tickets/{id}/reply"),
        json!({"text": "Hello Ana, how can we help?", "agent": "Maria"}),
    )
    .await;
    shop.wait_for(ana.id, "the API reply", |m| has_text(m, "how can we help"))
        .await;
    api_ok(
        &shop,
        reqwest::Method::POST,
        &format!("/tickets/{id}/close"),
        json!(null),
    )
    .await;
    let (status, refused) = shop
        .api(&format!("/tickets/{id}/reply"), json!({"text": "late"}))
        .await;
    assert_eq!(status, 409, "{refused}");
    let (status, _) = shop.api("/tickets/99999/reply", json!({"text": "x"})).await;
    assert_eq!(status, 404);
    let (status, _) = shop
        .api(&format!("/tickets/{id}/reply"), json!({"text": "  "}))
        .await;
    assert_eq!(status, 422);
    shop.stop().await;
}

/// Answers with live data (`{hours}`), canned replies with placeholders, a change of
/// priority that moves the targets, and a transfer that opens a topic in the other group
/// with the conversation so far, where the next agent picks it up.
async fn agents_transfer_and_use_canned_replies(database_url: String) {
    let shop = start_with(database_url, agent_groups).await;
    chat_with_the_bot(&shop, FORUM_ZH, "客服·中文", true).await;
    chat_with_the_bot(&shop, FORUM_EN, "Support EN", true).await;
    api_ok(
        &shop,
        reqwest::Method::POST,
        "/faq",
        json!({
            "key": "hours",
            "questions": {"en": ["What are your opening hours?"]},
            "answers": {"en": "Our team answers {hours}."},
        }),
    )
    .await;
    api_ok(
        &shop,
        reqwest::Method::PUT,
        "/canned-replies/greet/en",
        json!({"text": "Hi {name}, thanks for waiting!"}),
    )
    .await;
    let (status, _) = shop
        .api_send(
            reqwest::Method::PUT,
            "/canned-replies/bad name/en",
            json!({"text": "x"}),
        )
        .await;
    assert_eq!(status, 422);

    let ana = customer(7401, "Ana");
    shop.sim
        .send_text(shop.bot, &ana, "what are your opening hours")
        .await
        .unwrap();
    shop.wait_for(ana.id, "the live answer", |m| {
        has_text(m, "Our team answers 24/7.")
    })
    .await;
    shop.sim
        .send_text(shop.bot, &ana, "/agent My parcel box arrived dented")
        .await
        .unwrap();
    let en_thread = wait_for_topics(&shop, FORUM_EN, 1).await[0].message_thread_id;
    let bob = staff_member(8401, "Bob", "bob_cs", Some("en"));
    let lin = staff_member(8402, "Lin", "lin_cs", Some("zh"));
    for (forum, agent) in [(FORUM_EN, &bob), (FORUM_ZH, &lin)] {
        shop.sim
            .add_user(forum, agent.clone(), MemberStatus::Member)
            .await
            .unwrap();
    }
    let in_en = |text: &'static str| {
        let sim = &shop.sim;
        let bob = &bob;
        async move {
            sim.send_text_in_thread(shop.bot, bob, FORUM_EN, en_thread, text)
                .await
                .unwrap();
        }
    };
    in_en("/canned greet").await;
    shop.wait_for(ana.id, "the canned reply", |m| {
        has_text(m, "Hi Ana, thanks for waiting!")
    })
    .await;
    in_en("/priority high").await;
    chat_until(&shop, FORUM_EN, "the new priority", |m| {
        has_text_in(&in_topic(m, en_thread), "Priority set to high")
    })
    .await;
    let (_, tickets) = shop.api_get("/tickets").await;
    let ticket = tickets["tickets"][0].clone();
    assert_eq!(ticket["priority"], "high", "{ticket}");
    let opened =
        chrono::DateTime::parse_from_rfc3339(ticket["opened_at"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(ticket["first_response_due"].as_str().unwrap())
        .unwrap();
    assert_eq!(due - opened, chrono::Duration::minutes(15), "{ticket}");

    in_en("/transfer nowhere").await;
    chat_until(&shop, FORUM_EN, "the transfer usage", |m| {
        has_text_in(
            &in_topic(m, en_thread),
            "Use /transfer GROUP with one of: zh",
        )
    })
    .await;
    in_en("/transfer zh").await;
    chat_until(&shop, FORUM_EN, "the transfer notice", |m| {
        has_text_in(&in_topic(m, en_thread), "Transferred to zh")
    })
    .await;
    let zh_thread = wait_for_topics(&shop, FORUM_ZH, 1).await[0].message_thread_id;
    chat_until(&shop, FORUM_ZH, "the history", |m| {
        let topic = in_topic(m, zh_thread);
        has_text_in(&topic, "之前的对话（来自 en）")
            && has_text_in(&topic, "Ana: My parcel box arrived dented")
            && has_text_in(&topic, "@bob_cs: Hi Ana, thanks for waiting!")
    })
    .await;
    shop.sim
        .send_text_in_thread(
            shop.bot,
            &lin,
            FORUM_ZH,
            zh_thread,
            "Hello Ana, we will send a new box.",
        )
        .await
        .unwrap();
    shop.wait_for(ana.id, "the second agent's reply", |m| {
        has_text(m, "we will send a new box")
    })
    .await;
    // The old topic no longer leads to the ticket.
    shop.sim
        .send_text_in_thread(shop.bot, &bob, FORUM_EN, en_thread, "Are you still there?")
        .await
        .unwrap();
    shop.sim
        .send_text(shop.bot, &ana, "Thank you!")
        .await
        .unwrap();
    chat_until(&shop, FORUM_ZH, "the customer's thanks", |m| {
        has_text_in(&in_topic(m, zh_thread), "Ana: Thank you!")
    })
    .await;
    let mine = shop.sim.messages(shop.bot, ana.id).await.unwrap();
    assert!(!has_text(&mine, "Are you still there?"));
    let (_, tickets) = shop.api_get("/tickets").await;
    assert_eq!(tickets["tickets"][0]["group"], "zh", "{tickets}");
    shop.stop().await;
}

/// A LibreTranslate stand-in on a free port: "translates" by tagging the text with the
/// target language; refuses a wrong key.
async fn fake_translator() -> String {
    let app = axum::Router::new().route(
        "/translate",
        axum::routing::post(|axum::Json(body): axum::Json<Value>| async move {
            if body["api_key"] != "translator-key" || body["format"] != "text" {
                return (
                    axum::http::StatusCode::FORBIDDEN,
                    axum::Json(json!({"error": "key"})),
                );
            }
            let translated = format!(
                "[{}→{}] {}",
                body["source"].as_str().unwrap_or("?"),
                body["target"].as_str().unwrap_or("?"),
                body["q"].as_str().unwrap_or("")
            );
            (
                axum::http::StatusCode::OK,
                axum::Json(json!({ "translatedText": translated })),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// With a translator, a Spanish customer's message reaches the Chinese agents with a
/// translation under it, and `/tr` sends the agent's reply translated; the ticket keeps
/// the originals.
async fn agents_see_translations(database_url: String) {
    let url = fake_translator().await;
    let shop = start_with(database_url, |config| {
        agent_groups(config);
        config.support.groups.retain(|g| g.key == "zh");
        config.support.groups[0].languages.clear();
        config.support.groups[0].translate_to = Some("zh-CN".into());
        config.support.translation = Some(groupcart::config::TranslationConfig {
            url,
            api_key: groupcart::config::Secret::new("translator-key"),
        });
    })
    .await;
    chat_with_the_bot(&shop, FORUM_ZH, "客服·中文", true).await;
    let lucia = SimUser {
        language_code: Some("es".into()),
        ..customer(7301, "Lucía")
    };
    shop.sim
        .send_text(shop.bot, &lucia, "/agent")
        .await
        .unwrap();
    shop.wait_for(lucia.id, "the ticket", |m| has_text(m, "(caso #"))
        .await;
    shop.sim
        .send_text(shop.bot, &lucia, "Necesito la factura con mi NIF")
        .await
        .unwrap();
    let thread = wait_for_topics(&shop, FORUM_ZH, 1).await[0].message_thread_id;
    chat_until(&shop, FORUM_ZH, "the translated question", |m| {
        has_text_in(
            &in_topic(m, thread),
            "💬 Lucía: Necesito la factura con mi NIF\n🌐 [es→zh] Necesito la factura con mi NIF",
        )
    })
    .await;
    let agent = staff_member(8301, "Wang", "wang_cs", Some("zh"));
    shop.sim
        .add_user(FORUM_ZH, agent.clone(), MemberStatus::Member)
        .await
        .unwrap();
    shop.sim
        .send_text_in_thread(shop.bot, &agent, FORUM_ZH, thread, "/tr 好的，请发来税号")
        .await
        .unwrap();
    shop.wait_for(lucia.id, "the translated reply", |m| {
        has_text(m, "[zh→es] 好的，请发来税号")
    })
    .await;
    chat_until(&shop, FORUM_ZH, "the confirmation", |m| {
        has_text_in(&in_topic(m, thread), "🌐 → [zh→es] 好的，请发来税号")
    })
    .await;
    let (_, tickets) = shop.api_get("/tickets").await;
    let id = tickets["tickets"][0]["id"].as_i64().unwrap();
    let (_, full) = shop.api_get(&format!("/tickets/{id}")).await;
    let texts: Vec<&str> = full["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["Necesito la factura con mi NIF", "好的，请发来税号"],
        "{full}"
    );
    shop.stop().await;
}

fn common_buttons(message: &SentMessage) -> Vec<(String, String)> {
    message
        .reply_markup
        .as_ref()
        .and_then(|m| m["inline_keyboard"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| {
            Some((
                b["text"].as_str()?.to_owned(),
                b["callback_data"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

fn has_text_in(messages: &[&SentMessage], needle: &str) -> bool {
    messages.iter().any(|m| text(m).contains(needle))
}

async fn wait_for_topics(
    shop: &Shop,
    chat: i64,
    n: usize,
) -> Vec<groupcart_simulator::types::SimTopic> {
    let deadline = Instant::now() + WAIT;
    loop {
        let topics = shop.sim.topics(shop.bot, chat).await.unwrap();
        if topics.len() >= n {
            return topics;
        }
        assert!(Instant::now() < deadline, "no topic in {chat}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

on_both_databases!(
    customer_service,
    agents_work_from_the_api,
    agents_see_translations,
    agents_transfer_and_use_canned_replies
);
