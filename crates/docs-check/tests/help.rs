//! Every binary's `--help`, usage errors, man pages and completions come from the
//! catalog, in both languages: no doc comment reaches a user, the man pages in
//! docs/man are current, and `--lang pt-BR` gives Portuguese throughout.

use docs_check::{bin, root};
use std::process::Command;

const BINARIES: [&str; 5] = ["raw-tcp", "raw-udp", "raw-multi", "raw-trace", "raw-bench"];

/// The catalog's messages of one language: id → whether it exists.
fn catalog_ids(lang: &str) -> std::collections::BTreeSet<String> {
    let dir = root().join("crates/raw-core/catalog").join(lang);
    let mut ids = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("catalog").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("ftl");
        for line in text.lines() {
            if let Some((id, _)) = line.split_once(" = ").or_else(|| line.split_once(" =")) {
                if !id.starts_with(' ') && !id.starts_with('#') {
                    ids.insert(id.trim().to_string());
                }
            }
        }
    }
    ids
}

/// Every command and option of every binary has its help in both languages.
#[test]
fn every_command_and_option_has_its_help_in_both_languages() {
    let mut missing = Vec::new();
    for lang in ["en", "pt-BR"] {
        let ids = catalog_ids(lang);
        for program in BINARIES {
            let out = Command::new(bin(program))
                .env("RAW_HELP_IDS", "1")
                .output()
                .expect("run");
            assert!(out.status.success(), "{program}");
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                let (what, wanted) = line.split_once('\t').expect("what\tids");
                if !wanted.split(' ').any(|id| ids.contains(id)) {
                    missing.push(format!("{lang}: {what} ({wanted})"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no help for:\n{}", missing.join("\n"));
}

/// `--help` with `--lang pt-BR` (or LANG=pt_BR.UTF-8) is Portuguese: headings, the
/// options' help, the help flag's own line.
#[test]
fn help_is_portuguese_with_lang_pt_br() {
    for program in BINARIES {
        for how in ["flag", "env"] {
            let mut cmd = Command::new(bin(program));
            match how {
                "flag" => cmd.args(["--lang", "pt-BR", "--help"]),
                _ => cmd
                    .env("LANG", "pt_BR.UTF-8")
                    .env_remove("LC_ALL")
                    .arg("--help"),
            };
            let out = cmd.output().expect("run");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{program} {how}: {text}");
            assert!(
                text.contains("Uso:") && text.contains("Opções"),
                "{program}: {text}"
            );
            assert!(text.contains("Mostra a ajuda"), "{program}: {text}");
            for english in ["Usage:", "Options:", "Print help", "[default:"] {
                assert!(
                    !text.contains(english),
                    "{program} {how}: {english:?} in {text}"
                );
            }
        }
    }
    let out = Command::new(bin("raw-tcp"))
        .args(["--lang", "pt-BR", "server", "--help"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[padrão: 65432]"), "{text}");
    assert!(text.contains("<PORTA>"), "{text}");
}

/// A usage error says in Portuguese what is wrong, with the usage line, and exits 2;
/// in English likewise.
#[test]
fn usage_errors_are_in_the_users_language() {
    let out = Command::new(bin("raw-tcp"))
        .args(["--lang", "pt-BR", "server", "--port", "abc"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("erro: valor inválido 'abc' para '--port <PORTA>'"),
        "{err}"
    );
    assert!(err.contains("Uso: raw-tcp server"), "{err}");
    assert!(err.contains("Para saber mais, use '--help'."), "{err}");
    assert!(!err.contains("invalid"), "{err}");
    let out = Command::new(bin("raw-udp"))
        .args(["--lang", "en", "cliente"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: unknown subcommand 'cliente'"),
        "{err}"
    );
}

/// `<binary> completions bash|zsh|fish` prints a completion script that names the
/// subcommands; a bad shell is a usage error.
#[test]
fn completions_print_a_script_for_each_shell() {
    for program in ["raw-tcp", "raw-udp", "raw-multi", "raw-bench"] {
        for shell in ["bash", "zsh", "fish"] {
            let out = Command::new(bin(program))
                .args(["completions", shell])
                .output()
                .expect("run");
            let script = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{program} {shell}");
            assert!(
                script.contains(program) && script.contains("completions"),
                "{program} {shell}"
            );
        }
    }
    let ok = Command::new("bash")
        .arg("-n")
        .arg("-c")
        .arg(
            String::from_utf8_lossy(
                &Command::new(bin("raw-tcp"))
                    .args(["completions", "bash"])
                    .output()
                    .expect("run")
                    .stdout,
            )
            .to_string(),
        )
        .status()
        .expect("bash");
    assert!(ok.success(), "the bash script parses");
    let out = Command::new(bin("raw-tcp"))
        .args(["completions", "tcsh"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

/// docs/man/*.1 (English) and docs/man/pt-BR/*.1 are what the binaries generate now.
/// RAW_UPDATE_MAN=1 rewrites them.
#[test]
fn man_pages_are_current() {
    let update = std::env::var_os("RAW_UPDATE_MAN").is_some();
    let mut stale = Vec::new();
    for (lang, sub) in [("en", ""), ("pt-BR", "pt-BR")] {
        let want = root().join("docs/man").join(sub);
        let fresh = std::env::temp_dir().join(format!("raw-man-{}-{lang}", std::process::id()));
        let _ = std::fs::remove_dir_all(&fresh);
        std::fs::create_dir_all(&fresh).expect("tmp");
        for program in BINARIES {
            let status = Command::new(bin(program))
                .args(["--lang", lang])
                .env("RAW_WRITE_MAN", &fresh)
                .status()
                .expect("run");
            assert!(status.success(), "{program} {lang}");
        }
        for entry in std::fs::read_dir(&fresh).expect("tmp").flatten() {
            let name = entry.file_name();
            let now = std::fs::read(entry.path()).expect("page");
            let target = want.join(&name);
            if update {
                std::fs::create_dir_all(&want).expect("docs/man");
                std::fs::write(&target, &now).expect("write");
            } else if std::fs::read(&target).ok().as_deref() != Some(now.as_slice()) {
                stale.push(target.display().to_string());
            }
        }
        let _ = std::fs::remove_dir_all(&fresh);
    }
    assert!(
        stale.is_empty(),
        "man pages out of date (regenerate: RAW_UPDATE_MAN=1 cargo test -p docs-check --test help man_pages):\n{}",
        stale.join("\n")
    );
}
