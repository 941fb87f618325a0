//! Each Defender product's deployment state, derived from what the export shows once every file
//! has been read: the `products` collection.
//!
//! For each product of [`PRODUCTS`] the model gets one record with its licence (from subscribed
//! SKUs and users' assigned plans), the mode the export's data shows (`observed`), the mode the
//! deployment declaration gives (`declared`), and the mode policies judge (`mode`: the
//! declaration where it says so, else the observed mode). A mode nothing decides is the
//! unknown value ([`crate::model::Value::Unknown`]) with a [`crate::model::Gap`] naming the
//! export that would show it: the rules that need it are not evaluated.

pub mod identity;
pub mod office;

use crate::base::named;
use crate::export::formats::mde;
use crate::model::schema;
use crate::model::{Field, Gap, Loc, Record, TenantModel, Value, ValueRef};
use rayon::prelude::*;

/// A product's deployment mode as a source shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Deployed, and acting on what it detects (blocking, remediating).
    Active,
    /// Deployed but only detecting or reporting (Defender Antivirus in passive mode, an
    /// evaluation that protects nothing).
    Passive,
    /// Not deployed, or not licensed.
    NotDeployed,
}

impl Mode {
    /// The value policies compare with: `active`, `passive`, `not_deployed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Active => "active",
            Mode::Passive => "passive",
            Mode::NotDeployed => "not_deployed",
        }
    }
}

/// What one source of the export says about a product's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The data shows the mode. `why` is a sentence for reports ("3 onboarded devices; none runs
    /// Defender Antivirus in active or EDR block mode"); `loc` is the value it rests on.
    Shown {
        /// The mode shown.
        mode: Mode,
        /// Why, in words (lowercase start, no final period).
        why: String,
        /// The value (or list) the mode rests on.
        loc: Option<Loc>,
    },
    /// The export holds the product's data but cannot decide (a list known to be incomplete,
    /// a field no record carries): why, in words naming what would decide it.
    Undecided {
        /// Why, in words (lowercase start, no final period).
        why: String,
        /// Where the export shows it.
        loc: Option<Loc>,
    },
}

/// A product whose state dexlint derives.
#[derive(Debug)]
pub struct Product {
    /// The deployment declaration's key and the record's `name` (`mde`).
    pub key: &'static str,
    /// Its name in reports (`Defender for Endpoint`).
    pub title: &'static str,
    /// The service plans (`servicePlanName`) that license it.
    pub plans: &'static [&'static str],
    /// Service plans of a lesser edition of it, which run it but do not license it as an
    /// eligible product (Defender for Endpoint Plan 1 and Defender for Business, Defender for
    /// Office 365 Plan 1): named when the product is unlicensed.
    pub lesser: &'static [&'static str],
    /// The exports that show its deployment mode (for "not evaluated" reasons); None when no
    /// export dexlint reads shows it.
    pub shown_by: Option<&'static str>,
}

/// Every product with a derived state, in the order of the `products` collection. Service plan
/// names: Microsoft Entra "Product names and service plan identifiers for licensing"
/// (learn.microsoft.com/entra/identity/users/licensing-service-plan-reference).
pub static PRODUCTS: &[Product] = &[
    Product {
        key: "mde",
        title: "Defender for Endpoint",
        plans: &["WINDEFATP"],
        lesser: &["MDE_SMB", "MDE_LITE"],
        shown_by: Some(
            "the Defender for Endpoint machine list (`/api/machines`) with each device's \
             antivirus mode (`/api/deviceavinfo`, or `Get-MpComputerStatus` on the device)",
        ),
    },
    Product {
        key: "mdo",
        title: "Defender for Office 365 P2",
        plans: &["THREAT_INTELLIGENCE"],
        lesser: &["ATP_ENTERPRISE"],
        shown_by: Some(
            "the Exchange Online PowerShell lists of the Safe Links and Safe Attachments \
             policies and rules, the preset, built-in and evaluation rules \
             (`Get-SafeLinksPolicy`, `Get-SafeLinksRule`, `Get-SafeAttachmentPolicy`, \
             `Get-SafeAttachmentRule`, `Get-ATPProtectionPolicyRule`, \
             `Get-ATPBuiltInProtectionRule`, `Get-ATPEvaluationRule`, `Get-AtpPolicyForO365`)",
        ),
    },
    Product {
        key: "mdi",
        title: "Defender for Identity",
        plans: &["ATA"],
        lesser: &[],
        shown_by: Some(
            "the Microsoft Graph beta sensors list \
             (`GET https://graph.microsoft.com/beta/security/identities/sensors`; the v1.0 \
             list has no `serviceStatus`)",
        ),
    },
    Product {
        key: "mdca",
        title: "Defender for Cloud Apps",
        plans: &["ADALLOM_S_STANDALONE"],
        lesser: &["ADALLOM_S_O365", "ADALLOM_S_DISCOVERY"],
        shown_by: None,
    },
    Product {
        key: "entra_p2",
        title: "Microsoft Entra ID P2",
        plans: &["AAD_PREMIUM_P2"],
        lesser: &[],
        shown_by: Some("the subscribed SKUs (`/subscribedSkus`) and users' assigned plans"),
    },
];

