//! Checking the handler and rewriting it.
//!
//! ```text
//! #[jwt_required(fresh)]
//! pub async fn protected(req: HttpRequest) -> impl Responder { body }
//! ```
//! becomes
//! ```text
//! #[doc(hidden)]
//! #[allow(non_camel_case_types)]
//! pub struct __jwt_ext_route_protected;
//! impl ::jwt_ext::__private::RouteOptions for __jwt_ext_route_protected {
//!     const OPTIONAL: ::core::primitive::bool = false;
//!     const FRESH: ::core::primitive::bool = true;
//!     /* TOKEN_TYPE, VERIFY_TYPE, SKIP_REVOCATION_CHECK */
//!     const LOCATIONS: &'static [::jwt_ext::TokenLocation] = &[];
//!     const SCOPES: &'static [&'static str] = &[];
//!     const ROLES: &'static [&'static str] = &[];
//! }
//! pub async fn protected(
//!     _: ::jwt_ext::__private::Guard<__jwt_ext_route_protected>,
//!     req: HttpRequest,
//! ) -> impl Responder { body }
//! ```
//! The options type has the handler's visibility (the handler's signature names
//! it) and its `#[cfg]`s; everything the user wrote is emitted unchanged, with
//! its spans.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Error, FnArg, Ident, Item, ItemFn, Result, Safety};

use crate::args::Args;

/// The most extractor parameters an actix-web handler can take: `Handler` is
/// implemented for argument tuples of up to 16 elements.
const MAX_HANDLER_PARAMS: usize = 16;

/// Expands `#[jwt_required(args)] item`.
///
/// On any error, returns `item` unchanged followed by the errors, so that the
/// handler still resolves for IDEs and the rest of the crate.
pub(crate) fn jwt_required(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = syn::parse2::<Args>(args);
    let handler = parse_handler(item.clone());
    match (args, handler) {
        (Ok(args), Ok(handler)) => expand(&args, handler),
        (Err(mut error), Err(other)) => {
            error.combine(other);
            with_error(item, error)
        }
        (Err(error), Ok(_)) | (Ok(_), Err(error)) => with_error(item, error),
    }
}

/// `item` followed by `error` as `compile_error!`s.
fn with_error(mut item: TokenStream, error: Error) -> TokenStream {
    item.extend(error.into_compile_error());
    item
}

/// Parses the annotated item and checks that it can be an actix-web handler.
fn parse_handler(item: TokenStream) -> Result<ItemFn> {
    let handler = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(handler) => handler,
        // Another kind of item: say what was expected. A function that does
        // not parse keeps syn's message, which points into it.
        Err(error) => match syn::parse2::<Item>(item) {
            Ok(Item::Fn(_) | Item::Verbatim(_)) | Err(_) => return Err(error),
            Ok(_) => {
                return Err(Error::new(
                    error.span(),
                    "the `#[jwt_required]` attribute can only be used on an `async fn`",
                ));
            }
        },
    };
    check_handler(&handler)?;
    Ok(handler)
}

/// Checks the handler's signature and attributes, reporting every problem.
fn check_handler(handler: &ItemFn) -> Result<()> {
    let sig = &handler.sig;
    let mut errors = Vec::new();
    if let Some(const_token) = &sig.constness {
        errors.push(Error::new(
            const_token.span,
            "the `#[jwt_required]` attribute cannot be used on a `const fn`",
        ));
    }
    if sig.asyncness.is_none() {
        errors.push(Error::new(
            sig.fn_token.span,
            "the `#[jwt_required]` attribute requires an `async fn`",
        ));
    }
    if let Safety::Unsafe(unsafe_token) = &sig.safety {
        errors.push(Error::new(
            unsafe_token.span,
            "the `#[jwt_required]` attribute cannot be used on an `unsafe fn`: \
             actix-web handlers are safe to call",
        ));
    }
    if let Some(receiver) = sig.receiver() {
        errors.push(Error::new_spanned(
            receiver,
            "`#[jwt_required]` cannot be used on methods; use it on a free `async fn` handler",
        ));
    }
    if sig.inputs.len() >= MAX_HANDLER_PARAMS {
        errors.push(Error::new(
            sig.paren_token.span.join(),
            format!(
                "`#[jwt_required]` adds one extractor parameter and actix-web handlers take \
                 at most {MAX_HANDLER_PARAMS}; this handler already has {}",
                sig.inputs.len()
            ),
        ));
    }
    // The attribute that is being expanded has been removed from `attrs`; one
    // still there is a second `#[jwt_required]` below it.
    let again = handler.attrs.iter().find(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "jwt_required")
    });
    if let Some(again) = again {
        errors.push(Error::new_spanned(
            again,
            "the `#[jwt_required]` attribute is applied more than once; \
             merge the arguments into one",
        ));
    }
    errors
        .into_iter()
        .reduce(|mut first, next| {
            first.combine(next);
            first
        })
        .map_or(Ok(()), Err)
}

