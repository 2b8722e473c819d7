//! Parsing and validation of the `#[jwt_required(...)]` arguments.
//!
//! The grammar mirrors the keyword arguments of flask-jwt-extended's
//! `@jwt_required(optional=False, fresh=False, refresh=False, locations=None,
//! verify_type=True, skip_revocation_check=False)`:
//!
//! ```text
//! args     := (arg ("," arg)* ","?)?
//! arg      := flag | flag "=" bool | "locations" "=" location
//!           | "locations" "=" "[" location ("," location)* ","? "]"
//!           | "scopes" "=" "[" scope ("," scope)* ","? "]"
//!           | "roles" "=" "[" role ("," role)* ","? "]"
//! flag     := "optional" | "fresh" | "refresh" | "verify_type" | "skip_revocation_check"
//! location := string literal, one of the names in `TOKEN_LOCATIONS`
//! scope    := string literal, an RFC 6749 §3.3 scope-token
//! role     := non-empty string literal
//! ```
//!
//! Each argument may be given once; `fresh` and `refresh` exclude each
//! other, and so do `scopes` and `refresh`. `scopes` and `roles` are
//! extensions to flask's keywords (OAuth 2.0 resource servers).

use std::fmt;

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::parse::{Parse, ParseStream};
use syn::{Error, Expr, ExprLit, Ident, Lit, LitStr, Result, Token};

/// The argument names, as custom keywords so they are parsed, not string-matched.
mod kw {
    syn::custom_keyword!(optional);
    syn::custom_keyword!(fresh);
    syn::custom_keyword!(refresh);
    syn::custom_keyword!(locations);
    syn::custom_keyword!(verify_type);
    syn::custom_keyword!(skip_revocation_check);
    syn::custom_keyword!(scopes);
    syn::custom_keyword!(roles);
}

/// Every token location, by the flask-jwt-extended name `locations` uses,
/// with the `jwt_ext::TokenLocation` variant it maps to.
const TOKEN_LOCATIONS: &[(&str, &str)] = &[
    ("headers", "Headers"),
    ("cookies", "Cookies"),
    ("query_string", "QueryString"),
    ("json", "Json"),
];

/// The options of one `#[jwt_required(...)]` handler, defaults filled in.
#[derive(Debug)]
pub(crate) struct Args {
    /// `optional`: a missing token is not an error. Defaults to `false`.
    pub(crate) optional: bool,
    /// `fresh`: the access token must be fresh. Defaults to `false`.
    pub(crate) fresh: bool,
    /// `refresh`: a refresh token is required instead of an access token.
    /// Defaults to `false`.
    pub(crate) refresh: bool,
    /// `verify_type`: the token's type must match `refresh`. Defaults to `true`.
    pub(crate) verify_type: bool,
    /// `skip_revocation_check`: the blocklist callback is not consulted.
    /// Defaults to `false`.
    pub(crate) skip_revocation_check: bool,
    /// `locations`: where to look for the token, in order. Empty (the default)
    /// means the locations configured on the manager.
    pub(crate) locations: Vec<Location>,
    /// `scopes`: every scope the token must grant. Empty (the default)
    /// checks none.
    pub(crate) scopes: Vec<LitStr>,
    /// `roles`: every role the token's configured roles claim must list.
    /// Empty (the default) checks none.
    pub(crate) roles: Vec<LitStr>,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            optional: false,
            fresh: false,
            refresh: false,
            verify_type: true,
            skip_revocation_check: false,
            locations: Vec::new(),
            scopes: Vec::new(),
            roles: Vec::new(),
        }
    }
}

/// One token location of a `locations` argument.
#[derive(Debug)]
pub(crate) struct Location {
    /// The name of the `jwt_ext::TokenLocation` variant, for example `Headers`.
    pub(crate) variant: &'static str,
    /// The string literal that named it.
    pub(crate) span: Span,
}

/// The name of one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    /// `optional`
    Optional,
    /// `fresh`
    Fresh,
    /// `refresh`
    Refresh,
    /// `locations`
    Locations,
    /// `verify_type`
    VerifyType,
    /// `skip_revocation_check`
    SkipRevocationCheck,
    /// `scopes`
    Scopes,
    /// `roles`
    Roles,
}

