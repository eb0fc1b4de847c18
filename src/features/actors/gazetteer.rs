//! The gazetteer as data: read from `actors.tsv`, `names.tsv` and `stopnames.tsv`, checked
//! row by row, and serializable (a model file can carry it, so that a served model and its
//! actors always agree). The pattern index is rebuilt from the rows when it is read back.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::index::PatternIndex;
use super::{ActorId, ActorMatcher, MatchSettings};

/// The most tokens a pattern may have (the longest shipped one, "Cooperation Council for
/// the Arab States of the Gulf", has 9).
pub const MAX_PATTERN_TOKENS: usize = 16;

/// What kind of actor a code stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A state (ISO 3166-1 alpha-3 code).
    State,
    /// An international organisation.
    Organisation,
    /// An armed group acting against a state.
    ArmedGroup,
}

impl ActorKind {
    /// The kind as `actors.tsv` writes it: `state`, `organisation`, `armed_group`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::State => "state",
            Self::Organisation => "organisation",
            Self::ArmedGroup => "armed_group",
        }
    }
}

/// How a name pattern names its actor (see `data/actors/SOURCE.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A name or spelling of the actor.
    Name,
    /// A short form matched only in its written case ("US", "UN").
    Acronym,
    /// A demonym or adjective that stands for the actor ("Chinese").
    Adjective,
    /// A capital or seat of government used for it ("the Kremlin").
    Seat,
    /// A body or agency that counts as the organisation ("Security Council").
    Body,
    /// A name that is the actor only sometimes ("Georgia").
    Ambiguous,
}

impl Role {
    /// The role as `names.tsv` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Acronym => "acronym",
            Self::Adjective => "adjective",
            Self::Seat => "seat",
            Self::Body => "body",
            Self::Ambiguous => "ambiguous",
        }
    }
}

/// One actor: its code (ISO 3166-1 alpha-3 for a state, the upper-case acronym otherwise),
/// kind and display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The canonical code ("CHN", "UN", "HAMAS").
    pub code: String,
    /// State, organisation or armed group.
    pub kind: ActorKind,
    /// The name a reader knows.
    pub name: String,
}

/// One name pattern of an actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameRow {
    /// The actor's code.
    pub code: String,
    /// The words of the name, as written.
    pub pattern: String,
    /// How the name names the actor.
    pub role: Role,
}

/// The gazetteer's rows as they are stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GazetteerData {
    /// Every actor, in file order.
    pub actors: Vec<Actor>,
    /// Every name pattern, in file order.
    pub names: Vec<NameRow>,
    /// Phrases that take part in the longest match but name no actor.
    pub stopnames: Vec<String>,
}

/// A bad gazetteer: which file and line, and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file's first line is not its header.
    #[error("{file}: line 1 is `{found}`, expected the header `{expected}`")]
    Header {
        /// The file.
        file: String,
        /// The line found.
        found: String,
        /// The header expected.
        expected: &'static str,
    },
    /// A row is bad.
    #[error("{file}:{line}: {problem}")]
    Row {
        /// The file.
        file: String,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// More actors than an [`super::ActorId`] can number.
    #[error("the gazetteer has {0} actors, more than the {max} an actor id can hold", max = u16::MAX)]
    TooManyActors(usize),
    /// More patterns than the matcher's index can hold: 65,535 candidates, or 2^32 keys or
    /// bytes of written words, or a written word over 255 bytes.
    #[error("the gazetteer has {0} patterns, more than the matcher's index can hold")]
    TooManyPatterns(usize),
}

/// Actors, their name patterns and stop names, with the index the matcher looks tokens up in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "GazetteerData", into = "GazetteerData")]
pub struct Gazetteer {
    data: GazetteerData,
    index: PatternIndex,
}

impl PartialEq for Gazetteer {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data
    }
}

impl TryFrom<GazetteerData> for Gazetteer {
    type Error = GazetteerError;

    /// Checks the rows (a row's line is its position in its list plus 2, as in a file with a
    /// header) and builds the index.
    fn try_from(data: GazetteerData) -> Result<Self, GazetteerError> {
        let index = PatternIndex::build(&data, &SourceFiles::default())?;
        Ok(Self { data, index })
    }
}

impl From<Gazetteer> for GazetteerData {
    fn from(gazetteer: Gazetteer) -> Self {
        gazetteer.data
    }
}

