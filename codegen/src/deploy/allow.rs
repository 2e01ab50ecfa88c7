//! Which risky changes the user allows: `target:kind` entries, from the
//! command line or the project's settings.

use super::{ChangeId, Risk};
use std::collections::BTreeSet;
use std::fmt;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowances {
    allowed: BTreeSet<(String, Risk)>,
    /// `--drop-extra`: objects the source lacks are dropped, not just
    /// reported (those holding data only when allowed by name too).
    drop_extra: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowError {
    pub entry: String,
    pub reason: String,
}

impl fmt::Display for AllowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot read the allowance `{}`: {}; write it as `schema.table[.column]:kind` (or `//broker/name:kind`) with kind one of {}",
            self.entry,
            self.reason,
            Risk::ALL.map(Risk::as_str).join(", ")
        )
    }
}

impl std::error::Error for AllowError {}

impl Allowances {
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads `dbo.Atom.Name:narrow`-style entries.
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Self, AllowError> {
        let mut allowed = BTreeSet::new();
        for entry in entries {
            let error = |reason: &str| AllowError {
                entry: entry.to_string(),
                reason: reason.to_string(),
            };
            let (target, kind) = entry
                .trim()
                .rsplit_once(':')
                .ok_or_else(|| error("no `:kind`"))?;
            let risk = Risk::ALL
                .into_iter()
                .find(|r| r.as_str() == kind)
                .ok_or_else(|| error(&format!("`{kind}` is not a kind of change")))?;
            // Service Broker names are URIs (`//Shop/OrderContract`), taken
            // whole; every other target is `schema.name[.column]`.
            let parts = target.split('.').count();
            let broker = target.starts_with("//");
            if !broker && (!(2..=3).contains(&parts) || target.split('.').any(str::is_empty)) {
                return Err(error(
                    "the target is not `schema.table`, `schema.table.column` or a Service Broker name (`//...`)",
                ));
            }
            allowed.insert((target.to_lowercase(), risk));
        }
        Ok(Allowances {
            allowed,
            drop_extra: false,
        })
    }

    /// The same, and objects the source lacks dropped.
    pub fn with_extra_drops(self) -> Self {
        Allowances {
            drop_extra: true,
            ..self
        }
    }

    pub fn drops_extra(&self) -> bool {
        self.drop_extra
    }

    /// Whether this change is allowed (names compared as SQL Server does).
    pub fn allows(&self, change: &ChangeId) -> bool {
        self.allowed
            .contains(&(change.target.to_lowercase(), change.risk))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_read_and_matched_case_blind() {
        let allow = Allowances::parse(["dbo.Atom.Name:narrow", " dbo.Old:drop "]).unwrap();
        assert!(allow.allows(&ChangeId {
            target: "DBO.atom.name".into(),
            risk: Risk::Narrow
        }));
        assert!(!allow.allows(&ChangeId {
            target: "dbo.Atom.Name".into(),
            risk: Risk::Drop
        }));
        assert!(allow.allows(&ChangeId {
            target: "dbo.Old".into(),
            risk: Risk::Drop
        }));
    }

    #[test]
    fn bad_entries_name_the_entry_and_the_form() {
        let e = Allowances::parse(["dbo.Atom.Name"]).unwrap_err();
        assert!(e.to_string().contains("`dbo.Atom.Name`"), "{e}");
        assert!(e.to_string().contains("schema.table[.column]:kind"), "{e}");
        let e = Allowances::parse(["dbo.Atom:shrink"]).unwrap_err();
        assert!(e.to_string().contains("`shrink` is not a kind"), "{e}");
        assert!(e.to_string().contains("narrow"), "{e}");
        assert!(Allowances::parse(["Atom:drop"]).is_err());
        let broker = Allowances::parse(["//Shop/Order.v2:drop"]).unwrap();
        assert!(broker.allows(&ChangeId {
            target: "//shop/order.V2".into(),
            risk: Risk::Drop
        }));
        assert!(Allowances::parse(["dbo..x:drop"]).is_err());
    }
}
