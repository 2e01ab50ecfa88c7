//! Aggregate states across the bridge. The C# aggregate holds a handle to a
//! Rust state in a `SafeHandle`, so a state is freed when SQL Server drops
//! the instance (the handle's finalizer calls [`hs_aggregate_free`]), also
//! when it never calls `Terminate`. States cross as bytes only when SQL
//! Server serializes the instance (`Write`/`Read`).
//!
//! A handle is a thin pointer to a box holding the state as `dyn Any`: a
//! handle of another aggregate, or a freed one, is an error, not undefined
//! behaviour.

use super::{HsBuf, STATUS_VALUE, bytes_arg, put, put_bytes};
use crate::aggregate::{SqlAggregate, restore_state, save_state};
use std::any::Any;
use std::ffi::c_void;
use std::sync::atomic::{AtomicI64, Ordering};

struct StateBox {
    state: Box<dyn Any>,
}

/// States created and not yet freed, for leak checks.
static LIVE_STATES: AtomicI64 = AtomicI64::new(0);

fn into_handle<T: SqlAggregate>(state: T) -> *mut c_void {
    LIVE_STATES.fetch_add(1, Ordering::Relaxed);
    Box::into_raw(Box::new(StateBox {
        state: Box::new(state),
    })) as *mut c_void
}

/// A new empty state (`Init`), written to `out`.
///
/// # Safety
/// `out` must be writable.
pub unsafe fn aggregate_init<T: SqlAggregate>(out: *mut *mut c_void) -> Result<i32, String> {
    let handle = into_handle(T::init());
    unsafe { put(out, handle) };
    Ok(STATUS_VALUE)
}

/// The operations of one aggregate that do not depend on its SQL signature,
/// as function pointers: the generated exports reach the `SqlAggregate`
/// impl through this one value, so a type without it is one compiler error.
pub struct AggregateOps {
    pub init: unsafe fn(*mut *mut c_void) -> Result<i32, String>,
    pub merge: unsafe fn(*mut c_void, *mut c_void) -> Result<i32, String>,
    pub save: unsafe fn(*mut c_void, *mut HsBuf) -> Result<i32, String>,
    pub restore: unsafe fn(*const u8, i32, *mut *mut c_void) -> Result<i32, String>,
}

impl AggregateOps {
    pub const fn of<T: SqlAggregate>() -> AggregateOps {
        AggregateOps {
            init: aggregate_init::<T>,
            merge: aggregate_merge::<T>,
            save: aggregate_save::<T>,
            restore: aggregate_restore::<T>,
        }
    }
}

/// The state behind a handle.
///
/// # Safety
/// `handle` must be null or come from this module and not be freed.
pub unsafe fn aggregate_state<'a, T: 'static>(handle: *mut c_void) -> Result<&'a mut T, String> {
    if handle.is_null() {
        return Err("the aggregate has no state (Init or Read was not called)".into());
    }
    let boxed = unsafe { &mut *(handle as *mut StateBox) };
    boxed
        .state
        .downcast_mut::<T>()
        .ok_or_else(|| format!("the state is not a {}", std::any::type_name::<T>()))
}

/// `Merge`: folds the other instance's state into this one; the other is
/// left empty (SQL Server does not use it again, and it is freed as usual).
///
/// # Safety
/// Both handles as for [`aggregate_state`].
pub unsafe fn aggregate_merge<T: SqlAggregate>(
    handle: *mut c_void,
    other: *mut c_void,
) -> Result<i32, String> {
    if handle == other {
        return Err("an aggregate cannot merge its own state".into());
    }
    let other = std::mem::replace(unsafe { aggregate_state::<T>(other)? }, T::init());
    let state = unsafe { aggregate_state::<T>(handle)? };
    state.merge(other).map_err(|e| e.to_string())?;
    Ok(STATUS_VALUE)
}

/// `Write`: the state as bytes, in `out`.
///
/// # Safety
/// `handle` as for [`aggregate_state`]; `out` writable.
pub unsafe fn aggregate_save<T: SqlAggregate>(
    handle: *mut c_void,
    out: *mut HsBuf,
) -> Result<i32, String> {
    let state = unsafe { aggregate_state::<T>(handle)? };
    unsafe { put_bytes(out, &save_state(state)) };
    Ok(STATUS_VALUE)
}

