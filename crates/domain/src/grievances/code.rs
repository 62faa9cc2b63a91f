//! Tracking codes: what a complainant keeps to follow a case without an account. Twelve
//! characters of Crockford's base32 (no I, L, O or U, so nothing reads two ways), written in
//! groups of four: 60 random bits. Only a SHA-256 hash of the code is stored, so a copy of the
//! database does not open the cases.

use sha2::{Digest, Sha256};

/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a code.
pub const LEN: usize = 12;

/// A code from 8 random bytes (the caller draws them; 60 of the 64 bits are used), in its
/// plain form (`normalize`d, without the dashes).
pub fn from_random(bytes: [u8; 8]) -> String {
    let mut n = u64::from_be_bytes(bytes);
    let mut out = [0u8; LEN];
    for c in out.iter_mut().rev() {
        *c = ALPHABET[(n & 31) as usize];
        n >>= 5;
    }
    out.iter().map(|&b| b as char).collect()
}

/// A code as typed (any case, spaces or dashes anywhere, `O` for zero, `I` or `L` for one) in
/// its plain form, or `None` when it cannot be a code.
pub fn normalize(input: &str) -> Option<String> {
    let mut out = String::with_capacity(LEN);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\u{3000}' | '\t' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
            _ => return None,
        };
        if out.len() == LEN {
            return None;
        }
        out.push(c);
    }
    (out.len() == LEN).then_some(out)
}

/// The code for reading and writing down: `ABCD-EFGH-JKMN`.
pub fn display(plain: &str) -> String {
    let chars: Vec<char> = plain.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// What is stored: the SHA-256 of the plain code, as lowercase hex.
pub fn hash(plain: &str) -> String {
    hex::encode(Sha256::new().chain_update(b"minecoop-grievance-code:").chain_update(plain.as_bytes()).finalize())
}

/// The stored hash of a code as typed, or `None` when it cannot be a code.
pub fn hash_input(input: &str) -> Option<String> {
    normalize(input).map(|p| hash(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_twelve_unambiguous_characters_in_groups_of_four() {
        let c = from_random([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
        assert_eq!(c.len(), LEN);
        assert!(c.chars().all(|x| !"ILOU".contains(x)));
        let shown = display(&c);
        assert_eq!(shown.len(), 14);
        assert_eq!(shown.matches('-').count(), 2);
        assert_eq!(normalize(&shown).as_deref(), Some(c.as_str()));
        assert_eq!(from_random([0; 8]), "000000000000");
        assert_eq!(from_random([0xff; 8]), "ZZZZZZZZZZZZ");
        // Different bits, different codes (the top 4 bits are dropped, the rest all count).
        assert_ne!(from_random([0, 0, 0, 0, 0, 0, 0, 1]), from_random([0, 0, 0, 0, 0, 0, 0, 2]));
        assert_ne!(from_random([0x01, 0, 0, 0, 0, 0, 0, 0]), from_random([0; 8]));
    }

    #[test]
    fn typing_mistakes_are_forgiven_but_not_other_characters() {
        assert_eq!(normalize(" abcd efgh jkmn ").as_deref(), Some("ABCDEFGHJKMN"));
        assert_eq!(normalize("o1ab-cdef-ghjk").as_deref(), Some("01ABCDEFGHJK"));
        assert_eq!(normalize("IL00-0000-0000").as_deref(), Some("110000000000"));
        for bad in ["", "ABCD-EFGH-JKM", "ABCD-EFGH-JKMNP", "ABCD-EFGH-JKMU", "ABCD-EFGH-JKM!", "ABCD-EFGH-JKM中"] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_a_hash_is_kept_and_it_is_the_same_however_the_code_is_typed() {
        let h = hash("ABCDEFGHJKMN");
        assert_eq!(h.len(), 64);
        assert!(!h.contains("ABCD"));
        assert_eq!(hash_input("abcd-efgh-jkmn"), Some(h.clone()));
        assert_ne!(hash("ABCDEFGHJKMP"), h);
        assert_eq!(hash_input("nonsense"), None);
    }
}
