//! Recognising a document: by its content (`@odata.context`, `@odata.type`, ARM `type`,
//! Terraform `format_version`, the device-group `items` shape, dexlint's `kind`), and by its
//! path where the content alone cannot tell (EntraExporter's folder layout, raw Graph
//! `groups/<gid>/members.json`).

use super::json::At;

/// Graph entity kinds dexlint reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entity {
    Group,
    User,
    Sku,
    Audit,
    /// A member of the group with this id.
    Member(String),
    /// Understood but not used by any policy (organisation, devices, applications...).
    Ignored,
}

/// What a document is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A Graph list response (`value` array) of one entity kind.
    GraphList(Entity),
    /// A single Graph object (EntraExporter writes one per file).
    GraphObject(Entity),
    MdeMachines,
    MdeAvInfo,
    DeviceGroups,
    /// ARM resources: one, a `value` list, or a top-level array.
    Arm,
    Terraform,
    Declaration,
    /// Not a document dexlint knows.
    Unrecognised,
}

/// The `#fragment` of an `@odata.context`, lowercased, without any `(select)` suffix.
fn context_fragment(context: &str) -> Option<String> {
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

/// The group id inside `groups('<gid>')/members` or `groups/<gid>/members`.
fn context_group_id(context: &str) -> Option<String> {
    let frag = context.rsplit_once('#')?.1;
    let start = frag.find("('")? + 2;
    let end = start + frag.get(start..)?.find('\'')?;
    frag.get(start..end).map(str::to_string)
}

/// Entity kind of a Graph `@odata.type` (`#microsoft.graph.group`), or None when unknown.
pub fn graph_type(t: &str) -> Option<&'static str> {
    let name = t.trim_start_matches('#').strip_prefix("microsoft.graph.")?;
    [
        "user",
        "group",
        "device",
        "servicePrincipal",
        "orgContact",
        "application",
        "subscribedSku",
        "directoryAudit",
        "organization",
    ]
    .into_iter()
    .find(|k| k.eq_ignore_ascii_case(name))
}

/// Path patterns of EntraExporter and raw Graph exports, matched case-insensitively on the
/// path components (anywhere under the root).
fn by_path(rel: &str) -> Option<Kind> {
    let parts: Vec<&str> = rel.split('/').collect();
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let stem = |f: &str| f.rsplit_once('.').map_or(f, |(s, _)| s).to_string();
    for (i, part) in parts.iter().enumerate() {
        let rest = parts.get(i + 1..).unwrap_or(&[]);
        match rest {
            [gid, file] if eq(part, "groups") && eq(file, "members.json") => {
                return Some(Kind::GraphList(Entity::Member(gid.to_string())));
            }
            [gid, m, mid, file]
                if eq(part, "groups") && eq(m, "members") && eq(&stem(file), mid) =>
            {
                return Some(Kind::GraphObject(Entity::Member(gid.to_string())));
            }
            [id, file] if eq(&stem(file), id) => {
                let entity = if eq(part, "groups") {
                    Entity::Group
                } else if eq(part, "users") {
                    Entity::User
                } else if eq(part, "subscribedskus") {
                    Entity::Sku
                } else if [
                    "devices",
                    "organization",
                    "serviceprincipals",
                    "applications",
                ]
                .iter()
                .any(|k| eq(part, k))
                {
                    Entity::Ignored
                } else {
                    continue;
                };
                return Some(Kind::GraphObject(entity));
            }
            [file] if eq(part, "organization") && eq(file, "organization.json") => {
                return Some(Kind::GraphObject(Entity::Ignored));
            }
            _ => {}
        }
    }
    None
}

fn is_arm_resource(v: &At<'_>) -> bool {
    v.get("type")
        .and_then(|t| t.text())
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("microsoft.security/"))
}

fn list_entity(fragment: &str, context: &str, rel: &str) -> Option<Kind> {
    let entity = match fragment {
        "groups" => Entity::Group,
        "users" => Entity::User,
        "subscribedskus" => Entity::Sku,
        "auditlogs/directoryaudits" => Entity::Audit,
        "machines" => return Some(Kind::MdeMachines),
        "deviceavinfo" => return Some(Kind::MdeAvInfo),
        "directoryobjects" | "groups/members" => {
            let gid = context_group_id(context).or_else(|| match by_path(rel) {
                Some(Kind::GraphList(Entity::Member(g)) | Kind::GraphObject(Entity::Member(g))) => {
                    Some(g)
                }
                _ => None,
            })?;
            Entity::Member(gid)
        }
        "devices" | "organization" | "serviceprincipals" | "applications" => Entity::Ignored,
        _ => return None,
    };
    Some(Kind::GraphList(entity))
}

