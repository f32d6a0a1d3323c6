//! A tag request (`add-tag`, `remove-tag`, `set-tags`) on an object whose tags are a
//! plain list (reports, inquiries, cases).

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagChange {
    Add(String),
    Remove(String),
    Set(Vec<String>),
}

impl TagChange {
    /// Apply to `tags`; whether they changed.
    pub fn apply(self, tags: &mut Vec<String>) -> bool {
        let before = tags.clone();
        match self {
            TagChange::Add(tag) => {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            TagChange::Remove(tag) => tags.retain(|t| *t != tag),
            TagChange::Set(all) => *tags = all,
        }
        *tags != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_that_changes_nothing_says_so() {
        let mut tags = vec!["a".to_string()];
        assert!(!TagChange::Add("a".into()).apply(&mut tags));
        assert!(TagChange::Add("b".into()).apply(&mut tags));
        assert!(!TagChange::Remove("c".into()).apply(&mut tags));
        assert!(TagChange::Remove("a".into()).apply(&mut tags));
        assert!(!TagChange::Set(vec!["b".into()]).apply(&mut tags));
        assert_eq!(tags, vec!["b"]);
    }
}
