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
//! events(product_viewed, 30, category = baby) >= 5
//! ordered(product = silk-scarf, 90) and tier in (gold, black)
//! ```
//!
//! | field | kind | meaning |
//! |---|---|---|
//! | `language` | text | the bot's language for them, else their Telegram's (`es`, `zh-CN`) |
//! | `country`, `time_zone` | text | as on the profile (`ID`, `Asia/Jakarta`) |
//! | `stage` | text | lifecycle stage: `new`, `potential`, `active`, `loyal`, `lapsed`, `churned` |
//! | `tier` | text | membership tier key (`member`, `gold`; the base tier if none was computed) |
//! | `source`, `bot` | text | first deep-link source; the bot they first talked to |
//! | `tag` | text | `tag = vip`: has the tag (set by staff or by a tag rule); `tag != vip`: has not |
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
//!
//! ## Event and order history
//!
//! Two counting terms look at what a customer did, compared with a whole number like a
//! number field (`events(cart_added, 7) = 0`); written alone they mean `>= 1`:
//!
//! | term | counts |
//! |---|---|
//! | `events(KIND)` | the customer's events of `KIND` (`product_viewed`, `cart_added`, `order_paid`, `ticket_opened`, any kind the events table holds) |
//! | `ordered()` | the customer's paid orders (paid, shipped, delivered or completed: not cancelled or refunded) |
//!
//! After the kind (for `ordered`, inside the empty parentheses), comma-separated and in any
//! order: a number of days `N` (only the last `N` days count: from `N` × 24 hours before now,
//! inclusive; left out, all time), and one product filter `KEY = VALUE`:
//!
//! | filter | the product… |
//! |---|---|
//! | `product = X` | has the handle `X`, or a variant with the SKU `X` |
//! | `category = X` | has the category `X`, or `X` is one level of its `>`-separated category path |
//! | `tag = X` | carries the catalog tag `X` |
//! | `vendor = X` | is made by `X` |
//!
//! Filters compare without regard to case and only work with terms that name products:
//! `product_viewed` (the product shown; a Mini App catalog view names none and never
//! matches), `cart_added` (the variant's product), `order_paid` (any line of the order) and
//! `ordered` (any line of the order). The events carry ids only; the filter is resolved
//! through the catalog as it is when the rule is evaluated (a product re-categorized later
//! counts its old views under its new category; a deleted variant's cart additions no longer
//! match).
//!
//! Before a rule is evaluated over many customers, each counting term is asked of the store
//! once, as one grouped count per customer ([`SegmentStore::history_counts`]); customers
//! without a count have zero. The rows are then evaluated in Rust with those counts.

use crate::catalog::{Product, ProductId, ProductQuery};
use crate::crm::{SegmentRow, Stage};
use crate::customer::CustomerId;
use crate::store::Store;
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// A parsed rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Everyone (the empty rule).
    All,
    Compare(Field, Op, Value),
    In(Field, Vec<Value>, bool),
    /// A counting term compared with a whole number (`events(cart_added, 7) >= 2`).
    Count(History, Op, i64),
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
    Tier,
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
    const ALL: [(&'static str, Field); 17] = [
        ("language", Field::Language),
        ("country", Field::Country),
        ("time_zone", Field::TimeZone),
        ("stage", Field::Stage),
        ("tier", Field::Tier),
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
            | Field::Tier
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

/// What a counting term counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Counted {
    /// Events of this kind (lower-cased), `events(kind, …)`.
    Events(String),
    /// Paid orders (not cancelled or refunded), `ordered(…)`.
    PaidOrders,
}

/// Which catalog attribute a product filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductKey {
    /// The handle, or any variant's SKU.
    Product,
    /// The category, or one level of its `>`-separated path.
    Category,
    /// One of the catalog tags.
    Tag,
    Vendor,
}

impl ProductKey {
    const ALL: [(&'static str, ProductKey); 4] = [
        ("product", ProductKey::Product),
        ("category", ProductKey::Category),
        ("tag", ProductKey::Tag),
        ("vendor", ProductKey::Vendor),
    ];

    fn parse(name: &str) -> Option<ProductKey> {
        let name = name.to_ascii_lowercase();
        ProductKey::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, key)| *key)
    }

    /// The word the rule language uses.
    pub fn as_str(self) -> &'static str {
        ProductKey::ALL
            .iter()
            .find(|(_, key)| *key == self)
            .map_or("product", |(name, _)| *name)
    }
}

