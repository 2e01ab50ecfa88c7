//! Vector math over embeddings stored as packed little-endian float32
//! (`VARBINARY`). Results that are NaN or infinite become NULL, since FLOAT
//! cannot hold them; vectors of different lengths are an error.

use runtime::null::{finite, finite_vector};
use runtime::prelude::*;
use runtime::vector as kernels;

/// Dot product of two vectors of equal length.
#[sql_function(name = "fn_VectorDotProduct", deterministic)]
pub fn vector_dot_product(a: &[f32], b: &[f32]) -> Result<Option<f64>, VectorError> {
    Ok(finite(kernels::dot(a, b)?))
}

/// Cosine similarity in [-1, 1]; NULL when either vector is all zeros.
#[sql_function(name = "fn_CosineSimilarity", deterministic)]
pub fn cosine_similarity(a: &[f32], b: &[f32]) -> Result<Option<f64>, VectorError> {
    Ok(kernels::cosine(a, b)?.and_then(finite))
}

/// Euclidean (L2) distance between two vectors.
#[sql_function(name = "fn_EuclideanDistance", deterministic)]
pub fn euclidean_distance(a: &[f32], b: &[f32]) -> Result<Option<f64>, VectorError> {
    Ok(finite(kernels::euclidean(a, b)?))
}

/// Element-wise sum.
#[sql_function(name = "fn_VectorAdd", deterministic)]
pub fn vector_add(a: &[f32], b: &[f32]) -> Result<Option<Vec<f32>>, VectorError> {
    Ok(finite_vector(kernels::add(a, b)?))
}

/// Element-wise difference `a - b`.
#[sql_function(name = "fn_VectorSubtract", deterministic)]
pub fn vector_subtract(a: &[f32], b: &[f32]) -> Result<Option<Vec<f32>>, VectorError> {
    Ok(finite_vector(kernels::subtract(a, b)?))
}

/// Every element multiplied by `factor`.
#[sql_function(name = "fn_VectorScale", deterministic)]
pub fn vector_scale(vector: &[f32], factor: f64) -> Option<Vec<f32>> {
    finite_vector(kernels::scale(vector, factor as f32))
}

/// Euclidean norm (length) of a vector.
#[sql_function(name = "fn_VectorNorm", deterministic)]
pub fn vector_norm(vector: &[f32]) -> Option<f64> {
    finite(kernels::norm(vector))
}

/// The vector scaled to unit length; NULL for a zero vector.
#[sql_function(name = "fn_VectorNormalize", deterministic)]
pub fn vector_normalize(vector: &[f32]) -> Option<Vec<f32>> {
    kernels::normalize(vector).and_then(finite_vector)
}

/// Linear interpolation `a + t (b - a)`.
#[sql_function(name = "fn_VectorLerp", deterministic)]
pub fn vector_lerp(a: &[f32], b: &[f32], t: f64) -> Result<Option<Vec<f32>>, VectorError> {
    Ok(finite_vector(kernels::lerp(a, b, t as f32)?))
}

/// Softmax: non-negative weights summing to 1, largest where the input is.
#[sql_function(name = "fn_VectorSoftmax", deterministic)]
pub fn vector_softmax(vector: &[f32]) -> Option<Vec<f32>> {
    finite_vector(kernels::softmax(vector))
}

/// Zero-based index of the largest element (the first on ties; NaN ignored);
/// NULL for an empty vector.
#[sql_function(name = "fn_VectorArgMax", deterministic, precise)]
pub fn vector_arg_max(vector: &[f32]) -> Option<i32> {
    kernels::argmax(vector).and_then(|i| i32::try_from(i).ok())
}

