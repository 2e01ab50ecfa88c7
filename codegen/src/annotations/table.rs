//! `#[derive(SqlTable)]` on a struct → [`TableDef`].

use super::error::{AnnotationError, Errors};
use super::name_text::{bare, name_list, qualified_name, split_once_outside, split_outside};
use super::options::Switch;
use super::rust_type::{Position, value_of};
use super::{ItemContext, check_name, doc_lines};
use crate::diagnostics::{Code, SourceSpan};
use crate::model::{
    CheckDef, ComputedDef, DefaultDef, Durability, EdgeConnection, ForeignKeyDef, GraphKind,
    IndexDef, IndexKey, IndexStorage, KeyDef, QualifiedName, ReferentialAction, RustPath,
    SpatialIndexDef, SqlType, TableColumn, TableDef, VectorIndexDef, VectorMetric, pascal_case,
    unraw,
};
use darling::util::SpannedValue;
use darling::{FromAttributes, FromMeta};
use proc_macro2::Span;
use std::collections::HashSet;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

/// `index(name = "..", columns = "A, B DESC", unique, clustered, include = "C",
/// where = "..", columnstore, bucket_count = n)`.
#[derive(Debug, FromMeta)]
pub struct IndexArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    /// Required except for a clustered columnstore index.
    #[darling(default)]
    pub columns: Option<SpannedValue<String>>,
    #[darling(default)]
    pub columnstore: Switch,
    /// A hash index (memory-optimized tables) with this many buckets.
    #[darling(default)]
    pub bucket_count: Option<SpannedValue<u64>>,
    #[darling(default)]
    pub unique: Switch,
    #[darling(default)]
    pub clustered: Switch,
    #[darling(default)]
    pub include: Option<SpannedValue<String>>,
    #[darling(default, rename = "where")]
    pub filter: Option<SpannedValue<String>>,
}

/// `#[sql(...)]` on the struct.
#[derive(Debug, Default, FromAttributes)]
#[darling(attributes(sql))]
pub struct TableArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub schema: Option<SpannedValue<String>>,
    #[darling(default, multiple)]
    pub index: Vec<IndexArgs>,
    /// The primary key is nonclustered (a clustered index may be declared).
    #[darling(default)]
    pub nonclustered_primary_key: Switch,
    /// System versioning: `temporal(history = "AtomHistory", retention = "90 DAYS")`.
    #[darling(default)]
    pub temporal: Option<SpannedValue<TemporalArgs>>,
    /// `tenant` (column `TenantId`), `tenant = "Column"`, or `tenant = false`.
    #[darling(default)]
    pub tenant: Option<TenantArg>,
    /// `memory_optimized` (durable) or `memory_optimized = "schema_only"`.
    #[darling(default)]
    pub memory_optimized: Option<SpannedValue<DurabilityArg>>,
    /// The primary key is a hash key with this many buckets.
    #[darling(default)]
    pub primary_key_buckets: Option<SpannedValue<u64>>,
    /// A graph node table (`AS NODE`).
    #[darling(default)]
    pub node: Switch,
    /// A graph edge table (`AS EDGE`), optionally with its connections.
    #[darling(default)]
    pub edge: Option<SpannedValue<EdgeArgs>>,
    #[darling(default, multiple)]
    pub spatial_index: Vec<SpatialIndexArgs>,
    #[darling(default, multiple)]
    pub vector_index: Vec<VectorIndexArgs>,
    /// The table's previous name in the same schema: deploying renames it
    /// instead of creating a new table.
    #[darling(default)]
    pub renamed_from: Option<SpannedValue<String>>,
}

/// `edge` or `edge(connect = "graph.A TO graph.B", connect = .., on_delete = "cascade")`.
#[derive(Debug, Clone, Default, FromMeta)]
#[darling(from_word = || Ok(EdgeArgs::default()))]
pub struct EdgeArgs {
    #[darling(default, multiple)]
    pub connect: Vec<SpannedValue<String>>,
    #[darling(default)]
    pub on_delete: Option<SpannedValue<String>>,
}

/// `spatial_index(column = "..", name = "..", bounding_box = "xmin, ymin, xmax, ymax")`.
#[derive(Debug, FromMeta)]
pub struct SpatialIndexArgs {
    pub column: SpannedValue<String>,
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub bounding_box: Option<SpannedValue<String>>,
}

