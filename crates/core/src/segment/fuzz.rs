//! Fuzz target: the segment rule parser, which reads rules staff type in.
//!
//! Checked: [`Rule::parse`] never panics on arbitrary text nor on soups of the language's
//! own tokens, and every error points at a character within the input (or just past its
//! end); a parsed rule can be evaluated. Rules generated from the documented fields,
//! operators and values, printed in the documented syntax (keywords in any case, bare or
//! quoted values, any whitespace, parentheses only where needed), parse back to the same
//! rule; so do counting terms (`events(…)`, `ordered(…)`) with their days and filters in
//! either order, alone or compared.
//!
//! `PROPTEST_CASES` sets the number of cases and `FUZZ_SECONDS` bounds a long run
//! (`scripts/fuzz.sh`); failing inputs are kept in `proptest-regressions/segment/fuzz.txt`.

use super::*;
use chrono::TimeZone;
use proptest::prelude::*;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The fuzz cases of a normal test run, per property.
const CASES: u32 = 500;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(CASES),
        ..ProptestConfig::default()
    }
}

/// Whether `FUZZ_SECONDS` (no limit if unset) have passed since the target's first case;
/// the remaining cases then pass without work, so a long run ends on time.
fn out_of_time(start: &OnceLock<Instant>) -> bool {
    let start = *start.get_or_init(Instant::now);
    std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .is_some_and(|secs| start.elapsed() > Duration::from_secs(secs))
}

fn row() -> SegmentRow {
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    SegmentRow {
        customer: CustomerId(1),
        telegram_user_id: 7,
        first_name: "Ana".into(),
        language: Some("es".into()),
        country: None,
        time_zone: Some("Asia/Jakarta".into()),
        stage: Stage::Loyal,
        rfm: None,
        first_source: Some("ig-bio".into()),
        first_bot: "shop".into(),
        first_seen_at: at,
        last_seen_at: at,
        orders_paid: 3,
        last_order_at: None,
        marketing: true,
        blocked: false,
        tags: vec!["vip".into()],
    }
}

/// Parses `input` and checks what any input must satisfy.
fn check_any(input: &str) -> Result<(), TestCaseError> {
    match Rule::parse(input) {
        Ok(rule) => {
            let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
            let _ = rule.matches(&row(), now);
        }
        Err(e) => {
            let len = input.chars().count();
            prop_assert!(e.at <= len, "error at {} of {len} characters: {e}", e.at);
            prop_assert!(!e.message.is_empty());
        }
    }
    Ok(())
}

/// Pieces of the language and things just outside it.
const TOKENS: &[&str] = &[
    "(",
    ")",
    ",",
    "=",
    "!=",
    "!",
    "<",
    "<=",
    ">",
    ">=",
    "=>",
    "==",
    "and",
    "AND",
    "or",
    "Or",
    "not",
    "NOT",
    "in",
    "In",
    "\"",
    "\\",
    "\"\\",
    "yes",
    "no",
    "true",
    "false",
    "-1",
    "9223372036854775808",
    "-9223372036854775809",
    "+0",
    "vip",
    "active",
    "sleeping",
    "🛒",
    "events",
    "ordered",
    "product_viewed",
    "category",
    "30",
    "\u{202E}",
    "\0",
    "İ",
    "_",
    ".",
    "@",
    "#",
    "'",
    ";",
    "\u{3000}",
];

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(TOKENS).prop_map(str::to_owned),
        4 => prop::sample::select(&Field::ALL[..]).prop_map(|(name, _)| name.to_owned()),
        1 => any::<char>().prop_map(String::from),
        1 => "[a-zA-Z0-9_]{1,8}",
    ]
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            token(),
            prop::sample::select(&["", " ", "\t", "\n", "  "][..]),
        ),
        0..40,
    )
    .prop_map(|parts| parts.into_iter().map(|(t, s)| t + s).collect())
}

/// A value of `field`'s kind, as the parser stores it.
fn value(field: Field) -> BoxedStrategy<Value> {
    match field.kind() {
        Kind::Number => any::<i64>().prop_map(Value::Number).boxed(),
        Kind::YesNo => any::<bool>().prop_map(Value::YesNo).boxed(),
        Kind::Text if field == Field::Stage => prop::sample::select(&Stage::ALL[..])
            .prop_map(|s| Value::Text(s.as_str().to_owned()))
            .boxed(),
        Kind::Text => prop_oneof![
            "[a-z0-9_./+:@-]{1,12}",
            any::<String>(),
            prop::sample::select(&["and", "or", "not", "in", "", " ", "a\"b", "\\", "zh-cn"][..])
                .prop_map(str::to_owned),
        ]
        .prop_map(|s| Value::Text(s.to_lowercase()))
        .boxed(),
    }
}

