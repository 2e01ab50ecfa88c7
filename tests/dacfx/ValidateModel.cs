// Loads T-SQL scripts into DacFx's model of a SQL Server 2019 database (the
// engine SSDT builds with) and validates it. Arguments: script files, in
// deploy order; a `--next-model` argument starts another, independent model.
// Each script is split into statements with ScriptDom, since
// the model takes one object-creating statement per batch. Output, one line
// each, tab-separated:
//   BLOCKED <file> <message>             a statement cannot join the model
//   MESSAGE <Error|Warning> <code> <message>  (the message names the objects)
//   DONE <files> <statements> <errors> <warnings>   (one per model)
// Exit 0 when it ran (whatever it found), 2 when it could not run.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.SqlServer.Dac;
using Microsoft.SqlServer.Dac.Model;
using Microsoft.SqlServer.TransactSql.ScriptDom;

static class ValidateModel
{
    static string Clean(string s)
    {
        return (s ?? "").Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
    }

    static int Main(string[] args)
    {
        try
        {
            var models = new List<List<string>> { new List<string>() };
            foreach (var arg in args)
            {
                if (arg == "--next-model") models.Add(new List<string>());
                else models[models.Count - 1].Add(arg);
            }
            foreach (var files in models) Check(files);
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("DacFx checker failed: " + e);
            return 2;
        }
    }

    static void Check(List<string> args)
    {
        {
            var options = new TSqlModelOptions();
            var model = new TSqlModel(SqlServerVersion.Sql150, options);
            int errors = 0, warnings = 0, statements = 0;
            foreach (var file in args)
            {
                var script = File.ReadAllText(file);
                IList<ParseError> parseErrors;
                var tree = new TSql150Parser(true).Parse(new StringReader(script), out parseErrors) as TSqlScript;
                if (parseErrors.Count > 0 || tree == null)
                {
                    foreach (var e in parseErrors)
                        Console.WriteLine("BLOCKED\t{0}\tparse error at {1}:{2}: {3}", file, e.Line, e.Column, Clean(e.Message));
                    errors += Math.Max(1, parseErrors.Count);
                    continue;
                }
                foreach (var batch in tree.Batches)
                {
                    foreach (var statement in batch.Statements)
                    {
                        var text = script.Substring(statement.StartOffset, statement.FragmentLength);
                        statements++;
                        // The model replaces the objects of a source name on
                        // each call, so every statement gets its own.
                        var source = file + "#" + statements;
                        // A statement with a build-blocking error poisons the
                        // model for every later one: try it alone first.
                        try
                        {
                            using (var scratch = new TSqlModel(SqlServerVersion.Sql150, options))
                                scratch.AddOrUpdateObjects(text, source, new TSqlObjectOptions());
                            model.AddOrUpdateObjects(text, source, new TSqlObjectOptions());
                        }
                        catch (DacModelException e)
                        {
                            Console.WriteLine("BLOCKED\t{0}\t{1}", file, Clean(e.Message));
                            errors++;
                        }
                    }
                }
            }
            foreach (var m in model.Validate())
            {
                if (m.MessageType == DacMessageType.Error) errors++;
                else if (m.MessageType == DacMessageType.Warning) warnings++;
                Console.WriteLine("MESSAGE\t{0}\t{1}{2}\t{3}", m.MessageType, m.Prefix, m.Number, Clean(m.Message));
            }
            Console.WriteLine("DONE\t{0}\t{1}\t{2}\t{3}", args.Count, statements, errors, warnings);
        }
    }
}
