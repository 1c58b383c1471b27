//! Telegram updates in the core's terms.

use chrono::{DateTime, Utc};
use groupcart_core::incoming::{
    ChatKind, Incoming, IncomingKind, MessageMeta, Person, PollState, Replied,
};
use groupcart_core::shop::ShippingAddress;
use groupcart_telegram::types::{Chat, ChatType, Message, OrderInfo, Update, User};

fn person(user: &User) -> Person {
    Person {
        telegram_user_id: user.id,
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        username: user.username.clone(),
        language_code: user.language_code.clone(),
        is_bot: user.is_bot,
    }
}

fn chat_kind(chat: &Chat) -> ChatKind {
    match chat.kind {
        ChatType::Private => ChatKind::Private,
        ChatType::Group => ChatKind::Group,
        ChatType::Channel => ChatKind::Channel,
        // Telegram may add chat types; treat the unknown like the most general group.
        ChatType::Supergroup | ChatType::Other(_) => ChatKind::Supergroup,
    }
}

/// The kind of media a message carries, if any.
fn media_kind(message: &Message) -> Option<&'static str> {
    [
        ("photo", message.photo.is_some()),
        ("video", message.video.is_some()),
        ("animation", message.animation.is_some()),
        // An animation comes with a document too: it is an animation.
        ("document", message.document.is_some()),
        ("sticker", message.sticker.is_some()),
        ("voice", message.voice.is_some()),
    ]
    .into_iter()
    .find_map(|(kind, present)| present.then_some(kind))
}

/// The details of a message moderation looks at.
fn meta(message: &Message) -> MessageMeta {
    let reply_to = message
        .reply_to_message
        .as_deref()
        // In forum topics every message "replies" to the topic's first message.
        .filter(|r| r.forum_topic_created.is_none())
        .map(|r| Replied {
            message_id: r.message_id,
            from: r.from.as_ref().map(person),
            text: r
                .text
                .clone()
                .or_else(|| r.caption.clone())
                .unwrap_or_default(),
        });
    let forwarded_from_channel = message
        .forward_origin
        .as_ref()
        .filter(|o| o.kind == "channel")
        .and_then(|o| o.chat.as_ref())
        .map(|c| c.id);
    MessageMeta {
        message_id: Some(message.message_id),
        reply_to,
        forwarded_from_channel,
        media: media_kind(message).map(str::to_owned),
    }
}

