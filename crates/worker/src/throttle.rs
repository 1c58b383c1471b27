//! Telegram's sending limits, enforced before a request is made so that the bot is not
//! answered with 429s.
//!
//! Each limit is a GCRA (generic cell rate algorithm) cell: a rate and a burst. A message may
//! go when its chat's cell and the bot's global cell both allow it; a chat that got a 429 is
//! parked on its own, so one slow chat never freezes the others.
//!
//! The defaults sit just under Telegram's published limits ("about 30 messages per second",
//! "not more than 20 messages per minute" in a group, about one per second in a private chat
//! with short bursts), with a margin for clock skew between us and Telegram.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Send limits of one bot.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Messages per second to one private chat.
    pub private_per_sec: f64,
    /// Messages that may go to a private chat back to back.
    pub private_burst: u32,
    /// Messages per minute to one group or channel.
    pub group_per_min: f64,
    /// Messages that may go to a group back to back.
    pub group_burst: u32,
    /// Messages per second across all chats.
    pub global_per_sec: f64,
    /// Paid-broadcast messages per second (0 disables paid broadcasts). Telegram allows up
    /// to 1000/s for bots with a Stars balance; each message above 30/s costs 0.1 Star.
    pub paid_per_sec: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            private_per_sec: 1.0,
            private_burst: 3,
            group_per_min: 19.0,
            group_burst: 1,
            global_per_sec: 28.0,
            paid_per_sec: 0.0,
        }
    }
}

impl Limits {
    /// Checks the values make sense; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        let positive = [
            ("private_per_sec", self.private_per_sec),
            ("group_per_min", self.group_per_min),
            ("global_per_sec", self.global_per_sec),
        ];
        for (name, value) in positive {
            if !(value.is_finite() && value > 0.0) {
                return Err(format!("{name} must be a positive number"));
            }
        }
        if !(self.paid_per_sec.is_finite() && (0.0..=1000.0).contains(&self.paid_per_sec)) {
            return Err("paid_per_sec must be between 0 and 1000".into());
        }
        if self.private_burst == 0 || self.group_burst == 0 {
            return Err("bursts must be at least 1".into());
        }
        Ok(())
    }
}

/// One GCRA cell: `interval` between messages on average, `tolerance` of early arrival.
#[derive(Debug, Clone, Copy)]
struct Cell {
    /// The theoretical arrival time of the next message.
    tat: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Rate {
    interval: Duration,
    tolerance: Duration,
}

impl Rate {
    fn new(per_sec: f64, burst: u32) -> Self {
        let interval = Duration::from_secs_f64(1.0 / per_sec);
        Rate {
            interval,
            tolerance: interval * burst.saturating_sub(1),
        }
    }

    /// A bot-wide rate: no burst, but a sender that looks a little late may catch up the
    /// slots it missed, up to half an interval or 10 ms of them (whichever is more). Without
    /// it every late look loses time for good (29/s configured came out as 28/s), and a
    /// rate faster than the sender looks (1000/s) would be capped at one message per look.
    /// The catch-up adds at most that many messages to any one-second window, which the
    /// margin under Telegram's limits absorbs (half a message at 29/s, 10 at 970/s).
    fn bot_wide(per_sec: f64) -> Self {
        let interval = Duration::from_secs_f64(1.0 / per_sec);
        Rate {
            interval,
            tolerance: (interval / 2).max(Duration::from_millis(10)),
        }
    }

    /// When a message may go through `cell` (`now` or later).
    fn ready_at(&self, cell: &Cell, now: Instant) -> Instant {
        cell.tat
            .checked_sub(self.tolerance)
            .map_or(now, |earliest| earliest.max(now))
    }

    fn take(&self, cell: &mut Cell, now: Instant) {
        cell.tat = cell.tat.max(now) + self.interval;
    }
}

#[derive(Debug)]
struct ChatState {
    cell: Cell,
    parked_until: Option<Instant>,
}

/// Which budget a message is sent under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// The ordinary limits.
    Normal,
    /// A broadcast message sent with `allow_paid_broadcast` under the paid budget.
    PaidBroadcast,
}

/// The limiter of one bot. Not thread-safe by design: one sender task owns it.
#[derive(Debug)]
pub struct Throttle {
    private: Rate,
    group: Rate,
    global: Rate,
    paid: Option<Rate>,
    global_cell: Cell,
    paid_cell: Cell,
    chats: HashMap<i64, ChatState>,
}

