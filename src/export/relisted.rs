//! Records listed more than once in an export: read once, as their last listing has them.
//!
//! A Graph list that changes while it is paged can list an object again on a later page
//! (Microsoft Graph, "Paging Microsoft Graph data in your app": the pages are not a snapshot),
//! and an export can hold one tenant's list twice: the REST list beside the PowerShell SDK's
//! (`Get-MgUser`), or beside EntraExporter's folders. Counted once per listing, a user or a
//! subscribed SKU was counted twice (DEX102 passed a shortage of licences, or reported one that
//! is not there), and a group's members went to one of its copies, the other reported empty
//! (DEX007). Records a Terraform plan or an ARM template declares are not the tenant's list and
//! are left as they are.

use crate::model::{Field, Loc, Record};
use rayon::prelude::*;
use std::hash::{BuildHasher, Hasher};

/// What [`dedupe`] found: how many records it dropped, and the first record listed again.
#[derive(Debug)]
pub struct Relisted {
    /// Records dropped (each a later or earlier listing of a record kept).
    pub dropped: usize,
    /// The id of the first record (in collection order) listed more than once.
    pub id: String,
    /// Where that record's id is in its first listing, and in its last.
    pub first: Option<Loc>,
    /// See `first`.
    pub last: Option<Loc>,
}

/// Keeps one record of each id in `records` (ids compared ignoring ASCII case: Graph ids are
/// GUIDs, written in either case): the last listing's record, at the place of the first, so
/// that the order of the others is kept. Records without an `id`, and those whose `source` is
/// `terraform` or `arm-template`, are all kept. None when no id is listed twice.
pub fn dedupe(records: &mut Vec<Record>) -> Option<Relisted> {
    let at = records.first()?.schema().field_index("id")?;
    fn listed_id(r: &Record, at: usize) -> Option<&str> {
        let declared = matches!(
            r.get("source").and_then(Field::as_str),
            Some("terraform" | "arm-template")
        );
        (!declared).then(|| r.field(at)?.as_str()).flatten()
    }
    let id = |r| listed_id(r, at);
    // Records by the hash of their id, in parallel: hundreds of thousands of users.
    let state = foldhash::fast::FixedState::default();
    let mut keys: Vec<(u64, usize)> = records
        .par_iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let mut h = state.build_hasher();
            for b in id(r)?.bytes() {
                h.write_u8(b.to_ascii_lowercase());
            }
            Some((h.finish(), i))
        })
        .collect();
    keys.par_sort_unstable();
    // Each set of records with one id, in collection order.
    let mut sets: Vec<Vec<usize>> = Vec::new();
    for same_hash in keys.chunk_by(|a, b| a.0 == b.0).filter(|c| c.len() > 1) {
        let mut left: Vec<usize> = same_hash.iter().map(|&(_, i)| i).collect();
        while let Some(&first) = left.first() {
            let key = records.get(first).and_then(id).unwrap_or_default();
            let (same, other): (Vec<usize>, Vec<usize>) = left.iter().partition(|&&i| {
                records
                    .get(i)
                    .and_then(id)
                    .is_some_and(|k| k.eq_ignore_ascii_case(key))
            });
            if same.len() > 1 {
                sets.push(same);
            }
            left = other;
        }
    }
    sets.sort_unstable();
    let first_set = sets.first()?;
    let id_loc = |i: usize| records.get(i)?.get("id")?.loc();
    let (first, last) = (*first_set.first()?, *first_set.last()?);
    let mut relisted = Relisted {
        dropped: 0,
        id: records
            .get(first)
            .and_then(id)
            .unwrap_or_default()
            .to_string(),
        first: id_loc(first),
        last: id_loc(last),
    };
    let mut dropped = vec![false; records.len()];
    for set in &sets {
        let (Some(&first), Some(&last)) = (set.first(), set.last()) else {
            continue;
        };
        records.swap(first, last);
        for &i in set.iter().skip(1) {
            if let Some(d) = dropped.get_mut(i) {
                *d = true;
                relisted.dropped += 1;
            }
        }
    }
    let mut i = 0;
    records.retain(|_| {
        let keep = !dropped.get(i).copied().unwrap_or(false);
        i += 1;
        keep
    });
    Some(relisted)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::model::{schema, Value};

    fn group(id: &str, name: &str, source: Option<&str>) -> Record {
        let mut r = Record::new(&schema::GROUP, None);
        r.set("id", Value::Str(id.into()), None);
        r.set("name", Value::Str(name.into()), None);
        if let Some(s) = source {
            r.set("source", Value::Str(s.into()), None);
        }
        r
    }

    fn names(records: &[Record]) -> Vec<&str> {
        records.iter().map(|r| r.text("name").unwrap()).collect()
    }

    #[test]
    fn the_last_listing_is_kept_at_the_place_of_the_first() {
        let mut records = vec![
            group("A", "a1", None),
            group("b", "b1", None),
            group("a", "a2", None),
            group("c", "c1", None),
            group("b", "b2", None),
            group("a", "a3", None),
        ];
        let r = dedupe(&mut records).unwrap();
        assert_eq!(names(&records), ["a3", "b2", "c1"]);
        assert_eq!((r.dropped, r.id.as_str()), (3, "A"));
        let mut once = vec![group("a", "a", None), group("b", "b", None)];
        assert!(dedupe(&mut once).is_none());
        assert_eq!(names(&once), ["a", "b"]);
    }

    #[test]
    fn declared_records_and_records_without_an_id_are_kept() {
        let mut records = vec![
            group("a", "graph", None),
            group("a", "plan", Some("terraform")),
            group("a", "template", Some("arm-template")),
            Record::new(&schema::GROUP, None),
            Record::new(&schema::GROUP, None),
        ];
        assert!(dedupe(&mut records).is_none());
        assert_eq!(records.len(), 5);
    }
}
