//! The working space of one article, as the allocator sees it: how much of its large blocks
//! an article's classification writes (the pages it makes resident), and what the thread
//! keeps once the answer is given.
//!
//! Blocks of [`LARGE`] bytes or more are filled with a pattern when allocated; when one is
//! freed, the pages where the pattern was overwritten are counted as written. The article's
//! thread ends before the count is read, so that the spares it kept are freed and counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use accord::{Article, Model, Options};

const LARGE: usize = 64 << 10;
const PAGE: usize = 4096;
const PATTERN: u8 = 0xA5;

struct Watching;

/// Bytes allocated and not yet freed.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Pages of freed large blocks that were written, in bytes.
static WRITTEN: AtomicUsize = AtomicUsize::new(0);
/// Bytes allocated so far, freed or not.
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

/// The tests run one at a time, each from before it allocates anything, so that the
/// counts are of one test's work.
static MEASURING: Mutex<()> = Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    MEASURING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() && layout.size() >= LARGE {
            unsafe { block.write_bytes(PATTERN, layout.size()) };
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        if layout.size() >= LARGE {
            let bytes = unsafe { std::slice::from_raw_parts(block, layout.size()) };
            let written = bytes.chunks(PAGE).filter(|page| page.iter().any(|&b| b != PATTERN)).count();
            WRITTEN.fetch_add(written * PAGE, Ordering::Relaxed);
        }
        unsafe { System.dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // As a new block, the contents copied, and the old one freed: so that both are seen.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            unsafe { std::ptr::copy_nonoverlapping(block, new, layout.size().min(new_size)) };
            unsafe { self.dealloc(block, layout) };
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Watching = Watching;

/// The shipped model, loaded once for all the tests.
static MODEL: std::sync::LazyLock<Model> = std::sync::LazyLock::new(|| {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default/model.bin");
    Model::load(&path).expect("the shipped model loads")
});

/// What classifying `articles` in turn on a new thread writes of large blocks, in bytes,
/// the bytes the thread still holds after the last answer, before it ends, and the bytes
/// allocated for each article. For a caller holding [`alone`].
fn on_a_thread(articles: &[(&str, &str)], options: &Options) -> (usize, usize, Vec<usize>) {
    let model: &Model = &MODEL;
    let written = WRITTEN.load(Ordering::Relaxed);
    let (kept, allocated) = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let before = LIVE.load(Ordering::Relaxed);
                let allocated = articles.iter().map(|&(title, text)| {
                    let before = ALLOCATED.load(Ordering::Relaxed);
                    drop(model.classify(&Article { id: "", title, text }, options));
                    ALLOCATED.load(Ordering::Relaxed) - before
                });
                let allocated: Vec<usize> = allocated.collect();
                (LIVE.load(Ordering::Relaxed).saturating_sub(before), allocated)
            })
            .join()
            .expect("classifies")
    });
    (WRITTEN.load(Ordering::Relaxed) - written, kept, allocated)
}

const MIB: usize = 1 << 20;

#[test]
fn one_letter_lines_are_read_in_under_20_bytes_a_byte() {
    // A sentence every two bytes, no token: the sentences, and their stance probabilities
    // kept for the relations, are all the article needs.
    let _alone = alone();
    let text = "a\n".repeat(MIB / 2);
    let (written, kept, _) = on_a_thread(&[("", &text)], &Options::default());
    assert!(written <= 20 * MIB, "{written} bytes written for a 1 MiB article");
    assert!(kept <= 4 * MIB, "{kept} bytes kept after it");
}

#[test]
fn a_thread_keeps_little_after_a_large_article() {
    let _alone = alone();
    let text = "China met Russia. ".repeat(MIB / 18);
    let options = Options { relations: true, ..Options::default() };
    let (_, kept, _) = on_a_thread(&[("", &text)], &options);
    assert!(kept <= 4 * MIB, "{kept} bytes kept after a 1 MiB article");
}

#[test]
fn an_article_under_the_kept_size_reuses_the_space_of_the_one_before() {
    let _alone = alone();
    let sentence = "Leaders of France and Germany met in Geneva on Tuesday and signed a trade deal. ";
    let text = sentence.repeat(60_000 / sentence.len());
    let options = Options { relations: true, ..Options::default() };
    let (_, _, allocated) = on_a_thread(&[("Talks", &text), ("Talks", &text)], &options);
    // The second article allocates only its answer: a small part of what the first did,
    // which grew the thread's space.
    let [first, second] = allocated[..] else { panic!("two articles") };
    assert!(second * 10 < first, "{second} bytes allocated for the second article, {first} for the first");
}
