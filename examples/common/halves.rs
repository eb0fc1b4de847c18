//! Splits into halves for the held-out checks of the evaluation examples: choose on one half,
//! measure on the other.

/// Split `split` of `items` into two halves: by position parity for split 0, else by a
/// seeded hash of the position, alternating in hash order (so the halves stay even).
pub fn halves<T: Copy>(items: &[T], split: usize) -> [Vec<T>; 2] {
    let mut order: Vec<usize> = (0..items.len()).collect();
    if split > 0 {
        let mix = |i: usize| {
            let mut x = (i as u64) ^ ((split as u64) << 32);
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            x ^ (x >> 31)
        };
        order.sort_by_key(|&i| mix(i));
    }
    let pick =
        |parity: usize| order.iter().enumerate().filter(|(k, _)| k % 2 == parity).map(|(_, &i)| items[i]).collect();
    [pick(0), pick(1)]
}
