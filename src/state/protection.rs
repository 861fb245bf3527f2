//! Protected snapshots: what the panel refuses to do to them. Pure.

use crate::model::{Account, Operation};

/// Why `op` may not run on snapshot `key` (named `name`) of `server`, if
/// the snapshot is protected: a delete or a recreate would lose what it
/// holds.
pub fn refusal(
    account: &Account,
    server: &str,
    key: &str,
    name: &str,
    op: &Operation,
) -> Option<String> {
    let destroys = matches!(op, Operation::Delete { .. } | Operation::Recreate { .. });
    (destroys && account.is_protected(server, key)).then(|| {
        crate::i18n::fill(
            crate::i18n::t().refuse_protected().inner(),
            &[("name", &name)],
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Credentials, ProviderKind};

    #[test]
    fn protected_snapshots_refuse_delete_and_recreate_only() {
        let mut account = Account {
            provider: ProviderKind::Ilkbyte,
            label: "a".into(),
            base_url: String::new(),
            credentials: Credentials::Missing,
            proxy: String::new(),
            protected: Vec::new(),
        };
        account.set_protected("web01", "base", true);
        let delete = Operation::Delete {
            snapshot: "base".into(),
        };
        let recreate = Operation::Recreate {
            snapshot: "base".into(),
        };
        let back = Operation::GoBack {
            snapshot: "base".into(),
        };
        assert!(refusal(&account, "web01", "base", "base", &delete).is_some());
        assert!(refusal(&account, "web01", "base", "base", &recreate).is_some());
        assert!(refusal(&account, "web01", "base", "base", &back).is_none());
        // Per server: the same name elsewhere is not protected.
        assert!(refusal(&account, "db01", "base", "base", &delete).is_none());
        // A server whose name starts like another's does not match it.
        assert!(!account.is_protected("web0", "1/base"));
        account.set_protected("web01", "base", false);
        assert!(refusal(&account, "web01", "base", "base", &delete).is_none());
        assert!(account.protected.is_empty());
    }
}