/// Replaces the declaration's `products` records by one record per product of [`PRODUCTS`]
/// (and any other declared product), each with its licence, observed and declared mode. Adds
/// a gap for every product whose mode is unknown. Leaves the collection absent when the
/// export shows nothing of any product and declares none.
pub fn derive(model: &mut TenantModel) {
    let declared: Vec<Record> = model
        .collection_mut("products")
        .map(|c| std::mem::take(&mut c.records))
        .unwrap_or_default();
    let licences = Licences::read(model);
    let mut out: Vec<Record> = Vec::new();
    let mut gaps: Vec<Gap> = Vec::new();
    let mut shown_any = licences.present;
    for p in PRODUCTS {
        let licensed = licences.licensed(p);
        let evidence = match p.key {
            "mde" => endpoint(model),
            "mdo" => office::evidence(model),
            "mdi" => identity::evidence(model),
            "entra_p2" => licences.entra_p2(p),
            _ => None,
        };
        shown_any |= evidence.is_some();
        let declaration = declared.iter().find(|r| r.text("name") == Some(p.key));
        let mut r = Record::new(&schema::PRODUCT, declaration.and_then(|d| d.loc()));
        r.set("name", Value::Str(p.key.into()), None);
        r.set("title", Value::Str(p.title.into()), None);
        // An unlicensed product's data shows what runs (a lesser edition: Defender for
        // Business, Plan 1), its observed mode; without such data it is not deployed. Either
        // way it is not deployed as an eligible product (below).
        let unlicensed = matches!(licensed, Some((false, ..)));
        let observed = match (unlicensed, evidence) {
            (true, Some(e @ Evidence::Shown { .. })) => Some(e),
            (true, _) => Some(Evidence::Shown {
                mode: Mode::NotDeployed,
                why: format!("not licensed: {}", licences.unlicensed(p).0),
                loc: licences.origin,
            }),
            (false, e) => e,
        };
        if let Some((l, loc, _)) = &licensed {
            r.set("licensed", Value::Bool(*l), *loc);
        }
        let unknown = match &observed {
            Some(Evidence::Shown { mode, why, loc }) => {
                r.set("observed", Value::Str(mode.as_str().into()), *loc);
                r.set("mode", Value::Str(mode.as_str().into()), *loc);
                r.set("evidence", Value::Str(why.as_str().into()), *loc);
                r.set("observed_evidence", Value::Str(why.as_str().into()), *loc);
                if unlicensed && *mode != Mode::NotDeployed {
                    let (licence, at) = licences.unlicensed(p);
                    let at = at.or(licences.origin);
                    r.set("mode", Value::Str(Mode::NotDeployed.as_str().into()), at);
                    r.set(
                        "evidence",
                        Value::Str(
                            format!(
                                "{why}, but it is not licensed as an eligible product: {licence}"
                            )
                            .into(),
                        ),
                        at,
                    );
                }
                None
            }
            Some(Evidence::Undecided { why, loc }) => {
                // The export holds the product's data: a declaration cannot be checked against
                // it (DEX206 lists the product as not evaluated rather than passing it).
                r.set("observed", Value::Unknown, *loc);
                gaps.push(Gap {
                    field: Some("observed"),
                    entity: Some(p.key.to_string()),
                    reason: format!(
                        "a declared mode of {} cannot be checked against the export: {why}",
                        p.title
                    ),
                    loc: *loc,
                    in_value: true,
                    unlisted: false,
                });
                Some((why.clone(), *loc))
            }
            None => {
                let why = match &licensed {
                    Some((true, _, how)) => format!(
                        "{} is licensed ({how}) but the export does not show its deployment mode",
                        p.title
                    ),
                    _ => match licences.unknown(p) {
                        Some(why) => format!(
                            "whether {} is licensed is unknown ({why}) and the export does not \
                             show its deployment mode",
                            p.title
                        ),
                        None => format!(
                            "the export shows neither the licence nor the deployment mode of {}",
                            p.title
                        ),
                    },
                };
                Some((why, licensed.as_ref().and_then(|(_, l, _)| *l)))
            }
        };
        r.set("source", Value::Str("export".into()), None);
        // A declared mode the declaration's reader rejected (null, `enabled`) declares nothing:
        // its error is reported, and the product is as the export shows it.
        let declared_mode = declaration
            .and_then(|d| d.get("mode"))
            .filter(|m| m.as_str().is_some());
        if let Some(d) = declared_mode {
            r.set("declared", d.value().to_value(), d.loc());
            r.set("mode", d.value().to_value(), d.loc());
            r.set("source", Value::Str("declaration".into()), None);
            let file = d
                .loc()
                .and_then(|l| model.files.get(l.file() as usize))
                .map_or("the deployment declaration", |f| f.path.as_str());
            r.set(
                "evidence",
                Value::Str(format!("declared in `{file}`").into()),
                d.loc(),
            );
            // An unlicensed product cannot be active (or passive), whatever is declared; DEX206
            // reports the declaration. The row points at the declaration it overrides (an
            // unlicensed product's licence has no value to point at).
            if unlicensed && d.as_str() != Some(Mode::NotDeployed.as_str()) {
                r.set(
                    "mode",
                    Value::Str(Mode::NotDeployed.as_str().into()),
                    d.loc(),
                );
                r.set("source", Value::Str("export".into()), None);
                r.set(
                    "evidence",
                    Value::Str(
                        format!(
                            "declared in `{file}`, but not licensed: {}",
                            licences.unlicensed(p).0
                        )
                        .into(),
                    ),
                    d.loc(),
                );
            }
        }
        // Declarations that disagree leave the mode unknown (their gap says why), as they
        // would leave a declared mode the export shows otherwise.
        let conflicting = declaration
            .and_then(|d| d.get("mode"))
            .filter(|m| matches!(m.value(), ValueRef::Unknown));
        if let Some(d) = conflicting {
            r.set("declared", Value::Unknown, d.loc());
            if !matches!(licensed, Some((false, ..))) {
                r.set("mode", Value::Unknown, d.loc());
                r.set("source", Value::Str("declaration".into()), None);
                r.set(
                    "evidence",
                    Value::Str("the deployment declarations give different modes".into()),
                    d.loc(),
                );
            }
        }
        if let Some((why, loc)) = unknown {
            if declared_mode.is_none() && conflicting.is_none() {
                r.set("evidence", Value::Str(why.as_str().into()), loc);
                r.set("mode", Value::Unknown, loc);
                gaps.push(Gap {
                    field: Some("mode"),
                    entity: Some(p.key.to_string()),
                    reason: match p.shown_by {
                        Some(exports) => format!(
                            "{why}: export {exports}, or declare `products.{}` in a deployment \
                             declaration",
                            p.key
                        ),
                        None => format!(
                            "{why}: no export shows it; declare `products.{}` in a deployment \
                             declaration",
                            p.key
                        ),
                    },
                    loc,
                    in_value: true,
                    unlisted: false,
                });
            }
        }
        out.push(r);
    }
    // Declared products dexlint does not derive (Defender for IoT) keep their declaration.
    for d in declared {
        let Some(name) = d.text("name") else {
            continue;
        };
        if PRODUCTS.iter().any(|p| p.key == name) {
            continue;
        }
        let mut r = Record::new(&schema::PRODUCT, d.loc());
        r.set("name", Value::Str(name.into()), None);
        let title = match name {
            "mdiot" => "Defender for IoT",
            other => other,
        };
        r.set("title", Value::Str(title.into()), None);
        match d.get("mode").filter(|m| !m.is_null()) {
            Some(m) => {
                r.set("declared", m.value().to_value(), m.loc());
                r.set("mode", m.value().to_value(), m.loc());
                r.set(
                    "evidence",
                    Value::Str("declared; no export shows it".into()),
                    m.loc(),
                );
            }
            // A mode the declaration's reader rejected (its error says why) declares nothing,
            // and no export shows this product: its mode is unknown.
            None => {
                r.set("mode", Value::Unknown, d.loc());
                let why = format!(
                    "the deployment declaration's `products.{name}` is not a valid mode \
                     (`active`, `passive` or `not_deployed`), and no export shows {title}"
                );
                r.set("evidence", Value::Str(why.as_str().into()), d.loc());
                gaps.push(Gap {
                    field: Some("mode"),
                    entity: Some(name.to_string()),
                    reason: why,
                    loc: d.loc(),
                    in_value: true,
                    unlisted: false,
                });
            }
        }
        r.set("source", Value::Str("declaration".into()), None);
        out.push(r);
    }
    let Some(c) = model.collection_mut("products") else {
        return;
    };
    if !c.present && !shown_any {
        return;
    }
    if c.origin.is_none() {
        c.origin = out.iter().find_map(|r| r.get("mode").and_then(|f| f.loc()));
    }
    for r in out {
        c.push(r);
    }
    c.gaps.extend(gaps);
}