fn comparison() -> impl Strategy<Value = Rule> {
    const OPS: [Op; 6] = [Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge];
    prop::sample::select(&Field::ALL[..]).prop_flat_map(|(_, field)| {
        let op = if field.kind() == Kind::Number {
            prop::sample::select(&OPS[..])
        } else {
            prop::sample::select(&OPS[..2])
        };
        prop_oneof![
            (op, value(field)).prop_map(move |(op, v)| Rule::Compare(field, op, v)),
            (prop::collection::vec(value(field), 1..4), any::<bool>())
                .prop_map(move |(values, positive)| Rule::In(field, values, positive)),
        ]
    })
}

/// A counting term compared with a number.
fn count() -> impl Strategy<Value = Rule> {
    const KINDS: [&str; 5] = [
        "product_viewed",
        "cart_added",
        "order_paid",
        "ticket_opened",
        "message_sent",
    ];
    const KEYS: [ProductKey; 4] = [
        ProductKey::Product,
        ProductKey::Category,
        ProductKey::Tag,
        ProductKey::Vendor,
    ];
    const OPS: [Op; 6] = [Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge];
    let counted = prop_oneof![
        prop::sample::select(&KINDS[..]).prop_map(|k| Counted::Events(k.to_owned())),
        Just(Counted::PaidOrders),
    ];
    let filter = (prop::sample::select(&KEYS[..]), value(Field::Tag)).prop_map(|(key, v)| {
        let Value::Text(value) = v else {
            unreachable!("a text field's value")
        };
        ProductFilter { key, value }
    });
    (
        counted,
        prop::option::of(1..=MAX_DAYS),
        prop::option::of(filter),
        prop::sample::select(&OPS[..]),
        any::<i64>(),
    )
        .prop_map(|(counted, days, filter, op, n)| {
            // Only terms about products take a filter.
            let filter = match &counted {
                Counted::Events(kind) if product_ref(kind).is_none() => None,
                _ => filter,
            };
            let term = History {
                counted,
                days,
                filter,
            };
            Rule::Count(term, op, n)
        })
}

fn rule() -> impl Strategy<Value = Rule> {
    prop_oneof![3 => comparison(), 1 => count()].prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|r| Rule::Not(Box::new(r))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Rule::And),
            prop::collection::vec(inner, 2..4).prop_map(Rule::Or),
        ]
    })
}

/// Printing choices, read from a seed: case of keywords, bare or quoted values, spacing.
struct Style(u64);

impl Style {
    fn pick(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn space(&mut self) -> &'static str {
        [" ", "  ", "\t", "\n", " \u{3000}"][self.pick(5) as usize]
    }

    /// `word` with some ASCII letters upper-cased.
    fn case(&mut self, word: &str) -> String {
        word.chars()
            .map(|c| {
                if self.pick(3) == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect()
    }

    fn keyword(&mut self, word: &str) -> String {
        let space = self.space();
        format!("{space}{}{}", self.case(word), self.space())
    }
}

fn field_name(field: Field) -> &'static str {
    Field::ALL
        .iter()
        .find(|(_, f)| *f == field)
        .map(|(name, _)| *name)
        .expect("every field has a name")
}

fn print_value(value: &Value, style: &mut Style) -> String {
    match value {
        Value::Number(n) => match style.pick(3) {
            0 if *n >= 0 => format!("+{n}"),
            1 if *n >= 0 => format!("00{n}"),
            _ => n.to_string(),
        },
        Value::YesNo(b) => {
            let words = if *b { ["yes", "true"] } else { ["no", "false"] };
            let word = words[style.pick(2) as usize];
            style.case(word)
        }
        Value::Text(text) => {
            let bare = !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_alphanumeric() || "_-./+:@".contains(c));
            if bare && style.pick(2) == 0 {
                style.case(text)
            } else {
                let escaped: String = text
                    .chars()
                    .flat_map(|c| match c {
                        '"' | '\\' => vec!['\\', c],
                        c => vec![c],
                    })
                    .collect();
                format!("\"{}\"", style.case(&escaped))
            }
        }
    }
}

fn print_op(op: Op) -> &'static str {
    match op {
        Op::Eq => "=",
        Op::Ne => "!=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
    }
}