/// `vector_index(column = "..", name = "..", metric = "cosine" | "dot" | "euclidean")`.
#[derive(Debug, FromMeta)]
pub struct VectorIndexArgs {
    pub column: SpannedValue<String>,
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub metric: Option<SpannedValue<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurabilityArg(pub Durability);

impl FromMeta for DurabilityArg {
    fn from_word() -> darling::Result<Self> {
        Ok(DurabilityArg(Durability::SchemaAndData))
    }

    fn from_string(value: &str) -> darling::Result<Self> {
        match value.to_ascii_lowercase().as_str() {
            "schema_and_data" => Ok(DurabilityArg(Durability::SchemaAndData)),
            "schema_only" => Ok(DurabilityArg(Durability::SchemaOnly)),
            _ => Err(darling::Error::custom(format!(
                "`{value}` is not a durability: use \"schema_and_data\" (the default) or \"schema_only\""
            ))),
        }
    }
}

/// How a table takes part in tenant row-level security.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantArg {
    Column(String),
    Off,
}

impl FromMeta for TenantArg {
    fn from_word() -> darling::Result<Self> {
        Ok(TenantArg::Column("TenantId".into()))
    }

    fn from_string(value: &str) -> darling::Result<Self> {
        Ok(TenantArg::Column(value.to_string()))
    }

    fn from_bool(value: bool) -> darling::Result<Self> {
        Ok(if value {
            TenantArg::Column("TenantId".into())
        } else {
            TenantArg::Off
        })
    }
}

#[derive(Debug, Clone, Default, FromMeta)]
pub struct TemporalArgs {
    #[darling(default)]
    pub history: Option<String>,
    #[darling(default)]
    pub retention: Option<String>,
}

pub const TABLE_OPTIONS: &str = "name = \"..\", schema = \"..\", tenant / tenant = \"Column\" / tenant = false, nonclustered_primary_key, temporal(history = \"..\", retention = \"90 DAYS\"), index(name = \"..\", columns = \"A, B DESC\", unique, clustered, columnstore, bucket_count = n, include = \"C, D\", where = \"..\"), memory_optimized / memory_optimized = \"schema_only\", primary_key_buckets = n, node, edge / edge(connect = \"A TO B\", on_delete = \"cascade\"), spatial_index(column = \"..\", bounding_box = \"xmin, ymin, xmax, ymax\"), vector_index(column = \"..\", metric = \"cosine\"), renamed_from = \"OldName\"";

/// `#[sql(...)]` on a field.
#[derive(Debug, Default, FromAttributes)]
#[darling(attributes(sql))]
pub struct TableColumnArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default, rename = "type")]
    pub sql_type: Option<SpannedValue<String>>,
    #[darling(default)]
    pub primary_key: Switch,
    #[darling(default)]
    pub identity: Option<SpannedValue<IdentityArg>>,
    #[darling(default)]
    pub default: Option<SpannedValue<String>>,
    #[darling(default)]
    pub unique: Switch,
    #[darling(default)]
    pub references: Option<SpannedValue<String>>,
    #[darling(default)]
    pub on_delete: Option<SpannedValue<String>>,
    #[darling(default)]
    pub on_update: Option<SpannedValue<String>>,
    #[darling(default)]
    pub check: Option<SpannedValue<String>>,
    /// The temporal period's start or end column.
    #[darling(default)]
    pub period_start: Switch,
    #[darling(default)]
    pub period_end: Switch,
    /// Period columns left out of `SELECT *`.
    #[darling(default)]
    pub hidden: Switch,
    /// `AS (expression)`: a computed column.
    #[darling(default)]
    pub computed: Option<SpannedValue<String>>,
    /// A computed column stored in the row (and indexable as such).
    #[darling(default)]
    pub persisted: Switch,
    /// `COLLATE` of a character column.
    #[darling(default)]
    pub collate: Option<SpannedValue<String>>,
    /// The column's previous name: deploying renames it instead of dropping
    /// one column and adding another.
    #[darling(default)]
    pub renamed_from: Option<SpannedValue<String>>,
}

pub const TABLE_COLUMN_OPTIONS: &str = "name = \"..\", type = \"<SQL type>\", primary_key, identity or identity = \"seed, step\", default = \"<T-SQL expression>\", unique, references = \"schema.Table(Column)\", on_delete / on_update = \"cascade\" | \"set_null\" | \"set_default\" | \"no_action\", check = \"<T-SQL condition>\", period_start, period_end, hidden, computed = \"<T-SQL expression>\", persisted, collate = \"<collation>\", renamed_from = \"OldName\"";

/// `identity` (1, 1) or `identity = "seed, step"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentityArg(pub i64, pub i64);

