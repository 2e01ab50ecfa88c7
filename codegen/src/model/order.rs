//! The order objects are created in: every object after what it depends on
//! (its schema, referenced tables, functions its computed columns call, the
//! predicate a policy uses, a queue's activation procedure, ...), ties broken
//! by kind and then name so the order never depends on source order.

use super::expression::{called_functions, next_value_sequences};
use super::{GraphKind, Model, PermissionTarget, QualifiedName, RoutineKind, Tenancy};
use crate::diagnostics::SourceSpan;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Where tenant row-level security lives.
pub const SECURITY_SCHEMA: &str = "security";

/// One created object. The variant order is the tie-break between kinds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKey {
    Schema(String),
    Sequence(QualifiedName),
    MessageType(String),
    Contract(String),
    /// The CLR assembly the native routines are bound to.
    Assembly(String),
    /// Scalar functions, then table-valued functions, then procedures.
    Routine(u8, QualifiedName),
    /// A user-defined aggregate (CLR).
    Aggregate(QualifiedName),
    Table(QualifiedName),
    VectorIndex(QualifiedName, String),
    View(QualifiedName),
    ViewIndex(QualifiedName, String),
    TenantPredicate,
    TenantPolicy,
    Companion(QualifiedName),
    Queue(QualifiedName),
    Service(String),
    Role(String),
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectKey::Schema(s) => write!(f, "schema {s}"),
            ObjectKey::Sequence(n) => write!(f, "sequence {n}"),
            ObjectKey::MessageType(n) => write!(f, "message type {n}"),
            ObjectKey::Contract(n) => write!(f, "contract {n}"),
            ObjectKey::Assembly(n) => write!(f, "assembly {n}"),
            ObjectKey::Routine(3, n) => write!(f, "procedure {n}"),
            ObjectKey::Routine(_, n) => write!(f, "function {n}"),
            ObjectKey::Aggregate(n) => write!(f, "aggregate {n}"),
            ObjectKey::Table(n) => write!(f, "table {n}"),
            ObjectKey::VectorIndex(t, i) => write!(f, "vector index {i} on {t}"),
            ObjectKey::View(n) => write!(f, "view {n}"),
            ObjectKey::ViewIndex(v, i) => write!(f, "index {i} on view {v}"),
            ObjectKey::TenantPredicate => write!(f, "tenant predicate function"),
            ObjectKey::TenantPolicy => write!(f, "tenant security policy"),
            ObjectKey::Companion(n) => write!(f, "companion {n}"),
            ObjectKey::Queue(n) => write!(f, "queue {n}"),
            ObjectKey::Service(n) => write!(f, "service {n}"),
            ObjectKey::Role(n) => write!(f, "role {n}"),
        }
    }
}

impl ObjectKey {
    /// What kind of object, as reports count them.
    pub fn kind_name(&self) -> &'static str {
        match self {
            ObjectKey::Schema(_) => "schema",
            ObjectKey::Sequence(_) => "sequence",
            ObjectKey::MessageType(_) => "message type",
            ObjectKey::Contract(_) => "contract",
            ObjectKey::Assembly(_) => "assembly",
            ObjectKey::Routine(3, _) => "procedure",
            ObjectKey::Routine(..) => "function",
            ObjectKey::Aggregate(_) => "aggregate",
            ObjectKey::Table(_) => "table",
            ObjectKey::VectorIndex(..) => "vector index",
            ObjectKey::View(_) => "view",
            ObjectKey::ViewIndex(..) => "view index",
            ObjectKey::TenantPredicate => "tenant predicate",
            ObjectKey::TenantPolicy => "tenant policy",
            ObjectKey::Companion(_) => "companion",
            ObjectKey::Queue(_) => "queue",
            ObjectKey::Service(_) => "service",
            ObjectKey::Role(_) => "role",
        }
    }

    /// The kind's place in the tie-break.
    fn rank(&self) -> u8 {
        match self {
            ObjectKey::Schema(_) => 0,
            ObjectKey::Sequence(_) => 1,
            ObjectKey::MessageType(_) => 2,
            ObjectKey::Contract(_) => 3,
            ObjectKey::Assembly(_) => 4,
            ObjectKey::Routine(rank, _) => 4 + rank,
            ObjectKey::Aggregate(_) => 7,
            ObjectKey::Table(_) => 8,
            ObjectKey::VectorIndex(..) => 9,
            ObjectKey::View(_) => 9,
            ObjectKey::ViewIndex(..) => 9,
            ObjectKey::TenantPredicate => 10,
            ObjectKey::TenantPolicy => 11,
            ObjectKey::Companion(_) => 12,
            ObjectKey::Queue(_) => 13,
            ObjectKey::Service(_) => 14,
            ObjectKey::Role(_) => 15,
        }
    }
}