/// Splits `/name@bot args` into a lower-case name and the rest, if the text starts with a
/// bot command entity.
fn command(message: &Message) -> Option<(String, String)> {
    let text = message.text.as_deref()?;
    let is_command = message
        .entities
        .iter()
        .flatten()
        .any(|e| e.kind == "bot_command" && e.offset == 0);
    if !is_command {
        return None;
    }
    let (head, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let name = head.trim_start_matches('/');
    let name = name.split('@').next().unwrap_or(name);
    Some((name.to_ascii_lowercase(), rest.trim().to_owned()))
}

/// The address Telegram collected for an invoice, in the core's terms.
fn address(info: Option<&OrderInfo>) -> Option<ShippingAddress> {
    let info = info?;
    let a = info.shipping_address.as_ref()?;
    Some(ShippingAddress {
        name: info.name.clone(),
        phone: info.phone_number.clone(),
        ..postal_address(a)
    })
}

/// A postal address without the person's name and phone (what a shipping query carries).
fn postal_address(a: &groupcart_telegram::types::ShippingAddress) -> ShippingAddress {
    // Telegram sends empty strings for the parts a person left out.
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
    ShippingAddress {
        name: None,
        phone: None,
        country_code: a.country_code.clone(),
        state: some(&a.state),
        city: a.city.clone(),
        street_line1: a.street_line1.clone(),
        street_line2: some(&a.street_line2),
        post_code: some(&a.post_code),
    }
}

/// Translates an update, or `None` for updates without a chat (e.g. inline queries) other
/// than a poll's state.
pub fn to_incoming(update: &Update, at: DateTime<Utc>) -> Option<Incoming> {
    if let Some(query) = &update.shipping_query {
        return Some(Incoming {
            at,
            thread_id: None,
            chat_id: query.from.id,
            chat_kind: ChatKind::Private,
            from: Some(person(&query.from)),
            kind: IncomingKind::ShippingQuery {
                query_id: query.id.clone(),
                payload: query.invoice_payload.clone(),
                shipping_address: postal_address(&query.shipping_address),
            },
            meta: MessageMeta::default(),
        });
    }
    if let Some(query) = &update.pre_checkout_query {
        return Some(Incoming {
            at,
            thread_id: None,
            chat_id: query.from.id,
            chat_kind: ChatKind::Private,
            from: Some(person(&query.from)),
            kind: IncomingKind::PreCheckout {
                query_id: query.id.clone(),
                currency: query.currency.clone(),
                total_amount: query.total_amount,
                payload: query.invoice_payload.clone(),
                shipping_address: address(query.order_info.as_ref()),
                shipping_option_id: query.shipping_option_id.clone(),
            },
            meta: MessageMeta::default(),
        });
    }
    if let Some(message) = &update.message {
        if let Some(paid) = &message.successful_payment {
            return Some(Incoming {
                at,
                thread_id: None,
                chat_id: message.chat.id,
                chat_kind: chat_kind(&message.chat),
                from: message.from.as_ref().map(person),
                kind: IncomingKind::PaymentReceived {
                    currency: paid.currency.clone(),
                    total_amount: paid.total_amount,
                    payload: paid.invoice_payload.clone(),
                    telegram_charge_id: paid.telegram_payment_charge_id.clone(),
                    provider_charge_id: Some(paid.provider_payment_charge_id.clone())
                        .filter(|id| !id.is_empty()),
                    shipping_address: address(paid.order_info.as_ref()),
                    shipping_option_id: paid.shipping_option_id.clone(),
                },
                meta: MessageMeta::default(),
            });
        }
        let kind = match (command(message), &message.text) {
            (Some((name, args)), _) => IncomingKind::Command { name, args },
            (None, Some(text)) => IncomingKind::Text {
                text: text.clone(),
                message_id: message.message_id,
            },
            (None, None)
                if message.photo.is_some()
                    || message.document.is_some()
                    // In groups every kind of media is looked at (locks).
                    || (message.chat.kind != ChatType::Private && media_kind(message).is_some()) =>
            {
                IncomingKind::Media {
                    message_id: message.message_id,
                    caption: message.caption.clone().unwrap_or_default(),
                }
            }
            (None, None) => match &message.contact {
                Some(contact) => IncomingKind::ContactShared {
                    user_id: contact.user_id,
                    phone: contact.phone_number.clone(),
                },
                None => IncomingKind::Other {
                    kind: "message".into(),
                },
            },
        };
        return Some(Incoming {
            at,
            // Only forum topics: replies in other supergroups carry a thread id too.
            thread_id: message
                .message_thread_id
                .filter(|_| message.is_topic_message == Some(true)),
            chat_id: message.chat.id,
            chat_kind: chat_kind(&message.chat),
            from: message.from.as_ref().map(person),
            kind,
            meta: meta(message),
        });
    }
    if let Some(query) = &update.callback_query {
        let message = query.message.as_ref();
        return Some(Incoming {
            at,
            thread_id: None,
            chat_id: message.map_or(query.from.id, |m| m.chat.id),
            chat_kind: message.map_or(ChatKind::Private, |m| chat_kind(&m.chat)),
            from: Some(person(&query.from)),
            kind: IncomingKind::Button {
                callback_id: query.id.clone(),
                data: query.data.clone().unwrap_or_default(),
                message_id: message.map(|m| m.message_id),
            },
            meta: MessageMeta::default(),
        });
    }
    if let Some(request) = &update.chat_join_request {
        return Some(Incoming {
            at,
            thread_id: None,
            chat_id: request.chat.id,
            chat_kind: chat_kind(&request.chat),
            from: Some(person(&request.from)),
            kind: IncomingKind::JoinRequest {
                chat_title: request.chat.title.clone().unwrap_or_default(),
                user_chat_id: request.user_chat_id,
                invite_link: request.invite_link.as_ref().map(|l| l.invite_link.clone()),
            },
            meta: MessageMeta::default(),
        });
    }
    if let Some(member) = &update.chat_member {
        let (was, is) = (
            member.old_chat_member.is_member(),
            member.new_chat_member.is_member(),
        );
        let kind = if was == is {
            IncomingKind::Other {
                kind: "chat_member".into(),
            }
        } else {
            IncomingKind::MemberChanged {
                member: person(&member.new_chat_member.user),
                joined: is,
                invite_link: member.invite_link.as_ref().map(|l| l.invite_link.clone()),
                via_join_request: member.via_join_request.unwrap_or(false),
            }
        };
        return Some(Incoming {
            at,
            thread_id: None,
            chat_id: member.chat.id,
            chat_kind: chat_kind(&member.chat),
            from: Some(person(&member.from)),
            kind,
            meta: MessageMeta::default(),
        });
    }
    if let Some(member) = &update.my_chat_member {
        let kind = if member.chat.kind == ChatType::Private {
            IncomingKind::BotAccess {
                allowed: !matches!(member.new_chat_member.status.as_str(), "kicked" | "left"),
            }
        } else {
            let me = &member.new_chat_member;
            IncomingKind::BotMembership {
                chat_type: member.chat.kind.as_str().to_owned(),
                title: member.chat.title.clone().unwrap_or_default(),
                username: member.chat.username.clone(),
                status: me.status.as_str().to_owned(),
                can_invite_users: me.can_invite_users.unwrap_or(false),
                can_restrict_members: me.can_restrict_members.unwrap_or(false),
                can_delete_messages: me.can_delete_messages.unwrap_or(false),
            }
        };
        return Some(Incoming {
            at,
            thread_id: None,
            chat_id: member.chat.id,
            chat_kind: chat_kind(&member.chat),
            from: Some(person(&member.from)),
            kind,
            meta: MessageMeta::default(),
        });
    }
    if let Some(poll) = &update.poll {
        return Some(Incoming {
            at,
            thread_id: None,
            // A poll's state names no chat (see `IncomingKind::PollState`).
            chat_id: 0,
            chat_kind: ChatKind::Channel,
            from: None,
            kind: IncomingKind::PollState(PollState {
                poll_id: poll.id.clone(),
                options: poll
                    .options
                    .iter()
                    .map(|o| (o.text.clone(), o.voter_count))
                    .collect(),
                total_voter_count: poll.total_voter_count,
                is_closed: poll.is_closed,
                update_id: update.update_id,
            }),
            meta: MessageMeta::default(),
        });
    }
    let chat_id = update.chat_id()?;
    Some(Incoming {
        at,
        thread_id: None,
        chat_id,
        chat_kind: if chat_id > 0 {
            ChatKind::Private
        } else {
            ChatKind::Supergroup
        },
        from: update.from().map(person),
        kind: IncomingKind::Other {
            kind: update.kind_name().to_owned(),
        },
        meta: MessageMeta::default(),
    })
}