/// `rule` in the rule language; `parent` says what it is nested in, for parentheses.
fn print(rule: &Rule, parent: Option<&Rule>, style: &mut Style) -> String {
    let text = match rule {
        Rule::All => String::new(),
        Rule::Compare(field, Op::Eq, Value::YesNo(true))
            if field.kind() == Kind::YesNo && style.pick(2) == 0 =>
        {
            style.case(field_name(*field))
        }
        Rule::Compare(field, op, value) => {
            let space = style.space();
            format!(
                "{}{space}{}{}{}",
                style.case(field_name(*field)),
                print_op(*op),
                style.space(),
                print_value(value, style)
            )
        }
        Rule::In(field, values, positive) => {
            let not = if *positive {
                String::new()
            } else {
                style.keyword("not")
            };
            let values: Vec<String> = values.iter().map(|v| print_value(v, style)).collect();
            format!(
                "{}{not}{}({})",
                style.case(field_name(*field)),
                style.keyword("in"),
                values.join(",")
            )
        }
        Rule::Count(term, op, n) => {
            let mut args = Vec::new();
            if let Counted::Events(kind) = &term.counted {
                args.push(style.case(kind));
            }
            let mut rest = Vec::new();
            if let Some(days) = term.days {
                rest.push(days.to_string());
            }
            if let Some(filter) = &term.filter {
                let space = style.space();
                rest.push(format!(
                    "{}{space}={}{}",
                    style.case(filter.key.as_str()),
                    style.space(),
                    print_value(&Value::Text(filter.value.clone()), style)
                ));
            }
            if style.pick(2) == 0 {
                rest.reverse();
            }
            args.extend(rest);
            let name = match term.counted {
                Counted::Events(_) => "events",
                Counted::PaidOrders => "ordered",
            };
            let call = format!(
                "{}({}{}{})",
                style.case(name),
                style.space(),
                args.join(&format!(",{}", style.space())),
                style.space()
            );
            if *op == Op::Ge && *n == 1 && style.pick(2) == 0 {
                call
            } else {
                format!(
                    "{call}{}{}{}{n}",
                    style.space(),
                    print_op(*op),
                    style.space()
                )
            }
        }
        Rule::Not(inner) => format!(
            "{}{}",
            style.keyword("not"),
            print(inner, Some(rule), style)
        ),
        Rule::And(rules) | Rule::Or(rules) => {
            let joiner = if matches!(rule, Rule::And(_)) {
                "and"
            } else {
                "or"
            };
            let parts: Vec<String> = rules.iter().map(|r| print(r, Some(rule), style)).collect();
            parts.join(&style.keyword(joiner))
        }
    };
    // `and` binds tighter than `or`, `not` tighter than both: parentheses where a looser
    // (or the same, which would flatten) operator is nested.
    let needs_parens = match (rule, parent) {
        (Rule::And(_), Some(Rule::And(_) | Rule::Not(_))) => true,
        (Rule::Or(_), Some(_)) => true,
        // Optional parentheses elsewhere, which the parser drops.
        (_, Some(_)) => style.pick(5) == 0,
        (_, None) => false,
    };
    if needs_parens {
        format!("({}{text}{})", style.space(), style.space())
    } else {
        text
    }
}

/// Parses `rule` on a thread with the stack a Tokio worker thread has, where rules are
/// parsed in production.
fn parse_on_worker_stack(rule: String) -> bool {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || Rule::parse(&rule).is_ok())
        .expect("thread")
        .join()
        .expect("no panic")
}

#[test]
fn moderate_nesting_parses() {
    let depth = 200;
    let nested = format!("{}tag = vip{}", "(".repeat(depth), ")".repeat(depth));
    assert!(parse_on_worker_stack(nested));
    assert!(parse_on_worker_stack(format!(
        "{}marketing",
        "not ".repeat(depth)
    )));
    assert!(!parse_on_worker_stack("(".repeat(depth)));
}

/// Found by this target: the parser recursed once per `(`, so a rule of about 1,100 or
/// more opening parentheses (within [`MAX_RULE_CHARS`]) overflowed a 2 MiB stack in a
/// debug build and aborted the process. Nesting is now limited.
#[test]
fn deep_parentheses_do_not_overflow_the_stack() {
    assert!(!parse_on_worker_stack("(".repeat(MAX_RULE_CHARS)));
}

#[test]
fn the_empty_rule_is_everyone() {
    assert_eq!(Rule::parse(""), Ok(Rule::All));
    assert_eq!(Rule::parse(" \t\n"), Ok(Rule::All));
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_text_never_panics(input in any::<String>()) {
        static START: OnceLock<Instant> = OnceLock::new();
        if out_of_time(&START) {
            return Ok(());
        }
        check_any(&input)?;
    }

    #[test]
    fn token_soup_never_panics(input in soup()) {
        static START: OnceLock<Instant> = OnceLock::new();
        if out_of_time(&START) {
            return Ok(());
        }
        check_any(&input)?;
    }

    #[test]
    fn printed_rules_parse_back(rule in rule(), seed in any::<u64>()) {
        static START: OnceLock<Instant> = OnceLock::new();
        if out_of_time(&START) {
            return Ok(());
        }
        let text = print(&rule, None, &mut Style(seed));
        check_any(&text)?;
        if text.chars().count() > MAX_RULE_CHARS {
            prop_assert_eq!(Rule::parse(&text).map_err(|e| e.at), Err(MAX_RULE_CHARS));
        } else {
            let parsed = Rule::parse(&text)
                .map_err(|e| TestCaseError::fail(format!("{e} in {text:?}")))?;
            prop_assert_eq!(parsed, rule, "printed as {:?}", text);
        }
    }
}
