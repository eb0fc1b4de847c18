//! Training internals against the models they are made of: each head agrees with the
//! binary or multinomial models it was built from, the log-count ratios NB-LR scales by,
//! the cross-validation folds, and the sparse fit against linfa-logistic's dense one.

use std::path::PathBuf;

use super::corpus::Corpus;
use super::cross_validation::fold_of_each;
use super::fit::{fit_head, log_count_ratio, HeadFit, Members};
use super::logistic::SparseRows;
use super::{Learner, TrainConfig};
use crate::features::vectorizer::{SparseVector, TfIdf};
use crate::text::article::Article;
use crate::text::tokenizer::Tokenizer;

fn small_corpus() -> Corpus {
    let full = Corpus::load(&[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")]).expect("data/ loads");
    // Every 15th document keeps every head and label while staying quick to train.
    let keep = |i: &usize| i.is_multiple_of(15) || full.sources[*i] == "seeds";
    full.subset((0..full.len()).filter(keep))
}

fn quick_config() -> TrainConfig {
    TrainConfig { head_features: 3_000, max_iterations: 60, ..TrainConfig::default() }
}

/// The documents carrying `head`'s label, vectorized by a vectorizer fitted on all of them.
fn labeled_rows<'c>(corpus: &'c Corpus, head: &str) -> (TfIdf, Vec<SparseVector>, Vec<&'c str>) {
    let tokenizer = Tokenizer::default();
    let tokens: Vec<Vec<Vec<String>>> = corpus
        .documents
        .iter()
        .map(|d| {
            [&d.title, &d.text].iter().map(|f| tokenizer.tokenize(f).into_iter().map(|t| t.text).collect()).collect()
        })
        .collect();
    let vectorizer = TfIdf::fit(Default::default(), &tokens);
    let (rows, labels) = corpus
        .documents
        .iter()
        .filter_map(|d| {
            let label = d.labels.get(head)?;
            let article = Article { id: "", title: &d.title, text: &d.text };
            Some((vectorizer.transform(&tokenizer, &article), label.as_str()))
        })
        .unzip();
    (vectorizer, rows, labels)
}

/// `head` fitted by `learner` on `rows`, each weighing one.
fn fit_unweighted(
    head: &str,
    rows: &[SparseVector],
    labels: &[&str],
    dimensions: usize,
    learner: Learner,
    config: &TrainConfig,
) -> HeadFit<'static> {
    let row_refs: Vec<_> = rows.iter().collect();
    let weights = vec![1.0; rows.len()];
    fit_head(head, &SparseRows::from_vectors(&row_refs, dimensions), &weights, labels, dimensions, learner, config)
        .expect("fit")
}

#[test]
fn multinomial_head_gives_its_models_probabilities() {
    let corpus = small_corpus();
    let (vectorizer, rows, labels) = labeled_rows(&corpus, "stance");
    let dimensions = vectorizer.dimensions();
    let fit = fit_unweighted("stance", &rows, &labels, dimensions, Learner::Multinomial, &quick_config());
    let Members::Multinomial(model) = &fit.members else { panic!("a multinomial fit") };
    let scores = model.scores(&fit.rows);
    let mut largest = 0.0f64;
    for (r, row) in rows.iter().enumerate() {
        let ours = fit.head.predict(row).probabilities;
        let total: f64 = scores.row(r).iter().map(|s| s.exp()).sum();
        for (label, s) in scores.row(r).iter().enumerate() {
            largest = largest.max((f64::from(ours[label]) - s.exp() / total).abs());
        }
    }
    assert!(largest <= 1e-5, "the head's and its model's probabilities differ by {largest}");
}

#[test]
fn naive_bayes_one_vs_rest_head_scores_each_label_by_its_binary_model() {
    let corpus = small_corpus();
    let (vectorizer, rows, labels) = labeled_rows(&corpus, "topic");
    let dimensions = vectorizer.dimensions();
    let fit = fit_unweighted("topic", &rows, &labels, dimensions, Learner::NaiveBayesOneVsRest, &quick_config());
    let Members::OneVsRest(models) = &fit.members else { panic!("a one-vs-rest fit") };
    assert_eq!(models.len(), fit.head.labels.len());
    assert!(models.iter().all(|m| m.scaling.is_some()), "NB-LR's models see scaled rows");
    let scores: Vec<_> = models.iter().map(|m| m.scores(&fit.rows)).collect();
    let mut largest = 0.0f64;
    for (r, row) in rows.iter().enumerate() {
        let ours = fit.head.logits(row);
        for (label, s) in scores.iter().enumerate() {
            largest = largest.max((f64::from(ours[label]) - s[(r, 0)]).abs());
        }
    }
    assert!(largest <= 1e-3, "the head and its binary models differ by {largest}");
}

