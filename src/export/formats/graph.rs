//! Microsoft Graph objects, from list responses (`{"@odata.context": ..., "value": [...]}`) or
//! one per file (EntraExporter): users, groups, group members, subscribedSkus, directoryAudits,
//! and Defender for Identity sensors (beta `GET /security/identities/sensors`, the
//! `microsoft.graph.security.sensor` resource type: its enumerations `sensorType`,
//! `deploymentStatus`, `healthStatus` and `serviceStatus` as the resource page documents them;
//! an undocumented value is a warning at it, the sensor kept).

use crate::export::formats::document_context;
use crate::export::json::{put, put_at, At, Conv};
use crate::export::{paging, Builder};
use crate::model::schema;
use crate::model::{ArcStr, Record, Value};

/// Graph entity kinds dexlint reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entity {
    /// A `group` (`/groups`): a `groups` record.
    Group,
    /// A `user` (`/users`): a `users` record.
    User,
    /// A `subscribedSku` (`/subscribedSkus`): a `skus` record.
    Sku,
    /// A `directoryAudit` (`/auditLogs/directoryAudits`): an `audit_events` record.
    Audit,
    /// A member of the group with this id; with the kind its list's OData cast gives every
    /// member (`/members/microsoft.graph.user`: `user`), for members that do not say theirs.
    Member(ArcStr, Option<&'static str>),
    /// A Defender for Identity `sensor` (`/security/identities/sensors`): an
    /// `identity_sensors` record.
    Sensor,
    /// Understood but not used by any policy (organisation, devices, applications...).
    Ignored,
}

/// Reads a Graph list response or object: recognised by `@odata.context`, by the raw Graph
/// export's members path (`groups/<gid>/members.json`), or by `@odata.type`. EntraExporter's
/// one-object-per-file layout is [`super::entra_exporter`]'s.
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    if transitive_members(doc, rel) {
        skip_transitive_members(b, doc, rel);
        return true;
    }
    if let Some(relationship) = other_relationship(doc, rel) {
        skip_other_relationship(b, doc, rel, relationship);
        return true;
    }
    if cast_members(b, doc, rel) {
        return true;
    }
    if let Some(resource) = document_context(doc).and_then(|(_, f)| NotSkus::of_context(&f)) {
        resource.skip(b, doc);
        return true;
    }
    let Some((is_list, entity)) = recognise(doc, rel) else {
        return false;
    };
    b.set_entra_exporter(false);
    if is_list {
        list(b, &entity, doc);
    } else {
        if entity == Entity::Group {
            b.single("groups");
        }
        object(b, &entity, doc);
    }
    true
}

/// Whether the document is a group's transitive members (`GET /groups/{id}/transitiveMembers`,
/// `Get-MgGroupTransitiveMember`): its `@odata.context` or `@odata.nextLink` names
/// `transitiveMembers`, or, in a group's folder, its file name does (`transitiveMembers.json`,
/// `transitiveMembers-2.json`: the list's `@odata.context` is `#directoryObjects`, as the
/// members list's).
pub(crate) fn transitive_members(doc: &At<'_>, rel: &str) -> bool {
    let names = |key: &str| {
        doc.get(key)
            .and_then(|v| v.text())
            .is_some_and(|t| t.to_ascii_lowercase().contains("/transitivemembers"))
    };
    let file = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    (doc.is_object() && (names("@odata.context") || names("@odata.nextLink")))
        || (group_folder(rel).is_some() && file.starts_with("transitivemembers"))
}

/// Notes a group's transitive members list and reads nothing of it: it holds the members of
/// the group's nested groups too, which scoped coverage does not take (DEX003), and does not say
/// which members are direct. An error at the members path (`groups/<gid>/members.json`): the
/// group's members are missing.
pub(crate) fn skip_transitive_members(b: &mut Builder, doc: &At<'_>, rel: &str) {
    let gid = group_folder(rel).unwrap_or_else(|| "<group id>".into());
    let message = format!(
        "this is a group's transitive members (`GET /groups/{{id}}/transitiveMembers`, \
         `Get-MgGroupTransitiveMember`): its members and those of its nested groups, without \
         telling which are direct; scoped coverage takes only direct members, so it was not \
         read: export `GET /groups/{gid}/members` to `groups/{gid}/members.json` \
         (docs/exporting.md)"
    );
    if crate::export::documented_path(rel) {
        b.shape_error(doc, &message);
    } else {
        b.note(doc, &message);
    }
}

/// The relationships of a group other than `members` and `transitiveMembers` whose lists are
/// directory objects (Microsoft Graph "group resource type", Relationships: `owners`,
/// `memberOf`, `transitiveMemberOf`, `membersWithLicenseErrors`, `acceptedSenders`,
/// `rejectedSenders`), and a device's (`registeredOwners`, `registeredUsers`, "device resource
/// type") saved in a group's folder. Their `@odata.context` is `#directoryObjects`, as the
/// members list's.
const OTHER_RELATIONSHIPS: [&str; 8] = [
    "owners",
    "memberOf",
    "transitiveMemberOf",
    "membersWithLicenseErrors",
    "acceptedSenders",
    "rejectedSenders",
    "registeredOwners",
    "registeredUsers",
];

