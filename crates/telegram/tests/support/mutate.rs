//! Damaged Telegram updates for the fuzz targets: a real fixture, mutated structurally
//! (fields dropped or added, values of the wrong type, extreme numbers, deep nesting,
//! awkward Unicode, parts of other fixtures) and sometimes then damaged as text.
//!
//! Every decision is read from a sequence of choice numbers, so one generator serves
//! proptest (which shrinks the sequence towards fewer and smaller choices, i.e. towards
//! the plain fixture) and the plain seeded loop of `crates/http`, which has no proptest.
//! The crates that use it include this file with `#[path]`.
#![allow(dead_code)]

use serde_json::{Map, Number, Value};
use std::time::{Duration, Instant};

/// The real updates in `crates/telegram/tests/fixtures`, by file name.
pub const FIXTURES: &[(&str, &str)] = &[
    (
        "callback_query.json",
        include_str!("../fixtures/callback_query.json"),
    ),
    (
        "chat_join_request.json",
        include_str!("../fixtures/chat_join_request.json"),
    ),
    (
        "chat_member_invite_link.json",
        include_str!("../fixtures/chat_member_invite_link.json"),
    ),
    ("contact.json", include_str!("../fixtures/contact.json")),
    (
        "group_command.json",
        include_str!("../fixtures/group_command.json"),
    ),
    (
        "my_chat_member_blocked.json",
        include_str!("../fixtures/my_chat_member_blocked.json"),
    ),
    ("poll.json", include_str!("../fixtures/poll.json")),
    (
        "pre_checkout_query.json",
        include_str!("../fixtures/pre_checkout_query.json"),
    ),
    (
        "pre_checkout_query_shipping.json",
        include_str!("../fixtures/pre_checkout_query_shipping.json"),
    ),
    (
        "private_start.json",
        include_str!("../fixtures/private_start.json"),
    ),
    (
        "shipping_query.json",
        include_str!("../fixtures/shipping_query.json"),
    ),
    (
        "successful_payment.json",
        include_str!("../fixtures/successful_payment.json"),
    ),
    (
        "successful_payment_shipping.json",
        include_str!("../fixtures/successful_payment_shipping.json"),
    ),
    (
        "unknown_kind.json",
        include_str!("../fixtures/unknown_kind.json"),
    ),
    (
        "web_app_data.json",
        include_str!("../fixtures/web_app_data.json"),
    ),
];

/// Strings that tend to upset text handling: emoji and joiners, right-to-left marks, NUL
/// and other controls, a byte-order mark, combining marks, commands, long text.
const STRINGS: &[&str] = &[
    "",
    " ",
    "🛒🥖",
    "👨\u{200D}👩\u{200D}👧",
    "\u{202E}evil\u{202C}",
    "שלום עולם",
    "مرحبا",
    "\0",
    "a\0b",
    "\u{FEFF}",
    "e\u{301}\u{301}\u{301}",
    "\r\n\t\u{7}\u{1B}",
    "İı",
    "/start",
    "/start@groupcart_bot campaign42",
    "/",
    "/@",
    "@",
    "/🛒 x",
    "cart:add:",
    "order:",
    "𝕏",
    "\u{10FFFF}",
    "private",
    "supergroup",
    "kicked",
    "bot_command",
];

/// Keys Telegram updates use, so additions hit fields the decoder knows.
const KEYS: &[&str] = &[
    "update_id",
    "message",
    "edited_message",
    "channel_post",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "pre_checkout_query",
    "shipping_query",
    "message_id",
    "chat",
    "from",
    "id",
    "type",
    "text",
    "entities",
    "offset",
    "length",
    "date",
    "data",
    "status",
    "user",
    "reply_to_message",
    "successful_payment",
    "total_amount",
    "order_info",
    "shipping_address",
    "invite_link",
    "new_chat_member",
    "old_chat_member",
    "",
];

