//! The FAQ knowledge base the bot answers from before a person is involved: entries with
//! question variants per language, keywords and an answer per language; the questions it
//! could not answer (for staff to turn into entries); and helpful / not helpful ratings.
//!
//! Matching (typos, word order, CJK text without spaces) is [`matcher`]'s; this module
//! owns the entries, their validation and the process-wide index cache.

pub mod matcher;

use crate::customer::CustomerId;
use crate::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The longest answer: Telegram's message limit.
pub const MAX_ANSWER_CHARS: usize = 4096;
/// The longest question variant or keyword.
pub const MAX_QUESTION_CHARS: usize = 512;

/// An entry as an operator writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFaqEntry {
    /// A stable name (`shipping-time`): imports update the entry of the same key.
    pub key: String,
    /// What it is about (`pre-sales`, `orders`, `returns`, ...): questions close to it
    /// are routed to the agents of that topic.
    #[serde(default = "general")]
    pub topic: String,
    /// Question variants per language (`en`, `zh`, `es`...).
    pub questions: BTreeMap<String, Vec<String>>,
    /// The answer per language.
    pub answers: BTreeMap<String, String>,
    #[serde(default)]
    pub keywords: Vec<String>,
}

fn general() -> String {
    "general".into()
}

impl NewFaqEntry {
    /// Checks the entry and trims its texts; a clear message names what is wrong.
    pub fn validated(mut self) -> Result<Self> {
        let invalid = |m: String| Err(Error::Invalid(m));
        self.key = self.key.trim().to_owned();
        if self.key.is_empty()
            || self.key.len() > 64
            || !self
                .key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return invalid("key must be 1-64 letters, digits, `-` or `_`".into());
        }
        self.topic = self.topic.trim().to_owned();
        if self.topic.is_empty() || self.topic.chars().count() > 32 {
            return invalid("topic must be 1-32 characters".into());
        }
        for (language, questions) in &mut self.questions {
            check_language(language)?;
            questions.iter_mut().for_each(|q| *q = q.trim().to_owned());
            questions.retain(|q| !q.is_empty());
            if let Some(q) = questions
                .iter()
                .find(|q| q.chars().count() > MAX_QUESTION_CHARS)
            {
                return invalid(format!(
                    "question `{}…` is longer than {MAX_QUESTION_CHARS} characters",
                    q.chars().take(20).collect::<String>()
                ));
            }
        }
        self.questions.retain(|_, q| !q.is_empty());
        if self.questions.is_empty() {
            return invalid("an entry needs at least one question".into());
        }
        for (language, answer) in &mut self.answers {
            check_language(language)?;
            *answer = answer.trim().to_owned();
            if answer.chars().count() > MAX_ANSWER_CHARS {
                return invalid(format!(
                    "the `{language}` answer is longer than {MAX_ANSWER_CHARS} characters"
                ));
            }
        }
        self.answers.retain(|_, a| !a.is_empty());
        if self.answers.is_empty() {
            return invalid("an entry needs an answer".into());
        }
        self.keywords
            .iter_mut()
            .for_each(|k| *k = k.trim().to_owned());
        self.keywords.retain(|k| !k.is_empty());
        if self.keywords.iter().any(|k| k.chars().count() > 64) {
            return invalid("keywords are at most 64 characters".into());
        }
        Ok(self)
    }
}

fn check_language(language: &str) -> Result<()> {
    let ok = (2..=12).contains(&language.len())
        && language
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "`{language}` is not a language tag like `en` or `zh-CN`"
        )))
    }
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqEntry {
    pub id: i64,
    #[serde(flatten)]
    pub entry: NewFaqEntry,
    pub updated_at: DateTime<Utc>,
}

impl FaqEntry {
    /// The answer in `language`, else in `fallback`, else the first.
    pub fn answer(&self, language: &str, fallback: &str) -> &str {
        let a = &self.entry.answers;
        a.get(language)
            .or_else(|| a.get(fallback))
            .or_else(|| a.values().next())
            .map_or("", String::as_str)
    }

    /// The entry's first question in `language` (else `fallback`, else any): a button label.
    pub fn title(&self, language: &str, fallback: &str) -> &str {
        let q = &self.entry.questions;
        q.get(language)
            .or_else(|| q.get(fallback))
            .or_else(|| q.values().next())
            .and_then(|v| v.first())
            .map_or("", String::as_str)
    }
}

/// A question the bot could not answer confidently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unanswered {
    pub id: i64,
    pub customer_id: Option<CustomerId>,
    pub language: String,
    pub question: String,
    /// The best candidate's id and confidence, if any came close.
    pub best_entry: Option<i64>,
    pub best_confidence: Option<i32>,
    pub at: DateTime<Utc>,
}

/// A question about to be recorded as unanswered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnanswered {
    pub customer_id: Option<CustomerId>,
    pub language: String,
    pub question: String,
    pub best_entry: Option<i64>,
    pub best_confidence: Option<i32>,
    pub at: DateTime<Utc>,
}

/// How customers rated one entry's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqRating {
    pub entry_id: i64,
    pub helpful: i64,
    pub not_helpful: i64,
}

