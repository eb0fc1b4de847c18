use super::*;
use proptest::prelude::*;

fn sentences(text: &str) -> Vec<&str> {
    split(text).into_iter().map(|r| &text[r]).collect()
}

#[test]
fn splits_at_terminal_punctuation_before_a_capital() {
    assert_eq!(
        sentences("China and Israel met. They agreed! Did they? Yes."),
        ["China and Israel met.", "They agreed!", "Did they?", "Yes."]
    );
}

#[test]
fn keeps_abbreviations_initials_and_numbers_inside_sentences() {
    let text = "Gen. Mark Milley met U.S. officials on Jan. 5 in Washington. J. Smith paid $3.5 million.";
    assert_eq!(
        sentences(text),
        ["Gen. Mark Milley met U.S. officials on Jan. 5 in Washington.", "J. Smith paid $3.5 million."]
    );
    assert_eq!(sentences("It grew 2.4 percent. Next."), ["It grew 2.4 percent.", "Next."]);
}

#[test]
fn closing_quotes_stay_with_their_sentence() {
    let text = "He said, \"We will not back down.\" The talks ended. \"No,\" she said.";
    assert_eq!(sentences(text), ["He said, \"We will not back down.\"", "The talks ended.", "\"No,\" she said."]);
}

#[test]
fn lowercase_continuations_do_not_split() {
    let text = "The vote was 3 vs. 2 in favor. e.g. this one.";
    assert_eq!(sentences(text), [text]);
}

#[test]
fn scraped_page_lines_split_at_line_breaks() {
    let text = "Home\nWorld News\n\n  Ambassador meets minister\nThe two sides agreed.\r\nShare this";
    assert_eq!(
        sentences(text),
        ["Home", "World News", "Ambassador meets minister", "The two sides agreed.", "Share this"]
    );
}

#[test]
fn cjk_punctuation_ends_sentences() {
    assert_eq!(sentences("中国和以色列会谈。双方同意合作。"), ["中国和以色列会谈。", "双方同意合作。"]);
}

/// The character-walking `terminal_end` the byte-walking one replaced.
fn terminal_end_by_chars(text: &str, i: usize, c: char) -> Option<usize> {
    let mut end = i + c.len_utf8();
    let rest = &text[end..];
    let closing = rest.chars().take_while(|c| matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')).count();
    end += rest.chars().take(closing).map(char::len_utf8).sum::<usize>();
    if matches!(c, '。' | '！' | '？') {
        return Some(end);
    }
    let after = &text[end..];
    let next = after.trim_start_matches([' ', '\t', '\u{a0}']);
    if next.len() == after.len() && !next.is_empty() {
        return None;
    }
    let starts_sentence = next.chars().next().is_none_or(|n| {
        n.is_uppercase() || n.is_ascii_digit() || matches!(n, '"' | '\'' | '“' | '‘' | '(' | '[' | '\n' | '\r')
    });
    (starts_sentence && !(c == '.' && ends_with_abbreviation_by_chars(&text[..i]))).then_some(end)
}

fn ends_with_abbreviation_by_chars(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || matches!(c, '(' | '"' | '“')).next().unwrap_or("");
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let single_letter = letters.next().is_some() && letters.next().is_none() && !word.contains(char::is_numeric);
    let dotted = word.contains('.') && word.split('.').all(|part| part.chars().count() <= 1);
    single_letter || dotted || ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

fn push_trimmed_by_chars(text: &str, range: Range<usize>, sentences: &mut Vec<Range<usize>>) {
    let slice = &text[range.clone()];
    let trimmed = slice.trim_start();
    let start = range.start + (slice.len() - trimmed.len());
    let end = start + trimmed.trim_end().len();
    if end > start {
        sentences.push(start..end);
    }
}

/// The character-walking splitter the byte-walking one replaced.
fn split_by_chars(text: &str) -> Vec<Range<usize>> {
    let mut sentences = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if i < start {
            continue;
        }
        let end = match c {
            '\n' | '\r' => Some(i),
            '.' | '!' | '?' | '。' | '！' | '？' => terminal_end_by_chars(text, i, c),
            _ => None,
        };
        if let Some(end) = end {
            push_trimmed_by_chars(text, start..end, &mut sentences);
            start = end;
        }
    }
    push_trimmed_by_chars(text, start..text.len(), &mut sentences);
    sentences
}