impl Name {
    /// Parses an argument name, returning it with the span of its keyword.
    fn parse(input: ParseStream<'_>) -> Result<(Self, Span)> {
        let lookahead = input.lookahead1();
        if lookahead.peek(kw::optional) {
            Ok((Self::Optional, input.parse::<kw::optional>()?.span))
        } else if lookahead.peek(kw::fresh) {
            Ok((Self::Fresh, input.parse::<kw::fresh>()?.span))
        } else if lookahead.peek(kw::refresh) {
            Ok((Self::Refresh, input.parse::<kw::refresh>()?.span))
        } else if lookahead.peek(kw::locations) {
            Ok((Self::Locations, input.parse::<kw::locations>()?.span))
        } else if lookahead.peek(kw::verify_type) {
            Ok((Self::VerifyType, input.parse::<kw::verify_type>()?.span))
        } else if lookahead.peek(kw::skip_revocation_check) {
            let keyword = input.parse::<kw::skip_revocation_check>()?;
            Ok((Self::SkipRevocationCheck, keyword.span))
        } else if lookahead.peek(kw::scopes) {
            Ok((Self::Scopes, input.parse::<kw::scopes>()?.span))
        } else if lookahead.peek(kw::roles) {
            Ok((Self::Roles, input.parse::<kw::roles>()?.span))
        } else if input.peek(Ident::peek_any) {
            let unknown = input.call(Ident::parse_any)?;
            Err(Error::new(
                unknown.span(),
                format!(
                    "unknown `#[jwt_required]` argument `{unknown}`; expected one of: \
                     `optional`, `fresh`, `refresh`, `locations`, `verify_type`, \
                     `skip_revocation_check`, `scopes`, `roles`"
                ),
            ))
        } else {
            Err(lookahead.error())
        }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Optional => "optional",
            Self::Fresh => "fresh",
            Self::Refresh => "refresh",
            Self::Locations => "locations",
            Self::VerifyType => "verify_type",
            Self::SkipRevocationCheck => "skip_revocation_check",
            Self::Scopes => "scopes",
            Self::Roles => "roles",
        })
    }
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> Result<Self> {
        let mut args = Self::default();
        let mut seen: Vec<(Name, Span)> = Vec::new();
        while !input.is_empty() {
            let (name, span) = Name::parse(input)?;
            if seen.iter().any(|&(earlier, _)| earlier == name) {
                return Err(Error::new(
                    span,
                    format!("`{name}` is specified more than once"),
                ));
            }
            seen.push((name, span));
            match name {
                Name::Optional => args.optional = parse_flag(input)?,
                Name::Fresh => args.fresh = parse_flag(input)?,
                Name::Refresh => args.refresh = parse_flag(input)?,
                Name::VerifyType => args.verify_type = parse_flag(input)?,
                Name::SkipRevocationCheck => args.skip_revocation_check = parse_flag(input)?,
                Name::Locations => args.locations = parse_locations(input)?,
                Name::Scopes => args.scopes = parse_names(input, Name::Scopes)?,
                Name::Roles => args.roles = parse_names(input, Name::Roles)?,
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        if args.fresh && args.refresh {
            // Both are in `seen`; point at whichever was written last.
            let later = seen
                .iter()
                .rev()
                .find(|&&(name, _)| matches!(name, Name::Fresh | Name::Refresh));
            let span = later.map_or_else(Span::call_site, |&(_, span)| span);
            return Err(Error::new(
                span,
                "`fresh` and `refresh` cannot be combined: refresh tokens are never fresh",
            ));
        }
        if !args.scopes.is_empty() && args.refresh {
            let later = seen
                .iter()
                .rev()
                .find(|&&(name, _)| matches!(name, Name::Scopes | Name::Refresh));
            let span = later.map_or_else(Span::call_site, |&(_, span)| span);
            return Err(Error::new(
                span,
                "`scopes` and `refresh` cannot be combined: scopes are granted to access tokens",
            ));
        }
        Ok(args)
    }
}

/// Parses what follows a flag's name: nothing (meaning `true`) or `= true|false`.
fn parse_flag(input: ParseStream<'_>) -> Result<bool> {
    if !input.peek(Token![=]) {
        return Ok(true);
    }
    input.parse::<Token![=]>()?;
    match input.parse::<Expr>()? {
        Expr::Lit(ExprLit {
            attrs,
            lit: Lit::Bool(value),
        }) if attrs.is_empty() => Ok(value.value),
        other => Err(Error::new_spanned(other, "expected `true` or `false`")),
    }
}

/// Parses what follows `locations`: `= "name"` or `= ["name", ...]`.
fn parse_locations(input: ParseStream<'_>) -> Result<Vec<Location>> {
    input.parse::<Token![=]>()?;
    let literals = match input.parse::<Expr>()? {
        Expr::Lit(ExprLit {
            attrs,
            lit: Lit::Str(name),
        }) if attrs.is_empty() => vec![name],
        Expr::Array(array) if array.attrs.is_empty() => {
            if array.elems.is_empty() {
                return Err(Error::new(
                    array.bracket_token.span.join(),
                    format!(
                        "`locations` cannot be empty; name at least one of: {}",
                        supported_locations()
                    ),
                ));
            }
            array
                .elems
                .into_iter()
                .map(|element| match element {
                    Expr::Lit(ExprLit {
                        attrs,
                        lit: Lit::Str(name),
                    }) if attrs.is_empty() => Ok(name),
                    other => Err(Error::new_spanned(
                        other,
                        "expected a token location name such as `\"headers\"`",
                    )),
                })
                .collect::<Result<_>>()?
        }
        other => {
            return Err(Error::new_spanned(
                other,
                "expected a token location name or a list of them, \
                 such as `\"headers\"` or `[\"headers\"]`",
            ));
        }
    };

    let mut locations: Vec<Location> = Vec::with_capacity(literals.len());
    for literal in &literals {
        let location = location(literal)?;
        if locations
            .iter()
            .any(|earlier| earlier.variant == location.variant)
        {
            return Err(Error::new(
                literal.span(),
                format!(
                    "token location `{}` is listed more than once",
                    literal.value()
                ),
            ));
        }
        locations.push(location);
    }
    Ok(locations)
}

/// Parses what follows `scopes` or `roles`: `= ["name", ...]`, each name a
/// non-empty string literal listed once (a scope also an RFC 6749 §3.3
/// scope-token, which keeps it safe inside a `WWW-Authenticate` header).
fn parse_names(input: ParseStream<'_>, name: Name) -> Result<Vec<LitStr>> {
    input.parse::<Token![=]>()?;
    let what = if name == Name::Scopes {
        "scope"
    } else {
        "role"
    };
    let array = match input.parse::<Expr>()? {
        Expr::Array(array) if array.attrs.is_empty() => array,
        other => {
            return Err(Error::new_spanned(
                other,
                format!(
                    "expected a list of {what} names, such as `[\"{}\"]`",
                    example(name)
                ),
            ));
        }
    };
    if array.elems.is_empty() {
        return Err(Error::new(
            array.bracket_token.span.join(),
            format!("`{name}` cannot be empty; leave it out to require no {what}"),
        ));
    }
    let mut names: Vec<LitStr> = Vec::with_capacity(array.elems.len());
    for element in array.elems {
        let literal = match element {
            Expr::Lit(ExprLit {
                attrs,
                lit: Lit::Str(literal),
            }) if attrs.is_empty() => literal,
            other => {
                return Err(Error::new_spanned(
                    other,
                    format!(
                        "expected a {what} name as a string literal, such as `\"{}\"`",
                        example(name)
                    ),
                ));
            }
        };
        let value = literal.value();
        if value.is_empty() {
            return Err(Error::new(
                literal.span(),
                format!("a {what} name cannot be empty"),
            ));
        }
        if name == Name::Scopes {
            check_scope_token(&literal, &value)?;
        }
        if names.iter().any(|earlier| earlier.value() == value) {
            return Err(Error::new(
                literal.span(),
                format!("{what} `{value}` is listed more than once"),
            ));
        }
        names.push(literal);
    }
    Ok(names)
}

/// An example name for the messages of `scopes` and `roles`.
fn example(name: Name) -> &'static str {
    if name == Name::Scopes {
        "read:messages"
    } else {
        "admin"
    }
}

/// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`; the
/// `scope` claim separates them with spaces.
fn check_scope_token(literal: &LitStr, value: &str) -> Result<()> {
    if value.contains(' ') {
        return Err(Error::new(
            literal.span(),
            format!(
                "a scope cannot contain a space: list each scope as its own string, \
                 such as `[{}]`",
                value
                    .split(' ')
                    .filter(|part| !part.is_empty())
                    .map(|part| format!("\"{part}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if let Some(bad) = value
        .chars()
        .find(|&c| !matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e'))
    {
        return Err(Error::new(
            literal.span(),
            format!(
                "a scope is printable ASCII without `\"` or `\\` (RFC 6749 §3.3); \
                 found {bad:?}"
            ),
        ));
    }
    Ok(())
}

/// Looks a location name up in [`TOKEN_LOCATIONS`].
fn location(literal: &LitStr) -> Result<Location> {
    let name = literal.value();
    match TOKEN_LOCATIONS.iter().find(|&&(known, _)| known == name) {
        Some(&(_, variant)) => Ok(Location {
            variant,
            span: literal.span(),
        }),
        None => Err(Error::new(
            literal.span(),
            format!(
                "unknown token location `{name}`; expected one of: {}",
                supported_locations()
            ),
        )),
    }
}

/// The location names, for messages: "`headers`, `cookies`, …".
fn supported_locations() -> String {
    TOKEN_LOCATIONS
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `src` as the inside of `#[jwt_required(...)]`.
    fn parse(src: &str) -> Result<Args> {
        syn::parse_str(src)
    }

    /// The error message for `src`, which must not parse.
    fn error(src: &str) -> String {
        parse(src).expect_err(src).to_string()
    }

    /// The variant names of the parsed `locations`.
    fn variants(args: &Args) -> Vec<&'static str> {
        args.locations
            .iter()
            .map(|location| location.variant)
            .collect()
    }

    #[test]
    fn empty_arguments_are_flask_defaults() {
        let args = parse("").unwrap();
        assert!(!args.optional);
        assert!(!args.fresh);
        assert!(!args.refresh);
        assert!(args.verify_type);
        assert!(!args.skip_revocation_check);
        assert!(args.locations.is_empty());
    }

    #[test]
    fn bare_flags_mean_true() {
        let args = parse("optional, fresh, skip_revocation_check, verify_type").unwrap();
        assert!(args.optional);
        assert!(args.fresh);
        assert!(!args.refresh);
        assert!(args.verify_type);
        assert!(args.skip_revocation_check);
    }

    #[test]
    fn flags_take_bool_values_in_any_order() {
        let args = parse(
            "verify_type = false, refresh = true, optional = false, \
             skip_revocation_check = true, fresh = false,",
        )
        .unwrap();
        assert!(!args.optional);
        assert!(!args.fresh);
        assert!(args.refresh);
        assert!(!args.verify_type);
        assert!(args.skip_revocation_check);
    }

    #[test]
    fn optional_with_fresh_is_allowed() {
        let args = parse("optional, fresh").unwrap();
        assert!(args.optional && args.fresh);
    }

    #[test]
    fn fresh_false_with_refresh_is_allowed() {
        let args = parse("refresh, fresh = false").unwrap();
        assert!(args.refresh && !args.fresh);
    }

    #[test]
    fn locations_as_one_string_or_a_list() {
        assert_eq!(
            variants(&parse(r#"locations = "headers""#).unwrap()),
            ["Headers"]
        );
        assert_eq!(
            variants(&parse(r#"locations = ["headers",], fresh"#).unwrap()),
            ["Headers"]
        );
    }

    #[test]
    fn unknown_argument_lists_the_known_ones() {
        assert_eq!(
            error("fresh, foo"),
            "unknown `#[jwt_required]` argument `foo`; expected one of: `optional`, \
             `fresh`, `refresh`, `locations`, `verify_type`, `skip_revocation_check`, \
             `scopes`, `roles`"
        );
        // Keywords are identifiers too.
        assert!(error("type = true").starts_with("unknown `#[jwt_required]` argument `type`"));
    }

    #[test]
    fn non_identifier_argument_lists_the_known_ones() {
        assert_eq!(
            error(r#""fresh""#),
            "expected one of: `optional`, `fresh`, `refresh`, `locations`, `verify_type`, \
             `skip_revocation_check`, `scopes`, `roles`"
        );
    }

    /// The values of the parsed `scopes`.
    fn scopes(args: &Args) -> Vec<String> {
        args.scopes.iter().map(LitStr::value).collect()
    }

    #[test]
    fn scopes_and_roles_are_lists_of_names() {
        let args =
            parse(r#"scopes = ["read:messages", "write:messages",], roles = ["admin"]"#).unwrap();
        assert_eq!(scopes(&args), ["read:messages", "write:messages"]);
        assert_eq!(args.roles[0].value(), "admin");
        // Roles are the application's names: spaces and any text allowed.
        let args = parse(r#"roles = ["Realm Admin", "ünïcode"], optional"#).unwrap();
        assert_eq!(args.roles.len(), 2);
        assert!(parse("").unwrap().scopes.is_empty());
    }

    #[test]
    fn scopes_must_be_a_list_of_scope_tokens() {
        assert_eq!(
            error(r#"scopes = "read""#),
            "expected a list of scope names, such as `[\"read:messages\"]`"
        );
        assert_eq!(
            error("scopes = [read]"),
            "expected a scope name as a string literal, such as `\"read:messages\"`"
        );
        assert_eq!(
            error("scopes = []"),
            "`scopes` cannot be empty; leave it out to require no scope"
        );
        assert_eq!(error(r#"scopes = [""]"#), "a scope name cannot be empty");
        assert_eq!(
            error(r#"scopes = ["read write"]"#),
            "a scope cannot contain a space: list each scope as its own string, \
             such as `[\"read\", \"write\"]`"
        );
        for bad in [r#""a\"b""#, r#""a\\b""#, r#""é""#, r#""a\tb""#] {
            assert!(
                error(&format!("scopes = [{bad}]")).starts_with("a scope is printable ASCII"),
                "{bad}"
            );
        }
        assert_eq!(
            error(r#"scopes = ["read", "write", "read"]"#),
            "scope `read` is listed more than once"
        );
    }

    #[test]
    fn roles_must_be_a_list_of_names() {
        assert_eq!(
            error("roles = 1"),
            "expected a list of role names, such as `[\"admin\"]`"
        );
        assert_eq!(error(r#"roles = [""]"#), "a role name cannot be empty");
        assert_eq!(
            error(r#"roles = ["a", "a"]"#),
            "role `a` is listed more than once"
        );
        assert_eq!(
            error("roles = []"),
            "`roles` cannot be empty; leave it out to require no role"
        );
    }

    #[test]
    fn scopes_with_refresh_is_an_error() {
        let message =
            "`scopes` and `refresh` cannot be combined: scopes are granted to access tokens";
        assert_eq!(error(r#"scopes = ["a"], refresh"#), message);
        assert_eq!(error(r#"refresh, scopes = ["a"]"#), message);
        // Refresh tokens carry the application's claims, roles included.
        assert!(parse(r#"refresh, roles = ["a"]"#).is_ok());
        assert!(parse(r#"refresh = false, scopes = ["a"]"#).is_ok());
    }

    #[test]
    fn repeated_argument_is_an_error() {
        assert_eq!(
            error("fresh, optional, fresh"),
            "`fresh` is specified more than once"
        );
        assert_eq!(
            error(r#"locations = "headers", locations = "headers""#),
            "`locations` is specified more than once"
        );
        assert_eq!(
            error("verify_type = false, verify_type = false"),
            "`verify_type` is specified more than once"
        );
    }

    #[test]
    fn fresh_with_refresh_is_an_error() {
        let message = "`fresh` and `refresh` cannot be combined: refresh tokens are never fresh";
        assert_eq!(error("fresh, refresh"), message);
        assert_eq!(error("refresh = true, optional, fresh = true"), message);
    }

    #[test]
    fn flag_values_must_be_bools() {
        for src in [
            "fresh = 1",
            r#"fresh = "true""#,
            "fresh = True",
            "optional = yes",
            "verify_type = !false",
        ] {
            assert_eq!(error(src), "expected `true` or `false`", "{src}");
        }
    }

    #[test]
    fn missing_comma_is_an_error() {
        assert_eq!(error("fresh optional"), "expected `,`");
        assert_eq!(error("fresh = true false"), "expected `,`");
    }

    #[test]
    fn locations_needs_a_value() {
        assert_eq!(error("locations"), "expected `=`");
    }

    #[test]
    fn unknown_location_is_an_error() {
        assert_eq!(
            error(r#"locations = "Headers""#),
            "unknown token location `Headers`; expected one of: `headers`, `cookies`, `query_string`, `json`"
        );
    }

    #[test]
    fn empty_locations_is_an_error() {
        assert_eq!(
            error("locations = []"),
            "`locations` cannot be empty; name at least one of: `headers`, `cookies`, `query_string`, `json`"
        );
    }

    #[test]
    fn repeated_location_is_an_error() {
        assert_eq!(
            error(r#"locations = ["headers", "headers"]"#),
            "token location `headers` is listed more than once"
        );
    }

    #[test]
    fn locations_must_be_string_literals() {
        assert_eq!(
            error("locations = [headers]"),
            "expected a token location name such as `\"headers\"`"
        );
        assert_eq!(
            error("locations = TokenLocation::Headers"),
            "expected a token location name or a list of them, such as `\"headers\"` or \
             `[\"headers\"]`"
        );
    }

    #[test]
    fn every_table_entry_is_a_unique_lower_case_name() {
        for (index, (name, variant)) in TOKEN_LOCATIONS.iter().enumerate() {
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
            assert!(
                TOKEN_LOCATIONS[..index]
                    .iter()
                    .all(|(earlier, _)| earlier != name),
                "{name}"
            );
            assert!(syn::parse_str::<Ident>(variant).is_ok(), "{variant}");
        }
    }
}
