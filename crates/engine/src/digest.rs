//! Digests: short hashes that let two runs anywhere be compared at a glance.
//!
//! FNV-1a over canonical JSON: not cryptographic (nothing here is secret), but stable, tiny and
//! identical on every target because serde_json prints floats the same way everywhere.

pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub(crate) fn hex(h: u64) -> String {
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_vector() {
        assert_eq!(super::hex(super::fnv1a(b"a")), "af63dc4c8601ec8c");
    }
}
