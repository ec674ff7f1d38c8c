//! Serialized accumulator state: its format version and the checks it passes before use.
//!
//! Accumulators travel as JSON between Rust, Python and the browser, and a server merges
//! partial aggregates that clients sent. A client can send anything, so every accumulator's
//! state is checked when it is read — scale, lengths, weights finite and non-negative, counts
//! and weight sums consistent with each other, a known format version — and rejected with
//! [`Error::InvalidState`] otherwise, before it can poison a merge.
//!
//! Every accumulator writes `"v": 1` (this format) first; state without `v` is read as
//! version 1, the format of the first release, and any other version is rejected.
//!
//! ```
//! use cem_core::{metrics::Nps, ErrorKind};
//! let mut nps = Nps::new();
//! nps.push(9)?;
//! let json = serde_json::to_string(&nps)?;
//! assert!(json.starts_with(r#"{"v":1,"#));
//! let forged = json.replace(r#""v":1"#, r#""v":7"#);
//! let err = cem_core::Error::from(serde_json::from_str::<Nps>(&forged).unwrap_err());
//! assert_eq!(err.kind(), ErrorKind::InvalidState);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Error, Result};

/// The state format version this build writes and the only one it reads.
pub const STATE_VERSION: u32 = 1;

/// Serde default for a missing `v`: the first release's format.
pub(crate) fn first_version() -> u32 {
    1
}

/// Rejects a format version this build does not know.
pub(crate) fn check_version(what: &str, v: u32) -> Result<()> {
    if v == STATE_VERSION {
        Ok(())
    } else {
        Err(invalid(format!(
            "{what} has state format version `{v}`; this build reads version {STATE_VERSION}"
        )))
    }
}

/// An [`Error::InvalidState`].
pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidState(message.into())
}

/// Relative slack for comparisons of floating-point sums that are equal in exact arithmetic.
const SLACK: f64 = 1e-9;

/// `a <= b` up to rounding of sums.
pub(crate) fn at_most(a: f64, b: f64) -> bool {
    a <= b + SLACK * b.abs().max(a.abs())
}
