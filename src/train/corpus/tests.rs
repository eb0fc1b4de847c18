use super::*;

fn write(dir: &Path, name: &str, contents: &str) {
    std::fs::write(dir.join(name), contents).expect("write fixture");
}

#[test]
fn reads_every_format_through_a_manifest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "a.txt", "Seed text one.");
    write(d, "files.jsonl", "{\"file\": \"a.txt\", \"topic\": \"world\", \"domain\": \"x\"}\n");
    write(d, "news.csv", "label,title,description\n\"1\",\"Title, one\",\"Text \"\"quoted\"\"\"\n");
    write(d, "sentences.tsv", "\"Quoted start\ttext\t3\r\nplain\t1\r\n");
    write(
        d,
        "corpus.toml",
        r#"
[[source]]
name = "files"
format = "labeled-files"
path = "files.jsonl"
heads = ["topic"]

[[source]]
name = "news"
format = "csv"
path = "news.csv"
title_column = 1
text_column = 2
label_column = 0
head = "topic"
labels = { "1" = "world" }

[[source]]
name = "sentences"
weight = 0.5
sentence_weight = 0
format = "text-tab-label"
path = "sentences.tsv"
head = "stance"
labels = { "1" = "cooperation", "3" = "tension" }
"#,
    );
    let corpus = Corpus::load(&[d.to_owned()]).expect("corpus loads");
    assert_eq!(corpus.len(), 4);
    let docs = &corpus.documents;
    assert_eq!(docs[0].labels, BTreeMap::from([("topic".into(), "world".into())]));
    assert_eq!(docs[1].title, "Title, one");
    assert_eq!(docs[1].text, "Text \"quoted\"");
    assert_eq!(docs[2].text, "\"Quoted start\ttext");
    assert_eq!(docs[2].labels["stance"], "tension");
    assert_eq!(corpus.sources, ["files", "news", "sentences", "sentences"]);
    assert_eq!(corpus.weights, [1.0, 1.0, 0.5, 0.5]);
    assert_eq!(corpus.sentence_weights, [1.0, 1.0, 0.0, 0.0], "sentence weights default to the weight");
    let heads = corpus.heads();
    assert_eq!(heads["stance"], ["cooperation", "tension"]);
}

#[test]
fn reports_the_line_of_a_bad_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("user.jsonl");
    std::fs::write(&path, "{\"id\":\"1\",\"text\":\"ok\"}\n\nnot json\n").expect("write");
    let error = Corpus::load(&[path]).expect_err("bad line");
    assert!(error.to_string().contains(":3:"), "{error}");
}

#[test]
fn refuses_a_line_over_the_length_limit_by_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("user.jsonl");
    let long = "word ".repeat(super::formats::MAX_LINE_BYTES / 5 + 1);
    std::fs::write(&path, format!("{{\"id\":\"1\",\"text\":\"ok\"}}\n{{\"id\":\"2\",\"text\":\"{long}\"}}\n"))
        .expect("write");
    let error = Corpus::load(&[path]).expect_err("a line over the limit").to_string();
    assert!(error.contains("user.jsonl:2:") && error.contains("over the limit"), "{error}");
}

#[test]
fn a_missing_file_is_named_with_its_reason_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "corpus.toml", "[[source]]\nname = \"s\"\nformat = \"jsonl\"\npath = \"gone.jsonl\"\n");
    let error = Corpus::load(&[dir.path().to_owned()]).expect_err("a missing file");
    let chain: Vec<String> = std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source())
        .map(ToString::to_string)
        .collect();
    let shown = chain.join(": ");
    assert!(shown.contains("gone.jsonl"), "{shown}");
    assert_eq!(shown.matches("No such file").count(), 1, "{shown}");
}

#[test]
fn refuses_unknown_labels_and_unknown_inputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "s.tsv", "text\t9\n");
    write(dir.path(), "corpus.toml", "[[source]]\nname = \"s\"\nformat = \"text-tab-label\"\npath = \"s.tsv\"\nhead = \"stance\"\nlabels = { \"1\" = \"cooperation\" }\n");
    let error = Corpus::load(&[dir.path().to_owned()]).expect_err("unknown label");
    assert!(error.to_string().contains("label `9`"), "{error}");
    assert!(Corpus::load(&[dir.path().join("s.tsv")]).is_err());
}

