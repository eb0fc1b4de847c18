//! Which paired actors can be in a pair that reaches a score, known before any pair is
//! tallied: a pair's evidence all comes from sentences naming one of the two, so the
//! evidence any pair of an actor could gather bounds each of its pairs' scores. A pair one
//! of whose actors cannot reach the score is not tallied (its cue words not read), and an
//! article with fewer than two such actors has no relation, known without a pair loop.

use super::super::RelationSettings;
use super::named::NamedBySentence;

/// The paired actors (bit `place`, below `actors`) whose pairs may reach `floor`: every actor whose bound is
/// not below `floor`, all of them when the settings make a bound unsound (a negative
/// weight), and any whose bound is not a number. With `cued`, a sentence naming both of a
/// pair may weigh up to [`RelationSettings::uncued_weight`] if that is above 1.
pub(super) fn hopeful(
    settings: &RelationSettings,
    named: &mut NamedBySentence,
    actors: usize,
    (floor, cued): (f32, bool),
) -> u64 {
    let weights = [
        settings.adjacent_weight,
        settings.title_weight,
        settings.lead_weight,
        settings.place_weight,
        settings.descriptor_weight,
        settings.uncued_weight,
    ];
    if floor == f32::NEG_INFINITY || !weights.iter().all(|&weight| weight >= 0.0) {
        return u64::MAX;
    }
    // The most a partner's mention (and a missing cue word) can weigh.
    let strongest = f64::from(1.0_f32.max(settings.place_weight).max(settings.descriptor_weight));
    let cue = if cued { f64::from(settings.uncued_weight.max(1.0)) } else { 1.0 };
    let sentences = &mut named.sentences;
    for k in 0..sentences.len() {
        let first = &sentences[k];
        let (w1, index, run) = (f64::from(first.weights.0), first.index, first.run);
        let mut reach = if first.places.len() >= 2 { w1 * strongest * cue } else { 0.0 };
        for second in &mut sentences[k + 1..] {
            let distance = second.index - index;
            if distance > settings.window || second.run != run {
                break;
            }
            let half = f64::from(settings.adjacent_weight) / (2.0 * distance as f64);
            let share = half * (w1 + f64::from(second.weights.0)) * strongest;
            reach += share;
            second.reach += share;
        }
        sentences[k].reach += reach;
    }
    let mut bounds = std::mem::take(&mut named.actor_bounds);
    bounds.clear();
    bounds.resize(actors, 0.0);
    for sentence in &named.sentences {
        let places = named.places_of(sentence).iter().zip(named.strengths_of(sentence));
        for (&place, &strength) in places {
            if let Some(bound) = bounds.get_mut(usize::from(place)) {
                *bound += f64::from(strength) * sentence.reach;
            }
        }
    }
    let terms = 4 + named.sentences.len() * (1 + 2 * settings.window.min(named.sentences.len()));
    // The tally sums in `f32`: each of a pair's sums may be above its exact value by up to
    // one rounding a term.
    let slack = 1.0 + f64::from(f32::EPSILON) * terms as f64;
    let floor = f64::from(floor);
    let mut hopeful = 0u64;
    for (place, &bound) in bounds.iter().enumerate() {
        if !(bound * slack < floor) {
            hopeful |= 1 << place;
        }
    }
    named.actor_bounds = bounds;
    hopeful
}
