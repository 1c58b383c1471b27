//! Real-world examples: what must match (with the exact original excerpt)
//! and what must not.

use std::sync::Arc;

use groupcart_wordfilter::{normalize, Action, Entry, Filter, MatchMode, Normalized};

fn filter() -> Filter<Action> {
    Filter::new([
        Entry::new("傻逼", Action::Mute),
        Entry::new("free money", Action::Delete),
        Entry::new("spam", Action::Delete),
        Entry::parse("<ass>", Action::Warn),
        Entry::parse("<sex>", Action::Delete),
        Entry::new("viagra", Action::Delete),
        Entry::new("asshole", Action::Mute),
        Entry::new("бля", Action::Warn),
        Entry::parse("<сука>", Action::Mute),
        Entry::new("كلب", Action::HoldForReview),
        Entry::new("free", Action::Warn),
        Entry::parse("<cop>", Action::Warn),
        Entry::new("shit", Action::Warn),
        Entry::new("バカ", Action::Warn),
        Entry::new("바보", Action::Warn),
    ])
    .unwrap()
}

/// The excerpts of all matches of `word`'s entry in `text`.
/// `word` uses the list syntax (`<word>` for whole-word entries).
fn hits(f: &Filter<Action>, text: &str, word: &str) -> Vec<String> {
    let wanted = Entry::parse(word, ());
    f.find_all(text)
        .into_iter()
        .filter(|m| m.entry.word == wanted.word && m.entry.mode == wanted.mode)
        .map(|m| m.excerpt(text).to_owned())
        .collect()
}

fn hit(f: &Filter<Action>, text: &str, word: &str) -> String {
    let h = hits(f, text, word);
    assert!(
        !h.is_empty(),
        "{word:?} should match {text:?}: {:?}",
        normalize(text)
    );
    h[0].clone()
}

fn miss(f: &Filter<Action>, text: &str, word: &str) {
    let h = hits(f, text, word);
    assert!(h.is_empty(), "{word:?} must not match {text:?}, got {h:?}");
}

#[test]
fn chinese_with_inserted_spaces_and_symbols() {
    let f = filter();
    assert_eq!(hit(&f, "你个傻逼", "傻逼"), "傻逼");
    assert_eq!(hit(&f, "你个傻 逼啊", "傻逼"), "傻 逼");
    assert_eq!(hit(&f, "傻*逼", "傻逼"), "傻*逼");
    assert_eq!(hit(&f, "傻。。逼", "傻逼"), "傻。。逼");
    assert_eq!(hit(&f, "傻　逼", "傻逼"), "傻　逼"); // ideographic space
    assert_eq!(hit(&f, "傻\u{200B}逼", "傻逼"), "傻\u{200B}逼");
    assert_eq!(hit(&f, "傻😂逼", "傻逼"), "傻😂逼");
    assert_eq!(hit(&f, "他是sb傻-逼吗", "傻逼"), "傻-逼");
    miss(&f, "傻瓜逼真", "傻逼");
    miss(&f, "你好，谢谢", "傻逼");
}

#[test]
fn japanese_and_korean() {
    let f = filter();
    assert_eq!(hit(&f, "ﾊﾞｶ", "バカ"), "ﾊﾞｶ"); // half-width kana
    assert_eq!(hit(&f, "お前はバカだ", "バカ"), "バカ");
    miss(&f, "ハカ", "バカ"); // the voicing mark changes the word
    assert_eq!(hit(&f, "너 바보야", "바보"), "바보");
    miss(&f, "바부", "바보");
}

#[test]
fn full_width_and_case() {
    let f = filter();
    assert_eq!(
        hit(&f, "ＦＲＥＥ ＭＯＮＥＹ!!!", "free money"),
        "ＦＲＥＥ ＭＯＮＥＹ"
    );
    assert_eq!(hit(&f, "Get FrEe MoNeY now", "free money"), "FrEe MoNeY");
    assert_eq!(hit(&f, "ＳＰＡＭ", "spam"), "ＳＰＡＭ");
    assert_eq!(hit(&f, "𝐬𝐩𝐚𝐦", "spam"), "𝐬𝐩𝐚𝐦"); // mathematical bold
    assert_eq!(hit(&f, "Ⓢⓟⓐⓜ", "spam"), "Ⓢⓟⓐⓜ"); // circled letters
}