#[test]
fn digest_changes_with_any_label() {
    let doc = Document { id: "1".into(), title: String::new(), text: "t".into(), labels: BTreeMap::new() };
    let mut corpus = Corpus::from_documents(vec![doc], "s");
    let before = corpus.digest();
    corpus.documents[0].labels.insert("topic".into(), "world".into());
    assert_ne!(before, corpus.digest());
}

#[test]
fn a_manifest_names_word_vectors_that_change_the_digest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "s.tsv", "Troops shelled the town\t1\n");
    let source = "[[source]]\nname = \"s\"\nformat = \"text-tab-label\"\npath = \"s.tsv\"\nhead = \"stance\"\nlabels = { \"1\" = \"tension\" }\n";
    write(d, "corpus.toml", source);
    let plain = Corpus::load(&[d.to_owned()]).expect("loads");
    assert!(plain.word_vectors.is_none());

    write(d, "corpus.toml", &format!("word_vectors = \"vectors\"\n{source}"));
    let missing = Corpus::load(&[d.to_owned()]).expect_err("no vectors directory").to_string();
    assert!(missing.contains("vectors") && missing.contains("vectors.bin"), "{missing}");

    std::fs::create_dir(d.join("vectors")).expect("mkdir");
    let header = [1u32.to_le_bytes(), 2u32.to_le_bytes(), 0.5f32.to_le_bytes()].concat();
    std::fs::write(d.join("vectors/vectors.bin"), [header, vec![2, 4]].concat()).expect("write");
    write(&d.join("vectors"), "words.tsv", "shelled\t0\n");
    let corpus = Corpus::load(&[d.to_owned()]).expect("loads with vectors");
    let vectors = corpus.word_vectors.as_ref().expect("vectors");
    assert_eq!(vectors.vector("shelled"), Some(&[1.0, 2.0][..]));
    assert_ne!(corpus.digest(), plain.digest(), "the vectors are training input");
    assert!(corpus.subset([0]).word_vectors.is_some(), "a subset keeps them");
    let twice = Corpus::load(&[d.to_owned(), d.to_owned()]).expect_err("two sets").to_string();
    assert!(twice.contains("a second set of word vectors"), "{twice}");
}

#[test]
fn refuses_a_csv_record_over_the_length_limit_by_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = "word ".repeat(super::formats::MAX_LINE_BYTES / 5 + 1);
    write(dir.path(), "s.csv", &format!("label,text\n1,fine\n1,\"{long}\"\n"));
    write(dir.path(), "corpus.toml", "[[source]]\nname = \"s\"\nformat = \"csv\"\npath = \"s.csv\"\ntext_column = 1\nlabel_column = 0\nhead = \"topic\"\nlabels = { \"1\" = \"world\" }\n");
    let error = Corpus::load(&[dir.path().to_owned()]).expect_err("a record over the limit").to_string();
    assert!(error.contains("s.csv:3:") && error.contains("over the limit"), "{error}");
}

#[test]
fn refuses_an_empty_text_by_file_and_line_in_every_line_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "user.jsonl", "{\"id\":\"1\",\"text\":\"ok\"}\n{\"id\":\"2\",\"text\":\"  \"}\n");
    let error = Corpus::load(&[dir.path().join("user.jsonl")]).expect_err("an empty text").to_string();
    assert!(error.contains("user.jsonl:2:") && error.contains("empty"), "{error}");
    write(dir.path(), "s.csv", "label,text\n1,fine\n1,\n");
    write(dir.path(), "corpus.toml", "[[source]]\nname = \"s\"\nformat = \"csv\"\npath = \"s.csv\"\ntext_column = 1\nlabel_column = 0\nhead = \"topic\"\nlabels = { \"1\" = \"world\" }\n");
    let error = Corpus::load(&[dir.path().to_owned()]).expect_err("an empty CSV text").to_string();
    assert!(error.contains("s.csv:3:") && error.contains("empty"), "{error}");
    write(dir.path(), "s.tsv", "fine\t1\n \t1\n");
    write(dir.path(), "corpus.toml", "[[source]]\nname = \"s\"\nformat = \"text-tab-label\"\npath = \"s.tsv\"\nhead = \"topic\"\nlabels = { \"1\" = \"world\" }\n");
    let error = Corpus::load(&[dir.path().to_owned()]).expect_err("an empty TSV text").to_string();
    assert!(error.contains("s.tsv:2:") && error.contains("empty"), "{error}");
}
