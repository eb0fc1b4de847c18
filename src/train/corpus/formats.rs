//! Readers for the source formats a `corpus.toml` can name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{read_to_string, CorpusError, Document};

/// One `[[source]]` entry of a manifest. Paths are relative to the manifest's directory.
#[derive(Debug, Clone, Deserialize)]
pub struct Source {
    pub name: String,
    pub path: PathBuf,
    /// How much each document counts in training: 0.5 trains on a seeded half of them, 2 on
    /// each twice. Evaluation counts every held-out document once.
    #[serde(default = "one")]
    pub weight: f64,
    /// Its weight in the head that answers single sentences for the article-stance rule's
    /// stance head (see `train`); `weight` when not given.
    pub sentence_weight: Option<f64>,
    #[serde(flatten)]
    pub format: SourceFormat,
}

/// How a source's file is read, and how its labels map to heads.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "format", rename_all = "kebab-case")]
pub enum SourceFormat {
    /// The user format: `{"id", "title"?, "text", "labels": {...}}` per line.
    Jsonl,
    /// JSON Lines naming text files beside it: `{"file": "a.txt", "<head>": "<label>", ...}`;
    /// only the keys listed in `heads` are labels.
    LabeledFiles { heads: Vec<String> },
    /// RFC 4180 CSV (or another delimiter) with a header row.
    Csv {
        #[serde(default = "comma")]
        delimiter: char,
        title_column: Option<usize>,
        text_column: usize,
        label_column: usize,
        head: String,
        labels: BTreeMap<String, String>,
    },
    /// `text<TAB>label` lines with no quoting and no header; split on the last tab.
    TextTabLabel { head: String, labels: BTreeMap<String, String> },
}

fn comma() -> char {
    ','
}

fn one() -> f64 {
    1.0
}

impl Source {
    pub(super) fn read(&self, directory: &Path) -> Result<Vec<Document>, CorpusError> {
        for (field, weight) in [("weight", Some(self.weight)), ("sentence_weight", self.sentence_weight)] {
            if weight.is_some_and(|w| !(w.is_finite() && w >= 0.0)) {
                return Err(CorpusError::Manifest {
                    path: directory.join("corpus.toml"),
                    message: format!("source `{}`: {field} must be a finite number, 0 or more", self.name),
                });
            }
        }
        let (name, path) = (&self.name, &directory.join(&self.path));
        match &self.format {
            SourceFormat::Jsonl => read_jsonl(path),
            SourceFormat::LabeledFiles { heads } => read_labeled_files(path, heads),
            SourceFormat::Csv { delimiter, title_column, text_column, label_column, head, labels } => {
                let columns = CsvColumns { title: *title_column, text: *text_column, label: *label_column };
                let delimiter = u8::try_from(*delimiter).map_err(|_| CorpusError::Manifest {
                    path: directory.join("corpus.toml"),
                    message: format!("source `{name}`: delimiter must be one ASCII character"),
                })?;
                read_csv(path, name, delimiter, columns, (head, labels))
            }
            SourceFormat::TextTabLabel { head, labels } => read_text_tab_label(path, name, (head, labels)),
        }
    }
}

type LabelMap<'a> = (&'a String, &'a BTreeMap<String, String>);

fn map_label(map: LabelMap, raw: &str, path: &Path, line: usize) -> Result<BTreeMap<String, String>, CorpusError> {
    let (head, labels) = map;
    let label = labels.get(raw.trim()).ok_or_else(|| CorpusError::Record {
        path: path.to_owned(),
        line,
        message: format!("label `{raw}` is not in the manifest's label map for head `{head}`"),
    })?;
    Ok(BTreeMap::from([(head.clone(), label.clone())]))
}

/// The longest line a line-based source may have: a document far longer than any news
/// article (a whole book is 1–2 MB), so that one runaway line cannot take gigabytes of
/// tokens and rows in training.
pub const MAX_LINE_BYTES: usize = 4 << 20;

fn check_length(line: &str) -> Result<(), String> {
    if line.len() > MAX_LINE_BYTES {
        return Err(format!("the line is {} bytes, over the limit of {MAX_LINE_BYTES}", line.len()));
    }
    Ok(())
}

