//! Malformed header and payload segments are answered with PyJWT's text:
//! `Invalid header string: {e}` / `Invalid payload string: {e}`, where `e`
//! is what Python 3.11's `json.loads` raises for the segment's bytes.
//!
//! The answers of flask-jwt-extended 4.7.4 below come from its test client
//! (`GET` with `Authorization: Bearer <token>` on a `@jwt_required()`
//! view, same secret, same bytes). When the pinned Python is available, a
//! corpus of mutated documents is also compared with `json.loads` live.

use std::io::Write;
use std::process::{Command, Stdio};

use actix_web::{App, HttpResponse, test, web};
use jwt_ext::{Algorithm, JwtManager, jwt_required};
use jwt_ext_tests::http::spawning;
use jwt_ext_tests::jose::hmac_token;
use jwt_ext_tests::{SECRET, python};

const HEADER: &[u8] = br#"{"alg":"HS256","typ":"JWT"}"#;
const CLAIMS: &[u8] = br#"{"sub":"alice","exp":4102444800}"#;

fn token(header: &[u8], payload: &[u8]) -> String {
    hmac_token(header, payload, Algorithm::HS256, SECRET.as_bytes())
}

fn manager() -> JwtManager {
    JwtManager::builder()
        .secret_key(SECRET)
        // Room for the deep document; flask has no size cap.
        .max_token_size(64 << 10)
        .build()
        .unwrap()
}

#[jwt_required]
async fn protected() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "ok": true }))
}

