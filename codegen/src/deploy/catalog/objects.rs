//! Schemas, sequences, Service Broker objects, roles with their
//! permissions, and the tenant security policy: the queries and rows, and
//! the [`LiveObjects`] they make.

use super::{CatalogError, CatalogRows, catalog_declared, catalog_span};
use crate::deploy::objects::{
    LiveMessageType, LiveObjects, LivePolicy, LivePredicate, LiveQueue, LiveSchema, LiveService,
    permission, predicate_call,
};
use crate::model::{
    Activation, ContractDef, PermissionTarget, QualifiedName, QueueDef, RoleDef, SentBy,
    SequenceCache, SequenceDef, SqlType,
};
use crate::quote_sql::parse_multipart;
use serde::{Deserialize, Serialize};

/// User schemas (not dbo, guest, sys, INFORMATION_SCHEMA or the fixed
/// roles' schemas) and their owners.
pub const SCHEMAS: &str = "SELECT s.name AS schema_name, p.name AS owner_name \
FROM sys.schemas AS s \
JOIN sys.database_principals AS p ON p.principal_id = s.principal_id \
WHERE s.schema_id > 4 AND s.schema_id < 16384 \
ORDER BY s.name;";

/// Sequences; their sql_variant values as decimal text.
pub const SEQUENCES: &str = "SELECT s.name AS schema_name, q.name AS sequence_name, ty.name AS type_name, \
CAST(q.precision AS INT) AS precision, \
CAST(CAST(q.start_value AS DECIMAL(38, 0)) AS NVARCHAR(40)) AS start_value, \
CAST(CAST(q.increment AS DECIMAL(38, 0)) AS NVARCHAR(40)) AS increment, \
CAST(CAST(q.minimum_value AS DECIMAL(38, 0)) AS NVARCHAR(40)) AS minimum_value, \
CAST(CAST(q.maximum_value AS DECIMAL(38, 0)) AS NVARCHAR(40)) AS maximum_value, \
q.is_cycling, q.is_cached, q.cache_size \
FROM sys.sequences AS q \
JOIN sys.schemas AS s ON s.schema_id = q.schema_id \
JOIN sys.types AS ty ON ty.user_type_id = q.user_type_id \
WHERE q.is_ms_shipped = 0 \
ORDER BY s.name, q.name;";

/// Message types other than SQL Server's own.
pub const MESSAGE_TYPES: &str = "SELECT m.name AS message_type_name, CAST(m.validation AS NVARCHAR(2)) AS validation, \
CAST(CASE WHEN m.xml_collection_id IS NULL THEN 0 ELSE 1 END AS BIT) AS has_schema_collection \
FROM sys.service_message_types AS m \
WHERE m.name <> N'DEFAULT' AND m.name NOT LIKE N'http://schemas.microsoft.com/SQL/%' \
ORDER BY m.name;";

/// Contracts other than SQL Server's own, one row per message type.
pub const CONTRACTS: &str = "SELECT c.name AS contract_name, m.name AS message_type_name, \
u.is_sent_by_initiator, u.is_sent_by_target \
FROM sys.service_contracts AS c \
JOIN sys.service_contract_message_usages AS u ON u.service_contract_id = c.service_contract_id \
JOIN sys.service_message_types AS m ON m.message_type_id = u.message_type_id \
WHERE c.name <> N'DEFAULT' AND c.name NOT LIKE N'http://schemas.microsoft.com/SQL/%' \
ORDER BY c.name, m.name;";

/// User queues. `execute_as_principal_id` -2 is `EXECUTE AS OWNER`.
pub const QUEUES: &str = "SELECT s.name AS schema_name, q.name AS queue_name, q.is_activation_enabled, \
q.activation_procedure, CAST(q.max_readers AS INT) AS max_readers, q.execute_as_principal_id, \
q.is_poison_message_handling_enabled, q.is_retention_enabled, \
CAST(CASE WHEN q.is_receive_enabled = 1 AND q.is_enqueue_enabled = 1 THEN 1 ELSE 0 END AS BIT) AS is_enabled \
FROM sys.service_queues AS q \
JOIN sys.schemas AS s ON s.schema_id = q.schema_id \
WHERE q.is_ms_shipped = 0 \
ORDER BY s.name, q.name;";