impl Gazetteer {
    /// Reads `actors.tsv`, `names.tsv` and `stopnames.tsv` (optional) from `dir`.
    pub fn load(dir: &Path) -> Result<Self, GazetteerError> {
        let actors = read_rows(&dir.join("actors.tsv"), "code\tkind\tname", 3)?
            .into_iter()
            .map(|(file, line, cols)| {
                let kind = match cols[1].as_str() {
                    "state" => ActorKind::State,
                    "organisation" => ActorKind::Organisation,
                    "armed_group" => ActorKind::ArmedGroup,
                    other => return Err(row_error(&file, line, format!("unknown kind `{other}`"))),
                };
                Ok(Actor { code: cols[0].clone(), kind, name: cols[2].clone() })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let names = read_rows(&dir.join("names.tsv"), "code\tpattern\trole", 3)?
            .into_iter()
            .map(|(file, line, cols)| {
                let role = parse_role(&cols[2])
                    .ok_or_else(|| row_error(&file, line, format!("unknown role `{}`", cols[2])))?;
                Ok(NameRow { code: cols[0].clone(), pattern: cols[1].clone(), role })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let stop_path = dir.join("stopnames.tsv");
        let stopnames = if stop_path.exists() {
            read_rows(&stop_path, "pattern\treason", 2)?.into_iter().map(|(_, _, cols)| cols[0].clone()).collect()
        } else {
            Vec::new()
        };
        let data = GazetteerData { actors, names, stopnames };
        let files = SourceFiles {
            actors: dir.join("actors.tsv").display().to_string(),
            names: dir.join("names.tsv").display().to_string(),
            stopnames: stop_path.display().to_string(),
        };
        let index = PatternIndex::build(&data, &files)?;
        Ok(Self { data, index })
    }

    /// The rows, as stored.
    pub fn data(&self) -> &GazetteerData {
        &self.data
    }

    /// Every actor, in [`ActorId`] order.
    pub fn actors(&self) -> &[Actor] {
        &self.data.actors
    }

    /// The actor with this id, if the id is from this gazetteer.
    pub fn actor(&self, id: ActorId) -> Option<&Actor> {
        self.data.actors.get(usize::from(id.0))
    }

    /// The code of `id`, or `""` for an id from another gazetteer.
    pub fn code(&self, id: ActorId) -> &str {
        self.actor(id).map_or("", |actor| actor.code.as_str())
    }

    /// The id of the actor with this code.
    pub fn id(&self, code: &str) -> Option<ActorId> {
        self.data.actors.iter().position(|actor| actor.code == code).map(|i| ActorId(i as u16))
    }

    /// A matcher over this gazetteer, with its own reusable buffers.
    pub fn matcher(&self, settings: MatchSettings) -> ActorMatcher<'_> {
        ActorMatcher::new(self, settings)
    }

    pub(super) fn index(&self) -> &PatternIndex {
        &self.index
    }
}

fn parse_role(role: &str) -> Option<Role> {
    Some(match role {
        "name" => Role::Name,
        "acronym" => Role::Acronym,
        "adjective" => Role::Adjective,
        "seat" => Role::Seat,
        "body" => Role::Body,
        "ambiguous" => Role::Ambiguous,
        _ => return None,
    })
}

/// The file names row errors name.
pub(super) struct SourceFiles {
    pub actors: String,
    pub names: String,
    pub stopnames: String,
}

impl Default for SourceFiles {
    fn default() -> Self {
        Self { actors: "actors.tsv".into(), names: "names.tsv".into(), stopnames: "stopnames.tsv".into() }
    }
}

pub(super) fn row_error(file: &str, line: usize, problem: String) -> GazetteerError {
    GazetteerError::Row { file: file.to_owned(), line, problem }
}

/// The rows of a tab-separated file after its header, each with the file's name, its line
/// number and exactly `columns` trimmed, non-empty columns. A blank line is an error, so
/// that a row's line is always its position plus 2 (the index reports it that way).
fn read_rows(
    path: &Path,
    header: &'static str,
    columns: usize,
) -> Result<Vec<(String, usize, Vec<String>)>, GazetteerError> {
    let text = std::fs::read_to_string(path).map_err(|source| GazetteerError::Read { path: path.into(), source })?;
    let file = path.display().to_string();
    let mut lines = text.lines().enumerate();
    let first = lines.next().map_or("", |(_, line)| line).trim_end_matches('\r');
    if first != header {
        return Err(GazetteerError::Header { file, found: first.to_owned(), expected: header });
    }
    let mut rows = Vec::new();
    for (number, line) in lines {
        let line = line.trim_end_matches('\r');
        let cols: Vec<String> = line.split('\t').map(|col| col.trim().to_owned()).collect();
        if cols.len() != columns {
            let problem = format!("{} columns, expected {columns} separated by tabs", cols.len());
            return Err(row_error(&file, number + 1, problem));
        }
        if let Some(empty) = cols.iter().position(String::is_empty) {
            return Err(row_error(&file, number + 1, format!("column {} is empty", empty + 1)));
        }
        rows.push((file.clone(), number + 1, cols));
    }
    Ok(rows)
}