/// `Read`: a new state from bytes, its handle written to `out`.
///
/// # Safety
/// `ptr` readable for `len` bytes; `out` writable.
pub unsafe fn aggregate_restore<T: SqlAggregate>(
    ptr: *const u8,
    len: i32,
    out: *mut *mut c_void,
) -> Result<i32, String> {
    let bytes = unsafe { bytes_arg(ptr, len, "state")? };
    let state = restore_state::<T>(bytes).map_err(|e| e.to_string())?;
    unsafe { put(out, into_handle(state)) };
    Ok(STATUS_VALUE)
}

/// Frees a state. Called by the C# handle's release (finalizer or dispose);
/// a panic in the state's `Drop` is caught here.
///
/// # Safety
/// `handle` must be null or come from this module, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hs_aggregate_free(handle: *mut c_void) {
    if handle.is_null() {
        return;
    }
    LIVE_STATES.fetch_sub(1, Ordering::Relaxed);
    let boxed = unsafe { Box::from_raw(handle as *mut StateBox) };
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(boxed)));
}

/// How many aggregate states exist: what tests read to find leaks.
#[unsafe(no_mangle)]
pub extern "C" fn hs_aggregate_live_states() -> i64 {
    LIVE_STATES.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{StateError, StateReader, StateWriter};

    #[derive(Debug, PartialEq)]
    struct Count(u64);

    impl SqlAggregate for Count {
        type Error = String;
        fn init() -> Self {
            Count(0)
        }
        fn merge(&mut self, other: Self) -> Result<(), String> {
            self.0 += other.0;
            Ok(())
        }
        fn save(&self, out: &mut StateWriter) {
            out.u64(self.0);
        }
        fn restore(input: &mut StateReader<'_>) -> Result<Self, StateError> {
            input.u64().map(Count)
        }
    }

    struct Other;
    impl SqlAggregate for Other {
        type Error = String;
        fn init() -> Self {
            Other
        }
        fn merge(&mut self, _: Self) -> Result<(), String> {
            Ok(())
        }
        fn save(&self, _: &mut StateWriter) {}
        fn restore(_: &mut StateReader<'_>) -> Result<Self, StateError> {
            Ok(Other)
        }
    }

    #[test]
    fn states_merge_save_restore_and_free() {
        unsafe {
            let before = hs_aggregate_live_states();
            let mut a = std::ptr::null_mut();
            let mut b = std::ptr::null_mut();
            aggregate_init::<Count>(&mut a).unwrap();
            aggregate_init::<Count>(&mut b).unwrap();
            aggregate_state::<Count>(a).unwrap().0 = 2;
            aggregate_state::<Count>(b).unwrap().0 = 5;
            aggregate_merge::<Count>(a, b).unwrap();
            assert_eq!(aggregate_state::<Count>(a).unwrap().0, 7);
            assert_eq!(aggregate_state::<Count>(b).unwrap().0, 0);
            assert!(aggregate_merge::<Count>(a, a).is_err());
            assert!(
                aggregate_state::<Other>(a).is_err(),
                "a wrong type is refused"
            );
            assert!(aggregate_state::<Count>(std::ptr::null_mut()).is_err());

            let mut buf = HsBuf {
                ptr: std::ptr::null_mut(),
                len: 0,
            };
            aggregate_save::<Count>(a, &mut buf).unwrap();
            let mut c = std::ptr::null_mut();
            aggregate_restore::<Count>(buf.ptr as *const u8, buf.len, &mut c).unwrap();
            assert_eq!(aggregate_state::<Count>(c).unwrap().0, 7);
            assert!(
                aggregate_restore::<Count>(buf.ptr as *const u8, buf.len - 1, &mut c)
                    .unwrap_err()
                    .contains("truncated")
            );
            super::super::hs_free_bytes(buf.ptr as *mut u8, buf.len);
            assert_eq!(hs_aggregate_live_states() - before, 3);
            for h in [a, b, c] {
                hs_aggregate_free(h);
            }
            hs_aggregate_free(std::ptr::null_mut());
        }
    }
}
