//! Warnings about rule sets that are valid but contradictory: triggers that can never fire.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::rules::{Rules, Trigger};

/// A problem in a valid rule set, with a stable code.
///
/// | code | meaning |
/// |---|---|
/// | `no_triggers` | the rule set has no triggers |
/// | `zero_cap` | a cap allows 0 invitations: nothing can ever be sent |
/// | `never_sampled` | the trigger's sampling rate is 0 |
/// | `empty_filter` | a filter is an empty list: the trigger matches nothing |
/// | `excluded_segments` | every segment the trigger targets is excluded |
/// | `channel_mismatch` | by the catalog, none of the trigger's touchpoints is on one of its channels |
/// | `unknown_touchpoint` | a touchpoint the trigger names is not in the catalog |
/// | `shadowed` | a higher-priority trigger always fires on the same interactions first |
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleWarning {
    /// The trigger concerned (its id), or none for the rule set as a whole.
    pub rule: Option<String>,
    /// A stable code (see the table).
    pub code: String,
    /// A readable explanation.
    pub message: String,
}

impl Rules {
    /// Contradictions that make a trigger (or the rule set) never fire; empty when none.
    ///
    /// ```
    /// use cem_core::survey::orchestrate::Rules;
    /// let rules = Rules::from_json(r#"{
    ///   "catalog": {"call": "call_centre", "checkout": "web"},
    ///   "triggers": [
    ///     {"id": "a", "survey": "s", "sample": 0},
    ///     {"id": "b", "survey": "s", "touchpoints": ["call"], "channels": ["web"]}
    ///   ]}"#)?;
    /// let codes: Vec<_> = rules.warnings().into_iter().map(|w| w.code).collect();
    /// assert_eq!(codes, ["never_sampled", "channel_mismatch"]);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn warnings(&self) -> Vec<RuleWarning> {
        let mut out = Vec::new();
        let mut warn = |rule: Option<&str>, code: &str, message: String| {
            out.push(RuleWarning {
                rule: rule.map(str::to_owned),
                code: code.to_owned(),
                message,
            });
        };
        if self.triggers.is_empty() {
            warn(None, "no_triggers", "the rule set has no triggers".into());
        }
        for (i, cap) in self.caps.iter().enumerate() {
            if cap.max == 0 {
                warn(
                    None,
                    "zero_cap",
                    format!("cap {i} allows 0 invitations: no trigger can ever invite"),
                );
            }
        }
        for (i, t) in self.triggers.iter().enumerate() {
            let id = Some(t.id.as_str());
            if t.sample == 0.0 {
                warn(id, "never_sampled", format!("trigger `{}` samples 0: it never invites", t.id));
            }
            for (field, set) in filters(t) {
                if set.is_some_and(BTreeSet::is_empty) {
                    warn(
                        id,
                        "empty_filter",
                        format!("trigger `{}` has an empty `{field}` list: it matches nothing", t.id),
                    );
                }
            }
            if let Some(segs) = &t.segments
                && !segs.is_empty()
                && segs.is_subset(&self.exclude.segments)
            {
                warn(
                    id,
                    "excluded_segments",
                    format!("every segment trigger `{}` targets is excluded", t.id),
                );
            }
            self.catalog_warnings(t, &mut warn);
            if let Some(winner) = self.shadowing(i, t) {
                warn(
                    id,
                    "shadowed",
                    format!(
                        "trigger `{winner}` has higher priority, samples everyone and is never quarantined or capped on every interaction `{}` matches: `{}` never invites",
                        t.id, t.id
                    ),
                );
            }
        }
        out
    }

    fn catalog_warnings(&self, t: &Trigger, warn: &mut impl FnMut(Option<&str>, &str, String)) {
        if self.catalog.is_empty() {
            return;
        }
        let id = Some(t.id.as_str());
        if let Some(tps) = &t.touchpoints {
            for tp in tps.iter().filter(|tp| !self.catalog.contains_key(*tp)) {
                warn(
                    id,
                    "unknown_touchpoint",
                    format!("trigger `{}` names touchpoint `{tp}`, which is not in the catalog", t.id),
                );
            }
        }
        let Some(channels) = t.channels.as_ref().filter(|c| !c.is_empty()) else { return };
        let reachable = self
            .catalog
            .iter()
            .filter(|(tp, _)| t.touchpoints.as_ref().is_none_or(|s| s.contains(*tp)))
            .any(|(_, ch)| channels.contains(ch));
        let named_known = t
            .touchpoints
            .as_ref()
            .is_none_or(|s| s.iter().any(|tp| self.catalog.contains_key(tp)));
        if !reachable && named_known {
            warn(
                id,
                "channel_mismatch",
                format!(
                    "by the catalog, none of trigger `{}`'s touchpoints is on its channels {:?}",
                    t.id, channels
                ),
            );
        }
    }

    /// A trigger that always wins over `t`: higher priority (or equal and earlier), filters
    /// at least as wide, samples everyone, no quarantine, and no caps in the rule set.
    fn shadowing(&self, i: usize, t: &Trigger) -> Option<&str> {
        if !self.caps.is_empty() {
            return None;
        }
        let covers = |a: Option<&BTreeSet<String>>, b: Option<&BTreeSet<String>>| match (a, b) {
            (None, _) => true,
            (Some(a), Some(b)) => b.is_subset(a),
            (Some(_), None) => false,
        };
        self.triggers.iter().enumerate().find_map(|(j, a)| {
            let before = a.priority > t.priority || (a.priority == t.priority && j < i);
            let always = a.sample >= 1.0 && a.quarantine.or(self.quarantine).is_none_or(|q| q.duration.seconds() == 0);
            let wide = filters(a).iter().zip(filters(t)).all(|((_, fa), (_, ft))| covers(*fa, ft));
            (j != i && before && always && wide).then_some(a.id.as_str())
        })
    }
}

