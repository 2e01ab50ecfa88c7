//! Expressions as SQL Server keeps them, and as the source writes them, in
//! one form for comparing. SQL Server stores a default `1` as `((1))`, a
//! check `[Amount] >= 0` as `([Amount]>=(0))` and `GETDATE()` as
//! `(getdate())`; without this, a database read back would always differ
//! from its source and every deployment would redo them.
//!
//! The form: tokens without whitespace, lower-cased outside string
//! literals, parentheses around a lone literal or around the whole
//! expression removed (repeatedly). Quoted names (`[x]`, `"x"`) and string
//! literals are kept whole.

use crate::model::expression::past_quoted;

pub fn canonical(expression: &str) -> String {
    let mut tokens = tokens(expression);
    loop {
        let before = tokens.len();
        tokens = unwrap_literals(tokens);
        tokens = unwrap_whole(tokens);
        if tokens.len() == before {
            break;
        }
    }
    tokens.concat()
}

fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || ((c == 'N' || c == 'n') && chars.get(i + 1) == Some(&'\'')) {
            // A string literal, kept as written.
            let start = i;
            i = past_quoted(&chars, if c == '\'' { i } else { i + 1 }, '\'');
            out.push(chars[start..i].iter().collect());
        } else if c == '[' || c == '"' {
            let start = i;
            i = past_quoted(&chars, i, if c == '[' { ']' } else { '"' });
            out.push(chars[start..i].iter().collect::<String>().to_lowercase());
        } else if c.is_alphanumeric() || c == '_' || c == '@' || c == '#' || c == '.' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '@' | '#' | '.' | '$'))
            {
                i += 1;
            }
            out.push(chars[start..i].iter().collect::<String>().to_lowercase());
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

fn is_literal(token: &str) -> bool {
    token.starts_with('\'')
        || token.starts_with("n'")
        || token.starts_with("N'")
        || token.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// `( literal )` → `literal`, unless the `(` follows a name (a call's
/// argument list).
fn unwrap_literals(tokens: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let after_name = out.last().is_some_and(|t| {
            t.chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '[')
        });
        if tokens[i] == "("
            && !after_name
            && i + 2 < tokens.len()
            && is_literal(&tokens[i + 1])
            && tokens[i + 2] == ")"
        {
            out.push(tokens[i + 1].clone());
            i += 3;
        } else {
            out.push(tokens[i].clone());
            i += 1;
        }
    }
    out
}

/// `( whole )` → `whole` when the first `(` closes at the very end.
fn unwrap_whole(tokens: Vec<String>) -> Vec<String> {
    if tokens.len() < 2 || tokens[0] != "(" || tokens[tokens.len() - 1] != ")" {
        return tokens;
    }
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate() {
        match t.as_str() {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth == 0 && i != tokens.len() - 1 {
                    return tokens;
                }
            }
            _ => {}
        }
    }
    tokens[1..tokens.len() - 1].to_vec()
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn stored_and_written_forms_compare_equal() {
        for (stored, written) in [
            ("((1))", "1"),
            ("([Amount]>=(0))", "[Amount] >= 0"),
            ("(getdate())", "GETDATE()"),
            ("(sysutcdatetime())", "SYSUTCDATETIME()"),
            ("(N'pending')", "N'pending'"),
            ("([Quantity]*[Price])", "[Quantity] * [Price]"),
            ("(len([Name])>(0))", "LEN([Name]) > 0"),
            ("([Score] IS NOT NULL)", "[Score] IS NOT NULL"),
            ("(NEXT VALUE FOR [dbo].[Seq])", "NEXT VALUE FOR [dbo].[Seq]"),
        ] {
            assert_eq!(
                canonical(stored),
                canonical(written),
                "{stored} vs {written}"
            );
        }
    }

    #[test]
    fn real_differences_stay_different() {
        assert_ne!(canonical("((1))"), canonical("0"));
        assert_ne!(
            canonical("(N'Pending')"),
            canonical("N'pending'"),
            "literals keep their case"
        );
        assert_ne!(canonical("([a]+[b])*[c]"), canonical("[a]+[b]*[c]"));
        assert_ne!(canonical("[Amount] >= 0"), canonical("[Amount] > 0"));
        assert_eq!(canonical("(([a]+[b])*[c])"), canonical("([a] + [b]) * [c]"));
    }
}
