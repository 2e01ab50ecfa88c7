//! What changing a column's type does to the values already in it.
//!
//! SQL Server converts every row on `ALTER COLUMN`. A change is a widening
//! when every value of the old type is a value of the new one, unchanged
//! (more digits, more characters, more fractional-second precision):
//! DacFx blocks some of those as data loss, we do not. Anything else can
//! fail on some row or change it (truncate, round, reinterpret) and is a
//! conversion, blocked unless allowed. `VECTOR` dimensions never change in
//! place.

use crate::model::{Length, SqlType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeChange {
    Same,
    /// Every old value fits unchanged.
    Widening,
    /// Values may be cut short or fail to fit (shorter, fewer digits).
    Narrowing,
    /// Another kind of type: values are converted, and may fail or change.
    Conversion,
    /// `VECTOR(n)` to another dimension: no value survives.
    VectorDimension,
}

impl TypeChange {
    pub fn is_safe(self) -> bool {
        matches!(self, TypeChange::Same | TypeChange::Widening)
    }
}

/// Whether `new` holds `old` characters or bytes: equal or longer, `MAX`
/// holding everything.
fn holds(old: Length, new: Length) -> bool {
    match (old, new) {
        (_, Length::Max) => true,
        (Length::Max, Length::Fixed(_)) => false,
        (Length::Fixed(a), Length::Fixed(b)) => b >= a,
    }
}

/// Decimal digits before the point each integer type needs.
fn integer_digits(t: SqlType) -> Option<u8> {
    match t {
        SqlType::Bit => Some(1),
        SqlType::TinyInt => Some(3),
        SqlType::SmallInt => Some(5),
        SqlType::Int => Some(10),
        SqlType::BigInt => Some(19),
        _ => None,
    }
}

fn integer_rank(t: SqlType) -> Option<u8> {
    match t {
        SqlType::TinyInt => Some(1),
        SqlType::SmallInt => Some(2),
        SqlType::Int => Some(3),
        SqlType::BigInt => Some(4),
        _ => None,
    }
}

pub fn classify(old: SqlType, new: SqlType) -> TypeChange {
    use SqlType::*;
    if old == new {
        return TypeChange::Same;
    }
    let verdict = |widening: bool| {
        if widening {
            TypeChange::Widening
        } else {
            TypeChange::Narrowing
        }
    };
    match (old, new) {
        (Vector(_), Vector(_)) => TypeChange::VectorDimension,
        (a, b) if integer_rank(a).is_some() && integer_rank(b).is_some() => {
            verdict(integer_rank(b) >= integer_rank(a))
        }
        (a, Decimal { precision, scale }) if integer_digits(a).is_some() && a != Bit => {
            verdict(precision - scale >= integer_digits(a).unwrap_or(u8::MAX))
        }
        (
            Decimal {
                precision: p1,
                scale: s1,
            },
            Decimal {
                precision: p2,
                scale: s2,
            },
        ) => verdict(s2 >= s1 && p2 - s2 >= p1 - s1),
        (Real, Float) => TypeChange::Widening,
        (Float, Real) => TypeChange::Narrowing,
        (NVarChar(a), NVarChar(b)) | (VarChar(a), VarChar(b)) | (VarBinary(a), VarBinary(b)) => {
            verdict(holds(a, b))
        }
        // Every VARCHAR character has a UTF-16 form.
        (VarChar(a), NVarChar(b)) => verdict(holds(a, b)),
        (NVarChar(_), VarChar(_)) => TypeChange::Conversion,
        (Char(a), Char(b)) | (NChar(a), NChar(b)) => verdict(b >= a),
        (Time(a), Time(b))
        | (DateTime2(a), DateTime2(b))
        | (DateTimeOffset(a), DateTimeOffset(b)) => verdict(b >= a),
        // Midnight of the same day.
        (Date, DateTime2(_)) => TypeChange::Widening,
        (DateTime2(_), Date) => TypeChange::Narrowing,
        _ => TypeChange::Conversion,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SqlType::*;

    #[test]
    fn widening_is_safe_and_narrowing_is_not() {
        assert_eq!(classify(Int, BigInt), TypeChange::Widening);
        assert_eq!(classify(BigInt, Int), TypeChange::Narrowing);
        assert_eq!(
            classify(NVarChar(Length::Fixed(50)), NVarChar(Length::Fixed(100))),
            TypeChange::Widening
        );
        assert_eq!(
            classify(NVarChar(Length::Fixed(50)), NVarChar(Length::Max)),
            TypeChange::Widening
        );
        assert_eq!(
            classify(NVarChar(Length::Max), NVarChar(Length::Fixed(4000))),
            TypeChange::Narrowing
        );
        assert_eq!(
            classify(VarChar(Length::Fixed(20)), NVarChar(Length::Fixed(20))),
            TypeChange::Widening
        );
        assert_eq!(
            classify(NVarChar(Length::Fixed(20)), VarChar(Length::Fixed(40))),
            TypeChange::Conversion
        );
        assert_eq!(
            classify(
                Decimal {
                    precision: 10,
                    scale: 2
                },
                Decimal {
                    precision: 12,
                    scale: 4
                }
            ),
            TypeChange::Widening
        );
        assert_eq!(
            classify(
                Decimal {
                    precision: 10,
                    scale: 2
                },
                Decimal {
                    precision: 10,
                    scale: 4
                }
            ),
            TypeChange::Narrowing,
            "two fewer integer digits"
        );
        assert_eq!(
            classify(
                Int,
                Decimal {
                    precision: 12,
                    scale: 2
                }
            ),
            TypeChange::Widening
        );
        assert_eq!(
            classify(
                Int,
                Decimal {
                    precision: 10,
                    scale: 2
                }
            ),
            TypeChange::Narrowing
        );
        assert_eq!(classify(DateTime2(3), DateTime2(7)), TypeChange::Widening);
        assert_eq!(classify(DateTime2(7), DateTime2(3)), TypeChange::Narrowing);
        assert_eq!(classify(Real, Float), TypeChange::Widening);
        assert_eq!(
            classify(Vector(1998), Vector(1536)),
            TypeChange::VectorDimension
        );
        assert_eq!(classify(Int, NVarChar(Length::Max)), TypeChange::Conversion);
        assert_eq!(classify(Int, Int), TypeChange::Same);
    }
}
