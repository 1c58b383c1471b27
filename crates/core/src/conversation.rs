//! The first conversation with a customer: `/start` (with an optional deep-link source),
//! language choice, the privacy notice and the consent buttons, plus `/help`, `/language`
//! and `/privacy`.
//!
//! [`handle`] runs inside the caller's transaction: the customer, consent and event rows it
//! writes and the replies it enqueues commit together, or not at all.

use crate::bot::BotProfile;
use crate::consent::{ConsentPurpose, ConsentRecord};
use crate::customer::{Customer, CustomerSighting};
use crate::event::{kind, NewEvent};
use crate::i18n::Texts;
use crate::incoming::{ChatKind, Incoming, IncomingKind, Person};
use crate::outbox::{Action, Button, Keyboard, NewOutbound};
use crate::shop::ShopSettings;
use crate::staff;
use crate::store::{Store, Tx};
use crate::Result;
use crate::{
    community_chat, coupon_chat, flash_sale_chat, giveaway_chat, group_buy_chat, referral_chat,
    shop_chat, support_chat,
};
use serde_json::json;

/// What the use case needs besides the transaction.
pub struct Context<'a> {
    pub bot: &'a BotProfile,
    pub texts: &'a Texts,
    /// For reads outside the transaction (the catalog).
    pub store: &'a dyn Store,
    pub shop: &'a ShopSettings,
    /// Answers flash-sale buyers from memory when the sale is gone (one per process).
    pub flash_sales: &'a crate::flash_sale::FlashSaleGate,
    /// The chats' compiled word filters (one per process).
    pub filters: &'a crate::moderation::FilterCache,
    /// Agent groups, SLA targets and FAQ thresholds.
    pub support: &'a crate::support::SupportSettings,
    /// The FAQ entries and their search index (one per process).
    pub faq: &'a crate::faq::FaqCache,
    /// The time zone of customers without one of their own (an IANA name), whose calendar
    /// days count for them (`crm.default_time_zone`).
    pub default_time_zone: &'a str,
}

/// The commands the bot offers, as (command, description message id), for menus.
pub const COMMANDS: &[(&str, &str)] = &[
    ("shop", "cmd-shop"),
    ("cart", "cmd-cart"),
    ("orders", "cmd-orders"),
    ("coupons", "cmd-coupons"),
    ("invite", "cmd-invite"),
    ("checkin", "cmd-checkin"),
    ("points", "cmd-points"),
    ("birthday", "cmd-birthday"),
    ("agent", "cmd-agent"),
    ("start", "cmd-start"),
    ("help", "cmd-help"),
    ("language", "cmd-language"),
    ("privacy", "cmd-privacy"),
    ("settings", "cmd-settings"),
    ("phone", "cmd-phone"),
];

/// Whether a `/start` payload is a valid deep-link parameter: 1–64 of `A-Z a-z 0-9 _ -`.
pub fn is_valid_start_payload(payload: &str) -> bool {
    (1..=64).contains(&payload.len())
        && payload
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The consent choices offered by the privacy notice's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConsentChoice {
    All,
    ServiceOnly,
    Nothing,
}

impl ConsentChoice {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "all" => Some(Self::All),
            "service" => Some(Self::ServiceOnly),
            "none" => Some(Self::Nothing),
            _ => None,
        }
    }
    fn grants(self, purpose: ConsentPurpose) -> bool {
        matches!(
            (self, purpose),
            (Self::All, _) | (Self::ServiceOnly, ConsentPurpose::Service)
        )
    }
    fn confirmation(self) -> &'static str {
        match self {
            Self::All => "consent-saved-all",
            Self::ServiceOnly => "consent-saved-service",
            Self::Nothing => "consent-saved-none",
        }
    }
}

