//! Job handlers of customer service: the SLA checks ([`groupcart_core::support::SLA_JOB`])
//! that warn a ticket's assignee before a target is missed and escalate when it is, and
//! the translation of messages between customers and agents
//! ([`groupcart_core::support::TRANSLATE_JOB`]), whose call to the translation service
//! happens outside any transaction. The work is in the core.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::clock::SharedClock;
use groupcart_core::i18n::Texts;
use groupcart_core::job::Job;
use groupcart_core::store::Tx;
use groupcart_core::support::{self, SupportSettings, Translation, SLA_JOB, TRANSLATE_JOB};
use groupcart_core::{Error, Result};
use std::sync::Arc;

/// Checks one SLA target of one ticket.
pub struct SlaCheck {
    pub settings: Arc<SupportSettings>,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for SlaCheck {
    fn kind(&self) -> &'static str {
        SLA_JOB
    }

    fn shares_transaction(&self) -> bool {
        true
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let outcome = support::run_sla_check(
            tx,
            &self.settings,
            &self.texts,
            &job.payload,
            self.clock.now(),
        )
        .await?;
        tracing::debug!(?outcome, job = job.id, "SLA check");
        Ok(())
    }
}

/// A LibreTranslate-compatible service: `POST {url}/translate` with `q`, `source`,
/// `target`, `format` and an optional `api_key`, answering `{"translatedText": ...}`.
#[derive(Clone)]
pub struct Translator {
    pub url: String,
    pub api_key: Option<String>,
}

impl std::fmt::Debug for Translator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Translator")
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// How long the translation service has to answer.
const TRANSLATE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
/// Attempts after which a message goes out untranslated rather than waiting longer.
const TRANSLATE_ATTEMPTS: i32 = 3;

/// Translates one message between a customer and the agents, then relays it.
pub struct Translate {
    pub settings: Arc<SupportSettings>,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
    pub translator: Option<Translator>,
    http: reqwest::Client,
    /// Translations made by `before_transaction`, by job id, for `run` to relay; `None`
    /// when the service gave up (the message is relayed as written).
    made: std::sync::Mutex<std::collections::HashMap<i64, Option<String>>>,
}

impl Translate {
    pub fn new(
        settings: Arc<SupportSettings>,
        texts: Arc<Texts>,
        clock: SharedClock,
        translator: Option<Translator>,
    ) -> Self {
        Translate {
            settings,
            texts,
            clock,
            translator,
            http: reqwest::Client::new(),
            made: Default::default(),
        }
    }

    fn made(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<i64, Option<String>>> {
        self.made.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn call(&self, translator: &Translator, t: &Translation) -> Result<String> {
        let url = format!("{}/translate", translator.url.trim_end_matches('/'));
        let mut body = serde_json::json!({
            "q": t.text,
            "source": t.source,
            "target": t.target,
            "format": "text",
        });
        if let Some(key) = &translator.api_key {
            body["api_key"] = serde_json::Value::from(key.as_str());
        }
        let failed = |e: String| Error::Invalid(format!("translation service: {e}"));
        let response = self
            .http
            .post(&url)
            .timeout(TRANSLATE_TIMEOUT)
            .json(&body)
            .send()
            .await
            .map_err(|e| failed(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("answered {}", response.status())));
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            #[serde(rename = "translatedText")]
            translated_text: String,
        }
        let answer: Answer = response
            .json()
            .await
            .map_err(|e| failed(format!("unreadable answer: {}", e.without_url())))?;
        Ok(answer.translated_text)
    }
}

fn translation(job: &Job) -> Result<Translation> {
    serde_json::from_value(job.payload.clone())
        .map_err(|e| Error::Invalid(format!("bad translation job payload: {e}")))
}

#[async_trait]
impl JobHandler for Translate {
    fn kind(&self) -> &'static str {
        TRANSLATE_JOB
    }

    async fn before_transaction(&self, job: &Job) -> Result<()> {
        let t = translation(job)?;
        let translated = match &self.translator {
            None => None,
            Some(translator) => match self.call(translator, &t).await {
                Ok(text) => Some(text),
                Err(error) if job.attempts < TRANSLATE_ATTEMPTS => return Err(error),
                Err(error) => {
                    tracing::warn!(%error, job = job.id, "relaying a message untranslated");
                    None
                }
            },
        };
        self.made().insert(job.id, translated);
        Ok(())
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let t = translation(job)?;
        // Taken, not read: a retry of the whole job calls the service again.
        let translated = self.made().remove(&job.id).flatten();
        support::relay_translated(
            tx,
            &self.settings,
            &self.texts,
            &t,
            translated.as_deref(),
            self.clock.now(),
        )
        .await
    }
}
