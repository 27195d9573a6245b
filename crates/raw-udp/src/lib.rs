//! Placeholder: the UDP lab comes in its own issue.
#![forbid(unsafe_code)]