#[test]
fn spacing_and_symbol_evasion() {
    let f = filter();
    assert_eq!(hit(&f, "this is s.p.a.m", "spam"), "s.p.a.m");
    assert_eq!(hit(&f, "s p a m", "spam"), "s p a m");
    assert_eq!(hit(&f, "buy sp.am", "spam"), "sp.am");
    assert_eq!(hit(&f, "f r e e money", "free money"), "f r e e money");
    assert_eq!(hit(&f, "free m o n e y", "free money"), "free m o n e y");
    assert_eq!(hit(&f, "s. p. a. m.", "spam"), "s. p. a. m");
    assert_eq!(
        hit(&f, "f*r*e*e m-o-n-e-y", "free money"),
        "f*r*e*e m-o-n-e-y"
    );
    assert_eq!(hit(&f, "freemoney", "free money"), "freemoney");
    assert_eq!(
        hit(&f, "carefree money", "free money"),
        "free money",
        "the entry's own space is not evasion"
    );
    assert_eq!(
        hit(&f, "s\u{200B}p\u{200C}a\u{2060}m", "spam"),
        "s\u{200B}p\u{200C}a\u{2060}m"
    );
    assert_eq!(hit(&f, "s̶p̶a̶m̶", "spam"), "s̶p̶a̶m̶"); // strike-through marks
    assert_eq!(hit(&f, "ŝpàm", "spam"), "ŝpàm");
    assert_eq!(hit(&f, "antispam", "spam"), "spam"); // substring entry
}

#[test]
fn homoglyphs_and_leet() {
    let f = filter();
    // Cyrillic а, е, о, р, с mixed into Latin words
    assert_eq!(hit(&f, "frее mоnеy", "free money"), "frее mоnеy");
    assert_eq!(hit(&f, "ѕраm", "spam"), "ѕраm");
    assert_eq!(hit(&f, "fr33 m0ney", "free money"), "fr33 m0ney");
    assert_eq!(hit(&f, "v1agra", "viagra"), "v1agra");
    assert_eq!(hit(&f, "v!agra", "viagra"), "v!agra");
    assert_eq!(hit(&f, "$pam", "spam"), "$pam");
    assert_eq!(hit(&f, "you a$$hole", "asshole"), "a$$hole");
    assert_eq!(hit(&f, "sh1t", "shit"), "sh1t");
    assert_eq!(hit(&f, "$h!t", "shit"), "$h!t");
    assert_eq!(hit(&f, "s3x", "<sex>"), "s3x");
    assert_eq!(hit(&f, "my аss", "<ass>"), "аss"); // Cyrillic а
    assert_eq!(hit(&f, "vιagra", "viagra"), "vιagra"); // Greek iota
}

#[test]
fn leading_at_is_a_mention_not_a_letter() {
    // A leading '@' reads as a mention, not as 'a' (documented limit).
    let f = filter();
    assert_eq!(normalize("@sshole"), "sshole");
    miss(&f, "@sshole", "asshole");
    assert_eq!(hit(&f, "gr@ss @sshole a$$hole", "asshole"), "a$$hole");
}

#[test]
fn whole_word_latin() {
    let f = filter();
    assert_eq!(hit(&f, "kiss my ass!", "<ass>"), "ass");
    assert_eq!(hit(&f, "ASS", "<ass>"), "ASS");
    assert_eq!(hit(&f, "a.s.s", "<ass>"), "a.s.s");
    assert_eq!(hit(&f, "你是ass吗", "<ass>"), "ass"); // next to CJK
    for clean in [
        "first class",
        "assets",
        "glass",
        "bass guitar",
        "passport",
        "as soon as possible",
        "has sand",
        "Samsung Galaxy A55 for sale",
        "a55",
        "ass1",
    ] {
        miss(&f, clean, "<ass>");
    }
    for clean in ["Sussex", "sextant", "buses exit", "Essex", "unisex"] {
        miss(&f, clean, "<sex>");
    }
}

#[test]
fn cross_word_joins_are_not_matches() {
    let f = filter();
    miss(&f, "buy sp am", "spam"); // whitespace splits only letter by letter
    let g = Filter::new([
        Entry::whole_word("nohi", Action::Warn),
        Entry::whole_word("asshat", Action::Warn),
        Entry::new("therapist", Action::Warn),
    ])
    .unwrap();
    assert!(g.find_all("no hi there").is_empty());
    assert!(g.find_all("ass hat").is_empty());
    assert!(g.find_all("the rapist").is_empty());
    assert_eq!(g.find_all("a s s h a t").len(), 1);
    assert_eq!(g.find_all("a.s.s.h.a.t").len(), 1);
    miss(&f, "gas pamphlet", "spam");
    miss(&f, "wasp amulet", "spam");
    miss(&f, "the bus exits", "<sex>");
    miss(&f, "she has hit me", "shit");
}

#[test]
fn digits_and_prices_stay_numbers() {
    let f = filter();
    for clean in ["$100", "costs 5000", "call 7-1-0", "100% free"] {
        miss(&f, clean, "<sex>");
        miss(&f, clean, "<ass>");
        miss(&f, clean, "shit");
    }
    // but "free" itself is an entry
    assert_eq!(hit(&f, "100% free", "free"), "free");
    assert_eq!(hit(&f, "free!", "free"), "free");
    miss(&f, "fr!!", "free");
}

