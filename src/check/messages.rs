//! Message catalogs (`reports/messages.yaml`) and locales (docs/reports.md, "Language and
//! number format").

use super::Cx;
use crate::diag::{Diagnostic, FileId, codes, did_you_mean};
use crate::ir::{LANGUAGES, LOCALES, Locale, Messages};
use crate::load::{Loaded, MessagesDoc, Spanned};
use std::collections::{BTreeMap, BTreeSet};

/// A catalog's texts by key and language: each key with an English text, every text in a
/// language reports are written in, with the placeholders of its English text and none
/// that the text it rewords (the same key in `under`) lacks (E0522).
pub(super) fn messages(cx: &mut Cx, loaded: Option<&Loaded<MessagesDoc>>, under: &Messages) -> Messages {
    let mut out = Messages::new();
    let Some(loaded) = loaded else { return out };
    for (key, texts) in loaded.doc.iter() {
        let english = texts.iter().find(|(l, _)| l.value == "en").map(|(_, t)| t);
        let Some(english) = english else {
            let help = "write the English text under `en:`: it is what a language without this text says";
            cx.error(bad(cx, loaded.file, key, format!("message `{}` has no English text", key.value), help));
            continue;
        };
        let wanted = placeholders(&english.value);
        let reworded = under.get(&key.value).and_then(|t| t.get("en")).map(|t| placeholders(t));
        if let Some(known) = reworded.filter(|known| !wanted.is_subset(known)) {
            let unknown: Vec<String> = wanted.difference(&known).map(|n| format!("{{{n}}}")).collect();
            let message =
                format!("message `{}` names {}, which the text it rewords does not fill", key.value, unknown.join(" "));
            let help = format!("the template fills only {}", listed(&known));
            cx.error(bad(cx, loaded.file, english, message, &help));
            continue;
        }
        let mut each = BTreeMap::new();
        for (language, text) in texts.iter() {
            if !LANGUAGES.contains(&language.value.as_str()) {
                let message =
                    format!("message `{}` in `{}`, a language reports are not written in", key.value, language.value);
                let help = format!("the languages are {}", LANGUAGES.join(", "));
                cx.error(bad(cx, loaded.file, language, message, &help));
                continue;
            }
            let found = placeholders(&text.value);
            if found != wanted {
                let message = format!(
                    "message `{}` in `{}` names the placeholders {}, its English text {}",
                    key.value,
                    language.value,
                    listed(&found),
                    listed(&wanted)
                );
                let help = "a placeholder is filled from the template's call: every language names the same ones";
                cx.error(bad(cx, loaded.file, text, message, help));
                continue;
            }
            each.insert(language.value.clone(), text.value.clone());
        }
        out.insert(key.value.clone(), each);
    }
    out
}

/// `{a} {b}`, or `none`.
fn listed(p: &BTreeSet<&str>) -> String {
    if p.is_empty() {
        return "none".to_string();
    }
    p.iter().map(|n| format!("{{{n}}}")).collect::<Vec<_>>().join(" ")
}

fn bad<T>(cx: &Cx, file: FileId, at: &Spanned<T>, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(codes::E0522, message).at(cx.span(file, at)).label("here").help(help.to_string())
}

/// The names between braces in `text`: `{n} rows at {site}` has `n` and `site`.
pub fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        found.insert(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    found
}

/// The locale `locale:` names, if it is one (E0628).
pub(super) fn locale(cx: &mut Cx, file: FileId, tag: Option<&Spanned<String>>) -> Option<&'static Locale> {
    let tag = tag?;
    let found = Locale::named(&tag.value);
    if found.is_none() {
        let tags: Vec<&str> = LOCALES.iter().map(|l| l.tag).collect();
        let all = format!("the locales are {}", tags.join(", "));
        let help = did_you_mean(&tag.value, tags.iter().copied()).map_or(all.clone(), |d| format!("{d} {all}"));
        cx.error(
            Diagnostic::error(codes::E0628, format!("`locale: {}` is not a locale reports are written in", tag.value))
                .at(cx.span(file, tag))
                .label("unknown locale")
                .help(help),
        );
    }
    found
}
