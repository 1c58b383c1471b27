//! Rule-based tags: a tag rule gives its tag to every customer its segment rule
//! ([`crate::segment`]) matches and takes it back when they stop matching.
//!
//! How it runs:
//! - A rule's tags are kept apart from the tags staff set by hand (one row per customer and
//!   rule in the store), and segment rules see both ([`crate::segment::scan`] adds them to
//!   each row). A rule only ever removes a tag it added itself, so a manual tag of the same
//!   name stays whatever the rule decides; two rules with the same tag keep theirs apart too.
//! - Every tag a rule adds or removes is a [`TAG_ADDED`] / [`TAG_REMOVED`] event (data: the
//!   tag and the rule's id), written in the transaction that changes the tag.
//! - On a schedule: the [`EVALUATE_JOB`] evaluates every rule over all customers in one scan
//!   and reschedules itself [`EVALUATE_EVERY`] later; its reads happen before its
//!   transaction ([`plan`]), so a long scan holds no write lock, and its writes ([`apply`])
//!   only change what still differs. The same job with a rule id in its payload evaluates
//!   that rule at once (after it is created or changed). A disabled rule matches nobody: its
//!   tags are removed by its next evaluation.
//! - On events: the [`FOLLOW_JOB`] tails the events table with a cursor in its payload
//!   (like [`crate::webhook::dispatch`]), and re-evaluates the enabled rules for the
//!   customers the new events name, a few seconds after they happen (while no rule is
//!   enabled it only moves its cursor, every [`FOLLOW_IDLE`]). Bot messages sent to
//!   a customer (`message_sent`, `message_failed`) do not count as their doing unless a
//!   rule counts those events.
//! - Rules are evaluated independently, each over the tags as they were when the run began:
//!   a rule that looks at another rule's tag sees its change on the next run.

use crate::crm::ProfileChange;
use crate::customer::CustomerId;
use crate::event::NewEvent;
use crate::job::NewJob;
use crate::segment::{self, Facts, Rule};
use crate::store::{Store, Tx};
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

/// Evaluates the tag rules over all customers (or one rule, with `rule` in the payload).
pub const EVALUATE_JOB: &str = "tag_rules.evaluate";
/// Re-evaluates the tag rules for the customers named in new events.
pub const FOLLOW_JOB: &str = "tag_rules.follow";
/// The event of a tag a rule gave.
pub const TAG_ADDED: &str = "tag_added";
/// The event of a tag a rule took back.
pub const TAG_REMOVED: &str = "tag_removed";
/// The `source` of the tag events.
pub const EVENT_SOURCE: &str = "tag_rule";

/// Time between scheduled evaluations of every rule.
pub const EVALUATE_EVERY: Duration = Duration::hours(1);
/// Events younger than this wait for the next follow run (a transaction committing late
/// cannot be passed over).
pub const FOLLOW_LAG: Duration = Duration::seconds(5);
/// Time between follow runs.
pub const FOLLOW_EVERY: Duration = Duration::seconds(3);
/// Time between follow runs while there is no enabled rule.
pub const FOLLOW_IDLE: Duration = Duration::seconds(30);
/// Events read per follow run.
const FOLLOW_BATCH: i64 = 500;
/// Customers' tags written per store call.
const WRITE_CHUNK: usize = 1_000;
/// Event kinds the bot causes rather than the customer: they trigger no re-evaluation
/// unless a rule counts them.
const QUIET_KINDS: [&str; 2] = [
    crate::event::kind::MESSAGE_SENT,
    crate::event::kind::MESSAGE_FAILED,
];

/// The store's id of a tag rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TagRuleId(pub i64);

/// A tag rule as staff write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRuleDraft {
    /// The tag it gives (normalized like staff's tags: trimmed and lower-cased).
    pub tag: String,
    /// A segment rule.
    pub rule: String,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

