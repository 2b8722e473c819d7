//! The `browser_app` example in a real browser: headless Chromium driven
//! through chromedriver (WebDriver). Its curl session over plain HTTP is
//! in `browser_app.rs`.
//!
//! Chromium and chromedriver come from Debian's `chromium` and
//! `chromium-driver` packages, which `.ci/run` installs. Without them the
//! browser tests say they are skipped; under CI (`CI` set) they fail. Each
//! test starts its own example server, chromedriver and browser profile,
//! so they run in parallel like the other tests. The tests that wait for
//! tokens to expire keep more than a second of margin on every deadline.
//!
//! A failing browser test saves screenshots (the login page, the logged-in
//! page, the page when it failed) under `target/browser-artifacts/<test>/`
//! and names that folder in its failure message.

mod harness;
mod other_site;

use fantoccini::Locator;
use jwt_ext_tests::http;
use serde_json::{Value, json};

use crate::browser_app::{missing_cookie, revoked};
use harness::{answer, browser_test, claim, exp_of, now, sleep_until};
use other_site::{OtherSite, forged_form, shown_after_form_post};

#[test]
fn login_form_keeps_the_tokens_out_of_reach_of_scripts() {
    browser_test(
        "login_form_keeps_the_tokens_out_of_reach_of_scripts",
        &[],
        async |browser| {
            browser.open_app("/").await;
            assert_eq!(
                browser.eval("window.lastAnswer").await,
                answer(401, missing_cookie())
            );
            browser.type_into("#username", "test").await;
            browser.type_into("#password", "wrong").await;
            assert_eq!(
                browser.act("#login").await,
                answer(401, json!({ "msg": "Bad username or password" }))
            );
            assert!(browser.visible("#login-form").await, "still the login form");
            assert_eq!(
                browser.cookies().await.len(),
                0,
                "no cookies for bad credentials"
            );

            browser.log_in().await;

            // The page's script sees the CSRF values and nothing else.
            let script_sees = browser.eval("document.cookie").await;
            let mut names: Vec<&str> = script_sees
                .as_str()
                .expect("document.cookie")
                .split("; ")
                .filter_map(|pair| pair.split_once('=').map(|(name, _)| name))
                .collect();
            names.sort_unstable();
            assert_eq!(
                names,
                ["csrf_access_token", "csrf_refresh_token"],
                "{script_sees}"
            );

            // The browser holds the token cookies, HttpOnly, SameSite=Lax,
            // not Secure (plain http on localhost).
            for name in [
                "access_token_cookie",
                "csrf_access_token",
                "refresh_token_cookie",
                "csrf_refresh_token",
            ] {
                let cookie = browser
                    .cookie(name)
                    .await
                    .unwrap_or_else(|| panic!("no {name} cookie"));
                assert_eq!(
                    (
                        cookie.http_only(),
                        cookie.same_site().map(|s| s.to_string()),
                        cookie.secure()
                    ),
                    (
                        Some(!name.starts_with("csrf_")),
                        Some("Lax".to_owned()),
                        Some(false)
                    ),
                    "{cookie:?}"
                );
            }
            // The readable value is the token's csrf claim.
            let token = browser.cookie_value("access_token_cookie").await;
            let csrf = browser.cookie_value("csrf_access_token").await;
            assert_eq!(claim(&token, "csrf"), csrf.as_str());
            assert!(script_sees.as_str().is_some_and(|s| s.contains(&csrf)));

            // A reload keeps the session.
            browser.open_app("/").await;
            assert!(
                browser.visible("#app-view").await,
                "still logged in after a reload"
            );
        },
    );
}

#[test]
fn api_post_needs_the_csrf_header() {
    browser_test("api_post_needs_the_csrf_header", &[], async |browser| {
        browser.log_in().await;
        // A GET needs no header.
        let whoami = browser.act("#load").await;
        assert_eq!(
            (&whoami["status"], &whoami["body"]["logged_in_as"]),
            (&json!(200), &json!("test"))
        );

        browser.type_into("#note", "saved from the page").await;
        assert_eq!(
            browser.act("#save").await,
            answer(
                201,
                json!({ "msg": "note saved", "notes": ["saved from the page"] })
            )
        );
        assert_eq!(
            browser
                .eval("document.getElementById('notes').textContent")
                .await,
            "saved from the page"
        );

        let note = json!({ "text": "no header" });
        assert_eq!(
            browser
                .fetch("POST", "/api/notes", json!({}), note.clone())
                .await,
            answer(401, json!({ "msg": "Missing CSRF token" }))
        );
        assert_eq!(
            browser
                .fetch(
                    "POST",
                    "/api/notes",
                    json!({ "X-CSRF-TOKEN": "guessed" }),
                    note
                )
                .await,
            answer(
                401,
                json!({ "msg": "CSRF double submit tokens do not match" })
            )
        );
        assert_eq!(
            browser
                .fetch("GET", "/api/notes", json!({}), Value::Null)
                .await,
            answer(200, json!({ "notes": ["saved from the page"] })),
            "the refused POSTs saved nothing"
        );
    });
}

