//! Names written inside option strings (`references = "[my schema].[T](A)"`,
//! `columns = "[a, b] DESC, C"`): split on separators only outside `[...]`,
//! with `]]` standing for `]` inside brackets, so every name SQL Server
//! accepts can be written.

use crate::model::QualifiedName;

/// Byte positions of `separator` outside brackets, compared
/// case-insensitively for ASCII separators like ` TO `.
fn positions(text: &str, separator: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let sep = separator.as_bytes();
    let mut found = Vec::new();
    let mut in_brackets = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_brackets {
            if b == b']' {
                if bytes.get(i + 1) == Some(&b']') {
                    i += 2;
                    continue;
                }
                in_brackets = false;
            }
        } else if b == b'[' {
            in_brackets = true;
        } else if bytes.len() - i >= sep.len() && bytes[i..i + sep.len()].eq_ignore_ascii_case(sep)
        {
            found.push(i);
            i += sep.len();
            continue;
        }
        i += 1;
    }
    found
}

/// A file named relative to the Rust file `rust_file` (both
/// workspace-relative, `/`-separated): `file = "x.sql"` in `src/a/b.rs` is
/// `src/a/x.sql`, as `include_str!` reads it.
pub fn sibling_path(rust_file: &str, file: &str) -> String {
    match rust_file.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{file}"),
        None => file.to_string(),
    }
}

/// A T-SQL body written in the attribute: the text, and where it starts in
/// the Rust file (after `"` or `r#"`, so positions inside a raw string are
/// exact; escapes in an ordinary string shift them).
pub fn inline_body(
    ctx: &super::ItemContext<'_>,
    literal: &darling::util::SpannedValue<String>,
) -> crate::model::TSqlBody {
    let span = literal.span();
    let start = span.start();
    let prefix = span
        .source_text()
        .and_then(|t| t.find('"'))
        .map_or(1, |quote| quote + 1);
    crate::model::TSqlBody {
        file: ctx.file.clone(),
        inline_at: Some(crate::diagnostics::LineCol {
            line: start.line as u32,
            column: start.column as u32 + prefix as u32,
        }),
        text: literal.as_str().to_string(),
        option_span: crate::diagnostics::SourceSpan::from_span(ctx.file, span),
    }
}

/// `text` split on `separator` outside brackets.
pub fn split_outside<'a>(text: &'a str, separator: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for at in positions(text, separator) {
        parts.push(&text[start..at]);
        start = at + separator.len();
    }
    parts.push(&text[start..]);
    parts
}

/// The first `separator` outside brackets: (before, after).
pub fn split_once_outside<'a>(text: &'a str, separator: &str) -> Option<(&'a str, &'a str)> {
    positions(text, separator)
        .first()
        .map(|&at| (&text[..at], &text[at + separator.len()..]))
}

/// A name as written: `[x]` brackets removed and `]]` undoubled; bare
/// names trimmed.
pub fn bare(name: &str) -> String {
    let name = name.trim();
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(inner) => inner.replace("]]", "]"),
        None => name.to_string(),
    }
}

/// `a, [b, c], d` → the names, empty ones dropped.
pub fn name_list(text: &str) -> Vec<String> {
    split_outside(text, ",")
        .into_iter()
        .map(bare)
        .filter(|n| !n.is_empty())
        .collect()
}

/// `schema.Name` or `Name` (in `default_schema`); `None` for more parts or
/// an empty one.
pub fn qualified_name(text: &str, default_schema: &str) -> Option<QualifiedName> {
    let parts: Vec<String> = split_outside(text.trim(), ".")
        .into_iter()
        .map(bare)
        .collect();
    let name = match parts.as_slice() {
        [name] => QualifiedName {
            schema: default_schema.to_string(),
            name: name.clone(),
        },
        [schema, name] => QualifiedName {
            schema: schema.clone(),
            name: name.clone(),
        },
        _ => return None,
    };
    (!name.schema.is_empty() && !name.name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_inside_brackets_are_part_of_the_name() {
        assert_eq!(
            name_list("[a, b], [c]]d], e"),
            vec!["a, b".to_string(), "c]d".into(), "e".into()]
        );
        let q = qualified_name("[my.schema].[T (x)]", "dbo").unwrap();
        assert_eq!((q.schema.as_str(), q.name.as_str()), ("my.schema", "T (x)"));
        assert_eq!(qualified_name("Plain", "app").unwrap().schema, "app");
        assert!(qualified_name("a.b.c", "dbo").is_none());
        assert!(qualified_name("a.", "dbo").is_none());
    }

    #[test]
    fn word_separators_match_outside_brackets_in_any_case() {
        assert_eq!(
            split_once_outside("[x to y] to [z]", " TO "),
            Some(("[x to y]", "[z]"))
        );
        assert_eq!(split_outside("[a ON b] ON c", " ON ").len(), 2);
    }
}
