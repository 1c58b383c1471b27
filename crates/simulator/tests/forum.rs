//! Forum topics and message copies over real HTTP on 127.0.0.1: a staff forum supergroup with
//! one topic per ticket, and messages (text, photos, documents) relayed between a customer's
//! private chat and the topic with copyMessage.

use std::time::Duration;

use groupcart_simulator::{
    ChatType, ClientError, Limits, MemberStatus, RunningSim, SimChat, SimClient, SimConfig,
    SimFile, SimUser, Simulator,
};
use serde_json::{json, Value};

const TOKEN: &str = "4242:test_token-ABCDEF";
const BOT: i64 = 4242;
const STAFF: i64 = -100_777;

struct Harness {
    sim: Simulator,
    running: RunningSim,
    http: reqwest::Client,
    client: SimClient,
}

impl Harness {
    async fn start(config: SimConfig) -> Self {
        let sim = Simulator::new(config);
        let running = sim.spawn_local().await.expect("bind 127.0.0.1:0");
        let client = running.client();
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client");
        Self {
            sim,
            running,
            http,
            client,
        }
    }

    async fn default() -> Self {
        Self::start(SimConfig::default()).await
    }

    async fn call(&self, method: &str, params: Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/bot{TOKEN}/{method}", self.running.url()))
            .json(&params)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// A call expected to succeed; returns `result`.
    async fn ok(&self, method: &str, params: Value) -> Value {
        let (status, body) = self.call(method, params.clone()).await;
        assert_eq!(status, 200, "{method} {params} -> {body}");
        assert_eq!(body["ok"], json!(true));
        body["result"].clone()
    }

    /// A call expected to fail; returns (error_code, description).
    async fn err(&self, method: &str, params: Value) -> (u16, String) {
        let (status, body) = self.call(method, params.clone()).await;
        assert_ne!(
            status, 200,
            "{method} {params} unexpectedly succeeded: {body}"
        );
        assert_eq!(body["ok"], json!(false));
        assert_eq!(body["error_code"], json!(status));
        (
            status,
            body["description"].as_str().unwrap_or("").to_string(),
        )
    }

    /// Every pending update, confirmed.
    async fn drain(&self) -> Vec<Value> {
        let updates = self.ok("getUpdates", json!({})).await;
        let updates = updates.as_array().cloned().expect("array of updates");
        if let Some(last) = updates.last() {
            let next = last["update_id"].as_i64().expect("id") + 1;
            self.ok("getUpdates", json!({"offset": next})).await;
        }
        updates
    }

    async fn forum(&self, chat_id: i64, is_forum: bool, bot: Option<MemberStatus>) {
        self.client
            .register_chat(&SimChat {
                id: chat_id,
                kind: ChatType::Supergroup,
                title: "Support desk".into(),
                username: None,
                is_forum,
            })
            .await
            .expect("chat");
        self.client
            .add_user(chat_id, SimUser::new(1, "Owner"), MemberStatus::Creator)
            .await
            .expect("owner");
        self.client
            .add_user(chat_id, &agent(), MemberStatus::Member)
            .await
            .expect("agent");
        if let Some(status) = bot {
            self.client
                .add_bot(chat_id, BOT, status)
                .await
                .expect("bot");
        }
    }

    /// A staff forum with the bot as administrator and one ticket topic; returns its id.
    async fn staff_with_topic(&self, name: &str) -> i64 {
        self.forum(STAFF, true, Some(MemberStatus::Administrator))
            .await;
        self.topic(name).await
    }

    async fn topic(&self, name: &str) -> i64 {
        let topic = self
            .ok("createForumTopic", json!({"chat_id": STAFF, "name": name}))
            .await;
        topic["message_thread_id"].as_i64().expect("thread id")
    }

    /// Alice opens her private chat with the bot.
    async fn start_alice(&self) {
        self.client
            .send_text(BOT, &alice(), "/start")
            .await
            .expect("start");
    }
}

fn alice() -> SimUser {
    SimUser::new(1001, "Alice").with_username("alice")
}

fn agent() -> SimUser {
    SimUser::new(2001, "Agent Smith")
}

fn refused_with(result: Result<impl std::fmt::Debug, ClientError>, needle: &str) {
    match result {
        Err(ClientError::Refused { status, message }) => {
            assert_eq!(status, 400, "{message}");
            assert!(message.contains(needle), "{message:?} lacks {needle:?}");
        }
        other => panic!("expected a refusal containing {needle:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn topics_need_a_forum_an_admin_bot_and_a_name_of_1_to_128_characters() {
    let h = Harness::default().await;
    // Only supergroups can be forums.
    let group = h
        .client
        .register_chat(&SimChat {
            id: -100_001,
            kind: ChatType::Group,
            title: "Basic".into(),
            username: None,
            is_forum: true,
        })
        .await;
    refused_with(group, "only supergroups can be forums");

    h.forum(-100_002, false, Some(MemberStatus::Administrator))
        .await;
    let (code, description) = h
        .err(
            "createForumTopic",
            json!({"chat_id": -100_002, "name": "Ticket"}),
        )
        .await;
    assert_eq!(
        (code, description.as_str()),
        (400, "Bad Request: the chat is not a forum")
    );
    let (_, description) = h
        .err(
            "createForumTopic",
            json!({"chat_id": 1001, "name": "Ticket"}),
        )
        .await;
    assert_eq!(description, "Bad Request: the chat is not a forum");
    let (_, description) = h
        .err(
            "createForumTopic",
            json!({"chat_id": -100_404, "name": "Ticket"}),
        )
        .await;
    assert_eq!(description, "Bad Request: chat not found");

    h.forum(STAFF, true, None).await;
    let (code, description) = h
        .err(
            "createForumTopic",
            json!({"chat_id": STAFF, "name": "Ticket"}),
        )
        .await;
    assert_eq!(
        (code, description.as_str()),
        (403, "Forbidden: bot is not a member of the supergroup chat")
    );
    h.client
        .add_bot(STAFF, BOT, MemberStatus::Member)
        .await
        .expect("bot joins");
    let (code, description) = h
        .err(
            "createForumTopic",
            json!({"chat_id": STAFF, "name": "Ticket"}),
        )
        .await;
    assert_eq!(
        (code, description.as_str()),
        (400, "Bad Request: not enough rights to create a topic")
    );
    h.client
        .add_bot(STAFF, BOT, MemberStatus::Administrator)
        .await
        .expect("bot promoted");
    // Updates and getChatMember show the forum and the right to manage its topics.
    let updates = h.drain().await;
    let promoted = updates.last().expect("my_chat_member");
    assert_eq!(promoted["my_chat_member"]["chat"]["is_forum"], true);
    let me = h
        .ok("getChatMember", json!({"chat_id": STAFF, "user_id": BOT}))
        .await;
    assert_eq!(me["status"], "administrator");
    assert_eq!(me["can_manage_topics"], true);
    let chat = h.ok("getChat", json!({"chat_id": STAFF})).await;
    assert_eq!(chat["type"], "supergroup");
    assert_eq!(chat["is_forum"], true);
    let plain = h.ok("getChat", json!({"chat_id": -100_002})).await;
    assert!(plain.get("is_forum").is_none());
    let (_, description) = h.err("getChat", json!({"chat_id": -100_404})).await;
    assert_eq!(description, "Bad Request: chat not found");

    for name in ["", "   "] {
        let (code, _) = h
            .err("createForumTopic", json!({"chat_id": STAFF, "name": name}))
            .await;
        assert_eq!(code, 400, "name {name:?}");
    }
    let (code, description) = h
        .err(
            "createForumTopic",
            json!({"chat_id": STAFF, "name": "x".repeat(129)}),
        )
        .await;
    assert_eq!(code, 400);
    assert!(description.contains("128"), "{description}");
    let (code, _) = h
        .err(
            "createForumTopic",
            json!({"chat_id": STAFF, "name": "Ticket", "icon_color": 0x123456}),
        )
        .await;
    assert_eq!(code, 400);

    // 128 characters is fine, however many bytes they take.
    let long_name = "é".repeat(128);
    let first = h
        .ok(
            "createForumTopic",
            json!({"chat_id": STAFF, "name": long_name}),
        )
        .await;
    assert_eq!(first["name"], json!(long_name));
    assert_eq!(first["icon_color"], 7322096, "default icon color");
    let second = h
        .ok(
            "createForumTopic",
            json!({
                "chat_id": STAFF,
                "name": "Ticket #2",
                "icon_color": 16766590,
                "icon_custom_emoji_id": "5368324170671202286",
            }),
        )
        .await;
    assert_eq!(
        second,
        json!({
            "message_thread_id": second["message_thread_id"],
            "name": "Ticket #2",
            "icon_color": 16766590,
            "icon_custom_emoji_id": "5368324170671202286",
        })
    );
    let (first_id, second_id) = (
        first["message_thread_id"].as_i64().expect("id"),
        second["message_thread_id"].as_i64().expect("id"),
    );
    assert!(second_id > first_id);

    // Each topic is the thread of a forum_topic_created service message of that id, which the
    // bot gets no update for and which is not a message the bot sent.
    assert!(h.drain().await.is_empty());
    let topics = h.client.topics(BOT, STAFF).await.expect("topics");
    assert_eq!(
        topics
            .iter()
            .map(|t| (t.message_thread_id, t.name.as_str()))
            .collect::<Vec<_>>(),
        vec![(first_id, long_name.as_str()), (second_id, "Ticket #2")]
    );
    assert_eq!(
        topics[1].icon_custom_emoji_id.as_deref(),
        Some("5368324170671202286")
    );
    assert!(h
        .client
        .messages(BOT, STAFF)
        .await
        .expect("messages")
        .is_empty());
    let transcript = h.client.transcript(BOT, STAFF).await.expect("transcript");
    let service = transcript
        .iter()
        .find(|m| m.message_id == second_id)
        .expect("service message");
    assert!(!service.from_bot);
    assert_eq!(service.message_thread_id, Some(second_id));
    assert_eq!(service.message["is_topic_message"], true);
    assert_eq!(service.message["from"]["id"], BOT);
    assert_eq!(
        service.message["forum_topic_created"],
        json!({"name": "Ticket #2", "icon_color": 16766590, "icon_custom_emoji_id": "5368324170671202286"})
    );
    // Topics cost no flood budget and are not counted as sent messages.
    assert_eq!(h.sim.stats(BOT).sent_messages, 0);
    assert!(h
        .client
        .topics(BOT, -100_002)
        .await
        .expect("none")
        .is_empty());
}

#[tokio::test]
async fn sending_into_a_topic_needs_a_known_thread_and_records_it() {
    let h = Harness::default().await;
    let thread = h.staff_with_topic("Ticket #1 · Alice").await;
    h.forum(-100_002, false, Some(MemberStatus::Administrator))
        .await;
    h.start_alice().await;
    h.drain().await;

    let sent = h
        .ok(
            "sendMessage",
            json!({"chat_id": STAFF, "message_thread_id": thread, "text": "New ticket from Alice"}),
        )
        .await;
    assert_eq!(sent["message_thread_id"], thread);
    assert_eq!(sent["is_topic_message"], true);
    // As on Telegram, a message in a topic that replies to nothing replies to the topic root.
    assert_eq!(sent["reply_to_message"]["message_id"], thread);
    assert_eq!(
        sent["reply_to_message"]["forum_topic_created"]["name"],
        "Ticket #1 · Alice"
    );
    assert_eq!(sent["chat"]["is_forum"], true);

    for (chat_id, thread_id) in [
        (STAFF, thread + 1000),
        (STAFF, 1),
        (-100_002, thread),
        (1001, thread),
    ] {
        let (code, description) = h
            .err(
                "sendMessage",
                json!({"chat_id": chat_id, "message_thread_id": thread_id, "text": "lost"}),
            )
            .await;
        assert_eq!(
            (code, description.as_str()),
            (400, "Bad Request: message thread not found"),
            "chat {chat_id} thread {thread_id}"
        );
    }

    // A user's document and photo in the private chat, re-sent by file_id into the topic.
    let file = SimFile::new(
        "receipt.pdf",
        "application/pdf",
        b"%PDF-1.7 receipt".to_vec(),
    );
    let doc = h
        .client
        .send_document(BOT, &alice(), 1001, &file, Some("my receipt"), None)
        .await
        .expect("document");
    let photo = h
        .client
        .send_photo(BOT, &alice(), 1001, None, None)
        .await
        .expect("photo");
    let updates = h.drain().await;
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0]["update_id"], json!(doc.update_id));
    let document = updates[0]["message"]["document"].clone();
    assert_eq!(document["file_name"], "receipt.pdf");
    assert_eq!(document["mime_type"], "application/pdf");
    assert_eq!(document["file_size"], 16);
    assert_eq!(updates[0]["message"]["caption"], "my receipt");
    let file_id = document["file_id"].as_str().expect("file id").to_string();
    assert_eq!(
        h.client.document_content(&file_id).await.expect("content"),
        file.content
    );
    assert_eq!(updates[1]["message"]["message_id"], photo.message_id);
    let photo_id = updates[1]["message"]["photo"][1]["file_id"]
        .as_str()
        .expect("photo file id")
        .to_string();
    assert!(updates[1]["message"].get("caption").is_none());

    let sent_photo = h
        .ok(
            "sendPhoto",
            json!({"chat_id": STAFF, "message_thread_id": thread, "photo": photo_id, "caption": "from Alice"}),
        )
        .await;
    assert_eq!(sent_photo["message_thread_id"], thread);
    let sent_doc = h
        .ok(
            "sendDocument",
            json!({"chat_id": STAFF, "message_thread_id": thread, "document": file_id}),
        )
        .await;
    assert_eq!(sent_doc["message_thread_id"], thread);
    let (_, description) = h
        .err(
            "sendPhoto",
            json!({"chat_id": STAFF, "message_thread_id": thread + 1000, "photo": photo_id}),
        )
        .await;
    assert_eq!(description, "Bad Request: message thread not found");

    // A reply to a message in a topic stays in the topic without message_thread_id.
    let reply = h
        .ok(
            "sendMessage",
            json!({
                "chat_id": STAFF,
                "text": "Following up",
                "reply_parameters": {"message_id": sent_photo["message_id"]},
            }),
        )
        .await;
    assert_eq!(reply["message_thread_id"], thread);
    assert_eq!(
        reply["reply_to_message"]["message_id"],
        sent_photo["message_id"]
    );

    // Plain messages stay out of topics.
    let general = h
        .ok("sendMessage", json!({"chat_id": STAFF, "text": "General"}))
        .await;
    assert!(general.get("message_thread_id").is_none());
    assert!(general.get("is_topic_message").is_none());

    let messages = h.client.messages(BOT, STAFF).await.expect("messages");
    let threads: Vec<Option<i64>> = messages.iter().map(|m| m.message_thread_id).collect();
    assert_eq!(
        threads,
        vec![Some(thread), Some(thread), Some(thread), Some(thread), None]
    );
    assert_eq!(messages[1].photo.as_deref(), Some(photo_id.as_str()));
    assert_eq!(messages[1].text.as_deref(), Some("from Alice"));
    assert_eq!(
        messages[2].document.as_ref().map(|d| &d["file_id"]),
        Some(&json!(file_id))
    );
    let private = h.client.transcript(BOT, 1001).await.expect("transcript");
    assert!(private.iter().all(|m| m.message_thread_id.is_none()));

    // An agent writes in the topic: the bot (an admin, so it sees everything) gets the message
    // in the thread, replying to the topic root as on Telegram.
    let written = h
        .client
        .send_text_in_thread(BOT, &agent(), STAFF, thread, "Hi Alice, checking")
        .await
        .expect("agent writes");
    let updates = h.drain().await;
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["update_id"], json!(written.update_id));
    let message = &updates[0]["message"];
    assert_eq!(message["message_id"], written.message_id);
    assert_eq!(message["message_thread_id"], thread);
    assert_eq!(message["is_topic_message"], true);
    assert_eq!(message["reply_to_message"]["message_id"], thread);
    assert!(message["reply_to_message"]["forum_topic_created"].is_object());
    assert_eq!(message["from"]["id"], agent().id);
    assert_eq!(message["chat"]["is_forum"], true);
    let agent_photo = h
        .client
        .send_photo(BOT, &agent(), STAFF, Some("screenshot"), Some(thread))
        .await
        .expect("agent photo");
    let updates = h.drain().await;
    assert_eq!(updates[0]["message"]["message_id"], agent_photo.message_id);
    assert_eq!(updates[0]["message"]["message_thread_id"], thread);
    assert_eq!(updates[0]["message"]["caption"], "screenshot");

