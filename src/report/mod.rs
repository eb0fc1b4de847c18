//! Reporting: the model card and its pictures, from what training measured.

pub mod charts;
pub mod model_card;
