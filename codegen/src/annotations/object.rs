//! `#[sql_schema]`, `#[sql_sequence]`, `#[sql_message_type]`,
//! `#[sql_contract]`, `#[sql_queue]` and `#[sql_role]` on a unit struct →
//! the model's database-level objects.

use super::error::{AnnotationError, Errors};
use super::name_text::{bare, name_list, qualified_name, split_once_outside, split_outside};
use super::options::Switch;
use super::{ItemContext, check_name, doc_lines};
use crate::diagnostics::{Code, SourceSpan};
use crate::model::{
    Activation, ContractDef, Declared, IndexDef, MessageTypeDef, MessageValidation, PERMISSIONS,
    PermissionDef, PermissionTarget, QualifiedName, QueueDef, RoleDef, RustPath, SchemaDef, SentBy,
    SequenceCache, SequenceDef, ServiceDef, SqlType, TSqlBody, ViewDef,
};
use darling::FromMeta;
use darling::ast::NestedMeta;
use darling::util::SpannedValue;
use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;

/// Which object attribute an item carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectAttr {
    Schema,
    Sequence,
    MessageType,
    Contract,
    Queue,
    Role,
    View,
}

impl ObjectAttr {
    pub fn from_ident(ident: &str) -> Option<Self> {
        Some(match ident {
            "sql_schema" => ObjectAttr::Schema,
            "sql_sequence" => ObjectAttr::Sequence,
            "sql_message_type" => ObjectAttr::MessageType,
            "sql_contract" => ObjectAttr::Contract,
            "sql_queue" => ObjectAttr::Queue,
            "sql_role" => ObjectAttr::Role,
            "sql_view" => ObjectAttr::View,
            _ => return None,
        })
    }

    pub fn attribute(self) -> &'static str {
        match self {
            ObjectAttr::Schema => "#[sql_schema]",
            ObjectAttr::Sequence => "#[sql_sequence]",
            ObjectAttr::MessageType => "#[sql_message_type]",
            ObjectAttr::Contract => "#[sql_contract]",
            ObjectAttr::Queue => "#[sql_queue]",
            ObjectAttr::Role => "#[sql_role]",
            ObjectAttr::View => "#[sql_view]",
        }
    }
}

/// One parsed object, ready to join the model.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectDef {
    Schema(SchemaDef),
    Sequence(SequenceDef),
    MessageType(MessageTypeDef),
    Contract(ContractDef),
    Queue(QueueDef),
    Role(RoleDef),
    View(ViewDef),
}

impl ObjectDef {
    pub fn add_to(self, model: &mut crate::model::Model) {
        match self {
            ObjectDef::Schema(d) => model.schemas.push(d),
            ObjectDef::Sequence(d) => model.sequences.push(d),
            ObjectDef::MessageType(d) => model.message_types.push(d),
            ObjectDef::Contract(d) => model.contracts.push(d),
            ObjectDef::Queue(d) => model.queues.push(d),
            ObjectDef::Role(d) => model.roles.push(d),
            ObjectDef::View(d) => model.views.push(d),
        }
    }
}

#[derive(Debug, Default, FromMeta)]
pub struct SchemaArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub authorization: Option<SpannedValue<String>>,
}

pub const SCHEMA_OPTIONS: &str = "name = \"..\", authorization = \"<owner>\"";

#[derive(Debug, Default, FromMeta)]
pub struct SequenceArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub schema: Option<SpannedValue<String>>,
    #[darling(default, rename = "type")]
    pub sql_type: Option<SpannedValue<String>>,
    #[darling(default)]
    pub start: Option<i64>,
    #[darling(default)]
    pub increment: Option<SpannedValue<i64>>,
    #[darling(default)]
    pub min: Option<i64>,
    #[darling(default)]
    pub max: Option<i64>,
    #[darling(default)]
    pub cycle: Switch,
    #[darling(default)]
    pub cache: Option<SpannedValue<u32>>,
    #[darling(default)]
    pub no_cache: Switch,
}

