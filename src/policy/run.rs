//! The evaluation driver: runs a compiled policy's rules over a model, with the parameters a
//! configuration gives, passing over the rules and entities whose data is missing.

use super::driver::CompiledPolicy;
use super::eval::{self, EvalError};
use super::ir::{self, CExpr, Ty};
use super::{Outcome, PolicyMeta, Skipped};
use crate::model::schema::COLLECTIONS;
use crate::model::{TenantModel, Value};
use std::collections::BTreeMap;

fn json_to_value(v: &serde_json::Value, ty: &Ty) -> Option<Value> {
    Some(match (ty, v) {
        (Ty::Str, serde_json::Value::String(s)) => Value::Str(s.clone().into()),
        (Ty::Int, serde_json::Value::Number(n)) => Value::Int(n.as_i64()?),
        (Ty::Bool, serde_json::Value::Bool(b)) => Value::Bool(*b),
        (Ty::Date, serde_json::Value::String(s)) => Value::Date(crate::base::dates::parse(s)?),
        (Ty::List(t), serde_json::Value::Array(items)) => Value::List(
            items
                .iter()
                .map(|i| json_to_value(i, t))
                .collect::<Option<Vec<_>>>()?
                .into(),
        ),
        (_, serde_json::Value::Null) => Value::Null,
        _ => return None,
    })
}