impl FromMeta for IdentityArg {
    fn from_word() -> darling::Result<Self> {
        Ok(IdentityArg(1, 1))
    }

    fn from_string(value: &str) -> darling::Result<Self> {
        let parts: Vec<&str> = value.split(',').map(str::trim).collect();
        match parts.as_slice() {
            [seed, step] => match (seed.parse(), step.parse()) {
                (Ok(seed), Ok(step)) if step != 0 => Ok(IdentityArg(seed, step)),
                _ => Err(darling::Error::custom(format!(
                    "identity `{value}`: seed and step must be integers, the step not 0"
                ))),
            },
            _ => Err(darling::Error::custom(format!(
                "identity `{value}`: write `identity` or `identity = \"seed, step\"`"
            ))),
        }
    }
}

fn action(value: &SpannedValue<String>, errors: &mut Errors) -> ReferentialAction {
    match value.to_ascii_lowercase().replace([' ', '-'], "_").as_str() {
        "no_action" => ReferentialAction::NoAction,
        "cascade" => ReferentialAction::Cascade,
        "set_null" => ReferentialAction::SetNull,
        "set_default" => ReferentialAction::SetDefault,
        other => {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    value.span(),
                    format!("`{other}` is not a referential action"),
                )
                .help("use \"cascade\", \"set_null\", \"set_default\" or \"no_action\""),
            );
            ReferentialAction::NoAction
        }
    }
}

/// `A, B DESC` → index keys.
pub(super) fn index_keys(text: &str, span: Span, errors: &mut Errors) -> Vec<IndexKey> {
    let mut keys = Vec::new();
    for part in split_outside(text, ",").into_iter().map(str::trim) {
        let (column, descending) = match part.rsplit_once(char::is_whitespace) {
            Some((c, dir)) if dir.eq_ignore_ascii_case("DESC") => (c, true),
            Some((c, dir)) if dir.eq_ignore_ascii_case("ASC") => (c, false),
            _ => (part, false),
        };
        if column.is_empty() {
            errors.push(
                AnnotationError::new(Code::InvalidOptionValue, span, format!("empty column in `{text}`"))
                    .help("list column names separated by commas, each optionally followed by ASC or DESC"),
            );
            continue;
        }
        keys.push(IndexKey {
            column: bare(column),
            descending,
        });
    }
    keys
}

/// `schema.Table(A, B)` → (table, columns).
fn reference(
    text: &SpannedValue<String>,
    errors: &mut Errors,
) -> Option<(QualifiedName, Vec<String>)> {
    let parsed = split_once_outside(text, "(").and_then(|(table, rest)| {
        let columns = name_list(rest.trim().strip_suffix(')')?);
        let table = qualified_name(table, "dbo")?;
        (!columns.is_empty()).then_some((table, columns))
    });
    if parsed.is_none() {
        errors.push(
            AnnotationError::new(
                Code::InvalidOptionValue,
                text.span(),
                format!("`{}` is not a table and columns", text.as_str()),
            )
            .help("write references = \"schema.Table(Column)\" (the schema defaults to dbo)"),
        );
    }
    parsed
}

/// SQL Server's limit on a hash index's buckets (it rounds up to a power of 2).
const MAX_BUCKET_COUNT: u64 = 1 << 30;

fn bucket_count(value: &SpannedValue<u64>, errors: &mut Errors) -> u64 {
    let n = **value;
    if !(1..=MAX_BUCKET_COUNT).contains(&n) {
        errors.push(
            AnnotationError::new(Code::InvalidOptionValue, value.span(), format!("bucket count {n} is out of range"))
                .help(format!("SQL Server accepts 1 to {MAX_BUCKET_COUNT} buckets; about twice the expected distinct keys is usual")),
        );
    }
    n
}

/// `graph.A TO graph.B` → one edge connection (schemas default to the table's).
fn connection(
    text: &SpannedValue<String>,
    schema: &str,
    ctx: &ItemContext<'_>,
    errors: &mut Errors,
) -> Option<EdgeConnection> {
    match split_once_outside(text, " TO ")
        .and_then(|(from, to)| Some((qualified_name(from, schema)?, qualified_name(to, schema)?)))
    {
        Some((from, to)) => Some(EdgeConnection {
            from,
            to,
            span: SourceSpan::from_span(ctx.file, text.span()),
        }),
        None => {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    text.span(),
                    format!("`{}` is not an edge connection", text.as_str()),
                )
                .help("write connect = \"schema.FromNode TO schema.ToNode\""),
            );
            None
        }
    }
}