/// The relationship other than `members` (one of [`OTHER_RELATIONSHIPS`]) that a list in a
/// group's folder holds: its `@odata.context` or `@odata.nextLink` names it
/// (`#groups('{id}')/owners`, `/groups/{id}/owners?$skiptoken=`), or, without one that names
/// `members`, its file name does (`owners.json`, `memberOf-2.json`). None for a members list,
/// and outside a group's folder.
pub(crate) fn other_relationship(doc: &At<'_>, rel: &str) -> Option<&'static str> {
    group_folder(rel)?;
    // The relationship a URL's path ends with (`.../groups/{id}/owners`).
    let named = |url: &str| {
        let path = url.split('?').next().unwrap_or(url).trim_end_matches('/');
        let last = path.rsplit('/').next().unwrap_or(path);
        (
            last.eq_ignore_ascii_case("members"),
            relationship_named(last),
        )
    };
    let context = document_context(doc).map(|(_, fragment)| fragment);
    let link = doc.get("@odata.nextLink").and_then(|l| l.text());
    for url in context.iter().chain(link.iter()) {
        match named(url) {
            (true, _) => return None,
            (false, Some(r)) => return Some(r),
            (false, None) => {}
        }
    }
    let file = rel.rsplit('/').next().unwrap_or(rel);
    // The name's first word: `memberOf` of `memberOf-2.json`, `owners` of `owners (1).json`.
    let word = file
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or(file);
    relationship_named(word)
}

/// The relationship of [`OTHER_RELATIONSHIPS`] spelled `word` (in any case).
fn relationship_named(word: &str) -> Option<&'static str> {
    OTHER_RELATIONSHIPS
        .into_iter()
        .find(|r| r.eq_ignore_ascii_case(word))
}

/// Notes a list of a group's other relationship (its owners, the groups it is a member of)
/// and reads nothing of it: they are not its members, which only `GET /groups/{id}/members`
/// lists. An error at the members path (`groups/<gid>/members.json`): the group's members are
/// missing.
pub(crate) fn skip_other_relationship(
    b: &mut Builder,
    doc: &At<'_>,
    rel: &str,
    relationship: &str,
) {
    let gid = group_folder(rel).unwrap_or_else(|| "<group id>".into());
    let owner = match relationship {
        "registeredOwners" | "registeredUsers" => "devices",
        _ => "groups",
    };
    let message = format!(
        "this is a `{relationship}` list (`GET /{owner}/{{id}}/{relationship}`), not the \
         group's members, so it was not read; a group's members are `GET /groups/{gid}/members`, \
         read at `groups/{gid}/members.json` (docs/exporting.md)"
    );
    if crate::export::documented_path(rel) {
        b.shape_error(doc, &message);
    } else {
        b.note(doc, &message);
    }
}

/// A group's members list cast to one kind (`GET /groups/{id}/members/microsoft.graph.user`,
/// whose `@odata.context` is that kind's list, `#users`) in the group's folder: read as the
/// group's members of that kind, and as a list that holds only some of its members (a gap in
/// the value, [`crate::model::Gap::in_value`]): a nested group it lists is certain (DEX003), one
/// it cannot list is unknown. Read as it claims to be, it was the tenant's users list. True when
/// the document is one.
fn cast_members(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    let Some(gid) = group_folder(rel) else {
        return false;
    };
    let Some((context, fragment)) = document_context(doc) else {
        return false;
    };
    let kind = match fragment.as_str() {
        "users" => "user",
        "groups" => "group",
        "devices" => "device",
        "serviceprincipals" => "servicePrincipal",
        "orgcontacts" => "orgContact",
        _ => return false,
    };
    let written = context
        .rsplit_once('#')
        .map_or(fragment.as_str(), |(_, f)| f);
    list(b, &Entity::Member(gid.as_str().into(), Some(kind)), doc);
    let how = format!(
        "the cast `GET /groups/{gid}/members/microsoft.graph.{kind}`, `@odata.context` \
         `#{written}`"
    );
    cast_gap(b, &gid, kind, &how, doc);
    true
}

/// The gap of a members list of group `gid`, `doc`, that holds only its members of kind
/// `kind`, as `how` (the request or cmdlet) lists them: a list of every kind of the group's
/// members, from another file, settles it (see [`Builder::members_list`]).
pub(crate) fn cast_gap(b: &mut Builder, gid: &str, kind: &str, how: &str, doc: &At<'_>) {
    let reason = format!(
        "`{}` lists only the group's members of kind `{kind}` ({how}); export `GET \
         /groups/{gid}/members` (`Get-MgGroupMember -All`), which lists every kind",
        b.rel()
    );
    b.partial_gap("groups", Some("members"), Some(gid), reason, doc);
}

/// A Graph resource that has SKUs and service plans (`skuId`, `skuPartNumber`, plans with
/// their `provisioningStatus`) but is not the tenant's subscribed SKUs: read as those, it made
/// SKU records of what is not (one SKU per user that holds it, a user's disabled plan an
/// unprovisioned one of the tenant's: DEX103).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotSkus {
    /// A user's `licenseDetails` (`GET /users/{id}/licenseDetails`, `Get-MgUserLicenseDetail`):
    /// the SKUs assigned to one user, with each plan's provisioning for that user; no
    /// `capabilityStatus`, `prepaidUnits`, `consumedUnits` or `appliesTo` of its own.
    LicenseDetails,
    /// A `companySubscription` (`GET /directory/subscriptions`,
    /// `Get-MgDirectorySubscription`): one commercial subscription, with its `status`,
    /// `totalLicenses` and `serviceStatus`.
    Subscriptions,
}

impl NotSkus {
    /// The resource of a list or object whose `@odata.context` fragment is `fragment`
    /// (`users('<id>')/licenseDetails`, `directory/subscriptions`).
    fn of_context(fragment: &str) -> Option<Self> {
        match fragment.strip_suffix("/$entity").unwrap_or(fragment) {
            "users/licensedetails" | "me/licensedetails" => Some(NotSkus::LicenseDetails),
            "directory/subscriptions" => Some(NotSkus::Subscriptions),
            _ => None,
        }
    }

    /// The resource of an object without `@odata.context` (the PowerShell SDK's PascalCase, a
    /// list's `value` saved alone), from the properties the two resources' pages document
    /// beside `skuId` and `skuPartNumber`.
    pub(crate) fn of_object(item: &At<'_>) -> Option<Self> {
        let has = |k: &str| item.get(k).is_some();
        if !has("skuPartNumber") && !has("skuId") {
            return None;
        }
        if has("serviceStatus") || has("totalLicenses") || has("commerceSubscriptionId") {
            return Some(NotSkus::Subscriptions);
        }
        let sku_only = [
            "capabilityStatus",
            "prepaidUnits",
            "consumedUnits",
            "appliesTo",
        ];
        (has("servicePlans") && !sku_only.iter().any(|k| has(k))).then_some(NotSkus::LicenseDetails)
    }

