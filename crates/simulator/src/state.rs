//! The simulated world behind one [`crate::Simulator`]: users, groups with their members and
//! invite links, and per-bot state (update queue, webhook, chats the bot writes to, callback
//! queries, payments, commands, flood limiter, stats). Also owns the rules every entry point
//! shares: who may be written to, how Telegram objects (User, Chat, ChatMember, Message) look,
//! which updates a bot receives, and what a membership change emits.
//!
//! Everything here is synchronous and runs under the simulator's one mutex.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::error::ApiError;
use crate::limits::RateLimiter;
use crate::params::Params;
use crate::types::{
    CallbackRecord, ChatType, MemberStatus, Payment, PaymentStatus, SentMessage, SimChat, SimTopic,
    SimUser, Stats, UserSpec,
};

/// How long after a join request the bot may write to the requester (Bot API docs).
pub(crate) const JOIN_REQUEST_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Current Unix time in seconds.
pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A well-mixed 64-bit value from a counter (SplitMix64).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The bot's own `User` object.
pub(crate) fn bot_user_json(bot_id: i64) -> Value {
    json!({
        "id": bot_id,
        "is_bot": true,
        "first_name": "Sandbox bot",
        "username": bot_username(bot_id),
    })
}

/// `sim_<id>_bot`.
pub(crate) fn bot_username(bot_id: i64) -> String {
    format!("sim_{bot_id}_bot")
}

fn sim_user_json(user: &SimUser) -> Value {
    let mut value = json!({
        "id": user.id,
        "is_bot": false,
        "first_name": user.first_name,
    });
    if let Some(last_name) = &user.last_name {
        value["last_name"] = json!(last_name);
    }
    if let Some(username) = &user.username {
        value["username"] = json!(username);
    }
    if let Some(language_code) = &user.language_code {
        value["language_code"] = json!(language_code);
    }
    value
}

/// One chat member's state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    pub status: MemberStatus,
    pub until_date: i64,
    /// `ChatPermissions` of a restricted member.
    pub permissions: Option<Value>,
    /// For restricted members: whether they are in the chat.
    pub is_member: bool,
}

impl Member {
    pub fn with_status(status: MemberStatus) -> Self {
        Self {
            status,
            until_date: 0,
            permissions: None,
            is_member: true,
        }
    }

    pub fn left() -> Self {
        Self::with_status(MemberStatus::Left)
    }

    /// Whether the member is in the chat.
    pub fn present(&self) -> bool {
        match self.status {
            MemberStatus::Creator | MemberStatus::Administrator | MemberStatus::Member => true,
            MemberStatus::Restricted => self.is_member,
            MemberStatus::Left | MemberStatus::Kicked => false,
        }
    }

    fn permission(&self, name: &str) -> bool {
        self.permissions
            .as_ref()
            .and_then(|p| p.get(name))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// Whether the member may send text messages.
    pub fn can_send_messages(&self) -> bool {
        self.status != MemberStatus::Restricted || self.permission("can_send_messages")
    }
}

const PERMISSIONS: [&str; 16] = [
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
];

/// An invite link created by a bot.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InviteLink {
    pub link: String,
    pub creator_bot: i64,
    pub name: Option<String>,
    pub expire_date: Option<i64>,
    pub member_limit: Option<i64>,
    pub creates_join_request: bool,
    pub revoked: bool,
    pub joined: i64,
}

/// A pending join request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JoinRequest {
    pub user_id: i64,
    pub link: Option<String>,
    pub at: Instant,
}

/// A group, supergroup or channel.
#[derive(Debug, Clone)]
pub(crate) struct GroupChat {
    pub info: SimChat,
    pub members: HashMap<i64, Member>,
    pub links: Vec<InviteLink>,
    pub join_requests: Vec<JoinRequest>,
}

impl GroupChat {
    pub fn member(&self, user_id: i64) -> Member {
        self.members
            .get(&user_id)
            .cloned()
            .unwrap_or_else(Member::left)
    }
}

/// An update waiting for getUpdates or webhook delivery.
#[derive(Debug, Clone)]
pub(crate) struct QueuedUpdate {
    pub id: i64,
    /// Updates with the same key (chat, or user for chat-less updates) are delivered in order.
    pub key: Option<i64>,
    pub body: Value,
    pub in_flight: bool,
    pub attempts: u32,
    pub not_before: Option<Instant>,
}

