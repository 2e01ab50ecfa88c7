//! The C ABI between the generated C# bridge and the exports the macros
//! write. Conventions, shared with `codegen`'s C# emitter:
//!
//! - Every export returns a status: [`STATUS_VALUE`], [`STATUS_NULL`] or
//!   [`STATUS_ERROR`]; row iterators return [`STATUS_ROW`] or [`STATUS_DONE`].
//! - Strings arrive as UTF-16 pointer + length in code units; bytes and packed
//!   f32 vectors as pointer + length in bytes (any alignment). Results of
//!   variable length come back in an [`HsBuf`] that the caller frees with
//!   [`hs_free_utf16`] or [`hs_free_bytes`].
//! - A nullable argument is preceded by a `u8` NULL flag.
//! - On error the message (UTF-16) is written to the `err` buffer. No panic
//!   crosses the boundary: [`guard`] turns it into an error.

mod aggregate;

pub use aggregate::{
    AggregateOps, aggregate_init, aggregate_merge, aggregate_restore, aggregate_save,
    aggregate_state, hs_aggregate_free, hs_aggregate_live_states,
};

use crate::vector::{Vector, decode_f32_le, encode_f32_le};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use std::any::Any;
use std::borrow::Cow;
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use uuid::Uuid;

#[cfg(panic = "abort")]
compile_error!(
    "the SQL bridge needs panic = \"unwind\": with panic = \"abort\" a Rust panic would take SQL Server down"
);

pub const STATUS_VALUE: i32 = 0;
pub const STATUS_NULL: i32 = 1;
pub const STATUS_ERROR: i32 = 2;
pub const STATUS_ROW: i32 = 0;
pub const STATUS_DONE: i32 = 1;

/// A Rust-owned buffer handed to the caller: UTF-16 units or bytes.
#[repr(C)]
#[derive(Debug)]
pub struct HsBuf {
    pub ptr: *mut c_void,
    pub len: i32,
}

impl HsBuf {
    fn from_boxed<T>(items: Box<[T]>) -> HsBuf {
        let len = items.len() as i32;
        HsBuf {
            ptr: Box::into_raw(items) as *mut T as *mut c_void,
            len,
        }
    }
}

/// Frees a UTF-16 buffer returned by an export.
///
/// # Safety
/// `ptr` and `len` must come from one [`HsBuf`] holding UTF-16, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hs_free_utf16(ptr: *mut u16, len: i32) {
    if !ptr.is_null() {
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len as usize)) });
    }
}

/// Frees a byte buffer returned by an export.
///
/// # Safety
/// `ptr` and `len` must come from one [`HsBuf`] holding bytes, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hs_free_bytes(ptr: *mut u8, len: i32) {
    if !ptr.is_null() {
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len as usize)) });
    }
}

/// Version of this ABI; the C# bridge checks it once when it loads.
#[unsafe(no_mangle)]
pub extern "C" fn hs_abi_version() -> i32 {
    1
}

/// `[dbo].[hs_VectorFromJson]`, built into the bridge: a `VECTOR(n)` value's
/// JSON text (bytes) to packed f32. Its ABI is what codegen's C# emitter
/// writes for `fn(&[u8]) -> Result<Vec<f32>, _>` named `dbo.hs_VectorFromJson`.
///
/// # Safety
/// Pointers as for every export: `json` readable for `json_len` bytes, `out`
/// and `err` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hs_dbo__hs_5fVectorFromJson(
    json: *const u8,
    json_len: i32,
    out: *mut HsBuf,
    err: *mut HsBuf,
) -> i32 {
    unsafe {
        guard("dbo.hs_VectorFromJson", err, || {
            let text = bytes_arg(json, json_len, "@json")?;
            let values = crate::json::parse_vector(text).map_err(|e| format!("@json: {e}"))?;
            put_f32s(out, &values);
            Ok(STATUS_VALUE)
        })
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

/// Runs an export's body: its `Err` and any panic become [`STATUS_ERROR`]
/// with the message in `err`.
///
/// # Safety
/// `err` must be null or point to writable memory for one [`HsBuf`].
pub unsafe fn guard(
    routine: &str,
    err: *mut HsBuf,
    body: impl FnOnce() -> Result<i32, String>,
) -> i32 {
    let message = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(status)) => return status,
        Ok(Err(message)) => format!("{routine}: {message}"),
        Err(payload) => format!("{routine}: Rust panic: {}", panic_text(&*payload)),
    };
    if !err.is_null() {
        unsafe { err.write(utf16_buf(&message)) };
    }
    STATUS_ERROR
}

