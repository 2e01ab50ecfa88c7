//! Stable diagnostic codes. A code never changes meaning once released; new
//! problems get new codes. `docs/diagnostics.md` explains each one.

/// Every problem codegen or the macros can report, with its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    // 01xx: attribute options
    UnknownOption,
    OptionValueType,
    DuplicateOption,
    InvalidOptionValue,
    ConflictingOptions,
    // 02xx: item and signature shape
    GenericRoutine,
    AsyncRoutine,
    MethodReceiver,
    ImplTraitParameter,
    UnsupportedQualifier,
    PatternParameter,
    OutputParameterOnFunction,
    MissingReturnValue,
    NotAStruct,
    MissingTSqlBody,
    AggregateShape,
    DataShape,
    // 03xx: types
    UnsupportedParameterType,
    UnsupportedReturnType,
    VectorDimension,
    InvalidTypeOverride,
    TypeOverrideMismatch,
    TypeNeedsOverride,
    ScalarAsRow,
    UnsupportedColumnType,
    // 04xx: names
    InvalidIdentifier,
    InvalidParameterName,
    // 05xx: whole-model rules
    DuplicateObjectName,
    UnresolvedRowType,
    AmbiguousRowType,
    DuplicateMemberName,
    UnknownTable,
    UnknownColumn,
    ForeignKeyTypeMismatch,
    ForeignKeyNotToKey,
    DependencyCycle,
    UnknownObject,
    ImpreciseComputedFunction,
    FilterOnComputedColumn,
    TableKindMismatch,
    IndexColumnType,
    DuplicateDataKey,
    // 07xx: T-SQL bodies
    UnknownTSqlObject,
    UnknownTSqlColumn,
    WrongArgumentCount,
    UnknownBrokerObject,
    WriteToGeneratedColumn,
    TableDdlInBody,
    DynamicSql,
    ResultSetMismatch,
    UndeclaredVariable,
    // 06xx: reading source
    SourceUnreadable,
    SourceSyntax,
    ModuleNotFound,
    // 09xx: codegen itself
    Internal,
}

impl Code {
    /// All codes, for documentation and uniqueness tests.
    pub const ALL: &'static [Code] = &[
        Code::UnknownOption,
        Code::OptionValueType,
        Code::DuplicateOption,
        Code::InvalidOptionValue,
        Code::ConflictingOptions,
        Code::GenericRoutine,
        Code::AsyncRoutine,
        Code::MethodReceiver,
        Code::ImplTraitParameter,
        Code::UnsupportedQualifier,
        Code::PatternParameter,
        Code::OutputParameterOnFunction,
        Code::MissingReturnValue,
        Code::NotAStruct,
        Code::MissingTSqlBody,
        Code::AggregateShape,
        Code::DataShape,
        Code::UnsupportedParameterType,
        Code::UnsupportedReturnType,
        Code::VectorDimension,
        Code::InvalidTypeOverride,
        Code::TypeOverrideMismatch,
        Code::TypeNeedsOverride,
        Code::ScalarAsRow,
        Code::UnsupportedColumnType,
        Code::InvalidIdentifier,
        Code::InvalidParameterName,
        Code::DuplicateObjectName,
        Code::UnresolvedRowType,
        Code::AmbiguousRowType,
        Code::DuplicateMemberName,
        Code::UnknownTable,
        Code::UnknownColumn,
        Code::ForeignKeyTypeMismatch,
        Code::ForeignKeyNotToKey,
        Code::DependencyCycle,
        Code::UnknownObject,
        Code::ImpreciseComputedFunction,
        Code::FilterOnComputedColumn,
        Code::TableKindMismatch,
        Code::IndexColumnType,
        Code::DuplicateDataKey,
        Code::UnknownTSqlObject,
        Code::UnknownTSqlColumn,
        Code::WrongArgumentCount,
        Code::UnknownBrokerObject,
        Code::WriteToGeneratedColumn,
        Code::TableDdlInBody,
        Code::DynamicSql,
        Code::ResultSetMismatch,
        Code::UndeclaredVariable,
        Code::SourceUnreadable,
        Code::SourceSyntax,
        Code::ModuleNotFound,
        Code::Internal,
    ];

    /// The stable code, `HS` followed by four digits.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::UnknownOption => "HS0101",
            Code::OptionValueType => "HS0102",
            Code::DuplicateOption => "HS0103",
            Code::InvalidOptionValue => "HS0104",
            Code::ConflictingOptions => "HS0105",
            Code::GenericRoutine => "HS0201",
            Code::AsyncRoutine => "HS0202",
            Code::MethodReceiver => "HS0203",
            Code::ImplTraitParameter => "HS0204",
            Code::UnsupportedQualifier => "HS0205",
            Code::PatternParameter => "HS0206",
            Code::OutputParameterOnFunction => "HS0207",
            Code::MissingReturnValue => "HS0208",
            Code::NotAStruct => "HS0209",
            Code::MissingTSqlBody => "HS0210",
            Code::AggregateShape => "HS0211",
            Code::DataShape => "HS0212",
            Code::UnsupportedParameterType => "HS0301",
            Code::UnsupportedReturnType => "HS0302",
            Code::VectorDimension => "HS0303",
            Code::InvalidTypeOverride => "HS0304",
            Code::TypeOverrideMismatch => "HS0305",
            Code::TypeNeedsOverride => "HS0306",
            Code::ScalarAsRow => "HS0307",
            Code::UnsupportedColumnType => "HS0308",
            Code::InvalidIdentifier => "HS0401",
            Code::InvalidParameterName => "HS0402",
            Code::DuplicateObjectName => "HS0501",
            Code::UnresolvedRowType => "HS0502",
            Code::AmbiguousRowType => "HS0503",
            Code::DuplicateMemberName => "HS0504",
            Code::UnknownTable => "HS0505",
            Code::UnknownColumn => "HS0506",
            Code::ForeignKeyTypeMismatch => "HS0507",
            Code::ForeignKeyNotToKey => "HS0508",
            Code::DependencyCycle => "HS0509",
            Code::UnknownObject => "HS0510",
            Code::ImpreciseComputedFunction => "HS0511",
            Code::FilterOnComputedColumn => "HS0512",
            Code::TableKindMismatch => "HS0513",
            Code::IndexColumnType => "HS0514",
            Code::DuplicateDataKey => "HS0515",
            Code::UnknownTSqlObject => "HS0701",
            Code::UnknownTSqlColumn => "HS0702",
            Code::WrongArgumentCount => "HS0703",
            Code::UnknownBrokerObject => "HS0704",
            Code::WriteToGeneratedColumn => "HS0705",
            Code::TableDdlInBody => "HS0706",
            Code::DynamicSql => "HS0707",
            Code::ResultSetMismatch => "HS0708",
            Code::UndeclaredVariable => "HS0709",
            Code::SourceUnreadable => "HS0601",
            Code::SourceSyntax => "HS0602",
            Code::ModuleNotFound => "HS0603",
            Code::Internal => "HS0901",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "code {text} used twice");
            assert_eq!(text.len(), 6, "{text}");
            assert!(text.starts_with("HS") && text[2..].bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