/// `` `WINDEFATP` `` or `` `ATA` or `X` ``.
fn plans_text(p: &Product) -> String {
    let names: Vec<String> = p.plans.iter().map(|n| format!("`{n}`")).collect();
    names.join(" or ")
}

/// The positions of three fields by name in the schema of the records last asked about.
#[derive(Default)]
struct Fields {
    schema: Option<&'static schema::RecordSchema>,
    at: [Option<usize>; 3],
}

impl Fields {
    /// The positions of `names` in `r`'s schema (None: no such field; "" names none).
    fn of(&mut self, r: &Record, names: [&str; 3]) -> [Option<usize>; 3] {
        if !self.schema.is_some_and(|s| std::ptr::eq(s, r.schema())) {
            self.schema = Some(r.schema());
            self.at = names.map(|n| r.schema().field_index(n).filter(|_| !n.is_empty()));
        }
        self.at
    }
}

/// How many users [`Licences::read`] reads in order before it reads the others in parallel.
const FIRST_USERS: usize = 1 << 12;

/// One user's enabled assignment of a plan: the user's number, the plan's position in its
/// `plans` and where the plan's id is (else the plan).
type Assignment = (usize, usize, Option<Loc>);

/// Whether a user's assignments count: an enabled member account does (`accountEnabled`
/// true, `userType` not `Guest`, as DEX102 counts "enabled member users"); a disabled account
/// or a guest does not, and one whose `accountEnabled` (or `userType`) the export gives as
/// unknown may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holder {
    Counts,
    Unsure,
    No,
}

/// The first enabled assignments of plans among users, by position in the names asked about:
/// those of enabled member accounts (`counted`), and those of accounts that may be one
/// (`unsure`: `accountEnabled` unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Assignments {
    counted: Vec<Option<Assignment>>,
    unsure: Vec<Option<Assignment>>,
}

/// The first enabled assignment of each of `names` among `users` (the first of which is user
/// number `base`), held by an enabled member account, and by one that may be (see [`Holder`]).
fn first_assignments(users: &[Record], base: usize, names: &[&str]) -> Assignments {
    let mut found = Assignments {
        counted: vec![None; names.len()],
        unsure: vec![None; names.len()],
    };
    let mut missing = names.len();
    // The fields read, by position in the schema of the records read last (a user's and a
    // plan's schema are each one for the whole list).
    let mut user_fields = Fields::default();
    let mut plan_fields = Fields::default();
    for (ui, u) in users.iter().enumerate() {
        if missing == 0 {
            break;
        }
        let [plans_at, enabled_at, type_at] = user_fields.of(u, ["plans", "enabled", "user_type"]);
        let value = |at: Option<usize>| at.and_then(|i| u.field(i)).map(Field::value);
        let holder = match (value(enabled_at), value(type_at)) {
            (Some(ValueRef::Bool(false)), _) => Holder::No,
            (_, Some(ValueRef::Str(t))) if t.as_str() == "Guest" => Holder::No,
            (Some(ValueRef::Bool(true)), Some(ValueRef::Unknown)) => Holder::Unsure,
            (Some(ValueRef::Bool(true)), _) => Holder::Counts,
            (Some(ValueRef::Unknown), _) => Holder::Unsure,
            // An absent `accountEnabled` is null: the account is not known to be enabled.
            _ => Holder::No,
        };
        if holder == Holder::No {
            continue;
        }
        let Some(ValueRef::Records(plans)) = value(plans_at) else {
            continue;
        };
        for (pi, pl) in plans.iter().enumerate() {
            let [name_at, status_at, id_at] = plan_fields.of(pl, ["name", "status", "id"]);
            let text = |at: Option<usize>| at.and_then(|i| pl.field(i))?.as_str();
            let Some(name) = text(name_at) else {
                continue;
            };
            let Some(i) = names.iter().position(|n| *n == name) else {
                continue;
            };
            let slots = match holder {
                Holder::Counts => &mut found.counted,
                _ => &mut found.unsure,
            };
            let Some(slot) = slots.get_mut(i) else {
                continue;
            };
            if slot.is_none() && text(status_at) == Some("Enabled") {
                let loc = id_at
                    .and_then(|i| pl.field(i))
                    .and_then(|f| f.loc_in(plans.base()))
                    .or(pl.loc_in(plans.base()));
                *slot = Some((base + ui, pi, loc));
                if holder == Holder::Counts {
                    missing -= 1;
                }
            }
        }
    }
    found
}

