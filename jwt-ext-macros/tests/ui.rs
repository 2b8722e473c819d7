//! Compile-time tests of `#[jwt_required]`: expansions that must compile
//! (`ui/pass`) and misuses that must fail with the message in the `.stderr`
//! beside each case (`ui/fail`).
//!
//! The messages depend on the compiler version; after a toolchain update,
//! regenerate them with `TRYBUILD=overwrite cargo test -p jwt-ext-macros --test ui`
//! and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
