//! Az PowerShell's `Get-AzSubscription` piped to `ConvertTo-Json` (the subscriptions the
//! signed-in identity sees, each an Azure cloud account: see [`arm::GET_AZ_SUBSCRIPTION`]) and
//! `Get-AzManagementGroupSubscription` (those of a management group:
//! [`arm::GET_AZ_MANAGEMENT_GROUP_SUBSCRIPTION`]), and
//! its Defender for Cloud cmdlets piped to `ConvertTo-Json`: `Get-AzSecurityPricing`
//! (`PSSecurityPricing`: `Id`, `Name`, `PricingTier`, `SubPlan`, ...), `Get-AzSecuritySetting`
//! (`Id`, `Name`, `Type`, `Enabled`) and `Get-AzSecurityConnector` (`EnvironmentName`,
//! `HierarchyIdentifier`, `EnvironmentData`, `Offering[]` with `OfferingType`, `SubPlanType`,
//! `MdeAutoProvisioningEnabled`, ...). Objects are flat and PascalCase, without ARM's
//! `properties`; `Get-AzSecurityPricing` has no `type` either: the resource type is read from the
//! `Id`. One object alone is written without an array. Windows PowerShell 5.1's `Out-File` writes
//! UTF-16LE with a BOM (decoded before this module sees the text).

use super::arm;
use crate::export::json::At;
use crate::export::Builder;

/// Whether an object was written by PowerShell: its keys are PascalCase (`Id`, `Name`).
fn pascal(v: &At<'_>) -> bool {
    v.members().iter().any(|(k, _)| *k == "Id" || *k == "Name")
}

/// Reads an Az.Security cmdlet's output; false when the document is not one.
pub fn read(b: &mut Builder, doc: &At<'_>, _rel: &str) -> bool {
    // A management group's subscriptions first: their objects have `Get-AzSubscription`'s keys
    // too, with the subscription id in `Name`.
    if arm::subscription_list(b, doc, &arm::GET_AZ_MANAGEMENT_GROUP_SUBSCRIPTION)
        || arm::subscription_list(b, doc, &arm::GET_AZ_SUBSCRIPTION)
    {
        return true;
    }
    let items = arm::resources(doc);
    let ours = !items.is_empty()
        && items.iter().all(|r| {
            r.is_object()
                && pascal(r)
                && r.get("properties").is_none()
                && arm::is_security_resource(r)
        });
    if !ours {
        return false;
    }
    arm::named_for_another(b, &items, "az-powershell");
    for r in &items {
        arm::load(b, r, r, "az-powershell");
    }
    true
}
