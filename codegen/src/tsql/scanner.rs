//! A tolerant T-SQL tokenizer: words (bare, `[bracketed]` or `"quoted"`),
//! variables, temp-table names, literals and punctuation, each with its byte
//! range; comments and whitespace are dropped. It never fails: text it does
//! not understand becomes `Other` tokens.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// An identifier or keyword; `quoted` when bracketed or double-quoted
    /// (then it is certainly a name, never a keyword).
    Word {
        text: String,
        quoted: bool,
    },
    /// `@name` (and `@@ROWCOUNT`).
    Variable(String),
    /// `#name` or `##name`: a temporary table.
    Temp(String),
    /// `'text'` or `N'text'`, quotes undoubled.
    Literal(String),
    Number,
    Dot,
    Comma,
    Open,
    Close,
    Semicolon,
    Equals,
    Star,
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: Kind,
    pub range: Range<usize>,
}

impl Token {
    /// The word, if this is an unquoted word equal to `keyword` (any case).
    pub fn is_keyword(&self, keyword: &str) -> bool {
        matches!(&self.kind, Kind::Word { text, quoted: false } if text.eq_ignore_ascii_case(keyword))
    }

    pub fn word(&self) -> Option<&str> {
        match &self.kind {
            Kind::Word { text, .. } => Some(text),
            _ => None,
        }
    }
}

pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let push =
        |out: &mut Vec<Token>, kind: Kind, range: Range<usize>| out.push(Token { kind, range });
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // T-SQL block comments nest.
                let mut depth = 0;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'\'' => {
                let (literal, end) = quoted(text, i + 1, b'\'');
                i = end;
                push(&mut out, Kind::Literal(literal), start..i);
            }
            b'N' | b'n' if bytes.get(i + 1) == Some(&b'\'') => {
                let (literal, end) = quoted(text, i + 2, b'\'');
                i = end;
                push(&mut out, Kind::Literal(literal), start..i);
            }
            b'[' => {
                let (name, end) = quoted(text, i + 1, b']');
                i = end;
                push(
                    &mut out,
                    Kind::Word {
                        text: name,
                        quoted: true,
                    },
                    start..i,
                );
            }
            b'"' => {
                let (name, end) = quoted(text, i + 1, b'"');
                i = end;
                push(
                    &mut out,
                    Kind::Word {
                        text: name,
                        quoted: true,
                    },
                    start..i,
                );
            }
            b'@' | b'#' => {
                i += 1;
                while i < bytes.len()
                    && (is_word_byte(bytes[i]) || bytes[i] == b'@' || bytes[i] == b'#')
                {
                    i += 1;
                }
                let name = text[start..i].to_string();
                let kind = if c == b'@' {
                    Kind::Variable(name)
                } else {
                    Kind::Temp(name)
                };
                push(&mut out, kind, start..i);
            }
            b'0'..=b'9' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                push(&mut out, Kind::Number, start..i);
            }
            b'.' | b',' | b'(' | b')' | b';' | b'=' | b'*' => {
                i += 1;
                let kind = match c {
                    b'.' => Kind::Dot,
                    b',' => Kind::Comma,
                    b'(' => Kind::Open,
                    b')' => Kind::Close,
                    b';' => Kind::Semicolon,
                    b'=' => Kind::Equals,
                    _ => Kind::Star,
                };
                push(&mut out, kind, start..i);
            }
            c if is_word_byte(c) => {
                while i < bytes.len() && (is_word_byte(bytes[i]) || bytes[i] == b'$') {
                    i += 1;
                }
                push(
                    &mut out,
                    Kind::Word {
                        text: text[start..i].to_string(),
                        quoted: false,
                    },
                    start..i,
                );
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                // One token per character (UTF-8 continuation bytes included).
                i += 1;
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
                push(&mut out, Kind::Other, start..i);
            }
        }
    }
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Text up to the closing `close` (doubled, it stands for itself); the index
/// after it.
fn quoted(text: &str, from: usize, close: u8) -> (String, usize) {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == close {
            if bytes.get(i + 1) == Some(&close) {
                out.push(close);
                i += 2;
                continue;
            }
            return (String::from_utf8_lossy(&out).into_owned(), i + 1);
        }
        out.push(bytes[i]);
        i += 1;
    }
    (String::from_utf8_lossy(&out).into_owned(), i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        tokens(text).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn comments_literals_and_names() {
        let k = kinds("SELECT [a]]b], N'it''s' /* x /* nested */ y */ -- c\n FROM #t, @v");
        assert_eq!(
            k,
            vec![
                Kind::Word {
                    text: "SELECT".into(),
                    quoted: false
                },
                Kind::Word {
                    text: "a]b".into(),
                    quoted: true
                },
                Kind::Comma,
                Kind::Literal("it's".into()),
                Kind::Word {
                    text: "FROM".into(),
                    quoted: false
                },
                Kind::Temp("#t".into()),
                Kind::Comma,
                Kind::Variable("@v".into()),
            ]
        );
    }

    #[test]
    fn ranges_point_into_the_text() {
        let text = "SELECT [Größe] FROM t";
        let t = tokens(text);
        assert_eq!(&text[t[1].range.clone()], "[Größe]");
        assert_eq!(&text[t[3].range.clone()], "t");
    }
}