/// Text put into the serialized JSON: broken escapes, out-of-range numbers, stray
/// punctuation, a duplicate key.
const SNIPPETS: &[&str] = &[
    "\"\\ud800\"",
    "\"\\udc00\\ud800\"",
    "\"\\u0000\"",
    "1e400",
    "-1e400",
    "18446744073709551616",
    "-9223372036854775809",
    "-",
    "0.",
    ",",
    "}",
    "]",
    "{",
    "[",
    ":",
    "\"",
    "\\",
    "\"update_id\":1,",
    "\"message\":null,",
    "NaN",
    "\u{0}",
    "\u{FEFF}",
    "\u{FFFD}",
];

/// Hands out the choices, then zeros: a short sequence means "no more changes".
pub struct Choices<'a> {
    data: &'a [u64],
    pos: usize,
}

impl<'a> Choices<'a> {
    pub fn new(data: &'a [u64]) -> Self {
        Choices { data, pos: 0 }
    }

    /// A number below `n` (0 if `n` is 0 or the choices are used up).
    pub fn below(&mut self, n: usize) -> usize {
        let value = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        if n == 0 {
            0
        } else {
            (value % n as u64) as usize
        }
    }

    pub fn remaining(&self) -> bool {
        self.pos < self.data.len()
    }
}

