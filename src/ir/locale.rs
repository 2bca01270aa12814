//! The locales reports can be written in (docs/reports.md, "Language and number
//! format"): each a language of the message catalogs and a way of writing numbers and days.

/// How a locale writes numbers and days, and which language its words are in.
#[derive(Debug, PartialEq, Eq)]
pub struct Locale {
    /// `de-DE`: as `locale:` names it.
    pub tag: &'static str,
    /// The message catalogs' language: `en` or `de`.
    pub language: &'static str,
    /// The decimal mark and the thousands separator.
    pub decimal: char,
    pub group: &'static str,
    /// A day, as chrono's `format` writes it.
    pub day: &'static str,
}

/// Every locale, the default (`en`) first.
pub const LOCALES: [Locale; 7] = [
    Locale { tag: "en", language: "en", decimal: '.', group: ",", day: "%Y-%m-%d" },
    Locale { tag: "en-GB", language: "en", decimal: '.', group: ",", day: "%d/%m/%Y" },
    Locale { tag: "en-US", language: "en", decimal: '.', group: ",", day: "%m/%d/%Y" },
    Locale { tag: "de", language: "de", decimal: ',', group: ".", day: "%d.%m.%Y" },
    Locale { tag: "de-DE", language: "de", decimal: ',', group: ".", day: "%d.%m.%Y" },
    Locale { tag: "de-AT", language: "de", decimal: ',', group: ".", day: "%d.%m.%Y" },
    Locale { tag: "de-CH", language: "de", decimal: '.', group: "\u{2019}", day: "%d.%m.%Y" },
];

/// yardstick's own texts in reports (the glance, badges, charts, the printed page), by key
/// and language: what a set's or a project's `reports/messages.yaml` may reword.
pub fn built_in_messages() -> super::Messages {
    serde_saphyr::from_str(include_str!("../report/messages.yaml")).expect("the built-in catalog is a map of texts")
}

/// `layer`'s texts over `messages`, text by text (a key in one language).
pub fn reword(messages: &mut super::Messages, layer: &super::Messages) {
    for (key, texts) in layer {
        messages.entry(key.clone()).or_default().extend(texts.iter().map(|(l, t)| (l.clone(), t.clone())));
    }
}

/// The languages the catalogs are written in, English first: a text missing in another
/// language is said in English.
pub const LANGUAGES: [&str; 2] = ["en", "de"];

impl Locale {
    /// The default: English, ISO days.
    pub fn default_one() -> &'static Locale {
        &LOCALES[0]
    }

    /// The locale `tag` names (`de-DE`, `en`), if it is one.
    pub fn named(tag: &str) -> Option<&'static Locale> {
        LOCALES.iter().find(|l| l.tag == tag)
    }

    /// `v` with `places` decimals, the thousands of its whole part grouped:
    /// `12,345.67` in English, `12.345,67` in German.
    pub fn decimals(&self, v: f64, places: usize) -> String {
        let text = format!("{:.*}", places, v.abs());
        let (whole, fraction) = text.split_once('.').map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
        let mut grouped = String::new();
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push_str(self.group);
            }
            grouped.push(digit);
        }
        // A value that rounds to zero is written without its sign.
        let sign = if v < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') { "-" } else { "" };
        match fraction {
            Some(f) => format!("{sign}{grouped}{}{f}", self.decimal),
            None => format!("{sign}{grouped}"),
        }
    }

    /// A day as this locale writes it.
    pub fn day(&self, day: chrono::NaiveDate) -> String {
        day.format(self.day).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_marked_as_each_locale_writes_them() {
        let (en, de, ch) =
            (Locale::named("en").unwrap(), Locale::named("de-DE").unwrap(), Locale::named("de-CH").unwrap());
        assert_eq!(en.decimals(12345.678, 2), "12,345.68");
        assert_eq!(de.decimals(12345.678, 2), "12.345,68");
        assert_eq!(ch.decimals(1234567.0, 0), "1\u{2019}234\u{2019}567");
        assert_eq!(de.decimals(-0.5, 1), "-0,5");
        assert_eq!(en.decimals(-0.004, 2), "0.00");
        assert_eq!(en.decimals(999.0, 0), "999");
        let day = chrono::NaiveDate::from_ymd_opt(2025, 12, 6).unwrap();
        assert_eq!((en.day(day), de.day(day)), ("2025-12-06".to_string(), "06.12.2025".to_string()));
    }
}