    /// Notes that `doc` is this resource and is not read, naming what to export instead; an
    /// error at a path docs/exporting.md writes a list to (`graph/subscribedSkus.json`): what
    /// was meant to be there is missing.
    pub(crate) fn skip(self, b: &mut Builder, doc: &At<'_>) {
        let what = match self {
            NotSkus::LicenseDetails => {
                "a user's licence details (`GET /users/{id}/licenseDetails`, \
                 `Get-MgUserLicenseDetail`): the SKUs assigned to one user and how each plan is \
                 provisioned for that user, not the tenant's subscribed SKUs (a user's licences \
                 are read from the users list's `assignedLicenses` and `assignedPlans`)"
            }
            NotSkus::Subscriptions => {
                "the tenant's commercial subscriptions (`GET /directory/subscriptions`, \
                 `Get-MgDirectorySubscription`): one record per purchase, not the subscribed \
                 SKUs"
            }
        };
        let message = format!(
            "this is {what}; it was not read: export the subscribed SKUs with `GET \
             /subscribedSkus` or `Get-MgSubscribedSku -All` (docs/exporting.md)"
        );
        if crate::export::documented_path(b.rel()) {
            b.shape_error(doc, &message);
        } else {
            b.note(doc, &message);
        }
    }
}

/// Whether the document is a list (true) or one object, and of which entity.
fn recognise(doc: &At<'_>, rel: &str) -> Option<(bool, Entity)> {
    if !doc.is_object() {
        return None;
    }
    if let Some((context, fragment)) = document_context(doc) {
        let single = fragment.strip_suffix("/$entity");
        if let Some(e) = list_entity(single.unwrap_or(&fragment), &context, rel) {
            return Some((single.is_none(), e));
        }
    }
    if let Some(gid) = members_path(rel) {
        return Some((true, Entity::Member(gid.into(), None)));
    }
    // A sensors list saved without its `@odata.context` (the API reference's sample): known by
    // its elements' type or properties.
    if let Some(first) = doc
        .get("value")
        .filter(At::is_array)
        .and_then(|v| v.items().into_iter().next())
    {
        let typed = first
            .get("@odata.type")
            .and_then(|t| t.text())
            .and_then(|t| graph_type(&t));
        if typed == Some("security.sensor")
            || (typed.is_none()
                && first.get("sensorType").is_some()
                && first.get("deploymentStatus").is_some())
        {
            return Some((true, Entity::Sensor));
        }
    }
    let t = doc.get("@odata.type")?.text()?;
    let entity = match graph_type(&t)? {
        "group" => Entity::Group,
        "user" => Entity::User,
        "subscribedSku" => Entity::Sku,
        "directoryAudit" => Entity::Audit,
        "security.sensor" => Entity::Sensor,
        _ => Entity::Ignored,
    };
    Some((false, entity))
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
        "security.sensor",
    ]
    .into_iter()
    .find(|k| k.eq_ignore_ascii_case(name))
}

/// A raw Graph export's members list of group `gid`: `groups/<gid>/members.json` (matched
/// case-insensitively, anywhere under the root).
pub(crate) fn members_path(rel: &str) -> Option<String> {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        [.., groups, gid, file]
            if groups.eq_ignore_ascii_case("groups")
                && file.eq_ignore_ascii_case("members.json") =>
        {
            Some(gid.to_string())
        }
        _ => None,
    }
}

/// The group whose folder holds a raw Graph file: `groups/<gid>/<any name>.json`.
fn group_folder(rel: &str) -> Option<String> {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        [.., groups, gid, _file] if groups.eq_ignore_ascii_case("groups") => Some(gid.to_string()),
        _ => None,
    }
}

/// The entity of a list whose `@odata.context` fragment is `fragment`.
fn list_entity(fragment: &str, context: &str, rel: &str) -> Option<Entity> {
    let entity = match fragment {
        "groups" => Entity::Group,
        "users" => Entity::User,
        "subscribedskus" => Entity::Sku,
        "auditlogs/directoryaudits" => Entity::Audit,
        "security/identities/sensors" => Entity::Sensor,
        "directoryobjects" | "groups/members" => {
            let gid = context_group_id(context).or_else(|| group_folder(rel))?;
            Entity::Member(gid.into(), None)
        }
        "devices" | "organization" | "serviceprincipals" | "applications" => Entity::Ignored,
        _ => return None,
    };
    Some(entity)
}

/// Loads one Graph object of a known entity kind.
pub fn object(b: &mut Builder, entity: &Entity, at: &At<'_>) {
    if !at.is_object() {
        b.shape_error(at, "expected a JSON object");
        return;
    }
    match entity {
        Entity::User => user(b, at),
        Entity::Group => group(b, at),
        Entity::Sku => sku(b, at),
        Entity::Audit => audit(b, at),
        Entity::Member(gid, cast) => member(b, gid, *cast, at),
        Entity::Sensor => sensor(b, at),
        Entity::Ignored => {}
    }
}

/// Where a list of `entity` goes in the model, for gaps: collection, field, entity, and what
/// the list is called in messages. None for lists no policy reads.
fn destination(
    entity: &Entity,
) -> Option<(&'static str, Option<&'static str>, Option<&str>, String)> {
    Some(match entity {
        Entity::User => ("users", None, None, "the users list".into()),
        Entity::Group => ("groups", None, None, "the groups list".into()),
        Entity::Sku => ("skus", None, None, "the subscribedSkus list".into()),
        Entity::Audit => (
            "audit_events",
            None,
            None,
            "the directoryAudits list".into(),
        ),
        Entity::Member(gid, _) => (
            "groups",
            Some("members"),
            Some(gid.as_str()),
            format!("the members list of group `{gid}`"),
        ),
        Entity::Sensor => (
            "identity_sensors",
            None,
            None,
            "the Defender for Identity sensors list".into(),
        ),
        Entity::Ignored => return None,
    })
}