/// Why values read as unknown could not be told: the reasons of their gaps (see
/// [`crate::model::Value::Unknown`]), each once, in the order they were read.
fn unknown_reason(model: &TenantModel, read: &[(Option<String>, &'static str)]) -> String {
    let mut reasons: Vec<String> = Vec::new();
    for (entity, field) in read {
        let reason = if *field == eval::MISSING_COLLECTION {
            entity.as_deref().and_then(|c| model.missing(&[(c, None)]))
        } else if *field == eval::PARTIAL_COLLECTION {
            entity
                .as_deref()
                .and_then(|c| model.collection(c)?.records_unlisted())
                .map(str::to_string)
        } else {
            model
                .collections
                .iter()
                .flat_map(|c| &c.gaps)
                .find(|g| {
                    g.in_value
                        && g.field == Some(*field)
                        && g.entity.as_deref() == entity.as_deref()
                })
                .map(|g| g.reason.clone())
        };
        if let Some(r) = reason.filter(|r| !reasons.contains(r)) {
            reasons.push(r);
        }
    }
    if reasons.is_empty() {
        if read.iter().any(|(_, f)| *f == eval::DIVISION_BY_ZERO) {
            return format!("{} (a divisor is 0)", eval::DIVISION_BY_ZERO);
        }
        let fields: Vec<String> = read
            .iter()
            .map(|(e, f)| format!("`{f}` of `{}`", e.as_deref().unwrap_or("?")))
            .collect();
        return format!("the export does not tell {}", fields.join(", "));
    }
    reasons.join("; ")
}

impl CompiledPolicy {
    /// What the policy says about itself (parameters with their defaults).
    pub fn meta(&self) -> &PolicyMeta {
        &self.meta
    }

    /// Whether the policy calls `today()`: its results depend on the run's date.
    pub fn reads_today(&self) -> bool {
        self.reads_today
    }

    /// The (collection, field) pairs the policy reads, or its `requires` list.
    pub fn requirements(&self) -> Vec<(&'static str, Option<&'static str>)> {
        if let Some(r) = &self.requires_override {
            return r.clone();
        }
        let mut all: Vec<_> = self
            .rules
            .iter()
            .flat_map(|r| r.requires.iter().copied())
            .collect();
        super::compile::dedup_requires(&mut all);
        all
    }

    /// Every field of a record the policy reads, and those its `requires` list names: (record
    /// type, position in its schema). What a [`crate::model::Projection`] must keep for it.
    pub fn reads(&self) -> Vec<(&'static crate::model::schema::RecordSchema, usize)> {
        let mut out = self.reads.clone();
        for (collection, field) in self.requires_override.iter().flatten() {
            let Some(c) = COLLECTIONS.iter().find(|c| c.name == *collection) else {
                continue;
            };
            if let Some(i) = field.and_then(|f| c.record.field_index(f)) {
                out.push((c.record, i));
            }
        }
        out
    }

    /// The parameter's type, when `value` (from a configuration) does not fit it; None when
    /// it fits or the policy has no such parameter.
    pub fn param_type_error(&self, name: &str, value: &serde_json::Value) -> Option<String> {
        let i = self.meta.params.iter().position(|p| p.name == name)?;
        let ty = self.param_types.get(i)?;
        match json_to_value(value, ty) {
            Some(_) => None,
            None => Some(ty.to_string()),
        }
    }

    /// Why `value` (from a configuration) cannot be the parameter `name` when the policy uses
    /// it as a glob (`matches(x, name)`): the invalid pattern and globset's reason; None when
    /// it is valid or the parameter is no glob.
    pub fn param_glob_error(&self, name: &str, value: &serde_json::Value) -> Option<String> {
        if !self.glob_params.iter().any(|p| p == name) {
            return None;
        }
        let patterns: Vec<String> = match value {
            serde_json::Value::String(s) => vec![s.clone()],
            serde_json::Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => return None,
        };
        super::compile::glob_set(&patterns)
            .err()
            .map(|(glob, reason)| format!("`{glob}` is not a valid glob: {reason}"))
    }

    /// Why `value` (from a configuration) cannot be the parameter `name` when the policy
    /// compares it with a field of closed values: a string that is none of them, with
    /// did-you-mean; None when every string is one, or the parameter is compared with no such
    /// field.
    pub fn param_enum_error(&self, name: &str, value: &serde_json::Value) -> Option<String> {
        let strings: Vec<&str> = match value {
            serde_json::Value::String(s) => vec![s.as_str()],
            serde_json::Value::Array(items) => items.iter().filter_map(|i| i.as_str()).collect(),
            _ => return None,
        };
        self.enum_params
            .iter()
            .filter(|(p, ..)| p == name)
            .find_map(|(_, field, values)| {
                let bad = strings.iter().find(|s| !values.contains(s))?;
                Some(format!(
                    "`{bad}` is not a value of `{field}`: {}",
                    super::compile::enum_help(field, values, bad)
                ))
            })
    }

    /// The policy's metadata with `params` (from a configuration) as the parameters' values
    /// where they fit their types.
    pub fn meta_with_params(&self, params: &BTreeMap<String, serde_json::Value>) -> PolicyMeta {
        let mut meta = self.meta.clone();
        for (p, ty) in meta.params.iter_mut().zip(&self.param_types) {
            if let Some(v) = params.get(&p.name).and_then(|v| json_to_value(v, ty)) {
                p.default = v;
            }
        }
        meta
    }

    /// Runs every rule whose data the export has; `NotEvaluated` when none has. `params`
    /// (from a configuration) override the parameters' defaults.
    ///
    /// # Errors
    ///
    /// An unknown parameter, a parameter value of the wrong type, or the budget of
    /// [`eval::DEFAULT_BUDGET`] steps exceeded.
    pub fn evaluate(
        &self,
        model: &TenantModel,
        params: &BTreeMap<String, serde_json::Value>,
    ) -> Result<Outcome, EvalError> {
        self.evaluate_with_budget(model, params, eval::DEFAULT_BUDGET)
    }

    /// [`CompiledPolicy::evaluate`] with a budget of `budget` evaluation steps.
    ///
    /// # Errors
    ///
    /// As [`CompiledPolicy::evaluate`], with this budget.
    pub fn evaluate_with_budget(
        &self,
        model: &TenantModel,
        params: &BTreeMap<String, serde_json::Value>,
        budget: u64,
    ) -> Result<Outcome, EvalError> {
        let today = time::OffsetDateTime::now_utc().date();
        self.evaluate_on(model, params, budget, today)
    }

    /// [`CompiledPolicy::evaluate_with_budget`] on the run's date `today` (what `today()`
    /// returns).
    ///
    /// # Errors
    ///
    /// As [`CompiledPolicy::evaluate`], with this budget; a parameter used as a glob whose
    /// value is not one.
    pub fn evaluate_on(
        &self,
        model: &TenantModel,
        params: &BTreeMap<String, serde_json::Value>,
        budget: u64,
        today: time::Date,
    ) -> Result<Outcome, EvalError> {
        let mut values: Vec<Value> = self.meta.params.iter().map(|p| p.default.clone()).collect();
        for (name, v) in params {
            let Some(i) = self.meta.params.iter().position(|p| &p.name == name) else {
                return Err(EvalError::UnknownParam {
                    policy: self.meta.id.clone(),
                    param: name.clone(),
                });
            };
            let ty = self.param_types.get(i).unwrap_or(&Ty::Error);
            let value = json_to_value(v, ty).ok_or_else(|| EvalError::ParamType {
                policy: self.meta.id.clone(),
                param: name.clone(),
                ty: ty.to_string(),
                found: v.to_string(),
            })?;
            if let Some(slot) = values.get_mut(i) {
                *slot = value;
            }
        }
        let mut evaluator = eval::Evaluator {
            model,
            lets: &self.lets,
            frame: vec![None; self.slots],
            steps: 0,
            budget,
            policy: &self.meta.id,
            indexes: Default::default(),
            skip: Vec::new(),
            unknowns: Vec::new(),
            let_reads: vec![Vec::new(); self.lets.len()],
            undecided: Vec::new(),
            today: crate::base::dates::midnight(today),
            param_globs: Default::default(),
            absent_empty: self.requires_override.is_some(),
            partial_lists: None,
            quantified: Default::default(),
        };
        for (slot, v) in self.param_slots.iter().zip(&values) {
            if let Some(s) = evaluator.frame.get_mut(*slot) {
                *s = Some(eval::Val::from_value(v));
            }
        }
        let mut findings = Vec::new();
        let mut skipped: Vec<Skipped> = Vec::new();
        let mut ran = false;
        for (i, rule) in self.rules.iter().enumerate() {
            let requires = self.requires_override.as_deref().unwrap_or(&rule.requires);
            let skip = |entity: Option<String>, reason: String| Skipped {
                rule: i,
                label: rule.label.clone(),
                entity,
                reason,
            };
            // A collection read only as a quantifier's source may be absent (the quantifier is
            // unknown), unless `requires` names it.
            let absent = |c: &&str| {
                self.requires_override.is_none()
                    && rule.optional.contains(c)
                    && !model.collection(c).is_some_and(|c| c.present)
            };
            let requires: Vec<_> = requires
                .iter()
                .filter(|(c, _)| !absent(c))
                .copied()
                .collect();
            let over = match &rule.kind {
                ir::CRuleKind::For { bindings, .. } => match bindings.first() {
                    Some((_, CExpr::Collection(c) | CExpr::Lookup { collection: c, .. })) => {
                        Some(*c)
                    }
                    _ => None,
                },
                ir::CRuleKind::Assert { .. } => None,
            };
            // Records unlisted from the collection the rule goes over (pages of its list not
            // exported): the rule judges those there are, and is not evaluated for the rest. A
            // collection read only in quantifiers is judged by them (an `any` that finds one,
            // a count that is at least more than a bound).
            let judged: Vec<usize> = over
                .into_iter()
                .chain(
                    rule.optional
                        .iter()
                        .filter_map(|c| crate::model::schema::collection_index(c)),
                )
                .collect();
            let explicit = self.requires_override.is_some();
            if let Some(why) = model.missing_but(&requires, &judged, explicit) {
                skipped.push(skip(None, why));
                continue;
            }
            let unlisted = over
                .and_then(|c| model.collections.get(c))
                .filter(|c| c.partial.is_none())
                .and_then(|c| c.records_unlisted());
            if let Some(why) = unlisted {
                skipped.push(skip(None, why.to_string()));
            }
            // Incomplete data of single entities: a rule over that collection passes over
            // them; any other rule cannot be judged.
            let gaps = model.entity_gaps(&requires);
            // A gap's entity is its record's identity; reports name it `collection/identity`,
            // as a finding's entity.
            let entity = |c: usize, g: &crate::model::Gap| {
                let name = COLLECTIONS.get(c).map_or("?", |c| c.name);
                g.entity
                    .as_ref()
                    .map(|e| crate::model::entity_name(name, e))
            };
            if let Some((c, gap)) = gaps.iter().find(|(c, _)| Some(*c) != over) {
                skipped.push(skip(entity(*c, gap), gap.reason.clone()));
                continue;
            }
            evaluator.skip = gaps.iter().filter_map(|(_, g)| g.entity.clone()).collect();
            skipped.extend(
                gaps.iter()
                    .map(|(c, g)| skip(entity(*c, g), g.reason.clone())),
            );
            evaluator.rule(rule, i, &mut findings)?;
            let mut whole = false;
            for u in std::mem::take(&mut evaluator.undecided) {
                whole |= u.entity.is_none();
                skipped.push(skip(u.entity, unknown_reason(model, &u.read)));
            }
            ran |= !whole;
        }
        Ok(match (ran, skipped.is_empty()) {
            (_, true) => Outcome::Findings(findings),
            (true, false) => Outcome::Partial(findings, skipped),
            (false, false) => Outcome::NotEvaluated(
                skipped
                    .into_iter()
                    .next()
                    .map(|s| s.reason)
                    .unwrap_or_default(),
            ),
        })
    }
}
