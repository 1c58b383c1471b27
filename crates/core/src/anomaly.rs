//! Anomaly alerts: once a day a job compares each group's activity and joins, and each
//! bot's paid orders and conversion, over the last seven days with the seven days before,
//! and looks at how many of the last day's messages failed to send. What moved beyond the
//! thresholds ([`AnomalyRules`]) is posted to the bot's staff chat in one message, and each
//! finding is recorded as an `anomaly_detected` event.
//!
//! The counts come from the events ([`AnalyticsStore::event_counts`]): `update_received`
//! per group chat (activity), `member_joined` (joins), `order_paid`, `conversation_started`
//! (conversion = paid orders per started conversation) and `message_sent` /
//! `message_failed`. A figure is only compared when its baseline is large enough to mean
//! something ([`AnomalyRules::min_baseline`]): a group going from 3 messages to 1 is not
//! news.

use crate::analytics::{AnalyticsStore, EventCount};
use crate::event::{kind, NewEvent};
use crate::outbox::{Action, NewOutbound};
use crate::staff::StaffChat;
use crate::store::Tx;
use crate::Result;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The daily job.
pub const CHECK_JOB: &str = "analytics.anomalies";

/// The event each finding is recorded as.
pub const DETECTED: &str = "anomaly_detected";

/// When a change is news.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnomalyRules {
    /// A drop of at least this share (percent) from the week before.
    pub drop_percent: u32,
    /// The week before must have had at least this many (updates, joins, orders,
    /// conversations) for a drop to count.
    pub min_baseline: i64,
    /// Alert when at least this share (percent) of the last day's sends failed...
    pub failed_sends_percent: u32,
    /// ...and at least this many failed.
    pub min_failed_sends: i64,
}

