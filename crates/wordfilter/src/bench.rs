//! A self-contained benchmark, shared by `benches/filter.rs` and the
//! application's `groupcart bench filter` subcommand.

use std::fmt;
use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::{synth, BuildError, Filter, Normalized};

/// Seed of the synthetic word list; the messages use `SEED + 1`.
pub const SEED: u64 = 0x6772_6f75_7063_6172;

/// Figures measured by [`bench_report`].
#[derive(Clone, Debug)]
pub struct BenchReport {
    /// Entries in the list.
    pub words: usize,
    /// Distinct normalized patterns in the automaton.
    pub patterns: usize,
    /// Time to build the filter (normalization plus automaton).
    pub build: Duration,
    /// Approximate heap size of the filter, in bytes.
    pub memory_bytes: usize,
    /// Messages checked.
    pub messages: usize,
    /// Total size of the messages, in bytes.
    pub message_bytes: usize,
    /// Time to normalize every message, without searching.
    pub normalize: Duration,
    /// Time for the full check (normalize, search, accept) of every message,
    /// one thread.
    pub scan: Duration,
    /// Messages with at least one accepted match.
    pub flagged: usize,
    /// Accepted matches over all messages.
    pub matches: usize,
}

impl BenchReport {
    /// Full checks per second on one core.
    pub fn messages_per_sec(&self) -> f64 {
        self.messages as f64 / self.scan.as_secs_f64().max(1e-9)
    }

    /// Message throughput of the full check, in MiB/s.
    pub fn mib_per_sec(&self) -> f64 {
        self.message_bytes as f64 / (1024.0 * 1024.0) / self.scan.as_secs_f64().max(1e-9)
    }

    /// Mean time of one full check.
    pub fn per_message(&self) -> Duration {
        self.scan / self.messages.max(1) as u32
    }
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let norm_rate = self.messages as f64 / self.normalize.as_secs_f64().max(1e-9);
        writeln!(
            f,
            "words:        {} ({} distinct patterns)",
            self.words, self.patterns
        )?;
        writeln!(f, "build:        {:.1} ms", self.build.as_secs_f64() * 1e3)?;
        writeln!(
            f,
            "memory:       {:.1} MiB (approx.)",
            self.memory_bytes as f64 / (1024.0 * 1024.0)
        )?;
        writeln!(
            f,
            "messages:     {} ({:.1} bytes avg), {} flagged, {} matches",
            self.messages,
            self.message_bytes as f64 / self.messages.max(1) as f64,
            self.flagged,
            self.matches
        )?;
        writeln!(f, "normalize:    {:.0} msg/s alone", norm_rate)?;
        write!(
            f,
            "full check:   {:.0} msg/s, {:.1} MiB/s, {:.2} µs/msg (one thread)",
            self.messages_per_sec(),
            self.mib_per_sec(),
            self.per_message().as_secs_f64() * 1e6
        )
    }
}

/// Builds a filter from `words` synthetic entries ([`synth::entries`]) and
/// checks `messages` synthetic chat messages ([`synth::messages`]) on the
/// current thread, timing each phase. Deterministic data; the timings are
/// whatever this machine does.
pub fn bench_report(words: usize, messages: usize) -> Result<BenchReport, BuildError> {
    let entries = synth::entries(words, SEED);
    let msgs = synth::messages(messages, SEED + 1, &entries);

    let t = Instant::now();
    let filter = Filter::new(entries)?;
    let build = t.elapsed();

    let mut norm = Normalized::new();
    // Warm the caches and the reusable buffer.
    for m in msgs.iter().take(1000) {
        norm.set(m);
        black_box(filter.find_in(&norm));
    }

    let t = Instant::now();
    for m in &msgs {
        norm.set(black_box(m));
        black_box(norm.as_str());
    }
    let normalize = t.elapsed();

    let (mut flagged, mut matches) = (0, 0);
    let t = Instant::now();
    for m in &msgs {
        norm.set(black_box(m));
        let found = filter.find_in(&norm);
        flagged += usize::from(!found.is_empty());
        matches += found.len();
        black_box(found);
    }
    let scan = t.elapsed();

    Ok(BenchReport {
        words,
        patterns: filter.pattern_count(),
        build,
        memory_bytes: filter.memory_usage(),
        messages,
        message_bytes: msgs.iter().map(String::len).sum(),
        normalize,
        scan,
        flagged,
        matches,
    })
}
