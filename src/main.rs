use snapdeck::components::App;

fn main() {
    leptos::mount::mount_to_body(App);
}
