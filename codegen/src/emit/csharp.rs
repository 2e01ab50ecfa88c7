//! The C# side of the CLR bridge: one static method per routine with the
//! `[SqlFunction]` / `[SqlProcedure]` attribute SQL Server reads, NULL guards,
//! and a P/Invoke into the Rust export described by `native::abi`.

use super::sql::{EmitOptions, bridge_method};
use super::{GeneratedFile, file_stem};
use crate::model::{
    DataAccess, Direction, Length, Model, Routine, RoutineKind, RowDef, RustValue, SqlType, Value,
};
use crate::native::abi::{
    AbiType, OutputKind, input_slots, output_kind, routine_symbol, row_symbols,
};
use crate::quote_sql;
use minijinja::Environment;
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, text) in [
            ("runtime.cs", include_str!("templates/bridge_runtime.cs.j2")),
            ("routine.cs", include_str!("templates/bridge_routine.cs.j2")),
            ("row.cs", include_str!("templates/bridge_row.cs.j2")),
            (
                "aggregate.cs",
                include_str!("templates/bridge_aggregate.cs.j2"),
            ),
        ] {
            env.add_template(name, text)
                .expect("bridge template parses");
        }
        env.add_template(
            "project.csproj",
            include_str!("templates/project.csproj.j2"),
        )
        .expect("project template parses");
        env
    })
}

/// A C# string literal (verbatim strings cannot hold every character safely).
pub fn csharp_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The SqlTypes (or nullable CLR) type of a value.
pub(super) fn sql_clr_type(rust: RustValue) -> &'static str {
    match rust {
        RustValue::Bool => "SqlBoolean",
        RustValue::U8 => "SqlByte",
        RustValue::I16 => "SqlInt16",
        RustValue::I32 => "SqlInt32",
        RustValue::I64 => "SqlInt64",
        RustValue::F32 => "SqlSingle",
        RustValue::F64 => "SqlDouble",
        RustValue::Str | RustValue::String => "SqlString",
        RustValue::ByteSlice
        | RustValue::ByteVec
        | RustValue::F32Slice
        | RustValue::F32Vec
        | RustValue::Vector(_)
        | RustValue::Geometry
        | RustValue::Geography => "SqlBytes",
        RustValue::Uuid => "SqlGuid",
        RustValue::Decimal => "SqlDecimal",
        RustValue::Date | RustValue::DateTime => "DateTime?",
        RustValue::Time => "TimeSpan?",
        RustValue::DateTimeOffset => "DateTimeOffset?",
    }
}

/// `x.IsNull` or `!x.HasValue`.
pub(super) fn is_null(rust: RustValue, x: &str) -> String {
    match rust {
        RustValue::Date | RustValue::DateTime | RustValue::Time | RustValue::DateTimeOffset => {
            format!("!{x}.HasValue")
        }
        _ => format!("{x}.IsNull"),
    }
}

/// The SQL NULL of a C# type.
pub(super) fn null_of(rust: RustValue) -> String {
    match rust {
        RustValue::Date | RustValue::DateTime | RustValue::Time | RustValue::DateTimeOffset => {
            "null".into()
        }
        _ => format!("{}.Null", sql_clr_type(rust)),
    }
}

pub(super) fn abi_cs(ty: AbiType) -> &'static str {
    match ty {
        AbiType::U8 => "byte",
        AbiType::I16 => "short",
        AbiType::I32 => "int",
        AbiType::I64 => "long",
        AbiType::F32 => "float",
        AbiType::F64 => "double",
        // CharSet.Unicode: the string's own UTF-16 is pinned and passed, no copy.
        AbiType::Utf16Ptr => "string",
        // Blittable arrays are pinned, no copy.
        AbiType::BytePtr => "byte[]",
        AbiType::DecimalPtr => "int[]",
    }
}

