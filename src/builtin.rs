//! The built-in catalogue: the `.policy` files of `policies/`, embedded in the binary.

use crate::policy::PolicySource;

/// File name and text of every built-in policy, in id order.
pub static POLICIES: &[(&str, &str)] = &[
    ("DEX001.policy", include_str!("../policies/DEX001.policy")),
    ("DEX002.policy", include_str!("../policies/DEX002.policy")),
    ("DEX003.policy", include_str!("../policies/DEX003.policy")),
    ("DEX004.policy", include_str!("../policies/DEX004.policy")),
    ("DEX005.policy", include_str!("../policies/DEX005.policy")),
    ("DEX006.policy", include_str!("../policies/DEX006.policy")),
    ("DEX007.policy", include_str!("../policies/DEX007.policy")),
    ("DEX008.policy", include_str!("../policies/DEX008.policy")),
    ("DEX101.policy", include_str!("../policies/DEX101.policy")),
    ("DEX102.policy", include_str!("../policies/DEX102.policy")),
    ("DEX103.policy", include_str!("../policies/DEX103.policy")),
    ("DEX104.policy", include_str!("../policies/DEX104.policy")),
    ("DEX105.policy", include_str!("../policies/DEX105.policy")),
    ("DEX106.policy", include_str!("../policies/DEX106.policy")),
    ("DEX107.policy", include_str!("../policies/DEX107.policy")),
    ("DEX201.policy", include_str!("../policies/DEX201.policy")),
    ("DEX202.policy", include_str!("../policies/DEX202.policy")),
    ("DEX203.policy", include_str!("../policies/DEX203.policy")),
    ("DEX204.policy", include_str!("../policies/DEX204.policy")),
    ("DEX205.policy", include_str!("../policies/DEX205.policy")),
    ("DEX206.policy", include_str!("../policies/DEX206.policy")),
    ("DEX301.policy", include_str!("../policies/DEX301.policy")),
    ("DEX302.policy", include_str!("../policies/DEX302.policy")),
    ("DEX303.policy", include_str!("../policies/DEX303.policy")),
    ("DEX304.policy", include_str!("../policies/DEX304.policy")),
    ("DEX305.policy", include_str!("../policies/DEX305.policy")),
    ("DEX306.policy", include_str!("../policies/DEX306.policy")),
];

/// The built-in policies as compiler sources, named `builtin:FILE`.
pub fn sources() -> Vec<PolicySource> {
    POLICIES
        .iter()
        .map(|(name, text)| PolicySource {
            name: format!("builtin:{name}"),
            text: (*text).to_string(),
        })
        .collect()
}
