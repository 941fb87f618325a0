//! dexlint.toml text → parse and check against the built-in policies.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(config) = dexlint::config::Config::parse("dexlint.toml", text, std::path::Path::new(".")) {
        if let Ok(set) = dexlint::policy::compile(&dexlint::builtin::sources(), &dexlint::policy::NoFiles) {
            let policies: Vec<_> = set.policies.iter().collect();
            let _ = config.check_against(&policies);
            for p in &policies {
                let _ = config.runs(p.meta());
            }
        }
    }
});