/// FAQ entries and what customers made of them, outside a transaction.
#[async_trait]
pub trait FaqStore: Send + Sync {
    /// Every entry, by id.
    async fn faq_entries(&self) -> Result<Vec<FaqEntry>>;
    /// Changes whenever an entry is added, changed or removed (the index cache's key).
    async fn faq_revision(&self) -> Result<String>;
    /// Stores a new entry; `Conflict` if its key is taken.
    async fn create_faq_entry(&self, entry: &NewFaqEntry, at: DateTime<Utc>) -> Result<FaqEntry>;
    /// Replaces entry `id`; `None` if there is none; `Conflict` if the new key is taken.
    async fn update_faq_entry(
        &self,
        id: i64,
        entry: &NewFaqEntry,
        at: DateTime<Utc>,
    ) -> Result<Option<FaqEntry>>;
    /// Creates the entry or replaces the one with its key; whether it was created.
    async fn upsert_faq_entry(&self, entry: &NewFaqEntry, at: DateTime<Utc>) -> Result<bool>;
    async fn delete_faq_entry(&self, id: i64) -> Result<bool>;
    /// The newest unanswered questions, newest first.
    async fn unanswered_questions(&self, limit: i64) -> Result<Vec<Unanswered>>;
    /// The unanswered questions of one customer, oldest first (their data export).
    async fn customer_unanswered(&self, customer: CustomerId) -> Result<Vec<Unanswered>>;
    /// Ratings per entry, of the entries that have any.
    async fn faq_ratings(&self) -> Result<Vec<FaqRating>>;
}

/// FAQ writes made by the conversation.
#[async_trait]
pub trait FaqTx: Send {
    async fn record_unanswered(&mut self, question: &NewUnanswered) -> Result<i64>;
    async fn unanswered(&mut self, id: i64) -> Result<Option<Unanswered>>;
    /// Records a rating; a customer's second rating of the same entry replaces the first.
    async fn rate_faq_answer(
        &mut self,
        entry_id: i64,
        customer: CustomerId,
        helpful: bool,
        at: DateTime<Utc>,
    ) -> Result<()>;
}

/// The entries and their search index, as of one revision.
#[derive(Debug)]
pub struct Knowledge {
    pub entries: Vec<FaqEntry>,
    pub index: matcher::Index,
}

impl Knowledge {
    pub fn build(entries: Vec<FaqEntry>) -> Self {
        let index = matcher::Index::build(
            entries
                .iter()
                .map(|e| matcher::IndexedEntry {
                    id: e.id,
                    questions: e.entry.questions.values().flatten().cloned().collect(),
                    keywords: e.entry.keywords.clone(),
                })
                .collect(),
        );
        Knowledge { entries, index }
    }

    pub fn entry(&self, id: i64) -> Option<&FaqEntry> {
        self.entries
            .binary_search_by_key(&id, |e| e.id)
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The best matches for `question`, with their entries.
    pub fn search(&self, question: &str, limit: usize) -> Vec<(&FaqEntry, u16)> {
        self.index
            .search(question, limit)
            .into_iter()
            .filter_map(|m| self.entry(m.id).map(|e| (e, m.confidence)))
            .collect()
    }
}

/// The knowledge base built once per revision and shared by every conversation of the
/// process.
#[derive(Debug, Default)]
pub struct FaqCache {
    current: Mutex<Option<(String, Arc<Knowledge>)>>,
}

impl FaqCache {
    /// The knowledge as stored now: rebuilt only when the revision changed.
    pub async fn knowledge(&self, store: &dyn FaqStore) -> Result<Arc<Knowledge>> {
        let revision = store.faq_revision().await?;
        if let Some((cached, knowledge)) = self.lock().as_ref() {
            if *cached == revision {
                return Ok(knowledge.clone());
            }
        }
        let mut entries = store.faq_entries().await?;
        entries.sort_by_key(|e| e.id);
        let knowledge = Arc::new(Knowledge::build(entries));
        *self.lock() = Some((revision, knowledge.clone()));
        Ok(knowledge)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(String, Arc<Knowledge>)>> {
        // A panic while holding the lock leaves a whole value behind; keep using it.
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> NewFaqEntry {
        NewFaqEntry {
            key: "shipping-time".into(),
            topic: "orders".into(),
            questions: [(
                "en".to_string(),
                vec!["  How long does shipping take? ".to_string(), " ".into()],
            )]
            .into_iter()
            .collect(),
            answers: [("en".to_string(), "5-10 days".to_string())]
                .into_iter()
                .collect(),
            keywords: vec!["shipping".into(), "".into()],
        }
    }

    #[test]
    fn validation_trims_and_rejects() {
        let e = entry().validated().unwrap();
        assert_eq!(e.questions["en"], vec!["How long does shipping take?"]);
        assert_eq!(e.keywords, vec!["shipping"]);
        let mut bad = entry();
        bad.key = "has space".into();
        assert!(bad.validated().is_err());
        let mut bad = entry();
        bad.answers.clear();
        assert!(bad.validated().is_err());
        let mut bad = entry();
        bad.questions = [("EN!".to_string(), vec!["q".to_string()])]
            .into_iter()
            .collect();
        assert!(bad.validated().is_err());
        let mut bad = entry();
        bad.answers
            .insert("es".into(), "x".repeat(MAX_ANSWER_CHARS + 1));
        assert!(bad.validated().is_err());
    }

    #[test]
    fn answer_falls_back() {
        let e = FaqEntry {
            id: 1,
            entry: entry().validated().unwrap(),
            updated_at: Utc::now(),
        };
        assert_eq!(e.answer("zh", "es"), "5-10 days");
        assert_eq!(e.title("zh", "en"), "How long does shipping take?");
    }
}
