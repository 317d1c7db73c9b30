//! [`ScanConfig`] from a document — a JSON or TOML file, a Python dict, a JS object — with
//! one set of rules for every host: keys in camelCase or snake_case, missing keys take the
//! core's defaults, unknown keys are an error naming the closest known key, and the result
//! is validated.

use serde_json::{Map, Value};

use super::ScanConfig;
use crate::{Error, Result};

impl ScanConfig {
    /// Parse a JSON document (see [`ScanConfig::from_value`]).
    ///
    /// ```
    /// use scanner_core::scan::ScanConfig;
    /// let c = ScanConfig::from_json(r#"{"max_results": 5, "gates": {"minScore": 50}}"#)?;
    /// assert_eq!((c.max_results, c.gates.min_score), (5, 50.0));
    /// let typo = ScanConfig::from_json(r#"{"maxResultz": 5}"#).unwrap_err();
    /// assert!(typo.message().contains("did you mean `maxResults`"), "{typo}");
    /// # Ok::<(), scanner_core::Error>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::invalid_input(format!("scan config is not JSON: {e}")))?;
        Self::from_value(value)
    }

    /// Build from a document already parsed into a JSON value: snake_case keys are read as
    /// their camelCase names, unknown keys fail with [`crate::ErrorKind::InvalidInput`]
    /// naming the closest known key, and the result is [validated](ScanConfig::validate).
    pub fn from_value(value: Value) -> Result<Self> {
        // Laid over the serialised defaults, so a nested group can be given in part
        // (`strictLiquidity = {minVolume = 50}`) even where the group has no one default.
        let mut value = camel_keys(value);
        if let Ok(defaults) = serde_json::to_value(ScanConfig::default()) {
            value = overlay(defaults, value);
        }
        let cfg: ScanConfig = serde_json::from_value(value).map_err(|e| {
            Error::invalid_input(format!("scan config: {}", with_suggestion(&e.to_string())))
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Every setting's camelCase path (`maxResults`, `gates.minScore`, …), read from the
    /// serialised defaults: what a binding must accept to expose the whole configuration.
    pub fn field_paths() -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(Value::Object(m)) = serde_json::to_value(ScanConfig::default()) {
            collect(&m, "", &mut out);
        }
        out
    }
}

fn collect(m: &Map<String, Value>, prefix: &str, out: &mut Vec<String>) {
    for (k, v) in m {
        let path = format!("{prefix}{k}");
        match v {
            Value::Object(inner) => collect(inner, &format!("{path}."), out),
            _ => out.push(path),
        }
    }
}

/// `top` laid over `base`: objects merge key by key, anything else replaces.
fn overlay(base: Value, top: Value) -> Value {
    match (base, top) {
        (Value::Object(mut b), Value::Object(t)) => {
            for (k, v) in t {
                let merged = match b.remove(&k) {
                    Some(old) => overlay(old, v),
                    None => v,
                };
                b.insert(k, merged);
            }
            Value::Object(b)
        }
        (_, top) => top,
    }
}

/// `max_results` → `maxResults`, recursively through objects.
fn camel_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (camel(&k), camel_keys(v)))
                .collect(),
        ),
        other => other,
    }
}

fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// serde says "unknown field `maxResultz`, expected one of `a`, `b`, …": add the closest.
fn with_suggestion(msg: &str) -> String {
    let Some(rest) = msg.strip_prefix("unknown field `") else {
        return msg.to_owned();
    };
    let Some((unknown, tail)) = rest.split_once('`') else {
        return msg.to_owned();
    };
    let known: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    let best = known
        .iter()
        .map(|k| (distance(&unknown.to_lowercase(), &k.to_lowercase()), *k))
        .min();
    match best {
        Some((d, k)) if d <= 3.max(unknown.len() / 3) => {
            format!(
                "unknown key `{unknown}` (did you mean `{k}`?); known keys: {}",
                known.join(", ")
            )
        }
        _ => format!("unknown key `{unknown}`; known keys: {}", known.join(", ")),
    }
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_fail_with_the_closest_known_one() {
        for (doc, hint) in [
            (r#"{"maxResultz": 5}"#, "maxResults"),
            (r#"{"gates": {"minScor": 5}}"#, "minScore"),
            (r#"{"strict_liquidity": {"min_volum": 5}}"#, "minVolume"),
        ] {
            let e = ScanConfig::from_json(doc).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
            assert!(
                e.message().contains(&format!("did you mean `{hint}`")),
                "{e}"
            );
        }
        let far = ScanConfig::from_json(r#"{"zzzzzzzzzzzz": 1}"#).unwrap_err();
        assert!(!far.message().contains("did you mean"), "{far}");
    }

    #[test]
    fn snake_and_camel_keys_read_the_same() {
        let a = ScanConfig::from_json(r#"{"max_results": 7, "risk_free_rate": 0.01}"#).unwrap();
        let b = ScanConfig::from_json(r#"{"maxResults": 7, "riskFreeRate": 0.01}"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.max_results, 7);
    }

    #[test]
    fn nested_groups_can_be_given_in_part() {
        let c = ScanConfig::from_json(r#"{"strict_liquidity": {"min_volume": 7}}"#).unwrap();
        let d = ScanConfig::default();
        assert_eq!(c.strict_liquidity.min_volume, 7);
        assert_eq!(c.strict_liquidity.min_price, d.strict_liquidity.min_price);
        assert_eq!(c.relaxed_liquidity, d.relaxed_liquidity);
    }

    #[test]
    fn documents_are_validated() {
        let e = ScanConfig::from_json(r#"{"fetchConcurrency": 18446744073709551615}"#).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert!(ScanConfig::from_json("[1]").is_err());
    }

    #[test]
    fn field_paths_cover_nested_settings() {
        let p = ScanConfig::field_paths();
        assert!(p.contains(&"maxResults".to_owned()));
        assert!(p.contains(&"gates.minScore".to_owned()));
        assert!(p.contains(&"strictLiquidity.minVolume".to_owned()));
        assert!(p.len() > 30, "{p:?}");
    }
}
