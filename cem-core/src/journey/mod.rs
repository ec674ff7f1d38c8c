//! Journey analytics on a columnar [`EventLog`]: sessions, the directly-follows graph,
//! variants, funnels, paths, next-step probabilities and the removal effect of each
//! touchpoint on a conversion goal.
//!
//! The numbers follow pm4py's definitions on the same log — `discover_dfg` (edge counts),
//! `discover_performance_dfg` (mean and median durations), `get_start_activities`,
//! `get_end_activities`, `get_variants` — with customers as cases, touchpoints as activities
//! and the event order documented on [`EventLog`].
//!
//! # Example
//!
//! ```
//! use cem_core::journey::EventLog;
//!
//! let log = EventLog::from_rows(&[
//!     ("ann", "web-home", 0), ("ann", "web-cart", 60), ("ann", "web-pay", 90),
//!     ("bob", "web-home", 0), ("bob", "web-cart", 30), ("bob", "call", 4000),
//! ])?;
//! let dfg = log.dfg();
//! assert_eq!(dfg.edges.iter().map(|e| e.count).sum::<u64>(), 4); // events − customers
//! let code = |s| log.touchpoint_code(s).unwrap();
//! let funnel = log.funnel(&[code("web-home"), code("web-cart"), code("web-pay")], None)?;
//! assert_eq!(funnel.steps[2].customers, 1);
//! assert_eq!(funnel.steps[2].from_previous, 0.5);
//! # Ok::<(), cem_core::Error>(())
//! ```

mod codec;
mod consistency;
mod dfg;
mod funnel;
mod log;
mod map;
mod markov;
mod pain;
mod sessions;

pub use consistency::ChannelPair;
pub use dfg::{Dfg, Edge, Variant};
pub(crate) use dfg::percentile;
pub use funnel::{Funnel, FunnelStep, TimeToStep};
pub use log::EventLog;
pub use map::MapOptions;
pub use markov::{Attribution, PathCount, RemovalEffect};
pub use pain::{FeedbackJoin, JoinedFeedback, PainPoint};
pub use sessions::{Session, Sessions};
