//! What a T-SQL body refers to, read from its tokens: tables and their
//! aliases, CTE names, alias-qualified columns, INSERT column lists and
//! UPDATE SET targets, function calls with their argument counts, procedure
//! calls, sequences, Service Broker objects, permanent-table DDL, and
//! dynamic SQL. Tolerant: what it cannot follow it skips, and the rules say
//! so where it matters.

use super::scanner::{Kind, Token, tokens};
use std::collections::HashMap;
use std::ops::Range;

/// A multi-part name as written (`[dbo].[Atom]` → `["dbo", "Atom"]`).
#[derive(Debug, Clone, PartialEq)]
pub struct NameRef {
    pub parts: Vec<String>,
    pub range: Range<usize>,
}

/// The arguments of an `EXEC proc ...`: how many are positional, and the
/// names (with the `@`) of the named ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecArgs {
    pub positional: usize,
    pub named: Vec<(String, Range<usize>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Insert,
    Update,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRef {
    /// The table (or alias) the column is written against, as written.
    pub qualifier: Vec<String>,
    pub column: String,
    pub range: Range<usize>,
    /// Set for INSERT column lists and UPDATE SET targets.
    pub write: Option<Write>,
}

#[derive(Debug, Clone, Default)]
pub struct References {
    pub tables: Vec<NameRef>,
    /// Alias (lower case) → the table name it stands for.
    pub aliases: HashMap<String, Vec<String>>,
    /// CTE names, lower case.
    pub ctes: Vec<String>,
    pub columns: Vec<ColumnRef>,
    /// Two-part function calls and their argument counts.
    pub calls: Vec<(NameRef, usize)>,
    pub procedures: Vec<NameRef>,
    /// The arguments of each `EXEC` in `procedures`, in the same order.
    pub procedure_args: Vec<ExecArgs>,
    pub sequences: Vec<NameRef>,
    pub queues: Vec<NameRef>,
    pub services: Vec<(String, Range<usize>)>,
    pub contracts: Vec<(String, Range<usize>)>,
    pub message_types: Vec<(String, Range<usize>)>,
    /// `CREATE/ALTER/DROP TABLE` or `SELECT ... INTO` of a permanent table.
    pub table_ddl: Vec<(String, NameRef)>,
    /// `EXEC (@sql)`, `sp_executesql`: not followed.
    pub dynamic_sql: Vec<Range<usize>>,
    /// Variables declared in the body (`DECLARE @a INT, @t TABLE (..)`),
    /// lower case.
    pub declared: Vec<String>,
    /// `#temp` tables the body creates (`CREATE TABLE #t`, `SELECT .. INTO #t`),
    /// lower case.
    pub temp_created: Vec<String>,
    /// Every use of a `#temp` table.
    pub temp_used: Vec<(String, Range<usize>)>,
    /// Every use of a variable (`@x`, not `@@ROWCOUNT`).
    pub variables: Vec<(String, Range<usize>)>,
}

/// Words that end a table reference instead of naming its alias.
const NOT_ALIAS: &[&str] = &[
    "WHERE",
    "ON",
    "JOIN",
    "INNER",
    "LEFT",
    "RIGHT",
    "FULL",
    "CROSS",
    "OUTER",
    "APPLY",
    "GROUP",
    "ORDER",
    "HAVING",
    "UNION",
    "EXCEPT",
    "INTERSECT",
    "SET",
    "OUTPUT",
    "WHEN",
    "THEN",
    "USING",
    "WITH",
    "OPTION",
    "FOR",
    "INTO",
    "VALUES",
    "SELECT",
    "FROM",
    "UPDATE",
    "INSERT",
    "DELETE",
    "MERGE",
    "BEGIN",
    "END",
    "IF",
    "ELSE",
    "WHILE",
    "RETURN",
    "DECLARE",
    "EXEC",
    "EXECUTE",
    "PIVOT",
    "UNPIVOT",
    "TABLESAMPLE",
    "OFFSET",
    "FETCH",
    "COMMIT",
    "ROLLBACK",
    "SEND",
    "RECEIVE",
    "WAITFOR",
    "BREAK",
    "CONTINUE",
    "THROW",
    "RAISERROR",
    "PRINT",
    "TRUNCATE",
    "DEFAULT",
    "NOT",
    "AND",
    "OR",
    "GO",
];

fn is_alias_word(token: &Token) -> bool {
    match &token.kind {
        Kind::Word { quoted: true, .. } => true,
        Kind::Word {
            text,
            quoted: false,
        } => !NOT_ALIAS.iter().any(|k| k.eq_ignore_ascii_case(text)),
        _ => false,
    }
}

/// `a.b.c` at `i`: its parts, byte range and the index after it.
fn name_at(t: &[Token], i: usize) -> Option<(NameRef, usize)> {
    let first = t.get(i)?;
    first.word()?;
    let mut parts = vec![first.word()?.to_string()];
    let mut end = first.range.end;
    let mut j = i + 1;
    while t.get(j).is_some_and(|d| d.kind == Kind::Dot) {
        match t
            .get(j + 1)
            .and_then(|w| w.word().map(|s| (s, w.range.end)))
        {
            Some((word, e)) => {
                parts.push(word.to_string());
                end = e;
                j += 2;
            }
            None => break,
        }
    }
    Some((
        NameRef {
            parts,
            range: first.range.start..end,
        },
        j,
    ))
}

/// The index after the parenthesis group opening at `open`, and how many
/// top-level arguments it holds.
fn group(t: &[Token], open: usize) -> (usize, usize) {
    let mut depth = 0;
    let mut args = 0;
    let mut empty = true;
    let mut j = open;
    while j < t.len() {
        match t[j].kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                if depth == 0 {
                    return (j + 1, if empty { 0 } else { args + 1 });
                }
            }
            Kind::Comma if depth == 1 => args += 1,
            _ => {}
        }
        if j > open {
            empty = false;
        }
        j += 1;
    }
    (j, if empty { 0 } else { args + 1 })
}

