//! EntraExporter (microsoft/EntraExporter, `Export-Entra -Path <dir> [-All | -Type ...]`): one
//! Graph object per file, `<Type>/<id>/<id>.json`, written by `ConvertTo-Json -depth 100 |
//! Out-File` (UTF-16LE with a BOM from Windows PowerShell 5.1, UTF-8 from PowerShell 7).
//!
//! The layout comes from the module's `src/Get-EEDefaultSchema.ps1` (each type's `Path` and
//! `Children`) and `src/Export-Entra.ps1` (file names): `Groups/<gid>/<gid>.json`,
//! `Groups/<gid>/Members/<mid>/<mid>.json` (with `-All` or the `Groups` type; the default
//! `Config` type exports only dynamic groups, with their owners), `Users/<uid>/<uid>.json`,
//! `SubscribedSkus/<id>/<id>.json`, `Organization/Organization.json`, `Devices/...`. Child lists
//! of an object are subfolders of its folder: `Groups/<gid>/Owners/...` are the group's owners,
//! `DirectoryRoles/<rid>/Members/...`, `AdministrativeUnits/<id>/Members/...` and
//! `Applications/<aid>/Owners/...` are role, unit and application relations: none of them is a
//! group member or one of the tenant's users, and they are read as understood but unused.

use super::graph::{self, Entity};
use crate::export::json::At;
use crate::export::Builder;

/// Reads an EntraExporter object file, recognised by its path (a document with an
/// `@odata.context` is a Graph response saved under such a path: [`graph`]'s).
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    if doc.get("@odata.context").is_some() {
        return false;
    }
    let Some(entity) = by_path(rel) else {
        return false;
    };
    if !doc.is_object() {
        // A list of a type dexlint does not use, written whole (`Organization/Organization.json`
        // holds `GET /organization`'s array): understood, unused.
        let list = doc.is_array() && entity == Entity::Ignored;
        if list {
            b.set_entra_exporter(true);
        }
        return list;
    }
    b.set_entra_exporter(true);
    graph::object(b, &entity, doc);
    true
}

/// Whether `rel` is where EntraExporter writes a user or a group member: files of its `Users`
/// and `Groups` types (`-All`, `-Type Users`, `-Type Groups`), never of its default `Config`.
pub fn user_or_member_path(rel: &str) -> bool {
    matches!(by_path(rel), Some(Entity::User | Entity::Member(..)))
}

/// EntraExporter's top-level folders of the object types dexlint reads or knows.
const TOP_FOLDERS: &[&str] = &[
    "groups",
    "users",
    "subscribedskus",
    "devices",
    "organization",
    "serviceprincipals",
    "applications",
];

/// Whether a name is written as a GUID: an object id as EntraExporter names its folders, a
/// subscription id.
pub(crate) fn guid_like(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The entity of an EntraExporter file, from its path (components matched case-insensitively,
/// anywhere under the root).
fn by_path(rel: &str) -> Option<Entity> {
    let parts: Vec<&str> = rel.split('/').collect();
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let stem = |f: &str| f.rsplit_once('.').map_or(f, |(s, _)| s).to_string();
    for (i, part) in parts.iter().enumerate() {
        let rest = parts.get(i + 1..).unwrap_or(&[]);
        match rest {
            [gid, m, mid, file]
                if eq(part, "groups") && eq(m, "members") && eq(&stem(file), mid) =>
            {
                return Some(Entity::Member((*gid).into(), None));
            }
            // A child list of another object (owners, role or unit members).
            [child, cid, file]
                if i >= 1
                    && guid_like(part)
                    && eq(&stem(file), cid)
                    && !TOP_FOLDERS.iter().any(|k| eq(child, k)) =>
            {
                return Some(Entity::Ignored);
            }
            [id, file] if eq(&stem(file), id) => {
                let entity = if eq(part, "groups") {
                    Entity::Group
                } else if eq(part, "users") {
                    Entity::User
                } else if eq(part, "subscribedskus") {
                    Entity::Sku
                } else if TOP_FOLDERS.iter().any(|k| eq(part, k)) {
                    Entity::Ignored
                } else {
                    continue;
                };
                return Some(entity);
            }
            [file] if eq(part, "organization") && eq(file, "organization.json") => {
                return Some(Entity::Ignored);
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d";
    const U: &str = "e1000000-0000-4000-8000-0000000000aa";

    #[test]
    fn paths() {
        assert_eq!(by_path("Groups/g1/g1.json"), Some(Entity::Group));
        assert_eq!(
            by_path("x/Groups/g1/Members/m1/m1.json"),
            Some(Entity::Member("g1".into(), None))
        );
        assert_eq!(by_path("Users/u1/u1.json"), Some(Entity::User));
        assert_eq!(by_path("misc/notes.json"), None);
        assert_eq!(by_path("graph/groups/g1/members.json"), None);
    }

    #[test]
    fn child_folders_are_not_members_or_users() {
        for child in ["Owners", "Members"] {
            let rel = format!("DirectoryRoles/{G}/{child}/{U}/{U}.json");
            assert_eq!(by_path(&rel), Some(Entity::Ignored), "{rel}");
        }
        let owner = format!("Groups/{G}/Owners/{U}/{U}.json");
        assert_eq!(by_path(&owner), Some(Entity::Ignored));
        // A GUID-named folder above the export is not a parent object.
        let nested = format!("backups/{G}/Users/{U}/{U}.json");
        assert_eq!(by_path(&nested), Some(Entity::User));
        assert_eq!(by_path(&format!("DirectoryRoles/{G}/{G}.json")), None);
    }
}
