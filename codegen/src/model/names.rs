//! SQL names: what is valid, and the default SQL spelling of a Rust name.

/// Longest identifier SQL Server accepts (`sysname` is NVARCHAR(128)).
pub const MAX_IDENTIFIER_LEN: usize = 128;

/// Checks a delimited object name (schema, function, column ...). Emitters
/// always bracket-quote these, so spaces, `]` and non-ASCII letters are fine;
/// what SQL Server cannot store or would misread is not.
pub fn check_object_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    let units = name.encode_utf16().count();
    if units > MAX_IDENTIFIER_LEN {
        return Err(format!(
            "the name is {units} UTF-16 code units long; SQL Server allows at most {MAX_IDENTIFIER_LEN}"
        ));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the name contains the control character U+{:04X}",
            c as u32
        ));
    }
    if name.starts_with('#') {
        return Err("a name starting with `#` denotes a temporary object".into());
    }
    if name.starts_with('@') {
        return Err("a name starting with `@` denotes a variable".into());
    }
    if name.trim() != name {
        return Err("the name starts or ends with whitespace".into());
    }
    Ok(())
}

/// Checks a parameter name without its `@`. T-SQL parameters cannot be
/// bracket-quoted, so they must be regular identifiers.
pub fn check_parameter_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err("the name is empty".into());
    };
    if !(first.is_alphabetic() || first == '_') {
        return Err(format!("`{first}` cannot start a parameter name"));
    }
    if let Some(c) = chars.find(|c| !(c.is_alphanumeric() || matches!(c, '_' | '@' | '#' | '$'))) {
        return Err(format!(
            "`{c}` cannot appear in a parameter name (T-SQL parameters are regular identifiers)"
        ));
    }
    if name.encode_utf16().count() + 1 > MAX_IDENTIFIER_LEN {
        return Err(format!(
            "with its `@` the name exceeds {MAX_IDENTIFIER_LEN} characters"
        ));
    }
    Ok(())
}

/// `input_token_count` → `inputTokenCount`, the usual T-SQL parameter style.
pub fn lower_camel(rust: &str) -> String {
    let pascal = pascal_case(rust);
    let mut chars = pascal.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `canonical_text` → `CanonicalText`, the usual column style.
/// `SearchHit` → `search_hit`: a Rust type name as a field name.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn pascal_case(rust: &str) -> String {
    let rust = rust.strip_prefix("r#").unwrap_or(rust);
    let mut out = String::with_capacity(rust.len());
    for part in rust.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() {
        rust.to_string()
    } else {
        out
    }
}

/// Strips the raw-identifier prefix from a Rust identifier.
pub fn unraw(rust: &str) -> &str {
    rust.strip_prefix("r#").unwrap_or(rust)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_spellings() {
        assert_eq!(lower_camel("input_token_count"), "inputTokenCount");
        assert_eq!(lower_camel("requires_multi_modal"), "requiresMultiModal");
        assert_eq!(lower_camel("x"), "x");
        assert_eq!(pascal_case("confidence"), "Confidence");
        assert_eq!(pascal_case("r#type"), "Type");
        assert_eq!(pascal_case("_private"), "Private");
    }

    #[test]
    fn object_names() {
        assert!(check_object_name("fn_CosineSimilarity").is_ok());
        assert!(check_object_name("odd ]name with spaces").is_ok());
        assert!(check_object_name("Ähnlichkeit").is_ok());
        assert!(check_object_name("").is_err());
        assert!(check_object_name("#temp").is_err());
        assert!(check_object_name("tab\there").is_err());
        assert!(check_object_name(&"x".repeat(129)).is_err());
        assert!(check_object_name(&"x".repeat(128)).is_ok());
    }

    #[test]
    fn parameter_names() {
        assert!(check_parameter_name("inputTokenCount").is_ok());
        assert!(check_parameter_name("has space").is_err());
        assert!(check_parameter_name("1st").is_err());
        assert!(check_parameter_name("").is_err());
    }
}
