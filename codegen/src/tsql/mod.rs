//! Reading T-SQL bodies: a tolerant tokenizer and what a body refers to,
//! for the rules that check bodies against the model.

pub mod references;
pub mod result_set;
pub mod scanner;

/// The body's first word, past comments and blank space.
pub fn first_word(text: &str) -> String {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    rest.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_ascii_uppercase()
}
