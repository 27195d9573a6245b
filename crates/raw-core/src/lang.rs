//! The two languages of the course: English and Brazilian Portuguese.
//!
//! The sentences themselves live in the message catalog ([`crate::catalog`]), one file
//! per topic and language; a [`Lang`] only chooses which one is rendered.

#![forbid(unsafe_code)]

use clap::ValueEnum;
use serde::Serialize;

/// The language of the narration and of the error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
pub enum Lang {
    /// English.
    #[value(name = "en")]
    #[serde(rename = "en")]
    En,
    /// Brazilian Portuguese (the assignment's language).
    #[value(name = "pt-BR", alias = "pt", alias = "pt_BR")]
    #[serde(rename = "pt-BR")]
    PtBr,
}

impl Lang {
    /// The language the environment asks for, as POSIX orders it: `LC_ALL`, then
    /// `LC_MESSAGES`, then `LANG`. Anything starting with `pt` means Portuguese.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = std::env::var(var) {
                if value.is_empty() {
                    continue;
                }
                return if value.to_ascii_lowercase().starts_with("pt") {
                    Lang::PtBr
                } else {
                    Lang::En
                };
            }
        }
        Lang::En
    }

    /// A figure with `decimals` digits after the separator, as this language writes it:
    /// `1.25` in English, `1,25` in Portuguese (the decimal comma).
    pub fn num(self, value: f64, decimals: usize) -> String {
        let text = format!("{value:.decimals$}");
        match self {
            Lang::En => text,
            Lang::PtBr => text.replace('.', ","),
        }
    }

    /// The language's tag (BCP 47), as HTML's `lang` attribute and the catalog's
    /// folders name it: `en`, `pt-BR`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::PtBr => "pt-BR",
        }
    }

    /// The other language of the course (for the replay page's toggle).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::PtBr,
            Lang::PtBr => Lang::En,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Portuguese writes figures with the decimal comma; English with the point.
    #[test]
    fn figures_use_each_languages_decimal_separator() {
        assert_eq!(Lang::En.num(1.256, 2), "1.26");
        assert_eq!(Lang::PtBr.num(1.256, 2), "1,26");
        assert_eq!(Lang::PtBr.num(12.0, 0), "12");
    }
}
