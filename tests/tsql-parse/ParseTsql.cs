// Parses T-SQL files with Microsoft's own parser (ScriptDom, SQL Server 2019
// grammar) and prints one line per file:
//   OK<TAB>path<TAB>StatementType,StatementType,...
//   ERROR<TAB>path<TAB>line<TAB>column<TAB>number<TAB>message
// Exit code 0 when every file parsed, 1 otherwise, 2 on bad usage.
using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.SqlServer.TransactSql.ScriptDom;

static class ParseTsql
{
    static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: ParseTsql.exe FILE...");
            return 2;
        }
        int failures = 0;
        foreach (string path in args)
        {
            var parser = new TSql150Parser(true);
            IList<ParseError> errors;
            TSqlFragment fragment;
            using (var reader = new StreamReader(path))
            {
                fragment = parser.Parse(reader, out errors);
            }
            if (errors.Count == 0)
            {
                var kinds = new List<string>();
                var script = fragment as TSqlScript;
                if (script != null)
                {
                    foreach (TSqlBatch batch in script.Batches)
                    {
                        foreach (TSqlStatement statement in batch.Statements)
                        {
                            kinds.Add(statement.GetType().Name);
                        }
                    }
                }
                Console.WriteLine("OK\t" + path + "\t" + string.Join(",", kinds));
            }
            else
            {
                foreach (ParseError e in errors)
                {
                    failures++;
                    string message = e.Message.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
                    Console.WriteLine("ERROR\t" + path + "\t" + e.Line + "\t" + e.Column + "\t" + e.Number + "\t" + message);
                }
            }
        }
        return failures == 0 ? 0 : 1;
    }
}
