//! Checks every request this crate can send, and every update it parses and
//! re-serializes, against the Bot API spec in `shared/telegram/api.json`.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use groupcart_telegram::*;
use serde_json::{json, Value};

const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/telegram/api.json"
);

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = std::fs::read_to_string(SPEC_PATH).unwrap_or_else(|e| {
            panic!("Bot API spec missing at {SPEC_PATH} ({e}); it ships in shared/telegram/")
        });
        serde_json::from_str(&text).expect("api.json is valid JSON")
    })
}

fn fields(def: &Value) -> &[Value] {
    def["fields"].as_array().map_or(&[], Vec::as_slice)
}

/// The literal a discriminator field must hold, from descriptions such as
/// `Scope type, must be chat` or `The member's status in the chat, always "kicked"`.
fn discriminator(field: &Value) -> Option<String> {
    let name = field["name"].as_str()?;
    if name != "type" && name != "status" {
        return None;
    }
    let desc = field["description"].as_str()?;
    let rest = desc
        .split_once("must be ")
        .or_else(|| desc.split_once("always "))?
        .1
        .trim_start_matches('"');
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// Checks that `value` is an object matching the field list of `def`.
fn check_object(def: &Value, value: &Value, what: &str) -> Result<(), String> {
    let obj = value
        .as_object()
        .ok_or_else(|| format!("{what}: expected an object, got {value}"))?;
    let fields = fields(def);
    for (key, v) in obj {
        let field = fields
            .iter()
            .find(|f| f["name"] == key.as_str())
            .ok_or_else(|| format!("{what}: `{key}` is not a field"))?;
        let types: Vec<&str> = field["types"]
            .as_array()
            .expect("field types")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        fits_any(&types, v).map_err(|e| format!("{what}.{key}: {e}"))?;
        if let Some(expected) = discriminator(field) {
            if v != expected.as_str() {
                return Err(format!("{what}.{key}: must be {expected:?}, got {v}"));
            }
        }
    }
    for field in fields.iter().filter(|f| f["required"] == true) {
        let name = field["name"].as_str().expect("field name");
        if !obj.contains_key(name) {
            return Err(format!("{what}: required `{name}` missing"));
        }
    }
    Ok(())
}

fn fits_any(types: &[&str], value: &Value) -> Result<(), String> {
    let mut errors = Vec::new();
    for ty in types {
        match fits(ty, value) {
            Ok(()) => return Ok(()),
            Err(e) => errors.push(e),
        }
    }
    Err(format!("fits none of {types:?}: [{}]", errors.join("; ")))
}

fn fits(ty: &str, value: &Value) -> Result<(), String> {
    let ok = |b: bool| {
        if b {
            Ok(())
        } else {
            Err(format!("{value} is not {ty}"))
        }
    };
    match ty {
        "Integer" => ok(value.is_i64() || value.is_u64()),
        "Float" => ok(value.is_number()),
        "String" | "InputFile" => ok(value.is_string()),
        "Boolean" => ok(value.is_boolean()),
        "True" => ok(value == &Value::Bool(true)),
        _ => {
            if let Some(item) = ty.strip_prefix("Array of ") {
                let items = value
                    .as_array()
                    .ok_or_else(|| format!("{value} is not an array"))?;
                return items.iter().try_for_each(|v| fits(item, v));
            }
            let def = spec()["types"]
                .get(ty)
                .ok_or_else(|| format!("unknown spec type {ty}"))?;
            match def["subtypes"].as_array() {
                Some(subtypes) => {
                    let subtypes: Vec<&str> = subtypes.iter().filter_map(Value::as_str).collect();
                    fits_any(&subtypes, value)
                }
                None => check_object(def, value, ty),
            }
        }
    }
}

struct Example {
    method: &'static str,
    label: &'static str,
    json: Value,
}

fn example<M: Method>(label: &'static str, req: M) -> Example {
    let mut json = serde_json::to_value(&req).expect("request serializes");
    // An upload travels as a form part of that name (an InputFile in the spec).
    if let Some((field, file)) = req.upload() {
        json[field] = Value::String(file.file_name.clone());
    }
    Example {
        method: M::NAME,
        label,
        json,
    }
}

fn export_file() -> InputFile {
    InputFile {
        file_name: "personal-data-7.json".into(),
        mime_type: "application/json".into(),
        bytes: br#"{"orders": []}"#.to_vec(),
    }
}

fn user() -> User {
    User {
        id: 5012345678,
        is_bot: false,
        first_name: "Olena".into(),
        last_name: Some("Koval".into()),
        username: Some("olena_k".into()),
        language_code: Some("uk".into()),
        is_premium: Some(true),
    }
}

fn entities() -> Vec<MessageEntity> {
    vec![
        MessageEntity::new("bold", 0, 5),
        MessageEntity {
            kind: "text_mention".into(),
            offset: 6,
            length: 5,
            url: Some("https://shop.example".into()),
            user: Some(user()),
            language: Some("rust".into()),
            custom_emoji_id: Some("5368324170671202286".into()),
        },
    ]
}

fn keyboard() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup {
        inline_keyboard: vec![
            vec![
                InlineKeyboardButton::callback("Add", "cart:add:91"),
                InlineKeyboardButton::url("Details", "https://shop.example/p/91"),
            ],
            vec![
                InlineKeyboardButton::web_app("Shop", "https://shop.example/app"),
                InlineKeyboardButton {
                    text: "Copy code".into(),
                    copy_text: Some(CopyTextButton {
                        text: "ORDER-7F3C".into(),
                    }),
                    ..Default::default()
                },
                InlineKeyboardButton {
                    text: "Share".into(),
                    switch_inline_query: Some("sourdough".into()),
                    ..Default::default()
                },
            ],
        ],
    }
}

