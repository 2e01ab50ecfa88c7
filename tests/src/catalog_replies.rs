//! The catalog reader's queries answered by the TDS responder: each query's
//! columns typed as the query casts them, with canned rows.

use crate::tds::{Cell, ResultSet, TdsType};

const NAME: TdsType = TdsType::NVarChar(128);
const TEXT: TdsType = TdsType::NVarChar(4000);

pub fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// Rows for each catalog query; an empty database by default.
#[derive(Debug, Clone, Default)]
pub struct CannedCatalog {
    pub columns: Vec<Vec<Cell>>,
    pub keys: Vec<Vec<Cell>>,
    pub foreign_keys: Vec<Vec<Cell>>,
    pub checks: Vec<Vec<Cell>>,
    pub indexes: Vec<Vec<Cell>>,
    pub temporal: Vec<Vec<Cell>>,
    pub last_deployment: Vec<Vec<Cell>>,
    pub modules: Vec<Vec<Cell>>,
    pub schemas: Vec<Vec<Cell>>,
    pub sequences: Vec<Vec<Cell>>,
    pub message_types: Vec<Vec<Cell>>,
    pub contracts: Vec<Vec<Cell>>,
    pub queues: Vec<Vec<Cell>>,
    pub services: Vec<Vec<Cell>>,
    pub roles: Vec<Vec<Cell>>,
    pub tenant_policy: Vec<Vec<Cell>>,
    pub assemblies: Vec<Vec<Cell>>,
    pub clr_modules: Vec<Vec<Cell>>,
    pub clr_columns: Vec<Vec<Cell>>,
    pub tables: Vec<Vec<Cell>>,
    pub edge_constraints: Vec<Vec<Cell>>,
    pub spatial_indexes: Vec<Vec<Cell>>,
    pub vector_indexes: Vec<Vec<Cell>>,
}