#[test]
fn ensemble_head_scores_are_the_sum_of_its_members_decisions() {
    let corpus = small_corpus();
    let (vectorizer, rows, labels) = labeled_rows(&corpus, "topic");
    let dimensions = vectorizer.dimensions();
    let fit = fit_unweighted("topic", &rows, &labels, dimensions, Learner::NaiveBayesPlusPlain, &quick_config());
    let Members::Ensemble { naive_bayes, plain } = &fit.members else { panic!("an ensemble fit") };
    assert_eq!((naive_bayes.len(), plain.len()), (4, 4));
    assert!(plain.iter().all(|fit| fit.scaling.is_none()), "the plain members see unscaled rows");
    let mut largest = 0.0f64;
    for label in 0..4 {
        let naive_bayes_only = naive_bayes[label].scores(&fit.rows);
        let expected = &naive_bayes_only + &plain[label].scores(&fit.rows);
        let mut differs_from_one_member = false;
        for (r, row) in rows.iter().enumerate() {
            let ours = f64::from(fit.head.logits(row)[label]);
            largest = largest.max((ours - expected[(r, 0)]).abs());
            differs_from_one_member |= (ours - naive_bayes_only[(r, 0)]).abs() > 1e-2;
        }
        assert!(differs_from_one_member, "label {label}: the plain member adds nothing");
    }
    assert!(largest <= 1e-3, "ensemble head and its members differ by {largest}");
}

#[test]
fn a_head_fitted_on_one_thread_or_several_has_the_same_weights_to_the_bit() {
    let corpus = small_corpus();
    let (vectorizer, rows, labels) = labeled_rows(&corpus, "topic");
    // Three copies of each row: enough rows for an evaluation to spread its ranges over the pool.
    let rows: Vec<SparseVector> = (0..3).flat_map(|_| rows.iter().cloned()).collect();
    let labels: Vec<&str> = (0..3).flat_map(|_| labels.iter().copied()).collect();
    // The binary models' own weights, in f64: the head's f32 copy would round small differences away.
    let fitted_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
        let config = TrainConfig { max_iterations: 20, ..quick_config() };
        let fit = pool.install(|| {
            fit_unweighted("topic", &rows, &labels, vectorizer.dimensions(), Learner::NaiveBayesOneVsRest, &config)
        });
        let Members::OneVsRest(models) = fit.members else { panic!("a one-vs-rest fit") };
        models.iter().flat_map(|m| m.weights.iter().chain(&m.intercepts).map(|w| w.to_bits())).collect::<Vec<_>>()
    };
    let one = fitted_on(1);
    assert!(one.iter().any(|&w| w != 0), "the fit moved off zero");
    for threads in [2, 5] {
        assert!(one == fitted_on(threads), "the weights differ on {threads} threads");
    }
}

#[test]
fn log_count_ratio_favours_features_of_the_positive_rows() {
    let row = |indices: Vec<u32>, values: Vec<f32>| SparseVector { indices, values };
    let rows = [row(vec![0, 2], vec![1.0, 0.5]), row(vec![0], vec![1.0]), row(vec![1, 2], vec![1.0, 0.2])];
    let refs: Vec<_> = rows.iter().collect();
    let sparse = SparseRows::from_vectors(&refs, 3);
    let ratio = log_count_ratio(&sparse, None, &[true, true, false]);
    // Smoothed shares: positive (3, 1, 2) / 6, negative (1, 2, 2) / 5.
    let expected = [(3.0f64 / 6.0) / (1.0 / 5.0), (1.0 / 6.0) / (2.0 / 5.0), (2.0 / 6.0) / (2.0 / 5.0)];
    for (got, want) in ratio.iter().zip(expected) {
        assert!((*got as f64 - want.ln()).abs() < 1e-6, "{ratio:?} against {expected:?}");
    }
    // A weight of 2 counts a row twice: the first row's features now (4, 1, 3) / 8.
    let weighted = log_count_ratio(&sparse, Some(&[2.0, 1.0, 1.0]), &[true, true, false]);
    assert!((f64::from(weighted[0]) - ((4.0f64 / 8.0) / (1.0 / 5.0)).ln()).abs() < 1e-6, "{weighted:?}");
}

