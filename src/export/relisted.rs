//! Records listed more than once in an export: read once.
//!
//! A Graph list that changes while it is paged can list an object again on a later page
//! (Microsoft Graph, "Paging Microsoft Graph data in your app": the pages are not a snapshot),
//! and an export can hold one tenant's list twice: the REST list beside the PowerShell SDK's
//! (`Get-MgUser`), EntraExporter's folders or `az ad user list`. Counted once per listing, a
//! user or a subscribed SKU was counted twice (DEX102 passed a shortage of licences, or
//! reported one that is not there), and a group's members went to one of its copies, the other
//! reported empty (DEX007).
//!
//! The listings of one record are merged, in walk order: a value a later listing gives replaces
//! the earlier one when both listings are pages of one list (the later page is the newer); a
//! value only one listing gives is kept (`az ad user list` has no `assignedPlans`: it does not
//! take the REST list's away). Two lists that give one field different values (two exports
//! made at different times) leave it unknown: which is the tenant's now, the export does not
//! tell. Values that are lists (plans, members) are taken from the later listing that gives
//! them; an element both lists hold (the same id, once in each) whose field they give
//! differently (a SKU's plan `Success` in one, `Disabled` in the other) has it unknown too. Records a Terraform plan or an ARM template declares are not the tenant's list and are
//! left as they are.

use crate::model::{Field, FileId, Loc, Record, Value, ValueRef};
use rayon::prelude::*;
use std::hash::{BuildHasher, Hasher};