#[test]
fn byte_walk_splits_the_corpus_as_the_character_walk() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for file in ["ag-news/train.csv", "multi-coped/train.tsv", "un-quadclass/en_annotations_quad_multiclass.tsv"] {
        let text = std::fs::read_to_string(data.join(file)).expect("readable");
        assert_eq!(split(&text), split_by_chars(&text), "{file}");
    }
}

#[test]
fn simd_candidate_masks_equal_the_table() {
    for start in (0..=255u8).step_by(64) {
        let block: [u8; 64] = std::array::from_fn(|j| start.wrapping_add(j as u8));
        assert_eq!(may_end_block(&block), may_end_block_scalar(&block));
    }
}

/// The AVX2 block masks are the table's, on every byte value at every position.
#[test]
fn avx2_candidate_masks_equal_the_table() {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        for shift in 0..256usize {
            let block: [u8; 64] = std::array::from_fn(|j| (j * 4 + shift) as u8);
            // SAFETY: the processor has AVX2 (tested above).
            assert_eq!(unsafe { may_end_block_avx2(&block) }, may_end_block_scalar(&block), "shift {shift}");
        }
    }
}

proptest! {
    #[test]
    fn simd_candidate_masks_equal_the_table_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        for start in (0..bytes.len()).step_by(64) {
            let expected = (start..bytes.len().min(start + 64))
                .fold(0u64, |mask, i| mask | (u64::from(MAY_END[usize::from(bytes[i])]) << (i - start)));
            prop_assert_eq!(may_end_mask(&bytes, start), expected);
        }
    }

    #[test]
    fn abbreviations_are_found_as_unicode_lowercasing_finds_them(word in "(?i)(mr|gen|jan|sept|co|no|al|op)|[a-zA-Z.\u{212A}\u{130}]{0,6}") {
        prop_assert_eq!(is_abbreviation(&word), ABBREVIATIONS.contains(&word.to_lowercase().as_str()));
    }

    #[test]
    fn terminal_end_walks_bytes_as_the_characters(text in "(\\PC|[ \t\u{a0}\u{b}\u{c}.!?\"'()\\[\\]\n\r。！？”’»“‘A-Za-z0-9\u{212A}]|Gen|gen|Jan|U\\.S|e\\.g|approx|APPROX){0,40}") {
        for (i, c) in text.char_indices().filter(|(_, c)| matches!(c, '.' | '!' | '?' | '。' | '！' | '？')) {
            prop_assert_eq!(terminal_end(&text, i, c), terminal_end_by_chars(&text, i, c), "at {}", i);
        }
        for start in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let (mut fast, mut chars) = (Vec::new(), Vec::new());
            fast.extend(trimmed(&text, start..text.len()));
            push_trimmed_by_chars(&text, start..text.len(), &mut chars);
            prop_assert_eq!(fast, chars);
        }
    }

    #[test]
    fn byte_walk_splits_as_the_character_walk(text in "(\\PC|[ .!?\"\n\r。！？”’)A-Z]|\u{FF01}|\u{FF1F}|\u{E380}){0,120}") {
        prop_assert_eq!(split(&text), split_by_chars(&text));
    }

    #[test]
    fn ranges_are_ordered_trimmed_slices(text in "(\\PC|[ .!?\"\n])*") {
        let ranges = split(&text);
        for pair in ranges.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start);
        }
        for range in ranges {
            let sentence = &text[range];
            prop_assert!(!sentence.is_empty());
            prop_assert_eq!(sentence.trim(), sentence);
        }
    }
}
