//! Project-wide settings, read from the annotated crate's `Cargo.toml`:
//!
//! ```toml
//! [package.metadata.hartonomous]
//! tenant_column = "TenantId"   # every table is tenant-scoped unless it says `tenant = false`
//!
//! [package.metadata.hartonomous.deploy]
//! pre = ["deploy/pre/disable_jobs.sql"]     # run before the schema changes
//! post = ["deploy/post/seed_regions.sql"]   # run after them, in this order
//! allow = ["dbo.Customer.Legacy:drop"]      # changes that may lose data, allowed
//!
//! [package.metadata.hartonomous.deploy.environments.local]
//! post = ["deploy/post/dev_seed.sql"]       # after the base's post steps, here only
//! allow = ["dbo.Scratch:drop"]              # added to the base's allowances
//! ```
//!
//! `codegen plan|deploy|drift --environment local` (or
//! `HARTONOMOUS_ENVIRONMENT=local`) applies an environment's additions.

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Model, Tenancy};
use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSettings {
    /// Tables that do not say otherwise are scoped by this column.
    #[serde(default)]
    pub tenant_column: Option<String>,
    #[serde(default)]
    pub deploy: DeploySettings,
}

/// T-SQL step files, relative to the crate's directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploySettings {
    #[serde(default)]
    pub pre: Vec<String>,
    #[serde(default)]
    pub post: Vec<String>,
    /// Risky changes allowed by the source, `schema.table[.column]:kind`.
    #[serde(default)]
    pub allow: Vec<String>,
    /// What each named environment adds.
    #[serde(default)]
    pub environments: std::collections::BTreeMap<String, EnvironmentSettings>,
}

/// One environment's additions to the deploy settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentSettings {
    #[serde(default)]
    pub pre: Vec<String>,
    #[serde(default)]
    pub post: Vec<String>,
    #[serde(default)]
    pub allow: Vec<String>,
}

#[derive(Deserialize)]
struct Manifest {
    package: Option<Package>,
}

#[derive(Deserialize)]
struct Package {
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    hartonomous: Option<ProjectSettings>,
}

/// The settings in `manifest_text` (a crate's Cargo.toml); defaults when it
/// has none, an error naming the file when they cannot be read.
pub fn read_settings(path: &str, manifest_text: &str) -> Result<ProjectSettings, Box<Diagnostic>> {
    let manifest: Manifest = toml::from_str(manifest_text).map_err(|e| {
        Box::new(
            Diagnostic::new(
                Code::SourceUnreadable,
                format!("cannot read {path}: {}", e.message()),
            )
            .with_help("[package.metadata.hartonomous] takes: tenant_column = \"<column>\", and a [package.metadata.hartonomous.deploy] table with pre = [\"<file.sql>\", ..] and post = [..]"),
        )
    })?;
    Ok(manifest
        .package
        .and_then(|p| p.metadata)
        .and_then(|m| m.hartonomous)
        .unwrap_or_default())
}

/// Resolves every table's `Tenancy::Inherit` with the project's setting.
pub fn apply_settings(model: &mut Model, settings: &ProjectSettings) {
    for table in &mut model.tables {
        if table.tenancy == Tenancy::Inherit {
            table.tenancy = match &settings.tenant_column {
                Some(column) => Tenancy::Column(column.clone()),
                None => Tenancy::Off,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_come_from_package_metadata() {
        let s = read_settings(
            "Cargo.toml",
            "[package]\nname = \"x\"\n[package.metadata.hartonomous]\ntenant_column = \"OrgId\"\n",
        )
        .unwrap();
        assert_eq!(s.tenant_column.as_deref(), Some("OrgId"));
        assert_eq!(
            read_settings("Cargo.toml", "[package]\nname = \"x\"\n").unwrap(),
            ProjectSettings::default()
        );
        let e = read_settings(
            "functions/Cargo.toml",
            "[package.metadata.hartonomous]\ntennant_column = \"x\"\n",
        )
        .unwrap_err();
        assert!(
            e.message.starts_with("cannot read functions/Cargo.toml"),
            "{}",
            e.message
        );
    }
}