/// `KEY = VALUE` inside a counting term: only what concerns matching products counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductFilter {
    pub key: ProductKey,
    /// Lower-cased.
    pub value: String,
}

impl ProductFilter {
    /// Whether `product` passes the filter (without regard to case).
    pub fn matches(&self, product: &Product) -> bool {
        let is = |text: &str| text.trim().to_lowercase() == self.value;
        match self.key {
            ProductKey::Product => {
                is(&product.handle)
                    || product
                        .variants
                        .iter()
                        .any(|v| v.sku.as_deref().is_some_and(is))
            }
            ProductKey::Category => product
                .category
                .as_deref()
                .is_some_and(|c| is(c) || c.split('>').any(is)),
            ProductKey::Tag => product.tags.iter().any(|t| is(t)),
            ProductKey::Vendor => product.vendor.as_deref().is_some_and(is),
        }
    }
}

/// How an event kind names the product it is about, for product filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductRef {
    /// `data.product` is a product id (`product_viewed`).
    Product,
    /// `data.variant` is a variant id (`cart_added`).
    Variant,
    /// `data.order` is an order id; any of its lines (`order_paid`).
    Order,
}

/// How events of `kind` name a product; `None` for kinds about no product (which product
/// filters refuse).
pub fn product_ref(kind: &str) -> Option<ProductRef> {
    match kind {
        crate::event::kind::PRODUCT_VIEWED => Some(ProductRef::Product),
        crate::event::kind::CART_ADDED => Some(ProductRef::Variant),
        crate::event::kind::ORDER_PAID => Some(ProductRef::Order),
        _ => None,
    }
}

/// Longest window of a counting term, in days (100 years).
pub const MAX_DAYS: i64 = 36_500;

/// A counting term: `events(product_viewed, 30, category = baby)` or `ordered(90)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct History {
    pub counted: Counted,
    /// Only the last this many days; `None`: all time.
    pub days: Option<i64>,
    pub filter: Option<ProductFilter>,
}

impl History {
    /// The earliest time that counts at `now`, if the term has a window.
    pub fn since(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.days.map(|days| now - Duration::days(days))
    }
}