/// `xmin, ymin, xmax, ymax` of a GEOMETRY spatial index.
fn bounding_box(text: &SpannedValue<String>, errors: &mut Errors) -> Option<[f64; 4]> {
    let values: Vec<f64> = text
        .split(',')
        .filter_map(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .collect();
    match values.as_slice() {
        [xmin, ymin, xmax, ymax] if xmin < xmax && ymin < ymax => {
            Some([*xmin, *ymin, *xmax, *ymax])
        }
        _ => {
            errors.push(
                AnnotationError::new(Code::InvalidOptionValue, text.span(), format!("`{}` is not a bounding box", text.as_str()))
                    .help("write four numbers \"xmin, ymin, xmax, ymax\" with xmin < xmax and ymin < ymax"),
            );
            None
        }
    }
}

/// `90 DAYS`, `1 YEAR`, `INFINITE`: SQL Server's HISTORY_RETENTION_PERIOD.
fn valid_retention(text: &str) -> bool {
    let upper = text.trim().to_ascii_uppercase();
    if upper == "INFINITE" {
        return true;
    }
    let mut parts = upper.split_whitespace();
    match (parts.next(), parts.next(), parts.next()) {
        (Some(n), Some(unit), None) => {
            n.parse::<u32>().is_ok_and(|n| n > 0)
                && matches!(
                    unit,
                    "DAY" | "DAYS" | "WEEK" | "WEEKS" | "MONTH" | "MONTHS" | "YEAR" | "YEARS"
                )
        }
        _ => false,
    }
}

pub fn parse_table(
    input: &DeriveInput,
    ctx: &ItemContext<'_>,
) -> Result<TableDef, Vec<AnnotationError>> {
    let mut errors = Errors::default();
    let args = TableArgs::from_attributes(&input.attrs).unwrap_or_else(|e| {
        errors.push_darling(e, TABLE_OPTIONS);
        TableArgs::default()
    });
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(&named.named),
            _ => None,
        },
        _ => None,
    };
    if fields.is_none() {
        errors.push(
            AnnotationError::new(
                Code::NotAStruct,
                input.ident.span(),
                "SqlTable needs a struct with named fields",
            )
            .help("each field becomes a column named after it"),
        );
    }
    if let Some(param) = input.generics.params.first() {
        errors.push(
            AnnotationError::new(
                Code::GenericRoutine,
                param.span(),
                "a SqlTable struct cannot be generic",
            )
            .help("SQL columns have one concrete type each"),
        );
    }
    let rust_ident = input.ident.to_string();
    let (name, name_span) = match &args.name {
        Some(n) => (n.as_str().to_string(), n.span()),
        None => (rust_ident.clone(), input.ident.span()),
    };
    check_name(&name, name_span, "table name", &mut errors);
    let schema = match &args.schema {
        Some(s) => {
            check_name(s.as_str(), s.span(), "schema", &mut errors);
            s.as_str().to_string()
        }
        None => "dbo".to_string(),
    };
    let table_span = SourceSpan::from_span(ctx.file, input.ident.span());

    let mut columns = Vec::new();
    let mut pk_columns = Vec::new();
    let mut uniques = Vec::new();
    let mut foreign_keys = Vec::new();
    let mut checks = Vec::new();
    let mut seen = HashSet::new();
    let mut period_start = None;
    let mut period_end = None;
    let mut hidden = false;
    for field in fields.into_iter().flatten() {
        let ident = field.ident.as_ref().expect("named fields have names");
        let col = TableColumnArgs::from_attributes(&field.attrs).unwrap_or_else(|e| {
            errors.push_darling(e, TABLE_COLUMN_OPTIONS);
            TableColumnArgs::default()
        });
        let rust_name = unraw(&ident.to_string()).to_string();
        let (sql_name, col_span) = match &col.name {
            Some(n) => (n.as_str().to_string(), n.span()),
            None => (pascal_case(&rust_name), ident.span()),
        };
        check_name(&sql_name, col_span, "column name", &mut errors);
        if !seen.insert(sql_name.to_lowercase()) {
            errors.push(
                AnnotationError::new(Code::DuplicateMemberName, col_span, format!("two columns are both named `{sql_name}`"))
                    .help("SQL Server compares column names case-insensitively: rename one with #[sql(name = \"...\")]"),
            );
        }
        let Some(value) = errors.check(value_of(
            &field.ty,
            col.sql_type.as_ref(),
            Position::TableColumn,
        )) else {
            continue;
        };
        let span = SourceSpan::from_span(ctx.file, field.span());
        if col.primary_key.0 {
            if value.nullable {
                errors.push(
                    AnnotationError::new(
                        Code::InvalidOptionValue,
                        field.ty.span(),
                        format!("primary key column `{sql_name}` is nullable"),
                    )
                    .help("primary key columns are NOT NULL: drop the Option"),
                );
            }
            pk_columns.push(sql_name.clone());
        }
        let identity = col.identity.as_ref().map(|i| {
            if !value.sql.is_integer() {
                errors.push(
                    AnnotationError::new(
                        Code::TypeOverrideMismatch,
                        i.span(),
                        format!("IDENTITY on `{sql_name}`, a {} column", value.sql),
                    )
                    .help("IDENTITY needs an integer column: u8, i16, i32, i64 or DECIMAL(p, 0)"),
                );
            }
            if value.nullable {
                errors.push(
                    AnnotationError::new(
                        Code::InvalidOptionValue,
                        i.span(),
                        format!("IDENTITY column `{sql_name}` is nullable"),
                    )
                    .help("identity columns are NOT NULL: drop the Option"),
                );
            }
            (i.0, i.1)
        });
        let default = col.default.as_ref().map(|d| DefaultDef {
            name: format!("DF_{name}_{sql_name}"),
            expression: d.as_str().to_string(),
        });
        if col.unique.0 {
            uniques.push(KeyDef {
                name: format!("UQ_{name}_{sql_name}"),
                columns: vec![sql_name.clone()],
                clustered: false,
                hash_buckets: None,
                span: span.clone(),
            });
        }
        let on_delete = col
            .on_delete
            .as_ref()
            .map(|a| action(a, &mut errors))
            .unwrap_or_default();
        let on_update = col
            .on_update
            .as_ref()
            .map(|a| action(a, &mut errors))
            .unwrap_or_default();
        match &col.references {
            Some(r) => {
                if let Some((target, referenced)) = reference(r, &mut errors) {
                    foreign_keys.push(ForeignKeyDef {
                        name: format!("FK_{name}_{sql_name}"),
                        columns: vec![sql_name.clone()],
                        references: target,
                        referenced_columns: referenced,
                        on_delete,
                        on_update,
                        span: SourceSpan::from_span(ctx.file, r.span()),
                    });
                }
            }
            None => {
                if let Some(a) = col.on_delete.as_ref().or(col.on_update.as_ref()) {
                    errors.push(
                        AnnotationError::new(
                            Code::InvalidOptionValue,
                            a.span(),
                            "on_delete / on_update without `references`",
                        )
                        .help("add references = \"schema.Table(Column)\" to this field"),
                    );
                }
            }
        }
        for (flag, slot, what) in [
            (col.period_start.0, &mut period_start, "period_start"),
            (col.period_end.0, &mut period_end, "period_end"),
        ] {
            if !flag {
                continue;
            }
            if !matches!(value.sql, SqlType::DateTime2(_)) || value.nullable {
                errors.push(
                    AnnotationError::new(
                        Code::TypeOverrideMismatch,
                        field.ty.span(),
                        format!(
                            "period column `{sql_name}` must be DATETIME2 NOT NULL, not {}{}",
                            value.sql,
                            if value.nullable { " NULL" } else { "" }
                        ),
                    )
                    .help("declare it as NaiveDateTime (DATETIME2(7)), without Option"),
                );
            }
            if slot.replace(sql_name.clone()).is_some() {
                errors.push(
                    AnnotationError::new(
                        Code::DuplicateOption,
                        ident.span(),
                        format!("a second {what} column"),
                    )
                    .help("a temporal table has one period: one period_start and one period_end"),
                );
            }
            hidden |= col.hidden.0;
        }
        let computed = col.computed.as_ref().map(|expression| {
            // SQL Server fills a computed column; nothing else may.
            let conflicts = [
                (col.identity.is_some(), "identity"),
                (col.default.is_some(), "a default"),
                (col.period_start.0 || col.period_end.0, "a period column"),
            ];
            for (_, what) in conflicts.iter().filter(|(on, _)| *on) {
                errors.push(
                    AnnotationError::new(
                        Code::InvalidOptionValue,
                        expression.span(),
                        format!("computed column `{sql_name}` is also {what}"),
                    )
                    .help("SQL Server computes this column's value: drop `computed`, or the other option"),
                );
            }
            if !col.persisted.0 && !value.nullable {
                errors.push(
                    AnnotationError::new(
                        Code::InvalidOptionValue,
                        field.ty.span(),
                        format!("computed column `{sql_name}` is not persisted, so SQL Server cannot hold it NOT NULL"),
                    )
                    .help("make the field Option<..>, or add `persisted` (PERSISTED NOT NULL is allowed)"),
                );
            }
            ComputedDef {
                expression: expression.as_str().to_string(),
                persisted: col.persisted.0,
            }
        });
        if col.persisted.0 && col.computed.is_none() {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    ident.span(),
                    "`persisted` without `computed`",
                )
                .help("add computed = \"<T-SQL expression>\", or drop `persisted`"),
            );
        }
        if (col.period_start.0 || col.period_end.0)
            && let Some(d) = &col.default
        {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    d.span(),
                    format!("period column `{sql_name}` has a default"),
                )
                .help("SQL Server writes GENERATED ALWAYS period columns itself: drop the default"),
            );
        }
        let collation = col.collate.as_ref().map(|c| {
            if !value.sql.is_character() {
                errors.push(
                    AnnotationError::new(
                        Code::InvalidOptionValue,
                        c.span(),
                        format!("COLLATE on `{sql_name}`, which is {}", value.sql),
                    )
                    .help("collations apply to NVARCHAR, VARCHAR, NCHAR and CHAR columns"),
                );
            }
            if c.is_empty() || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') {
                errors.push(
                    AnnotationError::new(
                        Code::InvalidOptionValue,
                        c.span(),
                        format!("`{}` is not a collation name", c.as_str()),
                    )
                    .help("collation names are letters, digits and underscores, e.g. Latin1_General_100_BIN2_UTF8"),
                );
            }
            c.as_str().to_string()
        });
        if let Some(c) = &col.check {
            checks.push(CheckDef {
                name: format!("CK_{name}_{sql_name}"),
                expression: c.as_str().to_string(),
                span: SourceSpan::from_span(ctx.file, c.span()),
            });
        }
        let renamed_from = col.renamed_from.as_ref().map(|r| r.as_str().to_string());
        columns.push(TableColumn {
            sql_name,
            rust_name,
            value,
            identity,
            default,
            computed,
            collation,
            renamed_from,
            span,
        });
    }

    let memory_optimized = args.memory_optimized.as_ref().map(|m| m.0);
    let mut indexes = Vec::new();
    for index in &args.index {
        let index_span = index
            .columns
            .as_ref()
            .map(|c| c.span())
            .or(index.name.as_ref().map(|n| n.span()))
            .unwrap_or_else(|| input.ident.span());
        let keys = match &index.columns {
            Some(columns) => index_keys(columns.as_str(), columns.span(), &mut errors),
            None => {
                if !(index.columnstore.0 && index.clustered.0) {
                    errors.push(
                        AnnotationError::new(Code::InvalidOptionValue, index_span, "an index without `columns`")
                            .help("list its key columns: columns = \"A, B DESC\" (only a clustered columnstore index has none)"),
                    );
                }
                Vec::new()
            }
        };
        let storage = match (&index.bucket_count, index.columnstore.0) {
            (Some(_), true) => {
                errors.push(
                    AnnotationError::new(
                        Code::InvalidOptionValue,
                        index_span,
                        "an index cannot be both hash and columnstore",
                    )
                    .help("drop `bucket_count` or `columnstore`"),
                );
                IndexStorage::Rowstore
            }
            (Some(b), false) => IndexStorage::Hash {
                bucket_count: bucket_count(b, &mut errors),
            },
            (None, true) => IndexStorage::Columnstore,
            (None, false) => IndexStorage::Rowstore,
        };
        if let IndexStorage::Hash { .. } = storage
            && memory_optimized.is_none()
        {
            errors.push(
                AnnotationError::new(Code::InvalidOptionValue, index_span, "a hash index on a table that is not memory-optimized")
                    .help("hash indexes exist only on memory-optimized tables: add `memory_optimized` to the table, or drop `bucket_count`"),
            );
        }
        if memory_optimized.is_some() {
            let problem = if index.clustered.0 && storage != IndexStorage::Columnstore {
                Some("a clustered rowstore index")
            } else if index.filter.is_some() {
                Some("a filtered index")
            } else if index.include.is_some() {
                Some("INCLUDE columns")
            } else {
                None
            };
            if let Some(problem) = problem {
                errors.push(
                    AnnotationError::new(Code::InvalidOptionValue, index_span, format!("{problem} on a memory-optimized table"))
                        .help("memory-optimized tables have nonclustered or hash indexes over all columns: drop `clustered`, `where` or `include`"),
                );
            }
        }
        if storage == IndexStorage::Columnstore
            && (index.unique.0
                || index.filter.is_some() && index.clustered.0
                || index.include.is_some())
        {
            errors.push(
                AnnotationError::new(Code::InvalidOptionValue, index_span, "a columnstore index cannot be unique, have INCLUDE columns, or (clustered) a filter")
                    .help("drop `unique` and `include`; only a nonclustered columnstore index may be filtered"),
            );
        }
        let index_name = match &index.name {
            Some(n) => {
                check_name(n.as_str(), n.span(), "index name", &mut errors);
                n.as_str().to_string()
            }
            None => format!(
                "{}_{name}_{}",
                if index.unique.0 { "UX" } else { "IX" },
                keys.iter()
                    .map(|k| k.column.as_str())
                    .collect::<Vec<_>>()
                    .join("_")
            ),
        };
        indexes.push(IndexDef {
            name: index_name,
            unique: index.unique.0,
            clustered: index.clustered.0,
            storage,
            keys,
            include: index
                .include
                .as_ref()
                .map(|i| name_list(i))
                .unwrap_or_default(),
            filter: index.filter.as_ref().map(|f| f.as_str().to_string()),
            span: SourceSpan::from_span(ctx.file, index_span),
        });
    }
    let clustered_indexes = indexes.iter().filter(|i| i.clustered).count();
    // Memory-optimized tables have no clustered rowstore: their key is a
    // nonclustered (range or hash) index.
    let pk_clustered =
        !args.nonclustered_primary_key.0 && clustered_indexes == 0 && memory_optimized.is_none();
    let pk_buckets = args
        .primary_key_buckets
        .as_ref()
        .map(|b| bucket_count(b, &mut errors));
    if let Some(b) = &args.primary_key_buckets {
        if memory_optimized.is_none() {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    b.span(),
                    "a hash primary key on a table that is not memory-optimized",
                )
                .help("add `memory_optimized` to the table, or drop `primary_key_buckets`"),
            );
        }
        if pk_columns.is_empty() {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    b.span(),
                    "`primary_key_buckets` on a table without a primary key",
                )
                .help("mark the key fields #[sql(primary_key)]"),
            );
        }
    }
    if let Some(m) = &args.memory_optimized
        && pk_columns.is_empty()
        && m.0 == Durability::SchemaAndData
    {
        errors.push(
            AnnotationError::new(Code::InvalidOptionValue, m.span(), "a durable memory-optimized table without a primary key")
                .help("SQL Server requires a primary key on a SCHEMA_AND_DATA memory-optimized table: mark the key fields #[sql(primary_key)]"),
        );
    }
    if clustered_indexes + usize::from(pk_clustered && !pk_columns.is_empty()) > 1 {
        errors.push(
            AnnotationError::new(Code::InvalidOptionValue, input.ident.span(), format!("table `{name}` has more than one clustered index"))
                .help("a table has at most one clustered index: mark the others nonclustered, or add nonclustered_primary_key"),
        );
    }

    let temporal = match (&args.temporal, period_start, period_end) {
        (Some(t), Some(start), Some(end)) => {
            if let Some(r) = &t.retention
                && !valid_retention(r)
            {
                errors.push(
                    AnnotationError::new(Code::InvalidOptionValue, t.span(), format!("`{r}` is not a retention period"))
                        .help("write a count and a unit: \"90 DAYS\", \"6 MONTHS\", \"1 YEAR\", or \"INFINITE\""),
                );
            }
            let history = t
                .history
                .clone()
                .unwrap_or_else(|| format!("{name}History"));
            check_name(&history, t.span(), "history table name", &mut errors);
            Some(crate::model::TemporalDef {
                history: QualifiedName {
                    schema: schema.clone(),
                    name: history,
                },
                retention: t.retention.clone().map(|r| r.trim().to_ascii_uppercase()),
                start,
                end,
                hidden,
            })
        }
        (Some(t), _, _) => {
            errors.push(
                AnnotationError::new(Code::InvalidOptionValue, t.span(), "a temporal table needs a period_start and a period_end column")
                    .help("add two NaiveDateTime fields marked #[sql(period_start)] and #[sql(period_end)] (optionally `hidden`)"),
            );
            None
        }
        (None, Some(_), _) | (None, _, Some(_)) => {
            errors.push(
                AnnotationError::new(Code::InvalidOptionValue, input.ident.span(), "period columns without `temporal(...)`")
                    .help("add #[sql(temporal(history = \"...\", retention = \"...\"))] to the table, or drop the period flags"),
            );
            None
        }
        (None, None, None) => None,
    };

    let graph = match (&args.edge, args.node.0) {
        (Some(edge), true) => {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    edge.span(),
                    "a table cannot be both a node and an edge",
                )
                .help("drop `node` or `edge`"),
            );
            GraphKind::None
        }
        (Some(edge), false) => {
            let cascade = match &edge.on_delete {
                None => false,
                Some(a) => match action(a, &mut errors) {
                    ReferentialAction::Cascade => true,
                    ReferentialAction::NoAction => false,
                    _ => {
                        errors.push(
                            AnnotationError::new(
                                Code::InvalidOptionValue,
                                a.span(),
                                "an edge connection deletes with CASCADE or NO ACTION only",
                            )
                            .help("use on_delete = \"cascade\" or drop it"),
                        );
                        false
                    }
                },
            };
            let connections = edge
                .connect
                .iter()
                .filter_map(|c| connection(c, &schema, ctx, &mut errors))
                .collect();
            GraphKind::Edge {
                connections,
                cascade,
            }
        }
        (None, true) => GraphKind::Node,
        (None, false) => GraphKind::None,
    };
    let kind_conflict = match (&graph, memory_optimized.is_some(), args.temporal.is_some()) {
        (GraphKind::None, _, _) => None,
        (_, true, _) => Some("memory-optimized"),
        (_, _, true) => Some("temporal"),
        _ => None,
    };
    if let Some(kind) = kind_conflict {
        errors.push(
            AnnotationError::new(
                Code::InvalidOptionValue,
                input.ident.span(),
                format!("a graph table cannot be {kind}"),
            )
            .help("SQL Server supports node and edge tables only as ordinary disk-based tables"),
        );
    }
    let spatial_indexes = args
        .spatial_index
        .iter()
        .map(|i| SpatialIndexDef {
            name: i
                .name
                .as_ref()
                .map(|n| {
                    check_name(n.as_str(), n.span(), "index name", &mut errors);
                    n.as_str().to_string()
                })
                .unwrap_or_else(|| format!("SIX_{name}_{}", bare(i.column.as_str()))),
            column: bare(i.column.as_str()),
            bounding_box: i
                .bounding_box
                .as_ref()
                .and_then(|b| bounding_box(b, &mut errors)),
            span: SourceSpan::from_span(ctx.file, i.column.span()),
        })
        .collect();
    let vector_indexes = args
        .vector_index
        .iter()
        .map(|i| VectorIndexDef {
            name: i
                .name
                .as_ref()
                .map(|n| {
                    check_name(n.as_str(), n.span(), "index name", &mut errors);
                    n.as_str().to_string()
                })
                .unwrap_or_else(|| format!("VIX_{name}_{}", bare(i.column.as_str()))),
            column: bare(i.column.as_str()),
            metric: match i.metric.as_ref().map(|m| m.to_ascii_lowercase()) {
                None => VectorMetric::Cosine,
                Some(m) if m == "cosine" => VectorMetric::Cosine,
                Some(m) if m == "dot" => VectorMetric::Dot,
                Some(m) if m == "euclidean" => VectorMetric::Euclidean,
                Some(m) => {
                    errors.push(
                        AnnotationError::new(
                            Code::InvalidOptionValue,
                            i.metric.as_ref().map_or(i.column.span(), |s| s.span()),
                            format!("`{m}` is not a vector index metric"),
                        )
                        .help("use \"cosine\" (the default), \"dot\" or \"euclidean\""),
                    );
                    VectorMetric::Cosine
                }
            },
            span: SourceSpan::from_span(ctx.file, i.column.span()),
        })
        .collect();

    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    Ok(TableDef {
        renamed_from: args.renamed_from.as_ref().map(|r| r.as_str().to_string()),
        graph,
        memory_optimized,
        spatial_indexes,
        vector_indexes,
        temporal,
        tenancy: match args.tenant {
            None => crate::model::Tenancy::Inherit,
            Some(TenantArg::Column(c)) => crate::model::Tenancy::Column(c),
            Some(TenantArg::Off) => crate::model::Tenancy::Off,
        },
        primary_key: (!pk_columns.is_empty()).then(|| KeyDef {
            name: format!("PK_{name}"),
            columns: pk_columns,
            clustered: pk_clustered,
            hash_buckets: pk_buckets,
            span: table_span.clone(),
        }),
        name: QualifiedName { schema, name },
        rust: RustPath {
            module: ctx.module.to_vec(),
            ident: rust_ident,
        },
        doc: doc_lines(&input.attrs),
        span: table_span,
        columns,
        uniques,
        foreign_keys,
        checks,
        indexes,
    })
}
