//! Shared by the bridge fuzz targets: reading arguments out of the fuzzer's
//! bytes, and checking and freeing what an export hands back, exactly as the
//! generated C# does.

#![allow(dead_code)]

use runtime::ffi::{HsBuf, STATUS_ERROR, STATUS_NULL, STATUS_VALUE, hs_free_bytes, hs_free_utf16};

pub struct Input<'a>(pub &'a [u8]);

impl<'a> Input<'a> {
    pub fn u8(&mut self) -> u8 {
        let (first, rest) = self
            .0
            .split_first()
            .map(|(f, r)| (*f, r))
            .unwrap_or((0, &[]));
        self.0 = rest;
        first
    }

    pub fn flag(&mut self) -> u8 {
        self.u8() & 1
    }

    pub fn i32(&mut self) -> i32 {
        i32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    pub fn i64(&mut self) -> i64 {
        (self.i32() as u32 as i64) | ((self.i32() as i64) << 32)
    }

    pub fn f64(&mut self) -> f64 {
        // SqlDouble cannot hold NaN or infinities, so the C# never passes them.
        let x = f64::from_bits(self.i64() as u64);
        if x.is_finite() { x } else { 0.0 }
    }

    /// A byte string whose length the next byte chooses (scaled, so vectors
    /// of any length, odd tails included, occur).
    pub fn bytes(&mut self) -> Vec<u8> {
        let n = (self.u8() as usize * 7).min(self.0.len());
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        taken.to_vec()
    }

    /// UTF-16 units, any values: lone surrogates included.
    pub fn utf16(&mut self) -> Vec<u16> {
        self.bytes()
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect()
    }
}

pub fn empty_buf() -> HsBuf {
    HsBuf {
        ptr: std::ptr::null_mut(),
        len: 0,
    }
}

/// `(pointer, length)` as the C# passes a byte[] or string: null when empty
/// or NULL.
pub fn arg<T>(v: &[T]) -> (*const T, i32) {
    if v.is_empty() {
        (std::ptr::null(), 0)
    } else {
        (v.as_ptr(), v.len() as i32)
    }
}

/// Checks a status and frees the error message, which must be valid UTF-16.
pub fn finish(status: i32, err: HsBuf) -> i32 {
    assert!(
        matches!(status, STATUS_VALUE | STATUS_NULL | STATUS_ERROR),
        "status {status}"
    );
    if status == STATUS_ERROR {
        assert!(
            !err.ptr.is_null() && err.len > 0,
            "an error carries a message"
        );
        let units = unsafe { std::slice::from_raw_parts(err.ptr as *const u16, err.len as usize) };
        assert!(
            String::from_utf16(units).is_ok(),
            "the message is valid UTF-16"
        );
        unsafe { hs_free_utf16(err.ptr as *mut u16, err.len) };
    } else {
        assert!(err.ptr.is_null(), "no message without an error");
    }
    status
}

pub fn take_bytes(buf: HsBuf) -> Vec<u8> {
    let v = if buf.len == 0 {
        Vec::new()
    } else {
        unsafe { std::slice::from_raw_parts(buf.ptr as *const u8, buf.len as usize) }.to_vec()
    };
    unsafe { hs_free_bytes(buf.ptr as *mut u8, buf.len) };
    v
}

pub fn take_utf16(buf: HsBuf) -> Vec<u16> {
    let v = if buf.len == 0 {
        Vec::new()
    } else {
        unsafe { std::slice::from_raw_parts(buf.ptr as *const u16, buf.len as usize) }.to_vec()
    };
    unsafe { hs_free_utf16(buf.ptr as *mut u16, buf.len) };
    v
}