#[actix_web::test]
async fn malformed_segments_answer_flasks_exact_body() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let utf16 = [
        "{\"sub\":\"alice\"}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect(),
        b"x".to_vec(),
    ]
    .concat();
    // (what, header, payload, flask's body)
    let cases: [(&str, &[u8], &[u8], &str); 7] = [
        (
            "payload with extra data",
            HEADER,
            &[CLAIMS, b" x"].concat(),
            r#"{"msg":"Invalid payload string: Extra data: line 1 column 34 (char 33)"}"#,
        ),
        (
            "header with extra data",
            &[HEADER, b"x"].concat(),
            CLAIMS,
            r#"{"msg":"Invalid header string: Extra data: line 1 column 28 (char 27)"}"#,
        ),
        (
            "payload missing a comma on line 2, after non-ASCII",
            HEADER,
            "{\"sub\":\"élise\",\n\"name\":\"Zoë\" \"x\":1}".as_bytes(),
            r#"{"msg":"Invalid payload string: Expecting ',' delimiter: line 2 column 14 (char 29)"}"#,
        ),
        (
            "header with an invalid escape",
            br#"{"alg":"HS256","kid":"a\qb"}"#,
            CLAIMS,
            r#"{"msg":"Invalid header string: Invalid \\escape: line 1 column 24 (char 23)"}"#,
        ),
        (
            "payload with invalid UTF-8",
            HEADER,
            b"{\"sub\":\"al\xffice\"}",
            r#"{"msg":"Invalid payload string: 'utf-8' codec can't decode byte 0xff in position 10: invalid start byte"}"#,
        ),
        (
            "payload in UTF-16 with a stray byte",
            HEADER,
            &utf16,
            r#"{"msg":"Invalid payload string: 'utf-16-le' codec can't decode byte 0x78 in position 30: truncated data"}"#,
        ),
        (
            "payload of 10 000 nested arrays",
            HEADER,
            deep.as_bytes(),
            r#"{"msg":"Invalid payload string: maximum recursion depth exceeded while decoding a JSON array from a unicode string"}"#,
        ),
    ];
    let app = test::init_service(
        App::new()
            .app_data(manager())
            .route("/protected", web::get().to(protected)),
    )
    .await;
    let mut wrong = Vec::new();
    for (what, header, payload, flask) in cases {
        let req = test::TestRequest::get()
            .uri("/protected")
            .insert_header((
                "Authorization",
                format!("Bearer {}", token(header, payload)),
            ))
            .to_request();
        let resp = test::call_service(&app, req).await;
        let status = resp.status().as_u16();
        let body = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
        if status != 422 || body != format!("{flask}\n") {
            wrong.push(format!("{what}: {status} {body:?}, flask 422 {flask:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Documents to mutate: nesting, escapes, numbers, literals, non-ASCII
/// (so characters and bytes differ), several lines.
const SEEDS: &[&str] = &[
    r#"{"sub":"alice","exp":4102444800,"fresh":false,"jti":null}"#,
    "{\"na\\u00efve\": \"caf\u{e9} \\\"\u{1d11e}\\\"\", \"list\": [1, -2.5e+3, true, {\"k\": []}]}",
    "{\n  \"a\": [0.5, 1E-2, \"\\ud834\\udd1e\\n\"],\n  \"b\": {\"c\": \"\u{20ac}\\/\"}\n}",
    r#"{"roles":["admin","ops"],"n":-0,"x":{"y":{"z":"\t"}}}"#,
];

/// Bytes a substitution writes: JSON's structure, escapes, control and
/// non-ASCII bytes, invalid UTF-8.
const SUBSTITUTES: &[u8] = b"\"\\{}[]:, \nx0-.eu/\x01\xff\xc3\xe2\x80\xed";

/// Each seed cut at every length, with each byte deleted, and with each
/// byte replaced (the replacement cycles through `SUBSTITUTES`).
fn corpus() -> Vec<Vec<u8>> {
    let mut corpus = Vec::new();
    for (n, seed) in SEEDS.iter().map(|s| s.as_bytes()).enumerate() {
        for i in 0..seed.len() {
            corpus.push(seed[..i].to_vec());
            corpus.push([&seed[..i], &seed[i + 1..]].concat());
            let mut replaced = seed.to_vec();
            replaced[i] = SUBSTITUTES[(i * 7 + n) % SUBSTITUTES.len()];
            corpus.push(replaced);
        }
    }
    corpus
}

/// `str(e)` of `json.loads(doc)` for each document, `None` where it succeeds.
fn python_texts(python: &str, docs: &[Vec<u8>]) -> Vec<Option<String>> {
    const SCRIPT: &str = "import json, sys
for line in sys.stdin:
    try:
        json.loads(bytes.fromhex(line.strip()))
        print('null')
    except (ValueError, RecursionError) as e:
        print(json.dumps(str(e)))
";
    let mut child = {
        let _spawning = spawning();
        Command::new(python)
            .args(["-c", SCRIPT])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start Python")
    };
    let input: String = docs
        .iter()
        .map(|doc| doc.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n")
        .collect();
    // Written from another thread: Python answers while it reads, and a
    // full pipe either way would block both sides.
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success(), "Python failed");
    let texts: Vec<Option<String>> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(texts.len(), docs.len());
    texts
}

#[actix_web::test]
async fn mutated_documents_read_as_python_reads_them() {
    // The texts differ between Python versions: 3.11 with the pinned PyJWT.
    let Some(python) = python::oracle(
        "mutated_documents_read_as_python_reads_them",
        "jwt",
        "jwt.__version__ == '2.15.1' and sys.version_info[:2] == (3, 11)",
    ) else {
        return;
    };
    let docs = corpus();
    let texts = python_texts(&python, &docs);
    let jwt = manager();
    let mut wrong = Vec::new();
    let mut compared = 0;
    for (doc, python) in docs.iter().zip(&texts) {
        for (segment, token) in [
            ("payload", token(HEADER, doc)),
            ("header", token(doc, CLAIMS)),
        ] {
            let prefix = format!("Invalid {segment} string: ");
            let ours = match jwt.decode_token(&token) {
                Ok(_) => None,
                Err(err) => err.message().strip_prefix(&prefix).map(str::to_owned),
            };
            let agrees = match (python, &ours) {
                (Some(python), Some(ours)) => {
                    compared += 1;
                    python == ours
                }
                (Some(_), None) => false,
                // Where Python accepts, jwt-ext may still refuse (a non-object,
                // `NaN`, a lone surrogate), but never with a text of Python's.
                (None, Some(ours)) => !ours.ends_with(')') && !ours.contains("codec"),
                (None, None) => true,
            };
            if !agrees {
                wrong.push(format!(
                    "{segment} {}: ours {ours:?}, Python {python:?}",
                    doc.escape_ascii()
                ));
            }
        }
    }
    assert!(compared > 500, "only {compared} refusals compared");
    assert!(
        wrong.is_empty(),
        "{} of {} differ:\n{}",
        wrong.len(),
        docs.len() * 2,
        wrong.join("\n")
    );
}
