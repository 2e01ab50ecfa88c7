//! Dynamic time warping between the group's rows, as a sequence ordered by
//! an ordinal column, and a reference sequence.

use runtime::dtw::dtw_distance;
use runtime::null::finite;
use runtime::points::PointSet;
use runtime::prelude::*;

const REFERENCE_DIFFERS: &str =
    "@reference differs between rows of one group: pass the same reference for every row";

/// Whether two references are the same, bit for bit (so NaN matches NaN
/// and 0.0 does not match −0.0, as the bytes SQL Server passed).
fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.iter()
        .map(|x| x.to_bits())
        .eq(b.iter().map(|x| x.to_bits()))
}

/// The rows seen so far (ordinal and vector) and the reference.
pub struct DtwDistance {
    ordinals: Vec<i64>,
    vectors: PointSet,
    reference: Option<Vec<f32>>,
}

impl DtwDistance {
    fn set_reference(&mut self, reference: &[f32]) -> Result<(), String> {
        super::fixed::fix_once(
            &mut self.reference,
            reference,
            |a, b| same_bits(a, b),
            |_| REFERENCE_DIFFERS.into(),
        )
    }

    fn distance(&self) -> Result<Option<f64>, String> {
        let Some(reference) = &self.reference else {
            return Ok(None);
        };
        if self.vectors.is_empty() {
            return Ok(None);
        }
        let dim = self.vectors.dim();
        let mut order: Vec<usize> = (0..self.ordinals.len()).collect();
        order.sort_by_key(|i| self.ordinals[*i]);
        if let Some(pair) = order
            .windows(2)
            .find(|w| self.ordinals[w[0]] == self.ordinals[w[1]])
        {
            return Err(format!(
                "@ordinal {} appears twice: the sequence needs one row per position",
                self.ordinals[pair[0]]
            ));
        }
        let data = self.vectors.data();
        let mut sequence = Vec::with_capacity(data.len());
        for i in order {
            sequence.extend_from_slice(&data[i * dim..(i + 1) * dim]);
        }
        if reference.len() % dim != 0 {
            return Err(format!(
                "@reference holds {} values, not whole vectors of the rows' {dim}",
                reference.len()
            ));
        }
        Ok(dtw_distance(&sequence, reference, dim)
            .map_err(|e| e.to_string())?
            .and_then(finite))
    }
}

impl SqlAggregate for DtwDistance {
    type Error = String;

    fn init() -> Self {
        DtwDistance {
            ordinals: Vec::new(),
            vectors: PointSet::new(),
            reference: None,
        }
    }

    fn merge(&mut self, other: Self) -> Result<(), String> {
        if let Some(r) = &other.reference {
            self.set_reference(r)?;
        }
        self.vectors
            .merge(other.vectors)
            .map_err(|e| e.to_string())?;
        self.ordinals.extend(other.ordinals);
        Ok(())
    }

    fn save(&self, out: &mut StateWriter) {
        out.u32(self.ordinals.len() as u32);
        for o in &self.ordinals {
            out.i64(*o);
        }
        out.u32(self.vectors.dim() as u32);
        out.f32s(self.vectors.data());
        match &self.reference {
            Some(r) => {
                out.u8(1);
                out.f32s(r);
            }
            None => out.u8(0),
        }
    }

    fn restore(input: &mut StateReader<'_>) -> Result<Self, StateError> {
        let n = input.u32()? as usize;
        let ordinals = (0..n).map(|_| input.i64()).collect::<Result<Vec<_>, _>>()?;
        let dim = input.u32()? as usize;
        let vectors = PointSet::from_parts(dim, input.f32s()?)?;
        if vectors.len() != ordinals.len() {
            return Err(StateError::new(format!(
                "{} ordinals for {} vectors",
                ordinals.len(),
                vectors.len()
            )));
        }
        let reference = match input.u8()? {
            0 => None,
            1 => Some(input.f32s()?),
            other => return Err(StateError::new(format!("reference flag {other}"))),
        };
        Ok(DtwDistance {
            ordinals,
            vectors,
            reference,
        })
    }
}

/// Dynamic time warping distance between the group's vectors, taken in
/// `@ordinal` order, and `@reference` (vectors of the same dimension packed
/// one after another): the cost of the cheapest monotone alignment, each
/// aligned pair costing its Euclidean distance. Each ordinal once per group.
#[sql_aggregate(
    name = "DTWDistance",
    invariant_to_nulls,
    invariant_to_order,
    null_if_empty
)]
impl DtwDistance {
    pub fn accumulate(
        &mut self,
        ordinal: i64,
        vector: &[f32],
        reference: &[f32],
    ) -> Result<(), String> {
        // Checked before anything changes: a failed row leaves the state as it was.
        if let Some(r) = &self.reference
            && !same_bits(r, reference)
        {
            return Err(REFERENCE_DIFFERS.into());
        }
        self.vectors.add(vector).map_err(|e| e.to_string())?;
        self.ordinals.push(ordinal);
        self.set_reference(reference)
    }

    pub fn terminate(&self) -> Result<Option<f64>, String> {
        self.distance()
    }
}