/// C# expressions for the ABI slots of input `x` (the SqlTypes argument).
pub(super) fn input_args(value: &Value, x: &str) -> Vec<String> {
    let null = is_null(value.rust, x);
    let v = format!("{x}.Value");
    let guard = |expr: String, default: &str| -> String {
        if value.nullable {
            format!("{null} ? {default} : {expr}")
        } else {
            expr
        }
    };
    let mut args = Vec::new();
    if value.nullable {
        args.push(format!("{null} ? (byte)1 : (byte)0"));
    }
    match value.rust {
        RustValue::Bool => args.push(guard(format!("{v} ? (byte)1 : (byte)0"), "(byte)0")),
        RustValue::U8 => args.push(guard(v, "(byte)0")),
        RustValue::I16 => args.push(guard(v, "(short)0")),
        RustValue::I32 => args.push(guard(v, "0")),
        RustValue::I64 => args.push(guard(v, "0L")),
        RustValue::F32 => args.push(guard(v, "0f")),
        RustValue::F64 => args.push(guard(v, "0d")),
        RustValue::Str | RustValue::String => {
            args.push(guard(v.clone(), "null"));
            args.push(guard(format!("{v}.Length"), "0"));
        }
        RustValue::ByteSlice
        | RustValue::ByteVec
        | RustValue::F32Slice
        | RustValue::F32Vec
        | RustValue::Vector(_)
        | RustValue::Geometry
        | RustValue::Geography => {
            // SqlBytes.Buffer is the value's own array: read in place.
            args.push(guard(format!("{x}.Buffer"), "null"));
            args.push(guard(format!("checked((int){x}.Length)"), "0"));
        }
        RustValue::Uuid => args.push(guard(format!("{v}.ToByteArray()"), "Bridge.EmptyGuid")),
        RustValue::Date => args.push(guard(
            format!("checked((int)({v}.Ticks / TimeSpan.TicksPerDay))"),
            "0",
        )),
        RustValue::Time | RustValue::DateTime => args.push(guard(format!("{v}.Ticks"), "0L")),
        RustValue::DateTimeOffset => {
            args.push(guard(format!("{v}.Ticks"), "0L"));
            args.push(guard(
                format!("checked((short){v}.Offset.TotalMinutes)"),
                "(short)0",
            ));
        }
        RustValue::Decimal => args.push(guard(
            format!("decimal.GetBits({v})"),
            "Bridge.EmptyDecimal",
        )),
    }
    args
}

/// Output locals: declarations, the `out` arguments, and the C# expression
/// building the SqlTypes value from them (`null_expr` says when it is NULL).
pub(super) struct OutputLocals {
    pub(super) declarations: Vec<String>,
    pub(super) arguments: Vec<String>,
    pub(super) extern_params: Vec<String>,
    pub(super) value: String,
}