#[test]
fn folds_keep_each_label_mix_and_follow_the_seed() {
    let corpus = small_corpus();
    let folds = fold_of_each(&corpus, 5, 42);
    assert_eq!(folds, fold_of_each(&corpus, 5, 42));
    assert_ne!(folds, fold_of_each(&corpus, 5, 7));
    let topic_count = |fold: usize, label: &str| {
        (0..corpus.len())
            .filter(|&i| folds[i] == fold && corpus.documents[i].labels.get("topic").is_some_and(|l| l == label))
            .count()
    };
    for label in ["world", "sports", "business", "sci_tech"] {
        let counts: Vec<usize> = (0..5).map(|f| topic_count(f, label)).collect();
        let (least, most) = (counts.iter().min(), counts.iter().max());
        assert!(most.zip(least).is_some_and(|(m, l)| m - l <= 2), "{label} spread over folds as {counts:?}");
    }
}

/// `rows` over `columns` as a dense matrix, each column times its `scaling`: what linfa's
/// dense learners take.
fn dense(rows: &SparseRows, scaling: Option<&[f32]>) -> ndarray::Array2<f32> {
    let mut dense = ndarray::Array2::zeros((rows.len(), rows.width()));
    for r in 0..rows.len() {
        for (c, v) in rows.row(r) {
            dense[(r, c as usize)] = v * scaling.map_or(1.0, |s| s[c as usize]);
        }
    }
    dense
}

/// How far `ours` is from `theirs`, relative to `theirs`'s size.
fn relative_difference(ours: ndarray::ArrayView1<f64>, theirs: ndarray::ArrayView1<f32>) -> (f64, f64) {
    let size = theirs.iter().map(|&w| f64::from(w).powi(2)).sum::<f64>().sqrt();
    let difference = ours.iter().zip(theirs).map(|(a, &b)| (a - f64::from(b)).powi(2)).sum::<f64>().sqrt();
    (difference / size, size)
}

#[test]
fn the_sparse_fit_finds_linfa_logistics_dense_fit() {
    use linfa::prelude::*;
    let corpus = small_corpus();
    let (vectorizer, rows, labels) = labeled_rows(&corpus, "topic");
    let (rows, labels) = (&rows[..400], &labels[..400]);
    // Both run to convergence, so that they meet at the optimum whatever their paths.
    let config = TrainConfig { head_features: 600, max_iterations: 1_000, ..quick_config() };
    let dimensions = vectorizer.dimensions();
    let learners = [Learner::NaiveBayesOneVsRest, Learner::Multinomial];
    for learner in learners {
        let fit = fit_unweighted("topic", rows, labels, dimensions, learner, &config);
        match &fit.members {
            Members::OneVsRest(models) => {
                for (label, model) in models.iter().enumerate() {
                    let positive: ndarray::Array1<bool> = labels.iter().map(|l| *l == fit.head.labels[label]).collect();
                    let direct = linfa_logistic::LogisticRegression::default()
                        .alpha(config.l2)
                        .max_iterations(config.max_iterations)
                        .fit(&DatasetBase::new(dense(&fit.rows, model.scaling.as_deref()), positive))
                        .expect("dense fit");
                    // linfa fits toward its "positive" class; flip the sign when that is `false`.
                    let sign = if direct.labels().pos.class { 1.0 } else { -1.0 };
                    let theirs = direct.params().mapv(|w| w * sign);
                    let (difference, size) = relative_difference(model.weights.column(0), theirs.view());
                    assert!(size > 1.0, "label {label}: the dense fit learned nothing");
                    assert!(difference < 1e-2, "label {label}: weights differ by {difference} of their size");
                    let intercepts = (model.intercepts[0] - f64::from(direct.intercept() * sign)).abs();
                    assert!(
                        intercepts < 1e-2 * f64::from(direct.intercept()).abs().max(1.0),
                        "label {label}: intercepts differ by {intercepts}"
                    );
                }
            }
            Members::Multinomial(model) => {
                let targets: ndarray::Array1<usize> =
                    labels.iter().map(|l| fit.head.labels.iter().position(|n| n == l).expect("a label")).collect();
                let direct = linfa_logistic::MultiLogisticRegression::default()
                    .alpha(config.l2)
                    .max_iterations(config.max_iterations)
                    .fit(&DatasetBase::new(dense(&fit.rows, None), targets))
                    .expect("dense fit");
                // A softmax's scores are defined up to a constant per row; compare them centred.
                for (position, &label) in direct.classes().iter().enumerate() {
                    let centred = |w: ndarray::ArrayView2<f64>| {
                        w.column(label).to_owned() - w.mean_axis(ndarray::Axis(1)).expect("labels")
                    };
                    let theirs = direct.params().mapv(f64::from);
                    let theirs = (theirs.column(position).to_owned()
                        - theirs.mean_axis(ndarray::Axis(1)).expect("labels"))
                    .mapv(|w| w as f32);
                    let (difference, size) = relative_difference(centred(model.weights.view()).view(), theirs.view());
                    assert!(size > 1.0, "label {label}: the dense fit learned nothing");
                    assert!(difference < 1e-2, "label {label}: weights differ by {difference} of their size");
                }
            }
            Members::Ensemble { .. } => unreachable!("not asked for"),
        }
    }
}

