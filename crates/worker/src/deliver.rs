//! Turning an outbox [`Action`] into a Telegram Bot API request and making it.

use async_trait::async_trait;
use groupcart_core::outbox::{Action, Button, ButtonTarget, Invoice, OutboundMessage, TopicRef};
use groupcart_telegram::methods::{
    AnswerCallbackQuery, AnswerPreCheckoutQuery, AnswerShippingQuery, ApproveChatJoinRequest,
    BanChatMember, CopyMessage, CreateForumTopic, DeclineChatJoinRequest, DeleteMessage,
    EditMessageText, InputFile, InputPollOption, InvoiceParams, MessageOrTrue, RefundStarPayment,
    RestrictChatMember, SendDocument, SendInvoice, SendMessage, SendPhoto, SendPoll,
    UnbanChatMember,
};
use groupcart_telegram::types::{
    ChatPermissions, ChatTarget, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton,
    LabeledPrice, ReplyKeyboardMarkup, ReplyKeyboardRemove, ReplyMarkup, ShippingOption,
};
use groupcart_telegram::{ApiError, Client};
use std::time::Duration;

/// How a delivery attempt ended, in the terms the sender needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// Telegram asked us to slow down for this long.
    RateLimited(Duration),
    /// Worth trying again later (network, server error).
    Transient(String),
    /// Never worth trying again (blocked, chat not found, bad request).
    Permanent(String),
}

/// What Telegram created for a delivered message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// The message's id (or a created topic's thread id), if any.
    pub message_id: Option<i64>,
    /// The id of the poll a `sendPoll` created, which its `poll` updates carry.
    pub poll_id: Option<String>,
}

/// Something that can deliver one outbound message; the Telegram client in production, a
/// fake in tests.
#[async_trait]
pub trait Deliver: Send + Sync + 'static {
    /// Delivers `message`; returns the id of the message Telegram created, if any.
    async fn deliver(
        &self,
        message: &OutboundMessage,
        paid_broadcast: bool,
    ) -> Result<Option<i64>, DeliveryError>;

    /// Delivers `message` and reports everything Telegram created; the default knows only
    /// the message id.
    async fn deliver_full(
        &self,
        message: &OutboundMessage,
        paid_broadcast: bool,
    ) -> Result<Delivered, DeliveryError> {
        self.deliver(message, paid_broadcast)
            .await
            .map(|message_id| Delivered {
                message_id,
                poll_id: None,
            })
    }
}

/// Delivers through the Telegram Bot API.
#[derive(Clone)]
pub struct TelegramDeliver {
    client: Client,
    /// The bot's payment provider token, for invoices in ordinary currencies.
    provider_token: Option<String>,
}

impl std::fmt::Debug for TelegramDeliver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramDeliver")
            .field("client", &self.client)
            .field(
                "provider_token",
                &self.provider_token.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

impl TelegramDeliver {
    pub fn new(client: Client, provider_token: Option<String>) -> Self {
        TelegramDeliver {
            client,
            provider_token,
        }
    }

    fn invoice_params(&self, invoice: &Invoice) -> Result<InvoiceParams, DeliveryError> {
        groupcart_bot::invoice::params(invoice, self.provider_token.as_deref())
            .map_err(DeliveryError::Permanent)
    }
}

/// The thread id of a topic; the sender resolves [`TopicRef::CreatedBy`] before delivery.
fn thread(topic: &TopicRef) -> Result<i64, DeliveryError> {
    match topic {
        TopicRef::Thread(id) => Ok(*id),
        TopicRef::CreatedBy(_) => Err(DeliveryError::Permanent(
            "the forum topic was not resolved before delivery".into(),
        )),
    }
}

fn keyboard(rows: &[Vec<Button>]) -> Option<InlineKeyboardMarkup> {
    if rows.is_empty() {
        return None;
    }
    let inline_keyboard = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|b| match &b.target {
                    ButtonTarget::Callback(data) => InlineKeyboardButton::callback(&b.text, data),
                    ButtonTarget::Url(url) => InlineKeyboardButton::url(&b.text, url),
                })
                .collect()
        })
        .collect();
    Some(InlineKeyboardMarkup { inline_keyboard })
}

