//! The native ABI of one value, described once for both sides: the Rust
//! export the macros write and the C# P/Invoke codegen writes.

use crate::model::{QualifiedName, RustValue, Value};

/// A C type on the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbiType {
    U8,
    I16,
    I32,
    I64,
    F32,
    F64,
    /// `*const u16`: UTF-16 text.
    Utf16Ptr,
    /// `*const u8`: bytes (a GUID's 16, a VARBINARY's `len`).
    BytePtr,
    /// `*const i32`: a decimal's four `GetBits` words.
    DecimalPtr,
}

/// One C parameter carrying (part of) an input value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbiSlot {
    /// Appended to the parameter's base name: "", "_len", "_null", "_offset".
    pub suffix: &'static str,
    pub ty: AbiType,
}

const fn slot(suffix: &'static str, ty: AbiType) -> AbiSlot {
    AbiSlot { suffix, ty }
}

/// The C parameters of an input value, NULL flag first when nullable.
pub fn input_slots(value: &Value) -> Vec<AbiSlot> {
    let mut slots = Vec::with_capacity(3);
    if value.nullable {
        slots.push(slot("_null", AbiType::U8));
    }
    slots.extend(match value.rust {
        RustValue::Bool | RustValue::U8 => vec![slot("", AbiType::U8)],
        RustValue::I16 => vec![slot("", AbiType::I16)],
        RustValue::I32 => vec![slot("", AbiType::I32)],
        RustValue::I64 => vec![slot("", AbiType::I64)],
        RustValue::F32 => vec![slot("", AbiType::F32)],
        RustValue::F64 => vec![slot("", AbiType::F64)],
        RustValue::Str | RustValue::String => {
            vec![slot("", AbiType::Utf16Ptr), slot("_len", AbiType::I32)]
        }
        RustValue::ByteSlice
        | RustValue::ByteVec
        | RustValue::F32Slice
        | RustValue::F32Vec
        | RustValue::Vector(_)
        | RustValue::Geometry
        | RustValue::Geography => vec![slot("", AbiType::BytePtr), slot("_len", AbiType::I32)],
        RustValue::Uuid => vec![slot("", AbiType::BytePtr)],
        RustValue::Date => vec![slot("", AbiType::I32)],
        RustValue::Time | RustValue::DateTime => vec![slot("", AbiType::I64)],
        RustValue::DateTimeOffset => vec![slot("", AbiType::I64), slot("_offset", AbiType::I16)],
        RustValue::Decimal => vec![slot("", AbiType::DecimalPtr)],
    });
    slots
}

/// How a value comes back: written through pointers the caller passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// `*mut T` of a plain C type.
    Plain(AbiType),
    /// `*mut HsBuf` holding UTF-16, freed with `hs_free_utf16`.
    Utf16Buf,
    /// `*mut HsBuf` holding bytes, freed with `hs_free_bytes`.
    ByteBuf,
    /// `*mut u8` to 16 caller-owned bytes.
    Guid,
    /// `*mut i64` ticks and `*mut i16` offset minutes.
    DateTimeOffset,
    /// `*mut i32` to 4 caller-owned words.
    Decimal,
}

pub fn output_kind(rust: RustValue) -> OutputKind {
    match rust {
        RustValue::Bool | RustValue::U8 => OutputKind::Plain(AbiType::U8),
        RustValue::I16 => OutputKind::Plain(AbiType::I16),
        RustValue::I32 | RustValue::Date => OutputKind::Plain(AbiType::I32),
        RustValue::I64 | RustValue::Time | RustValue::DateTime => OutputKind::Plain(AbiType::I64),
        RustValue::F32 => OutputKind::Plain(AbiType::F32),
        RustValue::F64 => OutputKind::Plain(AbiType::F64),
        RustValue::Str | RustValue::String => OutputKind::Utf16Buf,
        RustValue::ByteSlice
        | RustValue::ByteVec
        | RustValue::F32Slice
        | RustValue::F32Vec
        | RustValue::Vector(_)
        | RustValue::Geometry
        | RustValue::Geography => OutputKind::ByteBuf,
        RustValue::Uuid => OutputKind::Guid,
        RustValue::DateTimeOffset => OutputKind::DateTimeOffset,
        RustValue::Decimal => OutputKind::Decimal,
    }
}

/// A SQL name as C-symbol text: ASCII letters and digits stay, every other
/// UTF-8 byte (`_` included) becomes `_xx` in lowercase hex. Injective; a
/// part never contains `__` (every `_` is followed by a hex digit), so `__`
/// after a part unambiguously separates it from the next.
pub fn symbol_part(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() {
            out.push(byte as char);
        } else {
            out.push_str(&format!("_{byte:02x}"));
        }
    }
    out
}

/// The exported symbol of a routine: `hs_<schema>__<name>`.
pub fn routine_symbol(name: &QualifiedName) -> String {
    format!(
        "hs_{}__{}",
        symbol_part(&name.schema),
        symbol_part(&name.name)
    )
}

/// The exported symbol of one operation of an aggregate:
/// `hs_<schema>__<name>__<op>`. A routine's symbol has one `__` between
/// parts, an aggregate's two, so they never collide.
pub fn aggregate_symbol(name: &QualifiedName, op: AggregateOp) -> String {
    format!("{}__{}", routine_symbol(name), op.as_str())
}

/// The native operations behind a C# aggregate's methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateOp {
    Init,
    Accumulate,
    Merge,
    Terminate,
    Save,
    Restore,
}

impl AggregateOp {
    pub fn as_str(self) -> &'static str {
        match self {
            AggregateOp::Init => "init",
            AggregateOp::Accumulate => "accumulate",
            AggregateOp::Merge => "merge",
            AggregateOp::Terminate => "terminate",
            AggregateOp::Save => "save",
            AggregateOp::Restore => "restore",
        }
    }
}

/// The exported symbols that step through and free a row type's stream.
pub fn row_symbols(row_ident: &str) -> (String, String) {
    let part = symbol_part(row_ident);
    (
        format!("hs_row_next__{part}"),
        format!("hs_row_free__{part}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_c_identifiers_and_distinct() {
        let q = |s: &str, n: &str| QualifiedName {
            schema: s.into(),
            name: n.into(),
        };
        assert_eq!(
            routine_symbol(&q("dbo", "fn_CosineSimilarity")),
            "hs_dbo__fn_5fCosineSimilarity"
        );
        assert_eq!(
            routine_symbol(&q("my schema", "é")),
            "hs_my_20schema___c3_a9"
        );
        assert_ne!(routine_symbol(&q("a_", "b")), routine_symbol(&q("a", "_b")));
        assert_ne!(
            routine_symbol(&q("a", "b c")),
            routine_symbol(&q("a", "b_20c"))
        );
        let s = routine_symbol(&q("x]y", "名前"));
        assert!(
            s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "{s}"
        );
        assert_eq!(row_symbols("Capability").0, "hs_row_next__Capability");
    }
}