struct Reader<'a> {
    t: &'a [Token],
    refs: References,
    /// The MERGE target, for its `UPDATE SET` and `INSERT (..)` clauses.
    merge_target: Option<Vec<String>>,
    receiving: bool,
    after_output: bool,
}

impl Reader<'_> {
    fn kw(&self, i: usize, word: &str) -> bool {
        self.t.get(i).is_some_and(|t| t.is_keyword(word))
    }

    /// A table reference at `i` (after FROM, JOIN, USING ...), with its
    /// alias; returns the index after it.
    fn table_at(&mut self, i: usize) -> usize {
        match self.t.get(i).map(|t| &t.kind) {
            Some(Kind::Variable(_)) | Some(Kind::Temp(_)) | Some(Kind::Open) | None => {
                return i + 1;
            }
            _ => {}
        }
        let Some((name, mut j)) = name_at(self.t, i) else {
            return i + 1;
        };
        if self.t.get(j).is_some_and(|t| t.kind == Kind::Open) {
            // `FROM dbo.fn(..)`: a table-valued function.
            let (after, args) = group(self.t, j);
            if name.parts.len() >= 2 {
                self.refs.calls.push((name, args));
            }
            return after;
        }
        if self.kw(j, "AS") {
            j += 1;
        }
        if let Some(alias) = self.t.get(j).filter(|t| is_alias_word(t)) {
            self.refs.aliases.insert(
                alias.word().unwrap_or_default().to_lowercase(),
                name.parts.clone(),
            );
            j += 1;
        }
        self.refs.tables.push(name);
        j
    }

    /// `(a, b, c)` at `open`: column names written into `table`.
    fn column_list(&mut self, open: usize, table: &[String], write: Write) -> usize {
        let mut j = open + 1;
        while j < self.t.len() && self.t[j].kind != Kind::Close {
            if let Some(word) = self.t[j].word() {
                self.refs.columns.push(ColumnRef {
                    qualifier: table.to_vec(),
                    column: word.to_string(),
                    range: self.t[j].range.clone(),
                    write: Some(write.clone()),
                });
            }
            j += 1;
        }
        j + 1
    }

    /// `SET a = .., t.b = ..` of an UPDATE of `target`.
    fn set_list(&mut self, mut j: usize, target: &[String]) -> usize {
        let mut depth = 0;
        let mut expect_column = true;
        while j < self.t.len() {
            let token = &self.t[j];
            match &token.kind {
                Kind::Open => depth += 1,
                Kind::Close => {
                    if depth == 0 {
                        return j;
                    }
                    depth -= 1
                }
                Kind::Comma if depth == 0 => expect_column = true,
                Kind::Semicolon => return j,
                Kind::Word { .. }
                    if depth == 0
                        && ["FROM", "WHERE", "OUTPUT", "WHEN", "OPTION", "END", "ELSE"]
                            .iter()
                            .any(|k| token.is_keyword(k)) =>
                {
                    return j;
                }
                Kind::Word { .. } if depth == 0 && expect_column => {
                    if let Some((name, after)) = name_at(self.t, j)
                        && self.t.get(after).is_some_and(|t| t.kind == Kind::Equals)
                    {
                        let column = name.parts.last().cloned().unwrap_or_default();
                        let range = self.t[after - 1].range.clone();
                        self.refs.columns.push(ColumnRef {
                            qualifier: if name.parts.len() > 1 {
                                name.parts[..name.parts.len() - 1].to_vec()
                            } else {
                                target.to_vec()
                            },
                            column,
                            range,
                            write: Some(Write::Update),
                        });
                        expect_column = false;
                        j = after;
                        continue;
                    }
                    expect_column = false;
                }
                _ => {}
            }
            j += 1;
        }
        j
    }

    fn read(&mut self) {
        let t = self.t;
        let mut i = 0;
        while i < t.len() {
            let token = &t[i];
            if token.kind == Kind::Semicolon {
                self.receiving = false;
                self.after_output = false;
            }
            let Some(word) = token.word() else {
                i += 1;
                continue;
            };
            let upper = if matches!(token.kind, Kind::Word { quoted: false, .. }) {
                word.to_ascii_uppercase()
            } else {
                String::new()
            };
            match upper.as_str() {
                "FROM" | "JOIN" | "USING" => {
                    if self.kw(i + 1, "SERVICE") {
                        if let Some(s) = t
                            .get(i + 2)
                            .and_then(|s| s.word().map(|w| (w.to_string(), s.range.clone())))
                        {
                            self.refs.services.push(s);
                        }
                        i += 3;
                        continue;
                    }
                    if self.receiving
                        && upper == "FROM"
                        && let Some((name, after)) = name_at(t, i + 1)
                    {
                        self.refs.queues.push(name);
                        self.receiving = false;
                        i = after;
                        continue;
                    }
                    i = self.table_at(i + 1);
                    continue;
                }
                "RECEIVE" => self.receiving = true,
                "OUTPUT" => self.after_output = true,
                "UPDATE" => {
                    if self.kw(i + 1, "SET") {
                        if let Some(target) = self.merge_target.clone() {
                            i = self.set_list(i + 2, &target);
                            continue;
                        }
                    } else if self.kw(i + 1, "STATISTICS") {
                        i += 2;
                        continue;
                    } else if let Some((name, after)) = name_at(t, i + 1) {
                        let target = name.parts.clone();
                        self.refs.tables.push(name);
                        let mut j = after;
                        if self.kw(j, "SET") {
                            j = self.set_list(j + 1, &target);
                        }
                        i = j;
                        continue;
                    }
                }
                "INSERT" => {
                    let mut j = i + 1;
                    if self.kw(j, "INTO") {
                        j += 1;
                    }
                    if t.get(j).is_some_and(|t| t.kind == Kind::Open) {
                        // MERGE ... WHEN NOT MATCHED THEN INSERT (cols)
                        if let Some(target) = self.merge_target.clone() {
                            i = self.column_list(j, &target, Write::Insert);
                            continue;
                        }
                    }
                    match t.get(j).map(|t| &t.kind) {
                        Some(Kind::Variable(_)) | Some(Kind::Temp(_)) => {
                            i = j + 1;
                            continue;
                        }
                        _ => {}
                    }
                    if let Some((name, after)) = name_at(t, j) {
                        let target = name.parts.clone();
                        self.refs.tables.push(name);
                        let mut k = after;
                        if t.get(k).is_some_and(|t| t.kind == Kind::Open) {
                            k = self.column_list(k, &target, Write::Insert);
                        }
                        i = k;
                        continue;
                    }
                }
                "MERGE" => {
                    let mut j = i + 1;
                    if self.kw(j, "TOP") {
                        j = group(t, j + 1).0;
                    }
                    if self.kw(j, "INTO") {
                        j += 1;
                    }
                    if let Some((name, _)) = name_at(t, j) {
                        self.merge_target = Some(name.parts.clone());
                    }
                    i = self.table_at(j);
                    continue;
                }
                "INTO" => {
                    // OUTPUT ... INTO t, or SELECT ... INTO t (which creates t).
                    match t.get(i + 1).map(|t| &t.kind) {
                        Some(Kind::Variable(_)) | Some(Kind::Temp(_)) => {}
                        _ => {
                            if let Some((name, after)) = name_at(t, i + 1) {
                                if self.after_output {
                                    self.refs.tables.push(name);
                                } else {
                                    self.refs.table_ddl.push(("SELECT ... INTO".into(), name));
                                }
                                i = after;
                                continue;
                            }
                        }
                    }
                }
                "DELETE" => {
                    let mut j = i + 1;
                    if self.kw(j, "FROM") {
                        j += 1;
                    }
                    if let Some((name, after)) = name_at(t, j) {
                        self.refs.tables.push(name);
                        i = after;
                        continue;
                    }
                }
                "CREATE" | "ALTER" | "DROP" if self.kw(i + 1, "TABLE") => {
                    if let Some((name, after)) = name_at(t, i + 2) {
                        self.refs.table_ddl.push((format!("{upper} TABLE"), name));
                        i = after;
                        continue;
                    }
                }
                "NEXT" if self.kw(i + 1, "VALUE") && self.kw(i + 2, "FOR") => {
                    if let Some((name, after)) = name_at(t, i + 3) {
                        self.refs.sequences.push(name);
                        i = after;
                        continue;
                    }
                }
                "MESSAGE" if self.kw(i + 1, "TYPE") => {
                    if let Some(m) = t
                        .get(i + 2)
                        .and_then(|s| s.word().map(|w| (w.to_string(), s.range.clone())))
                    {
                        self.refs.message_types.push(m);
                        i += 3;
                        continue;
                    }
                }
                "CONTRACT" if i > 0 && t[i - 1].is_keyword("ON") => {
                    if let Some(c) = t
                        .get(i + 1)
                        .and_then(|s| s.word().map(|w| (w.to_string(), s.range.clone())))
                    {
                        self.refs.contracts.push(c);
                        i += 2;
                        continue;
                    }
                }
                "TO" if self.kw(i + 1, "SERVICE") => {
                    if let Some(Token {
                        kind: Kind::Literal(s),
                        range,
                    }) = t.get(i + 2)
                    {
                        self.refs.services.push((s.clone(), range.clone()));
                        i += 3;
                        continue;
                    }
                }
                "EXEC" | "EXECUTE" => {
                    let mut j = i + 1;
                    if matches!(t.get(j).map(|t| &t.kind), Some(Kind::Variable(_)))
                        && t.get(j + 1).is_some_and(|t| t.kind == Kind::Equals)
                    {
                        j += 2;
                    }
                    match t.get(j).map(|t| &t.kind) {
                        Some(Kind::Open) | Some(Kind::Variable(_)) => {
                            self.refs.dynamic_sql.push(t[i].range.start..t[j].range.end);
                        }
                        _ => {
                            if let Some((name, after)) = name_at(t, j) {
                                if name
                                    .parts
                                    .last()
                                    .is_some_and(|n| n.eq_ignore_ascii_case("sp_executesql"))
                                {
                                    self.refs.dynamic_sql.push(name.range.clone());
                                } else {
                                    self.refs.procedures.push(name);
                                    self.refs.procedure_args.push(exec_args(t, after));
                                }
                                i = after;
                                continue;
                            }
                        }
                    }
                }
                _ => {}
            }
            // `name AS (` after WITH or a comma: a CTE.
            if (i > 0 && (t[i - 1].is_keyword("WITH") || t[i - 1].kind == Kind::Comma))
                && (self.kw(i + 1, "AS") && t.get(i + 2).is_some_and(|t| t.kind == Kind::Open)
                    || t.get(i + 1).is_some_and(|t| t.kind == Kind::Open) && {
                        let (after, _) = group(t, i + 1);
                        self.kw(after, "AS")
                            && t.get(after + 1).is_some_and(|t| t.kind == Kind::Open)
                    })
            {
                self.refs.ctes.push(word.to_lowercase());
            }
            // Qualified names outside the positions above: calls and columns.
            if let Some((name, after)) = name_at(t, i)
                && name.parts.len() >= 2
                && !(i > 0 && t[i - 1].kind == Kind::Dot)
            {
                if t.get(after).is_some_and(|t| t.kind == Kind::Open) {
                    self.refs.calls.push((name, group(t, after).1));
                } else {
                    let column = name.parts.last().cloned().unwrap_or_default();
                    let last = t[after - 1].range.clone();
                    self.refs.columns.push(ColumnRef {
                        qualifier: name.parts[..name.parts.len() - 1].to_vec(),
                        column,
                        range: last,
                        write: None,
                    });
                }
                i = after;
                continue;
            }
            i += 1;
        }
    }
}

