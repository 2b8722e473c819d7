//! Remote key sets against a real OpenID Provider (`support/oidc.rs`):
//! discovery, the checks at start-up, rotation, a provider that stops, the
//! unknown-kid cooldown under a burst, the size cap and refused keys.
//!
//! Through `jwt_ext::__private::RemoteKeysProbe`, which starts a
//! `RemoteKeySource` as building a manager does.

use std::time::{Duration, Instant};

use jwt_ext::__private::RemoteKeysProbe;
use jwt_ext::{Algorithm, RemoteKeySource};
use jwt_ext_tests::oidc::OidcProvider;
use jwt_ext_tests::{http, logs};
use serde_json::json;

const AUDIENCE: &str = "https://api.example.test";

fn published_kids(provider: &OidcProvider) -> Vec<String> {
    provider.jwks()["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| key["kid"].as_str().expect("kid").to_owned())
        .collect()
}

fn start_error(source: &RemoteKeySource) -> String {
    match RemoteKeysProbe::start(source) {
        Ok(probe) => panic!("started with keys {:?}", probe.kids()),
        Err(err) => err.to_string(),
    }
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let _spawning = http::spawning();
    http::free_port()
}

#[test]
fn discovery_gives_the_providers_keys() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let probe = RemoteKeysProbe::start(&RemoteKeySource::discover(provider.issuer()))
        .expect("discovery against the provider");
    let kids = published_kids(&provider);
    assert_eq!(probe.kids(), kids);
    assert!(probe.finds(Some(&kids[0]), Algorithm::RS256));
    // The key's `alg` is RS256: no other algorithm may use it.
    assert!(!probe.finds(Some(&kids[0]), Algorithm::PS256));
    assert!(!probe.finds(Some("another-kid"), Algorithm::RS256));

    let direct = RemoteKeysProbe::start(&RemoteKeySource::jwks_url(provider.jwks_uri()))
        .expect("the JWKS URL directly");
    assert_eq!(direct.kids(), kids);
}

#[actix_web::test]
async fn start_up_inside_an_actix_runtime_waits_for_the_keys() {
    let Some(provider) = OidcProvider::start_with_alg(AUDIENCE, "ES256") else {
        return;
    };
    let probe = RemoteKeysProbe::start(&RemoteKeySource::discover(provider.issuer()))
        .expect("start-up on a runtime thread");
    let kids = published_kids(&provider);
    assert_eq!(probe.kids(), kids);
    assert!(probe.finds(Some(&kids[0]), Algorithm::ES256));
    assert!(
        probe.finds(None, Algorithm::ES256),
        "the only ES256 key, without kid"
    );
}

#[test]
fn an_issuer_the_document_does_not_name_exactly_is_refused_at_start_up() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    // The discovery URL of `<issuer>/` is the same document (§4: the
    // terminating slash is removed), but its `issuer` lacks the slash.
    let configured = format!("{}/", provider.issuer());
    let err = start_error(&RemoteKeySource::discover(&configured));
    assert!(
        err.contains(&format!(
            "the document's issuer {:?} is not the configured issuer {configured:?}",
            provider.issuer()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "GET {}/.well-known/openid-configuration",
            provider.issuer()
        )),
        "{err}"
    );
    assert_eq!(
        provider.jwks_hits(),
        0,
        "no key fetched from an issuer refused"
    );
}

#[test]
fn plain_http_to_a_host_that_is_not_loopback_is_refused() {
    for source in [
        RemoteKeySource::discover("http://idp.example.com"),
        RemoteKeySource::jwks_url("http://192.0.2.1/jwks"),
        RemoteKeySource::jwks_url("http://[2001:db8::1]/jwks"),
    ] {
        let err = start_error(&source);
        assert!(
            err.contains("RemoteKeySource: ") && err.contains("https only"),
            "{err}"
        );
    }
}

