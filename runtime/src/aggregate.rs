//! User-defined aggregates: the state SQL Server keeps per group.
//!
//! An aggregate is a type implementing [`SqlAggregate`] (empty state, merge,
//! and the state as bytes) plus an inherent `impl` marked
//! `#[sql_aggregate(...)]` holding `accumulate` (one row: its parameters are
//! the aggregate's SQL parameters) and `terminate` (the result). SQL Server
//! may serialize the state between any two calls, move it to another
//! worker, and merge partial states of a parallel plan in any grouping, so
//! `save`/`restore` must be exact and `merge` must not care how rows were
//! split. See docs/aggregates.md.

use std::fmt;

/// The part of an aggregate that does not depend on its SQL signature.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an aggregate state: it does not implement `SqlAggregate`",
    label = "#[sql_aggregate] needs `impl SqlAggregate for {Self}`",
    note = "implement init, merge, save and restore for it (see docs/aggregates.md)"
)]
pub trait SqlAggregate: Sized + 'static {
    /// What `merge` fails with; its text becomes the SQL error.
    type Error: fmt::Display;

    /// The state of an empty group (SQL Server's `Init`).
    fn init() -> Self;

    /// Folds the partial state of other rows of the same group into this
    /// one (SQL Server's `Merge`, used by parallel plans).
    fn merge(&mut self, other: Self) -> Result<(), Self::Error>;

    /// Writes the state (SQL Server's `Write`); [`SqlAggregate::restore`]
    /// must rebuild exactly this state from it.
    fn save(&self, out: &mut StateWriter);

    /// Rebuilds a state written by [`SqlAggregate::save`] (SQL Server's `Read`).
    fn restore(input: &mut StateReader<'_>) -> Result<Self, StateError>;
}

/// A saved state that cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError(String);

impl StateError {
    pub fn new(message: impl Into<String>) -> StateError {
        StateError(message.into())
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "aggregate state: {}", self.0)
    }
}

impl std::error::Error for StateError {}

/// Little-endian writer for a saved state.
#[derive(Debug, Default)]
pub struct StateWriter {
    bytes: Vec<u8>,
}

impl StateWriter {
    pub fn new() -> StateWriter {
        StateWriter::default()
    }

    pub fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    pub fn u32(&mut self, value: u32) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub fn u64(&mut self, value: u64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub fn i64(&mut self, value: i64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub fn f64(&mut self, value: f64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// A length (u32) and the values.
    pub fn f32s(&mut self, values: &[f32]) {
        self.len(values.len());
        self.bytes.reserve(values.len() * 4);
        for v in values {
            self.bytes.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// A length (u32) and the values.
    pub fn f64s(&mut self, values: &[f64]) {
        self.len(values.len());
        self.bytes.reserve(values.len() * 8);
        for v in values {
            self.bytes.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// A length (u32) and the bytes.
    pub fn bytes(&mut self, values: &[u8]) {
        self.len(values.len());
        self.bytes.extend_from_slice(values);
    }

    fn len(&mut self, len: usize) {
        let len = u32::try_from(len).expect("a saved state's sequences hold fewer than 2^32 items");
        self.u32(len);
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Reader of what a [`StateWriter`] wrote; every read checks the length.
#[derive(Debug)]
pub struct StateReader<'a> {
    bytes: &'a [u8],
}

impl<'a> StateReader<'a> {
    pub fn new(bytes: &'a [u8]) -> StateReader<'a> {
        StateReader { bytes }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], StateError> {
        if self.bytes.len() < n {
            return Err(StateError::new(format!(
                "truncated: {what} needs {n} bytes, {} left",
                self.bytes.len()
            )));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], StateError> {
        Ok(self.take(N, what)?.try_into().expect("took N bytes"))
    }

    pub fn u8(&mut self) -> Result<u8, StateError> {
        Ok(self.take(1, "a byte")?[0])
    }

    pub fn u32(&mut self) -> Result<u32, StateError> {
        self.array("a u32").map(u32::from_le_bytes)
    }

    pub fn u64(&mut self) -> Result<u64, StateError> {
        self.array("a u64").map(u64::from_le_bytes)
    }

    pub fn i64(&mut self) -> Result<i64, StateError> {
        self.array("an i64").map(i64::from_le_bytes)
    }

    pub fn f64(&mut self) -> Result<f64, StateError> {
        self.array("an f64").map(f64::from_le_bytes)
    }

    pub fn f32s(&mut self) -> Result<Vec<f32>, StateError> {
        let n = self.u32()? as usize;
        let raw = self.take(n.saturating_mul(4), "a sequence of f32")?;
        Ok(raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }

    pub fn f64s(&mut self) -> Result<Vec<f64>, StateError> {
        let n = self.u32()? as usize;
        let raw = self.take(n.saturating_mul(8), "a sequence of f64")?;
        Ok(raw
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], StateError> {
        let n = self.u32()? as usize;
        self.take(n, "a byte sequence")
    }

    /// Every byte must have been read: trailing bytes mean the state was
    /// written by something else.
    pub fn finish(&self) -> Result<(), StateError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(StateError::new(format!(
                "{} unexpected bytes after the state",
                self.bytes.len()
            )))
        }
    }
}

/// Saves a state to bytes.
pub fn save_state<T: SqlAggregate>(state: &T) -> Vec<u8> {
    let mut out = StateWriter::new();
    state.save(&mut out);
    out.into_bytes()
}

/// Restores a state from bytes, refusing trailing bytes.
pub fn restore_state<T: SqlAggregate>(bytes: &[u8]) -> Result<T, StateError> {
    let mut input = StateReader::new(bytes);
    let state = T::restore(&mut input)?;
    input.finish()?;
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_value_reads_back() {
        let mut w = StateWriter::new();
        w.u8(7);
        w.u32(0xdead_beef);
        w.u64(u64::MAX - 3);
        w.i64(-42);
        w.f64(f64::NAN);
        w.f32s(&[1.5, -0.0, f32::INFINITY]);
        w.f64s(&[]);
        w.bytes(b"abc");
        let bytes = w.into_bytes();
        let mut r = StateReader::new(&bytes);
        assert_eq!(r.u8().unwrap(), 7);
        assert_eq!(r.u32().unwrap(), 0xdead_beef);
        assert_eq!(r.u64().unwrap(), u64::MAX - 3);
        assert_eq!(r.i64().unwrap(), -42);
        assert!(r.f64().unwrap().is_nan());
        let f = r.f32s().unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[1].to_bits(), (-0.0f32).to_bits());
        assert!(r.f64s().unwrap().is_empty());
        assert_eq!(r.bytes().unwrap(), b"abc");
        r.finish().unwrap();
    }

    #[test]
    fn truncated_and_trailing_states_are_errors() {
        let mut w = StateWriter::new();
        w.f32s(&[1.0, 2.0]);
        let bytes = w.into_bytes();
        let err = StateReader::new(&bytes[..bytes.len() - 1])
            .f32s()
            .unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        // A huge declared length is an error, not an allocation.
        let mut r = StateReader::new(&[0xff, 0xff, 0xff, 0xff]);
        assert!(r.f64s().is_err());
        let mut r = StateReader::new(&[1, 2]);
        r.u8().unwrap();
        assert!(r.finish().unwrap_err().to_string().contains("1 unexpected"));
    }
}