fn utf16_buf(text: &str) -> HsBuf {
    HsBuf::from_boxed(text.encode_utf16().collect::<Vec<u16>>().into_boxed_slice())
}

unsafe fn raw_slice<'a, T>(ptr: *const T, len: i32, param: &str) -> Result<&'a [T], String> {
    match len {
        0 => Ok(&[]),
        n if n < 0 => Err(format!("{param}: negative length {n}")),
        _ if ptr.is_null() => Err(format!("{param}: null pointer with length {len}")),
        n => Ok(unsafe { std::slice::from_raw_parts(ptr, n as usize) }),
    }
}

/// A UTF-16 argument as a Rust string; lone surrogates are an error naming
/// their position (NVARCHAR can hold them, Rust strings cannot).
///
/// # Safety
/// `ptr` must point to `len` readable UTF-16 units (or `len` be 0).
pub unsafe fn string_arg(ptr: *const u16, len: i32, param: &str) -> Result<String, String> {
    let units = unsafe { raw_slice(ptr, len, param)? };
    let mut out = String::with_capacity(units.len());
    for (i, c) in char::decode_utf16(units.iter().copied()).enumerate() {
        match c {
            Ok(c) => out.push(c),
            Err(e) => {
                return Err(format!(
                    "{param}: invalid UTF-16, lone surrogate 0x{:04X} after {i} characters",
                    e.unpaired_surrogate()
                ));
            }
        }
    }
    Ok(out)
}

/// A byte argument, borrowed for the call.
///
/// # Safety
/// `ptr` must point to `len` readable bytes (or `len` be 0) for `'a`.
pub unsafe fn bytes_arg<'a>(ptr: *const u8, len: i32, param: &str) -> Result<&'a [u8], String> {
    unsafe { raw_slice(ptr, len, param) }
}

/// Packed little-endian f32 as a slice: borrowed in place when the bytes are
/// 4-byte aligned (as .NET arrays are), copied when not.
pub fn f32_arg<'a>(bytes: &'a [u8], param: &str) -> Result<Cow<'a, [f32]>, String> {
    if !bytes.len().is_multiple_of(4) {
        return Err(format!(
            "{param}: {}",
            crate::vector::VectorError::ByteLength { bytes: bytes.len() }
        ));
    }
    #[cfg(target_endian = "little")]
    if bytes.as_ptr().align_offset(std::mem::align_of::<f32>()) == 0 {
        // SAFETY: aligned, the length is a multiple of 4, every bit pattern
        // is a valid f32, and on little-endian targets the layout is LE f32.
        let floats =
            unsafe { std::slice::from_raw_parts(bytes.as_ptr() as *const f32, bytes.len() / 4) };
        return Ok(Cow::Borrowed(floats));
    }
    decode_f32_le(bytes)
        .map(Cow::Owned)
        .map_err(|e| format!("{param}: {e}"))
}

/// Packed f32 of exactly `N` elements.
pub fn vector_arg<const N: usize>(bytes: &[u8], param: &str) -> Result<Vector<N>, String> {
    Vector::<N>::from_le_bytes(bytes).map_err(|e| format!("{param}: {e}"))
}

/// A GUID in .NET's `Guid.ToByteArray()` order.
///
/// # Safety
/// `ptr` must point to 16 readable bytes.
pub unsafe fn uuid_arg(ptr: *const u8, param: &str) -> Result<Uuid, String> {
    let bytes = unsafe { raw_slice(ptr, 16, param)? };
    Ok(Uuid::from_bytes_le(bytes.try_into().expect("16 bytes")))
}

