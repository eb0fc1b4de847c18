//! What one sentence says around two actors it names: the features the pair-in-sentence head
//! (the model's `PairHead`) reads to tell whether the sentence reports the two interacting,
//! and how.
//!
//! They come from the field's one token stream (keys and byte spans, as
//! [`crate::text::tokens::FieldTokens`] holds them), never from tokenizing again:
//! - the tokens between the two mentions (at most [`BETWEEN_CAP`]: the first and last
//!   halves when there are more), the [`CONTEXT`] tokens before the first mention and after
//!   the second (inside the sentence), and the tokens of each mention, each tagged by region;
//! - how many tokens lie between (a bucket), the two actors' kinds, how many actors the
//!   sentence names (a bucket), and whether the sentence is the title.
//!
//! Every feature has a name (`region`, `value`) and a 64-bit key: the bigram key of the
//! region's token key and the value's token key, so that a feature named in a model file
//! ([`feature_key`]) and the same feature read off an article agree.

use std::ops::Range;

use crate::features::actors::{ActorKind, Field};
use crate::text::tokenizer::hash;

/// The most tokens between the two mentions that are read: the first and last halves of
/// them when more lie between.
pub const BETWEEN_CAP: usize = 12;

/// How many tokens before the first mention and after the second are read.
pub const CONTEXT: usize = 3;

/// Where a token feature's token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// Before the first mention.
    Before,
    /// Between the two mentions.
    Between,
    /// After the second mention.
    After,
    /// Inside one of the mentions.
    Mention,
}

impl Region {
    /// The region's name in a feature name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Before => "before",
            Self::Between => "between",
            Self::After => "after",
            Self::Mention => "mention",
        }
    }
}