pub(super) fn output_locals(base: &str, rust: RustValue, with_null: bool) -> OutputLocals {
    let mut declarations = Vec::new();
    let mut arguments = Vec::new();
    let mut extern_params = Vec::new();
    if with_null {
        declarations.push(format!("byte {base}_null;"));
        arguments.push(format!("out {base}_null"));
        extern_params.push(format!("out byte {base}_null"));
    }
    let value = match output_kind(rust) {
        OutputKind::Plain(ty) => {
            let t = abi_cs(ty);
            declarations.push(format!("{t} {base};"));
            arguments.push(format!("out {base}"));
            extern_params.push(format!("out {t} {base}"));
            match rust {
                RustValue::Bool => format!("new SqlBoolean({base} != 0)"),
                RustValue::Date => {
                    format!("(DateTime?)new DateTime({base} * TimeSpan.TicksPerDay)")
                }
                RustValue::DateTime => format!("(DateTime?)new DateTime({base})"),
                RustValue::Time => format!("(TimeSpan?)new TimeSpan({base})"),
                other => format!("new {}({base})", sql_clr_type(other)),
            }
        }
        OutputKind::Utf16Buf => {
            declarations.push(format!("HsBuf {base};"));
            arguments.push(format!("out {base}"));
            extern_params.push(format!("out HsBuf {base}"));
            format!("new SqlString(Bridge.TakeString({base}))")
        }
        OutputKind::ByteBuf => {
            declarations.push(format!("HsBuf {base};"));
            arguments.push(format!("out {base}"));
            extern_params.push(format!("out HsBuf {base}"));
            format!("new SqlBytes(Bridge.TakeBytes({base}))")
        }
        OutputKind::Guid => {
            declarations.push(format!("byte[] {base} = new byte[16];"));
            arguments.push(base.to_string());
            extern_params.push(format!("[Out] byte[] {base}"));
            format!("new SqlGuid(new Guid({base}))")
        }
        OutputKind::Decimal => {
            declarations.push(format!("int[] {base} = new int[4];"));
            arguments.push(base.to_string());
            extern_params.push(format!("[Out] int[] {base}"));
            format!("new SqlDecimal(new decimal({base}))")
        }
        OutputKind::DateTimeOffset => {
            declarations.push(format!("long {base}; short {base}_offset;"));
            arguments.push(format!("out {base}"));
            arguments.push(format!("out {base}_offset"));
            extern_params.push(format!("out long {base}"));
            extern_params.push(format!("out short {base}_offset"));
            format!(
                "(DateTimeOffset?)new DateTimeOffset({base}, TimeSpan.FromMinutes({base}_offset))"
            )
        }
    };
    OutputLocals {
        declarations,
        arguments,
        extern_params,
        value,
    }
}

/// `SqlMetaData` for a result-set column.
fn sql_metadata(name: &str, sql: SqlType) -> String {
    let n = csharp_string(name);
    let length = |l: Length| match l {
        Length::Max => "SqlMetaData.Max".to_string(),
        Length::Fixed(n) => n.to_string(),
    };
    match sql {
        SqlType::Bit => format!("new SqlMetaData({n}, SqlDbType.Bit)"),
        SqlType::TinyInt => format!("new SqlMetaData({n}, SqlDbType.TinyInt)"),
        SqlType::SmallInt => format!("new SqlMetaData({n}, SqlDbType.SmallInt)"),
        SqlType::Int => format!("new SqlMetaData({n}, SqlDbType.Int)"),
        SqlType::BigInt => format!("new SqlMetaData({n}, SqlDbType.BigInt)"),
        SqlType::Real => format!("new SqlMetaData({n}, SqlDbType.Real)"),
        SqlType::Float => format!("new SqlMetaData({n}, SqlDbType.Float)"),
        SqlType::Decimal { precision, scale } => {
            format!("new SqlMetaData({n}, SqlDbType.Decimal, {precision}, {scale})")
        }
        SqlType::NVarChar(l) => format!("new SqlMetaData({n}, SqlDbType.NVarChar, {})", length(l)),
        SqlType::VarChar(l) => format!("new SqlMetaData({n}, SqlDbType.VarChar, {})", length(l)),
        SqlType::NChar(l) => format!("new SqlMetaData({n}, SqlDbType.NChar, {l})"),
        SqlType::Char(l) => format!("new SqlMetaData({n}, SqlDbType.Char, {l})"),
        SqlType::VarBinary(l) => {
            format!("new SqlMetaData({n}, SqlDbType.VarBinary, {})", length(l))
        }
        // Table-only types never reach the bridge (value_of rejects them);
        // were one to, it would travel as its bytes or text.
        SqlType::Vector(_) | SqlType::Geometry | SqlType::Geography | SqlType::HierarchyId => {
            format!("new SqlMetaData({n}, SqlDbType.VarBinary, SqlMetaData.Max)")
        }
        SqlType::Json => format!("new SqlMetaData({n}, SqlDbType.NVarChar, SqlMetaData.Max)"),
        SqlType::Binary(l) => format!("new SqlMetaData({n}, SqlDbType.Binary, {l})"),
        SqlType::UniqueIdentifier => format!("new SqlMetaData({n}, SqlDbType.UniqueIdentifier)"),
        SqlType::Date => format!("new SqlMetaData({n}, SqlDbType.Date)"),
        SqlType::Time(p) => format!("new SqlMetaData({n}, SqlDbType.Time, 0, {p})"),
        SqlType::DateTime => format!("new SqlMetaData({n}, SqlDbType.DateTime)"),
        SqlType::DateTime2(p) => format!("new SqlMetaData({n}, SqlDbType.DateTime2, 0, {p})"),
        SqlType::DateTimeOffset(p) => {
            format!("new SqlMetaData({n}, SqlDbType.DateTimeOffset, 0, {p})")
        }
    }
}

