//! Interleaved A/B timing: the ratio of two operations measured in
//! alternating blocks, so that whatever else the machine is doing (other
//! builds on a 2-core box) weighs on both sides alike.
//!
//! Each round times a block of the subject and a block of the baseline back
//! to back, alternating which goes first; the figure is the median of the
//! per-round ratios, and the spread between the quartiles says how noisy
//! the run was. Each input is built just before its timed call, so request
//! construction never counts; dropping the output (the request, the
//! verified token) does, as in a server.

use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// How long one timed block should last.
const BLOCK: Duration = Duration::from_millis(10);

/// Bounds of a block's iteration count.
const MIN_ITERS: usize = 8;
const MAX_ITERS: usize = 20_000;

/// The rounds of one comparison.
pub const ROUNDS: usize = 41;

/// The outcome of one comparison.
#[derive(Clone, Debug)]
pub struct Ratio {
    /// What was compared, e.g. `verify HS256: decode_token / jsonwebtoken::decode`.
    pub name: String,
    /// The target the issue sets, e.g. `1.00` (subject at most the baseline).
    pub target: Option<f64>,
    /// The median of the per-round ratios subject / baseline.
    pub median: f64,
    /// The first quartile of the per-round ratios.
    pub q1: f64,
    /// The third quartile of the per-round ratios.
    pub q3: f64,
    /// The subject's median time per operation, in nanoseconds (context only).
    pub subject_ns: f64,
    /// The baseline's median time per operation, in nanoseconds (context only).
    pub baseline_ns: f64,
}

impl Ratio {
    /// Whether the median meets the target (`None` without a target).
    pub fn meets_target(&self) -> Option<bool> {
        self.target.map(|target| self.median <= target)
    }
}

/// Times `subject` against `baseline` on inputs from `setup`, in
/// [`ROUNDS`] interleaved rounds. Each side gets an input by value; what
/// it returns is dropped inside the timing (see [`block`]).
pub fn compare<I, A, B>(
    name: impl Into<String>,
    target: Option<f64>,
    setup: impl FnMut() -> I,
    subject: impl FnMut(I) -> A,
    baseline: impl FnMut(I) -> B,
) -> Ratio {
    // Setting up is never timed, so sharing it through a cell costs nothing.
    let setup = RefCell::new(setup);
    compare_each(
        name,
        target,
        || (setup.borrow_mut())(),
        subject,
        || (setup.borrow_mut())(),
        baseline,
    )
}

/// [`compare`] with an input of its own for each side, e.g. requests
/// carrying different managers.
pub fn compare_each<I, J, A, B>(
    name: impl Into<String>,
    target: Option<f64>,
    mut subject_setup: impl FnMut() -> I,
    mut subject: impl FnMut(I) -> A,
    mut baseline_setup: impl FnMut() -> J,
    mut baseline: impl FnMut(J) -> B,
) -> Ratio {
    let iters = calibrate(&mut subject_setup, &mut subject);
    // Warm-up: caches, branch predictors, allocator pools of both sides.
    for _ in 0..2 {
        block(iters, &mut subject_setup, &mut subject);
        block(iters, &mut baseline_setup, &mut baseline);
    }
    let mut ratios = Vec::with_capacity(ROUNDS);
    let mut subject_times = Vec::with_capacity(ROUNDS);
    let mut baseline_times = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (s, b) = if round % 2 == 0 {
            let s = block(iters, &mut subject_setup, &mut subject);
            (s, block(iters, &mut baseline_setup, &mut baseline))
        } else {
            let b = block(iters, &mut baseline_setup, &mut baseline);
            (block(iters, &mut subject_setup, &mut subject), b)
        };
        ratios.push(s.as_secs_f64() / b.as_secs_f64());
        subject_times.push(s.as_secs_f64() * 1e9 / iters as f64);
        baseline_times.push(b.as_secs_f64() * 1e9 / iters as f64);
    }
    Ratio {
        name: name.into(),
        target,
        median: quantile(&mut ratios, 0.5),
        q1: quantile(&mut ratios, 0.25),
        q3: quantile(&mut ratios, 0.75),
        subject_ns: quantile(&mut subject_times, 0.5),
        baseline_ns: quantile(&mut baseline_times, 0.5),
    }
}

