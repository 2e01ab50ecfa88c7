//! SQL's FLOAT and REAL cannot hold NaN or infinities, and SQL Server 2025's
//! VECTOR cannot either: such results become NULL.

/// `Some(x)` when `x` is finite, else `None` (NULL).
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The vector when every element is finite, else `None` (NULL).
pub fn finite_vector(v: Vec<f32>) -> Option<Vec<f32>> {
    v.iter().all(|x| x.is_finite()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_becomes_null() {
        assert_eq!(finite(1.5), Some(1.5));
        assert_eq!(finite(f64::NAN), None);
        assert_eq!(finite(f64::INFINITY), None);
        assert_eq!(finite(f64::NEG_INFINITY), None);
        assert_eq!(finite_vector(vec![1.0, 2.0]), Some(vec![1.0, 2.0]));
        assert_eq!(finite_vector(vec![1.0, f32::NAN]), None);
        assert_eq!(finite_vector(vec![]), Some(vec![]));
    }
}