/// The arguments after `EXEC name`, up to the end of the statement.
fn exec_args(t: &[Token], from: usize) -> ExecArgs {
    let mut args = ExecArgs::default();
    let mut depth = 0;
    let mut start = from;
    let mut i = from;
    let finish = |start: usize, end: usize, args: &mut ExecArgs| {
        if start >= end {
            return;
        }
        match (&t[start].kind, t.get(start + 1).map(|x| &x.kind)) {
            (Kind::Variable(name), Some(Kind::Equals)) if end > start + 1 => {
                args.named.push((name.clone(), t[start].range.clone()))
            }
            _ => args.positional += 1,
        }
    };
    while i < t.len() {
        let token = &t[i];
        let ends = depth == 0
            && (token.kind == Kind::Semicolon
                || (i > from && STATEMENT_START.iter().any(|k| token.is_keyword(k)))
                || token.is_keyword("ELSE"));
        if ends {
            break;
        }
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            Kind::Comma if depth == 0 => {
                finish(start, i, &mut args);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    finish(start, i, &mut args);
    args
}

/// Words that start a statement, ending a DECLARE list.
const STATEMENT_START: &[&str] = &[
    "SELECT",
    "SET",
    "IF",
    "WHILE",
    "BEGIN",
    "END",
    "EXEC",
    "EXECUTE",
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "RETURN",
    "WITH",
    "DECLARE",
    "WAITFOR",
    "SEND",
    "RECEIVE",
    "THROW",
    "RAISERROR",
    "PRINT",
    "OPEN",
    "FETCH",
    "CLOSE",
    "DEALLOCATE",
    "COMMIT",
    "ROLLBACK",
];

/// Declared variables and every variable use.
fn variables(t: &[Token], refs: &mut References) {
    let mut declaring = false;
    let mut executing = false;
    let mut depth = 0;
    for (i, token) in t.iter().enumerate() {
        match &token.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            Kind::Semicolon => {
                declaring = false;
                executing = false;
            }
            Kind::Variable(name) => {
                if name.starts_with("@@") {
                    continue;
                }
                // `EXEC p @param = ..`: a parameter's name, not a variable
                // (but `EXEC @rc = p` assigns one).
                let names_parameter = executing
                    && !(i > 0 && (t[i - 1].is_keyword("EXEC") || t[i - 1].is_keyword("EXECUTE")))
                    && t.get(i + 1).is_some_and(|x| x.kind == Kind::Equals);
                if names_parameter {
                    continue;
                }
                let after_declare_or_comma = i > 0
                    && (t[i - 1].is_keyword("DECLARE")
                        || (declaring && depth == 0 && t[i - 1].kind == Kind::Comma));
                if after_declare_or_comma {
                    refs.declared.push(name.to_lowercase());
                } else {
                    refs.variables.push((name.clone(), token.range.clone()));
                }
            }
            Kind::Word { quoted: false, .. } => {
                let starts =
                    depth == 0 && i > 0 && STATEMENT_START.iter().any(|k| token.is_keyword(k));
                if starts {
                    declaring = false;
                    executing = false;
                }
                if token.is_keyword("DECLARE") {
                    declaring = true;
                } else if token.is_keyword("EXEC") || token.is_keyword("EXECUTE") {
                    executing = true;
                }
            }
            _ => {}
        }
    }
}

/// `#temp` tables created in the body, and every other mention of one.
fn temp_tables(t: &[Token], refs: &mut References) {
    for (i, token) in t.iter().enumerate() {
        let Kind::Temp(name) = &token.kind else {
            continue;
        };
        let creates = i >= 2 && t[i - 1].is_keyword("TABLE") && t[i - 2].is_keyword("CREATE")
            || i >= 1 && t[i - 1].is_keyword("INTO") && {
                // SELECT .. INTO #t creates it; INSERT INTO #t does not.
                let statement_start = t[..i - 1]
                    .iter()
                    .rposition(|x| x.kind == Kind::Semicolon)
                    .map_or(0, |p| p + 1);
                !t[statement_start..i - 1]
                    .iter()
                    .any(|x| x.is_keyword("INSERT"))
            };
        if creates {
            refs.temp_created.push(name.to_lowercase());
        } else {
            refs.temp_used.push((name.clone(), token.range.clone()));
        }
    }
}

/// Everything `text` refers to.
pub fn references(text: &str) -> References {
    let t = tokens(text);
    let mut reader = Reader {
        t: &t,
        refs: References::default(),
        merge_target: None,
        receiving: false,
        after_output: false,
    };
    reader.read();
    variables(&t, &mut reader.refs);
    temp_tables(&t, &mut reader.refs);
    reader.refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_aliases_and_columns() {
        let r = references(
            "SELECT a.[AtomId], e.Embedding FROM [dbo].[Atom] AS a JOIN dbo.AtomEmbedding e ON e.AtomId = a.AtomId WHERE a.CompletedTimestamp > 0",
        );
        let tables: Vec<Vec<String>> = r.tables.iter().map(|t| t.parts.clone()).collect();
        assert_eq!(
            tables,
            vec![
                vec!["dbo".to_string(), "Atom".into()],
                vec!["dbo".into(), "AtomEmbedding".into()]
            ]
        );
        assert_eq!(r.aliases["a"], vec!["dbo".to_string(), "Atom".into()]);
        assert_eq!(
            r.aliases["e"],
            vec!["dbo".to_string(), "AtomEmbedding".into()]
        );
        let columns: Vec<(String, String)> = r
            .columns
            .iter()
            .map(|c| (c.qualifier.join("."), c.column.clone()))
            .collect();
        assert!(
            columns.contains(&("a".into(), "CompletedTimestamp".into())),
            "{columns:?}"
        );
        assert!(
            columns.contains(&("e".into(), "Embedding".into())),
            "{columns:?}"
        );
    }

    #[test]
    fn writes_calls_and_broker() {
        let r = references(
            "INSERT INTO dbo.T ([A], B) VALUES (dbo.f(1, g(2, 3)), NEXT VALUE FOR dbo.S);
             UPDATE t SET C = 1, t.D = (SELECT 1) FROM dbo.T t;
             RECEIVE TOP (1) @x = message_body FROM [dbo].[Q];
             BEGIN DIALOG @h FROM SERVICE [s1] TO SERVICE N's2' ON CONTRACT [c];
             SEND ON CONVERSATION @h MESSAGE TYPE [m] (@x);
             EXEC (@sql); CREATE TABLE dbo.Permanent (x INT); CREATE TABLE #tmp (x INT);",
        );
        let writes: Vec<(String, String)> = r
            .columns
            .iter()
            .filter(|c| c.write.is_some())
            .map(|c| (c.qualifier.join("."), c.column.clone()))
            .collect();
        assert_eq!(
            writes,
            vec![
                ("dbo.T".into(), "A".into()),
                ("dbo.T".into(), "B".into()),
                ("t".into(), "C".into()),
                ("t".into(), "D".into())
            ]
        );
        assert_eq!(r.calls.len(), 1);
        assert_eq!(r.calls[0].1, 2, "dbo.f has two arguments");
        assert_eq!(r.sequences[0].parts, vec!["dbo".to_string(), "S".into()]);
        assert_eq!(r.queues[0].parts, vec!["dbo".to_string(), "Q".into()]);
        let services: Vec<&str> = r.services.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(services, vec!["s1", "s2"]);
        assert_eq!(r.contracts[0].0, "c");
        assert_eq!(r.message_types[0].0, "m");
        assert_eq!(r.dynamic_sql.len(), 1);
        assert_eq!(r.table_ddl.len(), 1, "the temp table is fine");
        assert_eq!(
            r.table_ddl[0].1.parts,
            vec!["dbo".to_string(), "Permanent".into()]
        );
    }

    #[test]
    fn ctes_and_merge() {
        let r = references(
            "WITH recent (Id) AS (SELECT 1), other AS (SELECT 2)
             MERGE INTO dbo.Atom AS target USING recent AS source ON target.AtomId = source.Id
             WHEN MATCHED THEN UPDATE SET CanonicalText = N'x'
             WHEN NOT MATCHED THEN INSERT (TenantId) VALUES (1);",
        );
        assert_eq!(r.ctes, vec!["recent".to_string(), "other".into()]);
        let writes: Vec<(String, String)> = r
            .columns
            .iter()
            .filter(|c| c.write.is_some())
            .map(|c| (c.qualifier.join("."), c.column.clone()))
            .collect();
        assert_eq!(
            writes,
            vec![
                ("dbo.Atom".into(), "CanonicalText".into()),
                ("dbo.Atom".into(), "TenantId".into())
            ]
        );
    }
}
