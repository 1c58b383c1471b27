//! What simulated users (and the test harness) do: register users and chats, change members,
//! write to a bot, press buttons, follow invite links, block the bot, pay invoices (filling the
//! payment form and choosing shipping), inject raw updates; and the read side (chat logs,
//! stats, callback answers, payments, bots). These are the in-process equivalents of the
//! `/sim` control endpoints.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::error::SimError;
use crate::state::{
    bot_username, now_unix, InvoiceData, JoinRequest, Member, MemberChange, PaymentRecord, World,
};
use crate::text::{detect_entities, has_callback_button};
use crate::types::{
    BotSummary, CallbackRecord, CallbackSent, ChatInfo, ChatType, JoinResult, MemberSpec,
    MemberStatus, MessageExtras, MessageSent, OrderInfo, PayDetails, PayStarted, PayTarget,
    Payment, PaymentStatus, SentMessage, ShippingAddress, SimChat, SimFile, SimTopic, SimUser,
    Stats, UserSpec, VoteSent,
};
use crate::{SimConfig, Simulator};

fn check_bot_id(bot_id: i64) -> Result<(), SimError> {
    if bot_id > 0 {
        Ok(())
    } else {
        Err(SimError::bad_request("bot ids are positive"))
    }
}

/// Registers the acting user; bots and non-positive ids cannot act as users.
fn acting_user(world: &mut World, from: &UserSpec) -> Result<i64, SimError> {
    let id = from.id();
    if id <= 0 {
        return Err(SimError::bad_request("user ids are positive"));
    }
    if world.is_bot(id) {
        return Err(SimError::bad_request("a bot cannot act as a user"));
    }
    Ok(world.ensure_user(from))
}

/// `my_chat_member` in a private chat: the user (un)blocked the bot.
fn private_member_update(
    world: &mut World,
    bot_id: i64,
    user_id: i64,
    blocked: bool,
) -> Option<i64> {
    let bot = crate::state::bot_user_json(bot_id);
    let member = json!({"status": "member", "user": bot});
    let kicked = json!({"status": "kicked", "user": bot, "until_date": 0});
    let (old, new) = if blocked {
        (member, kicked)
    } else {
        (kicked, member)
    };
    let body = json!({
        "chat": world.chat_json(user_id),
        "from": world.user_json(user_id),
        "date": now_unix(),
        "old_chat_member": old,
        "new_chat_member": new,
    });
    world.push_update(bot_id, "my_chat_member", body)
}

/// The `order_info` the bot receives: the fields of the user's form that the invoice asks for,
/// or `None` if it asks for none. Fails, naming every missing field, when the form lacks any
/// of them, as the payment form would not let the user continue.
fn requested_order_info(
    invoice: &InvoiceData,
    entered: Option<&OrderInfo>,
) -> Result<Option<OrderInfo>, SimError> {
    let entered = entered.cloned().unwrap_or_default();
    let mut missing = Vec::new();
    let mut take = |asked: bool, value: Option<String>, what: &'static str| {
        let value = value.filter(|v| !v.trim().is_empty());
        if asked && value.is_none() {
            missing.push(what);
        }
        value.filter(|_| asked)
    };
    let name = take(invoice.need_name, entered.name, "the payer's name (name)");
    let phone_number = take(
        invoice.need_phone_number,
        entered.phone_number,
        "a phone number (phone_number)",
    );
    let email = take(
        invoice.need_email,
        entered.email,
        "an email address (email)",
    );
    let shipping_address = entered
        .shipping_address
        .filter(|_| invoice.need_shipping_address);
    if invoice.need_shipping_address && shipping_address.is_none() {
        missing.push("a shipping address (shipping_address)");
    }
    if !missing.is_empty() {
        return Err(SimError::bad_request(format!(
            "the invoice asks for {}: give it in order_info",
            missing.join(", ")
        )));
    }
    if let Some(address) = &shipping_address {
        check_address(address)?;
    }
    let info = OrderInfo {
        name,
        phone_number,
        email,
        shipping_address,
    };
    Ok((info != OrderInfo::default()).then_some(info))
}

/// The checks of Telegram's address form (with its error names).
fn check_address(address: &ShippingAddress) -> Result<(), SimError> {
    let code = &address.country_code;
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(SimError::bad_request(
            "ADDRESS_COUNTRY_INVALID: country_code must be a two-letter ISO 3166-1 code such as US",
        ));
    }
    if address.city.trim().is_empty() {
        return Err(SimError::bad_request(
            "ADDRESS_CITY_INVALID: the city is empty",
        ));
    }
    if address.street_line1.trim().is_empty() {
        return Err(SimError::bad_request(
            "ADDRESS_STREET_LINE1_INVALID: street_line1 is empty",
        ));
    }
    Ok(())
}

/// Telegram's limit on captions, in UTF-16 code units.
const MAX_CAPTION: usize = 1024;

/// What a simulated user sends.
enum UserContent<'a> {
    Text(&'a str),
    Photo {
        caption: Option<&'a str>,
    },
    Document {
        file: SimFile,
        caption: Option<&'a str>,
    },
}

