//! `GET /metrics` in the Prometheus text format.

use crate::AppState;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use chrono::Utc;
use groupcart_core::metrics::Metrics;
use std::fmt::Write;

pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let m = &state.metrics;
    let counters = [
        (
            "groupcart_updates_received_total",
            "Updates received by webhook or long polling.",
            &m.updates_received,
        ),
        (
            "groupcart_updates_duplicate_total",
            "Updates already stored and ignored.",
            &m.updates_duplicate,
        ),
        (
            "groupcart_updates_processed_total",
            "Updates processed to completion.",
            &m.updates_processed,
        ),
        (
            "groupcart_updates_failed_total",
            "Failed update processing attempts.",
            &m.updates_failed,
        ),
        (
            "groupcart_updates_rejected_total",
            "Webhook requests rejected (bad secret or body).",
            &m.updates_rejected,
        ),
        (
            "groupcart_sends_total",
            "Outbound messages confirmed by Telegram.",
            &m.sends,
        ),
        (
            "groupcart_send_failures_total",
            "Outbound messages given up.",
            &m.send_failures,
        ),
        (
            "groupcart_send_retries_total",
            "Transient send failures to be retried.",
            &m.send_retries,
        ),
        (
            "groupcart_rate_limited_total",
            "429 answers received from Telegram.",
            &m.rate_limited,
        ),
        (
            "groupcart_jobs_completed_total",
            "Jobs run to completion.",
            &m.jobs_completed,
        ),
        (
            "groupcart_jobs_failed_total",
            "Failed job attempts.",
            &m.jobs_failed,
        ),
    ];
    let mut out = String::new();
    for (name, help, counter) in counters {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
            Metrics::get(counter)
        );
    }
    // Gauges come from the database so that they are right across restarts.
    match state.store.outbox_stats().await {
        Ok(stats) => {
            let _ = writeln!(
                out,
                "# HELP groupcart_outbox_depth Outbound messages waiting to be sent.\n\
                 # TYPE groupcart_outbox_depth gauge\ngroupcart_outbox_depth {}",
                stats.pending
            );
        }
        Err(error) => tracing::warn!(%error, "could not read outbox stats"),
    }
    match state.store.job_lag(Utc::now()).await {
        Ok(lag) => {
            let _ = writeln!(
                out,
                "# HELP groupcart_job_lag_seconds How long the oldest due job has waited.\n\
                 # TYPE groupcart_job_lag_seconds gauge\ngroupcart_job_lag_seconds {:.3}",
                lag.as_secs_f64()
            );
        }
        Err(error) => tracing::warn!(%error, "could not read job lag"),
    }
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}
