//! One file per source format, registered in [`FORMATS`]. Each format recognises its own
//! documents (by content, and by path where the content alone cannot tell) and turns them into
//! model records through the [`Builder`].
//!
//! Adding a format is one new file here with a `read` function, one line in [`FORMATS`], and
//! its fixtures under `tests/fixtures/exports/`.

pub mod arm;
pub mod arm_template;
pub mod az_cli;
pub mod az_powershell;
pub mod declaration;
pub mod entra_exporter;
pub mod exchange_online;
pub mod graph;
pub mod graph_sdk;
pub mod mde;
pub mod mp_computer_status;
pub(crate) mod streamed;
pub mod terraform;

use super::json::At;
use super::Builder;

/// What the elements of a list document are, when each loads on its own (so a large list can
/// be loaded a range of elements at a time, and its elements read by `streamed`): set by
/// the format through [`Builder::list_elements`] when it reads such a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Elements {
    /// The `value` of a Graph list of this entity.
    Graph(graph::Entity),
    /// Defender for Endpoint `/api/machines`.
    Machines,
    /// Defender for Endpoint `/api/deviceavinfo`.
    AvInfo,
}

/// Loads one element of a list of `elements` through its tree, as the format's list reader
/// does for each of its elements.
pub fn element(b: &mut Builder, elements: &Elements, at: &At<'_>) {
    match elements {
        Elements::Graph(entity) => graph::object(b, entity, at),
        Elements::Machines => mde::machine(b, at),
        Elements::AvInfo => mde::av_row(b, at),
    }
}

/// A source format: its name, the tools that produce it, and its reader.
pub struct Format {
    /// Short name (`graph`, `arm`, ...), as shown in diagnostics and docs.
    pub name: &'static str,
    /// The tools and commands whose output this format reads (the README's input table).
    pub produced_by: &'static str,
    /// The model collections its documents provide (`dexlint schema`, docs/model.md).
    pub provides: &'static [&'static str],
    /// Reads `doc`, found at `rel` (relative to its export root, `/`-separated): returns false
    /// without touching the builder when the document is not of this format; otherwise loads
    /// it, reporting what is wrong in it, and returns true.
    pub read: fn(&mut Builder, &At<'_>, &str) -> bool,
}

/// Every format, in the order they are tried: the first whose `read` returns true owns the
/// document. More specific recognitions come first.
pub static FORMATS: &[Format] = &[
    Format {
        name: "declaration",
        provides: &["products", "services"],
        produced_by: "written by hand (schemas/deployment-v1.schema.json)",
        read: declaration::read,
    },
    Format {
        name: "terraform-plan",
        provides: &["groups", "cloud_accounts", "deleted_groups", "resource_pricings"],
        produced_by: "`terraform show -json PLANFILE`",
        read: terraform::read,
    },
    Format {
        name: "arm-template",
        provides: &["groups", "cloud_accounts", "resource_pricings"],
        produced_by: "ARM deployment templates and `bicep build` / `az bicep build` output (Microsoft.Security pricings, settings, securityConnectors; Microsoft Graph Bicep groups), with the parameters file beside them (`bicep build-params`)",
        read: arm_template::read,
    },
    Format {
        name: "defender-for-endpoint",
        provides: &["devices", "device_groups"],
        produced_by: "Defender for Endpoint API `/api/machines`, `/api/deviceavinfo`; the portal's device group export",
        read: mde::read,
    },
    Format {
        name: "exchange-online",
        provides: &["office_policies"],
        produced_by: "Exchange Online PowerShell `Get-SafeLinksPolicy`, `Get-SafeLinksRule`, `Get-SafeAttachmentPolicy`, `Get-SafeAttachmentRule`, `Get-ATPProtectionPolicyRule`, `Get-ATPBuiltInProtectionRule`, `Get-ATPEvaluationRule`, `Get-AtpPolicyForO365` piped to `ConvertTo-Json -Depth 10`",
        read: exchange_online::read,
    },
    Format {
        name: "mp-computer-status",
        provides: &["devices"],
        produced_by: "`Get-MpComputerStatus | ConvertTo-Json` per device, or through `Invoke-Command -ComputerName ...`",
        read: mp_computer_status::read,
    },
    Format {
        name: "az-powershell",
        provides: &["cloud_accounts", "resource_pricings"],
        produced_by: "Az PowerShell `Get-AzSubscription`, `Get-AzManagementGroupSubscription`, `Get-AzSecurityPricing`, `Get-AzSecuritySetting`, `Get-AzSecurityConnector` piped to `ConvertTo-Json -Depth 10`",
        read: az_powershell::read,
    },
    Format {
        name: "az-cli",
        provides: &["users", "groups", "cloud_accounts", "resource_pricings"],
        produced_by: "az CLI `az account list`, `az account management-group subscription show-sub-under-mg`, `az security pricing list`, `az security setting list`, `az ad group list`, `az ad user list`, `az ad group member list --group GID`",
        read: az_cli::read,
    },
    Format {
        name: "arm",
        provides: &["cloud_accounts", "resource_pricings"],
        produced_by: "ARM REST `GET /subscriptions`, a management group's `GET /providers/Microsoft.Management/managementGroups/{id}/subscriptions`, and `Microsoft.Security` pricings (subscription or resource scope), settings and securityConnectors (`az rest`, `Invoke-AzRestMethod`); Azure Resource Graph results of whole `securityresources` rows (`az graph query`, `POST /providers/Microsoft.ResourceGraph/resources`)",
        read: arm::read,
    },
    Format {
        name: "entra-exporter",
        provides: &["users", "groups", "skus"],
        produced_by: "EntraExporter `Export-Entra -Path DIR -All` (or `-Type Config,Users,Groups,SKUs`)",
        read: entra_exporter::read,
    },
    Format {
        name: "graph-powershell-sdk",
        provides: &["users", "groups", "skus", "audit_events", "identity_sensors"],
        produced_by: "Microsoft Graph PowerShell SDK `Get-MgUser`, `Get-MgGroup`, `Get-MgGroupMember`, `Get-MgSubscribedSku`, `Get-MgAuditLogDirectoryAudit`, `Get-MgBetaSecurityIdentitySensor` piped to `ConvertTo-Json -Depth 10`",
        read: graph_sdk::read,
    },
    Format {
        name: "graph",
        provides: &["users", "groups", "skus", "audit_events", "identity_sensors"],
        produced_by: "Microsoft Graph REST v1.0 and beta list and object responses (`Invoke-MgGraphRequest`, `Invoke-RestMethod`, `az rest`, Graph Explorer), every `@odata.nextLink` page saved beside the first",
        read: graph::read,
    },
];