/// For each plan name, the assignments found in `a` (users before `b`'s), else in `b`.
fn earlier(a: Assignments, b: Assignments) -> Assignments {
    let first = |a: Vec<Option<Assignment>>, b: Vec<Option<Assignment>>| {
        a.into_iter().zip(b).map(|(a, b)| a.or(b)).collect()
    };
    Assignments {
        counted: first(a.counted, b.counted),
        unsure: first(a.unsure, b.unsure),
    }
}

/// The plan names of every product of [`PRODUCTS`] (and of their lesser editions), each
/// once, in order.
fn plan_names() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let names = PRODUCTS.iter().flat_map(|p| p.plans.iter().copied());
    let lesser = PRODUCTS.iter().flat_map(|p| p.lesser.iter().copied());
    for name in names.chain(lesser) {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// What the export's licence data (subscribed SKUs, users' assigned plans, Defender for
/// Servers pricings) says.
struct Licences<'m> {
    /// Whether the export holds licence data that can be read whole.
    present: bool,
    /// The subscribed SKUs' list (for a product found on none of them).
    origin: Option<Loc>,
    /// Why the subscribed SKUs that are in the export cannot be read whole.
    incomplete: Option<String>,
    model: &'m TenantModel,
    /// Each plan name of [`PRODUCTS`] (in [`plan_names`] order), with its first enabled
    /// assignment to an enabled member user (and to a user who may be one), as (user index,
    /// plan index, location): a product's first user is found without scanning every user
    /// once per product.
    user_plans: Assignments,
}

impl<'m> Licences<'m> {
    fn read(model: &'m TenantModel) -> Self {
        let skus = model.collection("skus").filter(|c| c.present);
        let incomplete = skus.and(model.missing(&[("skus", Some("plans"))]));
        let names = plan_names();
        let users = model
            .collection("users")
            .map_or(&[][..], |c| &c.records[..]);
        // The first users in order (every plan name is often assigned among them), then the
        // others in parallel, by chunks, if a name is still missing.
        let head = users.len().min(FIRST_USERS);
        let (first, rest) = users.split_at(head);
        let mut user_plans = first_assignments(first, 0, &names);
        if user_plans.counted.iter().any(Option::is_none) {
            let none = || Assignments {
                counted: vec![None; names.len()],
                unsure: vec![None; names.len()],
            };
            let later = rest
                .par_chunks(FIRST_USERS)
                .enumerate()
                .map(|(k, chunk)| first_assignments(chunk, head + k * FIRST_USERS, &names))
                .reduce(none, earlier);
            user_plans = earlier(user_plans, later);
        }
        Licences {
            present: skus.is_some() && incomplete.is_none(),
            origin: skus.and_then(|c| c.origin),
            incomplete,
            model,
            user_plans,
        }
    }

    /// Whether `product` is licensed, with the plan (or pricing) that licenses it in words and
    /// its location; None without licence data.
    fn licensed(&self, product: &Product) -> Option<(bool, Option<Loc>, String)> {
        if let Some((sku, loc, _)) = self.sku_plan(product) {
            let plan = product.plans.join("`/`");
            let part = sku.text("part_number").unwrap_or("?");
            return Some((true, loc, format!("`{plan}` in `{part}`")));
        }
        if let Some(loc) = self.user_plan(product) {
            let plan = product.plans.join("`/`");
            return Some((
                true,
                loc,
                format!("`{plan}` assigned to an enabled member user"),
            ));
        }
        // Defender for Servers includes Defender for Endpoint for the servers it covers.
        if product.key == "mde" {
            match self.servers() {
                Servers::On(a, field) => {
                    let id = a.text("id").unwrap_or("?");
                    return Some((
                        true,
                        a.get(field).and_then(|f| f.loc()),
                        format!("Defender for Servers on `{id}`"),
                    ));
                }
                // Whether it is licensed is unknown: the devices' data decides the mode.
                Servers::Unknown(_) => return None,
                Servers::Off => {}
            }
        }
        // Held by a user whose account may be enabled: whether it is licensed is unknown.
        if self.unsure_user_plan(product).is_some() {
            return None;
        }
        self.present.then(|| (false, None, String::new()))
    }