impl UserContent<'_> {
    /// What a Telegram client would not let the user send.
    fn check(&self) -> Result<(), SimError> {
        let caption = match self {
            UserContent::Text(text) => {
                if text.trim().is_empty() {
                    return Err(SimError::bad_request("text is empty"));
                }
                return Ok(());
            }
            UserContent::Photo { caption } => caption,
            UserContent::Document { file, caption } => {
                if file.file_name.trim().is_empty() {
                    return Err(SimError::bad_request("file_name is empty"));
                }
                caption
            }
        };
        if caption.is_some_and(|c| c.encode_utf16().count() > MAX_CAPTION) {
            return Err(SimError::bad_request(
                "the caption is longer than 1024 characters",
            ));
        }
        Ok(())
    }

    /// The message's content fields, with the text (or caption) and its entities, which
    /// decide whether a bot in privacy mode receives it.
    fn into_message(self, world: &mut World) -> (Value, String, Vec<Value>) {
        let (mut message, text, field) = match self {
            UserContent::Text(text) => (json!({}), text.to_string(), "text"),
            UserContent::Photo { caption } => (
                json!({"photo": world.photo_sizes(None)}),
                caption.unwrap_or_default().to_string(),
                "caption",
            ),
            UserContent::Document { file, caption } => (
                json!({"document": world.store_document(&file.file_name, &file.mime_type, file.content)}),
                caption.unwrap_or_default().to_string(),
                "caption",
            ),
        };
        let entities = detect_entities(&text);
        if !text.is_empty() {
            message[field] = json!(text);
        }
        if !entities.is_empty() {
            let entities_field = if field == "text" {
                "entities"
            } else {
                "caption_entities"
            };
            message[entities_field] = Value::Array(entities.clone());
        }
        (message, text, entities)
    }
}

/// Whether a group message reaches a bot in privacy mode: admins see everything, others only
/// commands meant for them and mentions of them.
fn reaches_bot(world: &World, bot_id: i64, chat_id: i64, text: &str, entities: &[Value]) -> bool {
    if world.member(chat_id, bot_id).status.is_admin() {
        return true;
    }
    let username = bot_username(bot_id).to_ascii_lowercase();
    let utf16: Vec<u16> = text.encode_utf16().collect();
    entities.iter().any(|entity| {
        let offset = entity["offset"].as_u64().unwrap_or(0) as usize;
        let length = entity["length"].as_u64().unwrap_or(0) as usize;
        let token = utf16
            .get(offset..offset + length)
            .map(String::from_utf16_lossy)
            .unwrap_or_default()
            .to_ascii_lowercase();
        match entity["type"].as_str() {
            Some("bot_command") => match token.split_once('@') {
                Some((_, target)) => target == username,
                None => true,
            },
            Some("mention") => token.trim_start_matches('@') == username,
            _ => false,
        }
    })
}

impl Simulator {
    /// Runs a world change under the lock and wakes waiters on chat logs.
    fn act<R>(
        &self,
        change: impl FnOnce(&mut World, &SimConfig, Instant) -> Result<R, SimError>,
    ) -> Result<R, SimError> {
        let result = {
            let mut world = self.inner.world();
            change(&mut world, &self.inner.config, Instant::now())
        };
        self.inner.changed.notify_waiters();
        result
    }

    /// Registers a user, or updates their names and language.
    pub fn register_user(&self, user: SimUser) -> Result<SimUser, SimError> {
        if user.id <= 0 {
            return Err(SimError::bad_request("user ids are positive"));
        }
        if user.first_name.trim().is_empty() {
            return Err(SimError::bad_request("first_name is empty"));
        }
        self.act(|world, _, _| {
            world.ensure_user(&UserSpec::User(user.clone()));
            Ok(user)
        })
    }

    /// Registers the users as having started bot `bot_id` (their private chats open) without
    /// sending it updates: an audience for broadcast benchmarks.
    pub fn open_private_chats(
        &self,
        bot_id: i64,
        users: impl IntoIterator<Item = SimUser>,
    ) -> Result<usize, SimError> {
        self.act(|world, _, _| {
            let mut opened = 0;
            for user in users {
                if user.id <= 0 {
                    return Err(SimError::bad_request("user ids are positive"));
                }
                let id = world.ensure_user(&UserSpec::User(user));
                world.bot(bot_id).private.entry(id).or_default().started = true;
                opened += 1;
            }
            Ok(opened)
        })
    }

    /// All registered users, by id.
    pub fn users(&self) -> Vec<SimUser> {
        let mut users: Vec<SimUser> = self.inner.world().users.values().cloned().collect();
        users.sort_by_key(|u| u.id);
        users
    }

