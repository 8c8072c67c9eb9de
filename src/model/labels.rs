//! Label tables: the class order of a head, fixed once and stored in the model.

use serde::{Deserialize, Serialize};

/// Stance labels in their declaration order (ANNOTATION.md).
pub const STANCE_LABELS: [&str; 3] = ["supportive", "cautious", "hostile"];
/// Sentiment labels in their declaration order (ANNOTATION.md).
pub const SENTIMENT_LABELS: [&str; 3] = ["negative", "neutral", "positive"];

/// The ordered class names of one head.
///
/// The order is the declaration order of ANNOTATION.md when the labels are the stance or
/// sentiment labels, and otherwise lexicographic, so it never depends on row order or on
/// hash-map iteration.
///
/// ```
/// use stancer::LabelSet;
/// let l = LabelSet::from_observed(["hostile", "supportive", "cautious", "hostile"]);
/// assert_eq!(l.names(), ["supportive", "cautious", "hostile"]);
/// let l = LabelSet::from_observed(["NONE", "FAVOR", "AGAINST"]);
/// assert_eq!(l.names(), ["AGAINST", "FAVOR", "NONE"]);
/// assert_eq!(l.index("FAVOR"), Some(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSet {
    names: Vec<String>,
}

impl LabelSet {
    /// Builds the table from the labels seen in data.
    pub fn from_observed<S: AsRef<str>>(labels: impl IntoIterator<Item = S>) -> Self {
        let mut seen: Vec<String> = labels.into_iter().map(|s| s.as_ref().to_owned()).collect();
        seen.sort();
        seen.dedup();
        for known in [&STANCE_LABELS[..], &SENTIMENT_LABELS[..]] {
            if !seen.is_empty() && seen.iter().all(|s| known.contains(&s.as_str())) {
                let names = known.iter().filter(|k| seen.iter().any(|s| s == *k)).map(|s| s.to_string()).collect();
                return Self { names };
            }
        }
        Self { names: seen }
    }

    /// Class names in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when there are no classes.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Index of a label.
    pub fn index(&self, label: &str) -> Option<usize> {
        self.names.iter().position(|n| n == label)
    }

    /// Name of a class index (`""` when out of range).
    pub fn name(&self, i: usize) -> &str {
        self.names.get(i).map_or("", String::as_str)
    }
}