fn epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1, 1, 1)
        .expect("0001-01-01")
        .and_time(NaiveTime::MIN)
}

/// .NET ticks (100 ns) since 0001-01-01, as `DateTime.Ticks`.
pub fn datetime_arg(ticks: i64, param: &str) -> Result<NaiveDateTime, String> {
    let micros = ticks.div_euclid(10);
    let nanos = ticks.rem_euclid(10) * 100;
    epoch()
        .checked_add_signed(TimeDelta::microseconds(micros) + TimeDelta::nanoseconds(nanos))
        .ok_or_else(|| format!("{param}: {ticks} ticks is outside the date range"))
}

/// Days since 0001-01-01.
pub fn date_arg(days: i32, param: &str) -> Result<NaiveDate, String> {
    NaiveDate::from_num_days_from_ce_opt(
        days.checked_add(1)
            .ok_or_else(|| format!("{param}: day {days} out of range"))?,
    )
    .ok_or_else(|| format!("{param}: day {days} is outside the date range"))
}

/// Ticks since midnight, as `TimeSpan.Ticks`.
pub fn time_arg(ticks: i64, param: &str) -> Result<NaiveTime, String> {
    if !(0..864_000_000_000).contains(&ticks) {
        return Err(format!("{param}: {ticks} ticks is not a time of day"));
    }
    let secs = (ticks / 10_000_000) as u32;
    let nanos = ((ticks % 10_000_000) * 100) as u32;
    NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
        .ok_or_else(|| format!("{param}: bad time"))
}

/// Date-times with an offset: `DateTime<FixedOffset>` or `DateTime<Utc>`.
pub trait OffsetDateTime: Sized {
    fn from_fixed(value: DateTime<FixedOffset>) -> Self;
    fn to_fixed(&self) -> DateTime<FixedOffset>;
}

impl OffsetDateTime for DateTime<FixedOffset> {
    fn from_fixed(value: DateTime<FixedOffset>) -> Self {
        value
    }
    fn to_fixed(&self) -> DateTime<FixedOffset> {
        *self
    }
}

impl OffsetDateTime for DateTime<Utc> {
    fn from_fixed(value: DateTime<FixedOffset>) -> Self {
        value.with_timezone(&Utc)
    }
    fn to_fixed(&self) -> DateTime<FixedOffset> {
        self.fixed_offset()
    }
}

/// `DateTimeOffset`: local clock ticks and the offset in minutes.
pub fn datetimeoffset_arg<T: OffsetDateTime>(
    ticks: i64,
    offset_minutes: i16,
    param: &str,
) -> Result<T, String> {
    let local = datetime_arg(ticks, param)?;
    let offset = FixedOffset::east_opt(offset_minutes as i32 * 60)
        .ok_or_else(|| format!("{param}: offset {offset_minutes} minutes is out of range"))?;
    let value = local
        .and_local_timezone(offset)
        .single()
        .ok_or_else(|| format!("{param}: ambiguous local time"))?;
    Ok(T::from_fixed(value))
}

/// `decimal.GetBits`: low, middle, high 32 bits, then flags (scale in bits
/// 16..24, sign in bit 31).
///
/// # Safety
/// `ptr` must point to 4 readable `i32`.
pub unsafe fn decimal_arg(ptr: *const i32, param: &str) -> Result<Decimal, String> {
    let bits = unsafe { raw_slice(ptr, 4, param)? };
    let scale = ((bits[3] >> 16) & 0xFF) as u32;
    if scale > 28 {
        return Err(format!("{param}: decimal scale {scale} exceeds 28"));
    }
    Ok(Decimal::from_parts(
        bits[0] as u32,
        bits[1] as u32,
        bits[2] as u32,
        bits[3] < 0,
        scale,
    ))
}

/// Writes a plain value.
///
/// # Safety
/// `out` must be writable.
pub unsafe fn put<T>(out: *mut T, value: T) {
    unsafe { out.write(value) }
}