    /// Whether a cloud account has Defender for Servers: an Azure subscription whose
    /// `VirtualMachines` pricing is `Standard`, or an AWS or GCP connector with a Defender for
    /// Servers offering (`servers_plan`). Unknown when no account has it and one's tier is
    /// unknown (conflicting copies, a subscription known without its pricing) or the accounts
    /// are only those a template or plan manages ([`crate::model::Collection::partial`]):
    /// counting such an account as without it made Defender for Endpoint unlicensed, and
    /// DEX201 fired on a tenant licensed through Defender for Servers alone.
    fn servers(&self) -> Servers<'m> {
        let Some(accounts) = self.model.collection("cloud_accounts") else {
            return Servers::Off;
        };
        let mut unknown = accounts.partial.clone();
        for a in &accounts.records {
            let tier = a.get("servers_tier").map(Field::value);
            if let Some(ValueRef::Str(t)) = tier {
                if t.as_str() == "Standard" {
                    return Servers::On(a, "servers_tier");
                }
                continue;
            }
            let azure = a.text("environment") == Some("Azure");
            let plan = a.get("servers_plan").map(Field::value);
            if !azure && matches!(plan, Some(ValueRef::Str(_))) {
                return Servers::On(a, "servers_plan");
            }
            let unknown_value = |v: Option<ValueRef>| matches!(v, Some(ValueRef::Unknown));
            if unknown.is_none() && (azure || unknown_value(tier) || unknown_value(plan)) {
                let id = a.text("id").unwrap_or("?");
                unknown = Some(format!(
                    "the Defender for Servers tier of `{id}` is unknown"
                ));
            }
        }
        match unknown {
            Some(why) => Servers::Unknown(why),
            None => Servers::Off,
        }
    }

    /// Why whether `product` is licensed cannot be told: the subscribed SKUs cannot be read
    /// whole, or (Defender for Endpoint) a cloud account may have Defender for Servers.
    fn unknown(&self, product: &Product) -> Option<String> {
        if let Some(why) = &self.incomplete {
            return Some(why.clone());
        }
        if let Some(why) = self.unsure_user_plan(product) {
            return Some(why);
        }
        match (product.key, self.servers()) {
            ("mde", Servers::Unknown(why)) => Some(why),
            _ => None,
        }
    }

    /// Why `product` is not licensed ("no enabled subscription or user carries ..."), naming
    /// a plan of a lesser edition the tenant holds, and where that plan is.
    fn unlicensed(&self, product: &Product) -> (String, Option<Loc>) {
        let eligible = plans_text(product);
        let held = self
            .sku_plan_of(product.lesser)
            .map(|(sku, loc, _, plan)| {
                let part = sku.text("part_number").unwrap_or("?");
                (format!("`{plan}` in `{part}`"), loc)
            })
            .or_else(|| {
                self.user_plan_of(product.lesser)
                    .map(|(name, loc)| (format!("`{name}` assigned to a user"), loc))
            });
        match held {
            Some((held, loc)) => (
                format!(
                    "the tenant holds {held}, a lesser edition, and no enabled subscription or \
                     user carries {eligible}"
                ),
                loc,
            ),
            None => (
                format!("no enabled subscription or user carries {eligible}"),
                None,
            ),
        }
    }

    /// The SKU record, the location of its plan, and its consumed units, of the first enabled
    /// subscription that carries one of the product's plans provisioned.
    fn sku_plan(&self, product: &Product) -> Option<(&'m Record, Option<Loc>, i64)> {
        self.sku_plan_of(product.plans)
            .map(|(sku, loc, consumed, _)| (sku, loc, consumed))
    }

    /// [`Licences::sku_plan`] for any of the plans `names`, with the name of the plan found.
    fn sku_plan_of(&self, names: &[&str]) -> Option<(&'m Record, Option<Loc>, i64, &'m str)> {
        let skus = self.model.collection("skus")?;
        skus.records.iter().find_map(|s| {
            // A subscription in its grace period (`Warning`) counts its units as `warning`,
            // not `enabled` (Graph `licenseUnitsDetail`).
            let licensed = match s.text("status") {
                Some("Enabled") => int(s, "enabled_units").unwrap_or(1) > 0,
                Some("Warning") => true,
                _ => false,
            };
            if !licensed {
                return None;
            }
            let Some(ValueRef::Records(plans)) = s.get("plans").map(|f| f.value()) else {
                return None;
            };
            let (plan, name) = plans.iter().find_map(|pl| {
                let name = pl.text("name").filter(|n| names.contains(n))?;
                (pl.text("status") == Some("Success")).then_some((pl, name))
            })?;
            Some((
                s,
                plan.get("name")
                    .and_then(|f| f.loc_in(plans.base()))
                    .or(plan.loc_in(plans.base())),
                int(s, "consumed_units").unwrap_or(0),
                name,
            ))
        })
    }

    /// The location of an enabled member user's enabled assigned plan of the product, which
    /// no subscribed SKU of the export carries.
    fn user_plan(&self, product: &Product) -> Option<Option<Loc>> {
        self.user_plan_of(product.plans).map(|(_, loc)| loc)
    }

    /// The name and location of the first enabled member user's enabled assigned plan among
    /// `names`, of the plans no subscribed SKU of the export carries: where one does, the
    /// SKU's status and the plan's provisioning status decide (a user's plan is `Enabled`
    /// while the tenant's plan is still `PendingActivation`).
    fn user_plan_of(&self, names: &[&'static str]) -> Option<(&'static str, Option<Loc>)> {
        self.first_of(&self.user_plans.counted, names)
            .map(|(name, (_, _, loc))| (name, loc))
    }

    /// Why whether `product` is licensed through a user is unknown: no SKU of the export
    /// carries its plan and no enabled member user holds it, but a user whose
    /// `accountEnabled` is unknown does.
    fn unsure_user_plan(&self, product: &Product) -> Option<String> {
        if self.user_plan(product).is_some() {
            return None;
        }
        let (name, (user, ..)) = self.first_of(&self.user_plans.unsure, product.plans)?;
        Some(format!(
            "`{name}` is assigned to `{}`, whose `accountEnabled` is unknown",
            self.upn(user)
        ))
    }

    /// The first of `found`'s assignments of the plans `names` that no subscribed SKU of the
    /// export carries, with its plan's name.
    fn first_of(
        &self,
        found: &[Option<Assignment>],
        names: &[&'static str],
    ) -> Option<(&'static str, Assignment)> {
        let all = plan_names();
        names
            .iter()
            .filter(|p| !self.carried(p))
            .filter_map(|p| {
                let i = all.iter().position(|n| n == p)?;
                Some((*p, (*found.get(i)?)?))
            })
            .min_by_key(|(_, (user, plan, _))| (*user, *plan))
    }

    /// Whether a subscribed SKU of the export carries the plan `name`, whatever its status.
    fn carried(&self, name: &str) -> bool {
        self.model.collection("skus").is_some_and(|c| {
            c.records
                .iter()
                .any(|s| match s.get("plans").map(Field::value) {
                    Some(ValueRef::Records(plans)) => {
                        plans.iter().any(|p| p.text("name") == Some(name))
                    }
                    _ => false,
                })
        })
    }

    /// The first enabled assignment of the plan `name` to an enabled member user (`unsure`:
    /// to a user whose `accountEnabled` is unknown), whatever the SKUs carry.
    fn assigned(&self, name: &str, unsure: bool) -> Option<Assignment> {
        let i = plan_names().iter().position(|n| *n == name)?;
        let found = if unsure {
            &self.user_plans.unsure
        } else {
            &self.user_plans.counted
        };
        *found.get(i)?
    }

    /// The user principal name of user number `i`.
    fn upn(&self, i: usize) -> &'m str {
        self.model
            .collection("users")
            .and_then(|c| c.records.get(i))
            .and_then(|u| u.text("upn"))
            .unwrap_or("?")
    }

    /// Whether the users' list is whole, with their accounts' status and assigned plans: then
    /// it tells whether an enabled member user holds a plan.
    fn users_read(&self) -> bool {
        self.model
            .missing(&[("users", Some("plans")), ("users", Some("enabled"))])
            .is_none()
            && self
                .model
                .collection("users")
                .is_some_and(|c| c.records_unlisted().is_none())
    }

    /// Microsoft Entra ID P2 has no passive mode: it is active when licensed and assigned to
    /// an enabled member user. A disabled account or a guest holding it protects no member's
    /// sign-ins; the SKU's `consumedUnits` counts them too, so the users' list decides where
    /// the export has it.
    fn entra_p2(&self, product: &Product) -> Option<Evidence> {
        const P2: &str = "AAD_PREMIUM_P2";
        let held = |unsure: bool| {
            self.assigned(P2, unsure)
                .map(|(user, _, loc)| (self.upn(user), loc))
        };
        let Some((sku, loc, consumed)) = self.sku_plan(product) else {
            if self.carried(P2) {
                return None;
            }
            if let Some((upn, loc)) = held(false) {
                return Some(Evidence::Shown {
                    mode: Mode::Active,
                    why: format!("an enabled member user (`{upn}`) has the `{P2}` plan enabled"),
                    loc,
                });
            }
            let (upn, loc) = held(true)?;
            return Some(Evidence::Undecided {
                why: format!("`{P2}` is assigned to `{upn}`, whose `accountEnabled` is unknown"),
                loc,
            });
        };
        let part = sku.text("part_number").unwrap_or("?");
        if let Some((upn, at)) = held(false) {
            return Some(Evidence::Shown {
                mode: Mode::Active,
                why: format!(
                    "`{part}` carries `{P2}`; an enabled member user (`{upn}`) has it enabled"
                ),
                loc: at.or(loc),
            });
        }
        if consumed > 0 && self.users_read() {
            if let Some((upn, at)) = held(true) {
                return Some(Evidence::Undecided {
                    why: format!(
                        "`{part}` carries `{P2}`, assigned to `{upn}`, whose `accountEnabled` is \
                         unknown, and to no user known to be an enabled member"
                    ),
                    loc: at.or(loc),
                });
            }
            return Some(Evidence::Shown {
                mode: Mode::NotDeployed,
                why: format!(
                    "`{part}` carries `{P2}`; {consumed} of its licences are assigned, none to an \
                     enabled member user (only to disabled accounts or guests)"
                ),
                loc,
            });
        }
        Some(Evidence::Shown {
            mode: if consumed > 0 {
                Mode::Active
            } else {
                Mode::NotDeployed
            },
            why: format!(
                "`{part}` carries `AAD_PREMIUM_P2`; {consumed} of its licences are assigned"
            ),
            loc,
        })
    }
}

