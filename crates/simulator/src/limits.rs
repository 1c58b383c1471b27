//! Telegram's flood limits for one bot: a token bucket per private chat, a sliding 60 s window
//! per group or channel, and sliding 1 s windows for the bot as a whole (one for ordinary
//! sends, one for `allow_paid_broadcast` sends). A request either passes every check and is
//! counted in all of them, or is refused with the wait after which it would pass.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::Limits;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Flood-limit state of one bot.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    private: HashMap<i64, Bucket>,
    groups: HashMap<i64, VecDeque<Instant>>,
    global: VecDeque<Instant>,
    paid: VecDeque<Instant>,
}

const MINUTE: Duration = Duration::from_secs(60);
const SECOND: Duration = Duration::from_secs(1);

impl RateLimiter {
    /// Counts one message-sending request to `chat_id`, or returns the whole seconds to wait
    /// (at least 1) without counting anything.
    pub fn try_acquire(
        &mut self,
        limits: &Limits,
        chat_id: i64,
        paid: bool,
        now: Instant,
    ) -> Result<(), u64> {
        if !limits.enabled {
            return Ok(());
        }
        let mut wait = Duration::ZERO;

        let bucket = if chat_id > 0 {
            let burst = f64::from(limits.private_burst);
            let bucket = self.private.get(&chat_id).copied().unwrap_or(Bucket {
                tokens: burst,
                updated: now,
            });
            let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
            let tokens = (bucket.tokens + elapsed * limits.private_per_sec).min(burst);
            if tokens < 1.0 {
                wait = wait.max(refill_wait(1.0 - tokens, limits.private_per_sec));
            }
            Some(Bucket {
                tokens,
                updated: now,
            })
        } else {
            let window = self.groups.entry(chat_id).or_default();
            wait = wait.max(window_wait(window, limits.group_per_minute, MINUTE, now));
            None
        };

        let (global, budget) = if paid {
            (&mut self.paid, limits.paid_per_sec)
        } else {
            (&mut self.global, limits.global_per_sec)
        };
        wait = wait.max(window_wait(global, budget, SECOND, now));

        if !wait.is_zero() {
            return Err(whole_seconds(wait));
        }
        global.push_back(now);
        match bucket {
            Some(bucket) => {
                self.private.insert(
                    chat_id,
                    Bucket {
                        tokens: bucket.tokens - 1.0,
                        updated: now,
                    },
                );
            }
            None => self.groups.entry(chat_id).or_default().push_back(now),
        }
        Ok(())
    }
}

/// Time until `missing` tokens have been refilled at `per_sec`.
fn refill_wait(missing: f64, per_sec: f64) -> Duration {
    if per_sec <= 0.0 {
        // Never refills: an hour is as good as forever for a caller.
        return Duration::from_secs(3600);
    }
    Duration::from_secs_f64(missing / per_sec)
}

/// Drops entries older than `span` and returns how long until a new one fits under `limit`.
fn window_wait(
    window: &mut VecDeque<Instant>,
    limit: u32,
    span: Duration,
    now: Instant,
) -> Duration {
    while window
        .front()
        .is_some_and(|oldest| now.saturating_duration_since(*oldest) >= span)
    {
        window.pop_front();
    }
    let limit = limit as usize;
    if limit == 0 {
        return span;
    }
    if window.len() < limit {
        return Duration::ZERO;
    }
    // The entry whose expiry brings the count below the limit.
    let freeing = window[window.len() - limit];
    (freeing + span).saturating_duration_since(now)
}

fn whole_seconds(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            private_burst: 3,
            private_per_sec: 1.0,
            group_per_minute: 2,
            global_per_sec: 4,
            paid_per_sec: 6,
            enabled: true,
        }
    }

    #[test]
    fn private_bucket_bursts_then_refills() {
        let mut limiter = RateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.try_acquire(&limits(), 1, false, t0), Ok(()));
        }
        assert_eq!(limiter.try_acquire(&limits(), 1, false, t0), Err(1));
        // Other chats are not affected by chat 1's bucket.
        assert_eq!(limiter.try_acquire(&limits(), 2, false, t0), Ok(()));
        let later = t0 + Duration::from_millis(1000);
        assert_eq!(limiter.try_acquire(&limits(), 1, false, later), Ok(()));
        assert_eq!(limiter.try_acquire(&limits(), 1, false, later), Err(1));
    }

    #[test]
    fn group_window_reports_time_until_the_oldest_expires() {
        let mut limiter = RateLimiter::default();
        let t0 = Instant::now();
        assert!(limiter.try_acquire(&limits(), -5, false, t0).is_ok());
        let t1 = t0 + Duration::from_secs(10);
        assert!(limiter.try_acquire(&limits(), -5, false, t1).is_ok());
        let t2 = t0 + Duration::from_millis(20_500);
        assert_eq!(limiter.try_acquire(&limits(), -5, false, t2), Err(40));
        assert!(limiter
            .try_acquire(&limits(), -5, false, t0 + MINUTE)
            .is_ok());
    }

    #[test]
    fn global_and_paid_budgets_are_separate() {
        let mut limiter = RateLimiter::default();
        let t0 = Instant::now();
        for chat in 1..=4 {
            assert!(limiter.try_acquire(&limits(), chat, false, t0).is_ok());
        }
        assert_eq!(limiter.try_acquire(&limits(), 10, false, t0), Err(1));
        for chat in 11..=16 {
            assert!(limiter.try_acquire(&limits(), chat, true, t0).is_ok());
        }
        assert_eq!(limiter.try_acquire(&limits(), 20, true, t0), Err(1));
        // A refused request is not counted: chat 10's bucket is still full.
        let later = t0 + SECOND;
        for _ in 0..3 {
            assert!(limiter.try_acquire(&limits(), 10, false, later).is_ok());
        }
    }

    #[test]
    fn disabled_limits_never_refuse() {
        let mut limiter = RateLimiter::default();
        let off = Limits {
            enabled: false,
            ..limits()
        };
        let t0 = Instant::now();
        for _ in 0..100 {
            assert!(limiter.try_acquire(&off, 1, false, t0).is_ok());
        }
    }
}