/// Handles one interaction. Interactions in groups and from other bots are left to the
/// features that own them.
pub async fn handle(tx: &mut dyn Tx, ctx: &Context<'_>, incoming: &Incoming) -> Result<()> {
    // Joins and the bot's own membership may be done by a bot (ours, approving a request).
    if community_chat::is_community_event(&incoming.kind) {
        return community_chat::handle(tx, ctx, incoming).await;
    }
    // A poll's results have no chat and no person: they belong to the calendar post.
    if let IncomingKind::PollState(state) = &incoming.kind {
        let bot = &ctx.bot.key.0;
        if let Some(post) = crate::calendar::poll_state(tx, bot, state, incoming.at).await? {
            // Poll votes in analytics are counted from the states stored.
            let voters = state.total_voter_count;
            crate::analytics::record_poll_state(tx, bot, post, &state.poll_id, voters, incoming.at)
                .await?;
        }
        return Ok(());
    }
    // Giveaways are joined from the group or channel they are announced in.
    if giveaway_chat::is_giveaway_button(&incoming.kind) {
        return giveaway_chat::button(tx, ctx, incoming).await;
    }
    let Some(person) = incoming.from.as_ref().filter(|p| !p.is_bot) else {
        return Ok(());
    };
    if incoming.thread_id.is_some() && support_chat::is_agent_chat(ctx, incoming) {
        return support_chat::agent(tx, ctx, incoming).await;
    }
    if staff::is_staff_chat(ctx, incoming) {
        return staff::handle(tx, ctx, incoming).await;
    }

    if let IncomingKind::Button {
        callback_id, data, ..
    } = &incoming.kind
    {
        if incoming.chat_kind != ChatKind::Private && flash_sale_chat::is_flash_sale_button(data) {
            return flash_sale_chat::group_button(tx, ctx, incoming, person, callback_id, data)
                .await;
        }
        if incoming.chat_kind != ChatKind::Private && community_chat::is_group_check_button(data) {
            return community_chat::group_button(tx, ctx, incoming, person, callback_id, data)
                .await;
        }
    }
    if incoming.chat_kind != ChatKind::Private {
        if matches!(
            incoming.kind,
            IncomingKind::Text { .. } | IncomingKind::Media { .. } | IncomingKind::Command { .. }
        ) {
            // Before moderation, which may end the turn: a message counts as activity.
            crate::membership::spoke_in_group(tx, ctx, incoming, person).await?;
        }
        match &incoming.kind {
            IncomingKind::Text { text, message_id } => {
                if crate::moderation::moderate(tx, ctx, incoming, person, text, *message_id).await?
                {
                    return Ok(());
                }
                // A team's link shared in a group gets the team's progress card.
                return group_buy_chat::group_text(tx, ctx, incoming, text).await;
            }
            IncomingKind::Media {
                message_id,
                caption,
            } => {
                crate::moderation::moderate(tx, ctx, incoming, person, caption, *message_id)
                    .await?;
            }
            IncomingKind::Command { name, args } if crate::moderation::is_staff_command(name) => {
                crate::moderation::staff_command_seen(tx, ctx, incoming, person, name, args)
                    .await?;
            }
            _ => {}
        }
        return Ok(());
    }
    let source = match &incoming.kind {
        // A claim link's token is a secret, not a source.
        IncomingKind::Command { name, args } if name == "start" => {
            start_source(args).filter(|s| !s.starts_with(crate::customer_import::CLAIM_PREFIX))
        }
        _ => None,
    };
    let customer = see_customer(tx, ctx, incoming, person, source.clone()).await?;
    let mut conversation = Turn {
        tx,
        ctx,
        incoming,
        customer,
        person,
    };
    match &incoming.kind {
        IncomingKind::Command { name, .. } if shop_chat::is_shop_command(name) => {
            shop_chat::command(&mut conversation, name).await
        }
        IncomingKind::Command { name, args } if coupon_chat::is_coupon_command(name) => {
            coupon_chat::command(&mut conversation, name, args).await
        }
        IncomingKind::Command { name, args } if name == "agent" => {
            support_chat::agent_command(&mut conversation, args).await
        }
        IncomingKind::Command { name, args } if name == "appeal" => {
            crate::moderation_chat::appeal(&mut conversation, args).await
        }
        IncomingKind::Command { name, .. } if name == "invite" => {
            referral_chat::invite(&mut conversation).await
        }
        IncomingKind::Command { name, .. } if crate::points_chat::is_points_command(name) => {
            crate::points_chat::command(&mut conversation, name).await
        }
        IncomingKind::Command { name, args }
            if crate::automation_chat::is_automation_command(name) =>
        {
            crate::automation_chat::birthday(&mut conversation, args).await
        }
        IncomingKind::Command { name, args } if name == "start" => {
            if let Some(token) = crate::customer_import_chat::start_token(args) {
                // The claim is answered, then the usual welcome (language, consent) for
                // someone who has not been through it; the claim's answer greets the rest.
                crate::customer_import_chat::claim(&mut conversation, &token).await?;
                if conversation.has_current_consent().await? {
                    return conversation.record_start(None).await;
                }
                return conversation.start(None).await;
            }
            if let Some(code) = referral_chat::start_code(args) {
                // The decision is recorded, then the usual welcome (language, consent).
                referral_chat::arrived(&mut conversation, &code).await?;
                return conversation.start(source).await;
            }
            if let Some(sale) = flash_sale_chat::start_sale(args) {
                conversation.record_start(source).await?;
                return flash_sale_chat::open(&mut conversation, sale).await;
            }
            if let Some(target) = group_buy_chat::start_target(args) {
                conversation.record_start(source).await?;
                return group_buy_chat::open(&mut conversation, target).await;
            }
            if let Some(code) = coupon_chat::start_code(args) {
                // "Tap to get 10 % off": the code goes on the cart, then the shop opens.
                conversation.record_start(source).await?;
                coupon_chat::apply(&mut conversation, &code).await?;
                return shop_chat::open(&mut conversation, shop_chat::Target::Shop).await;
            }
            match shop_chat::start_target(args) {
                Some(target) => {
                    conversation.record_start(source).await?;
                    shop_chat::open(&mut conversation, target).await
                }
                None => conversation.start(source).await,
            }
        }
        IncomingKind::Command { name, .. } => match name.as_str() {
            "help" => conversation.say("help", &[]).await,
            "language" => conversation.ask_language().await,
            "privacy" => conversation.privacy_overview(None).await,
            "settings" => conversation.settings(None).await,
            "phone" => crate::customer_import_chat::ask_phone(&mut conversation).await,
            _ => conversation.say("unknown-command", &[]).await,
        },
        IncomingKind::Text { text, .. } => {
            if support_chat::relay_to_agents(&mut conversation, text).await? {
                return Ok(());
            }
            if shop_chat::order_question(&mut conversation, text).await? {
                return Ok(());
            }
            support_chat::customer_text(&mut conversation, text).await
        }
        IncomingKind::Media {
            message_id,
            caption,
        } => support_chat::customer_media(&mut conversation, *message_id, caption).await,
        IncomingKind::ContactShared { user_id, phone } => {
            crate::customer_import_chat::contact_shared(&mut conversation, *user_id, phone).await
        }
        IncomingKind::Button {
            callback_id,
            data,
            message_id,
        } if support_chat::is_support_button(data) => {
            support_chat::button(&mut conversation, callback_id, data, *message_id).await
        }
        IncomingKind::Button {
            callback_id,
            data,
            message_id,
        } if shop_chat::is_shop_button(data) => {
            shop_chat::button(&mut conversation, callback_id, data, *message_id).await
        }
        IncomingKind::Button {
            callback_id,
            data,
            message_id,
        } if flash_sale_chat::is_flash_sale_button(data) => {
            flash_sale_chat::button(&mut conversation, callback_id, data, *message_id).await
        }
        IncomingKind::Button {
            callback_id,
            data,
            message_id,
        } if group_buy_chat::is_group_buy_button(data) => {
            group_buy_chat::button(&mut conversation, callback_id, data, *message_id).await
        }
        IncomingKind::Button {
            callback_id,
            data,
            message_id,
        } if community_chat::is_join_button(data) => {
            community_chat::button(&mut conversation, callback_id, data, *message_id).await
        }
        IncomingKind::Button {
            callback_id,
            data,
            message_id,
        } if crate::points_chat::is_points_button(data) => {
            crate::points_chat::button(&mut conversation, callback_id, data, *message_id).await
        }
        IncomingKind::Button {
            callback_id,
            data,
            message_id,
        } => conversation.button(callback_id, data, *message_id).await,
        IncomingKind::ShippingQuery { .. }
        | IncomingKind::PreCheckout { .. }
        | IncomingKind::PaymentReceived { .. } => shop_chat::payment(&mut conversation).await,
        IncomingKind::BotAccess { allowed } => {
            let kind = if *allowed {
                "bot_unblocked"
            } else {
                "bot_blocked"
            };
            let blocked_at = (!*allowed).then_some(incoming.at);
            conversation
                .tx
                .set_bot_blocked(conversation.customer.id, blocked_at)
                .await?;
            let e = event(ctx, incoming, &conversation.customer, kind);
            conversation.tx.append_event(&e).await
        }
        // Handled before the conversation (see `community_chat::is_community_event`).
        IncomingKind::JoinRequest { .. }
        | IncomingKind::MemberChanged { .. }
        | IncomingKind::BotMembership { .. }
        // Handled before the conversation too.
        | IncomingKind::PollState(_)
        | IncomingKind::Other { .. } => Ok(()),
    }
}

