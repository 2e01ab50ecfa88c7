//! The OODA loop's Service Broker plumbing: observations flow to analysis,
//! hypotheses and actions through one queue per stage, each queue activating
//! the T-SQL procedure that passes its messages on (sp_Analyze,
//! sp_Hypothesize, sp_Act) and, last, sp_Learn, which takes the actions and
//! ends their dialogs.

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

/// Actions taken, waiting to be learned from.
#[sql_queue(
    activation = "dbo.sp_Learn",
    service = "//Hartonomous/Ooda/ActService",
    contracts = "//Hartonomous/Ooda/Contract"
)]
pub struct ActQueue;

/// Activation of ObserveQueue: passes each observation on to analysis.
#[sql_procedure(name = "sp_Analyze", file = "sp_Analyze.sql")]
pub fn analyze();

/// Activation of AnalyzeQueue: passes each analysis on to hypothesis.
#[sql_procedure(name = "sp_Hypothesize", file = "sp_Hypothesize.sql")]
pub fn hypothesize();

/// Activation of HypothesizeQueue: passes each hypothesis on to action.
#[sql_procedure(name = "sp_Act", file = "sp_Act.sql")]
pub fn act();

/// Activation of ActQueue: takes each action and ends its dialog.
#[sql_procedure(name = "sp_Learn", file = "sp_Learn.sql")]
pub fn learn();
