//! The audit trail is a hash chain: each record's hash covers its own content and the previous
//! record's hash, so an edit made behind the application's back breaks every later link.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What one audit record says, in the exact text form that is hashed and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContent<'a> {
    pub seq: i64,
    /// RFC 3339 with microseconds, UTC (`2026-11-26T14:44:17.123456Z`).
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    /// Canonical JSON text of the record before the change (`null` when created).
    pub before: &'a str,
    pub after: &'a str,
}

/// SHA-256 over the previous hash and every field, each length-prefixed so that no two
/// different records can serialise to the same bytes.
pub fn chain_hash(prev_hash: &str, c: &AuditContent<'_>) -> String {
    let mut h = Sha256::new();
    let seq = c.seq.to_string();
    for part in [prev_hash, &seq, c.at, c.actor, c.action, c.entity, c.entity_id, c.before, c.after] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// A stored record as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredLink {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: String,
    pub after: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Why a chain does not verify, at the first record that fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokenLink {
    /// The record's `prev_hash` is not the previous record's hash (a record removed or reordered).
    PrevMismatch { seq: i64 },
    /// The record's content no longer matches its hash (a record edited).
    HashMismatch { seq: i64 },
    /// Sequence numbers skip (a record removed).
    Gap { expected: i64, found: i64 },
}

/// Check links in sequence order; the first failure is returned.
pub fn verify_chain<I: IntoIterator<Item = StoredLink>>(links: I) -> Result<u64, BrokenLink> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut count = 0u64;
    for (expected, l) in (1i64..).zip(links) {
        if l.seq != expected {
            return Err(BrokenLink::Gap { expected, found: l.seq });
        }
        if l.prev_hash != prev {
            return Err(BrokenLink::PrevMismatch { seq: l.seq });
        }
        let content = AuditContent {
            seq: l.seq,
            at: &l.at,
            actor: &l.actor,
            action: &l.action,
            entity: &l.entity,
            entity_id: &l.entity_id,
            before: &l.before,
            after: &l.after,
        };
        if chain_hash(&prev, &content) != l.hash {
            return Err(BrokenLink::HashMismatch { seq: l.seq });
        }
        prev = l.hash;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredLink> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let after = format!("{{\"n\":{seq}}}");
                let c = AuditContent {
                    seq,
                    at: "2026-11-26T00:00:00.000000Z",
                    actor: "admin",
                    action: "create",
                    entity: "mine",
                    entity_id: "x",
                    before: "null",
                    after: &after,
                };
                let hash = chain_hash(&prev, &c);
                let l = StoredLink {
                    seq,
                    at: c.at.into(),
                    actor: "admin".into(),
                    action: "create".into(),
                    entity: "mine".into(),
                    entity_id: "x".into(),
                    before: "null".into(),
                    after: after.clone(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                l
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify_chain(chain(5)), Ok(5));
        assert_eq!(verify_chain(Vec::new()), Ok(0));
    }

    #[test]
    fn edited_record_is_found() {
        let mut c = chain(5);
        c[2].after = "{\"n\":99}".into();
        assert_eq!(verify_chain(c), Err(BrokenLink::HashMismatch { seq: 3 }));
    }

    #[test]
    fn removed_record_is_found() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify_chain(c), Err(BrokenLink::Gap { expected: 2, found: 3 }));
    }

    #[test]
    fn rehashed_record_breaks_the_next_link() {
        let mut c = chain(4);
        c[1].after = "{\"n\":42}".into();
        let content = AuditContent {
            seq: 2,
            at: &c[1].at.clone(),
            actor: "admin",
            action: "create",
            entity: "mine",
            entity_id: "x",
            before: "null",
            after: "{\"n\":42}",
        };
        c[1].hash = chain_hash(&c[1].prev_hash.clone(), &content);
        assert_eq!(verify_chain(c), Err(BrokenLink::PrevMismatch { seq: 3 }));
    }

    #[test]
    fn field_boundaries_matter() {
        let a = AuditContent {
            seq: 1,
            at: "t",
            actor: "ab",
            action: "c",
            entity: "e",
            entity_id: "i",
            before: "",
            after: "",
        };
        let b = AuditContent { actor: "a", action: "bc", ..a.clone() };
        assert_ne!(chain_hash(GENESIS_HASH, &a), chain_hash(GENESIS_HASH, &b));
    }
}