    /// Registers a group, supergroup or channel (or updates its title and flags).
    pub fn register_chat(&self, chat: SimChat) -> Result<SimChat, SimError> {
        if chat.id >= 0 {
            return Err(SimError::bad_request("group and channel ids are negative"));
        }
        if chat.title.trim().is_empty() {
            return Err(SimError::bad_request("title is empty"));
        }
        if chat.is_forum && chat.kind != ChatType::Supergroup {
            return Err(SimError::bad_request("only supergroups can be forums"));
        }
        self.act(|world, _, _| {
            world
                .chats
                .entry(chat.id)
                .and_modify(|existing| existing.info = chat.clone())
                .or_insert_with(|| crate::state::GroupChat {
                    info: chat.clone(),
                    members: Default::default(),
                    links: Vec::new(),
                    join_requests: Vec::new(),
                });
            Ok(chat)
        })
    }

    /// Registered chats with their members.
    pub fn chats(&self) -> Vec<ChatInfo> {
        let world = self.inner.world();
        let mut chats: Vec<ChatInfo> = world
            .chats
            .values()
            .map(|chat| ChatInfo {
                chat: chat.info.clone(),
                members: chat
                    .members
                    .iter()
                    .map(|(id, member)| (*id, member.status))
                    .collect(),
            })
            .collect();
        chats.sort_by_key(|c| c.chat.id);
        chats
    }

    /// Sets a bot's or user's status in a chat, emitting `my_chat_member` / `chat_member` and
    /// join/leave service messages as Telegram would.
    pub fn set_member(&self, chat_id: i64, spec: MemberSpec) -> Result<(), SimError> {
        self.act(|world, _, _| {
            if !world.chats.contains_key(&chat_id) {
                return Err(SimError::not_found(format!(
                    "chat {chat_id} is not registered"
                )));
            }
            let user_id = match (spec.bot_id, &spec.user) {
                (Some(bot_id), None) => {
                    check_bot_id(bot_id)?;
                    world.bot(bot_id);
                    bot_id
                }
                (None, Some(user)) => acting_user(world, user)?,
                _ => return Err(SimError::bad_request("give exactly one of bot_id or user")),
            };
            if spec.status == MemberStatus::Restricted
                && world.chats.get(&chat_id).map(|c| c.info.kind) != Some(ChatType::Supergroup)
            {
                return Err(SimError::bad_request(
                    "only supergroups have restricted members",
                ));
            }
            let actor = spec.by.unwrap_or_else(|| {
                world
                    .chats
                    .get(&chat_id)
                    .and_then(|chat| {
                        chat.members
                            .iter()
                            .find(|(_, m)| m.status == MemberStatus::Creator)
                            .map(|(id, _)| *id)
                    })
                    .unwrap_or(user_id)
            });
            world.ensure_user(&UserSpec::Id(actor));
            let new = Member {
                // A restricted member set up by hand may not send anything.
                permissions: (spec.status == MemberStatus::Restricted).then(|| json!({})),
                ..Member::with_status(spec.status)
            };
            world.change_member(MemberChange {
                chat_id,
                user_id,
                new,
                actor,
                invite_link: None,
                via_join_request: false,
            });
            Ok(())
        })
    }

    /// A user writes `text` to the bot: in their private chat (`chat_id` `None`) or in a group.
    pub fn send_message(
        &self,
        bot_id: i64,
        from: impl Into<UserSpec>,
        chat_id: Option<i64>,
        text: &str,
    ) -> Result<MessageSent, SimError> {
        self.user_message(
            bot_id,
            from.into(),
            chat_id,
            None,
            UserContent::Text(text),
            MessageExtras::default(),
        )
    }

    /// A user writes `text` in a group, replying to a message or forwarding a channel post
    /// (`extras`).
    pub fn send_message_with(
        &self,
        bot_id: i64,
        from: impl Into<UserSpec>,
        chat_id: i64,
        text: &str,
        extras: MessageExtras,
    ) -> Result<MessageSent, SimError> {
        self.user_message(
            bot_id,
            from.into(),
            Some(chat_id),
            None,
            UserContent::Text(text),
            extras,
        )
    }

    /// A user writes `text` in forum topic `thread_id` (a topic the bot created) of a forum
    /// supergroup; the message carries `message_thread_id`, `is_topic_message` and, as on
    /// Telegram, the topic's `forum_topic_created` message as `reply_to_message`.
    pub fn send_message_in_thread(
        &self,
        bot_id: i64,
        from: impl Into<UserSpec>,
        chat_id: i64,
        thread_id: i64,
        text: &str,
    ) -> Result<MessageSent, SimError> {
        self.user_message(
            bot_id,
            from.into(),
            Some(chat_id),
            Some(thread_id),
            UserContent::Text(text),
            MessageExtras::default(),
        )
    }

    /// A user sends a photo (with an optional caption) in their private chat (`chat_id`
    /// `None`), a group, or a forum topic (`thread_id`). The photo gets a fresh `file_id`.
    pub fn send_photo(
        &self,
        bot_id: i64,
        from: impl Into<UserSpec>,
        chat_id: Option<i64>,
        caption: Option<&str>,
        thread_id: Option<i64>,
    ) -> Result<MessageSent, SimError> {
        self.user_message(
            bot_id,
            from.into(),
            chat_id,
            thread_id,
            UserContent::Photo { caption },
            MessageExtras::default(),
        )
    }

