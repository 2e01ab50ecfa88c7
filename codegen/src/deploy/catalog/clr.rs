//! Assemblies and the routines and aggregates bound to them: the queries,
//! the rows, and the modules' scripts rebuilt from their signatures (the
//! catalog keeps no text for CLR modules), so they compare with the
//! generated ones like any other module.

use super::{CatalogError, CatalogRows, TypeFields, read_type};
use crate::emit::{ClrKind, ClrModule, ClrParam, clr_module_script};
use crate::model::{ObjectKey, QualifiedName};
use serde::{Deserialize, Serialize};

/// User assemblies with the SHA2_512 of their bits (hex, uppercase).
pub const ASSEMBLIES: &str = "SELECT a.name AS assembly_name, a.permission_set_desc, \
CONVERT(NVARCHAR(128), HASHBYTES('SHA2_512', f.content), 2) AS sha2_512 \
FROM sys.assemblies AS a \
JOIN sys.assembly_files AS f ON f.assembly_id = a.assembly_id AND f.file_id = 1 \
WHERE a.is_user_defined = 1 \
ORDER BY a.name;";

/// CLR routines and aggregates, one row per parameter (parameter 0 is a
/// scalar function's or aggregate's result; NULLs for no parameters).
pub const CLR_MODULES: &str = "SELECT s.name AS schema_name, o.name AS object_name, \
CAST(o.type AS NVARCHAR(2)) AS object_type, a.name AS assembly_name, m.assembly_class, m.assembly_method, \
m.null_on_null_input, p.name AS parameter_name, CAST(p.parameter_id AS INT) AS parameter_id, \
ty.name AS type_name, CAST(p.max_length AS INT) AS max_length, CAST(p.precision AS INT) AS precision, \
CAST(p.scale AS INT) AS scale, p.is_output \
FROM sys.assembly_modules AS m \
JOIN sys.objects AS o ON o.object_id = m.object_id \
JOIN sys.schemas AS s ON s.schema_id = o.schema_id \
JOIN sys.assemblies AS a ON a.assembly_id = m.assembly_id \
LEFT JOIN sys.parameters AS p ON p.object_id = o.object_id \
LEFT JOIN sys.types AS ty ON ty.user_type_id = p.user_type_id \
WHERE o.is_ms_shipped = 0 AND o.type IN ('FS', 'FT', 'PC', 'AF') \
ORDER BY s.name, o.name, p.parameter_id;";

/// The result columns of CLR table-valued functions.
pub const CLR_COLUMNS: &str = "SELECT s.name AS schema_name, o.name AS object_name, c.name AS column_name, \
ty.name AS type_name, CAST(c.max_length AS INT) AS max_length, CAST(c.precision AS INT) AS precision, \
CAST(c.scale AS INT) AS scale \
FROM sys.columns AS c \
JOIN sys.objects AS o ON o.object_id = c.object_id \
JOIN sys.schemas AS s ON s.schema_id = o.schema_id \
JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id \
WHERE o.is_ms_shipped = 0 AND o.type = 'FT' \
ORDER BY s.name, o.name, c.column_id;";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AssemblyRow {
    pub name: String,
    /// `SAFE_ACCESS`, `EXTERNAL_ACCESS` or `UNSAFE_ACCESS`.
    pub permission_set: String,
    /// Hex SHA2_512 of the bits.
    pub sha2_512: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClrModuleRow {
    pub schema: String,
    pub name: String,
    /// `FS`, `FT`, `PC` or `AF`.
    pub object_type: String,
    pub assembly: String,
    pub class: String,
    pub method: Option<String>,
    pub null_on_null_input: bool,
    /// `None` on the one row of a module without parameters.
    pub parameter: Option<ClrParameterRow>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClrParameterRow {
    /// With its `@`; empty for the result (id 0).
    pub name: String,
    pub id: i32,
    pub type_name: String,
    pub max_length: i32,
    pub precision: i32,
    pub scale: i32,
    pub output: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClrColumnRow {
    pub schema: String,
    pub name: String,
    pub column: String,
    pub type_name: String,
    pub max_length: i32,
    pub precision: i32,
    pub scale: i32,
}

fn kind(object_type: &str) -> Option<ClrKind> {
    Some(match object_type.trim() {
        "FS" => ClrKind::ScalarFunction,
        "FT" => ClrKind::TableFunction,
        "PC" => ClrKind::Procedure,
        "AF" => ClrKind::Aggregate,
        _ => return None,
    })
}

/// The key the planner knows a module by.
fn key(kind: ClrKind, name: QualifiedName) -> ObjectKey {
    match kind {
        ClrKind::ScalarFunction => ObjectKey::Routine(1, name),
        ClrKind::TableFunction => ObjectKey::Routine(2, name),
        ClrKind::Procedure => ObjectKey::Routine(3, name),
        ClrKind::Aggregate => ObjectKey::Aggregate(name),
    }
}

/// Every CLR module the rows describe, with its assembly and its script.
pub fn clr_modules(rows: &CatalogRows) -> Result<Vec<(ObjectKey, String, String)>, CatalogError> {
    let mut modules: Vec<ClrModule> = Vec::new();
    for row in &rows.clr_modules {
        let name = QualifiedName {
            schema: row.schema.clone(),
            name: row.name.clone(),
        };
        let object = || format!("{} {name}", row.object_type.trim());
        let Some(kind) = kind(&row.object_type) else {
            return Err(CatalogError {
                object: object(),
                message: format!("`{}` is not a CLR module type", row.object_type),
            });
        };
        let module = match modules.iter_mut().position(|m| m.name == name) {
            Some(i) => &mut modules[i],
            None => {
                modules.push(ClrModule {
                    kind,
                    name: name.clone(),
                    params: Vec::new(),
                    returns: None,
                    columns: Vec::new(),
                    null_on_null_input: row.null_on_null_input,
                    assembly: row.assembly.clone(),
                    class: row.class.clone(),
                    method: row.method.clone(),
                });
                modules.last_mut().expect("just pushed")
            }
        };
        let Some(p) = &row.parameter else { continue };
        let sql_type = read_type(
            &TypeFields {
                type_name: &p.type_name,
                max_length: p.max_length,
                precision: p.precision,
                scale: p.scale,
                vector_dimensions: None,
            },
            || format!("{} parameter {}", object(), p.name),
        )?;
        if p.id == 0 {
            module.returns = Some(sql_type);
        } else {
            module.params.push(ClrParam {
                name: p.name.trim_start_matches('@').to_string(),
                sql_type,
                output: p.output,
            });
        }
    }
    for row in &rows.clr_columns {
        let Some(module) = modules
            .iter_mut()
            .find(|m| m.name.schema == row.schema && m.name.name == row.name)
        else {
            continue;
        };
        let sql_type = read_type(
            &TypeFields {
                type_name: &row.type_name,
                max_length: row.max_length,
                precision: row.precision,
                scale: row.scale,
                vector_dimensions: None,
            },
            || format!("FT {}.{} column {}", row.schema, row.name, row.column),
        )?;
        module.columns.push((row.column.clone(), sql_type));
    }
    modules
        .into_iter()
        .map(|m| {
            let script = clr_module_script(&m).map_err(|e| CatalogError {
                object: m.name.to_string(),
                message: format!("rendering its script: {e}"),
            })?;
            Ok((key(m.kind, m.name), m.assembly, script))
        })
        .collect()
}
