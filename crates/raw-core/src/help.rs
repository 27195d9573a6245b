//! `--help`, usage errors, man pages and shell completions in the user's language:
//! every binary's clap definition, its words taken from the catalog (`help.ftl`).
//!
//! A command's text is the message `help-<path>` (`help-raw-tcp-server`; its `.long`
//! attribute, when there is one, is the long help); an option's is
//! `help-<path>--<option>`, or `help-arg-<option>` for one every command shares
//! (`--lang`, `--port`). The doc comments in the code are for its readers; a test
//! checks that every command and option of every binary has its message, so no doc
//! comment ever reaches a user.
//!
//! The language is known before clap parses anything: `--lang X` (or `--lang=X`) on
//! the command line, else `LC_ALL`, `LC_MESSAGES`, `LANG`.

#![forbid(unsafe_code)]

use crate::catalog::Text;
use crate::lang::Lang;
use crate::text;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};
use std::io::Write;

/// The language a command line asks for, read before clap parses it.
pub fn lang_of(args: &[std::ffi::OsString]) -> Lang {
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(arg) = it.next() {
        let value = match arg.strip_prefix("--lang=") {
            Some(v) => Some(v.to_string()),
            None if arg == "--lang" => it.next().map(|v| v.to_string()),
            None => None,
        };
        if let Some(v) = value {
            let v = v.to_ascii_lowercase();
            if v.starts_with("pt") {
                return Lang::PtBr;
            } else if v.starts_with("en") {
                return Lang::En;
            }
            break; // not a language: clap says so, in the environment's language
        }
    }
    Lang::from_env()
}

/// One message of `help.ftl`, if it exists.
fn help_text(id: &str, lang: Lang) -> Option<String> {
    crate::catalog::render_id(id, lang)
}

/// The `.long` attribute of a command's message.
fn long_text(id: &str, lang: Lang) -> Option<String> {
    crate::catalog::render_attribute(id, "long", lang)
}

/// The catalog id of a command (`raw-tcp lab time-wait` → `help-raw-tcp-lab-time-wait`).
pub fn command_id(path: &str) -> String {
    format!("help-{}", path.replace(' ', "-"))
}

/// The catalog ids an option's help is looked for under, most specific first.
pub fn arg_ids(path: &str, arg: &str) -> [String; 2] {
    [
        format!("{}--{arg}", command_id(path)),
        format!("help-arg-{arg}"),
    ]
}

/// The value name a placeholder shows (`<PORT>` → `<PORTA>`).
fn value_name(name: &str, lang: Lang) -> String {
    // `FILE.pcap`: the word is translated, the extension kept.
    let (word, extension) = name.split_at(name.find('.').unwrap_or(name.len()));
    format!(
        "{}{extension}",
        text!("help-value", name = word).render(lang)
    )
}

/// `cmd`, and every subcommand under it, with its words from the catalog in `lang`:
/// about, long about, each option's help (with its default and possible values said
/// in `lang`), the headings, the usage line and the help and version flags.
pub fn localise(cmd: Command, lang: Lang) -> Command {
    let path = cmd.get_name().to_string();
    let cmd = if cmd.has_subcommands() {
        cmd.subcommand(
            Command::new("completions").arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(["bash", "zsh", "fish"]),
            ),
        )
    } else {
        cmd
    };
    localise_at(cmd, &path, lang)
}

fn localise_at(mut cmd: Command, path: &str, lang: Lang) -> Command {
    let id = command_id(path);
    let binary = path.split(' ').next().unwrap_or(path);
    if cmd.get_name() == "completions" {
        // The same subcommand in every binary, named in its own text.
        cmd = cmd.about(text!("help-completions", binary).render(lang));
    } else if let Some(about) = help_text(&id, lang) {
        cmd = cmd.about(about);
    }
    cmd = match long_text(&id, lang) {
        Some(long) => cmd.long_about(long),
        None => cmd.long_about(None::<&'static str>),
    };
    let options = text!("help-heading-options").render(lang);
    let arguments = text!("help-heading-arguments").render(lang);
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for arg_id in ids {
        let path = path.to_string();
        let heading = options.clone();
        let positional_heading = arguments.clone();
        cmd = cmd.mut_arg(arg_id.as_str(), |a| {
            localise_arg(a, &path, lang, &heading, &positional_heading)
        });
    }
    let has_version = cmd.get_version().is_some();
    cmd = cmd
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .global(true)
                .help(text!("help-flag-help").render(lang))
                .help_heading(options.clone()),
        )
        .subcommand_help_heading(text!("help-heading-commands").render(lang))
        .subcommand_value_name(value_name("COMMAND", lang))
        .disable_help_subcommand(true)
        .help_template(format!(
            "{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}\n",
            text!("help-usage-heading").render(lang)
        ));
    if has_version {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(text!("help-flag-version").render(lang))
                .help_heading(options),
        );
    }
    // clap writes `[OPTIONS]` in the usage line whatever the language.
    let options_word = value_name("OPTIONS", lang);
    if options_word != "OPTIONS" {
        let mut probe = cmd.clone().bin_name(path);
        let usage = probe.render_usage().to_string();
        let usage = usage
            .split_once(": ")
            .map_or(usage.as_str(), |(_, u)| u)
            .trim();
        cmd = cmd.override_usage(localise_placeholders(
            &usage.replace("[OPTIONS]", &format!("[{options_word}]")),
            lang,
        ));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let sub_path = format!("{path} {name}");
        cmd = cmd.mut_subcommand(name.as_str(), |s| localise_at(s, &sub_path, lang));
    }
    cmd
}