pub const SEQUENCE_OPTIONS: &str = "name = \"..\", schema = \"..\", type = \"BIGINT\", start = n, increment = n, min = n, max = n, cycle, cache = n, no_cache";

#[derive(Debug, Default, FromMeta)]
pub struct MessageTypeArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub validation: Option<SpannedValue<String>>,
}

pub const MESSAGE_TYPE_OPTIONS: &str =
    "name = \"..\", validation = \"none\" | \"empty\" | \"well_formed_xml\"";

#[derive(Debug, Default, FromMeta)]
pub struct ContractArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub initiator: Option<SpannedValue<String>>,
    #[darling(default)]
    pub target: Option<SpannedValue<String>>,
    #[darling(default)]
    pub any: Option<SpannedValue<String>>,
}

pub const CONTRACT_OPTIONS: &str = "name = \"..\", initiator = \"<message types>\", target = \"<message types>\", any = \"<message types>\"";

#[derive(Debug, Default, FromMeta)]
pub struct QueueArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub schema: Option<SpannedValue<String>>,
    /// The activation procedure, `schema.Procedure`.
    #[darling(default)]
    pub activation: Option<SpannedValue<String>>,
    #[darling(default)]
    pub max_readers: Option<SpannedValue<u16>>,
    /// `EXECUTE AS SELF` instead of `OWNER`.
    #[darling(default)]
    pub execute_as_self: Switch,
    /// Disable the queue after five rollbacks of one message (SQL Server's
    /// default is on).
    #[darling(default)]
    pub poison_message_handling: Option<bool>,
    /// The service receiving on this queue.
    #[darling(default)]
    pub service: Option<SpannedValue<String>>,
    #[darling(default)]
    pub contracts: Option<SpannedValue<String>>,
}

pub const QUEUE_OPTIONS: &str = "name = \"..\", schema = \"..\", activation = \"schema.Procedure\", max_readers = n, execute_as_self, poison_message_handling = true | false, service = \"..\", contracts = \"C1, C2\"";

#[derive(Debug, Default, FromMeta)]
pub struct RoleArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default, multiple)]
    pub grant: Vec<SpannedValue<String>>,
    #[darling(default, multiple)]
    pub deny: Vec<SpannedValue<String>>,
}

pub const ROLE_OPTIONS: &str = "name = \"..\", grant = \"SELECT, INSERT ON schema.Table\" (repeatable), deny = \"DELETE ON SCHEMA::name\" (repeatable)";

/// `#[sql_view(file = "..", schemabinding, index(..))]` on a SqlRow struct.
#[derive(Debug, Default, FromMeta)]
pub struct ViewArgs {
    #[darling(default)]
    pub name: Option<SpannedValue<String>>,
    #[darling(default)]
    pub schema: Option<SpannedValue<String>>,
    #[darling(default)]
    pub file: Option<SpannedValue<String>>,
    #[darling(default)]
    pub schemabinding: Switch,
    #[darling(default, multiple)]
    pub index: Vec<super::table::IndexArgs>,
}

pub const VIEW_OPTIONS: &str = "name = \"..\", schema = \"..\", file = \"<body>.sql\", schemabinding, index(name = \"..\", columns = \"A, B\", unique, clustered)";

fn options_of(attr: ObjectAttr) -> &'static str {
    match attr {
        ObjectAttr::Schema => SCHEMA_OPTIONS,
        ObjectAttr::Sequence => SEQUENCE_OPTIONS,
        ObjectAttr::MessageType => MESSAGE_TYPE_OPTIONS,
        ObjectAttr::Contract => CONTRACT_OPTIONS,
        ObjectAttr::Queue => QUEUE_OPTIONS,
        ObjectAttr::Role => ROLE_OPTIONS,
        ObjectAttr::View => VIEW_OPTIONS,
    }
}