fn pay_keyboard() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup {
        inline_keyboard: vec![vec![InlineKeyboardButton {
            text: "Pay 250 ⭐".into(),
            pay: Some(true),
            ..Default::default()
        }]],
    }
}

fn link_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: Some(false),
        url: Some("https://shop.example".into()),
        prefer_small_media: Some(true),
        prefer_large_media: Some(false),
        show_above_text: Some(true),
    }
}

fn reply_to() -> ReplyParameters {
    ReplyParameters {
        message_id: 17,
        chat_id: Some("@epicerie_quartier".into()),
        allow_sending_without_reply: Some(true),
    }
}

fn full_invoice() -> InvoiceParams {
    InvoiceParams {
        title: "Sourdough".into(),
        description: "One loaf, baked this morning".into(),
        payload: "order:7f3c2a".into(),
        provider_token: Some("284685063:TEST:abc".into()),
        currency: "EUR".into(),
        prices: vec![
            LabeledPrice {
                label: "Loaf".into(),
                amount: 450,
            },
            LabeledPrice {
                label: "Delivery".into(),
                amount: 200,
            },
        ],
        max_tip_amount: Some(500),
        suggested_tip_amounts: Some(vec![50, 100, 200]),
        provider_data: Some("{}".into()),
        photo_url: Some("https://shop.example/p/91.jpg".into()),
        photo_size: Some(40960),
        photo_width: Some(640),
        photo_height: Some(480),
        need_name: Some(true),
        need_phone_number: Some(true),
        need_email: Some(true),
        need_shipping_address: Some(true),
        send_phone_number_to_provider: Some(true),
        send_email_to_provider: Some(true),
        is_flexible: Some(true),
    }
}

fn shipping_options() -> Vec<ShippingOption> {
    vec![
        ShippingOption {
            id: "dhl".into(),
            title: "DHL Express".into(),
            prices: vec![LabeledPrice {
                label: "Delivery".into(),
                amount: 990,
            }],
        },
        ShippingOption {
            id: "post".into(),
            title: "Nova Poshta".into(),
            prices: vec![
                LabeledPrice {
                    label: "Delivery".into(),
                    amount: 450,
                },
                LabeledPrice {
                    label: "Insurance".into(),
                    amount: 50,
                },
            ],
        },
    ]
}

fn stars_invoice() -> InvoiceParams {
    InvoiceParams::stars("Sourdough", "One loaf", "order:7f3c2a", 250)
}

