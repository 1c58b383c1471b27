//! Link buttons as the console's forms type them: one row per line, each button
//! `text | https://link`, the buttons of a row separated by `||`. The broadcast and the
//! automation forms read them here; the use cases check the rows (how many, which links).

use groupcart_core::calendar::LinkButton;
use groupcart_core::FieldError;

/// `rows` as the text box shows them.
pub fn to_lines(rows: &[Vec<LinkButton>]) -> String {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|b| format!("{} | {}", b.text, b.url))
                .collect::<Vec<_>>()
                .join(" || ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rows of `lines` (blank lines skipped); a button that is not `text | link` is a
/// problem of `field`, naming its line.
pub fn parse(field: &str, lines: &str, errors: &mut Vec<FieldError>) -> Vec<Vec<LinkButton>> {
    let mut rows = Vec::new();
    for (n, line) in lines.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut row = Vec::new();
        for button in line.split("||") {
            match button.split_once('|') {
                Some((text, url)) => row.push(LinkButton {
                    text: text.trim().to_owned(),
                    url: url.trim().to_owned(),
                }),
                None => errors.push(FieldError::new(
                    field,
                    format!("line {}: write “text | https://link”", n + 1),
                )),
            }
        }
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_back_as_written() {
        let mut errors = Vec::new();
        let rows = parse(
            "buttons",
            "See it | https://t.me/shop?start=p-1 ||  Tea|https://t.me/shop?start=p-2\n\n Sale | https://example.com/sale ",
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][1].text, "Tea");
        assert_eq!(rows[1][0].url, "https://example.com/sale");
        let mut again = Vec::new();
        assert_eq!(parse("buttons", &to_lines(&rows), &mut again), rows);
        assert!(again.is_empty());
    }

    #[test]
    fn a_button_without_a_link_names_its_line() {
        let mut errors = Vec::new();
        parse(
            "steps[0].buttons",
            "ok | https://a.example\njust text",
            &mut errors,
        );
        assert_eq!(
            errors,
            [FieldError::new(
                "steps[0].buttons",
                "line 2: write “text | https://link”"
            )]
        );
    }
}