    // Unknown threads, non-forums and private chats have no topics for users either.
    refused_with(
        h.client
            .send_text_in_thread(BOT, &agent(), STAFF, thread + 1000, "lost")
            .await,
        "message thread not found",
    );
    refused_with(
        h.client
            .send_photo(BOT, &alice(), 1001, None, Some(thread))
            .await,
        "message thread not found",
    );
    let transcript = h.client.transcript(BOT, STAFF).await.expect("transcript");
    let agent_text = transcript
        .iter()
        .find(|m| m.message_id == written.message_id)
        .expect("agent message logged");
    assert!(!agent_text.from_bot);
    assert_eq!(agent_text.message_thread_id, Some(thread));
    assert_eq!(agent_text.text.as_deref(), Some("Hi Alice, checking"));
}

#[tokio::test]
async fn copy_message_relays_between_private_chat_and_topic() {
    let h = Harness::default().await;
    let thread = h.staff_with_topic("Ticket #7").await;
    h.start_alice().await;
    let photo = h
        .client
        .send_photo(BOT, &alice(), 1001, Some("the broken jar"), None)
        .await
        .expect("photo");
    let file = SimFile::new("order.txt", "text/plain", "order 7: 2 jars");
    let doc = h
        .client
        .send_document(BOT, &alice(), 1001, &file, None, None)
        .await
        .expect("document");
    let text = h
        .client
        .send_text(BOT, &alice(), "It arrived broken, ask @courier")
        .await
        .expect("text");
    h.drain().await;
    let sent_before = h.sim.stats(BOT).sent_messages;

    // The customer's photo into the ticket topic, caption kept.
    let copy = h
        .ok(
            "copyMessage",
            json!({"chat_id": STAFF, "message_thread_id": thread, "from_chat_id": 1001, "message_id": photo.message_id}),
        )
        .await;
    let copy_id = copy["message_id"].as_i64().expect("MessageId");
    assert_eq!(copy, json!({"message_id": copy_id}));
    let original = h
        .client
        .transcript(BOT, 1001)
        .await
        .expect("transcript")
        .into_iter()
        .find(|m| m.message_id == photo.message_id)
        .expect("user photo logged");
    assert!(!original.from_bot);
    assert_eq!(original.text.as_deref(), Some("the broken jar"));
    let original_photo = original.photo.clone().expect("photo file id");

    // Again with a new caption, formatted.
    let recaptioned = h
        .ok(
            "copyMessage",
            json!({
                "chat_id": STAFF,
                "message_thread_id": thread,
                "from_chat_id": 1001,
                "message_id": photo.message_id,
                "caption": "<b>Alice</b>: the broken jar",
                "parse_mode": "HTML",
            }),
        )
        .await;
    // The document and the text.
    let doc_copy = h
        .ok(
            "copyMessage",
            json!({"chat_id": STAFF, "message_thread_id": thread, "from_chat_id": 1001, "message_id": doc.message_id, "caption": "Alice's order"}),
        )
        .await;
    let text_copy = h
        .ok(
            "copyMessage",
            json!({
                "chat_id": STAFF,
                "message_thread_id": thread,
                "from_chat_id": "1001",
                "message_id": text.message_id,
                "reply_markup": {"inline_keyboard": [[{"text": "Close ticket", "callback_data": "close:7"}]]},
            }),
        )
        .await;

    let staff = h
        .client
        .wait_for_messages(BOT, STAFF, 4, Duration::from_secs(2))
        .await
        .expect("copies");
    assert_eq!(staff.len(), 4);
    assert!(staff
        .iter()
        .all(|m| m.from_bot && m.message_thread_id == Some(thread)));
    assert_eq!(staff[0].message_id, copy_id);
    assert_eq!(staff[0].photo.as_deref(), Some(original_photo.as_str()));
    assert_eq!(staff[0].text.as_deref(), Some("the broken jar"));
    assert_eq!(staff[0].message["from"]["id"], BOT);
    assert_eq!(staff[0].message["reply_to_message"]["message_id"], thread);
    assert_eq!(
        staff[1].message_id,
        recaptioned["message_id"].as_i64().expect("id")
    );
    assert_eq!(staff[1].photo.as_deref(), Some(original_photo.as_str()));
    assert_eq!(staff[1].text.as_deref(), Some("Alice: the broken jar"));
    assert_eq!(
        staff[1].entities,
        Some(json!([{"type": "bold", "offset": 0, "length": 5}]))
    );
    assert_eq!(
        staff[2].message_id,
        doc_copy["message_id"].as_i64().expect("id")
    );
    let document = staff[2].document.clone().expect("document");
    assert_eq!(document["file_name"], "order.txt");
    assert_eq!(staff[2].text.as_deref(), Some("Alice's order"));
    let file_id = document["file_id"].as_str().expect("file id");
    assert_eq!(
        h.client.document_content(file_id).await.expect("content"),
        b"order 7: 2 jars"
    );
    assert_eq!(
        staff[3].message_id,
        text_copy["message_id"].as_i64().expect("id")
    );
    assert_eq!(
        staff[3].text.as_deref(),
        Some("It arrived broken, ask @courier")
    );
    assert_eq!(
        staff[3].entities.as_ref().map(|e| &e[0]["type"]),
        Some(&json!("mention"))
    );
    assert_eq!(
        staff[3]
            .reply_markup
            .as_ref()
            .map(|m| &m["inline_keyboard"][0][0]["callback_data"]),
        Some(&json!("close:7"))
    );
    // Copies are sends: counted, and the bot gets no update for them.
    assert_eq!(h.sim.stats(BOT).sent_messages, sent_before + 4);
    assert!(h.drain().await.is_empty());

    // The agent answers in the topic; the bot copies the answer to Alice's private chat, then
    // copies one of its own messages there too.
    let answer = h
        .client
        .send_text_in_thread(BOT, &agent(), STAFF, thread, "A new jar ships today")
        .await
        .expect("agent answers");
    let to_alice = h
        .ok(
            "copyMessage",
            json!({"chat_id": 1001, "from_chat_id": STAFF, "message_id": answer.message_id}),
        )
        .await;
    let notice = h
        .ok(
            "sendMessage",
            json!({"chat_id": STAFF, "message_thread_id": thread, "text": "Ticket closed"}),
        )
        .await;
    let notice_copy = h
        .ok(
            "copyMessage",
            json!({"chat_id": 1001, "from_chat_id": STAFF, "message_id": notice["message_id"]}),
        )
        .await;
    let private = h.client.messages(BOT, 1001).await.expect("messages");
    assert_eq!(private.len(), 2);
    assert_eq!(
        private[0].message_id,
        to_alice["message_id"].as_i64().expect("id")
    );
    assert_eq!(private[0].text.as_deref(), Some("A new jar ships today"));
    assert_eq!(private[0].message_thread_id, None);
    assert!(private[0].message.get("reply_to_message").is_none());
    assert_eq!(private[0].message["from"]["id"], BOT);
    assert_eq!(private[0].message["chat"]["id"], 1001);
    assert_eq!(
        private[1].message_id,
        notice_copy["message_id"].as_i64().expect("id")
    );
    assert_eq!(private[1].text.as_deref(), Some("Ticket closed"));
}