/// A muted member's permissions: nothing may be sent.
/// Every permission a member may have: what lifting a mute gives back.
fn unmuted() -> ChatPermissions {
    let yes = Some(true);
    ChatPermissions {
        can_send_messages: yes,
        can_send_audios: yes,
        can_send_documents: yes,
        can_send_photos: yes,
        can_send_videos: yes,
        can_send_video_notes: yes,
        can_send_voice_notes: yes,
        can_send_polls: yes,
        can_send_other_messages: yes,
        can_add_web_page_previews: yes,
        can_react_to_messages: yes,
        can_edit_tag: yes,
        can_change_info: yes,
        can_invite_users: yes,
        can_pin_messages: yes,
        can_manage_topics: yes,
    }
}

fn muted() -> ChatPermissions {
    ChatPermissions {
        can_send_messages: Some(false),
        can_send_audios: Some(false),
        can_send_documents: Some(false),
        can_send_photos: Some(false),
        can_send_videos: Some(false),
        can_send_video_notes: Some(false),
        can_send_voice_notes: Some(false),
        can_send_polls: Some(false),
        can_send_other_messages: Some(false),
        can_add_web_page_previews: Some(false),
        ..ChatPermissions::default()
    }
}

/// Maps the client's answer to the sender's terms.
fn outcome(result: Result<Option<i64>, ApiError>) -> Result<Option<i64>, DeliveryError> {
    let error = match result {
        Ok(remote_id) => return Ok(remote_id),
        Err(error) => error,
    };
    if let Some(wait) = error.retry_after() {
        return Err(DeliveryError::RateLimited(wait));
    }
    if let ApiError::Api { description, .. } = &error {
        // Editing a message to the text it already has is a success for us: the customer
        // sees what we meant them to see.
        if description.contains("message is not modified") {
            return Ok(None);
        }
    }
    Err(if error.is_permanent() {
        DeliveryError::Permanent(error.to_string())
    } else {
        DeliveryError::Transient(error.to_string())
    })
}

#[async_trait]
impl Deliver for TelegramDeliver {
    async fn deliver_full(
        &self,
        message: &OutboundMessage,
        paid_broadcast: bool,
    ) -> Result<Delivered, DeliveryError> {
        let Action::SendPoll {
            question,
            options,
            allows_multiple_answers,
            is_anonymous,
            buttons,
        } = &message.action
        else {
            let message_id = self.deliver(message, paid_broadcast).await?;
            return Ok(Delivered {
                message_id,
                poll_id: None,
            });
        };
        let options = options.iter().map(InputPollOption::new).collect();
        let mut request = SendPoll::new(message.chat_id, question.clone(), options);
        // Telegram's defaults, said explicitly: what was asked for is what goes out.
        request.is_anonymous = Some(*is_anonymous);
        request.allows_multiple_answers = Some(*allows_multiple_answers);
        request.reply_markup = keyboard(buttons).map(Into::into);
        if paid_broadcast {
            request.allow_paid_broadcast = Some(true);
        }
        let mut poll_id = None;
        let result = self.client.call(&request).await.map(|m| {
            poll_id = m.poll.map(|p| p.id);
            Some(m.message_id)
        });
        outcome(result).map(|message_id| Delivered {
            message_id,
            poll_id,
        })
    }

