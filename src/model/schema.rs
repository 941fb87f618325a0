//! The tenant model's schema: the collections a policy can iterate and the typed fields of
//! their records. The compiler type-checks policies against it; the loader fills records in
//! field order. Field names are the policy language's names (snake_case); each field's doc
//! says which source keys feed it.

/// A field or expression type in the policy language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// `bool`: true or false.
    Bool,
    /// `int`: a 64-bit signed integer.
    Int,
    /// `string`: text.
    Str,
    /// Milliseconds since the Unix epoch (ISO 8601 or `/Date(ms)/` in the source).
    Date,
    /// `list<T>`: a list of values of one type.
    List(&'static Type),
    /// A record of the given schema (its name, such as `member`, is the type's name).
    Record(&'static RecordSchema),
}

impl Type {
    /// The name used in diagnostics (`string`, `list<member>`, ...).
    pub fn name(&self) -> String {
        match self {
            Type::Bool => "bool".into(),
            Type::Int => "int".into(),
            Type::Str => "string".into(),
            Type::Date => "date".into(),
            Type::List(t) => format!("list<{}>", t.name()),
            Type::Record(r) => r.name.into(),
        }
    }
}

/// One field of a record.
#[derive(Debug, PartialEq, Eq)]
pub struct FieldSchema {
    /// The field's name in the policy language (snake_case).
    pub name: &'static str,
    /// The field's type.
    pub ty: Type,
    /// The source keys that feed it (`assignedPlans[].servicePlanId`), and its values where
    /// they are a closed set; shown by `dexlint explain` and the generated docs.
    pub doc: &'static str,
    /// Absent in the source when it does not apply (a Free tier has no sub-plan): a policy
    /// that reads it is still evaluated when no record has it.
    pub optional: bool,
    /// The values the loader gives a string field (or the strings of a list field) whose values
    /// are a closed set, in their exact spelling; empty for free text. Comparing such a field
    /// with another string literal is a compile error.
    pub values: &'static [&'static str],
    /// Only policies read it, no part of dexlint itself: a run whose policies do not read it
    /// leaves it out of the model ([`crate::model::Projection`]).
    pub on_demand: bool,
}

impl FieldSchema {
    /// The field with its closed set of values.
    const fn values(self, values: &'static [&'static str]) -> Self {
        FieldSchema { values, ..self }
    }

    /// The field, read by policies only.
    const fn on_demand(self) -> Self {
        FieldSchema {
            on_demand: true,
            ..self
        }
    }
}

/// A record type: users, groups, a group member, a service plan... Only the record types of
/// this module exist (records number their shapes in a byte: see [`crate::model::Record`]).
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordSchema {
    /// The record type's name in the policy language and diagnostics (`user`, `sku_plan`).
    pub name: &'static str,
    /// Its fields, in the order records store their values.
    pub fields: &'static [FieldSchema],
}

impl RecordSchema {
    /// Position of a field by its policy-language name.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The closed set of values of a field (empty for free text or an unknown field).
    pub fn values(&self, name: &str) -> &'static [&'static str] {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map_or(&[], |f| f.values)
    }
}

/// A top-level collection of the model.
#[derive(Debug, PartialEq, Eq)]
pub struct CollectionSchema {
    /// The name policies iterate (`for u in users`).
    pub name: &'static str,
    /// The schema of each of its records.
    pub record: &'static RecordSchema,
    /// What the records are, in a few words.
    pub doc: &'static str,
    /// What to export to provide this collection (used in "not evaluated" reasons).
    pub provided_by: &'static str,
}

const fn f(name: &'static str, ty: Type, doc: &'static str) -> FieldSchema {
    FieldSchema {
        name,
        ty,
        doc,
        optional: false,
        values: &[],
        on_demand: false,
    }
}

const fn o(name: &'static str, ty: Type, doc: &'static str) -> FieldSchema {
    FieldSchema {
        name,
        ty,
        doc,
        optional: true,
        values: &[],
        on_demand: false,
    }
}

/// `capabilityStatus` of subscribed SKUs and assigned plans (Graph `subscribedSku`,
/// `assignedPlan`).
const CAPABILITY: &[&str] = &["Enabled", "Warning", "Suspended", "Deleted", "LockedOut"];
/// Product modes (`products`).
const MODES: &[&str] = &["active", "passive", "not_deployed"];
/// Defender for Cloud pricing tiers.
const TIERS: &[&str] = &["Free", "Standard"];

