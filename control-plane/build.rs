//! Rebuilds the control plane when the portal's built app (`portal/dist`, `make portal`) changes:
//! release builds embed it (`portal::assets`), and one built before `make portal` must notice it.

fn main() {
    println!("cargo::rerun-if-changed=../portal/dist");
}
