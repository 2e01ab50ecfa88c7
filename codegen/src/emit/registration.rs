//! The script that installs the built CLR assembly: trust its SHA2_512 with
//! `sys.sp_add_trusted_assembly`, create or replace the assembly, then create
//! every routine bound to it. It depends on the assembly's bits, so it is
//! written by `codegen register` after the C# is built, not into generated/.

use super::GeneratedFile;
use super::sql::EmitOptions;
use minijinja::Environment;
use serde::Serialize;
use sha2::{Digest, Sha512};
use std::fmt::Write;
use std::sync::OnceLock;

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.add_filter("ident", |s: String| crate::quote_sql::identifier(&s));
        env.add_filter("literal", |s: String| crate::quote_sql::string_literal(&s));
        env.add_template(
            "registration.sql",
            include_str!("templates/registration.sql.j2"),
        )
        .expect("registration template parses");
        env
    })
}

/// `0x` followed by uppercase hex: a T-SQL binary literal.
pub fn binary_literal(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("0x");
    for b in bytes {
        write!(out, "{b:02X}").expect("writing to a String");
    }
    out
}

#[derive(Serialize)]
struct ObjectView {
    kind: String,
    title: String,
    statement: String,
}

/// How SQL Server is told to trust the assembly (`clr strict security` on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// `sys.sp_add_trusted_assembly` with the bits' SHA2_512 (the default).
    /// With `untrust_previous`, replacing the assembly also removes the
    /// replaced bits' hash from the server's trusted list; otherwise it
    /// stays, since another database on the server may hold the same bits.
    Hash { untrust_previous: bool },
    /// The assembly is signed with a certificate whose public part (DER) is
    /// given: it is created in master with a login granted UNSAFE ASSEMBLY.
    Certificate { name: String, der: Vec<u8> },
}

/// The T-SQL, run in master, that creates the certificate, its login and the
/// grant, each only if missing; a different certificate under the same name
/// is an error rather than silently trusted.
pub fn certificate_setup(name: &str, der: &[u8]) -> String {
    use crate::quote_sql::{identifier, string_literal};
    let login = format!("{name}_Login");
    let cert = binary_literal(der);
    format!(
        "IF EXISTS (SELECT 1 FROM sys.certificates WHERE name = {name_lit} AND CERTENCODED(certificate_id) <> {cert})\n    THROW 51000, {mismatch}, 1;\n\
         IF NOT EXISTS (SELECT 1 FROM sys.certificates WHERE name = {name_lit})\n    CREATE CERTIFICATE {name_id} FROM BINARY = {cert};\n\
         IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = {login_lit})\n    CREATE LOGIN {login_id} FROM CERTIFICATE {name_id};\n\
         GRANT UNSAFE ASSEMBLY TO {login_id};",
        name_lit = string_literal(name),
        name_id = identifier(name),
        login_lit = string_literal(&login),
        login_id = identifier(&login),
        mismatch = string_literal(&format!(
            "certificate {name} exists in master with other contents"
        )),
    )
}

/// The registration script for `assembly_bits`, given the SQL files codegen
/// emitted (their manifest order is the creation order).
pub fn emit_registration(
    sql_files: &[GeneratedFile],
    options: &EmitOptions,
    assembly_bits: &[u8],
    trust: &Trust,
) -> Result<String, minijinja::Error> {
    let manifest = sql_files
        .iter()
        .find(|f| f.path == "sql/manifest.json")
        .map(|f| f.contents.as_str())
        .unwrap_or("{}");
    let parsed: serde_json::Value = serde_json::from_str(manifest).unwrap_or_default();
    let mut objects = Vec::new();
    for entry in parsed["objects"].as_array().into_iter().flatten() {
        let (Some(file), Some(kind)) = (entry["file"].as_str(), entry["kind"].as_str()) else {
            continue;
        };
        // Only what binds to the assembly (and the schemas and companions
        // around it): tables and security policies are the deployment's
        // business (planned changes, data kept), not something to re-create
        // when the assembly changes.
        if !matches!(
            kind,
            "schema"
                | "aggregate"
                | "scalar function"
                | "table-valued function"
                | "procedure"
                | "vector companion"
                | "spatial helper"
                | "spatial companion"
        ) {
            continue;
        }
        let Some(sql) = sql_files.iter().find(|f| f.path == file) else {
            continue;
        };
        objects.push(ObjectView {
            kind: kind.to_string(),
            title: crate::quote_sql::comment_text(&format!(
                "{}.{}",
                entry["schema"].as_str().unwrap_or(""),
                entry["name"].as_str().unwrap_or("")
            )),
            statement: sql.contents.clone(),
        });
    }
    let hash = Sha512::digest(assembly_bits);
    let text = environment()
        .get_template("registration.sql")?
        .render(minijinja::context! {
            assembly => options.assembly.clone(),
            description => format!("{} (registered by codegen)", options.assembly),
            hash => binary_literal(&hash),
            size => assembly_bits.len(),
            bits => binary_literal(assembly_bits),
            certificate => match trust {
                Trust::Certificate { name, .. } => Some(name.clone()),
                Trust::Hash { .. } => None,
            },
            certificate_setup => match trust {
                Trust::Certificate { name, der } => Some(certificate_setup(name, der)),
                Trust::Hash { .. } => None,
            },
            untrust_previous => matches!(trust, Trust::Hash { untrust_previous: true }),
            objects,
        })?;
    Ok(super::finish(text))
}

#[cfg(test)]
mod tests {
    use super::binary_literal;

    #[test]
    fn binary_literals() {
        assert_eq!(binary_literal(&[]), "0x");
        assert_eq!(binary_literal(&[0, 0xab, 0x10]), "0x00AB10");
    }
}
