//! A JSON document (any bytes) → decode → recognise → load, under several export paths.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for rel in ["graph/users.json", "Groups/g1/Members/m1/m1.json", "groups/g1/members.json", "Users/u1/u1.json", "x.json"] {
        let load = dexlint::export::load_document(rel, data);
        assert!(load.files_read == 1);
    }
});