fn localise_arg(mut a: Arg, path: &str, lang: Lang, options: &str, arguments: &str) -> Arg {
    let id = a.get_id().to_string();
    let mut help = arg_ids(path, &id)
        .iter()
        .find_map(|id| help_text(id, lang))
        .unwrap_or_default();
    let values: Vec<clap::builder::PossibleValue> = a
        .get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set())
        .collect();
    let possible: Vec<String> = values.iter().map(|v| v.get_name().to_string()).collect();
    let takes_values = !matches!(a.get_action(), ArgAction::SetTrue | ArgAction::Count);
    if values.iter().any(|v| v.get_help().is_some()) && takes_values {
        // Each value with its own line, as clap's long help lists them.
        for v in &values {
            let said = help_text(&format!("help-value-{}", v.get_name()), lang).unwrap_or_default();
            help.push_str(&format!("\n- {}: {said}", v.get_name()));
        }
        help.push('\n');
    } else if !possible.is_empty() && takes_values {
        help.push(' ');
        help.push_str(&text!("help-possible", values = possible.join(", ")).render(lang));
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !matches!(a.get_action(), ArgAction::SetTrue | ArgAction::Count) {
        help.push(' ');
        help.push_str(&text!("help-default", value = defaults.join(",")).render(lang));
    }
    if let Some(names) = a.get_value_names() {
        let shown: Vec<String> = names.iter().map(|n| value_name(n, lang)).collect();
        a = a.value_names(shown);
    } else if a.get_action().takes_values() {
        a = a.value_name(value_name(&id.to_uppercase(), lang));
    }
    let heading = if a.is_positional() {
        arguments
    } else {
        options
    };
    if a.get_action().takes_values() {
        a = a.hide_default_value(true).hide_possible_values(true);
    }
    a.help(help)
        .long_help(None::<&'static str>)
        .help_heading(heading.to_string())
}

/// The command line parsed as `C`, with `--help` and every usage error in the user's
/// language. Usage errors go to stderr with a hint and exit 2; `--help` and
/// `--version` print and exit 0.
pub fn parse<C: clap::Parser>() -> C {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // For the maintainers' checks (docs-check's tests/help.rs): the man pages, and the
    // catalog ids the help of every command and option is looked up under.
    if let Some(dir) = std::env::var_os("RAW_WRITE_MAN") {
        let lang = lang_of(&args);
        let written = man_pages(C::command(), lang, std::path::Path::new(&dir));
        std::process::exit(if written.is_ok() { 0 } else { 1 });
    }
    if std::env::var_os("RAW_HELP_IDS").is_some() {
        let mut cmd = localise(C::command(), Lang::En);
        cmd.build();
        for (what, ids) in help_ids(&cmd) {
            let _ = writeln!(std::io::stdout(), "{what}\t{}", ids.join(" "));
        }
        std::process::exit(0);
    }
    let lang = lang_of(&args);
    let mut cmd = localise(C::command(), lang);
    // `<binary> completions bash|zsh|fish`: the completion script, before clap parses
    // (the labs' own subcommands need their other arguments).
    let words: Vec<&str> = {
        // The command line's words, options and --lang's value set aside.
        let mut words = Vec::new();
        let mut it = args.iter().skip(1).filter_map(|a| a.to_str());
        while let Some(a) = it.next() {
            if a == "--lang" {
                it.next();
            } else if !a.starts_with('-') {
                words.push(a);
            }
        }
        words
    };
    let asks_help = args.iter().any(|a| a == "--help" || a == "-h");
    if words.first() == Some(&"completions") && !asks_help {
        let binary = cmd.get_name().to_string();
        let shell = match words.get(1).copied() {
            Some("bash") => clap_complete::Shell::Bash,
            Some("zsh") => clap_complete::Shell::Zsh,
            Some("fish") => clap_complete::Shell::Fish,
            _ => {
                let _ = writeln!(
                    std::io::stderr(),
                    "{}: {}",
                    text!("cli-error").render(lang),
                    text!("help-completions-shell", binary).render(lang)
                );
                std::process::exit(2);
            }
        };
        completions(cmd, shell);
        std::process::exit(0);
    }
    let matches = match cmd.try_get_matches_from_mut(args) {
        Ok(matches) => matches,
        Err(e) => exit_with(e, &mut cmd, lang),
    };
    match C::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => exit_with(e, &mut cmd, lang),
    }
}

