//! Localized customer-facing text.
//!
//! Every word a customer reads comes from the Fluent files under `crates/core/locales/`,
//! embedded at build time. English (`en`) is the reference; Simplified Chinese (`zh-CN`),
//! Spanish (`es`), Brazilian Portuguese (`pt-BR`), Indonesian (`id`), Russian (`ru`) and Arabic
//! (`ar`) are complete translations of it (the tests check every message and its variables). A
//! message missing from a locale falls back to English so a customer never sees a bare id.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The embedded locales: tag and Fluent source. English comes first; this is also the order
/// in which languages are offered to a customer.
const LOCALES: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en/bot.ftl")),
    ("zh-CN", include_str!("../locales/zh-CN/bot.ftl")),
    ("es", include_str!("../locales/es/bot.ftl")),
    ("pt-BR", include_str!("../locales/pt-BR/bot.ftl")),
    ("id", include_str!("../locales/id/bot.ftl")),
    ("ru", include_str!("../locales/ru/bot.ftl")),
    ("ar", include_str!("../locales/ar/bot.ftl")),
];

/// Deprecated ISO 639 codes some clients still send, and their current code.
const LEGACY_LANGUAGE_CODES: &[(&str, &str)] = &[("in", "id")];

/// The language text falls back to.
pub const FALLBACK: &str = "en";

/// All customer-facing text, in every supported language.
pub struct Texts {
    bundles: Vec<(&'static str, FluentBundle<FluentResource>)>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Texts")
            .field("languages", &self.languages().collect::<Vec<_>>())
            .finish()
    }
}

impl Texts {
    /// Loads the embedded locales. Panics only if an embedded file is not valid Fluent, which
    /// the tests catch before a build ships.
    pub fn builtin() -> Texts {
        let bundles = LOCALES
            .iter()
            .map(|(tag, source)| {
                let langid: LanguageIdentifier = tag.parse().expect("embedded locale tag");
                let resource = FluentResource::try_new((*source).to_owned())
                    .unwrap_or_else(|(_, errors)| panic!("locale {tag} is invalid: {errors:?}"));
                let mut bundle = FluentBundle::new_concurrent(vec![langid]);
                // Telegram renders plain text; Unicode isolation marks would show up as noise
                // in some clients and break exact matching in tests.
                bundle.set_use_isolating(false);
                bundle
                    .add_resource(resource)
                    .unwrap_or_else(|errors| panic!("locale {tag} is invalid: {errors:?}"));
                (*tag, bundle)
            })
            .collect();
        Texts { bundles }
    }

    /// The supported language tags, fallback first.
    pub fn languages(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.bundles.iter().map(|(tag, _)| *tag)
    }

    /// Whether `tag` is exactly one of the supported tags.
    pub fn is_supported(&self, tag: &str) -> bool {
        self.languages().any(|t| t == tag)
    }