/// The bot's webhook setting.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Webhook {
    pub url: String,
    pub secret: Option<String>,
    pub max_connections: usize,
}

/// The bot's view of a private chat.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct PrivateChat {
    pub started: bool,
    pub blocked: bool,
}

/// What an invoice asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InvoiceData {
    pub title: String,
    pub description: String,
    pub payload: String,
    pub currency: String,
    pub total_amount: i64,
    pub start_parameter: String,
    /// The payment form fields the invoice asks for (all false for Stars).
    pub need_name: bool,
    pub need_phone_number: bool,
    pub need_email: bool,
    pub need_shipping_address: bool,
    /// The price depends on a shipping option: a `shipping_query` comes before checkout.
    pub is_flexible: bool,
}

/// A message in one of the bot's chats, in its current state.
#[derive(Debug, Clone)]
pub(crate) struct LogEntry {
    pub message: Value,
    pub from_bot: bool,
    pub edited: bool,
    pub deleted: bool,
    /// The markup as the bot sent it (reply keyboards are not part of `Message`).
    pub markup: Option<Value>,
    pub invoice: Option<InvoiceData>,
}

impl LogEntry {
    pub fn message_id(&self) -> i64 {
        self.message["message_id"].as_i64().unwrap_or(0)
    }

    pub fn to_sent(&self, chat_id: i64) -> SentMessage {
        let message = &self.message;
        let text = message
            .get("text")
            .or_else(|| message.get("caption"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let entities = message
            .get("entities")
            .or_else(|| message.get("caption_entities"))
            .cloned();
        let photo = message
            .get("photo")
            .and_then(Value::as_array)
            .and_then(|sizes| sizes.last())
            .and_then(|size| size.get("file_id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        SentMessage {
            message_id: self.message_id(),
            chat_id,
            from_bot: self.from_bot,
            date: message["date"].as_i64().unwrap_or(0),
            text,
            entities,
            reply_markup: self.markup.clone(),
            photo,
            document: message.get("document").cloned(),
            invoice: message.get("invoice").cloned(),
            poll: message.get("poll").cloned(),
            message_thread_id: message.get("message_thread_id").and_then(Value::as_i64),
            edited: self.edited,
            deleted: self.deleted,
            message: message.clone(),
        }
    }
}

/// A poll a bot sent: where its message is, and who voted for what (option indexes).
#[derive(Debug, Clone, Default)]
pub(crate) struct SimPoll {
    pub chat_id: i64,
    pub message_id: i64,
    pub votes: BTreeMap<i64, Vec<usize>>,
}

/// Messages of one chat, as seen by one bot.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChatLog {
    pub next_message_id: i64,
    pub entries: Vec<LogEntry>,
}

/// A payment attempt with the deadline of the query it waits on.
#[derive(Debug, Clone)]
pub(crate) struct PaymentRecord {
    pub payment: Payment,
    pub deadline: Instant,
    /// The shipping option the user will pick (flexible invoices); `None` takes the first.
    pub shipping_choice: Option<String>,
}

impl PaymentRecord {
    /// Fails a payment whose shipping or pre-checkout query ran out of time.
    pub fn expire(&mut self, now: Instant) {
        if now < self.deadline {
            return;
        }
        let query = match self.payment.status {
            PaymentStatus::AwaitingShipping => "shipping_query",
            PaymentStatus::Pending => "pre_checkout_query",
            _ => return,
        };
        self.payment.status = PaymentStatus::Failed {
            reason: format!("{query} was not answered in time"),
        };
    }
}

/// Everything the simulator knows about one bot.
#[derive(Debug)]
pub(crate) struct BotState {
    pub id: i64,
    pub token: Option<String>,
    /// Wakes long polls and the webhook dispatcher.
    pub notify: Arc<Notify>,
    pub updates: VecDeque<QueuedUpdate>,
    pub next_update_id: i64,
    /// `None` or empty: Telegram's default set.
    pub allowed_updates: Option<Vec<String>>,
    pub webhook: Option<Webhook>,
    /// Bumped on every setWebhook/deleteWebhook so stale dispatchers stop.
    pub webhook_generation: u64,
    pub last_error: Option<(i64, String)>,
    /// Bumped by every getUpdates so an older long poll knows it was replaced.
    pub poll_generation: u64,
    pub private: HashMap<i64, PrivateChat>,
    pub logs: HashMap<i64, ChatLog>,
    pub callbacks: HashMap<String, CallbackRecord>,
    pub payments: Vec<PaymentRecord>,
    pub invoice_links: HashMap<String, InvoiceData>,
    /// Forum topics the bot created, by chat, oldest first. Topic ids are message ids of the
    /// bot's view of the chat, so topics are per bot like the chat logs.
    pub topics: HashMap<i64, Vec<SimTopic>>,
    pub commands: BTreeMap<(String, String), Value>,
    pub menu_buttons: HashMap<Option<i64>, Value>,
    pub limiter: RateLimiter,
    pub stats: Stats,
    pub accepted_sends: HashSet<String>,
    /// Polls the bot sent, by poll id.
    pub polls: HashMap<String, SimPoll>,
}

impl BotState {
    fn new(id: i64, first_update_id: i64) -> Self {
        Self {
            id,
            token: None,
            notify: Arc::new(Notify::new()),
            updates: VecDeque::new(),
            next_update_id: first_update_id,
            allowed_updates: None,
            webhook: None,
            webhook_generation: 0,
            last_error: None,
            poll_generation: 0,
            private: HashMap::new(),
            logs: HashMap::new(),
            callbacks: HashMap::new(),
            payments: Vec::new(),
            invoice_links: HashMap::new(),
            topics: HashMap::new(),
            commands: BTreeMap::new(),
            menu_buttons: HashMap::new(),
            limiter: RateLimiter::default(),
            stats: Stats {
                bot_id: id,
                ..Stats::default()
            },
            accepted_sends: HashSet::new(),
            polls: HashMap::new(),
        }
    }

    /// Whether an update of this kind is let through by `allowed_updates`.
    pub fn accepts(&self, kind: &str) -> bool {
        match &self.allowed_updates {
            Some(list) if !list.is_empty() => list.iter().any(|allowed| allowed == kind),
            _ => !matches!(
                kind,
                "chat_member" | "message_reaction" | "message_reaction_count"
            ),
        }
    }

    /// Forgets updates below `offset` (or all but the last `-offset`), as getUpdates does.
    pub fn confirm(&mut self, offset: i64) {
        if offset > 0 {
            while self.updates.front().is_some_and(|u| u.id < offset) {
                self.updates.pop_front();
            }
        } else if offset < 0 {
            let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
            while self.updates.len() > keep {
                self.updates.pop_front();
            }
        }
    }

    pub fn log(&self, chat_id: i64) -> Option<&ChatLog> {
        self.logs.get(&chat_id)
    }

    /// A topic the bot created in the chat.
    pub fn topic(&self, chat_id: i64, thread_id: i64) -> Option<&SimTopic> {
        self.topics
            .get(&chat_id)?
            .iter()
            .find(|t| t.message_thread_id == thread_id)
    }

    /// A live (not deleted) message of the chat.
    pub fn entry_mut(&mut self, chat_id: i64, message_id: i64) -> Option<&mut LogEntry> {
        self.logs
            .get_mut(&chat_id)?
            .entries
            .iter_mut()
            .find(|e| e.message_id() == message_id && !e.deleted)
    }

    pub fn stats_snapshot(&self) -> Stats {
        Stats {
            pending_updates: self.updates.len() as u64,
            ..self.stats.clone()
        }
    }
}

/// A membership change to apply with [`World::change_member`].
pub(crate) struct MemberChange {
    pub chat_id: i64,
    pub user_id: i64,
    pub new: Member,
    pub actor: i64,
    pub invite_link: Option<String>,
    pub via_join_request: bool,
}

/// The whole simulated world.
#[derive(Debug)]
pub(crate) struct World {
    seed: u64,
    counter: u64,
    pub users: HashMap<i64, SimUser>,
    pub chats: HashMap<i64, GroupChat>,
    pub bots: HashMap<i64, BotState>,
    /// The content of every file a bot uploaded, by `file_id`.
    pub documents: HashMap<String, Vec<u8>>,
}

impl World {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            counter: 0,
            users: HashMap::new(),
            chats: HashMap::new(),
            bots: HashMap::new(),
            documents: HashMap::new(),
        }
    }