/// One feature of a (sentence, actor, actor) reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairFeature {
    /// Token `index` of the field, in `region`.
    Token(Region, usize),
    /// How many tokens lie between the mentions: a bucket of [`DISTANCES`].
    Distance(&'static str),
    /// The two actors' kinds, in code order of the kinds' names.
    Kinds(&'static str),
    /// How many actors the sentence names: a bucket of [`ACTOR_COUNTS`].
    Actors(&'static str),
    /// How many other actors are named between the two: a bucket of [`BETWEEN_COUNTS`].
    ActorsBetween(&'static str),
    /// The sentence is the title.
    Title,
    /// The sentence stance's probability of one label (the feature's value).
    Stance(&'static str),
}

/// The sentence-stance labels a [`PairSentence`] carries, in its order.
pub const STANCES: [&str; 3] = ["neutral", "cooperation", "tension"];

/// The distance buckets: tokens between the mentions, up to each bound (the last: more).
pub const DISTANCES: [(usize, &str); 7] =
    [(0, "0"), (1, "1"), (2, "2"), (4, "3-4"), (8, "5-8"), (16, "9-16"), (usize::MAX, "17+")];

/// The actor-count buckets: actors the sentence names, up to each bound (the last: more).
pub const ACTOR_COUNTS: [(usize, &str); 3] = [(2, "2"), (3, "3"), (usize::MAX, "4+")];

/// The buckets of other actors named between the two (the last: more).
pub const BETWEEN_COUNTS: [(usize, &str); 3] = [(0, "0"), (1, "1"), (usize::MAX, "2+")];

const KINDS: [&str; 6] = [
    "armed_group+armed_group",
    "armed_group+organisation",
    "armed_group+state",
    "organisation+organisation",
    "organisation+state",
    "state+state",
];

impl PairFeature {
    /// The feature's name: its region or kind, and its value (a token's value is `token`,
    /// the token's normalized text, which only the caller knows).
    pub fn name<'t>(self, token: impl FnOnce(usize) -> &'t str) -> (&'static str, &'t str) {
        match self {
            Self::Token(region, index) => (region.as_str(), token(index)),
            Self::Distance(bucket) => ("distance", bucket),
            Self::Kinds(kinds) => ("kinds", kinds),
            Self::Actors(bucket) => ("actors", bucket),
            Self::ActorsBetween(bucket) => ("actors_between", bucket),
            Self::Title => ("field", "title"),
            Self::Stance(label) => ("stance", label),
        }
    }

    /// The feature's key; `keys` are the field's token keys.
    pub fn key(self, keys: &[u64]) -> u64 {
        match self {
            Self::Token(region, index) => {
                hash::bigram(hash::token(region.as_str()), keys.get(index).copied().unwrap_or(0))
            }
            other => {
                let (region, value) = other.name(|_| "");
                feature_key(region, value)
            }
        }
    }
}

/// The key of the feature named (`region`, `value`), as [`PairFeature::key`] gives it.
pub fn feature_key(region: &str, value: &str) -> u64 {
    hash::bigram(hash::token(region), hash::token(value))
}

/// One actor's mention in a sentence: its bytes in the field and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairMention {
    /// First byte in the field.
    pub start: usize,
    /// The byte after it.
    pub end: usize,
    /// The actor's kind.
    pub kind: ActorKind,
}

/// A sentence naming two actors: where its tokens are in the field, the two mentions, how
/// many actors it names and its field.
#[derive(Debug, Clone, PartialEq)]
pub struct PairSentence {
    /// The range of the field's tokens that the sentence holds.
    pub tokens: Range<usize>,
    /// One of the actors' first mention in the sentence.
    pub a: PairMention,
    /// The other's.
    pub b: PairMention,
    /// How many distinct actors the sentence names.
    pub actors: usize,
    /// How many of them are first named between the two mentions.
    pub between: usize,
    /// The sentence stance's probabilities in [`STANCES`] order, if known.
    pub stance: Option<[f32; 3]>,
    /// The field the sentence is in.
    pub field: Field,
}

/// Calls `visit` with every feature of `sentence` over the field's token `spans`, and its
/// value (1 but for [`PairFeature::Stance`]).
pub fn for_each_feature(spans: &[(usize, usize)], sentence: &PairSentence, mut visit: impl FnMut(PairFeature, f32)) {
    if let Some(stance) = sentence.stance {
        for (label, p) in STANCES.into_iter().zip(stance) {
            visit(PairFeature::Stance(label), if p.is_finite() { p.clamp(0.0, 1.0) } else { 0.0 });
        }
    }
    let mut visit = |feature| visit(feature, 1.0);
    let (first, second) = if (sentence.a.start, sentence.a.end) <= (sentence.b.start, sentence.b.end) {
        (sentence.a, sentence.b)
    } else {
        (sentence.b, sentence.a)
    };
    let tokens = sentence.tokens.start.min(spans.len())..sentence.tokens.end.min(spans.len());
    let in_sentence = &spans[tokens.clone()];
    // Token places (in the field) where each stretch starts and ends.
    let at = |byte: usize| tokens.start + in_sentence.partition_point(|&(start, _)| start < byte);
    let (first_start, first_end) = (at(first.start), at(first.end));
    let (second_start, second_end) = (at(second.start), at(second.end));
    for index in first_start.saturating_sub(CONTEXT).max(tokens.start)..first_start {
        visit(PairFeature::Token(Region::Before, index));
    }
    for index in (first_start..first_end).chain(second_start.max(first_end)..second_end) {
        visit(PairFeature::Token(Region::Mention, index));
    }
    let between = first_end..second_start.max(first_end);
    if between.len() <= BETWEEN_CAP {
        between.clone().for_each(|index| visit(PairFeature::Token(Region::Between, index)));
    } else {
        let half = BETWEEN_CAP / 2;
        (between.start..between.start + half)
            .chain(between.end - half..between.end)
            .for_each(|index| visit(PairFeature::Token(Region::Between, index)));
    }
    for index in second_end..(second_end + CONTEXT).min(tokens.end) {
        visit(PairFeature::Token(Region::After, index));
    }
    visit(PairFeature::Distance(bucket(&DISTANCES, between.len())));
    visit(PairFeature::Actors(bucket(&ACTOR_COUNTS, sentence.actors)));
    visit(PairFeature::ActorsBetween(bucket(&BETWEEN_COUNTS, sentence.between)));
    visit(PairFeature::Kinds(kinds(first.kind, second.kind)));
    if sentence.field == Field::Title {
        visit(PairFeature::Title);
    }
}

fn bucket(buckets: &[(usize, &'static str)], value: usize) -> &'static str {
    buckets.iter().find(|(bound, _)| value <= *bound).map_or("", |(_, name)| name)
}

fn kinds(x: ActorKind, y: ActorKind) -> &'static str {
    let (x, y) = if x.as_str() <= y.as_str() { (x, y) } else { (y, x) };
    let name = |k: ActorKind| k.as_str();
    KINDS.iter().find(|k| k.split_once('+') == Some((name(x), name(y)))).copied().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::article::Article;
    use crate::text::tokenizer::Tokenizer;
    use crate::text::tokens::Tokens;

    /// The named features of the pair at these bytes of `text`, with `between` actors
    /// between them.
    fn named(text: &str, a: (usize, usize), b: (usize, usize), field: Field) -> Vec<(String, String)> {
        let article = match field {
            Field::Title => Article { id: "", title: text, text: "" },
            Field::Text => Article { id: "", title: "", text },
        };
        let mut tokens = Tokens::new();
        tokens.read(&Tokenizer::default(), &article);
        let read = tokens.field(field);
        let mention = |(start, end)| PairMention { start, end, kind: ActorKind::State };
        let sentence = PairSentence {
            tokens: 0..read.len(),
            a: mention(b),
            b: mention(a),
            actors: 2,
            between: 0,
            stance: None,
            field,
        };
        let mut out = Vec::new();
        for_each_feature(read.span_pairs(), &sentence, |feature, _| {
            let (region, value) = feature.name(|i| read.span(i).map_or("", |span| &text[span]));
            out.push((region.to_owned(), value.to_lowercase()));
        });
        out
    }

    fn has(features: &[(String, String)], region: &str, value: &str) -> bool {
        features.iter().any(|(r, v)| r == region && v == value)
    }

    #[test]
    fn tokens_are_tagged_by_where_they_stand_against_the_two_mentions() {
        let text = "On Monday France sharply accused Germany of spying on it";
        let features = named(text, (10, 16), (33, 40), Field::Text);
        for (region, value) in [
            ("before", "on"),
            ("before", "monday"),
            ("mention", "france"),
            ("between", "sharply"),
            ("between", "accused"),
            ("mention", "germany"),
            ("after", "of"),
            ("after", "spying"),
            ("after", "on"),
            ("distance", "2"),
            ("kinds", "state+state"),
            ("actors", "2"),
        ] {
            assert!(has(&features, region, value), "{region}:{value} in {features:?}");
        }
        assert!(!has(&features, "after", "it"), "only {CONTEXT} tokens after: {features:?}");
        assert!(!has(&features, "field", "title"));
        assert!(has(&named(text, (10, 16), (33, 40), Field::Title), "field", "title"));
    }

    #[test]
    fn a_long_stretch_between_keeps_its_ends_and_buckets_its_length() {
        let words: Vec<String> = (0..20).map(|i| format!("w{i:02}")).collect();
        let text = format!("France {} Germany", words.join(" "));
        let end = text.len();
        let features = named(&text, (0, 6), (end - 7, end), Field::Text);
        let between: Vec<&str> = features.iter().filter(|(r, _)| r == "between").map(|(_, v)| v.as_str()).collect();
        assert_eq!(between, ["w00", "w01", "w02", "w03", "w04", "w05", "w14", "w15", "w16", "w17", "w18", "w19"]);
        assert!(has(&features, "distance", "17+"));
    }

    #[test]
    fn keys_of_features_read_off_tokens_match_the_keys_of_their_names() {
        let text = "France accused Germany";
        let article = Article { id: "", title: "", text };
        let mut tokens = Tokens::new();
        tokens.read(&Tokenizer::default(), &article);
        let read = tokens.field(Field::Text);
        let mention = |(start, end)| PairMention { start, end, kind: ActorKind::State };
        let sentence = PairSentence {
            tokens: 0..read.len(),
            a: mention((0, 6)),
            b: mention((15, 22)),
            actors: 2,
            between: 1,
            stance: Some([0.2, 0.3, 0.5]),
            field: Field::Text,
        };
        let mut seen = 0;
        for_each_feature(read.span_pairs(), &sentence, |feature, value| {
            let (region, name) = feature.name(|i| read.span(i).map_or("", |span| &text[span]));
            assert_eq!(feature.key(read.keys()), feature_key(region, &name.to_lowercase()), "{region}:{name}");
            if let PairFeature::Stance(label) = feature {
                assert_eq!(value, [0.2, 0.3, 0.5][STANCES.iter().position(|&l| l == label).unwrap_or(9)]);
            }
            seen += 1;
        });
        // 3 stance, 2 mentions, 1 between, distance, actors, actors between, kinds.
        assert_eq!(seen, 10);
    }
}