/// The first source carried by `/start <payload>`; an invalid payload is ignored.
fn start_source(args: &str) -> Option<String> {
    let payload = args.trim();
    if payload.is_empty() {
        return None;
    }
    if is_valid_start_payload(payload) {
        Some(payload.to_owned())
    } else {
        // Telegram only delivers valid payloads, so anything else was typed by hand or forged.
        tracing::info!(len = payload.len(), "ignoring invalid /start payload");
        None
    }
}

/// The customer behind `person`, created on first sight (with `source` as where they came
/// from) or refreshed.
pub(crate) async fn see_customer(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    person: &Person,
    source: Option<String>,
) -> Result<Customer> {
    let upserted = tx
        .upsert_customer(&CustomerSighting {
            telegram_user_id: person.telegram_user_id,
            first_name: person.first_name.clone(),
            last_name: person.last_name.clone(),
            username: person.username.clone(),
            telegram_language: person.language_code.clone(),
            source: source.clone(),
            bot: ctx.bot.key.0.clone(),
            at: incoming.at,
        })
        .await?;
    let customer = upserted.customer;
    if upserted.created {
        tx.append_event(&event(ctx, incoming, &customer, kind::CUSTOMER_CREATED).source(source))
            .await?;
    }
    Ok(customer)
}

pub(crate) fn event(
    ctx: &Context<'_>,
    incoming: &Incoming,
    customer: &Customer,
    kind: &str,
) -> NewEvent {
    NewEvent::new(kind, incoming.at)
        .bot(ctx.bot.key.as_str())
        .customer(customer.id)
        .chat(incoming.chat_id)
}