    /// A fresh number, unique within this world.
    pub fn next_number(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A fresh unguessable-looking decimal id (callback and pre-checkout query ids).
    pub fn random_digits(&mut self) -> String {
        let n = self.next_number();
        (mix(self.seed ^ n.rotate_left(29)) >> 2).to_string()
    }

    /// A decimal id that stays the same for the same pair (e.g. `chat_instance`).
    pub fn stable_digits(&self, a: i64, b: i64) -> String {
        (mix(self.seed ^ mix(a as u64) ^ (b as u64).rotate_left(32)) >> 2).to_string()
    }

    /// A fresh unguessable-looking token of base64url characters.
    pub fn random_token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::with_capacity(len);
        let mut bits = 0u64;
        let mut available = 0;
        while out.len() < len {
            if available < 6 {
                let n = self.next_number();
                bits = mix(self.seed ^ n.rotate_left(17));
                available = 64;
            }
            out.push(char::from(ALPHABET[(bits & 63) as usize]));
            bits >>= 6;
            available -= 6;
        }
        out
    }

    /// The `PhotoSize` array of a photo message: a thumbnail and the photo itself. A file_id
    /// the simulator issued is reused; anything else (a URL, an upload, a user's camera) gets
    /// a new one.
    pub fn photo_sizes(&mut self, reuse: Option<String>) -> Value {
        let file_id = match reuse.filter(|id| id.starts_with("AgAC")) {
            Some(id) => id,
            None => format!("AgACAgIAAxk{}", self.random_token(40)),
        };
        let unique = self.random_token(16);
        json!([
            {"file_id": format!("{file_id}-s"), "file_unique_id": format!("AQAD{unique}s"), "width": 90, "height": 90, "file_size": 1_520},
            {"file_id": file_id, "file_unique_id": format!("AQAD{unique}"), "width": 800, "height": 800, "file_size": 61_440},
        ])
    }

