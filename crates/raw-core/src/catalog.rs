//! The message catalog: every sentence a program says, once per language, in Project
//! Fluent files a translator edits without knowing Rust (`crates/raw-core/catalog/en/`
//! and `crates/raw-core/catalog/pt-BR/`, one `.ftl` file per topic).
//!
//! Code never holds a sentence. A call site names its message and its arguments with
//! [`text!`](crate::text) — `text!("tcp-stopped", signal, served)` — and gets a [`Text`]:
//! a message id with its arguments, in no language yet. The views render it in the
//! language the user asked for ([`Text::render`]); the replay page renders the same
//! `Text` in the other language for its toggle. Whole sentences with named variables,
//! plural forms chosen inside the message by the language's own rules (CLDR: in
//! Portuguese 0 takes the singular, in English the plural), as gettext's manual asks
//! ("entire sentences, format strings instead of concatenation").
//!
//! A test checks that both languages have the same ids with the same variables, that
//! every id is used, and that every call site names an id that exists with exactly the
//! variables it passes.

#![forbid(unsafe_code)]

use crate::lang::Lang;
pub use crate::trace::text::{into, num, Arg, Text};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// The catalog's files, per language, in the order they are loaded.
pub const FILES: &[(&str, &str, &str)] = &[
    (
        "core.ftl",
        include_str!("../catalog/en/core.ftl"),
        include_str!("../catalog/pt-BR/core.ftl"),
    ),
    (
        "syscalls.ftl",
        include_str!("../catalog/en/syscalls.ftl"),
        include_str!("../catalog/pt-BR/syscalls.ftl"),
    ),
    (
        "errors.ftl",
        include_str!("../catalog/en/errors.ftl"),
        include_str!("../catalog/pt-BR/errors.ftl"),
    ),
    (
        "views.ftl",
        include_str!("../catalog/en/views.ftl"),
        include_str!("../catalog/pt-BR/views.ftl"),
    ),
    (
        "states.ftl",
        include_str!("../catalog/en/states.ftl"),
        include_str!("../catalog/pt-BR/states.ftl"),
    ),
    (
        "tcp.ftl",
        include_str!("../catalog/en/tcp.ftl"),
        include_str!("../catalog/pt-BR/tcp.ftl"),
    ),
    (
        "udp.ftl",
        include_str!("../catalog/en/udp.ftl"),
        include_str!("../catalog/pt-BR/udp.ftl"),
    ),
    (
        "multi.ftl",
        include_str!("../catalog/en/multi.ftl"),
        include_str!("../catalog/pt-BR/multi.ftl"),
    ),
    (
        "bench.ftl",
        include_str!("../catalog/en/bench.ftl"),
        include_str!("../catalog/pt-BR/bench.ftl"),
    ),
    (
        "trace.ftl",
        include_str!("../catalog/en/trace.ftl"),
        include_str!("../catalog/pt-BR/trace.ftl"),
    ),
    (
        "help.ftl",
        include_str!("../catalog/en/help.ftl"),
        include_str!("../catalog/pt-BR/help.ftl"),
    ),
];

impl Text {
    /// The sentence in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let bundle = bundle(lang);
        let Some(pattern) = bundle.get_message(self.id).and_then(|m| m.value()) else {
            return format!("[{}]", self.id);
        };
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            args.set(*name, fluent_value(value, lang));
        }
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&args), &mut errors)
            .into_owned()
    }
}

/// The message `id` with no arguments in `lang`, if the catalog has it (clap's help,
/// looked up by a command's path).
pub fn render_id(id: &str, lang: Lang) -> Option<String> {
    let bundle = bundle(lang);
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    Some(
        bundle
            .format_pattern(pattern, None, &mut errors)
            .into_owned(),
    )
}

/// The attribute `attribute` of the message `id` in `lang` (a command's `.long` help).
pub fn render_attribute(id: &str, attribute: &str, lang: Lang) -> Option<String> {
    let bundle = bundle(lang);
    let pattern = bundle.get_message(id)?.get_attribute(attribute)?.value();
    let mut errors = Vec::new();
    Some(
        bundle
            .format_pattern(pattern, None, &mut errors)
            .into_owned(),
    )
}

/// An argument as Fluent sees it. Whole numbers beyond 2^53 (nanoseconds, byte
/// counters) go as text, so no digit is lost to a float.
fn fluent_value(value: &Arg, lang: Lang) -> FluentValue<'static> {
    match value {
        Arg::Int(n) if n.unsigned_abs() < (1 << 53) => FluentValue::from(*n),
        Arg::Int(n) => FluentValue::from(n.to_string()),
        Arg::Float(x) => FluentValue::from(*x),
        Arg::Fixed(x, decimals) => FluentValue::from(lang.num(*x, *decimals)),
        Arg::Str(s) => FluentValue::from(s.clone()),
        Arg::Text(t) => FluentValue::from(t.render(lang)),
    }
}