const STR: Type = Type::Str;
const BOOL: Type = Type::Bool;
const INT: Type = Type::Int;
const DATE: Type = Type::Date;
const STRS: Type = Type::List(&Type::Str);

/// A license assigned to a user: one element of Graph's `assignedLicenses`.
pub static LICENSE: RecordSchema = RecordSchema {
    name: "license",
    fields: &[
        f("sku_id", STR, "assignedLicenses[].skuId").on_demand(),
        f(
            "disabled_plans",
            STRS,
            "assignedLicenses[].disabledPlans (service plan ids)",
        )
        .on_demand(),
    ],
};

/// A service plan assigned to a user: one element of Graph's `assignedPlans`.
pub static ASSIGNED_PLAN: RecordSchema = RecordSchema {
    name: "assigned_plan",
    fields: &[
        f("id", STR, "assignedPlans[].servicePlanId"),
        f("name", STR, "servicePlanName, resolved from the subscribedSkus in the export or well-known plan ids"),
        f("service", STR, "assignedPlans[].service").on_demand(),
        f("status", STR, "assignedPlans[].capabilityStatus").values(CAPABILITY),
        o("assigned", DATE, "assignedPlans[].assignedDateTime").on_demand(),
    ],
};

/// A record of `users`: a Graph `user` (or EntraExporter's user file).
pub static USER: RecordSchema = RecordSchema {
    name: "user",
    fields: &[
        f("id", STR, "id"),
        f("upn", STR, "userPrincipalName"),
        o("name", STR, "displayName"),
        f("enabled", BOOL, "accountEnabled"),
        f("user_type", STR, "userType").values(&["Member", "Guest"]),
        o("department", STR, "department").on_demand(),
        o(
            "on_premises_sync",
            BOOL,
            "onPremisesSyncEnabled (true: synchronised from on-premises Active Directory)",
        )
        .on_demand(),
        o(
            "last_sign_in",
            DATE,
            "signInActivity.lastSignInDateTime (only when the export selected signInActivity)",
        )
        .on_demand(),
        f(
            "licenses",
            Type::List(&Type::Record(&LICENSE)),
            "assignedLicenses",
        )
        .on_demand(),
        f(
            "plans",
            Type::List(&Type::Record(&ASSIGNED_PLAN)),
            "assignedPlans",
        ),
    ],
};

/// A member of a group: a Graph directory object of the group's members, or a member of a
/// Terraform `azuread_group`.
pub static MEMBER: RecordSchema = RecordSchema {
    name: "member",
    fields: &[
        f("id", STR, "member object id"),
        f("kind", STR, "from @odata.type, or a Terraform reference").values(&[
            "user",
            "group",
            "device",
            "servicePrincipal",
            "orgContact",
            "application",
        ]),
        f("name", STR, "displayName"),
        f("upn", STR, "userPrincipalName, for users"),
    ],
};

/// A record of `groups`: a Graph `group`, EntraExporter's group file or a Terraform
/// `azuread_group`.
pub static GROUP: RecordSchema = RecordSchema {
    name: "group",
    fields: &[
        f(
            "id",
            STR,
            "id (Graph), the resource address (Terraform), or the symbolic name or type/name (ARM template)",
        ),
        f("name", STR, "displayName / display_name"),
        o("types", STRS, "groupTypes / types").values(&["Unified", "DynamicMembership"]),
        f(
            "dynamic",
            BOOL,
            "true when groupTypes holds DynamicMembership (a group changed to assigned keeps its membershipRule); without groupTypes, when a membershipRule is set; absent when the source has neither",
        ),
        o(
            "security_enabled",
            BOOL,
            "securityEnabled / security_enabled",
        ),
        o("mail_enabled", BOOL, "mailEnabled / mail_enabled"),
        o("membership_rule", STR, "membershipRule"),
        f(
            "members",
            Type::List(&Type::Record(&MEMBER)),
            "member files, members.json, Terraform members",
        ),
        o("source", STR, "graph, entra-exporter, terraform or arm-template"),
        o(
            "address",
            STR,
            "Terraform resource address, or the ARM template resource's symbolic name or type/name",
        ),
        o(
            "renamed_from",
            STR,
            "the display name a Terraform plan changes: change.before.display_name of an update whose after differs",
        ),
    ],
};

