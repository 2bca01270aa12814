//! What reports say in their reader's language (docs/reports.md, "Language and number
//! format"): the locale's numbers and days, and the texts of the message catalogs, the
//! tool's own (`messages.yaml` beside this file) overridden by the set's and then the
//! project's `reports/messages.yaml`.

use crate::check::Checked;
use crate::ir::{Locale, Messages, built_in_messages};
use std::sync::Arc;

/// The tool's catalog, then the set's texts over it, then the project's.
pub fn catalog(checked: &Checked) -> Messages {
    let mut all = built_in_messages();
    for layer in std::iter::once(&checked.set.messages).chain(checked.project.iter().map(|p| &p.messages)) {
        crate::ir::reword(&mut all, layer);
    }
    all
}

/// A report's words: its locale and the catalogs.
#[derive(Clone)]
pub struct Words {
    pub locale: &'static Locale,
    catalog: Arc<Messages>,
}

impl Words {
    pub fn new(locale: &'static Locale, catalog: Arc<Messages>) -> Words {
        Words { locale, catalog }
    }

    /// English, with the tool's own catalog only.
    pub fn english() -> Words {
        Words::new(Locale::default_one(), Arc::new(built_in_messages()))
    }

    /// The text of `key` in the locale's language (else in English), its `{placeholders}`
    /// filled from `args`; `None` when no catalog has the key.
    pub fn text(&self, key: &str, args: &[(&str, &str)]) -> Option<String> {
        let texts = self.catalog.get(key)?;
        let text = texts.get(self.locale.language).or_else(|| texts.get("en"))?;
        Some(fill(text, args))
    }

    /// [`Words::text`] of a key of the tool's own catalog, which has every one (tested).
    pub fn say(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.text(key, args).unwrap_or_else(|| key.to_string())
    }

    /// A site id as readers say it: the pooled row is all sites.
    pub fn site(&self, id: &str) -> String {
        if id == crate::ir::SiteRef::ALL { self.say("all_sites", &[]) } else { id.to_string() }
    }

    /// A value in its unit: a share as a percentage with one decimal, others with up to
    /// two (none from 100 up); none as a dash.
    pub fn number(&self, value: Option<f64>, unit: Option<&str>) -> String {
        match (value, unit) {
            (None, _) => "–".into(),
            (Some(v), Some("%")) => self.percent(v * 100.0, false),
            (Some(v), _) => self.plain(v),
        }
    }

    /// Up to two decimals, none from 100 up, trailing zeros dropped: `0.66`, `1.5`, `1,234`.
    pub fn plain(&self, v: f64) -> String {
        if v.abs() >= 100.0 {
            return self.locale.decimals(v, 0);
        }
        let text = self.locale.decimals(v, 2);
        let text = text.trim_end_matches('0');
        text.strip_suffix(self.locale.decimal).unwrap_or(text).to_string()
    }

    /// `12.3%` (`+12,3 %` in German, with `signed`), from a number of per cent.
    pub fn percent(&self, per_cent: f64, signed: bool) -> String {
        self.say("percent", &[("n", &self.signed(per_cent, 1, signed))])
    }

    /// `+1.2 pp`, from a number of percentage points.
    pub fn points(&self, points: f64, signed: bool) -> String {
        self.say("points", &[("n", &self.signed(points, 1, signed))])
    }

    fn signed(&self, v: f64, places: usize, signed: bool) -> String {
        let text = self.locale.decimals(v, places);
        if signed && !text.starts_with('-') { format!("+{text}") } else { text }
    }

    /// The change against the baseline: `+1.2 pp` for a share, else `-70.7%`; empty
    /// without one.
    pub fn delta(&self, delta: Option<f64>, delta_pct: Option<f64>, unit: &str) -> String {
        match unit {
            "%" => delta.map_or(String::new(), |d| self.points(d * 100.0, true)),
            _ => delta_pct.map_or(String::new(), |d| self.percent(d * 100.0, true)),
        }
    }

    /// A day as the locale writes it.
    pub fn day(&self, day: chrono::NaiveDate) -> String {
        self.locale.day(day)
    }
}

/// `text` with each `{name}` of `args` replaced by its value.
fn fill(text: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(text.to_string(), |t, (name, value)| t.replace(&format!("{{{name}}}"), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalog_says_everything_in_every_language_with_the_same_placeholders() {
        for (key, texts) in built_in_messages() {
            let english = texts.get("en").unwrap_or_else(|| panic!("{key} has no English text"));
            for language in crate::ir::LANGUAGES {
                let text = texts.get(language).unwrap_or_else(|| panic!("{key} has no text in {language}"));
                let (a, b) =
                    (crate::check::messages::placeholders(english), crate::check::messages::placeholders(text));
                assert_eq!(a, b, "{key} in {language}");
            }
        }
    }

    #[test]
    fn numbers_and_changes_read_as_each_language_writes_them() {
        let de = Words::new(Locale::named("de-DE").unwrap(), Arc::new(built_in_messages()));
        let en = Words::english();
        assert_eq!((en.number(Some(1234.6), None), de.number(Some(1234.6), None)), ("1,235".into(), "1.235".into()));
        assert_eq!((en.number(Some(0.66), None), de.number(Some(0.5), None)), ("0.66".into(), "0,5".into()));
        assert_eq!(
            (en.number(Some(0.184), Some("%")), de.number(Some(0.184), Some("%"))),
            ("18.4%".into(), "18,4 %".into())
        );
        assert_eq!(de.delta(Some(-0.115), None, "%"), "-11,5 Pp.");
        assert_eq!(en.delta(None, Some(0.314), "n"), "+31.4%");
        assert_eq!(de.say("page.number", &[("page", "1"), ("pages", "3")]), "Seite 1 von 3");
    }
}
