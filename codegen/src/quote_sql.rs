//! The one place SQL text is made from names and values. Every identifier is
//! bracket-quoted with `]` doubled; every string literal is `N'...'` with `'`
//! doubled; comments cannot end early.

/// `[name]`, with `]` doubled: valid for any name SQL Server can store.
pub fn identifier(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('[');
    for c in name.chars() {
        if c == ']' {
            out.push(']');
        }
        out.push(c);
    }
    out.push(']');
    out
}

/// `[schema].[name]`.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", identifier(schema), identifier(name))
}

/// `N'text'`, with `'` doubled.
pub fn string_literal(text: &str) -> String {
    format!("N'{}'", text.replace('\'', "''"))
}

/// Text safe inside a `--` comment: one line, no control characters.
pub fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(identifier("fn_X"), "[fn_X]");
        assert_eq!(identifier("a]b"), "[a]]b]");
        assert_eq!(identifier("]]"), "[]]]]]");
        assert_eq!(qualified("dbo", "odd name"), "[dbo].[odd name]");
        assert_eq!(string_literal("it's"), "N'it''s'");
        assert_eq!(comment_text("a\nb\r\tc  "), "a b  c");
    }
}
