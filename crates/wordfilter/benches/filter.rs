//! `cargo bench -p groupcart-wordfilter`: builds a 100,000-word synthetic
//! list (CJK, Latin, Cyrillic) and checks a realistic mix of short chat
//! messages on one thread. Plain std timing, a few seconds in all.

use groupcart_wordfilter::bench::bench_report;

fn main() {
    // `cargo test --benches` runs this too: keep that run tiny.
    let quick = std::env::args().any(|a| a == "--test");
    let runs: &[(usize, usize)] = if quick {
        &[(1_000, 1_000)]
    } else {
        &[(1_000, 200_000), (100_000, 200_000)]
    };
    for &(words, messages) in runs {
        match bench_report(words, messages) {
            Ok(report) => println!("{report}\n"),
            Err(e) => {
                eprintln!("cannot build the filter: {e}");
                std::process::exit(1);
            }
        }
    }
}
