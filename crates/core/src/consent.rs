//! Consent: separate, versioned choices for service messages and for marketing.

use crate::customer::CustomerId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a customer consents to. Service messages (order and shipping status, replies to
/// their questions) and marketing (broadcasts, promotions) are separate choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    Service,
    Marketing,
}

impl ConsentPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentPurpose::Service => "service",
            ConsentPurpose::Marketing => "marketing",
        }
    }
}

impl fmt::Display for ConsentPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ConsentPurpose {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "service" => Ok(ConsentPurpose::Service),
            "marketing" => Ok(ConsentPurpose::Marketing),
            other => Err(crate::Error::Invalid(format!(
                "unknown consent purpose `{other}`"
            ))),
        }
    }
}

/// One recorded choice. Records are appended, never updated: the latest per purpose wins,
/// and the history is the proof of consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub customer_id: CustomerId,
    pub purpose: ConsentPurpose,
    pub granted: bool,
    pub policy_version: String,
    pub bot: String,
    pub at: DateTime<Utc>,
}
