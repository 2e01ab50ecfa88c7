// Per-call cost of the CLR bridge under Mono, against plain C# doing the same
// work: run by scripts/bench-bridge.sh (not part of the test suite).
//
//   raw P/Invoke      hs_abi_version(): the native hop alone
//   bridge, trivial   fn_CalculateComplexity: SqlTypes in, guards, P/Invoke, SqlInt32 out
//   bridge, cosine    fn_CosineSimilarity on two 1998-dimension vectors (SqlBytes)
//   plain C#, cosine  the same computation written in C# over the same SqlBytes
//   geometry in/out   fn_GeometryConvexHull of a point, fn_SpatialProjectPoint: SRID + WKB both ways
//   aggregate rows    Accumulate per row (VectorCentroid on 1998 dimensions, SpatialConvexHull on points)
//   aggregate state   Write then Read of a VectorCentroid state (1998 doubles), as SQL Server moves it
using System;
using System.IO;
using System.Data.SqlTypes;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Hartonomous.Functions;

static class Bench
{
    [DllImport("functions", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    static extern int hs_abi_version();

    static double PlainCosine(SqlBytes a, SqlBytes b)
    {
        if (a.IsNull || b.IsNull) return double.NaN;
        byte[] x = a.Buffer, y = b.Buffer;
        int n = (int)a.Length / 4;
        if ((int)b.Length / 4 != n) throw new ArgumentException("length");
        double dot = 0, nx = 0, ny = 0;
        for (int i = 0; i < n; i++)
        {
            double p = BitConverter.ToSingle(x, 4 * i), q = BitConverter.ToSingle(y, 4 * i);
            dot += p * q; nx += p * p; ny += q * q;
        }
        return dot / Math.Sqrt(nx * ny);
    }

    static void Time(string name, int iterations, Func<double> call)
    {
        double sink = 0;
        for (int i = 0; i < iterations / 10; i++) sink += call();
        var best = double.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < iterations; i++) sink += call();
            watch.Stop();
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds * 1e6 / iterations);
        }
        Console.WriteLine(string.Format("{0,-28} {1,10:F1} ns/call  (best of 5 rounds of {2}; checksum {3:G6})", name, best, iterations, sink));
    }

    static int Main()
    {
        var random = new Random(42);
        var a = new byte[1998 * 4];
        var b = new byte[1998 * 4];
        for (int i = 0; i < 1998; i++)
        {
            Buffer.BlockCopy(BitConverter.GetBytes((float)(random.NextDouble() - 0.5)), 0, a, 4 * i, 4);
            Buffer.BlockCopy(BitConverter.GetBytes((float)(random.NextDouble() - 0.5)), 0, b, 4 * i, 4);
        }
        var sa = new SqlBytes(a);
        var sb = new SqlBytes(b);
        var bridged = Native.vector__cosine_similarity(sa, sb).Value;
        var plain = PlainCosine(sa, sb);
        // f32 SIMD accumulation in Rust, f64 in this C#: agree to the documented bound.
        if (Math.Abs(bridged - plain) > 1e-5 * Math.Abs(plain) + 1e-9) { Console.Error.WriteLine("results differ: " + bridged + " vs " + plain); return 1; }

        Time("raw P/Invoke (no-op)", 2000000, () => hs_abi_version());
        Time("bridge, trivial function", 1000000, () => Native.planning__calculate_complexity(new SqlInt32(5000), SqlBoolean.False, SqlBoolean.True).Value);
        Time("bridge, cosine 1998", 200000, () => Native.vector__cosine_similarity(sa, sb).Value);
        Time("plain C#, cosine 1998", 200000, () => PlainCosine(sa, sb));

        // A POINT (100 100) in SRID 4326 as the bridge takes it: SRID (big-endian) and WKB.
        var point = new SqlBytes(new byte[] { 0, 0, 0x10, 0xE6, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x59, 0x40, 0, 0, 0, 0, 0, 0, 0x59, 0x40 });
        var xyz = new SqlBytes(new byte[] { 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40 });
        Time("bridge, geometry in and out", 500000, () => Native.geometry__geometry_convex_hull(point).Length);
        Time("bridge, geometry out", 500000, () => Native.geometry__spatial_project_point(xyz, new SqlDouble(30), new SqlDouble(45), new SqlInt32(0)).Length);

        var centroid = new aggregates__moments__VectorCentroid();
        centroid.Init();
        Time("aggregate row, centroid 1998", 200000, () => { centroid.Accumulate(sa); return 0; });
        var hull = new aggregates__hull__SpatialConvexHull();
        hull.Init();
        Time("aggregate row, hull of points", 500000, () => { hull.Accumulate(point); return 0; });
        // One stream reused, as a host would: the time is the bridge's.
        var stream = new MemoryStream(1 << 16);
        var writer = new BinaryWriter(stream);
        var reader = new BinaryReader(stream);
        var copy = new aggregates__moments__VectorCentroid();
        Time("aggregate state, write+read", 20000, () =>
        {
            stream.Position = 0;
            centroid.Write(writer);
            long written = stream.Position;
            stream.Position = 0;
            copy.Read(reader);
            return written;
        });
        return 0;
    }
}
