//! The stance of a story's clauses as the served model scores them, remembered: the
//! harness asks for the same clauses under many settings.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use crate::model::relations::ClauseStance;
use crate::model::Model;
use crate::text::article::Article;

/// A clause: its sentence, its bytes, its margin.
type Key = (usize, usize, usize, usize);

/// [`ClauseStance`] of one story by [`Model::clause_tension`], each clause scored once.
pub struct StoryClauses<'m> {
    model: &'m Model,
    id: &'m str,
    title: &'m str,
    text: &'m str,
    known: RefCell<HashMap<Key, Option<f32>>>,
}

impl<'m> StoryClauses<'m> {
    /// The clauses of the story `article` as `model` scores them.
    pub fn new(model: &'m Model, article: &Article<'m>) -> Self {
        let Article { id, title, text } = *article;
        Self { model, id, title, text, known: RefCell::new(HashMap::new()) }
    }
}

impl ClauseStance for StoryClauses<'_> {
    fn tension_share(&self, sentence: usize, between: Range<usize>, margin: usize) -> Option<f32> {
        let key = (sentence, between.start, between.end, margin);
        if let Some(&known) = self.known.borrow().get(&key) {
            return known;
        }
        let article = Article { id: self.id, title: self.title, text: self.text };
        let share = self.model.clause_tension(&article, sentence, between, margin);
        self.known.borrow_mut().insert(key, share);
        share
    }
}
