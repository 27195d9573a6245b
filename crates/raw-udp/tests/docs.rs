//! The docs show real runs of the current code: the narration on docs/udp.md (English)
//! and docs/pt-BR/udp.md (Portuguese) must be what `raw-udp demo` prints now, in that
//! language (ports and TCP_INFO bytes aside). When this fails, a page drifted:
//! regenerate it (README, "Regenerating the docs' outputs").

use raw_testkit::assert_docs_page_current;

const BIN: &str = env!("CARGO_BIN_EXE_raw-udp");

#[test]
fn english_page_shows_the_current_narration() {
    assert_docs_page_current(BIN, "docs/udp.md", "en");
}

#[test]
fn portuguese_page_shows_the_current_narration() {
    assert_docs_page_current(BIN, "docs/pt-BR/udp.md", "pt-BR");
}
