//! The two languages of the course: English and Brazilian Portuguese.
//!
//! Every sentence a program prints is written twice, side by side, at the place that
//! prints it (`lang.pick("Bound", "Vinculado")`), so a reader sees both at once and no
//! message can exist in one language only.

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
    /// Português do Brasil (the assignment's language).
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

    /// Picks the sentence written for this language (or for the other one, inside
    /// [`in_other_language`]).
    pub fn pick<'a>(self, en: &'a str, pt: &'a str) -> &'a str {
        let english = (self == Lang::En) != OTHER.with(|o| o.get());
        if english {
            en
        } else {
            pt
        }
    }
}

thread_local! {
    /// Set while [`in_other_language`] runs: every pick takes the other language.
    static OTHER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `say` with every sentence picked in the other language: how a step's sentence
/// is had in both languages for the replay page's toggle, from the same pair of
/// sentences written beside the call.
pub fn in_other_language<R>(say: impl FnOnce() -> R) -> R {
    OTHER.with(|o| o.set(true));
    let said = say();
    OTHER.with(|o| o.set(false));
    said
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

    /// The other language, for the replay's toggle, only inside the closure.
    #[test]
    fn the_other_language_is_picked_inside_only() {
        assert_eq!(in_other_language(|| Lang::En.pick("yes", "sim")), "sim");
        assert_eq!(in_other_language(|| Lang::PtBr.pick("yes", "sim")), "yes");
        assert_eq!(Lang::En.pick("yes", "sim"), "yes");
    }
}
