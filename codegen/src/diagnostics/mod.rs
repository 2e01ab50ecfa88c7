//! Diagnostics: what went wrong, where, and how to fix it. Readers and rules
//! produce [`Diagnostic`]s; the `render` module prints them the way rustc does.

mod code;
#[cfg(feature = "cli")]
mod render;

pub use code::Code;
#[cfg(feature = "cli")]
pub use render::{SourceFiles, render_diagnostics};

use std::fmt;
use std::sync::Arc;

/// A 1-based line and 0-based character column, as proc-macro2 reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Where in the Rust source something was declared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceSpan {
    /// Path relative to the workspace root, with `/` separators.
    pub file: Arc<str>,
    pub start: LineCol,
    pub end: LineCol,
}

impl SourceSpan {
    /// The span of a token in `file`. Line and column come from proc-macro2's
    /// `span-locations`; inside a proc macro they may be zero, which is harmless
    /// because the macros report errors through the compiler's own spans.
    pub fn from_span(file: &Arc<str>, span: proc_macro2::Span) -> Self {
        let start = span.start();
        let end = span.end();
        SourceSpan {
            file: file.clone(),
            start: LineCol {
                line: start.line as u32,
                column: start.column as u32,
            },
            end: LineCol {
                line: end.line as u32,
                column: end.column as u32,
            },
        }
    }
}

impl fmt::Display for SourceSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.start.line)
    }
}

/// One problem, with the place it points at and, where we know one, the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    pub primary: Option<SourceSpan>,
    /// Text under the primary caret.
    pub label: Option<String>,
    /// Other places that matter (the first definition of a duplicate, ...).
    pub secondary: Vec<(SourceSpan, String)>,
    pub help: Option<String>,
    pub severity: Severity,
}

/// Errors stop generation; notes say what a check could not follow and
/// never block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Severity {
    #[default]
    Error,
    Note,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            primary: None,
            label: None,
            secondary: Vec::new(),
            help: None,
            severity: Severity::Error,
        }
    }

    /// The same finding as a note.
    pub fn as_note(mut self) -> Self {
        self.severity = Severity::Note;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn at(mut self, span: SourceSpan) -> Self {
        self.primary = Some(span);
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: SourceSpan, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A one-line form for logs and tests: `file:line:col: error[HS0000]: message`.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(span) = &self.primary {
            write!(
                f,
                "{}:{}:{}: ",
                span.file,
                span.start.line,
                span.start.column + 1
            )?;
        }
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Note => "note",
        };
        write!(f, "{kind}[{}]: {}", self.code, self.message)
    }
}