#[tokio::test]
async fn copy_errors_follow_telegram() {
    let h = Harness::default().await;
    let thread = h.staff_with_topic("Ticket #9").await;
    h.start_alice().await;
    let hello = h
        .client
        .send_text(BOT, &alice(), "hello")
        .await
        .expect("text");

    let copy = |from_chat_id: i64, message_id: i64| json!({"chat_id": STAFF, "from_chat_id": from_chat_id, "message_id": message_id});
    let (code, description) = h.err("copyMessage", copy(1001, 9_999)).await;
    assert_eq!(
        (code, description.as_str()),
        (400, "Bad Request: message to copy not found")
    );
    // The topic's creation message and the join messages are service messages.
    let (_, description) = h.err("copyMessage", copy(STAFF, thread)).await;
    assert_eq!(description, "Bad Request: message can't be copied");
    let transcript = h.client.transcript(BOT, STAFF).await.expect("transcript");
    let joined = transcript
        .iter()
        .find(|m| m.message.get("new_chat_members").is_some())
        .expect("join service message");
    let (_, description) = h.err("copyMessage", copy(STAFF, joined.message_id)).await;
    assert_eq!(description, "Bad Request: message can't be copied");
    // Invoices cannot be copied either.
    let invoice = h
        .ok(
            "sendInvoice",
            json!({
                "chat_id": 1001,
                "title": "Jar",
                "description": "A new jar",
                "payload": "ticket-9",
                "currency": "XTR",
                "prices": [{"label": "Jar", "amount": 5}],
            }),
        )
        .await;
    let invoice_id = invoice["message_id"].as_i64().expect("id");
    let (_, description) = h.err("copyMessage", copy(1001, invoice_id)).await;
    assert_eq!(description, "Bad Request: message can't be copied");
    // Deleted messages are gone; protected ones stay put.
    h.ok(
        "deleteMessage",
        json!({"chat_id": 1001, "message_id": hello.message_id}),
    )
    .await;
    let (_, description) = h.err("copyMessage", copy(1001, hello.message_id)).await;
    assert_eq!(description, "Bad Request: message to copy not found");
    let protected = h
        .ok(
            "sendMessage",
            json!({"chat_id": 1001, "text": "secret", "protect_content": true}),
        )
        .await;
    let (_, description) = h
        .err(
            "copyMessage",
            copy(1001, protected["message_id"].as_i64().expect("id")),
        )
        .await;
    assert_eq!(
        description,
        "Bad Request: message has protected content and can't be forwarded"
    );
    // The target thread must exist, and the parameters must be there.
    let text = h
        .client
        .send_text(BOT, &alice(), "still there?")
        .await
        .expect("text");
    let (_, description) = h
        .err(
            "copyMessage",
            json!({"chat_id": STAFF, "message_thread_id": thread + 1000, "from_chat_id": 1001, "message_id": text.message_id}),
        )
        .await;
    assert_eq!(description, "Bad Request: message thread not found");
    let (code, _) = h
        .err(
            "copyMessage",
            json!({"chat_id": STAFF, "message_id": text.message_id}),
        )
        .await;
    assert_eq!(code, 400);
    let (code, _) = h
        .err(
            "copyMessage",
            json!({"chat_id": STAFF, "from_chat_id": 1001}),
        )
        .await;
    assert_eq!(code, 400);
    // A chat the bot is not in cannot be copied from.
    h.client
        .register_chat(&SimChat {
            id: -100_003,
            kind: ChatType::Supergroup,
            title: "Elsewhere".into(),
            username: None,
            is_forum: false,
        })
        .await
        .expect("chat");
    let (code, description) = h.err("copyMessage", copy(-100_003, 1)).await;
    assert_eq!(
        (code, description.as_str()),
        (403, "Forbidden: bot is not a member of the supergroup chat")
    );
    // Nothing was sent by the failed copies.
    assert!(h
        .client
        .messages(BOT, STAFF)
        .await
        .expect("messages")
        .is_empty());
}