/// A record of `deleted_groups`: an Entra ID group a Terraform plan deletes (an
/// `azuread_group` it destroys, or replaces with a group of another name) while no group of the
/// plan keeps its name, as it was before the plan (`change.before`).
pub static DELETED_GROUP: RecordSchema = RecordSchema {
    name: "deleted_group",
    fields: &[
        f(
            "id",
            STR,
            "change.before.object_id (the resource address when the plan has none)",
        ),
        f("name", STR, "change.before.display_name"),
        f("address", STR, "Terraform resource address"),
        f(
            "action",
            STR,
            "delete: the plan destroys the group (change.actions [\"delete\"]); replace: it replaces the group with one of another name ([\"delete\", \"create\"] or [\"create\", \"delete\"])",
        )
        .values(&["delete", "replace"]),
    ],
};

/// One membership rule of a device group: an element of the Defender device group export's
/// `GroupRules`.
pub static GROUP_RULE: RecordSchema = RecordSchema {
    name: "group_rule",
    fields: &[
        f(
            "property",
            STR,
            "GroupRules[].Property (the portal's numbers 0 to 4: MachineName, Domain, Tag, OS, Other)",
        ),
        f("operator", STR, "GroupRules[].OperatorType"),
        f("value", STR, "GroupRules[].PropertyValue"),
    ],
};

/// A record of `device_groups`: a device group (machine group) of the Defender portal export.
pub static DEVICE_GROUP: RecordSchema = RecordSchema {
    name: "device_group",
    fields: &[
        f("id", STR, "MachineGroupId"),
        f("name", STR, "Name"),
        f("rank", INT, "Priority (1 is highest)"),
        o("unassigned", BOOL, "IsUnassignedMachineGroup"),
        o(
            "rules",
            Type::List(&Type::Record(&GROUP_RULE)),
            "GroupRules",
        ),
        o("remediation", STR, "AutoRemediationLevel"),
    ],
};

/// A record of `devices`: a Defender for Endpoint machine (`/api/machines`), with its
/// antivirus mode joined from `deviceavinfo`.
pub static DEVICE: RecordSchema = RecordSchema {
    name: "device",
    fields: &[
        f("id", STR, "id (machine id)"),
        f("name", STR, "computerDnsName"),
        f("os", STR, "osPlatform"),
        f("onboarding", STR, "onboardingStatus").values(&[
            "Onboarded",
            "CanBeOnboarded",
            "Unsupported",
            "InsufficientInfo",
        ]),
        o("health", STR, "healthStatus").values(&[
            "Active",
            "Inactive",
            "ImpairedCommunication",
            "NoSensorData",
            "NoSensorDataImpairedCommunication",
            "Unknown",
        ]),
        o("last_seen", DATE, "lastSeen").on_demand(),
        o("risk_score", STR, "riskScore").values(&[
            "None",
            "Informational",
            "Low",
            "Medium",
            "High",
        ]).on_demand(),
        o("exposure_level", STR, "exposureLevel").values(&["None", "Low", "Medium", "High"]).on_demand(),
        o(
            "group_id",
            STR,
            "rbacGroupId (the machine's, else its antivirus row's, else the id of the device group named rbacGroupName); unknown when none gives it and the device may be in the scoped device group",
        ),
        o(
            "group",
            STR,
            "rbacGroupName (the machine's, else its antivirus row's, else the name of the device group whose id is rbacGroupId); unknown when none gives it and the device may be in the scoped device group",
        ),
        o("tags", STRS, "machineTags"),
        o(
            "merged_into_id",
            STR,
            "mergedIntoMachineId: the machine this entity was merged into (as the advanced hunting DeviceInfo table's MergedToDeviceId, the most recent id of the device); null on a device's current entity",
        ),
        f(
            "av_mode",
            STR,
            "deviceavinfo avMode (\"0\" active ... \"5\" passive_audit; \"3\" and \"\", the report's Other, neither active nor passive: unknown), or Get-MpComputerStatus AMRunningMode (Normal: active; Passive Mode, Passive, SxS Passive Mode: passive; EDR Block Mode: edr_block; Not running: disabled); none on iOS and Android devices, which run no Defender Antivirus",
        )
        .values(&[
            "active",
            "passive",
            "disabled",
            "edr_block",
            "passive_audit",
        ]),
    ],
};