impl Throttle {
    pub fn new(limits: Limits, now: Instant) -> Self {
        Throttle {
            private: Rate::new(limits.private_per_sec, limits.private_burst),
            group: Rate::new(limits.group_per_min / 60.0, limits.group_burst),
            global: Rate::bot_wide(limits.global_per_sec),
            paid: (limits.paid_per_sec > 0.0).then(|| Rate::bot_wide(limits.paid_per_sec)),
            global_cell: Cell { tat: now },
            paid_cell: Cell { tat: now },
            chats: HashMap::new(),
        }
    }

    /// The lane a message would use: paid broadcasts only when enabled.
    pub fn lane_for(&self, broadcast: bool) -> Lane {
        if broadcast && self.paid.is_some() {
            Lane::PaidBroadcast
        } else {
            Lane::Normal
        }
    }

    fn chat_rate(&self, chat_id: i64) -> Rate {
        // Telegram's private chats have positive ids; groups, supergroups and channels
        // negative ones.
        if chat_id > 0 {
            self.private
        } else {
            self.group
        }
    }

    /// Reserves a slot for a message to `chat_id` if one is free at `now`; otherwise returns
    /// when to ask again. Nothing is reserved on `Err`.
    pub fn try_acquire(&mut self, chat_id: i64, lane: Lane, now: Instant) -> Result<(), Instant> {
        let chat_rate = self.chat_rate(chat_id);
        let chat = self.chats.entry(chat_id).or_insert(ChatState {
            cell: Cell { tat: now },
            parked_until: None,
        });
        let mut ready = chat_rate.ready_at(&chat.cell, now);
        if let Some(until) = chat.parked_until {
            ready = ready.max(until);
        }
        let (bot_rate, bot_cell) = match (lane, self.paid) {
            (Lane::PaidBroadcast, Some(paid)) => (paid, &mut self.paid_cell),
            _ => (self.global, &mut self.global_cell),
        };
        ready = ready.max(bot_rate.ready_at(bot_cell, now));
        if ready > now {
            return Err(ready);
        }
        chat.parked_until = None;
        chat_rate.take(&mut chat.cell, now);
        bot_rate.take(bot_cell, now);
        Ok(())
    }

    /// Counts a message sent to `chat_id` at `at` (in the past, before this throttle
    /// existed) against the chat's limit. Call in the order they were sent.
    pub fn remember(&mut self, chat_id: i64, at: Instant) {
        let rate = self.chat_rate(chat_id);
        let chat = self.chats.entry(chat_id).or_insert(ChatState {
            cell: Cell { tat: at },
            parked_until: None,
        });
        rate.take(&mut chat.cell, at);
    }

    /// Holds back a chat Telegram answered with 429 `retry_after`.
    pub fn park(&mut self, chat_id: i64, until: Instant) {
        let chat = self.chats.entry(chat_id).or_insert(ChatState {
            cell: Cell { tat: until },
            parked_until: None,
        });
        chat.parked_until = Some(chat.parked_until.map_or(until, |u| u.max(until)));
    }

    /// Forgets chats that have been idle long enough to have no effect; keeps memory flat
    /// across millions of chats.
    pub fn forget_idle(&mut self, now: Instant) {
        self.chats
            .retain(|_, c| c.cell.tat > now || c.parked_until.is_some_and(|u| u > now));
    }