/// Loads a list response: every element of `value`; a page of a paged list (see
/// [`crate::export::paging`]) is reported as such.
pub fn list(b: &mut Builder, entity: &Entity, doc: &At<'_>) {
    let dest = destination(entity);
    let Some(values) = doc.get("value").filter(At::is_array) else {
        let (at, message) = match (doc.get("value"), doc.path(&["error", "code"])) {
            (_, Some(code)) => {
                let text = doc
                    .path(&["error", "message"])
                    .and_then(|m| m.text())
                    .unwrap_or_default();
                (
                    *doc,
                    format!(
                        "this file holds a Graph error response (`{}`: {text}) instead of the \
                         list; export it again with an account that may read it",
                        code.text().unwrap_or_default()
                    ),
                )
            }
            (Some(v), None) => (v, "expected `value` to be an array".to_string()),
            (None, None) => (
                *doc,
                batch_response(doc).unwrap_or_else(|| {
                    "expected a `value` array in a Graph list response".to_string()
                }),
            ),
        };
        b.shape_error(&at, &message);
        if let Some((collection, field, gid, what)) = dest {
            b.gap(
                collection,
                field,
                gid,
                format!("{what} in `{}` could not be read", b.rel()),
                &at,
            );
        }
        return;
    };
    if let Some((collection, field, gid, what)) = &dest {
        let key = match entity {
            Entity::Member(g, _) => format!("members:{}", g.to_ascii_lowercase()),
            _ => collection.to_string(),
        };
        let next = doc.get("@odata.nextLink");
        b.page(key, next.as_ref(), (collection, *field, *gid), what);
        if let Some(count) = doc.get("@odata.count") {
            b.page_count(&count, what, paging::GRAPH_COUNT, None);
        }
        if let (None, None, Some((link, key))) = (field, gid, delta_link(doc)) {
            let resource = document_context(doc).map_or(collection.to_string(), |(_, f)| f);
            b.unlisted_gap(
                collection,
                format!(
                    "`{}` is a delta query's response (`GET /{resource}/delta`, its `{key}`), \
                     which after its first round lists only the {resource} that changed, and \
                     does not tell which round it is: export `GET /{resource}` (every page) \
                     instead",
                    b.rel()
                ),
                &link,
            );
        }
    }
    match entity {
        Entity::User => b.touch("users"),
        Entity::Group => b.touch("groups"),
        Entity::Sku => b.touch("skus"),
        Entity::Audit => b.touch("audit_events"),
        Entity::Member(gid, cast) => b.members_list(gid, &values, cast.is_some()),
        Entity::Sensor => b.touch("identity_sensors"),
        Entity::Ignored => {}
    }
    b.list_elements(super::Elements::Graph(entity.clone()));
    for item in values.items() {
        object(b, entity, &item);
    }
    if *entity == Entity::Sensor {
        v1_sensors(b, doc, &values);
    }
}

/// Why `doc` is not read, when it is a Microsoft Graph JSON batch response (`POST /$batch`:
/// `{"responses": [{"id", "status", "headers", "body"}]}`, "Combine multiple HTTP requests using
/// JSON batching"): each `body` is the response to one request of the batch, which only the
/// request's `id` names, and a list's body does not say whose it is (a group's members are
/// `#directoryObjects`, whatever the group). None for any other document.
pub(crate) fn batch_response(doc: &At<'_>) -> Option<String> {
    let first = doc
        .get("responses")
        .filter(At::is_array)?
        .items()
        .into_iter()
        .next()?;
    (first.get("id").is_some() && first.get("status").is_some()).then(|| {
        "this is a Microsoft Graph JSON batch response (`POST /$batch`: `responses`, each with \
         its request's `id`, `status` and `body`), which dexlint does not read: the requests \
         are not in it, so a body does not say what it lists; save each request's response (its `body`) to its own \
         file, as docs/exporting.md writes them (a group's members at `groups/<group \
         id>/members.json`), every page"
            .to_string()
    })
}

/// The link that shows `doc` is a page of a delta query's response (`GET /users/delta`,
/// `/groups/delta`): its `@odata.deltaLink` (on its last page), or an `@odata.nextLink` to a
/// `delta` function (`.../users/delta?$skiptoken=...`, `/microsoft.graph.delta` as the SDKs
/// write it); with the link's key. "Use delta query to track changes in Microsoft Graph data":
/// the first round lists every object, each later one (from the `@odata.deltaLink`) only those
/// added, changed or removed since, and a response looks the same in either.
fn delta_link<'a>(doc: &At<'a>) -> Option<(At<'a>, &'static str)> {
    let linked = |key: &str| {
        doc.get(key)
            .filter(|l| l.text().is_some_and(|t| !t.trim().is_empty()))
    };
    if let Some(link) = linked("@odata.deltaLink") {
        return Some((link, "@odata.deltaLink"));
    }
    let next = linked("@odata.nextLink")?;
    let url = next.text()?.to_ascii_lowercase();
    let path = url.split('?').next().unwrap_or_default();
    let path = path.trim_end_matches('/').trim_end_matches("()");
    (path.ends_with("/delta") || path.ends_with("/microsoft.graph.delta"))
        .then_some((next, "@odata.nextLink"))
}

/// The v1.0 sensor resource has no `serviceStatus`, only beta's has (Microsoft Graph "sensor
/// resource type", api-reference/v1.0 and beta resources/security-sensor.md): a v1.0 list
/// whose sensors lack it cannot show one running, and the gap says why and which URL does.
fn v1_sensors(b: &mut Builder, doc: &At<'_>, values: &At<'_>) {
    let v1 = document_context(doc).is_some_and(|(context, _)| {
        context
            .to_ascii_lowercase()
            .contains("graph.microsoft.com/v1.0/")
    });
    let without = values
        .items()
        .into_iter()
        .find(|s| s.is_object() && s.get("serviceStatus").is_none());
    if let (true, Some(sensor)) = (v1, without) {
        b.gap(
            "identity_sensors",
            Some("service"),
            None,
            format!(
                "`{}` is the Microsoft Graph v1.0 sensors list (its `@odata.context`), and \
                 v1.0 has no `serviceStatus` (only beta has it): export `GET {SENSORS_URL}`",
                b.rel()
            ),
            &sensor,
        );
    }
}

