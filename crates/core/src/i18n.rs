//! Localized customer-facing text.
//!
//! Every word a customer reads comes from the Fluent files under `crates/core/locales/`,
//! embedded at build time. English (`en`) and Simplified Chinese (`zh-CN`) are complete; a
//! message missing from a locale falls back to English so a customer never sees a bare id.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The embedded locales: tag and Fluent source.
const LOCALES: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en/bot.ftl")),
    ("zh-CN", include_str!("../locales/zh-CN/bot.ftl")),
];

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
    /// `zh-CN`), or `None` if none fits. Traditional Chinese is not mapped to Simplified:
    /// those customers are asked instead.
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

    #[test]
    fn every_locale_has_every_english_message() {
        let texts = Texts::builtin();
        let english = texts.message_ids("en");
        assert!(english.len() > 10, "english locale looks truncated");
        for lang in texts.languages() {
            let ids = texts.message_ids(lang);
            for id in &english {
                assert!(ids.contains(id), "{lang} lacks `{id}`");
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
        assert_eq!(texts.negotiate("es"), None);
        assert_eq!(texts.negotiate(""), None);
    }
}