/// One counting term as the store counts it, per customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub counted: Counted,
    /// Only events at or after this time (orders paid at or after it).
    pub since: Option<DateTime<Utc>>,
    /// Only events or orders about one of these products (through [`product_ref`] for
    /// events, any order line for orders); `None`: any.
    pub products: Option<Vec<ProductId>>,
    /// Only these customers; `None`: everyone.
    pub customers: Option<Vec<CustomerId>>,
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
        let counting = ["events", "ordered"]
            .iter()
            .any(|w| name.eq_ignore_ascii_case(w));
        if counting && self.tokens.get(self.pos + 1).map(|(_, t)| t) == Some(&Token::Open) {
            return self.history(&name);
        }
        let Some(field) = Field::parse(&name) else {
            let known: Vec<&str> = Field::ALL.iter().map(|(n, _)| *n).collect();
            return self.fail(format!(
                "unknown field `{name}` (fields: {}; counts: events(…), ordered(…))",
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

    /// `events(kind, …)` or `ordered(…)` and its comparison; at the term's name.
    fn history(&mut self, name: &str) -> std::result::Result<Rule, RuleError> {
        // The name and `(`.
        self.pos += 2;
        let counted = if name.eq_ignore_ascii_case("events") {
            let kind = match self.peek() {
                Some(Token::Word(w))
                    if w.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') =>
                {
                    w.to_ascii_lowercase()
                }
                _ => return self.fail("expected an event kind such as product_viewed"),
            };
            self.pos += 1;
            Counted::Events(kind)
        } else {
            Counted::PaidOrders
        };
        let mut term = History {
            counted,
            days: None,
            filter: None,
        };
        // `ordered(` takes its first argument without a comma before it.
        let mut first = matches!(term.counted, Counted::PaidOrders);
        loop {
            if self.peek() == Some(&Token::Close) {
                self.pos += 1;
                break;
            }
            if !first {
                if self.peek() != Some(&Token::Comma) {
                    return self.fail("expected `,` or `)`");
                }
                self.pos += 1;
            }
            first = false;
            let Some(Token::Word(word)) = self.peek().cloned() else {
                return self.fail("expected a number of days or a filter such as category = baby");
            };
            if let Ok(days) = word.parse::<i64>() {
                if term.days.is_some() {
                    return self.fail("the number of days is given twice");
                }
                if !(1..=MAX_DAYS).contains(&days) {
                    return self.fail(format!("days must be 1-{MAX_DAYS}"));
                }
                term.days = Some(days);
                self.pos += 1;
                continue;
            }
            let Some(key) = ProductKey::parse(&word) else {
                return self.fail(format!(
                    "unknown filter `{word}` (filters: product, category, tag, vendor)"
                ));
            };
            if term.filter.is_some() {
                return self.fail("at most one filter");
            }
            if let Counted::Events(kind) = &term.counted {
                if product_ref(kind).is_none() {
                    return self.fail(format!(
                        "`{kind}` events name no product; filters work with product_viewed, \
                         cart_added and order_paid"
                    ));
                }
            }
            self.pos += 1;
            if self.peek() != Some(&Token::Op(Op::Eq)) {
                return self.fail(format!("expected `=` after `{word}`"));
            }
            self.pos += 1;
            let value = match self.peek() {
                Some(Token::Word(w)) | Some(Token::Quoted(w)) => w.to_lowercase(),
                _ => return self.fail("expected a value"),
            };
            self.pos += 1;
            term.filter = Some(ProductFilter { key, value });
        }
        match self.peek().cloned() {
            Some(Token::Op(op)) => {
                self.pos += 1;
                let number = match self.peek() {
                    Some(Token::Word(w)) | Some(Token::Quoted(w)) => w.clone(),
                    _ => return self.fail("expected a whole number"),
                };
                let Ok(number) = number.parse::<i64>() else {
                    return self.fail(format!("`{number}` is not a whole number"));
                };
                self.pos += 1;
                Ok(Rule::Count(term, op, number))
            }
            // Alone: at least once.
            _ => Ok(Rule::Count(term, Op::Ge, 1)),
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

    /// Whether the customer matches at `now`, by their row alone: counting terms count
    /// zero and `tier` has no value (use [`Rule::matches_with`] for rules that have them).
    pub fn matches(&self, row: &SegmentRow, now: DateTime<Utc>) -> bool {
        self.matches_with(row, now, &Facts::default())
    }

    /// Whether the customer matches at `now`, with the counts and tiers of `facts`.
    pub fn matches_with(&self, row: &SegmentRow, now: DateTime<Utc>, facts: &Facts) -> bool {
        match self {
            Rule::All => true,
            Rule::Not(inner) => !inner.matches_with(row, now, facts),
            Rule::And(rules) => rules.iter().all(|r| r.matches_with(row, now, facts)),
            Rule::Or(rules) => rules.iter().any(|r| r.matches_with(row, now, facts)),
            Rule::Compare(field, op, value) => compare(row, facts, *field, *op, value, now),
            Rule::In(field, values, positive) => {
                let any = values
                    .iter()
                    .any(|v| compare(row, facts, *field, Op::Eq, v, now));
                any == *positive
            }
            Rule::Count(term, op, wanted) => {
                compare_numbers(facts.count(term, row.customer), *op, *wanted)
            }
        }
    }

    /// The counting terms of the rule, each once.
    pub fn history_terms(&self) -> Vec<History> {
        let mut terms = Vec::new();
        self.visit(&mut |rule| {
            if let Rule::Count(term, _, _) = rule {
                if !terms.contains(term) {
                    terms.push(term.clone());
                }
            }
        });
        terms
    }

    /// Whether the rule looks at the membership tier.
    pub fn uses_tier(&self) -> bool {
        let mut uses = false;
        self.visit(&mut |rule| {
            uses |= matches!(
                rule,
                Rule::Compare(Field::Tier, _, _) | Rule::In(Field::Tier, _, _)
            );
        });
        uses
    }

    fn visit(&self, f: &mut impl FnMut(&Rule)) {
        f(self);
        match self {
            Rule::Not(inner) => inner.visit(f),
            Rule::And(rules) | Rule::Or(rules) => rules.iter().for_each(|r| r.visit(f)),
            _ => {}
        }
    }
}

/// What rules read beside a customer's row: the counts of counting terms and membership
/// tiers, loaded for a set of rules before they are evaluated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    counts: HashMap<History, HashMap<CustomerId, i64>>,
    tiers: HashMap<CustomerId, String>,
    /// Set when tiers were asked for: the tier of customers without a stored one.
    base_tier: Option<String>,
}

impl Facts {
    /// The customer's count of `term` (zero if none was loaded).
    pub fn count(&self, term: &History, customer: CustomerId) -> i64 {
        self.counts
            .get(term)
            .and_then(|c| c.get(&customer))
            .copied()
            .unwrap_or(0)
    }

    /// The customer's tier key, if tiers were loaded.
    pub fn tier(&self, customer: CustomerId) -> Option<&str> {
        self.tiers
            .get(&customer)
            .map(String::as_str)
            .or(self.base_tier.as_deref())
    }

    /// With `customer`'s count of `term` set to `n`.
    pub fn with_count(mut self, term: &History, customer: CustomerId, n: i64) -> Self {
        self.counts
            .entry(term.clone())
            .or_default()
            .insert(customer, n);
        self
    }

    /// With tiers known: `base` for everyone without one set by [`Facts::with_tier`].
    pub fn with_base_tier(mut self, base: &str) -> Self {
        self.base_tier = Some(base.to_lowercase());
        self
    }

    /// With `customer`'s tier set.
    pub fn with_tier(mut self, customer: CustomerId, tier: &str) -> Self {
        self.tiers.insert(customer, tier.to_lowercase());
        self
    }

    /// Loads what `rules` need beside the rows: each counting term's counts (one store
    /// query per distinct term; only for `customers` if given) and, if a rule looks at the
    /// tier, the base tier (the customers' own tiers come page by page, [`Facts::load_tiers`]).
    pub async fn load(
        store: &dyn Store,
        rules: &[&Rule],
        now: DateTime<Utc>,
        customers: Option<&[CustomerId]>,
    ) -> Result<Facts> {
        let mut facts = Facts::default();
        let mut products: HashMap<ProductFilter, Vec<ProductId>> = HashMap::new();
        for rule in rules {
            for term in rule.history_terms() {
                if facts.counts.contains_key(&term) {
                    continue;
                }
                let matching = match &term.filter {
                    None => None,
                    Some(filter) => {
                        if !products.contains_key(filter) {
                            let ids = matching_products(store, filter).await?;
                            products.insert(filter.clone(), ids);
                        }
                        Some(products[filter].clone())
                    }
                };
                // Nothing in the catalog passes the filter: everyone counts zero.
                let counts = if matching.as_ref().is_some_and(Vec::is_empty) {
                    HashMap::new()
                } else {
                    let query = HistoryQuery {
                        counted: term.counted.clone(),
                        since: term.since(now),
                        products: matching,
                        customers: customers.map(<[CustomerId]>::to_vec),
                    };
                    store.history_counts(&query).await?.into_iter().collect()
                };
                facts.counts.insert(term, counts);
            }
        }
        if rules.iter().any(|r| r.uses_tier()) {
            facts.base_tier = Some(store.tier_settings().await?.base().to_lowercase());
        }
        Ok(facts)
    }

    /// Whether tiers are needed (a loaded rule looks at them).
    fn wants_tiers(&self) -> bool {
        self.base_tier.is_some()
    }

    /// Loads the stored tiers of the customers with ids in `first..=last`, if tiers are
    /// needed, in place of those loaded before.
    pub async fn load_tiers(
        &mut self,
        store: &dyn Store,
        first: CustomerId,
        last: CustomerId,
    ) -> Result<()> {
        self.tiers = read_tiers(store, self.wants_tiers(), first, last).await?;
        Ok(())
    }
}

/// The stored tiers of the customers with ids in `first..=last` as [`Facts`] keeps them;
/// none if not `wanted`.
async fn read_tiers(
    store: &dyn Store,
    wanted: bool,
    first: CustomerId,
    last: CustomerId,
) -> Result<HashMap<CustomerId, String>> {
    if !wanted {
        return Ok(HashMap::new());
    }
    Ok(store
        .tiers_between(first, last)
        .await?
        .into_iter()
        .map(|(customer, tier)| (customer, tier.to_lowercase()))
        .collect())
}

/// Catalog products read per page when a product filter is resolved.
const PRODUCT_PAGE: i64 = 1_000;

/// The ids of the catalog's products (any status) that pass `filter`.
async fn matching_products(store: &dyn Store, filter: &ProductFilter) -> Result<Vec<ProductId>> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .products(&ProductQuery {
                status: None,
                category: None,
                after,
                limit: PRODUCT_PAGE,
            })
            .await?;
        let Some(last) = page.last() else {
            return Ok(ids);
        };
        after = Some(last.id);
        ids.extend(page.iter().filter(|p| filter.matches(p)).map(|p| p.id));
    }
}

fn compare_numbers(v: i64, op: Op, wanted: i64) -> bool {
    match op {
        Op::Eq => v == wanted,
        Op::Ne => v != wanted,
        Op::Lt => v < wanted,
        Op::Le => v <= wanted,
        Op::Gt => v > wanted,
        Op::Ge => v >= wanted,
    }
}

fn days(now: DateTime<Utc>, t: DateTime<Utc>) -> i64 {
    (now - t).num_days()
}

fn compare(
    row: &SegmentRow,
    facts: &Facts,
    field: Field,
    op: Op,
    value: &Value,
    now: DateTime<Utc>,
) -> bool {
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
        compare_numbers(v, op, *wanted)
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
        Field::Tier => text(facts.tier(row.customer)),
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
    scan_all(store, &[rule], now, |_, row| visit(row)).await
}

/// Evaluates several rules in one pass over the customers: calls `visit` with the rule's
/// index and the row for every customer and rule they match at `now`, in id order. The
/// counting terms of all the rules are loaded first, once each.
pub async fn scan_all(
    store: &dyn Store,
    rules: &[&Rule],
    now: DateTime<Utc>,
    mut visit: impl FnMut(usize, &SegmentRow) + Send,
) -> Result<()> {
    let mut facts = Facts::load(store, rules, now, None).await?;
    let Some((lowest, highest)) = store.customer_id_bounds().await? else {
        return Ok(());
    };
    let wants_tiers = facts.wants_tiers();
    let read = |first, last| async move {
        let mut page = store.segment_rows(first, last).await?;
        add_rule_tags(store, &mut page, first, last).await?;
        let tiers = read_tiers(store, wants_tiers, first, last).await?;
        Ok((page, tiers))
    };
    crate::crm::read_pages(lowest, highest, PAGE, read, |(page, tiers)| {
        facts.tiers = tiers;
        for row in &page {
            for (i, rule) in rules.iter().enumerate() {
                if rule.matches_with(row, now, &facts) {
                    visit(i, row);
                }
            }
        }
    })
    .await
}

/// Adds the tags tag rules gave ([`crate::tag_rules`]) to `rows`, whose ids are within
/// `first..=last`, keeping each row's tags sorted and without repeats.
async fn add_rule_tags(
    store: &dyn Store,
    rows: &mut [SegmentRow],
    first: CustomerId,
    last: CustomerId,
) -> Result<()> {
    let tags = store.rule_tags_between(first, last).await?;
    if tags.is_empty() {
        return Ok(());
    }
    let mut by_customer: HashMap<CustomerId, Vec<String>> = HashMap::new();
    for (customer, tag) in tags {
        by_customer.entry(customer).or_default().push(tag);
    }
    for row in rows {
        if let Some(extra) = by_customer.remove(&row.customer) {
            row.tags.extend(extra);
            row.tags.sort();
            row.tags.dedup();
        }
    }
    Ok(())
}

/// The rows of `customers` (unknown ones left out), with their rule tags, in id order: what
/// rules see of a few customers, one indexed read each.
pub async fn rows_of(store: &dyn Store, customers: &[CustomerId]) -> Result<Vec<SegmentRow>> {
    let wanted: HashSet<CustomerId> = customers.iter().copied().collect();
    let mut ids: Vec<CustomerId> = wanted.into_iter().collect();
    ids.sort();
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        let mut page = store.segment_rows(id, id).await?;
        if let Some(mut row) = page.pop() {
            add_rule_tags(store, std::slice::from_mut(&mut row), id, id).await?;
            rows.push(row);
        }
    }
    Ok(rows)
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

/// Saved segments and what rules read beside the customer rows, outside any transaction.
#[async_trait]
pub trait SegmentStore: Send + Sync {
    async fn segment(&self, id: SegmentId) -> Result<Option<Segment>>;
    /// By name, then id.
    async fn segments(&self) -> Result<Vec<Segment>>;

    /// The count of a counting term per customer, for the customers with at least one
    /// (in no particular order): one grouped query.
    async fn history_counts(&self, query: &HistoryQuery) -> Result<Vec<(CustomerId, i64)>>;

    /// The stored membership tiers of the customers with ids in `first..=last`.
    async fn tiers_between(
        &self,
        first: CustomerId,
        last: CustomerId,
    ) -> Result<Vec<(CustomerId, String)>>;
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
    use chrono::TimeZone;

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

    fn viewed(days: Option<i64>, filter: Option<(ProductKey, &str)>) -> History {
        History {
            counted: Counted::Events("product_viewed".into()),
            days,
            filter: filter.map(|(key, value)| ProductFilter {
                key,
                value: value.into(),
            }),
        }
    }

    #[test]
    fn counting_terms_parse_with_optional_days_and_filter() {
        let rule = Rule::parse("EVENTS(Product_Viewed, 30, Category = \"Baby\") >= 5").unwrap();
        let term = viewed(Some(30), Some((ProductKey::Category, "baby")));
        assert_eq!(rule, Rule::Count(term.clone(), Op::Ge, 5));
        // Arguments in any order; alone means at least once.
        let swapped = Rule::parse("events(product_viewed, category = baby, 30)").unwrap();
        assert_eq!(swapped, Rule::Count(term, Op::Ge, 1));
        assert_eq!(
            Rule::parse("events(ticket_opened) = 0").unwrap(),
            Rule::Count(
                History {
                    counted: Counted::Events("ticket_opened".into()),
                    days: None,
                    filter: None
                },
                Op::Eq,
                0
            )
        );
        let ordered = Rule::parse("ordered(product = SILK-scarf, 90) and not ordered()").unwrap();
        let recent = History {
            counted: Counted::PaidOrders,
            days: Some(90),
            filter: Some(ProductFilter {
                key: ProductKey::Product,
                value: "silk-scarf".into(),
            }),
        };
        let ever = History {
            counted: Counted::PaidOrders,
            days: None,
            filter: None,
        };
        assert_eq!(
            ordered,
            Rule::And(vec![
                Rule::Count(recent.clone(), Op::Ge, 1),
                Rule::Not(Box::new(Rule::Count(ever.clone(), Op::Ge, 1))),
            ])
        );
        assert_eq!(ordered.history_terms(), vec![recent, ever]);
        assert!(!ordered.uses_tier());
        assert!(Rule::parse("tier = gold or orders > 1")
            .unwrap()
            .uses_tier());
    }

    #[test]
    fn counting_term_errors_say_where_and_what() {
        let cases = [
            (
                "events(message_sent, 7, category = baby)",
                24,
                "name no product",
            ),
            ("events(product_viewed, 0)", 23, "days must be 1-36500"),
            ("events(product_viewed, 7, 8)", 26, "given twice"),
            (
                "events(product_viewed, colour = red)",
                23,
                "unknown filter `colour`",
            ),
            (
                "events(cart_added, tag = a, tag = b)",
                28,
                "at most one filter",
            ),
            (
                "events(cart_added, tag baby)",
                23,
                "expected `=` after `tag`",
            ),
            ("events(, 7)", 7, "expected an event kind"),
            ("events(cart_added 7)", 18, "expected `,` or `)`"),
            ("ordered(7) >= many", 14, "not a whole number"),
            ("ordered(7", 9, "expected `,` or `)`"),
            ("ordered(", 8, "expected a number of days or a filter"),
        ];
        for (rule, at, message) in cases {
            let e = Rule::parse(rule).unwrap_err();
            assert_eq!(
                (e.at, e.message.contains(message)),
                (at, true),
                "{rule}: {e}"
            );
        }
        // `events` without parentheses is not a field.
        let e = Rule::parse("events >= 2").unwrap_err();
        assert!(e.message.starts_with("unknown field `events`"), "{e}");
    }

    #[test]
    fn counts_and_tiers_come_from_the_facts() {
        let baby = viewed(Some(30), Some((ProductKey::Category, "baby")));
        let rule = Rule::parse("events(product_viewed, 30, category = baby) >= 5").unwrap();
        let me = row().customer;
        // Without facts: no views, no tier.
        assert!(!rule.matches(&row(), now()));
        assert!(Rule::parse("events(product_viewed) = 0")
            .unwrap()
            .matches(&row(), now()));
        assert!(!Rule::parse("tier = member").unwrap().matches(&row(), now()));
        assert!(Rule::parse("tier != member")
            .unwrap()
            .matches(&row(), now()));
        let four = Facts::default().with_count(&baby, me, 4);
        assert!(!rule.matches_with(&row(), now(), &four));
        let five = Facts::default().with_count(&baby, me, 5);
        assert!(rule.matches_with(&row(), now(), &five));
        // Someone else's count is not theirs.
        let other = Facts::default().with_count(&baby, CustomerId(2), 9);
        assert!(!rule.matches_with(&row(), now(), &other));
        let tiers = Facts::default().with_base_tier("Member");
        let tier = Rule::parse("tier = MEMBER and tier not in (gold)").unwrap();
        assert!(tier.matches_with(&row(), now(), &tiers));
        let gold = tiers.with_tier(me, "gold");
        assert!(!tier.matches_with(&row(), now(), &gold));
        assert!(Rule::parse("tier in (silver, gold)")
            .unwrap()
            .matches_with(&row(), now(), &gold));
    }

    #[test]
    fn product_filters_compare_without_case_and_walk_category_paths() {
        use crate::catalog::{Fulfilment, ProductStatus, Variant, VariantId};
        let product = Product {
            id: ProductId(1),
            handle: "Onesie".into(),
            status: ProductStatus::Active,
            fulfilment: Fulfilment::Physical,
            vendor: Some("Little Co".into()),
            category: Some("Apparel > Baby & Toddler > Onesies".into()),
            tags: vec!["Organic".into()],
            option_names: vec![],
            texts: vec![],
            images: vec![],
            variants: vec![Variant {
                id: VariantId(1),
                product_id: ProductId(1),
                position: 0,
                sku: Some("ONE-01".into()),
                option_values: vec![],
                prices: vec![],
                weight_grams: None,
                stock: 1,
                image: None,
            }],
            created_at: now(),
            updated_at: now(),
        };
        let passes = |key, value: &str| {
            ProductFilter {
                key,
                value: value.into(),
            }
            .matches(&product)
        };
        assert!(passes(ProductKey::Product, "onesie"));
        assert!(passes(ProductKey::Product, "one-01"));
        assert!(!passes(ProductKey::Product, "one"));
        assert!(passes(ProductKey::Category, "baby & toddler"));
        assert!(passes(
            ProductKey::Category,
            "apparel > baby & toddler > onesies"
        ));
        assert!(!passes(ProductKey::Category, "baby"));
        assert!(passes(ProductKey::Tag, "organic"));
        assert!(passes(ProductKey::Vendor, "little co"));
        assert!(!passes(ProductKey::Vendor, "little"));
    }

    #[test]
    fn windows_start_whole_days_before_now() {
        let term = viewed(Some(30), None);
        assert_eq!(term.since(now()), Some(now() - Duration::days(30)));
        assert_eq!(viewed(None, None).since(now()), None);
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