/// The sensors list that shows whether each sensor runs (`serviceStatus` is beta's only).
pub const SENSORS_URL: &str = "https://graph.microsoft.com/beta/security/identities/sensors";

/// The objects of the list at `key` of `at`; None when absent (or null). A list or an element
/// that PowerShell's `ConvertTo-Json` cut off is an error and a gap on `gap` (see
/// [`Builder::nested`]); so is any other value that is not a list of objects.
fn objects<'a>(
    b: &mut Builder,
    at: &At<'a>,
    key: &str,
    what: &str,
    gap: (&'static str, Option<&'static str>, Option<&str>),
) -> Option<(At<'a>, Vec<At<'a>>)> {
    let list = b.nested(at.get(key)?, true, what, gap)?;
    let items = list
        .items()
        .into_iter()
        .filter_map(|item| b.nested(item, false, what, gap))
        .collect();
    Some((list, items))
}

/// Whether the user or group `at` (of `collection`) is one the directory deleted: Graph lists
/// the deleted items (`GET /directory/deletedItems/microsoft.graph.group`, `.user`;
/// `Get-MgDirectoryDeletedItemAsGroup`) with their `deletedDateTime` set, and under the live
/// list's `@odata.context` (`#groups`); a live object's is null ("List deletedItems", Microsoft
/// Graph v1.0; the directory keeps a deleted object restorable for 30 days). Such an object is
/// not one of the tenant's now: a note at its `deletedDateTime`, naming it, and it is not read
/// (see [`Builder::deleted`]).
fn deleted(b: &mut Builder, at: &At<'_>, collection: &'static str) -> bool {
    let Some((when, text)) = at
        .get("deletedDateTime")
        .and_then(|d| Some((d, d.text()?)))
        .filter(|(_, t)| !t.trim().is_empty())
    else {
        return false;
    };
    let kind = if collection == "users" {
        "user"
    } else {
        "group"
    };
    let text_of = |key: &str| at.get(key).and_then(|v| v.text()).unwrap_or_default();
    let name = match collection {
        "users" => text_of("userPrincipalName"),
        _ => text_of("displayName"),
    };
    b.note(
        &when,
        &format!(
            "{kind} `{name}` (`{}`) was deleted ({text}, `deletedDateTime`): it is in the \
             directory's deleted items (`GET /directory/deletedItems/microsoft.graph.{kind}`), \
             not a {kind} of the tenant now, and was not read",
            text_of("id")
        ),
    );
    b.deleted(collection);
    true
}

/// Whether the user or group `at` (of `collection`) is a removal in a delta query's response
/// (`GET /users/delta`, `/groups/delta`): an entry with the `@removed` annotation (in the SDK's
/// `AdditionalProperties` too), whose `reason` is `changed` (deleted, and restorable) or
/// `deleted` (deleted for good) ("Use delta query to track changes in Microsoft Graph data",
/// "Get incremental changes for users"): in the first round's response too. It is not one of
/// the tenant's now: a note at the annotation, and it is not read, as a deleted object
/// ([`deleted`]) is not.
fn removed(b: &mut Builder, at: &At<'_>, collection: &'static str) -> bool {
    let Some(mark) = at
        .get("@removed")
        .or_else(|| at.path(&["AdditionalProperties", "@removed"]))
        .filter(|m| !m.is_null())
    else {
        return false;
    };
    let kind = if collection == "users" {
        "user"
    } else {
        "group"
    };
    let reason = mark
        .get("reason")
        .and_then(|r| r.text())
        .unwrap_or_default();
    let what = if reason.eq_ignore_ascii_case("deleted") {
        format!("a {kind} deleted for good")
    } else if reason.eq_ignore_ascii_case("changed") {
        format!("a {kind} deleted (restorable from the directory's deleted items)")
    } else {
        format!("a {kind} removed from the list")
    };
    let reason = match reason.as_str() {
        "" => String::new(),
        r => format!(" (reason `{r}`)"),
    };
    b.note(
        &mark,
        &format!(
            "this entry of a delta query response (`{collection}/delta`) is marked \
             `@removed`{reason}: {what}, not a {kind} of the tenant now; it was not read"
        ),
    );
    b.deleted(collection);
    true
}

