//! Entry point of the web UI: Trunk builds this binary to wasm and runs `main` on load.

fn main() {
    ui::start();
}
