//! Plants the candidate's faults in the default plugin's source it compiles: one misreading
//! ("halb drei" as 03:30), always, for the replay tests; a trap on `create_booking` when the
//! tenant's `candidate_trap` setting asks for it, for the canary tests.

fn main() {
    println!("cargo:rustc-cfg=slotline_misread_halb");
    println!("cargo:rustc-cfg=slotline_candidate");
}
