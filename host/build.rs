//! Embeds the default plugin when it has been built (`make guest`), so that `slotline demo`
//! runs from the binary alone. Without it the binary still builds; tenants then need a
//! `plugin` path in the configuration.

use std::path::PathBuf;

fn main() {
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