/// A fixture as a JSON value.
pub fn fixture(index: usize) -> Value {
    let (name, text) = FIXTURES[index % FIXTURES.len()];
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A damaged update as bytes: the choices pick a fixture, then mutations until they run
/// out; some choices also damage the serialized text.
pub fn mutated_update(choices: &[u64]) -> Vec<u8> {
    let mut c = Choices::new(choices);
    let mut value = fixture(c.below(FIXTURES.len()));
    let mut text_damage = Vec::new();
    while c.remaining() {
        match c.below(16) {
            0 => text_damage.push((c.below(usize::MAX), c.below(SNIPPETS.len()), 0)),
            1 => text_damage.push((c.below(usize::MAX), 0, 1)),
            _ => mutate(&mut value, &mut c),
        }
    }
    let mut bytes = serde_json::to_vec(&value).expect("a Value serializes");
    for (at, snippet, kind) in text_damage {
        let at = if bytes.is_empty() {
            0
        } else {
            at % (bytes.len() + 1)
        };
        match kind {
            0 => {
                bytes.splice(at..at, SNIPPETS[snippet].bytes());
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

/// Number of nodes (values at any depth) in `value`.
fn count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}

/// The `index`-th node in pre-order.
fn node(value: &mut Value, index: usize) -> &mut Value {
    fn walk<'v>(value: &'v mut Value, index: &mut usize) -> Option<&'v mut Value> {
        if *index == 0 {
            return Some(value);
        }
        *index -= 1;
        match value {
            Value::Array(items) => items.iter_mut().find_map(|v| walk(v, index)),
            Value::Object(map) => map.values_mut().find_map(|v| walk(v, index)),
            _ => None,
        }
    }
    let mut at = index % count(value);
    walk(value, &mut at).expect("an index below the node count is a node")
}

fn weird_number(c: &mut Choices) -> Value {
    let n = match c.below(16) {
        0 => Number::from(0),
        1 => Number::from(-1),
        2 => Number::from(i64::MAX),
        3 => Number::from(i64::MIN),
        4 => Number::from(u64::MAX),
        5 => Number::from(u64::from(u32::MAX) + 1),
        6 => Number::from((1i64 << 53) + 1),
        7 => Number::from(i64::from(i32::MIN) - 1),
        8 => Number::from_f64(0.5).expect("finite"),
        9 => Number::from_f64(-0.0).expect("finite"),
        10 => Number::from_f64(1e308).expect("finite"),
        11 => Number::from_f64(-9.3e18).expect("finite"),
        12 => Number::from_f64(1e-300).expect("finite"),
        13 => Number::from_f64(1.0).expect("finite"),
        _ => Number::from(c.below(usize::MAX) as u64),
    };
    Value::Number(n)
}

fn weird_string(c: &mut Choices) -> String {
    match c.below(8) {
        0 => "x".repeat(c.below(70_000)),
        1 => STRINGS[c.below(STRINGS.len())].repeat(1 + c.below(64)),
        2 => {
            // Arbitrary code points (surrogates excluded, as in any Rust string).
            let len = c.below(16);
            (0..len)
                .filter_map(|_| char::from_u32(c.below(0x11_0000) as u32))
                .collect()
        }
        _ => STRINGS[c.below(STRINGS.len())].to_owned(),
    }
}

fn weird_value(c: &mut Choices, fixtures_too: bool) -> Value {
    match c.below(10) {
        0 => Value::Null,
        1 => Value::Bool(c.below(2) == 1),
        2 | 3 => weird_number(c),
        4 | 5 => Value::String(weird_string(c)),
        6 => Value::Array(Vec::new()),
        7 => Value::Object(Map::new()),
        8 if fixtures_too => {
            // A part of another update, where it does not belong.
            let mut other = fixture(c.below(FIXTURES.len()));
            let index = c.below(usize::MAX);
            node(&mut other, index).take()
        }
        _ => nested(c.below(160), Value::String("deep".into()), c.below(2) == 0),
    }
}

/// `inner` under `depth` arrays or objects (serde_json refuses more than 128 levels).
fn nested(depth: usize, inner: Value, arrays: bool) -> Value {
    (0..depth).fold(inner, |v, _| {
        if arrays {
            Value::Array(vec![v])
        } else {
            Value::Object(Map::from_iter([("a".to_owned(), v)]))
        }
    })
}

/// One structural change somewhere in `value`.
fn mutate(value: &mut Value, c: &mut Choices) {
    let index = c.below(usize::MAX);
    let target = node(value, index);
    match c.below(9) {
        // Drop a field or an element.
        0 => match target {
            Value::Object(map) if !map.is_empty() => {
                let key = map.keys().nth(c.below(map.len())).cloned();
                if let Some(key) = key {
                    map.remove(&key);
                }
            }
            Value::Array(items) if !items.is_empty() => {
                items.remove(c.below(items.len()));
            }
            _ => *target = Value::Null,
        },
        // Add or overwrite a field the decoder knows.
        1 => {
            let key = KEYS[c.below(KEYS.len())].to_owned();
            let new = weird_value(c, true);
            match target {
                Value::Object(map) => {
                    map.insert(key, new);
                }
                Value::Array(items) => items.push(new),
                _ => *target = Value::Object(Map::from_iter([(key, new)])),
            }
        }
        // Same data, other type.
        2 => {
            *target = match target.take() {
                Value::Number(n) => Value::String(n.to_string()),
                Value::String(s) => s
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or(Value::Array(vec![Value::String(s)])),
                Value::Bool(b) => Value::from(u8::from(b)),
                Value::Object(map) => Value::Array(map.into_iter().map(|(_, v)| v).collect()),
                Value::Array(items) => Value::Object(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (i.to_string(), v))
                        .collect(),
                ),
                Value::Null => Value::String(String::new()),
            }
        }
        // Wrap in nesting.
        3 => {
            let inner = target.take();
            *target = nested(1 + c.below(150), inner, c.below(2) == 0);
        }
        // Empty it.
        4 => {
            *target = match target {
                Value::Array(_) => Value::Array(Vec::new()),
                Value::Object(_) => Value::Object(Map::new()),
                Value::String(_) => Value::String(String::new()),
                _ => Value::Null,
            }
        }
        // Awkward text inside a string, at any character.
        5 => {
            if let Value::String(s) = target {
                let at = s
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([s.len()])
                    .nth(c.below(s.chars().count() + 1))
                    .unwrap_or(0);
                s.insert_str(at, &weird_string(c));
            } else {
                *target = Value::String(weird_string(c));
            }
        }
        // An extreme number.
        6 => *target = weird_number(c),
        // Anything, including a part of another fixture.
        _ => *target = weird_value(c, true),
    }
}

/// How many cases to run: `PROPTEST_CASES`, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Whether a target that started at `start` has used up `FUZZ_SECONDS` (no limit if unset);
/// the remaining cases then pass without work, so a long run ends on time.
pub fn out_of_time(start: Instant) -> bool {
    std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .is_some_and(|secs| start.elapsed() > Duration::from_secs(secs))
}