/// Emits the options type for `handler` and the handler with the guard
/// parameter prepended.
fn expand(args: &Args, mut handler: ItemFn) -> TokenStream {
    let options = format_ident!(
        "__jwt_ext_route_{}",
        handler.sig.ident,
        span = Span::call_site()
    );
    let vis = &handler.vis;
    let cfgs = handler
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"));
    let cfgs = quote!(#(#cfgs)*);
    let Args {
        optional,
        fresh,
        refresh,
        verify_type,
        skip_revocation_check,
        locations,
        scopes,
        roles,
    } = args;
    let token_type = if *refresh {
        quote!(Refresh)
    } else {
        quote!(Access)
    };
    let locations = locations.iter().map(|location| {
        let variant = Ident::new(location.variant, location.span);
        quote_spanned!(location.span=> ::jwt_ext::TokenLocation::#variant)
    });
    let options_items = quote! {
        #cfgs
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #options;

        #cfgs
        impl ::jwt_ext::__private::RouteOptions for #options {
            const OPTIONAL: ::core::primitive::bool = #optional;
            const FRESH: ::core::primitive::bool = #fresh;
            const TOKEN_TYPE: ::jwt_ext::TokenType = ::jwt_ext::TokenType::#token_type;
            const VERIFY_TYPE: ::core::primitive::bool = #verify_type;
            const SKIP_REVOCATION_CHECK: ::core::primitive::bool = #skip_revocation_check;
            const LOCATIONS: &'static [::jwt_ext::TokenLocation] = &[#(#locations),*];
            const SCOPES: &'static [&'static ::core::primitive::str] = &[#(#scopes),*];
            const ROLES: &'static [&'static ::core::primitive::str] = &[#(#roles),*];
        }
    };

    // First, so that actix-web runs it before the handler's own extractors.
    let guard: FnArg = syn::parse_quote!(_: ::jwt_ext::__private::Guard<#options>);
    handler.sig.inputs.insert(0, guard);

    quote! {
        #options_items
        #handler
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expands `#[jwt_required(args)] item` and renders the result.
    fn expand_str(args: TokenStream, item: TokenStream) -> String {
        jwt_required(args, item).to_string()
    }

    /// The `compile_error!` messages in an expansion.
    fn errors(output: &str) -> Vec<String> {
        output
            .split("compile_error ! {")
            .skip(1)
            .map(|rest| {
                let start = rest.find('"').expect("a message") + 1;
                let end = start + rest[start..].find("\" }").expect("end of message");
                rest[start..end].replace("\\\"", "\"")
            })
            .collect()
    }

    #[test]
    fn adds_options_type_and_first_guard_parameter() {
        let output = expand_str(
            quote!(fresh),
            quote! {
                /// Docs.
                #[get("/")]
                pub async fn protected(req: HttpRequest) -> impl Responder { "hi" }
            },
        );
        let expected = quote! {
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            pub struct __jwt_ext_route_protected;

            impl ::jwt_ext::__private::RouteOptions for __jwt_ext_route_protected {
                const OPTIONAL: ::core::primitive::bool = false;
                const FRESH: ::core::primitive::bool = true;
                const TOKEN_TYPE: ::jwt_ext::TokenType = ::jwt_ext::TokenType::Access;
                const VERIFY_TYPE: ::core::primitive::bool = true;
                const SKIP_REVOCATION_CHECK: ::core::primitive::bool = false;
                const LOCATIONS: &'static [::jwt_ext::TokenLocation] = &[];
                const SCOPES: &'static [&'static ::core::primitive::str] = &[];
                const ROLES: &'static [&'static ::core::primitive::str] = &[];
            }

            /// Docs.
            #[get("/")]
            pub async fn protected(
                _: ::jwt_ext::__private::Guard<__jwt_ext_route_protected>,
                req: HttpRequest
            ) -> impl Responder { "hi" }
        };
        assert_eq!(output, expected.to_string());
    }

    #[test]
    fn all_arguments_reach_the_consts() {
        let output = expand_str(
            quote!(
                optional,
                refresh,
                verify_type = false,
                skip_revocation_check,
                locations = ["headers"],
                roles = ["admin", "ops"]
            ),
            quote!(
                async fn r() {}
            ),
        );
        for expected in [
            quote!(
                const OPTIONAL: ::core::primitive::bool = true;
            ),
            quote!(
                const FRESH: ::core::primitive::bool = false;
            ),
            quote!(
                const TOKEN_TYPE: ::jwt_ext::TokenType = ::jwt_ext::TokenType::Refresh;
            ),
            quote!(
                const VERIFY_TYPE: ::core::primitive::bool = false;
            ),
            quote!(
                const SKIP_REVOCATION_CHECK: ::core::primitive::bool = true;
            ),
            quote!(
                const LOCATIONS: &'static [::jwt_ext::TokenLocation] =
                    &[::jwt_ext::TokenLocation::Headers];
            ),
            quote!(
                const SCOPES: &'static [&'static ::core::primitive::str] = &[];
            ),
            quote!(
                const ROLES: &'static [&'static ::core::primitive::str] = &["admin", "ops"];
            ),
        ] {
            assert!(
                output.contains(&expected.to_string()),
                "{expected}\n{output}"
            );
        }
        assert!(
            output.contains(
                &quote!(
                    struct __jwt_ext_route_r;
                )
                .to_string()
            )
        );
    }

    #[test]
    fn scopes_reach_their_const_in_order() {
        let output = expand_str(
            quote!(scopes = ["write:messages", "read:messages"]),
            quote!(
                async fn r() {}
            ),
        );
        let expected = quote!(
            const SCOPES: &'static [&'static ::core::primitive::str] =
                &["write:messages", "read:messages"];
        );
        assert!(output.contains(&expected.to_string()), "{output}");
    }

    #[test]
    fn keeps_generics_where_clause_and_cfg() {
        let output = expand_str(
            quote!(),
            quote! {
                #[cfg(feature = "x")]
                pub(crate) async fn h<T: Clone>(t: web::Data<T>,) -> String where T: Send { t }
            },
        );
        let expected = quote! {
            #[cfg(feature = "x")]
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            pub(crate) struct __jwt_ext_route_h;
        };
        assert!(output.starts_with(&expected.to_string()), "{output}");
        let expected = quote! {
            #[cfg(feature = "x")]
            impl ::jwt_ext::__private::RouteOptions for __jwt_ext_route_h
        };
        assert!(output.contains(&expected.to_string()), "{output}");
        let expected = quote! {
            #[cfg(feature = "x")]
            pub(crate) async fn h<T: Clone>(
                _: ::jwt_ext::__private::Guard<__jwt_ext_route_h>,
                t: web::Data<T>,
            ) -> String where T: Send { t }
        };
        assert!(output.ends_with(&expected.to_string()), "{output}");
    }

    #[test]
    fn raw_identifier_names_a_plain_options_type() {
        let output = expand_str(
            quote!(),
            quote!(
                async fn r#match() {}
            ),
        );
        assert!(
            output.contains("struct __jwt_ext_route_match ;"),
            "{output}"
        );
    }

    #[test]
    fn errors_keep_the_original_item() {
        let item = quote!(
            fn sync_handler() -> &'static str {
                ""
            }
        );
        let output = expand_str(quote!(), item.clone());
        assert!(output.starts_with(&item.to_string()), "{output}");
        assert_eq!(
            errors(&output),
            ["the `#[jwt_required]` attribute requires an `async fn`"]
        );
    }

    #[test]
    fn argument_and_handler_errors_are_both_reported() {
        let output = expand_str(
            quote!(fresh, fresh),
            quote!(
                fn h() {}
            ),
        );
        assert_eq!(
            errors(&output),
            [
                "`fresh` is specified more than once",
                "the `#[jwt_required]` attribute requires an `async fn`",
            ]
        );
    }

    #[test]
    fn rejects_methods() {
        let output = expand_str(
            quote!(),
            quote!(
                async fn h(&self) {}
            ),
        );
        assert_eq!(
            errors(&output),
            ["`#[jwt_required]` cannot be used on methods; use it on a free `async fn` handler"]
        );
    }

    #[test]
    fn rejects_const_and_unsafe() {
        let output = expand_str(
            quote!(),
            quote!(
                const async unsafe fn h() {}
            ),
        );
        assert_eq!(
            errors(&output),
            [
                "the `#[jwt_required]` attribute cannot be used on a `const fn`",
                "the `#[jwt_required]` attribute cannot be used on an `unsafe fn`: \
                 actix-web handlers are safe to call",
            ]
        );
    }

    #[test]
    fn fifteen_parameters_fit_sixteen_do_not() {
        let params = |n: usize| (0..n).map(|i| format_ident!("p{i}"));
        let fifteen = params(15);
        let output = expand_str(quote!(), quote!(async fn h(#(#fifteen: u8),*) {}));
        assert!(errors(&output).is_empty(), "{output}");

        let sixteen = params(16);
        let output = expand_str(quote!(), quote!(async fn h(#(#sixteen: u8),*) {}));
        assert_eq!(
            errors(&output),
            [
                "`#[jwt_required]` adds one extractor parameter and actix-web handlers take \
                 at most 16; this handler already has 16"
            ]
        );
    }

    #[test]
    fn rejects_a_second_jwt_required() {
        let output = expand_str(
            quote!(fresh),
            quote!(
                #[jwt_ext::jwt_required(optional)]
                async fn h() {}
            ),
        );
        assert_eq!(
            errors(&output),
            [
                "the `#[jwt_required]` attribute is applied more than once; \
                 merge the arguments into one"
            ]
        );
    }

    #[test]
    fn rejects_other_items() {
        let output = expand_str(
            quote!(),
            quote!(
                struct NotAHandler;
            ),
        );
        assert_eq!(
            errors(&output),
            ["the `#[jwt_required]` attribute can only be used on an `async fn`"]
        );
    }

    #[test]
    fn a_function_that_does_not_parse_keeps_syns_message() {
        let output = expand_str(quote!(), quote!(async fn h() { let }));
        assert_eq!(errors(&output).len(), 1, "{output}");
        assert!(!output.contains("can only be used"), "{output}");
    }
}
