//! Message text handling: `parse_mode=HTML` into plain text plus entities (with Telegram's
//! error texts for bad markup), entity detection in users' messages (`bot_command`, `mention`),
//! whitespace trimming, and validation of reply markup. Offsets and lengths are in UTF-16 code
//! units, as in the Bot API.

use serde_json::{json, Value};

/// Text as Telegram stores it after formatting.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Formatted {
    pub text: String,
    pub entities: Vec<Value>,
}

/// Length in UTF-16 code units.
pub(crate) fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Formats a message text or caption. Errors are the text after `Bad Request: `.
///
/// Markdown and MarkdownV2 are accepted but not parsed: the text is kept as sent.
pub(crate) fn format(
    text: &str,
    parse_mode: Option<&str>,
    explicit_entities: Option<Value>,
) -> Result<Formatted, String> {
    let formatted = match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => {
            let entities = match explicit_entities {
                None => Vec::new(),
                Some(Value::Array(items)) => items,
                Some(_) => return Err("can't parse entities JSON object".into()),
            };
            Formatted {
                text: text.to_string(),
                entities,
            }
        }
        Some("html") => parse_html(text).map_err(|e| format!("can't parse entities: {e}"))?,
        Some("markdown") | Some("markdownv2") => Formatted {
            text: text.to_string(),
            entities: Vec::new(),
        },
        Some(_) => return Err("unsupported parse_mode".into()),
    };
    Ok(trim(formatted))
}

/// Telegram drops leading and trailing whitespace; entities shift and shrink with it.
fn trim(formatted: Formatted) -> Formatted {
    let trimmed_start = formatted.text.trim_start();
    let cut_front = utf16_len(&formatted.text[..formatted.text.len() - trimmed_start.len()]);
    let text = trimmed_start.trim_end().to_string();
    let total = utf16_len(&text) as i64;
    let entities = formatted
        .entities
        .into_iter()
        .filter_map(|mut entity| {
            let offset = entity.get("offset")?.as_i64()?;
            let length = entity.get("length")?.as_i64()?;
            let start = (offset - cut_front as i64).clamp(0, total);
            let end = (offset + length - cut_front as i64).clamp(0, total);
            if end <= start {
                return None;
            }
            entity["offset"] = json!(start);
            entity["length"] = json!(end - start);
            Some(entity)
        })
        .collect();
    Formatted { text, entities }
}

struct OpenTag {
    tag: String,
    entity: Option<Value>,
    start: usize,
}