/// Prints clap's error in `lang` and exits: 0 for `--help`/`--version`, 2 otherwise.
fn exit_with(e: clap::Error, cmd: &mut Command, lang: Lang) -> ! {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        std::process::exit(0);
    }
    let said = usage_error(&e, lang).render(lang);
    let usage = usage_of(cmd, &std::env::args().skip(1).collect::<Vec<_>>());
    let usage = usage
        .split_once(": ")
        .map_or(usage.as_str(), |(_, u)| u)
        .trim();
    // The layout of clap's own message: the error, the usage line, where to read more.
    let _ = writeln!(
        std::io::stderr(),
        "{}: {said}\n\n{} {}\n\n{}",
        text!("cli-error").render(lang),
        text!("help-usage-heading").render(lang),
        localise_placeholders(
            &usage.replace("[OPTIONS]", &format!("[{}]", value_name("OPTIONS", lang))),
            lang
        ),
        text!("help-more").render(lang)
    );
    std::process::exit(2);
}

/// The usage line of the deepest subcommand the command line names (`raw-tcp server`).
fn usage_of(cmd: &mut Command, args: &[String]) -> String {
    let mut words = args.iter().filter(|a| !a.starts_with('-'));
    match words.find(|w| cmd.find_subcommand(w.as_str()).is_some()) {
        Some(name) => {
            let rest: Vec<String> = args
                .iter()
                .skip_while(|a| *a != name)
                .skip(1)
                .cloned()
                .collect();
            match cmd.find_subcommand_mut(name.as_str()) {
                Some(sub) => usage_of(sub, &rest),
                None => cmd.render_usage().to_string(),
            }
        }
        None => cmd.render_usage().to_string(),
    }
}

/// What clap found wrong, as a sentence of the catalog.
pub fn usage_error(e: &clap::Error, lang: Lang) -> Text {
    let context = |kind: ContextKind| -> String {
        match e.get(kind) {
            Some(ContextValue::String(s)) => s.clone(),
            Some(ContextValue::Strings(v)) => v.join(", "),
            Some(ContextValue::StyledStr(s)) => s.to_string(),
            Some(ContextValue::StyledStrs(v)) => v
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            Some(ContextValue::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let arg = localise_placeholders(&context(ContextKind::InvalidArg), lang);
    let value = context(ContextKind::InvalidValue);
    let valid = context(ContextKind::ValidValue);
    let suggested = context(ContextKind::SuggestedArg);
    let subcommand = context(ContextKind::InvalidSubcommand);
    let valid_subcommands = context(ContextKind::SuggestedSubcommand);
    let (no_value, no_valid) = (value.is_empty(), valid.is_empty());
    let none = |s: String| if s.is_empty() { "none".to_string() } else { s };
    let (value, valid, suggested) = (none(value), none(valid), none(suggested));
    let (subcommand, valid_subcommands) = (none(subcommand), none(valid_subcommands));
    // Why a value was refused: our own parser's sentence (already in the language), or
    // clap's range check, said again here.
    let why = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let range = why
        .split_once(" is not in ")
        .map(|(_, r)| r.trim().to_string())
        .unwrap_or_default();
    // Our own parsers' sentences quote the value first ('3601' is longer than...);
    // the standard library's ("invalid digit found in string") are English only.
    let (min, max) = range
        .split_once("..=")
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .unwrap_or_default();
    let ours = if range.is_empty() && why.starts_with('\'') {
        why
    } else {
        String::new()
    };
    let kind = match e.kind() {
        ErrorKind::ValueValidation if !range.is_empty() => "out-of-range",
        ErrorKind::ValueValidation if !ours.is_empty() => "refused",
        ErrorKind::InvalidValue if no_value => "missing-value",
        ErrorKind::InvalidValue if !no_valid => "invalid-choice",
        ErrorKind::InvalidValue => "invalid-value",
        ErrorKind::ValueValidation => "invalid-value",
        ErrorKind::UnknownArgument => "unknown-argument",
        ErrorKind::InvalidSubcommand => "unknown-command",
        ErrorKind::MissingRequiredArgument => "missing-argument",
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "missing-command"
        }
        ErrorKind::ArgumentConflict => "conflict",
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            "wrong-count"
        }
        ErrorKind::NoEquals => "no-equals",
        _ => "other",
    };
    let prior = localise_placeholders(&context(ContextKind::PriorArg), lang);
    text!(
        "help-error",
        kind,
        arg,
        value,
        valid,
        suggested,
        subcommand,
        valid_subcommands,
        prior,
        min,
        max,
        why = ours
    )
}

/// `--port <PORT>` → `--port <PORTA>`: the placeholders clap names in its context.
fn localise_placeholders(s: &str, lang: Lang) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        out.push_str(&rest[..=start]);
        out.push_str(&value_name(&rest[start + 1..start + end], lang));
        out.push('>');
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Every command and option of `cmd`, as the catalog ids their help is looked for
/// under: (what, ids) pairs, for the test that every one has its message.
pub fn help_ids(cmd: &Command) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    walk(cmd, cmd.get_name(), &mut out);
    out
}