    /// Keeps a new file's content (for `GET /sim/files/{file_id}`) and returns its `Document`.
    pub fn store_document(&mut self, file_name: &str, mime_type: &str, bytes: Vec<u8>) -> Value {
        let file_id = format!("BQACAgIAAxk{}", self.random_token(40));
        let unique = self.random_token(16);
        let document = json!({
            "file_id": file_id,
            "file_unique_id": format!("AgAD{unique}"),
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": bytes.len(),
        });
        self.documents.insert(file_id, bytes);
        document
    }

    /// The bot's state, created on first use.
    pub fn bot(&mut self, bot_id: i64) -> &mut BotState {
        let seed = self.seed;
        self.bots.entry(bot_id).or_insert_with(|| {
            // Update ids start somewhere arbitrary, as after a quiet week on Telegram, so
            // nobody relies on them starting at 1 or surviving a simulator restart.
            let first = 100_000 + (mix(seed ^ bot_id as u64) % 900_000_000) as i64;
            BotState::new(bot_id, first)
        })
    }

    pub fn is_bot(&self, id: i64) -> bool {
        self.bots.contains_key(&id)
    }

    /// Registers or updates the user a spec describes; unknown ids get a default name.
    pub fn ensure_user(&mut self, spec: &UserSpec) -> i64 {
        match spec {
            UserSpec::Id(id) => {
                self.users
                    .entry(*id)
                    .or_insert_with(|| SimUser::placeholder(*id));
                *id
            }
            UserSpec::User(user) => {
                self.users.insert(user.id, user.clone());
                user.id
            }
        }
    }

    /// `User` object for a user or bot id.
    pub fn user_json(&self, id: i64) -> Value {
        match self.users.get(&id) {
            Some(user) => sim_user_json(user),
            None if self.is_bot(id) => bot_user_json(id),
            None => sim_user_json(&SimUser::placeholder(id)),
        }
    }

