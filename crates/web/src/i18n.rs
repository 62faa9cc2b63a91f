//! The interface's two languages. Every visible string is a Fluent message in
//! `locales/{en-US,zh-CN}/*.ftl`; a test checks both languages have the same keys.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en-US",
        // Bidi isolation marks would show up in inputs and tests; both languages are LTR.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ZH: LanguageIdentifier = langid!("zh-CN");
static EN: LanguageIdentifier = langid!("en-US");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en-US",
        }
    }

    /// The short form for `<html lang>`.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-Hans",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Pick from an Accept-Language header by quality; Chinese when nothing fits, since the
    /// co-op's members read Chinese first.
    pub fn negotiate(accept: Option<&str>) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in accept.unwrap_or("").split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim();
            let q = it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            if let Some(l) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::Zh)
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The message `key`; a missing key shows as the key itself (and the key-parity test fails).
    pub fn t(self, key: &str) -> String {
        LOCALES.try_lookup(self.id(), key).unwrap_or_else(|| key.to_owned())
    }

    pub fn t_args(self, key: &str, args: &[(&str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> =
            args.iter().map(|(k, v)| (Cow::Owned((*k).to_owned()), FluentValue::from(v.clone()))).collect();
        LOCALES.try_lookup_with_args(self.id(), key, &map).unwrap_or_else(|| key.to_owned())
    }

    /// Like [`Lang::t_args`], with number arguments too, which plural variants select on.
    pub fn t_counts(self, key: &str, args: &[(&str, String)], counts: &[(&str, i64)]) -> String {
        let mut map: HashMap<Cow<'static, str>, FluentValue> =
            args.iter().map(|(k, v)| (Cow::Owned((*k).to_owned()), FluentValue::from(v.clone()))).collect();
        map.extend(counts.iter().map(|(k, n)| (Cow::Owned((*k).to_owned()), FluentValue::from(*n))));
        LOCALES.try_lookup_with_args(self.id(), key, &map).unwrap_or_else(|| key.to_owned())
    }

    /// Whether a message exists in this language itself (not by fallback). A message with
    /// placeables fails to format without arguments, but it exists.
    pub fn has(self, key: &str) -> bool {
        match LOCALES.lookup_single_language::<String>(self.id(), key, None) {
            Ok(_) => true,
            Err(e) => format!("{e:?}").starts_with("FluentError"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_by_quality() {
        assert_eq!(Lang::negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr;q=1, zh-CN;q=0.8, en;q=0.5")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("de")), Lang::Zh);
        assert_eq!(Lang::negotiate(None), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("zh-TW;q=0.2, en-GB;q=0.7")), Lang::En);
    }

    #[test]
    fn looks_up_both_languages_with_args() {
        assert_eq!(Lang::En.t("nav-mines"), "Mines");
        assert_eq!(Lang::Zh.t("nav-mines"), "矿山");
        assert!(
            Lang::En
                .t_args("pager-summary", &[("total", "13".into()), ("page", "1".into()), ("pages", "2".into())])
                .contains("13")
        );
    }
}