/// The `#fragment` of an OData `@odata.context`, lowercased, without any `(select)` suffix
/// (`...$metadata#users(id,displayName)` → `users`; `#groups('g')/members` →
/// `groups/members`).
pub fn context_fragment(context: &str) -> Option<String> {
    let frag = context.rsplit_once('#')?.1;
    let cut = frag
        .find('(')
        .map_or(frag, |i| frag.get(..i).unwrap_or(frag));
    // `groups('<gid>')/members` keeps its tail.
    let tail = frag
        .find(")/")
        .and_then(|i| frag.get(i + 1..))
        .unwrap_or("");
    Some(format!("{cut}{tail}").to_ascii_lowercase())
}

/// The `@odata.context` fragment of a document, if it has one.
pub fn document_context(doc: &At<'_>) -> Option<(String, String)> {
    let context = doc.get("@odata.context")?.text()?;
    let fragment = context_fragment(&context)?;
    Some((context, fragment))
}

/// Longest part of an error response's message quoted in a diagnostic, in characters.
const MAX_ERROR_MESSAGE: usize = 400;

/// An error response saved in place of the answer (`az rest`, `Invoke-RestMethod` or `curl`
/// writing the body of a failed request): ARM's "common error response for all Azure Resource
/// Manager APIs", `{"error": {"code", "message", "target", "details", "additionalInfo"}}`
/// (Azure/azure-rest-api-specs `specification/common-types/resource-management/v5/types.json`,
/// `ErrorResponse` and `ErrorDetail`), which Microsoft Graph's error responses share with an
/// `innerError` (learn.microsoft.com/graph/errors). Returns the diagnostic's message, which
/// quotes the error's code and message, and the `error` object to show it at; None for any
/// other document. `rel` is the document's path (an `azure/` folder names ARM).
pub fn error_response<'a>(doc: &At<'a>, rel: &str) -> Option<(String, At<'a>)> {
    let error = doc.get("error").filter(At::is_object)?;
    let code = error
        .get("code")
        .and_then(|c| c.as_str().map(str::to_string))?;
    let message = error
        .get("message")
        .and_then(|m| m.as_str().map(str::to_string))?;
    let message = message.trim();
    let quoted: String = match message.char_indices().nth(MAX_ERROR_MESSAGE) {
        Some((cut, _)) => format!("{}…", message.get(..cut).unwrap_or(message)),
        None => message.to_string(),
    };
    let azure = rel
        .split('/')
        .any(|part| part.eq_ignore_ascii_case("azure"))
        || message.contains("/subscriptions/")
        || message.contains("Microsoft.");
    if code.eq_ignore_ascii_case("NotFound") && mde::machine_list_path(rel) {
        return Some((
            format!(
                "the file holds an error response (`{code}`: {quoted}), not the machine list: \
                 nothing of this file was read; Defender for Endpoint's `GET /api/machines` \
                 answers 404 Not Found when the tenant has no recent machines (\"If no recent \
                 machines - 404 Not Found\", the List machines API page), which no new export \
                 changes: save `{{\"value\": []}}` in its place for a tenant without machines, \
                 or declare `products.mde` in a deployment declaration (docs/exporting.md)"
            ),
            error,
        ));
    }
    let api = if error.get("innerError").is_some() {
        "a Microsoft Graph error response"
    } else if azure {
        "an ARM error response"
    } else {
        "an error response"
    };
    Some((
        format!(
            "the file holds {api} (`{code}`: {quoted}), not the list or resource the request \
             was to save: the request failed and nothing of this file was read; fix the cause \
             (for `AuthorizationFailed` or `Authorization_RequestDenied`, the role \
             docs/exporting.md names) and export it again"
        ),
        error,
    ))
}