    /// A user sends a file as a document (with an optional caption) in their private chat
    /// (`chat_id` `None`), a group, or a forum topic (`thread_id`). The content is kept under
    /// the new `file_id` for `GET /sim/files/{file_id}` and for the bot to send again.
    pub fn send_document(
        &self,
        bot_id: i64,
        from: impl Into<UserSpec>,
        chat_id: Option<i64>,
        file: SimFile,
        caption: Option<&str>,
        thread_id: Option<i64>,
    ) -> Result<MessageSent, SimError> {
        self.user_message(
            bot_id,
            from.into(),
            chat_id,
            thread_id,
            UserContent::Document { file, caption },
            MessageExtras::default(),
        )
    }

    /// The one path of every user message: where it may go, what the bot receives.
    fn user_message(
        &self,
        bot_id: i64,
        from: UserSpec,
        chat_id: Option<i64>,
        thread_id: Option<i64>,
        content: UserContent<'_>,
        extras: MessageExtras,
    ) -> Result<MessageSent, SimError> {
        check_bot_id(bot_id)?;
        content.check()?;
        self.act(|world, _, _| {
            let user_id = acting_user(world, &from)?;
            let chat_id = chat_id.unwrap_or(user_id);
            let kind = if chat_id > 0 {
                if chat_id != user_id {
                    return Err(SimError::bad_request(
                        "a user writes to the bot in their own private chat (chat_id = user id)",
                    ));
                }
                None
            } else {
                let chat = world.chats.get(&chat_id).ok_or_else(|| {
                    SimError::not_found(format!("chat {chat_id} is not registered"))
                })?;
                let kind = chat.info.kind;
                let member = chat.member(user_id);
                if !member.present() {
                    return Err(SimError::bad_request(
                        "the user is not a member of the chat",
                    ));
                }
                if !member.can_send_messages() {
                    return Err(SimError::bad_request(
                        "the user may not send messages there",
                    ));
                }
                if !world.member(chat_id, bot_id).present() {
                    return Err(SimError::bad_request("the bot is not a member of the chat"));
                }
                if kind == ChatType::Channel && !member.status.is_admin() {
                    return Err(SimError::bad_request(
                        "only administrators post in a channel",
                    ));
                }
                Some(kind)
            };
            let root = match thread_id {
                Some(thread_id) => Some(
                    world
                        .thread_root(bot_id, chat_id, thread_id)
                        .map(|root| (thread_id, root))
                        .ok_or_else(|| {
                            SimError::bad_request(
                                "message thread not found: the chat is not a forum or the bot created no such topic",
                            )
                        })?,
                ),
                None => None,
            };

            let (mut message, text, entities) = content.into_message(world);
            message["chat"] = world.chat_json(chat_id);
            if let Some(reply_to) = extras.reply_to_message_id {
                let mut replied = world
                    .bot(bot_id)
                    .log(chat_id)
                    .and_then(|log| {
                        log.entries
                            .iter()
                            .find(|e| e.message_id() == reply_to && !e.deleted)
                    })
                    .map(|e| e.message.clone())
                    .ok_or_else(|| SimError::bad_request("message to be replied not found"))?;
                if let Some(object) = replied.as_object_mut() {
                    object.remove("reply_to_message");
                }
                message["reply_to_message"] = replied;
            }
            if let Some(channel) = extras.forward_from_chat_id {
                let is_channel = world
                    .chats
                    .get(&channel)
                    .is_some_and(|c| c.info.kind == ChatType::Channel);
                if !is_channel {
                    return Err(SimError::bad_request(
                        "forward_from_chat_id must be a registered channel",
                    ));
                }
                message["forward_origin"] = json!({
                    "type": "channel",
                    "date": now_unix() - 60,
                    "chat": world.chat_json(channel),
                    "message_id": 1,
                });
            }
            if let Some((thread_id, root)) = root {
                message["message_thread_id"] = json!(thread_id);
                message["is_topic_message"] = json!(true);
                message["reply_to_message"] = root;
            }
            let Some(kind) = kind else {
                // Writing to a bot you blocked unblocks it first (the client's Restart button).
                let private = world.bot(bot_id).private.entry(user_id).or_default();
                let was_blocked = private.blocked;
                private.started = true;
                private.blocked = false;
                if was_blocked {
                    private_member_update(world, bot_id, user_id, false);
                }
                message["from"] = world.user_json(user_id);
                let (message_id, message) =
                    world.append_message(bot_id, chat_id, false, message, None, None);
                let update_id = world.push_update(bot_id, "message", message);
                return Ok(MessageSent {
                    update_id,
                    message_id,
                });
            };
            if kind == ChatType::Channel {
                message["sender_chat"] = world.chat_json(chat_id);
                let (message_id, message) =
                    world.append_message(bot_id, chat_id, false, message, None, None);
                let update_id = world
                    .member(chat_id, bot_id)
                    .status
                    .is_admin()
                    .then(|| world.push_update(bot_id, "channel_post", message))
                    .flatten();
                return Ok(MessageSent {
                    update_id,
                    message_id,
                });
            }
            message["from"] = world.user_json(user_id);
            let reaches = reaches_bot(world, bot_id, chat_id, &text, &entities);
            let (message_id, message) =
                world.append_message(bot_id, chat_id, false, message, None, None);
            let update_id = reaches
                .then(|| world.push_update(bot_id, "message", message))
                .flatten();
            Ok(MessageSent {
                update_id,
                message_id,
            })
        })
    }