/// Requests built with struct literals list every field, so the compiler
/// keeps "full" examples complete when fields are added.
fn examples() -> Vec<Example> {
    let chat = || ChatTarget::Id(-1001987654321);
    vec![
        example("full", GetMe {}),
        example("minimal", GetMe {}),
        example(
            "full",
            GetUpdates {
                offset: Some(804215577),
                limit: Some(100),
                timeout: Some(50),
                allowed_updates: Some(vec!["message".into(), "chat_member".into()]),
            },
        ),
        example("minimal", GetUpdates::default()),
        example(
            "full",
            SetWebhook {
                url: "https://shop.example/telegram/webhook".into(),
                ip_address: Some("203.0.113.7".into()),
                max_connections: Some(40),
                allowed_updates: Some(vec!["message".into()]),
                drop_pending_updates: Some(true),
                secret_token: Some("s3cr3t_Token-1".into()),
            },
        ),
        example("minimal", SetWebhook::new("https://shop.example/hook")),
        example(
            "full",
            DeleteWebhook {
                drop_pending_updates: Some(true),
            },
        ),
        example("minimal", DeleteWebhook::default()),
        example("full", GetWebhookInfo {}),
        example("minimal", GetWebhookInfo {}),
        example(
            "full",
            SendMessage {
                chat_id: chat(),
                message_thread_id: Some(2280),
                text: "Hello world".into(),
                parse_mode: Some(ParseMode::MarkdownV2),
                entities: Some(entities()),
                link_preview_options: Some(link_preview()),
                disable_notification: Some(true),
                protect_content: Some(true),
                allow_paid_broadcast: Some(true),
                reply_parameters: Some(reply_to()),
                reply_markup: Some(keyboard().into()),
            },
        ),
        example("minimal", SendMessage::new(5012345678, "Hi")),
        example("contact keyboard", {
            let mut request = SendMessage::new(5012345678, "Share your number");
            request.reply_markup = Some(ReplyMarkup::ReplyKeyboard(ReplyKeyboardMarkup {
                keyboard: vec![vec![KeyboardButton {
                    text: "Share my phone number".into(),
                    request_contact: Some(true),
                }]],
                resize_keyboard: Some(true),
                one_time_keyboard: Some(true),
                input_field_placeholder: Some("Tap the button".into()),
            }));
            request
        }),
        example("keyboard removed", {
            let mut request = SendMessage::new(5012345678, "Thanks");
            request.reply_markup = Some(ReplyMarkup::RemoveKeyboard(ReplyKeyboardRemove {
                remove_keyboard: true,
            }));
            request
        }),
        example(
            "username target",
            SendMessage::new("@epicerie_quartier", "Hi"),
        ),
        example(
            "full",
            EditMessageText {
                chat_id: Some(chat()),
                message_id: Some(18),
                inline_message_id: Some("AgAAAPbZAQBdT2sAAQ".into()),
                text: "Updated".into(),
                parse_mode: Some(ParseMode::Html),
                entities: Some(entities()),
                link_preview_options: Some(link_preview()),
                reply_markup: Some(keyboard()),
            },
        ),
        example("minimal", EditMessageText::new(5012345678, 18, "Updated")),
        example(
            "full",
            EditMessageReplyMarkup {
                chat_id: Some(chat()),
                message_id: Some(18),
                inline_message_id: Some("AgAAAPbZAQBdT2sAAQ".into()),
                reply_markup: Some(keyboard()),
            },
        ),
        example("minimal", EditMessageReplyMarkup::default()),
        example(
            "full",
            DeleteMessage {
                chat_id: "@epicerie_quartier".into(),
                message_id: 18,
            },
        ),
        example(
            "minimal",
            DeleteMessage {
                chat_id: chat(),
                message_id: 18,
            },
        ),
        example(
            "full",
            AnswerCallbackQuery {
                callback_query_id: "2152656381640912345".into(),
                text: Some("Added".into()),
                show_alert: Some(true),
                url: Some("https://t.me/groupcart_bot?start=x".into()),
                cache_time: Some(5),
            },
        ),
        example("minimal", AnswerCallbackQuery::new("2152656381640912345")),
        example(
            "full",
            SetMyCommands {
                commands: vec![BotCommand {
                    command: "start".into(),
                    description: "Open the shop".into(),
                }],
                scope: Some(BotCommandScope::ChatMember {
                    chat_id: chat(),
                    user_id: 5012345678,
                }),
                language_code: Some("uk".into()),
            },
        ),
        example(
            "minimal",
            SetMyCommands {
                commands: vec![],
                scope: None,
                language_code: None,
            },
        ),
        example(
            "full",
            SetChatMenuButton {
                chat_id: Some(5012345678),
                menu_button: Some(MenuButton::WebApp {
                    text: "Shop".into(),
                    web_app: WebAppInfo {
                        url: "https://shop.example/app".into(),
                    },
                }),
            },
        ),
        example("minimal", SetChatMenuButton::default()),
        example(
            "full",
            SendPhoto {
                chat_id: chat(),
                message_thread_id: Some(2280),
                photo: "https://shop.example/p/91.jpg".into(),
                caption: Some("Fresh".into()),
                parse_mode: Some(ParseMode::Html),
                caption_entities: Some(entities()),
                show_caption_above_media: Some(true),
                has_spoiler: Some(false),
                disable_notification: Some(true),
                protect_content: Some(true),
                allow_paid_broadcast: Some(false),
                reply_parameters: Some(reply_to()),
                reply_markup: Some(ReplyMarkup::ForceReply(ForceReply {
                    force_reply: true,
                    input_field_placeholder: Some("Quantity".into()),
                    selective: Some(true),
                })),
            },
        ),
        example("minimal", SendPhoto::new(5012345678, "AgACAgIAAxkBAAIB")),
        example(
            "full",
            SendPoll {
                chat_id: chat(),
                message_thread_id: Some(2280),
                question: "Which tea next?".into(),
                question_parse_mode: Some(ParseMode::Html),
                question_entities: None,
                options: vec![
                    InputPollOption {
                        text: "Longjing".into(),
                        text_parse_mode: Some(ParseMode::Html),
                        text_entities: None,
                    },
                    InputPollOption::new("Pu-erh"),
                ],
                is_anonymous: Some(false),
                kind: Some(PollType::Quiz),
                allows_multiple_answers: Some(false),
                allows_revoting: Some(false),
                shuffle_options: Some(true),
                allow_adding_options: Some(false),
                hide_results_until_closes: Some(true),
                members_only: Some(false),
                country_codes: Some(vec!["DE".into(), "FT".into()]),
                correct_option_ids: Some(vec![0]),
                explanation: Some("Longjing is green".into()),
                explanation_parse_mode: None,
                explanation_entities: Some(entities()),
                open_period: Some(600),
                close_date: None,
                is_closed: Some(false),
                description: Some("Vote by Friday".into()),
                description_parse_mode: Some(ParseMode::MarkdownV2),
                description_entities: None,
                disable_notification: Some(true),
                protect_content: Some(true),
                allow_paid_broadcast: Some(false),
                message_effect_id: None,
                reply_parameters: Some(reply_to()),
                reply_markup: Some(keyboard().into()),
            },
        ),
        example(
            "minimal",
            SendPoll::new(
                -1001987654321,
                "Which tea next?",
                vec![
                    InputPollOption::new("Longjing"),
                    InputPollOption::new("Pu-erh"),
                ],
            ),
        ),
        example(
            "full",
            SendDocument {
                chat_id: chat(),
                message_thread_id: Some(2280),
                document: export_file(),
                caption: Some("Your data".into()),
                parse_mode: Some(ParseMode::Html),
                disable_notification: Some(true),
                protect_content: Some(true),
                reply_markup: Some(ReplyMarkup::from(keyboard())),
            },
        ),
        example("minimal", SendDocument::new(5012345678, export_file())),
        example(
            "full",
            CopyMessage {
                chat_id: chat(),
                message_thread_id: Some(2280),
                from_chat_id: ChatTarget::Id(5012345678),
                message_id: 311,
                caption: Some("<b>Olena</b>: receipt".into()),
                parse_mode: Some(ParseMode::Html),
                caption_entities: Some(entities()),
                show_caption_above_media: Some(true),
                disable_notification: Some(true),
                protect_content: Some(false),
                allow_paid_broadcast: Some(false),
                reply_parameters: Some(reply_to()),
                reply_markup: Some(keyboard().into()),
            },
        ),
        example("minimal", CopyMessage::new(chat(), 5012345678, 311)),
        example(
            "username source",
            CopyMessage::new(5012345678, "@epicerie_quartier", 2291),
        ),
        example(
            "full",
            CreateForumTopic {
                chat_id: chat(),
                name: "Ticket #42 · Olena".into(),
                icon_color: Some(7322096),
                icon_custom_emoji_id: Some("5368324170671202286".into()),
            },
        ),
        example(
            "minimal",
            CreateForumTopic::new("@epicerie_staff", "Ticket #43"),
        ),
        example(
            "full",
            CreateChatInviteLink {
                chat_id: chat(),
                name: Some("flyer-bakery".into()),
                expire_date: Some(1735689600),
                member_limit: Some(100),
                creates_join_request: Some(false),
            },
        ),
        example("minimal", CreateChatInviteLink::new(chat())),
        example(
            "full",
            ApproveChatJoinRequest {
                chat_id: chat(),
                user_id: 662233445,
            },
        ),
        example(
            "minimal",
            ApproveChatJoinRequest {
                chat_id: chat(),
                user_id: 662233445,
            },
        ),
        example(
            "full",
            DeclineChatJoinRequest {
                chat_id: "@vip".into(),
                user_id: 662233445,
            },
        ),
        example(
            "minimal",
            DeclineChatJoinRequest {
                chat_id: chat(),
                user_id: 662233445,
            },
        ),
        example(
            "full",
            GetChatMember {
                chat_id: "@epicerie_quartier".into(),
                user_id: 441122334,
            },
        ),
        example(
            "minimal",
            GetChatMember {
                chat_id: chat(),
                user_id: 441122334,
            },
        ),
        example(
            "full",
            BanChatMember {
                chat_id: chat(),
                user_id: 441122334,
                until_date: Some(1735689600),
                revoke_messages: Some(true),
            },
        ),
        example(
            "minimal",
            BanChatMember {
                chat_id: chat(),
                user_id: 441122334,
                until_date: None,
                revoke_messages: None,
            },
        ),
        example(
            "full",
            UnbanChatMember {
                chat_id: chat(),
                user_id: 441122334,
                only_if_banned: Some(true),
            },
        ),
        example(
            "minimal",
            UnbanChatMember {
                chat_id: chat(),
                user_id: 441122334,
                only_if_banned: None,
            },
        ),
        example(
            "full",
            RestrictChatMember {
                chat_id: chat(),
                user_id: 441122334,
                permissions: ChatPermissions {
                    can_send_messages: Some(true),
                    can_send_audios: Some(false),
                    can_send_documents: Some(false),
                    can_send_photos: Some(true),
                    can_send_videos: Some(false),
                    can_send_video_notes: Some(false),
                    can_send_voice_notes: Some(false),
                    can_send_polls: Some(false),
                    can_send_other_messages: Some(false),
                    can_add_web_page_previews: Some(false),
                    can_react_to_messages: Some(true),
                    can_change_info: Some(false),
                    can_invite_users: Some(true),
                    can_pin_messages: Some(false),
                    can_manage_topics: Some(false),
                    can_edit_tag: Some(false),
                },
                use_independent_chat_permissions: Some(true),
                until_date: Some(1735689600),
            },
        ),
        example(
            "minimal",
            RestrictChatMember {
                chat_id: chat(),
                user_id: 441122334,
                permissions: ChatPermissions::default(),
                use_independent_chat_permissions: None,
                until_date: None,
            },
        ),
        example(
            "full",
            SendInvoice {
                chat_id: chat(),
                message_thread_id: Some(2280),
                invoice: full_invoice(),
                start_parameter: Some("order-7f3c2a".into()),
                disable_notification: Some(true),
                protect_content: Some(true),
                allow_paid_broadcast: Some(false),
                reply_parameters: Some(reply_to()),
                reply_markup: Some(pay_keyboard()),
            },
        ),
        example("minimal", SendInvoice::new(5012345678, stars_invoice())),
        example(
            "full",
            CreateInvoiceLink {
                invoice: full_invoice(),
                subscription_period: Some(2592000),
            },
        ),
        example(
            "minimal",
            CreateInvoiceLink {
                invoice: stars_invoice(),
                subscription_period: None,
            },
        ),
        // Every field at once only checks the shape; `accept` and `reject` are
        // the two requests a bot really sends.
        example(
            "full",
            AnswerShippingQuery {
                shipping_query_id: "4417382955120934567".into(),
                ok: true,
                shipping_options: Some(shipping_options()),
                error_message: Some("No delivery to islands".into()),
            },
        ),
        example(
            "minimal",
            AnswerShippingQuery {
                shipping_query_id: "4417382955120934567".into(),
                ok: true,
                shipping_options: None,
                error_message: None,
            },
        ),
        example(
            "accept",
            AnswerShippingQuery::accept("4417382955120934567", shipping_options()),
        ),
        example(
            "reject",
            AnswerShippingQuery::reject(
                "4417382955120934567",
                "Sorry, we do not deliver to Svalbard",
            ),
        ),
        example(
            "full",
            AnswerPreCheckoutQuery::reject("3310992877452661234", "Sold out"),
        ),
        example(
            "minimal",
            AnswerPreCheckoutQuery::accept("3310992877452661234"),
        ),
        example(
            "full",
            RefundStarPayment {
                user_id: 5012345678,
                telegram_payment_charge_id: "stxAbC123".into(),
            },
        ),
        example(
            "minimal",
            RefundStarPayment {
                user_id: 5012345678,
                telegram_payment_charge_id: "stxAbC123".into(),
            },
        ),
    ]
    .into_iter()
    .chain(scope_and_menu_variants())
    .collect()
}

