//! Account administration rules that hold whoever asks: the platform always keeps an admin,
//! and nobody changes their own role (an admin demoting themselves by mistake could not undo it).
use crate::api::Role;

#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    OwnRole,
    LastAdmin,
    /// The actor was demoted or deactivated by a change that committed first.
    NoLongerAdmin,
}

impl From<Refusal> for super::DomainError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::OwnRole => Self::forbidden("You cannot change your own role."),
            Refusal::LastAdmin => {
                Self::conflict("This is the platform's last admin; make another user admin first.")
            }
            Refusal::NoLongerAdmin => Self::conflict(
                "You are no longer an admin: a concurrent change took the role away first.",
            ),
        }
    }
}

/// Whether admin `actor` may set `target`'s role from `current` to `new`, given the admins
/// there are (read under a lock, so two concurrent demotions cannot both see another admin,
/// and an admin demoted a moment ago cannot act as one).
pub fn role_change(
    actor: i32,
    target: i32,
    current: Role,
    new: Role,
    admins: &[i32],
) -> Result<(), Refusal> {
    if actor == target {
        return Err(Refusal::OwnRole);
    }
    if !admins.contains(&actor) {
        return Err(Refusal::NoLongerAdmin);
    }
    if current == Role::Admin && new != Role::Admin && is_last_admin(target, admins) {
        return Err(Refusal::LastAdmin);
    }
    Ok(())
}

/// Whether `target` may be deactivated, given the admins there are.
pub fn deactivation(target: i32, admins: &[i32]) -> Result<(), Refusal> {
    if is_last_admin(target, admins) {
        return Err(Refusal::LastAdmin);
    }
    Ok(())
}

fn is_last_admin(target: i32, admins: &[i32]) -> bool {
    admins == [target]
}

/// What a deactivated account's name and email become: unique, and an address that can never
/// receive mail (`.invalid` is reserved), so neither can be used to sign in or be re-registered
/// by accident.
pub fn anonymised(user_id: i32) -> (String, String) {
    (
        format!("Anonymized {user_id}"),
        format!("deactivated-{user_id}@users.invalid"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    #[test]
    fn role_changes() {
        let cases = [
            // (actor, target, current, new, admins, outcome)
            (1, 1, Admin, User, vec![1, 2], Err(Refusal::OwnRole)),
            (1, 1, User, Admin, vec![2], Err(Refusal::OwnRole)),
            (1, 2, Admin, User, vec![1, 2], Ok(())),
            (1, 2, Admin, Tester, vec![2], Err(Refusal::NoLongerAdmin)),
            (1, 2, User, Admin, vec![2], Err(Refusal::NoLongerAdmin)),
            (1, 2, Admin, Admin, vec![1, 2], Ok(())),
            (1, 2, User, Contributor, vec![1], Ok(())),
            (1, 2, Tester, Admin, vec![1], Ok(())),
        ];
        for (actor, target, current, new, admins, outcome) in cases {
            assert_eq!(
                role_change(actor, target, current, new, &admins),
                outcome,
                "{actor} sets {target} {current:?} -> {new:?} with admins {admins:?}"
            );
        }
    }

    #[test]
    fn deactivations() {
        let cases = [
            (2, vec![2], Err(Refusal::LastAdmin)),
            (2, vec![1, 2], Ok(())),
            (3, vec![1], Ok(())),
            (3, vec![], Ok(())),
        ];
        for (target, admins, outcome) in cases {
            assert_eq!(
                deactivation(target, &admins),
                outcome,
                "{target} {admins:?}"
            );
        }
    }

    #[test]
    fn anonymised_values_are_unique_per_user() {
        assert_ne!(anonymised(1), anonymised(2));
        assert!(anonymised(7).1.ends_with(".invalid"));
        assert!(anonymised(i32::MAX).0.len() <= 50, "fits user.name");
    }
}