#[test]
fn cyrillic() {
    let f = filter();
    assert_eq!(hit(&f, "БЛЯ", "бля"), "БЛЯ");
    assert_eq!(hit(&f, "ну бля!", "бля"), "бля");
    assert_eq!(hit(&f, "б л я", "бля"), "б л я");
    assert_eq!(hit(&f, "бл\u{00AD}я", "бля"), "бл\u{00AD}я");
    assert_eq!(hit(&f, "ты СУКА", "<сука>"), "СУКА");
    assert_eq!(hit(&f, "суkа", "<сука>"), "суkа"); // Latin k inside
    assert_eq!(hit(&f, "с.у.к.а", "<сука>"), "с.у.к.а");
    miss(&f, "суками", "<сука>");
    miss(&f, "cyka", "<сука>"); // all-Latin transliteration: script rule
                                // Substring entries do hit inside longer words: that is what
                                // whole-word mode is for.
    assert_eq!(hit(&f, "корабля", "бля"), "бля");
}

#[test]
fn russian_word_that_looks_latin_does_not_hit_english_entry() {
    let f = filter();
    // "сор" (litter) is written with Cyrillic letters that look like "cop".
    miss(&f, "в комнате сор", "<cop>");
    assert_eq!(hit(&f, "call a cop", "<cop>"), "cop");
    assert_eq!(hit(&f, "call a cоp", "<cop>"), "cоp"); // Cyrillic о
    assert_eq!(hit(&f, "call a с0p", "<cop>"), "с0p"); // Cyrillic с, digit
}

#[test]
fn arabic_tatweel_and_harakat() {
    let f = filter();
    assert_eq!(hit(&f, "يا كلب", "كلب"), "كلب");
    assert_eq!(hit(&f, "يا كـــلـــب", "كلب"), "كـــلـــب");
    assert_eq!(hit(&f, "يا كَلْبٌ", "كلب"), "كَلْبٌ");
    assert_eq!(hit(&f, "ك ل ب", "كلب"), "ك ل ب");
    // presentation forms (NFKD) — isolated kaf, lam, beh
    assert_eq!(
        hit(&f, "\u{FED9}\u{FEDD}\u{FE8F}", "كلب"),
        "\u{FED9}\u{FEDD}\u{FE8F}"
    );
    miss(&f, "مرحبا كيف حالك", "كلب");
}

#[test]
fn excerpt_ranges_are_in_the_original() {
    let f = filter();
    let text = "Ｈｉ！ ＦＲＥＥ ｍｏｎｅｙ ✨";
    let all = f.find_all(text);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].entry.word, "free");
    assert_eq!(&text[all[0].range.clone()], "ＦＲＥＥ");
    let m = &all[1];
    assert_eq!(m.entry.word, "free money");
    assert_eq!(&text[m.range.clone()], "ＦＲＥＥ ｍｏｎｅｙ");
    assert_eq!(m.action(), &Action::Delete);
}

#[test]
fn strictest_action() {
    let f = filter();
    let m = f.strictest("free money, 傻逼").unwrap();
    assert_eq!(m.action(), &Action::Mute);
    assert_eq!(m.entry.word, "傻逼");
    assert!(f.strictest("hello there").is_none());
}

#[test]
fn global_and_chat_lists_merge() {
    let global = [Entry::new("spam", Action::Delete)];
    let chat = vec![
        Entry::new("SPAM", Action::Ban),
        Entry::whole_word("crypto", Action::HoldForReview),
    ];
    let f = Filter::builder()
        .entries(global.iter().cloned())
        .entries(chat)
        .build()
        .unwrap();
    assert_eq!(f.len(), 3);
    assert_eq!(f.pattern_count(), 2); // "spam" and "SPAM" share a pattern
    let found = f.find_all("no spam");
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].index, 0);
    assert_eq!(found[1].index, 1);
    assert_eq!(f.strictest("no spam").unwrap().action(), &Action::Ban);
    assert!(f.find_all("cryptocurrency").is_empty());
    assert_eq!(f.entries()[2].mode, MatchMode::WholeWord);
}

#[test]
fn one_normalization_for_several_filters() {
    let global = Filter::new([Entry::new("spam", 1u32)]).unwrap();
    let chat = Filter::new([Entry::new("傻逼", 2u32)]).unwrap();
    let text = "s p a m 傻 逼";
    let n = Normalized::of(text);
    assert_eq!(n.as_str(), "spam傻逼");
    assert_eq!(global.find_in(&n)[0].excerpt(text), "s p a m");
    assert_eq!(chat.find_in(&n)[0].excerpt(text), "傻 逼");
    assert!(global.is_match_in(&n));
}

#[test]
fn shared_across_threads() {
    let f = Arc::new(filter());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let f = Arc::clone(&f);
            std::thread::spawn(move || {
                (0..200)
                    .filter(|j| f.is_match(&format!("msg {i} {j} s.p.a.m")))
                    .count()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
}
