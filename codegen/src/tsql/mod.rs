//! Reading T-SQL bodies: a tolerant tokenizer and what a body refers to,
//! for the rules that check bodies against the model.

pub mod references;
pub mod result_set;
pub mod scanner;