#[test]
fn an_unreachable_provider_fails_start_up_unless_told_to_start_without_keys() {
    let url = format!("http://127.0.0.1:{}/jwks", closed_port());
    let source = RemoteKeySource::jwks_url(&url).connect_timeout(Duration::from_secs(2));
    let err = start_error(&source);
    assert!(
        err.contains(&format!("cannot fetch the keys of {url}: GET {url}: ")),
        "{err}"
    );
    assert!(err.contains("start_without_keys"), "{err}");

    let probe =
        RemoteKeysProbe::start(&source.start_without_keys(true)).expect("start-up without keys");
    assert!(probe.kids().is_empty());
    assert!(!probe.finds(None, Algorithm::RS256));
    let refetch = actix_web::rt::System::new().block_on(probe.refetch_for_unknown_kid());
    assert_eq!(
        refetch,
        Err("the identity provider's key set cannot be fetched".to_owned())
    );
}

#[test]
fn a_server_that_never_answers_fails_start_up_within_the_timeouts() {
    // Connections complete in the listener's backlog; nothing is ever read
    // or answered.
    let listener = {
        let _spawning = http::spawning();
        std::net::TcpListener::bind("127.0.0.1:0").expect("bind")
    };
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let source = RemoteKeySource::jwks_url(&url)
        .connect_timeout(Duration::from_millis(300))
        .read_timeout(Duration::from_millis(500));
    let started = Instant::now();
    let err = start_error(&source);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(err.contains(&format!("GET {url}: ")), "{err}");
    assert!(err.to_lowercase().contains("time"), "{err}");
}

#[test]
fn https_goes_through_rustls_and_a_server_without_tls_fails_cleanly() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let url = format!("https://127.0.0.1:{}/jwks", provider.port());
    let err = start_error(&RemoteKeySource::jwks_url(&url).connect_timeout(Duration::from_secs(2)));
    assert!(err.contains(&format!("GET {url}: ")), "{err}");
    assert_eq!(
        provider.jwks_hits(),
        0,
        "no plain-text request was made: {err}"
    );
}

#[test]
fn a_provider_that_starts_late_is_picked_up_by_a_start_without_keys() {
    let Some(mut provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let kids = published_kids(&provider);
    provider.stop();
    let source = RemoteKeySource::jwks_url(provider.jwks_uri())
        .start_without_keys(true)
        .unknown_kid_cooldown(Duration::from_millis(1));
    let probe = RemoteKeysProbe::start(&source).expect("start-up without keys");
    assert!(probe.kids().is_empty());

    provider.restart();
    std::thread::sleep(Duration::from_millis(5));
    let refetch = actix_web::rt::System::new().block_on(probe.refetch_for_unknown_kid());
    assert_eq!(refetch, Ok(kids.clone()));
    assert_eq!(probe.kids(), kids);
}

#[actix_web::test]
async fn a_rotated_key_is_found_by_the_unknown_kid_refetch() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let probe = RemoteKeysProbe::start(
        &RemoteKeySource::discover(provider.issuer())
            .unknown_kid_cooldown(Duration::from_millis(1)),
    )
    .expect("discovery");
    let first = probe.kids();
    let snapshot = probe.snapshot_id();

    // The same document: the same set, its prepared verifiers still valid.
    actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(probe.refetch_for_unknown_kid().await, Ok(first.clone()));
    assert_eq!(probe.snapshot_id(), snapshot);

    actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    let new_kid = provider.rotate(false);
    assert_eq!(probe.kids(), first, "no fetch before a token asks");
    assert!(!probe.finds(Some(&new_kid), Algorithm::RS256));

    let kids = probe.refetch_for_unknown_kid().await.expect("refetch");
    assert_eq!(kids, [new_kid.clone(), first[0].clone()]);
    assert!(probe.finds(Some(&new_kid), Algorithm::RS256));
    assert!(
        probe.finds(Some(&first[0]), Algorithm::RS256),
        "the old key still verifies"
    );
    assert_ne!(probe.snapshot_id(), snapshot);
    // Discovery once, then the JWKS at start-up and for each refetch.
    assert_eq!(provider.jwks_hits(), 3);
}

