use snapdeck::components::App;

#[cfg(feature = "memprobe")]
mod memprobe;

// The panel's allocator: Talc, smaller in the wasm than the standard
// library's (dlmalloc) and faster. The memory benchmark's build counts
// allocations over the standard one instead (see `memprobe`).
#[cfg(all(target_arch = "wasm32", not(feature = "memprobe")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    leptos::mount::mount_to_body(App);
}
