//! Every answer the HTTP suite reads is held against openapi/openapi.json: a response header a
//! client is told about (`ETag`, `Location`, `Retry-After`, …) must be declared on exactly the
//! operations and statuses that send it, so that generated clients can rely on the document.

use std::sync::OnceLock;

use reqwest::Method;
use serde_json::Value;

use crate::Reply;

/// Headers the document declares wherever they are sent, and that are sent wherever declared.
const ALWAYS: [&str; 5] = ["ETag", "Location", "Content-Disposition", "Retry-After", "WWW-Authenticate"];
/// Declared where they can be sent, but sent only sometimes (on a replay).
const SOMETIMES: [&str; 1] = ["Idempotent-Replayed"];

fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

/// The documented operation serving `path`: the template matching it with the most literal
/// segments (`/customers/merge` before `/customers/{id}`).
fn operation(method: &Method, path: &str) -> Option<&'static Value> {
    let segments: Vec<&str> = path.split('?').next().unwrap_or_default().split('/').collect();
    let mut best: Option<(usize, &Value)> = None;
    for (template, item) in document()["paths"].as_object()? {
        let parts: Vec<&str> = template.split('/').collect();
        if parts.len() != segments.len() {
            continue;
        }
        let mut literal = 0;
        let matches = parts.iter().zip(&segments).all(|(part, segment)| {
            if part.starts_with('{') {
                !segment.is_empty()
            } else {
                literal += 1;
                part == segment
            }
        });
        let Some(operation) = item.get(method.as_str().to_lowercase()) else { continue };
        if matches && best.is_none_or(|(most, _)| literal > most) {
            best = Some((literal, operation));
        }
    }
    best.map(|(_, operation)| operation)
}

/// Panics when `reply` sends a header its documented response does not declare, or lacks one it
/// declares. Statuses the operation does not document are left to the contract run.
#[track_caller]
pub fn check(method: &Method, path: &str, reply: &Reply) {
    if !path.starts_with("/api/v1/") {
        return;
    }
    let Some(operation) = operation(method, path) else { return };
    let Some(response) = operation["responses"].get(reply.status.as_str()) else { return };
    let declared = |name: &str| response["headers"].as_object().is_some_and(|headers| headers.keys().any(|h| h.eq_ignore_ascii_case(name)));
    for name in ALWAYS {
        let sent = reply.headers.contains_key(name);
        assert!(
            sent == declared(name),
            "{method} {path} answered {} {} {name}, but the document {} it: declare the header on that response or stop sending it",
            reply.status,
            if sent { "with" } else { "without" },
            if sent { "does not declare" } else { "declares" },
        );
    }
    for name in SOMETIMES {
        assert!(
            !reply.headers.contains_key(name) || declared(name),
            "{method} {path} answered {} with {name}, which the document does not declare there",
            reply.status
        );
    }
}