    /// `Chat` object: a private chat with a user, or a registered group.
    pub fn chat_json(&self, chat_id: i64) -> Value {
        if let Some(chat) = self.chats.get(&chat_id) {
            let mut value = json!({
                "id": chat_id,
                "type": chat.info.kind.as_str(),
                "title": chat.info.title,
            });
            if let Some(username) = &chat.info.username {
                value["username"] = json!(username);
            }
            if chat.info.is_forum {
                value["is_forum"] = json!(true);
            }
            return value;
        }
        let user = self
            .users
            .get(&chat_id)
            .cloned()
            .unwrap_or_else(|| SimUser::placeholder(chat_id));
        let mut value = json!({
            "id": chat_id,
            "type": "private",
            "first_name": user.first_name,
        });
        if let Some(last_name) = user.last_name {
            value["last_name"] = json!(last_name);
        }
        if let Some(username) = user.username {
            value["username"] = json!(username);
        }
        value
    }

    /// `PreCheckoutQuery` object of a payment (its total includes any chosen shipping).
    pub fn pre_checkout_json(&self, payment: &Payment) -> Value {
        let mut value = json!({
            "id": payment.pre_checkout_query_id,
            "from": self.user_json(payment.user_id),
            "currency": payment.currency,
            "total_amount": payment.total_amount,
            "invoice_payload": payment.invoice_payload,
        });
        add_order_fields(&mut value, payment);
        value
    }

    /// `ChatMember` object of a user in a group.
    pub fn member_json(&self, chat_id: i64, user_id: i64, member: &Member) -> Value {
        let user = self.user_json(user_id);
        let kind = self.chats.get(&chat_id).map(|c| c.info.kind);
        let is_forum = self.is_forum(chat_id);
        let status = member.status.as_str();
        match member.status {
            MemberStatus::Creator => json!({"status": status, "user": user, "is_anonymous": false}),
            MemberStatus::Administrator => {
                let mut value = json!({
                    "status": status,
                    "user": user,
                    "can_be_edited": false,
                    "is_anonymous": false,
                    "can_manage_chat": true,
                    "can_delete_messages": true,
                    "can_manage_video_chats": true,
                    "can_restrict_members": true,
                    "can_promote_members": false,
                    "can_change_info": true,
                    "can_invite_users": true,
                    "can_post_stories": false,
                    "can_edit_stories": false,
                    "can_delete_stories": false,
                });
                if kind == Some(ChatType::Channel) {
                    value["can_post_messages"] = json!(true);
                    value["can_edit_messages"] = json!(true);
                } else {
                    value["can_pin_messages"] = json!(true);
                    // Administrators get every usual right; topics exist only in forums.
                    value["can_manage_topics"] = json!(is_forum);
                }
                value
            }
            MemberStatus::Member | MemberStatus::Left => json!({"status": status, "user": user}),
            MemberStatus::Kicked => {
                json!({"status": status, "user": user, "until_date": member.until_date})
            }
            MemberStatus::Restricted => {
                let mut value = json!({
                    "status": status,
                    "user": user,
                    "is_member": member.is_member,
                    "until_date": member.until_date,
                });
                for permission in PERMISSIONS {
                    value[permission] = json!(member.permission(permission));
                }
                value
            }
        }
    }

    /// The member state of a user in a group (`left` if unknown).
    pub fn member(&self, chat_id: i64, user_id: i64) -> Member {
        self.chats
            .get(&chat_id)
            .map(|chat| chat.member(user_id))
            .unwrap_or_else(Member::left)
    }

    /// `ChatInviteLink` object as `for_bot` sees it: links of other admins have their tail
    /// hidden, as Telegram does.
    pub fn invite_json(&self, chat_id: i64, link: &InviteLink, for_bot: i64) -> Value {
        let shown = if link.creator_bot == for_bot {
            link.link.clone()
        } else {
            let keep = link.link.len().saturating_sub(6);
            format!("{}…", link.link.get(..keep).unwrap_or(""))
        };
        let mut value = json!({
            "invite_link": shown,
            "creator": bot_user_json(link.creator_bot),
            "creates_join_request": link.creates_join_request,
            "is_primary": false,
            "is_revoked": link.revoked,
        });
        if let Some(name) = &link.name {
            value["name"] = json!(name);
        }
        if let Some(expire_date) = link.expire_date {
            value["expire_date"] = json!(expire_date);
        }
        if let Some(member_limit) = link.member_limit {
            value["member_limit"] = json!(member_limit);
        }
        if link.creates_join_request {
            let pending = self.chats.get(&chat_id).map_or(0, |chat| {
                chat.join_requests
                    .iter()
                    .filter(|r| r.link.as_deref() == Some(link.link.as_str()))
                    .count()
            });
            value["pending_join_request_count"] = json!(pending);
        }
        value
    }

