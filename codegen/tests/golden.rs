//! Golden tests: a fixture spec in, the expected Rust out, compared after formatting. Run with
//! `UPDATE_GOLDEN=1` to rewrite the expected files after an intended change, then read the diff.
use std::path::Path;

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn check(spec: &str, expected: &str) {
    let got = codegen::generate(&fixture(spec)).unwrap_or_else(|e| panic!("{spec}: {e}"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(expected);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = fixture(expected);
    assert!(
        codegen::same_code(&got, &want).unwrap(),
        "{spec} no longer generates {expected}; if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}

#[test]
fn minimal_spec_generates_the_golden_code() {
    check("minimal.yaml", "minimal.rs");
}

#[test]
fn a_golden_file_one_token_off_fails_the_comparison() {
    let got = codegen::generate(&fixture("minimal.yaml")).unwrap();
    let off = fixture("minimal.off-by-one-token.rs");
    assert!(!codegen::same_code(&got, &off).unwrap());
    // The fixture really is one token away from the golden output.
    let golden = fixture("minimal.rs");
    let (a, b) = (tokens(&golden), tokens(&off));
    assert_eq!(a.len(), b.len());
    assert_eq!(a.iter().zip(&b).filter(|(x, y)| x != y).count(), 1);
}

#[test]
fn layout_alone_does_not_fail_the_comparison() {
    let got = codegen::generate(&fixture("minimal.yaml")).unwrap();
    let squashed = got.replace("\n    ", "\n").replace("    ", " ");
    assert!(codegen::same_code(&got, &squashed).unwrap());
}

/// Every token of a source, groups opened.
fn tokens(s: &str) -> Vec<String> {
    fn walk(ts: proc_macro2::TokenStream, out: &mut Vec<String>) {
        for t in ts {
            match t {
                proc_macro2::TokenTree::Group(g) => {
                    out.push(format!("{:?}", g.delimiter()));
                    walk(g.stream(), out);
                }
                other => out.push(other.to_string()),
            }
        }
    }
    let mut out = vec![];
    walk(s.parse().unwrap(), &mut out);
    out
}

/// What the generator refuses, and says why.
#[test]
fn specs_it_does_not_understand_are_errors_not_omissions() {
    let base = fixture("minimal.yaml");
    let cases = [
        (
            "x-required-scopes: ['things:read']\n      x-required-roles: []\n      x-ordered-params",
            "x-required-scopes: ['things:read']\n      x-required-roles: []\n      x-ordred-params",
            "unknown extension x-ordred-params",
        ),
        (
            "x-required-roles: [admin]",
            "x-required-roles: [owner]",
            "owner is not a Role",
        ),
        (
            "x-required-scopes: ['things:write']",
            "x-required-scopes: ['things:delete']",
            "things:delete is not a Scope",
        ),
        (
            "x-admin-only: ['things:write']",
            "x-admin-only: ['things:destroy']",
            "not a value of the enum",
        ),
        (
            "x-ordered-params: [seen_after, seen_before]",
            "x-ordered-params: [seen_after, limit_typo]",
            "limit_typo, not an optional parameter",
        ),
        (
            "operationId: getThing\n",
            "operationId: listThings\n",
            "duplicate operationId listThings",
        ),
        (
            "'404':\n          $ref: '#/components/responses/Error'\n        '429'",
            "'418':\n          $ref: '#/components/responses/Error'\n        '429'",
            "status 418",
        ),
        (
            "format: int32\n            minimum: 1\n      responses",
            "format: int16\n            minimum: 1\n      responses",
            "int32 or int64",
        ),
        (
            "name: seen_before\n          in: query\n          schema:\n            type: string\n            format: date-time",
            "name: seen_before\n          in: query\n          schema:\n            type: array\n            items:\n              type: string",
            "query parameter seen_before is an array",
        ),
        (
            "tags: [Health]",
            "tags: [Nowhere]",
            "tag Nowhere is not declared",
        ),
    ];
    for (from, to, says) in cases {
        assert!(base.contains(from), "the fixture has {from:?}");
        let spec = base.replacen(from, to, 1);
        let err = codegen::generate(&spec).expect_err(says).to_string();
        assert!(err.contains(says), "{says:?} not in {err:?}");
    }
}

/// The generator refuses a spec that breaks the response rules, naming the operation.
#[test]
fn specs_breaking_the_response_rules_are_refused() {
    let spec = fixture("minimal.yaml");
    let undocumented_500 = "        '500':\n          $ref: '#/components/responses/Error'\n";
    let with_501 = "        '500':\n          $ref: '#/components/responses/Error'\n        '501':\n          $ref: '#/components/responses/Error'\n";
    assert!(spec.contains(undocumented_500));
    let cases = [
        (
            spec.replacen(undocumented_500, with_501, 1),
            "documents 501",
        ),
        (spec.replacen(undocumented_500, "", 1), "must document 500"),
    ];
    for (broken, want) in cases {
        let err = codegen::generate(&broken).expect_err(want).to_string();
        assert!(err.contains(want), "{want:?} not in {err:?}");
    }
}

#[test]
fn a_key_given_twice_is_refused() {
    let spec = fixture("minimal.yaml");
    // The same top-level key twice: parsers that keep the last one would hide the first.
    let twice = format!("{spec}\nopenapi: 3.0.3\n");
    let err = codegen::generate(&twice).expect_err("a duplicated key is an error");
    assert!(err.to_string().contains("duplicate"), "{err}");
}

/// An error body with typed details (`x-error-body`): the named shape on the wire, and in Rust
/// ErrorResponse, so the code is the same as with ErrorResponse; a shape that is not
/// ErrorResponse with its details named is refused, and so is a non-error use of it.
#[test]
fn an_error_body_with_typed_details_is_error_response_in_rust() {
    const TYPED: &str = "    ThingErrorResponse:
      type: object
      x-error-body: true
      required: [code, message, details]
      properties:
        code:
          type: string
          description: Said differently.
        message:
          type: string
          maxLength: 500
        details:
          $ref: '#/components/schemas/ThingErrorDetails'
    ThingErrorDetails:
      type: object
      x-error-body: true
      additionalProperties: true
      properties:
        thing_id:
          type: integer
          format: int32
    Scope:
";
    let base = fixture("minimal.yaml");
    let from = "            $ref: '#/components/schemas/ErrorResponse'\npaths:";
    assert!(base.contains(from));
    let typed = base.replacen("    Scope:\n", TYPED, 1).replacen(
        from,
        "            $ref: '#/components/schemas/ThingErrorResponse'\npaths:",
        1,
    );
    let (plain, with_typed) = (
        codegen::generate(&base).unwrap(),
        codegen::generate(&typed).unwrap(),
    );
    assert!(codegen::same_code(&plain, &with_typed).unwrap());
    let cases = [
        (
            typed.replacen("          maxLength: 500\n        details:\n          $ref", "          maxLength: 400\n        details:\n          $ref", 1),
            "ThingErrorResponse.message: must be ErrorResponse's message",
        ),
        (
            typed.replacen("      required: [code, message, details]\n      properties:\n        code:\n          type: string\n          description: Said", "      required: [code, details]\n      properties:\n        code:\n          type: string\n          description: Said", 1),
            "an error body has ErrorResponse's properties, all required",
        ),
        (
            typed.replacen("      x-error-body: true\n      additionalProperties: true", "      additionalProperties: false", 1),
            "ThingErrorDetails is an object marked x-error-body",
        ),
        (
            typed.replacen("        seen_at:\n", "        last_error:\n          $ref: '#/components/schemas/ThingErrorDetails'\n        seen_at:\n", 1),
            "only error responses refer to it",
        ),
    ];
    for (broken, want) in cases {
        assert_ne!(broken, typed, "the case changes the spec: {want}");
        let err = codegen::generate(&broken).expect_err(want).to_string();
        assert!(err.contains(want), "{want:?} not in {err:?}");
    }
}