/// Scalar function 1, table-valued function 2, procedure 3.
pub fn routine_rank(kind: &RoutineKind) -> u8 {
    match kind {
        RoutineKind::ScalarFunction { .. } => 1,
        RoutineKind::TableFunction { .. } => 2,
        RoutineKind::Procedure { .. } => 3,
    }
}

/// Every schema objects live in, declared or only used, sorted; `dbo`
/// included (it always exists and is never created).
pub fn used_schemas(model: &Model) -> Vec<String> {
    let mut schemas: BTreeMap<String, String> = BTreeMap::new();
    let mut add = |s: &str| {
        schemas
            .entry(s.to_lowercase())
            .or_insert_with(|| s.to_string());
    };
    add("dbo");
    for s in &model.schemas {
        add(&s.name);
    }
    for r in &model.routines {
        add(&r.name.schema);
    }
    for a in &model.aggregates {
        add(&a.name.schema);
    }
    for t in &model.tables {
        add(&t.name.schema);
    }
    for s in &model.sequences {
        add(&s.name.schema);
    }
    for v in &model.views {
        add(&v.name.schema);
    }
    for q in &model.queues {
        add(&q.name.schema);
    }
    if model
        .tables
        .iter()
        .any(|t| matches!(t.tenancy, Tenancy::Column(_)))
    {
        add(SECURITY_SCHEMA);
    }
    schemas.into_values().collect()
}