/// Recognises a parsed document found at `rel` (path relative to its root).
pub fn recognise(doc: &At<'_>, rel: &str) -> Kind {
    if doc.v.is_array() {
        let items = doc.items();
        return if !items.is_empty() && items.iter().all(is_arm_resource) {
            Kind::Arm
        } else {
            Kind::Unrecognised
        };
    }
    if !doc.is_object() {
        return Kind::Unrecognised;
    }
    if doc
        .get("kind")
        .and_then(|k| k.text())
        .is_some_and(|k| k.starts_with("dexlint.deployment/"))
    {
        return Kind::Declaration;
    }
    if doc.get("format_version").is_some() && doc.get("resource_changes").is_some() {
        return Kind::Terraform;
    }
    if let Some(items) = doc.get("items") {
        if items
            .items()
            .first()
            .is_some_and(|i| i.get("MachineGroupId").is_some())
            || (items.v.as_array().is_some_and(<[_]>::is_empty) && by_name(rel, "group"))
        {
            return Kind::DeviceGroups;
        }
    }
    if is_arm_resource(doc) {
        return Kind::Arm;
    }
    let values = doc.get("value");
    if let Some(context) = doc.get("@odata.context").and_then(|c| c.text()) {
        if let Some(kind) = context_fragment(&context).and_then(|f| {
            let single = f.strip_suffix("/$entity");
            match single {
                Some(s) => match list_entity(s, &context, rel)? {
                    Kind::GraphList(e) => Some(Kind::GraphObject(e)),
                    _ => None,
                },
                None => list_entity(&f, &context, rel),
            }
        }) {
            return kind;
        }
    }
    if let Some(values) = &values {
        let items = values.items();
        if !items.is_empty() && items.iter().all(is_arm_resource) {
            return Kind::Arm;
        }
        if items.first().is_some_and(|i| i.get("avMode").is_some()) {
            return Kind::MdeAvInfo;
        }
        if items
            .first()
            .is_some_and(|i| i.get("computerDnsName").is_some() && i.get("rbacGroupId").is_some())
        {
            return Kind::MdeMachines;
        }
    }
    if let Some(kind) = by_path(rel) {
        return kind;
    }
    if let Some(t) = doc.get("@odata.type").and_then(|t| t.text()) {
        match graph_type(&t) {
            Some("group") => return Kind::GraphObject(Entity::Group),
            Some("user") => return Kind::GraphObject(Entity::User),
            Some("subscribedSku") => return Kind::GraphObject(Entity::Sku),
            Some("directoryAudit") => return Kind::GraphObject(Entity::Audit),
            Some(_) => return Kind::GraphObject(Entity::Ignored),
            None => {}
        }
    }
    Kind::Unrecognised
}

/// Whether the file name mentions `word` (for empty lists whose shape says nothing).
fn by_name(rel: &str, word: &str) -> bool {
    rel.rsplit('/')
        .next()
        .is_some_and(|f| f.to_ascii_lowercase().contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            context_group_id("https://graph.microsoft.com/v1.0/$metadata#groups('abc')/members")
                .as_deref(),
            Some("abc")
        );
        assert_eq!(
            context_fragment("https://graph.microsoft.com/v1.0/$metadata#users/$entity").as_deref(),
            Some("users/$entity")
        );
    }

    #[test]
    fn paths() {
        assert_eq!(
            by_path("Groups/g1/g1.json"),
            Some(Kind::GraphObject(Entity::Group))
        );
        assert_eq!(
            by_path("x/Groups/g1/Members/m1/m1.json"),
            Some(Kind::GraphObject(Entity::Member("g1".into())))
        );
        assert_eq!(
            by_path("graph/groups/g1/members.json"),
            Some(Kind::GraphList(Entity::Member("g1".into())))
        );
        assert_eq!(
            by_path("Users/u1/u1.json"),
            Some(Kind::GraphObject(Entity::User))
        );
        assert_eq!(by_path("misc/notes.json"), None);
    }
}
