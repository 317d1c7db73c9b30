//! The original page's contract (`examples/nextjs/contract/options-trader.schema.json`) checked
//! against scan documents: a small JSON Schema checker for the keywords that file uses
//! (`type`, `enum`, `required`, `properties`, `items`, `allOf`, `anyOf`, `$ref` into `$defs`,
//! `minimum`, `maximum`, `exclusiveMinimum`, `format` date/date-time), plus the unit checks a
//! schema cannot say (an allocation is capital at risk over the portfolio).
#![allow(dead_code)]

use std::path::Path;

use serde_json::Value;

/// The schema file, parsed.
pub fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/nextjs/contract/options-trader.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("the contract schema is JSON")
}

/// Every violation of `def` (a name under `$defs`) by `doc`, as `path: problem` lines.
pub fn violations(root: &Value, def: &str, doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(
        root,
        &Value::String(format!("#/$defs/{def}")),
        doc,
        "$",
        &mut out,
    );
    out
}

fn resolve<'a>(root: &'a Value, reference: &str) -> &'a Value {
    let name = reference
        .strip_prefix("#/$defs/")
        .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
    &root["$defs"][name]
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.as_f64().is_some_and(f64::is_finite),
        "integer" => v.is_i64() || v.is_u64(),
        other => panic!("unsupported type {other}"),
    }
}

fn check(root: &Value, s: &Value, v: &Value, path: &str, out: &mut Vec<String>) {
    if let Value::String(reference) = s {
        return check(root, resolve(root, reference), v, path, out);
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        check(root, resolve(root, r), v, path, out);
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check(root, sub, v, path, out);
        }
    }
    if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
        let tries: Vec<Vec<String>> = any
            .iter()
            .map(|sub| {
                let mut o = Vec::new();
                check(root, sub, v, path, &mut o);
                o
            })
            .collect();
        if tries.iter().all(|o| !o.is_empty()) {
            out.push(format!("{path}: matches none of anyOf:"));
            out.extend(tries.into_iter().flatten());
        }
    }
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => panic!("bad type keyword at {path}"),
        };
        if !types.iter().any(|t| type_ok(t, v)) {
            out.push(format!("{path}: expected {types:?}, got {v}"));
            return;
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            out.push(format!("{path}: {v} not in {e:?}"));
        }
    }
    if let Some(x) = v.as_f64() {
        let bound = |k: &str| s.get(k).and_then(Value::as_f64);
        if bound("minimum").is_some_and(|m| x < m)
            || bound("maximum").is_some_and(|m| x > m)
            || bound("exclusiveMinimum").is_some_and(|m| x <= m)
        {
            out.push(format!("{path}: {x} outside the range of {s}"));
        }
    }
    if let (Some(f), Some(text)) = (s.get("format").and_then(Value::as_str), v.as_str()) {
        let ok = match f {
            "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
            "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            _ => true,
        };
        if !ok {
            out.push(format!("{path}: {text:?} is not a {f}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for k in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let k = k.as_str().expect("required names are strings");
            if !obj.contains_key(k) {
                out.push(format!("{path}.{k}: missing"));
            }
        }
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (k, sub) in props {
                if let Some(x) = obj.get(k) {
                    check(root, sub, x, &format!("{path}.{k}"), out);
                }
            }
        }
    }
    if let (Some(items), Some(a)) = (s.get("items"), v.as_array()) {
        for (i, x) in a.iter().enumerate() {
            check(root, items, x, &format!("{path}[{i}]"), out);
        }
    }
}

/// Unit checks beyond the schema: every allocation example is capital at risk over the
/// portfolio (a fraction, not a percent).
pub fn unit_violations(opportunity: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let examples = opportunity["positionSizing"]["capitalAllocationExamples"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (i, e) in examples.iter().enumerate() {
        let (a, c, p) = (
            e["allocationPercent"].as_f64().unwrap_or(f64::NAN),
            e["capitalAtRisk"].as_f64().unwrap_or(f64::NAN),
            e["portfolio"].as_f64().unwrap_or(f64::NAN),
        );
        let close = (a - c / p).abs() <= 1e-4; // false for NaN too
        if !close {
            out.push(format!(
                "capitalAllocationExamples[{i}]: allocationPercent {a} is not capitalAtRisk/portfolio {}",
                c / p
            ));
        }
    }
    out
}

/// Check every opportunity and the engine's metadata of a scan document; panics with every
/// violation found (at most 40 shown).
pub fn assert_scan_satisfies(label: &str, doc: &Value) {
    let root = schema();
    let mut all = violations(&root, "scanMetadata", &doc["metadata"]);
    let opportunities = doc["opportunities"].as_array().expect("opportunities");
    for (i, o) in opportunities.iter().enumerate() {
        for v in violations(&root, "opportunity", o)
            .into_iter()
            .chain(unit_violations(o))
        {
            all.push(format!("opportunities[{i}] {v}"));
        }
    }
    assert!(
        all.is_empty(),
        "{label}: {} contract violations:\n{}",
        all.len(),
        all.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}