/// A field that two lists give a record different values of (see the module's text).
#[derive(Debug)]
pub struct Conflict {
    /// The record's id.
    pub id: String,
    /// The field.
    pub field: &'static str,
    /// The earlier value and where it is.
    pub first: (Value, Option<Loc>),
    /// The later value and where it is.
    pub second: (Value, Option<Loc>),
    /// For a field of an element of the list `field` (a SKU's plan): the element's name (its
    /// `name`, else its identity), its identity, and the field.
    pub element: Option<(String, String, &'static str)>,
}

impl Conflict {
    /// The value in words: "`status` of `AAD_PREMIUM` in the `plans` of `<id>`", or "`name`
    /// of `<id>`".
    pub fn what(&self) -> String {
        match &self.element {
            Some((name, _, field)) => format!(
                "`{field}` of `{name}` in the `{}` of `{}`",
                self.field, self.id
            ),
            None => format!("`{}` of `{}`", self.field, self.id),
        }
    }
}

/// What [`dedupe`] found: how many records it dropped, and the first record listed again.
#[derive(Debug)]
pub struct Relisted {
    /// The fields left unknown because two lists disagree, in the order found.
    pub conflicts: Vec<Conflict>,
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
/// GUIDs, written in either case): its listings merged as the module's text says, at the place
/// of the first, so that the order of the others is kept. `same_list` tells whether two files
/// are pages of one list. Records without an `id`, and those whose `source` is `terraform` or
/// `arm-template`, are all kept. None when no id is listed twice.
pub fn dedupe(
    records: &mut Vec<Record>,
    same_list: &dyn Fn(FileId, FileId) -> bool,
) -> Option<Relisted> {
    let at = records.first()?.schema().field_index("id")?;
    fn listed_id(r: &Record, at: usize) -> Option<&str> {
        (!super::declared(r))
            .then(|| r.field(at)?.as_str())
            .flatten()
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
        conflicts: Vec::new(),
        dropped: 0,
        id: records
            .get(first)
            .and_then(id)
            .unwrap_or_default()
            .to_string(),
        first: id_loc(first),
        last: id_loc(last),
    };
    let file = |r: &Record| r.loc().or_else(|| r.get("id")?.loc()).map(|l| l.file());
    let mut dropped = vec![false; records.len()];
    for set in &sets {
        let Some(&first) = set.first() else {
            continue;
        };
        // The listings by list: the pages of one list (`same_list`) together, in order.
        let mut lists: Vec<Vec<&Record>> = Vec::new();
        for r in set.iter().filter_map(|&i| records.get(i)) {
            let list = lists.iter_mut().find(|l| {
                match (l.first().and_then(|f| file(f)), file(r)) {
                    (Some(a), Some(b)) => same_list(a, b),
                    // Not from a file (none here): the later is read.
                    _ => true,
                }
            });
            match list {
                Some(l) => l.push(r),
                None => lists.push(vec![r]),
            }
        }
        // Each list's record: its last page's, with what earlier pages give that it does not.
        let mut merged: Vec<Record> = lists
            .iter()
            .filter_map(|l| {
                let mut kept = (*l.last()?).clone();
                for earlier in l.iter().rev().skip(1) {
                    merge(&mut kept, earlier, None);
                }
                Some(kept)
            })
            .collect();
        // Across lists: the last one's, with what only earlier ones give, and what they give
        // differently unknown.
        let Some(mut kept) = merged.pop() else {
            continue;
        };
        for earlier in merged.iter().rev() {
            merge(&mut kept, earlier, Some(&mut relisted.conflicts));
        }
        for &i in set.iter().skip(1) {
            if let Some(d) = dropped.get_mut(i) {
                *d = true;
                relisted.dropped += 1;
            }
        }
        if let Some(slot) = records.get_mut(first) {
            *slot = kept;
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

/// Fills in `kept` (a later listing of a record) what `earlier` gives that it does not. With
/// `conflicts` (listings of two lists), a value both give differently is unknown, and noted
/// there, the earlier value first; without (pages of one list), the later page's is read. The
/// ids, matched ignoring case, are not compared.
fn merge(kept: &mut Record, earlier: &Record, mut conflicts: Option<&mut Vec<Conflict>>) {
    let given = |f: &Field| f.loc().is_some() || !f.is_null();
    let id = kept.identity().unwrap_or_default().to_string();
    for (i, schema_field) in kept.schema().fields.iter().enumerate() {
        let Some(old) = earlier.field(i).filter(|f| given(f)) else {
            continue;
        };
        let Some(new) = kept.field_mut(i) else {
            continue;
        };
        if !given(new) {
            *new = old.clone();
            continue;
        }
        let Some(conflicts) = conflicts.as_deref_mut() else {
            continue;
        };
        if disagree(schema_field.name, old, new) {
            conflicts.push(Conflict {
                id: id.clone(),
                field: schema_field.name,
                first: (old.value().to_value(), old.loc()),
                second: (new.value().to_value(), new.loc()),
                element: None,
            });
            *new = Field::new(Value::Unknown, new.loc());
        } else if let (ValueRef::Records(earlier), Some(later)) = (old.value(), new.records_mut()) {
            merge_elements(earlier.items(), later, (&id, schema_field.name), conflicts);
        }
    }
}

/// Whether a value is one value (not a list, null or unknown): what two listings can give
/// differently.
fn scalar(v: ValueRef) -> bool {
    matches!(
        v,
        ValueRef::Bool(_) | ValueRef::Int(_) | ValueRef::Str(_) | ValueRef::Date(_)
    )
}

/// Makes unknown, in the elements of `later` (a list of the record `owner`), each scalar field
/// that the element of `earlier` with the same identity gives differently, and notes it in
/// `conflicts`. Only elements whose identity each list holds once are compared.
fn merge_elements(
    earlier: &[Record],
    later: &mut [Record],
    (owner, list): (&str, &'static str),
    conflicts: &mut Vec<Conflict>,
) {
    let once = |records: &[Record], id: &str| {
        records
            .iter()
            .filter(|r| r.identity().is_some_and(|i| i.eq_ignore_ascii_case(id)))
            .count()
            == 1
    };
    let ids: Vec<Option<String>> = later
        .iter()
        .map(|r| r.identity().map(str::to_string))
        .map(|id| id.filter(|id| once(later, id) && once(earlier, id)))
        .collect();
    for (element, id) in later.iter_mut().zip(ids) {
        let Some(id) = id else {
            continue;
        };
        let Some(before) = earlier
            .iter()
            .find(|r| r.identity().is_some_and(|i| i.eq_ignore_ascii_case(&id)))
        else {
            continue;
        };
        let name = element.text("name").unwrap_or(&id).to_string();
        for (i, schema_field) in element.schema().fields.iter().enumerate() {
            let (Some(old), Some(new)) = (before.field(i), element.field_mut(i)) else {
                continue;
            };
            if disagree(schema_field.name, old, new) {
                conflicts.push(Conflict {
                    id: owner.to_string(),
                    field: list,
                    first: (old.value().to_value(), old.loc()),
                    second: (new.value().to_value(), new.loc()),
                    element: Some((name.clone(), id.clone(), schema_field.name)),
                });
                *new = Field::new(Value::Unknown, new.loc());
            }
        }
    }
}

/// Makes unknown each field of `later` (a record listed again) that `earlier` gives
/// differently, where `compared` tells that the earlier value is from another list (see the
/// module's text), and notes it in `conflicts`, the earlier value first: how a Defender for
/// Endpoint machine listed by two exports is read (its listings are merged as they are read,
/// with its antivirus rows, rather than by [`dedupe`]).
pub(crate) fn disagreements(
    later: &mut Record,
    earlier: &Record,
    compared: &dyn Fn(&Field) -> bool,
    conflicts: &mut Vec<Conflict>,
) {
    let id = later.identity().unwrap_or_default().to_string();
    for (i, schema_field) in later.schema().fields.iter().enumerate() {
        let (Some(old), Some(new)) = (earlier.field(i), later.field_mut(i)) else {
            continue;
        };
        if compared(old) && disagree(schema_field.name, old, new) {
            conflicts.push(Conflict {
                id: id.clone(),
                field: schema_field.name,
                first: (old.value().to_value(), old.loc()),
                second: (new.value().to_value(), new.loc()),
                element: None,
            });
            *new = Field::new(Value::Unknown, new.loc());
        }
    }
}

/// Whether two listings of a record give its field `name` different scalar values (ids aside:
/// they are what the listings were matched by).
fn disagree(name: &str, old: &Field, new: &Field) -> bool {
    name != "id" && scalar(old.value()) && scalar(new.value()) && old.value() != new.value()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::model::{schema, Loc, Value};

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
        let r = dedupe(&mut records, &|_, _| true).unwrap();
        assert_eq!(names(&records), ["a3", "b2", "c1"]);
        assert_eq!((r.dropped, r.id.as_str()), (3, "A"));
        let mut once = vec![group("a", "a", None), group("b", "b", None)];
        assert!(dedupe(&mut once, &|_, _| true).is_none());
        assert_eq!(names(&once), ["a", "b"]);
    }

    #[test]
    fn two_lists_that_disagree_leave_the_value_unknown_and_pages_do_not() {
        let at = |file: u32, name: &str| {
            let mut r = Record::new(&schema::GROUP, Some(Loc::new(file, 1)));
            r.set("id", Value::Str("a".into()), Some(Loc::new(file, 2)));
            r.set("name", Value::Str(name.into()), Some(Loc::new(file, 3)));
            r
        };
        // Files 0 and 1 are pages of one list; file 2 is another export.
        let same = |a: u32, b: u32| a.min(b) == 0 && a.max(b) <= 1 || a == b;
        let mut pages = vec![at(0, "old"), at(1, "new")];
        let r = dedupe(&mut pages, &same).unwrap();
        assert!(r.conflicts.is_empty());
        assert_eq!(names(&pages), ["new"]);
        let mut exports = vec![at(0, "old"), at(2, "new")];
        let r = dedupe(&mut exports, &same).unwrap();
        assert_eq!(r.conflicts.len(), 1);
        assert_eq!(r.conflicts[0].field, "name");
        assert_eq!(
            exports[0].get("name").unwrap().value(),
            crate::model::ValueRef::Unknown
        );
        // A page superseded by a later page of its list is not compared with another export,
        // whichever comes first.
        let mut both = vec![at(0, "old"), at(1, "new"), at(2, "new")];
        assert!(dedupe(&mut both, &same).unwrap().conflicts.is_empty());
        assert_eq!(names(&both), ["new"]);
        let mut both = vec![at(2, "new"), at(0, "old"), at(1, "new")];
        assert!(dedupe(&mut both, &same).unwrap().conflicts.is_empty());
        assert_eq!(names(&both), ["new"]);
        // Ids that differ in case only are one record, not a conflict.
        let mut upper = at(2, "old");
        upper.set("id", Value::Str("A".into()), Some(Loc::new(2, 2)));
        let mut ids = vec![at(0, "old"), upper];
        assert!(dedupe(&mut ids, &same).unwrap().conflicts.is_empty());
        // A value only one listing gives is kept.
        let mut without = at(2, "x");
        without.set("name", Value::Null, None);
        let mut kept = vec![at(0, "old"), without];
        assert!(dedupe(&mut kept, &same).unwrap().conflicts.is_empty());
        assert_eq!(names(&kept), ["old"]);
    }

    #[test]
    fn elements_of_a_list_that_two_lists_give_differently_are_unknown_when_listed_once() {
        let plan = |id: &str, status: &str| {
            let mut p = Record::new(&schema::SKU_PLAN, None);
            p.set("id", Value::Str(id.into()), None);
            p.set("status", Value::Str(status.into()), None);
            p
        };
        let sku = |file: u32, plans: Vec<Record>| {
            let mut r = Record::new(&schema::SKU, Some(Loc::new(file, 1)));
            r.set("id", Value::Str("s".into()), Some(Loc::new(file, 2)));
            r.set("plans", Value::Records(plans.into_iter().collect()), None);
            r
        };
        fn status(r: &Record, i: usize) -> crate::model::ValueRef<'_> {
            match r.get("plans").unwrap().value() {
                crate::model::ValueRef::Records(l) => l.items()[i].get("status").unwrap().value(),
                _ => unreachable!(),
            }
        }
        // `b` is listed twice by the later export: which of its two is compared, it cannot
        // tell.
        let mut records = vec![
            sku(0, vec![plan("a", "Success"), plan("b", "Success")]),
            sku(
                1,
                vec![
                    plan("A", "Disabled"),
                    plan("b", "Disabled"),
                    plan("b", "Error"),
                ],
            ),
        ];
        let r = dedupe(&mut records, &|a, b| a == b).unwrap();
        assert_eq!(r.conflicts.len(), 1);
        let c = &r.conflicts[0];
        assert_eq!(c.what(), "`status` of `A` in the `plans` of `s`");
        assert_eq!(c.element.as_ref().unwrap().1, "A");
        assert_eq!(status(&records[0], 0), crate::model::ValueRef::Unknown);
        assert_eq!(status(&records[0], 1).as_str(), Some("Disabled"));
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
        assert!(dedupe(&mut records, &|_, _| true).is_none());
        assert_eq!(records.len(), 5);
    }
}
