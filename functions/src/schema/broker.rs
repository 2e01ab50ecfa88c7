//! The OODA loop's Service Broker plumbing: observations flow to analysis,
//! hypotheses and actions through one queue per stage. The stages' activation
//! procedures (sp_Analyze, sp_Hypothesize, sp_Act) are T-SQL and join when
//! T-SQL-bodied procedures can be declared; until then the queues are read
//! by the application.

use runtime::prelude::*;

/// Something observed, to be analyzed.
#[sql_message_type(
    name = "//Hartonomous/Ooda/Observation",
    validation = "well_formed_xml"
)]
pub struct ObservationMessage;

/// An analysis, to form hypotheses from.
#[sql_message_type(name = "//Hartonomous/Ooda/Analysis", validation = "well_formed_xml")]
pub struct AnalysisMessage;

/// A hypothesis, to act on.
#[sql_message_type(name = "//Hartonomous/Ooda/Hypothesis", validation = "well_formed_xml")]
pub struct HypothesisMessage;

/// An action taken, observed in turn.
#[sql_message_type(name = "//Hartonomous/Ooda/Action", validation = "well_formed_xml")]
pub struct ActionMessage;

/// The conversation between two stages: either side may send any stage's
/// message.
#[sql_contract(
    name = "//Hartonomous/Ooda/Contract",
    any = "//Hartonomous/Ooda/Observation, //Hartonomous/Ooda/Analysis, //Hartonomous/Ooda/Hypothesis, //Hartonomous/Ooda/Action"
)]
pub struct OodaContract;

/// Observations waiting to be analyzed.
#[sql_queue(
    service = "//Hartonomous/Ooda/ObserveService",
    contracts = "//Hartonomous/Ooda/Contract"
)]
pub struct ObserveQueue;

/// Analyses waiting for hypotheses.
#[sql_queue(
    service = "//Hartonomous/Ooda/AnalyzeService",
    contracts = "//Hartonomous/Ooda/Contract"
)]
pub struct AnalyzeQueue;

/// Hypotheses waiting to be acted on.
#[sql_queue(
    service = "//Hartonomous/Ooda/HypothesizeService",
    contracts = "//Hartonomous/Ooda/Contract"
)]
pub struct HypothesizeQueue;

/// Actions waiting to be observed.
#[sql_queue(
    service = "//Hartonomous/Ooda/ActService",
    contracts = "//Hartonomous/Ooda/Contract"
)]
pub struct ActQueue;
