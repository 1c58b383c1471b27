//! Segments: saved rules that pick customers, in a small rule language, and the one place
//! that narrows an audience to the people marketing may reach.
//!
//! # The rule language
//!
//! A rule compares fields of a customer's profile, joined with `and`, `or`, `not` and
//! parentheses (`and` binds tighter than `or`; keywords are case-insensitive):
//!
//! ```text
//! language = es and stage in (active, loyal) and days_since_order >= 30
//! tag = vip or (country in (ID, MY) and orders >= 2)
//! not marketing
//! ```
//!
//! | field | kind | meaning |
//! |---|---|---|
//! | `language` | text | the bot's language for them, else their Telegram's (`es`, `zh-CN`) |
//! | `country`, `time_zone` | text | as on the profile (`ID`, `Asia/Jakarta`) |
//! | `stage` | text | lifecycle stage: `new`, `potential`, `active`, `loyal`, `lapsed`, `churned` |
//! | `source`, `bot` | text | first deep-link source; the bot they first talked to |
//! | `tag` | text | `tag = vip`: has the tag; `tag != vip`: has not |
//! | `orders` | number | paid orders ever |
//! | `r`, `f`, `m` | number | RFM scores 1-5 (0 without an order in the last year) |
//! | `days_since_order` | number | days since the last paid order |
//! | `days_since_seen`, `days_since_joined` | number | days since the last / first interaction |
//! | `marketing`, `blocked` | yes/no | marketing consent; has blocked the bot |
//!
//! Operators: `=`, `!=`, `<`, `<=`, `>`, `>=` and `in (…)`, `not in (…)`. Values are bare
//! words, numbers, or double-quoted strings (`"Asia/Ho_Chi_Minh"`); text compares without
//! regard to case. A field a customer has no value for (no language, never ordered) makes
//! every comparison false except `!=` and `not in`; a bare yes/no field (`marketing`) means
//! `marketing = yes`.

use crate::crm::{SegmentRow, Stage};
use crate::customer::CustomerId;
use crate::store::Store;
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A parsed rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Everyone (the empty rule).
    All,
    Compare(Field, Op, Value),
    In(Field, Vec<Value>, bool),
    Not(Box<Rule>),
    And(Vec<Rule>),
    Or(Vec<Rule>),
}

/// What a rule can look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Language,
    Country,
    TimeZone,
    Stage,
    Source,
    Bot,
    Tag,
    Orders,
    R,
    F,
    M,
    DaysSinceOrder,
    DaysSinceSeen,
    DaysSinceJoined,
    Marketing,
    Blocked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    YesNo,
}

impl Field {
    const ALL: [(&'static str, Field); 16] = [
        ("language", Field::Language),
        ("country", Field::Country),
        ("time_zone", Field::TimeZone),
        ("stage", Field::Stage),
        ("source", Field::Source),
        ("bot", Field::Bot),
        ("tag", Field::Tag),
        ("orders", Field::Orders),
        ("r", Field::R),
        ("f", Field::F),
        ("m", Field::M),
        ("days_since_order", Field::DaysSinceOrder),
        ("days_since_seen", Field::DaysSinceSeen),
        ("days_since_joined", Field::DaysSinceJoined),
        ("marketing", Field::Marketing),
        ("blocked", Field::Blocked),
    ];

    fn parse(name: &str) -> Option<Field> {
        let name = name.to_ascii_lowercase();
        Field::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, field)| *field)
    }

    fn kind(self) -> Kind {
        match self {
            Field::Language
            | Field::Country
            | Field::TimeZone
            | Field::Stage
            | Field::Source
            | Field::Bot
            | Field::Tag => Kind::Text,
            Field::Orders
            | Field::R
            | Field::F
            | Field::M
            | Field::DaysSinceOrder
            | Field::DaysSinceSeen
            | Field::DaysSinceJoined => Kind::Number,
            Field::Marketing | Field::Blocked => Kind::YesNo,
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A value in a rule, already checked against its field's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Lower-cased.
    Text(String),
    Number(i64),
    YesNo(bool),
}

/// Why a rule does not parse: the message and the character offset it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub at: usize,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.at + 1, self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Op(Op),
    Open,
    Close,
    Comma,
}

/// Longest rule accepted, in characters.
pub const MAX_RULE_CHARS: usize = 2000;

