//! The embedded sample company (in progress).