/// Services on user queues, one row per contract (NULL when none).
pub const SERVICES: &str = "SELECT sv.name AS service_name, s.name AS queue_schema, q.name AS queue_name, \
c.name AS contract_name \
FROM sys.services AS sv \
JOIN sys.service_queues AS q ON q.object_id = sv.service_queue_id \
JOIN sys.schemas AS s ON s.schema_id = q.schema_id \
LEFT JOIN sys.service_contract_usages AS u ON u.service_id = sv.service_id \
LEFT JOIN sys.service_contracts AS c ON c.service_contract_id = u.service_contract_id \
WHERE q.is_ms_shipped = 0 \
ORDER BY sv.name, c.name;";

/// User roles and their permissions on objects and schemas (one row per
/// permission; NULLs for a role without any). Column permissions and
/// database-wide ones are not the source's business and are left out.
pub const ROLES: &str = "SELECT r.name AS role_name, CAST(p.state AS NVARCHAR(1)) AS state, \
p.permission_name, \
CASE p.class WHEN 1 THEN OBJECT_SCHEMA_NAME(p.major_id) WHEN 3 THEN SCHEMA_NAME(p.major_id) END AS target_schema, \
CASE p.class WHEN 1 THEN OBJECT_NAME(p.major_id) END AS target_name \
FROM sys.database_principals AS r \
LEFT JOIN sys.database_permissions AS p ON p.grantee_principal_id = r.principal_id \
AND p.class IN (1, 3) AND p.minor_id = 0 AND p.state IN ('G', 'W', 'D') \
WHERE r.type = 'R' AND r.is_fixed_role = 0 AND r.name <> N'public' \
ORDER BY r.name, target_schema, target_name, p.permission_name;";

