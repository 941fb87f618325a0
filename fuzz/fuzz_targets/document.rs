//! A JSON document (any bytes) → decode → recognise → load, under several export paths; then
//! every location of the model is found again in the text (`locate::scan_as_loaded`: an ARM
//! template's comments blanked first, as the lint locates).
#![no_main]

use dexlint::model::{Loc, Record, ValueRef};
use libfuzzer_sys::fuzz_target;

/// The offsets of every location of `r`, a record of a list found at `base` (relative locations
/// of a shared list counted from it).
fn offsets(r: &Record, base: Option<Loc>, out: &mut Vec<u32>) {
    out.extend(r.loc_in(base).map(|l| l.offset()));
    for (_, f) in r.fields() {
        out.extend(f.loc_in(base).map(|l| l.offset()));
        if let ValueRef::Records(list) = f.value_in(base) {
            list.iter().for_each(|r| offsets(r, list.base(), out));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    for rel in ["graph/users.json", "Groups/g1/Members/m1/m1.json", "groups/g1/members.json", "Users/u1/u1.json", "x.json"] {
        let load = dexlint::export::load_document(rel, data);
        assert!(load.files_read == 1);
        let Ok(text) = dexlint::export::decode::decode(data) else { continue };
        let mut targets = Vec::new();
        for c in &load.model.collections {
            c.records.iter().for_each(|r| offsets(r, None, &mut targets));
        }
        targets.sort_unstable();
        targets.dedup();
        if targets.is_empty() {
            continue;
        }
        let found = dexlint::export::locate::scan_as_loaded(&text, &targets).expect("a loaded document scans");
        assert_eq!(found.len(), targets.len());
        for (start, end, _) in found {
            assert!(start <= end && end <= text.len() && text.is_char_boundary(start));
        }
    }
});