/// The typed `SqlDataRecord` setter for a column value.
fn record_setter(rust: RustValue, index: usize, value: &str) -> String {
    match rust {
        RustValue::Bool => format!("record.SetSqlBoolean({index}, {value});"),
        RustValue::U8 => format!("record.SetSqlByte({index}, {value});"),
        RustValue::I16 => format!("record.SetSqlInt16({index}, {value});"),
        RustValue::I32 => format!("record.SetSqlInt32({index}, {value});"),
        RustValue::I64 => format!("record.SetSqlInt64({index}, {value});"),
        RustValue::F32 => format!("record.SetSqlSingle({index}, {value});"),
        RustValue::F64 => format!("record.SetSqlDouble({index}, {value});"),
        RustValue::Str | RustValue::String => format!("record.SetSqlString({index}, {value});"),
        RustValue::Uuid => format!("record.SetSqlGuid({index}, {value});"),
        RustValue::Decimal => format!("record.SetSqlDecimal({index}, {value});"),
        RustValue::Date | RustValue::DateTime => {
            format!("record.SetDateTime({index}, {value}.Value);")
        }
        RustValue::Time => format!("record.SetTimeSpan({index}, {value}.Value);"),
        RustValue::DateTimeOffset => format!("record.SetDateTimeOffset({index}, {value}.Value);"),
        RustValue::ByteSlice
        | RustValue::ByteVec
        | RustValue::F32Slice
        | RustValue::F32Vec
        | RustValue::Vector(_)
        | RustValue::Geometry
        | RustValue::Geography => format!("record.SetSqlBytes({index}, {value});"),
    }
}

#[derive(Serialize)]
struct ColumnCs {
    field: String,
    clr_type: String,
    null_check: String,
    setter: String,
}

#[derive(Serialize)]
struct RowCs {
    class: String,
    rust: String,
    next_symbol: String,
    free_symbol: String,
    extern_params: String,
    declarations: Vec<String>,
    arguments: String,
    assignments: Vec<String>,
    columns: Vec<ColumnCs>,
    metadata: String,
}

#[derive(Serialize)]
struct RoutineCs {
    comment: String,
    attribute: String,
    signature: String,
    symbol: String,
    extern_params: String,
    guards: Vec<String>,
    declarations: Vec<String>,
    arguments: String,
    /// Statements after a successful call (outputs, rows, return).
    finish: Vec<String>,
    /// For table-valued functions: the FillRow method.
    fill_row: Option<String>,
    /// What a NULL-guarded call returns.
    null_return: String,
}

fn row_class(row: &RowDef) -> String {
    format!("Row_{}", row.rust.ident)
}

