//! `#[derive(SqlTable)]` on a struct → [`TableDef`].

use super::error::{AnnotationError, Errors};
use super::options::Switch;
use super::rust_type::{Position, value_of};
use super::{ItemContext, check_name, doc_lines};
use crate::diagnostics::{Code, SourceSpan};
use crate::model::{
    CheckDef, DefaultDef, ForeignKeyDef, IndexDef, IndexKey, KeyDef, QualifiedName,
    ReferentialAction, RustPath, SqlType, TableColumn, TableDef, pascal_case, unraw,
};
use darling::util::SpannedValue;
use darling::{FromAttributes, FromMeta};
use proc_macro2::Span;
use std::collections::HashSet;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

/// `index(name = "..", columns = "A, B DESC", unique, clustered, include = "C", where = "..")`.
#[derive(Debug, FromMeta)]
pub struct IndexArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    pub columns: SpannedValue<String>,
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

pub const TABLE_OPTIONS: &str = "name = \"..\", schema = \"..\", tenant / tenant = \"Column\" / tenant = false, nonclustered_primary_key, temporal(history = \"..\", retention = \"90 DAYS\"), index(name = \"..\", columns = \"A, B DESC\", unique, clustered, include = \"C, D\", where = \"..\")";

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
}

pub const TABLE_COLUMN_OPTIONS: &str = "name = \"..\", type = \"<SQL type>\", primary_key, identity or identity = \"seed, step\", default = \"<T-SQL expression>\", unique, references = \"schema.Table(Column)\", on_delete / on_update = \"cascade\" | \"set_null\" | \"set_default\" | \"no_action\", check = \"<T-SQL condition>\", period_start, period_end, hidden";

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

/// A name as written in an option: `[x]` brackets removed.
fn bare(name: &str) -> String {
    let name = name.trim();
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(inner) => inner.replace("]]", "]"),
        None => name.to_string(),
    }
}

/// `A, B DESC` → index keys.
fn index_keys(text: &str, span: Span, errors: &mut Errors) -> Vec<IndexKey> {
    let mut keys = Vec::new();
    for part in text.split(',').map(str::trim) {
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
    let parsed = text.split_once('(').and_then(|(table, rest)| {
        let columns = rest.trim().strip_suffix(')')?;
        let table = table.trim();
        let (schema, name) = match table.rsplit_once('.') {
            Some((schema, name)) => (bare(schema), bare(name)),
            None => ("dbo".to_string(), bare(table)),
        };
        let columns: Vec<String> = columns
            .split(',')
            .map(bare)
            .filter(|c| !c.is_empty())
            .collect();
        (!name.is_empty() && !columns.is_empty())
            .then_some((QualifiedName { schema, name }, columns))
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
            let is_integer = matches!(
                value.sql,
                SqlType::TinyInt
                    | SqlType::SmallInt
                    | SqlType::Int
                    | SqlType::BigInt
                    | SqlType::Decimal { scale: 0, .. }
            );
            if !is_integer {
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
        if let Some(c) = &col.check {
            checks.push(CheckDef {
                name: format!("CK_{name}_{sql_name}"),
                expression: c.as_str().to_string(),
                span: SourceSpan::from_span(ctx.file, c.span()),
            });
        }
        columns.push(TableColumn {
            sql_name,
            rust_name,
            value,
            identity,
            default,
            span,
        });
    }

    let mut indexes = Vec::new();
    for index in &args.index {
        let keys = index_keys(index.columns.as_str(), index.columns.span(), &mut errors);
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
            keys,
            include: index
                .include
                .as_ref()
                .map(|i| i.split(',').map(bare).filter(|c| !c.is_empty()).collect())
                .unwrap_or_default(),
            filter: index.filter.as_ref().map(|f| f.as_str().to_string()),
            span: SourceSpan::from_span(ctx.file, index.columns.span()),
        });
    }
    let clustered_indexes = indexes.iter().filter(|i| i.clustered).count();
    let pk_clustered = !args.nonclustered_primary_key.0 && clustered_indexes == 0;
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

    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    Ok(TableDef {
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