impl TagRuleDraft {
    /// Checks the draft and normalizes its tag, all problems at once: the tag follows the
    /// rules of tags staff set ([`ProfileChange::validated`]); the rule must parse (the
    /// error says at which character).
    pub fn validated(mut self) -> std::result::Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let change = ProfileChange {
            tags: Some(vec![self.tag.clone()]),
            ..ProfileChange::default()
        };
        match change.validated() {
            Ok(change) => {
                self.tag = change
                    .tags
                    .and_then(|t| t.into_iter().next())
                    .unwrap_or_default();
            }
            Err(_) => errors.push(FieldError::new(
                "tag",
                "must be 1-40 characters, without spaces, commas or quotes",
            )),
        }
        if let Err(e) = Rule::parse(&self.rule) {
            errors.push(FieldError::new("rule", e.to_string()));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// A stored tag rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagRule {
    pub id: TagRuleId,
    pub tag: String,
    pub rule: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Tag rules and the tags they gave, outside any transaction.
#[async_trait]
pub trait TagRuleStore: Send + Sync {
    async fn tag_rule(&self, id: TagRuleId) -> Result<Option<TagRule>>;

    /// Every rule, by id.
    async fn tag_rules(&self) -> Result<Vec<TagRule>>;

    /// The tags rules gave the customers with ids in `first..=last` (a tag two rules gave
    /// appears twice).
    async fn rule_tags_between(
        &self,
        first: CustomerId,
        last: CustomerId,
    ) -> Result<Vec<(CustomerId, String)>>;

    /// The customers rule `id` has given its tag, by id.
    async fn rule_tagged(&self, id: TagRuleId) -> Result<Vec<CustomerId>>;
}

/// Tag rule writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait TagRuleTx: Send {
    async fn create_tag_rule(&mut self, draft: &TagRuleDraft, at: DateTime<Utc>)
        -> Result<TagRule>;

    /// `None` if unknown.
    async fn update_tag_rule(
        &mut self,
        id: TagRuleId,
        draft: &TagRuleDraft,
        at: DateTime<Utc>,
    ) -> Result<Option<TagRule>>;

    /// Deletes the rule (its tags must have been removed); `false` if unknown.
    async fn delete_tag_rule(&mut self, id: TagRuleId) -> Result<bool>;

    /// Gives `tag` to `customers` on behalf of rule `id`; returns those who did not have
    /// it from this rule before.
    async fn add_rule_tags(
        &mut self,
        id: TagRuleId,
        tag: &str,
        customers: &[CustomerId],
        at: DateTime<Utc>,
    ) -> Result<Vec<CustomerId>>;

    /// Takes rule `id`'s tag from `customers` (`None`: from everyone who has it); returns
    /// those who had it, with the tag.
    async fn remove_rule_tags(
        &mut self,
        id: TagRuleId,
        customers: Option<&[CustomerId]>,
    ) -> Result<Vec<(CustomerId, String)>>;
}

// --- staff's use cases ---

/// Creates a rule and schedules its first evaluation.
pub async fn create(store: &dyn Store, draft: TagRuleDraft, at: DateTime<Utc>) -> Result<TagRule> {
    let draft = draft.validated().map_err(Error::Fields)?;
    let mut tx = store.begin().await?;
    let rule = tx.create_tag_rule(&draft, at).await?;
    tx.schedule_job(&evaluate_rule_job(rule.id, at)).await?;
    tx.commit().await?;
    Ok(rule)
}

/// Changes a rule and schedules its evaluation. A new tag takes the old one from everyone
/// the rule gave it to (the evaluation gives the new one).
pub async fn update(
    store: &dyn Store,
    id: TagRuleId,
    draft: TagRuleDraft,
    at: DateTime<Utc>,
) -> Result<TagRule> {
    let draft = draft.validated().map_err(Error::Fields)?;
    let not_found = || Error::NotFound(format!("tag rule {}", id.0));
    let before = store.tag_rule(id).await?.ok_or_else(not_found)?;
    let mut tx = store.begin().await?;
    let rule = tx
        .update_tag_rule(id, &draft, at)
        .await?
        .ok_or_else(not_found)?;
    if rule.tag != before.tag {
        let removed = tx.remove_rule_tags(id, None).await?;
        removed_events(tx.as_mut(), id, &removed, at).await?;
    }
    tx.schedule_job(&evaluate_rule_job(id, at)).await?;
    tx.commit().await?;
    Ok(rule)
}

/// Deletes a rule and takes its tag from everyone it gave it to.
pub async fn delete(store: &dyn Store, id: TagRuleId, at: DateTime<Utc>) -> Result<()> {
    let mut tx = store.begin().await?;
    let removed = tx.remove_rule_tags(id, None).await?;
    removed_events(tx.as_mut(), id, &removed, at).await?;
    if !tx.delete_tag_rule(id).await? {
        return Err(Error::NotFound(format!("tag rule {}", id.0)));
    }
    tx.commit().await
}

fn tag_event(
    kind: &str,
    id: TagRuleId,
    customer: CustomerId,
    tag: &str,
    at: DateTime<Utc>,
) -> NewEvent {
    NewEvent::new(kind, at)
        .customer(customer)
        .source(Some(EVENT_SOURCE.to_owned()))
        .data(json!({ "tag": tag, "rule": id.0 }))
}

async fn removed_events(
    tx: &mut dyn Tx,
    id: TagRuleId,
    removed: &[(CustomerId, String)],
    at: DateTime<Utc>,
) -> Result<()> {
    for (customer, tag) in removed {
        tx.append_event(&tag_event(TAG_REMOVED, id, *customer, tag, at))
            .await?;
    }
    Ok(())
}

// --- evaluation ---

/// The scheduled evaluation of every rule at `at` (deduplicated: one waits at a time).
pub fn evaluate_job(at: DateTime<Utc>) -> NewJob {
    NewJob::new(EVALUATE_JOB, json!({}), at).dedup_key("tag_rules:evaluate")
}

/// The evaluation of one rule at `at`, after it was created or changed.
pub fn evaluate_rule_job(id: TagRuleId, at: DateTime<Utc>) -> NewJob {
    NewJob::new(EVALUATE_JOB, json!({ "rule": id.0 }), at)
        .dedup_key(format!("tag_rules:evaluate:{}", id.0))
}

/// The rule an evaluation job is about; `None` for the scheduled run of every rule.
pub fn job_rule(payload: &serde_json::Value) -> Option<TagRuleId> {
    payload["rule"].as_i64().map(TagRuleId)
}

/// What one rule changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleChanges {
    pub rule: TagRuleId,
    pub tag: String,
    /// Customers to give the tag, by id.
    pub add: Vec<CustomerId>,
    /// Customers to take it from, by id.
    pub remove: Vec<CustomerId>,
}

