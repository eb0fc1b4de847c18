//! The token buffer: sentences and their tokens, the sentence list's sizing, 32-bit offsets.

use super::*;

#[test]
fn each_sentence_holds_the_tokens_that_start_in_it() {
    let tokenizer = Tokenizer::default();
    let article = Article { id: "", title: "Talks resume", text: "Leaders met in Geneva. They signed a deal." };
    let mut tokens = Tokens::default();
    tokens.read(&tokenizer, &article);
    tokens.split_sentences(&article);
    let words = |sentence: &Sentence| -> Vec<&str> {
        let text = article.field(sentence.field());
        let field = tokens.field(sentence.field());
        sentence.tokens().filter_map(|i| field.span(i)).map(|span| &text[span]).collect()
    };
    let found: Vec<(Field, Vec<&str>)> = tokens.sentences().iter().map(|s| (s.field(), words(s))).collect();
    assert_eq!(
        found,
        [
            (Field::Title, vec!["Talks", "resume"]),
            (Field::Text, vec!["Leaders", "met", "in", "Geneva"]),
            (Field::Text, vec!["They", "signed", "deal"]),
        ]
    );
    let spans: Vec<Range<usize>> = tokens.field(Field::Text).spans().collect();
    let alone: Vec<Range<usize>> = tokenizer.tokenize(article.text).iter().map(|t| t.start..t.end).collect();
    assert_eq!(spans, alone, "the spans are the tokenizer's");
}

/// `title` and `text` read and split into sentences: the same sentences, title first, as
/// [`sentences::split`] finds in each field; the tokens and how many sentences.
fn split_as_sentences_split(tokenizer: &Tokenizer, title: &str, text: &str) -> (Tokens, usize) {
    let article = Article { id: "", title, text };
    let mut tokens = Tokens::new();
    tokens.read(tokenizer, &article);
    tokens.split_sentences(&article);
    let found: Vec<(Field, Range<usize>)> = tokens.sentences().iter().map(|s| (s.field(), s.bytes())).collect();
    let split = |field, text| sentences::split(text).into_iter().map(move |bytes| (field, bytes));
    let expected: Vec<_> = split(Field::Title, title).chain(split(Field::Text, text)).collect();
    assert_eq!(found, expected);
    (tokens, found.len())
}

#[test]
fn an_article_of_short_sentences_gets_its_list_sized_once() {
    let tokenizer = Tokenizer::default();
    // Sentences of 3 bytes in the title and 4 in the text: far more than the first room.
    let (title, text) = ("ab\n".repeat(500), "Xy. ".repeat(700));
    let (tokens, found) = split_as_sentences_split(&tokenizer, &title, &text);
    assert_eq!(found, 1200);
    // The most sentences 1,500 and 2,800 bytes can hold, reserved at once: no doubling.
    assert_eq!(tokens.sentences.capacity(), 751 + 1401, "sized once");
    let last = &tokens.sentences()[1199];
    assert_eq!(last.tokens(), 699..700, "each sentence keeps its token");
}

#[test]
fn a_large_article_of_short_sentences_gets_its_list_grown_to_its_count() {
    let tokenizer = Tokenizer::default();
    // Over the kept size, with sentences far shorter than the first room's 40 bytes.
    let (title, text) = ("ab\n".repeat(KEPT_ARTICLE_BYTES / 6), "Xy. ".repeat(KEPT_ARTICLE_BYTES / 4));
    let (tokens, found) = split_as_sentences_split(&tokenizer, &title, &text);
    assert_eq!(tokens.sentences.capacity(), found, "grown to the count, without slack");
}

#[test]
fn a_sentence_keeps_32_bit_offsets_and_saturates_beyond() {
    let edge = MAX_FIELD_BYTES;
    let sentence = Sentence::new(Field::Text, edge - 3..edge, edge / 2 - 1..edge / 2);
    assert_eq!(
        (sentence.field(), sentence.bytes(), sentence.tokens()),
        (Field::Text, edge - 3..edge, edge / 2 - 1..edge / 2)
    );
    let beyond = Sentence::new(Field::Title, edge..edge + 5, 0..usize::MAX);
    assert_eq!((beyond.bytes(), beyond.tokens()), (edge..edge, 0..edge));
}

#[test]
fn a_field_is_read_up_to_the_last_boundary_within_the_limit() {
    assert_eq!(readable_within("abc", 3), "abc");
    assert_eq!(readable_within("abcd", 3), "abc");
    // "é" is two bytes: a cut inside it falls back before it.
    assert_eq!(readable_within("aé", 2), "a");
    assert_eq!(readable_within("éé", 3), "é");
    assert_eq!(readable_within("é", 1), "");
    assert_eq!(readable("short"), "short");
}

#[test]
fn the_buffers_a_large_article_grew_are_freed_and_a_small_ones_kept() {
    let tokenizer = Tokenizer::default();
    let read = |tokens: &mut Tokens, text: &str| {
        let article = Article::text(text);
        tokens.read(&tokenizer, &article);
        tokens.split_sentences(&article);
        tokens.keep_small();
    };
    let mut tokens = Tokens::new();
    read(&mut tokens, &"ab\n".repeat(KEPT_ARTICLE_BYTES / 3));
    let room = |tokens: &Tokens| {
        let field = &tokens.fields[Field::Text.index()];
        (field.keys.capacity(), field.spans.capacity(), tokens.sentences.capacity())
    };
    let kept = room(&tokens);
    assert!(kept.0 > KEPT_ARTICLE_BYTES / 4 && kept.2 > KEPT_ARTICLE_BYTES / 4, "{kept:?}");
    read(&mut tokens, &"ab\n".repeat(KEPT_ARTICLE_BYTES / 3));
    assert_eq!(room(&tokens), kept, "an article of the kept size reuses its space");
    read(&mut tokens, &"ab\n".repeat(KEPT_ARTICLE_BYTES));
    assert_eq!(room(&tokens), (0, 0, 0), "a larger one's is freed");
}

/// One-byte tokens, each `gap` bytes after the one before.
fn one_byte_spans(gaps: &[usize]) -> Vec<(usize, usize)> {
    gaps.iter()
        .scan(0, |at, gap| {
            *at += gap + 1;
            Some((*at, *at + 1))
        })
        .collect()
}

proptest::proptest! {
    #[test]
    fn first_at_finds_what_bisection_finds(
        gaps in proptest::collection::vec(0usize..5, 0..40),
        from in 0usize..45,
        offset in 0usize..120,
    ) {
        let spans = one_byte_spans(&gaps);
        let expected = spans.partition_point(|&(start, _)| start < offset);
        proptest::prop_assert_eq!(first_at(&spans, from.min(expected), offset), expected);
    }

    #[test]
    fn first_at_within_finds_what_bisection_finds(
        gaps in proptest::collection::vec(0usize..5, 0..40),
        start in 0usize..120,
        len in 0usize..40,
    ) {
        // As `split_sentences` asks: from the first token at or after a sentence's start,
        // for the first at or after its end, at most its length on.
        let spans = one_byte_spans(&gaps);
        let from = spans.partition_point(|&(s, _)| s < start);
        let expected = spans.partition_point(|&(s, _)| s < start + len);
        proptest::prop_assert_eq!(first_at_within(&spans, from, start + len, len), expected);
    }
}
