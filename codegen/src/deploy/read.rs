//! The catalog queries run through tiberius, their rows read into
//! [`CatalogRows`]. Every query casts what it returns to the types read
//! here (INT, BIGINT, BIT, NVARCHAR), so a server and the test responder
//! answer alike.

use super::catalog::{
    ASSEMBLIES, AssemblyRow, CHECKS, CLR_COLUMNS, CLR_MODULES, CONTRACTS, CatalogRows, CheckRow,
    ClrColumnRow, ClrModuleRow, ClrParameterRow, ColumnRow, ContractRow, DeploymentRow,
    FOREIGN_KEYS, ForeignKeyRow, INDEXES, IndexRow, KEYS, KeyRow, LAST_DEPLOYMENT, MESSAGE_TYPES,
    MODULES, MessageTypeRow, ModuleRow, PolicyRow, QUEUES, QueueRow, ROLES, RoleRow, SCHEMAS,
    SEQUENCES, SERVER, SERVICES, SchemaRow, SequenceRow, ServiceRow, TEMPORAL, TENANT_POLICY,
    TemporalRow, columns_query,
};
use super::catalog::{
    EdgeConstraintRow, SPATIAL_INDEXES, SpatialIndexRow, TableRow, VectorIndexRow,
    edge_constraints_query, tables_query, vector_indexes_query,
};
use futures_io::{AsyncRead, AsyncWrite};
use std::fmt;
use tiberius::{Client, Row};

/// A query that failed, or a row without the value expected.
#[derive(Debug)]
pub struct ReadError {
    /// Which catalog query: `columns`, `keys`, ...
    pub query: &'static str,
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "reading the catalog ({} query): {}",
            self.query, self.message
        )
    }
}

impl std::error::Error for ReadError {}

/// One query's rows, with what names them in errors.
struct Rows {
    query: &'static str,
    rows: Vec<Row>,
}

impl Rows {
    /// Every row through `read`.
    fn each<T>(&self, read: impl Fn(&Row) -> Result<T, ReadError>) -> Result<Vec<T>, ReadError> {
        self.rows.iter().map(read).collect()
    }

    fn error(&self, message: String) -> ReadError {
        ReadError {
            query: self.query,
            message,
        }
    }

    fn text(&self, row: &Row, column: &str) -> Result<String, ReadError> {
        self.optional_text(row, column)?
            .ok_or_else(|| self.error(format!("`{column}` is NULL")))
    }

    fn optional_text(&self, row: &Row, column: &str) -> Result<Option<String>, ReadError> {
        row.try_get::<&str, _>(column)
            .map(|v| v.map(str::to_string))
            .map_err(|e| self.error(format!("`{column}`: {e}")))
    }

    fn int(&self, row: &Row, column: &str) -> Result<Option<i32>, ReadError> {
        row.try_get::<i32, _>(column)
            .map_err(|e| self.error(format!("`{column}`: {e}")))
    }

    fn big(&self, row: &Row, column: &str) -> Result<Option<i64>, ReadError> {
        row.try_get::<i64, _>(column)
            .map_err(|e| self.error(format!("`{column}`: {e}")))
    }

    fn float(&self, row: &Row, column: &str) -> Result<Option<f64>, ReadError> {
        row.try_get::<f64, _>(column)
            .map_err(|e| self.error(format!("`{column}`: {e}")))
    }

    fn flag(&self, row: &Row, column: &str) -> Result<bool, ReadError> {
        row.try_get::<bool, _>(column)
            .map(|v| v.unwrap_or(false))
            .map_err(|e| self.error(format!("`{column}`: {e}")))
    }
}

async fn run<S>(client: &mut Client<S>, query: &'static str, sql: &str) -> Result<Rows, ReadError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let error = |e: tiberius::error::Error| ReadError {
        query,
        message: e.to_string(),
    };
    let rows = client
        .simple_query(sql)
        .await
        .map_err(error)?
        .into_first_result()
        .await
        .map_err(error)?;
    Ok(Rows { query, rows })
}