/// The iteration count that makes one block of `subject` last about [`BLOCK`].
fn calibrate<I, A>(setup: &mut impl FnMut() -> I, subject: &mut impl FnMut(I) -> A) -> usize {
    let mut iters = MIN_ITERS;
    loop {
        let elapsed = block(iters, setup, subject);
        if elapsed >= BLOCK / 4 || iters >= MAX_ITERS {
            let per_iter = elapsed.as_secs_f64() / iters as f64;
            let wanted = (BLOCK.as_secs_f64() / per_iter.max(1e-9)) as usize;
            return wanted.clamp(MIN_ITERS, MAX_ITERS);
        }
        iters *= 4;
    }
}

/// Times `op` on `iters` inputs, each built just before its call (so it is
/// in cache, as a request a server has just parsed); the timing includes
/// dropping the output (the request, the verified token), as a server drops
/// them after answering, and keeps the heap from growing during a block.
/// The clock is read around each call: its cost (tens of nanoseconds)
/// weighs on both sides. The criterion benches of requests time the same
/// way (`iter_custom`).
pub fn block<I, O>(
    iters: usize,
    setup: &mut impl FnMut() -> I,
    op: &mut impl FnMut(I) -> O,
) -> Duration {
    let mut elapsed = Duration::ZERO;
    for _ in 0..iters {
        let input = black_box(setup());
        let start = Instant::now();
        drop(black_box(op(input)));
        elapsed += start.elapsed();
    }
    elapsed
}

fn quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let position = q * (values.len() - 1) as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    let weight = position - low as f64;
    values[low] * (1.0 - weight) + values[high] * weight
}

/// Prints `ratios` as a Markdown table: the median ratio with its quartiles
/// (the noise of this run), the target, and the per-operation medians.
pub fn print_table(title: &str, ratios: &[Ratio]) {
    print_table_of(title, Sides::JWT_EXT_VS_BASELINE, ratios);
}

/// What the two sides of a table are, for its legend and columns.
#[derive(Clone, Copy, Debug)]
pub struct Sides {
    /// The subject, e.g. `jwt-ext`.
    pub subject: &'static str,
    /// The baseline, e.g. `baseline`.
    pub baseline: &'static str,
}

impl Sides {
    /// jwt-ext against a hand-written or jsonwebtoken baseline.
    pub const JWT_EXT_VS_BASELINE: Sides = Sides {
        subject: "jwt-ext",
        baseline: "baseline",
    };
}

/// [`print_table`] for two sides other than jwt-ext and a baseline.
pub fn print_table_of(title: &str, sides: Sides, ratios: &[Ratio]) {
    let Sides { subject, baseline } = sides;
    println!();
    println!("## {title}");
    println!();
    println!(
        "ratio = {subject} / {baseline}, median of {ROUNDS} interleaved rounds [quartiles]; below 1 means {subject} is faster"
    );
    println!();
    println!("| comparison | ratio [q1 – q3] | target | {subject} ns/op | {baseline} ns/op |");
    println!("|---|---|---|---|---|");
    for ratio in ratios {
        let target = match (ratio.target, ratio.meets_target()) {
            (Some(target), Some(true)) => format!("≤ {target:.2} met"),
            (Some(target), _) => format!("≤ {target:.2} **missed**"),
            (None, _) => "–".to_owned(),
        };
        println!(
            "| {} | {:.3} [{:.3} – {:.3}] | {target} | {:.0} | {:.0} |",
            ratio.name, ratio.median, ratio.q1, ratio.q3, ratio.subject_ns, ratio.baseline_ns
        );
    }
    println!();
}

/// What a bench binary runs, from `JWT_EXT_BENCH`: `ratios` (only the
/// interleaved tables), `criterion` (only criterion's figures), anything
/// else or unset both. The tables run only under `cargo bench` (`--bench`),
/// not in a `cargo test --benches` smoke run.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    /// Run criterion's benchmarks.
    pub criterion: bool,
    /// Print the interleaved ratio tables.
    pub ratios: bool,
}

impl Mode {
    /// The mode of this process.
    pub fn from_env() -> Self {
        let bench = std::env::args().any(|arg| arg == "--bench");
        let choice = std::env::var("JWT_EXT_BENCH").unwrap_or_default();
        Mode {
            criterion: choice != "ratios",
            ratios: bench && choice != "criterion",
        }
    }
}
