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

/// The parts of a multi-part name as the catalog prints it
/// (`[db].[dbo].[sp_Learn]`, `dbo.sp_Learn`): `]]` inside brackets is one
/// `]`. `None` when the text is not such a name.
pub fn parse_multipart(text: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'[') {
            chars.next();
            loop {
                match chars.next()? {
                    ']' if chars.peek() == Some(&']') => {
                        chars.next();
                        part.push(']');
                    }
                    ']' => break,
                    c => part.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                part.push(c);
                chars.next();
            }
            if part.is_empty() || part.contains(['[', ']']) {
                return None;
            }
        }
        parts.push(part);
        match chars.next() {
            None => return Some(parts),
            Some('.') => {}
            Some(_) => return None,
        }
    }
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

    #[test]
    fn multipart_names_read_back() {
        let parts = |t: &str| parse_multipart(t).map(|p| p.join("|"));
        assert_eq!(
            parts("[db].[dbo].[sp_Learn]").as_deref(),
            Some("db|dbo|sp_Learn")
        );
        assert_eq!(parts("dbo.sp_Learn").as_deref(), Some("dbo|sp_Learn"));
        assert_eq!(parts("[a]]b].[c.d]").as_deref(), Some("a]b|c.d"));
        assert_eq!(
            parts(&qualified("x]y", "odd name")).as_deref(),
            Some("x]y|odd name")
        );
        assert_eq!(parts("[unclosed"), None);
        assert_eq!(parts("[a]b"), None);
        assert_eq!(parts("a..b"), None);
    }
}