/// Telegram's HTML subset: b strong i em u ins s strike del span.tg-spoiler tg-spoiler a code
/// pre blockquote tg-emoji, and the entities `&lt; &gt; &amp; &quot;` and numeric references.
fn parse_html(input: &str) -> Result<Formatted, String> {
    let bytes = input.as_bytes();
    let mut text = String::new();
    let mut offset16 = 0usize;
    let mut stack: Vec<OpenTag> = Vec::new();
    let mut entities: Vec<Value> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'&' => {
                let (ch, consumed) = decode_entity(&input[i..]);
                text.push(ch);
                offset16 += ch.len_utf16();
                i += consumed;
            }
            b'<' if bytes.get(i + 1) == Some(&b'/') => {
                let close = input[i..]
                    .find('>')
                    .ok_or_else(|| format!("Unclosed end tag at byte offset {i}"))?;
                let name = input[i + 2..i + close].trim().to_ascii_lowercase();
                let open = stack
                    .pop()
                    .ok_or_else(|| format!("Unexpected end tag at byte offset {i}"))?;
                if open.tag != name {
                    return Err(format!(
                        "Unmatched end tag at byte offset {i}, expected \"</{}>\", found \"</{name}>\"",
                        open.tag
                    ));
                }
                let inside_pre = stack.last().is_some_and(|parent| parent.tag == "pre");
                if let Some(mut entity) = open.entity {
                    // <pre><code class="language-x"> is one pre entity with a language.
                    let merged_into_pre = name == "code" && inside_pre;
                    if !merged_into_pre && offset16 > open.start {
                        entity["offset"] = json!(open.start);
                        entity["length"] = json!(offset16 - open.start);
                        entities.push(entity);
                    }
                }
                i += close + 1;
            }
            b'<' => {
                let close = input[i..]
                    .find('>')
                    .ok_or_else(|| format!("Unclosed start tag at byte offset {i}"))?;
                let inner = &input[i + 1..i + close];
                let name_len = inner
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                    .unwrap_or(inner.len());
                let name = inner[..name_len].to_ascii_lowercase();
                let attributes = parse_attributes(&inner[name_len..]);
                let attr = |key: &str| {
                    attributes
                        .iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v.as_str())
                };
                let entity = match name.as_str() {
                    "b" | "strong" => Some(json!({"type": "bold"})),
                    "i" | "em" => Some(json!({"type": "italic"})),
                    "u" | "ins" => Some(json!({"type": "underline"})),
                    "s" | "strike" | "del" => Some(json!({"type": "strikethrough"})),
                    "tg-spoiler" => Some(json!({"type": "spoiler"})),
                    "span" if attr("class") == Some("tg-spoiler") => {
                        Some(json!({"type": "spoiler"}))
                    }
                    "a" => attr("href").map(|href| json!({"type": "text_link", "url": href})),
                    "code" => {
                        if let (Some(parent), Some(language)) = (
                            stack.last_mut().filter(|parent| parent.tag == "pre"),
                            attr("class").and_then(|c| c.strip_prefix("language-")),
                        ) {
                            if let Some(entity) = parent.entity.as_mut() {
                                entity["language"] = json!(language);
                            }
                        }
                        Some(json!({"type": "code"}))
                    }
                    "pre" => Some(json!({"type": "pre"})),
                    "blockquote" if attributes.iter().any(|(k, _)| k == "expandable") => {
                        Some(json!({"type": "expandable_blockquote"}))
                    }
                    "blockquote" => Some(json!({"type": "blockquote"})),
                    "tg-emoji" => attr("emoji-id")
                        .map(|id| json!({"type": "custom_emoji", "custom_emoji_id": id})),
                    _ => {
                        return Err(format!(
                            "Unsupported start tag \"{name}\" at byte offset {i}"
                        ))
                    }
                };
                stack.push(OpenTag {
                    tag: name,
                    entity,
                    start: offset16,
                });
                i += close + 1;
            }
            _ => {
                let ch = input[i..].chars().next().unwrap_or('\u{fffd}');
                text.push(ch);
                offset16 += ch.len_utf16();
                i += ch.len_utf8();
            }
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{}\"",
            open.tag
        ));
    }
    entities.sort_by_key(|e| {
        (
            e["offset"].as_i64().unwrap_or(0),
            -e["length"].as_i64().unwrap_or(0),
        )
    });
    Ok(Formatted { text, entities })
}

/// Decodes one `&...;` reference; unknown ones stay literal (one `&` consumed).
fn decode_entity(input: &str) -> (char, usize) {
    let Some(end) = input.find(';').filter(|end| *end <= 10) else {
        return ('&', 1);
    };
    let name = &input[1..end];
    let decoded = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        _ => name.strip_prefix('#').and_then(|number| {
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => number.parse::<u32>().ok(),
            };
            code.and_then(char::from_u32)
        }),
    };
    match decoded {
        Some(ch) => (ch, end + 1),
        None => ('&', 1),
    }
}

fn parse_attributes(input: &str) -> Vec<(String, String)> {
    let mut attributes = Vec::new();
    let mut rest = input.trim_start();
    while !rest.is_empty() {
        let name_len = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        rest = rest[name_len..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (raw, remaining) = match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(quote).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = decode_text(raw);
            rest = remaining.trim_start();
        }
        if !name.is_empty() {
            attributes.push((name, value));
        }
    }
    attributes
}