/// Why a document that no format read is an error rather than a foreign file (a note): it
/// comes from a source dexlint knows (an OData `@odata.context`, a Terraform `format_version`,
/// a `Microsoft.Security` resource, a saved PowerShell web response, a Graph JSON batch
/// response) but its shape is not one dexlint reads. None for anything else.
pub fn unread_known_source(doc: &At<'_>) -> Option<String> {
    if let Some(message) = mde::via_files(doc).or_else(|| graph::batch_response(doc)) {
        return Some(message);
    }
    // `Invoke-WebRequest ... | ConvertTo-Json` saves the response object, with the API's JSON
    // as a string inside it.
    if ["StatusCode", "Content", "Headers"]
        .iter()
        .all(|k| doc.get(k).is_some())
    {
        return Some(
            "this is a PowerShell `Invoke-WebRequest` response object, not the API's response: \
             its `Content` holds the JSON as a string; save the response itself with \
             `Invoke-WebRequest ... -OutFile FILE` (docs/exporting.md)"
                .into(),
        );
    }
    if arm::resource_graph_rows(doc).is_some() {
        return Some(
            "this is an Azure Resource Graph query's result (`az graph query`, `Search-AzGraph`, \
             `POST /providers/Microsoft.ResourceGraph/resources`), but its rows are not whole \
             `Microsoft.Security` resources with their `id`, `type` and `properties` (a query \
             that projects or summarizes columns, or a table result); it was not read: query \
             whole rows (`securityresources | where type == 'microsoft.security/pricings'`), or \
             export the lists docs/exporting.md gives"
                .into(),
        );
    }
    let source = if let Some(context) = doc.get("@odata.context").and_then(|c| c.text()) {
        format!("an OData response (`@odata.context` `{context}`)")
    } else if doc.get("format_version").is_some()
        && [
            "terraform_version",
            "resource_changes",
            "planned_values",
            "values",
        ]
        .iter()
        .any(|k| doc.get(k).is_some())
    {
        "a Terraform JSON document (`format_version`)".into()
    } else if mentions_security_resource(doc, 3) {
        "a Defender for Cloud resource (`Microsoft.Security`)".into()
    } else {
        return None;
    };
    Some(format!(
        "this is {source}, but its shape is not one dexlint reads; it was not read \
         (docs/exporting.md lists the shapes and the commands that produce them)"
    ))
}

/// Whether a resource's `id` or `type` (any case; `resourceId`, `resourceType` too) within
/// `depth` levels of `v` names a `Microsoft.Security` resource type or id. Other strings do not
/// count: a text that quotes such an id (dexlint's own report, a ticket) is no resource.
fn mentions_security_resource(v: &At<'_>, depth: usize) -> bool {
    if depth == 0 {
        return false;
    }
    if v.is_array() {
        return v
            .items()
            .iter()
            .take(16)
            .any(|i| mentions_security_resource(i, depth - 1));
    }
    v.members().iter().any(|(key, m)| {
        let names = ["id", "type", "resourceid", "resourcetype"]
            .iter()
            .any(|k| key.eq_ignore_ascii_case(k));
        match m.as_str() {
            Some(s) if names => {
                let lower = s.to_ascii_lowercase();
                lower.starts_with("microsoft.security/")
                    || lower.contains("/providers/microsoft.security/")
            }
            Some(_) => false,
            None => mentions_security_resource(m, depth - 1),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_provide_collections_of_the_model() {
        for f in FORMATS {
            assert!(!f.provides.is_empty(), "{}", f.name);
            for c in f.provides {
                assert!(
                    crate::model::schema::collection_index(c).is_some(),
                    "{}: {c}",
                    f.name
                );
            }
        }
    }

    #[test]
    fn fragments() {
        assert_eq!(
            context_fragment("https://graph.microsoft.com/v1.0/$metadata#users(id,displayName)")
                .as_deref(),
            Some("users")
        );
        assert_eq!(
            context_fragment("https://graph.microsoft.com/v1.0/$metadata#groups('abc')/members")
                .as_deref(),
            Some("groups/members")
        );
        assert_eq!(
            context_fragment("https://graph.microsoft.com/v1.0/$metadata#users/$entity").as_deref(),
            Some("users/$entity")
        );
    }
}
