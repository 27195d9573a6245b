//! Placeholder: benchmarks come in their own issue.
#![forbid(unsafe_code)]
