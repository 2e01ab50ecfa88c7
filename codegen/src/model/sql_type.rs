//! SQL Server types as the model holds them: parsed from overrides such as
//! `NVARCHAR(100)`, printed back in one canonical spelling.

use std::fmt;

/// Length of a variable-length type: a count or `MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Length {
    Max,
    Fixed(u32),
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Length::Max => f.write_str("MAX"),
            Length::Fixed(n) => write!(f, "{n}"),
        }
    }
}

/// A SQL Server scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SqlType {
    Bit,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Real,
    Float,
    Decimal {
        precision: u8,
        scale: u8,
    },
    NVarChar(Length),
    VarChar(Length),
    NChar(u32),
    Char(u32),
    VarBinary(Length),
    Binary(u32),
    UniqueIdentifier,
    Date,
    Time(u8),
    DateTime,
    DateTime2(u8),
    DateTimeOffset(u8),
    /// SQL Server 2025 `VECTOR(n)` of float32.
    Vector(u16),
    /// SQL Server 2025 native `JSON`.
    Json,
    /// The CLR spatial types, as their serialized bytes.
    Geometry,
    Geography,
    HierarchyId,
}

impl SqlType {
    /// Types a table column may have but a native routine's parameter or
    /// result may not: the bridge passes neither the CLR UDTs nor `JSON`
    /// (they cross as text or bytes through a T-SQL companion instead).
    pub fn table_only(self) -> bool {
        matches!(
            self,
            SqlType::Json | SqlType::Geometry | SqlType::Geography | SqlType::HierarchyId
        )
    }

    /// Character types, the ones a `COLLATE` applies to.
    pub fn is_character(self) -> bool {
        matches!(
            self,
            SqlType::NVarChar(_) | SqlType::VarChar(_) | SqlType::NChar(_) | SqlType::Char(_)
        )
    }

    /// Exact integer types, the ones `IDENTITY` and sequences accept.
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            SqlType::TinyInt
                | SqlType::SmallInt
                | SqlType::Int
                | SqlType::BigInt
                | SqlType::Decimal { scale: 0, .. }
        )
    }
}

/// Largest `VECTOR(n)` dimension SQL Server 2025 accepts for float32.
pub const MAX_VECTOR_DIMENSION: u32 = 1998;

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Bit => f.write_str("BIT"),
            SqlType::TinyInt => f.write_str("TINYINT"),
            SqlType::SmallInt => f.write_str("SMALLINT"),
            SqlType::Int => f.write_str("INT"),
            SqlType::BigInt => f.write_str("BIGINT"),
            SqlType::Real => f.write_str("REAL"),
            SqlType::Float => f.write_str("FLOAT"),
            SqlType::Decimal { precision, scale } => write!(f, "DECIMAL({precision}, {scale})"),
            SqlType::NVarChar(n) => write!(f, "NVARCHAR({n})"),
            SqlType::VarChar(n) => write!(f, "VARCHAR({n})"),
            SqlType::NChar(n) => write!(f, "NCHAR({n})"),
            SqlType::Char(n) => write!(f, "CHAR({n})"),
            SqlType::VarBinary(n) => write!(f, "VARBINARY({n})"),
            SqlType::Binary(n) => write!(f, "BINARY({n})"),
            SqlType::UniqueIdentifier => f.write_str("UNIQUEIDENTIFIER"),
            SqlType::Date => f.write_str("DATE"),
            SqlType::Time(p) => write!(f, "TIME({p})"),
            SqlType::DateTime => f.write_str("DATETIME"),
            SqlType::DateTime2(p) => write!(f, "DATETIME2({p})"),
            SqlType::DateTimeOffset(p) => write!(f, "DATETIMEOFFSET({p})"),
            SqlType::Vector(n) => write!(f, "VECTOR({n})"),
            SqlType::Json => f.write_str("JSON"),
            SqlType::Geometry => f.write_str("GEOMETRY"),
            SqlType::Geography => f.write_str("GEOGRAPHY"),
            SqlType::HierarchyId => f.write_str("HIERARCHYID"),
        }
    }
}

/// Why a type override could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlTypeError {
    pub message: String,
    pub help: String,
}