/// A service plan of a subscribed SKU: one element of Graph's `servicePlans`.
pub static SKU_PLAN: RecordSchema = RecordSchema {
    name: "sku_plan",
    fields: &[
        f("id", STR, "servicePlans[].servicePlanId"),
        f("name", STR, "servicePlans[].servicePlanName"),
        f("status", STR, "servicePlans[].provisioningStatus").values(&[
            "Success",
            "Disabled",
            "Error",
            "PendingInput",
            "PendingActivation",
            "PendingProvisioning",
        ]),
        f("applies_to", STR, "servicePlans[].appliesTo"),
    ],
};

/// A record of `skus`: a Graph `subscribedSku`.
pub static SKU: RecordSchema = RecordSchema {
    name: "sku",
    fields: &[
        f("id", STR, "skuId"),
        f("part_number", STR, "skuPartNumber"),
        f("status", STR, "capabilityStatus").values(CAPABILITY),
        f("enabled_units", INT, "prepaidUnits.enabled"),
        f("consumed_units", INT, "consumedUnits"),
        f(
            "plans",
            Type::List(&Type::Record(&SKU_PLAN)),
            "servicePlans",
        ),
    ],
};

/// A record of `products`: one Defender product and its deployment state, derived from the
/// export (see `export::products`) and the deployment declaration's `products`.
pub static PRODUCT: RecordSchema = RecordSchema {
    name: "product",
    fields: &[
        f(
            "name",
            STR,
            "every record but mdiot, which is there when declared",
        )
        .values(&["mde", "mdo", "mdi", "mdca", "entra_p2", "mdiot"]),
        f("title", STR, "the product's name (Defender for Endpoint, ...)"),
        f(
            "mode",
            STR,
            "the declaration's mode where it gives one, else `observed`; unknown when neither tells, or when two declarations give different modes (rules that need it are not evaluated)",
        )
        .values(MODES),
        o(
            "observed",
            STR,
            "what the export shows (machines and deviceavinfo, Exchange Online policies, sensors, licences); absent when it shows nothing",
        )
        .values(MODES),
        o(
            "declared",
            STR,
            "the deployment declaration's `products.<name>`",
        )
        .values(MODES),
        o(
            "licensed",
            BOOL,
            "an enabled subscribed SKU (or a user's enabled assigned plan) carries the product's service plan; absent without licence data",
        ),
        f(
            "evidence",
            STR,
            "why `mode` is what it is, in words (the declaration, or `observed_evidence`)",
        ),
        o(
            "observed_evidence",
            STR,
            "why `observed` is what it is, in words, naming the files it rests on",
        ),
        f("source", STR, "where `mode` comes from").values(&["declaration", "export"]),
    ],
};

/// A record of `services`: one key of the deployment declaration's `services`.
pub static SERVICE: RecordSchema = RecordSchema {
    name: "service",
    fields: &[
        f(
            "name",
            STR,
            "xdr (Defender Experts for XDR), servers (Defender Experts for Servers)",
        )
        .values(&["xdr", "servers"]),
        f(
            "purchased",
            BOOL,
            "whether the organisation enrolled in the service",
        ),
    ],
};

/// A record of `cloud_accounts`: an Azure subscription (its ARM `Microsoft.Security` pricings
/// and settings), an AWS account or GCP project (a security connector), or a Terraform
/// resource that declares one.
pub static CLOUD_ACCOUNT: RecordSchema = RecordSchema {
    name: "cloud_account",
    fields: &[
        f(
            "id",
            STR,
            "subscription id, connector hierarchyIdentifier, or Terraform address",
        ),
        o("name", STR, "display name where known"),
        f("environment", STR, "the cloud").values(&["Azure", "AWS", "GCP"]),
        o("servers_tier", STR, "VirtualMachines pricingTier / tier").values(TIERS),
        o(
            "servers_plan",
            STR,
            "Defender for Servers plan (subPlan / subplan / offering subPlan)",
        )
        .values(&["P1", "P2"]),
        o(
            "mde_integration",
            BOOL,
            "settings WDATP enabled, or mdeAutoProvisioning.enabled",
        ),
        o("source", STR, "arm, az-cli, az-powershell, terraform or arm-template"),
        o(
            "state",
            STR,
            "Azure subscription state (az account list state, Get-AzSubscription State, ARM GET /subscriptions state; a management group's subscriptions: `Active` is Enabled); disabled, deleted and expired subscriptions are left out",
        )
        .values(&["Enabled", "Warned", "PastDue"]),
        o(
            "mde_linux_excluded",
            BOOL,
            "settings WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW enabled: Linux machines are excluded from the Defender for Endpoint integration (a legacy subscription's opt-out; absent: included)",
        ),
        o(
            "servers_coverage",
            STR,
            "VirtualMachines pricing resourcesCoverageStatus: whether the subscription's machines have the plan (FullyCovered: all of them, PartiallyCovered: some, NotCovered: none), machines' own pricings counted",
        )
        .values(&["FullyCovered", "PartiallyCovered", "NotCovered"]),
        o(
            "tenant_id",
            STR,
            "the Azure subscription's home tenant, where a list of subscriptions gives it (az account list homeTenantId, else tenantId; Get-AzSubscription HomeTenantId, else TenantId; ARM GET /subscriptions tenantId; a management group's subscriptions: tenant); a subscription of another tenant than the export's organization is left out",
        ),
    ],
};