/// Runs every catalog query against the connected database.
pub async fn read_catalog<S>(client: &mut Client<S>) -> Result<CatalogRows, ReadError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let server = run(client, "server", SERVER).await?;
    let first = server
        .rows
        .first()
        .ok_or_else(|| server.error("no row".into()))?;
    let major_version = server.int(first, "major_version")?.unwrap_or(0);
    let mut catalog = CatalogRows {
        default_collation: server.text(first, "collation")?,
        ..CatalogRows::default()
    };

    let q = run(client, "columns", &columns_query(major_version)).await?;
    catalog.columns = q.each(|row| {
        let default = match (
            q.optional_text(row, "default_name")?,
            q.optional_text(row, "default_definition")?,
        ) {
            (Some(name), Some(definition)) => Some((name, definition)),
            _ => None,
        };
        Ok(ColumnRow {
            schema: q.text(row, "schema_name")?,
            table: q.text(row, "table_name")?,
            column: q.text(row, "column_name")?,
            type_name: q.text(row, "type_name")?,
            max_length: q.int(row, "max_length")?.unwrap_or(0),
            precision: q.int(row, "precision")?.unwrap_or(0),
            scale: q.int(row, "scale")?.unwrap_or(0),
            collation: q.optional_text(row, "collation_name")?,
            nullable: q.flag(row, "is_nullable")?,
            identity: match (q.big(row, "identity_seed")?, q.big(row, "identity_step")?) {
                (Some(seed), Some(step)) if q.flag(row, "is_identity")? => Some((seed, step)),
                _ => None,
            },
            computed: q.optional_text(row, "computed")?,
            persisted: q.flag(row, "persisted")?,
            default,
            vector_dimensions: q.int(row, "vector_dimensions")?,
        })
    })?;

    let q = run(client, "keys", KEYS).await?;
    catalog.keys = q.each(|row| {
        Ok(KeyRow {
            schema: q.text(row, "schema_name")?,
            table: q.text(row, "table_name")?,
            name: q.text(row, "constraint_name")?,
            kind: q.text(row, "kind")?,
            clustered: q.flag(row, "clustered")?,
            column: q.text(row, "column_name")?,
            bucket_count: q.big(row, "bucket_count")?,
        })
    })?;

    let q = run(client, "foreign keys", FOREIGN_KEYS).await?;
    catalog.foreign_keys = q.each(|row| {
        Ok(ForeignKeyRow {
            schema: q.text(row, "schema_name")?,
            table: q.text(row, "table_name")?,
            name: q.text(row, "constraint_name")?,
            column: q.text(row, "column_name")?,
            referenced_schema: q.text(row, "referenced_schema")?,
            referenced_table: q.text(row, "referenced_table")?,
            referenced_column: q.text(row, "referenced_column")?,
            on_delete: q.text(row, "on_delete")?,
            on_update: q.text(row, "on_update")?,
        })
    })?;

    let q = run(client, "checks", CHECKS).await?;
    catalog.checks = q.each(|row| {
        Ok(CheckRow {
            schema: q.text(row, "schema_name")?,
            table: q.text(row, "table_name")?,
            name: q.text(row, "constraint_name")?,
            definition: q.text(row, "definition")?,
        })
    })?;

    let q = run(client, "indexes", INDEXES).await?;
    catalog.indexes = q.each(|row| {
        Ok(IndexRow {
            schema: q.text(row, "schema_name")?,
            table: q.text(row, "table_name")?,
            name: q.text(row, "index_name")?,
            unique: q.flag(row, "is_unique")?,
            type_desc: q.text(row, "type_desc")?,
            filter: q.optional_text(row, "filter_definition")?,
            column: q.optional_text(row, "column_name")?,
            descending: q.flag(row, "is_descending_key")?,
            included: q.flag(row, "is_included_column")?,
            bucket_count: q.big(row, "bucket_count")?,
        })
    })?;

    let q = run(client, "temporal", TEMPORAL).await?;
    catalog.temporal = q.each(|row| {
        Ok(TemporalRow {
            schema: q.text(row, "schema_name")?,
            table: q.text(row, "table_name")?,
            history_schema: q.text(row, "history_schema")?,
            history_table: q.text(row, "history_table")?,
            retention: match (
                q.int(row, "retention")?,
                q.optional_text(row, "retention_unit")?,
            ) {
                (Some(n), Some(unit)) => Some((n, unit)),
                _ => None,
            },
            period_start: q.text(row, "period_start")?,
            period_end: q.text(row, "period_end")?,
            hidden: q.flag(row, "hidden")?,
        })
    })?;

    let q = run(client, "last deployment", LAST_DEPLOYMENT).await?;
    if let Some(row) = q.rows.first() {
        catalog.last_deployment = Some(DeploymentRow {
            deployed_at: q.text(row, "deployed_at")?,
            deployed_by: q.text(row, "deployed_by")?,
            source_hash: q.text(row, "source_hash")?,
            plan_hash: q.text(row, "plan_hash")?,
            outcome: q.text(row, "outcome")?,
        });
    }

    let q = run(client, "modules", MODULES).await?;
    catalog.modules = q.each(|row| {
        Ok(ModuleRow {
            schema: q.text(row, "schema_name")?,
            name: q.text(row, "object_name")?,
            object_type: q.text(row, "object_type")?,
            definition: q.text(row, "definition")?,
        })
    })?;
    read_objects(client, &mut catalog).await?;
    read_clr(client, &mut catalog).await?;
    read_storage(client, &mut catalog, major_version).await?;
    Ok(catalog)
}

