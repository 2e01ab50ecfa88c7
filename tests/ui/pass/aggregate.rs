//! An aggregate with several parameters, NULL-able ones, fallible calls and
//! options, run directly and through its generated exports.
use runtime::aggregate::{restore_state, save_state};
use runtime::prelude::*;

/// Weighted mean of the non-NULL values.
pub struct WeightedMean {
    total: f64,
    weight: f64,
}

impl SqlAggregate for WeightedMean {
    type Error = String;

    fn init() -> Self {
        WeightedMean {
            total: 0.0,
            weight: 0.0,
        }
    }

    fn merge(&mut self, other: Self) -> Result<(), String> {
        self.total += other.total;
        self.weight += other.weight;
        Ok(())
    }

    fn save(&self, out: &mut StateWriter) {
        out.f64(self.total);
        out.f64(self.weight);
    }

    fn restore(input: &mut StateReader<'_>) -> Result<Self, StateError> {
        Ok(WeightedMean {
            total: input.f64()?,
            weight: input.f64()?,
        })
    }
}

#[sql_aggregate(
    name = "WeightedMean",
    schema = "stats",
    invariant_to_order,
    null_if_empty,
    max_size = 16
)]
impl WeightedMean {
    pub fn accumulate(
        &mut self,
        value: Option<f64>,
        #[sql(name = "w")] weight: i32,
    ) -> Result<(), String> {
        if weight < 0 {
            return Err(format!("negative weight {weight}"));
        }
        if let Some(v) = value {
            self.total += v * weight as f64;
            self.weight += weight as f64;
        }
        Ok(())
    }

    pub fn terminate(&self) -> Result<Option<f64>, String> {
        Ok((self.weight > 0.0).then(|| self.total / self.weight))
    }
}

fn main() {
    let mut a = WeightedMean::init();
    a.accumulate(Some(1.0), 1).unwrap();
    a.accumulate(None, 5).unwrap();
    let mut b: WeightedMean = restore_state(&save_state(&WeightedMean::init())).unwrap();
    b.accumulate(Some(4.0), 2).unwrap();
    a.merge(b).unwrap();
    assert_eq!(a.terminate(), Ok(Some(3.0)));
    assert!(a.accumulate(Some(1.0), -1).is_err());

    // The generated exports, called as the C# bridge calls them.
    unsafe {
        let mut handle = std::ptr::null_mut();
        let mut err = runtime::ffi::HsBuf {
            ptr: std::ptr::null_mut(),
            len: 0,
        };
        assert_eq!(hs_stats__WeightedMean__init(&mut handle, &mut err), 0);
        assert_eq!(
            hs_stats__WeightedMean__accumulate(handle, 0, 2.0, 3, &mut err),
            0
        );
        assert_eq!(
            hs_stats__WeightedMean__accumulate(handle, 1, 0.0, 3, &mut err),
            0,
            "a NULL value with its flag"
        );
        assert_eq!(
            hs_stats__WeightedMean__accumulate(handle, 0, 2.0, -3, &mut err),
            2,
            "an Err is the error status"
        );
        runtime::ffi::hs_free_utf16(err.ptr as *mut u16, err.len);
        let mut out = 0.0f64;
        assert_eq!(
            hs_stats__WeightedMean__terminate(handle, &mut out, &mut err),
            0
        );
        assert_eq!(out, 2.0);
        runtime::ffi::hs_aggregate_free(handle);
    }
}
