use snapdeck::components::App;

#[cfg(feature = "memprobe")]
mod memprobe;

fn main() {
    leptos::mount::mount_to_body(App);
}