#[actix_web::test]
async fn a_stopped_provider_leaves_the_cached_keys_and_refetches_report_unavailable() {
    let Some(mut provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let probe = RemoteKeysProbe::start(
        &RemoteKeySource::discover(provider.issuer())
            .unknown_kid_cooldown(Duration::from_millis(1)),
    )
    .expect("discovery");
    let kids = probe.kids();
    provider.stop();

    let refetch = probe.refetch_for_unknown_kid().await;
    assert_eq!(
        refetch,
        Err("the identity provider's key set cannot be fetched".to_owned())
    );
    assert_eq!(
        probe.kids(),
        kids,
        "the cached set survives the failed fetch"
    );
    assert!(probe.finds(Some(&kids[0]), Algorithm::RS256));

    provider.restart();
    actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(probe.refetch_for_unknown_kid().await, Ok(kids));
}

#[test]
fn the_set_is_refreshed_in_the_background_when_it_expires() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    // The provider sends no `Cache-Control`, so the default interval holds.
    let source = RemoteKeySource::jwks_url(provider.jwks_uri())
        .default_refresh(Duration::from_millis(300))
        .refresh_bounds(Duration::from_millis(100), Duration::from_secs(1));
    let probe = RemoteKeysProbe::start(&source).expect("keys");
    let new_kid = provider.rotate(true);
    let deadline = Instant::now() + Duration::from_secs(10);
    while probe.kids() != [new_kid.clone()] {
        assert!(
            Instant::now() < deadline,
            "not refreshed: {:?}",
            probe.kids()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(provider.jwks_hits() >= 2);
}

#[test]
fn dropping_the_last_handle_stops_the_fetching_thread() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let source = RemoteKeySource::jwks_url(provider.jwks_uri())
        .default_refresh(Duration::from_millis(100))
        .refresh_bounds(Duration::from_millis(100), Duration::from_secs(1));
    let probe = RemoteKeysProbe::start(&source).expect("keys");
    let clone = probe.clone();
    drop(probe);
    // A clone keeps it fetching.
    std::thread::sleep(Duration::from_millis(350));
    assert!(
        provider.jwks_hits() >= 3,
        "{} fetches",
        provider.jwks_hits()
    );
    assert!(clone.drop_and_wait_for_stop(Duration::from_secs(10)));
    let hits = provider.jwks_hits();
    std::thread::sleep(Duration::from_millis(350));
    assert_eq!(
        provider.jwks_hits(),
        hits,
        "fetched after the last handle was dropped"
    );
}

#[test]
fn a_burst_of_unknown_kids_costs_at_most_one_fetch_per_cooldown() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let cooldown = Duration::from_secs(2);
    let probe = RemoteKeysProbe::start(
        &RemoteKeySource::discover(provider.issuer()).unknown_kid_cooldown(cooldown),
    )
    .expect("discovery");
    let kids = probe.kids();
    assert_eq!(provider.jwks_hits(), 1, "start-up");

    // 50 callers on 5 threads, each its own actix runtime, as the workers
    // of a server.
    let burst = |probe: &RemoteKeysProbe| {
        let threads: Vec<_> = (0..5)
            .map(|_| {
                let probe = probe.clone();
                std::thread::spawn(move || {
                    actix_web::rt::System::new().block_on(async move {
                        let tasks: Vec<_> = (0..10)
                            .map(|_| {
                                let probe = probe.clone();
                                actix_web::rt::spawn(async move {
                                    probe.refetch_for_unknown_kid().await
                                })
                            })
                            .collect();
                        let mut results = Vec::new();
                        for task in tasks {
                            results.push(task.await.expect("task"));
                        }
                        results
                    })
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|thread| thread.join().expect("thread"))
            .collect::<Vec<_>>()
    };

    let started = Instant::now();
    let results = burst(&probe);
    assert_eq!(results.len(), 50);
    assert!(
        results.iter().all(|result| result.as_ref() == Ok(&kids)),
        "{results:?}"
    );
    if started.elapsed() < cooldown {
        assert_eq!(provider.jwks_hits(), 2, "one fetch for the whole burst");
        let again = burst(&probe);
        assert!(again.iter().all(|result| result.as_ref() == Ok(&kids)));
        if started.elapsed() < cooldown {
            assert_eq!(provider.jwks_hits(), 2, "none within the cooldown");
        }
    }
    let hits = provider.jwks_hits();
    assert!(
        hits <= 2 + started.elapsed().as_secs() / 2,
        "{hits} fetches"
    );

    std::thread::sleep(cooldown.saturating_sub(started.elapsed()) + Duration::from_millis(50));
    let before = provider.jwks_hits();
    burst(&probe);
    assert_eq!(
        provider.jwks_hits(),
        before + 1,
        "one fetch once the cooldown is over"
    );
}

#[test]
fn a_document_over_the_size_cap_is_refused_not_truncated() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let size = provider.jwks().to_string().len();
    let err =
        start_error(&RemoteKeySource::jwks_url(provider.jwks_uri()).max_document_size(size - 1));
    assert!(
        err.contains(&format!("the document is larger than {} bytes", size - 1)),
        "{err}"
    );
    RemoteKeysProbe::start(&RemoteKeySource::jwks_url(provider.jwks_uri()).max_document_size(size))
        .expect("a document of exactly the cap");
}

#[test]
fn an_oct_key_in_the_set_is_skipped_and_reported() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let logs = logs::capture();
    let mut jwks = provider.jwks();
    let real_kid = jwks["keys"][0]["kid"].clone();
    let keys = jwks["keys"].as_array_mut().unwrap();
    keys.insert(
        0,
        json!({ "kty": "oct", "kid": "shared-secret", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ", "alg": "HS256" }),
    );
    provider.override_jwks(&jwks);

    let probe = RemoteKeysProbe::start(&RemoteKeySource::jwks_url(provider.jwks_uri()))
        .expect("the usable key is kept");
    assert_eq!(probe.kids(), [real_kid.as_str().unwrap()]);
    assert!(!probe.finds(Some("shared-secret"), Algorithm::HS256));
    let text = logs.text();
    assert!(
        text.contains("remote key skipped")
            && text.contains(
                "(\"kid\" \"shared-secret\") skipped: a symmetric (\"oct\") key is never accepted"
            ),
        "{text}"
    );
    assert!(
        !text.contains("c2VjcmV0LXNlY3JldC1zZWNyZXQ"),
        "key material logged: {text}"
    );
    assert!(text.contains(&format!("kids=[{real_kid}]")), "{text}");
}

#[test]
fn a_document_that_is_not_a_key_set_fails_start_up_without_being_logged() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let logs = logs::capture();
    provider.override_jwks_text("<html>secret-looking-page</html>");
    let source = RemoteKeySource::jwks_url(provider.jwks_uri());
    let err = start_error(&source);
    assert!(err.contains("not JSON"), "{err}");
    let probe = RemoteKeysProbe::start(&source.start_without_keys(true)).expect("without keys");
    assert!(probe.kids().is_empty());
    assert!(
        !logs.text().contains("secret-looking-page"),
        "{}",
        logs.text()
    );
}

#[test]
fn reading_the_set_in_hand_costs_a_fraction_of_a_percent_of_a_verification() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let probe =
        RemoteKeysProbe::start(&RemoteKeySource::jwks_url(provider.jwks_uri())).expect("keys");
    let token = provider.token(&[]);
    let jwk: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(provider.jwks()["keys"][0].clone()).expect("JWK");
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).expect("RSA key");
    let (message, signature) = token.rsplit_once('.').expect("three segments");
    let verifications = 200;
    let started = Instant::now();
    for _ in 0..verifications {
        let ok =
            jsonwebtoken::crypto::verify(signature, message.as_bytes(), &key, Algorithm::RS256);
        assert_eq!(ok.ok(), Some(true));
    }
    let per_verify = started.elapsed() / verifications;

    let gets = 200_000;
    let per_get = probe.time_gets(gets) / gets;
    let percent = per_get.as_secs_f64() / per_verify.as_secs_f64() * 100.0;
    eprintln!("RemoteKeys::get {per_get:?}, RS256 verification {per_verify:?}: {percent:.3}%");
    // The budget for remote keys is 5% of a verification; the
    // snapshot must take a small part of it even in a debug build.
    assert!(
        percent < 2.0,
        "get {per_get:?} is {percent:.3}% of a verification {per_verify:?}"
    );
}