/// One turn of the conversation with one customer.
pub(crate) struct Turn<'t, 'c> {
    pub(crate) tx: &'t mut dyn Tx,
    pub(crate) ctx: &'t Context<'c>,
    pub(crate) incoming: &'t Incoming,
    pub(crate) customer: Customer,
    person: &'t Person,
}

impl<'t, 'c> Turn<'t, 'c> {
    pub(crate) fn new(
        tx: &'t mut dyn Tx,
        ctx: &'t Context<'c>,
        incoming: &'t Incoming,
        customer: Customer,
        person: &'t Person,
    ) -> Self {
        Turn {
            tx,
            ctx,
            incoming,
            customer,
            person,
        }
    }
}

impl Turn<'_, '_> {
    /// The language to speak: the customer's choice, else their client's if supported.
    fn language(&self) -> Option<&'static str> {
        let texts = self.ctx.texts;
        self.customer
            .language
            .as_deref()
            .and_then(|l| texts.languages().find(|t| *t == l))
            .or_else(|| {
                self.person
                    .language_code
                    .as_deref()
                    .and_then(|l| texts.negotiate(l))
            })
    }

    /// The language to speak, falling back to the bot's default.
    pub(crate) fn speaking(&self) -> &str {
        self.language()
            .unwrap_or(self.ctx.bot.default_language.as_str())
    }

    pub(crate) fn text(&self, id: &str, args: &[(&str, &str)]) -> String {
        self.ctx.texts.get(self.speaking(), id, args)
    }

    /// Records that the customer (re)started the conversation, from `source`.
    pub(crate) async fn record_start(&mut self, source: Option<String>) -> Result<()> {
        let e = event(
            self.ctx,
            self.incoming,
            &self.customer,
            kind::CONVERSATION_STARTED,
        )
        .source(source);
        self.tx.append_event(&e).await
    }

    async fn start(&mut self, source: Option<String>) -> Result<()> {
        self.record_start(source).await?;
        let Some(language) = self.language() else {
            return self.ask_language().await;
        };
        if self.customer.language.is_none() {
            self.tx
                .set_customer_language(self.customer.id, language)
                .await?;
        }
        if self.has_current_consent().await? {
            let name = self.customer.first_name.clone();
            return self.say("welcome-back", &[("name", &name)]).await;
        }
        self.privacy_notice(None).await
    }

    async fn has_current_consent(&mut self) -> Result<bool> {
        let version = &self.ctx.bot.policy_version;
        let current = self.tx.current_consents(self.customer.id).await?;
        Ok(current
            .iter()
            .any(|c| c.purpose == ConsentPurpose::Service && &c.policy_version == version))
    }

    /// Offers every supported language by its own name.
    async fn ask_language(&mut self) -> Result<()> {
        let texts = self.ctx.texts;
        let prompt = texts
            .languages()
            .map(|l| texts.get(l, "choose-language", &[]))
            .collect::<Vec<_>>()
            .join("\n");
        let buttons = texts
            .languages()
            .map(|l| {
                vec![Button::callback(
                    texts.get(l, "language-name", &[]),
                    format!("lang:{l}"),
                )]
            })
            .collect();
        self.send(Action::SendText {
            text: prompt,
            buttons,
        })
        .await
    }

    /// Shows the privacy notice, replacing `message_id` if given.
    async fn privacy_notice(&mut self, message_id: Option<i64>) -> Result<()> {
        let name = self.customer.first_name.clone();
        let text = self.text(
            "privacy-notice",
            &[("name", &name), ("version", &self.ctx.bot.policy_version)],
        );
        let buttons: Keyboard = [
            ("consent-accept-all", "consent:all"),
            ("consent-accept-service", "consent:service"),
            ("consent-decline", "consent:none"),
        ]
        .into_iter()
        .map(|(label, data)| vec![Button::callback(self.text(label, &[]), data)])
        .collect();
        self.replace_or_send(message_id, text, buttons).await
    }

    async fn button(
        &mut self,
        callback_id: &str,
        data: &str,
        message_id: Option<i64>,
    ) -> Result<()> {
        let (verb, value) = data.split_once(':').unwrap_or((data, ""));
        match verb {
            "lang" if self.ctx.texts.is_supported(value) => {
                self.answer(callback_id, None).await?;
                self.tx
                    .set_customer_language(self.customer.id, value)
                    .await?;
                self.customer.language = Some(value.to_owned());
                let e = event(
                    self.ctx,
                    self.incoming,
                    &self.customer,
                    kind::LANGUAGE_CHOSEN,
                )
                .data(json!({ "language": value }));
                self.tx.append_event(&e).await?;
                if self.has_current_consent().await? {
                    let text = self.text("language-set", &[]);
                    return self.replace_or_send(message_id, text, Vec::new()).await;
                }
                self.privacy_notice(message_id).await
            }
            "marketing" if matches!(value, "on" | "off") => {
                self.answer(callback_id, None).await?;
                let granted = value == "on";
                self.record_marketing(granted).await?;
                let confirmation = if granted {
                    "marketing-allowed"
                } else {
                    "marketing-stopped"
                };
                let text = self.text(confirmation, &[]);
                self.replace_or_send(message_id, text, Vec::new()).await
            }
            "privacy" => self.privacy_button(callback_id, value, message_id).await,
            "phone" if data == crate::customer_import_chat::PHONE_BUTTON => {
                self.answer(callback_id, None).await?;
                crate::customer_import_chat::ask_phone(self).await
            }
            "consent" => match ConsentChoice::parse(value) {
                Some(choice) => {
                    self.answer(callback_id, None).await?;
                    self.record_consent(choice).await?;
                    let text = self.text(choice.confirmation(), &[]);
                    self.replace_or_send(message_id, text, Vec::new()).await
                }
                None => self.expired(callback_id).await,
            },
            _ => self.expired(callback_id).await,
        }
    }

    /// `/privacy`: what is stored and why, the policy version accepted and the marketing
    /// choice, with buttons to change the choices, export the data or delete it.
    async fn privacy_overview(&mut self, message_id: Option<i64>) -> Result<()> {
        let current = self.tx.current_consents(self.customer.id).await?;
        let version = current
            .iter()
            .find(|c| c.purpose == ConsentPurpose::Service && c.granted)
            .map(|c| c.policy_version.clone())
            .unwrap_or_else(|| self.text("privacy-none", &[]));
        let marketing = current
            .iter()
            .any(|c| c.purpose == ConsentPurpose::Marketing && c.granted);
        let marketing = self.text(
            if marketing {
                "privacy-on"
            } else {
                "privacy-off"
            },
            &[],
        );
        let text = self.text(
            "privacy-overview",
            &[("version", &version), ("marketing", &marketing)],
        );
        let buttons: Keyboard = [
            ("privacy-button-choices", "privacy:choices"),
            ("privacy-button-export", "privacy:export"),
            ("privacy-button-erase", "privacy:erase"),
        ]
        .into_iter()
        .map(|(label, data)| vec![Button::callback(self.text(label, &[]), data)])
        .collect();
        self.replace_or_send(message_id, text, buttons).await
    }

    /// The buttons under the privacy overview.
    async fn privacy_button(
        &mut self,
        callback_id: &str,
        value: &str,
        message_id: Option<i64>,
    ) -> Result<()> {
        match value {
            "erase-confirmed" => return self.erase_me(callback_id, message_id).await,
            "choices" | "export" | "erase" | "keep" => self.answer(callback_id, None).await?,
            _ => return self.expired(callback_id).await,
        }
        match value {
            "choices" => self.privacy_notice(message_id).await,
            "export" => {
                crate::privacy::request_export(
                    self.tx,
                    self.customer.id,
                    &self.ctx.bot.key.0,
                    self.incoming.at,
                )
                .await?;
                let text = self.text("privacy-export-preparing", &[]);
                self.replace_or_send(message_id, text, Vec::new()).await
            }
            "erase" => {
                let text = self.text("privacy-erase-confirm", &[]);
                let buttons = vec![
                    vec![Button::callback(
                        self.text("privacy-erase-yes", &[]),
                        "privacy:erase-confirmed",
                    )],
                    vec![Button::callback(
                        self.text("privacy-erase-no", &[]),
                        "privacy:keep",
                    )],
                ];
                self.replace_or_send(message_id, text, buttons).await
            }
            "keep" => {
                let text = self.text("privacy-kept", &[]);
                self.replace_or_send(message_id, text, Vec::new()).await
            }
            _ => Ok(()),
        }
    }

    /// Erases the customer, then answers the press and says goodbye. These two are the
    /// last messages that name their chat; a job empties each once it is sent.
    async fn erase_me(&mut self, callback_id: &str, message_id: Option<i64>) -> Result<()> {
        let id = self.customer.id;
        let actor = format!("customer:{}", id.0);
        // The goodbye's text is taken first: the erasure forgets their language.
        let goodbye = self.text("privacy-erased", &[]);
        crate::privacy::erase(self.tx, id, &actor, None, self.incoming.at).await?;
        let goodbye = match message_id {
            Some(message_id) => Action::EditText {
                message_id,
                text: goodbye,
                buttons: Vec::new(),
            },
            None => Action::SendText {
                text: goodbye,
                buttons: Vec::new(),
            },
        };
        let answer = Action::AnswerButton {
            callback_id: callback_id.to_owned(),
            text: None,
        };
        let forget_at = self.incoming.at + chrono::Duration::seconds(30);
        for action in [answer, goodbye] {
            let outbox_id = self
                .tx
                .enqueue(&NewOutbound {
                    bot: self.ctx.bot.key.0.clone(),
                    chat_id: self.incoming.chat_id,
                    // Not theirs any more: the erasure cancels messages of theirs.
                    customer_id: None,
                    action,
                    broadcast: false,
                    not_before: self.incoming.at,
                    created_at: self.incoming.at,
                })
                .await?;
            self.tx
                .schedule_job(&crate::privacy::forget_message_job(
                    outbox_id, id, forget_at,
                ))
                .await?;
        }
        Ok(())
    }

    async fn record_consent(&mut self, choice: ConsentChoice) -> Result<()> {
        let version = self.ctx.bot.policy_version.clone();
        for purpose in [ConsentPurpose::Service, ConsentPurpose::Marketing] {
            self.tx
                .record_consent(&ConsentRecord {
                    customer_id: self.customer.id,
                    purpose,
                    granted: choice.grants(purpose),
                    policy_version: version.clone(),
                    bot: self.ctx.bot.key.0.clone(),
                    at: self.incoming.at,
                })
                .await?;
        }
        if !choice.grants(ConsentPurpose::Marketing) {
            crate::broadcast::marketing_withdrawn(self.tx, self.customer.id, self.incoming.at)
                .await?;
        }
        let e = event(self.ctx, self.incoming, &self.customer, kind::CONSENT_GIVEN).data(json!({
            "service": choice.grants(ConsentPurpose::Service),
            "marketing": choice.grants(ConsentPurpose::Marketing),
            "policy_version": version,
        }));
        self.tx.append_event(&e).await
    }

    /// `/settings`: the customer's marketing choice with one button to change it.
    async fn settings(&mut self, message_id: Option<i64>) -> Result<()> {
        let current = self.tx.current_consents(self.customer.id).await?;
        let marketing = current
            .iter()
            .any(|c| c.purpose == ConsentPurpose::Marketing && c.granted);
        let (state, label, data) = if marketing {
            (
                "settings-marketing-on",
                "settings-stop-marketing",
                "marketing:off",
            )
        } else {
            (
                "settings-marketing-off",
                "settings-allow-marketing",
                "marketing:on",
            )
        };
        let text = self.text(state, &[]);
        let buttons = vec![
            vec![Button::callback(self.text(label, &[]), data)],
            vec![Button::callback(
                self.text("settings-share-phone", &[]),
                crate::customer_import_chat::PHONE_BUTTON,
            )],
        ];
        self.replace_or_send(message_id, text, buttons).await
    }

    /// Records the marketing choice alone; withdrawing it takes the customer's waiting
    /// broadcast messages back out of the outbox in the same transaction.
    async fn record_marketing(&mut self, granted: bool) -> Result<()> {
        let version = self.ctx.bot.policy_version.clone();
        self.tx
            .record_consent(&ConsentRecord {
                customer_id: self.customer.id,
                purpose: ConsentPurpose::Marketing,
                granted,
                policy_version: version.clone(),
                bot: self.ctx.bot.key.0.clone(),
                at: self.incoming.at,
            })
            .await?;
        if !granted {
            crate::broadcast::marketing_withdrawn(self.tx, self.customer.id, self.incoming.at)
                .await?;
        }
        let e = event(self.ctx, self.incoming, &self.customer, kind::CONSENT_GIVEN).data(json!({
            "marketing": granted,
            "policy_version": version,
            "via": "settings",
        }));
        self.tx.append_event(&e).await
    }

    pub(crate) async fn expired(&mut self, callback_id: &str) -> Result<()> {
        let text = self.text("button-expired", &[]);
        self.answer(callback_id, Some(text)).await
    }

    pub(crate) async fn answer(&mut self, callback_id: &str, text: Option<String>) -> Result<()> {
        self.send(Action::AnswerButton {
            callback_id: callback_id.to_owned(),
            text,
        })
        .await
    }

    /// Replaces message `message_id` in place when given (paging, answered buttons), so the
    /// chat is not flooded; sends a new message otherwise.
    pub(crate) async fn replace_or_send(
        &mut self,
        message_id: Option<i64>,
        text: String,
        buttons: Keyboard,
    ) -> Result<()> {
        let action = match message_id {
            Some(message_id) => Action::EditText {
                message_id,
                text,
                buttons,
            },
            None => Action::SendText { text, buttons },
        };
        self.send(action).await
    }

    pub(crate) async fn say(&mut self, id: &str, args: &[(&str, &str)]) -> Result<()> {
        let text = self.text(id, args);
        self.send(Action::SendText {
            text,
            buttons: Vec::new(),
        })
        .await
    }

    pub(crate) async fn send(&mut self, action: Action) -> Result<()> {
        self.tx
            .enqueue(&NewOutbound {
                bot: self.ctx.bot.key.0.clone(),
                chat_id: self.incoming.chat_id,
                customer_id: Some(self.customer.id),
                action,
                broadcast: false,
                not_before: self.incoming.at,
                created_at: self.incoming.at,
            })
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_payload_alphabet_and_length() {
        assert!(is_valid_start_payload("campaign42"));
        assert!(is_valid_start_payload("a-b_C9"));
        assert!(is_valid_start_payload(&"x".repeat(64)));
        assert!(!is_valid_start_payload(&"x".repeat(65)));
        assert!(!is_valid_start_payload(""));
        assert!(!is_valid_start_payload("has space"));
        assert!(!is_valid_start_payload("ünïcode"));
        assert!(!is_valid_start_payload("a/b"));
    }

    #[test]
    fn invalid_payload_is_not_a_source() {
        assert_eq!(start_source(" campaign42 "), Some("campaign42".into()));
        assert_eq!(start_source("drop table;"), None);
        assert_eq!(start_source(""), None);
    }
}