fn tokenize(rule: &str) -> std::result::Result<Vec<(usize, Token)>, RuleError> {
    let chars: Vec<char> = rule.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let err = |at, message: &str| RuleError {
        at,
        message: message.to_owned(),
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push((start, Token::Open));
                i += 1;
            }
            ')' => {
                tokens.push((start, Token::Close));
                i += 1;
            }
            ',' => {
                tokens.push((start, Token::Comma));
                i += 1;
            }
            '=' => {
                tokens.push((start, Token::Op(Op::Eq)));
                i += 1;
            }
            '!' | '<' | '>' => {
                let next_eq = chars.get(i + 1) == Some(&'=');
                let op = match (c, next_eq) {
                    ('!', true) => Op::Ne,
                    ('<', true) => Op::Le,
                    ('>', true) => Op::Ge,
                    ('<', false) => Op::Lt,
                    ('>', false) => Op::Gt,
                    _ => return Err(err(start, "`!` must be followed by `=`")),
                };
                tokens.push((start, Token::Op(op)));
                i += if next_eq { 2 } else { 1 };
            }
            '"' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(err(start, "unclosed quote")),
                        Some('"') => break,
                        Some('\\') if chars.get(i + 1).is_some() => {
                            text.push(chars[i + 1]);
                            i += 2;
                        }
                        Some(&c) => {
                            text.push(c);
                            i += 1;
                        }
                    }
                }
                i += 1;
                tokens.push((start, Token::Quoted(text)));
            }
            c if c.is_alphanumeric() || "_-./+:@".contains(c) => {
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || "_-./+:@".contains(chars[i]))
                {
                    i += 1;
                }
                tokens.push((start, Token::Word(chars[start..i].iter().collect())));
            }
            _ => return Err(err(start, &format!("unexpected `{c}`"))),
        }
    }
    Ok(tokens)
}