/// Every variant of the tagged enums, so each `type` tag is checked.
fn scope_and_menu_variants() -> Vec<Example> {
    let commands = || {
        vec![BotCommand {
            command: "shop".into(),
            description: "Open the shop".into(),
        }]
    };
    let scopes = [
        BotCommandScope::Default,
        BotCommandScope::AllPrivateChats,
        BotCommandScope::AllGroupChats,
        BotCommandScope::AllChatAdministrators,
        BotCommandScope::Chat {
            chat_id: "@epicerie_quartier".into(),
        },
        BotCommandScope::ChatAdministrators {
            chat_id: ChatTarget::Id(-1001987654321),
        },
    ];
    let mut out: Vec<Example> = scopes
        .into_iter()
        .map(|scope| {
            example(
                "scope variant",
                SetMyCommands {
                    commands: commands(),
                    scope: Some(scope),
                    language_code: None,
                },
            )
        })
        .collect();
    for button in [MenuButton::Commands, MenuButton::Default] {
        out.push(example(
            "menu variant",
            SetChatMenuButton {
                chat_id: None,
                menu_button: Some(button),
            },
        ));
    }
    out
}

#[test]
fn every_method_has_full_and_minimal_examples() {
    let examples = examples();
    let names: BTreeSet<&str> = ALL_METHOD_NAMES.iter().copied().collect();
    assert_eq!(
        names.len(),
        ALL_METHOD_NAMES.len(),
        "duplicate method names"
    );
    for name in ALL_METHOD_NAMES {
        for label in ["full", "minimal"] {
            assert!(
                examples
                    .iter()
                    .any(|e| e.method == *name && e.label == label),
                "no {label} example for {name}"
            );
        }
    }
}

