use crate::annotations::{
    AnnotationError, ItemContext, ObjectAttr, RoutineAttr, parse_aggregate, parse_data,
    parse_object, parse_routine, parse_row, parse_table,
};
use crate::diagnostics::{Code, Diagnostic, SourceSpan};
use crate::model::Model;
use std::path::Path;
use std::sync::Arc;
use syn::{Attribute, Item, Meta};

/// A source file that was read, kept for rendering diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Relative to the workspace root, `/`-separated.
    pub path: Arc<str>,
    pub text: String,
}

/// Everything read from one crate.
#[derive(Debug, Default)]
pub struct CrateSource {
    pub model: Model,
    pub files: Vec<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the crate whose `lib.rs` is `entry` (a path relative to `root`).
pub fn read_crate(root: &Path, entry: &str) -> CrateSource {
    read_crate_with(entry, |path| std::fs::read_to_string(root.join(path)))
}

/// Reads a crate through `load`, which maps a relative path to its text; tests
/// and benchmarks read from memory this way.
pub fn read_crate_with(
    entry: &str,
    mut load: impl FnMut(&str) -> std::io::Result<String>,
) -> CrateSource {
    let mut out = CrateSource::default();
    let mut pending = vec![PendingFile {
        path: entry.to_string(),
        module: Vec::new(),
        declared_at: None,
        alternative: None,
    }];
    while let Some(file) = pending.pop() {
        let (path, text) = match load(&file.path) {
            Ok(text) => (file.path, text),
            Err(first) => match file.alternative.as_ref().map(|alt| (alt, load(alt))) {
                Some((alt, Ok(text))) => (alt.clone(), text),
                _ => {
                    let diagnostic = match file.declared_at {
                        Some(span) => Diagnostic::new(
                            Code::ModuleNotFound,
                            format!(
                                "file for module `{}` not found: looked for {}{}",
                                file.module.join("::"),
                                file.path,
                                file.alternative
                                    .map(|a| format!(" and {a}"))
                                    .unwrap_or_default()
                            ),
                        )
                        .at(span)
                        .with_help("create the file, or remove the `mod` declaration"),
                        None => Diagnostic::new(
                            Code::SourceUnreadable,
                            format!("cannot read {}: {first}", file.path),
                        )
                        .with_help("run codegen from the workspace root, or pass --root"),
                    };
                    out.diagnostics.push(diagnostic);
                    continue;
                }
            },
        };
        let path: Arc<str> = Arc::from(path.as_str());
        match syn::parse_file(&text) {
            Ok(parsed) => {
                // Children are read depth-first in declaration order, as rustc
                // does, so "first declared" means first in the source.
                let before = pending.len();
                let mut walker = Walker {
                    file: &path,
                    out: &mut out,
                    pending: &mut pending,
                };
                let dir = child_dir(&path);
                walker.items(&parsed.items, &file.module, &dir);
                pending[before..].reverse();
            }
            Err(e) => out.diagnostics.push(
                Diagnostic::new(Code::SourceSyntax, format!("Rust syntax error: {e}"))
                    .at(SourceSpan::from_span(&path, e.span()))
                    .with_help("fix the syntax; `cargo check` shows the same error"),
            ),
        }
        out.files.push(SourceFile { path, text });
    }
    load_tsql_bodies(&mut out, &mut load);
    // Spans were all turned into line/column; free proc-macro2's source map.
    proc_macro2::extra::invalidate_current_thread_spans();
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Reads the `.sql` file of every T-SQL-bodied routine, keeping it for
/// diagnostics that point into it.
fn load_tsql_bodies(out: &mut CrateSource, load: &mut impl FnMut(&str) -> std::io::Result<String>) {
    let routines = out
        .model
        .routines
        .iter_mut()
        .filter_map(|r| r.body.as_mut().map(|b| (r.name.to_string(), b)));
    let views = out
        .model
        .views
        .iter_mut()
        .map(|v| (v.name.to_string(), &mut v.body));
    for (owner, body) in routines.chain(views) {
        // Inline bodies are already read; an empty name follows an error.
        if body.file.is_empty() || body.inline_at.is_some() {
            continue;
        }
        match load(&body.file) {
            Ok(text) => {
                body.text = text.clone();
                if !out.files.iter().any(|f| f.path == body.file) {
                    out.files.push(SourceFile {
                        path: body.file.clone(),
                        text,
                    });
                }
            }
            Err(e) => out.diagnostics.push(
                Diagnostic::new(
                    Code::ModuleNotFound,
                    format!(
                        "the T-SQL body of `{}`, {}, cannot be read: {e}",
                        owner, body.file
                    ),
                )
                .at(body.option_span.clone())
                .with_help("create the file next to the Rust file, or correct `file = \"..\"`"),
            ),
        }
    }
}

struct PendingFile {
    path: String,
    module: Vec<String>,
    declared_at: Option<SourceSpan>,
    alternative: Option<String>,
}

/// Directory holding the files of `file`'s child modules.
fn child_dir(file: &str) -> String {
    let (dir, name) = file.rsplit_once('/').unwrap_or(("", file));
    let stem = name.strip_suffix(".rs").unwrap_or(name);
    let join = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_string()
        } else {
            format!("{a}/{b}")
        }
    };
    if matches!(stem, "lib" | "main" | "mod") {
        dir.to_string()
    } else {
        join(dir, stem)
    }
}