/// The type names an override may use, for did-you-mean and help texts.
pub const TYPE_NAMES: &[&str] = &[
    "BIT",
    "TINYINT",
    "SMALLINT",
    "INT",
    "BIGINT",
    "REAL",
    "FLOAT",
    "DECIMAL",
    "NUMERIC",
    "NVARCHAR",
    "VARCHAR",
    "NCHAR",
    "CHAR",
    "VARBINARY",
    "BINARY",
    "UNIQUEIDENTIFIER",
    "DATE",
    "TIME",
    "DATETIME",
    "DATETIME2",
    "DATETIMEOFFSET",
    "VECTOR",
    "JSON",
    "GEOMETRY",
    "GEOGRAPHY",
    "HIERARCHYID",
];

impl std::str::FromStr for SqlType {
    type Err = SqlTypeError;

    /// Parses `NAME`, `NAME(n)`, `NAME(MAX)` or `NAME(p, s)`, case-insensitive,
    /// and checks every argument against SQL Server's limits.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (name, args) = match text.find('(') {
            Some(open) => {
                let Some(inner) = text[open + 1..].strip_suffix(')') else {
                    return Err(err(
                        format!("`{text}` has an opening `(` without a closing `)`"),
                        "write the arguments in parentheses, e.g. `NVARCHAR(100)`",
                    ));
                };
                let args: Vec<&str> = inner.split(',').map(str::trim).collect();
                (text[..open].trim(), Some(args))
            }
            None => (text, None),
        };
        let upper = name.to_ascii_uppercase();
        let args = args.as_deref();
        let ty = match upper.as_str() {
            "BIT" => no_args(&upper, args, SqlType::Bit)?,
            "TINYINT" => no_args(&upper, args, SqlType::TinyInt)?,
            "SMALLINT" => no_args(&upper, args, SqlType::SmallInt)?,
            "INT" => no_args(&upper, args, SqlType::Int)?,
            "BIGINT" => no_args(&upper, args, SqlType::BigInt)?,
            "REAL" => no_args(&upper, args, SqlType::Real)?,
            "FLOAT" => match args {
                None => SqlType::Float,
                Some([n]) => match number(&upper, n, 1, 53)? {
                    1..=24 => SqlType::Real,
                    _ => SqlType::Float,
                },
                Some(_) => return Err(arity(&upper, "FLOAT or FLOAT(n)")),
            },
            "DECIMAL" | "NUMERIC" => match args {
                None => SqlType::Decimal {
                    precision: 18,
                    scale: 0,
                },
                Some([p]) => SqlType::Decimal {
                    precision: number(&upper, p, 1, 38)? as u8,
                    scale: 0,
                },
                Some([p, s]) => {
                    let precision = number(&upper, p, 1, 38)?;
                    let scale = number(&upper, s, 0, precision)?;
                    SqlType::Decimal {
                        precision: precision as u8,
                        scale: scale as u8,
                    }
                }
                Some(_) => return Err(arity(&upper, "DECIMAL(p, s)")),
            },
            "NVARCHAR" => SqlType::NVarChar(length(&upper, args, 4000)?),
            "VARCHAR" => SqlType::VarChar(length(&upper, args, 8000)?),
            "VARBINARY" => SqlType::VarBinary(length(&upper, args, 8000)?),
            "NCHAR" => SqlType::NChar(fixed(&upper, args, 4000)?),
            "CHAR" => SqlType::Char(fixed(&upper, args, 8000)?),
            "BINARY" => SqlType::Binary(fixed(&upper, args, 8000)?),
            "UNIQUEIDENTIFIER" => no_args(&upper, args, SqlType::UniqueIdentifier)?,
            "DATE" => no_args(&upper, args, SqlType::Date)?,
            "DATETIME" => no_args(&upper, args, SqlType::DateTime)?,
            "TIME" => SqlType::Time(fraction(&upper, args)?),
            "DATETIME2" => SqlType::DateTime2(fraction(&upper, args)?),
            "DATETIMEOFFSET" => SqlType::DateTimeOffset(fraction(&upper, args)?),
            "VECTOR" => match args {
                Some([n]) => SqlType::Vector(number(&upper, n, 1, MAX_VECTOR_DIMENSION)? as u16),
                _ => return Err(arity(&upper, "VECTOR(n) with 1 <= n <= 1998")),
            },
            "JSON" => no_args(&upper, args, SqlType::Json)?,
            "GEOMETRY" => no_args(&upper, args, SqlType::Geometry)?,
            "GEOGRAPHY" => no_args(&upper, args, SqlType::Geography)?,
            "HIERARCHYID" => no_args(&upper, args, SqlType::HierarchyId)?,
            _ => {
                let suggestion = TYPE_NAMES
                    .iter()
                    .map(|known| (strsim::jaro_winkler(known, &upper), known))
                    .filter(|(score, _)| *score > 0.8)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, known)| format!("did you mean `{known}`? "))
                    .unwrap_or_default();
                return Err(err(
                    format!("`{name}` is not a SQL Server type this tool knows"),
                    format!("{suggestion}known types: {}", TYPE_NAMES.join(", ")),
                ));
            }
        };
        Ok(ty)
    }
}

