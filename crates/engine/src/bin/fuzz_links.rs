//! `cargo run --release --bin fuzz_links -- [COUNT] [SEED]`: decode COUNT (default 1,000,000)
//! random and mutated share links; any panic or unclean round trip fails the run.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_000_000u64);
    let seed = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1u64);
    let started = std::time::Instant::now();
    let noticed = playground_engine::link_fuzz::run(count, seed);
    println!(
        "{count} links decoded without a panic in {:.1} s; {noticed} produced notices; every decoded experiment round-trips cleanly",
        started.elapsed().as_secs_f64()
    );
}
