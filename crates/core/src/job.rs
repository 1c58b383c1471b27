//! Durable jobs: delayed and recurring work (reminders, expiries, broadcasts).
//!
//! Workers claim due jobs with a lease; a job whose worker dies is claimed again when its
//! lease runs out. A job's effects and its completion are committed together.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A job about to be scheduled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    /// At most one unfinished job per key: scheduling a second is a no-op. Recurring jobs
    /// use it so that a restart never doubles them.
    pub dedup_key: Option<String>,
    pub max_attempts: i32,
}

impl NewJob {
    pub fn new(kind: &str, payload: serde_json::Value, run_at: DateTime<Utc>) -> Self {
        NewJob {
            kind: kind.to_owned(),
            payload,
            run_at,
            dedup_key: None,
            max_attempts: 5,
        }
    }
    pub fn dedup_key(mut self, key: impl Into<String>) -> Self {
        self.dedup_key = Some(key.into());
        self
    }
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    /// Including the current one.
    pub attempts: i32,
    pub max_attempts: i32,
    pub dedup_key: Option<String>,
}