/// Refuses a document without text: it would train every head on nothing.
fn check_text(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("`text` is empty".into());
    }
    Ok(())
}

/// Reads the user format. Lines that are blank are skipped; any other bad line is an error
/// naming its number.
pub(crate) fn read_jsonl(path: &Path) -> Result<Vec<Document>, CorpusError> {
    let text = read_to_string(path)?;
    let mut documents = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = |message: String| CorpusError::Record { path: path.to_owned(), line: index + 1, message };
        check_length(line).map_err(record)?;
        let document: Document = serde_json::from_str(line).map_err(|e| record(e.to_string()))?;
        check_text(&document.text).map_err(record)?;
        documents.push(document);
    }
    Ok(documents)
}

fn read_labeled_files(path: &Path, heads: &[String]) -> Result<Vec<Document>, CorpusError> {
    let directory = path.parent().unwrap_or(Path::new("."));
    let mut documents = Vec::new();
    for (index, line) in read_to_string(path)?.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = |message: String| CorpusError::Record { path: path.to_owned(), line: index + 1, message };
        check_length(line).map_err(record)?;
        let fields: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(line).map_err(|e| record(e.to_string()))?;
        let file = fields.get("file").and_then(|v| v.as_str()).ok_or_else(|| record("no `file` string".into()))?;
        if file.contains(['/', '\\']) || file.starts_with('.') {
            return Err(record(format!("`file` must name a file beside {}", path.display())));
        }
        let labels = heads
            .iter()
            .filter_map(|head| fields.get(head).and_then(|v| v.as_str()).map(|label| (head.clone(), label.to_owned())))
            .collect();
        let text = read_to_string(&directory.join(file))?;
        check_text(&text).map_err(|message| record(format!("{file}: {message}")))?;
        documents.push(Document { id: file.to_owned(), title: String::new(), text, labels });
    }
    Ok(documents)
}

#[derive(Debug, Clone, Copy)]
struct CsvColumns {
    title: Option<usize>,
    text: usize,
    label: usize,
}

fn read_csv(
    path: &Path,
    name: &str,
    delimiter: u8,
    columns: CsvColumns,
    map: LabelMap,
) -> Result<Vec<Document>, CorpusError> {
    let file = std::fs::File::open(path).map_err(|reason| CorpusError::Io { path: path.to_owned(), reason })?;
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(true).from_reader(file);
    let mut documents = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let line = index + 2; // 1-based, after the header
        let record = |message: String| CorpusError::Record { path: path.to_owned(), line, message };
        let row = row.map_err(|e| record(e.to_string()))?;
        // A record is bounded as a line of the other formats is (a quoted field may span lines).
        check_length(row.as_slice()).map_err(record)?;
        let column = |i: usize| row.get(i).ok_or_else(|| record(format!("no column {i}")));
        let title = columns.title.map(column).transpose()?.unwrap_or_default();
        let text = column(columns.text)?;
        check_text(text).map_err(record)?;
        documents.push(Document {
            id: format!("{name}:{line}"),
            title: title.to_owned(),
            text: text.to_owned(),
            labels: map_label(map, column(columns.label)?, path, line)?,
        });
    }
    Ok(documents)
}

fn read_text_tab_label(path: &Path, name: &str, map: LabelMap) -> Result<Vec<Document>, CorpusError> {
    let mut documents = Vec::new();
    for (index, line) in read_to_string(path)?.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        check_length(line).map_err(|message| CorpusError::Record {
            path: path.to_owned(),
            line: index + 1,
            message,
        })?;
        let (text, label) = line.rsplit_once('\t').ok_or_else(|| CorpusError::Record {
            path: path.to_owned(),
            line: index + 1,
            message: "no tab between text and label".into(),
        })?;
        check_text(text).map_err(|message| CorpusError::Record { path: path.to_owned(), line: index + 1, message })?;
        documents.push(Document {
            id: format!("{name}:{}", index + 1),
            title: String::new(),
            text: text.to_owned(),
            labels: map_label(map, label, path, index + 1)?,
        });
    }
    Ok(documents)
}