#[test]
fn cross_site_form_post_carries_no_session() {
    browser_test(
        "cross_site_form_post_carries_no_session",
        &[],
        async |browser| {
            browser.log_in().await;

            // The same form from the app's own page: the browser sends the
            // cookies, and only the missing CSRF header stops the request.
            browser
                .client
                .execute(
                    r#"const form = document.createElement("form");
                   form.method = "POST";
                   form.action = "/api/notes";
                   const field = document.createElement("input");
                   field.name = "text";
                   field.value = "forged";
                   form.appendChild(field);
                   document.body.appendChild(form);
                   form.submit();"#,
                    Vec::new(),
                )
                .await
                .expect("a same-site form post");
            assert_eq!(
                shown_after_form_post(browser).await,
                json!({ "msg": "Missing CSRF token" }),
                "a same-site form carries the cookies"
            );

            // From another site, SameSite=Lax keeps the cookies home: the app
            // sees no token at all.
            let other = OtherSite::start(forged_form(&browser.origin));
            browser
                .client
                .goto(&format!("http://localhost:{}/", other.port))
                .await
                .expect("the other site's page");
            browser.checkpoint("other_site").await;
            browser
                .client
                .find(Locator::Css("#go"))
                .await
                .expect("the forged form's button")
                .click()
                .await
                .expect("submit the forged form");
            assert_eq!(
                shown_after_form_post(browser).await,
                missing_cookie(),
                "a cross-site form carries no cookies"
            );

            // Nothing was saved, and the session is intact.
            browser.open_app("/").await;
            assert!(browser.visible("#app-view").await, "still logged in");
            assert_eq!(
                browser
                    .fetch("GET", "/api/notes", json!({}), Value::Null)
                    .await,
                answer(200, json!({ "notes": [] }))
            );
        },
    );
}

#[test]
fn implicit_refresh_outlives_the_first_access_token() {
    // 4-second tokens, renewed in their last 2 seconds.
    browser_test(
        "implicit_refresh_outlives_the_first_access_token",
        &[("JWT_ACCESS_TOKEN_EXPIRES", "4")],
        async |browser| {
            browser.log_in().await;
            let first = browser.cookie_value("access_token_cookie").await;
            let first_csrf = browser.cookie_value("csrf_access_token").await;
            let expires = exp_of(&first);

            // Inside the renewal window: the answer brings a new cookie.
            sleep_until(expires - 2.0 + 0.2).await;
            let whoami = browser.act("#load").await;
            assert_eq!(whoami["status"], 200, "{whoami}");
            let renewed = browser.cookie_value("access_token_cookie").await;
            assert_ne!(renewed, first, "renewed inside the window");
            assert!(
                exp_of(&renewed) > expires,
                "the new token outlives the first"
            );
            assert_ne!(browser.cookie_value("csrf_access_token").await, first_csrf);

            // Past the first token's expiry, the page works on.
            sleep_until(expires + 0.2).await;
            let replay = http::request(
                browser.app_port,
                "GET",
                "/api/whoami",
                &[("Cookie", &format!("access_token_cookie={first}"))],
                None,
            );
            assert_eq!(
                (replay.status, replay.json()),
                (401, json!({ "msg": "Token has expired" })),
                "the first token is dead"
            );
            let whoami = browser.act("#load").await;
            assert_eq!(
                (&whoami["status"], &whoami["body"]["logged_in_as"]),
                (&json!(200), &json!("test")),
                "{whoami}"
            );
            // The page's script sends the renewed CSRF value.
            browser.type_into("#note", "after the renewal").await;
            assert_eq!(
                browser.act("#save").await,
                answer(
                    201,
                    json!({ "msg": "note saved", "notes": ["after the renewal"] })
                )
            );
        },
    );
}

#[test]
fn refresh_then_logout_revokes_and_clears_the_cookies() {
    // 6-second tokens, renewed in their last 3 seconds.
    browser_test(
        "refresh_then_logout_revokes_and_clears_the_cookies",
        &[("JWT_ACCESS_TOKEN_EXPIRES", "6")],
        async |browser| {
            browser.log_in().await;
            let first = browser.cookie_value("access_token_cookie").await;
            let refresh_token = browser.cookie_value("refresh_token_cookie").await;
            let refresh_csrf = browser.cookie_value("csrf_refresh_token").await;

            // The page's refresh button: the refresh cookie and its CSRF value.
            assert_eq!(
                browser.act("#refresh").await,
                answer(200, json!({ "refresh": true }))
            );
            let access = browser.cookie_value("access_token_cookie").await;
            assert_ne!(access, first, "a new access token");
            assert_eq!(
                browser.cookie_value("refresh_token_cookie").await,
                refresh_token
            );
            assert_eq!(browser.act("#load").await["status"], 200);

            // Log out while the token is inside the renewal window, where
            // ImplicitRefresh would renew it if the logout let it.
            let expires = exp_of(&access);
            sleep_until(expires - 3.0 + 0.2).await;
            assert!(now() + 3.0 > expires, "inside the renewal window");
            assert_eq!(
                browser.act("#logout").await,
                answer(200, json!({ "msg": "logout successful" }))
            );
            assert!(now() < expires, "logged out before the token expired");
            assert!(
                browser.visible("#login-form").await,
                "back to the login form"
            );
            let left: Vec<String> = browser
                .cookies()
                .await
                .iter()
                .map(|c| c.name().to_owned())
                .collect();
            assert_eq!(left, Vec::<String>::new(), "the browser holds no cookie");

            // Copies taken before the logout are refused.
            let replay = http::request(
                browser.app_port,
                "GET",
                "/api/whoami",
                &[("Cookie", &format!("access_token_cookie={access}"))],
                None,
            );
            assert_eq!(
                (replay.status, replay.json()),
                (401, revoked()),
                "{replay:?}"
            );
            let replay = http::request(
                browser.app_port,
                "POST",
                "/refresh",
                &[
                    ("Cookie", &format!("refresh_token_cookie={refresh_token}")),
                    ("X-CSRF-TOKEN", &refresh_csrf),
                ],
                None,
            );
            assert_eq!(
                (replay.status, replay.json()),
                (401, revoked()),
                "{replay:?}"
            );
        },
    );
}
