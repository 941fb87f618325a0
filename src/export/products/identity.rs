//! Defender for Identity's deployment state from the Graph sensors list.

use super::Evidence;
use crate::model::TenantModel;

/// What the export shows of Defender for Identity; None when it holds no sensor data.
pub fn evidence(_model: &TenantModel) -> Option<Evidence> {
    None
}
