//! A model's parts checked when it is assembled or read: a vocabulary or single-sentence
//! head that cannot be served is refused, and the actor gazetteer is kept or refused with
//! its reason.

use super::*;

#[test]
fn a_vocabulary_whose_keys_collide_is_refused() {
    let model = shipped();
    let terms = vec!["alpha".to_owned(), "beta".to_owned()];
    let vectorizer = TfIdf::from_parts_keyed(VectorizerSettings::default(), terms, vec![1.0, 1.0], |_| 42);
    let heads = vec![LinearHead {
        name: "h".into(),
        labels: vec!["a".into(), "b".into()],
        weights: vec![0.0; 4],
        bias: vec![0.0; 2],
    }];
    let error = Model::from_parts(model.meta().clone(), TokenizerSettings::default(), vectorizer, heads, None)
        .expect_err("colliding keys are refused");
    let message = error.to_string();
    assert!(message.contains("`alpha` and `beta` have the same 64-bit key"), "{message}");
}

#[test]
fn a_single_sentence_head_unlike_its_stance_head_is_refused() {
    let model = shipped();
    let mut sentence_head = model.sentence_head().expect("the shipped model has a single-sentence head").clone();
    sentence_head.labels.swap(0, 1);
    let error = Model::from_parts(
        model.meta().clone(),
        TokenizerSettings::default(),
        model.vectorizer().clone(),
        model.heads().to_vec(),
        Some(SentenceHead {
            head: sentence_head,
            prefixes: model.sentence_prefixes().cloned(),
            word_vectors: model.sentence_word_vectors().cloned(),
        }),
    )
    .expect_err("other labels are refused");
    assert!(error.to_string().contains("single-sentence head: it must be head `stance`"), "{error}");
}

/// The shipped model's file with its stored gazetteer rows changed by `edit`.
fn with_gazetteer_edit(edit: impl FnOnce(&mut crate::features::actors::GazetteerData)) -> Vec<u8> {
    let bytes = shipped().to_bytes().expect("encodes");
    let mut parts = file::decode(&bytes).expect("decodes");
    edit(parts.actors.as_mut().expect("the shipped model stores its actors"));
    file::encode_parts(&parts).expect("encodes")
}

#[test]
fn a_model_file_keeps_its_actor_gazetteer() {
    let model = shipped();
    let gazetteer = model.actors().expect("the shipped model has actors");
    let expected = crate::features::actors::Gazetteer::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/actors"))
        .expect("data/actors loads");
    assert_eq!(gazetteer, &expected, "the model stores data/actors as it is");
    let reloaded = Model::from_bytes(&model.to_bytes().expect("encodes")).expect("loads");
    assert_eq!(reloaded.actors(), Some(gazetteer));
    assert_eq!(Model::from_bytes(&with_gazetteer_edit(|_| ())).expect("unchanged rows load").actors(), Some(gazetteer));
}

#[test]
fn a_model_file_with_a_bad_gazetteer_is_refused_with_its_reason() {
    let unknown = with_gazetteer_edit(|data| data.names[0].code = "NOWHERE".into());
    let error = Model::from_bytes(&unknown).expect_err("a name of an unknown actor");
    assert!(matches!(error, ModelError::Actors(_)), "{error:?}");
    assert!(error.to_string().contains("NOWHERE"), "{error}");
    let twice = with_gazetteer_edit(|data| {
        let first = data.actors[0].clone();
        data.actors.push(first);
    });
    assert!(matches!(Model::from_bytes(&twice), Err(ModelError::Actors(_))), "a code listed twice");
    let long = with_gazetteer_edit(|data| data.names[0].pattern = ["word"; 17].join(" "));
    assert!(matches!(Model::from_bytes(&long), Err(ModelError::Actors(_))), "a pattern of 17 tokens");
    let many = with_gazetteer_edit(|data| data.stopnames = vec!["Nowhere".into(); file::MAX_ACTOR_NAMES + 1]);
    let error = Model::from_bytes(&many).expect_err("too many patterns");
    assert!(error.to_string().contains("name patterns"), "{error}");
}
