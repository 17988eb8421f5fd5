//! The clocks read on the hot path: the coarse kernel clocks where the platform has them.
//!
//! Every verification reads the wall clock once (the timestamp window) and the memory dedupe
//! store reads a monotonic clock at each reservation and commit. The precise clocks
//! (`SystemTime::now`, `Instant::now`) cost ~23..29 ns a read on this project's KVM test
//! machine; the coarse ones (`CLOCK_REALTIME_COARSE`, `CLOCK_MONOTONIC_COARSE`) ~2 ns. They
//! lag the precise clocks by at most one kernel tick (1..10 ms, 4 ms on most kernels), which
//! is far below the one-second resolution of webhook timestamps and of any sensible lease.
//! Elsewhere, the standard library's clocks.

/// Current unix time in whole seconds (0 if the clock is before 1970).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn unix_secs() -> u64 {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
    u64::try_from(now.tv_sec).unwrap_or(0)
}

/// Current unix time in whole seconds (0 if the clock is before 1970).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Milliseconds on a monotonic clock from an unspecified origin: only differences mean
/// anything.
#[cfg(all(feature = "dedupe", any(target_os = "linux", target_os = "android")))]
pub(crate) fn monotonic_ms() -> u64 {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::MonotonicCoarse);
    let secs = u64::try_from(now.tv_sec).unwrap_or(0);
    let millis = u64::try_from(now.tv_nsec / 1_000_000).unwrap_or(0);
    secs.saturating_mul(1000).saturating_add(millis)
}

/// Milliseconds on a monotonic clock from an unspecified origin: only differences mean
/// anything.
#[cfg(all(
    feature = "dedupe",
    not(any(target_os = "linux", target_os = "android"))
))]
pub(crate) fn monotonic_ms() -> u64 {
    static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let origin = *ORIGIN.get_or_init(std::time::Instant::now);
    u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    #[test]
    fn unix_secs_follows_the_system_clock() {
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let ours = unix_secs();
        let after = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // The coarse clock lags by at most a tick: it may still show the second before.
        assert!(
            ours + 1 >= before && ours <= after,
            "{before} <= {ours} <= {after}"
        );
    }

    #[cfg(feature = "dedupe")]
    #[test]
    fn monotonic_ms_advances_with_time() {
        let start = monotonic_ms();
        std::thread::sleep(Duration::from_millis(60));
        let elapsed = monotonic_ms() - start;
        // At least the sleep minus one coarse tick (at most 10 ms), and not absurdly more.
        assert!((50..10_000).contains(&elapsed), "{elapsed} ms");
    }
}
