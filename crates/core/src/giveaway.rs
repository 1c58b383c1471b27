//! Giveaways (直播抽奖, live draws) in a group or channel, with a draw anyone can check.
//!
//! A seller announces a giveaway with a "join" button. Each person who presses it gets an
//! entry number (1, 2, 3, ... in the order they joined). The draw happens at the end time or
//! when the host ends it, by a job.
//!
//! # The draw, and how to check it
//! When the giveaway is made, a secret 32-byte seed is drawn and only its SHA-256 (the
//! *commitment*) is shown in the announcement, so nobody, the seller included, can pick the
//! winners after seeing who joined without it showing. At the draw, the seed is published.
//! Every entry number `n` from 1 to the number of entries gets the ticket
//! `SHA-256(seed ‖ ":" ‖ n)` (the seed as 64 lower-case hex characters, `n` in decimal), and
//! the `winners` entries with the lowest tickets win (ties, which SHA-256 makes practically
//! impossible, go to the lower number). Anyone with the seed and the number of entries can
//! recompute the list ([`draw`]), and check the seed against the commitment.
//!
//! Winners get a single-use code of the giveaway's prize promotion (for them alone), in a
//! private message if they ever started the bot; the result post in the chat has a button
//! that opens the bot, where `/start gw-<id>` hands a winner their code.

use crate::customer::CustomerId;
use crate::promotion::PromotionId;
use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The job that draws a giveaway's winners.
pub const DRAW_JOB: &str = "giveaway.draw";

/// Most winners a giveaway may have.
pub const MAX_WINNERS: i64 = 1000;

/// The store's id of a giveaway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GiveawayId(pub i64);

/// Where a giveaway stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GiveawayStatus {
    Open,
    Drawn,
}

/// A giveaway as a seller sets it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewGiveaway {
    /// The bot that runs it (its key).
    pub bot: String,
    /// The group or channel it is announced in.
    pub chat_id: i64,
    /// What is given away, in the seller's words ("3 silk scarves").
    pub prize: String,
    pub winners: i64,
    pub ends_at: DateTime<Utc>,
    /// Winners get a single-use code of this promotion.
    #[serde(default)]
    pub promotion_id: Option<PromotionId>,
    /// Groups or channels a winner must be a member of at the draw (at most
    /// [`MAX_REQUIRED_CHATS`]); entries of people who are not are skipped, in draw order.
    #[serde(default)]
    pub required_chats: Vec<i64>,
}

/// Most chats a giveaway may require its winners to be in.
pub const MAX_REQUIRED_CHATS: usize = 5;

