//! Errors found while reading one annotated item. They carry compiler spans so
//! the macros can point at the offending token; codegen turns them into
//! [`Diagnostic`]s with file, line and column.

use crate::diagnostics::{Code, Diagnostic, SourceSpan};
use proc_macro2::{Span, TokenStream};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct AnnotationError {
    pub code: Code,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl AnnotationError {
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        AnnotationError {
            code,
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The text rustc shows: the code, the message and the help line.
    pub fn compiler_message(&self) -> String {
        match &self.help {
            Some(help) => format!("{}: {}\n\n= help: {help}", self.code, self.message),
            None => format!("{}: {}", self.code, self.message),
        }
    }

    pub fn to_compile_error(&self) -> TokenStream {
        syn::Error::new(self.span, self.compiler_message()).to_compile_error()
    }

    pub fn into_diagnostic(self, file: &Arc<str>) -> Diagnostic {
        let diagnostic =
            Diagnostic::new(self.code, self.message).at(SourceSpan::from_span(file, self.span));
        match self.help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }
}

/// Collects every error of one item, so the user sees them all at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<AnnotationError>);

impl Errors {
    pub fn push(&mut self, error: AnnotationError) {
        self.0.push(error);
    }

    /// Takes darling's errors apart, one per offending token, and gives each
    /// a stable code and a help line naming the valid options.
    pub fn push_darling(&mut self, error: darling::Error, valid_options: &str) {
        for leaf in error.flatten() {
            let span = leaf.span();
            let text = leaf.to_string();
            let (code, help) = classify_darling(&text, valid_options);
            self.0
                .push(AnnotationError::new(code, span, text).help(help));
        }
    }

    /// Runs `f`, keeping its error if it fails.
    pub fn check<T>(&mut self, result: Result<T, AnnotationError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(error);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<AnnotationError> {
        self.0
    }
}

fn classify_darling(text: &str, valid_options: &str) -> (Code, String) {
    if text.starts_with("Unknown field") {
        (
            Code::UnknownOption,
            format!("valid options here: {valid_options}"),
        )
    } else if text.starts_with("Duplicate field") {
        (Code::DuplicateOption, "give each option once".to_string())
    } else if text.starts_with("Unexpected type") || text.starts_with("Unexpected literal type") {
        (
            Code::OptionValueType,
            "names and types are strings (`name = \"fn_X\"`); switches are bare words or booleans (`deterministic` or `deterministic = true`)".to_string(),
        )
    } else {
        (
            Code::InvalidOptionValue,
            format!("valid options here: {valid_options}"),
        )
    }
}