fn filters(t: &Trigger) -> [(&'static str, Option<&BTreeSet<String>>); 4] {
    [
        ("touchpoints", t.touchpoints.as_ref()),
        ("channels", t.channels.as_ref()),
        ("outcomes", t.outcomes.as_ref()),
        ("segments", t.segments.as_ref()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(json: &str) -> Vec<(Option<String>, String)> {
        let rules = Rules::from_json(json).unwrap();
        rules.warnings().into_iter().map(|w| (w.rule, w.code)).collect()
    }

    #[test]
    fn contradictions_are_found() {
        assert_eq!(codes(r#"{"triggers": []}"#), [(None, "no_triggers".into())]);
        assert_eq!(
            codes(r#"{"caps": [{"max": 0, "per": "1d"}], "triggers": [{"id": "a", "survey": "s"}]}"#),
            [(None, "zero_cap".into())]
        );
        assert_eq!(
            codes(r#"{"exclude": {"segments": ["staff", "test"]}, "triggers": [{"id": "a", "survey": "s", "segments": ["staff"], "outcomes": []}]}"#),
            [(Some("a".into()), "empty_filter".into()), (Some("a".into()), "excluded_segments".into())]
        );
        assert_eq!(
            codes(r#"{"catalog": {"call": "call_centre"}, "triggers": [{"id": "a", "survey": "s", "touchpoints": ["shop"]}]}"#),
            [(Some("a".into()), "unknown_touchpoint".into())]
        );
        // b is shadowed by a (wider, higher priority, samples all, no quarantine) ...
        let shadow = r#"{"triggers": [{"id": "a", "survey": "s", "priority": 2},
                                      {"id": "b", "survey": "t", "touchpoints": ["call"]}]}"#;
        assert_eq!(codes(shadow), [(Some("b".into()), "shadowed".into())]);
        // ... but not once a can be quarantined, or samples less than everyone.
        let quarantined = shadow.replace(r#""priority": 2}"#, r#""priority": 2, "quarantine": {"for": "1d"}}"#);
        assert!(codes(&quarantined).is_empty());
        let sampled = shadow.replace(r#""priority": 2}"#, r#""priority": 2, "sample": 0.5}"#);
        assert!(codes(&sampled).is_empty());
        // A sensible rule set is quiet.
        assert!(codes(r#"{"catalog": {"call": "call_centre"}, "quarantine": {"for": "30d"},
            "triggers": [{"id": "a", "survey": "s", "touchpoints": ["call"], "channels": ["call_centre"]},
                         {"id": "b", "survey": "s", "sample": 0.1}]}"#).is_empty());
    }
}