pub(crate) fn user(b: &mut Builder, at: &At<'_>) {
    if deleted(b, at, "users") || removed(b, at, "users") {
        return;
    }
    let mut r = Record::new(&schema::USER, Some(at.loc()));
    put(&mut r, "id", at, "id", Conv::Text);
    put(&mut r, "upn", at, "userPrincipalName", Conv::Text);
    put(&mut r, "name", at, "displayName", Conv::Text);
    put(&mut r, "enabled", at, "accountEnabled", Conv::Bool);
    put(&mut r, "user_type", at, "userType", Conv::Text);
    put(&mut r, "department", at, "department", Conv::Text);
    put(
        &mut r,
        "on_premises_sync",
        at,
        "onPremisesSyncEnabled",
        Conv::Bool,
    );
    // Named only for a date that cannot be read (see `Builder::put_date`).
    let who = |u: &Record| {
        let id = u.identity().unwrap_or("?");
        format!("user {}", crate::base::named(u.text("upn"), id))
    };
    if let Some(activity) = at.get("signInActivity") {
        b.put_date(
            &mut r,
            ("last_sign_in", &activity, "lastSignInDateTime"),
            ("users", &who),
        );
    }
    if let Some((list, items)) = objects(
        b,
        at,
        "assignedLicenses",
        "assigned licences",
        ("users", Some("licenses"), None),
    ) {
        let items = items.into_iter().map(|l| {
            let l = &l;
            let mut lic = Record::new(&schema::LICENSE, Some(l.loc()));
            put(&mut lic, "sku_id", l, "skuId", Conv::Text);
            put(
                &mut lic,
                "disabled_plans",
                l,
                "disabledPlans",
                Conv::Strings,
            );
            lic
        });
        r.set(
            "licenses",
            Value::Records(items.collect()),
            Some(list.loc()),
        );
    }
    if let Some((list, items)) = objects(
        b,
        at,
        "assignedPlans",
        "assigned plans",
        ("users", Some("plans"), None),
    ) {
        let items = items.into_iter().map(|p| {
            let p = &p;
            let mut plan = Record::new(&schema::ASSIGNED_PLAN, Some(p.loc()));
            put(&mut plan, "id", p, "servicePlanId", Conv::Text);
            put(&mut plan, "service", p, "service", Conv::Text);
            put(&mut plan, "status", p, "capabilityStatus", Conv::Text);
            let user = &r;
            let plan_of = |p: &Record| {
                let id = p.identity().unwrap_or("?");
                format!("assigned plan `{id}` of {}", who(user))
            };
            b.put_date(
                &mut plan,
                ("assigned", p, "assignedDateTime"),
                ("users", &plan_of),
            );
            plan
        });
        // Located from the list, as the reader of user lists shares them.
        r.set(
            "plans",
            Value::shared(items, Some(list.loc())),
            Some(list.loc()),
        );
    }
    b.push("users", r);
}

pub(crate) fn group(b: &mut Builder, at: &At<'_>) {
    if deleted(b, at, "groups") || removed(b, at, "groups") {
        return;
    }
    let mut r = Record::new(&schema::GROUP, Some(at.loc()));
    put(&mut r, "id", at, "id", Conv::Text);
    put(&mut r, "name", at, "displayName", Conv::Text);
    if let Some(types) = at.get("groupTypes") {
        if let Some(types) = b.nested(types, true, "group types", ("groups", Some("types"), None)) {
            put_at(&mut r, "types", &types, Conv::Strings);
        } else {
            b.gap(
                "groups",
                Some("dynamic"),
                None,
                format!("group types in `{}` could not be read", b.rel()),
                &types,
            );
        }
    }
    put(
        &mut r,
        "security_enabled",
        at,
        "securityEnabled",
        Conv::Bool,
    );
    put(&mut r, "mail_enabled", at, "mailEnabled", Conv::Bool);
    put(&mut r, "membership_rule", at, "membershipRule", Conv::Text);
    // Dynamic membership is what `groupTypes` says (`DynamicMembership`): the group resource's
    // `membershipRule` applies only "if the group is a dynamic group (groupTypes contains
    // DynamicMembership)", and a group changed to assigned membership keeps its rule, its
    // processing `Paused` (Microsoft Entra, "Change static group membership to dynamic"). Only
    // without `groupTypes` does a set rule show it. A group exported without either (`$select`
    // without them) does not say, and `dynamic` stays absent so the rules that need it are not
    // evaluated.
    let rule = at
        .get("membershipRule")
        .filter(|m| m.as_str().is_some_and(|s| !s.trim().is_empty()));
    let types = at.get("groupTypes").filter(|t| t.is_array());
    if let Some(types) = types {
        let dynamic = types.strings().unwrap_or_default().iter().any(|x| {
            x.as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("DynamicMembership"))
        });
        r.set("dynamic", Value::Bool(dynamic), Some(types.loc()));
    } else if let Some(rule) = rule {
        // Paused, the rule is what a group changed to assigned membership keeps too: which it
        // is, only `groupTypes` tells.
        let paused = at
            .get("membershipRuleProcessingState")
            .and_then(|p| p.text())
            .is_some_and(|p| p.eq_ignore_ascii_case("Paused"));
        match (paused, r.text("id").map(str::to_string)) {
            (true, Some(id)) => {
                r.set("dynamic", Value::Unknown, Some(rule.loc()));
                b.unknown(
                    "groups",
                    "dynamic",
                    &id,
                    format!(
                        "group {} has a membership rule whose processing is `Paused`, as a \
                         dynamic group paused or a group changed to assigned membership keeps \
                         it, and its `groupTypes` is not exported (list the groups with \
                         `groupTypes` in `$select`)",
                        crate::base::named(r.text("name"), &id)
                    ),
                    &rule,
                );
            }
            _ => {
                r.set("dynamic", Value::Bool(true), Some(rule.loc()));
            }
        }
    }
    r.set(
        "source",
        Value::Str(
            if b.entra_exporter() {
                "entra-exporter"
            } else {
                "graph"
            }
            .into(),
        ),
        None,
    );
    inline_members(b, &mut r, at);
    b.add_group(r);
}

/// How many members Graph's `$expand` gives at most: the expanded list of a directory object
/// stops there, without an `@odata.nextLink` (the Azure AD Graph team's "Enhancing Graph API
/// queries with additional OData supported queries", 2013: "The current limit of returned
/// objects is 20"; Microsoft Graph keeps it for directory objects).
const EXPAND_LIMIT: usize = 20;

/// The members of a group listed inline: `GET /groups?$expand=members`, or `Get-MgGroup
/// -ExpandProperty Members` (its `Members`), kept on the group: a members list of the group
/// exported on its own (`groups/<gid>/members.json`, every page) replaces them when loading
/// ends. A list of [`EXPAND_LIMIT`] or more may be cut there: it then holds some of the group's
/// members (a gap in the value: what it shows is judged, not what it may lack).
fn inline_members(b: &mut Builder, group: &mut Record, at: &At<'_>) {
    if delta_members(b, group, at) {
        return;
    }
    let (Some(list), Some(gid)) = (at.get("members").filter(At::is_array), group.text("id")) else {
        return;
    };
    let gid = ArcStr::from(gid);
    let items = list.items();
    let members = items.iter().map(|item| member_record(b, item)).collect();
    group.set("members", Value::Records(members), Some(list.loc()));
    if items.len() >= EXPAND_LIMIT {
        b.unknown(
            "groups",
            "members",
            &gid,
            format!(
                "the members of group `{gid}` are listed inline (`$expand=members`), which gives \
                 at most {EXPAND_LIMIT}: export them with `GET /groups/{gid}/members` (every \
                 page) to `groups/{gid}/members.json`"
            ),
            &list,
        );
    }
}