    /// Queues an update for a bot unless its `allowed_updates` filter drops it.
    pub fn push_update(&mut self, bot_id: i64, kind: &str, body: Value) -> Option<i64> {
        let bot = self.bot(bot_id);
        if !bot.accepts(kind) {
            return None;
        }
        let id = bot.next_update_id;
        bot.next_update_id += 1;
        let key = ordering_key(&body);
        let mut update = json!({ "update_id": id });
        update[kind] = body;
        bot.updates.push_back(QueuedUpdate {
            id,
            key,
            body: update,
            in_flight: false,
            attempts: 0,
            not_before: None,
        });
        bot.notify.notify_waiters();
        Some(id)
    }

    /// Appends a message to a bot's chat log, assigning `message_id` and `date`.
    pub fn append_message(
        &mut self,
        bot_id: i64,
        chat_id: i64,
        from_bot: bool,
        mut message: Value,
        markup: Option<Value>,
        invoice: Option<InvoiceData>,
    ) -> (i64, Value) {
        let log = self.bot(bot_id).logs.entry(chat_id).or_default();
        log.next_message_id += 1;
        let message_id = log.next_message_id;
        message["message_id"] = json!(message_id);
        message["date"] = json!(now_unix());
        log.entries.push(LogEntry {
            message: message.clone(),
            from_bot,
            edited: false,
            deleted: false,
            markup,
            invoice,
        });
        (message_id, message)
    }

    /// Resolves the `chat_id` parameter (an integer, or `@username` of a registered chat).
    pub fn resolve_chat(&self, params: &Params) -> Result<i64, ApiError> {
        self.resolve_chat_param(params, "chat_id")
    }

    /// Resolves a chat parameter such as `chat_id` or `from_chat_id`.
    pub fn resolve_chat_param(&self, params: &Params, name: &str) -> Result<i64, ApiError> {
        let not_found = || ApiError::bad_request("chat not found");
        match params.get(name) {
            None => Err(ApiError::bad_request(format!("{name} is empty"))),
            Some(Value::Number(n)) => n.as_i64().ok_or_else(not_found),
            Some(Value::String(s)) => match s.strip_prefix('@') {
                Some(username) => self
                    .chats
                    .values()
                    .find(|chat| {
                        chat.info
                            .username
                            .as_deref()
                            .is_some_and(|u| u.eq_ignore_ascii_case(username))
                    })
                    .map(|chat| chat.info.id)
                    .ok_or_else(not_found),
                None => s.trim().parse::<i64>().map_err(|_| not_found()),
            },
            Some(_) => Err(not_found()),
        }
    }

    /// Whether the chat is a registered forum supergroup.
    pub fn is_forum(&self, chat_id: i64) -> bool {
        self.chats
            .get(&chat_id)
            .is_some_and(|c| c.info.kind == ChatType::Supergroup && c.info.is_forum)
    }

    /// The `forum_topic_created` service message that roots topic `thread_id` in the bot's
    /// view of the chat (without its own `reply_to_message`), or `None` when the chat is not
    /// a forum or the bot knows no such topic.
    pub fn thread_root(&self, bot_id: i64, chat_id: i64, thread_id: i64) -> Option<Value> {
        if !self.is_forum(chat_id) {
            return None;
        }
        let bot = self.bots.get(&bot_id)?;
        bot.topic(chat_id, thread_id)?;
        let mut root = bot
            .log(chat_id)?
            .entries
            .iter()
            .find(|e| e.message_id() == thread_id)?
            .message
            .clone();
        if let Some(object) = root.as_object_mut() {
            object.remove("reply_to_message");
        }
        Some(root)
    }

    /// Whether a pending join request lets the bot write to the requester.
    fn join_request_opens_chat(&self, bot_id: i64, user_id: i64, now: Instant) -> bool {
        self.chats.values().any(|chat| {
            chat.member(bot_id).status.is_admin()
                && chat.join_requests.iter().any(|r| {
                    r.user_id == user_id
                        && now.saturating_duration_since(r.at) < JOIN_REQUEST_WINDOW
                })
        })
    }