impl Default for AnomalyRules {
    fn default() -> Self {
        AnomalyRules {
            drop_percent: 30,
            min_baseline: 20,
            failed_sends_percent: 10,
            min_failed_sends: 5,
        }
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Updates from a group chat.
    ChatActivity,
    /// People joining a group chat.
    ChatJoins,
    /// Paid orders of a bot.
    PaidOrders,
    /// Paid orders per thousand started conversations.
    Conversion,
    /// Failed sends of the last day, per thousand attempted.
    FailedSends,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::ChatActivity => "chat_activity",
            Metric::ChatJoins => "chat_joins",
            Metric::PaidOrders => "paid_orders",
            Metric::Conversion => "conversion",
            Metric::FailedSends => "failed_sends",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    pub bot: String,
    /// The group, for the chat metrics.
    pub chat_id: Option<i64>,
    pub metric: Metric,
    /// This week's figure (per mille for the rates).
    pub current: i64,
    /// Last week's figure, or for failed sends the number of failed sends.
    pub baseline: i64,
}

impl Anomaly {
    /// The drop from the baseline, in whole percent (for the drops).
    pub fn drop_percent(&self) -> i64 {
        match self.baseline {
            0 => 0,
            b => (b - self.current) * 100 / b,
        }
    }
}

/// The counts a check compares.
#[derive(Debug, Clone, Default)]
pub struct Windows {
    /// The last seven days.
    pub current: Vec<EventCount>,
    /// The seven days before.
    pub baseline: Vec<EventCount>,
    /// The last day (sends).
    pub last_day: Vec<EventCount>,
}

/// The event kinds a check counts.
pub const COUNTED: &[&str] = &[
    kind::UPDATE_RECEIVED,
    "member_joined",
    kind::ORDER_PAID,
    kind::CONVERSATION_STARTED,
    kind::MESSAGE_SENT,
    kind::MESSAGE_FAILED,
];

/// Sums of `counts` by (bot, chat) for one kind.
fn by_chat(counts: &[EventCount], of: &str) -> BTreeMap<(String, i64), i64> {
    let mut sums = BTreeMap::new();
    for c in counts.iter().filter(|c| c.kind == of) {
        if let (Some(bot), Some(chat)) = (&c.bot, c.chat_id) {
            // Groups and channels only: a private chat is one customer, not a community.
            if chat < 0 {
                *sums.entry((bot.clone(), chat)).or_default() += c.count;
            }
        }
    }
    sums
}

/// Sums of `counts` by bot for one kind.
fn by_bot(counts: &[EventCount], of: &str) -> BTreeMap<String, i64> {
    let mut sums = BTreeMap::new();
    for c in counts.iter().filter(|c| c.kind == of) {
        if let Some(bot) = &c.bot {
            *sums.entry(bot.clone()).or_default() += c.count;
        }
    }
    sums
}

/// The findings of one check, in a stable order (bot, metric, chat).
pub fn detect(windows: &Windows, rules: &AnomalyRules) -> Vec<Anomaly> {
    let dropped = |current: i64, baseline: i64| {
        baseline >= rules.min_baseline
            && (baseline - current) * 100 >= baseline * i64::from(rules.drop_percent)
    };
    let mut found = Vec::new();
    for (metric, of) in [
        (Metric::ChatActivity, kind::UPDATE_RECEIVED),
        (Metric::ChatJoins, "member_joined"),
    ] {
        let current = by_chat(&windows.current, of);
        for ((bot, chat), baseline) in by_chat(&windows.baseline, of) {
            let now = current.get(&(bot.clone(), chat)).copied().unwrap_or(0);
            if dropped(now, baseline) {
                found.push(Anomaly {
                    bot,
                    chat_id: Some(chat),
                    metric,
                    current: now,
                    baseline,
                });
            }
        }
    }
    let paid_now = by_bot(&windows.current, kind::ORDER_PAID);
    let paid_before = by_bot(&windows.baseline, kind::ORDER_PAID);
    let started_now = by_bot(&windows.current, kind::CONVERSATION_STARTED);
    let started_before = by_bot(&windows.baseline, kind::CONVERSATION_STARTED);
    for (bot, baseline) in &paid_before {
        let now = paid_now.get(bot).copied().unwrap_or(0);
        if dropped(now, *baseline) {
            found.push(Anomaly {
                bot: bot.clone(),
                chat_id: None,
                metric: Metric::PaidOrders,
                current: now,
                baseline: *baseline,
            });
        }
    }
    for (bot, started) in &started_before {
        let started_now = started_now.get(bot).copied().unwrap_or(0);
        // A rate needs enough conversations in both weeks to be a rate.
        if *started < rules.min_baseline || started_now < rules.min_baseline {
            continue;
        }
        let before = paid_before.get(bot).copied().unwrap_or(0) * 1000 / started;
        let now = paid_now.get(bot).copied().unwrap_or(0) * 1000 / started_now;
        if before > 0 && (before - now) * 100 >= before * i64::from(rules.drop_percent) {
            found.push(Anomaly {
                bot: bot.clone(),
                chat_id: None,
                metric: Metric::Conversion,
                current: now,
                baseline: before,
            });
        }
    }
    let sent = by_bot(&windows.last_day, kind::MESSAGE_SENT);
    for (bot, failed) in by_bot(&windows.last_day, kind::MESSAGE_FAILED) {
        let attempted = failed + sent.get(&bot).copied().unwrap_or(0);
        if failed >= rules.min_failed_sends
            && failed * 100 >= attempted * i64::from(rules.failed_sends_percent)
        {
            found.push(Anomaly {
                bot,
                chat_id: None,
                metric: Metric::FailedSends,
                current: failed * 1000 / attempted.max(1),
                baseline: failed,
            });
        }
    }
    found.sort_by(|a, b| (&a.bot, a.metric, a.chat_id).cmp(&(&b.bot, b.metric, b.chat_id)));
    found
}

/// The job that runs the check at `at`.
pub fn check_job(at: DateTime<Utc>) -> crate::job::NewJob {
    crate::job::NewJob::new(CHECK_JOB, serde_json::json!({}), at).dedup_key(CHECK_JOB)
}

/// Counts the windows ending at `now`.
pub async fn windows(store: &dyn AnalyticsStore, now: DateTime<Utc>) -> Result<Windows> {
    let week = Duration::days(7);
    Ok(Windows {
        current: store.event_counts(COUNTED, now - week, now).await?,
        baseline: store
            .event_counts(COUNTED, now - week - week, now - week)
            .await?,
        last_day: store
            .event_counts(
                &[kind::MESSAGE_SENT, kind::MESSAGE_FAILED],
                now - Duration::days(1),
                now,
            )
            .await?,
    })
}

/// One staff message line for a finding, in the staff chat's language.
fn line(
    texts: &crate::i18n::Texts,
    language: &str,
    a: &Anomaly,
    titles: &HashMap<i64, String>,
) -> String {
    let current = a.current.to_string();
    let baseline = a.baseline.to_string();
    let drop = a.drop_percent().to_string();
    let chat = a
        .chat_id
        .map(|id| titles.get(&id).cloned().unwrap_or_else(|| id.to_string()))
        .unwrap_or_default();
    let rate = |per_mille: i64| format!("{}.{}%", per_mille / 10, per_mille % 10);
    match a.metric {
        Metric::ChatActivity | Metric::ChatJoins | Metric::PaidOrders => texts.get(
            language,
            match a.metric {
                Metric::ChatActivity => "anomaly-chat-activity",
                Metric::ChatJoins => "anomaly-chat-joins",
                _ => "anomaly-paid-orders",
            },
            &[
                ("chat", &chat),
                ("current", &current),
                ("baseline", &baseline),
                ("drop", &drop),
            ],
        ),
        Metric::Conversion => texts.get(
            language,
            "anomaly-conversion",
            &[
                ("current", &rate(a.current)),
                ("baseline", &rate(a.baseline)),
                ("drop", &drop),
            ],
        ),
        Metric::FailedSends => texts.get(
            language,
            "anomaly-failed-sends",
            &[("failed", &baseline), ("share", &rate(a.current))],
        ),
    }
}

/// Runs a check at `now`: tells each bot's staff chat what it found (bots without one only
/// get the events) and returns the findings.
pub async fn run_check(
    tx: &mut dyn Tx,
    store: &dyn crate::store::Store,
    texts: &crate::i18n::Texts,
    staff: &HashMap<String, StaffChat>,
    rules: &AnomalyRules,
    now: DateTime<Utc>,
) -> Result<Vec<Anomaly>> {
    let found = detect(&windows(store, now).await?, rules);
    let mut per_bot: BTreeMap<&str, Vec<&Anomaly>> = BTreeMap::new();
    for a in &found {
        per_bot.entry(a.bot.as_str()).or_default().push(a);
        let mut e = NewEvent::new(DETECTED, now)
            .bot(&a.bot)
            .data(serde_json::to_value(a).unwrap_or_default())
            .source(Some("job".into()));
        e.chat_id = a.chat_id;
        tx.append_event(&e).await?;
    }
    for (bot, findings) in per_bot {
        let Some(chat) = staff.get(bot) else { continue };
        let titles: HashMap<i64, String> = store
            .chats(bot)
            .await?
            .into_iter()
            .map(|c| (c.seen.chat_id, c.seen.title))
            .collect();
        let lines: Vec<String> = findings
            .iter()
            .map(|a| format!("• {}", line(texts, &chat.language, a, &titles)))
            .collect();
        let text = format!(
            "{}\n{}",
            texts.get(&chat.language, "anomaly-header", &[]),
            lines.join("\n")
        );
        tx.enqueue(&NewOutbound {
            bot: bot.to_owned(),
            chat_id: chat.chat_id,
            customer_id: None,
            action: Action::SendText {
                text,
                buttons: Vec::new(),
            },
            broadcast: false,
            not_before: now,
            created_at: now,
        })
        .await?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(kind: &str, bot: &str, chat: Option<i64>, n: i64) -> EventCount {
        EventCount {
            kind: kind.into(),
            bot: Some(bot.into()),
            chat_id: chat,
            count: n,
        }
    }

    #[test]
    fn a_drop_beyond_the_threshold_with_a_real_baseline_is_news() {
        let windows = Windows {
            baseline: vec![
                count(kind::UPDATE_RECEIVED, "main", Some(-100), 100),
                // Too small a baseline to mean anything.
                count(kind::UPDATE_RECEIVED, "main", Some(-200), 10),
                // A 29 % drop: under the threshold.
                count("member_joined", "main", Some(-100), 100),
                // A private chat is not a community.
                count(kind::UPDATE_RECEIVED, "main", Some(42), 500),
            ],
            current: vec![
                count(kind::UPDATE_RECEIVED, "main", Some(-100), 70),
                count(kind::UPDATE_RECEIVED, "main", Some(-200), 0),
                count("member_joined", "main", Some(-100), 71),
            ],
            last_day: Vec::new(),
        };
        let found = detect(&windows, &AnomalyRules::default());
        assert_eq!(
            found,
            [Anomaly {
                bot: "main".into(),
                chat_id: Some(-100),
                metric: Metric::ChatActivity,
                current: 70,
                baseline: 100,
            }]
        );
        assert_eq!(found[0].drop_percent(), 30);
    }

    #[test]
    fn a_chat_gone_silent_is_news() {
        let windows = Windows {
            baseline: vec![count(kind::UPDATE_RECEIVED, "main", Some(-100), 40)],
            ..Windows::default()
        };
        let found = detect(&windows, &AnomalyRules::default());
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].current, found[0].drop_percent()), (0, 100));
    }

    #[test]
    fn orders_and_conversion_per_bot() {
        let windows = Windows {
            baseline: vec![
                count(kind::ORDER_PAID, "main", None, 30),
                count(kind::CONVERSATION_STARTED, "main", Some(7), 100),
                count(kind::CONVERSATION_STARTED, "main", Some(8), 100),
                count(kind::ORDER_PAID, "vip", None, 25),
                count(kind::CONVERSATION_STARTED, "vip", None, 50),
            ],
            current: vec![
                count(kind::ORDER_PAID, "main", None, 20),
                count(kind::CONVERSATION_STARTED, "main", None, 200),
                // vip: as many orders from fewer conversations: conversion went up.
                count(kind::ORDER_PAID, "vip", None, 25),
                count(kind::CONVERSATION_STARTED, "vip", None, 25),
            ],
            last_day: Vec::new(),
        };
        let found = detect(&windows, &AnomalyRules::default());
        let summary: Vec<(&str, Metric, i64, i64)> = found
            .iter()
            .map(|a| (a.bot.as_str(), a.metric, a.current, a.baseline))
            .collect();
        // main: 30 → 20 orders (33 %), 150 → 100 per mille (33 %).
        assert_eq!(
            summary,
            [
                ("main", Metric::PaidOrders, 20, 30),
                ("main", Metric::Conversion, 100, 150)
            ]
        );
    }

    #[test]
    fn failing_sends_of_the_last_day() {
        let rules = AnomalyRules::default();
        let failing = Windows {
            last_day: vec![
                count(kind::MESSAGE_SENT, "main", Some(1), 40),
                count(kind::MESSAGE_FAILED, "main", Some(1), 6),
                count(kind::MESSAGE_FAILED, "main", Some(2), 4),
                // Few failures: not news even at 100 %.
                count(kind::MESSAGE_FAILED, "vip", Some(3), 4),
            ],
            ..Windows::default()
        };
        let found = detect(&failing, &rules);
        assert_eq!(
            found,
            [Anomaly {
                bot: "main".into(),
                chat_id: None,
                metric: Metric::FailedSends,
                current: 200,
                baseline: 10,
            }]
        );
        let fine = Windows {
            last_day: vec![
                count(kind::MESSAGE_SENT, "main", None, 1000),
                count(kind::MESSAGE_FAILED, "main", None, 50),
            ],
            ..Windows::default()
        };
        assert!(detect(&fine, &rules).is_empty());
    }
}