    /// Forum topics the bot created in the chat, oldest first.
    pub fn topics(&self, bot_id: i64, chat_id: i64) -> Vec<SimTopic> {
        let world = self.inner.world();
        world
            .bots
            .get(&bot_id)
            .and_then(|bot| bot.topics.get(&chat_id))
            .cloned()
            .unwrap_or_default()
    }

    /// A user presses an inline button (by its `callback_data`) under a bot's message.
    pub fn press_button(
        &self,
        bot_id: i64,
        from: impl Into<UserSpec>,
        chat_id: i64,
        message_id: i64,
        data: &str,
    ) -> Result<CallbackSent, SimError> {
        let from = from.into();
        check_bot_id(bot_id)?;
        self.act(|world, _, _| {
            let user_id = acting_user(world, &from)?;
            let visible = if chat_id > 0 {
                chat_id == user_id
            } else {
                world.member(chat_id, user_id).present()
            };
            if !visible {
                return Err(SimError::bad_request("the user cannot see that chat"));
            }
            let entry = world
                .bot(bot_id)
                .entry_mut(chat_id, message_id)
                .filter(|e| e.from_bot)
                .ok_or_else(|| SimError::not_found("no such message from the bot"))?;
            if !has_callback_button(entry.markup.as_ref(), data) {
                return Err(SimError::bad_request(
                    "the message has no inline button with this callback_data",
                ));
            }
            let message = entry.message.clone();
            let id = world.random_digits();
            let chat_instance = world.stable_digits(chat_id, bot_id);
            let body = json!({
                "id": id,
                "from": world.user_json(user_id),
                "message": message,
                "chat_instance": chat_instance,
                "data": data,
            });
            world.bot(bot_id).callbacks.insert(
                id.clone(),
                CallbackRecord {
                    id: id.clone(),
                    from: user_id,
                    chat_id,
                    message_id,
                    data: data.to_string(),
                    answer: None,
                },
            );
            let update_id = world.push_update(bot_id, "callback_query", body);
            Ok(CallbackSent {
                update_id,
                callback_query_id: id,
            })
        })
    }

