//! The dialogs' part: code that the first cards do not need, which the
//! panel's build moves out of the main module into one fetched once the
//! page has started (`scripts/wasm-link`). It holds the dialogs, the cards'
//! menus, the sending of an operation, and what follows it (the words of a
//! card under way, the plan's panel and steps, the settling): an operation
//! starts only from a dialog, a menu or a plan, so all of that runs once
//! the part is here. It also draws the overview, whose place the page keeps
//! until then.
//!
//! A function of the part is declared with [`part_fn!`]. It is called as an
//! async function that fetches the part first; `components::load_dialogs`
//! readies every one of them, after which `state::at_once` calls any of
//! them synchronously.

/// Declares `fn name(args) -> Out` in the dialogs' part, with the preload
/// function `preload` (list it in `components::load_dialogs`). The call is
/// `async` and returns `Result<Out, SplitLoaderError>`: an `Err` when the
/// part could not be fetched (the next call tries again).
///
/// With the `split` feature (the panel's build), the body is a split point;
/// without it (tests), the same body is here at once.
macro_rules! part_fn {
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty;
        preload $preload:ident;
        { $($body:tt)* }
    ) => {
        $(#[$attr])*
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split(
            dialogs,
            wasm_split_path = ::leptos::wasm_split,
            preload($preload),
            fallible
        )]
        $vis fn $name($($arg: $ty),*) -> Result<$out, leptos::wasm_split::SplitLoaderError> {
            Ok({ $($body)* })
        }

        $(#[$attr])*
        #[cfg(not(feature = "split"))]
        $vis async fn $name($($arg: $ty),*) -> Result<$out, leptos::wasm_split::SplitLoaderError> {
            Ok({ $($body)* })
        }

        #[cfg(not(feature = "split"))]
        $vis async fn $preload() -> Result<(), leptos::wasm_split::SplitLoaderError> {
            Ok(())
        }
    };
}
pub(crate) use part_fn;

/// Starts downloading the dialogs' part without running it: the panel runs
/// it once the first lists have answered, so that on a fast connection its
/// compiling and drawing come after the first cards, while on a slow one it
/// is on its way beside them. Once is enough; a later call does nothing.
pub fn prefetch() {
    #[cfg(feature = "split")]
    prefetch_parts();
}

#[cfg(feature = "split")]
#[wasm_bindgen::prelude::wasm_bindgen(raw_module = "./__wasm_split.js")]
extern "C" {
    /// Written into the parts' loader by the build (`scripts/chunks.mjs`).
    fn prefetch_parts();
}