/// The members of a group in a delta query's response (`GET /groups/delta` with `members` in
/// `$select`): its `members@delta`, each `{"@odata.type", "id"}`, an entry marked `@removed` a
/// member that left the group ("Get incremental changes for groups"). The first round lists
/// every member, a later one only those added or removed, and a response does not tell which
/// it is: the members listed are kept on the group as some of its members (a gap in the value,
/// as a list `$expand` may cut), and a members list of the group exported on its own replaces
/// them. True when the group has `members@delta`.
fn delta_members(b: &mut Builder, group: &mut Record, at: &At<'_>) -> bool {
    let (Some(list), Some(gid)) = (
        at.get("members@delta").filter(At::is_array),
        group.text("id"),
    ) else {
        return false;
    };
    let gid = ArcStr::from(gid);
    let members = list
        .items()
        .iter()
        .filter(|m| m.get("@removed").is_none_or(|r| r.is_null()))
        .map(|item| member_record(b, item))
        .collect();
    group.set("members", Value::Records(members), Some(list.loc()));
    b.unknown(
        "groups",
        "members",
        &gid,
        format!(
            "the members of group `{gid}` in `{}` are a delta query's `members@delta`, which \
             after its first round lists only the members added or removed: export `GET \
             /groups/{gid}/members` (every page) to `groups/{gid}/members.json`",
            b.rel()
        ),
        &list,
    );
    true
}

/// The Microsoft Entra Agent ID types of directory object, with the kind of group member each
/// inherits from (Microsoft Graph resource types `agentIdentity` and
/// `agentIdentityBlueprintPrincipal`: "Inherits from servicePrincipal"; `agentUser`: "Inherits
/// from user").
const AGENT_TYPES: [(&str, &str); 3] = [
    ("agentIdentity", "servicePrincipal"),
    ("agentIdentityBlueprintPrincipal", "servicePrincipal"),
    ("agentUser", "user"),
];

/// The kind of group member a Graph `@odata.type` is (`#microsoft.graph.user` → `user`; an
/// Agent ID type the kind it inherits from, see [`AGENT_TYPES`]); None when it is no kind of
/// member dexlint knows.
pub(crate) fn member_kind_of(t: &str) -> Option<&'static str> {
    match graph_type(t) {
        Some(
            k @ ("user" | "group" | "device" | "servicePrincipal" | "orgContact" | "application"),
        ) => Some(k),
        Some(_) => None,
        None => {
            let name = t.trim_start_matches('#').strip_prefix("microsoft.graph.")?;
            AGENT_TYPES
                .iter()
                .find(|(agent, _)| agent.eq_ignore_ascii_case(name))
                .map(|(_, kind)| *kind)
        }
    }
}

/// Sets the kind of member `r` from the `@odata.type` of `at`, if it has one. A type that is no
/// kind of member dexlint knows (a type Graph added since) is a warning at it, and the kind is
/// unknown, with a gap that says why: the rules on the kinds of a group's members (DEX003,
/// DEX006) do not judge the group on it.
fn member_kind(b: &mut Builder, r: &mut Record, at: &At<'_>) {
    let Some(t) = at.get("@odata.type") else {
        return;
    };
    let text = t.text().unwrap_or_default();
    if let Some(kind) = member_kind_of(&text) {
        r.set("kind", Value::Str(at.shared(kind)), Some(t.loc()));
        return;
    }
    b.warning(
        &t,
        &format!(
            "unknown `@odata.type` `{text}` for a group member: its kind is unknown, and the \
             rules on the kinds of a group's members do not judge its group"
        ),
    );
    r.set("kind", Value::Unknown, Some(t.loc()));
    if let Some(id) = r.text("id").map(str::to_string) {
        b.unknown(
            "groups",
            "kind",
            &id,
            format!(
                "member `{id}` in `{}` has the `@odata.type` `{text}`, which is no kind of group \
                 member dexlint knows (user, group, device, service principal, contact, \
                 application): whether it is a user or a group is unknown",
                b.rel()
            ),
            &t,
        );
    }
}

/// A member of group `gid`: a Graph `directoryObject` (`@odata.type`, `id`, `displayName`,
/// `userPrincipalName`), or the PowerShell SDK's, whose properties other than `Id` are inside
/// `AdditionalProperties`. One that does not say its kind has `cast`'s, when its list is cast
/// to one kind.
pub(crate) fn member(b: &mut Builder, gid: &ArcStr, cast: Option<&'static str>, at: &At<'_>) {
    let mut r = member_record(b, at);
    if let Some(kind) = cast.filter(|_| r.get("kind").is_none_or(crate::model::Field::is_null)) {
        r.set("kind", Value::Str(at.shared(kind)), None);
    }
    b.add_member(gid, r, at);
}

/// The record of a group member (see [`member`]).
fn member_record(b: &mut Builder, at: &At<'_>) -> Record {
    let mut r = Record::new(&schema::MEMBER, Some(at.loc()));
    let extra = at.get("AdditionalProperties").filter(At::is_object);
    let holder = |key: &str| match (at.get(key), &extra) {
        (None, Some(e)) if e.get(key).is_some() => *e,
        _ => *at,
    };
    put(&mut r, "id", &holder("id"), "id", Conv::Text);
    put(
        &mut r,
        "name",
        &holder("displayName"),
        "displayName",
        Conv::Text,
    );
    put(
        &mut r,
        "upn",
        &holder("userPrincipalName"),
        "userPrincipalName",
        Conv::Text,
    );
    member_kind(b, &mut r, &holder("@odata.type"));
    r
}

