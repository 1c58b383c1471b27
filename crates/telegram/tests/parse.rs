//! Parses raw updates as Telegram sends them (fixtures in `tests/fixtures/`).

use groupcart_telegram::*;
use serde_json::{json, Value};

fn raw(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(name: &str) -> Update {
    serde_json::from_slice(&raw(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `sub` has no key or value that `full` lacks: re-serializing loses fields
/// we do not model but must never invent or alter any.
fn is_subset(sub: &Value, full: &Value) -> bool {
    match (sub, full) {
        (Value::Object(s), Value::Object(f)) => s
            .iter()
            .all(|(k, v)| f.get(k).is_some_and(|fv| is_subset(v, fv))),
        (Value::Array(s), Value::Array(f)) => {
            s.len() == f.len() && s.iter().zip(f).all(|(a, b)| is_subset(a, b))
        }
        _ => sub == full,
    }
}

#[test]
fn private_start_command_with_payload() {
    let u = parse("private_start");
    assert_eq!(u.update_id, 804215577);
    assert_eq!(u.kind_name(), "message");
    assert_eq!(u.chat_id(), Some(5012345678));
    assert_eq!(u.from().map(|f| f.id), Some(5012345678));
    let m = u.message.as_ref().expect("message");
    assert_eq!(m.chat.kind, ChatType::Private);
    assert_eq!(
        m.from.as_ref().and_then(|f| f.language_code.as_deref()),
        Some("uk")
    );
    let cmd = m.command().expect("command");
    assert_eq!(
        cmd,
        Command {
            name: "start",
            bot_username: None,
            args: "campaign42"
        }
    );
}

#[test]
fn group_command_with_bot_suffix() {
    let u = parse("group_command");
    assert_eq!(u.chat_id(), Some(-1001987654321));
    let m = u.message.as_ref().expect("message");
    assert_eq!(m.chat.kind, ChatType::Supergroup);
    assert_eq!(m.chat.is_forum, Some(true));
    assert_eq!(m.message_thread_id, Some(2280));
    assert_eq!(
        m.reply_to_message.as_ref().map(|r| r.message_id),
        Some(2280)
    );
    let cmd = m.command().expect("command");
    assert_eq!(cmd.name, "order");
    assert_eq!(cmd.bot_username, Some("groupcart_bot"));
    assert_eq!(cmd.args, "3 🥖 baguettes");
}

#[test]
fn callback_query_with_message() {
    let u = parse("callback_query");
    assert_eq!(u.kind_name(), "callback_query");
    assert_eq!(u.chat_id(), Some(5012345678));
    let q = u.callback_query.as_ref().expect("callback_query");
    assert_eq!(q.data.as_deref(), Some("cart:add:91"));
    assert_eq!(q.chat_instance, "-4819183045129302234");
    let markup = q
        .message
        .as_ref()
        .and_then(|m| m.reply_markup.as_ref())
        .expect("keyboard");
    assert_eq!(
        markup.inline_keyboard[0][0],
        InlineKeyboardButton::callback("➕ Add to cart", "cart:add:91")
    );
    assert_eq!(
        markup.inline_keyboard[1][0]
            .web_app
            .as_ref()
            .map(|w| w.url.as_str()),
        Some("https://shop.example/app")
    );
}

#[test]
fn callback_query_without_message_orders_by_user() {
    let u: Update = serde_json::from_value(json!({
        "update_id": 1,
        "callback_query": {
            "id": "99",
            "from": {"id": 42, "is_bot": false, "first_name": "A"},
            "inline_message_id": "AgAAAPbZAQBdT2sAAQ",
            "chat_instance": "-1",
            "data": "x"
        }
    }))
    .expect("parses");
    assert_eq!(u.chat_id(), Some(42));
}

#[test]
fn inaccessible_callback_message_still_parses() {
    let u: Update = serde_json::from_value(json!({
        "update_id": 2,
        "callback_query": {
            "id": "99",
            "from": {"id": 42, "is_bot": false, "first_name": "A"},
            "message": {"chat": {"id": -100, "type": "supergroup", "title": "G"}, "message_id": 5, "date": 0},
            "chat_instance": "-1"
        }
    }))
    .expect("parses");
    assert_eq!(u.chat_id(), Some(-100));
}

#[test]
fn my_chat_member_user_blocked_bot() {
    let u = parse("my_chat_member_blocked");
    assert_eq!(u.kind_name(), "my_chat_member");
    assert_eq!(u.chat_id(), Some(5012345678));
    assert_eq!(u.from().map(|f| f.id), Some(5012345678));
    let c = u.my_chat_member.as_ref().expect("my_chat_member");
    assert_eq!(c.old_chat_member.status, ChatMemberStatus::Member);
    assert!(c.old_chat_member.is_member());
    assert_eq!(c.new_chat_member.status, ChatMemberStatus::Kicked);
    assert_eq!(c.new_chat_member.until_date, Some(0));
    assert!(!c.new_chat_member.is_member());
    assert!(c.new_chat_member.user.is_bot);
}

#[test]
fn chat_member_joined_by_invite_link() {
    let u = parse("chat_member_invite_link");
    assert_eq!(u.kind_name(), "chat_member");
    assert_eq!(u.chat_id(), Some(-1001987654321));
    let c = u.chat_member.as_ref().expect("chat_member");
    assert!(!c.old_chat_member.is_member());
    assert!(c.new_chat_member.is_member());
    let link = c.invite_link.as_ref().expect("invite_link");
    assert_eq!(link.invite_link, "https://t.me/+AbCdEfGhIjK2MzQ1");
    assert_eq!(link.name.as_deref(), Some("flyer-bakery"));
    assert_eq!(link.creator.username.as_deref(), Some("groupcart_bot"));
    assert_eq!(c.via_chat_folder_invite_link, Some(false));
}

#[test]
fn chat_join_request_with_invite_link() {
    let u = parse("chat_join_request");
    assert_eq!(u.kind_name(), "chat_join_request");
    assert_eq!(u.chat_id(), Some(-1002233445566));
    assert_eq!(u.from().map(|f| f.id), Some(662233445));
    let r = u.chat_join_request.as_ref().expect("chat_join_request");
    assert_eq!(r.chat.kind, ChatType::Channel);
    assert_eq!(r.user_chat_id, 662233445);
    assert_eq!(r.bio.as_deref(), Some("Coffee, bikes, bread."));
    let link = r.invite_link.as_ref().expect("invite_link");
    assert!(link.creates_join_request);
    assert_eq!(link.pending_join_request_count, Some(3));
}

#[test]
fn pre_checkout_query_in_stars() {
    let u = parse("pre_checkout_query");
    assert_eq!(u.kind_name(), "pre_checkout_query");
    assert_eq!(u.chat_id(), Some(5012345678));
    let q = u.pre_checkout_query.as_ref().expect("pre_checkout_query");
    assert_eq!(q.id, "3310992877452661234");
    assert_eq!((q.currency.as_str(), q.total_amount), ("XTR", 250));
    assert_eq!(q.invoice_payload, "order:7f3c2a");
    assert_eq!(q.order_info, None);
}

#[test]
fn successful_payment_in_stars() {
    let u = parse("successful_payment");
    assert_eq!(u.kind_name(), "message");
    assert_eq!(u.chat_id(), Some(5012345678));
    let p = u
        .message
        .as_ref()
        .and_then(|m| m.successful_payment.as_ref())
        .expect("successful_payment");
    assert_eq!((p.currency.as_str(), p.total_amount), ("XTR", 250));
    assert_eq!(p.invoice_payload, "order:7f3c2a");
    assert_eq!(p.telegram_payment_charge_id, "stxAbC123dEfG456hIjK789lMnO");
    assert_eq!(p.provider_payment_charge_id, "");
}

#[test]
fn shipping_query_for_a_flexible_invoice() {
    let u = parse("shipping_query");
    assert_eq!(u.kind_name(), "shipping_query");
    assert_eq!(u.chat_id(), Some(5012345678));
    assert_eq!(u.from().map(|f| f.id), Some(5012345678));
    let q = u.shipping_query.as_ref().expect("shipping_query");
    assert_eq!(q.id, "4417382955120934567");
    assert_eq!(q.invoice_payload, "order:7f3c2a");
    let a = &q.shipping_address;
    assert_eq!(
        (
            a.country_code.as_str(),
            a.city.as_str(),
            a.post_code.as_str()
        ),
        ("UA", "Київ", "01001")
    );
    // Telegram sends empty strings for parts the user left out.
    assert_eq!(a.state, "");
    assert_eq!(a.street_line2, "кв. 5");
}

#[test]
fn poll_state_of_a_poll_the_bot_sent() {
    let u = parse("poll");
    assert_eq!(u.kind_name(), "poll");
    // A poll's state names no chat and no user.
    assert_eq!(u.chat_id(), None);
    assert_eq!(u.from().map(|f| f.id), None);
    let p = u.poll.as_ref().expect("poll");
    assert_eq!(p.id, "5436289916735422465");
    assert_eq!(p.kind, PollType::Regular);
    let counts: Vec<(&str, i64)> = p
        .options
        .iter()
        .map(|o| (o.text.as_str(), o.voter_count))
        .collect();
    assert_eq!(counts, [("Longjing", 2), ("Pu-erh", 1), ("Oolong", 0)]);
    assert_eq!((p.total_voter_count, p.is_closed), (2, false));
    assert!(p.allows_multiple_answers && p.is_anonymous);
    assert_eq!(p.allows_revoting, Some(true));
    // Fields newer than a sender knows default rather than fail the update.
    let mut older = serde_json::to_value(p).unwrap();
    older.as_object_mut().unwrap().remove("allows_revoting");
    older.as_object_mut().unwrap().remove("members_only");
    older["options"][0]
        .as_object_mut()
        .unwrap()
        .remove("persistent_id");
    let older_json = older.clone();
    let older: Poll = serde_json::from_value(older).unwrap();
    assert_eq!(older.allows_revoting, None);
    assert_eq!(older.options[0].persistent_id, None);
    // ...and are not invented when the update is written out again (the fuzz target found
    // `"persistent_id": ""` appearing), while present ones, `false` included, are kept.
    let again = serde_json::to_value(&older).unwrap();
    assert!(is_subset(&again, &older_json), "{again}");
}

#[test]
fn pre_checkout_query_with_shipping_and_order_info() {
    let u = parse("pre_checkout_query_shipping");
    let q = u.pre_checkout_query.as_ref().expect("pre_checkout_query");
    assert_eq!((q.currency.as_str(), q.total_amount), ("EUR", 1640));
    assert_eq!(q.shipping_option_id.as_deref(), Some("dhl"));
    let info = q.order_info.as_ref().expect("order_info");
    assert_eq!(info.name.as_deref(), Some("Олена Коваль"));
    assert_eq!(info.phone_number.as_deref(), Some("380441234567"));
    assert_eq!(info.email.as_deref(), Some("olena@example.com"));
    assert_eq!(
        info.shipping_address
            .as_ref()
            .map(|a| a.street_line1.as_str()),
        Some("вул. Хрещатик, 22")
    );
}

#[test]
fn successful_payment_with_shipping_and_order_info() {
    let u = parse("successful_payment_shipping");
    let p = u
        .message
        .as_ref()
        .and_then(|m| m.successful_payment.as_ref())
        .expect("successful_payment");
    assert_eq!(p.total_amount, 1640);
    assert_eq!(p.shipping_option_id.as_deref(), Some("dhl"));
    let info = p.order_info.as_ref().expect("order_info");
    // Only the fields the invoice asked for are present.
    assert_eq!(info.phone_number, None);
    assert_eq!(info.email, None);
    assert_eq!(
        info.shipping_address
            .as_ref()
            .map(|a| a.country_code.as_str()),
        Some("UA")
    );
}

#[test]
fn web_app_data_message() {
    let u = parse("web_app_data");
    assert_eq!(u.chat_id(), Some(5012345678));
    let m = u.message.as_ref().expect("message");
    assert_eq!(m.command(), None);
    let d = m.web_app_data.as_ref().expect("web_app_data");
    assert_eq!(d.button_text, "🛒 Open shop");
    let cart: Value = serde_json::from_str(&d.data).expect("data is JSON");
    assert_eq!(cart["cart"][0]["qty"], 2);
}

#[test]
fn unknown_update_kind_is_kept() {
    let u = parse("unknown_kind");
    assert_eq!(u.kind_name(), "purchased_paid_media");
    assert_eq!(u.from(), None);
    // Unmodelled kinds are ordered by their `from` user.
    assert_eq!(u.chat_id(), Some(662233445));
    assert_eq!(
        u.other["purchased_paid_media"]["paid_media_payload"],
        "recipe-pack-3"
    );

    let future: Update = serde_json::from_value(json!({
        "update_id": 7,
        "shop_review": {"chat": {"id": -55, "type": "hologram"}, "stars": 5}
    }))
    .expect("future kind parses");
    assert_eq!(future.kind_name(), "shop_review");
    assert_eq!(future.chat_id(), Some(-55));

    let bare: Update = serde_json::from_value(json!({"update_id": 8})).expect("parses");
    assert_eq!((bare.kind_name(), bare.chat_id()), ("unknown", None));
}

#[test]
fn unknown_enum_values_and_fields_are_tolerated() {
    let u: Update = serde_json::from_value(json!({
        "update_id": 3,
        "message": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": 9, "type": "hologram", "shiny_new_field": [1, 2]},
            "sender_boost_count": 4,
            "text": "hi"
        },
        "another_future_field": true
    }))
    .expect("parses");
    let m = u.message.as_ref().expect("message");
    assert_eq!(m.chat.kind, ChatType::Other("hologram".into()));
    assert_eq!(u.kind_name(), "message");
    let json = serde_json::to_value(&u).expect("serializes");
    assert_eq!(json["message"]["chat"]["type"], "hologram");
}

#[test]
fn peek_matches_full_parse_for_every_fixture() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("readable");
        let update: Update = serde_json::from_slice(&bytes).expect("parses");
        let head = peek_update(&bytes).expect("peeks");
        assert_eq!(head.update_id, update.update_id, "{}", path.display());
        assert_eq!(head.chat_id, update.chat_id(), "{}", path.display());
        // Every fixture but a poll's state (which names no chat) has its chat.
        assert!(
            head.chat_id.is_some() || update.poll.is_some(),
            "{}",
            path.display()
        );

        let original: Value = serde_json::from_slice(&bytes).expect("json");
        let reserialized = serde_json::to_value(&update).expect("serializes");
        assert!(
            is_subset(&reserialized, &original),
            "{}: re-serialization changed data: {reserialized}",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 10);
}

#[test]
fn peek_survives_a_malformed_known_kind() {
    // `message` without its required `chat`: still yields the id to acknowledge.
    let head = peek_update(br#"{"update_id": 11, "message": {"message_id": 1}}"#).expect("peeks");
    assert_eq!(
        head,
        UpdateHead {
            update_id: 11,
            chat_id: None
        }
    );
    assert!(peek_update(br#"{"message": {}}"#).is_err());
    assert!(peek_update(b"not json").is_err());
}

#[test]
fn entity_offsets_count_utf16_units() {
    // "🛒 " is 3 UTF-16 units (surrogate pair + space) but 5 UTF-8 bytes.
    let text = "🛒 /start now";
    let entity = MessageEntity::new("bot_command", 3, 6);
    assert_eq!(entity.extract(text), Some("/start"));
    // An offset inside the surrogate pair is not a character boundary.
    assert_eq!(MessageEntity::new("bold", 1, 2).extract(text), None);
    assert_eq!(MessageEntity::new("bold", 3, 99).extract(text), None);
    assert_eq!(MessageEntity::new("bold", 10, 3).extract(text), Some("now"));
}

#[test]
fn command_needs_a_leading_bot_command_entity() {
    let msg = |text: &str, entities: Value| -> Message {
        serde_json::from_value(json!({
            "message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"},
            "text": text, "entities": entities
        }))
        .expect("parses")
    };
    assert_eq!(msg("/start", json!([])).command(), None);
    assert_eq!(
        msg(
            "hi /start",
            json!([{"type": "bot_command", "offset": 3, "length": 6}])
        )
        .command(),
        None
    );
    let bare = msg(
        "/help",
        json!([{"type": "bot_command", "offset": 0, "length": 5}]),
    );
    assert_eq!(
        bare.command(),
        Some(Command {
            name: "help",
            bot_username: None,
            args: ""
        })
    );
}