/// What an evaluation changes, rule by rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub rules: Vec<RuleChanges>,
}

/// How many tags an evaluation added and removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub added: usize,
    pub removed: usize,
}

/// The rule's parsed text if it is enabled; a stored rule that no longer parses (the
/// language changed) matches nobody.
fn enabled_rule(rule: &TagRule) -> Option<Rule> {
    if !rule.enabled {
        return None;
    }
    match Rule::parse(&rule.rule) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            tracing::warn!(rule = rule.id.0, error = %e, "a stored tag rule does not parse");
            None
        }
    }
}

/// Reads what evaluating the rules (only `only`, if given) at `now` would change: one scan
/// over all customers for all of them. The tags each rule gave are read before the scan,
/// so a tag given meanwhile (by the follow job) is not taken back.
pub async fn plan(store: &dyn Store, only: Option<TagRuleId>, now: DateTime<Utc>) -> Result<Plan> {
    let rules: Vec<TagRule> = store
        .tag_rules()
        .await?
        .into_iter()
        .filter(|r| only.is_none_or(|id| r.id == id))
        .collect();
    let mut tagged = Vec::with_capacity(rules.len());
    for rule in &rules {
        tagged.push(store.rule_tagged(rule.id).await?);
    }
    let parsed: Vec<(usize, Rule)> = rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| enabled_rule(r).map(|p| (i, p)))
        .collect();
    let refs: Vec<&Rule> = parsed.iter().map(|(_, r)| r).collect();
    let mut matched: Vec<Vec<CustomerId>> = vec![Vec::new(); rules.len()];
    segment::scan_all(store, &refs, now, |k, row| {
        matched[parsed[k].0].push(row.customer);
    })
    .await?;
    let changes = rules
        .iter()
        .zip(tagged)
        .zip(matched)
        .map(|((rule, tagged), matched)| {
            // Both are in id order.
            let tagged: BTreeSet<CustomerId> = tagged.into_iter().collect();
            let matched: BTreeSet<CustomerId> = matched.into_iter().collect();
            RuleChanges {
                rule: rule.id,
                tag: rule.tag.clone(),
                add: matched.difference(&tagged).copied().collect(),
                remove: tagged.difference(&matched).copied().collect(),
            }
        })
        .filter(|c| !c.add.is_empty() || !c.remove.is_empty())
        .collect();
    Ok(Plan { rules: changes })
}

