//! Regenerates `generated/api.rs`, the MCP tool table `generated/mcp-tools.json` and the
//! schemas as JSON Schema `generated/json-schemas.json` from `openapi-ci-api.yaml` with the
//! generator in `codegen/`.
//!
//! The file is rewritten only when its content changes, so builds stay incremental and CI can
//! `git status generated/` to prove the checked-in copy is fresh. A spec the generator does not
//! understand fails the build with the generator's message.
use std::fs;

const SPEC: &str = "openapi-ci-api.yaml";
const OUT: &str = "generated/api.rs";
const TOOLS: &str = "generated/mcp-tools.json";
const SCHEMAS: &str = "generated/json-schemas.json";

fn main() {
    println!("cargo::rerun-if-changed={SPEC}");
    println!("cargo::rerun-if-changed=build.rs");
    let text = match fs::read_to_string(SPEC) {
        Ok(t) => t,
        Err(e) => fail(&format!("read {SPEC}: {e}")),
    };
    let code = match codegen::generate(&text) {
        Ok(c) => c,
        Err(e) => fail(&format!("{SPEC}: {e}")),
    };
    let tools = match codegen::mcp_tools(&text) {
        Ok(t) => t + "\n",
        Err(e) => fail(&format!("{SPEC}: {e}")),
    };
    let schemas = match codegen::json_schemas(&text) {
        Ok(s) => s + "\n",
        Err(e) => fail(&format!("{SPEC}: {e}")),
    };
    for (path, content) in [(OUT, code), (TOOLS, tools), (SCHEMAS, schemas)] {
        if fs::read_to_string(path).ok().as_deref() != Some(content.as_str())
            && let Err(e) = fs::create_dir_all("generated").and_then(|()| fs::write(path, content))
        {
            fail(&format!("write {path}: {e}"));
        }
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