/// Each object with the objects it needs created first. Names the model
/// does not declare are left out: the rules report them.
///
/// A T-SQL body's `EXEC` of another procedure orders the callee first; SQL
/// Server resolves those calls at run time, so [`deploy_order`] drops them
/// where they close a cycle (mutual recursion).
pub fn dependencies(model: &Model) -> BTreeMap<ObjectKey, BTreeSet<ObjectKey>> {
    let mut graph: BTreeMap<ObjectKey, BTreeSet<ObjectKey>> = BTreeMap::new();
    let schemas = used_schemas(model);
    // A schema's key is its first spelling, whatever case others use.
    let schema_key = |schema: &str| -> Option<ObjectKey> {
        schemas
            .iter()
            .find(|s| s.eq_ignore_ascii_case(schema) && !s.eq_ignore_ascii_case("dbo"))
            .map(|s| ObjectKey::Schema(s.clone()))
    };
    let find = |name: &QualifiedName| -> Option<ObjectKey> {
        let key = name.collision_key();
        if let Some(t) = model.tables.iter().find(|t| t.name.collision_key() == key) {
            return Some(ObjectKey::Table(t.name.clone()));
        }
        if let Some(r) = model
            .routines
            .iter()
            .find(|r| r.name.collision_key() == key)
        {
            return Some(ObjectKey::Routine(routine_rank(&r.kind), r.name.clone()));
        }
        if let Some(a) = model
            .aggregates
            .iter()
            .find(|a| a.name.collision_key() == key)
        {
            return Some(ObjectKey::Aggregate(a.name.clone()));
        }
        if let Some(s) = model
            .sequences
            .iter()
            .find(|s| s.name.collision_key() == key)
        {
            return Some(ObjectKey::Sequence(s.name.clone()));
        }
        if let Some(q) = model.queues.iter().find(|q| q.name.collision_key() == key) {
            return Some(ObjectKey::Queue(q.name.clone()));
        }
        if let Some(v) = model.views.iter().find(|v| v.name.collision_key() == key) {
            return Some(ObjectKey::View(v.name.clone()));
        }
        model
            .routines
            .iter()
            .filter_map(super::builtin::companion_name)
            .find(|c| c.collision_key() == key)
            .map(ObjectKey::Companion)
    };

    for schema in &schemas {
        if let Some(key) = schema_key(schema) {
            graph.entry(key).or_default();
        }
    }
    for routine in &model.routines {
        let key = ObjectKey::Routine(routine_rank(&routine.kind), routine.name.clone());
        // A T-SQL body needs the tables, functions and sequences it names
        // (procedures and queues resolve late: a queue's activation
        // procedure may receive from it).
        let mut body_deps = BTreeSet::new();
        if let Some(body) = &routine.body {
            body_deps = body_dependencies(&body.text, &routine.name.schema, &find);
            body_deps.remove(&key);
        }
        let deps = graph.entry(key.clone()).or_default();
        deps.extend(body_deps);
        deps.extend(schema_key(&routine.name.schema));
        if let Some(companion) = super::builtin::companion_name(routine) {
            let deps = graph
                .entry(ObjectKey::Companion(companion.clone()))
                .or_default();
            deps.insert(key);
            deps.extend(schema_key(&companion.schema));
        }
    }
    for aggregate in &model.aggregates {
        graph
            .entry(ObjectKey::Aggregate(aggregate.name.clone()))
            .or_default()
            .extend(schema_key(&aggregate.name.schema));
    }
    for view in &model.views {
        let key = ObjectKey::View(view.name.clone());
        let mut deps: BTreeSet<ObjectKey> = schema_key(&view.name.schema).into_iter().collect();
        deps.extend(body_dependencies(&view.body.text, &view.name.schema, &find));
        deps.remove(&key);
        for index in &view.indexes {
            graph
                .entry(ObjectKey::ViewIndex(view.name.clone(), index.name.clone()))
                .or_default()
                .insert(key.clone());
        }
        graph.entry(key).or_default().extend(deps);
    }
    for sequence in &model.sequences {
        graph
            .entry(ObjectKey::Sequence(sequence.name.clone()))
            .or_default()
            .extend(schema_key(&sequence.name.schema));
    }
    let mut tenant_tables = Vec::new();
    for table in &model.tables {
        let key = ObjectKey::Table(table.name.clone());
        let mut deps: BTreeSet<ObjectKey> = schema_key(&table.name.schema).into_iter().collect();
        for fk in &table.foreign_keys {
            deps.extend(find(&fk.references));
        }
        if let GraphKind::Edge { connections, .. } = &table.graph {
            for c in connections {
                deps.extend(find(&c.from));
                deps.extend(find(&c.to));
            }
        }
        let expressions = table
            .columns
            .iter()
            .flat_map(|c| {
                c.computed
                    .iter()
                    .map(|d| d.expression.as_str())
                    .chain(c.default.iter().map(|d| d.expression.as_str()))
            })
            .chain(table.checks.iter().map(|c| c.expression.as_str()));
        for text in expressions {
            for called in called_functions(text) {
                deps.extend(find(&called));
            }
            for sequence in next_value_sequences(text, &table.name.schema) {
                deps.extend(find(&sequence));
            }
        }
        deps.remove(&key);
        for index in &table.vector_indexes {
            graph
                .entry(ObjectKey::VectorIndex(
                    table.name.clone(),
                    index.name.clone(),
                ))
                .or_default()
                .insert(key.clone());
        }
        if matches!(table.tenancy, Tenancy::Column(_)) {
            tenant_tables.push(key.clone());
        }
        graph.entry(key).or_default().extend(deps);
    }
    if !tenant_tables.is_empty() {
        graph
            .entry(ObjectKey::TenantPredicate)
            .or_default()
            .extend(schema_key(SECURITY_SCHEMA));
        let policy = graph.entry(ObjectKey::TenantPolicy).or_default();
        policy.insert(ObjectKey::TenantPredicate);
        policy.extend(tenant_tables);
    }
    for message in &model.message_types {
        graph
            .entry(ObjectKey::MessageType(message.name.clone()))
            .or_default();
    }
    for contract in &model.contracts {
        let deps = graph
            .entry(ObjectKey::Contract(contract.name.clone()))
            .or_default();
        for (message, _) in &contract.messages {
            if let Some(m) = model
                .message_types
                .iter()
                .find(|m| m.name.eq_ignore_ascii_case(message))
            {
                deps.insert(ObjectKey::MessageType(m.name.clone()));
            }
        }
    }
    for queue in &model.queues {
        let key = ObjectKey::Queue(queue.name.clone());
        let mut deps: BTreeSet<ObjectKey> = schema_key(&queue.name.schema).into_iter().collect();
        if let Some(a) = &queue.activation {
            deps.extend(find(&a.procedure));
        }
        if let Some(service) = &queue.service {
            let service_deps = graph
                .entry(ObjectKey::Service(service.name.clone()))
                .or_default();
            service_deps.insert(key.clone());
            for contract in &service.contracts {
                if let Some(c) = model
                    .contracts
                    .iter()
                    .find(|c| c.name.eq_ignore_ascii_case(contract))
                {
                    service_deps.insert(ObjectKey::Contract(c.name.clone()));
                }
            }
        }
        graph.entry(key).or_default().extend(deps);
    }
    for role in &model.roles {
        let mut deps = BTreeSet::new();
        for p in &role.permissions {
            match &p.target {
                PermissionTarget::Schema(s) => deps.extend(schema_key(s)),
                PermissionTarget::Object(name) => {
                    let history_owner = model.tables.iter().find(|t| {
                        t.temporal
                            .as_ref()
                            .is_some_and(|h| h.history.collision_key() == name.collision_key())
                    });
                    match history_owner {
                        Some(t) => {
                            deps.insert(ObjectKey::Table(t.name.clone()));
                        }
                        None => deps.extend(find(name)),
                    }
                }
            }
        }
        graph
            .entry(ObjectKey::Role(role.name.clone()))
            .or_default()
            .extend(deps);
    }
    graph
}