    /// Picks the supported language for a client's IETF tag (`en-US` → `en`, `zh-hans` →
    /// `zh-CN`, `es-MX` → `es`, `pt`/`pt-PT` → `pt-BR`, the legacy `in` → `id`), or `None` if
    /// none fits. Traditional Chinese is not mapped to Simplified: those customers are asked
    /// instead.
    pub fn negotiate(&self, requested: &str) -> Option<&'static str> {
        let requested = requested.trim().replace('_', "-").to_ascii_lowercase();
        if requested.is_empty() {
            return None;
        }
        if let Some(exact) = self
            .languages()
            .find(|t| t.to_ascii_lowercase() == requested)
        {
            return Some(exact);
        }
        let mut parts = requested.split('-');
        let primary = parts.next().unwrap_or_default();
        let primary = LEGACY_LANGUAGE_CODES
            .iter()
            .find(|(legacy, _)| *legacy == primary)
            .map_or(primary, |(_, current)| *current);
        if primary == "zh" {
            let traditional = parts.any(|p| matches!(p, "hant" | "tw" | "hk" | "mo"));
            return (!traditional)
                .then_some("zh-CN")
                .filter(|t| self.is_supported(t));
        }
        self.languages()
            .find(|t| t.split('-').next() == Some(primary))
    }

    /// Formats message `id` in `lang` with `args`, falling back to English.
    pub fn get(&self, lang: &str, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, FluentValue::from(*value));
        }
        for tag in [lang, FALLBACK] {
            let Some((_, bundle)) = self.bundles.iter().find(|(t, _)| *t == tag) else {
                continue;
            };
            let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            if !errors.is_empty() {
                tracing::warn!(lang = tag, id, ?errors, "message formatted with errors");
            }
            return text.into_owned();
        }
        tracing::error!(lang, id, "message missing from every locale");
        id.to_owned()
    }

    /// The ids of every message in a locale (for completeness checks).
    pub fn message_ids(&self, lang: &str) -> Vec<String> {
        let source = LOCALES
            .iter()
            .find(|(t, _)| *t == lang)
            .map(|(_, s)| *s)
            .unwrap_or_default();
        source
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '\t']) && l.contains(" ="))
            .filter_map(|l| l.split(" =").next())
            .map(str::to_owned)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// The locales added after English and Chinese, with a sample customer name in each.
    const NEW_LOCALES: &[(&str, &str, &str)] = &[
        ("es", "Español", "Lucía"),
        ("pt-BR", "Português (Brasil)", "João"),
        ("id", "Bahasa Indonesia", "Budi"),
        ("ru", "Русский", "Анна"),
        ("ar", "العربية", "فاطمة"),
    ];

    /// The `$variable` names each message of a locale's source uses, by message id.
    fn variables_by_message(lang: &str) -> BTreeMap<String, BTreeSet<String>> {
        let source = LOCALES
            .iter()
            .find(|(t, _)| *t == lang)
            .map(|(_, s)| *s)
            .unwrap_or_else(|| panic!("no locale {lang}"));
        let mut messages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut current: Option<String> = None;
        for line in source.lines() {
            let body = if line.starts_with('#') {
                current = None;
                continue;
            } else if line.starts_with([' ', '\t']) || line.is_empty() {
                line
            } else if let Some((id, value)) = line.split_once(" =") {
                let id = id.trim().to_owned();
                messages.entry(id.clone()).or_default();
                current = Some(id);
                value
            } else {
                current = None;
                continue;
            };
            let Some(id) = &current else { continue };
            let variables = messages.get_mut(id).expect("entry exists");
            let mut depth = 0usize;
            let mut chars = body.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '{' => depth += 1,
                    '}' => depth = depth.saturating_sub(1),
                    '$' if depth > 0 => {
                        let mut name = String::new();
                        while let Some(&n) = chars.peek() {
                            if n.is_ascii_alphanumeric() || n == '_' || n == '-' {
                                name.push(n);
                                chars.next();
                            } else {
                                break;
                            }
                        }
                        variables.insert(name);
                    }
                    _ => {}
                }
            }
        }
        messages
    }

    #[test]
    fn every_locale_has_every_english_message() {
        let texts = Texts::builtin();
        let english = texts.message_ids("en");
        assert!(english.len() > 10, "english locale looks truncated");
        let languages: Vec<_> = texts.languages().collect();
        assert_eq!(languages, ["en", "zh-CN", "es", "pt-BR", "id", "ru", "ar"]);
        for lang in languages {
            let ids = texts.message_ids(lang);
            for id in &english {
                assert!(ids.contains(id), "{lang} lacks `{id}`");
            }
            for id in &ids {
                assert!(
                    english.contains(id),
                    "{lang} has `{id}`, which English lacks"
                );
            }
        }
    }

    #[test]
    fn every_locale_uses_the_english_variables() {
        let texts = Texts::builtin();
        let english = variables_by_message("en");
        assert_eq!(
            english.get("privacy-notice"),
            Some(&BTreeSet::from(["name".to_owned(), "version".to_owned()])),
            "the variable scanner reads multi-line messages"
        );
        assert_eq!(
            english.get("checkout-short"),
            Some(&BTreeSet::from([
                "available".to_owned(),
                "item".to_owned(),
                "quantity".to_owned()
            ]))
        );
        for lang in texts.languages() {
            let translated = variables_by_message(lang);
            for (id, variables) in &english {
                assert_eq!(
                    translated.get(id),
                    Some(variables),
                    "{lang}: `{id}` must use exactly the variables of English"
                );
            }
        }
    }

    #[test]
    fn every_message_formats_cleanly_in_every_locale() {
        let texts = Texts::builtin();
        let english = variables_by_message("en");
        for (tag, bundle) in &texts.bundles {
            for (id, variables) in &english {
                let mut args = FluentArgs::new();
                for name in variables {
                    args.set(name.as_str(), FluentValue::from("x"));
                }
                let pattern = bundle
                    .get_message(id)
                    .and_then(|m| m.value())
                    .unwrap_or_else(|| panic!("{tag}: `{id}` has no value"));
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{tag}: `{id}`: {errors:?}");
                assert!(!text.trim().is_empty(), "{tag}: `{id}` is empty");
            }
        }
    }

    #[test]
    fn command_descriptions_fit_telegram() {
        let texts = Texts::builtin();
        for lang in texts.languages() {
            for id in texts.message_ids(lang) {
                if id.starts_with("cmd-") {
                    let text = texts.get(lang, &id, &[]);
                    let length = text.chars().count();
                    assert!(
                        (1..256).contains(&length),
                        "{lang}: `{id}` is {length} long"
                    );
                }
            }
        }
    }

    #[test]
    fn formats_arguments_in_each_language() {
        let texts = Texts::builtin();
        let en = texts.get(
            "en",
            "privacy-notice",
            &[("name", "Ana"), ("version", "v3")],
        );
        assert!(en.starts_with("Hi Ana, welcome!"), "{en}");
        assert!(en.contains("version v3"));
        let zh = texts.get(
            "zh-CN",
            "privacy-notice",
            &[("name", "小明"), ("version", "v3")],
        );
        assert!(zh.starts_with("小明"), "{zh}");
        assert!(zh.contains("v3"));
        for (lang, own_name, customer) in NEW_LOCALES {
            assert_eq!(texts.get(lang, "language-name", &[]), *own_name);
            let notice = texts.get(
                lang,
                "privacy-notice",
                &[("name", customer), ("version", "v3")],
            );
            assert!(notice.contains(customer), "{lang}: {notice}");
            assert!(notice.contains("v3"), "{lang}: {notice}");
            assert!(notice.contains("/privacy"), "{lang}: {notice}");
            assert!(!notice.contains('{'), "{lang}: {notice}");
            assert!(notice.lines().count() > 5, "{lang} notice stays multi-line");
            let english_notice = texts.get(
                "en",
                "privacy-notice",
                &[("name", customer), ("version", "v3")],
            );
            assert_ne!(notice, english_notice, "{lang} is translated");
            let paid = texts.get(lang, "order-paid", &[("order", "42"), ("total", "9.99")]);
            assert!(
                paid.contains("#42") && paid.contains("9.99"),
                "{lang}: {paid}"
            );
        }
    }

    #[test]
    fn unknown_language_falls_back_to_english() {
        let texts = Texts::builtin();
        assert_eq!(
            texts.get("xx", "button-expired", &[]),
            "This button is no longer valid."
        );
    }

    #[test]
    fn negotiates_client_tags() {
        let texts = Texts::builtin();
        assert_eq!(texts.negotiate("en"), Some("en"));
        assert_eq!(texts.negotiate("en-US"), Some("en"));
        assert_eq!(texts.negotiate("zh-hans"), Some("zh-CN"));
        assert_eq!(texts.negotiate("zh"), Some("zh-CN"));
        assert_eq!(texts.negotiate("zh-CN"), Some("zh-CN"));
        assert_eq!(texts.negotiate("zh-hant"), None);
        assert_eq!(texts.negotiate("zh-TW"), None);
        assert_eq!(texts.negotiate("zh-HK"), None);
        assert_eq!(texts.negotiate("zh-MO"), None);
        assert_eq!(texts.negotiate("zh-Hant-TW"), None);
        assert_eq!(texts.negotiate("es"), Some("es"));
        assert_eq!(texts.negotiate("es-MX"), Some("es"));
        assert_eq!(texts.negotiate("es-419"), Some("es"));
        assert_eq!(texts.negotiate("pt-br"), Some("pt-BR"));
        assert_eq!(texts.negotiate("pt-BR"), Some("pt-BR"));
        assert_eq!(texts.negotiate("pt"), Some("pt-BR"));
        assert_eq!(texts.negotiate("pt-PT"), Some("pt-BR"));
        assert_eq!(texts.negotiate("id"), Some("id"));
        assert_eq!(texts.negotiate("in"), Some("id"));
        assert_eq!(texts.negotiate("in-ID"), Some("id"));
        assert_eq!(texts.negotiate("ru"), Some("ru"));
        assert_eq!(texts.negotiate("ru-RU"), Some("ru"));
        assert_eq!(texts.negotiate("ar"), Some("ar"));
        assert_eq!(texts.negotiate("ar-EG"), Some("ar"));
        assert_eq!(texts.negotiate("ar_SA"), Some("ar"));
        assert_eq!(texts.negotiate("de"), None);
        assert_eq!(texts.negotiate("uk"), None);
        assert_eq!(texts.negotiate(""), None);
    }
}