/// Memory-optimized and graph tables, spatial and vector indexes.
async fn read_storage<S>(
    client: &mut Client<S>,
    catalog: &mut CatalogRows,
    major_version: i32,
) -> Result<(), ReadError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let q = run(client, "tables", &tables_query(major_version)).await?;
    catalog.tables = q.each(|row| {
        Ok(TableRow {
            schema: q.text(row, "schema_name")?,
            table: q.text(row, "table_name")?,
            memory_optimized: q.flag(row, "is_memory_optimized")?,
            durability: q.optional_text(row, "durability_desc")?,
            node: q.flag(row, "is_node")?,
            edge: q.flag(row, "is_edge")?,
        })
    })?;

    let q = run(
        client,
        "edge constraints",
        edge_constraints_query(major_version),
    )
    .await?;
    catalog.edge_constraints = q.each(|row| {
        Ok(EdgeConstraintRow {
            schema: q.text(row, "schema_name")?,
            table: q.text(row, "table_name")?,
            on_delete: q.int(row, "on_delete")?.unwrap_or(0),
            from_schema: q.text(row, "from_schema")?,
            from_table: q.text(row, "from_table")?,
            to_schema: q.text(row, "to_schema")?,
            to_table: q.text(row, "to_table")?,
        })
    })?;

    let q = run(client, "spatial indexes", SPATIAL_INDEXES).await?;
    catalog.spatial_indexes = q.each(|row| {
        let corners = [
            q.float(row, "xmin")?,
            q.float(row, "ymin")?,
            q.float(row, "xmax")?,
            q.float(row, "ymax")?,
        ];
        Ok(SpatialIndexRow {
            schema: q.text(row, "schema_name")?,
            table: q.text(row, "table_name")?,
            name: q.text(row, "index_name")?,
            column: q.text(row, "column_name")?,
            tessellation: q.text(row, "tessellation_scheme")?,
            bounding_box: match corners {
                [Some(a), Some(b), Some(c), Some(d)] => Some([a, b, c, d]),
                _ => None,
            },
        })
    })?;

    let q = run(
        client,
        "vector indexes",
        vector_indexes_query(major_version),
    )
    .await?;
    catalog.vector_indexes = q.each(|row| {
        Ok(VectorIndexRow {
            schema: q.text(row, "schema_name")?,
            table: q.text(row, "table_name")?,
            name: q.text(row, "index_name")?,
            column: q.text(row, "column_name")?,
            metric: q.text(row, "distance_metric")?,
        })
    })?;
    Ok(())
}