impl NewGiveaway {
    /// Every rule a new giveaway must meet, all problems at once.
    pub fn validate(&self, now: DateTime<Utc>) -> std::result::Result<(), Vec<crate::FieldError>> {
        use crate::FieldError;
        let mut errors = Vec::new();
        if self.prize.trim().is_empty() || self.prize.chars().count() > 200 {
            errors.push(FieldError::new("prize", "must be 1-200 characters"));
        }
        if !(1..=MAX_WINNERS).contains(&self.winners) {
            errors.push(FieldError::new("winners", "must be 1-1000"));
        }
        if self.ends_at <= now {
            errors.push(FieldError::new("ends_at", "must be in the future"));
        }
        let mut chats = self.required_chats.clone();
        chats.sort_unstable();
        chats.dedup();
        if chats.len() != self.required_chats.len() || chats.len() > MAX_REQUIRED_CHATS {
            errors.push(FieldError::new(
                "required_chats",
                "at most 5 chats, each once",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A giveaway as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Giveaway {
    pub id: GiveawayId,
    #[serde(flatten)]
    pub setup: NewGiveaway,
    pub status: GiveawayStatus,
    /// SHA-256 of the seed, hex: shown from the start.
    pub commitment: String,
    /// The seed, hex: secret until the draw, then published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    pub entries: i64,
    /// Winning entry numbers, in draw order; empty until the draw.
    pub winning_entries: Vec<i64>,
    /// Entries passed over at the draw because their person was not in a required chat, in
    /// draw order: with them, anyone can recompute the winners from the seed.
    pub skipped_entries: Vec<i64>,
    pub created_at: DateTime<Utc>,
    pub drawn_at: Option<DateTime<Utc>>,
}

impl Giveaway {
    /// What may be shown to anyone: the seed only once drawn.
    pub fn public(&self) -> Giveaway {
        let mut shown = self.clone();
        if shown.status != GiveawayStatus::Drawn {
            shown.seed = None;
        }
        shown
    }
}

/// One person's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub giveaway: GiveawayId,
    /// 1, 2, 3... in joining order.
    pub number: i64,
    pub customer_id: CustomerId,
    /// The winner's prize code, once drawn.
    pub code: Option<String>,
}

/// The commitment of a seed (hex in, hex out).
pub fn commitment(seed_hex: &str) -> String {
    hex(&Sha256::digest(seed_hex.as_bytes()))
}

/// The winning entry numbers for `seed_hex` and `entries` entries (see the module docs).
pub fn draw(seed_hex: &str, entries: i64, winners: i64) -> Vec<i64> {
    let mut tickets: Vec<([u8; 32], i64)> = (1..=entries.max(0))
        .map(|n| {
            let ticket = Sha256::digest(format!("{seed_hex}:{n}").as_bytes());
            (ticket.into(), n)
        })
        .collect();
    tickets.sort_unstable();
    tickets
        .into_iter()
        .take(winners.max(0) as usize)
        .map(|(_, n)| n)
        .collect()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Giveaways outside any transaction.
/// Asks Telegram whether a person is in a chat (`getChatMember`), for the draw of a giveaway
/// with required chats. Implemented by the worker with the bot's Telegram client.
#[async_trait]
pub trait MembershipCheck: Send + Sync {
    /// Whether Telegram user `user_id` is a member (or admin) of `chat_id`, as bot `bot` sees
    /// it. An error is worth a retry (Telegram did not answer).
    async fn is_member(&self, bot: &str, chat_id: i64, user_id: i64) -> Result<bool>;
}

#[async_trait]
pub trait GiveawayStore: Send + Sync {
    /// Saves a new open giveaway with the seed (hex) and its commitment.
    async fn create_giveaway(
        &self,
        giveaway: &NewGiveaway,
        seed_hex: &str,
        at: DateTime<Utc>,
    ) -> Result<Giveaway>;

    async fn giveaway(&self, id: GiveawayId) -> Result<Option<Giveaway>>;

    /// Giveaways with `id < before` (all if `None`), newest first, at most `limit`: the
    /// console's list.
    async fn giveaways(&self, before: Option<GiveawayId>, limit: i64) -> Result<Vec<Giveaway>>;
}

/// Giveaway writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait GiveawayTx: Send {
    /// The giveaway, locked until the transaction ends.
    async fn giveaway_for_update(&mut self, id: GiveawayId) -> Result<Option<Giveaway>>;

    /// Enters a customer: their entry, new (numbered next) or the one they have. `Conflict`
    /// if the giveaway is no longer open.
    async fn enter_giveaway(
        &mut self,
        id: GiveawayId,
        customer: CustomerId,
        at: DateTime<Utc>,
    ) -> Result<(Entry, bool)>;

    /// The entries with these numbers.
    async fn giveaway_entries(&mut self, id: GiveawayId, numbers: &[i64]) -> Result<Vec<Entry>>;

    /// The customer's entry, if any.
    async fn giveaway_entry(
        &mut self,
        id: GiveawayId,
        customer: CustomerId,
    ) -> Result<Option<Entry>>;

    /// Closes the giveaway with its winners and the entries skipped on the way. `Conflict`
    /// if it was drawn already.
    async fn record_draw(
        &mut self,
        id: GiveawayId,
        winning_entries: &[i64],
        skipped_entries: &[i64],
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// Gives a winner their prize: saves `code` as a single-use code of `promotion` for
    /// them, on their entry.
    async fn award_prize(
        &mut self,
        id: GiveawayId,
        number: i64,
        promotion: PromotionId,
        customer: CustomerId,
        code: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn the_draw_is_a_function_of_the_seed_and_the_count() {
        let winners = draw(SEED, 500, 3);
        assert_eq!(winners.len(), 3);
        assert_eq!(winners, draw(SEED, 500, 3), "same seed, same winners");
        assert!(winners.iter().all(|n| (1..=500).contains(n)));
        let mut unique = winners.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 3);
        // Another seed gives other winners (with overwhelming probability).
        let other = SEED.replace("00", "01");
        assert_ne!(draw(&other, 500, 3), winners);
        // Entrants are ranked the same whatever the count: later entries only compete.
        let first_ten = draw(SEED, 10, 10);
        let mut sorted = first_ten.clone();
        sorted.sort();
        assert_eq!(sorted, (1..=10).collect::<Vec<_>>());
    }

    #[test]
    fn fewer_entries_than_winners_all_win() {
        let mut winners = draw(SEED, 2, 5);
        winners.sort();
        assert_eq!(winners, [1, 2]);
        assert!(draw(SEED, 0, 5).is_empty());
    }

    #[test]
    fn a_ticket_is_the_hash_of_seed_colon_number() {
        // What a participant computes by hand.
        let ticket = |n: i64| hex(&Sha256::digest(format!("{SEED}:{n}").as_bytes()));
        let winner = draw(SEED, 3, 1)[0];
        let lowest = (1..=3).min_by_key(|n| ticket(*n)).unwrap();
        assert_eq!(winner, lowest);
        assert_eq!(commitment(SEED), hex(&Sha256::digest(SEED.as_bytes())));
    }
}