#[test]
fn rows_read_from_the_token_numbers_are_the_served_vectors() {
    let corpus = small_corpus();
    let tokenizer = Tokenizer::default();
    let prepared = super::Prepared::new(&corpus, Tokenizer::default(), false, &super::Silent);
    // A vocabulary fitted on half the documents, so that the others hold unknown terms.
    let half: Vec<usize> = (0..corpus.len()).step_by(2).collect();
    for max_ngram in [2, 1] {
        let settings = crate::features::vectorizer::VectorizerSettings { max_ngram, ..Default::default() };
        let (vectorizer, prefixes) = prepared.fit_vocabulary(&half, &settings, Some(6));
        let prefixes = prefixes.expect("a word-prefix block");
        let rows = prepared.rows(&vectorizer, Some(&prefixes));
        let bits = |v: &SparseVector| (v.indices.clone(), v.values.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        for (doc, d) in corpus.documents.iter().enumerate() {
            let served = vectorizer.transform(&tokenizer, &Article { id: "", title: &d.title, text: &d.text });
            assert_eq!(bits(&rows.head_row(doc)), bits(&served), "document {doc}, n-grams up to {max_ngram}");
            let (_, values) = rows.store.row(doc);
            assert_eq!(
                values.len(),
                served.len()
                    + prefixes
                        .vector_of_tokens(
                            tokenizer
                                .tokenize(&d.title)
                                .iter()
                                .chain(&tokenizer.tokenize(&d.text))
                                .map(|t| t.text.as_str())
                        )
                        .len()
            );
        }
    }
}

#[test]
fn the_vocabulary_counted_over_token_numbers_is_the_one_counted_over_strings() {
    let corpus = small_corpus();
    let tokenizer = Tokenizer::default();
    let prepared = super::Prepared::new(&corpus, Tokenizer::default(), false, &super::Silent);
    let docs: Vec<usize> = (0..corpus.len()).filter(|i| i % 3 != 0).collect();
    let tokens: Vec<Vec<Vec<String>>> = docs
        .iter()
        .map(|&i| {
            let d = &corpus.documents[i];
            [&d.title, &d.text].iter().map(|f| tokenizer.tokenize(f).into_iter().map(|t| t.text).collect()).collect()
        })
        .collect();
    for (max_ngram, min_df, max_features) in [(2, 2, 200_000), (2, 3, 700), (1, 1, 300)] {
        let settings =
            crate::features::vectorizer::VectorizerSettings { max_ngram, min_df, max_features, ..Default::default() };
        let (ours, _) = prepared.fit_vocabulary(&docs, &settings, None);
        let theirs = TfIdf::fit(settings.clone(), &tokens);
        assert!(ours.dimensions() > 100, "{} terms", ours.dimensions());
        assert_eq!(ours.terms(), theirs.terms(), "n-grams up to {max_ngram}, min_df {min_df}");
        let bits = |v: &TfIdf| v.idf().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&ours), bits(&theirs), "n-grams up to {max_ngram}, min_df {min_df}");
    }
}
