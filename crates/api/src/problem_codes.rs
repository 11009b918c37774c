//! The problem codes (`crm_domain::problem_codes`) in the OpenAPI document (the `Problem`
//! schema's `code`), and the test that keeps that list equal to the codes the source raises.

pub use crm_domain::problem_codes::PROBLEM_CODES;

/// The `code` property's description in the OpenAPI document: every code with its meaning.
pub fn openapi_description() -> String {
    let mut text = String::from(
        "A stable machine-readable code: clients branch on it, never on `detail`. Specific codes are \
         `<entity>.<rule>`; a problem without one carries its kind.\n\n| code | meaning |\n| --- | --- |\n",
    );
    for (code, meaning) in PROBLEM_CODES {
        text.push_str(&format!("| `{code}` | {} |\n", meaning.replace('|', "\\|")));
    }
    text
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::PROBLEM_CODES;

    /// Where a problem code is given in the source: the first string literal after one of these.
    /// (`=> "` is a domain error's `code()` match arm.)
    const MARKERS: [&str; 6] = ["code: \"", "conflict(", "unprocessable(", "unauthorized(", "Coded {", "=> \""];

    fn is_code(text: &str) -> bool {
        text.contains('.') && text.split('.').all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    }

    fn codes_in(source: &str, found: &mut BTreeSet<String>) {
        for marker in MARKERS {
            for (at, _) in source.match_indices(marker) {
                let start = at + marker.len() - usize::from(marker.ends_with('"'));
                let mut end = source.len().min(start + 200);
                while !source.is_char_boundary(end) {
                    end -= 1;
                }
                let rest = &source[start..end];
                let Some(open) = rest.find('"') else { continue };
                let Some(close) = rest[open + 1..].find('"') else { continue };
                let literal = &rest[open + 1..open + 1 + close];
                if is_code(literal) {
                    found.insert(literal.to_owned());
                }
            }
        }
    }

    fn walk(dir: &Path, found: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("problem_codes.rs") {
                codes_in(&std::fs::read_to_string(&path).unwrap_or_default(), found);
            }
        }
    }

    #[test]
    fn every_code_the_source_raises_is_listed_and_every_listed_code_is_raised() {
        let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut raised = BTreeSet::new();
        for name in ["domain", "persistence", "api"] {
            walk(&crates.join(name).join("src"), &mut raised);
        }
        // Event types (`task.cancelled`) look like codes in a match arm; they are not problems.
        raised.retain(|code| !crm_persistence::platform::events::TYPES.contains(&code.as_str()));
        assert!(raised.len() > 20, "the scan found only {raised:?}");
        let listed: BTreeSet<String> = PROBLEM_CODES.iter().map(|(code, _)| (*code).to_owned()).filter(|c| c.contains('.')).collect();
        let unlisted: Vec<_> = raised.difference(&listed).collect();
        let unused: Vec<_> = listed.difference(&raised).collect();
        assert!(unlisted.is_empty(), "codes raised but not in PROBLEM_CODES: {unlisted:?}");
        assert!(unused.is_empty(), "codes in PROBLEM_CODES that nothing raises: {unused:?}");
    }

    #[test]
    fn codes_are_unique() {
        let codes: BTreeSet<_> = PROBLEM_CODES.iter().map(|(code, _)| code).collect();
        assert_eq!(codes.len(), PROBLEM_CODES.len());
    }
}