/// Most parentheses and `not`s one inside another: the parser (and evaluation) recurse once
/// per level, and a rule of only `(`s must fail, not exhaust a worker thread's stack.
const MAX_NESTING: usize = 256;

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    end: usize,
    /// Parentheses and `not`s open around the current position.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |(at, _)| *at)
    }

    fn fail<T>(&self, message: impl Into<String>) -> std::result::Result<T, RuleError> {
        Err(RuleError {
            at: self.at(),
            message: message.into(),
        })
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> std::result::Result<Rule, RuleError> {
        let mut terms = vec![self.and()?];
        while self.keyword("or") {
            self.pos += 1;
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Rule::Or(terms)
        })
    }

    fn and(&mut self) -> std::result::Result<Rule, RuleError> {
        let mut factors = vec![self.factor()?];
        while self.keyword("and") {
            self.pos += 1;
            factors.push(self.factor()?);
        }
        Ok(if factors.len() == 1 {
            factors.remove(0)
        } else {
            Rule::And(factors)
        })
    }

    fn factor(&mut self) -> std::result::Result<Rule, RuleError> {
        let nests = self.keyword("not") || self.peek() == Some(&Token::Open);
        if nests && self.depth >= MAX_NESTING {
            return self.fail(format!(
                "at most {MAX_NESTING} parentheses and `not`s inside one another"
            ));
        }
        if self.keyword("not") {
            self.pos += 1;
            self.depth += 1;
            let inner = self.factor();
            self.depth -= 1;
            return Ok(Rule::Not(Box::new(inner?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            self.depth += 1;
            let inner = self.or();
            self.depth -= 1;
            let inner = inner?;
            if self.peek() != Some(&Token::Close) {
                return self.fail("expected `)`");
            }
            self.pos += 1;
            return Ok(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> std::result::Result<Rule, RuleError> {
        let Some(Token::Word(name)) = self.peek().cloned() else {
            return self.fail("expected a field name");
        };
        let Some(field) = Field::parse(&name) else {
            let known: Vec<&str> = Field::ALL.iter().map(|(n, _)| *n).collect();
            return self.fail(format!(
                "unknown field `{name}` (fields: {})",
                known.join(", ")
            ));
        };
        self.pos += 1;
        let negated_in = if self.keyword("not") {
            self.pos += 1;
            if !self.keyword("in") {
                return self.fail("expected `in` after `not`");
            }
            true
        } else {
            false
        };
        if self.keyword("in") {
            self.pos += 1;
            if self.peek() != Some(&Token::Open) {
                return self.fail("expected `(` after `in`");
            }
            self.pos += 1;
            let mut values = vec![self.value(field)?];
            while self.peek() == Some(&Token::Comma) {
                self.pos += 1;
                values.push(self.value(field)?);
            }
            if self.peek() != Some(&Token::Close) {
                return self.fail("expected `,` or `)`");
            }
            self.pos += 1;
            return Ok(Rule::In(field, values, !negated_in));
        }
        match self.peek().cloned() {
            Some(Token::Op(op)) => {
                if field.kind() != Kind::Number && !matches!(op, Op::Eq | Op::Ne) {
                    return self.fail(format!("`{name}` can only be compared with = or !="));
                }
                self.pos += 1;
                let value = self.value(field)?;
                Ok(Rule::Compare(field, op, value))
            }
            _ if field.kind() == Kind::YesNo => {
                Ok(Rule::Compare(field, Op::Eq, Value::YesNo(true)))
            }
            _ => self.fail(format!("expected an operator after `{name}`")),
        }
    }

    fn value(&mut self, field: Field) -> std::result::Result<Value, RuleError> {
        let text = match self.peek() {
            Some(Token::Word(w)) | Some(Token::Quoted(w)) => w.clone(),
            _ => return self.fail("expected a value"),
        };
        let value = match field.kind() {
            Kind::Text => {
                let lower = text.to_lowercase();
                if field == Field::Stage && Stage::parse(&lower).is_none() {
                    return self.fail(format!(
                        "unknown stage `{text}` (stages: new, potential, active, loyal, lapsed, churned)"
                    ));
                }
                Value::Text(lower)
            }
            Kind::Number => match text.parse::<i64>() {
                Ok(n) => Value::Number(n),
                Err(_) => return self.fail(format!("`{text}` is not a whole number")),
            },
            Kind::YesNo => match text.to_ascii_lowercase().as_str() {
                "yes" | "true" => Value::YesNo(true),
                "no" | "false" => Value::YesNo(false),
                _ => return self.fail(format!("`{text}` is not yes or no")),
            },
        };
        self.pos += 1;
        Ok(value)
    }
}

impl Rule {
    /// Parses a rule; an empty rule is everyone.
    pub fn parse(rule: &str) -> std::result::Result<Rule, RuleError> {
        if rule.chars().count() > MAX_RULE_CHARS {
            return Err(RuleError {
                at: MAX_RULE_CHARS,
                message: format!("a rule may be at most {MAX_RULE_CHARS} characters"),
            });
        }
        let tokens = tokenize(rule)?;
        if tokens.is_empty() {
            return Ok(Rule::All);
        }
        let mut parser = Parser {
            tokens,
            pos: 0,
            end: rule.chars().count(),
            depth: 0,
        };
        let parsed = parser.or()?;
        if parser.pos < parser.tokens.len() {
            return parser.fail("expected `and`, `or` or the end of the rule");
        }
        Ok(parsed)
    }

    /// Whether the customer matches at `now`.
    pub fn matches(&self, row: &SegmentRow, now: DateTime<Utc>) -> bool {
        match self {
            Rule::All => true,
            Rule::Not(inner) => !inner.matches(row, now),
            Rule::And(rules) => rules.iter().all(|r| r.matches(row, now)),
            Rule::Or(rules) => rules.iter().any(|r| r.matches(row, now)),
            Rule::Compare(field, op, value) => compare(row, *field, *op, value, now),
            Rule::In(field, values, positive) => {
                let any = values.iter().any(|v| compare(row, *field, Op::Eq, v, now));
                any == *positive
            }
        }
    }
}

fn days(now: DateTime<Utc>, t: DateTime<Utc>) -> i64 {
    (now - t).num_days()
}

fn compare(row: &SegmentRow, field: Field, op: Op, value: &Value, now: DateTime<Utc>) -> bool {
    let text = |v: Option<&str>| -> bool {
        let Value::Text(wanted) = value else {
            return false;
        };
        match v {
            None => op == Op::Ne,
            Some(v) => (v.to_lowercase() == *wanted) == (op == Op::Eq),
        }
    };
    let number = |v: Option<i64>| -> bool {
        let (Value::Number(wanted), Some(v)) = (value, v) else {
            return op == Op::Ne;
        };
        match op {
            Op::Eq => v == *wanted,
            Op::Ne => v != *wanted,
            Op::Lt => v < *wanted,
            Op::Le => v <= *wanted,
            Op::Gt => v > *wanted,
            Op::Ge => v >= *wanted,
        }
    };
    let yes_no = |v: bool| -> bool {
        let Value::YesNo(wanted) = value else {
            return false;
        };
        (v == *wanted) == (op == Op::Eq)
    };
    let score = |pick: fn(&crate::crm::Rfm) -> u8| i64::from(row.rfm.as_ref().map_or(0, pick));
    match field {
        Field::Language => text(row.language.as_deref()),
        Field::Country => text(row.country.as_deref()),
        Field::TimeZone => text(row.time_zone.as_deref()),
        Field::Stage => text(Some(row.stage.as_str())),
        Field::Source => text(row.first_source.as_deref()),
        Field::Bot => text(Some(&row.first_bot)),
        Field::Tag => {
            let Value::Text(wanted) = value else {
                return false;
            };
            row.tags.iter().any(|t| t == wanted) == (op == Op::Eq)
        }
        Field::Orders => number(Some(row.orders_paid)),
        Field::R => number(Some(score(|s| s.r))),
        Field::F => number(Some(score(|s| s.f))),
        Field::M => number(Some(score(|s| s.m))),
        Field::DaysSinceOrder => number(row.last_order_at.map(|t| days(now, t))),
        Field::DaysSinceSeen => number(Some(days(now, row.last_seen_at))),
        Field::DaysSinceJoined => number(Some(days(now, row.first_seen_at))),
        Field::Marketing => yes_no(row.marketing),
        Field::Blocked => yes_no(row.blocked),
    }
}

/// Whether marketing may reach this customer: they consented to it and have not blocked
/// the bot. Every marketing audience goes through here.
pub fn marketing_may_reach(row: &SegmentRow) -> bool {
    row.marketing && !row.blocked
}

/// A parsed rule or a field error on `field`.
pub fn parse_field(field: &str, rule: &str) -> Result<Rule> {
    Rule::parse(rule).map_err(|e| Error::Fields(vec![FieldError::new(field, e.to_string())]))
}

/// Customers read per page when a rule is evaluated.
const PAGE: i64 = 20_000;

/// Calls `visit` with every customer matching `rule` at `now`, in id order.
pub async fn scan(
    store: &dyn Store,
    rule: &Rule,
    now: DateTime<Utc>,
    mut visit: impl FnMut(&SegmentRow) + Send,
) -> Result<()> {
    let mut after = CustomerId(0);
    loop {
        let page = store.segment_rows(after, PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = last.customer;
        for row in page.iter().filter(|row| rule.matches(row, now)) {
            visit(row);
        }
    }
}

/// One customer in a preview's sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub customer_id: CustomerId,
    pub first_name: String,
    pub language: Option<String>,
    pub country: Option<String>,
    pub stage: Stage,
}

/// How many customers a rule matches now, how many of them marketing may reach, and the
/// first few.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub count: u64,
    pub reachable: u64,
    pub sample: Vec<Member>,
}

/// Customers shown in a preview's sample.
const SAMPLE: usize = 10;

/// Counts the customers matching `rule` at `now`.
pub async fn preview(store: &dyn Store, rule: &Rule, now: DateTime<Utc>) -> Result<Preview> {
    let mut preview = Preview {
        count: 0,
        reachable: 0,
        sample: Vec::new(),
    };
    scan(store, rule, now, |row| {
        preview.count += 1;
        preview.reachable += u64::from(marketing_may_reach(row));
        if preview.sample.len() < SAMPLE {
            preview.sample.push(Member {
                customer_id: row.customer,
                first_name: row.first_name.clone(),
                language: row.language.clone(),
                country: row.country.clone(),
                stage: row.stage,
            });
        }
    })
    .await?;
    Ok(preview)
}

/// The store's id of a saved segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SegmentId(pub i64);

/// A saved segment as staff write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentDraft {
    pub name: String,
    pub rule: String,
}

impl SegmentDraft {
    /// Every rule a segment must meet, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            errors.push(FieldError::new("name", "must be 1-100 characters"));
        }
        if let Err(e) = Rule::parse(&self.rule) {
            errors.push(FieldError::new("rule", e.to_string()));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A saved segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub id: SegmentId,
    pub name: String,
    pub rule: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Saved segments, outside any transaction.
#[async_trait]
pub trait SegmentStore: Send + Sync {
    async fn segment(&self, id: SegmentId) -> Result<Option<Segment>>;
    /// By name, then id.
    async fn segments(&self) -> Result<Vec<Segment>>;
}

/// Saved-segment writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait SegmentTx: Send {
    /// `Conflict` if the name is taken.
    async fn create_segment(&mut self, draft: &SegmentDraft, at: DateTime<Utc>) -> Result<Segment>;
    /// `None` if unknown; `Conflict` if the new name is taken.
    async fn update_segment(
        &mut self,
        id: SegmentId,
        draft: &SegmentDraft,
        at: DateTime<Utc>,
    ) -> Result<Option<Segment>>;
    /// `false` if unknown.
    async fn delete_segment(&mut self, id: SegmentId) -> Result<bool>;
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn row() -> SegmentRow {
        SegmentRow {
            customer: CustomerId(1),
            telegram_user_id: 1001,
            first_name: "Ana".into(),
            language: Some("es".into()),
            country: Some("MX".into()),
            time_zone: Some("America/Mexico_City".into()),
            stage: Stage::Active,
            rfm: Some(crate::crm::Rfm { r: 5, f: 2, m: 3 }),
            first_source: Some("ig-bio".into()),
            first_bot: "shop".into(),
            first_seen_at: now() - Duration::days(100),
            last_seen_at: now() - Duration::days(2),
            orders_paid: 2,
            last_order_at: Some(now() - Duration::days(40)),
            marketing: true,
            blocked: false,
            tags: vec!["baby".into(), "vip".into()],
        }
    }

    fn matches(rule: &str) -> bool {
        Rule::parse(rule).unwrap().matches(&row(), now())
    }

    #[test]
    fn the_issue_example_parses_and_matches() {
        assert!(matches(
            "language=es AND stage in (active, loyal) AND days_since_order >= 30"
        ));
        assert!(!matches(
            "language=es AND stage in (active, loyal) AND days_since_order < 30"
        ));
    }

    #[test]
    fn precedence_negation_tags_and_missing_values() {
        assert!(matches("tag = vip or orders > 100 and country = BR"));
        assert!(!matches("(tag = vip or orders > 100) and country = BR"));
        assert!(matches("not blocked and marketing"));
        assert!(matches("tag != vip2 and tag = BABY"));
        assert!(matches("country not in (ID, MY)"));
        assert!(matches("r >= 5 and m = 3"));
        assert!(matches("time_zone = \"America/Mexico_City\""));
        let mut never = row();
        never.last_order_at = None;
        never.language = None;
        let rule = Rule::parse("days_since_order > 0").unwrap();
        assert!(!rule.matches(&never, now()));
        let rule = Rule::parse("language != es").unwrap();
        assert!(rule.matches(&never, now()));
        assert!(Rule::parse("").unwrap().matches(&never, now()));
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = Rule::parse("language = es and colour = red").unwrap_err();
        assert_eq!(e.at, 18);
        assert!(e.message.starts_with("unknown field `colour`"), "{e}");
        let e = Rule::parse("stage = sleeping").unwrap_err();
        assert!(e.message.contains("unknown stage"), "{e}");
        let e = Rule::parse("orders >= many").unwrap_err();
        assert!(e.message.contains("not a whole number"), "{e}");
        let e = Rule::parse("language > es").unwrap_err();
        assert!(e.message.contains("only be compared"), "{e}");
        let e = Rule::parse("(tag = vip").unwrap_err();
        assert!(e.message.contains("expected `)`"), "{e}");
        let e = Rule::parse("tag = vip tag = x").unwrap_err();
        assert!(e.message.contains("expected `and`"), "{e}");
        let e = Rule::parse("source = \"open").unwrap_err();
        assert!(e.message.contains("unclosed"), "{e}");
        assert!(Rule::parse(&"x".repeat(MAX_RULE_CHARS + 1)).is_err());
    }

    #[test]
    fn marketing_reach_needs_consent_and_an_unblocked_bot() {
        let mut r = row();
        assert!(marketing_may_reach(&r));
        r.blocked = true;
        assert!(!marketing_may_reach(&r));
        r.blocked = false;
        r.marketing = false;
        assert!(!marketing_may_reach(&r));
    }
}
