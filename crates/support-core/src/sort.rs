//! One small stable sort for the engine's few sorts, which all order a list by index.
//!
//! The standard library's sorts are fast on large inputs and large in code: each element type
//! and comparison gets its own copy of quicksort, merge and small-sort networks, about 7 KB of
//! wasm for the three sorts here. These sort tens to thousands of items.

use std::cmp::Ordering;

/// The indices `0..n` ordered by `compare`; equal items keep their order. A bottom-up merge
/// sort: O(n log n) comparisons, two index buffers.
pub fn sorted_indices(n: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut merged = order.clone();
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let middle = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut left, mut right) = (start, middle);
            for slot in &mut merged[start..end] {
                let take_left = right >= end
                    || (left < middle && compare(order[left], order[right]) != Ordering::Greater);
                if take_left {
                    *slot = order[left];
                    left += 1;
                } else {
                    *slot = order[right];
                    right += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_stable_sort() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for n in [0, 1, 2, 3, 7, 16, 33, 100, 1000] {
            let keys: Vec<u64> = (0..n)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed % 10
                })
                .collect();
            let mut expected: Vec<usize> = (0..n).collect();
            expected.sort_by_key(|&i| keys[i]);
            assert_eq!(sorted_indices(n, &|a, b| keys[a].cmp(&keys[b])), expected);
        }
    }
}