/// The bundle of one language, built once from the embedded files.
fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static EN: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    static PT: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    let cell = match lang {
        Lang::En => &EN,
        Lang::PtBr => &PT,
    };
    cell.get_or_init(|| build(lang))
}

fn build(lang: Lang) -> FluentBundle<FluentResource> {
    let locale = match lang {
        Lang::En => "en",
        Lang::PtBr => "pt-BR",
    };
    let mut bundle = FluentBundle::new_concurrent(vec![locale.parse().expect("a valid locale")]);
    // No Unicode isolation marks: the text goes to terminals and is compared with strace.
    bundle.set_use_isolating(false);
    if lang == Lang::PtBr {
        bundle.set_formatter(Some(decimal_comma));
    }
    for (_, en, pt) in FILES {
        let source = match lang {
            Lang::En => en,
            Lang::PtBr => pt,
        };
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(resource) => resource,
            Err((resource, _)) => resource, // the catalog test names every syntax error
        };
        bundle.add_resource_overriding(resource);
    }
    bundle
}

/// Portuguese writes a figure with the decimal comma: `1,25`.
fn decimal_comma<M>(value: &FluentValue, _: &M) -> Option<String> {
    match value {
        FluentValue::Number(n) => Some(n.as_string().replace('.', ",")),
        _ => None,
    }
}

/// The variables a message's pattern uses (`$name`), selectors and nested
/// placeables included.
fn variables(
    pattern: &fluent_syntax::ast::Pattern<&str>,
    out: &mut std::collections::BTreeSet<String>,
) {
    use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
    fn inline(e: &InlineExpression<&str>, out: &mut std::collections::BTreeSet<String>) {
        match e {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            InlineExpression::Placeable { expression } => expression_vars(expression, out),
            InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline(a, out);
                }
            }
            _ => {}
        }
    }
    fn expression_vars(e: &Expression<&str>, out: &mut std::collections::BTreeSet<String>) {
        match e {
            Expression::Inline(i) => inline(i, out),
            Expression::Select { selector, variants } => {
                inline(selector, out);
                for v in variants {
                    variables(&v.value, out);
                }
            }
        }
    }
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_vars(expression, out);
        }
    }
}

/// Every message of one language's files: id → its variables. Syntax errors are
/// returned as text, with the file they are in.
pub fn messages(
    lang: Lang,
) -> Result<std::collections::BTreeMap<String, std::collections::BTreeSet<String>>, String> {
    let mut all = std::collections::BTreeMap::new();
    for (file, en, pt) in FILES {
        let source = if lang == Lang::En { en } else { pt };
        let resource = fluent_syntax::parser::parse(*source)
            .map_err(|(_, errors)| format!("{}/{file}: {errors:?}", lang.code()))?;
        for entry in resource.body {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                let mut vars = std::collections::BTreeSet::new();
                if let Some(value) = &m.value {
                    variables(value, &mut vars);
                }
                if all.insert(m.id.name.to_string(), vars).is_some() {
                    return Err(format!("{}/{file}: {} twice", lang.code(), m.id.name));
                }
            }
        }
    }
    Ok(all)
}

impl Lang {
    /// The catalog's message `text` in this language.
    pub fn say(self, text: Text) -> String {
        text.render(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// The `text!("id", a, b = ...)` call sites of every crate: id → the names passed.
    fn call_sites() -> Vec<(String, String, BTreeSet<String>)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        let mut dirs = vec![root.join("crates")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("a crates folder").flatten() {
                let path = entry.path();
                if path.is_dir() && !path.ends_with("target") {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("src/catalog.rs")
                    && !path.ends_with("src/trace/text.rs")
                {
                    files.push(path);
                }
            }
        }
        let mut sites = Vec::new();
        for file in files {
            let source = std::fs::read_to_string(&file).expect("a source file");
            let shown = file
                .strip_prefix(&root)
                .unwrap_or(&file)
                .display()
                .to_string();
            let mut rest = source.as_str();
            while let Some(at) = rest.find("text!(") {
                let after = &rest[at + "text!(".len()..];
                let (args, _) = top_level_args(after);
                rest = after; // nested calls are call sites too
                let Some(id) = args.first().and_then(|a| a.trim().strip_prefix('"')) else {
                    continue;
                };
                let id = id.trim_end_matches('"').to_string();
                let names = args[1..]
                    .iter()
                    .map(|a| a.split('=').next().unwrap_or("").trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect();
                sites.push((shown.clone(), id, names));
            }
        }
        sites
    }

    /// The comma-separated arguments up to the `)` that closes the call, and the text
    /// after it. Strings and nested brackets are skipped.
    fn top_level_args(s: &str) -> (Vec<String>, &str) {
        let (mut depth, mut args, mut current) = (0i32, Vec::new(), String::new());
        let mut chars = s.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    current.push(c);
                    while let Some((_, d)) = chars.next() {
                        current.push(d);
                        if d == '\\' {
                            if let Some((_, e)) = chars.next() {
                                current.push(e);
                            }
                        } else if d == '"' {
                            break;
                        }
                    }
                }
                // A char literal ('"', '\'', '{'); a lifetime has no closing quote.
                '\'' if s[i + 1..].chars().nth(1) == Some('\'') || s[i + 1..].starts_with('\\') => {
                    current.push(c);
                    for (_, d) in chars.by_ref() {
                        current.push(d);
                        if d == '\'' && !current.ends_with("\\\'") {
                            break;
                        }
                    }
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    current.push(c);
                }
                ')' | ']' | '}' if depth == 0 => {
                    if !current.trim().is_empty() {
                        args.push(current);
                    }
                    return (args, &s[i + 1..]);
                }
                ')' | ']' | '}' => {
                    depth -= 1;
                    current.push(c);
                }
                ',' if depth == 0 => args.push(std::mem::take(&mut current)),
                _ => current.push(c),
            }
        }
        (args, "")
    }

