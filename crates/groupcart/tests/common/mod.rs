//! Helpers shared by the end-to-end tests.

use groupcart_simulator::types::SentMessage;

/// The inline buttons under a message, as (label, callback data), row by row.
pub fn buttons(message: &SentMessage) -> Vec<(String, String)> {
    let rows = message
        .reply_markup
        .as_ref()
        .and_then(|m| m["inline_keyboard"].as_array().cloned())
        .unwrap_or_default();
    rows.iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .map(|b| {
            (
                b["text"].as_str().unwrap_or_default().to_owned(),
                b["callback_data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}
