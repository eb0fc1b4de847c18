//! The place of an actor in an article's list of actors, found in a few instructions: each
//! mention is looked up once, so a linear search of up to [`MAX_PAIRED_ACTORS`] actors per
//! mention would cost more than everything else the tally does with it.

use super::MAX_PAIRED_ACTORS;
use crate::features::actors::{ActorCount, ActorId};

/// Slots of the open-addressing table: at least twice [`MAX_PAIRED_ACTORS`], so that a
/// lookup always meets an empty slot and most find their actor at the first.
const SLOTS: usize = 2 * MAX_PAIRED_ACTORS;

const _: () = assert!(SLOTS.is_power_of_two() && MAX_PAIRED_ACTORS < u8::MAX as usize);

/// The first [`MAX_PAIRED_ACTORS`] actors of a list, by place, and a table from actor to place.
#[derive(Debug, Clone)]
pub(crate) struct ActorPlaces {
    actors: [ActorId; MAX_PAIRED_ACTORS],
    len: usize,
    /// `place + 1` of the actor hashed near the slot; 0: empty.
    slots: [u8; SLOTS],
}

impl ActorPlaces {
    /// The first [`MAX_PAIRED_ACTORS`] of `actors`; an actor listed twice is found at its
    /// first place.
    pub(crate) fn new(actors: &[ActorCount]) -> Self {
        let mut places = Self { actors: [ActorId(0); MAX_PAIRED_ACTORS], len: 0, slots: [0; SLOTS] };
        for count in actors.iter().take(MAX_PAIRED_ACTORS) {
            let mut slot = slot_of(count.actor);
            while places.at(slot).is_some_and(|place| places.actors[place] != count.actor) {
                slot = (slot + 1) % SLOTS;
            }
            places.actors[places.len] = count.actor;
            places.len += 1;
            if places.slots[slot] == 0 {
                // At most MAX_PAIRED_ACTORS < u8::MAX: the place fits.
                places.slots[slot] = places.len as u8;
            }
        }
        places
    }

    /// The actors, by place.
    pub(crate) fn actors(&self) -> &[ActorId] {
        &self.actors[..self.len]
    }

    /// The place of `actor`, if it is one of them.
    pub(crate) fn place(&self, actor: ActorId) -> Option<usize> {
        let mut slot = slot_of(actor);
        while let Some(place) = self.at(slot) {
            if self.actors[place] == actor {
                return Some(place);
            }
            slot = (slot + 1) % SLOTS;
        }
        None
    }

    /// The place held in `slot`, unless it is empty.
    fn at(&self, slot: usize) -> Option<usize> {
        usize::from(self.slots[slot]).checked_sub(1)
    }
}

/// Where the lookup of `actor` starts: the top bits of a multiplicative hash.
fn slot_of(actor: ActorId) -> usize {
    (u32::from(actor.0).wrapping_mul(0x9E37_79B1) >> (32 - SLOTS.trailing_zeros())) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(ids: &[u16]) -> Vec<ActorCount> {
        ids.iter().map(|&id| ActorCount { actor: ActorId(id), mentions: 1 }).collect()
    }

    /// Ids whose lookups all start at the table's last two slots: long runs of probes that
    /// wrap around its end.
    fn crowded(count: usize) -> Vec<u16> {
        (0..u16::MAX).filter(|&id| slot_of(ActorId(id)) >= SLOTS - 2).take(count).collect()
    }

    #[test]
    fn every_listed_actor_is_found_at_its_first_place_and_no_other() {
        let ids = crowded(MAX_PAIRED_ACTORS + 16);
        let places = ActorPlaces::new(&counts(&ids));
        assert_eq!(places.actors().len(), MAX_PAIRED_ACTORS);
        for (place, &id) in ids.iter().take(MAX_PAIRED_ACTORS).enumerate() {
            assert_eq!(places.place(ActorId(id)), Some(place), "{id}");
        }
        for &id in &ids[MAX_PAIRED_ACTORS..] {
            assert_eq!(places.place(ActorId(id)), None, "{id}");
        }
    }

    #[test]
    fn an_actor_listed_twice_is_found_at_its_first_place() {
        let places = ActorPlaces::new(&counts(&[7, 9, 7, 11]));
        assert_eq!(places.actors(), [ActorId(7), ActorId(9), ActorId(7), ActorId(11)]);
        assert_eq!(places.place(ActorId(7)), Some(0));
        assert_eq!(places.place(ActorId(11)), Some(3));
    }
}