/// Cosine similarity of two 1998-dimension embeddings (the system's
/// `VECTOR(1998)`); NULL when either is all zeros. Also callable with
/// `VECTOR(1998)` values through `fn_EmbeddingCosine_Vector`.
#[sql_function(name = "fn_EmbeddingCosine", deterministic)]
pub fn embedding_cosine(a: Vector<1998>, b: Vector<1998>) -> Option<f64> {
    // Equal dimensions are guaranteed by the type.
    kernels::cosine(&a, &b).ok().flatten().and_then(finite)
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtime::vector::{decode_f32_le, encode_f32_le};

    /// What the bridge does with a VARBINARY argument.
    fn from_sql(bytes: &[u8]) -> Result<Vec<f32>, VectorError> {
        decode_f32_le(bytes)
    }

    #[test]
    fn bad_byte_length_is_an_error_naming_it() {
        let e = from_sql(&[0, 0, 128, 63, 1]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "vector byte length 5 is not a multiple of 4 (vectors are packed little-endian float32)"
        );
    }

    #[test]
    fn mismatched_lengths_are_errors_naming_them() {
        let a = from_sql(&encode_f32_le(&[1.0, 2.0, 3.0])).unwrap();
        let b = [1.0, 2.0];
        for result in [
            vector_dot_product(&a, &b),
            cosine_similarity(&a, &b),
            euclidean_distance(&a, &b),
        ] {
            assert_eq!(
                result.unwrap_err().to_string(),
                "vectors differ in length: 3 and 2 elements"
            );
        }
        assert!(vector_add(&a, &b).is_err());
        assert!(vector_subtract(&a, &b).is_err());
        assert!(vector_lerp(&a, &b, 0.5).is_err());
    }

    #[test]
    fn values() {
        let a = [1.0, 2.0, 2.0];
        let b = [2.0, 0.0, 1.0];
        assert_eq!(vector_dot_product(&a, &b).unwrap(), Some(4.0));
        assert_eq!(vector_norm(&a), Some(3.0));
        let c = cosine_similarity(&a, &b).unwrap().unwrap();
        assert!((c - 4.0 / (3.0 * 5f64.sqrt())).abs() < 1e-12);
        assert_eq!(euclidean_distance(&a, &b).unwrap(), Some(6f64.sqrt()));
        assert_eq!(vector_add(&a, &b).unwrap(), Some(vec![3.0, 2.0, 3.0]));
        assert_eq!(vector_subtract(&a, &b).unwrap(), Some(vec![-1.0, 2.0, 1.0]));
        assert_eq!(vector_scale(&a, 0.5), Some(vec![0.5, 1.0, 1.0]));
        assert_eq!(vector_lerp(&a, &b, 0.5).unwrap(), Some(vec![1.5, 1.0, 1.5]));
        let n = vector_normalize(&a).unwrap();
        assert!((vector_norm(&n).unwrap() - 1.0).abs() < 1e-6);
        assert_eq!(vector_arg_max(&a), Some(1));
        let s = vector_softmax(&a).unwrap();
        assert!((s.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn embeddings_of_the_declared_dimension() {
        let a: Vector<1998> = (0..1998)
            .map(|i| i as f32)
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        let b: Vector<1998> = vec![1.0; 1998].try_into().unwrap();
        let c = embedding_cosine(a.clone(), b).unwrap();
        assert!(c > 0.8 && c < 1.0, "{c}");
        assert_eq!(
            embedding_cosine(a.clone(), a).map(|c| (c * 1e9).round()),
            Some(1e9)
        );
        let zero: Vector<1998> = vec![0.0; 1998].try_into().unwrap();
        assert_eq!(embedding_cosine(zero.clone(), zero), None);
        let short = Vector::<1998>::from_le_bytes(&[0; 16]).unwrap_err();
        assert_eq!(
            short.to_string(),
            "expected a vector of 1998 elements, got 4"
        );
    }

    #[test]
    fn zero_vectors_give_null_where_undefined() {
        let zero = [0.0, 0.0];
        assert_eq!(cosine_similarity(&zero, &[1.0, 1.0]).unwrap(), None);
        assert_eq!(cosine_similarity(&zero, &zero).unwrap(), None);
        assert_eq!(vector_normalize(&zero), None);
        assert_eq!(vector_norm(&zero), Some(0.0));
    }

    #[test]
    fn empty_vectors() {
        assert_eq!(vector_dot_product(&[], &[]).unwrap(), Some(0.0));
        assert_eq!(cosine_similarity(&[], &[]).unwrap(), None);
        assert_eq!(euclidean_distance(&[], &[]).unwrap(), Some(0.0));
        assert_eq!(vector_add(&[], &[]).unwrap(), Some(vec![]));
        assert_eq!(vector_norm(&[]), Some(0.0));
        assert_eq!(vector_normalize(&[]), None);
        assert_eq!(vector_softmax(&[]), Some(vec![]));
        assert_eq!(vector_arg_max(&[]), None);
    }

    #[test]
    fn nan_and_infinity_become_null() {
        let big = [f32::MAX, f32::MAX];
        assert_eq!(
            vector_add(&big, &big).unwrap(),
            None,
            "overflow to infinity"
        );
        assert_eq!(vector_dot_product(&[f32::NAN], &[1.0]).unwrap(), None);
        assert_eq!(vector_dot_product(&[f32::INFINITY], &[1.0]).unwrap(), None);
        assert_eq!(
            cosine_similarity(&[f32::NAN, 1.0], &[1.0, 1.0]).unwrap(),
            None
        );
        assert_eq!(euclidean_distance(&[f32::INFINITY], &[0.0]).unwrap(), None);
        assert_eq!(vector_norm(&[f32::NAN]), None);
        assert_eq!(vector_scale(&[1.0], f64::INFINITY), None);
        assert_eq!(vector_scale(&[1.0], f64::NAN), None);
        assert_eq!(vector_normalize(&[f32::INFINITY, 1.0]), None);
        assert_eq!(vector_softmax(&[f32::NAN, 1.0]), None);
        assert_eq!(vector_lerp(&[0.0], &[1.0], f64::NAN).unwrap(), None);
        // f32 overflow squared stays finite in the f64 accumulator.
        assert_eq!(
            vector_norm(&big),
            Some((2.0 * (f32::MAX as f64).powi(2)).sqrt())
        );
    }
}