#[tokio::test]
async fn copies_share_the_flood_limits_of_sends() {
    let h = Harness::start(SimConfig {
        limits: Limits {
            private_burst: 1,
            private_per_sec: 0.01,
            ..Limits::default()
        },
        ..SimConfig::default()
    })
    .await;
    h.start_alice().await;
    let text = h
        .client
        .send_text(BOT, &alice(), "copy me")
        .await
        .expect("text");
    h.ok("sendMessage", json!({"chat_id": 1001, "text": "first"}))
        .await;
    let (code, description) = h
        .err(
            "copyMessage",
            json!({"chat_id": 1001, "from_chat_id": 1001, "message_id": text.message_id}),
        )
        .await;
    assert_eq!(code, 429);
    assert!(description.starts_with("Too Many Requests: retry after"));
    assert_eq!(h.sim.stats(BOT).too_many_requests, 1);
    assert_eq!(
        h.client.messages(BOT, 1001).await.expect("messages").len(),
        1
    );
}

#[tokio::test]
async fn control_api_accepts_documents_as_text_or_bytes() {
    let h = Harness::default().await;
    h.start_alice().await;
    let post = |body: Value| {
        let http = h.http.clone();
        let url = format!("{}/sim/bots/{BOT}/documents", h.running.url());
        async move {
            let response = http.post(url).json(&body).send().await.expect("post");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("JSON"))
        }
    };
    let (status, sent) = post(json!({
        "from": 1001,
        "file_name": "note.txt",
        "mime_type": "text/plain",
        "content": "plain text",
    }))
    .await;
    assert_eq!(status, 200, "{sent}");
    let (status, _) = post(json!({
        "from": 1001,
        "file_name": "bytes.bin",
        "mime_type": "application/octet-stream",
        "content": [0, 159, 255],
        "caption": "raw",
    }))
    .await;
    assert_eq!(status, 200);
    let (status, refused) = post(json!({"from": 1001, "file_name": "x"})).await;
    assert_eq!(status, 400, "{refused}");

    let transcript = h.client.transcript(BOT, 1001).await.expect("transcript");
    let documents: Vec<_> = transcript
        .iter()
        .filter_map(|m| m.document.clone())
        .collect();
    assert_eq!(documents.len(), 2);
    assert_eq!(
        transcript[1].message_id,
        sent["message_id"].as_i64().expect("id")
    );
    for (document, content) in documents
        .iter()
        .zip([b"plain text".to_vec(), vec![0, 159, 255]])
    {
        let file_id = document["file_id"].as_str().expect("file id");
        assert_eq!(
            h.client.document_content(file_id).await.expect("content"),
            content
        );
        assert_eq!(document["file_size"], content.len());
    }
    // The page still loads.
    let page = h
        .http
        .get(format!("{}/sim", h.running.url()))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
}
