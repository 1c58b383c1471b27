//! Property tests on arbitrary Unicode: no panic, sane ranges, and the
//! evasion guarantees hold.

use std::sync::OnceLock;

use groupcart_wordfilter::{normalize, Entry, Filter, Normalized, MAX_ENTRY_CHARS};
use proptest::prelude::*;

fn filter() -> &'static Filter<u32> {
    static F: OnceLock<Filter<u32>> = OnceLock::new();
    F.get_or_init(|| {
        let words = [
            "spam",
            "<ass>",
            "free money",
            "傻逼",
            "бля",
            "<сука>",
            "كلب",
            "a",
            "<x>",
            "$",
            "1",
            "ﬁ",
            "ß",
            "é",
            "ガ",
            "바보",
            "v!agra",
            "a$$",
            "<i>",
            "ss",
            "ـ",
            "s p",
        ];
        let (f, _skipped) = Filter::builder()
            .entries(
                words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| Entry::parse(w, i as u32)),
            )
            .build_lenient()
            .unwrap();
        f
    })
}

/// Characters that exercise every branch of the pipeline.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        any::<char>(),
        prop::sample::select(vec![
            ' ',
            '.',
            '*',
            '-',
            '!',
            '@',
            '$',
            '|',
            '0',
            '1',
            '3',
            '4',
            '5',
            '7',
            '9',
            'a',
            's',
            'S',
            'p',
            'm',
            'i',
            '\u{200B}',
            '\u{200D}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{0301}',
            '\u{0336}',
            '\u{064E}',
            '\u{0640}',
            '\u{0654}',
            '\u{3099}',
            '\u{FE0F}',
            'а',
            'с',
            'у',
            'к',
            'й',
            'ё',
            'ß',
            'ẞ',
            'ﬁ',
            'İ',
            'ı',
            'ς',
            '傻',
            '逼',
            '가',
            'ｶ',
            'ﾞ',
            'Ａ',
            '＄',
            '！',
            '　',
            'ﷺ',
            '㎏',
            '①',
            '½',
            '😀',
            '\u{1F3FB}',
            'ك',
            'ل',
            'ب',
            'ى',
            'ة',
            '\u{0}',
            '\u{10FFFF}',
            '\u{E0041}',
            '\u{0903}',
        ]),
    ]
}

fn tricky_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

fn check_ranges(text: &str) -> Result<(), TestCaseError> {
    for m in filter().find_all(text) {
        prop_assert!(m.range.start < m.range.end, "empty range {:?}", m.range);
        prop_assert!(m.range.end <= text.len());
        prop_assert!(text.is_char_boundary(m.range.start));
        prop_assert!(text.is_char_boundary(m.range.end));
        prop_assert!(!m.excerpt(text).is_empty());
    }
    let strictest = filter().strictest(text);
    prop_assert_eq!(strictest.is_some(), filter().is_match(text));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_unicode_never_panics(text in any::<String>()) {
        check_ranges(&text)?;
        let _ = normalize(&text);
    }

    #[test]
    fn tricky_text_never_panics(text in tricky_string(300)) {
        check_ranges(&text)?;
    }

    /// Any entry matches its own text, alone or between other words, as a
    /// substring and as a whole word.
    #[test]
    fn entry_matches_itself(word in tricky_string(12)) {
        let n = Normalized::of(&word);
        prop_assume!(!n.is_empty() && n.as_str().chars().count() <= MAX_ENTRY_CHARS);
        for entry in [Entry::new(word.clone(), ()), Entry::whole_word(word.clone(), ())] {
            let f = Filter::new([entry.clone()]).unwrap();
            prop_assert!(f.is_match(&word), "{:?} alone ({:?})", entry, n.as_str());
            let text = format!("x {word} y");
            prop_assert!(f.is_match(&text), "{:?} in {:?}", entry, text);
        }
    }

    /// Spacing, case and width evasion of a Latin word is always caught.
    #[test]
    fn spaced_latin_word_is_caught(
        word in "[a-z]{2,8}",
        // Whitespace spacing is letter by letter; other separators may
        // split the word anywhere.
        spaced in any::<bool>(),
        seps in prop::collection::vec(
            prop::sample::select(vec!["", ".", "*", "-", "_", "\u{200B}", "·", "/", "😀"]),
            8,
        ),
        spaces in prop::collection::vec(prop::sample::select(vec![" ", "  ", ". ", " - ", "\u{3000}"]), 8),
        upper in prop::collection::vec(any::<bool>(), 8),
        wide in any::<bool>(),
        whole in any::<bool>(),
    ) {
        let entry = if whole { Entry::whole_word(word.clone(), ()) } else { Entry::new(word.clone(), ()) };
        let f = Filter::new([entry]).unwrap();
        let mut disguised = String::new();
        for (i, c) in word.chars().enumerate() {
            if i > 0 {
                disguised.push_str(if spaced { spaces[i % spaces.len()] } else { seps[i % seps.len()] });
            }
            let c = if upper[i % upper.len()] { c.to_ascii_uppercase() } else { c };
            disguised.push(if wide { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c });
        }
        let text = format!("## {disguised} ##");
        let found = f.find_all(&text);
        prop_assert!(!found.is_empty(), "{:?} not found in {:?}", word, text);
        prop_assert_eq!(found[0].excerpt(&text), disguised.as_str());
    }

    /// Numbers never match letter words, however they are spaced.
    #[test]
    fn digits_never_match_letter_words(text in "[0-9 .,:$%+-]{0,40}") {
        let f = Filter::new(
            ["ass", "sex", "shit", "boobs", "toes", "ieee", "sos", "oil", "lie", "tie"]
                .map(|w| Entry::new(w, ())),
        )
        .unwrap();
        prop_assert!(f.find_all(&text).is_empty(), "{:?} → {:?}", text, normalize(&text));
    }
}

/// Large and pathological inputs: no panic, linear time, sane ranges.
#[test]
fn big_inputs() {
    let f = filter();
    let unit = "s p a m 傻 逼 ﷺ a$$ !@$| \u{200B}\u{0301}\u{0640} ＦＲＥＥ 😀 كلب ";
    let big = unit.repeat(20_000); // ~1.3 MB
    let found = f.find_all(&big);
    assert!(found.len() >= 40_000);
    for m in &found {
        assert!(big.is_char_boundary(m.range.start) && big.is_char_boundary(m.range.end));
    }
    for text in [
        "$".repeat(200_000),
        "a!".repeat(100_000),
        format!("a!{}", "\u{200B}".repeat(200_000)),
        "\u{0301}".repeat(200_000),
        "ﷺ".repeat(50_000),
        "a".repeat(500_000),
    ] {
        let _ = f.find_all(&text);
        let _ = normalize(&text);
    }
}
