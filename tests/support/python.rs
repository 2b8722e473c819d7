//! The Python oracle of the live tests: the interpreter named by
//! `JWT_EXT_PYTHON` (CI points it at a venv with
//! `fixtures/flask/requirements.txt`), or `python3`.

use std::process::{Command, Stdio};

use crate::http::spawning;

/// The interpreter, if `requirement` (a Python expression) holds there,
/// e.g. `flask_jwt_extended.__version__ == '4.7.4'` after `imports`.
///
/// Without one a test says it was skipped, and fails under CI (`CI` set),
/// which must provide it: `test` names the test in that message.
pub fn oracle(test: &str, imports: &str, requirement: &str) -> Option<String> {
    let python = std::env::var("JWT_EXT_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let probe = {
        let _spawning = spawning();
        Command::new(&python)
            .args([
                "-c",
                &format!("import sys, {imports}; sys.exit(not ({requirement}))"),
            ])
            .stderr(Stdio::null())
            .spawn()
    };
    let found = probe
        .and_then(|mut child| child.wait())
        .is_ok_and(|status| status.success());
    if found {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: CI must set JWT_EXT_PYTHON to a Python 3.11 with \
         tests/fixtures/flask/requirements.txt installed ({requirement} does not hold for {python})"
    );
    crate::skipped(format_args!(
        "{test}: {requirement} does not hold for {python} (set JWT_EXT_PYTHON to a Python 3.11 \
         with tests/fixtures/flask/requirements.txt installed)"
    ));
    None
}
