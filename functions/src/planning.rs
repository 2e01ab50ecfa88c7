//! Inference planning: how complex a request is, which service level it gets,
//! and what a model can do, guessed from its name.

use runtime::prelude::*;

/// Complexity score from 1 to 10 of an inference request: 1, plus 1/2/3/4
/// above 1000/2000/4000/8000 input tokens, plus 2 for multi-modal input, plus
/// 2 for tool use. A NULL token count gives NULL; NULL flags count as false.
#[sql_function(name = "fn_CalculateComplexity", deterministic, precise)]
pub fn calculate_complexity(
    input_token_count: Option<i32>,
    requires_multi_modal: Option<bool>,
    requires_tool_use: Option<bool>,
) -> Option<i32> {
    let tokens = input_token_count?;
    let size = match tokens {
        t if t > 8000 => 4,
        t if t > 4000 => 3,
        t if t > 2000 => 2,
        t if t > 1000 => 1,
        _ => 0,
    };
    let modal = if requires_multi_modal.unwrap_or(false) {
        2
    } else {
        0
    };
    let tools = if requires_tool_use.unwrap_or(false) {
        2
    } else {
        0
    };
    Some((1 + size + modal + tools).min(10))
}

/// Service level for a priority and complexity: `realtime` for critical, or
/// high with complexity up to 3; `expedited` for high, or medium with
/// complexity up to 5; `standard` otherwise. Priority is case-insensitive and
/// compared without surrounding spaces, as SQL Server compares strings.
#[sql_function(
    name = "fn_DetermineSla",
    deterministic,
    precise,
    returns = "NVARCHAR(20)"
)]
pub fn determine_sla(
    #[sql(type = "NVARCHAR(20)")] priority: &str,
    complexity: i32,
) -> &'static str {
    let priority = priority.trim().to_lowercase();
    match priority.as_str() {
        "critical" => "realtime",
        "high" if complexity <= 3 => "realtime",
        "high" => "expedited",
        "medium" if complexity <= 5 => "expedited",
        _ => "standard",
    }
}

/// One capability of a model, with how sure the guess is.
#[derive(Debug, Clone, PartialEq, SqlRow)]
pub struct Capability {
    #[sql(type = "NVARCHAR(100)")]
    pub capability: String,
    pub confidence: f64,
}

/// Name fragments and what they suggest, most specific first.
const NAME_HINTS: &[(&str, &[(&str, f64)])] = &[
    (
        "whisper",
        &[("speech-recognition", 0.95), ("transcription", 0.9)],
    ),
    ("clip", &[("image-text-embedding", 0.9), ("vision", 0.8)]),
    ("embed", &[("embedding", 0.95)]),
    ("vision", &[("vision", 0.9)]),
    ("-vl", &[("vision", 0.85)]),
    ("code", &[("code-generation", 0.9)]),
    ("gpt", &[("text-generation", 0.95), ("chat", 0.9)]),
    ("llama", &[("text-generation", 0.9), ("chat", 0.85)]),
    ("mistral", &[("text-generation", 0.9), ("chat", 0.85)]),
    ("instruct", &[("chat", 0.8)]),
    ("diffusion", &[("image-generation", 0.9)]),
    ("dall-e", &[("image-generation", 0.95)]),
];

/// Capabilities guessed from a model's name, one row each, most confident
/// first. An unrecognised name gives no rows.
#[sql_function(name = "fn_ParseModelCapabilities", deterministic)]
pub fn parse_model_capabilities(
    #[sql(type = "NVARCHAR(256)")] model_name: &str,
) -> Vec<Capability> {
    let name = model_name.to_lowercase();
    let mut found: Vec<Capability> = Vec::new();
    for (fragment, capabilities) in NAME_HINTS {
        if !name.contains(fragment) {
            continue;
        }
        for (capability, confidence) in *capabilities {
            match found.iter_mut().find(|c| c.capability == *capability) {
                Some(existing) => existing.confidence = existing.confidence.max(*confidence),
                None => found.push(Capability {
                    capability: capability.to_string(),
                    confidence: *confidence,
                }),
            }
        }
    }
    found.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| a.capability.cmp(&b.capability))
    });
    found
}

