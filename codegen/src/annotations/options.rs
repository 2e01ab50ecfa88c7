//! The options each annotation accepts, read with darling.

use darling::util::SpannedValue;
use darling::{FromAttributes, FromMeta};

/// `#[sql_function(...)]`.
#[derive(Debug, Default, FromMeta)]
pub struct FunctionArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub schema: Option<SpannedValue<String>>,
    #[darling(default)]
    pub deterministic: Switch,
    #[darling(default)]
    pub precise: Switch,
    #[darling(default)]
    pub data_access: Option<DataAccessArg>,
    /// SQL type of a scalar result, e.g. `returns = "NVARCHAR(20)"`.
    #[darling(default)]
    pub returns: Option<SpannedValue<String>>,
    /// The T-SQL body of a bodiless `fn`: a `.sql` file next to the Rust file.
    #[darling(default)]
    pub file: Option<SpannedValue<String>>,
    /// The T-SQL body written inline.
    #[darling(default)]
    pub body: Option<SpannedValue<String>>,
}

pub const FUNCTION_OPTIONS: &str = "name = \"..\", schema = \"..\", deterministic, precise, data_access = \"none\" | \"read\", returns = \"<SQL type>\", file = \"<body>.sql\", body = r#\"<T-SQL>\"#";

/// `#[sql_procedure(...)]`.
#[derive(Debug, Default, FromMeta)]
pub struct ProcedureArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub schema: Option<SpannedValue<String>>,
    /// The T-SQL body of a bodiless `fn`: a `.sql` file next to the Rust file.
    #[darling(default)]
    pub file: Option<SpannedValue<String>>,
    /// The T-SQL body written inline.
    #[darling(default)]
    pub body: Option<SpannedValue<String>>,
    /// A T-SQL procedure whose result sets depend on data.
    #[darling(default)]
    pub dynamic: Option<SpannedValue<Switch>>,
}

pub const PROCEDURE_OPTIONS: &str =
    "name = \"..\", schema = \"..\", file = \"<body>.sql\", body = r#\"<T-SQL>\"#, dynamic";

/// `#[sql_aggregate(...)]`.
#[derive(Debug, Default, FromMeta)]
pub struct AggregateArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub schema: Option<SpannedValue<String>>,
    #[darling(default)]
    pub invariant_to_nulls: Switch,
    #[darling(default)]
    pub invariant_to_duplicates: Switch,
    #[darling(default)]
    pub invariant_to_order: Switch,
    #[darling(default)]
    pub null_if_empty: Switch,
    /// `MaxByteSize`, 1 to 8000.
    #[darling(default)]
    pub max_size: Option<SpannedValue<i64>>,
    /// `MaxByteSize = -1` (the default, said explicitly).
    #[darling(default)]
    pub unlimited_size: Option<SpannedValue<Switch>>,
    /// SQL type of the result, e.g. `returns = "NVARCHAR(100)"`.
    #[darling(default)]
    pub returns: Option<SpannedValue<String>>,
}

pub const AGGREGATE_OPTIONS: &str = "name = \"..\", schema = \"..\", invariant_to_nulls, invariant_to_duplicates, invariant_to_order, null_if_empty, max_size = <1..8000>, unlimited_size, returns = \"<SQL type>\"";

#[derive(Debug, Clone, Copy, FromMeta, PartialEq, Eq)]
#[darling(rename_all = "snake_case")]
pub enum DataAccessArg {
    None,
    Read,
}

/// `#[sql(...)]` on a parameter or a row field.
#[derive(Debug, Default, FromAttributes)]
#[darling(attributes(sql))]
pub struct ValueArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default, rename = "type")]
    pub sql_type: Option<SpannedValue<String>>,
}

pub const VALUE_OPTIONS: &str = "name = \"..\", type = \"<SQL type>\"";

/// `#[sql(...)]` on a routine parameter.
#[derive(Debug, Default, FromAttributes)]
#[darling(attributes(sql))]
pub struct ParamArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default, rename = "type")]
    pub sql_type: Option<SpannedValue<String>>,
    /// The parameter's default, a T-SQL constant (`10`, `N'x'`, `NULL`).
    #[darling(default)]
    pub default: Option<SpannedValue<String>>,
}

pub const PARAM_OPTIONS: &str =
    "name = \"..\", type = \"<SQL type>\", default = \"<T-SQL constant>\"";

/// An on/off option: a bare word (`deterministic`) or a boolean
/// (`deterministic = false`). Anything else is a value-type error, not an
/// "unknown value" as darling's `bool` would say for `"yes"`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Switch(pub bool);

impl FromMeta for Switch {
    fn from_word() -> darling::Result<Self> {
        Ok(Switch(true))
    }

    fn from_bool(value: bool) -> darling::Result<Self> {
        Ok(Switch(value))
    }
}