pub(crate) fn sku(b: &mut Builder, at: &At<'_>) {
    let mut r = Record::new(&schema::SKU, Some(at.loc()));
    put(&mut r, "id", at, "skuId", Conv::Text);
    put(&mut r, "part_number", at, "skuPartNumber", Conv::Text);
    put(&mut r, "status", at, "capabilityStatus", Conv::Text);
    let units = at.get("prepaidUnits").and_then(|u| {
        b.nested(
            u,
            false,
            "prepaid units",
            ("skus", Some("enabled_units"), None),
        )
    });
    if let Some(u) = units.and_then(|u| u.get("enabled")) {
        put_at(&mut r, "enabled_units", &u, Conv::Int);
    }
    put(&mut r, "consumed_units", at, "consumedUnits", Conv::Int);
    if let Some((list, items)) = objects(
        b,
        at,
        "servicePlans",
        "service plans",
        ("skus", Some("plans"), None),
    ) {
        let items = items.into_iter().map(|p| {
            let p = &p;
            let mut plan = Record::new(&schema::SKU_PLAN, Some(p.loc()));
            put(&mut plan, "id", p, "servicePlanId", Conv::Text);
            put(&mut plan, "name", p, "servicePlanName", Conv::Text);
            put(&mut plan, "status", p, "provisioningStatus", Conv::Text);
            put(&mut plan, "applies_to", p, "appliesTo", Conv::Text);
            plan
        });
        r.set("plans", Value::Records(items.collect()), Some(list.loc()));
    }
    b.push("skus", r);
}

/// `oldValue`/`newValue` hold JSON text: a JSON string (`"\"Old name\""`) or, as Graph
/// returns attribute values, a one-element JSON array of strings (`"[\"Old name\"]"`): decode
/// those; keep the raw text otherwise (`[]`, several values, objects).
fn decoded(at: &At<'_>) -> Option<String> {
    let raw = at.text()?;
    Some(match serde_json::from_str::<serde_json::Value>(&raw) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Array(mut a)) if a.len() == 1 => match a.pop() {
            Some(serde_json::Value::String(s)) => s,
            _ => raw,
        },
        _ => raw,
    })
}

/// A Defender for Identity sensor (beta `microsoft.graph.security.sensor`).
pub(crate) fn sensor(b: &mut Builder, at: &At<'_>) {
    use super::mde::enumeration_of;
    let mut r = Record::new(&schema::IDENTITY_SENSOR, Some(at.loc()));
    put(&mut r, "id", at, "id", Conv::Text);
    put(&mut r, "name", at, "displayName", Conv::Text);
    put(&mut r, "domain", at, "domainName", Conv::Text);
    put(&mut r, "version", at, "version", Conv::Text);
    put(
        &mut r,
        "open_issues",
        at,
        "openHealthIssuesCount",
        Conv::Int,
    );
    for (field, key) in [
        ("sensor_type", "sensorType"),
        ("deployment", "deploymentStatus"),
        ("health", "healthStatus"),
        ("service", "serviceStatus"),
    ] {
        enumeration_of(b, &mut r, field, at, key, "sensor");
    }
    b.push("identity_sensors", r);
}

pub(crate) fn audit(b: &mut Builder, at: &At<'_>) {
    let mut r = Record::new(&schema::AUDIT_EVENT, Some(at.loc()));
    put(&mut r, "id", at, "id", Conv::Text);
    put(&mut r, "activity", at, "activityDisplayName", Conv::Text);
    put(&mut r, "result", at, "result", Conv::Text);
    let who = |a: &Record| format!("audit record `{}`", a.identity().unwrap_or("?"));
    b.put_date(
        &mut r,
        ("time", at, "activityDateTime"),
        ("audit_events", &who),
    );
    let gap = ("audit_events", Some("targets"), None);
    if let Some((list, targets)) = objects(b, at, "targetResources", "target resources", gap) {
        let targets: Vec<_> = targets
            .into_iter()
            .map(|t| {
                let changes = objects(b, &t, "modifiedProperties", "modified properties", gap);
                (t, changes)
            })
            .collect();
        let targets = targets.into_iter().map(|(t, changes)| {
            let t = &t;
            let mut target = Record::new(&schema::TARGET, Some(t.loc()));
            put(&mut target, "id", t, "id", Conv::Text);
            put(&mut target, "name", t, "displayName", Conv::Text);
            put(&mut target, "type", t, "type", Conv::Text);
            if let Some((mods, changes)) = changes {
                let changes = changes.into_iter().map(|m| {
                    let m = &m;
                    let mut c = Record::new(&schema::CHANGE, Some(m.loc()));
                    put(&mut c, "name", m, "displayName", Conv::Text);
                    for (field, key) in [("old", "oldValue"), ("new", "newValue")] {
                        if let Some(v) = m.get(key) {
                            if let Some(text) = decoded(&v) {
                                c.set(field, Value::Str(text.into()), Some(v.loc()));
                            }
                        }
                    }
                    c
                });
                target.set(
                    "changes",
                    Value::Records(changes.collect()),
                    Some(mods.loc()),
                );
            }
            target
        });
        r.set(
            "targets",
            Value::Records(targets.collect()),
            Some(list.loc()),
        );
    }
    b.push("audit_events", r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_of_member_contexts() {
        assert_eq!(
            context_group_id("https://graph.microsoft.com/v1.0/$metadata#groups('abc')/members")
                .as_deref(),
            Some("abc")
        );
    }

    #[test]
    fn paths() {
        assert_eq!(
            members_path("graph/groups/g1/members.json").as_deref(),
            Some("g1")
        );
        assert_eq!(members_path("graph/groups/g1/members-2.json"), None);
        assert_eq!(
            group_folder("graph/groups/g1/members-2.json").as_deref(),
            Some("g1")
        );
    }
}
