//! The option table against what the code reads and what the docs say.

use std::cell::RefCell;
use std::collections::BTreeSet;

use super::{ENV_ROWS, SETTER_DOCS};
use crate::JwtManagerBuilder;

/// flask options the guides name to say they are not supported.
const NAMED_BUT_NOT_READ: &[&str] = &["JWT_EXEMPT_METHODS"];

fn listed() -> BTreeSet<&'static str> {
    ENV_ROWS.iter().map(|(name, _)| *name).collect()
}

#[test]
fn from_lookup_reads_exactly_the_listed_variables() {
    let asked = RefCell::new(Vec::new());
    let _ = JwtManagerBuilder::from_lookup(|name| {
        asked.borrow_mut().push(name.to_owned());
        None
    })
    .unwrap();
    let asked = asked.into_inner();
    let asked_set: BTreeSet<&str> = asked.iter().map(String::as_str).collect();
    assert_eq!(
        asked.len(),
        asked_set.len(),
        "a variable is read twice: {asked:?}"
    );
    let listed = listed();
    let unlisted: Vec<_> = asked_set.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "read but not in the table: {unlisted:?}"
    );
    let unread: Vec<_> = listed.difference(&asked_set).collect();
    assert!(unread.is_empty(), "in the table but not read: {unread:?}");
    assert_eq!(ENV_ROWS.len(), listed.len(), "a variable is listed twice");
}

#[test]
fn the_from_env_table_has_a_row_per_variable() {
    let table: &str = env_table!();
    let rows: Vec<&str> = table.lines().skip(2).collect();
    assert_eq!(rows.len(), ENV_ROWS.len(), "{table}");
    for (row, (name, format)) in rows.iter().zip(ENV_ROWS) {
        assert_eq!(*row, format!("| `{name}` | {format} |"));
    }
}

#[test]
fn every_setter_doc_names_its_variable_and_default() {
    for (setter, env, doc) in SETTER_DOCS {
        let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(doc.contains("Defaults to"), "{setter}: {doc}");
        if let Some(env) = env {
            assert!(doc.contains(&format!("`{env}`")), "{setter}: {doc}");
        }
    }
}

#[test]
fn readme_and_guides_name_only_variables_that_are_read() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![root.join("../README.md"), root.join("../SECURITY.md")];
    for entry in std::fs::read_dir(root.join("guide")).unwrap() {
        docs.push(entry.unwrap().path());
    }
    let listed = listed();
    let mut checked = 0;
    for doc in docs {
        let text = std::fs::read_to_string(&doc).unwrap();
        for (at, _) in text.match_indices("JWT_") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            // `JWT_EXT_*` are the test suite's and benches' own variables.
            if name.starts_with("JWT_EXT_") || name == "JWT_" {
                continue;
            }
            assert!(
                listed.contains(name.as_str()) || NAMED_BUT_NOT_READ.contains(&name.as_str()),
                "{} names {name}, which from_env does not read",
                doc.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "no JWT_ variable found in the README and guides"
    );
}
