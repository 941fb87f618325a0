//! dexlint.toml text → parse and check against the built-in policies.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(config) = dexlint::config::Config::parse("dexlint.toml", text, std::path::Path::new(".")) {
        if let Ok(program) = dexlint::policy::compile(&dexlint::builtin::sources()) {
            let metas: Vec<_> = program.policies.iter().map(|p| p.meta()).collect();
            let _ = config.check_against(&metas);
            for m in &metas {
                let _ = config.runs(m);
            }
        }
    }
});