/// A Defender for Cloud pricing set on a resource group or a single machine rather than on the
/// subscription (`{scope}/providers/Microsoft.Security/pricings/{name}` where the scope is not
/// `/subscriptions/{id}`).
pub static RESOURCE_PRICING: RecordSchema = RecordSchema {
    name: "resource_pricing",
    fields: &[
        f("id", STR, "the scope's resource id (the pricing id without `/providers/Microsoft.Security/pricings/{name}`)"),
        f("name", STR, "the scope's last name segment (machine or resource group name)"),
        f("subscription", STR, "the subscription id in the scope"),
        f("scope", STR, "what the pricing is set on").values(&["resource_group", "resource"]),
        f("plan", STR, "pricing name (VirtualMachines is Defender for Servers)"),
        f("tier", STR, "pricingTier").values(TIERS),
        o("sub_plan", STR, "subPlan (P1)"),
        o("inherited", BOOL, "inherited: true when the scope takes its parent's pricing"),
        o("source", STR, "arm, az-cli, az-powershell, arm-template or terraform"),
    ],
};

/// A property changed by an audited operation: one element of Graph's
/// `targetResources[].modifiedProperties`.
pub static CHANGE: RecordSchema = RecordSchema {
    name: "change",
    fields: &[
        f("name", STR, "modifiedProperties[].displayName"),
        f("old", STR, "modifiedProperties[].oldValue, JSON-decoded"),
        f("new", STR, "modifiedProperties[].newValue, JSON-decoded"),
    ],
};

/// A resource an audited operation acted on: one element of Graph's `targetResources`.
pub static TARGET: RecordSchema = RecordSchema {
    name: "target",
    fields: &[
        f("id", STR, "targetResources[].id"),
        f("name", STR, "targetResources[].displayName"),
        f("type", STR, "targetResources[].type"),
        f(
            "changes",
            Type::List(&Type::Record(&CHANGE)),
            "targetResources[].modifiedProperties",
        ),
    ],
};

/// A record of `audit_events`: a Graph `directoryAudit`.
pub static AUDIT_EVENT: RecordSchema = RecordSchema {
    name: "audit_event",
    fields: &[
        f("id", STR, "id"),
        f("activity", STR, "activityDisplayName"),
        f("time", DATE, "activityDateTime"),
        f("result", STR, "result"),
        f(
            "targets",
            Type::List(&Type::Record(&TARGET)),
            "targetResources",
        ),
    ],
};