#[test]
fn requests_match_the_spec() {
    let mut errors = Vec::new();
    for ex in examples() {
        let Some(def) = spec()["methods"].get(ex.method) else {
            errors.push(format!("{} is not a Bot API method", ex.method));
            continue;
        };
        if let Err(e) = check_object(def, &ex.json, &format!("{} ({})", ex.method, ex.label)) {
            errors.push(e);
        }
    }
    assert!(errors.is_empty(), "spec mismatches:\n{}", errors.join("\n"));
}

#[test]
fn full_examples_set_optional_fields() {
    let examples = examples();
    for name in ALL_METHOD_NAMES {
        let has_optional = fields(&spec()["methods"][*name])
            .iter()
            .any(|f| f["required"] == false);
        let keys = |label: &str| -> BTreeSet<String> {
            let ex = examples
                .iter()
                .find(|e| e.method == *name && e.label == label)
                .expect("example exists");
            ex.json
                .as_object()
                .expect("request is an object")
                .keys()
                .cloned()
                .collect()
        };
        let (full, minimal) = (keys("full"), keys("minimal"));
        assert!(
            full.is_superset(&minimal),
            "{name}: full example lacks {:?}",
            minimal.difference(&full).collect::<Vec<_>>()
        );
        if has_optional {
            assert!(
                full.len() > minimal.len(),
                "{name}: full example sets no optional field"
            );
        }
    }
}

