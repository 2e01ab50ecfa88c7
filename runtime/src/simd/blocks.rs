//! The loop every element-wise SIMD kernel runs: whole registers, then the
//! remaining elements one at a time.

/// Applies `lanes` to `$width` elements at a time (from index `$i`) and
/// `tail` to each element left over; `$n` is the shortest of the slices
/// involved. (On x86_64, peeling elements until the output was 32-byte
/// aligned was tried and measured no faster.)
macro_rules! in_blocks {
    ($width:expr, $n:expr, $i:ident, $lanes:block, $tail:block) => {{
        let mut $i = 0;
        while $i + $width <= $n {
            $lanes
            $i += $width;
        }
        while $i < $n {
            $tail
            $i += 1;
        }
    }};
}
