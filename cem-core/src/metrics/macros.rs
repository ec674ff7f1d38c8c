//! The push/merge surface shared by the score metrics, written once.

/// Implements `push`, `push_weighted`, `push_many`, `push_many_weighted`, `merge`, `counts`
/// and `n` for a metric that wraps a `ScaleCounts` in a field named `counts`.
macro_rules! scale_metric_methods {
    ($ty:ident, $label:literal, $good:literal, $bad:literal) => {
        impl $ty {
            #[doc = concat!("Adds one answer with weight 1.\n\n# Errors\n[`Error::OutOfRange`](crate::Error::OutOfRange) when the score is off the scale.\n\n```\nlet mut m = cem_core::metrics::", stringify!($ty), "::new();\nm.push(", $good, ")?;\nassert!(m.push(", $bad, ").is_err());\nassert_eq!(m.n(), 1);\n# Ok::<(), cem_core::Error>(())\n```")]
            pub fn push(&mut self, score: u8) -> crate::Result<()> {
                self.counts.push_as($label, score, 1.0)
            }

            #[doc = concat!("Adds one answer with a survey weight (finite, non-negative).\n\n# Errors\n[`Error::OutOfRange`](crate::Error::OutOfRange) for a score off the scale, [`Error::InvalidNumber`](crate::Error::InvalidNumber) for a negative, NaN or infinite weight.\n\n```\nlet mut m = cem_core::metrics::", stringify!($ty), "::new();\nm.push_weighted(", $good, ", 2.5)?;\nassert!(m.push_weighted(", $good, ", f64::NAN).is_err());\nassert!(m.push_weighted(", $good, ", -1.0).is_err());\n# Ok::<(), cem_core::Error>(())\n```")]
            pub fn push_weighted(&mut self, score: u8, weight: f64) -> crate::Result<()> {
                self.counts.push_as($label, score, weight)
            }

            #[doc = concat!("Adds a column of answers with weight 1: all of them, or none when one is off the scale (the error names its position).\n\n# Errors\n[`Error::OutOfRange`](crate::Error::OutOfRange) naming the first bad score.\n\n```\nlet mut m = cem_core::metrics::", stringify!($ty), "::new();\nm.push_many(&[", $good, ", ", $good, "])?;\nassert!(m.push_many(&[", $good, ", ", $bad, "]).is_err());\nassert_eq!(m.n(), 2);\n# Ok::<(), cem_core::Error>(())\n```")]
            pub fn push_many(&mut self, scores: &[u8]) -> crate::Result<()> {
                self.counts.push_many_as($label, scores)
            }

            #[doc = concat!("Adds a column of answers with a column of weights, all or nothing.\n\n# Errors\n[`Error::LengthMismatch`](crate::Error::LengthMismatch), or the first bad score or weight with its position.\n\n```\nlet mut m = cem_core::metrics::", stringify!($ty), "::new();\nm.push_many_weighted(&[", $good, ", ", $good, "], &[1.0, 3.0])?;\nassert!(m.push_many_weighted(&[", $good, "], &[1.0, 1.0]).is_err());\n# Ok::<(), cem_core::Error>(())\n```")]
            pub fn push_many_weighted(&mut self, scores: &[u8], weights: &[f64]) -> crate::Result<()> {
                self.counts.push_many_weighted_as($label, scores, weights)
            }

            #[doc = concat!("Adds everything another accumulator has seen. Merging is associative and commutative, and merging partial accumulators equals one pass over all the data.\n\n# Errors\n[`Error::Incompatible`](crate::Error::Incompatible) when the two were set up on different scales.\n\n```\nuse cem_core::metrics::", stringify!($ty), ";\nlet mut a = ", stringify!($ty), "::new();\na.push(", $good, ")?;\nlet mut b = ", stringify!($ty), "::new();\nb.push(", $good, ")?;\na.merge(&b)?;\nassert_eq!(a.n(), 2);\n# Ok::<(), cem_core::Error>(())\n```")]
            pub fn merge(&mut self, other: &$ty) -> crate::Result<()> {
                self.check_compatible(other)?;
                self.counts.merge(&other.counts)
            }

            /// The histogram of answers seen so far.
            pub fn counts(&self) -> &crate::metrics::ScaleCounts {
                &self.counts
            }

            /// Number of answers seen so far.
            pub fn n(&self) -> u64 {
                self.counts.n()
            }
        }
    };
}

pub(crate) use scale_metric_methods;