fn parse_args<T: FromMeta + Default>(
    meta: &[NestedMeta],
    attr: ObjectAttr,
    errors: &mut Errors,
) -> T {
    T::from_list(meta).unwrap_or_else(|e| {
        errors.push_darling(e, options_of(attr));
        T::default()
    })
}

/// A name option or the struct's name, checked as an identifier.
fn name_or(
    option: &Option<SpannedValue<String>>,
    ident: &syn::Ident,
    what: &str,
    errors: &mut Errors,
) -> String {
    let (name, span) = match option {
        Some(n) => (n.as_str().to_string(), n.span()),
        None => (ident.to_string(), ident.span()),
    };
    check_name(&name, span, what, errors);
    name
}

fn schema_or_dbo(option: &Option<SpannedValue<String>>, errors: &mut Errors) -> String {
    match option {
        Some(s) => {
            check_name(s.as_str(), s.span(), "schema", errors);
            s.as_str().to_string()
        }
        None => "dbo".into(),
    }
}

/// `schema.Name` (schema defaulting to dbo), brackets removed; a name that
/// does not split cleanly is kept whole (the rules then report it unknown).
fn qualified_or_whole(text: &str) -> QualifiedName {
    qualified_name(text, "dbo").unwrap_or_else(|| QualifiedName {
        schema: "dbo".into(),
        name: bare(text),
    })
}

/// Reads one object attribute on a unit struct.
pub fn parse_object(
    attr: ObjectAttr,
    args: TokenStream,
    item: &syn::ItemStruct,
    ctx: &ItemContext<'_>,
) -> Result<ObjectDef, Vec<AnnotationError>> {
    let mut errors = Errors::default();
    let meta = super::option_list(args, &mut errors);
    if attr != ObjectAttr::View && !matches!(item.fields, syn::Fields::Unit) {
        errors.push(
            AnnotationError::new(
                Code::NotAStruct,
                item.fields.span(),
                format!(
                    "{} goes on a unit struct (`pub struct Name;`)",
                    attr.attribute()
                ),
            )
            .help("the struct only names the object; its options say what it is"),
        );
    }
    let ident = &item.ident;
    let declared = Declared {
        rust: RustPath {
            module: ctx.module.to_vec(),
            ident: ident.to_string(),
        },
        doc: doc_lines(&item.attrs),
        span: SourceSpan::from_span(ctx.file, ident.span()),
    };
    let object = match attr {
        ObjectAttr::Schema => {
            let a: SchemaArgs = parse_args(&meta, attr, &mut errors);
            ObjectDef::Schema(SchemaDef {
                name: name_or(&a.name, ident, "schema name", &mut errors),
                authorization: a.authorization.map(|o| {
                    check_name(o.as_str(), o.span(), "schema owner", &mut errors);
                    o.as_str().to_string()
                }),
                declared,
            })
        }
        ObjectAttr::Sequence => {
            let a: SequenceArgs = parse_args(&meta, attr, &mut errors);
            ObjectDef::Sequence(sequence(a, ident, declared, &mut errors))
        }
        ObjectAttr::MessageType => {
            let a: MessageTypeArgs = parse_args(&meta, attr, &mut errors);
            let validation = match a.validation.as_ref().map(|v| v.to_ascii_lowercase()) {
                None => MessageValidation::None,
                Some(v) if v == "none" => MessageValidation::None,
                Some(v) if v == "empty" => MessageValidation::Empty,
                Some(v) if v == "well_formed_xml" => MessageValidation::WellFormedXml,
                Some(v) => {
                    errors.push(
                        AnnotationError::new(
                            Code::InvalidOptionValue,
                            a.validation.as_ref().map_or(ident.span(), |s| s.span()),
                            format!("`{v}` is not a message validation"),
                        )
                        .help("use \"none\" (the default), \"empty\" or \"well_formed_xml\""),
                    );
                    MessageValidation::None
                }
            };
            ObjectDef::MessageType(MessageTypeDef {
                name: name_or(&a.name, ident, "message type name", &mut errors),
                validation,
                declared,
            })
        }
        ObjectAttr::Contract => {
            let a: ContractArgs = parse_args(&meta, attr, &mut errors);
            let mut messages = Vec::new();
            for (list, sent_by) in [
                (&a.initiator, SentBy::Initiator),
                (&a.target, SentBy::Target),
                (&a.any, SentBy::Any),
            ] {
                for m in list.iter().flat_map(|l| name_list(l)) {
                    messages.push((m, sent_by));
                }
            }
            if messages.is_empty() {
                errors.push(
                    AnnotationError::new(Code::InvalidOptionValue, ident.span(), "a contract without message types")
                        .help("name the message types each side sends: initiator = \"..\", target = \"..\" or any = \"..\""),
                );
            }
            ObjectDef::Contract(ContractDef {
                name: name_or(&a.name, ident, "contract name", &mut errors),
                messages,
                declared,
            })
        }
        ObjectAttr::Queue => {
            let a: QueueArgs = parse_args(&meta, attr, &mut errors);
            ObjectDef::Queue(queue(a, ident, ctx, declared, &mut errors))
        }
        ObjectAttr::View => {
            let a: ViewArgs = parse_args(&meta, attr, &mut errors);
            ObjectDef::View(view(a, item, ctx, declared, &mut errors))
        }
        ObjectAttr::Role => {
            let a: RoleArgs = parse_args(&meta, attr, &mut errors);
            let mut permissions = Vec::new();
            for (deny, texts) in [(false, &a.grant), (true, &a.deny)] {
                for text in texts {
                    if let Some(p) = permission(text, deny, ctx, &mut errors) {
                        permissions.push(p);
                    }
                }
            }
            ObjectDef::Role(RoleDef {
                name: name_or(&a.name, ident, "role name", &mut errors),
                permissions,
                declared,
            })
        }
    };
    if errors.is_empty() {
        Ok(object)
    } else {
        Err(errors.into_vec())
    }
}