fn row_cs(row: &RowDef) -> RowCs {
    let (next_symbol, free_symbol) = row_symbols(&row.rust.ident);
    let mut extern_params = vec!["IntPtr handle".to_string()];
    let mut declarations = Vec::new();
    let mut arguments = vec!["handle.DangerousGetHandle()".to_string()];
    let mut assignments = Vec::new();
    let mut columns = Vec::new();
    for (j, column) in row.columns.iter().enumerate() {
        let base = format!("c{j}");
        let out = output_locals(&base, column.value.rust, true);
        extern_params.extend(out.extern_params);
        declarations.extend(out.declarations);
        arguments.extend(out.arguments);
        assignments.push(format!(
            "row.C{j} = {base}_null != 0 ? {} : {};",
            null_of(column.value.rust),
            out.value
        ));
        columns.push(ColumnCs {
            field: format!("C{j}"),
            clr_type: sql_clr_type(column.value.rust).to_string(),
            null_check: is_null(column.value.rust, &format!("row.C{j}")),
            setter: record_setter(column.value.rust, j, &format!("row.C{j}")),
        });
    }
    extern_params.push("out HsBuf err".into());
    arguments.push("out err".into());
    let metadata = row
        .columns
        .iter()
        .map(|c| sql_metadata(&c.sql_name, c.value.sql))
        .collect::<Vec<_>>()
        .join(", ");
    RowCs {
        class: row_class(row),
        rust: row.rust.to_string(),
        next_symbol,
        free_symbol,
        extern_params: extern_params.join(", "),
        declarations,
        arguments: arguments.join(", "),
        assignments,
        columns,
        metadata,
    }
}

/// The C# name of a parameter: its SQL name as a verbatim identifier (`@x`
/// also escapes C# keywords) when it is one, else `pN`. SQL Server binds CLR
/// parameters by position, so the name is for readers.
pub(super) fn cs_parameter(sql_name: &str, index: usize) -> String {
    let mut chars = sql_name.chars();
    let valid = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && !sql_name.starts_with("__");
    if valid {
        format!("@{sql_name}")
    } else {
        format!("p{index}")
    }
}