fn decode_text(raw: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < raw.len() {
        if raw.as_bytes()[i] == b'&' {
            let (ch, consumed) = decode_entity(&raw[i..]);
            out.push(ch);
            i += consumed;
        } else {
            let ch = raw[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Entities Telegram detects in a user's text: `/command[@bot]` and `@username` mentions.
pub(crate) fn detect_entities(text: &str) -> Vec<Value> {
    let mut entities = Vec::new();
    let mut offset16 = 0usize;
    let mut previous: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((index, ch)) = iter.next() {
        let at_word_start = previous.is_none_or(char::is_whitespace);
        if at_word_start && (ch == '/' || ch == '@') {
            let rest = &text[index + 1..];
            let name_len = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
            let mut token_len = name_len;
            let kind = if ch == '/' && (1..=64).contains(&name_len) {
                // An optional @botname suffix belongs to the command.
                let after = &rest[name_len..];
                if let Some(bot) = after.strip_prefix('@') {
                    let bot_len = bot.find(|c: char| !is_word_char(c)).unwrap_or(bot.len());
                    if (3..=32).contains(&bot_len) {
                        token_len += 1 + bot_len;
                    }
                }
                Some("bot_command")
            } else if ch == '@' && (5..=32).contains(&name_len) {
                Some("mention")
            } else {
                None
            };
            if let Some(kind) = kind {
                let token = &text[index..index + 1 + token_len];
                let length = utf16_len(token);
                entities.push(json!({"type": kind, "offset": offset16, "length": length}));
                offset16 += length;
                previous = token.chars().last();
                // Skip the characters the token covered.
                while iter.peek().is_some_and(|(i, _)| *i < index + 1 + token_len) {
                    iter.next();
                }
                continue;
            }
        }
        offset16 += ch.len_utf16();
        previous = Some(ch);
    }
    entities
}

/// Checks a `reply_markup` object. Errors are the text after `Bad Request: `.
pub(crate) fn validate_reply_markup(markup: &Value, inline_only: bool) -> Result<(), String> {
    let Value::Object(object) = markup else {
        return Err("can't parse reply keyboard markup JSON object".into());
    };
    if let Some(rows) = object.get("inline_keyboard") {
        let rows = rows.as_array().filter(|rows| rows.iter().all(Value::is_array)).ok_or(
            "field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays",
        )?;
        for button in rows.iter().filter_map(Value::as_array).flatten() {
            validate_inline_button(button)?;
        }
        return Ok(());
    }
    if inline_only {
        return Err("inline keyboard expected".into());
    }
    if let Some(rows) = object.get("keyboard") {
        if !rows
            .as_array()
            .is_some_and(|rows| rows.iter().all(Value::is_array))
        {
            return Err(
                "field \"keyboard\" of the ReplyKeyboardMarkup should be an Array of Arrays".into(),
            );
        }
        return Ok(());
    }
    if object.contains_key("remove_keyboard") || object.contains_key("force_reply") {
        return Ok(());
    }
    Err("can't find field \"inline_keyboard\"".into())
}

fn validate_inline_button(button: &Value) -> Result<(), String> {
    let prefix = "can't parse inline keyboard button";
    let Value::Object(button) = button else {
        return Err(format!("{prefix}: InlineKeyboardButton must be an Object"));
    };
    if !button.get("text").is_some_and(Value::is_string) {
        return Err(format!("{prefix}: Field \"text\" must be of type String"));
    }
    if let Some(data) = button.get("callback_data") {
        let len = data.as_str().map(str::len).unwrap_or(0);
        if !(1..=64).contains(&len) {
            return Err("BUTTON_DATA_INVALID".into());
        }
        return Ok(());
    }
    if let Some(url) = button.get("url") {
        let url = url.as_str().unwrap_or("");
        let valid = ["http://", "https://", "tg://"]
            .iter()
            .any(|scheme| url.starts_with(scheme) && url.len() > scheme.len());
        return if valid {
            Ok(())
        } else {
            Err("BUTTON_URL_INVALID".into())
        };
    }
    const ACTIONS: [&str; 8] = [
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    ];
    if ACTIONS.iter().any(|action| button.contains_key(*action)) {
        Ok(())
    } else {
        Err(format!(
            "{prefix}: Text buttons are unallowed in the inline keyboard"
        ))
    }
}

/// The `callback_data` values of an inline keyboard.
pub(crate) fn has_callback_button(markup: Option<&Value>, data: &str) -> bool {
    markup
        .and_then(|m| m.get("inline_keyboard"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .any(|button| button.get("callback_data").and_then(Value::as_str) == Some(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text_and_entities_in_utf16() {
        let f = format(
            "  <b>Bold</b> 🙂 <a href=\"https://x.y/?a=1&amp;b=2\">link</a> &lt;3  ",
            Some("HTML"),
            None,
        )
        .expect("valid html");
        assert_eq!(f.text, "Bold 🙂 link <3");
        assert_eq!(
            f.entities,
            vec![
                json!({"type": "bold", "offset": 0, "length": 4}),
                json!({"type": "text_link", "url": "https://x.y/?a=1&b=2", "offset": 8, "length": 4}),
            ]
        );
    }

    #[test]
    fn pre_code_with_language_is_one_entity() {
        let f = format(
            "<pre><code class=\"language-rust\">fn x()</code></pre>",
            Some("html"),
            None,
        )
        .expect("valid");
        assert_eq!(
            f.entities,
            vec![json!({"type": "pre", "language": "rust", "offset": 0, "length": 6})]
        );
    }

    #[test]
    fn bad_html_is_refused_like_telegram() {
        let err = format("a<br>b", Some("HTML"), None).expect_err("br unsupported");
        assert_eq!(
            err,
            "can't parse entities: Unsupported start tag \"br\" at byte offset 1"
        );
        let err = format("<b>x", Some("HTML"), None).expect_err("unclosed");
        assert_eq!(
            err,
            "can't parse entities: Can't find end tag corresponding to start tag \"b\""
        );
        let err = format("<b><i>x</b></i>", Some("HTML"), None).expect_err("crossed");
        assert!(err.contains("Unmatched end tag at byte offset 7"), "{err}");
        assert_eq!(
            format("x", Some("Fancy"), None).expect_err("mode"),
            "unsupported parse_mode"
        );
    }

    #[test]
    fn commands_and_mentions_are_detected() {
        let entities = detect_entities("/start@sim_1_bot abc /help hi @someone x/y");
        assert_eq!(
            entities,
            vec![
                json!({"type": "bot_command", "offset": 0, "length": 16}),
                json!({"type": "bot_command", "offset": 21, "length": 5}),
                json!({"type": "mention", "offset": 30, "length": 8}),
            ]
        );
    }

    #[test]
    fn reply_markup_validation() {
        let ok = json!({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]});
        assert!(validate_reply_markup(&ok, true).is_ok());
        assert!(has_callback_button(Some(&ok), "a"));
        assert!(!has_callback_button(Some(&ok), "b"));
        let long = json!({"inline_keyboard": [[{"text": "A", "callback_data": "x".repeat(65)}]]});
        assert_eq!(
            validate_reply_markup(&long, true),
            Err("BUTTON_DATA_INVALID".into())
        );
        let bare = json!({"inline_keyboard": [[{"text": "A"}]]});
        assert!(validate_reply_markup(&bare, true)
            .expect_err("no action")
            .contains("Text buttons are unallowed"));
        assert!(validate_reply_markup(&json!({"keyboard": [[{"text": "A"}]]}), false).is_ok());
        assert!(validate_reply_markup(&json!([1]), false).is_err());
    }
}
