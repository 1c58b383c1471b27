//! Parameters of a Bot API call. Owns the decoding of the three ways Telegram accepts them
//! (query string, `application/x-www-form-urlencoded`, JSON, plus the text fields of
//! `multipart/form-data`) into one map, and the typed getters with Telegram-like error texts.
//!
//! Like Telegram, an empty value counts as absent, and object/array parameters may arrive as
//! JSON-serialized strings (they always do in form bodies).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::ApiError;

/// The parameters of one call, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Params {
    map: BTreeMap<String, Value>,
    /// Files uploaded as parts of a multipart body, by parameter name.
    files: BTreeMap<String, Upload>,
}

/// A file part with the name of the parameter it was sent as.
type NamedUpload = (String, Upload);

/// A file part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Upload {
    pub file_name: String,
    pub mime_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Params {
    /// Parameters from a JSON object (in-process calls and webhook replies).
    pub fn from_json(value: Value) -> Result<Self, ApiError> {
        match value {
            Value::Object(object) => Ok(Self {
                map: object.into_iter().collect(),
                files: BTreeMap::new(),
            }),
            Value::Null => Ok(Self::default()),
            _ => Err(ApiError::bad_request("parameters must be a JSON object")),
        }
    }

    /// Parameters of an HTTP request: the query string first, then the body on top.
    pub fn from_request(
        content_type: Option<&str>,
        query: Option<&str>,
        body: &[u8],
    ) -> Result<Self, ApiError> {
        let mut params = Self::default();
        if let Some(query) = query {
            params.extend_pairs(parse_urlencoded(query));
        }
        let original_type = content_type.unwrap_or("");
        let content_type = original_type.to_ascii_lowercase();
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(params);
        }
        if content_type.starts_with("application/json") {
            params.extend_json(body)?;
        } else if content_type.starts_with("multipart/form-data") {
            // The boundary is case-sensitive, so it comes from the original header.
            let boundary = content_type_boundary(original_type)
                .ok_or_else(|| ApiError::bad_request("multipart boundary is missing"))?;
            let (pairs, files) = parse_multipart(body, &boundary);
            params.extend_pairs(pairs);
            params.files.extend(files);
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            params.extend_pairs(parse_urlencoded(&String::from_utf8_lossy(body)));
        } else if body.first() == Some(&b'{') {
            // No (or an odd) content type: guess like a lenient server would.
            params.extend_json(body)?;
        } else {
            params.extend_pairs(parse_urlencoded(&String::from_utf8_lossy(body)));
        }
        Ok(params)
    }

    fn extend_pairs(&mut self, pairs: Vec<(String, String)>) {
        for (name, value) in pairs {
            self.map.insert(name, Value::String(value));
        }
    }

    fn extend_json(&mut self, body: &[u8]) -> Result<(), ApiError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| ApiError::bad_request("can't parse JSON encoded request body"))?;
        match value {
            Value::Object(object) => {
                self.map.extend(object);
                Ok(())
            }
            _ => Err(ApiError::bad_request("JSON request body must be an object")),
        }
    }

    /// The raw value, treating `null` and `""` as absent.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self.map.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(value) => Some(value),
        }
    }

    /// The file uploaded as parameter `name`, if the body was multipart and had one.
    pub fn file(&self, name: &str) -> Option<&Upload> {
        self.files.get(name)
    }

    /// A string parameter; numbers and booleans are accepted in their text form.
    pub fn str(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(type_error(name, "String")),
        }
    }

    /// A required string parameter (`parameter "x" is required`).
    pub fn required_str(&self, name: &str) -> Result<String, ApiError> {
        self.str(name)?.ok_or_else(|| required(name))
    }

    /// An integer parameter; numeric strings are accepted.
    pub fn i64(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| type_error(name, "Integer")),
            Some(Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| type_error(name, "Integer")),
            Some(_) => Err(type_error(name, "Integer")),
        }
    }

    /// A boolean parameter: `true`/`false`, `1`/`0`, `yes`/`no`; absent is false.
    pub fn bool(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(0) => Ok(false),
                Some(1) => Ok(true),
                _ => Err(type_error(name, "Boolean")),
            },
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(type_error(name, "Boolean")),
            },
            Some(_) => Err(type_error(name, "Boolean")),
        }
    }

    /// An object or array parameter, given directly or as a JSON string. `parse_error` is the
    /// text after `Bad Request: ` when the string is not valid JSON.
    pub fn json(&self, name: &str, parse_error: &str) -> Result<Option<Value>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => serde_json::from_str::<Value>(s)
                .map(Some)
                .map_err(|_| ApiError::bad_request(parse_error)),
            Some(value) => Ok(Some(value.clone())),
        }
    }

    /// A canonical text of all parameters, equal for equal calls however they were encoded:
    /// scalars become their text, JSON strings and structures become sorted compact JSON.
    pub fn canonical(&self) -> String {
        let mut object = Map::new();
        for (name, value) in &self.map {
            let canonical = match value {
                Value::Null => continue,
                Value::String(s) if s.is_empty() => continue,
                Value::String(s) => match serde_json::from_str::<Value>(s) {
                    Ok(parsed @ (Value::Object(_) | Value::Array(_))) => sort_keys(parsed),
                    _ => Value::String(s.clone()),
                },
                Value::Number(n) => Value::String(n.to_string()),
                Value::Bool(b) => Value::String(b.to_string()),
                other => sort_keys(other.clone()),
            };
            object.insert(name.clone(), canonical);
        }
        sort_keys(Value::Object(object)).to_string()
    }
}

