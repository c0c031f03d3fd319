//! Embeds the default plugin when it has been built (`make guest`), so that `slotline demo`
//! runs from the binary alone. Without it the binary still builds; tenants then need a
//! `plugin` path in the configuration.
//!
//! Also embeds the plugin project templates (`templates/plugin`) and the WIT package (`wit/`)
//! for `slotline plugin new`: a generated list of `include_bytes!`, so a file added to either
//! directory is in the next build without anyone keeping a list.

use std::path::{Path, PathBuf};

fn main() {
    embed_templates();
    println!("cargo::rustc-check-cfg=cfg(slotline_embedded_plugin)");
    println!("cargo::rerun-if-env-changed=SLOTLINE_GUEST_WASM");
    let path = match std::env::var_os("SLOTLINE_GUEST_WASM") {
        Some(path) => PathBuf::from(path),
        None => {
            let manifest =
                PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
            manifest.join("../target/wasm32-wasip2/guest/slotline_guest.wasm")
        }
    };
    println!("cargo::rerun-if-changed={}", path.display());
    if path.is_file() {
        println!("cargo::rustc-cfg=slotline_embedded_plugin");
        println!(
            "cargo::rustc-env=SLOTLINE_GUEST_WASM_PATH={}",
            path.display()
        );
    }
}

/// Directories a template may hold after someone tried it in place; never part of a project.
const SKIPPED: [&str; 5] = ["node_modules", ".venv", "target", "dist", "__pycache__"];

fn embed_templates() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("..");
    let mut entries = Vec::new();
    for (group, dir) in [
        ("template", root.join("templates/plugin")),
        ("wit", root.join("wit")),
    ] {
        println!("cargo::rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        collect(&dir, &dir, &mut files);
        files.sort();
        for (relative, absolute) in files {
            entries.push(format!(
                "    ({group:?}, {relative:?}, include_bytes!({absolute:?})),\n"
            ));
        }
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let code = format!(
        "/// (`template` or `wit`, path below `templates/plugin` or `wit`, contents)\n\
         pub static FILES: &[(&str, &str, &[u8])] = &[\n{}];\n",
        entries.concat()
    );
    if let Err(err) = std::fs::write(out.join("plugin_templates.rs"), code) {
        panic!("cannot write plugin_templates.rs: {err}");
    }
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => panic!("cannot read {}: {err}", dir.display()),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if SKIPPED.contains(&name.as_str()) {
            continue;
        }
        if path.is_dir() {
            collect(base, &path, files);
        } else if let Ok(relative) = path.strip_prefix(base) {
            let relative = relative.to_string_lossy().replace('\\', "/");
            files.push((relative, path.display().to_string()));
        }
    }
}
