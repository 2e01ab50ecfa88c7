use runtime::prelude::*;

#[sql_sequence(type = "NVARCHAR(10)", increment = 0, min = 10, max = 5)]
pub struct BadSequence;

#[sql_sequence]
pub struct SequenceWithFields {
    pub value: i64,
}

#[sql_message_type(validation = "json")]
pub struct BadMessage;

#[sql_contract(name = "//Empty")]
pub struct EmptyContract;

#[sql_queue(max_readers = 2, contracts = "//Empty")]
pub struct BadQueue;

#[sql_role(grant = "FLY ON dbo.Atom", grant = "SELECT dbo.Atom", deny = "SELECT ON CERTIFICATE::c")]
pub struct BadRole;

fn main() {}
