// Drives the generated CLR bridge as SQL Server would, under Mono, against the
// real Rust library. Reads commands on stdin, one per line, answers one line each:
//
//   SIGNATURES                 -> one line per bridge method: its attribute and signature
//   CALL <method> <arg>...     -> OK <result> | ERR <message>
//   AGGREGATES                 -> one line per aggregate class: its attribute and methods
//   NEW <class>                -> OK <id>: a new aggregate instance, Init called
//   ACC <id> <arg>...          -> OK: Accumulate
//   MERGE <id> <other id>      -> OK: Merge
//   TERM <id>                  -> OK <result>: Terminate
//   SAVE <id>                  -> OK x:<bytes>: Write, as SQL Server serializes
//   LOAD <class> <bytes>       -> OK <id>: a new instance, Read (no Init, as SQL Server does)
//   DROP <id>                  -> OK: the harness forgets the instance (SQL Server drops it)
//   LIVE                       -> OK i:<n>: after a full GC, aggregate states alive in Rust
//
// Values are encoded as: N (NULL), i:<integer>, f:<hex of double bits>,
// r:<hex of float bits>, b:0|1, s:<hex of UTF-16 units>, x:<hex of bytes>.
// A table-valued function's result is T:[row][row]..., a procedure's is
// P:<out>;<out>|[row][row]..., a row is [value,value,...].
using System;
using System.Collections;
using System.Collections.Generic;
using System.Data.SqlTypes;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using Hartonomous.Functions;
using Microsoft.SqlServer.Server;

static class Harness
{
    sealed class CapturingSink : IResultSetSink
    {
        public readonly List<string> Rows = new List<string>();
        public void Start(SqlDataRecord record) { }
        public void Row(SqlDataRecord record)
        {
            var values = new List<string>();
            for (int i = 0; i < record.FieldCount; i++)
            {
                values.Add(record.IsDBNull(i) ? "N" : Encode(record.GetSqlValue(i)));
            }
            Rows.Add("[" + string.Join(",", values) + "]");
        }
        public void End() { }
    }

    static Type bridgeClass;
    static Assembly bridgeAssembly;
    static readonly Dictionary<int, object> instances = new Dictionary<int, object>();
    static int nextInstance = 1;

    static int Main(string[] args)
    {
        var assembly = Assembly.LoadFrom(args[0]);
        bridgeAssembly = assembly;
        bridgeClass = assembly.GetType(args[1], true);
        string line;
        var stdout = Console.Out;
        while ((line = Console.In.ReadLine()) != null)
        {
            var parts = line.Split('\t');
            try
            {
                if (parts[0] == "SIGNATURES") Signatures(stdout);
                else if (parts[0] == "CALL") stdout.WriteLine("OK\t" + Call(parts[1], parts.Skip(2).ToArray()));
                else if (parts[0] == "AGGREGATES") Aggregates(stdout);
                else stdout.WriteLine("OK\t" + Aggregate(parts));
            }
            catch (TargetInvocationException e)
            {
                stdout.WriteLine("ERR\t" + e.InnerException.GetType().Name + ": " + OneLine(e.InnerException.Message));
            }
            catch (Exception e)
            {
                stdout.WriteLine("ERR\tharness: " + OneLine(e.ToString()));
            }
        }
        return 0;
    }

