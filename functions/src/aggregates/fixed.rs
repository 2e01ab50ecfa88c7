//! Arguments that one group must pass the same on every row (`@k`, an SRID,
//! a reference sequence): the first row or merged state fixes the value,
//! and any other value is an error naming both.

/// Fixes `slot` to `value` on first use; afterwards `value` must be `same`
/// as the fixed one, or the error is `conflict(fixed)` and the slot is
/// left as it was.
pub(super) fn fix_once<T: ?Sized + ToOwned>(
    slot: &mut Option<T::Owned>,
    value: &T,
    same: impl Fn(&T::Owned, &T) -> bool,
    conflict: impl FnOnce(&T::Owned) -> String,
) -> Result<(), String> {
    match slot {
        Some(fixed) if !same(fixed, value) => Err(conflict(fixed)),
        Some(_) => Ok(()),
        None => {
            *slot = Some(value.to_owned());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fix_once;

    #[test]
    fn the_first_value_is_kept_and_others_refused() {
        let mut slot = None;
        let same = |a: &i32, b: &i32| a == b;
        let conflict = |old: &i32| format!("was {old}");
        assert_eq!(fix_once(&mut slot, &3, same, conflict), Ok(()));
        assert_eq!(fix_once(&mut slot, &3, same, conflict), Ok(()));
        assert_eq!(
            fix_once(&mut slot, &4, same, conflict),
            Err("was 3".to_string())
        );
        assert_eq!(slot, Some(3), "a refused value changes nothing");
    }
}