fn required(name: &str) -> ApiError {
    ApiError::bad_request(format!("parameter \"{name}\" is required"))
}

fn type_error(name: &str, expected: &str) -> ApiError {
    ApiError::bad_request(format!("field \"{name}\" must be of type {expected}"))
}

/// Rebuilds objects with keys in sorted order (serde_json may be built with `preserve_order`).
fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let sorted: BTreeMap<String, Value> = object
                .into_iter()
                .map(|(key, value)| (key, sort_keys(value)))
                .collect();
            Value::Object(sorted.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

/// Decodes `a=1&b=x+y%21` into pairs.
pub(crate) fn parse_urlencoded(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

/// Percent-decoding with `+` as space; invalid escapes are kept literally.
pub(crate) fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => {
                match (hex_value(bytes[i + 1]), hex_value(bytes[i + 2])) {
                    (Some(high), Some(low)) => {
                        out.push(high * 16 + low);
                        i += 3;
                    }
                    _ => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

fn content_type_boundary(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|part| {
        let (key, value) = part.trim().split_once('=')?;
        (key.trim() == "boundary").then(|| value.trim().trim_matches('"').to_string())
    })
}

/// The fields of a multipart body. File parts become `upload:<filename>` among the text
/// fields, and their bytes are kept aside (by field name) for the methods that take files.
fn parse_multipart(body: &[u8], boundary: &str) -> (Vec<(String, String)>, Vec<NamedUpload>) {
    let delimiter = format!("--{boundary}");
    let mut pairs = Vec::new();
    let mut files = Vec::new();
    for part in split_bytes(body, delimiter.as_bytes()).into_iter().skip(1) {
        if part.starts_with(b"--") {
            break;
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(split) = find_bytes(part, b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..split]);
        let content = &part[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let header = |prefix: &str| {
            headers
                .lines()
                .find(|line| line.to_ascii_lowercase().starts_with(prefix))
                .map(str::to_owned)
        };
        let disposition = header("content-disposition").unwrap_or_default();
        let Some(name) = disposition_param(&disposition, "name") else {
            continue;
        };
        match disposition_param(&disposition, "filename") {
            Some(file_name) => {
                pairs.push((name.clone(), format!("upload:{file_name}")));
                let mime_type = header("content-type")
                    .and_then(|line| line.split_once(':').map(|(_, v)| v.trim().to_owned()));
                files.push((
                    name,
                    Upload {
                        file_name,
                        mime_type,
                        bytes: content.to_vec(),
                    },
                ));
            }
            None => pairs.push((name, String::from_utf8_lossy(content).into_owned())),
        }
    }
    (pairs, files)
}

/// `haystack` cut at every occurrence of `delimiter` (the delimiters dropped).
fn split_bytes<'a>(haystack: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = haystack;
    while let Some(at) = find_bytes(rest, delimiter) {
        pieces.push(&rest[..at]);
        rest = &rest[at + delimiter.len()..];
    }
    pieces.push(rest);
    pieces
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn disposition_param(disposition: &str, key: &str) -> Option<String> {
    disposition.split(';').find_map(|part| {
        let (name, value) = part.trim().split_once('=')?;
        (name.trim().eq_ignore_ascii_case(key)).then(|| value.trim().trim_matches('"').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_and_json_bodies_have_the_same_canonical_form() {
        let form = Params::from_request(
            Some("application/x-www-form-urlencoded"),
            None,
            b"chat_id=5&text=hi+there%21&reply_markup=%7B%22inline_keyboard%22%3A%5B%5D%7D&disable_notification=true",
        )
        .expect("form parses");
        let json_body = Params::from_json(json!({
            "chat_id": 5,
            "text": "hi there!",
            "reply_markup": {"inline_keyboard": []},
            "disable_notification": true,
        }))
        .expect("json parses");
        assert_eq!(form.canonical(), json_body.canonical());
        assert_eq!(form.i64("chat_id").ok().flatten(), Some(5));
        assert_eq!(
            form.json("reply_markup", "x").ok().flatten(),
            Some(json!({"inline_keyboard": []}))
        );
    }

    #[test]
    fn typed_getters_report_telegram_like_errors() {
        let params = Params::from_json(json!({"limit": "ten", "text": ""})).expect("object");
        let err = params.i64("limit").expect_err("not an integer");
        assert_eq!(
            err.description,
            "Bad Request: field \"limit\" must be of type Integer"
        );
        let err = params.required_str("text").expect_err("empty is absent");
        assert_eq!(
            err.description,
            "Bad Request: parameter \"text\" is required"
        );
    }

    #[test]
    fn query_string_and_multipart() {
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n--XX\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--XX--\r\n";
        let params = Params::from_request(
            Some("multipart/form-data; boundary=XX"),
            Some("caption=a%20b"),
            body,
        )
        .expect("multipart parses");
        assert_eq!(params.i64("chat_id").ok().flatten(), Some(42));
        assert_eq!(
            params.str("photo").ok().flatten().as_deref(),
            Some("upload:a.png")
        );
        assert_eq!(params.str("caption").ok().flatten().as_deref(), Some("a b"));
        let file = params.file("photo").expect("the file is kept");
        assert_eq!(file.file_name, "a.png");
        assert_eq!(file.mime_type.as_deref(), Some("image/png"));
        assert_eq!(file.bytes, b"\x89PNG");
    }

    #[test]
    fn percent_decoding_keeps_broken_escapes() {
        assert_eq!(percent_decode("100%+sure%2"), "100% sure%2");
        assert_eq!(percent_decode("%E2%9C%93"), "✓");
    }
}