/// The tenant policy's predicates (one row per predicate).
pub const TENANT_POLICY: &str = "SELECT sp.is_enabled, sp.is_schema_bound, ts.name AS table_schema, \
t.name AS table_name, pr.predicate_definition, pr.predicate_type_desc, pr.operation_desc \
FROM sys.security_policies AS sp \
JOIN sys.schemas AS ps ON ps.schema_id = sp.schema_id \
LEFT JOIN sys.security_predicates AS pr ON pr.object_id = sp.object_id \
LEFT JOIN sys.objects AS t ON t.object_id = pr.target_object_id \
LEFT JOIN sys.schemas AS ts ON ts.schema_id = t.schema_id \
WHERE ps.name = N'security' AND sp.name = N'TenantIsolationPolicy' \
ORDER BY ts.name, t.name, pr.security_predicate_id;";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SchemaRow {
    pub name: String,
    pub owner: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SequenceRow {
    pub schema: String,
    pub name: String,
    pub type_name: String,
    pub precision: i32,
    /// Decimal text, as the query casts the sql_variant values.
    pub start: String,
    pub increment: String,
    pub minimum: Option<String>,
    pub maximum: Option<String>,
    pub cycling: bool,
    pub cached: bool,
    pub cache_size: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessageTypeRow {
    pub name: String,
    /// `N`, `E` or `X`.
    pub validation: String,
    pub has_schema_collection: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContractRow {
    pub name: String,
    pub message_type: String,
    pub sent_by_initiator: bool,
    pub sent_by_target: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct QueueRow {
    pub schema: String,
    pub name: String,
    pub activation_enabled: bool,
    /// Three-part name, `[db].[dbo].[sp_Learn]`.
    pub activation_procedure: Option<String>,
    pub max_readers: i32,
    pub execute_as_principal_id: Option<i32>,
    pub poison_message_handling: bool,
    pub retention: bool,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceRow {
    pub name: String,
    pub queue_schema: String,
    pub queue: String,
    pub contract: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RoleRow {
    pub role: String,
    /// `G`, `W` (grant with grant option) or `D`; `None` for a role
    /// without permissions.
    pub state: Option<String>,
    pub permission: Option<String>,
    pub target_schema: Option<String>,
    /// `None` for a schema permission.
    pub target_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PolicyRow {
    pub enabled: bool,
    pub schema_bound: bool,
    pub table_schema: Option<String>,
    pub table: Option<String>,
    pub predicate: Option<String>,
    /// `FILTER` or `BLOCK`.
    pub predicate_type: Option<String>,
    pub operation: Option<String>,
}

fn number(object: &str, what: &str, text: &str) -> Result<i64, CatalogError> {
    text.trim().parse().map_err(|_| CatalogError {
        object: object.to_string(),
        message: format!("{what} `{text}` is beyond the 64-bit range codegen models for sequences"),
    })
}

fn sequence(row: &SequenceRow) -> Result<SequenceDef, CatalogError> {
    let object = format!("sequence {}.{}", row.schema, row.name);
    let sql_type = match row.type_name.to_lowercase().as_str() {
        "tinyint" => SqlType::TinyInt,
        "smallint" => SqlType::SmallInt,
        "int" => SqlType::Int,
        "bigint" => SqlType::BigInt,
        "decimal" | "numeric" => SqlType::Decimal {
            precision: row.precision.clamp(1, 38) as u8,
            scale: 0,
        },
        other => {
            return Err(CatalogError {
                object,
                message: format!("a sequence of type `{other}`, which codegen does not model"),
            });
        }
    };
    let optional = |what: &str, text: &Option<String>| {
        text.as_deref()
            .map(|t| number(&object, what, t))
            .transpose()
    };
    Ok(SequenceDef {
        name: QualifiedName {
            schema: row.schema.clone(),
            name: row.name.clone(),
        },
        sql_type,
        start: number(&object, "start value", &row.start)?,
        increment: number(&object, "increment", &row.increment)?,
        min: optional("minimum", &row.minimum)?,
        max: optional("maximum", &row.maximum)?,
        cycle: row.cycling,
        cache: match (row.cached, row.cache_size) {
            (false, _) => SequenceCache::None,
            (true, None) => SequenceCache::Default,
            (true, Some(n)) => SequenceCache::Size(n.max(0) as u32),
        },
        declared: catalog_declared(&row.name),
    })
}

fn queue(row: &QueueRow) -> Result<LiveQueue, CatalogError> {
    let activation = match (&row.activation_procedure, row.activation_enabled) {
        (Some(procedure), true) => {
            let parts = parse_multipart(procedure).filter(|p| p.len() >= 2);
            let Some(parts) = parts else {
                return Err(CatalogError {
                    object: format!("queue {}.{}", row.schema, row.name),
                    message: format!("activation procedure `{procedure}` is not a qualified name"),
                });
            };
            Some(Activation {
                procedure: QualifiedName {
                    schema: parts[parts.len() - 2].clone(),
                    name: parts[parts.len() - 1].clone(),
                },
                max_readers: row.max_readers.clamp(0, i32::from(u16::MAX)) as u16,
                execute_as_owner: row.execute_as_principal_id == Some(-2),
                span: catalog_span(),
            })
        }
        _ => None,
    };
    Ok(LiveQueue {
        queue: QueueDef {
            name: QualifiedName {
                schema: row.schema.clone(),
                name: row.name.clone(),
            },
            activation,
            poison_message_handling: row.poison_message_handling,
            service: None,
            declared: catalog_declared(&row.name),
        },
        enabled: row.enabled,
        retention: row.retention,
    })
}

/// The objects the rows describe (codegen's own history schema left out).
pub fn build_objects(rows: &CatalogRows) -> Result<LiveObjects, CatalogError> {
    let mut live = LiveObjects {
        schemas: rows
            .schemas
            .iter()
            .filter(|s| !s.name.eq_ignore_ascii_case(crate::deploy::HISTORY_SCHEMA))
            .map(|s| LiveSchema {
                name: s.name.clone(),
                owner: Some(s.owner.clone()),
            })
            .collect(),
        sequences: rows
            .sequences
            .iter()
            .map(sequence)
            .collect::<Result<_, _>>()?,
        message_types: rows
            .message_types
            .iter()
            .map(|m| LiveMessageType {
                name: m.name.clone(),
                validation: match (m.validation.trim(), m.has_schema_collection) {
                    ("E", _) => "EMPTY",
                    ("X", false) => "WELL_FORMED_XML",
                    ("X", true) => "VALID_XML",
                    _ => "NONE",
                }
                .into(),
            })
            .collect(),
        queues: rows.queues.iter().map(queue).collect::<Result<_, _>>()?,
        ..LiveObjects::default()
    };
    for row in &rows.contracts {
        let sent_by = match (row.sent_by_initiator, row.sent_by_target) {
            (true, true) => SentBy::Any,
            (false, true) => SentBy::Target,
            _ => SentBy::Initiator,
        };
        match live.contracts.iter_mut().find(|c| c.name == row.name) {
            Some(c) => c.messages.push((row.message_type.clone(), sent_by)),
            None => live.contracts.push(ContractDef {
                name: row.name.clone(),
                messages: vec![(row.message_type.clone(), sent_by)],
                declared: catalog_declared(&row.name),
            }),
        }
    }
    for row in &rows.services {
        let service = match live.services.iter_mut().position(|s| s.name == row.name) {
            Some(i) => &mut live.services[i],
            None => {
                live.services.push(LiveService {
                    name: row.name.clone(),
                    queue: QualifiedName {
                        schema: row.queue_schema.clone(),
                        name: row.queue.clone(),
                    },
                    contracts: Vec::new(),
                });
                live.services.last_mut().expect("just pushed")
            }
        };
        service.contracts.extend(row.contract.clone());
    }
    for row in &rows.roles {
        let role = match live.roles.iter_mut().position(|r| r.name == row.role) {
            Some(i) => &mut live.roles[i],
            None => {
                live.roles.push(RoleDef {
                    name: row.role.clone(),
                    permissions: Vec::new(),
                    declared: catalog_declared(&row.role),
                });
                live.roles.last_mut().expect("just pushed")
            }
        };
        let (Some(state), Some(name), Some(schema)) =
            (&row.state, &row.permission, &row.target_schema)
        else {
            continue;
        };
        let target = match &row.target_name {
            Some(object) => PermissionTarget::Object(QualifiedName {
                schema: schema.clone(),
                name: object.clone(),
            }),
            None => PermissionTarget::Schema(schema.clone()),
        };
        role.permissions
            .push(permission(state.trim() == "D", name, target));
    }
    if let Some(first) = rows.tenant_policy.first() {
        let mut policy = LivePolicy {
            enabled: first.enabled,
            schema_bound: first.schema_bound,
            predicates: Default::default(),
        };
        for row in &rows.tenant_policy {
            let (Some(schema), Some(table), Some(call), Some(kind)) = (
                &row.table_schema,
                &row.table,
                &row.predicate,
                &row.predicate_type,
            ) else {
                continue;
            };
            policy.predicates.insert(LivePredicate {
                table: format!("{schema}.{table}").to_lowercase(),
                call: predicate_call(call),
                kind: kind.to_uppercase(),
                operation: row.operation.clone().unwrap_or_default().to_uppercase(),
            });
        }
        live.tenant_policy = Some(policy);
    }
    Ok(live)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_query_names_the_policy_codegen_makes() {
        assert!(TENANT_POLICY.contains(&format!("ps.name = N'{}'", crate::model::SECURITY_SCHEMA)));
        assert!(TENANT_POLICY.contains(&format!("sp.name = N'{}'", crate::emit::TENANT_POLICY)));
    }

    #[test]
    fn a_sequence_value_beyond_64_bits_is_named() {
        let row = SequenceRow {
            schema: "dbo".into(),
            name: "Huge".into(),
            type_name: "decimal".into(),
            precision: 38,
            start: "1".into(),
            increment: "1".into(),
            maximum: Some("99999999999999999999999999999999999999".into()),
            cached: true,
            ..SequenceRow::default()
        };
        let e = sequence(&row).unwrap_err();
        assert_eq!(e.object, "sequence dbo.Huge");
        assert!(e.message.contains("maximum `9999"), "{e}");
    }

    #[test]
    fn an_activation_procedure_is_read_from_its_three_part_name() {
        let row = QueueRow {
            schema: "dbo".into(),
            name: "Q".into(),
            activation_enabled: true,
            activation_procedure: Some("[Hartonomous].[dbo].[sp_Learn]".into()),
            max_readers: 2,
            execute_as_principal_id: Some(-2),
            enabled: true,
            ..QueueRow::default()
        };
        let q = queue(&row).unwrap();
        let a = q.queue.activation.unwrap();
        assert_eq!(a.procedure.to_string(), "dbo.sp_Learn");
        assert!(a.execute_as_owner);
        assert_eq!(a.max_readers, 2);
        let bad = QueueRow {
            activation_procedure: Some("[unclosed".into()),
            ..row
        };
        assert!(queue(&bad).unwrap_err().message.contains("[unclosed"));
    }
}