#[test]
fn parsed_fixtures_serialize_to_spec_shape() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures dir") {
        let path = entry.expect("dir entry").path();
        let raw = std::fs::read(&path).expect("fixture readable");
        let update: Update =
            serde_json::from_slice(&raw).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let json = serde_json::to_value(&update).expect("update serializes");
        check_object(&spec()["types"]["Update"], &json, "Update")
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        checked += 1;
    }
    assert!(checked >= 10, "expected the fixtures, found {checked}");
}

/// A customer's document relayed into a staff forum topic, as Telegram delivers it: the
/// topic's creation service message rides along as `reply_to_message`.
fn topic_document_update() -> Value {
    let chat = json!({
        "id": -1001987654321_i64,
        "title": "Support desk",
        "is_forum": true,
        "type": "supergroup"
    });
    json!({
        "update_id": 804215590,
        "message": {
            "message_id": 2301,
            "message_thread_id": 2280,
            "from": {"id": 331234567, "is_bot": false, "first_name": "Marc"},
            "chat": chat,
            "date": 1732222861,
            "is_topic_message": true,
            "reply_to_message": {
                "message_id": 2280,
                "message_thread_id": 2280,
                "from": {"id": 123456, "is_bot": true, "first_name": "GroupCart", "username": "groupcart_bot"},
                "chat": chat,
                "date": 1732220000,
                "is_topic_message": true,
                "forum_topic_created": {
                    "name": "Ticket #42",
                    "icon_color": 7322096,
                    "icon_custom_emoji_id": "5368324170671202286",
                    "is_name_implicit": false
                }
            },
            "document": {
                "file_id": "BQACAgIAAxkBAAIB",
                "file_unique_id": "AgADBQAC",
                "thumbnail": {"file_id": "AAMCAgADGQEAAgI", "file_unique_id": "AQADBQAC", "width": 90, "height": 120, "file_size": 2048},
                "file_name": "invoice.pdf",
                "mime_type": "application/pdf",
                "file_size": 48213
            },
            "caption": "Here is the invoice",
            "caption_entities": [{"offset": 8, "length": 7, "type": "italic"}]
        }
    })
}