    /// A user votes in a poll the bot sent: `option_ids` are the chosen answers (0-based;
    /// several only if the poll allows it; none retracts a vote where revoting is allowed).
    /// Like Telegram, the bot then gets a `poll` update with the poll's new state, and for a
    /// non-anonymous poll a `poll_answer` too.
    pub fn vote(
        &self,
        bot_id: i64,
        from: impl Into<UserSpec>,
        chat_id: i64,
        message_id: i64,
        option_ids: &[usize],
    ) -> Result<VoteSent, SimError> {
        let from = from.into();
        check_bot_id(bot_id)?;
        self.act(|world, _, _| {
            let user_id = acting_user(world, &from)?;
            let visible = if chat_id > 0 {
                chat_id == user_id
            } else {
                world.member(chat_id, user_id).present()
            };
            if !visible {
                return Err(SimError::bad_request("the user cannot see that chat"));
            }
            let user = world.user_json(user_id);
            let bot = world.bot(bot_id);
            let (poll_id, mut votes) = bot
                .polls
                .iter()
                .find(|(_, p)| p.chat_id == chat_id && p.message_id == message_id)
                .map(|(id, p)| (id.clone(), p.votes.clone()))
                .ok_or_else(|| SimError::not_found("no such poll from the bot"))?;
            let entry = bot
                .entry_mut(chat_id, message_id)
                .ok_or_else(|| SimError::not_found("the poll's message was deleted"))?;
            let poll = &mut entry.message["poll"];
            let flag = |name: &str| poll[name].as_bool().unwrap_or(false);
            if flag("is_closed") {
                return Err(SimError::bad_request("the poll is closed"));
            }
            let options = poll["options"].as_array().map_or(0, Vec::len);
            let mut chosen: Vec<usize> = option_ids.to_vec();
            chosen.sort_unstable();
            chosen.dedup();
            if chosen.iter().any(|&n| n >= options) {
                return Err(SimError::bad_request("no such poll option"));
            }
            if chosen.len() > 1 && !flag("allows_multiple_answers") {
                return Err(SimError::bad_request("the poll allows one answer"));
            }
            if votes.contains_key(&user_id) && !flag("allows_revoting") {
                return Err(SimError::bad_request("the user has already voted"));
            }
            if chosen.is_empty() {
                if votes.remove(&user_id).is_none() {
                    return Err(SimError::bad_request("no vote to retract"));
                }
            } else {
                votes.insert(user_id, chosen.clone());
            }
            for (n, option) in poll["options"]
                .as_array_mut()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let count = votes.values().filter(|v| v.contains(&n)).count();
                option["voter_count"] = json!(count);
            }
            poll["total_voter_count"] = json!(votes.len());
            let poll = poll.clone();
            if let Some(record) = bot.polls.get_mut(&poll_id) {
                record.votes = votes;
            }
            let update_id = world.push_update(bot_id, "poll", poll.clone());
            if !poll["is_anonymous"].as_bool().unwrap_or(true) {
                let persistent: Vec<Value> = chosen
                    .iter()
                    .map(|&n| poll["options"][n]["persistent_id"].clone())
                    .collect();
                world.push_update(
                    bot_id,
                    "poll_answer",
                    json!({
                        "poll_id": poll_id,
                        "user": user,
                        "option_ids": chosen,
                        "option_persistent_ids": persistent,
                    }),
                );
            }
            Ok(VoteSent { update_id, poll })
        })
    }

    /// A user follows an invite link: a join request for links that create them, otherwise
    /// the user joins at once.
    pub fn join(
        &self,
        bot_id: i64,
        from: impl Into<UserSpec>,
        invite_link: &str,
    ) -> Result<JoinResult, SimError> {
        let from = from.into();
        check_bot_id(bot_id)?;
        self.act(|world, _, now| {
            let user_id = acting_user(world, &from)?;
            let (chat_id, link) = world
                .locate_link(invite_link)
                .ok_or_else(|| SimError::not_found("unknown invite link"))?;
            if link.revoked || link.expire_date.is_some_and(|d| d <= now_unix()) {
                return Err(SimError::bad_request("INVITE_HASH_EXPIRED"));
            }
            if link.member_limit.is_some_and(|limit| link.joined >= limit) {
                return Err(SimError::bad_request(
                    "USERS_TOO_MUCH: the link's member limit is reached",
                ));
            }
            let member = world.member(chat_id, user_id);
            if member.status == MemberStatus::Kicked {
                return Err(SimError::bad_request("USER_BANNED_IN_CHANNEL"));
            }
            if member.present() {
                return Err(SimError::bad_request("USER_ALREADY_PARTICIPANT"));
            }
            if link.creates_join_request {
                let chat = world
                    .chats
                    .get_mut(&chat_id)
                    .ok_or_else(|| SimError::not_found("chat vanished"))?;
                if chat.join_requests.iter().any(|r| r.user_id == user_id) {
                    return Err(SimError::bad_request(
                        "INVITE_REQUEST_SENT: already requested",
                    ));
                }
                chat.join_requests.push(JoinRequest {
                    user_id,
                    link: Some(link.link.clone()),
                    at: now,
                });
                let mut update_id = None;
                for admin in world.bots_in(chat_id) {
                    if !world.member(chat_id, admin).status.is_admin() {
                        continue;
                    }
                    let body = json!({
                        "chat": world.chat_json(chat_id),
                        "from": world.user_json(user_id),
                        "user_chat_id": user_id,
                        "date": now_unix(),
                        "invite_link": world.invite_json(chat_id, &link, admin),
                    });
                    let id = world.push_update(admin, "chat_join_request", body);
                    if admin == bot_id {
                        update_id = id;
                    }
                }
                return Ok(JoinResult {
                    kind: "chat_join_request".into(),
                    chat_id,
                    update_id,
                });
            }
            if let Some(found) = world
                .chats
                .get_mut(&chat_id)
                .and_then(|chat| chat.links.iter_mut().find(|l| l.link == link.link))
            {
                found.joined += 1;
            }
            let produced = world.change_member(MemberChange {
                chat_id,
                user_id,
                new: Member::with_status(MemberStatus::Member),
                actor: user_id,
                invite_link: Some(link.link.clone()),
                via_join_request: false,
            });
            Ok(JoinResult {
                kind: "chat_member".into(),
                chat_id,
                update_id: produced.get(&bot_id).copied().flatten(),
            })
        })
    }

    /// A user blocks (`true`) or unblocks the bot; produces `my_chat_member` on a change.
    pub fn block(
        &self,
        bot_id: i64,
        from: impl Into<UserSpec>,
        blocked: bool,
    ) -> Result<Option<i64>, SimError> {
        let from = from.into();
        check_bot_id(bot_id)?;
        self.act(|world, _, _| {
            let user_id = acting_user(world, &from)?;
            let private = world.bot(bot_id).private.entry(user_id).or_default();
            if private.blocked == blocked {
                return Ok(None);
            }
            private.blocked = blocked;
            if !blocked {
                private.started = true;
            }
            Ok(private_member_update(world, bot_id, user_id, blocked))
        })
    }

    /// A user pays an invoice after filling the payment form with [`PayDetails::sample`]; see
    /// [`Simulator::pay_with`].
    pub fn pay(
        &self,
        bot_id: i64,
        from: impl Into<UserSpec>,
        target: PayTarget,
    ) -> Result<PayStarted, SimError> {
        self.pay_with(bot_id, from, target, PayDetails::sample())
    }

    /// A user starts paying an invoice with the details they entered and chose.
    ///
    /// The form must hold what the invoice asks for (400 otherwise); the bot receives only
    /// those fields as `order_info`. A flexible invoice produces a `shipping_query` first and
    /// the `pre_checkout_query` only after the bot offered shipping options; other invoices
    /// produce the `pre_checkout_query` at once. The bot's answers decide the outcome; a query
    /// not answered within the configured timeout fails the payment.
    pub fn pay_with(
        &self,
        bot_id: i64,
        from: impl Into<UserSpec>,
        target: PayTarget,
        details: PayDetails,
    ) -> Result<PayStarted, SimError> {
        let from = from.into();
        check_bot_id(bot_id)?;
        self.act(|world, config, now| {
            let user_id = acting_user(world, &from)?;
            let (invoice, chat_id) = match &target {
                PayTarget::Message {
                    chat_id,
                    message_id,
                } => {
                    let visible = if *chat_id > 0 {
                        *chat_id == user_id
                    } else {
                        world.member(*chat_id, user_id).present()
                    };
                    if !visible {
                        return Err(SimError::bad_request("the user cannot see that chat"));
                    }
                    let invoice = world
                        .bot(bot_id)
                        .entry_mut(*chat_id, *message_id)
                        .filter(|e| e.from_bot)
                        .and_then(|e| e.invoice.clone())
                        .ok_or_else(|| {
                            SimError::not_found("no such invoice message from the bot")
                        })?;
                    (invoice, *chat_id)
                }
                PayTarget::Link { invoice_link } => {
                    let invoice = world
                        .bot(bot_id)
                        .invoice_links
                        .get(invoice_link)
                        .cloned()
                        .ok_or_else(|| SimError::not_found("unknown invoice link"))?;
                    (invoice, user_id)
                }
            };
            let order_info = requested_order_info(&invoice, details.order_info.as_ref())?;
            if details.shipping_option_id.is_some() && !invoice.is_flexible {
                return Err(SimError::bad_request(
                    "the invoice is not flexible: there is no shipping option to choose",
                ));
            }
            if matches!(target, PayTarget::Link { .. }) {
                // Paying through a link opens the private chat with the bot.
                world
                    .bot(bot_id)
                    .private
                    .entry(user_id)
                    .or_default()
                    .started = true;
            }
            let pre_checkout_query_id = world.random_digits();
            let shipping_query_id = invoice.is_flexible.then(|| world.random_digits());
            let payment = Payment {
                pre_checkout_query_id: pre_checkout_query_id.clone(),
                shipping_query_id: shipping_query_id.clone(),
                user_id,
                chat_id,
                currency: invoice.currency.clone(),
                total_amount: invoice.total_amount,
                invoice_payload: invoice.payload.clone(),
                shipping_option_id: None,
                order_info,
                status: if invoice.is_flexible {
                    PaymentStatus::AwaitingShipping
                } else {
                    PaymentStatus::Pending
                },
                telegram_payment_charge_id: None,
            };
            let (kind, body) = match &shipping_query_id {
                Some(id) => (
                    "shipping_query",
                    json!({
                        "id": id,
                        "from": world.user_json(user_id),
                        "invoice_payload": invoice.payload,
                        // Flexible invoices always ask for the address, so it is there.
                        "shipping_address": payment
                            .order_info
                            .as_ref()
                            .and_then(|info| info.shipping_address.as_ref()),
                    }),
                ),
                None => ("pre_checkout_query", world.pre_checkout_json(&payment)),
            };
            world.bot(bot_id).payments.push(PaymentRecord {
                payment,
                deadline: now + config.pre_checkout_timeout,
                shipping_choice: details.shipping_option_id,
            });
            let update_id = world.push_update(bot_id, kind, body);
            Ok(PayStarted {
                update_id,
                shipping_query_id,
                pre_checkout_query_id,
            })
        })
    }

    /// Queues any update JSON for the bot (its `update_id` is assigned). `None` when the bot's
    /// `allowed_updates` filter drops it.
    pub fn raw_update(&self, bot_id: i64, update: Value) -> Result<Option<i64>, SimError> {
        check_bot_id(bot_id)?;
        let Value::Object(mut object) = update else {
            return Err(SimError::bad_request("an update is a JSON object"));
        };
        object.remove("update_id");
        if object.len() != 1 {
            return Err(SimError::bad_request(
                "an update has exactly one field besides update_id",
            ));
        }
        self.act(|world, _, _| {
            let Some((kind, body)) = object.into_iter().next() else {
                return Err(SimError::bad_request("empty update"));
            };
            Ok(world.push_update(bot_id, &kind, body))
        })
    }

    /// What the bot sent to a chat, oldest first (edited and deleted ones flagged).
    pub fn messages(&self, bot_id: i64, chat_id: i64) -> Vec<SentMessage> {
        self.chat_log(bot_id, chat_id, false)
    }

    /// Both sides of a chat as the bot sees it: its own messages and the users'.
    pub fn transcript(&self, bot_id: i64, chat_id: i64) -> Vec<SentMessage> {
        self.chat_log(bot_id, chat_id, true)
    }

    fn chat_log(&self, bot_id: i64, chat_id: i64, include_users: bool) -> Vec<SentMessage> {
        let world = self.inner.world();
        world
            .bots
            .get(&bot_id)
            .and_then(|bot| bot.log(chat_id))
            .map(|log| {
                log.entries
                    .iter()
                    .filter(|e| include_users || e.from_bot)
                    .map(|e| e.to_sent(chat_id))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until the bot has sent at least `count` messages to the chat.
    pub async fn wait_for_messages(
        &self,
        bot_id: i64,
        chat_id: i64,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<SentMessage>, SimError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let messages = self.messages(bot_id, chat_id);
            if messages.len() >= count {
                return Ok(messages);
            }
            tokio::select! {
                _ = &mut notified => {}
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(SimError::timeout(format!(
                        "bot {bot_id} sent {} of {count} messages to chat {chat_id} within {timeout:?}",
                        messages.len()
                    )));
                }
            }
        }
    }

    /// The content of a file a bot uploaded (`sendDocument`) or a user sent, by its `file_id`.
    pub fn document_content(&self, file_id: &str) -> Option<Vec<u8>> {
        self.inner.world().documents.get(file_id).cloned()
    }

    /// The bot's counters.
    pub fn stats(&self, bot_id: i64) -> Stats {
        let world = self.inner.world();
        world
            .bots
            .get(&bot_id)
            .map(|bot| bot.stats_snapshot())
            .unwrap_or_else(|| Stats {
                bot_id,
                ..Stats::default()
            })
    }

    /// A button press and the bot's answer, if any.
    pub fn callback(&self, bot_id: i64, callback_query_id: &str) -> Option<CallbackRecord> {
        let world = self.inner.world();
        world
            .bots
            .get(&bot_id)?
            .callbacks
            .get(callback_query_id)
            .cloned()
    }

    /// Mini App init data for `user_id` opening the bot's web app, signed with the bot's
    /// token exactly as Telegram signs it, so a page can be tried in a normal browser.
    pub fn webapp_init_data(&self, bot_id: i64, user_id: i64) -> Result<String, SimError> {
        use hmac::{Hmac, Mac};
        use sha2::Sha256;
        let mut world = self.inner.world();
        let token = world
            .bots
            .get(&bot_id)
            .and_then(|b| b.token.clone())
            .ok_or_else(|| SimError::bad_request("the bot has not called the Bot API yet"))?;
        let user = world.user_json(user_id).to_string();
        let query_id = format!("AAH{}", world.random_token(16));
        let mut fields = vec![
            ("auth_date".to_owned(), crate::state::now_unix().to_string()),
            ("query_id".to_owned(), query_id),
            ("user".to_owned(), user),
        ];
        fields.sort();
        let check: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let hmac = |key: &[u8], data: &[u8]| {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
            mac.update(data);
            mac.finalize().into_bytes()
        };
        let secret = hmac(b"WebAppData", token.as_bytes());
        let hash: String = hmac(&secret, check.join("\n").as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        fields.push(("hash".to_owned(), hash));
        serde_urlencoded::to_string(&fields).map_err(|e| SimError::bad_request(e.to_string()))
    }

    /// The bot's payments, oldest first; unanswered ones past the deadline show as failed.
    pub fn payments(&self, bot_id: i64) -> Vec<Payment> {
        let now = Instant::now();
        let mut world = self.inner.world();
        let Some(bot) = world.bots.get_mut(&bot_id) else {
            return Vec::new();
        };
        bot.payments
            .iter_mut()
            .map(|record| {
                record.expire(now);
                record.payment.clone()
            })
            .collect()
    }

    /// Updates not yet confirmed or delivered.
    pub fn pending_updates(&self, bot_id: i64) -> Vec<Value> {
        let world = self.inner.world();
        world
            .bots
            .get(&bot_id)
            .map(|bot| bot.updates.iter().map(|u| u.body.clone()).collect())
            .unwrap_or_default()
    }

    /// Every bot the simulator has seen, with its webhook state.
    pub fn bots(&self) -> Vec<BotSummary> {
        let world = self.inner.world();
        let mut bots: Vec<BotSummary> = world
            .bots
            .values()
            .map(|bot| BotSummary {
                id: bot.id,
                username: bot_username(bot.id),
                has_token: bot.token.is_some(),
                webhook_url: bot
                    .webhook
                    .as_ref()
                    .map(|w| w.url.clone())
                    .unwrap_or_default(),
                pending_update_count: bot.updates.len() as u64,
                last_error_message: bot.last_error.as_ref().map(|(_, m)| m.clone()),
            })
            .collect();
        bots.sort_by_key(|b| b.id);
        bots
    }
}