fn view(
    a: ViewArgs,
    item: &syn::ItemStruct,
    ctx: &ItemContext<'_>,
    declared: Declared,
    errors: &mut Errors,
) -> ViewDef {
    let ident = &item.ident;
    if !matches!(item.fields, syn::Fields::Named(_)) {
        errors.push(
            AnnotationError::new(Code::NotAStruct, ident.span(), "#[sql_view] goes on a struct with named fields that derives SqlRow")
                .help("the struct's fields are the view's columns: #[derive(SqlRow)] pub struct Row { .. }"),
        );
    }
    let body = match &a.file {
        Some(file) => TSqlBody {
            file: super::name_text::sibling_path(ctx.file, file.as_str()).into(),
            inline_at: None,
            text: String::new(),
            option_span: SourceSpan::from_span(ctx.file, file.span()),
        },
        None => {
            errors.push(
                AnnotationError::new(Code::MissingTSqlBody, ident.span(), "a view needs its SELECT: file = \"name.sql\"")
                    .help("put the view's SELECT in a .sql file next to this one and name it with file = \"..\""),
            );
            TSqlBody {
                file: "".into(),
                inline_at: None,
                text: String::new(),
                option_span: declared.span.clone(),
            }
        }
    };
    let name = name_or(&a.name, ident, "view name", errors);
    let mut indexes = Vec::new();
    for (i, index) in a.index.iter().enumerate() {
        let span = index
            .columns
            .as_ref()
            .map(|c| c.span())
            .unwrap_or_else(|| ident.span());
        let keys = match &index.columns {
            Some(c) => super::table::index_keys(c.as_str(), c.span(), errors),
            None => {
                errors.push(
                    AnnotationError::new(
                        Code::InvalidOptionValue,
                        span,
                        "a view index without `columns`",
                    )
                    .help("list its key columns: columns = \"A, B\""),
                );
                Vec::new()
            }
        };
        if !a.schemabinding.0 {
            errors.push(
                AnnotationError::new(Code::InvalidOptionValue, span, "an index on a view without `schemabinding`")
                    .help("SQL Server indexes only schema-bound views: add `schemabinding` to #[sql_view]"),
            );
        }
        if i == 0 && !(index.unique.0 && index.clustered.0) {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    span,
                    "a view's first index must be unique and clustered",
                )
                .help("add `unique, clustered` to the first index (others may be nonclustered)"),
            );
        }
        let index_name = match &index.name {
            Some(n) => n.as_str().to_string(),
            None => format!(
                "{}_{name}_{}",
                if index.clustered.0 { "CIX" } else { "IX" },
                keys.iter()
                    .map(|k| k.column.as_str())
                    .collect::<Vec<_>>()
                    .join("_")
            ),
        };
        indexes.push(IndexDef {
            name: index_name,
            unique: index.unique.0,
            clustered: index.clustered.0,
            storage: Default::default(),
            keys,
            include: Vec::new(),
            filter: None,
            span: SourceSpan::from_span(ctx.file, span),
        });
    }
    ViewDef {
        name: QualifiedName {
            schema: schema_or_dbo(&a.schema, errors),
            name,
        },
        row: ident.to_string(),
        body,
        schemabinding: a.schemabinding.0,
        indexes,
        declared,
    }
}

