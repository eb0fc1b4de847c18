//! One article's analysis: its tokens read once ([`Tokens`]), every unigram and bigram of
//! them looked up once, and from those lookups the term counts of the article and of each
//! of its sentences, handed to the caller one at a time.
//!
//! The space it works in is the thread's: taken when an article is analysed and given back
//! when the analysis is dropped, so that an article allocates nothing once the space is
//! large enough.

use std::cell::Cell;

use super::counts::TermCounts;
use super::TfIdf;
use crate::text::article::{Article, Field};
use crate::text::tokenizer::Tokenizer;
use crate::text::tokens::{keep_within, Sentence, Tokens, KEPT_TOKENS};

/// The space one analysis works in: reused from article to article.
#[derive(Default)]
struct Space {
    tokens: Tokens,
    /// The keys looked up: unigrams and bigrams.
    lookups: Vec<u64>,
    /// Per field, the table slot each lookup found (the table's `miss` if none).
    slots: [Vec<u32>; 2],
    /// Count per table slot, and at `miss` for unknown terms; zero between analyses.
    counts: Vec<u32>,
    /// The slots with a non-zero count, at its start (how many: the analysis knows).
    touched: Vec<u32>,
}

impl Space {
    /// Frees the buffers an article larger than [`crate::text::tokens::KEPT_ARTICLE_BYTES`]
    /// grew; a smaller one's are kept as they are (the test, once an article, is all it costs).
    #[inline]
    fn keep_small(&mut self) {
        if self.tokens.read_large() {
            self.free_large();
        }
    }

    /// [`Space::keep_small`] after a large article: every buffer sized by the article. The
    /// counts, sized by the vocabulary, stay.
    #[cold]
    #[inline(never)]
    fn free_large(&mut self) {
        self.tokens.keep_small();
        // A unigram and a bigram per token; the first occurrences, at most one per lookup.
        let lookups = 2 * KEPT_TOKENS;
        keep_within(&mut self.lookups, lookups);
        self.slots.iter_mut().for_each(|slots| keep_within(slots, lookups));
        keep_within(&mut self.touched, lookups);
    }
}

thread_local! {
    static SPACE: Cell<Option<Box<Space>>> = const { Cell::new(None) };
}

/// An article read and looked up once by a vectorizer. Its term counts come out one set at
/// a time: the article's ([`Analysis::article_counts`]), then any sentence's
/// ([`Analysis::each_sentence_counts`]).
pub(crate) struct Analysis<'v> {
    vectorizer: &'v TfIdf,
    /// Always set; taken only when the analysis is dropped.
    space: Option<Box<Space>>,
    /// How many of the article's first-seen slots `touched` holds; zero once the article's
    /// counts have been handed out or cleared.
    article: usize,
}

impl TfIdf {
    /// Reads `article` with `tokenizer` (one pass over each field), splits it into sentences
    /// if `sentences` is set, and counts its terms.
    pub(crate) fn analyse(&self, tokenizer: &Tokenizer, article: &Article, sentences: bool) -> Analysis<'_> {
        // Taken from the thread, or made if the thread has none (an analysis made while
        // another is alive, or while the thread shuts down).
        let mut space = SPACE.try_with(Cell::take).ok().flatten().unwrap_or_default();
        space.tokens.read(tokenizer, article);
        if sentences {
            space.tokens.split_sentences(article);
        }
        let Space { tokens, lookups, slots, counts, touched } = &mut *space;
        let miss = self.table.miss() as usize;
        if counts.len() <= miss {
            counts.resize(miss + 1, 0);
        }
        // Unknown terms are counted at `miss`, which starts above zero so that it is never
        // taken for a first occurrence.
        counts[miss] = 1;
        let mut new = 0;
        for field in Field::ALL {
            let keys = tokens.field(field).keys();
            new = self.count_keys(keys, lookups, &mut slots[field.index()], counts, touched, new);
        }
        counts[miss] = 0;
        Analysis { vectorizer: self, space: Some(space), article: new }
    }
}

impl Analysis<'_> {
    fn space(&mut self) -> &mut Space {
        self.space.get_or_insert_with(Box::default)
    }

    /// The article's tokens and sentences.
    pub(crate) fn tokens(&self) -> &Tokens {
        static NONE: Tokens = Tokens::new();
        self.space.as_ref().map_or(&NONE, |space| &space.tokens)
    }

    /// The article's term counts, once: they are cleared when dropped (or drained), and a
    /// second call gets no terms.
    pub(crate) fn article_counts(&mut self) -> TermCounts<'_> {
        let article = std::mem::take(&mut self.article);
        let space = self.space();
        TermCounts { counts: &mut space.counts, touched: &space.touched[..article] }
    }

    /// The term counts of every sentence of [`Tokens::sentences`] in turn, each as if it
    /// alone were an article, handed to `each` with its sentence: tallied from the slots
    /// the article's lookups found, minus the bigrams that cross the sentence's edges. The
    /// article's counts, if not handed out yet, are cleared first. What every
    /// sentence's tally needs (the unknown terms' slot counted, so that it is never a first
    /// occurrence; room for the first occurrences; the article's counts cleared) is set up
    /// once for them all.
    #[inline(always)]
    pub(crate) fn each_sentence_counts(&mut self, mut each: impl FnMut(&Sentence, TermCounts<'_>)) {
        self.clear_article();
        let vectorizer = self.vectorizer;
        let Space { tokens, slots, counts, touched, .. } = self.space();
        let longest = Field::ALL.iter().map(|&field| tokens.field(field).keys().len()).max().unwrap_or(0);
        let touched = super::counts::room(touched, TfIdf::part_room(0..longest));
        let miss = vectorizer.table.miss() as usize;
        counts[miss] = 1;
        for sentence in tokens.sentences() {
            let (slots, part) = (&slots[sentence.field().index()], sentence.tokens());
            let new = vectorizer.tally_part(slots, part, counts, touched);
            each(sentence, TermCounts { counts, touched: &touched[..new] });
        }
        counts[miss] = 0;
    }

    fn clear_article(&mut self) {
        drop(self.article_counts());
    }
}

impl Drop for Analysis<'_> {
    fn drop(&mut self) {
        // A space left by a panic may hold counts: it is dropped, not given back.
        if std::thread::panicking() {
            return;
        }
        self.clear_article();
        if let Some(mut space) = self.space.take() {
            space.keep_small();
            let _ = SPACE.try_with(|cell| cell.set(Some(space)));
        }
    }
}