fn err(message: impl Into<String>, help: impl Into<String>) -> SqlTypeError {
    SqlTypeError {
        message: message.into(),
        help: help.into(),
    }
}

fn arity(name: &str, form: &str) -> SqlTypeError {
    err(
        format!("wrong number of arguments for `{name}`"),
        format!("write it as {form}"),
    )
}

fn no_args(name: &str, args: Option<&[&str]>, ty: SqlType) -> Result<SqlType, SqlTypeError> {
    match args {
        None => Ok(ty),
        Some(_) => Err(err(
            format!("`{name}` takes no arguments"),
            format!("write `{name}` alone"),
        )),
    }
}

fn number(name: &str, text: &str, min: u32, max: u32) -> Result<u32, SqlTypeError> {
    match text.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(n) => Err(err(
            format!("`{n}` is out of range for `{name}`"),
            format!("SQL Server accepts {min} to {max} here"),
        )),
        Err(_) => Err(err(
            format!("`{text}` is not a number (in `{name}`)"),
            format!("give a whole number from {min} to {max}"),
        )),
    }
}

fn length(name: &str, args: Option<&[&str]>, max: u32) -> Result<Length, SqlTypeError> {
    match args {
        None => Ok(Length::Fixed(1)),
        Some([n]) if n.eq_ignore_ascii_case("max") => Ok(Length::Max),
        Some([n]) => Ok(Length::Fixed(number(name, n, 1, max)?)),
        Some(_) => Err(arity(
            name,
            &format!("{name}(n) with 1 <= n <= {max}, or {name}(MAX)"),
        )),
    }
}

fn fixed(name: &str, args: Option<&[&str]>, max: u32) -> Result<u32, SqlTypeError> {
    match args {
        None => Ok(1),
        Some([n]) => number(name, n, 1, max),
        Some(_) => Err(arity(name, &format!("{name}(n) with 1 <= n <= {max}"))),
    }
}

fn fraction(name: &str, args: Option<&[&str]>) -> Result<u8, SqlTypeError> {
    match args {
        None => Ok(7),
        Some([p]) => Ok(number(name, p, 0, 7)? as u8),
        Some(_) => Err(arity(name, &format!("{name}(p) with 0 <= p <= 7"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> SqlType {
        text.parse()
            .unwrap_or_else(|e: SqlTypeError| panic!("{text}: {}", e.message))
    }

    #[test]
    fn canonical_spelling_round_trips() {
        for text in [
            "BIT",
            "INT",
            "BIGINT",
            "FLOAT",
            "DECIMAL(18, 4)",
            "NVARCHAR(100)",
            "NVARCHAR(MAX)",
            "VARBINARY(7992)",
            "BINARY(16)",
            "DATETIME2(3)",
            "DATETIMEOFFSET(7)",
            "TIME(0)",
            "VECTOR(1998)",
            "UNIQUEIDENTIFIER",
            "JSON",
            "GEOMETRY",
            "GEOGRAPHY",
            "HIERARCHYID",
        ] {
            assert_eq!(parse(text).to_string(), text);
        }
    }

    #[test]
    fn spelling_is_case_and_space_insensitive() {
        assert_eq!(parse(" nvarchar( max ) "), SqlType::NVarChar(Length::Max));
        assert_eq!(
            parse("numeric(10,2)"),
            SqlType::Decimal {
                precision: 10,
                scale: 2
            }
        );
        assert_eq!(parse("datetime2"), SqlType::DateTime2(7));
    }

    #[test]
    fn limits_are_enforced() {
        for bad in [
            "NVARCHAR(4001)",
            "VARCHAR(0)",
            "DECIMAL(39, 2)",
            "DECIMAL(5, 6)",
            "DATETIME2(8)",
            "VECTOR(0)",
            "VECTOR(1999)",
            "INT(4)",
            "NVARCHAR(10",
            "NVARCHAR(ten)",
        ] {
            assert!(bad.parse::<SqlType>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let e = "NVARCHR(10)".parse::<SqlType>().unwrap_err();
        assert!(e.help.contains("did you mean `NVARCHAR`"), "{}", e.help);
    }
}
