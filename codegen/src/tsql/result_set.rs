//! The columns of a body's final result set: the select list of its last
//! statement-level SELECT that returns rows (not `SELECT @x = ..`, not the
//! source of an INSERT, not a branch after UNION), with each item's output
//! name where the text gives one.

use super::scanner::{Kind, Token, tokens};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub struct SelectItem {
    /// `x AS Name`, `Name = x`, `t.Name` or `Name`; `None` for an
    /// expression without an alias.
    pub name: Option<String>,
    /// `*` or `t.*`: the columns are not known from the text.
    pub star: bool,
    pub range: Range<usize>,
    /// A plain column reference (`Col`, `t.Col`, `s.t.Col`): its qualifier
    /// and name, whose type the model may know.
    pub column: Option<(Vec<String>, String)>,
}

const SET_OPERATORS: &[&str] = &["UNION", "ALL", "EXCEPT", "INTERSECT"];
const LIST_END: &[&str] = &[
    "FROM",
    "INTO",
    "WHERE",
    "GROUP",
    "HAVING",
    "ORDER",
    "UNION",
    "EXCEPT",
    "INTERSECT",
    "OPTION",
    "FOR",
];

/// Every statement-level SELECT that returns rows, in order.
pub fn row_selects(text: &str) -> Vec<(Range<usize>, Vec<SelectItem>)> {
    let t = tokens(text);
    let mut depth = 0i32;
    let mut found = Vec::new();
    let mut in_insert = false;
    for (i, token) in t.iter().enumerate() {
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            Kind::Semicolon => in_insert = false,
            _ => {}
        }
        if token.is_keyword("INSERT") {
            in_insert = true;
        }
        if depth != 0 || !token.is_keyword("SELECT") {
            continue;
        }
        let after_set_operator = i > 0 && SET_OPERATORS.iter().any(|k| t[i - 1].is_keyword(k));
        if after_set_operator || in_insert {
            continue;
        }
        let items = select_list(&t, i + 1);
        let assigns = items.first().is_some_and(|(first, _)| {
            matches!(t.get(first.start).map(|x| &x.kind), Some(Kind::Variable(_)))
                && t.get(first.start + 1)
                    .is_some_and(|x| x.kind == Kind::Equals)
        });
        if !assigns {
            found.push((
                token.range.clone(),
                items.into_iter().map(|(_, item)| item).collect(),
            ));
        }
    }
    found
}

/// Items from `start` (just after SELECT) to the end of the list: token
/// index ranges and what each item is.
fn select_list(t: &[Token], mut i: usize) -> Vec<(Range<usize>, SelectItem)> {
    // DISTINCT / ALL / TOP (n) [PERCENT] [WITH TIES]
    loop {
        if t.get(i)
            .is_some_and(|x| x.is_keyword("DISTINCT") || x.is_keyword("ALL"))
        {
            i += 1;
        } else if t.get(i).is_some_and(|x| x.is_keyword("TOP")) {
            i += 1;
            if t.get(i).is_some_and(|x| x.kind == Kind::Open) {
                let mut depth = 0;
                while i < t.len() {
                    match t[i].kind {
                        Kind::Open => depth += 1,
                        Kind::Close => {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            } else {
                i += 1;
            }
            if t.get(i).is_some_and(|x| x.is_keyword("PERCENT")) {
                i += 1;
            }
            if t.get(i).is_some_and(|x| x.is_keyword("WITH"))
                && t.get(i + 1).is_some_and(|x| x.is_keyword("TIES"))
            {
                i += 2;
            }
        } else {
            break;
        }
    }
    let mut items = Vec::new();
    let mut start = i;
    let mut depth = 0;
    while i <= t.len() {
        let end_of_list = i == t.len()
            || (depth == 0
                && (t[i].kind == Kind::Semicolon
                    || LIST_END.iter().any(|k| t[i].is_keyword(k))
                    || (t[i].kind == Kind::Close)));
        if end_of_list || (depth == 0 && t[i].kind == Kind::Comma) {
            if start < i {
                items.push((start..i, item(&t[start..i])));
            }
            if end_of_list {
                break;
            }
            start = i + 1;
        } else if t[i].kind == Kind::Open {
            depth += 1;
        } else if t[i].kind == Kind::Close {
            depth -= 1;
        }
        i += 1;
    }
    items
}

fn item(tokens: &[Token]) -> SelectItem {
    let range = tokens[0].range.start..tokens[tokens.len() - 1].range.end;
    let n = tokens.len();
    // `a.b.c`: words separated by dots and nothing else.
    let plain_reference = n % 2 == 1
        && tokens.iter().enumerate().all(|(i, t)| {
            if i % 2 == 0 {
                t.word().is_some()
            } else {
                t.kind == Kind::Dot
            }
        });
    let column = plain_reference.then(|| {
        let words: Vec<String> = tokens
            .iter()
            .filter_map(|t| t.word().map(str::to_string))
            .collect();
        let (name, qualifier) = words.split_last().expect("at least one word");
        (qualifier.to_vec(), name.clone())
    });
    let named = |name: &str| SelectItem {
        name: Some(name.to_string()),
        star: false,
        range: range.clone(),
        column: column.clone(),
    };
    // `*` or `t.*`
    if tokens[n - 1].kind == Kind::Star && (n == 1 || tokens[n - 2].kind == Kind::Dot) {
        return SelectItem {
            name: None,
            star: true,
            range,
            column: None,
        };
    }
    // Name = expression
    if n >= 3
        && tokens[1].kind == Kind::Equals
        && let Some(name) = tokens[0].word()
    {
        return named(name);
    }
    let last = &tokens[n - 1];
    let alias_word = last.word().is_some() && !["END", "NULL"].iter().any(|k| last.is_keyword(k));
    if alias_word && n >= 2 {
        let before = &tokens[n - 2];
        // expression AS Name, expression Name
        if before.is_keyword("AS") || before.kind == Kind::Close || before.word().is_some() {
            return named(last.word().unwrap_or_default());
        }
        // t.Name
        if before.kind == Kind::Dot {
            return named(last.word().unwrap_or_default());
        }
    }
    if alias_word && n == 1 {
        return named(last.word().unwrap_or_default());
    }
    SelectItem {
        name: None,
        star: false,
        range,
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<Option<String>> {
        row_selects(text)
            .pop()
            .expect("a select")
            .1
            .into_iter()
            .map(|i| i.name)
            .collect()
    }

    #[test]
    fn names_from_aliases_columns_and_assignments() {
        assert_eq!(
            names(
                "SET NOCOUNT ON; SELECT TOP (@k) h.AtomId, CAST(x AS FLOAT) AS Distance, [Name] = 1, y Other, 1 + 2 FROM (SELECT 1 AS q) AS h ORDER BY 1;"
            ),
            vec![
                Some("AtomId".into()),
                Some("Distance".into()),
                Some("Name".into()),
                Some("Other".into()),
                None
            ]
        );
    }

    #[test]
    fn skips_assignments_inserts_and_union_branches() {
        let text = "SELECT @x = 1; INSERT INTO t (a) SELECT b FROM u; SELECT a FROM t UNION ALL SELECT b FROM u; SELECT @y = 2;";
        assert_eq!(names(text), vec![Some("a".to_string())]);
        assert!(row_selects("SELECT @x = 1;").is_empty());
    }
}
