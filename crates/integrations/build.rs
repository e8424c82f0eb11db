// The catalogues are embedded at compile time: rebuild when a translation changes.
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
