//! Plants the candidate's one misreading in the default plugin's source it compiles.

fn main() {
    println!("cargo:rustc-cfg=slotline_misread_halb");
}
