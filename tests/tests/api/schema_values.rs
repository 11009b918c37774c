//! Plausible values for the schemas of the OpenAPI document, for the tests that walk every
//! operation (the access walk and the boundary walk): a request whose every field is plausible
//! reaches the check under test instead of stopping at a missing field.

use serde_json::{Map, Value, json};

/// The committed OpenAPI document.
pub(crate) fn document() -> Value {
    serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json")).unwrap()).unwrap()
}

pub(crate) struct Schemas<'a> {
    pub doc: &'a Value,
}

impl Schemas<'_> {
    /// Follows `$ref`s and picks the non-null variant of `oneOf`/`anyOf`/`allOf` (how a nullable
    /// reference is written).
    pub fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let mut schema = schema;
        for _ in 0..10 {
            if let Some(reference) = schema["$ref"].as_str() {
                let name = reference.trim_start_matches("#/components/schemas/");
                schema = &self.doc["components"]["schemas"][name];
                continue;
            }
            let variants = schema["oneOf"].as_array().or_else(|| schema["anyOf"].as_array()).or_else(|| schema["allOf"].as_array());
            if let Some(first) = variants.and_then(|v| v.iter().find(|v| v["type"] != "null")) {
                schema = first;
                continue;
            }
            break;
        }
        schema
    }

    /// The JSON type of a resolved schema (`any` when it does not say).
    pub fn kind<'s>(&self, schema: &'s Value) -> &'s str {
        match &schema["type"] {
            Value::String(kind) => kind,
            Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).find(|k| *k != "null").unwrap_or("null"),
            _ if schema["properties"].is_object() => "object",
            _ => "any",
        }
    }

    /// A plausible valid value for a schema: its required fields filled, uuids from `uuid_for`
    /// given the field's name (`customer_id`), so that a write can name real records.
    pub fn sample(&self, schema: &Value, field: &str, depth: usize, uuid_for: &dyn Fn(&str) -> String) -> Value {
        let schema = self.resolve(schema);
        if let Some(first) = schema["enum"].as_array().and_then(|values| values.iter().find(|v| !v.is_null())) {
            return first.clone();
        }
        match self.kind(schema) {
            "string" => match schema["format"].as_str() {
                Some("uuid") => json!(uuid_for(field)),
                Some("date") => json!("2026-01-15"),
                Some("date-time") => json!("2026-01-15T08:00:00Z"),
                Some("email") => json!("walk@example.com"),
                _ => json!("walk"),
            },
            "integer" | "number" => json!(schema["minimum"].as_i64().unwrap_or(1).max(1)),
            "boolean" => json!(false),
            "array" => json!([]),
            "object" if depth < 4 => {
                let mut object = Map::new();
                let required: Vec<&str> =
                    schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
                if let Some(properties) = schema["properties"].as_object() {
                    for (name, property) in properties {
                        if required.contains(&name.as_str()) {
                            object.insert(name.clone(), self.sample(property, name, depth + 1, uuid_for));
                        }
                    }
                }
                Value::Object(object)
            }
            _ => json!({}),
        }
    }
}
