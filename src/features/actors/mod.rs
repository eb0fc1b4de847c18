//! International actors named in an article: states, organisations and armed groups, found
//! by matching a gazetteer's name patterns on the tokenizer's tokens.
//!
//! The gazetteer ([`Gazetteer`]) is data (`data/actors/`, see its `SOURCE.md`): actors,
//! their name patterns with a role each, and stop names. The matcher ([`ActorMatcher`])
//! reads the tokens of each field as [`crate::text::tokenizer::Tokenizer::for_each`] gives
//! them and applies these rules:
//! - a pattern is a sequence of tokens, looked up by the 64-bit key of its first token;
//!   at each token the longest pattern that matches wins and its tokens are consumed
//!   ("South Sudan" is not also "Sudan"); a winning stop name ("South China Sea") names no
//!   actor;
//! - `acronym` patterns, and `ambiguous` patterns written all in upper case, match only
//!   where the text has exactly the written case ("US", "U.S.", "WHO"; not "us", "who");
//!   other patterns match where every capitalized word of the pattern is capitalized in the
//!   text ("Turkey", not "turkey");
//! - a pattern with accents also matches written without them ("Cote d'Ivoire"), unless
//!   that spelling is a row of its own;
//! - `ambiguous` mentions ("Georgia", "Jordan", "Gaza") count only when the article also
//!   names the same actor by an unambiguous pattern ([`AmbiguousRule::Supported`]);
//! - names in the dateline at the start of the text ("BRUSSELS (Reuters) - ",
//!   [`crate::text::dateline`]) are neither listed nor counted: the dateline says where the
//!   story was filed, not who is in it ([`MatchSettings::skip_dateline`]);
//! - each mention carries its [`MentionRole`]: a state named after a locative preposition
//!   ("in Geneva") is a place, a demonym before a word for a person ("a French journalist")
//!   describes; the relation tally weighs them by its settings;
//! - the answer is bounded: at most [`MatchSettings::max_actors`] actors, most-mentioned
//!   first, with at most [`MatchSettings::max_mentions`] mentions each, whatever the length
//!   of the article.

mod first_keys;
mod gazetteer;
mod index;
mod matcher;
mod mention_role;

pub use gazetteer::{Actor, ActorKind, Gazetteer, GazetteerData, GazetteerError, NameRow, Role};
pub use matcher::{ActorCount, ActorMatcher, AmbiguousRule, ArticleActors, MatchSettings};
pub use mention_role::MentionRole;

use serde::{Deserialize, Serialize};

/// An actor's position in its [`Gazetteer`]'s list of actors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ActorId(pub u16);

pub use crate::text::article::Field;

/// One place an actor is named: bytes `start..end` of `field`'s text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    /// The actor named.
    pub actor: ActorId,
    /// The field the name is in.
    pub field: Field,
    /// First byte of the name in the field.
    pub start: usize,
    /// Byte after the name.
    pub end: usize,
    /// What the name does in its sentence: the actor, a place, or a person's demonym.
    pub role: MentionRole,
}

#[cfg(test)]
mod tests;