#[test]
fn forum_topic_and_document_messages_round_trip_in_spec_shape() {
    let raw = topic_document_update();
    let update: Update = serde_json::from_value(raw.clone()).expect("update parses");
    let message = update.message.as_ref().expect("message");
    assert_eq!(message.message_thread_id, Some(2280));
    assert_eq!(message.is_topic_message, Some(true));
    let document = message.document.as_ref().expect("document");
    assert_eq!(document.file_name.as_deref(), Some("invoice.pdf"));
    assert_eq!(document.mime_type.as_deref(), Some("application/pdf"));
    assert_eq!(document.file_size, Some(48213));
    let created = message
        .reply_to_message
        .as_ref()
        .and_then(|r| r.forum_topic_created.as_ref())
        .expect("topic creation service message");
    assert_eq!(created.name, "Ticket #42");
    assert_eq!(created.icon_color, 7322096);

    let json = serde_json::to_value(&update).expect("update serializes");
    assert_eq!(json, raw, "nothing lost or invented");
    check_object(&spec()["types"]["Update"], &json, "Update").expect("spec shape");
}

#[test]
fn forum_topic_and_message_id_results_parse() {
    let topic: ForumTopic = serde_json::from_value(json!({
        "message_thread_id": 2280,
        "name": "Ticket #42",
        "icon_color": 7322096
    }))
    .expect("ForumTopic parses");
    assert_eq!(topic.message_thread_id, 2280);
    assert_eq!(topic.icon_custom_emoji_id, None);
    let json = serde_json::to_value(&topic).expect("serializes");
    check_object(&spec()["types"]["ForumTopic"], &json, "ForumTopic").expect("spec shape");

    let id: MessageId = serde_json::from_value(json!({"message_id": 2302})).expect("parses");
    assert_eq!(id, MessageId { message_id: 2302 });
    let json = serde_json::to_value(id).expect("serializes");
    check_object(&spec()["types"]["MessageId"], &json, "MessageId").expect("spec shape");
}