    /// Whether the bot has met the user (in a group both are in).
    fn bot_knows_user(&self, bot_id: i64, user_id: i64) -> bool {
        self.chats
            .values()
            .any(|chat| chat.member(bot_id).present() && chat.members.contains_key(&user_id))
    }

    /// Checks that the bot may send to the chat, with Telegram's errors when not.
    pub fn check_writable(&self, bot_id: i64, chat_id: i64, now: Instant) -> Result<(), ApiError> {
        if chat_id > 0 {
            if !self.users.contains_key(&chat_id) {
                return Err(ApiError::bad_request("chat not found"));
            }
            let private = self
                .bots
                .get(&bot_id)
                .and_then(|bot| bot.private.get(&chat_id))
                .copied()
                .unwrap_or_default();
            if private.blocked {
                return Err(ApiError::forbidden("bot was blocked by the user"));
            }
            if private.started || self.join_request_opens_chat(bot_id, chat_id, now) {
                return Ok(());
            }
            if self.bot_knows_user(bot_id, chat_id) {
                return Err(ApiError::forbidden(
                    "bot can't initiate conversation with a user",
                ));
            }
            return Err(ApiError::bad_request("chat not found"));
        }
        let chat = self
            .chats
            .get(&chat_id)
            .ok_or_else(|| ApiError::bad_request("chat not found"))?;
        let kind = chat.info.kind.as_str();
        let me = chat.member(bot_id);
        if me.status == MemberStatus::Kicked {
            return Err(ApiError::forbidden(format!(
                "bot was kicked from the {kind} chat"
            )));
        }
        if !me.present() {
            return Err(ApiError::forbidden(format!(
                "bot is not a member of the {kind} chat"
            )));
        }
        if chat.info.kind == ChatType::Channel && !me.status.is_admin() {
            return Err(ApiError::bad_request(
                "need administrator rights in the channel chat",
            ));
        }
        if !me.can_send_messages() {
            return Err(ApiError::bad_request(
                "not enough rights to send text messages to the chat",
            ));
        }
        Ok(())
    }

    /// Checks that the bot is an administrator of a group it is asked to manage.
    pub fn check_admin(&self, bot_id: i64, chat_id: i64) -> Result<&GroupChat, ApiError> {
        let chat = self
            .chats
            .get(&chat_id)
            .ok_or_else(|| ApiError::bad_request("chat not found"))?;
        let me = chat.member(bot_id);
        if !me.present() {
            let kind = chat.info.kind.as_str();
            return Err(ApiError::forbidden(format!(
                "bot is not a member of the {kind} chat"
            )));
        }
        if !me.status.is_admin() {
            return Err(ApiError::bad_request("not enough rights"));
        }
        Ok(chat)
    }

    /// Bots currently in the chat.
    pub fn bots_in(&self, chat_id: i64) -> Vec<i64> {
        let Some(chat) = self.chats.get(&chat_id) else {
            return Vec::new();
        };
        let mut bots: Vec<i64> = chat
            .members
            .iter()
            .filter(|(id, member)| self.is_bot(**id) && member.present())
            .map(|(id, _)| *id)
            .collect();
        bots.sort_unstable();
        bots
    }