fn sequence(
    a: SequenceArgs,
    ident: &syn::Ident,
    declared: Declared,
    errors: &mut Errors,
) -> SequenceDef {
    let sql_type = match &a.sql_type {
        None => SqlType::BigInt,
        Some(text) => match text.parse::<SqlType>() {
            Ok(t) if t.is_integer() => t,
            Ok(t) => {
                errors.push(
                    AnnotationError::new(Code::TypeOverrideMismatch, text.span(), format!("a sequence of {t}"))
                        .help("sequences count in TINYINT, SMALLINT, INT, BIGINT (the default) or DECIMAL(p, 0)"),
                );
                SqlType::BigInt
            }
            Err(e) => {
                errors.push(
                    AnnotationError::new(Code::InvalidTypeOverride, text.span(), e.message)
                        .help(e.help),
                );
                SqlType::BigInt
            }
        },
    };
    let increment = a.increment.as_ref().map_or(1, |i| **i);
    if let Some(i) = &a.increment
        && **i == 0
    {
        errors.push(
            AnnotationError::new(
                Code::InvalidOptionValue,
                i.span(),
                "a sequence cannot increment by 0",
            )
            .help("use a positive or negative step"),
        );
    }
    let start = a.start.unwrap_or(match (increment > 0, a.min, a.max) {
        (true, Some(min), _) => min,
        (false, _, Some(max)) => max,
        _ => 1,
    });
    if let (Some(min), Some(max)) = (a.min, a.max)
        && min >= max
    {
        errors.push(
            AnnotationError::new(
                Code::InvalidOptionValue,
                ident.span(),
                format!("sequence min {min} is not below max {max}"),
            )
            .help("give min < max"),
        );
    }
    if a.min.is_some_and(|m| start < m) || a.max.is_some_and(|m| start > m) {
        errors.push(
            AnnotationError::new(
                Code::InvalidOptionValue,
                ident.span(),
                format!("sequence start {start} is outside min..max"),
            )
            .help("start inside the range the sequence counts over"),
        );
    }
    let cache = match (&a.cache, a.no_cache.0) {
        (Some(c), true) => {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    c.span(),
                    "both `cache` and `no_cache`",
                )
                .help("choose one"),
            );
            SequenceCache::Default
        }
        (Some(c), false) => SequenceCache::Size(**c),
        (None, true) => SequenceCache::None,
        (None, false) => SequenceCache::Default,
    };
    SequenceDef {
        name: QualifiedName {
            schema: schema_or_dbo(&a.schema, errors),
            name: name_or(&a.name, ident, "sequence name", errors),
        },
        sql_type,
        start,
        increment,
        min: a.min,
        max: a.max,
        cycle: a.cycle.0,
        cache,
        declared,
    }
}

