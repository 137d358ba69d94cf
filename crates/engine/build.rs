//! Generates the ziggurat tables of the normal draw (`src/rng/ziggurat.rs`) at build time.
//!
//! ZIGNOR (Doornik 2005): 256 layers of equal area `V` under the standard normal density, the
//! base layer reaching out to `R`. Each layer's right edge follows from the one below it, and
//! the math goes through `libm` so the tables (and every draw) are the same bits whatever the
//! host or target. The engine stays pure: this runs once, when the crate is compiled.

use std::fmt::Write;

/// Right edge of the base layer, and the area of every layer (Doornik's constants for 256).
const R: f64 = 3.654_152_885_361_009;
const V: f64 = 0.004_928_673_233_99;

fn density(x: f64) -> f64 {
    libm::exp(-x * x / 2.0)
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    // x[0] is the base layer's width as a rectangle (its area is V, tail included); x[1] = R;
    // then each layer up has the same area; the top edge is 0.
    let mut x = vec![V / density(R), R];
    while x.len() < 256 {
        let below = x[x.len() - 1];
        x.push(libm::sqrt(-2.0 * libm::log(V / below + density(below))));
    }
    x.push(0.0);
    let f: Vec<f64> = x.iter().map(|&x| density(x)).collect();

    let mut out = String::new();
    writeln!(out, "pub(super) const R: f64 = {R:?};").unwrap();
    for (name, table) in [("X", &x), ("F", &f)] {
        writeln!(out, "pub(super) static {name}: [f64; 257] = [").unwrap();
        for v in table {
            writeln!(out, "    {v:?},").unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("ziggurat.rs");
    std::fs::write(path, out).unwrap();
}
