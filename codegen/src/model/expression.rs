//! What a T-SQL expression written in an annotation (a default, check,
//! computed column or index filter) refers to. A tolerant scan, not a parser:
//! it skips string literals and comments and reads identifiers, bracketed or
//! bare, so rules and the deploy order can see the objects and columns an
//! expression names. ScriptDom checks the syntax when the output is parsed.

use super::QualifiedName;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// An identifier; `true` when it was bracketed or double-quoted (so it
    /// cannot be a keyword).
    Name(String, bool),
    Dot,
    Open,
    Other,
}

/// The index just past a quoted run that opens at `start` and closes with
/// `close`, a doubled `close` staying inside (`'it''s'`, `[a]]b]`).
pub(crate) fn past_quoted(chars: &[char], start: usize, close: char) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == close {
            if chars.get(i + 1) == Some(&close) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' => {
                i = past_quoted(&chars, i, '\'');
                out.push(Token::Other);
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                i += 2;
            }
            '[' | '"' => {
                let close = if c == '[' { ']' } else { '"' };
                let mut name = String::new();
                i += 1;
                while i < chars.len() {
                    if chars[i] == close {
                        if chars.get(i + 1) == Some(&close) {
                            name.push(close);
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    name.push(chars[i]);
                    i += 1;
                }
                i += 1;
                out.push(Token::Name(name, true));
            }
            '.' => {
                out.push(Token::Dot);
                i += 1;
            }
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            c if c.is_alphabetic() || c == '_' || c == '@' || c == '#' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '@' | '#' | '$'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // N'text' is a Unicode literal, not the name N.
                if word.eq_ignore_ascii_case("N") && chars.get(i) == Some(&'\'') {
                    continue;
                }
                out.push(Token::Name(word, false));
            }
            c if c.is_whitespace() => i += 1,
            _ => {
                out.push(Token::Other);
                i += 1;
            }
        }
    }
    out
}

/// Two-part names called as functions (`dbo.fn_X(...)`, `[dbo].[fn X](...)`),
/// in order of appearance, each once. One-part calls are built-ins.
pub fn called_functions(text: &str) -> Vec<QualifiedName> {
    let tokens = tokens(text);
    let mut found: Vec<QualifiedName> = Vec::new();
    for (i, window) in tokens.windows(4).enumerate() {
        if let [
            Token::Name(schema, _),
            Token::Dot,
            Token::Name(name, _),
            Token::Open,
        ] = window
        {
            // A three-part name (db.schema.fn) is another database's.
            if i > 0 && tokens[i - 1] == Token::Dot {
                continue;
            }
            let q = QualifiedName {
                schema: schema.clone(),
                name: name.clone(),
            };
            if !found.iter().any(|f| f.collision_key() == q.collision_key()) {
                found.push(q);
            }
        }
    }
    found
}

/// Sequences read with `NEXT VALUE FOR [schema.]name`.
pub fn next_value_sequences(text: &str, default_schema: &str) -> Vec<QualifiedName> {
    let tokens = tokens(text);
    let word = |t: Option<&Token>, w: &str| matches!(t, Some(Token::Name(n, false)) if n.eq_ignore_ascii_case(w));
    let mut found = Vec::new();
    for i in 0..tokens.len() {
        if word(tokens.get(i), "NEXT")
            && word(tokens.get(i + 1), "VALUE")
            && word(tokens.get(i + 2), "FOR")
        {
            match (tokens.get(i + 3), tokens.get(i + 4), tokens.get(i + 5)) {
                (Some(Token::Name(schema, _)), Some(Token::Dot), Some(Token::Name(name, _))) => {
                    found.push(QualifiedName {
                        schema: schema.clone(),
                        name: name.clone(),
                    })
                }
                (Some(Token::Name(name, _)), _, _) => found.push(QualifiedName {
                    schema: default_schema.to_string(),
                    name: name.clone(),
                }),
                _ => {}
            }
        }
    }
    found
}

/// T-SQL words that may stand bare in a condition without naming a column.
const KEYWORDS: &[&str] = &[
    "AND", "OR", "NOT", "IS", "NULL", "IN", "BETWEEN", "LIKE", "ESCAPE", "CASE", "WHEN", "THEN",
    "ELSE", "END", "CAST", "CONVERT", "AS", "COLLATE", "EXISTS", "NEXT", "VALUE", "FOR",
];

/// Names an expression uses as columns: identifiers that are neither called,
/// nor part of a qualified name, nor keywords.
pub fn column_names(text: &str) -> Vec<String> {
    column_refs(text)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// The bracketed (or double-quoted) column names of an expression: those are
/// certainly names, where a bare word may be a type, a date part or a keyword.
pub fn quoted_column_names(text: &str) -> Vec<String> {
    column_refs(text)
        .into_iter()
        .filter(|(_, quoted)| *quoted)
        .map(|(name, _)| name)
        .collect()
}

fn column_refs(text: &str) -> Vec<(String, bool)> {
    let tokens = tokens(text);
    let mut found: Vec<(String, bool)> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let Token::Name(name, quoted) = token else {
            continue;
        };
        let called = tokens.get(i + 1) == Some(&Token::Open);
        let qualified =
            tokens.get(i + 1) == Some(&Token::Dot) || (i > 0 && tokens[i - 1] == Token::Dot);
        let keyword = !quoted && KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(name));
        let variable = !quoted && name.starts_with('@');
        if called || qualified || keyword || variable {
            continue;
        }
        if !found.iter().any(|(f, _)| f.eq_ignore_ascii_case(name)) {
            found.push((name.clone(), *quoted));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(schema: &str, name: &str) -> QualifiedName {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    #[test]
    fn finds_two_part_calls_bracketed_or_bare() {
        assert_eq!(
            called_functions("[dbo].[fn_HilbertEncode3D]([X], [Y], [Z]) + dbo.f(1) + GETDATE()"),
            vec![q("dbo", "fn_HilbertEncode3D"), q("dbo", "f")]
        );
        assert_eq!(
            called_functions("[odd]]s].[a b]()"),
            vec![q("odd]s", "a b")]
        );
    }

    #[test]
    fn ignores_literals_comments_and_three_part_names() {
        assert!(called_functions("'dbo.f(1)' + N'x.y(' -- dbo.g(\n /* dbo.h( */").is_empty());
        assert!(called_functions("other.dbo.f(1)").is_empty());
        assert_eq!(called_functions("'it''s' + s.f()"), vec![q("s", "f")]);
    }

    #[test]
    fn columns_skip_keywords_calls_and_variables() {
        assert_eq!(
            column_names("[ModelId] IS NOT NULL AND Score > 0 AND dbo.f(@x) = [Not]"),
            vec!["ModelId".to_string(), "Score".into(), "Not".into()]
        );
    }

    #[test]
    fn quoted_names_are_certainly_columns() {
        assert_eq!(
            quoted_column_names("CAST([Score] AS INT) > DATEADD(day, 1, Other)"),
            vec!["Score".to_string()]
        );
    }

    #[test]
    fn sequences_in_next_value_for() {
        assert_eq!(
            next_value_sequences("NEXT VALUE FOR [ops].[BatchSeq]", "dbo"),
            vec![q("ops", "BatchSeq")]
        );
        assert_eq!(
            next_value_sequences("next value for BatchSeq", "dbo"),
            vec![q("dbo", "BatchSeq")]
        );
    }
}