/// Writes `plan` in `tx` with an event per tag that changed; a customer whose tag already
/// is as planned (changed meanwhile) is left alone and gets no event.
pub async fn apply(tx: &mut dyn Tx, plan: &Plan, at: DateTime<Utc>) -> Result<Applied> {
    let mut applied = Applied::default();
    for change in &plan.rules {
        for chunk in change.add.chunks(WRITE_CHUNK) {
            let added = tx
                .add_rule_tags(change.rule, &change.tag, chunk, at)
                .await?;
            for customer in &added {
                tx.append_event(&tag_event(
                    TAG_ADDED,
                    change.rule,
                    *customer,
                    &change.tag,
                    at,
                ))
                .await?;
            }
            applied.added += added.len();
        }
        for chunk in change.remove.chunks(WRITE_CHUNK) {
            let removed = tx.remove_rule_tags(change.rule, Some(chunk)).await?;
            removed_events(tx, change.rule, &removed, at).await?;
            applied.removed += removed.len();
        }
    }
    Ok(applied)
}

/// The follow job reading events after `after`, at `at` (deduplicated: one at a time).
pub fn follow_job(after: i64, at: DateTime<Utc>) -> NewJob {
    NewJob::new(FOLLOW_JOB, json!({ "after": after }), at).dedup_key("tag_rules:follow")
}