/// A record of `office_policies`: one object of an Exchange Online PowerShell export of
/// Defender for Office 365's Safe Links and Safe Attachments configuration (`Get-SafeLinksPolicy`,
/// `Get-SafeLinksRule`, `Get-SafeAttachmentPolicy`, `Get-SafeAttachmentRule`,
/// `Get-ATPProtectionPolicyRule`, `Get-ATPBuiltInProtectionRule`, `Get-ATPEvaluationRule`,
/// `Get-AtpPolicyForO365`), or the note that a file held one cmdlet's output (kind `export`).
pub static OFFICE_POLICY: RecordSchema = RecordSchema {
    name: "office_policy",
    fields: &[
        f(
            "kind",
            STR,
            "the cmdlet: preset_rule is Get-ATPProtectionPolicyRule, builtin_rule Get-ATPBuiltInProtectionRule, evaluation_rule Get-ATPEvaluationRule, atp_o365 Get-AtpPolicyForO365; export: a file held this cmdlet's output, even empty",
        )
        .values(&[
            "safe_links_policy",
            "safe_links_rule",
            "safe_attachments_policy",
            "safe_attachments_rule",
            "preset_rule",
            "builtin_rule",
            "evaluation_rule",
            "atp_o365",
            "export",
        ]),
        f(
            "name",
            STR,
            "Name (else Identity); for kind export, the cmdlet (Get-SafeLinksRule)",
        ),
        o(
            "enabled",
            BOOL,
            "policies: EnableSafeLinksForEmail/Teams/Office (any true; IsEnabled in older output) or Enable; rules: State is Enabled; atp_o365: EnableATPForSPOTeamsODB",
        ),
        o("state", STR, "rules: State").values(&["Enabled", "Disabled"]),
        o(
            "action",
            STR,
            "Safe Attachments policies: Action (Allow, Block, DynamicDelivery, Replace)",
        ),
        o(
            "policy_type",
            STR,
            "policies: RecommendedPolicyType (Standard, Strict, Evaluation, ...)",
        ),
        o("built_in", BOOL, "policies: IsBuiltInProtection"),
        o(
            "safe_links_policy",
            STR,
            "rules: SafeLinksPolicy, the Safe Links policy the rule applies",
        ),
        o(
            "safe_attachments_policy",
            STR,
            "rules: SafeAttachmentPolicy, the Safe Attachments policy the rule applies",
        ),
        o(
            "recipients",
            STRS,
            "rules: SentTo, SentToMemberOf and RecipientDomainIs together (empty: everyone the rule's kind covers)",
        ),
        o("priority", INT, "rules: Priority (0 is the highest)"),
        o("source", STR, "exchange-online"),
    ],
};

/// A record of `identity_sensors`: a Defender for Identity sensor of Microsoft Graph's
/// `GET /security/identities/sensors` (beta `microsoft.graph.security.sensor`; v1.0's has no
/// `serviceStatus`). Enumerations end with Graph's `unknownFutureValue` (the sentinel of an
/// evolvable enumeration, returned for members added later).
pub static IDENTITY_SENSOR: RecordSchema = RecordSchema {
    name: "identity_sensor",
    fields: &[
        f("id", STR, "id"),
        f("name", STR, "displayName"),
        o("domain", STR, "domainName"),
        o("sensor_type", STR, "sensorType").values(&[
            "adConnectIntegrated",
            "adcsIntegrated",
            "adfsIntegrated",
            "domainControllerIntegrated",
            "domainControllerStandalone",
            "unknownFutureValue",
        ]),
        o("deployment", STR, "deploymentStatus").values(&[
            "upToDate",
            "outdated",
            "updating",
            "updateFailed",
            "notConfigured",
            "unreachable",
            "disconnected",
            "startFailure",
            "syncing",
            "unknownFutureValue",
        ]),
        o("health", STR, "healthStatus").values(&[
            "healthy",
            "notHealthyLow",
            "notHealthyMedium",
            "notHealthyHigh",
            "unknownFutureValue",
        ]),
        f("service", STR, "serviceStatus").values(&[
            "stopped",
            "starting",
            "running",
            "disabled",
            "onboarding",
            "unknown",
            "unknownFutureValue",
        ]),
        o("version", STR, "version"),
        o("open_issues", INT, "openHealthIssuesCount"),
    ],
};

