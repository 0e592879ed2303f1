//! Reading text a machine word at a time: which of eight bytes equal a
//! given byte, without looking at them one by one. Both escapes of a search
//! response (HTML in snippets, JSON in the body) pass over Korean text,
//! which rarely holds a byte to escape, this way.

/// 0x01 in every byte.
pub const LOW_BITS: u64 = 0x0101_0101_0101_0101;
/// 0x80 in every byte.
pub const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Not zero exactly when a byte of `word` is `byte` (which byte it flags
/// may be off): a byte equal to it is a zero byte of `word ^ byte…byte`, and
/// a word has a zero byte exactly when `(v - 0x01…01) & !v & 0x80…80` is not
/// zero.
pub fn equal_bytes(word: u64, byte: u8) -> u64 {
    let v = word ^ (LOW_BITS * u64::from(byte));
    v.wrapping_sub(LOW_BITS) & !v & HIGH_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_is_flagged_exactly_when_one_of_its_bytes_is_the_byte() {
        for byte in [0u8, b'"', b'&', 0x7f, 0x80, 0xff] {
            for place in 0..8 {
                for other in [0u8, 1, byte.wrapping_add(1), byte.wrapping_sub(1), 0x80, 0xff] {
                    if other == byte {
                        continue;
                    }
                    let mut bytes = [other; 8];
                    assert_eq!(equal_bytes(u64::from_le_bytes(bytes), byte), 0, "{byte:#x} among {other:#x}");
                    bytes[place] = byte;
                    assert_ne!(equal_bytes(u64::from_le_bytes(bytes), byte), 0, "{byte:#x} at {place} among {other:#x}");
                }
            }
        }
    }
}
