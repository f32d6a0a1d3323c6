//! Normalisers for the values lists hold besides names. Each turns what a person typed
//! into the one form that is compared, or says in words why it cannot be one.

pub mod country;
pub mod email;
pub mod geo;
pub mod id_number;
pub mod ip;
pub mod phone;

/// Shorten caller input quoted back in an error.
pub(crate) fn quote(input: &str) -> String {
    let mut text: String = input.chars().take(40).collect();
    if input.chars().count() > 40 {
        text.push('…');
    }
    text
}
