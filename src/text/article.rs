//! The unit the model reads: an article with an optional title, and which of its two
//! fields a sentence or a token comes from.

/// An article borrowed from the caller. The title and the text are tokenized separately
/// (no bigram spans the two) and both feed the model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Article<'a> {
    /// The caller's name for the article, echoed in answers; the model does not read it.
    pub id: &'a str,
    /// The title; may be empty.
    pub title: &'a str,
    /// The body text.
    pub text: &'a str,
}

/// Which field of an article a sentence or a token comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// [`Article::title`].
    Title,
    /// [`Article::text`].
    Text,
}

impl Field {
    /// Both fields, in the order the model reads them.
    pub const ALL: [Field; 2] = [Field::Title, Field::Text];

    /// The field's place in [`Field::ALL`]: 0 for the title, 1 for the text.
    pub fn index(self) -> usize {
        match self {
            Field::Title => 0,
            Field::Text => 1,
        }
    }
}

impl<'a> Article<'a> {
    /// An article with a text only.
    pub fn text(text: &'a str) -> Self {
        Self { id: "", title: "", text }
    }

    /// The text of one field.
    pub fn field(&self, field: Field) -> &'a str {
        match field {
            Field::Title => self.title,
            Field::Text => self.text,
        }
    }

    /// The fields the model reads, title first, each with its text.
    pub fn fields(&self) -> [(Field, &'a str); 2] {
        [(Field::Title, self.title), (Field::Text, self.text)]
    }
}