/// Writes a string result.
///
/// # Safety
/// `out` must be writable.
pub unsafe fn put_string(out: *mut HsBuf, value: &str) {
    unsafe { out.write(utf16_buf(value)) }
}

/// Writes a byte result.
///
/// # Safety
/// `out` must be writable.
pub unsafe fn put_bytes(out: *mut HsBuf, value: &[u8]) {
    unsafe { out.write(HsBuf::from_boxed(value.to_vec().into_boxed_slice())) }
}

/// Writes a packed f32 result.
///
/// # Safety
/// `out` must be writable.
pub unsafe fn put_f32s(out: *mut HsBuf, value: &[f32]) {
    unsafe { out.write(HsBuf::from_boxed(encode_f32_le(value).into_boxed_slice())) }
}

/// Writes a GUID in .NET byte order.
///
/// # Safety
/// `out` must point to 16 writable bytes.
pub unsafe fn put_uuid(out: *mut u8, value: &Uuid) {
    unsafe { std::ptr::copy_nonoverlapping(value.to_bytes_le().as_ptr(), out, 16) }
}

pub fn datetime_ticks(value: &NaiveDateTime) -> i64 {
    let delta = *value - epoch();
    delta.num_microseconds().unwrap_or(i64::MAX / 10) * 10
        + (delta.subsec_nanos() as i64 % 1000) / 100
}

pub fn date_days(value: &NaiveDate) -> i32 {
    use chrono::Datelike;
    value.num_days_from_ce() - 1
}

pub fn time_ticks(value: &NaiveTime) -> i64 {
    use chrono::Timelike;
    value.num_seconds_from_midnight() as i64 * 10_000_000 + value.nanosecond() as i64 / 100
}

/// Writes a `DateTimeOffset` as local ticks and offset minutes.
///
/// # Safety
/// Both pointers must be writable.
pub unsafe fn put_datetimeoffset<T: OffsetDateTime>(ticks: *mut i64, offset: *mut i16, value: &T) {
    let fixed = value.to_fixed();
    unsafe {
        ticks.write(datetime_ticks(&fixed.naive_local()));
        offset.write((fixed.offset().local_minus_utc() / 60) as i16);
    }
}

/// Writes a decimal as `decimal.GetBits` order.
///
/// # Safety
/// `out` must point to 4 writable `i32`.
pub unsafe fn put_decimal(out: *mut i32, value: &Decimal) {
    let mantissa = value.mantissa().unsigned_abs();
    let flags = ((value.scale() as i32) << 16)
        | if value.is_sign_negative() {
            i32::MIN
        } else {
            0
        };
    let bits = [
        mantissa as u32 as i32,
        (mantissa >> 32) as u32 as i32,
        (mantissa >> 64) as u32 as i32,
        flags,
    ];
    unsafe { std::ptr::copy_nonoverlapping(bits.as_ptr(), out, 4) }
}

