//! The fixed hash functions behind every feature index. They are part of the model
//! format: changing any constant here changes every model's meaning, so the values are
//! pinned by tests.
//!
//! ```
//! use stancer::features::hashing::{fnv1a64, FNV_OFFSET};
//! assert_eq!(fnv1a64(b""), FNV_OFFSET);
//! assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
//! ```

/// FNV-1a 64-bit offset basis (Fowler, Noll, Vo; the published IETF draft constants).
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
pub const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Multiplier that chains token hashes into n-gram hashes (fastText `addWordNgrams`).
pub const NGRAM_MULT: u64 = 116_049_371;

/// FNV-1a over bytes.
#[inline]
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// Chains one more token hash onto an n-gram hash (fastText's word n-gram rule).
#[inline]
pub fn chain(h: u64, next: u64) -> u64 {
    h.wrapping_mul(NGRAM_MULT).wrapping_add(next)
}

/// Final avalanche (the splitmix64 finalizer) so that masking keeps well-mixed low bits.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Bucket of a feature hash `h` in namespace `ns`, for a table of `mask + 1` buckets.
#[inline]
pub fn bucket(ns: u64, h: u64, mask: u64) -> u32 {
    (mix(h ^ ns.wrapping_mul(0x9e37_79b9_7f4a_7c15)) & mask) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from the FNV specification's test vectors (64-bit FNV-1a).
    #[test]
    fn fnv_constants_are_pinned() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    /// Pinned outputs of the derived functions; a change here breaks every saved model.
    #[test]
    fn derived_hashes_are_pinned() {
        assert_eq!(chain(1, 2), 116_049_373);
        assert_eq!(mix(0), 0);
        assert_eq!(mix(1), 0x5692161d100b05e5);
        assert_eq!(bucket(1, fnv1a64(b"sanction"), (1 << 18) - 1), PINNED_SANCTION_NS1);
    }

    const PINNED_SANCTION_NS1: u32 = 78673;
}
