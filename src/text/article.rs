//! The unit the model reads: an article with an optional title.

/// An article borrowed from the caller. The title and the text are tokenized separately
/// (no bigram spans the two) and both feed the model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Article<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub text: &'a str,
}

impl<'a> Article<'a> {
    /// An article with a text only.
    pub fn text(text: &'a str) -> Self {
        Self { id: "", title: "", text }
    }

    /// The fields the model reads, title first.
    pub fn fields(&self) -> [&'a str; 2] {
        [self.title, self.text]
    }
}
