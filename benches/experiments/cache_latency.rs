//! Random-access latency by working-set size on this machine: a pointer chase through one
//! random cycle over N cache lines, from 32 KB to 64 MB. Not part of the crate; a probe of the
//! machine for BENCHMARKS.md (section 5, eleventh pass):
//!
//! ```text
//! rustc -O benches/experiments/cache_latency.rs -o /tmp/cache_latency && taskset -c 1 /tmp/cache_latency
//! ```
use std::time::Instant;
fn main() {
    let mut sizes_kb = vec![];
    let mut s = 32usize;
    while s <= 65536 {
        sizes_kb.push(s);
        s *= 2;
    }
    for kb in sizes_kb {
        let n = kb * 1024 / 64; // one element per cache line
        let stride = 8; // u64 per line
        let mut v = vec![0u64; n * stride];
        // random cyclic permutation (Sattolo), xorshift rng
        let mut perm: Vec<usize> = (0..n).collect();
        let mut x: u64 = 0x9E3779B97F4A7C15;
        for i in (1..n).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let j = (x % i as u64) as usize;
            perm.swap(i, j);
        }
        for i in 0..n {
            v[perm[i] * stride] = (perm[(i + 1) % n] * stride) as u64;
        }
        let steps = 4_000_000usize;
        let mut p = 0usize;
        for _ in 0..n {
            p = v[p] as usize;
        }
        let t = Instant::now();
        for _ in 0..steps {
            p = v[p] as usize;
        }
        let ns = t.elapsed().as_nanos() as f64 / steps as f64;
        std::hint::black_box(p);
        println!("{:>6} KB: {:6.1} ns", kb, ns);
    }
}