    /// Chats currently tracked (for tests and metrics).
    pub fn tracked_chats(&self) -> usize {
        self.chats.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: a sender restarted every second sent a group its one message at once each
    /// time (a fresh throttle), past Telegram's 20 a minute, and got 429s.
    #[test]
    fn sends_before_the_start_count_against_a_group() {
        let limits = Limits::default();
        let start = Instant::now() + Duration::from_secs(60);
        let group = -100;
        let mut fresh = Throttle::new(limits, start);
        assert!(fresh.try_acquire(group, Lane::Normal, start).is_ok());
        let mut seeded = Throttle::new(limits, start);
        seeded.remember(group, start - Duration::from_secs(1));
        let ready = seeded
            .try_acquire(group, Lane::Normal, start)
            .expect_err("a group written to a second ago waits");
        assert!(ready > start);
        // Long ago sends do not hold anything back.
        let mut old = Throttle::new(limits, start);
        old.remember(group, start - Duration::from_secs(59));
        assert!(old.try_acquire(group, Lane::Normal, start).is_ok());
    }

    /// Sends as fast as the throttle allows for `span` and returns the send times.
    fn drive(
        throttle: &mut Throttle,
        chats: &[i64],
        lane: Lane,
        start: Instant,
        span: Duration,
    ) -> Vec<(i64, Instant)> {
        let mut sent = Vec::new();
        let mut now = start;
        let step = Duration::from_millis(1);
        while now < start + span {
            for &chat in chats {
                if throttle.try_acquire(chat, lane, now).is_ok() {
                    sent.push((chat, now));
                }
            }
            now += step;
        }
        sent
    }

    /// The most sends in any window of `window` length.
    fn max_in_window(times: &[Instant], window: Duration) -> usize {
        let mut best = 0;
        for (i, t) in times.iter().enumerate() {
            let n = times[i..].iter().take_while(|u| **u < *t + window).count();
            best = best.max(n);
        }
        best
    }

    #[test]
    fn private_chat_allows_a_short_burst_then_one_per_second() {
        let start = Instant::now();
        let mut t = Throttle::new(Limits::default(), start);
        let sent = drive(&mut t, &[42], Lane::Normal, start, Duration::from_secs(10));
        let times: Vec<_> = sent.iter().map(|(_, t)| *t).collect();
        // The global limit spaces even a burst by ~36 ms.
        let burst = times
            .iter()
            .filter(|t| **t < start + Duration::from_millis(200))
            .count();
        assert_eq!(burst, 3, "burst of 3");
        // 3 at once, then one per second: 3 + 9 within ten seconds.
        assert_eq!(times.len(), 12);
    }

    #[test]
    fn group_stays_under_twenty_per_minute_in_every_window() {
        let start = Instant::now();
        let mut t = Throttle::new(Limits::default(), start);
        let sent = drive(
            &mut t,
            &[-100],
            Lane::Normal,
            start,
            Duration::from_secs(180),
        );
        let times: Vec<_> = sent.iter().map(|(_, t)| *t).collect();
        assert!(max_in_window(&times, Duration::from_secs(60)) <= 20);
        assert!(times.len() >= 55, "group too slow: {}", times.len());
    }

    #[test]
    fn global_limit_holds_across_many_chats() {
        let start = Instant::now();
        let mut t = Throttle::new(Limits::default(), start);
        let chats: Vec<i64> = (1..=500).collect();
        let sent = drive(&mut t, &chats, Lane::Normal, start, Duration::from_secs(5));
        let times: Vec<_> = sent.iter().map(|(_, t)| *t).collect();
        assert!(max_in_window(&times, Duration::from_secs(1)) <= 30);
        assert!(times.len() >= 5 * 27, "global too slow: {}", times.len());
    }

    #[test]
    fn paid_broadcast_uses_its_own_budget_only_when_enabled() {
        let start = Instant::now();
        let limits = Limits {
            paid_per_sec: 500.0,
            ..Limits::default()
        };
        let mut t = Throttle::new(limits, start);
        assert_eq!(t.lane_for(true), Lane::PaidBroadcast);
        assert_eq!(t.lane_for(false), Lane::Normal);
        let chats: Vec<i64> = (1..=2000).collect();
        let sent = drive(
            &mut t,
            &chats,
            Lane::PaidBroadcast,
            start,
            Duration::from_secs(1),
        );
        // 500 a second, plus the 10 ms (5 messages) a late sender may catch up.
        assert!(
            (450..=505).contains(&sent.len()),
            "paid sends: {}",
            sent.len()
        );
        let free = Throttle::new(Limits::default(), start);
        assert_eq!(free.lane_for(true), Lane::Normal);
    }

    #[test]
    fn a_parked_chat_waits_without_blocking_others() {
        let start = Instant::now();
        let mut t = Throttle::new(Limits::default(), start);
        t.park(7, start + Duration::from_secs(9));
        assert_eq!(
            t.try_acquire(7, Lane::Normal, start),
            Err(start + Duration::from_secs(9))
        );
        assert!(t.try_acquire(8, Lane::Normal, start).is_ok());
        assert!(t
            .try_acquire(7, Lane::Normal, start + Duration::from_secs(9))
            .is_ok());
    }

    #[test]
    fn idle_chats_are_forgotten() {
        let start = Instant::now();
        let mut t = Throttle::new(Limits::default(), start);
        let mut now = start;
        for chat in 1..=28 {
            t.try_acquire(chat, Lane::Normal, now)
                .unwrap_or_else(|_| panic!("chat {chat}"));
            now += Duration::from_millis(40);
        }
        assert_eq!(t.tracked_chats(), 28);
        t.forget_idle(now + Duration::from_secs(5));
        assert_eq!(t.tracked_chats(), 0);
    }

    #[test]
    fn invalid_limits_name_the_field() {
        let bad = Limits {
            global_per_sec: 0.0,
            ..Limits::default()
        };
        assert!(bad.validate().unwrap_err().contains("global_per_sec"));
        assert!(Limits::default().validate().is_ok());
    }
}