fn queue(
    a: QueueArgs,
    ident: &syn::Ident,
    ctx: &ItemContext<'_>,
    declared: Declared,
    errors: &mut Errors,
) -> QueueDef {
    let activation = a.activation.as_ref().map(|p| Activation {
        procedure: qualified_or_whole(p),
        max_readers: a.max_readers.as_ref().map_or(1, |m| **m),
        execute_as_owner: !a.execute_as_self.0,
        span: SourceSpan::from_span(ctx.file, p.span()),
    });
    if let Some(m) = &a.max_readers {
        if a.activation.is_none() {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    m.span(),
                    "`max_readers` without `activation`",
                )
                .help("add activation = \"schema.Procedure\""),
            );
        }
        if **m == 0 || **m > 32767 {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    m.span(),
                    format!("max_readers {} is out of range", **m),
                )
                .help("SQL Server accepts 1 to 32767 readers"),
            );
        }
    }
    let service = match (&a.service, &a.contracts) {
        (Some(s), contracts) => {
            check_name(s.as_str(), s.span(), "service name", errors);
            Some(ServiceDef {
                name: s.as_str().to_string(),
                contracts: contracts.as_ref().map(|c| name_list(c)).unwrap_or_default(),
                span: SourceSpan::from_span(ctx.file, s.span()),
            })
        }
        (None, Some(c)) => {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    c.span(),
                    "`contracts` without `service`",
                )
                .help("name the service that receives on this queue: service = \"..\""),
            );
            None
        }
        (None, None) => None,
    };
    QueueDef {
        name: QualifiedName {
            schema: schema_or_dbo(&a.schema, errors),
            name: name_or(&a.name, ident, "queue name", errors),
        },
        activation,
        poison_message_handling: a.poison_message_handling.unwrap_or(true),
        service,
        declared,
    }
}

/// `SELECT, INSERT ON dbo.Atom` or `EXECUTE ON SCHEMA::dbo`.
fn permission(
    text: &SpannedValue<String>,
    deny: bool,
    ctx: &ItemContext<'_>,
    errors: &mut Errors,
) -> Option<PermissionDef> {
    let span: Span = text.span();
    let Some((verbs, target_text)) = split_once_outside(text, " ON ") else {
        errors.push(
            AnnotationError::new(
                Code::InvalidOptionValue,
                span,
                format!("`{}` names no object", text.as_str()),
            )
            .help("write \"<PERMISSION>[, ...] ON schema.Object\" or \"... ON SCHEMA::name\""),
        );
        return None;
    };
    let mut permissions = Vec::new();
    for p in split_outside(&verbs.to_ascii_uppercase(), ",") {
        let p = p.split_whitespace().collect::<Vec<_>>().join(" ");
        if PERMISSIONS.contains(&p.as_str()) {
            permissions.push(p);
        } else {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    span,
                    format!("`{p}` is not a permission this tool grants"),
                )
                .help(format!("use one of: {}", PERMISSIONS.join(", "))),
            );
        }
    }
    let target_text = target_text.trim();
    let target = match target_text.split_once("::") {
        Some((class, name)) if class.trim().eq_ignore_ascii_case("SCHEMA") => {
            PermissionTarget::Schema(bare(name))
        }
        Some((class, name)) if class.trim().eq_ignore_ascii_case("OBJECT") => {
            PermissionTarget::Object(qualified_or_whole(name))
        }
        Some((class, _)) => {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    span,
                    format!("`{}` permissions are not supported", class.trim()),
                )
                .help("grant on SCHEMA::name or on an object (schema.Object)"),
            );
            return None;
        }
        None => PermissionTarget::Object(qualified_or_whole(target_text)),
    };
    (!permissions.is_empty()).then(|| PermissionDef {
        deny,
        permissions,
        target,
        span: SourceSpan::from_span(ctx.file, span),
    })
}