/// One follow step: re-evaluates the enabled rules for the customers named in the events
/// after the job's cursor (at least [`FOLLOW_LAG`] old), writes the changes in `tx` and
/// schedules the next step there.
pub async fn follow(
    tx: &mut dyn Tx,
    store: &dyn Store,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Applied> {
    let after = payload["after"]
        .as_i64()
        .ok_or_else(|| Error::Invalid("follow job without a cursor".into()))?;
    let rules: Vec<(TagRule, Rule)> = store
        .tag_rules()
        .await?
        .into_iter()
        .filter_map(|r| enabled_rule(&r).map(|p| (r, p)))
        .collect();
    if rules.is_empty() {
        // Nothing to keep up to date: skip to the newest event (a rule created later is
        // evaluated over everyone anyway, and the events after this jump are followed).
        let newest = store.recent_events(None, 1).await?;
        let cursor = newest.first().map_or(after, |e| e.id.max(after));
        tx.schedule_job(&follow_job(cursor, now + FOLLOW_IDLE))
            .await?;
        return Ok(Applied::default());
    }
    let events = store
        .events_after(after, now - FOLLOW_LAG, FOLLOW_BATCH)
        .await?;
    let counted: Vec<String> = rules
        .iter()
        .flat_map(|(_, r)| r.history_terms())
        .filter_map(|t| match t.counted {
            segment::Counted::Events(kind) => Some(kind),
            segment::Counted::PaidOrders => None,
        })
        .collect();
    let mut cursor = after;
    let mut customers = BTreeSet::new();
    for event in &events {
        cursor = cursor.max(event.id);
        let kind = event.event.kind.as_str();
        if QUIET_KINDS.contains(&kind) && !counted.iter().any(|k| k == kind) {
            continue;
        }
        if let Some(customer) = event.event.customer_id {
            customers.insert(customer);
        }
    }
    let applied = if customers.is_empty() {
        Applied::default()
    } else {
        let customers: Vec<CustomerId> = customers.into_iter().collect();
        let changes = evaluate_for(store, &rules, &customers, now).await?;
        apply(tx, &changes, now).await?
    };
    // A full batch means more are waiting: go on at once.
    let next = if events.len() as i64 >= FOLLOW_BATCH {
        now
    } else {
        now + FOLLOW_EVERY
    };
    tx.schedule_job(&follow_job(cursor, next)).await?;
    Ok(applied)
}

/// What `rules` change for `customers` at `now`: each matching customer is to have the
/// rule's tag and each other one not ([`apply`] writes only what differs).
async fn evaluate_for(
    store: &dyn Store,
    rules: &[(TagRule, Rule)],
    customers: &[CustomerId],
    now: DateTime<Utc>,
) -> Result<Plan> {
    let refs: Vec<&Rule> = rules.iter().map(|(_, r)| r).collect();
    let mut facts = Facts::load(store, &refs, now, Some(customers)).await?;
    let rows = segment::rows_of(store, customers).await?;
    let mut changes: HashMap<TagRuleId, RuleChanges> = HashMap::new();
    for row in &rows {
        facts.load_tiers(store, row.customer, row.customer).await?;
        for (rule, parsed) in rules {
            let change = changes.entry(rule.id).or_insert_with(|| RuleChanges {
                rule: rule.id,
                tag: rule.tag.clone(),
                add: Vec::new(),
                remove: Vec::new(),
            });
            if parsed.matches_with(row, now, &facts) {
                change.add.push(row.customer);
            } else {
                change.remove.push(row.customer);
            }
        }
    }
    let mut rules: Vec<RuleChanges> = changes.into_values().collect();
    rules.sort_by_key(|c| c.rule);
    Ok(Plan { rules })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(tag: &str, rule: &str) -> TagRuleDraft {
        TagRuleDraft {
            tag: tag.into(),
            rule: rule.into(),
            enabled: true,
        }
    }

    #[test]
    fn drafts_are_normalized_and_checked() {
        let ok = draft(
            " Baby-Fan ",
            "events(product_viewed, 30, category = baby) >= 5",
        )
        .validated()
        .unwrap();
        assert_eq!(ok.tag, "baby-fan");
        let errors = draft("two words", "events(product_viewed, 30, colour = red)")
            .validated()
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["tag", "rule"]);
        assert!(
            errors[1]
                .message
                .starts_with("at character 28: unknown filter `colour`"),
            "{}",
            errors[1].message
        );
        for bad in ["", &"x".repeat(41), "a,b", "\"q\""] {
            assert!(draft(bad, "").validated().is_err(), "{bad:?}");
        }
        assert!(draft(&"x".repeat(40), "").validated().is_ok());
    }

    #[test]
    fn evaluation_jobs_are_one_per_rule_and_one_for_all() {
        let at = Utc::now();
        assert_eq!(job_rule(&evaluate_job(at).payload), None);
        let job = evaluate_rule_job(TagRuleId(7), at);
        assert_eq!(job_rule(&job.payload), Some(TagRuleId(7)));
        assert_ne!(job.dedup_key, evaluate_job(at).dedup_key);
    }
}
