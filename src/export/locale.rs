//! Numbers, money and dates as a reader of the export's language writes them: "1.234,50" in
//! Danish and Norwegian, "1 234,50" in Swedish, "1,234.50" in English (ICU4X's CLDR data),
//! and dates as the language's usual short form (chrono's locale tables).

use chrono::NaiveDate;
use fixed_decimal::Decimal;
use icu_decimal::DecimalFormatter;
use icu_locale_core::locale;

use crate::organisation::Language;

pub struct Locale {
    pub language: Language,
    decimal: DecimalFormatter,
}

impl std::fmt::Debug for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Locale")
            .field("language", &self.language)
            .finish()
    }
}

impl Locale {
    pub fn new(language: Language) -> Locale {
        let tag = match language {
            Language::Da => locale!("da"),
            Language::Sv => locale!("sv"),
            Language::Nb => locale!("nb"),
            Language::En => locale!("en-GB"),
        };
        // Compiled CLDR data covers all four; failing here would be a build without it.
        let decimal = DecimalFormatter::try_new((&tag).into(), Default::default())
            .expect("compiled decimal data for the four languages");
        Locale { language, decimal }
    }

    /// A whole number with the language's grouping ("12.345").
    pub fn integer(&self, n: i64) -> String {
        self.decimal.format(&Decimal::from(n)).to_string()
    }

    /// An amount of money with two decimals ("1.234,50"). Amounts are whole hundredths.
    pub fn money(&self, amount: f64) -> String {
        let cents = (amount * 100.0).round() as i64;
        let mut d = Decimal::from(cents);
        d.absolute.multiply_pow10(-2);
        d.absolute.pad_end(-2);
        self.decimal.format(&d).to_string()
    }

    /// Hours to the quarter, without trailing zeros ("7,5", "12").
    pub fn hours(&self, hours: f64) -> String {
        let quarters = (hours * 100.0).round() as i64;
        let mut d = Decimal::from(quarters);
        d.absolute.multiply_pow10(-2);
        d.absolute.trim_end();
        self.decimal.format(&d).to_string()
    }

    /// A share as a whole per cent ("87 %", "87%" in English).
    pub fn percent(&self, share: f64) -> String {
        let n = (share * 100.0).round() as i64;
        match self.language {
            Language::En => format!("{}%", self.integer(n)),
            _ => format!("{}\u{a0}%", self.integer(n)),
        }
    }

    /// A date in the language's short form ("01-12-2026", "2026-12-01", "01.12.2026", "1 Dec 2026").
    pub fn date(&self, date: NaiveDate) -> String {
        match self.language {
            Language::Da => date
                .format_localized("%x", chrono::Locale::da_DK)
                .to_string(),
            Language::Sv => date
                .format_localized("%x", chrono::Locale::sv_SE)
                .to_string(),
            // nb_NO's %x spells the month out ("09. mars 2026"); tables want the numeric form
            // Norwegians write as well.
            Language::Nb => date
                .format_localized("%d.%m.%Y", chrono::Locale::nb_NO)
                .to_string(),
            // en_GB's %x has a two-digit year; a day, a month name and a year cannot be misread.
            Language::En => date
                .format_localized("%-d %b %Y", chrono::Locale::en_GB)
                .to_string(),
        }
    }

    /// A number as Excel of the language reads it from CSV: no grouping, the decimal sign of
    /// the language ("1234,5").
    pub fn plain(&self, n: f64) -> String {
        let text = format!("{}", (n * 100.0).round() / 100.0);
        match self.language {
            Language::En => text,
            _ => text.replace('.', ","),
        }
    }
}