fn walk(cmd: &Command, path: &str, out: &mut Vec<(String, Vec<String>)>) {
    if cmd.get_name() == "completions" {
        out.push((path.to_string(), vec!["help-completions".to_string()]));
        out.push((
            format!("{path} --shell"),
            vec!["help-arg-shell".to_string()],
        ));
        return;
    }
    out.push((path.to_string(), vec![command_id(path)]));
    for a in cmd.get_arguments() {
        let id = a.get_id().as_str();
        if id == "help" || id == "version" {
            continue;
        }
        out.push((format!("{path} --{id}"), arg_ids(path, id).to_vec()));
    }
    for s in cmd.get_subcommands() {
        walk(s, &format!("{path} {}", s.get_name()), out);
    }
}

/// `<binary> completions bash|zsh|fish`: the shell's completion script on stdout.
pub fn completions(cmd: Command, shell: clap_complete::Shell) {
    let mut cmd = cmd;
    let name = cmd.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut script);
    // A reader that stops early (`| head`) is no failure: no panic, no message.
    let _ = std::io::stdout().write_all(&script);
}

/// The man page of `cmd` (and one per subcommand, `raw-tcp-server.1`), in `lang`,
/// written into `dir`. Returns the files written.
pub fn man_pages(
    cmd: Command,
    lang: Lang,
    dir: &std::path::Path,
) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut cmd = localise(cmd, lang);
    cmd.build();
    let mut written = Vec::new();
    write_man(&cmd, cmd.get_name(), dir, lang, &mut written)?;
    Ok(written)
}

fn write_man(
    cmd: &Command,
    name: &str,
    dir: &std::path::Path,
    lang: Lang,
    written: &mut Vec<std::path::PathBuf>,
) -> std::io::Result<()> {
    let page = cmd.clone().name(name.to_string());
    let mut bytes = Vec::new();
    clap_mangen::Man::new(page)
        .manual(text!("help-man-manual").render(lang))
        .render(&mut bytes)?;
    // clap_mangen names its sections in English: each one's title from the catalog.
    let mut roff = String::from_utf8_lossy(&bytes).into_owned();
    for (section, title) in [
        ("NAME", text!("help-man-name")),
        ("SYNOPSIS", text!("help-man-synopsis")),
        ("DESCRIPTION", text!("help-man-description")),
        ("VERSION", text!("help-man-version")),
    ] {
        roff = roff.replace(
            &format!("\n.SH {section}\n"),
            &format!("\n.SH {}\n", title.render(lang)),
        );
    }
    let commands = text!("help-heading-commands").render(lang);
    roff = roff.replace(
        &format!("\n.SH {commands}\n"),
        &format!("\n.SH {}\n", commands.to_uppercase()),
    );
    let bytes = roff.into_bytes();
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, bytes)?;
    written.push(path);
    for s in cmd.get_subcommands() {
        write_man(s, &format!("{name}-{}", s.get_name()), dir, lang, written)?;
    }
    Ok(())
}