    /// Both languages parse, hold the same ids, and each id the same variables.
    #[test]
    fn both_languages_have_the_same_messages_and_variables() {
        let en = messages(Lang::En).expect("the English catalog parses");
        let pt = messages(Lang::PtBr).expect("the Portuguese catalog parses");
        let only_en: Vec<_> = en.keys().filter(|k| !pt.contains_key(*k)).collect();
        let only_pt: Vec<_> = pt.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(only_en.is_empty(), "missing in pt-BR: {only_en:?}");
        assert!(only_pt.is_empty(), "missing in en: {only_pt:?}");
        for (id, vars) in &en {
            assert_eq!(
                vars, &pt[id],
                "{id}: the two languages use different variables"
            );
        }
    }

    /// Every call site names a message that exists, with exactly its variables; every
    /// message (but clap's help, read by its path in the command tree) is used.
    #[test]
    fn every_call_site_matches_its_message_and_every_message_is_used() {
        let en = messages(Lang::En).expect("the English catalog parses");
        let mut used = BTreeSet::new();
        let mut wrong = Vec::new();
        for (file, id, names) in call_sites() {
            used.insert(id.clone());
            match en.get(&id) {
                None => wrong.push(format!("{file}: no message {id}")),
                Some(vars) if vars != &names => {
                    wrong.push(format!("{file}: {id} takes {vars:?}, given {names:?}"))
                }
                _ => {}
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        let unused: Vec<_> = en
            .keys()
            .filter(|id| !used.contains(*id) && !id.starts_with("help-"))
            .collect();
        assert!(unused.is_empty(), "messages no code uses: {unused:?}");
    }

    /// Every message renders in both languages with sample arguments, without a
    /// Fluent error (an unknown variable, a missing default variant).
    #[test]
    fn every_message_renders_in_both_languages() {
        let en: BTreeMap<_, _> = messages(Lang::En).expect("parses");
        for lang in [Lang::En, Lang::PtBr] {
            let bundle = bundle(lang);
            for (id, vars) in &en {
                let message = bundle
                    .get_message(id)
                    .expect("the message is in the bundle");
                let pattern = message.value().expect("a value");
                for sample in [
                    FluentValue::from(1),
                    FluentValue::from(0),
                    FluentValue::from("x"),
                ] {
                    let mut args = FluentArgs::new();
                    for v in vars {
                        args.set(v.clone(), sample.clone());
                    }
                    let mut errors = Vec::new();
                    let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                    assert!(errors.is_empty(), "{lang:?} {id}: {errors:?}");
                    assert!(!text.contains('\u{2068}'), "{id}: isolation marks");
                }
            }
        }
    }

    /// Plurals follow each language's rules: Portuguese says 0 in the singular.
    #[test]
    fn plurals_follow_each_languages_rules() {
        let zero = crate::sentences::waited("foo", 0, 3);
        assert!(zero.render(Lang::En).contains("no fd was ready"));
        let one = crate::sentences::waited("foo", 1, 3);
        assert!(one.render(Lang::En).contains("use it without"));
        assert_ne!(one.render(Lang::PtBr), one.render(Lang::En));
        let two = crate::sentences::io_uring_enter(2, 0);
        assert!(two.render(Lang::En).contains("2 queued requests"));
        assert!(two.render(Lang::PtBr).contains("os 2 pedidos"));
        assert_eq!(num(1.256, 2), Arg::Fixed(1.256, 2));
        let figure = Text::new("sys-send").with("count", num(1.5, 1));
        assert!(
            figure.render(Lang::PtBr).contains("1,5"),
            "{}",
            figure.render(Lang::PtBr)
        );
    }
}