struct Walker<'a> {
    file: &'a Arc<str>,
    out: &'a mut CrateSource,
    pending: &'a mut Vec<PendingFile>,
}

impl Walker<'_> {
    fn items(&mut self, items: &[Item], module: &[String], dir: &str) {
        for item in items {
            match item {
                Item::Struct(structure)
                    if !is_test_only(&structure.attrs)
                        && object_attr(&structure.attrs).is_some() =>
                {
                    let (attr, kind) = object_attr(&structure.attrs).expect("checked");
                    let Some(args) = self.attr_args(attr) else {
                        continue;
                    };
                    let ctx = ItemContext {
                        file: self.file,
                        module,
                    };
                    match parse_object(kind, args, structure, &ctx) {
                        Ok(object) => object.add_to(&mut self.out.model),
                        Err(errors) => self.errors(errors),
                    }
                    // A view's struct is also its row type.
                    if derives(&structure.attrs, "SqlRow") {
                        self.row(syn::DeriveInput::from(structure.clone()), module);
                    }
                }
                Item::Fn(function) if !is_test_only(&function.attrs) => {
                    if let Some(attr) = function.attrs.iter().find(|a| {
                        a.path()
                            .segments
                            .last()
                            .is_some_and(|s| s.ident == "sql_data")
                    }) {
                        if let Some(args) = self.attr_args(attr) {
                            let ctx = ItemContext {
                                file: self.file,
                                module,
                            };
                            match parse_data(args, function, &ctx) {
                                Ok(data) => self.out.model.data.push(data),
                                Err(errors) => self.errors(errors),
                            }
                        }
                    } else if let Some((attr, kind)) = routine_attr(&function.attrs) {
                        self.routine(attr, kind, &function.sig, &function.attrs, false, module);
                    }
                }
                // `fn f(..) -> T;`, a T-SQL-bodied routine: not an ItemFn to syn.
                Item::Verbatim(tokens) => {
                    if let Ok(function) = syn::parse2::<syn::ForeignItemFn>(tokens.clone())
                        && !is_test_only(&function.attrs)
                        && let Some((attr, kind)) = routine_attr(&function.attrs)
                    {
                        self.routine(attr, kind, &function.sig, &function.attrs, true, module);
                    }
                }
                Item::Struct(structure)
                    if !is_test_only(&structure.attrs) && derives(&structure.attrs, "SqlRow") =>
                {
                    self.row(syn::DeriveInput::from(structure.clone()), module);
                }
                Item::Struct(structure)
                    if !is_test_only(&structure.attrs) && derives(&structure.attrs, "SqlTable") =>
                {
                    let ctx = ItemContext {
                        file: self.file,
                        module,
                    };
                    match parse_table(&syn::DeriveInput::from(structure.clone()), &ctx) {
                        Ok(table) => self.out.model.tables.push(table),
                        Err(errors) => self.errors(errors),
                    }
                }
                // An enum cannot be a row; the parser says so with a span.
                Item::Enum(e) if !is_test_only(&e.attrs) && derives(&e.attrs, "SqlRow") => {
                    self.row(syn::DeriveInput::from(e.clone()), module);
                }
                Item::Impl(block) if !is_test_only(&block.attrs) => {
                    if let Some(attr) = block.attrs.iter().find(|a| {
                        a.path()
                            .segments
                            .last()
                            .is_some_and(|s| s.ident == "sql_aggregate")
                    }) && let Some(args) = self.attr_args(attr)
                    {
                        let ctx = ItemContext {
                            file: self.file,
                            module,
                        };
                        match parse_aggregate(args, block, &ctx) {
                            Ok(aggregate) => self.out.model.aggregates.push(aggregate),
                            Err(errors) => self.errors(errors),
                        }
                    }
                    for member in &block.items {
                        if let syn::ImplItem::Fn(method) = member
                            && routine_attr(&method.attrs).is_some()
                        {
                            self.out.diagnostics.push(
                                Diagnostic::new(
                                    Code::MethodReceiver,
                                    format!(
                                        "`{}` is inside an `impl` block; SQL routines must be free functions",
                                        method.sig.ident
                                    ),
                                )
                                .at(SourceSpan::from_span(self.file, method.sig.ident.span()))
                                .with_help("move the function to module level"),
                            );
                        }
                    }
                }
                Item::Mod(m) if !is_test_only(&m.attrs) => {
                    let name = m.ident.to_string();
                    let mut child = module.to_vec();
                    child.push(name.clone());
                    let child_dir = if dir.is_empty() {
                        name.clone()
                    } else {
                        format!("{dir}/{name}")
                    };
                    match &m.content {
                        Some((_, items)) => self.items(items, &child, &child_dir),
                        None => {
                            let (path, alternative) = match path_attr(&m.attrs) {
                                Some(explicit) => (join(dir_of(self.file), &explicit), None),
                                None => (
                                    format!("{child_dir}.rs"),
                                    Some(format!("{child_dir}/mod.rs")),
                                ),
                            };
                            self.pending.push(PendingFile {
                                path,
                                module: child,
                                declared_at: Some(SourceSpan::from_span(self.file, m.ident.span())),
                                alternative,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn routine(
        &mut self,
        attr: &Attribute,
        kind: RoutineAttr,
        sig: &syn::Signature,
        attrs: &[Attribute],
        bodiless: bool,
        module: &[String],
    ) {
        let Some(args) = self.attr_args(attr) else {
            return;
        };
        let ctx = ItemContext {
            file: self.file,
            module,
        };
        match parse_routine(kind, args, sig, attrs, bodiless, &ctx) {
            Ok(routine) => self.out.model.routines.push(routine),
            Err(errors) => self.errors(errors),
        }
    }

    /// An attribute's option tokens, or an error when written `#[x = ..]`.
    fn attr_args(&mut self, attr: &Attribute) -> Option<proc_macro2::TokenStream> {
        match &attr.meta {
            Meta::Path(_) => Some(proc_macro2::TokenStream::new()),
            Meta::List(list) => Some(list.tokens.clone()),
            Meta::NameValue(nv) => {
                self.errors(vec![
                    AnnotationError::new(
                        Code::InvalidOptionValue,
                        syn::spanned::Spanned::span(nv),
                        "options go in parentheses",
                    )
                    .help("write the attribute as `#[sql_function(name = \"...\")]`"),
                ]);
                None
            }
        }
    }

    fn row(&mut self, input: syn::DeriveInput, module: &[String]) {
        let ctx = ItemContext {
            file: self.file,
            module,
        };
        match parse_row(&input, &ctx) {
            Ok(row) => self.out.model.rows.push(row),
            Err(errors) => self.errors(errors),
        }
    }

    fn errors(&mut self, errors: Vec<AnnotationError>) {
        for error in errors {
            self.out.diagnostics.push(error.into_diagnostic(self.file));
        }
    }
}

fn dir_of(file: &str) -> &str {
    file.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    }
}

fn routine_attr(attrs: &[Attribute]) -> Option<(&Attribute, RoutineAttr)> {
    attrs.iter().find_map(|a| {
        let last = a.path().segments.last()?;
        RoutineAttr::from_ident(&last.ident.to_string()).map(|kind| (a, kind))
    })
}

fn object_attr(attrs: &[Attribute]) -> Option<(&Attribute, ObjectAttr)> {
    attrs.iter().find_map(|a| {
        let last = a.path().segments.last()?;
        ObjectAttr::from_ident(&last.ident.to_string()).map(|kind| (a, kind))
    })
}

fn derives(attrs: &[Attribute], derive: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|meta| {
                if meta.path.segments.last().is_some_and(|s| s.ident == derive) {
                    found = true;
                }
                Ok(())
            });
            found
        })
}

/// `#[cfg(test)]` items are not in the library SQL Server loads.
fn is_test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

fn path_attr(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(files: &[(&str, &str)]) -> CrateSource {
        let map: HashMap<String, String> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        read_crate_with("src/lib.rs", |p| {
            map.get(p)
                .cloned()
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, p.to_string()))
        })
    }

    #[test]
    fn follows_modules_and_records_paths_and_lines() {
        let source = read(&[
            (
                "src/lib.rs",
                "pub mod a;\nmod b;\n#[cfg(test)] mod tests;\n",
            ),
            (
                "src/a.rs",
                "pub mod inner {\n\n    #[sql_function]\n    pub fn f(x: i32) -> i32 { x }\n}\n",
            ),
            (
                "src/b/mod.rs",
                "#[runtime::sql_procedure(name = \"sp_B\")]\nfn p() {}\n",
            ),
        ]);
        assert!(source.diagnostics.is_empty(), "{:?}", source.diagnostics);
        let names: Vec<String> = source
            .model
            .routines
            .iter()
            .map(|r| format!("{} {} {}", r.name, r.rust, r.span))
            .collect();
        assert!(
            names.contains(&"dbo.f a::inner::f src/a.rs:4".to_string()),
            "{names:?}"
        );
        assert!(
            names.contains(&"dbo.sp_B b::p src/b/mod.rs:2".to_string()),
            "{names:?}"
        );
        assert_eq!(source.files.len(), 3);
    }

    #[test]
    fn missing_module_file_is_reported_at_the_declaration() {
        let source = read(&[("src/lib.rs", "\nmod gone;\n")]);
        assert_eq!(source.diagnostics.len(), 1);
        let d = &source.diagnostics[0];
        assert_eq!(d.code, Code::ModuleNotFound);
        assert_eq!(d.primary.as_ref().unwrap().start.line, 2);
        assert!(
            d.message.contains("src/gone.rs and src/gone/mod.rs"),
            "{}",
            d.message
        );
    }

    #[test]
    fn syntax_errors_and_annotation_errors_carry_locations() {
        let source = read(&[
            (
                "src/lib.rs",
                "mod bad;\n#[sql_function(nme = \"x\")]\nfn f<T>(t: T) -> i32 { 0 }\n",
            ),
            ("src/bad.rs", "fn broken( {"),
        ]);
        let codes: Vec<Code> = source.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&Code::SourceSyntax), "{codes:?}");
        assert!(codes.contains(&Code::UnknownOption), "{codes:?}");
        assert!(codes.contains(&Code::GenericRoutine), "{codes:?}");
        let unknown = source
            .diagnostics
            .iter()
            .find(|d| d.code == Code::UnknownOption)
            .unwrap();
        let span = unknown.primary.as_ref().unwrap();
        assert_eq!((span.start.line, span.start.column), (2, 15));
    }

    #[test]
    fn test_only_items_are_skipped() {
        let source = read(&[(
            "src/lib.rs",
            "#[cfg(test)]\nmod tests { #[sql_function] fn f() -> i32 { 0 } }\n#[cfg(test)]\n#[sql_function]\nfn g() -> i32 { 0 }\n",
        )]);
        assert!(source.model.routines.is_empty());
        assert!(source.diagnostics.is_empty());
    }
}