/// `Some(x)` for finite floats: FLOAT and REAL cannot hold NaN or infinities.
pub fn finite_f64(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

pub fn finite_f32(x: f32) -> Option<f32> {
    x.is_finite().then_some(x)
}

/// Rows on their way to SQL Server: the iterator a table-valued function or
/// result set returns, plus anything its borrowed arguments point into.
pub struct RowStream<R> {
    rows: Option<Box<dyn Iterator<Item = R>>>,
    _keep_alive: Vec<Box<dyn Any>>,
}

impl<R> RowStream<R> {
    /// # Safety
    /// Anything `rows` borrows must be owned by `keep_alive` (heap data whose
    /// address does not change when the boxes move).
    pub unsafe fn into_handle(
        rows: Box<dyn Iterator<Item = R> + '_>,
        keep_alive: Vec<Box<dyn Any>>,
    ) -> *mut c_void {
        // Extending the lifetime is sound: the iterator is dropped before
        // `keep_alive` (see Drop), and the data it borrows is boxed.
        let rows: Box<dyn Iterator<Item = R>> = unsafe { std::mem::transmute(rows) };
        Box::into_raw(Box::new(RowStream {
            rows: Some(rows),
            _keep_alive: keep_alive,
        })) as *mut c_void
    }

    /// The next row, or `None` at the end.
    ///
    /// # Safety
    /// `handle` must come from [`RowStream::into_handle`] with the same `R`, not yet freed.
    pub unsafe fn next(handle: *mut c_void) -> Option<R> {
        let stream = unsafe { &mut *(handle as *mut RowStream<R>) };
        stream.rows.as_mut()?.next()
    }

    /// # Safety
    /// `handle` must come from [`RowStream::into_handle`] with the same `R`; freed once.
    pub unsafe fn free(handle: *mut c_void) {
        if !handle.is_null() {
            drop(unsafe { Box::from_raw(handle as *mut RowStream<R>) });
        }
    }
}

impl<R> Drop for RowStream<R> {
    fn drop(&mut self) {
        // The iterator first: it may borrow from `_keep_alive`.
        self.rows.take();
    }
}

/// Borrowed string arguments of streaming functions live in the stream.
pub fn keep_string(value: String) -> (Box<dyn Any>, &'static str) {
    let boxed = Box::new(value);
    // Sound while the box lives: the string's buffer does not move.
    let text: &'static str = unsafe { &*(boxed.as_str() as *const str) };
    (boxed, text)
}

/// Borrowed byte and f32 arguments of streaming functions live in the stream.
pub fn keep_slice<T: 'static>(value: Vec<T>) -> (Box<dyn Any>, &'static [T]) {
    let boxed = Box::new(value);
    let slice: &'static [T] = unsafe { &*(boxed.as_slice() as *const [T]) };
    (boxed, slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe fn take_utf16(buf: HsBuf) -> String {
        let units = unsafe { std::slice::from_raw_parts(buf.ptr as *const u16, buf.len as usize) };
        let text = String::from_utf16(units).unwrap();
        unsafe { hs_free_utf16(buf.ptr as *mut u16, buf.len) };
        text
    }

    #[test]
    fn guard_turns_errors_and_panics_into_messages() {
        let mut err = HsBuf {
            ptr: std::ptr::null_mut(),
            len: 0,
        };
        assert_eq!(
            unsafe { guard("dbo.f", &mut err, || Ok(STATUS_NULL)) },
            STATUS_NULL
        );
        assert_eq!(
            unsafe { guard("dbo.f", &mut err, || Err("bad".into())) },
            STATUS_ERROR
        );
        assert_eq!(unsafe { take_utf16(err) }, "dbo.f: bad");
        let mut err = HsBuf {
            ptr: std::ptr::null_mut(),
            len: 0,
        };
        let status = unsafe { guard("dbo.g", &mut err, || panic!("boom {}", 7)) };
        assert_eq!(status, STATUS_ERROR);
        assert_eq!(unsafe { take_utf16(err) }, "dbo.g: Rust panic: boom 7");
    }

    #[test]
    fn strings_reject_lone_surrogates() {
        let units: Vec<u16> = "a😀b".encode_utf16().collect();
        assert_eq!(
            unsafe { string_arg(units.as_ptr(), units.len() as i32, "@s") }.unwrap(),
            "a😀b"
        );
        let lone = [0x61u16, 0xD800, 0x62];
        let e = unsafe { string_arg(lone.as_ptr(), 3, "@s") }.unwrap_err();
        assert_eq!(
            e,
            "@s: invalid UTF-16, lone surrogate 0xD800 after 1 characters"
        );
        assert_eq!(
            unsafe { string_arg(std::ptr::null(), 0, "@s") }.unwrap(),
            ""
        );
        assert!(unsafe { string_arg(std::ptr::null(), 2, "@s") }.is_err());
        assert!(unsafe { string_arg(lone.as_ptr(), -1, "@s") }.is_err());
    }

    #[test]
    fn dates_and_decimals_round_trip_through_dotnet_forms() {
        // 2024-02-29 12:34:56.789 1234 in .NET ticks.
        let dt = NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_nano_opt(12, 34, 56, 789_123_400)
            .unwrap();
        let ticks = datetime_ticks(&dt);
        assert_eq!(ticks, 638_448_068_967_891_234); // computed independently with Python's datetime
        assert_eq!(datetime_arg(ticks, "@t").unwrap(), dt);
        let d = dt.date();
        assert_eq!(date_arg(date_days(&d), "@d").unwrap(), d);
        assert_eq!(date_days(&NaiveDate::from_ymd_opt(1, 1, 1).unwrap()), 0);
        let t = dt.time();
        assert_eq!(time_arg(time_ticks(&t), "@t").unwrap(), t);
        assert!(time_arg(864_000_000_000, "@t").is_err());

        let value: Decimal = "-12345678901234567890.123456".parse().unwrap();
        let mut bits = [0i32; 4];
        unsafe { put_decimal(bits.as_mut_ptr(), &value) };
        assert_eq!(unsafe { decimal_arg(bits.as_ptr(), "@m") }.unwrap(), value);
        assert_eq!(bits[3], i32::MIN | (6 << 16));

        let dto: DateTime<FixedOffset> = "2024-05-01T10:00:00+02:00".parse().unwrap();
        let (mut t, mut o) = (0i64, 0i16);
        unsafe { put_datetimeoffset(&mut t, &mut o, &dto) };
        assert_eq!(o, 120);
        let back: DateTime<FixedOffset> = datetimeoffset_arg(t, o, "@x").unwrap();
        assert_eq!(back, dto);
        let utc: DateTime<Utc> = datetimeoffset_arg(t, o, "@x").unwrap();
        assert_eq!(utc, dto.with_timezone(&Utc));
    }

    #[test]
    fn uuids_use_dotnet_byte_order() {
        let id: Uuid = "00112233-4455-6677-8899-aabbccddeeff".parse().unwrap();
        let mut bytes = [0u8; 16];
        unsafe { put_uuid(bytes.as_mut_ptr(), &id) };
        // Guid.ToByteArray(): the first three groups little-endian.
        assert_eq!(&bytes[..4], &[0x33, 0x22, 0x11, 0x00]);
        assert_eq!(unsafe { uuid_arg(bytes.as_ptr(), "@g") }.unwrap(), id);
    }

    #[test]
    fn f32_arguments_are_borrowed_when_aligned_and_copied_when_not() {
        let values = [1.5f32, -2.0, 3.25];
        // A u32 buffer is 4-byte aligned; its bytes from offset 4 are too,
        // and from offset 5 they are not.
        let mut words = [0u32; 5];
        let bytes: &mut [u8] =
            unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr() as *mut u8, 20) };
        bytes[4..16].copy_from_slice(&crate::vector::encode_f32_le(&values));
        let aligned = f32_arg(&bytes[4..16], "@v").unwrap();
        assert!(
            matches!(aligned, Cow::Borrowed(_)),
            "aligned input is read in place"
        );
        assert_eq!(&*aligned, &values);
        bytes[5..17].copy_from_slice(&crate::vector::encode_f32_le(&values));
        let unaligned = f32_arg(&bytes[5..17], "@v").unwrap();
        assert!(
            matches!(unaligned, Cow::Owned(_)),
            "unaligned input is copied"
        );
        assert_eq!(&*unaligned, &values);
        assert_eq!(
            f32_arg(&bytes[..5], "@v").unwrap_err(),
            "@v: vector byte length 5 is not a multiple of 4 (vectors are packed little-endian float32)"
        );
    }

    #[test]
    fn streams_keep_borrowed_arguments_alive() {
        let (keep, text) = keep_string("abc".to_string());
        let rows = Box::new(text.chars().map(|c| c as u32));
        let handle = unsafe { RowStream::into_handle(rows, vec![keep]) };
        let mut seen = Vec::new();
        while let Some(row) = unsafe { RowStream::<u32>::next(handle) } {
            seen.push(row);
        }
        assert_eq!(seen, [97, 98, 99]);
        unsafe { RowStream::<u32>::free(handle) };
    }
}