    static string OneLine(string text) { return text.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' '); }

    static void Signatures(System.IO.TextWriter output)
    {
        foreach (var m in bridgeClass.GetMethods(BindingFlags.Public | BindingFlags.Static).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var parameters = string.Join(",", m.GetParameters().Select(p => p.ParameterType.IsByRef ? "ref " + TypeName(p.ParameterType.GetElementType()) : TypeName(p.ParameterType)));
            var f = m.GetCustomAttribute<SqlFunctionAttribute>();
            var p2 = m.GetCustomAttribute<SqlProcedureAttribute>();
            if (f != null)
            {
                output.WriteLine(string.Join("\t", "FUNCTION", m.Name, f.Name, f.IsDeterministic, f.IsPrecise, f.DataAccess, f.FillRowMethodName ?? "", f.TableDefinition ?? "", parameters, TypeName(m.ReturnType)));
            }
            else if (p2 != null)
            {
                output.WriteLine(string.Join("\t", "PROCEDURE", m.Name, p2.Name, parameters, TypeName(m.ReturnType)));
            }
            else
            {
                output.WriteLine(string.Join("\t", "OTHER", m.Name, parameters, TypeName(m.ReturnType)));
            }
        }
        output.WriteLine("END");
    }

    static Type AggregateType(string name)
    {
        var t = bridgeAssembly.GetTypes().FirstOrDefault(x => x.Name == name);
        if (t == null || t.GetCustomAttribute<SqlUserDefinedAggregateAttribute>() == null) throw new InvalidOperationException("no aggregate class " + name);
        return t;
    }

    static object Instance(string id)
    {
        object instance;
        if (!instances.TryGetValue(int.Parse(id, CultureInfo.InvariantCulture), out instance)) throw new InvalidOperationException("no instance " + id);
        return instance;
    }

    static string Keep(object instance)
    {
        int id = nextInstance++;
        instances[id] = instance;
        return id.ToString(CultureInfo.InvariantCulture);
    }

    // Each call goes through reflection by name, as SQL Server binds the contract.
    static object Invoke(object instance, string method, object[] args)
    {
        var m = instance.GetType().GetMethod(method, BindingFlags.Public | BindingFlags.Instance);
        if (m == null) throw new InvalidOperationException(instance.GetType().Name + " has no " + method);
        return m.Invoke(instance, args);
    }

    static string Aggregate(string[] parts)
    {
        switch (parts[0])
        {
            case "NEW":
            {
                var instance = Activator.CreateInstance(AggregateType(parts[1]));
                Invoke(instance, "Init", new object[0]);
                return Keep(instance);
            }
            case "ACC":
            {
                var instance = Instance(parts[1]);
                var parameters = instance.GetType().GetMethod("Accumulate").GetParameters();
                var args = parts.Skip(2).ToArray();
                if (parameters.Length != args.Length) throw new InvalidOperationException("Accumulate takes " + parameters.Length + " arguments, got " + args.Length);
                var values = new object[args.Length];
                for (int i = 0; i < args.Length; i++) values[i] = Decode(parameters[i].ParameterType, args[i]);
                Invoke(instance, "Accumulate", values);
                return "";
            }
            case "MERGE":
                Invoke(Instance(parts[1]), "Merge", new[] { Instance(parts[2]) });
                return "";
            case "TERM":
                return Encode(Invoke(Instance(parts[1]), "Terminate", new object[0]));
            case "SAVE":
            {
                var stream = new System.IO.MemoryStream();
                using (var writer = new System.IO.BinaryWriter(stream)) Invoke(Instance(parts[1]), "Write", new object[] { writer });
                return "x:" + ToHex(stream.ToArray());
            }
            case "LOAD":
            {
                var instance = Activator.CreateInstance(AggregateType(parts[1]));
                using (var reader = new System.IO.BinaryReader(new System.IO.MemoryStream(Hex(parts[2].Substring(2)))))
                    Invoke(instance, "Read", new object[] { reader });
                return Keep(instance);
            }
            case "DROP":
                instances.Remove(int.Parse(parts[1], CultureInfo.InvariantCulture));
                return "";
            case "LIVE":
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                return "i:" + Bridge.LiveAggregateStates().ToString(CultureInfo.InvariantCulture);
            default:
                throw new InvalidOperationException("unknown command " + parts[0]);
        }
    }

    static void Aggregates(System.IO.TextWriter output)
    {
        foreach (var t in bridgeAssembly.GetTypes().OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var a = t.GetCustomAttribute<SqlUserDefinedAggregateAttribute>();
            if (a == null) continue;
            Func<string, string> signature = name =>
            {
                var m = t.GetMethod(name, BindingFlags.Public | BindingFlags.Instance);
                if (m == null) return "-";
                return name + "(" + string.Join(",", m.GetParameters().Select(p => TypeName(p.ParameterType))) + ")" + TypeName(m.ReturnType);
            };
            output.WriteLine(string.Join("\t", "AGGREGATE", t.FullName, a.Name, a.Format, a.IsInvariantToNulls, a.IsInvariantToDuplicates, a.IsInvariantToOrder, a.IsNullIfEmpty, a.MaxByteSize,
                typeof(IBinarySerialize).IsAssignableFrom(t), t.IsSerializable,
                signature("Init"), signature("Accumulate"), signature("Merge"), signature("Terminate"), signature("Read"), signature("Write")));
        }
        output.WriteLine("END");
    }

    static string TypeName(Type t)
    {
        var inner = Nullable.GetUnderlyingType(t);
        return inner != null ? inner.Name + "?" : t.Name;
    }

    static string Call(string method, string[] args)
    {
        var m = bridgeClass.GetMethod(method, BindingFlags.Public | BindingFlags.Static);
        if (m == null) throw new InvalidOperationException("no method " + method);
        var parameters = m.GetParameters();
        if (parameters.Length != args.Length) throw new InvalidOperationException(method + " takes " + parameters.Length + " arguments, got " + args.Length);
        var values = new object[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var t = parameters[i].ParameterType;
            values[i] = Decode(t.IsByRef ? t.GetElementType() : t, args[i]);
        }
        var proc = m.GetCustomAttribute<SqlProcedureAttribute>();
        if (proc != null)
        {
            var sink = new CapturingSink();
            Bridge.ResultSets = sink;
            m.Invoke(null, values);
            var outs = parameters.Select((p, i) => p.ParameterType.IsByRef ? Encode(values[i]) : null).Where(s => s != null);
            return "P:" + string.Join(";", outs) + "|" + string.Concat(sink.Rows);
        }
        var result = m.Invoke(null, values);
        var f = m.GetCustomAttribute<SqlFunctionAttribute>();
        if (f != null && f.FillRowMethodName != null)
        {
            var fill = bridgeClass.GetMethod(f.FillRowMethodName, BindingFlags.Public | BindingFlags.Static);
            var rows = new StringBuilder("T:");
            var enumerator = ((IEnumerable)result).GetEnumerator();
            try
            {
                while (enumerator.MoveNext())
                {
                    var cells = new object[fill.GetParameters().Length];
                    cells[0] = enumerator.Current;
                    fill.Invoke(null, cells);
                    rows.Append("[" + string.Join(",", cells.Skip(1).Select(Encode)) + "]");
                }
            }
            finally
            {
                var disposable = enumerator as IDisposable;
                if (disposable != null) disposable.Dispose();
            }
            return rows.ToString();
        }
        return Encode(result);
    }

    static byte[] Hex(string text)
    {
        var bytes = new byte[text.Length / 2];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = byte.Parse(text.Substring(2 * i, 2), NumberStyles.HexNumber);
        return bytes;
    }

    static string ToHex(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes) sb.Append(b.ToString("x2"));
        return sb.ToString();
    }

    static object Decode(Type t, string text)
    {
        bool isNull = text == "N";
        string v = isNull ? null : text.Substring(2);
        if (t == typeof(SqlInt32)) return isNull ? SqlInt32.Null : new SqlInt32(int.Parse(v, CultureInfo.InvariantCulture));
        if (t == typeof(SqlInt64)) return isNull ? SqlInt64.Null : new SqlInt64(long.Parse(v, CultureInfo.InvariantCulture));
        if (t == typeof(SqlInt16)) return isNull ? SqlInt16.Null : new SqlInt16(short.Parse(v, CultureInfo.InvariantCulture));
        if (t == typeof(SqlByte)) return isNull ? SqlByte.Null : new SqlByte(byte.Parse(v, CultureInfo.InvariantCulture));
        if (t == typeof(SqlBoolean)) return isNull ? SqlBoolean.Null : new SqlBoolean(v == "1");
        if (t == typeof(SqlDouble)) return isNull ? SqlDouble.Null : new SqlDouble(BitConverter.Int64BitsToDouble(long.Parse(v, NumberStyles.HexNumber)));
        if (t == typeof(SqlSingle)) return isNull ? SqlSingle.Null : new SqlSingle(BitConverter.ToSingle(BitConverter.GetBytes(int.Parse(v, NumberStyles.HexNumber)), 0));
        if (t == typeof(SqlString))
        {
            if (isNull) return SqlString.Null;
            var units = Hex(v);
            var chars = new char[units.Length / 2];
            for (int i = 0; i < chars.Length; i++) chars[i] = (char)(units[2 * i] << 8 | units[2 * i + 1]);
            return new SqlString(new string(chars));
        }
        if (t == typeof(SqlBytes)) return isNull ? SqlBytes.Null : new SqlBytes(Hex(v));
        throw new InvalidOperationException("harness cannot build a " + t.Name);
    }

    static string Encode(object value)
    {
        var nullable = value as INullable;
        if (value == null || (nullable != null && nullable.IsNull)) return "N";
        if (value is SqlInt32) return "i:" + ((SqlInt32)value).Value.ToString(CultureInfo.InvariantCulture);
        if (value is SqlInt64) return "i:" + ((SqlInt64)value).Value.ToString(CultureInfo.InvariantCulture);
        if (value is SqlInt16) return "i:" + ((SqlInt16)value).Value.ToString(CultureInfo.InvariantCulture);
        if (value is SqlByte) return "i:" + ((SqlByte)value).Value.ToString(CultureInfo.InvariantCulture);
        if (value is SqlBoolean) return ((SqlBoolean)value).Value ? "b:1" : "b:0";
        if (value is SqlDouble) return "f:" + BitConverter.DoubleToInt64Bits(((SqlDouble)value).Value).ToString("x16");
        if (value is SqlSingle) return "r:" + BitConverter.ToInt32(BitConverter.GetBytes(((SqlSingle)value).Value), 0).ToString("x8");
        if (value is SqlString)
        {
            var s = ((SqlString)value).Value;
            var sb = new StringBuilder("s:");
            foreach (char c in s) sb.Append(((int)c).ToString("x4"));
            return sb.ToString();
        }
        if (value is SqlBytes) return "x:" + ToHex(((SqlBytes)value).Value);
        if (value is SqlBinary) return "x:" + ToHex(((SqlBinary)value).Value);
        throw new InvalidOperationException("harness cannot encode a " + value.GetType().Name);
    }
}