    async fn deliver(
        &self,
        message: &OutboundMessage,
        paid_broadcast: bool,
    ) -> Result<Option<i64>, DeliveryError> {
        let result = match &message.action {
            Action::SendPoll { .. } => {
                return self
                    .deliver_full(message, paid_broadcast)
                    .await
                    .map(|d| d.message_id)
            }
            Action::SendText { text, buttons } => {
                let mut request = SendMessage::new(message.chat_id, text.clone());
                request.reply_markup = keyboard(buttons).map(Into::into);
                if paid_broadcast {
                    request.allow_paid_broadcast = Some(true);
                }
                self.client.call(&request).await.map(|m| Some(m.message_id))
            }
            Action::AskContact { text, button } => {
                let mut request = SendMessage::new(message.chat_id, text.clone());
                request.reply_markup = Some(ReplyMarkup::ReplyKeyboard(ReplyKeyboardMarkup {
                    keyboard: vec![vec![KeyboardButton {
                        text: button.clone(),
                        request_contact: Some(true),
                    }]],
                    resize_keyboard: Some(true),
                    one_time_keyboard: Some(true),
                    input_field_placeholder: None,
                }));
                self.client.call(&request).await.map(|m| Some(m.message_id))
            }
            Action::SendTextRemoveKeyboard { text } => {
                let mut request = SendMessage::new(message.chat_id, text.clone());
                request.reply_markup = Some(ReplyMarkup::RemoveKeyboard(ReplyKeyboardRemove {
                    remove_keyboard: true,
                }));
                self.client.call(&request).await.map(|m| Some(m.message_id))
            }
            Action::CreateTopic { name } => self
                .client
                .call(&CreateForumTopic::new(message.chat_id, name.clone()))
                .await
                .map(|topic| Some(topic.message_thread_id)),
            Action::SendToTopic {
                topic,
                text,
                buttons,
            } => {
                let mut request = SendMessage::new(message.chat_id, text.clone());
                request.message_thread_id = Some(thread(topic)?);
                request.reply_markup = keyboard(buttons).map(Into::into);
                self.client.call(&request).await.map(|m| Some(m.message_id))
            }
            Action::CopyMessage {
                from_chat_id,
                message_id,
                topic,
            } => {
                let mut request = CopyMessage::new(message.chat_id, *from_chat_id, *message_id);
                request.message_thread_id = topic.as_ref().map(thread).transpose()?;
                self.client.call(&request).await.map(|m| Some(m.message_id))
            }
            Action::EditText {
                message_id,
                text,
                buttons,
            } => {
                let mut request = EditMessageText::new(message.chat_id, *message_id, text.clone());
                request.reply_markup = keyboard(buttons);
                self.client.call(&request).await.map(|r| match r {
                    MessageOrTrue::Message(m) => Some(m.message_id),
                    MessageOrTrue::True(_) => None,
                })
            }
            Action::AnswerButton { callback_id, text } => {
                let mut request = AnswerCallbackQuery::new(callback_id.clone());
                request.text = text.clone();
                self.client.call(&request).await.map(|_| None)
            }
            Action::AnswerButtonLink {
                callback_id,
                url,
                text,
            } => {
                let mut request = AnswerCallbackQuery::new(callback_id.clone());
                request.url = Some(url.clone());
                request.text = text.clone();
                self.client.call(&request).await.map(|_| None)
            }
            Action::SendPhoto {
                photo,
                caption,
                buttons,
            } => {
                let mut request = SendPhoto::new(message.chat_id, photo.clone());
                request.caption = Some(caption.clone());
                request.reply_markup = keyboard(buttons).map(Into::into);
                self.client.call(&request).await.map(|m| Some(m.message_id))
            }
            Action::SendDocument {
                file_name,
                mime_type,
                content,
                caption,
            } => {
                let file = InputFile {
                    file_name: file_name.clone(),
                    mime_type: mime_type.clone(),
                    bytes: content.as_bytes().to_vec(),
                };
                let mut request = SendDocument::new(message.chat_id, file);
                request.caption = Some(caption.clone());
                self.client.call(&request).await.map(|m| Some(m.message_id))
            }
            Action::SendInvoice(invoice) => {
                let request = SendInvoice::new(message.chat_id, self.invoice_params(invoice)?);
                self.client.call(&request).await.map(|m| Some(m.message_id))
            }
            Action::RefundStars { user_id, charge_id } => {
                let request = RefundStarPayment {
                    user_id: *user_id,
                    telegram_payment_charge_id: charge_id.clone(),
                };
                self.client.call(&request).await.map(|_| None)
            }
            Action::AnswerPreCheckout {
                query_id,
                ok,
                error_message,
            } => {
                let request = if *ok {
                    AnswerPreCheckoutQuery::accept(query_id.clone())
                } else {
                    let reason = error_message.clone().unwrap_or_default();
                    AnswerPreCheckoutQuery::reject(query_id.clone(), reason)
                };
                self.client.call(&request).await.map(|_| None)
            }
            Action::ApproveJoinRequest { chat_id, user_id } => {
                let request = ApproveChatJoinRequest {
                    chat_id: ChatTarget::Id(*chat_id),
                    user_id: *user_id,
                };
                self.client.call(&request).await.map(|_| None)
            }
            Action::DeleteMessage { message_id } => {
                let request = DeleteMessage {
                    chat_id: ChatTarget::Id(message.chat_id),
                    message_id: *message_id,
                };
                match self.client.call(&request).await {
                    // Gone already (deleted by an admin, say): what we wanted.
                    Err(ApiError::Api { description, .. })
                        if description.contains("message to delete not found") =>
                    {
                        Ok(None)
                    }
                    other => other.map(|_| None),
                }
            }
            Action::Restrict { user_id, until } => {
                let request = RestrictChatMember {
                    chat_id: ChatTarget::Id(message.chat_id),
                    user_id: *user_id,
                    permissions: muted(),
                    use_independent_chat_permissions: None,
                    until_date: Some(until.timestamp()),
                };
                self.client.call(&request).await.map(|_| None)
            }
            Action::Ban { user_id } => {
                let request = BanChatMember {
                    chat_id: ChatTarget::Id(message.chat_id),
                    user_id: *user_id,
                    until_date: None,
                    revoke_messages: None,
                };
                self.client.call(&request).await.map(|_| None)
            }
            // The sender turns it into a `DeleteMessage` first (see `sender::resolve_sent`).
            Action::DeleteSent { .. } => {
                return Err(DeliveryError::Permanent(
                    "the message to delete was not looked up".into(),
                ))
            }
            Action::Unban { user_id } => {
                let request = UnbanChatMember {
                    chat_id: ChatTarget::Id(message.chat_id),
                    user_id: *user_id,
                    // A member who is not banned stays in the chat.
                    only_if_banned: Some(true),
                };
                self.client.call(&request).await.map(|_| None)
            }
            Action::Unrestrict { user_id } => {
                let request = RestrictChatMember {
                    chat_id: ChatTarget::Id(message.chat_id),
                    user_id: *user_id,
                    permissions: unmuted(),
                    use_independent_chat_permissions: None,
                    until_date: None,
                };
                self.client.call(&request).await.map(|_| None)
            }
            Action::DeclineJoinRequest { chat_id, user_id } => {
                let request = DeclineChatJoinRequest {
                    chat_id: ChatTarget::Id(*chat_id),
                    user_id: *user_id,
                };
                self.client.call(&request).await.map(|_| None)
            }
            Action::AnswerShipping {
                query_id,
                options,
                error_message,
            } => {
                let request = if options.is_empty() {
                    let reason = error_message.clone().unwrap_or_default();
                    AnswerShippingQuery::reject(query_id.clone(), reason)
                } else {
                    let options = options
                        .iter()
                        .map(|o| ShippingOption {
                            id: o.id.clone(),
                            title: o.title.clone(),
                            prices: vec![LabeledPrice {
                                label: o.title.clone(),
                                amount: o.amount,
                            }],
                        })
                        .collect();
                    AnswerShippingQuery::accept(query_id.clone(), options)
                };
                self.client.call(&request).await.map(|_| None)
            }
        };
        outcome(result)
    }
}