/// What a T-SQL body (of a routine or view in `schema`) needs created first:
/// the tables, views, functions and sequences it names, and the procedures
/// it executes. Names the model does not declare are left out.
fn body_dependencies(
    text: &str,
    schema: &str,
    find: &dyn Fn(&QualifiedName) -> Option<ObjectKey>,
) -> BTreeSet<ObjectKey> {
    let refs = crate::tsql::references::references(text);
    let in_schema = |parts: &[String]| match parts {
        [name] => Some(QualifiedName {
            schema: schema.to_string(),
            name: name.clone(),
        }),
        [schema, name] => Some(QualifiedName {
            schema: schema.clone(),
            name: name.clone(),
        }),
        _ => None,
    };
    let is_procedure = |k: &ObjectKey| matches!(k, ObjectKey::Routine(3, _));
    let mut deps = BTreeSet::new();
    let named = refs
        .tables
        .iter()
        .chain(refs.calls.iter().map(|(c, _)| c))
        .chain(refs.sequences.iter());
    for name in named.filter_map(|n| in_schema(&n.parts)) {
        deps.extend(find(&name).filter(|k| !is_procedure(k)));
    }
    for name in refs.procedures.iter().filter_map(|n| in_schema(&n.parts)) {
        deps.extend(find(&name).filter(is_procedure));
    }
    deps
}

/// The deploy order, or the objects along a dependency cycle (first object
/// repeated at the end).
pub fn deploy_order(model: &Model) -> Result<Vec<ObjectKey>, Vec<ObjectKey>> {
    let mut graph = dependencies(model);
    loop {
        match order_of(&graph) {
            Ok(order) => return Ok(order),
            // Procedures calling each other (mutual recursion): SQL Server
            // resolves those calls at run time, so drop them and go on.
            Err(cycle) if cycle.iter().all(|k| matches!(k, ObjectKey::Routine(3, _))) => {
                for pair in cycle.windows(2) {
                    if let Some(deps) = graph.get_mut(&pair[0]) {
                        deps.remove(&pair[1]);
                    }
                }
            }
            Err(cycle) => return Err(cycle),
        }
    }
}

