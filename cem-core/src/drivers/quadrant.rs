//! The importance–performance quadrant of a driver.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a driver sits on the importance–performance map.
///
/// **Rule.** The map is split at the mean importance and the mean performance of the drivers
/// in the analysis (performance = the driver's mean rating). A driver whose value equals a
/// mean counts as high on that axis.
///
/// | | performance below the mean | performance at or above the mean |
/// |---|---|---|
/// | **importance at or above the mean** | [`FixNow`](Quadrant::FixNow) | [`KeepUp`](Quadrant::KeepUp) |
/// | **importance below the mean** | [`LowPriority`](Quadrant::LowPriority) | [`PossibleOverkill`](Quadrant::PossibleOverkill) |
///
/// ```
/// use cem_core::drivers::Quadrant;
/// assert_eq!(Quadrant::classify(0.3, 6.0, 0.2, 7.0), Quadrant::FixNow);
/// assert_eq!(Quadrant::classify(0.1, 8.0, 0.2, 7.0), Quadrant::PossibleOverkill);
/// assert_eq!(Quadrant::FixNow.to_string(), "fix now");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// Important and rated below average: improve first.
    FixNow,
    /// Important and rated at or above average: protect.
    KeepUp,
    /// Less important and rated below average: watch.
    LowPriority,
    /// Less important and rated at or above average: effort may exceed what it returns.
    PossibleOverkill,
}

impl Quadrant {
    /// The quadrant of a driver with `importance` and `performance`, split at the means.
    ///
    /// ```
    /// use cem_core::drivers::Quadrant;
    /// // Ties count as high.
    /// assert_eq!(Quadrant::classify(0.2, 7.0, 0.2, 7.0), Quadrant::KeepUp);
    /// ```
    pub fn classify(
        importance: f64,
        performance: f64,
        mean_importance: f64,
        mean_performance: f64,
    ) -> Quadrant {
        match (
            importance >= mean_importance,
            performance >= mean_performance,
        ) {
            (true, false) => Quadrant::FixNow,
            (true, true) => Quadrant::KeepUp,
            (false, false) => Quadrant::LowPriority,
            (false, true) => Quadrant::PossibleOverkill,
        }
    }

    /// The label: `"fix now"`, `"keep up"`, `"low priority"`, `"possible overkill"`.
    ///
    /// ```
    /// assert_eq!(cem_core::drivers::Quadrant::LowPriority.name(), "low priority");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Quadrant::FixNow => "fix now",
            Quadrant::KeepUp => "keep up",
            Quadrant::LowPriority => "low priority",
            Quadrant::PossibleOverkill => "possible overkill",
        }
    }
}

impl fmt::Display for Quadrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
