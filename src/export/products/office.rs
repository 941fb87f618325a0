//! Defender for Office 365's deployment state from Exchange Online PowerShell exports.

use super::Evidence;
use crate::model::TenantModel;

/// What the export shows of Defender for Office 365; None when it holds no Office data.
pub fn evidence(_model: &TenantModel) -> Option<Evidence> {
    None
}