fn order_of(
    graph: &BTreeMap<ObjectKey, BTreeSet<ObjectKey>>,
) -> Result<Vec<ObjectKey>, Vec<ObjectKey>> {
    // Sort key: kind, then name as SQL Server compares, then exact name.
    let sort_key = |k: &ObjectKey| (k.rank(), k.to_string().to_lowercase(), k.clone());
    let mut remaining: BTreeMap<ObjectKey, BTreeSet<ObjectKey>> = graph
        .iter()
        .map(|(k, deps)| {
            (
                k.clone(),
                deps.iter()
                    .filter(|d| graph.contains_key(*d))
                    .cloned()
                    .collect(),
            )
        })
        .collect();
    let mut ready: BTreeSet<_> = remaining
        .iter()
        .filter(|(_, deps)| deps.is_empty())
        .map(|(k, _)| sort_key(k))
        .collect();
    let mut order = Vec::with_capacity(graph.len());
    while let Some(next) = ready.pop_first() {
        let key = next.2;
        remaining.remove(&key);
        for (other, deps) in remaining.iter_mut() {
            if deps.remove(&key) && deps.is_empty() {
                ready.insert(sort_key(other));
            }
        }
        order.push(key);
    }
    if remaining.is_empty() {
        return Ok(order);
    }
    Err(find_cycle(&remaining))
}

fn find_cycle(remaining: &BTreeMap<ObjectKey, BTreeSet<ObjectKey>>) -> Vec<ObjectKey> {
    // Every remaining object waits on another remaining one, so walking
    // dependencies from any of them must revisit an object.
    let mut path: Vec<ObjectKey> = Vec::new();
    let mut current = remaining.keys().next().expect("a cycle remains").clone();
    loop {
        if let Some(start) = path.iter().position(|p| *p == current) {
            let mut cycle = path[start..].to_vec();
            cycle.push(current);
            return cycle;
        }
        path.push(current.clone());
        current = remaining[&current]
            .iter()
            .next()
            .expect("remaining objects wait on another")
            .clone();
    }
}

/// Where an object is declared, for diagnostics.
pub fn span_of(model: &Model, key: &ObjectKey) -> Option<SourceSpan> {
    let same = |a: &QualifiedName, b: &QualifiedName| a.collision_key() == b.collision_key();
    match key {
        ObjectKey::Table(n) | ObjectKey::VectorIndex(n, _) => model
            .tables
            .iter()
            .find(|t| same(&t.name, n))
            .map(|t| t.span.clone()),
        ObjectKey::Routine(_, n) => model
            .routines
            .iter()
            .find(|r| same(&r.name, n))
            .map(|r| r.span.clone()),
        ObjectKey::Aggregate(n) => model
            .aggregates
            .iter()
            .find(|a| same(&a.name, n))
            .map(|a| a.span.clone()),
        ObjectKey::Sequence(n) => model
            .sequences
            .iter()
            .find(|s| same(&s.name, n))
            .map(|s| s.declared.span.clone()),
        ObjectKey::View(n) | ObjectKey::ViewIndex(n, _) => model
            .views
            .iter()
            .find(|v| same(&v.name, n))
            .map(|v| v.declared.span.clone()),
        ObjectKey::Queue(n) => model
            .queues
            .iter()
            .find(|q| same(&q.name, n))
            .map(|q| q.declared.span.clone()),
        ObjectKey::Contract(n) => model
            .contracts
            .iter()
            .find(|c| c.name == *n)
            .map(|c| c.declared.span.clone()),
        ObjectKey::Role(n) => model
            .roles
            .iter()
            .find(|r| r.name == *n)
            .map(|r| r.declared.span.clone()),
        _ => None,
    }
}
