//! The article context of a pair: the stance of its own clause, and cue words before or after
//! its two names.

use std::cell::RefCell;

use super::*;

/// A clause stance that answers `share` for every clause and keeps what it was asked.
struct Fixed {
    share: Option<f32>,
    asked: RefCell<Vec<(usize, Range<usize>, usize)>>,
}

impl ClauseStance for Fixed {
    fn tension_share(&self, sentence: usize, between: Range<usize>, margin: usize) -> Option<f32> {
        self.asked.borrow_mut().push((sentence, between, margin));
        self.share
    }
}

fn cues_of<'a>(tokens: &'a mut Tokens, article: &Article<'a>) -> CueWords<'a> {
    tokens.read(&Tokenizer::default(), article);
    CueWords::of(tokens, article)
}

/// A pair's tension share in a sentence naming both mixes in its clause's at `clause_share`:
/// a friendly sentence whose clause between the two names reads as tension makes the pair
/// tension at a high share, and the clause asked for is the bytes between the two names
/// with the margin as set. The score, and so whether there is a relation, does not change;
/// a clause with no answer leaves the sentence's share.
#[test]
fn a_pairs_stance_mixes_in_the_stance_of_the_words_between_its_names() {
    let text = "Egypt denounced the deal in which Turkey and Libya agreed on borders.";
    let (actors, sentences) = read("", text, &[FRIENDLY]);
    let tense = Fixed { share: Some(1.0), asked: RefCell::new(Vec::new()) };
    let found = |settings: &RelationSettings, clauses: &Fixed| {
        let context = PairContext { cues: None, clauses: Some(clauses) };
        relations_in_context(gazetteer(), settings, LABELS, &sentences, &actors, context)
    };
    let egypt_turkey = |found: &Relations| -> Option<String> {
        let found = pairs(found).into_iter().find(|(a, b, _, _)| (*a, *b) == ("EGY", "TUR"));
        found.map(|(_, _, label, _)| label.to_owned())
    };
    let sentence_only = found(&plain(), &tense);
    assert_eq!(egypt_turkey(&sentence_only), Some("cooperation".to_owned()));
    assert!(tense.asked.borrow().is_empty(), "a share of 0 asks for no clause");
    let mixed = RelationSettings { clause_share: 0.75, clause_margin: 3, ..plain() };
    let clause_read = found(&mixed, &tense);
    assert_eq!(egypt_turkey(&clause_read), Some("tension".to_owned()));
    let scores = |r: &Relations| r.pairs.iter().map(|p| p.score).collect::<Vec<_>>();
    assert_eq!(scores(&clause_read), scores(&sentence_only));
    let asked = tense.asked.borrow();
    let (egypt_end, turkey_start) = ("Egypt".len(), text.find("Turkey").unwrap_or(0));
    assert!(asked.contains(&(0, egypt_end..turkey_start, 3)), "{asked:?}");
    let silent = Fixed { share: None, asked: RefCell::new(Vec::new()) };
    assert_eq!(egypt_turkey(&found(&mixed, &silent)), Some("cooperation".to_owned()));
}

/// With `cue_reach`, a cue word a few tokens before the first name or after the second counts
/// as one between them ("talks between France and Russia", "France and Russia signed"),
/// within the reach and the clause: not past a comma, and not further than the reach.
#[test]
fn a_cue_word_before_or_after_both_names_counts_within_the_reach_and_the_clause() {
    let cued_score = |text: &str, reach: usize| {
        let (actors, sentences) = read("", text, &[TENSE]);
        let article = Article { id: "reach", title: "", text };
        let mut tokens = Tokens::new();
        let cues = cues_of(&mut tokens, &article);
        let settings = RelationSettings { uncued_weight: 0.5, cue_reach: reach, min_score: 0.1, ..plain() };
        let context = PairContext { cues: Some(&cues), clauses: None };
        let found = relations_in_context(gazetteer(), &settings, LABELS, &sentences, &actors, context);
        let score = found.pairs.first().map_or(0.0, |pair| pair.score);
        assert!(score > 0.0, "{text}");
        (score - 0.9).abs() < 1e-4
    };
    let before = "Talks between France and Russia ended on Friday.";
    assert!(!cued_score(before, 0), "only between without a reach");
    assert!(cued_score(before, 2));
    let after = "France and Russia signed a pact.";
    assert!(!cued_score(after, 0));
    assert!(cued_score(after, 1));
    let far = "France and Russia, both large nations, signed a pact.";
    assert!(!cued_score(far, 4), "a comma ends the clause");
    let beyond = "France and Russia then quietly finally signed a pact.";
    assert!(!cued_score(beyond, 3), "four tokens after: past a reach of 3");
    assert!(cued_score(beyond, 4));
}
