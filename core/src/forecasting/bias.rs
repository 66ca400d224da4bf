//! Managers tell the forecast when it was wrong: "accurate", "under" (it forecast too
//! little: we ran short) or "over" (too much: boxes sat on the shelf). Each item's recent
//! verdicts move its next forecasts by a small, bounded, explainable step, shown in the
//! rationale, so one remark cannot derail an item and a consistent complaint is heard.

use serde::{Deserialize, Serialize};

/// How far one "under" raises (and one "over" lowers) the item's forecast.
pub const BIAS_STEP_PCT: i32 = 10;
/// The correction never goes beyond ± this.
pub const MAX_BIAS_PCT: i32 = 30;
/// Only the newest verdicts count: an item's demand changes, old complaints expire.
pub const RECENT_VERDICTS: usize = 5;

/// A manager's verdict on a forecast.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accurate,
    /// The forecast was too low.
    Under,
    /// The forecast was too high.
    Over,
}

impl Verdict {
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Accurate => "accurate",
            Verdict::Under => "under",
            Verdict::Over => "over",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Verdict::Accurate => "juste",
            Verdict::Under => "trop basse",
            Verdict::Over => "trop haute",
        }
    }

    /// The codes, or the French words a manager types (`juste`, `sous`, `sur`, …).
    pub fn parse(s: &str) -> Option<Verdict> {
        match s.trim().to_lowercase().as_str() {
            "accurate" | "juste" | "correcte" | "ok" => Some(Verdict::Accurate),
            "under" | "sous" | "trop basse" | "basse" => Some(Verdict::Under),
            "over" | "sur" | "trop haute" | "haute" => Some(Verdict::Over),
            _ => None,
        }
    }
}

/// The correction in percent from an item's verdicts, newest first: +10 per "under", −10
/// per "over" among the [`RECENT_VERDICTS`] newest, within ± [`MAX_BIAS_PCT`].
pub fn bias_pct(newest_first: &[Verdict]) -> i32 {
    let sum: i32 = newest_first
        .iter()
        .take(RECENT_VERDICTS)
        .map(|v| match v {
            Verdict::Accurate => 0,
            Verdict::Under => BIAS_STEP_PCT,
            Verdict::Over => -BIAS_STEP_PCT,
        })
        .sum();
    sum.clamp(-MAX_BIAS_PCT, MAX_BIAS_PCT)
}
