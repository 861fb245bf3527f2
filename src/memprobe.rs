//! Live heap bytes, for the memory benchmark: a build with the `memprobe`
//! feature counts every allocation and exports the totals (never in the
//! panel people use).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Live allocations by size in bytes (the last slot: 1024 and more).
static BY_SIZE: [AtomicUsize; 1025] = [const { AtomicUsize::new(0) }; 1025];

struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        BY_SIZE[layout.size().min(1024)].fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        BY_SIZE[layout.size().min(1024)].fetch_sub(1, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Bytes allocated and not yet freed.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn live_bytes() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64
}

/// Live allocations by size, as `size:count,` pairs: what a leak is made of.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn live_sizes() -> String {
    let mut out = String::new();
    for (size, count) in BY_SIZE.iter().enumerate() {
        let count = count.load(Ordering::Relaxed);
        if count != 0 {
            out.push_str(&format!("{size}:{count},"));
        }
    }
    out
}
