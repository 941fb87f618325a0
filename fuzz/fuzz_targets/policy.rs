//! Policy source → parse → compile → evaluate on the example export's model; also the
//! formatter's round trip.
#![no_main]

use dexlint::policy::{self, Outcome, PolicySource};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn model() -> &'static dexlint::model::TenantModel {
    static MODEL: OnceLock<dexlint::model::TenantModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/contoso");
        dexlint::export::load(&[root], &Default::default()).map(|l| l.model).unwrap_or_default()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(formatted) = policy::format::format(text) {
        let again = policy::format::format(&formatted).expect("formatted text parses");
        assert_eq!(again, formatted, "fmt is idempotent");
        assert_eq!(policy::parse::parse_file(text).ok().map(|f| policy::ast::shape(&f)), policy::parse::parse_file(&formatted).ok().map(|f| policy::ast::shape(&f)), "fmt keeps meaning");
    }
    let source = PolicySource { name: "fuzz.policy".into(), text: text.into() };
    if let Ok(set) = policy::compile(&[source], &policy::NoFiles) {
        for p in &set.policies {
            if let Ok(Outcome::Findings(_)) = p.evaluate_with_budget(model(), &BTreeMap::new(), 1_000_000) {}
        }
    }
});