/// What [`Licences::servers`] finds.
enum Servers<'m> {
    /// An account with Defender for Servers, and the field that shows it.
    On(&'m Record, &'static str),
    /// No account shows it and one may have it: why, in words.
    Unknown(String),
    /// No account has it (or there are none).
    Off,
}

fn int(r: &Record, field: &str) -> Option<i64> {
    match r.get(field).map(|f| f.value()) {
        Some(ValueRef::Int(i)) => Some(i),
        _ => None,
    }
}

/// Field `i` of a record (by its position in the schema: see [`Record::field`]) as text.
fn text_at(r: &Record, i: Option<usize>) -> Option<&str> {
    i.and_then(|i| r.field(i)).and_then(Field::as_str)
}

/// Defender for Endpoint from the devices: active when an onboarded device runs Defender
/// Antivirus in active mode or EDR in block mode, passive when devices are onboarded and none
/// does, not deployed when none is onboarded. A device known only from deviceavinfo (it has a
/// machine id: it reports to the service) or in EDR block mode counts as onboarded; one known
/// only from `Get-MpComputerStatus` by name may not be, so it decides nothing, and so does a
/// machine that gives neither its onboarding status nor an antivirus mode. iOS and Android
/// devices ([`mde::mobile`]) run no Defender Antivirus: they are left out, as devices that are
/// not onboarded are, and the evidence says how many. So is a machine merged into another
/// (`mergedIntoMachineId` set, which real `/api/machines` responses give beside
/// `isPotentialDuplication`; the advanced hunting DeviceInfo table's `MergedToDeviceId` is "the
/// most recent device ID assigned to a device"): an earlier entity of a device whose current
/// one is the machine it names, which decides.
fn endpoint(model: &TenantModel) -> Option<Evidence> {
    let devices = model.collection("devices").filter(|c| c.present)?;
    let file = |loc: Option<Loc>| {
        loc.and_then(|l| model.files.get(l.file() as usize))
            .map_or("?", |f| f.path.as_str())
    };
    // The fields read of every device, by position (hundreds of thousands of devices).
    let at = |name| schema::DEVICE.field_index(name);
    let (onboarding, av_mode, id, os) = (at("onboarding"), at("av_mode"), at("id"), at("os"));
    let is_onboarded = |d: &&Record| match text_at(d, onboarding) {
        Some(s) => s == "Onboarded",
        None => {
            let av = text_at(d, av_mode);
            (av.is_some() && text_at(d, id).is_some()) || av == Some("edr_block")
        }
    };
    let merged_into = at("merged_into_id");
    let (merged, onboarded): (Vec<&Record>, Vec<&Record>) = devices
        .records
        .iter()
        .filter(is_onboarded)
        .partition(|d| text_at(d, merged_into).is_some());
    let (mobile, onboarded): (Vec<&Record>, Vec<&Record>) = onboarded
        .into_iter()
        .partition(|d| text_at(d, os).is_some_and(mde::mobile));
    // What the messages on the others add about the iOS and Android devices and the merged
    // machines left out.
    let mut left_out = match mobile.len() {
        0 => String::new(),
        n => format!(
            "; {n} onboarded iOS or Android device{} left out (no Defender Antivirus runs on \
             them)",
            if n == 1 { " is" } else { "s are" }
        ),
    };
    if let Some(d) = merged.first() {
        let more = match merged.len() {
            1 => String::new(),
            n => format!(" ({} more machines like it)", n - 1),
        };
        left_out.push_str(&format!(
            "; machine {} was merged into machine `{}` (`mergedIntoMachineId`: an earlier \
             entity of that device) and is left out{more}",
            named(d.text("name"), d.identity().unwrap_or("?")),
            text_at(d, merged_into).unwrap_or("?")
        ));
    }
    // A machine whose onboarding status the export does not give (absent, or null) and whose
    // antivirus mode it does not give either: an onboarded device in active mode, or not.
    let unsure: Vec<&Record> = devices
        .records
        .iter()
        .filter(|d| text_at(d, onboarding).is_none() && text_at(d, id).is_some())
        .filter(|d| text_at(d, av_mode).is_none() && !text_at(d, os).is_some_and(mde::mobile))
        .collect();
    // Known by name only (`Get-MpComputerStatus` without a machine in the export).
    let unlisted: Vec<&Record> = devices
        .records
        .iter()
        .filter(|d| text_at(d, onboarding).is_none() && text_at(d, id).is_none())
        .filter(|d| text_at(d, av_mode) != Some("edr_block"))
        .collect();
    // A machine that has sent no signal for 7 days (`healthStatus` `Inactive`, the machine
    // resource's reference) shows what its antivirus was, not what runs.
    let runs_active = |d: &&&Record| matches!(d.text("av_mode"), Some("active" | "edr_block"));
    let acting: Vec<&&Record> = onboarded
        .iter()
        .filter(runs_active)
        .filter(|d| d.text("health") != Some("Inactive"))
        .collect();
    // One whose sensor is healthy (`Active`, or not given) rather than misconfigured, if any.
    let acting = acting
        .iter()
        .find(|d| d.text("health").is_none_or(|h| h == "Active"))
        .or(acting.first());
    if let Some(d) = acting {
        // EDR in block mode runs beside a passive antivirus (Microsoft Learn, "Endpoint
        // detection and response (EDR) in block mode"): it blocks and remediates.
        let how = match d.text("av_mode") {
            Some("edr_block") => "Defender Antivirus in passive mode with EDR in block mode",
            _ => "Defender Antivirus in active mode",
        };
        // A misconfigured sensor (Microsoft Learn, "Fix unhealthy sensors in Microsoft
        // Defender for Endpoint": impaired communication, no sensor data) or one of unknown
        // health: what it last reported may not be what runs.
        let health = match d.text("health") {
            Some(h) if h != "Active" => format!(
                "; its sensor's `healthStatus` is `{h}`, not `Active` (no device with a healthy \
                 sensor runs Defender Antivirus in active mode or EDR in block mode): this is the \
                 mode it last reported"
            ),
            _ => String::new(),
        };
        let av = d.get("av_mode").and_then(|f| f.loc());
        return Some(Evidence::Shown {
            mode: Mode::Active,
            why: format!(
                "onboarded device `{}` runs {how} ({}){health}",
                d.text("name").or(d.identity()).unwrap_or("?"),
                file(av)
            ),
            loc: av,
        });
    }
    // Without an acting device, a list known to be incomplete cannot tell.
    if let Some(gap) = devices
        .gaps
        .iter()
        .find(|g| g.entity.is_none() && g.affects(Some("av_mode")))
    {
        return Some(Evidence::Undecided {
            why: gap.reason.clone(),
            loc: gap.loc,
        });
    }
    if let Some(d) = unsure.first() {
        let more = match unsure.len() {
            1 => String::new(),
            n => format!(" ({} more machines like it)", n - 1),
        };
        return Some(Evidence::Undecided {
            why: format!(
                "machine {} in `{}` gives no onboarding status (`onboardingStatus` absent or \
                 null) and no antivirus mode{more}: whether it is an onboarded device in active \
                 mode is not in the export",
                named(d.text("name"), d.identity().unwrap_or("?")),
                file(d.loc())
            ),
            loc: d.loc(),
        });
    }
    // A device known only by name in active mode may be onboarded (active) or not; without
    // onboarded devices, those known only by name may be passive or not deployed.
    let active_unlisted = unlisted
        .iter()
        .find(|d| d.text("av_mode") == Some("active"));
    if let Some(d) = active_unlisted.or(unlisted.first().filter(|_| onboarded.is_empty())) {
        return Some(Evidence::Undecided {
            why: format!(
                "`{}` ({}) runs Defender Antivirus in `{}` mode but is known only by name: \
                 whether it is onboarded is not in the export",
                d.identity().unwrap_or("?"),
                file(d.loc()),
                d.text("av_mode").unwrap_or("?")
            ),
            loc: d.loc(),
        });
    }
    if onboarded.is_empty() {
        // The machine list, which gives their onboarding status, rather than the antivirus
        // rows that may have come first.
        let listed = devices
            .records
            .iter()
            .find_map(|d| d.get("onboarding").and_then(|f| f.loc()))
            .map(|l| Loc::document(l.file()))
            .or(devices.origin);
        if !merged.is_empty() {
            // The devices' current entities are not in the export.
            return Some(Evidence::Undecided {
                why: format!(
                    "the only onboarded machines in `{}` were merged into other machines \
                     (`mergedIntoMachineId`), which the export does not list{left_out}",
                    file(listed)
                ),
                loc: listed,
            });
        }
        if !mobile.is_empty() {
            // Deployed, on devices whose mode is neither active nor passive.
            return Some(Evidence::Undecided {
                why: format!(
                    "the only onboarded devices in `{}` are {} iOS or Android device{}, on \
                     which Defender for Endpoint runs no Defender Antivirus: they show no \
                     active or passive mode",
                    file(listed),
                    mobile.len(),
                    if mobile.len() == 1 { "" } else { "s" }
                ),
                loc: listed,
            });
        }
        let why = match devices.records.len() {
            0 => format!("`{}` lists no machine", file(listed)),
            n => format!(
                "none of the {n} machines in `{}` is onboarded",
                file(listed)
            ),
        };
        return Some(Evidence::Shown {
            mode: Mode::NotDeployed,
            why,
            loc: listed,
        });
    }
    // The file that says the devices are onboarded (the machine list, or the antivirus list
    // when there is none).
    let listed = onboarded
        .iter()
        .find_map(|d| d.get("onboarding").and_then(|f| f.loc()))
        .or(devices.origin);
    // No antivirus row (or status), or one that gives no mode dexlint reads: `avMode` null, an
    // undocumented `avMode` or `AMRunningMode` (warned about at it), kept as a located null.
    let no_mode = |d: &&&Record| d.get("av_mode").is_none_or(Field::is_null);
    let given_null = onboarded
        .iter()
        .filter(no_mode)
        .filter(|d| d.get("av_mode").and_then(Field::loc).is_some())
        .count();
    let missing = onboarded.iter().filter(no_mode).count() - given_null;
    // Antivirus rows of one machine, equally recent, that give different modes.
    let conflicting = onboarded
        .iter()
        .filter(|d| d.get("av_mode").is_some_and(Field::is_unknown))
        .count();
    // The report's Other (`avMode` `3` or empty) tells neither active nor passive.
    let other = onboarded
        .iter()
        .filter(|d| d.text("av_mode") == Some("other"))
        .count();
    let unknown = missing + given_null + conflicting + other;
    if unknown > 0 {
        let parts: Vec<(usize, &str)> = [
            (missing, "is not in the export"),
            (
                given_null,
                "is given as no mode dexlint reads (`avMode` null, or an undocumented \
                 `avMode` or `AMRunningMode`, warned about at it)",
            ),
            (
                conflicting,
                "is given differently by equally recent antivirus rows",
            ),
            (
                other,
                "is Other in the antivirus health report (`avMode` `3` or empty), which is \
                 neither active nor passive",
            ),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .collect();
        let what = match parts.as_slice() {
            [(_, one)] => (*one).to_string(),
            _ => parts
                .iter()
                .map(|(n, text)| format!("{text} ({n})"))
                .collect::<Vec<_>>()
                .join(", or "),
        };
        let why = if unknown == onboarded.len() {
            format!(
                "the antivirus mode of the {unknown} onboarded device{} in `{}` {what}{left_out}",
                if unknown == 1 { "" } else { "s" },
                file(listed)
            )
        } else {
            format!(
                "the antivirus mode of {unknown} of the {} onboarded devices in `{}` {what}, and \
                 none of the others runs Defender Antivirus in active mode or EDR in block \
                 mode{left_out}",
                onboarded.len(),
                file(listed)
            )
        };
        return Some(Evidence::Undecided { why, loc: listed });
    }
    // Only the machines that still report show what runs: a machine that stopped reporting
    // shows neither an active nor a passive deployment.
    let reporting: Vec<&Record> = onboarded
        .iter()
        .copied()
        .filter(|d| d.text("health") != Some("Inactive"))
        .collect();
    if reporting.is_empty() {
        return Some(Evidence::Undecided {
            why: format!(
                "every onboarded device in `{}` has stopped reporting (`healthStatus` \
                 `Inactive`): what their antivirus runs now is not in the export{left_out}",
                file(listed)
            ),
            loc: listed,
        });
    }
    let first = reporting
        .first()
        .and_then(|d| d.get("av_mode"))
        .and_then(|f| f.loc());
    // Devices in active mode (or EDR in block mode) that stopped reporting: left out, and said.
    let stopped: Vec<String> = onboarded
        .iter()
        .filter(runs_active)
        .filter(|d| d.text("health") == Some("Inactive"))
        .map(|d| {
            format!(
                "`{}` (`{}`)",
                d.text("name").or(d.identity()).unwrap_or("?"),
                d.text("av_mode").unwrap_or("?")
            )
        })
        .collect();
    let stopped = match stopped.len() {
        0 => String::new(),
        n => format!(
            "; {}{} {} stopped reporting (`healthStatus` `Inactive`) and {} left out",
            stopped
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            if n > 3 {
                format!(" and {} more", n - 3)
            } else {
                String::new()
            },
            if n == 1 { "has" } else { "have" },
            if n == 1 { "is" } else { "are" }
        ),
    };
    Some(Evidence::Shown {
        mode: Mode::Passive,
        why: format!(
            "{} onboarded device{} in `{}` still reporting, none running Defender Antivirus in \
             active mode or EDR in block mode (`{}`: {}){stopped}{left_out}",
            reporting.len(),
            if reporting.len() == 1 { "" } else { "s" },
            file(listed),
            file(first),
            mode_counts(&reporting)
        ),
        loc: first,
    })
}

/// `passive: 3, disabled: 1`.
fn mode_counts(devices: &[&Record]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for d in devices {
        let m = d.text("av_mode").unwrap_or("?");
        match counts.iter_mut().find(|(k, _)| *k == m) {
            Some((_, n)) => *n += 1,
            None => counts.push((m, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(m, n)| format!("{m}: {n}")).collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// A user holding one plan named `name`, enabled or not, located at byte `at` of file 0.
    fn user(name: &str, enabled: bool, at: u32) -> Record {
        let mut plan = Record::new(&schema::ASSIGNED_PLAN, Some(Loc::new(0, at)));
        plan.set("id", Value::Str("id".into()), Some(Loc::new(0, at + 1)));
        plan.set("name", Value::Str(name.into()), None);
        let status = if enabled { "Enabled" } else { "Suspended" };
        plan.set("status", Value::Str(status.into()), None);
        let mut u = Record::new(&schema::USER, Some(Loc::new(0, at)));
        u.set("enabled", Value::Bool(true), None);
        u.set("user_type", Value::Str("Member".into()), None);
        u.set("plans", Value::Records([plan].into_iter().collect()), None);
        u
    }

    #[test]
    fn the_first_assignment_of_each_plan_is_the_same_read_in_parallel_as_in_order() {
        let names = plan_names();
        let (a, b) = (names[0], names[1]);
        // `a` is enabled first in the third chunk (and again later), `b` in the first chunk
        // after a suspended assignment; no user has any other name.
        let mut users: Vec<Record> = (0..5 * FIRST_USERS as u32)
            .map(|i| user("other", true, 10 * i))
            .collect();
        for (i, name, enabled) in [
            (2 * FIRST_USERS + 7, a, true),
            (3 * FIRST_USERS + 1, a, true),
            (4 * FIRST_USERS, a, false),
            (5, b, false),
            (9, b, true),
        ] {
            users[i] = user(name, enabled, 10 * i as u32);
        }
        let mut model = TenantModel::default();
        model.collection_mut("users").unwrap().extend(users.clone());
        let read = Licences::read(&model).user_plans;
        assert_eq!(read, first_assignments(&users, 0, &names));
        let read = read.counted;
        assert_eq!(
            read[0],
            Some((
                2 * FIRST_USERS + 7,
                0,
                Some(Loc::new(0, 10 * (2 * FIRST_USERS as u32 + 7) + 1))
            ))
        );
        assert_eq!(read[1].map(|(u, ..)| u), Some(9));
        assert!(read[2..].iter().all(Option::is_none));
    }
}