/// Schemas, sequences, Service Broker, roles and the tenant policy.
async fn read_objects<S>(client: &mut Client<S>, catalog: &mut CatalogRows) -> Result<(), ReadError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let q = run(client, "schemas", SCHEMAS).await?;
    catalog.schemas = q.each(|row| {
        Ok(SchemaRow {
            name: q.text(row, "schema_name")?,
            owner: q.text(row, "owner_name")?,
        })
    })?;

    let q = run(client, "sequences", SEQUENCES).await?;
    catalog.sequences = q.each(|row| {
        Ok(SequenceRow {
            schema: q.text(row, "schema_name")?,
            name: q.text(row, "sequence_name")?,
            type_name: q.text(row, "type_name")?,
            precision: q.int(row, "precision")?.unwrap_or(0),
            start: q.text(row, "start_value")?,
            increment: q.text(row, "increment")?,
            minimum: q.optional_text(row, "minimum_value")?,
            maximum: q.optional_text(row, "maximum_value")?,
            cycling: q.flag(row, "is_cycling")?,
            cached: q.flag(row, "is_cached")?,
            cache_size: q.int(row, "cache_size")?,
        })
    })?;

    let q = run(client, "message types", MESSAGE_TYPES).await?;
    catalog.message_types = q.each(|row| {
        Ok(MessageTypeRow {
            name: q.text(row, "message_type_name")?,
            validation: q.text(row, "validation")?,
            has_schema_collection: q.flag(row, "has_schema_collection")?,
        })
    })?;

    let q = run(client, "contracts", CONTRACTS).await?;
    catalog.contracts = q.each(|row| {
        Ok(ContractRow {
            name: q.text(row, "contract_name")?,
            message_type: q.text(row, "message_type_name")?,
            sent_by_initiator: q.flag(row, "is_sent_by_initiator")?,
            sent_by_target: q.flag(row, "is_sent_by_target")?,
        })
    })?;

    let q = run(client, "queues", QUEUES).await?;
    catalog.queues = q.each(|row| {
        Ok(QueueRow {
            schema: q.text(row, "schema_name")?,
            name: q.text(row, "queue_name")?,
            activation_enabled: q.flag(row, "is_activation_enabled")?,
            activation_procedure: q.optional_text(row, "activation_procedure")?,
            max_readers: q.int(row, "max_readers")?.unwrap_or(0),
            execute_as_principal_id: q.int(row, "execute_as_principal_id")?,
            poison_message_handling: q.flag(row, "is_poison_message_handling_enabled")?,
            retention: q.flag(row, "is_retention_enabled")?,
            enabled: q.flag(row, "is_enabled")?,
        })
    })?;

    let q = run(client, "services", SERVICES).await?;
    catalog.services = q.each(|row| {
        Ok(ServiceRow {
            name: q.text(row, "service_name")?,
            queue_schema: q.text(row, "queue_schema")?,
            queue: q.text(row, "queue_name")?,
            contract: q.optional_text(row, "contract_name")?,
        })
    })?;

    let q = run(client, "roles", ROLES).await?;
    catalog.roles = q.each(|row| {
        Ok(RoleRow {
            role: q.text(row, "role_name")?,
            state: q.optional_text(row, "state")?,
            permission: q.optional_text(row, "permission_name")?,
            target_schema: q.optional_text(row, "target_schema")?,
            target_name: q.optional_text(row, "target_name")?,
        })
    })?;

    let q = run(client, "tenant policy", TENANT_POLICY).await?;
    catalog.tenant_policy = q.each(|row| {
        Ok(PolicyRow {
            enabled: q.flag(row, "is_enabled")?,
            schema_bound: q.flag(row, "is_schema_bound")?,
            table_schema: q.optional_text(row, "table_schema")?,
            table: q.optional_text(row, "table_name")?,
            predicate: q.optional_text(row, "predicate_definition")?,
            predicate_type: q.optional_text(row, "predicate_type_desc")?,
            operation: q.optional_text(row, "operation_desc")?,
        })
    })?;
    Ok(())
}

/// Assemblies and the CLR modules bound to them.
async fn read_clr<S>(client: &mut Client<S>, catalog: &mut CatalogRows) -> Result<(), ReadError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let q = run(client, "assemblies", ASSEMBLIES).await?;
    catalog.assemblies = q.each(|row| {
        Ok(AssemblyRow {
            name: q.text(row, "assembly_name")?,
            permission_set: q.text(row, "permission_set_desc")?,
            sha2_512: q.text(row, "sha2_512")?,
        })
    })?;

    let q = run(client, "CLR modules", CLR_MODULES).await?;
    catalog.clr_modules = q.each(|row| {
        let parameter = match q.int(row, "parameter_id")? {
            None => None,
            Some(id) => Some(ClrParameterRow {
                name: q.optional_text(row, "parameter_name")?.unwrap_or_default(),
                id,
                type_name: q.text(row, "type_name")?,
                max_length: q.int(row, "max_length")?.unwrap_or(0),
                precision: q.int(row, "precision")?.unwrap_or(0),
                scale: q.int(row, "scale")?.unwrap_or(0),
                output: q.flag(row, "is_output")?,
            }),
        };
        Ok(ClrModuleRow {
            schema: q.text(row, "schema_name")?,
            name: q.text(row, "object_name")?,
            object_type: q.text(row, "object_type")?,
            assembly: q.text(row, "assembly_name")?,
            class: q.text(row, "assembly_class")?,
            method: q.optional_text(row, "assembly_method")?,
            null_on_null_input: q.flag(row, "null_on_null_input")?,
            parameter,
        })
    })?;

    let q = run(client, "CLR columns", CLR_COLUMNS).await?;
    catalog.clr_columns = q.each(|row| {
        Ok(ClrColumnRow {
            schema: q.text(row, "schema_name")?,
            name: q.text(row, "object_name")?,
            column: q.text(row, "column_name")?,
            type_name: q.text(row, "type_name")?,
            max_length: q.int(row, "max_length")?.unwrap_or(0),
            precision: q.int(row, "precision")?.unwrap_or(0),
            scale: q.int(row, "scale")?.unwrap_or(0),
        })
    })?;
    Ok(())
}