pub(super) fn yes(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn routine_cs(model: &Model, routine: &Routine) -> RoutineCs {
    let method = bridge_method(routine);
    let symbol = routine_symbol(&routine.name);
    let label = routine.name.to_string();
    let mut params = Vec::new();
    let mut guards = Vec::new();
    let mut declarations = Vec::new();
    let mut arguments = Vec::new();
    let mut extern_params = Vec::new();
    let mut finish = Vec::new();
    let procedure = routine.kind.is_procedure();
    let null_return = match &routine.kind {
        RoutineKind::ScalarFunction { returns, .. } => null_of(returns.rust),
        RoutineKind::TableFunction { .. } => "Bridge.NoRows".to_string(),
        RoutineKind::Procedure { .. } => String::new(),
    };
    for (i, param) in routine.params.iter().enumerate() {
        let name = cs_parameter(&param.sql_name, i);
        let clr = sql_clr_type(param.value.rust);
        let by_ref = if param.direction == Direction::Output {
            "ref "
        } else {
            ""
        };
        params.push(format!("{by_ref}{clr} {name}"));
        if !param.value.nullable {
            let check = is_null(param.value.rust, &name);
            guards.push(if procedure {
                format!(
                    "if ({check}) throw Bridge.NullArgument({}, {});",
                    csharp_string(&format!("@{}", param.sql_name)),
                    csharp_string(&label)
                )
            } else {
                format!("if ({check}) return {null_return};")
            });
        }
        for (slot, arg) in input_slots(&param.value)
            .iter()
            .zip(input_args(&param.value, &name))
        {
            extern_params.push(format!("{} {name}{}", abi_cs(slot.ty), slot.suffix));
            arguments.push(arg);
        }
        if param.direction == Direction::Output {
            let out = output_locals(&format!("__o{i}"), param.value.rust, true);
            declarations.extend(out.declarations);
            arguments.extend(out.arguments);
            extern_params.extend(out.extern_params);
            finish.push(format!(
                "{name} = __o{i}_null != 0 ? {} : {};",
                null_of(param.value.rust),
                out.value
            ));
        }
    }
    let mut fill_row = None;
    let (return_type, attribute) = match &routine.kind {
        RoutineKind::ScalarFunction { returns, options } => {
            let out = output_locals("__result", returns.rust, false);
            declarations.extend(out.declarations);
            arguments.extend(out.arguments);
            extern_params.extend(out.extern_params);
            finish.push(format!(
                "return __status == Bridge.StatusNull ? {} : {};",
                null_of(returns.rust),
                out.value
            ));
            (
                sql_clr_type(returns.rust).to_string(),
                function_attribute(
                    routine,
                    options.deterministic,
                    options.precise,
                    options.data_access,
                    None,
                ),
            )
        }
        RoutineKind::TableFunction { rows, options } => {
            let row = model.row(rows).expect("rules resolved every row type");
            declarations.push("IntPtr __rows;".into());
            arguments.push("out __rows".into());
            extern_params.push("out IntPtr rows".into());
            finish.push(format!("return new {}Stream(__rows);", row_class(row)));
            let fill = format!("{method}_FillRow");
            let definition = row
                .columns
                .iter()
                .map(|c| format!("{} {}", quote_sql::identifier(&c.sql_name), c.value.sql))
                .collect::<Vec<_>>()
                .join(", ");
            let outs = row
                .columns
                .iter()
                .enumerate()
                .map(|(j, c)| format!("out {} c{j}", sql_clr_type(c.value.rust)))
                .collect::<Vec<_>>()
                .join(", ");
            let sets = (0..row.columns.len())
                .map(|j| format!("c{j} = r.C{j};"))
                .collect::<Vec<_>>()
                .join(" ");
            fill_row = Some(format!(
                "public static void {fill}(object row, {outs})\n        {{\n            var r = ({class})row;\n            {sets}\n        }}",
                class = row_class(row)
            ));
            (
                "IEnumerable".to_string(),
                function_attribute(
                    routine,
                    options.deterministic,
                    options.precise,
                    options.data_access,
                    Some((fill, definition)),
                ),
            )
        }
        RoutineKind::Procedure { result_sets, .. } => {
            if let Some(rows) = result_sets.first() {
                let row = model.row(rows).expect("rules resolved every row type");
                declarations.push("IntPtr __rows;".into());
                arguments.push("out __rows".into());
                extern_params.push("out IntPtr rows".into());
                finish.push(format!(
                    "using (var __stream = new {}Stream(__rows)) {{ __stream.Send(); }}",
                    row_class(row)
                ));
            }
            (
                "void".to_string(),
                format!(
                    "[SqlProcedure(Name = {})]",
                    csharp_string(&routine.name.name)
                ),
            )
        }
    };
    declarations.push("HsBuf __err;".into());
    arguments.push("out __err".into());
    extern_params.push("out HsBuf err".into());
    RoutineCs {
        comment: format!(
            "{} ({}, Rust `{}`)",
            quote_sql::qualified(&routine.name.schema, &routine.name.name),
            super::sql::source_text(&routine.span),
            routine.rust
        ),
        attribute,
        signature: format!(
            "public static {return_type} {method}({})",
            params.join(", ")
        ),
        symbol,
        extern_params: extern_params.join(", "),
        guards,
        declarations,
        arguments: arguments.join(", "),
        finish,
        fill_row,
        null_return,
    }
}

fn function_attribute(
    routine: &Routine,
    deterministic: bool,
    precise: bool,
    access: DataAccess,
    table: Option<(String, String)>,
) -> String {
    let access = match access {
        DataAccess::None => "DataAccessKind.None",
        DataAccess::Read => "DataAccessKind.Read",
    };
    let mut parts = vec![
        format!("Name = {}", csharp_string(&routine.name.name)),
        format!("IsDeterministic = {}", yes(deterministic)),
        format!("IsPrecise = {}", yes(precise)),
        format!("DataAccess = {access}"),
    ];
    if let Some((fill, definition)) = table {
        parts.push(format!("FillRowMethodName = {}", csharp_string(&fill)));
        parts.push(format!("TableDefinition = {}", csharp_string(&definition)));
    }
    format!("[SqlFunction({})]", parts.join(", "))
}

/// The C# bridge, one file per object so a new routine adds a file rather
/// than editing a shared one: `csharp/Bridge.g.cs` (shared types),
/// `csharp/<schema>/<functions|procedures>/<name>.cs`, `csharp/rows/<Row>.cs`,
/// and the project file that builds them for .NET Framework 4.8.
pub fn emit_csharp(
    model: &Model,
    options: &EmitOptions,
) -> Result<Vec<GeneratedFile>, minijinja::Error> {
    let env = environment();
    let (namespace, class) = match options.class.rsplit_once('.') {
        Some((ns, class)) => (ns.to_string(), class.to_string()),
        None => (String::new(), options.class.clone()),
    };
    let mut files = vec![GeneratedFile {
        path: "csharp/Bridge.g.cs".into(),
        contents: super::finish(
            env.get_template("runtime.cs")?
                .render(minijinja::context! {
                    namespace, library => options.native_library.clone(),
                    library_literal => csharp_string(&options.native_library),
                    native_path_literal => options.native_path.as_deref().map(csharp_string),
                })?,
        ),
    }];
    // T-SQL-bodied routines have no bridge method.
    let mut routines: Vec<&Routine> = model.routines.iter().filter(|r| r.is_native()).collect();
    routines.sort_by(|a, b| {
        a.name
            .collision_key()
            .cmp(&b.name.collision_key())
            .then_with(|| a.name.cmp(&b.name))
    });
    let routine_template = env.get_template("routine.cs")?;
    for routine in routines {
        let dir = if routine.kind.is_procedure() {
            "procedures"
        } else {
            "functions"
        };
        files.push(GeneratedFile {
            path: format!(
                "csharp/{}/{dir}/{}.cs",
                file_stem(&routine.name.schema),
                file_stem(&routine.name.name)
            ),
            contents: super::finish(routine_template.render(minijinja::context! {
                namespace, class, r => routine_cs(model, routine),
            })?),
        });
    }
    let aggregate_template = env.get_template("aggregate.cs")?;
    for aggregate in &model.aggregates {
        files.push(GeneratedFile {
            path: format!(
                "csharp/{}/aggregates/{}.cs",
                file_stem(&aggregate.name.schema),
                file_stem(&aggregate.name.name)
            ),
            contents: super::finish(aggregate_template.render(minijinja::context! {
                namespace, a => super::aggregate::aggregate_cs(aggregate),
            })?),
        });
    }
    // Rows a native routine returns; T-SQL routines' rows never cross the bridge.
    let used_rows: BTreeSet<&str> = model
        .routines
        .iter()
        .filter(|r| r.is_native())
        .filter_map(|r| r.kind.row_ref())
        .map(|r| r.ident.as_str())
        .collect();
    let row_template = env.get_template("row.cs")?;
    for row in model
        .rows
        .iter()
        .filter(|r| used_rows.contains(r.rust.ident.as_str()))
    {
        files.push(GeneratedFile {
            path: format!("csharp/rows/{}.cs", file_stem(&row.rust.ident)),
            contents: super::finish(row_template.render(minijinja::context! {
                namespace, row => row_cs(row),
            })?),
        });
    }
    files.push(GeneratedFile {
        path: format!("csharp/{}.csproj", file_stem(&options.assembly)),
        contents: super::finish(env.get_template("project.csproj")?.render(
            minijinja::context! {
                assembly => options.assembly.clone(),
                namespace,
            },
        )?),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::csharp_string;

    #[test]
    fn csharp_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(csharp_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
        assert_eq!(csharp_string("[col ]]1] INT"), "\"[col ]]1] INT\"");
    }
}