/// Plans an inference request: sends the model's capabilities as a result
/// set and sets the request's complexity and service level. Multi-modal input
/// is assumed when the model has a vision capability.
#[sql_procedure(name = "sp_PlanInference")]
pub fn plan_inference(
    #[sql(type = "NVARCHAR(256)")] model_name: &str,
    input_token_count: Option<i32>,
    requires_tool_use: Option<bool>,
    #[sql(type = "NVARCHAR(20)")] priority: Option<&str>,
    complexity: &mut Option<i32>,
    #[sql(type = "NVARCHAR(20)")] sla: &mut Option<String>,
) -> Vec<Capability> {
    let capabilities = parse_model_capabilities(model_name);
    let multi_modal = capabilities.iter().any(|c| c.capability.contains("vision"));
    *complexity = calculate_complexity(input_token_count, Some(multi_modal), requires_tool_use);
    *sla = match (priority, *complexity) {
        (Some(p), Some(c)) => Some(determine_sla(p, c).to_string()),
        _ => None,
    };
    capabilities
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complexity_tiers() {
        let c = |t, m, u| calculate_complexity(Some(t), Some(m), Some(u));
        assert_eq!(c(0, false, false), Some(1));
        assert_eq!(c(1000, false, false), Some(1));
        assert_eq!(c(1001, false, false), Some(2));
        assert_eq!(c(2001, false, false), Some(3));
        assert_eq!(c(4001, false, false), Some(4));
        assert_eq!(c(8001, false, false), Some(5));
        assert_eq!(c(8001, true, false), Some(7));
        assert_eq!(c(8001, true, true), Some(9));
        assert_eq!(c(i32::MAX, true, true), Some(9));
        assert_eq!(c(-5, false, true), Some(3));
    }

    #[test]
    fn complexity_nulls() {
        assert_eq!(calculate_complexity(None, Some(true), Some(true)), None);
        assert_eq!(calculate_complexity(Some(5000), None, None), Some(4));
        assert_eq!(calculate_complexity(Some(5000), None, Some(true)), Some(6));
    }

    #[test]
    fn sla_rules() {
        assert_eq!(determine_sla("critical", 10), "realtime");
        assert_eq!(determine_sla("CRITICAL", 1), "realtime");
        assert_eq!(determine_sla("High", 3), "realtime");
        assert_eq!(determine_sla("high", 4), "expedited");
        assert_eq!(determine_sla("medium", 5), "expedited");
        assert_eq!(determine_sla("Medium", 6), "standard");
        assert_eq!(determine_sla("low", 1), "standard");
        assert_eq!(determine_sla("", 1), "standard");
        assert_eq!(determine_sla("high  ", 2), "realtime");
    }

    #[test]
    fn capabilities_from_names() {
        let names = |m: &str| -> Vec<String> {
            parse_model_capabilities(m)
                .into_iter()
                .map(|c| c.capability)
                .collect()
        };
        assert_eq!(names("gpt-4o"), ["text-generation", "chat"]);
        assert_eq!(
            names("openai/whisper-large-v3"),
            ["speech-recognition", "transcription"]
        );
        assert_eq!(names("text-embedding-3-large"), ["embedding"]);
        assert_eq!(
            names("CodeLlama-34B-Instruct"),
            ["code-generation", "text-generation", "chat"]
        );
        assert_eq!(
            names("openai/clip-vit-base"),
            ["image-text-embedding", "vision"]
        );
        assert_eq!(
            names("llama-3.2-vision"),
            ["text-generation", "vision", "chat"]
        );
        assert!(names("resnet50").is_empty());
        assert!(names("").is_empty());
    }

    #[test]
    fn plan_sets_outputs_and_returns_rows() {
        let mut complexity = Some(99);
        let mut sla = None;
        let rows = plan_inference(
            "llama-3.2-vision",
            Some(3000),
            Some(false),
            Some("high"),
            &mut complexity,
            &mut sla,
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(complexity, Some(5));
        assert_eq!(sla.as_deref(), Some("expedited"));

        let rows = plan_inference(
            "unknown",
            None,
            None,
            Some("high"),
            &mut complexity,
            &mut sla,
        );
        assert!(rows.is_empty());
        assert_eq!(complexity, None);
        assert_eq!(sla, None);
    }
}