#[test]
fn forum_requests_carry_the_bot_api_names() {
    let mut copy = CopyMessage::new(-1001987654321, 5012345678, 311);
    copy.message_thread_id = Some(2280);
    copy.caption = Some("From Olena".into());
    assert_eq!(CopyMessage::NAME, "copyMessage");
    assert_eq!(
        serde_json::to_value(&copy).expect("serializes"),
        json!({
            "chat_id": -1001987654321_i64,
            "message_thread_id": 2280,
            "from_chat_id": 5012345678_i64,
            "message_id": 311,
            "caption": "From Olena"
        })
    );

    let mut topic = CreateForumTopic::new(-1001987654321, "Ticket #42");
    topic.icon_color = Some(0x6FB9F0);
    assert_eq!(CreateForumTopic::NAME, "createForumTopic");
    assert_eq!(
        serde_json::to_value(&topic).expect("serializes"),
        json!({"chat_id": -1001987654321_i64, "name": "Ticket #42", "icon_color": 7322096})
    );

    let mut text = SendMessage::new(-1001987654321, "Hello from support");
    text.message_thread_id = Some(2280);
    let mut photo = SendPhoto::new(-1001987654321, "AgACAgIAAxkBAAIB");
    photo.message_thread_id = Some(2280);
    let mut document = SendDocument::new(-1001987654321, export_file());
    document.message_thread_id = Some(2280);
    for json in [
        serde_json::to_value(&text),
        serde_json::to_value(&photo),
        serde_json::to_value(&document),
    ] {
        assert_eq!(json.expect("serializes")["message_thread_id"], 2280);
    }
    // Absent means the General topic (or a chat without topics): the field is left out.
    let plain = serde_json::to_value(SendMessage::new(5012345678, "Hi")).expect("serializes");
    assert!(plain.get("message_thread_id").is_none());
}

#[test]
fn validator_rejects_bad_shapes() {
    // Guard against a validator that accepts everything.
    let send = &spec()["methods"]["sendMessage"];
    for v in [
        json!({"chat_id": 1}),
        json!({"chat_id": 1, "text": "x", "bogus": true}),
        json!({"chat_id": 1.5, "text": "x"}),
        json!({"chat_id": 1, "text": "x", "disable_notification": null}),
        json!({"chat_id": 1, "text": "x", "entities": [{"type": "bold"}]}),
        json!({"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a", "nope": 1}]]}}),
    ] {
        assert!(
            check_object(send, &v, "sendMessage").is_err(),
            "accepted {v}"
        );
    }
    let commands = &spec()["methods"]["setMyCommands"];
    for scope in [
        json!({"type": "chat_member", "chat_id": 1}),
        json!({"type": "chat", "chat_id": 1, "user_id": 2}),
        json!({"type": "nope"}),
    ] {
        let v = json!({"commands": [], "scope": scope});
        assert!(
            check_object(commands, &v, "setMyCommands").is_err(),
            "accepted {v}"
        );
    }
    let banned_without_until = json!({
        "status": "kicked",
        "user": {"id": 1, "is_bot": false, "first_name": "A"}
    });
    assert!(fits("ChatMember", &banned_without_until).is_err());
}
