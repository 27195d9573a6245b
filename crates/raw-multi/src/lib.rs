//! Placeholder: the multi-client lab comes in its own issue.
#![forbid(unsafe_code)]