    /// Applies a membership change and emits what Telegram would: `my_chat_member` to the bot
    /// concerned, `chat_member` to administrator bots (if they asked for it), and a
    /// `new_chat_members` / `left_chat_member` service message in groups. Returns the
    /// `my_chat_member`/`chat_member` update id per bot.
    pub fn change_member(&mut self, change: MemberChange) -> HashMap<i64, Option<i64>> {
        let mut produced = HashMap::new();
        let Some(chat) = self.chats.get(&change.chat_id) else {
            return produced;
        };
        let kind = chat.info.kind;
        let old = chat.member(change.user_id);
        let bots_before = self.bots_in(change.chat_id);
        let old_json = self.member_json(change.chat_id, change.user_id, &old);
        let new_json = self.member_json(change.chat_id, change.user_id, &change.new);
        if let Some(chat) = self.chats.get_mut(&change.chat_id) {
            chat.members.insert(change.user_id, change.new.clone());
        }
        let bots_after = self.bots_in(change.chat_id);
        let chat_json = self.chat_json(change.chat_id);
        let from = self.user_json(change.actor);
        let date = now_unix();

        let mut recipients: Vec<i64> = bots_after.clone();
        if self.is_bot(change.user_id) && !recipients.contains(&change.user_id) {
            recipients.push(change.user_id);
        }
        for bot_id in recipients {
            let mut body = json!({
                "chat": chat_json,
                "from": from,
                "date": date,
                "old_chat_member": old_json,
                "new_chat_member": new_json,
            });
            if let Some(link) = change
                .invite_link
                .as_deref()
                .and_then(|l| self.find_link(change.chat_id, l))
            {
                body["invite_link"] = self.invite_json(change.chat_id, &link, bot_id);
            }
            if change.via_join_request {
                body["via_join_request"] = json!(true);
            }
            let update = if bot_id == change.user_id {
                self.push_update(bot_id, "my_chat_member", body)
            } else if self.member(change.chat_id, bot_id).status.is_admin() {
                self.push_update(bot_id, "chat_member", body)
            } else {
                continue;
            };
            produced.insert(bot_id, update);
        }

        if kind != ChatType::Channel {
            let user = self.user_json(change.user_id);
            let (field, audience) = match (old.present(), change.new.present()) {
                (false, true) => ("new_chat_members", bots_after),
                (true, false) => ("left_chat_member", bots_before),
                _ => return produced,
            };
            let value = if field == "new_chat_members" {
                json!([user])
            } else {
                user
            };
            for bot_id in audience {
                if field == "left_chat_member" && bot_id == change.user_id {
                    continue;
                }
                let mut message = json!({ "from": from, "chat": chat_json });
                message[field] = value.clone();
                let (_, message) =
                    self.append_message(bot_id, change.chat_id, false, message, None, None);
                self.push_update(bot_id, "message", message);
            }
        }
        produced
    }

    pub fn find_link(&self, chat_id: i64, link: &str) -> Option<InviteLink> {
        self.chats
            .get(&chat_id)?
            .links
            .iter()
            .find(|l| l.link == link)
            .cloned()
    }

    /// Finds the chat and link for an invite link string.
    pub fn locate_link(&self, link: &str) -> Option<(i64, InviteLink)> {
        self.chats.values().find_map(|chat| {
            chat.links
                .iter()
                .find(|l| l.link == link)
                .map(|l| (chat.info.id, l.clone()))
        })
    }
}

/// Adds `shipping_option_id` and `order_info` to a `PreCheckoutQuery` or `SuccessfulPayment`
/// object when the payment has them.
pub(crate) fn add_order_fields(value: &mut Value, payment: &Payment) {
    if let Some(id) = &payment.shipping_option_id {
        value["shipping_option_id"] = json!(id);
    }
    if let Some(info) = &payment.order_info {
        value["order_info"] = json!(info);
    }
}

/// The chat (or, for chat-less updates, the user) whose updates must stay in order.
fn ordering_key(body: &Value) -> Option<i64> {
    body.pointer("/chat/id")
        .or_else(|| body.pointer("/message/chat/id"))
        .or_else(|| body.pointer("/from/id"))
        .or_else(|| body.pointer("/user/id"))
        .and_then(Value::as_i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirm_handles_positive_and_negative_offsets() {
        let mut world = World::new(7);
        for n in 0..5 {
            world.push_update(1, "message", json!({"n": n}));
        }
        let bot = world.bot(1);
        let first = bot.updates[0].id;
        bot.confirm(first + 2);
        assert_eq!(bot.updates.len(), 3);
        assert_eq!(bot.updates[0].id, first + 2);
        bot.confirm(-1);
        assert_eq!(bot.updates.len(), 1);
        assert_eq!(bot.updates[0].id, first + 4);
    }

    #[test]
    fn default_allowed_updates_exclude_chat_member() {
        let mut world = World::new(1);
        assert!(world.push_update(1, "chat_member", json!({})).is_none());
        assert!(world.push_update(1, "message", json!({})).is_some());
        world.bot(1).allowed_updates = Some(vec!["chat_member".into()]);
        assert!(world.push_update(1, "chat_member", json!({})).is_some());
        assert!(world.push_update(1, "message", json!({})).is_none());
    }

    #[test]
    fn random_tokens_differ() {
        let mut world = World::new(3);
        let a = world.random_token(16);
        let b = world.random_token(16);
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }
}
