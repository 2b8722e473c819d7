//! Python, Werkzeug and WSGI behaviour kept for parity with
//! flask-jwt-extended: `json.dumps` bytes, `json.loads` error messages,
//! `str()`/`repr()`, truthiness, Latin-1 headers and Werkzeug's cookie
//! parser. Nothing here knows about tokens; the layers above call it where
//! flask's answer depends on Python's.

pub(crate) mod json_dumps;
pub(crate) mod python_json;
pub(crate) mod python_str;
pub(crate) mod werkzeug_cookies;
pub(crate) mod wsgi;