/// Every collection, in a fixed order (the order of `CollectionId`).
pub static COLLECTIONS: &[CollectionSchema] = &[
    CollectionSchema {
        name: "users",
        record: &USER,
        doc: "Entra ID users",
        provided_by: "Graph users or EntraExporter Users/",
    },
    CollectionSchema {
        name: "groups",
        record: &GROUP,
        doc: "Entra ID groups",
        provided_by: "Graph groups, EntraExporter Groups/, a Terraform plan with azuread_group, or an ARM template or compiled Bicep (bicep build) with Microsoft.Graph/groups",
    },
    CollectionSchema {
        name: "device_groups",
        record: &DEVICE_GROUP,
        doc: "Defender for Endpoint device groups",
        provided_by: "the Defender portal device group export",
    },
    CollectionSchema {
        name: "devices",
        record: &DEVICE,
        doc: "Defender for Endpoint machines",
        provided_by: "Defender for Endpoint /api/machines",
    },
    CollectionSchema {
        name: "skus",
        record: &SKU,
        doc: "subscribed SKUs",
        provided_by: "Graph subscribedSkus or EntraExporter SubscribedSkus/",
    },
    CollectionSchema {
        name: "products",
        record: &PRODUCT,
        doc: "Defender products and their deployment mode",
        provided_by: "subscribed SKUs, Defender for Endpoint machines with deviceavinfo, Exchange Online Safe Links and Safe Attachments exports, Defender for Identity sensors, or a dexlint deployment declaration",
    },
    CollectionSchema {
        name: "services",
        record: &SERVICE,
        doc: "Defender Experts services purchased",
        provided_by: "a dexlint deployment declaration",
    },
    CollectionSchema {
        name: "cloud_accounts",
        record: &CLOUD_ACCOUNT,
        doc: "Defender for Cloud subscriptions, AWS accounts and GCP projects",
        provided_by:
            "ARM Microsoft.Security pricings/settings/securityConnectors, an ARM template or compiled Bicep (bicep build) deploying them, or a Terraform plan",
    },
    CollectionSchema {
        name: "audit_events",
        record: &AUDIT_EVENT,
        doc: "Entra ID directory audit records",
        provided_by: "Graph directoryAudits",
    },
    CollectionSchema {
        name: "resource_pricings",
        record: &RESOURCE_PRICING,
        doc: "Defender for Cloud pricings set on resource groups or single machines",
        provided_by: "ARM pricings listed for each machine: GET <resource id>/providers/Microsoft.Security/pricings",
    },
    CollectionSchema {
        name: "office_policies",
        record: &OFFICE_POLICY,
        doc: "Defender for Office 365 Safe Links and Safe Attachments policies and rules",
        provided_by: "Exchange Online PowerShell Get-SafeLinksPolicy, Get-SafeLinksRule, Get-SafeAttachmentPolicy, Get-SafeAttachmentRule, Get-ATPProtectionPolicyRule, Get-ATPBuiltInProtectionRule, Get-ATPEvaluationRule piped to ConvertTo-Json -Depth 10",
    },
    CollectionSchema {
        name: "identity_sensors",
        record: &IDENTITY_SENSOR,
        doc: "Defender for Identity sensors",
        provided_by: "Microsoft Graph beta GET /security/identities/sensors",
    },
    CollectionSchema {
        name: "deleted_groups",
        record: &DELETED_GROUP,
        doc: "Entra ID groups a Terraform plan deletes",
        provided_by: "a Terraform plan, or any export of Entra ID groups (which deletes none)",
    },
];

/// Index of a collection in [`COLLECTIONS`].
pub fn collection_index(name: &str) -> Option<usize> {
    COLLECTIONS.iter().position(|c| c.name == name)
}

/// Every record type's name: the collections' records and the records nested in them, each
/// once, in schema order.
pub fn record_names() -> Vec<&'static str> {
    records().iter().map(|r| r.name).collect()
}

/// Every record type: the collections' records and the records nested in them, each once, in
/// schema order.
pub fn records() -> Vec<&'static RecordSchema> {
    fn add(r: &'static RecordSchema, out: &mut Vec<&'static RecordSchema>) {
        if out.iter().any(|o| std::ptr::eq(*o, r)) {
            return;
        }
        out.push(r);
        for f in r.fields {
            match f.ty {
                Type::List(Type::Record(inner)) => add(inner, out),
                Type::Record(inner) => add(inner, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for c in COLLECTIONS {
        add(c.record, &mut out);
    }
    out
}

/// A record type by its name (`group`, `member`, `sku_plan`...), searched through every
/// collection's record and the records nested in it.
pub fn record_by_name(name: &str) -> Option<&'static RecordSchema> {
    fn find(r: &'static RecordSchema, name: &str) -> Option<&'static RecordSchema> {
        if r.name == name {
            return Some(r);
        }
        r.fields.iter().find_map(|f| match f.ty {
            Type::List(Type::Record(inner)) => find(inner, name),
            Type::Record(inner) => find(inner, name),
            _ => None,
        })
    }
    COLLECTIONS.iter().find_map(|c| find(c.record, name))
}