/// The responses, in the order the reader asks: server (SQL Server 2025,
/// major version 17), columns, keys, foreign keys, checks, indexes,
/// temporal, last deployment, modules, schemas, sequences, message types,
/// contracts, queues, services, roles, tenant policy, assemblies, CLR
/// modules, CLR columns, tables (storage), edge constraints, spatial and
/// vector indexes.
pub fn catalog_responses(canned: CannedCatalog) -> Vec<Vec<ResultSet>> {
    let set =
        |columns: &[(&str, TdsType)], rows: Vec<Vec<Cell>>| vec![ResultSet::new(columns, rows)];
    vec![
        set(
            &[("major_version", TdsType::Int), ("collation", NAME)],
            vec![vec![Cell::I32(17), text("SQL_Latin1_General_CP1_CI_AS")]],
        ),
        set(
            &[
                ("schema_name", NAME),
                ("table_name", NAME),
                ("column_name", NAME),
                ("type_name", NAME),
                ("max_length", TdsType::Int),
                ("precision", TdsType::Int),
                ("scale", TdsType::Int),
                ("collation_name", NAME),
                ("is_nullable", TdsType::Bit),
                ("is_identity", TdsType::Bit),
                ("identity_seed", TdsType::BigInt),
                ("identity_step", TdsType::BigInt),
                ("computed", TEXT),
                ("persisted", TdsType::Bit),
                ("default_name", NAME),
                ("default_definition", TEXT),
                ("vector_dimensions", TdsType::Int),
            ],
            canned.columns,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("table_name", NAME),
                ("constraint_name", NAME),
                ("kind", TdsType::NVarChar(2)),
                ("clustered", TdsType::Bit),
                ("column_name", NAME),
                ("bucket_count", TdsType::BigInt),
            ],
            canned.keys,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("table_name", NAME),
                ("constraint_name", NAME),
                ("column_name", NAME),
                ("referenced_schema", NAME),
                ("referenced_table", NAME),
                ("referenced_column", NAME),
                ("on_delete", NAME),
                ("on_update", NAME),
            ],
            canned.foreign_keys,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("table_name", NAME),
                ("constraint_name", NAME),
                ("definition", TEXT),
            ],
            canned.checks,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("table_name", NAME),
                ("index_name", NAME),
                ("is_unique", TdsType::Bit),
                ("type_desc", NAME),
                ("filter_definition", TEXT),
                ("column_name", NAME),
                ("is_descending_key", TdsType::Bit),
                ("is_included_column", TdsType::Bit),
                ("bucket_count", TdsType::BigInt),
            ],
            canned.indexes,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("table_name", NAME),
                ("history_schema", NAME),
                ("history_table", NAME),
                ("retention", TdsType::Int),
                ("retention_unit", NAME),
                ("period_start", NAME),
                ("period_end", NAME),
                ("hidden", TdsType::Bit),
            ],
            canned.temporal,
        ),
        set(
            &[
                ("deployed_at", NAME),
                ("deployed_by", NAME),
                ("source_hash", NAME),
                ("plan_hash", NAME),
                ("outcome", NAME),
            ],
            canned.last_deployment,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("object_name", NAME),
                ("object_type", TdsType::NVarChar(2)),
                ("definition", TEXT),
            ],
            canned.modules,
        ),
        set(
            &[("schema_name", NAME), ("owner_name", NAME)],
            canned.schemas,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("sequence_name", NAME),
                ("type_name", NAME),
                ("precision", TdsType::Int),
                ("start_value", TdsType::NVarChar(40)),
                ("increment", TdsType::NVarChar(40)),
                ("minimum_value", TdsType::NVarChar(40)),
                ("maximum_value", TdsType::NVarChar(40)),
                ("is_cycling", TdsType::Bit),
                ("is_cached", TdsType::Bit),
                ("cache_size", TdsType::Int),
            ],
            canned.sequences,
        ),
        set(
            &[
                ("message_type_name", NAME),
                ("validation", TdsType::NVarChar(2)),
                ("has_schema_collection", TdsType::Bit),
            ],
            canned.message_types,
        ),
        set(
            &[
                ("contract_name", NAME),
                ("message_type_name", NAME),
                ("is_sent_by_initiator", TdsType::Bit),
                ("is_sent_by_target", TdsType::Bit),
            ],
            canned.contracts,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("queue_name", NAME),
                ("is_activation_enabled", TdsType::Bit),
                ("activation_procedure", TdsType::NVarChar(776)),
                ("max_readers", TdsType::Int),
                ("execute_as_principal_id", TdsType::Int),
                ("is_poison_message_handling_enabled", TdsType::Bit),
                ("is_retention_enabled", TdsType::Bit),
                ("is_enabled", TdsType::Bit),
            ],
            canned.queues,
        ),
        set(
            &[
                ("service_name", NAME),
                ("queue_schema", NAME),
                ("queue_name", NAME),
                ("contract_name", NAME),
            ],
            canned.services,
        ),
        set(
            &[
                ("role_name", NAME),
                ("state", TdsType::NVarChar(1)),
                ("permission_name", NAME),
                ("target_schema", NAME),
                ("target_name", NAME),
            ],
            canned.roles,
        ),
        set(
            &[
                ("is_enabled", TdsType::Bit),
                ("is_schema_bound", TdsType::Bit),
                ("table_schema", NAME),
                ("table_name", NAME),
                ("predicate_definition", TEXT),
                ("predicate_type_desc", NAME),
                ("operation_desc", NAME),
            ],
            canned.tenant_policy,
        ),
        set(
            &[
                ("assembly_name", NAME),
                ("permission_set_desc", NAME),
                ("sha2_512", NAME),
            ],
            canned.assemblies,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("object_name", NAME),
                ("object_type", TdsType::NVarChar(2)),
                ("assembly_name", NAME),
                ("assembly_class", NAME),
                ("assembly_method", NAME),
                ("null_on_null_input", TdsType::Bit),
                ("parameter_name", NAME),
                ("parameter_id", TdsType::Int),
                ("type_name", NAME),
                ("max_length", TdsType::Int),
                ("precision", TdsType::Int),
                ("scale", TdsType::Int),
                ("is_output", TdsType::Bit),
            ],
            canned.clr_modules,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("object_name", NAME),
                ("column_name", NAME),
                ("type_name", NAME),
                ("max_length", TdsType::Int),
                ("precision", TdsType::Int),
                ("scale", TdsType::Int),
            ],
            canned.clr_columns,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("table_name", NAME),
                ("is_memory_optimized", TdsType::Bit),
                ("durability_desc", NAME),
                ("is_node", TdsType::Bit),
                ("is_edge", TdsType::Bit),
            ],
            canned.tables,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("table_name", NAME),
                ("on_delete", TdsType::Int),
                ("from_schema", NAME),
                ("from_table", NAME),
                ("to_schema", NAME),
                ("to_table", NAME),
            ],
            canned.edge_constraints,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("table_name", NAME),
                ("index_name", NAME),
                ("column_name", NAME),
                ("tessellation_scheme", NAME),
                ("xmin", TdsType::Float),
                ("ymin", TdsType::Float),
                ("xmax", TdsType::Float),
                ("ymax", TdsType::Float),
            ],
            canned.spatial_indexes,
        ),
        set(
            &[
                ("schema_name", NAME),
                ("table_name", NAME),
                ("index_name", NAME),
                ("column_name", NAME),
                ("distance_metric", TdsType::NVarChar(20)),
            ],
            canned.vector_indexes,
        ),
    ]
}
