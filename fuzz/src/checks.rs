//! What each fuzz target asserts about one input. A panic here is a finding.
//!
//! Shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`) and the regression test that
//! replays every saved crash input (`tests/fuzz_regressions.rs`).

use std::sync::OnceLock;

use accord::model::file::FORMAT_VERSION;
use accord::{Article, Model, Tokenizer, TokenizerSettings};
use sha2::{Digest, Sha256};

/// The shipped model, so that the vectorizer runs over a real 60,000-term vocabulary.
static SHIPPED_MODEL: &[u8] = include_bytes!("../../models/default/model.bin");

fn shipped_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::from_bytes(SHIPPED_MODEL).expect("the shipped model loads"))
}

/// The tokenizer on any text (invalid UTF-8 replaced), with settings taken from the first
/// byte: every token is a non-empty, in-order span on character boundaries, and the
/// allocating and the visiting paths agree.
pub fn tokenizer(data: &[u8]) {
    let Some((&settings_byte, rest)) = data.split_first() else { return };
    let settings = TokenizerSettings {
        lowercase: settings_byte & 1 == 1,
        max_token_bytes: usize::from(settings_byte >> 1),
        ..TokenizerSettings::default()
    };
    let tokenizer = Tokenizer::new(settings).expect("the current rules version");
    let text = String::from_utf8_lossy(rest);
    let tokens = tokenizer.tokenize(&text);
    let mut previous_end = 0;
    for token in &tokens {
        assert!(previous_end <= token.start && token.start < token.end && token.end <= text.len(), "{token:?}");
        assert!(text.is_char_boundary(token.start) && text.is_char_boundary(token.end), "{token:?}");
        assert!(!token.text.is_empty(), "{token:?}");
        previous_end = token.end;
    }
    let mut visited = Vec::with_capacity(tokens.len());
    tokenizer.for_each(&text, |start, end, normalized| visited.push((start, end, normalized.to_owned())));
    let expected: Vec<_> = tokens.into_iter().map(|t| (t.start, t.end, t.text)).collect();
    assert_eq!(visited, expected);
}

/// Title and text (split where the first byte says) through the shipped model: the TF-IDF
/// vector is sorted, in range, finite and unit length; every head's probabilities are a
/// distribution; every sentence range lies on character boundaries of its field.
pub fn vectorizer(data: &[u8]) {
    let Some((&split_byte, rest)) = data.split_first() else { return };
    let whole = String::from_utf8_lossy(rest);
    let mut split = usize::from(split_byte) * whole.len() / 256;
    while !whole.is_char_boundary(split) {
        split -= 1;
    }
    let (title, text) = whole.split_at(split);
    let article = Article { id: "fuzz", title, text };
    let model = shipped_model();

    let vector = model.vectorize(&article);
    let dimensions = model.vectorizer().dimensions();
    assert!(vector.indices.windows(2).all(|pair| pair[0] < pair[1]), "indices not ascending");
    assert!(vector.indices.iter().all(|&index| (index as usize) < dimensions), "index out of range");
    assert!(vector.values.iter().all(|value| value.is_finite() && *value > 0.0), "{:?}", vector.values);
    let norm: f32 = vector.values.iter().map(|value| value * value).sum::<f32>().sqrt();
    assert!(vector.values.is_empty() || (norm - 1.0).abs() < 1e-3, "norm {norm}");

    let answer = model.classify(&article, &accord::Options { explain: 3, sentences: true, relations: false });
    for head in answer.heads {
        let probabilities = &head.prediction.probabilities;
        assert!(probabilities.iter().all(|p| p.is_finite() && (0.0..=1.0).contains(p)), "{probabilities:?}");
        let sum: f32 = probabilities.iter().sum();
        assert!((sum - 1.0).abs() < 1e-3, "{}: probabilities sum to {sum}", head.head);
        assert!(head.evidence.len() <= 3);
    }
    for sentence in answer.sentences {
        let range = sentence.range;
        assert!(
            article.field(sentence.field).get(range.clone()).is_some(),
            "sentence {range:?} is not a slice of its field"
        );
        assert!(sentence.probability.is_finite() && (0.0..=1.0).contains(&sentence.probability));
    }
}

/// Model-file bytes: loading them never panics. The input is tried as a whole file, then
/// as a body behind a valid header and checksum (so the fuzzer reaches decoding and
/// validation); a model that loads classifies, and saves and loads again.
pub fn model_file(data: &[u8]) {
    let _ = Model::from_bytes(data);
    let Ok(model) = Model::from_bytes(&with_valid_header(data)) else { return };
    let article = Article { id: "fuzz", title: "Ministers signed", text: "The treaty was signed. Talks failed." };
    for head in model.classify(&article, &accord::Options { explain: 2, sentences: true, relations: false }).heads {
        assert!(head.prediction.probabilities.iter().all(|p| p.is_finite()), "{:?}", head.prediction);
    }
    let saved = model.to_bytes().expect("a loaded model saves");
    let reloaded = Model::from_bytes(&saved).expect("a saved model loads");
    assert_eq!(reloaded.version(), model.version());
}

/// `body` behind the model file's header: magic, format version, length and SHA-256.
pub fn with_valid_header(body: &[u8]) -> Vec<u8> {
    let mut file = Vec::with_capacity(52 + body.len());
    file.extend_from_slice(b"ACCORDMF");
    file.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    file.extend_from_slice(&(body.len() as u64).to_le_bytes());
    file.extend_from_slice(&Sha256::digest(body));
    file.extend_from_slice(body);
    file
}
