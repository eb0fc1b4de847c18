//! The working space of one article, in bytes the allocator hands out: for each of the
//! pathological articles below (and a tiny one), the peak of live heap bytes while
//! [`Model::classify`] runs on it, above what was live before, and what the thread still
//! keeps once the answer is dropped (its spare buffers, kept for the next article).
//!
//! `cargo run --release --example working_space [relations|sentences|plain]`
//!
//! Counted through the system allocator, so that the figures are the bytes asked for,
//! not an allocator's pages (the `accord` binary's mimalloc keeps some freed pages too:
//! measure its max RSS for that).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use accord::{Article, Model, Options};

#[path = "../benches/common/mod.rs"]
mod common;

/// The system allocator, keeping the live bytes and their peak.
struct Peak;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Old and new blocks are both live while the contents move.
        grew(new_size);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Peak = Peak;

const MIB: usize = 1 << 20;

/// `piece` repeated to `bytes` bytes (cut at a character boundary).
fn repeated(piece: &str, bytes: usize) -> String {
    let mut text = piece.repeat(bytes / piece.len() + 1);
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

/// `bytes` characters drawn from `alphabet` by a fixed linear congruential sequence.
fn scrambled(alphabet: &[u8], bytes: usize) -> String {
    let mut state: u64 = 1;
    let pick = |_| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        alphabet[(state >> 33) as usize % alphabet.len()] as char
    };
    (0..bytes).map(pick).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let what = std::env::args().nth(1).unwrap_or_default();
    let options = Options { explain: 0, sentences: what == "sentences", relations: what == "relations" };
    let model = Model::load(&common::root().join("models/default/model.bin"))?;
    let a_nl = repeated("a\n", MIB);
    let (ab_nl, ab_sp, e_nl) = (repeated("ab\n", MIB), repeated("ab ", MIB), repeated("\u{c9}\n", MIB));
    let articles: [(&str, &str, String); 11] = [
        ("tiny", "", "Leaders met in Geneva. They signed a deal.".into()),
        ("\"a\\n\" text", "", a_nl.clone()),
        ("\"a\\n\" title and text", &a_nl, a_nl.clone()),
        ("\"a \" text", "", repeated("a ", MIB)),
        ("\"China. \" text", "", repeated("China. ", MIB)),
        ("\"China Russia \" text", "", repeated("China Russia ", MIB)),
        ("random \"a-j ,.\\n\" text", "", scrambled(b"abcdefghij ,.\n", MIB)),
        ("\"\u{c9}. \" text", "", repeated("\u{c9}. ", MIB)),
        ("\"ab\\n\" title and text", &ab_nl, ab_nl.clone()),
        ("\"ab \" title and text", &ab_sp, ab_sp.clone()),
        ("\"\u{c9}\\n\" title and text", &e_nl, e_nl.clone()),
    ];
    println!("{:<26} {:>9} {:>12} {:>10} {:>10}", "article", "bytes", "peak", "per byte", "kept");
    for (name, title, text) in &articles {
        // Each article on a thread of its own, so that what one keeps does not serve the next.
        let (peak, kept) = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let before = LIVE.load(Ordering::Relaxed);
                    PEAK.store(before, Ordering::Relaxed);
                    let answer = model.classify(&Article { id: "", title, text }, &options);
                    drop(std::hint::black_box(answer));
                    let peak = PEAK.load(Ordering::Relaxed) - before;
                    (peak, LIVE.load(Ordering::Relaxed).saturating_sub(before))
                })
                .join()
        })
        .map_err(|_| "a classification panicked")?;
        let bytes = title.len() + text.len();
        let mib = |n: usize| format!("{:.1} MiB", n as f64 / MIB as f64);
        println!("{name:<26} {bytes:>9} {:>12} {:>10.1} {:>10}", mib(peak), peak as f64 / bytes as f64, mib(kept));
    }
    Ok(())
}
