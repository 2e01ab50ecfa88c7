//! Renders diagnostics the way rustc does: `error[CODE]: message`, the file,
//! line and column, the source line with a caret, and a help line.

use super::{Diagnostic, LineCol, SourceSpan};
use crate::reader::SourceFile;
use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use std::collections::HashMap;
use std::ops::Range;

/// The files diagnostics may point into.
pub struct SourceFiles {
    files: SimpleFiles<String, String>,
    ids: HashMap<String, usize>,
}

impl SourceFiles {
    pub fn new(sources: &[SourceFile]) -> Self {
        let mut files = SimpleFiles::new();
        let mut ids = HashMap::new();
        for source in sources {
            let id = files.add(source.path.to_string(), source.text.clone());
            ids.insert(source.path.to_string(), id);
        }
        SourceFiles { files, ids }
    }

    fn locate(&self, span: &SourceSpan) -> Option<(usize, Range<usize>)> {
        let id = *self.ids.get(&*span.file)?;
        let text = self.files.get(id).ok()?.source();
        let start = byte_offset(text, span.start)?;
        let end = byte_offset(text, span.end).unwrap_or(start).max(start);
        Some((
            id,
            start..end.max(start + usize::from(start < text.len() && end == start)),
        ))
    }
}

/// Byte offset of a 1-based line and 0-based character column.
fn byte_offset(text: &str, at: LineCol) -> Option<usize> {
    if at.line == 0 {
        return None;
    }
    let line_start = if at.line == 1 {
        0
    } else {
        text.match_indices('\n').nth(at.line as usize - 2)?.0 + 1
    };
    let line = &text[line_start..];
    let within = line
        .char_indices()
        .nth(at.column as usize)
        .map(|(i, _)| i)
        .unwrap_or(line.find('\n').unwrap_or(line.len()));
    Some(line_start + within)
}

/// All diagnostics, rendered as text, separated by blank lines.
pub fn render_diagnostics(diagnostics: &[Diagnostic], files: &SourceFiles) -> String {
    let config = Config::default();
    let mut out = String::new();
    for diagnostic in diagnostics {
        let mut report = match diagnostic.severity {
            super::Severity::Error => Report::error(),
            super::Severity::Note => Report::note(),
        }
        .with_code(diagnostic.code.as_str())
        .with_message(&diagnostic.message);
        let mut labels = Vec::new();
        let mut unplaced = Vec::new();
        if let Some(span) = &diagnostic.primary {
            match files.locate(span) {
                Some((id, range)) => labels.push(
                    Label::primary(id, range)
                        .with_message(diagnostic.label.clone().unwrap_or_default()),
                ),
                None => unplaced.push(format!("at {span}")),
            }
        }
        for (span, text) in &diagnostic.secondary {
            match files.locate(span) {
                Some((id, range)) => labels.push(Label::secondary(id, range).with_message(text)),
                None => unplaced.push(format!("{text}: {span}")),
            }
        }
        let mut notes = unplaced;
        if let Some(help) = &diagnostic.help {
            notes.push(format!("help: {help}"));
        }
        report = report.with_labels(labels).with_notes(notes);
        match term::emit_into_string(&config, &files.files, &report) {
            Ok(text) => out.push_str(&text),
            Err(_) => {
                out.push_str(&diagnostic.to_string());
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use std::sync::Arc;

    #[test]
    fn renders_like_rustc() {
        let file: Arc<str> = Arc::from("functions/src/a.rs");
        let files = SourceFiles::new(&[SourceFile {
            path: file.clone(),
            text: "// héllo\n#[sql_function(nme = \"x\")]\nfn f() {}\n".into(),
        }]);
        let span = SourceSpan {
            file,
            start: LineCol {
                line: 2,
                column: 15,
            },
            end: LineCol {
                line: 2,
                column: 18,
            },
        };
        let text = render_diagnostics(
            &[Diagnostic::new(Code::UnknownOption, "Unknown field: `nme`")
                .at(span)
                .with_help("did you mean `name`?")],
            &files,
        );
        assert_eq!(
            text,
            "error[HS0101]: Unknown field: `nme`\n  ┌─ functions/src/a.rs:2:16\n  │\n2 │ #[sql_function(nme = \"x\")]\n  │                ^^^\n  │\n  = help: did you mean `name`?\n\n"
        );
    }

    #[test]
    fn byte_offsets_count_characters() {
        let text = "é\nab";
        assert_eq!(byte_offset(text, LineCol { line: 1, column: 1 }), Some(2));
        assert_eq!(byte_offset(text, LineCol { line: 2, column: 1 }), Some(4));
        assert_eq!(byte_offset(text, LineCol { line: 3, column: 0 }), None);
    }
}
